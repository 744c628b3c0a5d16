/* bootloader/bootcfg_test.c: the grub.cfg and extlinux.conf parsers. */
#include "bootloader/bootcfg.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char err[256];

static void grub_ok(const char *text, struct bootcfg *c)
{
	int rc = bootcfg_parse_grub(text, strlen(text), c, err, sizeof(err));

	if (rc)
		fail_msg("parse failed (%d): %s", rc, err);
}

static const char *grub_bad(const char *text)
{
	struct bootcfg c;
	int rc = bootcfg_parse_grub(text, strlen(text), &c, err, sizeof(err));

	bootcfg_free(&c);
	assert_int_equal(rc, -EINVAL);
	return err;
}

/* Debian's update-grub output, shortened. */
static const char debian[] =
	"if [ -s $prefix/grubenv ]; then\n"
	"  set have_grubenv=true\n  load_env\nfi\n"
	"if [ \"${next_entry}\" ] ; then\n"
	"   set default=\"${next_entry}\"\n   set next_entry=\n"
	"else\n   set default=\"0\"\nfi\n"
	"if [ x\"${feature_menuentry_id}\" = xy ]; then\n"
	"  menuentry_id_option=\"--id\"\nelse\n  menuentry_id_option=\"\"\nfi\n"
	"function load_video {\n  insmod all_video\n  linux /not/this\n}\n"
	"### BEGIN /etc/grub.d/10_linux ###\n"
	"menuentry 'Debian GNU/Linux' --class debian --class gnu-linux "
	"$menuentry_id_option 'gnulinux-simple-1234' {\n"
	"\tload_video\n\tinsmod gzio\n"
	"\tif [ x$grub_platform = xxen ]; then insmod xzio; insmod lzopio; fi\n"
	"\tsearch --no-floppy --fs-uuid --set=root 1234\n"
	"\techo\t'Loading Linux 6.1.0-56-amd64 ...'\n"
	"\tlinux\t/boot/vmlinuz-6.1.0-56-amd64 root=UUID=1234 ro  quiet\n"
	"\techo\t'Loading initial ramdisk ...'\n"
	"\tinitrd\t/boot/initrd.img-6.1.0-56-amd64\n}\n"
	"submenu 'Advanced options for Debian GNU/Linux' "
	"$menuentry_id_option 'gnulinux-advanced-1234' {\n"
	"\tmenuentry 'Debian GNU/Linux, with Linux 6.1.0-56-amd64' "
	"$menuentry_id_option 'gnulinux-6.1.0-56-advanced-1234' {\n"
	"\t\tlinux\t/boot/vmlinuz-6.1.0-56-amd64 root=UUID=1234 ro quiet\n"
	"\t\tinitrd\t/boot/initrd.img-6.1.0-56-amd64\n\t}\n"
	"\tmenuentry 'Debian GNU/Linux, with Linux 6.1.0-56-amd64 (recovery "
	"mode)' $menuentry_id_option 'gnulinux-recovery' {\n"
	"\t\tlinux\t/boot/vmlinuz-6.1.0-56-amd64 root=UUID=1234 ro single\n"
	"\t\tinitrd\t/boot/initrd.img-6.1.0-56-amd64\n\t}\n}\n";

static void test_debian(void **state)
{
	struct bootcfg c;
	int i;

	(void)state;
	grub_ok(debian, &c);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.default_entry, "0");
	assert_string_equal(c.entries[0].title, "Debian GNU/Linux");
	assert_string_equal(c.entries[0].id, "gnulinux-simple-1234");
	assert_string_equal(c.entries[0].kernel,
			    "/boot/vmlinuz-6.1.0-56-amd64");
	assert_string_equal(c.entries[0].args, "root=UUID=1234 ro quiet");
	assert_int_equal(c.entries[0].n_initrd, 1);
	assert_string_equal(c.entries[0].initrd[0],
			    "/boot/initrd.img-6.1.0-56-amd64");
	assert_string_equal(c.entries[1].path, "1>0");
	assert_string_equal(c.entries[2].path, "1>1");
	assert_string_equal(c.entries[2].args, "root=UUID=1234 ro single");
	i = bootcfg_choose(&c, NULL);
	assert_int_equal(i, 0);
	assert_int_equal(bootcfg_choose(&c, "2"), 2); /* --entry: flat index */
	assert_int_equal(bootcfg_choose(&c, "1>1"), 2);
	assert_int_equal(bootcfg_choose(&c, "gnulinux-recovery"), 2);
	assert_int_equal(bootcfg_choose(&c, "Debian GNU/Linux"), 0);
	assert_int_equal(bootcfg_choose(&c, "7"), -ENOENT);
	assert_int_equal(bootcfg_choose(&c, "nope"), -ENOENT);
	bootcfg_free(&c);
}

static void test_default(void **state)
{
	struct bootcfg c;

	(void)state;
	grub_ok("set default=\"1>1\"\n"
		"menuentry a { linux /a }\n"
		"submenu s {\n menuentry b { linux /b }\n menuentry c {\n"
		"  linux /c x=1\n }\n}\n", &c);
	assert_int_equal(bootcfg_choose(&c, NULL), 2);
	bootcfg_free(&c);
	/* by title, and a default naming nothing falls back to the first */
	grub_ok("set default='two'\nmenuentry one {\nlinux /1\n}\n"
		"menuentry two {\nlinux /2\n}\n", &c);
	assert_int_equal(bootcfg_choose(&c, NULL), 1);
	bootcfg_free(&c);
	grub_ok("set default=9\nmenuentry one {\nlinux /1\n}\n", &c);
	assert_int_equal(bootcfg_choose(&c, NULL), 0);
	bootcfg_free(&c);
	/* GRUB_DEFAULT=saved: "${saved_entry}" expands to nothing */
	grub_ok("set default=\"${saved_entry}\"\nmenuentry x {\nlinux /x\n}\n",
		&c);
	assert_null(c.default_entry);
	assert_int_equal(bootcfg_choose(&c, NULL), 0);
	bootcfg_free(&c);
}

static void test_syntax(void **state)
{
	struct bootcfg c;

	(void)state;
	/* variables, device prefixes, quoting, continuation, ';' */
	grub_ok("set kv=6.1\nset root='hd0,msdos1'\n"
		"menuentry \"L $kv\" { linux ($root)/boot/vmlinuz-${kv} "
		"a=\"b c\" 'd$kv' e\\ f \\\n g; initrd /i1 (hd0)/i2\n}\n", &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.entries[0].title, "L 6.1");
	assert_string_equal(c.entries[0].kernel, "/boot/vmlinuz-6.1");
	assert_string_equal(c.entries[0].args, "a=b c d$kv e f g");
	assert_int_equal(c.entries[0].n_initrd, 2);
	assert_string_equal(c.entries[0].initrd[1], "/i2");
	bootcfg_free(&c);
	/* an entry without a kernel (or a relative one) is never chosen */
	grub_ok("menuentry a {\n chainloader +1\n}\n"
		"menuentry b {\n linux vmlinuz\n}\n", &c);
	assert_int_equal(bootcfg_choose(&c, NULL), -ENOENT);
	assert_int_equal(bootcfg_choose(&c, "0"), -ENOENT);
	bootcfg_free(&c);
}

static void test_grub_bad(void **state)
{
	(void)state;
	assert_non_null(strstr(grub_bad("menuentry 'x {\n"), "unterminated"));
	assert_non_null(strstr(grub_bad("menuentry \"x {\n"), "unterminated"));
	assert_non_null(strstr(grub_bad("menuentry x {\nlinux /a\n"),
			       "not closed"));
	assert_non_null(strstr(grub_bad("}\n"), "without a block"));
	assert_non_null(strstr(grub_bad("set default=0\n"), "no menuentry"));
	assert_non_null(strstr(grub_bad(""), "no menuentry"));
}

static void test_limits(void **state)
{
	static char big[BOOTCFG_MAX_INPUT + 2];
	struct bootcfg c;
	char *deep, *many;
	size_t n = 0;

	(void)state;
	memset(big, ' ', sizeof(big) - 1);
	assert_int_equal(bootcfg_parse_grub(big, sizeof(big) - 1, &c, err,
					    sizeof(err)), -EINVAL);
	bootcfg_free(&c);
	/* deep nesting is refused or skipped, never overflows */
	deep = malloc(64 * 12 + 64 * 3 + 1);
	for (int i = 0; i < 64; i++)
		n += (size_t)sprintf(deep + n, "submenu s {\n");
	for (int i = 0; i < 64; i++)
		n += (size_t)sprintf(deep + n, "}\n");
	assert_int_equal(bootcfg_parse_grub(deep, n, &c, err, sizeof(err)),
			 -EINVAL);
	bootcfg_free(&c);
	free(deep);
	/* more entries than allowed */
	many = malloc(40 * (BOOTCFG_MAX_ENTRIES + 2));
	n = 0;
	for (int i = 0; i < BOOTCFG_MAX_ENTRIES + 1; i++)
		n += (size_t)sprintf(many + n, "menuentry e {\nlinux /k\n}\n");
	assert_int_equal(bootcfg_parse_grub(many, n, &c, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "menu entries"));
	bootcfg_free(&c);
	free(many);
	/* NULs and binary junk: an error or a result, never a crash */
	assert_int_equal(bootcfg_parse_grub("menuentry \0 {\n}\n", 16, &c, err,
					    sizeof(err)), 0);
	assert_int_equal(bootcfg_choose(&c, NULL), -ENOENT);
	bootcfg_free(&c);
}

static void test_extlinux(void **state)
{
	static const char text[] =
		"# extlinux\nDEFAULT linux2\nTIMEOUT 50\nPROMPT 0\n"
		"LABEL linux\n  MENU LABEL Debian\n  KERNEL ../vmlinuz\n"
		"  APPEND root=/dev/xvda ro initrd=../initrd.img,/extra.img quiet\n"
		"label linux2\n  menu label Second\n  linux /boot/vmlinuz-2\n"
		"  initrd /boot/initrd-2\n  append console=hvc0\n"
		"LABEL other\n  MENU DEFAULT\n  KERNEL /k3\n";
	struct bootcfg c;
	int rc;

	(void)state;
	rc = bootcfg_parse_extlinux(text, strlen(text), "/boot/extlinux", &c,
				    err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.entries[0].title, "Debian");
	assert_string_equal(c.entries[0].kernel, "/boot/extlinux/../vmlinuz");
	assert_string_equal(c.entries[0].args, "root=/dev/xvda ro quiet");
	assert_int_equal(c.entries[0].n_initrd, 2);
	assert_string_equal(c.entries[0].initrd[0],
			    "/boot/extlinux/../initrd.img");
	assert_string_equal(c.entries[0].initrd[1], "/extra.img");
	assert_string_equal(c.entries[1].args, "console=hvc0");
	/* MENU DEFAULT comes later and wins over DEFAULT */
	assert_string_equal(c.default_entry, "other");
	assert_int_equal(bootcfg_choose(&c, NULL), 2);
	assert_int_equal(bootcfg_choose(&c, "linux2"), 1);
	assert_int_equal(bootcfg_choose(&c, "Second"), 1);
	bootcfg_free(&c);
	rc = bootcfg_parse_extlinux("TIMEOUT 1\n", 10, "/", &c, err,
				    sizeof(err));
	assert_int_equal(rc, -EINVAL);
	bootcfg_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_grub_bad),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_extlinux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
