/* bootloader/kimage.h: a guest kernel file as kxen-monitor boots it.
 *
 * kxen-monitor enters an ELF vmlinux at its PVH entry; distributions ship
 * a bzImage (vmlinuz), whose protected-mode payload is the compressed
 * vmlinux ELF. kimage_to_elf() returns the ELF: the input itself when it
 * is one, else the bzImage payload decompressed (xz, lzma or gzip, as
 * Xen's own bzImage loader in libxenguest accepts; zstd, bzip2, lzo and lz4
 * are named in the error). Pure: bytes in, bytes out. */
#ifndef KXEN_BOOTLOADER_KIMAGE_H
#define KXEN_BOOTLOADER_KIMAGE_H

#include <stddef.h>
#include <stdint.h>

#define KIMAGE_MAX_ELF (512u << 20)

/* On success *out is either in (*copied = 0: do not free it) or a new
 * buffer the caller frees (*copied = 1). -EINVAL with err set when the
 * input is neither an ELF nor a usable bzImage, -EFBIG when the ELF would
 * be larger than max_out, -ENOMEM. */
int kimage_to_elf(const uint8_t *in, size_t len, size_t max_out,
		  const uint8_t **out, size_t *out_len, int *copied,
		  char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
