/* config/disk_spec.c: one disk= entry -> struct cfg_disk.
 *
 * Three spellings, as xm and xl accept them:
 *   xm:  "<prefix>:<path>,<vdev>[:cdrom|:disk],<mode>"  (3 fields)
 *        prefixes file:, phy:, tap:aio:, tap:qcow:, tap:qcow2:, tap:vhd:,
 *        and xl's bare aio:, raw:, qcow:, qcow2:, vhd:, qed:
 *   xl positional: "<target>,<format>,<vdev>,<access>"   (4 fields)
 *   xl key=value:  "format=raw,vdev=xvda,access=rw,target=/path"; target=
 *        takes the rest of the spec, commas included, so it comes last.
 * vdevs are xvd*, hd* or sd* with an optional partition number; modes
 * r, w and w! (xl's ro and rw too). A cdrom is read-only; only a cdrom
 * may have no path. */
#include "config/cfg_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DISK_FIELDS_MAX 16

struct disk_fields {
	char *f[DISK_FIELDS_MAX];
	size_t n;
	char *target_rest; /* key=value form: text after "target=" */
};

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* Split at commas in place; a field starting "target=" ends the split. */
static int disk_split(char *s, struct disk_fields *df, char *err, size_t len)
{
	char *p = s;

	df->n = 0;
	df->target_rest = NULL;
	for (;;) {
		char *comma;

		p += strspn(p, " \t");
		if (strncmp(p, "target=", 7) == 0) {
			df->target_rest = trim(p + 7);
			return 0;
		}
		if (df->n == DISK_FIELDS_MAX) {
			snprintf(err, len, "too many fields in disk spec");
			return -EINVAL;
		}
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		df->f[df->n++] = trim(p);
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static bool vdev_valid(const char *v)
{
	static const char *const prefixes[] = { "xvd", "hd", "sd" };
	size_t letters = 0, plen = 0;
	const char *p;

	for (size_t i = 0; i < 3 && !plen; i++)
		if (strncmp(v, prefixes[i], strlen(prefixes[i])) == 0)
			plen = strlen(prefixes[i]);
	if (!plen)
		return false;
	for (p = v + plen; *p >= 'a' && *p <= 'z'; p++)
		letters++;
	if (letters < 1 || letters > (plen == 2 && v[0] == 'h' ? 1u : 3u))
		return false;
	if (plen == 2 && v[0] == 'h' && v[2] > 't')
		return false; /* IDE has hda..hdt */
	if (*p == '\0')
		return true;
	if (*p == '0' || strlen(p) > 3 || strspn(p, "0123456789") != strlen(p))
		return false;
	return atoi(p) <= 255;
}

/* "xvda", "hdc:cdrom", "hda:disk", "ioemu:hda" into d->vdev, d->cdrom. */
static int disk_set_vdev(struct cfg_disk *d, const char *v, char *err,
			 size_t len)
{
	char buf[64];
	char *colon;

	if (strncmp(v, "ioemu:", 6) == 0)
		v += 6;
	snprintf(buf, sizeof(buf), "%s", v);
	colon = strchr(buf, ':');
	if (colon) {
		if (strcmp(colon, ":cdrom") == 0)
			d->cdrom = true;
		else if (strcmp(colon, ":disk") != 0) {
			snprintf(err, len, "unknown device type '%s' in '%s' "
				 "(expected :cdrom or :disk)", colon + 1, v);
			return -EINVAL;
		}
		*colon = '\0';
	}
	if (!vdev_valid(buf)) {
		snprintf(err, len, "invalid virtual device '%s' (expected "
			 "xvd*, hd* or sd*, e.g. xvda, hdc, sdb1)", buf);
		return -EINVAL;
	}
	free(d->vdev);
	d->vdev = strdup(buf);
	return d->vdev ? 0 : -ENOMEM;
}

static int disk_set_mode(struct cfg_disk *d, const char *m, char *err,
			 size_t len)
{
	if (!strcmp(m, "r") || !strcmp(m, "ro"))
		d->mode = CFG_MODE_R;
	else if (!strcmp(m, "w") || !strcmp(m, "rw"))
		d->mode = CFG_MODE_W;
	else if (!strcmp(m, "w!"))
		d->mode = CFG_MODE_W_FORCE;
	else {
		snprintf(err, len, "invalid access mode '%s' (expected r, w "
			 "or w!)", m);
		return -EINVAL;
	}
	return 0;
}

static int disk_set_format(struct cfg_disk *d, const char *f, char *err,
			   size_t len)
{
	static const char *const names[] = { "raw", "qcow", "qcow2", "vhd",
					     "qed", "aio", "sync", NULL };

	for (int i = 0; names[i]; i++) {
		if (strcmp(f, names[i]) == 0) {
			d->format = i >= 5 ? CFG_FORMAT_RAW
					   : (enum cfg_disk_format)i;
			return 0;
		}
	}
	snprintf(err, len, "unknown disk format '%s' (expected raw, qcow, "
		 "qcow2, vhd or qed)", f);
	return -EINVAL;
}

static int disk_set_target(struct cfg_disk *d, const char *t)
{
	free(d->target);
	d->target = strdup(t);
	return d->target ? 0 : -ENOMEM;
}

/* The xm uname: "file:/p", "phy:/dev/x", "tap:qcow2:/p", "qcow2:/p". */
static int disk_uname(struct cfg_disk *d, const char *u, char *err,
		      size_t len)
{
	const char *colon = strchr(u, ':'), *rest;
	char prefix[16];

	if (!colon) {
		if (u[0] != '/' && u[0] != '\0') {
			snprintf(err, len, "disk '%s' needs a prefix such as "
				 "file:, phy: or tap:aio:", u);
			return -EINVAL;
		}
		d->backend = CFG_DISK_FILE;
		return disk_set_target(d, u);
	}
	snprintf(prefix, sizeof(prefix), "%.*s",
		 (int)(colon - u < 15 ? colon - u : 15), u);
	rest = colon + 1;
	if (!strcmp(prefix, "file")) {
		d->backend = CFG_DISK_FILE;
	} else if (!strcmp(prefix, "phy")) {
		d->backend = CFG_DISK_PHY;
	} else if (!strcmp(prefix, "tap") || !strcmp(prefix, "tap2")) {
		const char *c2 = strchr(rest, ':');

		if (!c2) {
			snprintf(err, len, "'%s' needs a driver, as in "
				 "tap:aio:/path or tap:qcow2:/path", u);
			return -EINVAL;
		}
		snprintf(prefix, sizeof(prefix), "%.*s",
			 (int)(c2 - rest < 15 ? c2 - rest : 15), rest);
		rest = c2 + 1;
		d->backend = CFG_DISK_TAP;
		if (disk_set_format(d, prefix, err, len))
			return -EINVAL;
	} else {
		d->backend = CFG_DISK_TAP;
		if (disk_set_format(d, prefix, err, len)) {
			snprintf(err, len, "unknown disk prefix '%s:' in '%s' "
				 "(expected file:, phy: or tap:<driver>:)",
				 prefix, u);
			return -EINVAL;
		}
	}
	return disk_set_target(d, rest);
}

static int disk_key(struct cfg_disk *d, const char *key, const char *val,
		    char *err, size_t len)
{
	static const char *const keys[] = {
		"target", "format", "vdev", "access", "devtype", "backendtype",
		"script", "backend", "discard", "no-discard", "direct-io-safe",
		NULL,
	};
	const char *hint;

	if (!strcmp(key, "format"))
		return disk_set_format(d, val, err, len);
	if (!strcmp(key, "vdev"))
		return disk_set_vdev(d, val, err, len);
	if (!strcmp(key, "access"))
		return disk_set_mode(d, val, err, len);
	if (!strcmp(key, "devtype")) {
		if (strcmp(val, "cdrom") && strcmp(val, "disk")) {
			snprintf(err, len, "devtype must be disk or cdrom, not "
				 "'%s'", val);
			return -EINVAL;
		}
		d->cdrom = !strcmp(val, "cdrom");
		return 0;
	}
	if (!strcmp(key, "backendtype")) {
		if (!strcmp(val, "phy"))
			d->backend = CFG_DISK_PHY;
		else if (!strcmp(val, "tap") || !strcmp(val, "qdisk"))
			d->backend = CFG_DISK_TAP;
		else {
			snprintf(err, len, "backendtype must be phy, tap or "
				 "qdisk, not '%s'", val);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(key, "script")) {
		free(d->script);
		d->script = strdup(val);
		return d->script ? 0 : -ENOMEM;
	}
	if (!strcmp(key, "backend") || !strcmp(key, "discard") ||
	    !strcmp(key, "no-discard") || !strcmp(key, "direct-io-safe"))
		return 0; /* accepted; backends decide */
	hint = cfg_closest(key, keys);
	snprintf(err, len, "unknown disk parameter '%s'%s%s%s", key,
		 hint ? " (did you mean '" : "", hint ? hint : "",
		 hint ? "'?)" : "");
	return -EINVAL;
}

static int disk_parse_kv(struct cfg_disk *d, struct disk_fields *df,
			 char *err, size_t len)
{
	bool backend_given = false;
	int rc = 0;

	d->backend = CFG_DISK_FILE;
	for (size_t i = 0; i < df->n && !rc; i++) {
		char *eq = strchr(df->f[i], '=');
		const char *key = df->f[i], *val = "";

		if (eq) {
			*eq = '\0';
			key = trim(df->f[i]);
			val = trim(eq + 1);
		} else if (strcmp(key, "discard") && strcmp(key, "no-discard") &&
			   strcmp(key, "direct-io-safe")) {
			snprintf(err, len, "expected key=value in disk spec, "
				 "found '%s'", key);
			return -EINVAL;
		}
		backend_given |= !strcmp(key, "backendtype");
		rc = disk_key(d, key, val, err, len);
	}
	if (!rc && df->target_rest)
		rc = disk_set_target(d, df->target_rest);
	if (!rc && !backend_given)
		d->backend = d->format != CFG_FORMAT_RAW ? CFG_DISK_TAP
			     : d->target && !strncmp(d->target, "/dev/", 5)
				     ? CFG_DISK_PHY
				     : CFG_DISK_FILE;
	return rc;
}

/* "key=..." with a plain key, so that "file:/a=b.img" stays a path. */
static bool is_kv_field(const char *f)
{
	size_t n = strspn(f, "abcdefghijklmnopqrstuvwxyz-");

	return n > 0 && f[n] == '=';
}

static int disk_parse_fields(struct cfg_disk *d, struct disk_fields *df,
			     char *err, size_t len)
{
	bool kv = df->target_rest != NULL;

	for (size_t i = 0; i < df->n; i++)
		kv |= is_kv_field(df->f[i]);
	if (kv)
		return disk_parse_kv(d, df, err, len);
	if (df->n == 3)
		return disk_uname(d, df->f[0], err, len) ?:
		       disk_set_vdev(d, df->f[1], err, len) ?:
		       disk_set_mode(d, df->f[2], err, len);
	if (df->n == 4) {
		d->backend = !strncmp(df->f[0], "/dev/", 5) ? CFG_DISK_PHY
							   : CFG_DISK_FILE;
		return disk_set_target(d, df->f[0]) ?:
		       disk_set_format(d, df->f[1], err, len) ?:
		       disk_set_vdev(d, df->f[2], err, len) ?:
		       disk_set_mode(d, df->f[3], err, len);
	}
	snprintf(err, len, "malformed disk spec: expected "
		 "'prefix:path,vdev,mode' or key=value pairs, got %zu field%s",
		 df->n, df->n == 1 ? "" : "s");
	return -EINVAL;
}

int cfg_disk_parse(const char *spec, struct cfg_disk *out, char *err,
		   size_t errlen)
{
	struct cfg_disk d = { .mode = CFG_MODE_W };
	struct disk_fields df;
	char *copy = strdup(spec);
	int rc;

	if (!copy)
		return -ENOMEM;
	rc = disk_split(copy, &df, err, errlen);
	if (!rc)
		rc = disk_parse_fields(&d, &df, err, errlen);
	free(copy);
	if (!rc && !d.vdev) {
		snprintf(err, errlen, "disk spec has no vdev");
		rc = -EINVAL;
	}
	if (!rc && !d.target)
		rc = disk_set_target(&d, "");
	if (!rc && d.target[0] == '\0' && !d.cdrom) {
		snprintf(err, errlen, "disk %s has no path (only a cdrom "
			 "may be empty)", d.vdev);
		rc = -EINVAL;
	}
	if (!rc && d.cdrom && d.mode != CFG_MODE_R) {
		snprintf(err, errlen, "cdrom %s must be read-only (mode r)",
			 d.vdev);
		rc = -EINVAL;
	}
	if (rc) {
		cfg_disk_clear(&d);
		return rc;
	}
	*out = d;
	return 0;
}

void cfg_disk_clear(struct cfg_disk *d)
{
	free(d->target);
	free(d->vdev);
	free(d->script);
	memset(d, 0, sizeof(*d));
}

int cfg_vdev_number(const char *vdev)
{
	static const int hd_major[] = { 3, 22, 33, 34, 56, 57, 88, 89, 90, 91 };
	unsigned long disk = 0, part = 0;
	size_t plen;
	const char *p;

	if (!vdev || !vdev_valid(vdev))
		return -1;
	plen = vdev[0] == 'x' ? 3 : 2;
	/* Letters count like spreadsheet columns: a..z, aa.. (libxl). */
	for (p = vdev + plen; *p >= 'a' && *p <= 'z'; p++)
		disk = disk * 26 + (unsigned long)(*p - 'a' + 1);
	disk--;
	if (*p)
		part = strtoul(p, NULL, 10);
	switch (vdev[0]) {
	case 'x':
		if (disk < 16 && part < 16)
			return (202 << 8) | (int)(disk << 4) | (int)part;
		if (disk > 0xfffff)
			return -1;
		return (1 << 28) | (int)(disk << 8) | (int)part;
	case 'h':
		if (disk >= 2 * (sizeof(hd_major) / sizeof(*hd_major)) ||
		    part >= 64)
			return -1;
		return (hd_major[disk / 2] << 8) | (int)((disk % 2) << 6) |
		       (int)part;
	default: /* sd */
		if (disk >= 128 || part >= 16)
			return -1;
		return ((disk < 16 ? 8 : 65 + (int)(disk - 16) / 16) << 8) |
		       (int)((disk % 16) << 4) | (int)part;
	}
}
