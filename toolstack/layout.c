/* toolstack/layout.c: the XenStore nodes xend writes for a PVH domU.
 *
 * The layout and permissions of libxl 4.17 (shared/reference/
 * xenstore-and-devices.md §2): libxl__domain_make's nodes, then
 * libxl__build_post's, then console 0, all in one transaction here
 * (retried on -EAGAIN). Tags: RO = n0,rD (the domain reads, only dom0
 * writes); RW = nD (the domain owns it); NP = n0 (dom0 only). Nodes
 * without a tag inherit their parent's permissions.
 *
 * layout_remove() undoes all of it, including the backend directories
 * under /local/domain/0/backend/<kind>/<domid>. */
#include "toolstack/xend.h"
#include "xenstore/xs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define PATH_LEN 256

enum perm_tag { P_INHERIT, P_RO, P_RW, P_NP };

struct lw {
	struct xs_handle *xs;
	uint32_t tx;
	unsigned domid;
	int rc; /* first error; later calls do nothing */
};

static void lw_perms(struct lw *w, const char *path, enum perm_tag tag)
{
	struct xs_perm p[2];
	unsigned n;

	switch (tag) {
	case P_RO:
		p[0] = (struct xs_perm){ 0, 'n' };
		p[1] = (struct xs_perm){ (uint16_t)w->domid, 'r' };
		n = 2;
		break;
	case P_RW:
		p[0] = (struct xs_perm){ (uint16_t)w->domid, 'n' };
		n = 1;
		break;
	case P_NP:
		p[0] = (struct xs_perm){ 0, 'n' };
		n = 1;
		break;
	default:
		return;
	}
	w->rc = xs_set_perms(w->xs, w->tx, path, p, n);
}

/* Write prefix/key = val (val NULL: a directory) with tag. */
static void lw_put(struct lw *w, enum perm_tag tag, const char *prefix,
		   const char *key, const char *val)
{
	char path[PATH_LEN];
	int n;

	if (w->rc)
		return;
	n = snprintf(path, sizeof(path), "%s%s%s", prefix, key ? "/" : "",
		     key ? key : "");
	if (n < 0 || n >= (int)sizeof(path)) {
		w->rc = -ENAMETOOLONG;
		return;
	}
	if (val)
		w->rc = xs_write(w->xs, w->tx, path, val, strlen(val));
	else
		w->rc = xs_mkdir(w->xs, w->tx, path);
	if (!w->rc)
		lw_perms(w, path, tag);
}

static void lw_putu(struct lw *w, const char *prefix, const char *key,
		    unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	lw_put(w, P_INHERIT, prefix, key, buf);
}

/* libxl__domain_make */
static void layout_make(struct lw *w, const struct layout_info *li,
			const char *dom, const char *vm)
{
	static const char *const rw[] = {
		"device/suspend/event-channel", "control/shutdown",
		"control/feature-poweroff", "control/feature-reboot",
		"control/feature-suspend", "control/sysrq", "data", "drivers",
		"feature", "attr", "error",
	};
	char path[PATH_LEN];

	lw_put(w, P_RO, dom, NULL, NULL);
	lw_put(w, P_INHERIT, dom, "vm", vm);
	lw_put(w, P_INHERIT, dom, "name", li->name);
	lw_put(w, P_RO, dom, "cpu", NULL);
	lw_put(w, P_RO, dom, "memory", NULL);
	lw_put(w, P_RO, dom, "device", NULL);
	lw_put(w, P_RO, dom, "control", NULL);
	for (unsigned i = 0; i < sizeof(rw) / sizeof(*rw); i++)
		lw_put(w, P_RW, dom, rw[i], "");
	lw_put(w, P_INHERIT, dom,
	       "control/platform-feature-multiprocessor-suspend", "1");
	lw_put(w, P_INHERIT, dom, "control/platform-feature-xs_reset_watches",
	       "1");
	lw_put(w, P_RO, vm, NULL, NULL);
	lw_put(w, P_INHERIT, vm, "uuid", li->uuid);
	lw_put(w, P_INHERIT, vm, "name", li->name);
	lw_putu(w, vm, "start_time", (unsigned long long)li->start_time);
	snprintf(path, sizeof(path), "/libxl/%u", li->domid);
	lw_put(w, P_NP, path, NULL, NULL);
	lw_put(w, P_INHERIT, path, "device", NULL);
	lw_put(w, P_INHERIT, path, "type", "pvh");
}

/* libxl__build_post */
static void layout_build_post(struct lw *w, const struct layout_info *li,
			      const char *dom)
{
	char key[64];

	lw_putu(w, dom, "memory/static-max", li->max_memkb);
	lw_putu(w, dom, "memory/target", li->target_memkb);
	lw_putu(w, dom, "memory/videoram", 0);
	lw_putu(w, dom, "domid", li->domid);
	lw_putu(w, dom, "store/port", li->store_port);
	lw_putu(w, dom, "store/ring-ref", li->store_gfn);
	for (unsigned i = 0; i < li->max_vcpus; i++) {
		snprintf(key, sizeof(key), "cpu/%u/availability", i);
		lw_put(w, P_INHERIT, dom, key,
		       i < li->avail_vcpus ? "online" : "offline");
	}
}

/* Console 0: frontend RO under the domain, backend RO under dom0. */
static void layout_console(struct lw *w, const struct layout_info *li,
			   const char *dom)
{
	char fe[PATH_LEN + 16], be[PATH_LEN], id[16];

	snprintf(fe, sizeof(fe), "%s/console", dom);
	snprintf(be, sizeof(be), "/local/domain/0/backend/console/%u/0",
		 li->domid);
	snprintf(id, sizeof(id), "%u", li->domid);
	lw_put(w, P_RO, fe, NULL, NULL);
	lw_put(w, P_INHERIT, fe, "backend", be);
	lw_put(w, P_INHERIT, fe, "backend-id", "0");
	lw_put(w, P_INHERIT, fe, "limit", "1048576");
	lw_put(w, P_INHERIT, fe, "type", "xenconsoled");
	lw_put(w, P_INHERIT, fe, "output", "pty");
	lw_put(w, P_INHERIT, fe, "tty", "");
	lw_putu(w, fe, "port", li->console_port);
	lw_putu(w, fe, "ring-ref", li->console_gfn);
	lw_put(w, P_RO, be, NULL, NULL);
	lw_put(w, P_INHERIT, be, "frontend", fe);
	lw_put(w, P_INHERIT, be, "frontend-id", id);
	lw_put(w, P_INHERIT, be, "online", "1");
	lw_put(w, P_INHERIT, be, "state", "1");
	lw_put(w, P_INHERIT, be, "protocol", "vt100");
}

static int rm_quiet(struct xs_handle *xs, uint32_t tx, const char *path)
{
	int rc = xs_rm(xs, tx, path);

	return rc == -ENOENT ? 0 : rc;
}

int layout_write(struct xs_handle *xs, const struct layout_info *li)
{
	char dom[PATH_LEN], vm[PATH_LEN];
	int rc;

	snprintf(dom, sizeof(dom), "/local/domain/%u", li->domid);
	snprintf(vm, sizeof(vm), "/vm/%s", li->uuid);
	for (int tries = 0; tries < 20; tries++) {
		struct lw w = { .xs = xs, .domid = li->domid };

		rc = xs_transaction_start(xs, &w.tx);
		if (rc)
			return rc;
		w.rc = rm_quiet(xs, w.tx, dom);
		layout_make(&w, li, dom, vm);
		layout_build_post(&w, li, dom);
		layout_console(&w, li, dom);
		rc = xs_transaction_end(xs, w.tx, w.rc != 0);
		if (w.rc)
			return w.rc;
		if (rc != -EAGAIN)
			return rc;
	}
	return -EAGAIN;
}

int layout_remove(struct xs_handle *xs, unsigned domid, const char *uuid)
{
	static const char *const kinds[] = { "console", "vbd", "vif", "qdisk" };
	char path[PATH_LEN];
	int rc, first = 0;

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	rc = rm_quiet(xs, XS_NO_TXN, path);
	first = first ? first : rc;
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	rc = rm_quiet(xs, XS_NO_TXN, path);
	first = first ? first : rc;
	if (uuid && *uuid) {
		snprintf(path, sizeof(path), "/vm/%s", uuid);
		rc = rm_quiet(xs, XS_NO_TXN, path);
		first = first ? first : rc;
	}
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u",
			 kinds[i], domid);
		rc = rm_quiet(xs, XS_NO_TXN, path);
		first = first ? first : rc;
	}
	return first;
}

/* xend's rename-restart: the old domain keeps its id under a new name
 * and uuid, so the restarted one can take /vm/<uuid> again. */
int layout_rename(struct xs_handle *xs, unsigned domid, const char *old_uuid,
		  const char *new_uuid, const char *name)
{
	char dom[PATH_LEN], vm[PATH_LEN];
	uint32_t tx;
	int rc;

	snprintf(dom, sizeof(dom), "/local/domain/%u", domid);
	snprintf(vm, sizeof(vm), "/vm/%s", new_uuid);
	for (int tries = 0; tries < 20; tries++) {
		struct lw w = { .xs = xs, .domid = domid };

		rc = xs_transaction_start(xs, &tx);
		if (rc)
			return rc;
		w.tx = tx;
		if (strcmp(old_uuid, new_uuid)) {
			char old[PATH_LEN];

			snprintf(old, sizeof(old), "/vm/%s", old_uuid);
			w.rc = rm_quiet(xs, tx, old);
			lw_put(&w, P_RO, vm, NULL, NULL);
			lw_put(&w, P_INHERIT, vm, "uuid", new_uuid);
			lw_put(&w, P_INHERIT, dom, "vm", vm);
		}
		lw_put(&w, P_INHERIT, vm, "name", name);
		lw_put(&w, P_INHERIT, dom, "name", name);
		rc = xs_transaction_end(xs, tx, w.rc != 0);
		if (w.rc)
			return w.rc;
		if (rc != -EAGAIN)
			return rc;
	}
	return -EAGAIN;
}

int layout_control(struct xs_handle *xs, unsigned domid, const char *key,
		   const char *val)
{
	char path[PATH_LEN];

	snprintf(path, sizeof(path), "/local/domain/%u/control/%s", domid, key);
	return xs_write(xs, XS_NO_TXN, path, val, strlen(val));
}
