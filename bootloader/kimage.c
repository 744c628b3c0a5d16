/* bootloader/kimage.c: bzImage -> vmlinux ELF (kimage.h).
 *
 * The x86 boot protocol (Linux Documentation/arch/x86/boot.rst): "HdrS"
 * at 0x202, the protocol version at 0x206 (payload fields need >= 2.08),
 * setup_sects at 0x1f1 (0 means 4), and at 0x248/0x24c payload_offset and
 * payload_length, relative to the protected-mode code that starts after
 * the (setup_sects + 1) * 512 bytes of setup. */
#include "bootloader/kimage.h"

#include <errno.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static bool is_elf(const uint8_t *p, size_t len)
{
	return len >= 4 && !memcmp(p, "\177ELF", 4);
}

/* Grow *buf (capacity *cap) to hold at least need bytes, up to max. */
static int grow(uint8_t **buf, size_t *cap, size_t need, size_t max)
{
	size_t c = *cap ? *cap : (16u << 20);
	uint8_t *p;

	if (need > max)
		return -EFBIG;
	while (c < need)
		c *= 2;
	if (c > max)
		c = max;
	p = realloc(*buf, c);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = c;
	return 0;
}

static int unxz(const uint8_t *in, size_t len, bool alone, size_t max,
		uint8_t **out, size_t *out_len)
{
	lzma_stream s = LZMA_STREAM_INIT;
	uint8_t *buf = NULL;
	size_t cap = 0;
	lzma_ret r;
	int rc = 0;

	r = alone ? lzma_alone_decoder(&s, 512u << 20)
		  : lzma_stream_decoder(&s, 512u << 20, 0);
	if (r != LZMA_OK)
		return r == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
	s.next_in = in;
	s.avail_in = len;
	for (;;) {
		if (s.avail_out == 0) {
			size_t used = cap;

			rc = grow(&buf, &cap, cap + 1, max);
			if (rc)
				break;
			s.next_out = buf + used;
			s.avail_out = cap - used;
		}
		r = lzma_code(&s, LZMA_FINISH);
		if (r == LZMA_STREAM_END)
			break;
		if (r != LZMA_OK) {
			rc = r == LZMA_MEM_ERROR ? -ENOMEM : -EINVAL;
			break;
		}
	}
	*out_len = (size_t)s.total_out;
	lzma_end(&s);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

static int gunzip(const uint8_t *in, size_t len, size_t max, uint8_t **out,
		  size_t *out_len)
{
	z_stream z = { 0 };
	uint8_t *buf = NULL;
	size_t cap = 0;
	int r, rc = 0;

	if (len > UINT32_MAX)
		return -EFBIG;
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	for (;;) {
		if (z.avail_out == 0) {
			size_t used = cap;

			rc = grow(&buf, &cap, cap + 1, max);
			if (rc)
				break;
			z.next_out = buf + used;
			z.avail_out = (uInt)(cap - used);
		}
		r = inflate(&z, Z_NO_FLUSH);
		if (r == Z_STREAM_END)
			break;
		if (r != Z_OK || (z.avail_in == 0 && z.avail_out != 0)) {
			rc = r == Z_MEM_ERROR ? -ENOMEM : -EINVAL;
			break;
		}
	}
	*out_len = z.total_out;
	inflateEnd(&z);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	return 0;
}

int kimage_to_elf(const uint8_t *in, size_t len, size_t max_out,
		  const uint8_t **out, size_t *out_len, int *copied,
		  char *err, size_t errlen)
{
	static const struct {
		const char *name;
		const uint8_t magic[6];
		size_t n;
	} unsupported[] = {
		{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
		{ "bzip2", { 'B', 'Z', 'h' }, 3 },
		{ "lzo", { 0x89, 'L', 'Z', 'O' }, 4 },
		{ "lz4", { 0x02, 0x21, 0x4c, 0x18 }, 4 },
	};
	const uint8_t *pl;
	uint8_t *elf = NULL;
	size_t setup, off, plen, elf_len = 0;
	int rc;

	*copied = 0;
	if (is_elf(in, len)) {
		if (len > max_out) {
			snprintf(err, errlen, "the ELF kernel is larger than %zu "
				 "bytes", max_out);
			return -EFBIG;
		}
		*out = in;
		*out_len = len;
		return 0;
	}
	if (len < 0x250 || memcmp(in + 0x202, "HdrS", 4)) {
		snprintf(err, errlen, "neither an ELF vmlinux nor a bzImage");
		return -EINVAL;
	}
	if ((in[0x206] | in[0x207] << 8) < 0x0208) {
		snprintf(err, errlen, "bzImage boot protocol %u.%02u is older "
			 "than 2.08 (no payload fields)", in[0x207], in[0x206]);
		return -EINVAL;
	}
	setup = ((size_t)(in[0x1f1] ? in[0x1f1] : 4) + 1) * 512;
	off = le32(in + 0x248);
	plen = le32(in + 0x24c);
	if (setup > len || off > len - setup || plen > len - setup - off ||
	    plen < 6) {
		snprintf(err, errlen, "bzImage payload (offset %zu, %zu bytes) "
			 "lies outside the file", off, plen);
		return -EINVAL;
	}
	pl = in + setup + off;
	if (!memcmp(pl, "\xfd" "7zXZ\0", 6)) {
		rc = unxz(pl, plen, false, max_out, &elf, &elf_len);
	} else if (pl[0] == 0x1f && pl[1] == 0x8b) {
		rc = gunzip(pl, plen, max_out, &elf, &elf_len);
	} else if (pl[0] == 0x5d && pl[1] == 0 && pl[2] == 0) {
		rc = unxz(pl, plen, true, max_out, &elf, &elf_len);
	} else {
		for (size_t i = 0; i < sizeof(unsupported) /
		     sizeof(*unsupported); i++) {
			if (!memcmp(pl, unsupported[i].magic, unsupported[i].n)) {
				snprintf(err, errlen, "bzImage payload is %s-"
					 "compressed: only xz, lzma and gzip are "
					 "supported", unsupported[i].name);
				return -EINVAL;
			}
		}
		snprintf(err, errlen, "bzImage payload has an unknown "
			 "compression");
		return -EINVAL;
	}
	if (rc == -EFBIG) {
		snprintf(err, errlen, "the decompressed kernel is larger than "
			 "%zu bytes", max_out);
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "cannot decompress the bzImage payload: "
			 "%s", rc == -ENOMEM ? "out of memory" : "corrupt data");
		return rc;
	}
	if (!is_elf(elf, elf_len)) {
		free(elf);
		snprintf(err, errlen, "the bzImage payload is not an ELF file");
		return -EINVAL;
	}
	*out = elf;
	*out_len = elf_len;
	*copied = 1;
	return 0;
}
