/* bootloader/diskfs.h: files inside a guest's disk image, read-only.
 *
 * A disk is a whole-disk ext2/3/4 filesystem, or an MBR- or GPT-partitioned
 * disk whose partitions hold one. Paths are looked up from the filesystem's own
 * root with libext2fs, symlinks included (at most 8 deep), so no path or
 * link can leave the guest's filesystem; only regular files are read, and
 * never more than the caller's limit. Messages name the disk and the path. */
#ifndef KXEN_BOOTLOADER_DISKFS_H
#define KXEN_BOOTLOADER_DISKFS_H

#include <stddef.h>
#include <stdint.h>

#define DISKFS_MAX_PARTS 4

/* Where filesystems may start on a disk whose first sector is sector0
 * (512 bytes): the MBR's Linux partitions (type 0x83) first, then its other
 * primary partitions (not extended, not empty, inside disk_size), then 0.
 * Returns how many offsets were written (at least 1). Pure. */
int diskfs_offsets(const uint8_t *sector0, uint64_t disk_size,
		   uint64_t offs[DISKFS_MAX_PARTS + 1]);

/* Does sector0 hold a GPT's protective MBR (a partition of type 0xee)? */
int diskfs_is_gpt(const uint8_t *sector0);

/* The GPT's partitions from its header (LBA 1, 512 bytes) and its entry
 * array (entries_len bytes read from the header's entry LBA): Linux
 * filesystem partitions first, then the others that are not empty, each
 * inside disk_size; at most max. Returns how many, or -EINVAL when the
 * header is not a GPT header. *entries_lba and *entries_bytes (may be
 * called with entries NULL first) say what to read. Pure. */
int diskfs_gpt_offsets(const uint8_t *hdr, const uint8_t *entries,
		       size_t entries_len, uint64_t disk_size, uint64_t *offs,
		       int max, uint64_t *entries_lba, size_t *entries_bytes);

struct diskfs;

/* Open the filesystem at byte offset off of disk (a path, or with fd >= 0
 * the open file fd, disk then only naming it in messages). 0 or a
 * negative errno with err set. */
int diskfs_open(const char *disk, int fd, uint64_t off, struct diskfs **out,
		char *err, size_t errlen);
void diskfs_close(struct diskfs *d);

/* 1 if path is a regular file (after symlinks), else 0. */
int diskfs_exists(struct diskfs *d, const char *path);

/* Read the regular file at path into a new buffer (*buf, *len; the caller
 * frees). -ENOENT, -EISDIR/-EINVAL (not a regular file), -EFBIG (larger
 * than max), -ELOOP, -EIO or -ENOMEM, with err set. */
int diskfs_read(struct diskfs *d, const char *path, size_t max, void **buf,
		size_t *len, char *err, size_t errlen);

#endif
