/* config/cfg_json.c: struct dom_config -> JSON in the shape of xl's dry
 * run (libxl_domain_config: c_info, b_info, disks, nics, on_*), built with
 * jansson. Members keep the order they are set in (xl's order); absent
 * values are left out. The same object is what xm sends to xend in a
 * create request (proto/) and what xend keeps for managed domains. */
#include "config/cfg_internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

/* Set key to s (skipped when NULL). -EILSEQ if s is not UTF-8, which JSON
 * cannot carry. */
static int put_str(json_t *o, const char *key, const char *s)
{
	json_t *v;

	if (!s)
		return 0;
	v = json_string(s);
	if (!v)
		return -EILSEQ;
	return json_object_set_new(o, key, v) ? -ENOMEM : 0;
}

static int put_int(json_t *o, const char *key, unsigned long long n)
{
	return json_object_set_new(o, key, json_integer((json_int_t)n)) ?
		       -ENOMEM : 0;
}

/* Add a new object under key (or to array a when key is NULL). */
static json_t *add_obj(json_t *parent, const char *key)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (key ? json_object_set_new(parent, key, o)
		: json_array_append_new(parent, o))
		return NULL;
	return o;
}

static int c_info(json_t *root, const struct dom_config *c)
{
	const uint8_t *u = c->uuid;
	json_t *o = add_obj(root, "c_info");
	char uuid[40];
	int rc;

	if (!o)
		return -ENOMEM;
	rc = put_str(o, "type", cfg_type_name(c->type)) ?:
	     put_str(o, "name", c->name);
	if (rc || !c->has_uuid)
		return rc;
	snprintf(uuid, sizeof(uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4],
		 u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		 u[14], u[15]);
	return put_str(o, "uuid", uuid);
}

static int b_info(json_t *root, const struct dom_config *c)
{
	json_t *o = add_obj(root, "b_info");
	char cpus[256], *cmdline = NULL;
	int rc;

	if (!o)
		return -ENOMEM;
	rc = cfg_cmdline(c, &cmdline) ?:
	     put_int(o, "max_vcpus", c->maxvcpus) ?:
	     put_int(o, "avail_vcpus", c->vcpus);
	if (!rc && c->has_cpus) {
		cfg_cpus_format(c->cpumap, cpus, sizeof(cpus));
		rc = put_str(o, "cpumap", cpus);
	}
	rc = rc ?: put_int(o, "max_memkb", c->maxmem_mb * 1024) ?:
	     put_int(o, "target_memkb", c->memory_mb * 1024) ?:
	     put_str(o, "kernel", c->kernel) ?:
	     put_str(o, "ramdisk", c->ramdisk) ?:
	     put_str(o, "cmdline", cmdline) ?:
	     put_str(o, "bootloader", c->bootloader) ?:
	     put_str(o, "bootloader_args", c->bootloader_args);
	free(cmdline);
	return rc;
}

static int disk(json_t *disks, const struct cfg_disk *d)
{
	static const char *const backends[] = {
		[CFG_DISK_FILE] = "file", [CFG_DISK_PHY] = "phy",
		[CFG_DISK_TAP] = "tap",
	};
	json_t *o = add_obj(disks, NULL);

	if (!o)
		return -ENOMEM;
	return put_str(o, "pdev_path", d->target) ?:
	       put_str(o, "vdev", d->vdev) ?:
	       put_str(o, "backend", backends[d->backend]) ?:
	       put_str(o, "format", cfg_format_name(d->format)) ?:
	       put_str(o, "script", d->script) ?:
	       put_int(o, "readwrite", d->mode != CFG_MODE_R) ?:
	       put_int(o, "force_rw", d->mode == CFG_MODE_W_FORCE) ?:
	       put_int(o, "is_cdrom", d->cdrom);
}

static int nic(json_t *nics, const struct cfg_vif *v)
{
	json_t *o = add_obj(nics, NULL);

	if (!o)
		return -ENOMEM;
	return put_str(o, "mac", v->mac) ?:
	       put_str(o, "bridge", v->bridge) ?:
	       put_str(o, "ip", v->ip) ?:
	       put_str(o, "script", v->script) ?:
	       put_str(o, "ifname", v->vifname) ?:
	       put_str(o, "rate", v->rate) ?:
	       put_str(o, "model", v->model) ?:
	       put_str(o, "nictype", v->type) ?:
	       put_str(o, "backend_domname", v->backend);
}

int cfg_json(const struct dom_config *c, json_t **out)
{
	json_t *root = json_object(), *disks = json_array(),
	       *nics = json_array();
	int rc = root && disks && nics ? 0 : -ENOMEM;

	rc = rc ?: c_info(root, c) ?: b_info(root, c);
	if (!rc && (json_object_set(root, "disks", disks) ||
		    json_object_set(root, "nics", nics)))
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < c->n_disks; i++)
		rc = disk(disks, &c->disks[i]);
	for (size_t i = 0; !rc && i < c->n_vifs; i++)
		rc = nic(nics, &c->vifs[i]);
	rc = rc ?: put_str(root, "on_poweroff", cfg_action_name(c->on_poweroff)) ?:
	     put_str(root, "on_reboot", cfg_action_name(c->on_reboot)) ?:
	     put_str(root, "on_crash", cfg_action_name(c->on_crash));
	if (!rc && c->on_xend_start != CFG_XEND_IGNORE)
		rc = put_str(root, "on_xend_start",
			     cfg_xend_action_name(c->on_xend_start));
	if (!rc && c->on_xend_stop != CFG_XEND_IGNORE)
		rc = put_str(root, "on_xend_stop",
			     cfg_xend_action_name(c->on_xend_stop));
	json_decref(disks);
	json_decref(nics);
	if (rc) {
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

int cfg_json_dump(const struct dom_config *c, FILE *f)
{
	json_t *o;
	int rc = cfg_json(c, &o);

	if (rc)
		return rc;
	rc = json_dumpf(o, f, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (rc || fputc('\n', f) == EOF)
		return -EIO;
	return 0;
}
