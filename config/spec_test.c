/* config/spec_test.c: disk= and vif= entries (disk_spec.c, vif_spec.c). */
#include "config/cfg.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void disk_ok(const char *spec, const char *uname, const char *vdev,
		    enum cfg_disk_mode mode, bool cdrom)
{
	struct cfg_disk d;
	char err[256] = "", u[512];

	if (cfg_disk_parse(spec, &d, err, sizeof(err)))
		fail_msg("'%s': %s", spec, err);
	assert_int_equal(cfg_disk_uname(&d, u, sizeof(u)), 0);
	assert_string_equal(u, uname);
	assert_string_equal(d.vdev, vdev);
	assert_int_equal(d.mode, mode);
	assert_int_equal(d.cdrom, cdrom);
	cfg_disk_clear(&d);
}

static void test_disk_good(void **state)
{
	(void)state;
	disk_ok("phy:/dev/vg/lv,xvdb,r", "phy:/dev/vg/lv", "xvdb", CFG_MODE_R,
		false);
	disk_ok("phy:hda1,hda1,w", "phy:hda1", "hda1", CFG_MODE_W, false);
	disk_ok("file:/srv/a.img,xvda,w", "file:/srv/a.img", "xvda",
		CFG_MODE_W, false);
	disk_ok("file:/srv/a.img,xvda1,w!", "file:/srv/a.img", "xvda1",
		CFG_MODE_W_FORCE, false);
	disk_ok("tap:aio:/srv/a.img,xvda,w", "tap:aio:/srv/a.img", "xvda",
		CFG_MODE_W, false);
	disk_ok("tap:qcow2:/srv/a.qcow2,sda,w", "tap:qcow2:/srv/a.qcow2",
		"sda", CFG_MODE_W, false);
	disk_ok("qcow2:/srv/a.qcow2,sdb,r", "tap:qcow2:/srv/a.qcow2", "sdb",
		CFG_MODE_R, false);
	disk_ok("file:/iso/d.iso,hdc:cdrom,r", "file:/iso/d.iso", "hdc",
		CFG_MODE_R, true);
	disk_ok(",hdc:cdrom,r", "", "hdc", CFG_MODE_R, true);
	disk_ok("file:/x,ioemu:hda,w", "file:/x", "hda", CFG_MODE_W, false);
	disk_ok("format=raw, vdev=xvda, access=rw, target=/srv/a,b.img",
		"file:/srv/a,b.img", "xvda", CFG_MODE_W, false);
	disk_ok("vdev=xvdc,access=ro,target=/dev/vg/x", "phy:/dev/vg/x",
		"xvdc", CFG_MODE_R, false);
	disk_ok("format=qcow2,vdev=xvdd,target=/a.qcow2",
		"tap:qcow2:/a.qcow2", "xvdd", CFG_MODE_W, false);
	disk_ok("vdev=hdc,devtype=cdrom,access=r,target=/a.iso",
		"file:/a.iso", "hdc", CFG_MODE_R, true);
	disk_ok("file:/srv/a=b.img,xvda,w", "file:/srv/a=b.img", "xvda",
		CFG_MODE_W, false);
	disk_ok("/dev/vg/guest,raw,xvda,rw", "phy:/dev/vg/guest", "xvda",
		CFG_MODE_W, false);
	disk_ok("vdev=xvdaa,backendtype=phy,discard,target=/dev/x",
		"phy:/dev/x", "xvdaa", CFG_MODE_W, false);
}

static void disk_bad(const char *spec, const char *msg)
{
	struct cfg_disk d;
	char err[256] = "";

	assert_int_equal(cfg_disk_parse(spec, &d, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_disk_bad(void **state)
{
	(void)state;
	disk_bad("phy:/dev/a,xvda", "malformed disk spec: expected "
		 "'prefix:path,vdev,mode' or key=value pairs, got 2 fields");
	disk_bad("phy:/dev/a,xvda,rw,x,y", "malformed disk spec: expected "
		 "'prefix:path,vdev,mode' or key=value pairs, got 5 fields");
	disk_bad("nbd:/dev/a,xvda,w", "unknown disk prefix 'nbd:' in "
		 "'nbd:/dev/a' (expected file:, phy: or tap:<driver>:)");
	disk_bad("tap:/x,xvda,w", "'tap:/x' needs a driver, as in "
		 "tap:aio:/path or tap:qcow2:/path");
	disk_bad("tap:vmdk:/x,xvda,w", "unknown disk format 'vmdk' (expected "
		 "raw, qcow, qcow2, vhd or qed)");
	disk_bad("phy:/dev/a,vda,w", "invalid virtual device 'vda' (expected "
		 "xvd*, hd* or sd*, e.g. xvda, hdc, sdb1)");
	disk_bad("phy:/dev/a,hdz,w", "invalid virtual device 'hdz' (expected "
		 "xvd*, hd* or sd*, e.g. xvda, hdc, sdb1)");
	disk_bad("phy:/dev/a,xvda0,w", "invalid virtual device 'xvda0' "
		 "(expected xvd*, hd* or sd*, e.g. xvda, hdc, sdb1)");
	disk_bad("phy:/dev/a,xvda:floppy,w", "unknown device type 'floppy' "
		 "in 'xvda:floppy' (expected :cdrom or :disk)");
	disk_bad("phy:/dev/a,xvda,x", "invalid access mode 'x' (expected r, "
		 "w or w!)");
	disk_bad("file:,xvda,w", "disk xvda has no path (only a cdrom may be "
		 "empty)");
	disk_bad("file:/a.iso,hdc:cdrom,w", "cdrom hdc must be read-only "
		 "(mode r)");
	disk_bad("relative,xvda,w", "disk 'relative' needs a prefix such as "
		 "file:, phy: or tap:aio:");
	disk_bad("format=raw,target=/x", "disk spec has no vdev");
	disk_bad("vdev=xvda,acess=rw,target=/x", "unknown disk parameter "
		 "'acess' (did you mean 'access'?)");
	disk_bad("vdev=xvda,bogus,target=/x", "expected key=value in disk "
		 "spec, found 'bogus'");
	disk_bad("vdev=xvda,devtype=floppy,target=/x", "devtype must be disk "
		 "or cdrom, not 'floppy'");
}

static void vif_bad(const char *spec, const char *msg)
{
	struct cfg_vif v;
	char err[256] = "";

	assert_int_equal(cfg_vif_parse(spec, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_vif(void **state)
{
	struct cfg_vif v;
	char err[256] = "";

	(void)state;
	assert_int_equal(cfg_vif_parse("mac=00:16:3E:AA:bb:0c, bridge=xenbr0,"
				       " ip=10.0.0.5 10.0.0.6, "
				       "script=vif-bridge, vifname=web0, "
				       "rate=10Mb/s@20ms, model=e1000, "
				       "type=ioemu", &v, err, sizeof(err)),
			 0);
	assert_string_equal(v.mac, "00:16:3e:aa:bb:0c");
	assert_string_equal(v.bridge, "xenbr0");
	assert_string_equal(v.ip, "10.0.0.5 10.0.0.6");
	assert_string_equal(v.rate, "10Mb/s@20ms");
	assert_string_equal(v.vifname, "web0");
	cfg_vif_clear(&v);
	assert_int_equal(cfg_vif_parse("", &v, err, sizeof(err)), 0);
	assert_null(v.mac);
	cfg_vif_clear(&v);

	vif_bad("mac=00:16:3e:00:00", "invalid MAC address '00:16:3e:00:00' "
		"(expected six hex octets such as 00:16:3e:12:34:56)");
	vif_bad("mac=00:16:3e:00:00:0g", "invalid MAC address "
		"'00:16:3e:00:00:0g' (expected six hex octets such as "
		"00:16:3e:12:34:56)");
	vif_bad("mac=01:16:3e:00:00:01", "MAC address 01:16:3e:00:00:01 is a "
		"multicast address");
	vif_bad("ip=10.0.0.256", "invalid IP address '10.0.0.256' in vif");
	vif_bad("ip=10.0.0", "invalid IP address '10.0.0' in vif");
	vif_bad("ip=10.0.0.1.", "invalid IP address '10.0.0.1.' in vif");
	vif_bad("rate=fast", "invalid rate 'fast' (expected e.g. 10Mb/s or "
		"10MB/s@20ms)");
	vif_bad("rate=10Mb", "invalid rate '10Mb' (expected e.g. 10Mb/s or "
		"10MB/s@20ms)");
	vif_bad("rate=10Mb/s@5h", "invalid rate '10Mb/s@5h' (expected e.g. "
		"10Mb/s or 10MB/s@20ms)");
	vif_bad("rate=5000000000B/s", "rate '5000000000B/s' out of range (1 "
		"to 4294967295 per unit, interval at most 4294967295us)");
	vif_bad("rate=10Mb/s@0ms", "rate '10Mb/s@0ms' out of range (1 to "
		"4294967295 per unit, interval at most 4294967295us)");
	vif_bad("rate=1Kb/s@5000000s", "rate '1Kb/s@5000000s' out of range (1 "
		"to 4294967295 per unit, interval at most 4294967295us)");
	vif_bad("rate=1b/s", "rate '1b/s' is less than a byte per interval");
	vif_bad("rate=10Mb/s@", "invalid rate '10Mb/s@' (expected e.g. "
		"10Mb/s or 10MB/s@20ms)");
	vif_bad("brige=xenbr0", "unknown vif parameter 'brige' (did you mean "
		"'bridge'?)");
	vif_bad("xenbr0", "expected key=value in vif spec, found 'xenbr0'");
	vif_bad("vifname=abcdefghijklmnop", "vifname 'abcdefghijklmnop' must "
		"be 1 to 15 characters");
}

/* As libxlu's xlu_vif_parse_rate computes the values libxl stores. */
static void test_vif_rate(void **state)
{
	static const struct {
		const char *s;
		uint64_t bytes;
		uint32_t usec;
	} ok[] = {
		{ "10Mb/s", 62500, 50000 },	  /* 1.25 MB/s for 50 ms */
		{ "1MB/s@20ms", 20000, 20000 },
		{ "100Kb/s@1s", 12500, 1000000 },
		{ "3GB/s@100us", 300000, 100 },
		{ "4294967295B/s@4294967295us", 18446744065119ull,
		  4294967295u },
		{ "80b/s@1s", 10, 1000000 },
	};
	char err[128];
	uint64_t b;
	uint32_t u;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(cfg_vif_rate(ok[i].s, &b, &u, err, sizeof(err)),
				 0);
		assert_int_equal(b, ok[i].bytes);
		assert_int_equal(u, ok[i].usec);
	}
	assert_int_equal(cfg_vif_rate("1Tb/s", &b, &u, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(cfg_vif_rate("0Mb/s", &b, &u, err, sizeof(err)),
			 -EOVERFLOW);
	assert_int_equal(cfg_vif_rate("4294967295Gb/s@4294967295us", &b, &u,
				      err, sizeof(err)),
			 -EOVERFLOW);
}

static void test_cpus(void **state)
{
	uint64_t map[CFG_CPUMAP_WORDS];
	char err[128], out[64];

	(void)state;
	assert_int_equal(cfg_cpus_parse("0-3,^2", map, err, sizeof(err)), 0);
	cfg_cpus_format(map, out, sizeof(out));
	assert_string_equal(out, "0-1,3");
	assert_int_equal(cfg_cpus_parse("^1", map, err, sizeof(err)), 0);
	cfg_cpus_format(map, out, sizeof(out));
	assert_string_equal(out, "0,2-1023");
	assert_int_equal(cfg_cpus_parse("5, 7-8", map, err, sizeof(err)), 0);
	cfg_cpus_format(map, out, sizeof(out));
	assert_string_equal(out, "5,7-8");
	assert_int_equal(cfg_cpus_parse("3-1", map, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "invalid CPU range '3-1' (expected N, N-M "
				 "or ^N)");
	assert_int_equal(cfg_cpus_parse("", map, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "empty CPU list");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disk_good),
		cmocka_unit_test(test_disk_bad),
		cmocka_unit_test(test_vif),
		cmocka_unit_test(test_vif_rate),
		cmocka_unit_test(test_cpus),
	};
	return cmocka_run_group_tests_name("cfg_spec", tests, NULL, NULL);
}
