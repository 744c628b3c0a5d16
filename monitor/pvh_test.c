/* Unit tests for the PVH ELF parser: one good image, then every way a
 * broken or hostile image can be wrong, each with its own clear error. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <xen/elfnote.h>

#include "monitor/pvh.h"

/* A minimal image: header, two program headers (LOAD, NOTE), the note, and
 * 64 bytes of "code" loaded at 1 MiB. */
struct test_image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
	Elf64_Nhdr nh;
	char name[4];
	uint64_t entry;
	uint8_t code[64];
};

static struct test_image img;

static void make_image(void)
{
	memset(&img, 0, sizeof(img));
	memcpy(img.eh.e_ident, ELFMAG, SELFMAG);
	img.eh.e_ident[EI_CLASS] = ELFCLASS64;
	img.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	img.eh.e_ident[EI_VERSION] = EV_CURRENT;
	img.eh.e_type = ET_EXEC;
	img.eh.e_machine = EM_X86_64;
	img.eh.e_version = EV_CURRENT;
	img.eh.e_entry = 0xdead; /* the PV entry: must be ignored */
	img.eh.e_phoff = offsetof(struct test_image, ph);
	img.eh.e_ehsize = sizeof(Elf64_Ehdr);
	img.eh.e_phentsize = sizeof(Elf64_Phdr);
	img.eh.e_phnum = 2;

	img.ph[0].p_type = PT_LOAD;
	img.ph[0].p_offset = offsetof(struct test_image, code);
	img.ph[0].p_paddr = 0x100000;
	img.ph[0].p_vaddr = 0xffffffff81000000ull; /* loaded by paddr */
	img.ph[0].p_filesz = sizeof(img.code);
	img.ph[0].p_memsz = 0x2000;

	img.ph[1].p_type = PT_NOTE;
	img.ph[1].p_offset = offsetof(struct test_image, nh);
	img.ph[1].p_filesz = sizeof(Elf64_Nhdr) + 4 + 8;

	img.nh.n_namesz = 4;
	img.nh.n_descsz = 8;
	img.nh.n_type = XEN_ELFNOTE_PHYS32_ENTRY;
	memcpy(img.name, "Xen", 4);
	img.entry = 0x100010;
}

static const char *parse_err(size_t len)
{
	struct pvh_image out;
	const char *why = NULL;
	int rc = pvh_parse(&img, len, &out, &why);

	if (rc == 0)
		return NULL;
	assert_int_equal(rc, -EINVAL);
	assert_non_null(why);
	return why;
}

static void test_good_image(void **state)
{
	struct pvh_image out;
	const char *why = NULL;

	(void)state;
	make_image();
	assert_int_equal(pvh_parse(&img, sizeof(img), &out, &why), 0);
	assert_int_equal(out.entry, 0x100010);
	assert_int_equal(out.nr_segments, 1);
	assert_int_equal(out.seg[0].paddr, 0x100000);
	assert_int_equal(out.seg[0].filesz, 64);
	assert_int_equal(out.seg[0].memsz, 0x2000);
	assert_int_equal(out.paddr_lo, 0x100000);
	assert_int_equal(out.paddr_hi, 0x102000);
	assert_int_equal(pvh_check_fits(&out, 16 << 20, &why), 0);
	assert_int_equal(pvh_check_fits(&out, 1 << 20, &why), -E2BIG);
	assert_string_equal(why, "kernel image does not fit in the guest's memory");
}

static void test_four_byte_note(void **state)
{
	struct pvh_image out;
	const char *why;

	(void)state;
	make_image();
	img.nh.n_descsz = 4; /* our own guests use a 32-bit descriptor */
	img.ph[1].p_filesz = sizeof(Elf64_Nhdr) + 4 + 4;
	assert_int_equal(pvh_parse(&img, sizeof(img), &out, &why), 0);
	assert_int_equal(out.entry, 0x100010);
}

#define EXPECT(msg) assert_string_equal(parse_err(sizeof(img)), msg)

static void test_bad_headers(void **state)
{
	(void)state;
	make_image();
	img.eh.e_ident[1] = 'X';
	EXPECT("not an ELF file");
	make_image();
	img.eh.e_ident[EI_CLASS] = ELFCLASS32;
	EXPECT("not a 64-bit ELF file (only ELF64 PVH images are supported)");
	make_image();
	img.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	EXPECT("not a little-endian ELF file");
	make_image();
	img.eh.e_machine = EM_AARCH64;
	EXPECT("not an x86-64 ELF file");
	make_image();
	img.eh.e_type = ET_DYN;
	EXPECT("not an executable ELF file");
	make_image();
	img.eh.e_phentsize = 10;
	EXPECT("ELF program header size is wrong");
	make_image();
	img.eh.e_phnum = 0;
	EXPECT("ELF file has no program headers");
	make_image();
	img.eh.e_phoff = 0xfffffffffffffff0ull;
	EXPECT("ELF program headers lie outside the file (truncated?)");
	make_image();
	img.eh.e_phnum = 0xffff;
	EXPECT("ELF program headers lie outside the file (truncated?)");
}

static void test_truncated(void **state)
{
	(void)state;
	make_image();
	assert_string_equal(parse_err(10), "file is too short to be an ELF image");
	assert_string_equal(parse_err(offsetof(struct test_image, ph) + 8),
			    "ELF program headers lie outside the file (truncated?)");
	assert_string_equal(parse_err(offsetof(struct test_image, code) + 10),
			    "ELF segment lies outside the file (truncated?)");
	/* Every prefix of the file fails cleanly (ASan checks the reads). */
	for (size_t len = 0; len < sizeof(img); len++)
		assert_non_null(parse_err(len));
}

static void test_bad_segments(void **state)
{
	(void)state;
	make_image();
	img.ph[0].p_filesz = 0x3000;
	EXPECT("ELF segment has more file bytes than memory bytes");
	make_image();
	img.ph[0].p_paddr = 0xfffffffffffff000ull;
	EXPECT("ELF segment wraps the address space");
	make_image();
	img.ph[0].p_type = PT_NULL;
	EXPECT("ELF file has no loadable segments");
	make_image();
	img.eh.e_phnum = 3;
	img.ph[2] = img.ph[0];
	img.ph[2].p_paddr = 0x101000; /* inside the first one's memsz */
	EXPECT("ELF segments overlap");
}

static void test_bad_notes(void **state)
{
	(void)state;
	make_image();
	img.nh.n_type = XEN_ELFNOTE_ENTRY; /* the PV entry is not PVH */
	EXPECT("no Xen PHYS32_ENTRY note: not a PVH-capable kernel");
	make_image();
	memcpy(img.name, "Foo", 4);
	EXPECT("no Xen PHYS32_ENTRY note: not a PVH-capable kernel");
	make_image();
	img.nh.n_descsz = 2;
	img.ph[1].p_filesz = sizeof(Elf64_Nhdr) + 4 + 4;
	EXPECT("Xen PHYS32_ENTRY note has a bad size");
	make_image();
	img.nh.n_descsz = 0x7fffffff;
	EXPECT("ELF note runs past the end of its segment");
	make_image();
	img.ph[1].p_filesz = 0x10000;
	EXPECT("ELF note segment lies outside the file (truncated?)");
	make_image();
	img.entry = 0x100000000ull;
	EXPECT("Xen PHYS32_ENTRY is above 4 GiB");
	make_image();
	img.entry = 0x200000;
	EXPECT("PVH entry point lies outside every loadable segment");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_image),
		cmocka_unit_test(test_four_byte_note),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_segments),
		cmocka_unit_test(test_bad_notes),
	};
	return cmocka_run_group_tests_name("pvh", tests, NULL, NULL);
}
