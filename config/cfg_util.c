/* config/cfg_util.c: messages, "did you mean", cpus= ranges, names.
 *
 * Small helpers the other config/ files share. Nothing here allocates
 * except cfg_warn (the warning array) and cfg_cmdline (its result). */
#include "config/cfg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cfg_msg_set(struct cfg_msg *m, const char *file, int line, int col,
		const char *fmt, ...)
{
	va_list ap;

	m->file = file;
	m->line = line;
	m->col = col;
	va_start(ap, fmt);
	vsnprintf(m->phrase, sizeof(m->phrase), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int cfg_warn(struct cfg_diag *d, const char *file, int line, int col,
	     const char *fmt, ...)
{
	struct cfg_msg *n, *m;
	va_list ap;

	n = realloc(d->warnings, (d->n_warnings + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	d->warnings = n;
	m = &n[d->n_warnings++];
	m->file = file;
	m->line = line;
	m->col = col;
	va_start(ap, fmt);
	vsnprintf(m->phrase, sizeof(m->phrase), fmt, ap);
	va_end(ap);
	return 0;
}

void cfg_diag_init(struct cfg_diag *diag)
{
	memset(diag, 0, sizeof(*diag));
}

void cfg_diag_free(struct cfg_diag *diag)
{
	free(diag->warnings);
	cfg_diag_init(diag);
}

void cfg_msg_format(const struct cfg_msg *m, char *buf, size_t len)
{
	const char *file = m->file ? m->file : "(config)";

	if (m->line > 0 && m->col > 0)
		snprintf(buf, len, "%s:%d:%d: %s", file, m->line, m->col,
			 m->phrase);
	else if (m->line > 0)
		snprintf(buf, len, "%s:%d: %s", file, m->line, m->phrase);
	else
		snprintf(buf, len, "%s: %s", file, m->phrase);
}

size_t cfg_levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (lb >= sizeof(row) / sizeof(row[0]) || la >= 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *cfg_closest_by(const char *word,
			   const char *(*name_at)(const void *, size_t),
			   const void *names)
{
	size_t best = (size_t)-1, limit = strlen(word) / 3 + 1;
	const char *hit = NULL, *name;

	if (limit > 3)
		limit = 3;
	for (size_t i = 0; (name = name_at(names, i)); i++) {
		size_t d = cfg_levenshtein(word, name);

		if (d < best) {
			best = d;
			hit = name;
		}
	}
	return best <= limit ? hit : NULL;
}

static const char *array_at(const void *names, size_t i)
{
	return ((const char *const *)names)[i];
}

const char *cfg_closest(const char *word, const char *const *names)
{
	return cfg_closest_by(word, array_at, names);
}

static void cpumap_set(uint64_t *map, unsigned lo, unsigned hi, bool on)
{
	for (unsigned c = lo; c <= hi; c++) {
		if (on)
			map[c / 64] |= 1ull << (c % 64);
		else
			map[c / 64] &= ~(1ull << (c % 64));
	}
}

static int cpu_number(const char **p, unsigned *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s++ - '0');
		if (v >= CFG_MAX_CPUS)
			return -ERANGE;
	}
	*p = s;
	*out = (unsigned)v;
	return 0;
}

/* One element: "N", "N-M", "^N", "^N-M", or "all". */
static int cpus_item(const char *item, uint64_t *map, char *err, size_t len)
{
	const char *p = item;
	bool neg = *p == '^';
	unsigned lo, hi;
	int r;

	if (strcmp(item, "all") == 0) {
		cpumap_set(map, 0, CFG_MAX_CPUS - 1, true);
		return 0;
	}
	p += neg;
	r = cpu_number(&p, &lo);
	hi = lo;
	if (!r && *p == '-') {
		p++;
		r = cpu_number(&p, &hi);
	}
	if (r == -ERANGE) {
		snprintf(err, len, "CPU number in '%s' is too large (at most %d)",
			 item, CFG_MAX_CPUS - 1);
		return -EINVAL;
	}
	if (r || *p || hi < lo) {
		snprintf(err, len, "invalid CPU range '%s' (expected N, N-M "
			 "or ^N)", item);
		return -EINVAL;
	}
	cpumap_set(map, lo, hi, !neg);
	return 0;
}

int cfg_cpus_parse(const char *s, uint64_t *map, char *err, size_t errlen)
{
	char *copy = strdup(s), *save = NULL, *item;
	int rc = 0;
	bool any = false;

	if (!copy)
		return -ENOMEM;
	memset(map, 0, CFG_CPUMAP_WORDS * sizeof(*map));
	/* A leading exclusion ("^1") excludes from every CPU, as xm does. */
	if (s[0] == '^')
		cpumap_set(map, 0, CFG_MAX_CPUS - 1, true);
	for (item = strtok_r(copy, ",", &save); item && !rc;
	     item = strtok_r(NULL, ",", &save)) {
		item += strspn(item, " ");
		item[strcspn(item, " ")] = '\0';
		rc = cpus_item(item, map, err, errlen);
		any = true;
	}
	free(copy);
	if (!rc && !any) {
		snprintf(err, errlen, "empty CPU list");
		rc = -EINVAL;
	}
	for (unsigned w = 0; !rc && w < CFG_CPUMAP_WORDS; w++)
		if (map[w])
			return 0;
	if (!rc) {
		snprintf(err, errlen, "CPU list '%s' leaves no CPU", s);
		rc = -EINVAL;
	}
	return rc;
}

static bool cpu_isset(const uint64_t *map, unsigned c)
{
	return c < CFG_MAX_CPUS && (map[c / 64] >> (c % 64)) & 1;
}

void cfg_cpus_format(const uint64_t *map, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < CFG_MAX_CPUS && used < len; c++) {
		unsigned end = c;
		int n;

		if (!cpu_isset(map, c))
			continue;
		while (cpu_isset(map, end + 1))
			end++;
		if (end == c)
			n = snprintf(buf + used, len - used, "%s%u",
				     used ? "," : "", c);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u",
				     used ? "," : "", c, end);
		if (n < 0)
			break;
		used += (size_t)n;
		c = end;
	}
}

const char *cfg_action_name(enum cfg_action a)
{
	static const char *const names[] = {
		[CFG_ACTION_DESTROY] = "destroy",
		[CFG_ACTION_RESTART] = "restart",
		[CFG_ACTION_PRESERVE] = "preserve",
		[CFG_ACTION_RENAME_RESTART] = "rename-restart",
		[CFG_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
		[CFG_ACTION_COREDUMP_RESTART] = "coredump-restart",
	};
	return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

const char *cfg_xend_action_name(enum cfg_xend_action a)
{
	static const char *const names[] = {
		[CFG_XEND_IGNORE] = "ignore",     [CFG_XEND_START] = "start",
		[CFG_XEND_SHUTDOWN] = "shutdown", [CFG_XEND_SUSPEND] = "suspend",
	};
	return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

const char *cfg_type_name(enum cfg_guest_type t)
{
	static const char *const names[] = {
		[CFG_TYPE_PVH] = "pvh",
		[CFG_TYPE_HVM] = "hvm",
		[CFG_TYPE_PV] = "pv",
	};
	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

const char *cfg_format_name(enum cfg_disk_format f)
{
	static const char *const names[] = {
		[CFG_FORMAT_RAW] = "raw",   [CFG_FORMAT_QCOW] = "qcow",
		[CFG_FORMAT_QCOW2] = "qcow2", [CFG_FORMAT_VHD] = "vhd",
		[CFG_FORMAT_QED] = "qed",
	};
	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}

int cfg_disk_uname(const struct cfg_disk *d, char *buf, size_t len)
{
	int n;

	if (!d->target[0]) { /* an empty cdrom drive */
		buf[0] = '\0';
		return 0;
	}
	switch (d->backend) {
	case CFG_DISK_FILE:
		n = snprintf(buf, len, "file:%s", d->target);
		break;
	case CFG_DISK_PHY:
		n = snprintf(buf, len, "phy:%s", d->target);
		break;
	default:
		n = snprintf(buf, len, "tap:%s:%s",
			     d->format == CFG_FORMAT_RAW
				     ? "aio"
				     : cfg_format_name(d->format),
			     d->target);
		break;
	}
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int cfg_cmdline(const struct dom_config *c, char **out)
{
	int n;

	*out = NULL;
	if (c->cmdline) {
		*out = strdup(c->cmdline);
		return *out ? 0 : -ENOMEM;
	}
	if (!c->root && !c->extra)
		return 0;
	n = asprintf(out, "%s%s%s%s", c->root ? "root=" : "",
		     c->root ? c->root : "", c->root && c->extra ? " " : "",
		     c->extra ? c->extra : "");
	if (n < 0) {
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}
