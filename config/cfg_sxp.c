/* config/cfg_sxp.c: struct dom_config -> canonical SXP, as `xm create -n`
 * prints it.
 *
 *   (vm
 *       (name web)
 *       (memory 256)
 *       ...
 *       (image
 *           (linux
 *               (type pvh)
 *               (kernel /boot/vmlinuz)
 *               (root '/dev/xvda1 ro')))
 *       (device (vbd (uname file:/srv/web.img) (dev xvda) (mode w)))
 *       (device (vif (mac 00:16:3e:00:00:01) (bridge xenbr0))))
 *
 * The order of fields is fixed, so the output is stable for golden tests.
 * Atoms holding blanks, parentheses, quotes or backslashes are quoted with
 * ' and backslash escapes, as xend's sxp.show does. Optional fields that
 * were not given are left out. */
#include "config/cfg_internal.h"

#include <errno.h>
#include <string.h>

static void sxp_atom(FILE *f, const char *s)
{
	if (*s && !strpbrk(s, " \t\n\r()'\"\\")) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static void sxp_field(FILE *f, const char *indent, const char *key,
		      const char *val)
{
	if (!val)
		return;
	fprintf(f, "\n%s(%s ", indent, key);
	sxp_atom(f, val);
	fputc(')', f);
}

static void sxp_num(FILE *f, const char *indent, const char *key,
		    unsigned long long v)
{
	fprintf(f, "\n%s(%s %llu)", indent, key, v);
}

/* One-line sub-form " (key val)" inside a device form. */
static void sxp_inline(FILE *f, const char *key, const char *val)
{
	if (!val)
		return;
	fprintf(f, " (%s ", key);
	sxp_atom(f, val);
	fputc(')', f);
}

static void sxp_uuid(FILE *f, const char *indent, const uint8_t *u)
{
	fprintf(f, "\n%s(uuid %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		"%02x%02x%02x%02x%02x%02x)", indent, u[0], u[1], u[2], u[3],
		u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
		u[14], u[15]);
}

static void sxp_top(FILE *f, const struct dom_config *c)
{
	const char *in = "    ";
	char cpus[256];

	fputs("(vm", f);
	sxp_field(f, in, "name", c->name);
	if (c->has_uuid)
		sxp_uuid(f, in, c->uuid);
	sxp_num(f, in, "memory", c->memory_mb);
	sxp_num(f, in, "maxmem", c->maxmem_mb);
	sxp_num(f, in, "vcpus", c->vcpus);
	sxp_num(f, in, "maxvcpus", c->maxvcpus);
	if (c->has_cpus) {
		cfg_cpus_format(c->cpumap, cpus, sizeof(cpus));
		sxp_field(f, in, "cpus", cpus);
	}
	sxp_field(f, in, "on_poweroff", cfg_action_name(c->on_poweroff));
	sxp_field(f, in, "on_reboot", cfg_action_name(c->on_reboot));
	sxp_field(f, in, "on_crash", cfg_action_name(c->on_crash));
	if (c->on_xend_start != CFG_XEND_IGNORE)
		sxp_field(f, in, "on_xend_start",
			  cfg_xend_action_name(c->on_xend_start));
	if (c->on_xend_stop != CFG_XEND_IGNORE)
		sxp_field(f, in, "on_xend_stop",
			  cfg_xend_action_name(c->on_xend_stop));
	sxp_field(f, in, "bootloader", c->bootloader);
	sxp_field(f, in, "bootloader_args", c->bootloader_args);
}

static void sxp_image(FILE *f, const struct dom_config *c)
{
	const char *in = "            ";

	fprintf(f, "\n    (image\n        (%s",
		c->type == CFG_TYPE_HVM ? "hvm" : "linux");
	sxp_field(f, in, "type", cfg_type_name(c->type));
	sxp_field(f, in, "kernel", c->kernel);
	sxp_field(f, in, "ramdisk", c->ramdisk);
	if (c->cmdline) {
		sxp_field(f, in, "args", c->cmdline);
	} else {
		sxp_field(f, in, "root", c->root);
		sxp_field(f, in, "args", c->extra);
	}
	fputs("))", f);
}

static void sxp_disk(FILE *f, const struct cfg_disk *d)
{
	static const char *const modes[] = {
		[CFG_MODE_R] = "r", [CFG_MODE_W] = "w", [CFG_MODE_W_FORCE] = "w!",
	};
	char uname[4200], dev[80];

	if (cfg_disk_uname(d, uname, sizeof(uname)))
		snprintf(uname, sizeof(uname), "(too long)");
	snprintf(dev, sizeof(dev), "%s%s", d->vdev, d->cdrom ? ":cdrom" : "");
	fputs("\n    (device (vbd", f);
	sxp_inline(f, "uname", uname);
	sxp_inline(f, "dev", dev);
	sxp_inline(f, "mode", modes[d->mode]);
	sxp_inline(f, "script", d->script);
	fputs("))", f);
}

static void sxp_vif(FILE *f, const struct cfg_vif *v)
{
	fputs("\n    (device (vif", f);
	sxp_inline(f, "mac", v->mac);
	sxp_inline(f, "bridge", v->bridge);
	sxp_inline(f, "ip", v->ip);
	sxp_inline(f, "script", v->script);
	sxp_inline(f, "vifname", v->vifname);
	sxp_inline(f, "rate", v->rate);
	sxp_inline(f, "model", v->model);
	sxp_inline(f, "type", v->type);
	sxp_inline(f, "backend", v->backend);
	fputs("))", f);
}

int cfg_sxp_dump(const struct dom_config *c, FILE *f)
{
	sxp_top(f, c);
	sxp_image(f, c);
	for (size_t i = 0; i < c->n_disks; i++)
		sxp_disk(f, &c->disks[i]);
	for (size_t i = 0; i < c->n_vifs; i++)
		sxp_vif(f, &c->vifs[i]);
	fputs(")\n", f);
	return ferror(f) ? -EIO : 0;
}
