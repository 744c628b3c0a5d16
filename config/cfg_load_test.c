/* config/cfg_load_test.c: options, validation and overrides (cfg_keys.c,
 * cfg_load.c), and the SXP/JSON dumps. */
#include "config/cfg.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define BASE "name = 'vm'\nkernel = '/k'\n"

/* Only "/k" and "/initrd" exist on this fake host. */
static int fake_path_check(void *opaque, const char *path)
{
	(void)opaque;
	return !strcmp(path, "/k") || !strcmp(path, "/initrd") ? 0 : -ENOENT;
}

static const struct cfg_host host = { .mem_mb = 4096,
				      .path_check = fake_path_check };

static char msgbuf[1024];

static int load(const char *text, const char *const *ov, size_t n_ov,
		struct dom_config **c)
{
	struct cfg_diag d;
	int rc;

	cfg_diag_init(&d);
	rc = cfg_load("t.cfg", text, strlen(text), ov, n_ov, &host, c, &d);
	msgbuf[0] = '\0';
	if (d.has_error)
		cfg_msg_format(&d.error, msgbuf, sizeof(msgbuf));
	for (size_t i = 0; i < d.n_warnings; i++) {
		size_t n = strlen(msgbuf);

		snprintf(msgbuf + n, sizeof(msgbuf) - n, "%swarning: ",
			 n ? "\n" : "");
		n = strlen(msgbuf);
		cfg_msg_format(&d.warnings[i], msgbuf + n, sizeof(msgbuf) - n);
	}
	cfg_diag_free(&d);
	return rc;
}

static struct dom_config *load_ok(const char *text)
{
	struct dom_config *c = NULL;

	if (load(text, NULL, 0, &c))
		fail_msg("load failed: %s", msgbuf);
	return c;
}

static const char *load_bad(const char *text)
{
	struct dom_config *c = (struct dom_config *)1;

	assert_int_equal(load(text, NULL, 0, &c), -EINVAL);
	assert_null(c);
	return msgbuf;
}

static void test_defaults(void **state)
{
	struct dom_config *c = load_ok(BASE);

	(void)state;
	assert_string_equal(c->name, "vm");
	assert_int_equal(c->memory_mb, 128);
	assert_int_equal(c->maxmem_mb, 128);
	assert_int_equal(c->vcpus, 1);
	assert_int_equal(c->maxvcpus, 1);
	assert_int_equal(c->type, CFG_TYPE_PVH);
	assert_int_equal(c->on_poweroff, CFG_ACTION_DESTROY);
	assert_int_equal(c->on_reboot, CFG_ACTION_RESTART);
	assert_int_equal(c->on_crash, CFG_ACTION_RESTART);
	assert_false(c->has_cpus);
	assert_string_equal(msgbuf, "");
	cfg_dom_free(c);
}

static void test_full(void **state)
{
	struct dom_config *c = load_ok(
		BASE "ramdisk = '/initrd'\nmemory = '512'\nmaxmem = 1024\n"
		"vcpus = 2\nmaxvcpus = 4\ncpus = '0-3,^2'\n"
		"on_crash = 'coredump-restart'\non_reboot='rename-restart'\n"
		"uuid = 'AABBCCDD-0011-2233-4455-66778899aabb'\n"
		"type = 'pvh'\nroot = '/dev/xvda1 ro'\nextra = 'quiet'\n");
	char *cmd = NULL, cpus[64];

	(void)state;
	assert_int_equal(c->memory_mb, 512);
	assert_int_equal(c->maxmem_mb, 1024);
	assert_int_equal(c->maxvcpus, 4);
	assert_int_equal(c->on_crash, CFG_ACTION_COREDUMP_RESTART);
	assert_int_equal(c->on_reboot, CFG_ACTION_RENAME_RESTART);
	assert_int_equal(c->uuid[0], 0xaa);
	assert_int_equal(c->uuid[15], 0xbb);
	cfg_cpus_format(c->cpumap, cpus, sizeof(cpus));
	assert_string_equal(cpus, "0-1,3");
	assert_int_equal(cfg_cmdline(c, &cmd), 0);
	assert_string_equal(cmd, "root=/dev/xvda1 ro quiet");
	free(cmd);
	cfg_dom_free(c);
}

static void test_value_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ BASE "memroy = 256\n", "t.cfg:3:1: unknown option 'memroy' "
					 "(did you mean 'memory'?)" },
		{ BASE "frobnicate = 1\n", "t.cfg:3:1: unknown option "
					   "'frobnicate'" },
		{ BASE "memory = 0\n", "t.cfg:3:10: 'memory' must be between 1 "
				       "and 4294967296, not 0" },
		{ BASE "memory = -5\n", "t.cfg:3:10: 'memory' must be between "
					"1 and 4294967296, not -5" },
		{ BASE "memory = 'lots'\n", "t.cfg:3:10: 'memory' must be a "
					    "number, not a string ('lots')" },
		{ BASE "memory = 8192\n", "t.cfg:3: memory 8192 MiB is more than "
					  "the host has (4096 MiB)" },
		{ BASE "vcpus = 129\n", "t.cfg:3:9: 'vcpus' must be between 1 "
					"and 128, not 129" },
		{ BASE "vcpus = 4\nmaxvcpus = 2\n", "t.cfg:3: vcpus (4) is "
						    "more than maxvcpus (2)" },
		{ BASE "memory = 512\nmaxmem = 256\n", "t.cfg:4: maxmem (256 "
		  "MiB) is less than memory (512 MiB)" },
		{ "name = 'vm'\nkernel = 5\n", "t.cfg:2:10: 'kernel' must be a "
						"string, not a number" },
		{ "kernel = '/k'\n", "t.cfg: no 'name' given" },
		{ "name = 'x'\n", "t.cfg: no 'kernel' given (a PVH guest needs "
				  "kernel= or bootloader=)" },
		{ "name = 'x'\nkernel = '/nope'\n", "t.cfg:2: cannot use "
		  "kernel file '/nope': No such file or directory" },
		{ BASE "ramdisk = '/nope'\n", "t.cfg:3: cannot use ramdisk "
		  "file '/nope': No such file or directory" },
		{ "name = '123'\nkernel='/k'\n", "t.cfg:1:8: name '123' is a "
		  "number; domain names must not be" },
		{ "name = 'a b'\nkernel='/k'\n", "t.cfg:1:8: name 'a b' may "
		  "hold only letters, digits and _ . - + : @" },
		{ "name = 'Domain-0'\nkernel='/k'\n", "t.cfg:1:8: name "
		  "'Domain-0' is the host's" },
		{ BASE "on_crash = 'explode'\n", "t.cfg:3:12: 'on_crash' must "
		  "be destroy, restart, preserve, rename-restart, "
		  "coredump-destroy or coredump-restart, not 'explode'" },
		{ BASE "uuid = '1234'\n", "t.cfg:3:8: invalid uuid '1234' "
		  "(expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)" },
		{ BASE "cpus = '0-3,x'\n", "t.cfg:3:8: invalid CPU range 'x' "
		  "(expected N, N-M or ^N)" },
		{ BASE "cpus = '^0-1023'\n", "t.cfg:3:8: CPU list '^0-1023' "
		  "leaves no CPU" },
		{ BASE "cpus = '5000'\n", "t.cfg:3:8: CPU number in '5000' is "
		  "too large (at most 1023)" },
		{ BASE "memory += 5\n", "t.cfg:3:1: '+=' works only on list "
		  "options such as disk and vif, not on 'memory'" },
		{ BASE "on_xend_stop = 'start'\n", "t.cfg:3:16: 'on_xend_stop' "
		  "must be ignore, shutdown or suspend, not 'start'" },
		{ BASE "type = 'xen'\n", "t.cfg:3:8: unknown type 'xen' "
		  "(expected pvh, hvm or pv)" },
		{ BASE "disk = [ 'phy:/dev/a,xvda,w',\n"
		       "         'phy:/dev/b,xvda,r' ]\n",
		  "t.cfg:4: virtual device 'xvda' is used twice (also on "
		  "line 3)" },
		{ BASE "disk = [ 'phy:/dev/a,xvda,q' ]\n", "t.cfg:3:10: "
		  "invalid access mode 'q' (expected r, w or w!)" },
		{ BASE "disk = 7\n", "t.cfg:3:8: 'disk' must be a list of "
				     "strings" },
		{ BASE "disk = [ 7 ]\n", "t.cfg:3:10: each 'disk' entry must "
					 "be a string, not a number" },
		{ BASE "vif = [ 'mac=00:16:3e:00:00:01', 'bridge=br0',\n"
		       "        'mac=00:16:3E:00:00:01' ]\n",
		  "t.cfg:4: MAC address 00:16:3e:00:00:01 is used twice (also "
		  "on line 3)" },
		{ BASE "vif = [ 'vifname=a', 'vifname=a' ]\n", "t.cfg:3: "
		  "vifname 'a' is used twice (also on line 3)" },
		{ BASE "vif = [ 'bridge=xenbr0,mca=00:16:3e:00:00:01' ]\n",
		  "t.cfg:3:9: unknown vif parameter 'mca' (did you mean "
		  "'mac'?)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(load_bad(cases[i].text), cases[i].msg);
}

static void test_warnings(void **state)
{
	struct dom_config *c = load_ok(
		BASE "vnc = 1\nsdl = 0\nbuilder = 'hvm'\n"
		"cmdline = 'x'\nextra = 'y'\n");

	(void)state;
	assert_string_equal(msgbuf,
			    "warning: t.cfg:3:1: option 'vnc' is not supported "
			    "yet; ignored\n"
			    "warning: t.cfg:4:1: option 'sdl' is not supported "
			    "yet; ignored\n"
			    "warning: t.cfg:5:11: guest type 'hvm' is not "
			    "supported yet; kxen boots PVH guests\n"
			    "warning: t.cfg:6: cmdline= is given; root= and "
			    "extra= are ignored");
	assert_int_equal(c->type, CFG_TYPE_HVM);
	cfg_dom_free(c);
}

static void test_bootloader(void **state)
{
	struct dom_config *c = load_ok(
		"name='x'\nbootloader='/usr/bin/pygrub'\n"
		"bootloader_args=['-q', '--entry=1']\n");

	(void)state;
	assert_string_equal(c->bootloader_args, "-q --entry=1");
	assert_null(c->kernel);
	cfg_dom_free(c);
}

static void test_overrides(void **state)
{
	static const char *const ov[] = {
		"memory=512", "name=other", "vif=mac=00:16:3e:00:00:02",
		"extra=console=hvc0 quiet", "disk=['phy:/dev/b,xvdb,r']",
	};
	struct dom_config *c = NULL;

	(void)state;
	assert_int_equal(load(BASE "vif = ['bridge=xenbr0']\n"
			      "disk = ['phy:/dev/a,xvda,w']\n",
			      ov, 5, &c), 0);
	assert_int_equal(c->memory_mb, 512);
	assert_string_equal(c->name, "other");
	assert_int_equal(c->n_vifs, 2);
	assert_string_equal(c->vifs[1].mac, "00:16:3e:00:00:02");
	assert_string_equal(c->extra, "console=hvc0 quiet");
	assert_int_equal(c->n_disks, 2);
	assert_string_equal(c->disks[1].vdev, "xvdb");
	cfg_dom_free(c);
}

static void test_override_errors(void **state)
{
	static const char *const bad_name[] = { "memroy=256" };
	static const char *const bad_value[] = { "vcpus=500" };
	static const char *const no_eq[] = { "memory" };
	static const char *const dup[] = { "disk=phy:/dev/b,xvda,r" };
	struct dom_config *c = NULL;

	(void)state;
	assert_int_equal(load(BASE, bad_name, 1, &c), -EINVAL);
	assert_string_equal(msgbuf, "memroy=256: unknown option 'memroy' "
				    "(did you mean 'memory'?)");
	assert_int_equal(load(BASE, bad_value, 1, &c), -EINVAL);
	assert_string_equal(msgbuf, "vcpus=500: 'vcpus' must be between 1 "
				    "and 128, not 500");
	assert_int_equal(load(BASE, no_eq, 1, &c), -EINVAL);
	assert_string_equal(msgbuf, "memory: expected name=value");
	assert_int_equal(load(BASE "disk=['phy:/dev/a,xvda,w']\n", dup, 1,
			      &c), -EINVAL);
	assert_string_equal(msgbuf, "t.cfg: virtual device 'xvda' is used "
				    "twice (also on line 3)");
	assert_null(c);
}

static char *dump(const struct dom_config *c, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(json ? cfg_json_dump(c, f) : cfg_sxp_dump(c, f), 0);
	fclose(f);
	return buf;
}

static void test_sxp(void **state)
{
	struct dom_config *c = load_ok(
		BASE "memory = 64\nroot = '/dev/xvda1 ro'\nextra = \"it's\"\n"
		"disk = ['file:/x.img,xvda,w!', ',hdc:cdrom,r']\n"
		"vif = ['mac=00:16:3e:0a:0b:0c, bridge=xenbr0']\n");
	char *s = dump(c, false);

	(void)state;
	assert_string_equal(s,
		"(vm\n"
		"    (name vm)\n"
		"    (memory 64)\n"
		"    (maxmem 64)\n"
		"    (vcpus 1)\n"
		"    (maxvcpus 1)\n"
		"    (on_poweroff destroy)\n"
		"    (on_reboot restart)\n"
		"    (on_crash restart)\n"
		"    (image\n"
		"        (linux\n"
		"            (type pvh)\n"
		"            (kernel /k)\n"
		"            (root '/dev/xvda1 ro')\n"
		"            (args 'it\\'s')))\n"
		"    (device (vbd (uname file:/x.img) (dev xvda) (mode w!)))\n"
		"    (device (vbd (uname '') (dev hdc:cdrom) (mode r)))\n"
		"    (device (vif (mac 00:16:3e:0a:0b:0c) (bridge xenbr0))))\n");
	free(s);
	s = dump(c, true);
	assert_non_null(strstr(s, "\"cmdline\": \"root=/dev/xvda1 ro it's\""));
	assert_non_null(strstr(s, "\"force_rw\": 1"));
	assert_non_null(strstr(s, "\"is_cdrom\": 1"));
	free(s);
	cfg_dom_free(c);
}

static void test_json_escape(void **state)
{
	struct dom_config *c = load_ok(BASE "extra = 'a\"b\\\\c\\x01'\n");
	char *s = dump(c, true);

	(void)state;
	assert_non_null(strstr(s, "\"cmdline\": \"a\\\"b\\\\c\\u0001\""));
	free(s);
	cfg_dom_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_bootloader),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_override_errors),
		cmocka_unit_test(test_sxp),
		cmocka_unit_test(test_json_escape),
	};
	return cmocka_run_group_tests_name("cfg_load", tests, NULL, NULL);
}
