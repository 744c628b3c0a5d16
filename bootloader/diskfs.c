/* bootloader/diskfs.c: the guest's disk through libext2fs (diskfs.h). */
#include "bootloader/diskfs.h"

#include <errno.h>
#include <fcntl.h>
#include <ext2fs/ext2fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct diskfs {
	ext2_filsys fs;
	char *disk;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int diskfs_offsets(const uint8_t *s, uint64_t disk_size,
		   uint64_t offs[DISKFS_MAX_PARTS + 1])
{
	int n = 0;

	if (s[510] == 0x55 && s[511] == 0xaa) {
		for (int pass = 0; pass < 2; pass++) {
			for (int i = 0; i < 4; i++) {
				const uint8_t *e = s + 446 + 16 * i;
				uint8_t type = e[4];
				uint64_t start = (uint64_t)le32(e + 8) * 512;
				uint64_t size = (uint64_t)le32(e + 12) * 512;

				if ((e[0] & 0x7f) || !type || !size ||
				    type == 0x05 || type == 0x0f ||
				    type == 0x85 || type == 0xee)
					continue; /* bad flag, empty, extended, GPT */
				if ((pass == 0) != (type == 0x83))
					continue;
				if (!start || (disk_size && start + size >
					       disk_size))
					continue;
				offs[n++] = start;
			}
		}
	}
	offs[n++] = 0;
	return n;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

int diskfs_is_gpt(const uint8_t *s)
{
	if (s[510] != 0x55 || s[511] != 0xaa)
		return 0;
	for (int i = 0; i < 4; i++)
		if (s[446 + 16 * i + 4] == 0xee)
			return 1;
	return 0;
}

int diskfs_gpt_offsets(const uint8_t *hdr, const uint8_t *entries,
		       size_t entries_len, uint64_t disk_size, uint64_t *offs,
		       int max, uint64_t *entries_lba, size_t *entries_bytes)
{
	/* 0FC63DAF-8483-4772-8E79-3D69D8477DE4 as stored on disk */
	static const uint8_t linux_fs[16] = {
		0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
		0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4,
	};
	static const uint8_t zero[16];
	uint32_t n, size;
	int found = 0;

	if (memcmp(hdr, "EFI PART", 8))
		return -EINVAL;
	n = le32(hdr + 80);
	size = le32(hdr + 84);
	if (size < 128 || size > 4096 || (size & (size - 1)) || n > 1024)
		return -EINVAL;
	*entries_lba = le64(hdr + 72);
	*entries_bytes = (size_t)n * size;
	if (!entries)
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < n && found < max; i++) {
			const uint8_t *e = entries + (size_t)i * size;
			uint64_t first, last;

			if ((size_t)(i + 1) * size > entries_len)
				break;
			if (!memcmp(e, zero, 16) ||
			    (pass == 0) != !memcmp(e, linux_fs, 16))
				continue;
			first = le64(e + 32);
			last = le64(e + 40);
			if (!first || last < first || first > UINT64_MAX / 512 ||
			    (disk_size && (last >= disk_size / 512)))
				continue;
			offs[found++] = first * 512;
		}
	}
	return found;
}

static int ext_errno(errcode_t e)
{
	switch (e) {
	case EXT2_ET_FILE_NOT_FOUND: return -ENOENT;
	case EXT2_ET_SYMLINK_LOOP: return -ELOOP;
	case EXT2_ET_NO_MEMORY: return -ENOMEM;
	case EXT2_ET_NO_DIRECTORY: return -ENOTDIR;
	default: return e > 0 && e < 4096 ? -(int)e : -EIO;
	}
}

int diskfs_open(const char *disk, int fd, uint64_t off, struct diskfs **out,
		char *err, size_t errlen)
{
	struct diskfs *d = calloc(1, sizeof(*d));
	char opts[64], name[16];
	errcode_t e;
	int dfd = -1;

	if (!d || !(d->disk = strdup(disk))) {
		free(d);
		return -ENOMEM;
	}
	if (fd >= 0) { /* libext2fs closes the one it is given */
		dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (dfd < 0) {
			snprintf(err, errlen, "%s: %s", disk, strerror(errno));
			free(d->disk);
			free(d);
			return -errno;
		}
		snprintf(name, sizeof(name), "%d", dfd);
	}
	snprintf(opts, sizeof(opts), "offset=%llu", (unsigned long long)off);
	e = ext2fs_open2(fd >= 0 ? name : disk, off ? opts : NULL,
			 EXT2_FLAG_64BITS, 0, 0,
			 fd >= 0 ? unixfd_io_manager : unix_io_manager, &d->fs);
	if (e && dfd >= 0)
		close(dfd); /* harmless if libext2fs closed it already */
	if (e) {
		snprintf(err, errlen, "%s: no ext2/3/4 filesystem at byte %llu: "
			 "%s", disk, (unsigned long long)off, error_message(e));
		free(d->disk);
		free(d);
		return ext_errno(e) == -EIO ? -EINVAL : ext_errno(e);
	}
	*out = d;
	return 0;
}

void diskfs_close(struct diskfs *d)
{
	if (!d)
		return;
	ext2fs_close_free(&d->fs);
	free(d->disk);
	free(d);
}

static int lookup(struct diskfs *d, const char *path, ext2_ino_t *ino,
		  struct ext2_inode *inode, char *err, size_t errlen)
{
	errcode_t e;

	if (path[0] != '/') {
		snprintf(err, errlen, "%s: %s: not an absolute path", d->disk,
			 path);
		return -EINVAL;
	}
	e = ext2fs_namei_follow(d->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, ino);
	if (!e)
		e = ext2fs_read_inode(d->fs, *ino, inode);
	if (e) {
		snprintf(err, errlen, "%s: %s: %s", d->disk, path,
			 e == EXT2_ET_FILE_NOT_FOUND ? "no such file" :
			 error_message(e));
		return ext_errno(e);
	}
	if (!LINUX_S_ISREG(inode->i_mode)) {
		snprintf(err, errlen, "%s: %s: not a regular file", d->disk,
			 path);
		return LINUX_S_ISDIR(inode->i_mode) ? -EISDIR : -EINVAL;
	}
	return 0;
}

int diskfs_exists(struct diskfs *d, const char *path)
{
	struct ext2_inode inode;
	ext2_ino_t ino;
	char err[8];

	return lookup(d, path, &ino, &inode, err, sizeof(err)) == 0;
}

int diskfs_read(struct diskfs *d, const char *path, size_t max, void **buf,
		size_t *len, char *err, size_t errlen)
{
	struct ext2_inode inode;
	ext2_file_t f = NULL;
	ext2_ino_t ino;
	__u64 size;
	size_t got = 0;
	char *p = NULL;
	errcode_t e;
	int rc;

	rc = lookup(d, path, &ino, &inode, err, errlen);
	if (rc)
		return rc;
	size = EXT2_I_SIZE(&inode);
	if (size > max) {
		snprintf(err, errlen, "%s: %s: %llu bytes, more than the %zu "
			 "allowed", d->disk, path, (unsigned long long)size, max);
		return -EFBIG;
	}
	p = malloc(size ? size : 1);
	if (!p)
		return -ENOMEM;
	e = ext2fs_file_open2(d->fs, ino, &inode, 0, &f);
	while (!e && got < size) {
		unsigned int n = 0, want = size - got > (1u << 30) ?
					 (1u << 30) : (unsigned int)(size - got);

		e = ext2fs_file_read(f, p + got, want, &n);
		if (!e && !n)
			break;
		got += n;
	}
	if (f)
		ext2fs_file_close(f);
	if (e || got != size) {
		snprintf(err, errlen, "%s: %s: read failed: %s", d->disk, path,
			 e ? error_message(e) : "short read");
		free(p);
		return -EIO;
	}
	*buf = p;
	*len = got;
	return 0;
}
