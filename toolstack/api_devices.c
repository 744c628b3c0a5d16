/* toolstack/api_devices.c: xm's device hotplug commands on a running
 * domain (Running Xen ch. 7-8, Appendix B): block-attach, block-detach,
 * block-list, network-attach, network-detach, network-list.
 *
 * Attach writes the device's nodes (devices.c) and records it in the
 * domain's config, so a restart of the domain (on_reboot=restart) and a
 * re-adopting xend keep it. Detach waits, up to DETACH_TIMEOUT_MS, for
 * the frontend to let go: the backend has flushed what the guest wrote by
 * the time it reports Closed. The client waits, parked; xend's loop does
 * not (api_detach_poll), so a guest that holds on to a device delays only
 * the one command. */
#include "toolstack/api.h"
#include "toolstack/devices.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfg.h"
#include "lib/log.h"
#include "xenstore/xs.h"

#define DETACH_TIMEOUT_MS 10000

/* A detach waiting for the backend to close. */
struct detach {
	struct detach *next;
	int fd;                /* the client, answered when it ends */
	unsigned domid, devid;
	const char *kind;      /* "vbd" or "vif" */
	const char *command;   /* "block-detach", "network-detach" */
	uint64_t deadline_ms;
};

static struct domain *running_domain(struct xend *x, struct api_req *rq,
				     const char *name)
{
	struct domain *d;

	if (!strcmp(name, "0") || !strcmp(name, "Domain-0")) {
		api_fail(rq, 1, "%s: not possible on Domain-0 (the host)",
			 rq->command);
		return NULL;
	}
	d = dom_lookup(x, name);
	if (!d)
		api_fail(rq, 1, "domain '%s' does not exist", name);
	else if (d->state != DOM_RUNNING)
		api_fail(rq, 1, "domain '%s' is not running", d->name);
	return d && d->state == DOM_RUNNING ? d : NULL;
}

static json_t *config_array(struct domain *d, const char *key)
{
	json_t *a = json_object_get(d->config, key);

	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(d->config, key, a);
	}
	return a;
}

static json_t *disk_json(const struct cfg_disk *c)
{
	static const char *const be[] = { [CFG_DISK_FILE] = "file",
					  [CFG_DISK_PHY] = "phy",
					  [CFG_DISK_TAP] = "tap" };

	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i}",
			 "pdev_path", c->target ? c->target : "",
			 "vdev", c->vdev, "backend", be[c->backend],
			 "format", cfg_format_name(c->format),
			 "readwrite", c->mode != CFG_MODE_R,
			 "force_rw", c->mode == CFG_MODE_W_FORCE,
			 "is_cdrom", c->cdrom);
}

/* block-attach <Domain> <BackDev> <FrontDev> <Mode> */
static int cmd_block_attach(struct xend *x, struct api_req *rq)
{
	char spec[1024], err[200];
	struct cfg_disk c = { 0 };
	struct xs_handle *xs;
	struct domain *d;
	json_t *disk, *cfg;
	int rc;

	if (rq->argc < 4 || rq->argc > 5)
		return api_fail(rq, 2, "block-attach: expected <Domain> "
				"<BackDev> <FrontDev> <Mode>");
	if (rq->argc == 5 && strcmp(rq->argv[4], "0"))
		return api_fail(rq, 1, "block-attach: backend domain '%s': "
				"only Domain-0 serves devices", rq->argv[4]);
	d = running_domain(x, rq, rq->argv[0]);
	if (!d)
		return rq->status;
	snprintf(spec, sizeof(spec), "%s,%s,%s", rq->argv[1], rq->argv[2],
		 rq->argv[3]);
	if (cfg_disk_parse(spec, &c, err, sizeof(err)))
		return api_fail(rq, 1, "block-attach: '%s': %s", spec, err);
	disk = disk_json(&c);
	cfg_disk_clear(&c);
	/* The same checks as at create, on the config with the disk in. */
	cfg = json_pack("{s:[O]}", "disks", disk);
	json_array_extend(json_object_get(cfg, "disks"),
			  config_array(d, "disks"));
	rc = devices_check(cfg, err, sizeof(err));
	json_decref(cfg);
	if (rc) {
		json_decref(disk);
		return api_fail(rq, 1, "block-attach: %s", err);
	}
	xs = xend_xs(x, err, sizeof(err));
	if (!xs) {
		json_decref(disk);
		return api_fail(rq, 1, "%s", err);
	}
	rc = devices_add_disk(xs, d->domid, disk);
	if (rc) {
		json_decref(disk);
		xend_xs_drop(x);
		return api_fail(rq, 1, "block-attach: cannot write the device: "
				"%s", strerror(-rc));
	}
	json_array_append_new(config_array(d, "disks"), disk);
	dom_save_record(d);
	return 0;
}

/* A vdev name or number, as xm block-detach takes either. */
static int vdev_arg(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end)
		return n > 0 && n < (1l << 30) ? (int)n : -1;
	return cfg_vdev_number(s);
}

/* Start detaching kind devid from d and park the client; api_detach_poll
 * answers it. */
static int detach(struct xend *x, struct api_req *rq, struct domain *d,
		  const char *kind, unsigned devid)
{
	char err[160];
	struct xs_handle *xs = xend_xs(x, err, sizeof(err));
	struct detach *w;
	int rc;

	if (!xs)
		return api_fail(rq, 1, "%s", err);
	for (w = x->detaches; w; w = w->next)
		if (w->domid == d->domid && w->devid == devid &&
		    !strcmp(w->kind, kind))
			return api_fail(rq, 1, "%s: device %u of '%s' is "
					"already being detached", rq->command,
					devid, d->name);
	w = calloc(1, sizeof(*w));
	if (!w)
		return api_fail(rq, 1, "out of memory");
	rc = devices_detach_start(xs, d->domid, kind, devid);
	if (rc) {
		free(w);
		if (rc == -ENOENT)
			return api_fail(rq, 1, "%s: domain '%s' has no device "
					"%u", rq->command, d->name, devid);
		xend_xs_drop(x);
		return api_fail(rq, 1, "%s: %s", rq->command, strerror(-rc));
	}
	*w = (struct detach){ .next = x->detaches, .fd = rq->fd,
			      .domid = d->domid, .devid = devid, .kind = kind,
			      .command = !strcmp(kind, "vbd") ? "block-detach"
							      : "network-detach",
			      .deadline_ms = xend_now_ms() + DETACH_TIMEOUT_MS };
	x->detaches = w;
	rq->deferred = true;
	return 0;
}

/* The device is gone: drop it from the domain's config (if the domain
 * still exists) so a restart does not bring it back. */
static void detach_forget(struct xend *x, const struct detach *w)
{
	struct domain *d = dom_find_id(x, w->domid);
	json_t *a, *o;
	char err[8];
	size_t i;

	if (!d)
		return;
	if (!strcmp(w->kind, "vbd")) {
		a = config_array(d, "disks");
		json_array_foreach(a, i, o)
			if (devices_vdev(o, err, 0) == (int)w->devid) {
				json_array_remove(a, i);
				break;
			}
	} else {
		/* Keep the indexes (they are the handles): leave a hole. */
		a = config_array(d, "nics");
		if (w->devid < json_array_size(a))
			json_array_set_new(a, w->devid, json_null());
	}
	dom_save_record(d);
}

bool api_detach_poll(struct xend *x)
{
	struct detach **pp = &x->detaches, *w;
	uint64_t now = xend_now_ms();
	char err[160], *msg;

	while ((w = *pp)) {
		struct xs_handle *xs = xend_xs(x, err, sizeof(err));
		int rc = xs ? devices_detach_poll(xs, w->domid, w->kind,
						  w->devid) : -ENOTCONN;

		if (rc == 0 && now < w->deadline_ms) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		if (rc == 1) {
			detach_forget(x, w);
			api_reply_fd(w->fd, 0, NULL, NULL);
		} else {
			if (rc == 0)
				msg = xend_strdup_printf(
					"%s: the guest did not release device "
					"%u within %d s; it stays attached",
					w->command, w->devid,
					DETACH_TIMEOUT_MS / 1000);
			else
				msg = xend_strdup_printf("%s: %s", w->command,
							 strerror(-rc));
			if (rc < 0)
				xend_xs_drop(x);
			log_warn(0, "d%u: %s", w->domid, msg ? msg : "?");
			api_reply_fd(w->fd, 1, NULL, msg ? msg : "detach failed");
			free(msg);
		}
		free(w);
	}
	return x->detaches != NULL;
}

void api_detach_close_all(struct xend *x)
{
	while (x->detaches) {
		struct detach *w = x->detaches;

		x->detaches = w->next;
		api_reply_fd(w->fd, 1, NULL, "xend is stopping");
		free(w);
	}
}

/* block-detach <Domain> <DevId> */
static int cmd_block_detach(struct xend *x, struct api_req *rq)
{
	struct domain *d;
	int vdev;

	if (rq->argc < 2)
		return api_fail(rq, 2, "block-detach: expected <Domain> <DevId>");
	d = running_domain(x, rq, rq->argv[0]);
	if (!d)
		return rq->status;
	vdev = vdev_arg(rq->argv[1]);
	if (vdev < 0)
		return api_fail(rq, 1, "block-detach: '%s' is not a device",
				rq->argv[1]);
	return detach(x, rq, d, "vbd", (unsigned)vdev);
}

static char *xs_get(struct xs_handle *xs, const char *fmt, const char *dir,
		    const char *key)
{
	char path[300], *v = NULL;
	size_t n;

	snprintf(path, sizeof(path), fmt, dir, key);
	if (xs_read(xs, XS_NO_TXN, path, &v, &n))
		return strdup("-1");
	return v;
}

/* xl's block-list and network-list: one line per device, from XenStore. */
static int list_devices(struct xend *x, struct api_req *rq, const char *kind)
{
	bool vif = !strcmp(kind, "vif");
	char err[160], be_root[128], **names = NULL;
	struct xs_handle *xs;
	struct domain *d;
	unsigned n = 0;

	if (rq->argc < 1)
		return api_fail(rq, 2, "%s: expected <Domain>", rq->command);
	d = running_domain(x, rq, rq->argv[0]);
	if (!d)
		return rq->status;
	xs = xend_xs(x, err, sizeof(err));
	if (!xs)
		return api_fail(rq, 1, "%s", err);
	snprintf(be_root, sizeof(be_root), "/local/domain/0/backend/%s/%u",
		 kind, d->domid);
	if (xs_directory(xs, XS_NO_TXN, be_root, &names, &n))
		n = 0;
	if (vif)
		fprintf(rq->out, "Idx BE Mac Addr.         handle state evt-ch "
			"  tx-/rx-ring-ref BE-path\n");
	else
		fprintf(rq->out, "Vdev  BE handle state evt-ch ring-ref "
			"BE-path\n");
	for (unsigned i = 0; i < n; i++) {
		char be[200], fe[200], *state, *evt, *ref, *ref2 = NULL, *mac;

		snprintf(be, sizeof(be), "%s/%s", be_root, names[i]);
		snprintf(fe, sizeof(fe), "/local/domain/%u/device/%s/%s",
			 d->domid, kind, names[i]);
		state = xs_get(xs, "%s/%s", be, "state");
		evt = xs_get(xs, "%s/%s", fe, vif ? "event-channel" : "event-channel");
		ref = xs_get(xs, "%s/%s", fe, vif ? "tx-ring-ref" : "ring-ref");
		if (vif) {
			ref2 = xs_get(xs, "%s/%s", fe, "rx-ring-ref");
			mac = xs_get(xs, "%s/%s", be, "mac");
			fprintf(rq->out, "%-3s 0  %-17s %-6s %-5s %-6s %6s/%-8s "
				"%s\n", names[i], mac, names[i], state, evt,
				ref, ref2, be);
			free(mac);
		} else {
			fprintf(rq->out, "%-5s 0  %-6s %-5s %-6s %-8s %s\n",
				names[i], names[i], state, evt, ref, be);
		}
		free(state);
		free(evt);
		free(ref);
		free(ref2);
	}
	free(names);
	return 0;
}

static int cmd_block_list(struct xend *x, struct api_req *rq)
{
	return list_devices(x, rq, "vbd");
}

static int cmd_network_list(struct xend *x, struct api_req *rq)
{
	return list_devices(x, rq, "vif");
}

static json_t *nic_json(const struct cfg_vif *v)
{
	json_t *o = json_object();

#define PUT(k, f) if (v->f) json_object_set_new(o, k, json_string(v->f))
	PUT("mac", mac);
	PUT("bridge", bridge);
	PUT("ip", ip);
	PUT("script", script);
	PUT("ifname", vifname);
	PUT("rate", rate);
	PUT("model", model);
#undef PUT
	return o;
}

/* network-attach <Domain> [key=value ...] */
static int cmd_network_attach(struct xend *x, struct api_req *rq)
{
	char spec[1024] = "", err[200], mac[18];
	struct cfg_vif v = { 0 };
	struct xs_handle *xs;
	struct domain *d;
	unsigned devid = 0;
	json_t *nics, *nic, *o;
	size_t i;
	int rc;

	if (rq->argc < 1)
		return api_fail(rq, 2, "network-attach: expected <Domain>");
	d = running_domain(x, rq, rq->argv[0]);
	if (!d)
		return rq->status;
	for (int a = 1; a < rq->argc; a++) {
		size_t l = strlen(spec);

		snprintf(spec + l, sizeof(spec) - l, "%s%s", l ? "," : "",
			 rq->argv[a]);
	}
	if (cfg_vif_parse(spec, &v, err, sizeof(err)))
		return api_fail(rq, 1, "network-attach: '%s': %s", spec, err);
	nic = nic_json(&v);
	cfg_vif_clear(&v);
	/* The next free handle, and no MAC twice. */
	nics = config_array(d, "nics");
	devid = (unsigned)json_array_size(nics);
	json_object_set_new(nic, "devid", json_integer(devid));
	if (!json_object_get(nic, "mac")) {
		devices_default_mac(d->uuid, devid, mac);
		json_object_set_new(nic, "mac", json_string(mac));
	}
	json_array_foreach(nics, i, o)
		if (json_equal(json_object_get(o, "mac"),
			       json_object_get(nic, "mac"))) {
			json_decref(nic);
			return api_fail(rq, 1, "network-attach: MAC %s is "
					"already used by vif %zu",
					json_string_value(json_object_get(
						o, "mac")), i);
		}
	xs = xend_xs(x, err, sizeof(err));
	if (!xs) {
		json_decref(nic);
		return api_fail(rq, 1, "%s", err);
	}
	rc = devices_add_nic(xs, d->domid, devid, nic, d->uuid);
	if (rc) {
		json_decref(nic);
		xend_xs_drop(x);
		return api_fail(rq, 1, "network-attach: cannot write the "
				"device: %s", strerror(-rc));
	}
	json_array_append_new(nics, nic);
	dom_save_record(d);
	return 0;
}

/* network-detach <Domain> <DevId|mac> */
static int cmd_network_detach(struct xend *x, struct api_req *rq)
{
	struct domain *d;
	json_t *nics, *o;
	char *end;
	unsigned long devid;
	size_t i;

	if (rq->argc < 2)
		return api_fail(rq, 2, "network-detach: expected <Domain> "
				"<DevId|mac>");
	d = running_domain(x, rq, rq->argv[0]);
	if (!d)
		return rq->status;
	nics = config_array(d, "nics");
	devid = strtoul(rq->argv[1], &end, 10);
	if (*end || !*rq->argv[1]) {
		devid = ~0ul;
		json_array_foreach(nics, i, o)
			if (!strcasecmp(rq->argv[1], json_string_value(
				       json_object_get(o, "mac")) ?: ""))
				devid = i;
		if (devid == ~0ul)
			return api_fail(rq, 1, "network-detach: domain '%s' "
					"has no vif with MAC %s", d->name,
					rq->argv[1]);
	}
	return detach(x, rq, d, "vif", (unsigned)devid);
}

const struct api_cmd api_device_cmds[] = {
	{ "block-attach", cmd_block_attach },
	{ "block-detach", cmd_block_detach },
	{ "block-list", cmd_block_list },
	{ "network-attach", cmd_network_attach },
	{ "network-detach", cmd_network_detach },
	{ "network-list", cmd_network_list },
	{ NULL, NULL },
};
