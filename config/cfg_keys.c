/* config/cfg_keys.c: the option table, nginx-style.
 *
 * Each option is {name, setter, offsetof field, bounds, line slot}. A
 * setter checks the value's type and range and writes the field; it
 * returns 0, -ENOMEM, or -EINVAL with a short phrase in ctx->err (no
 * position: cfg_apply_setting adds file, line and column). Options Xen
 * has but kxen does not support yet are in the table with set_unsupported,
 * which only warns. Anything else is unknown, an error with the closest
 * known name. */
#include "config/cfg_internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct key_ctx {
	struct cfg_apply *a;
	const struct cfg_key *k;
	char err[CFG_PHRASE_MAX];
	int line; /* a list item may move the error to its own line */
	int col;
};

struct cfg_key {
	const char *name;
	int (*set)(struct key_ctx *x, const struct cfg_value *v);
	size_t off;
	long long min;
	long long max;
	enum cfg_line_idx line_idx;
};

#define FIELD(x, type) ((type *)((char *)(x)->a->c + (x)->k->off))

static int key_err(struct key_ctx *x, const struct cfg_value *v,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int key_err(struct key_ctx *x, const struct cfg_value *v,
		   const char *fmt, ...)
{
	va_list ap;

	if (v) {
		x->line = v->line;
		x->col = v->col;
	}
	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int want(struct key_ctx *x, const struct cfg_value *v,
		enum cfg_vtype t)
{
	if (v->type == t)
		return 0;
	return key_err(x, v, "'%s' must be %s, not %s", x->k->name,
		       cfg_vtype_name(t), cfg_vtype_name(v->type));
}

static int set_str(struct key_ctx *x, const struct cfg_value *v)
{
	char **field = FIELD(x, char *);
	int rc = want(x, v, CFG_V_STRING);

	if (rc)
		return rc;
	if (x->k->min > 0 && v->s[0] == '\0')
		return key_err(x, v, "'%s' must not be empty", x->k->name);
	free(*field);
	*field = strdup(v->s);
	return *field ? 0 : -ENOMEM;
}

/* A number, or a string of decimal digits as xl also accepts. */
static int value_number(struct key_ctx *x, const struct cfg_value *v,
			long long *out)
{
	char *end;

	if (v->type == CFG_V_INT) {
		*out = v->i;
		return 0;
	}
	if (v->type == CFG_V_STRING && v->s[0] >= '0' && v->s[0] <= '9') {
		errno = 0;
		*out = strtoll(v->s, &end, 10);
		if (!*end && errno == 0)
			return 0;
	}
	return key_err(x, v, "'%s' must be a number, not %s%s%s%s",
		       x->k->name, cfg_vtype_name(v->type),
		       v->type == CFG_V_STRING ? " ('" : "",
		       v->type == CFG_V_STRING ? v->s : "",
		       v->type == CFG_V_STRING ? "')" : "");
}

static int number_bounded(struct key_ctx *x, const struct cfg_value *v,
			  long long *out)
{
	int rc = value_number(x, v, out);

	if (rc)
		return rc;
	if (*out < x->k->min || *out > x->k->max)
		return key_err(x, v, "'%s' must be between %lld and %lld, not "
			       "%lld", x->k->name, x->k->min, x->k->max, *out);
	return 0;
}

static int set_u64(struct key_ctx *x, const struct cfg_value *v)
{
	long long n;
	int rc = number_bounded(x, v, &n);

	if (!rc)
		*FIELD(x, uint64_t) = (uint64_t)n;
	return rc;
}

static int set_unsigned(struct key_ctx *x, const struct cfg_value *v)
{
	long long n;
	int rc = number_bounded(x, v, &n);

	if (!rc)
		*FIELD(x, unsigned) = (unsigned)n;
	return rc;
}

static int set_name(struct key_ctx *x, const struct cfg_value *v)
{
	int rc = set_str(x, v);
	const char *n = x->a->c->name;

	if (rc)
		return rc;
	if (strlen(n) > 64)
		return key_err(x, v, "name '%s' is longer than 64 characters",
			       n);
	if (strspn(n, "0123456789") == strlen(n))
		return key_err(x, v, "name '%s' is a number; domain names "
			       "must not be", n);
	if (strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.-+:@") != strlen(n))
		return key_err(x, v, "name '%s' may hold only letters, "
			       "digits and _ . - + : @", n);
	if (!strcmp(n, "Domain-0"))
		return key_err(x, v, "name 'Domain-0' is the host's");
	return 0;
}

static int set_uuid(struct key_ctx *x, const struct cfg_value *v)
{
	static const int dash[] = { 8, 13, 18, 23 };
	struct dom_config *c = x->a->c;
	const char *s = v->s;
	int rc = want(x, v, CFG_V_STRING), di = 0, byte = 0;

	if (rc)
		return rc;
	if (strlen(s) != 36)
		goto bad;
	for (int i = 0; i < 36; i++) {
		char hex[3] = { 0 };

		if (di < 4 && i == dash[di]) {
			if (s[i] != '-')
				goto bad;
			di++;
			continue;
		}
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i + 1] ||
		    !strchr("0123456789abcdefABCDEF", s[i + 1]))
			goto bad;
		hex[0] = s[i];
		hex[1] = s[++i];
		c->uuid[byte++] = (uint8_t)strtoul(hex, NULL, 16);
	}
	c->has_uuid = true;
	return 0;
bad:
	return key_err(x, v, "invalid uuid '%s' (expected "
		       "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s);
}

static int set_action(struct key_ctx *x, const struct cfg_value *v)
{
	int rc = want(x, v, CFG_V_STRING);

	if (rc)
		return rc;
	for (int a = CFG_ACTION_DESTROY; a <= CFG_ACTION_COREDUMP_RESTART;
	     a++) {
		if (!strcmp(v->s, cfg_action_name((enum cfg_action)a))) {
			*FIELD(x, enum cfg_action) = (enum cfg_action)a;
			return 0;
		}
	}
	return key_err(x, v, "'%s' must be destroy, restart, preserve, "
		       "rename-restart, coredump-destroy or coredump-restart, "
		       "not '%s'", x->k->name, v->s);
}

/* on_xend_start: ignore|start; on_xend_stop: ignore|shutdown|suspend
 * (min and max bound the enum values the option allows). */
static int set_xend_action(struct key_ctx *x, const struct cfg_value *v)
{
	int rc = want(x, v, CFG_V_STRING);

	if (rc)
		return rc;
	for (long long a = CFG_XEND_IGNORE; a <= CFG_XEND_SUSPEND; a++) {
		if (a != CFG_XEND_IGNORE && (a < x->k->min || a > x->k->max))
			continue;
		if (!strcmp(v->s, cfg_xend_action_name((enum cfg_xend_action)a))) {
			*FIELD(x, enum cfg_xend_action) = (enum cfg_xend_action)a;
			return 0;
		}
	}
	return key_err(x, v, "'%s' must be %s, not '%s'", x->k->name,
		       x->k->max == CFG_XEND_START ? "ignore or start"
						   : "ignore, shutdown or suspend",
		       v->s);
}

/* builder= (xm: linux, hvm) and type= (xl: pvh, hvm, pv). */
static int set_type(struct key_ctx *x, const struct cfg_value *v)
{
	struct dom_config *c = x->a->c;
	int rc = want(x, v, CFG_V_STRING);

	if (rc)
		return rc;
	if (!strcmp(v->s, "pvh") || !strcmp(v->s, "linux")) {
		c->type = CFG_TYPE_PVH;
		return 0;
	}
	if (!strcmp(v->s, "hvm"))
		c->type = CFG_TYPE_HVM;
	else if (!strcmp(v->s, "pv") && !strcmp(x->k->name, "type"))
		c->type = CFG_TYPE_PV;
	else
		return key_err(x, v, "unknown %s '%s' (expected %s)",
			       x->k->name, v->s,
			       strcmp(x->k->name, "type") ? "linux or hvm"
							  : "pvh, hvm or pv");
	return cfg_warn(x->a->diag, x->a->file, v->line, v->col,
			"guest type '%s' is not supported yet; kxen boots "
			"PVH guests", v->s);
}

/* cpus = "0-3,^2", cpus = 2, or xm's per-vcpu list (joined). */
static int set_cpus(struct key_ctx *x, const struct cfg_value *v)
{
	struct dom_config *c = x->a->c;
	uint64_t map[CFG_CPUMAP_WORDS] = { 0 }, one[CFG_CPUMAP_WORDS];
	char num[24], phrase[160];
	int rc = 0;

	for (size_t i = 0; !rc && i < (v->type == CFG_V_LIST ? v->n_items
							      : 1); i++) {
		const struct cfg_value *e = v->type == CFG_V_LIST
						    ? v->items[i] : v;
		const char *s = e->s;

		if (e->type == CFG_V_INT) {
			snprintf(num, sizeof(num), "%lld", e->i);
			s = num;
		} else if (e->type != CFG_V_STRING) {
			return key_err(x, e, "'cpus' must be a string such as "
				       "\"0-3,^2\"");
		}
		rc = cfg_cpus_parse(s, one, phrase, sizeof(phrase));
		if (rc == -EINVAL)
			return key_err(x, e, "%s", phrase);
		for (unsigned w = 0; !rc && w < CFG_CPUMAP_WORDS; w++)
			map[w] |= one[w];
	}
	if (!rc) {
		memcpy(c->cpumap, map, sizeof(map));
		c->has_cpus = true;
	}
	if (!rc && v->type == CFG_V_LIST && v->n_items > 1)
		rc = cfg_warn(x->a->diag, x->a->file, v->line, v->col,
			      "per-VCPU 'cpus' lists are not supported yet; "
			      "every VCPU may run on any CPU listed");
	return rc;
}

/* bootloader_args: a string, or xl's list of strings (joined by ' '). */
static int set_str_or_list(struct key_ctx *x, const struct cfg_value *v)
{
	char **field = FIELD(x, char *), *joined = NULL;
	size_t len = 0;

	if (v->type != CFG_V_LIST)
		return set_str(x, v);
	for (size_t i = 0; i < v->n_items; i++) {
		const struct cfg_value *e = v->items[i];
		size_t n;
		char *p;

		if (e->type != CFG_V_STRING) {
			free(joined);
			return key_err(x, e, "'%s' must hold strings",
				       x->k->name);
		}
		n = strlen(e->s);
		p = realloc(joined, len + n + 2);
		if (!p) {
			free(joined);
			return -ENOMEM;
		}
		joined = p;
		if (len)
			joined[len++] = ' ';
		memcpy(joined + len, e->s, n + 1);
		len += n;
	}
	free(*field);
	*field = joined ? joined : strdup("");
	return *field ? 0 : -ENOMEM;
}

static int set_unsupported(struct key_ctx *x, const struct cfg_value *v)
{
	(void)v;
	return cfg_warn(x->a->diag, x->a->file, x->line, x->col,
			"option '%s' is not supported yet; ignored",
			x->k->name);
}

/* disk= and vif=: lists of spec strings (a lone string counts as one). */
static int list_each(struct key_ctx *x, const struct cfg_value *v,
		     int (*one)(struct key_ctx *, const struct cfg_value *))
{
	size_t n = v->type == CFG_V_LIST ? v->n_items : 1;

	if (v->type == CFG_V_INT)
		return key_err(x, v, "'%s' must be a list of strings",
			       x->k->name);
	for (size_t i = 0; i < n; i++) {
		const struct cfg_value *e = v->type == CFG_V_LIST
						    ? v->items[i] : v;
		int rc;

		if (e->type != CFG_V_STRING)
			return key_err(x, e, "each '%s' entry must be a string, "
				       "not %s", x->k->name,
				       cfg_vtype_name(e->type));
		rc = one(x, e);
		if (rc)
			return rc;
	}
	return 0;
}

static int disk_one(struct key_ctx *x, const struct cfg_value *e)
{
	struct dom_config *c = x->a->c;
	struct cfg_disk d, *n;
	char phrase[200];
	int rc = cfg_disk_parse(e->s, &d, phrase, sizeof(phrase));

	if (rc == -EINVAL)
		return key_err(x, e, "%s", phrase);
	if (rc)
		return rc;
	n = realloc(c->disks, (c->n_disks + 1) * sizeof(*n));
	if (!n) {
		cfg_disk_clear(&d);
		return -ENOMEM;
	}
	d.line = e->line;
	c->disks = n;
	c->disks[c->n_disks++] = d;
	return 0;
}

static int vif_one(struct key_ctx *x, const struct cfg_value *e)
{
	struct dom_config *c = x->a->c;
	struct cfg_vif vif, *n;
	char phrase[200];
	int rc = cfg_vif_parse(e->s, &vif, phrase, sizeof(phrase));

	if (rc == -EINVAL)
		return key_err(x, e, "%s", phrase);
	if (rc)
		return rc;
	n = realloc(c->vifs, (c->n_vifs + 1) * sizeof(*n));
	if (!n) {
		cfg_vif_clear(&vif);
		return -ENOMEM;
	}
	vif.line = e->line;
	c->vifs = n;
	c->vifs[c->n_vifs++] = vif;
	return 0;
}

static int set_disks(struct key_ctx *x, const struct cfg_value *v)
{
	struct dom_config *c = x->a->c;

	if (!x->a->append) {
		for (size_t i = 0; i < c->n_disks; i++)
			cfg_disk_clear(&c->disks[i]);
		c->n_disks = 0;
	}
	return list_each(x, v, disk_one);
}

static int set_vifs(struct key_ctx *x, const struct cfg_value *v)
{
	struct dom_config *c = x->a->c;

	if (!x->a->append) {
		for (size_t i = 0; i < c->n_vifs; i++)
			cfg_vif_clear(&c->vifs[i]);
		c->n_vifs = 0;
	}
	return list_each(x, v, vif_one);
}

#define OFF(f) offsetof(struct dom_config, f)
#define UNSUPPORTED(n) { n, set_unsupported, 0, 0, 0, CFG_L_NONE }

static const struct cfg_key cfg_keys[] = {
	{ "name", set_name, OFF(name), 1, 0, CFG_L_NAME },
	{ "uuid", set_uuid, 0, 0, 0, CFG_L_NONE },
	{ "builder", set_type, 0, 0, 0, CFG_L_NONE },
	{ "type", set_type, 0, 0, 0, CFG_L_NONE },
	{ "kernel", set_str, OFF(kernel), 1, 0, CFG_L_KERNEL },
	{ "ramdisk", set_str, OFF(ramdisk), 1, 0, CFG_L_RAMDISK },
	{ "extra", set_str, OFF(extra), 0, 0, CFG_L_NONE },
	{ "root", set_str, OFF(root), 0, 0, CFG_L_NONE },
	{ "cmdline", set_str, OFF(cmdline), 0, 0, CFG_L_CMDLINE },
	{ "memory", set_u64, OFF(memory_mb), 1, 1ll << 32, CFG_L_MEMORY },
	{ "maxmem", set_u64, OFF(maxmem_mb), 1, 1ll << 32, CFG_L_MAXMEM },
	{ "vcpus", set_unsigned, OFF(vcpus), 1, CFG_MAX_VCPUS, CFG_L_VCPUS },
	{ "maxvcpus", set_unsigned, OFF(maxvcpus), 1, CFG_MAX_VCPUS,
	  CFG_L_MAXVCPUS },
	{ "cpus", set_cpus, 0, 0, 0, CFG_L_NONE },
	{ "disk", set_disks, 0, 0, 0, CFG_L_NONE },
	{ "vif", set_vifs, 0, 0, 0, CFG_L_NONE },
	{ "on_poweroff", set_action, OFF(on_poweroff), 0, 0, CFG_L_NONE },
	{ "on_reboot", set_action, OFF(on_reboot), 0, 0, CFG_L_NONE },
	{ "on_crash", set_action, OFF(on_crash), 0, 0, CFG_L_NONE },
	{ "on_xend_start", set_xend_action, OFF(on_xend_start),
	  CFG_XEND_START, CFG_XEND_START, CFG_L_NONE },
	{ "on_xend_stop", set_xend_action, OFF(on_xend_stop),
	  CFG_XEND_SHUTDOWN, CFG_XEND_SUSPEND, CFG_L_NONE },
	{ "bootloader", set_str, OFF(bootloader), 1, 0, CFG_L_NONE },
	{ "bootloader_args", set_str_or_list, OFF(bootloader_args), 0, 0,
	  CFG_L_NONE },
	UNSUPPORTED("vnc"), UNSUPPORTED("vncviewer"),
	UNSUPPORTED("vncconsole"), UNSUPPORTED("vnclisten"),
	UNSUPPORTED("vncdisplay"), UNSUPPORTED("vncunused"),
	UNSUPPORTED("vncpasswd"), UNSUPPORTED("sdl"), UNSUPPORTED("opengl"),
	UNSUPPORTED("display"), UNSUPPORTED("xauthority"),
	UNSUPPORTED("localtime"), UNSUPPORTED("rtc_timeoffset"),
	UNSUPPORTED("serial"), UNSUPPORTED("device_model"),
	UNSUPPORTED("device_model_version"), UNSUPPORTED("acpi"),
	UNSUPPORTED("apic"), UNSUPPORTED("pae"), UNSUPPORTED("hap"),
	UNSUPPORTED("viridian"), UNSUPPORTED("boot"), UNSUPPORTED("usb"),
	UNSUPPORTED("usbdevice"), UNSUPPORTED("stdvga"),
	UNSUPPORTED("nographic"), UNSUPPORTED("keymap"),
	UNSUPPORTED("soundhw"), UNSUPPORTED("fda"), UNSUPPORTED("fdb"),
	UNSUPPORTED("pci"), UNSUPPORTED("vtpm"), UNSUPPORTED("vfb"),
	UNSUPPORTED("vkb"), UNSUPPORTED("vscsi"), UNSUPPORTED("nics"),
	UNSUPPORTED("shadow_memory"), UNSUPPORTED("cpu_weight"),
	UNSUPPORTED("cpu_cap"), UNSUPPORTED("cpu"), UNSUPPORTED("irq"),
	UNSUPPORTED("ioports"), UNSUPPORTED("extid"), UNSUPPORTED("dhcp"),
	UNSUPPORTED("ip"), UNSUPPORTED("netmask"), UNSUPPORTED("gateway"),
	UNSUPPORTED("hostname"), UNSUPPORTED("nfs_server"),
	UNSUPPORTED("nfs_root"), UNSUPPORTED("access_control"),
	UNSUPPORTED("videoram"), UNSUPPORTED("on_watchdog"),
	UNSUPPORTED("on_soft_reset"), UNSUPPORTED("seclabel"),
	UNSUPPORTED("pool"), UNSUPPORTED("max_grant_frames"),
	UNSUPPORTED("xen_platform_pci"), UNSUPPORTED("timer_mode"),
	UNSUPPORTED("monitor"), UNSUPPORTED("blkif"), UNSUPPORTED("netif"),
	UNSUPPORTED("tpmif"),
};

#define N_KEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

const char *cfg_option_name(size_t i)
{
	return i < N_KEYS ? cfg_keys[i].name : NULL;
}

static const char *option_at(const void *unused, size_t i)
{
	(void)unused;
	return cfg_option_name(i);
}

static const struct cfg_key *key_find(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (!strcmp(cfg_keys[i].name, name))
			return &cfg_keys[i];
	return NULL;
}

static int unknown_option(struct cfg_apply *a, const struct cfg_setting *s)
{
	const char *hint = cfg_closest_by(s->name, option_at, NULL);

	a->diag->has_error = true;
	if (hint)
		return cfg_msg_set(&a->diag->error, a->file, s->line, s->col,
				   "unknown option '%s' (did you mean '%s'?)",
				   s->name, hint);
	return cfg_msg_set(&a->diag->error, a->file, s->line, s->col,
			   "unknown option '%s'", s->name);
}

int cfg_apply_setting(struct cfg_apply *a, const struct cfg_setting *s)
{
	const struct cfg_key *k = key_find(s->name);
	struct key_ctx x = { .a = a, .k = k, .line = s->line, .col = s->col };
	bool append;
	int rc;

	if (!k)
		return unknown_option(a, s);
	if (s->append && k->set != set_disks && k->set != set_vifs) {
		a->diag->has_error = true;
		return cfg_msg_set(&a->diag->error, a->file, s->line, s->col,
				   "'+=' works only on list options such as "
				   "disk and vif, not on '%s'", s->name);
	}
	append = a->append;
	a->append |= s->append;
	rc = k->set(&x, s->value);
	a->append = append;
	if (rc == -EINVAL) {
		a->diag->has_error = true;
		return cfg_msg_set(&a->diag->error, a->file, x.line, x.col,
				   "%s", x.err);
	}
	if (!rc && k->line_idx != CFG_L_NONE)
		a->lines[k->line_idx] = s->line;
	return rc;
}

void cfg_dom_defaults(struct dom_config *c)
{
	memset(c, 0, sizeof(*c));
	c->type = CFG_TYPE_PVH;
	c->on_poweroff = CFG_ACTION_DESTROY;
	c->on_reboot = CFG_ACTION_RESTART;
	c->on_crash = CFG_ACTION_RESTART;
}
