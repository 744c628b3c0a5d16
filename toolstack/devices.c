/* toolstack/devices.c: the XenStore side of virtual disks and NICs, as
 * libxl writes them (libxl_device.c, libxl_disk.c, libxl_nic.c; reference
 * §2): the frontend directory under the guest (FE = nD,r0: the guest owns
 * it, dom0 reads) and the backend directory under dom0 (RO = n0,rD), cross
 * linked, both at state 1, in one transaction. The backends in the
 * domain's monitor pick the device up from there (backends/xenbus_be.c).
 *
 * Detach is Xen's too: online=0 and state=5 on the backend; the backend
 * closes, the frontend follows to 6, and the nodes go once both are
 * closed (devices_detach_poll). */
#include "toolstack/devices.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/cfg.h"
#include "xenstore/xs.h"

#define P 256

struct dw {
	struct xs_handle *xs;
	uint32_t tx;
	unsigned domid;
	int rc;
};

static void dw_perms(struct dw *w, const char *path, bool fe)
{
	struct xs_perm p[2];

	if (w->rc)
		return;
	if (fe) {
		p[0] = (struct xs_perm){ (uint16_t)w->domid, 'n' };
		p[1] = (struct xs_perm){ 0, 'r' };
	} else {
		p[0] = (struct xs_perm){ 0, 'n' };
		p[1] = (struct xs_perm){ (uint16_t)w->domid, 'r' };
	}
	w->rc = xs_set_perms(w->xs, w->tx, path, p, 2);
}

static void dw_dir(struct dw *w, const char *path, bool fe)
{
	if (w->rc)
		return;
	w->rc = xs_mkdir(w->xs, w->tx, path);
	dw_perms(w, path, fe);
}

/* Keys inherit their directory's ACL. */
static void dw_put(struct dw *w, const char *dir, const char *key,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void dw_put(struct dw *w, const char *dir, const char *key,
		   const char *fmt, ...)
{
	char path[P + 64], val[P * 4];
	va_list ap;

	if (w->rc)
		return;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, key);
	w->rc = xs_write(w->xs, w->tx, path, val, strlen(val));
}

static const char *str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : dflt;
}

/* The two directories of device kind/devid. */
static void device_dirs(unsigned domid, const char *kind, unsigned devid,
			char be[P], char fe[P])
{
	snprintf(be, P, "/local/domain/0/backend/%s/%u/%u", kind, domid,
		 devid);
	snprintf(fe, P, "/local/domain/%u/device/%s/%u", domid, kind, devid);
}

/* Create both directories of a device, cross-linked, at state 1 (the
 * keys every device has); the caller adds its kind's keys. */
static void dw_device(struct dw *w, const char *kind, unsigned devid,
		      char be[P], char fe[P])
{
	device_dirs(w->domid, kind, devid, be, fe);
	dw_dir(w, fe, true);
	dw_put(w, fe, "backend", "%s", be);
	dw_put(w, fe, "backend-id", "0");
	dw_put(w, fe, "state", "1");
	dw_put(w, fe, "trusted", "1");
	dw_dir(w, be, false);
	dw_put(w, be, "frontend", "%s", fe);
	dw_put(w, be, "frontend-id", "%u", w->domid);
	dw_put(w, be, "online", "1");
	dw_put(w, be, "state", "1");
}

static void write_disk(struct dw *w, json_t *disk, int vdev)
{
	char fe[P], be[P];
	bool cdrom = json_integer_value(json_object_get(disk, "is_cdrom"));
	bool rw = json_integer_value(json_object_get(disk, "readwrite"));
	bool force = json_integer_value(json_object_get(disk, "force_rw"));
	const char *type = cdrom ? "cdrom" : "disk";

	dw_device(w, "vbd", (unsigned)vdev, be, fe);
	dw_put(w, fe, "virtual-device", "%d", vdev);
	dw_put(w, fe, "device-type", "%s", type);
	dw_put(w, be, "params", "%s", str(disk, "pdev_path", ""));
	dw_put(w, be, "type", "%s", str(disk, "backend", "file"));
	dw_put(w, be, "format", "%s", str(disk, "format", "raw"));
	dw_put(w, be, "removable", "%d", cdrom);
	dw_put(w, be, "bootable", "1");
	dw_put(w, be, "dev", "%s", str(disk, "vdev", ""));
	dw_put(w, be, "mode", "%s", !rw ? "r" : force ? "w!" : "w");
	dw_put(w, be, "device-type", "%s", type);
	dw_put(w, be, "discard-enable", "1");
	/* Images QEMU reads become /dev/nbdN through a block script; a
	 * script= of the config's wins (xl's disk script=). */
	if (str(disk, "script", NULL))
		dw_put(w, be, "script", "%s%s",
		       str(disk, "script", "")[0] == '/' ? "" :
		       DEVICES_SCRIPT_DIR "/", str(disk, "script", ""));
	else if (strcmp(str(disk, "format", "raw"), "raw"))
		dw_put(w, be, "script", DEVICES_SCRIPT_DIR "/block-qemu");
	dw_put(w, be, "specification", "xen");
}

/* 00:16:3e (Xen's OUI) and three bytes from the domain's uuid and the
 * device id: the same every time this domain starts, as the guest's
 * network configuration expects. */
void devices_default_mac(const char *uuid, unsigned devid, char out[18])
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *p = uuid; p && *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ devid) * 16777619u;
	/* Xen keeps the first random byte below 0x80. */
	snprintf(out, 18, "00:16:3e:%02x:%02x:%02x", (h >> 16) & 0x7f,
		 (h >> 8) & 0xff, h & 0xff);
}

static void write_nic(struct dw *w, json_t *nic, unsigned devid,
		      const char *uuid)
{
	char fe[P], be[P], mac[18], script[P];
	const char *s = str(nic, "script", "vif-bridge");

	if (str(nic, "mac", NULL))
		snprintf(mac, sizeof(mac), "%s", str(nic, "mac", NULL));
	else
		devices_default_mac(uuid, devid, mac);
	/* A bare name is one of /etc/xen/scripts, as in xl. */
	snprintf(script, sizeof(script), "%s%s",
		 s[0] == '/' ? "" : DEVICES_SCRIPT_DIR "/", s);
	dw_device(w, "vif", devid, be, fe);
	dw_put(w, fe, "handle", "%u", devid);
	dw_put(w, fe, "mac", "%s", mac);
	dw_put(w, be, "script", "%s", script);
	dw_put(w, be, "mac", "%s", mac);
	dw_put(w, be, "bridge", "%s", str(nic, "bridge", "xenbr0"));
	dw_put(w, be, "handle", "%u", devid);
	dw_put(w, be, "type", "vif");
	dw_put(w, be, "hotplug-status", "%s", "");
	if (str(nic, "ip", NULL))
		dw_put(w, be, "ip", "%s", str(nic, "ip", NULL));
	if (str(nic, "rate", NULL)) {
		uint64_t bytes;
		uint32_t usec;
		char err[160];

		/* As libxl: bytes per interval, then the interval in us
		 * (Linux netback's xen_net_read_rate reads it so). */
		if (cfg_vif_rate(str(nic, "rate", NULL), &bytes, &usec, err,
				 sizeof(err)))
			w->rc = w->rc ?: -EINVAL;
		else
			dw_put(w, be, "rate", "%llu,%u",
			       (unsigned long long)bytes, usec);
	}
	if (str(nic, "ifname", NULL))
		dw_put(w, be, "vifname", "%s", str(nic, "ifname", NULL));
}

int devices_vdev(json_t *disk, char *err, size_t errlen)
{
	const char *v = str(disk, "vdev", NULL);
	int n = cfg_vdev_number(v);

	if (n < 0)
		snprintf(err, errlen, "disk vdev '%s' is not a valid device",
			 v ? v : "");
	return n;
}

/* One transaction for the lot, retried on conflict. */
static int devices_txn(struct xs_handle *xs, unsigned domid,
		       void (*fn)(struct dw *, void *), void *arg)
{
	int rc;

	for (int tries = 0; tries < 20; tries++) {
		struct dw w = { .xs = xs, .domid = domid };

		rc = xs_transaction_start(xs, &w.tx);
		if (rc)
			return rc;
		fn(&w, arg);
		rc = xs_transaction_end(xs, w.tx, w.rc != 0);
		if (w.rc)
			return w.rc;
		if (rc != -EAGAIN)
			return rc;
	}
	return -EAGAIN;
}

struct add_args {
	json_t *config;
	const char *uuid;
	json_t *one_disk, *one_nic; /* hotplug: just this one */
	unsigned nic_devid;
};

static void add_fn(struct dw *w, void *arg)
{
	struct add_args *a = arg;
	char err[8];
	size_t i;
	json_t *o;

	if (a->one_disk) {
		write_disk(w, a->one_disk, devices_vdev(a->one_disk, err, 0));
		return;
	}
	if (a->one_nic) {
		write_nic(w, a->one_nic, a->nic_devid, a->uuid);
		return;
	}
	json_array_foreach(json_object_get(a->config, "disks"), i, o)
		write_disk(w, o, devices_vdev(o, err, 0));
	/* A detached NIC leaves a null: the indexes are the handles. */
	json_array_foreach(json_object_get(a->config, "nics"), i, o)
		if (json_is_object(o))
			write_nic(w, o, (unsigned)i, a->uuid);
}

static bool writable(json_t *disk)
{
	return json_integer_value(json_object_get(disk, "readwrite"));
}

static bool shared(json_t *disk)
{
	return json_integer_value(json_object_get(disk, "force_rw"));
}

int devices_check(json_t *config, char *err, size_t errlen)
{
	json_t *disks = json_object_get(config, "disks"), *o, *p;
	size_t i, j;

	json_array_foreach(disks, i, o) {
		if (devices_vdev(o, err, errlen) < 0)
			return -EINVAL;
		json_array_foreach(disks, j, p) {
			if (j >= i)
				break;
			if (devices_vdev(p, err, 0) == devices_vdev(o, err, 0)) {
				snprintf(err, errlen, "disk vdev '%s' is used "
					 "twice", str(o, "vdev", ""));
				return -EINVAL;
			}
			if (str(o, "pdev_path", NULL) && str(p, "pdev_path", NULL) &&
			    !strcmp(str(o, "pdev_path", ""),
				    str(p, "pdev_path", "")) &&
			    (writable(o) || writable(p)) &&
			    !(shared(o) && shared(p))) {
				snprintf(err, errlen, "'%s' is given twice (%s "
					 "and %s); use mode w! to share it",
					 str(o, "pdev_path", ""),
					 str(p, "vdev", ""), str(o, "vdev", ""));
				return -EINVAL;
			}
		}
		if (!str(o, "pdev_path", NULL) &&
		    !json_integer_value(json_object_get(o, "is_cdrom"))) {
			snprintf(err, errlen, "disk '%s' has no target",
				 str(o, "vdev", ""));
			return -EINVAL;
		}
		if (str(o, "pdev_path", NULL) &&
		    access(str(o, "pdev_path", ""),
			   json_integer_value(json_object_get(o, "readwrite"))
				   ? R_OK | W_OK : R_OK) < 0) {
			snprintf(err, errlen, "disk '%s': cannot open '%s': %s",
				 str(o, "vdev", ""), str(o, "pdev_path", ""),
				 strerror(errno));
			return -errno;
		}
		if (strcmp(str(o, "format", "raw"), "raw") &&
		    strcmp(str(o, "backend", "file"), "tap")) {
			snprintf(err, errlen, "disk '%s': format '%s' is not "
				 "served (raw, and tap:qcow2/qcow/vhd/qed are)",
				 str(o, "vdev", ""), str(o, "format", ""));
			return -ENOSYS;
		}
	}
	return 0;
}

int devices_add_all(struct xs_handle *xs, unsigned domid, json_t *config,
		    const char *uuid)
{
	struct add_args a = { .config = config, .uuid = uuid };

	return devices_txn(xs, domid, add_fn, &a);
}

int devices_add_disk(struct xs_handle *xs, unsigned domid, json_t *disk)
{
	struct add_args a = { .one_disk = disk };

	return devices_txn(xs, domid, add_fn, &a);
}

int devices_add_nic(struct xs_handle *xs, unsigned domid, unsigned devid,
		    json_t *nic, const char *uuid)
{
	struct add_args a = { .one_nic = nic, .nic_devid = devid,
			      .uuid = uuid };

	return devices_txn(xs, domid, add_fn, &a);
}

static int read_int(struct xs_handle *xs, const char *path, int dflt)
{
	char *v = NULL;
	size_t n;
	int r = dflt;

	if (xs_read(xs, XS_NO_TXN, path, &v, &n) == 0)
		r = atoi(v);
	free(v);
	return r;
}

int devices_detach_start(struct xs_handle *xs, unsigned domid,
			 const char *kind, unsigned devid)
{
	char be[P], fe[P], path[P + 16];

	device_dirs(domid, kind, devid, be, fe);
	snprintf(path, sizeof(path), "%s/state", be);
	if (read_int(xs, path, -1) < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/online", be);
	return xs_write(xs, XS_NO_TXN, path, "0", 1);
}

int devices_detach_poll(struct xs_handle *xs, unsigned domid,
			const char *kind, unsigned devid)
{
	char be[P], fe[P], path[P + 16];
	int rc;

	/* The backend closes, the frontend flushes and follows; written
	 * data is on the disk once the backend reaches Closed. A missing
	 * state node (the domain went meanwhile) counts as closed. */
	device_dirs(domid, kind, devid, be, fe);
	snprintf(path, sizeof(path), "%s/state", be);
	if (read_int(xs, path, 6) != 6)
		return 0;
	rc = xs_rm(xs, XS_NO_TXN, fe);
	if (rc && rc != -ENOENT)
		return rc;
	rc = xs_rm(xs, XS_NO_TXN, be);
	return rc && rc != -ENOENT ? rc : 1;
}

/* The state of one backend; its error text in why when it failed. */
static int backend_state(struct xs_handle *xs, const char *be, char *why,
			 size_t len)
{
	char path[P + 32], *v = NULL;
	size_t n;
	int state;

	snprintf(path, sizeof(path), "%s/state", be);
	state = read_int(xs, path, 0);
	if (state >= 5) {
		snprintf(path, sizeof(path), "%s/hotplug-error", be);
		if (xs_read(xs, XS_NO_TXN, path, &v, &n)) {
			snprintf(path, sizeof(path), "%s/error", be);
			if (xs_read(xs, XS_NO_TXN, path, &v, &n))
				v = NULL;
		}
		snprintf(why, len, "%s", v && *v ? v : "the backend closed it");
		free(v);
	}
	return state;
}

int devices_ready(struct xs_handle *xs, unsigned domid, json_t *config,
		  char *err, size_t errlen)
{
	char be[P], why[200], e[8];
	bool all = true;
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(config, "disks"), i, o) {
		snprintf(be, sizeof(be), "/local/domain/0/backend/vbd/%u/%d",
			 domid, devices_vdev(o, e, 0));
		int st = backend_state(xs, be, why, sizeof(why));

		if (st >= 5) {
			snprintf(err, errlen, "disk %s: %s",
				 str(o, "vdev", "?"), why);
			return -EIO;
		}
		all = all && st >= 2;
	}
	json_array_foreach(json_object_get(config, "nics"), i, o) {
		if (!json_is_object(o))
			continue;
		snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%zu",
			 domid, i);
		int st = backend_state(xs, be, why, sizeof(why));

		if (st >= 5) {
			snprintf(err, errlen, "vif %zu: %s", i, why);
			return -EIO;
		}
		all = all && st >= 2;
	}
	return all;
}
