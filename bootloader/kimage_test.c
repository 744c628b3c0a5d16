/* bootloader/kimage_test.c: bzImage -> ELF (kimage.c) and the partition
 * table scan (diskfs_offsets). */
#include "bootloader/diskfs.h"
#include "bootloader/kimage.h"

#include <errno.h>
#include <lzma.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

static char err[256];
static uint8_t elf[100000];

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8 & 0xff;
	p[2] = v >> 16 & 0xff;
	p[3] = v >> 24;
}

/* A bzImage: 2 setup sectors + 512 of boot sector, payload after 16
 * bytes of protected-mode code. */
static uint8_t *bzimage(const uint8_t *pl, size_t plen, size_t *len)
{
	size_t setup = 3 * 512, off = 16;
	uint8_t *b = calloc(1, setup + off + plen + 4);

	b[0x1f1] = 2;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = 0x0f; /* 2.15 */
	b[0x207] = 0x02;
	put32(b + 0x248, (uint32_t)off);
	put32(b + 0x24c, (uint32_t)plen);
	memcpy(b + setup + off, pl, plen);
	*len = setup + off + plen + 4;
	return b;
}

static void setup_elf(void)
{
	for (size_t i = 0; i < sizeof(elf); i++)
		elf[i] = (uint8_t)(i * 7 % 251);
	memcpy(elf, "\177ELF\2\1\1", 7);
}

static void test_elf_passthrough(void **state)
{
	const uint8_t *out;
	size_t out_len;
	int copied;

	(void)state;
	setup_elf();
	assert_int_equal(kimage_to_elf(elf, sizeof(elf), KIMAGE_MAX_ELF, &out,
				       &out_len, &copied, err, sizeof(err)), 0);
	assert_ptr_equal(out, elf);
	assert_int_equal(copied, 0);
	assert_int_equal(kimage_to_elf(elf, sizeof(elf), 100, &out, &out_len,
				       &copied, err, sizeof(err)), -EFBIG);
}

static void test_xz(void **state)
{
	uint8_t *xz = malloc(sizeof(elf) + 4096), *bz;
	const uint8_t *out;
	size_t xzlen = 0, len, out_len;
	int copied;

	(void)state;
	setup_elf();
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL,
						 elf, sizeof(elf), xz, &xzlen,
						 sizeof(elf) + 4096), LZMA_OK);
	bz = bzimage(xz, xzlen, &len);
	assert_int_equal(kimage_to_elf(bz, len, KIMAGE_MAX_ELF, &out, &out_len,
				       &copied, err, sizeof(err)), 0);
	assert_int_equal(copied, 1);
	assert_int_equal(out_len, sizeof(elf));
	assert_memory_equal(out, elf, sizeof(elf));
	free((void *)out);
	/* too large once decompressed */
	assert_int_equal(kimage_to_elf(bz, len, 50000, &out, &out_len, &copied,
				       err, sizeof(err)), -EFBIG);
	/* corrupt payload */
	bz[3 * 512 + 16 + xzlen / 2] ^= 0xff;
	assert_int_equal(kimage_to_elf(bz, len, KIMAGE_MAX_ELF, &out, &out_len,
				       &copied, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "corrupt"));
	free(bz);
	/* truncated payload: payload_length says more than there is */
	bz = bzimage(xz, xzlen, &len);
	assert_int_equal(kimage_to_elf(bz, len - 8 - xzlen / 2, KIMAGE_MAX_ELF,
				       &out, &out_len, &copied, err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "outside"));
	free(bz);
	free(xz);
}

static void test_gzip(void **state)
{
	uint8_t *gz = malloc(sizeof(elf) + 4096), *bz;
	const uint8_t *out;
	size_t len, out_len;
	z_stream z = { 0 };
	int copied;

	(void)state;
	setup_elf();
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = elf;
	z.avail_in = sizeof(elf);
	z.next_out = gz;
	z.avail_out = sizeof(elf) + 4096;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	bz = bzimage(gz, z.total_out, &len);
	deflateEnd(&z);
	assert_int_equal(kimage_to_elf(bz, len, KIMAGE_MAX_ELF, &out, &out_len,
				       &copied, err, sizeof(err)), 0);
	assert_memory_equal(out, elf, sizeof(elf));
	free((void *)out);
	free(bz);
	free(gz);
}

static void test_bad(void **state)
{
	static const uint8_t zstd[8] = { 0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4 };
	static const uint8_t junk[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t *bz;
	const uint8_t *out;
	size_t len, out_len;
	int copied;

	(void)state;
	assert_int_equal(kimage_to_elf((const uint8_t *)"hello", 5,
				       KIMAGE_MAX_ELF, &out, &out_len, &copied,
				       err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "neither"));
	bz = bzimage(zstd, sizeof(zstd), &len);
	assert_int_equal(kimage_to_elf(bz, len, KIMAGE_MAX_ELF, &out, &out_len,
				       &copied, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "zstd"));
	free(bz);
	bz = bzimage(junk, sizeof(junk), &len);
	assert_int_equal(kimage_to_elf(bz, len, KIMAGE_MAX_ELF, &out, &out_len,
				       &copied, err, sizeof(err)), -EINVAL);
	bz[0x206] = 0x06; /* protocol 2.06: no payload fields */
	assert_int_equal(kimage_to_elf(bz, len, KIMAGE_MAX_ELF, &out, &out_len,
				       &copied, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "2.08"));
	bz[0x206] = 0x0f;
	put32(bz + 0x248, 0xfffffff0u); /* offset overflow */
	assert_int_equal(kimage_to_elf(bz, len, KIMAGE_MAX_ELF, &out, &out_len,
				       &copied, err, sizeof(err)), -EINVAL);
	free(bz);
}

static void part(uint8_t *s, int i, uint8_t type, uint32_t lba, uint32_t n)
{
	uint8_t *e = s + 446 + 16 * i;

	e[4] = type;
	put32(e + 8, lba);
	put32(e + 12, n);
}

static void test_offsets(void **state)
{
	uint8_t s[512] = { 0 };
	uint64_t offs[DISKFS_MAX_PARTS + 1];

	(void)state;
	/* a whole-disk filesystem: no signature */
	assert_int_equal(diskfs_offsets(s, 1 << 20, offs), 1);
	assert_int_equal(offs[0], 0);
	s[510] = 0x55;
	s[511] = 0xaa;
	part(s, 0, 0x0b, 2048, 100);  /* FAT: after the Linux ones */
	part(s, 1, 0x83, 4096, 100);  /* Linux */
	part(s, 2, 0x05, 8192, 100);  /* extended: never */
	part(s, 3, 0x83, 1u << 30, 100); /* past the end of the disk */
	assert_int_equal(diskfs_offsets(s, 64 << 20, offs), 3);
	assert_int_equal(offs[0], 4096 * 512);
	assert_int_equal(offs[1], 2048 * 512);
	assert_int_equal(offs[2], 0);
	s[446 + 16] = 0x12; /* bad boot flag: skip that entry */
	assert_int_equal(diskfs_offsets(s, 64 << 20, offs), 2);
	part(s, 0, 0xee, 1, 100); /* GPT protective: not read */
	assert_int_equal(diskfs_offsets(s, 64 << 20, offs), 1);
}

static void test_gpt(void **state)
{
	static const uint8_t linux_fs[16] = {
		0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
		0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4,
	};
	uint8_t s[512] = { 0 }, hdr[512] = { 0 }, ents[4 * 128] = { 0 };
	uint64_t offs[DISKFS_MAX_PARTS], lba;
	size_t bytes;

	(void)state;
	s[510] = 0x55;
	s[511] = 0xaa;
	assert_int_equal(diskfs_is_gpt(s), 0);
	part(s, 0, 0xee, 1, 0xffffffff);
	assert_int_equal(diskfs_is_gpt(s), 1);
	assert_int_equal(diskfs_gpt_offsets(hdr, NULL, 0, 0, offs, 4, &lba,
					    &bytes), -EINVAL);
	memcpy(hdr, "EFI PART", 8);
	put32(hdr + 72, 2);
	put32(hdr + 80, 4);
	put32(hdr + 84, 128);
	assert_int_equal(diskfs_gpt_offsets(hdr, NULL, 0, 0, offs, 4, &lba,
					    &bytes), 0);
	assert_int_equal(lba, 2);
	assert_int_equal(bytes, 512);
	memset(ents, 0x11, 16); /* some other type, first */
	put32(ents + 32, 34);
	put32(ents + 40, 2047);
	memcpy(ents + 128, linux_fs, 16);
	put32(ents + 128 + 32, 2048);
	put32(ents + 128 + 40, 4095);
	memcpy(ents + 256, linux_fs, 16); /* past the end of the disk */
	put32(ents + 256 + 32, 4096);
	put32(ents + 256 + 40, 1u << 30);
	assert_int_equal(diskfs_gpt_offsets(hdr, ents, sizeof(ents), 4 << 20,
					    offs, 4, &lba, &bytes), 2);
	assert_int_equal(offs[0], 2048 * 512);
	assert_int_equal(offs[1], 34 * 512);
	/* a short entry array is read as far as it goes */
	assert_int_equal(diskfs_gpt_offsets(hdr, ents, 200, 4 << 20, offs, 4,
					    &lba, &bytes), 1);
	put32(hdr + 84, 100); /* entry size not a power of two >= 128 */
	assert_int_equal(diskfs_gpt_offsets(hdr, ents, sizeof(ents), 0, offs,
					    4, &lba, &bytes), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_passthrough),
		cmocka_unit_test(test_xz),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_gpt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
