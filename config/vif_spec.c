/* config/vif_spec.c: one vif= entry -> struct cfg_vif.
 *
 * "mac=00:16:3e:01:02:03, bridge=xenbr0, ip=10.0.0.5, script=vif-bridge,
 *  vifname=web0, rate=10Mb/s, model=e1000, type=ioemu, backend=dom0"
 * Every field is optional ('' gives a vif with defaults). A MAC is six
 * hex octets and must be unicast; ip is one or more dotted quads separated
 * by spaces; rate is <n><unit>/s with an optional @<n><ms|us|s> window,
 * units B, b, KB, Kb, MB, Mb, GB, Gb. Unknown keys are errors with a
 * "did you mean". MACs come out in lower case. */
#include "config/cfg_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const vif_keys[] = {
	"mac", "bridge", "ip", "script", "vifname", "rate", "model", "type",
	"backend", "accel", "gatewaydev", NULL,
};

static int mac_parse(const char *s, char **out, char *err, size_t len)
{
	char buf[18];
	unsigned first;

	if (strlen(s) != 17)
		goto bad;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			goto bad;
		buf[i] = (char)tolower((unsigned char)s[i]);
	}
	buf[17] = '\0';
	first = (unsigned)strtoul(buf, NULL, 16);
	if (first & 1) {
		snprintf(err, len, "MAC address %s is a multicast address",
			 s);
		return -EINVAL;
	}
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
bad:
	snprintf(err, len, "invalid MAC address '%s' (expected six hex "
		 "octets such as 00:16:3e:12:34:56)", s);
	return -EINVAL;
}

static bool ipv4_valid(const char *s, size_t n)
{
	int parts = 0;
	size_t i = 0;

	while (i < n) {
		unsigned v = 0, digits = 0;

		while (i < n && isdigit((unsigned char)s[i]) && digits < 4) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (!digits || v > 255 || ++parts > 4)
			return false;
		if (i < n && s[i++] != '.')
			return false;
		if (i == n && s[n - 1] == '.')
			return false;
	}
	return parts == 4;
}

static int ip_check(const char *s, char *err, size_t len)
{
	const char *p = s;
	bool any = false;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n && !ipv4_valid(p, n)) {
			snprintf(err, len, "invalid IP address '%.*s' in vif",
				 (int)n, p);
			return -EINVAL;
		}
		any |= n > 0;
		p += n;
		p += strspn(p, " ");
	}
	if (!any) {
		snprintf(err, len, "empty ip= in vif");
		return -EINVAL;
	}
	return 0;
}

/* A decimal number, 1 to UINT32_MAX as libxlu allows; *end after it. */
static int rate_number(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX)
			return -EOVERFLOW;
	}
	if (v == 0)
		return -EOVERFLOW;
	*end = p;
	*out = v;
	return 0;
}

int cfg_vif_rate(const char *s, uint64_t *bytes_per_interval,
		 uint32_t *interval_us, char *err, size_t len)
{
	static const struct { const char *unit; uint64_t mult, div; } units[] = {
		{ "GB", 1000000000, 1 }, { "Gb", 1000000000, 8 },
		{ "MB", 1000000, 1 },	 { "Mb", 1000000, 8 },
		{ "KB", 1000, 1 },	 { "Kb", 1000, 8 },
		{ "B", 1, 1 },		 { "b", 1, 8 },
	};
	const char *p = s;
	uint64_t rate, usec = 50000; /* libxl's default interval */
	size_t u, n = sizeof(units) / sizeof(units[0]);
	int rc = rate_number(p, &p, &rate);

	if (rc)
		goto bad;
	for (u = 0; u < n; u++)
		if (!strncmp(p, units[u].unit, strlen(units[u].unit)))
			break;
	rc = -EINVAL;
	if (u == n)
		goto bad;
	p += strlen(units[u].unit);
	if (strncmp(p, "/s", 2))
		goto bad;
	p += 2;
	rate = rate * units[u].mult / units[u].div;
	if (*p == '@') {
		rc = rate_number(p + 1, &p, &usec);
		if (rc)
			goto bad;
		rc = -EINVAL;
		if (!strcmp(p, "s"))
			usec *= 1000000;
		else if (!strcmp(p, "ms"))
			usec *= 1000;
		else if (strcmp(p, "us"))
			goto bad;
		rc = -EOVERFLOW;
		if (usec > UINT32_MAX)
			goto bad;
	} else if (*p) {
		goto bad;
	}
	rc = -EOVERFLOW;
	if (rate > UINT64_MAX / usec)
		goto bad;
	*bytes_per_interval = rate * usec / 1000000;
	*interval_us = (uint32_t)usec;
	if (*bytes_per_interval)
		return 0;
	snprintf(err, len, "rate '%s' is less than a byte per interval", s);
	return -EINVAL;
bad:
	if (rc == -EOVERFLOW)
		snprintf(err, len, "rate '%s' out of range (1 to 4294967295 "
			 "per unit, interval at most 4294967295us)", s);
	else
		snprintf(err, len, "invalid rate '%s' (expected e.g. 10Mb/s "
			 "or 10MB/s@20ms)", s);
	return rc;
}

static char **vif_field(struct cfg_vif *v, const char *key)
{
	if (!strcmp(key, "bridge")) return &v->bridge;
	if (!strcmp(key, "ip")) return &v->ip;
	if (!strcmp(key, "script")) return &v->script;
	if (!strcmp(key, "vifname")) return &v->vifname;
	if (!strcmp(key, "rate")) return &v->rate;
	if (!strcmp(key, "model")) return &v->model;
	if (!strcmp(key, "type")) return &v->type;
	if (!strcmp(key, "backend")) return &v->backend;
	return NULL;
}

static int vif_key(struct cfg_vif *v, const char *key, const char *val,
		   char *err, size_t len)
{
	char **field;
	const char *hint;

	if (!strcmp(key, "mac")) {
		free(v->mac);
		v->mac = NULL;
		return mac_parse(val, &v->mac, err, len);
	}
	if (!strcmp(key, "accel") || !strcmp(key, "gatewaydev"))
		return 0; /* accepted, no meaning under kxen */
	field = vif_field(v, key);
	if (!field) {
		hint = cfg_closest(key, vif_keys);
		snprintf(err, len, "unknown vif parameter '%s'%s%s%s", key,
			 hint ? " (did you mean '" : "", hint ? hint : "",
			 hint ? "'?)" : "");
		return -EINVAL;
	}
	if (!strcmp(key, "ip") && ip_check(val, err, len))
		return -EINVAL;
	if (!strcmp(key, "rate")) {
		uint64_t bytes;
		uint32_t usec;

		if (cfg_vif_rate(val, &bytes, &usec, err, len))
			return -EINVAL;
	}
	if (!strcmp(key, "vifname") && (!*val || strlen(val) > 15)) {
		snprintf(err, len, "vifname '%s' must be 1 to 15 characters",
			 val);
		return -EINVAL;
	}
	free(*field);
	*field = strdup(val);
	return *field ? 0 : -ENOMEM;
}

static char *vif_trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

int cfg_vif_parse(const char *spec, struct cfg_vif *out, char *err,
		  size_t errlen)
{
	struct cfg_vif v = { 0 };
	char *copy = strdup(spec), *save = NULL, *item;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	for (item = strtok_r(copy, ",", &save); item && !rc;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq;

		item = vif_trim(item);
		if (!*item)
			continue;
		eq = strchr(item, '=');
		if (!eq) {
			snprintf(err, errlen,
				 "expected key=value in vif spec, found '%s'",
				 item);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		rc = vif_key(&v, vif_trim(item), vif_trim(eq + 1), err,
			     errlen);
	}
	free(copy);
	if (rc) {
		cfg_vif_clear(&v);
		return rc;
	}
	*out = v;
	return 0;
}

void cfg_vif_clear(struct cfg_vif *v)
{
	free(v->mac);
	free(v->bridge);
	free(v->ip);
	free(v->script);
	free(v->vifname);
	free(v->rate);
	free(v->model);
	free(v->type);
	free(v->backend);
	memset(v, 0, sizeof(*v));
}
