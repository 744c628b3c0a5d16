/* config/cfg_json.c: struct dom_config -> JSON in the shape of xl's dry
 * run (libxl_domain_config: c_info, b_info, disks, nics, on_*).
 *
 * Fixed field order, four-space indent, strings escaped per RFC 8259
 * (control characters as \u00XX; other bytes pass through). The same
 * object is what xm sends to xend in a create request (proto/). */
#include "config/cfg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct jw {
	FILE *f;
	int depth;
	bool first; /* no member written yet at this depth */
};

static void jw_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Start a member (or array element when key is NULL). */
static void jw_key(struct jw *w, const char *key)
{
	fprintf(w->f, "%s\n%*s", w->first ? "" : ",", w->depth * 4, "");
	w->first = false;
	if (key) {
		jw_str(w->f, key);
		fputs(": ", w->f);
	}
}

static void jw_open(struct jw *w, const char *key, char bracket)
{
	jw_key(w, key);
	fputc(bracket, w->f);
	w->depth++;
	w->first = true;
}

static void jw_close(struct jw *w, char bracket)
{
	w->depth--;
	if (!w->first)
		fprintf(w->f, "\n%*s", w->depth * 4, "");
	fputc(bracket, w->f);
	w->first = false;
}

static void jw_string(struct jw *w, const char *key, const char *val)
{
	if (!val)
		return;
	jw_key(w, key);
	jw_str(w->f, val);
}

static void jw_num(struct jw *w, const char *key, unsigned long long v)
{
	jw_key(w, key);
	fprintf(w->f, "%llu", v);
}

static void json_c_info(struct jw *w, const struct dom_config *c)
{
	const uint8_t *u = c->uuid;
	char uuid[40];

	jw_open(w, "c_info", '{');
	jw_string(w, "type", cfg_type_name(c->type));
	jw_string(w, "name", c->name);
	if (c->has_uuid) {
		snprintf(uuid, sizeof(uuid),
			 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3],
			 u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
			 u[12], u[13], u[14], u[15]);
		jw_string(w, "uuid", uuid);
	}
	jw_close(w, '}');
}

static int json_b_info(struct jw *w, const struct dom_config *c)
{
	char cpus[256], *cmdline = NULL;
	int rc = cfg_cmdline(c, &cmdline);

	if (rc)
		return rc;
	jw_open(w, "b_info", '{');
	jw_num(w, "max_vcpus", c->maxvcpus);
	jw_num(w, "avail_vcpus", c->vcpus);
	if (c->has_cpus) {
		cfg_cpus_format(c->cpumap, cpus, sizeof(cpus));
		jw_string(w, "cpumap", cpus);
	}
	jw_num(w, "max_memkb", c->maxmem_mb * 1024);
	jw_num(w, "target_memkb", c->memory_mb * 1024);
	jw_string(w, "kernel", c->kernel);
	jw_string(w, "ramdisk", c->ramdisk);
	jw_string(w, "cmdline", cmdline);
	jw_string(w, "bootloader", c->bootloader);
	jw_string(w, "bootloader_args", c->bootloader_args);
	jw_close(w, '}');
	free(cmdline);
	return 0;
}

static void json_disk(struct jw *w, const struct cfg_disk *d)
{
	static const char *const backends[] = {
		[CFG_DISK_FILE] = "file", [CFG_DISK_PHY] = "phy",
		[CFG_DISK_TAP] = "tap",
	};

	jw_open(w, NULL, '{');
	jw_string(w, "pdev_path", d->target);
	jw_string(w, "vdev", d->vdev);
	jw_string(w, "backend", backends[d->backend]);
	jw_string(w, "format", cfg_format_name(d->format));
	jw_string(w, "script", d->script);
	jw_num(w, "readwrite", d->mode != CFG_MODE_R);
	jw_num(w, "force_rw", d->mode == CFG_MODE_W_FORCE);
	jw_num(w, "is_cdrom", d->cdrom);
	jw_close(w, '}');
}

static void json_nic(struct jw *w, const struct cfg_vif *v)
{
	jw_open(w, NULL, '{');
	jw_string(w, "mac", v->mac);
	jw_string(w, "bridge", v->bridge);
	jw_string(w, "ip", v->ip);
	jw_string(w, "script", v->script);
	jw_string(w, "ifname", v->vifname);
	jw_string(w, "rate", v->rate);
	jw_string(w, "model", v->model);
	jw_string(w, "nictype", v->type);
	jw_string(w, "backend_domname", v->backend);
	jw_close(w, '}');
}

int cfg_json_dump(const struct dom_config *c, FILE *f)
{
	struct jw w = { .f = f, .depth = 0, .first = true };
	int rc;

	fputc('{', f);
	w.depth = 1;
	json_c_info(&w, c);
	rc = json_b_info(&w, c);
	if (rc)
		return rc;
	jw_open(&w, "disks", '[');
	for (size_t i = 0; i < c->n_disks; i++)
		json_disk(&w, &c->disks[i]);
	jw_close(&w, ']');
	jw_open(&w, "nics", '[');
	for (size_t i = 0; i < c->n_vifs; i++)
		json_nic(&w, &c->vifs[i]);
	jw_close(&w, ']');
	jw_string(&w, "on_poweroff", cfg_action_name(c->on_poweroff));
	jw_string(&w, "on_reboot", cfg_action_name(c->on_reboot));
	jw_string(&w, "on_crash", cfg_action_name(c->on_crash));
	if (c->on_xend_start != CFG_XEND_IGNORE)
		jw_string(&w, "on_xend_start",
			  cfg_xend_action_name(c->on_xend_start));
	if (c->on_xend_stop != CFG_XEND_IGNORE)
		jw_string(&w, "on_xend_stop",
			  cfg_xend_action_name(c->on_xend_stop));
	fputs("\n}\n", f);
	return ferror(f) ? -EIO : 0;
}
