/* config/cfg_load.c: cfg_load(), command-line overrides, whole-config
 * checks, and cfg_dom_free().
 *
 * Order: parse the file into a tree (cfg_parse.c), apply its settings in
 * order through the key table (cfg_keys.c), apply the "name=value"
 * overrides the same way (list options append), fill the defaults that
 * depend on other options, then check the whole against the host. The
 * first error stops everything; nothing is half-returned. */
#include "config/cfg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CFG_DEFAULT_MEMORY_MB 128

static int check_fail(const struct cfg_apply *a, int line, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));

static int check_fail(const struct cfg_apply *a, int line, const char *fmt,
		      ...)
{
	struct cfg_msg *m = &a->diag->error;
	va_list ap;

	a->diag->has_error = true;
	m->file = a->file;
	m->line = line;
	m->col = 0;
	va_start(ap, fmt);
	vsnprintf(m->phrase, sizeof(m->phrase), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int check_file(const struct cfg_apply *a, const struct cfg_host *host,
		      const char *what, const char *path, int line)
{
	int r;

	if (!host || !host->path_check || !path)
		return 0;
	r = host->path_check(host->opaque, path);
	if (r == 0)
		return 0;
	return check_fail(a, line, "cannot use %s file '%s': %s", what, path,
			  strerror(-r));
}

static int check_boot(const struct cfg_apply *a, const struct cfg_host *host)
{
	const struct dom_config *c = a->c;
	int rc;

	if (c->type != CFG_TYPE_HVM && !c->kernel && !c->bootloader)
		return check_fail(a, 0, "no 'kernel' given (a %s guest needs "
				  "kernel= or bootloader=)",
				  c->type == CFG_TYPE_PV ? "PV" : "PVH");
	if (c->bootloader)
		return 0; /* the kernel lives inside the guest's disk */
	rc = check_file(a, host, "kernel", c->kernel, a->lines[CFG_L_KERNEL]);
	if (!rc)
		rc = check_file(a, host, "ramdisk", c->ramdisk,
				a->lines[CFG_L_RAMDISK]);
	return rc;
}

static int check_sizes(const struct cfg_apply *a, const struct cfg_host *host)
{
	const struct dom_config *c = a->c;

	if (host && host->mem_mb && c->memory_mb > host->mem_mb)
		return check_fail(a, a->lines[CFG_L_MEMORY],
				  "memory %llu MiB is more than the host has "
				  "(%llu MiB)",
				  (unsigned long long)c->memory_mb,
				  (unsigned long long)host->mem_mb);
	if (c->maxmem_mb < c->memory_mb)
		return check_fail(a, a->lines[CFG_L_MAXMEM],
				  "maxmem (%llu MiB) is less than memory "
				  "(%llu MiB)",
				  (unsigned long long)c->maxmem_mb,
				  (unsigned long long)c->memory_mb);
	if (c->vcpus > c->maxvcpus)
		return check_fail(a, a->lines[CFG_L_VCPUS],
				  "vcpus (%u) is more than maxvcpus (%u)",
				  c->vcpus, c->maxvcpus);
	return 0;
}

static const char *where(int line, char *buf)
{
	if (line <= 0)
		return "on the command line";
	snprintf(buf, 32, "on line %d", line);
	return buf;
}

static int check_devices(const struct cfg_apply *a)
{
	const struct dom_config *c = a->c;
	char buf[32];

	for (size_t i = 0; i < c->n_disks; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->disks[i].vdev, c->disks[j].vdev))
				return check_fail(
					a, c->disks[i].line,
					"virtual device '%s' is used twice "
					"(also %s)", c->disks[i].vdev,
					where(c->disks[j].line, buf));
	for (size_t i = 0; i < c->n_vifs; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct cfg_vif *x = &c->vifs[i], *y = &c->vifs[j];

			if (x->mac && y->mac && !strcmp(x->mac, y->mac))
				return check_fail(a, x->line,
						  "MAC address %s is used "
						  "twice (also %s)",
						  x->mac, where(y->line, buf));
			if (x->vifname && y->vifname &&
			    !strcmp(x->vifname, y->vifname))
				return check_fail(a, x->line,
						  "vifname '%s' is used twice "
						  "(also %s)",
						  x->vifname, where(y->line, buf));
		}
	}
	return 0;
}

int cfg_check(const struct cfg_apply *a, const struct cfg_host *host)
{
	const struct dom_config *c = a->c;
	int rc;

	if (!c->name)
		return check_fail(a, 0, "no 'name' given");
	if (c->cmdline && (c->root || c->extra)) {
		rc = cfg_warn(a->diag, a->file, a->lines[CFG_L_CMDLINE], 0,
			      "cmdline= is given; root= and extra= are "
			      "ignored");
		if (rc)
			return rc;
	}
	rc = check_boot(a, host);
	if (!rc)
		rc = check_sizes(a, host);
	if (!rc)
		rc = check_devices(a);
	return rc;
}

static bool is_identifier(const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_", s[i]))
			return false;
	return true;
}

/* "memory=256" -> a one-setting tree: the value is read as config
 * syntax when it parses as such (256, 'x', [...]), else taken as a plain
 * string (name=web, extra=console=hvc0). */
static int override_tree(const char *arg, size_t name_len,
			 struct cfg_tree **out)
{
	struct cfg_tree *t = NULL;
	struct cfg_setting *s;
	struct cfg_msg ignored;

	if (cfg_tree_parse(arg, arg, strlen(arg), &t, &ignored) == 0 &&
	    t->n_settings == 1) {
		*out = t;
		return 0;
	}
	cfg_tree_free(t);
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	*out = t;
	t->settings = calloc(1, sizeof(*s));
	if (!t->settings)
		return -ENOMEM;
	t->n_settings = 1;
	s = &t->settings[0];
	s->name = strndup(arg, name_len);
	s->value = calloc(1, sizeof(*s->value));
	if (!s->name || !s->value)
		return -ENOMEM;
	s->value->type = CFG_V_STRING;
	s->value->s = strdup(arg + name_len + 1);
	return s->value->s ? 0 : -ENOMEM;
}

static int apply_override(struct cfg_apply *a, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct cfg_tree *tree = NULL;
	int lines[CFG_L_COUNT], rc;
	size_t n_disks, n_vifs;

	a->file = arg;
	if (!eq || !is_identifier(arg, (size_t)(eq - arg))) {
		a->diag->has_error = true;
		return cfg_msg_set(&a->diag->error, arg, 0, 0,
				   "expected name=value");
	}
	memcpy(lines, a->lines, sizeof(lines));
	n_disks = a->c->n_disks;
	n_vifs = a->c->n_vifs;
	rc = override_tree(arg, (size_t)(eq - arg), &tree);
	if (!rc)
		rc = cfg_apply_setting(a, &tree->settings[0]);
	for (size_t i = n_disks; i < a->c->n_disks; i++)
		a->c->disks[i].line = 0;
	for (size_t i = n_vifs; i < a->c->n_vifs; i++)
		a->c->vifs[i].line = 0;
	/* The setting came from the command line: no file line to show. */
	for (int i = 0; i < CFG_L_COUNT; i++)
		if (a->lines[i] != lines[i])
			a->lines[i] = 0;
	a->diag->error.line = a->diag->error.col = 0;
	cfg_tree_free(tree);
	return rc;
}

/* Python keeps the last assignment; say so, since it is rarely meant. */
static int warn_repeated(struct cfg_apply *a, const struct cfg_tree *t,
			 size_t i)
{
	const struct cfg_setting *s = &t->settings[i];

	if (s->append)
		return 0; /* '+=' is meant to add */
	for (size_t j = 0; j < i; j++)
		if (!strcmp(t->settings[j].name, s->name))
			return cfg_warn(a->diag, a->file, s->line, s->col,
					"'%s' is set again (first on line %d); "
					"this value is used", s->name,
					t->settings[j].line);
	return 0;
}

static int apply_all(struct cfg_apply *a, const struct cfg_tree *t,
		     const char *const *overrides, size_t n_overrides)
{
	const char *file = a->file;
	int rc = 0;

	for (size_t i = 0; !rc && i < t->n_settings; i++) {
		rc = warn_repeated(a, t, i);
		if (!rc)
			rc = cfg_apply_setting(a, &t->settings[i]);
	}
	a->append = true;
	for (size_t i = 0; !rc && i < n_overrides; i++) {
		size_t w = a->diag->n_warnings;

		rc = apply_override(a, overrides[i]);
		for (; w < a->diag->n_warnings; w++)
			a->diag->warnings[w].line = a->diag->warnings[w].col = 0;
	}
	if (!rc)
		a->file = file;
	return rc;
}

static void fill_defaults(struct dom_config *c)
{
	if (!c->memory_mb)
		c->memory_mb = CFG_DEFAULT_MEMORY_MB;
	if (!c->maxmem_mb)
		c->maxmem_mb = c->memory_mb;
	if (!c->vcpus)
		c->vcpus = 1;
	if (!c->maxvcpus)
		c->maxvcpus = c->vcpus;
}

int cfg_load(const char *file, const char *buf, size_t len,
	     const char *const *overrides, size_t n_overrides,
	     const struct cfg_host *host, struct dom_config **out,
	     struct cfg_diag *diag)
{
	struct cfg_apply a = { .diag = diag, .file = file };
	struct cfg_tree *tree = NULL;
	int rc;

	*out = NULL;
	a.c = calloc(1, sizeof(*a.c));
	if (!a.c)
		return -ENOMEM;
	cfg_dom_defaults(a.c);
	rc = cfg_tree_parse(file, buf, len, &tree, &diag->error);
	if (rc == -EINVAL)
		diag->has_error = true;
	if (!rc)
		rc = apply_all(&a, tree, overrides, n_overrides);
	if (!rc) {
		fill_defaults(a.c);
		rc = cfg_check(&a, host);
	}
	cfg_tree_free(tree);
	if (rc) {
		cfg_dom_free(a.c);
		return rc;
	}
	*out = a.c;
	return 0;
}

void cfg_dom_free(struct dom_config *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->kernel);
	free(c->ramdisk);
	free(c->root);
	free(c->extra);
	free(c->cmdline);
	free(c->bootloader);
	free(c->bootloader_args);
	for (size_t i = 0; i < c->n_disks; i++)
		cfg_disk_clear(&c->disks[i]);
	free(c->disks);
	for (size_t i = 0; i < c->n_vifs; i++)
		cfg_vif_clear(&c->vifs[i]);
	free(c->vifs);
	free(c);
}
