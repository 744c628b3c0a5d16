/* toolstack/domid.c: domain ids and names, and small shared helpers.
 *
 * Ids are given in increasing order from 1, as Xen does, and are not
 * reused until the counter wraps at XEND_DOMID_MAX; 0 is the host
 * (Domain-0). Names are unique among the domains in the table. */
#include "toolstack/xend.h"
#include "xenstore/xs.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct domain *dom_find_id(struct xend *x, unsigned domid)
{
	for (struct domain *d = x->domains; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

struct domain *dom_find_name(struct xend *x, const char *name)
{
	for (struct domain *d = x->domains; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

struct domain *dom_lookup(struct xend *x, const char *s)
{
	struct domain *d = dom_find_name(x, s);
	char *end;
	unsigned long id;

	if (d || !*s)
		return d;
	errno = 0;
	id = strtoul(s, &end, 10);
	if (*end || errno || id > XEND_DOMID_MAX || !isdigit((unsigned char)*s))
		return NULL;
	return dom_find_id(x, (unsigned)id);
}

unsigned dom_alloc_id(struct xend *x)
{
	for (unsigned tries = 0; tries < XEND_DOMID_MAX; tries++) {
		unsigned id = x->next_domid;

		x->next_domid = id >= XEND_DOMID_MAX ? 1 : id + 1;
		if (id >= 1 && !dom_find_id(x, id))
			return id;
	}
	return 0;
}

int dom_check_name(const char *name, char *err, size_t errlen)
{
	size_t len = strlen(name);

	if (!len || len > XEND_NAME_MAX) {
		snprintf(err, errlen, "domain name must be 1 to %d characters",
			 XEND_NAME_MAX);
		return -EINVAL;
	}
	if (!strcmp(name, "Domain-0")) {
		snprintf(err, errlen, "the name 'Domain-0' is the host's");
		return -EINVAL;
	}
	if (isdigit((unsigned char)name[0]) && strspn(name, "0123456789") == len) {
		snprintf(err, errlen, "domain name '%s' is a number; names "
			 "must not look like ids", name);
		return -EINVAL;
	}
	for (const char *p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("-_.+:", *p)) {
			snprintf(err, errlen, "domain name '%s' has a character "
				 "other than letters, digits and -_.+:", name);
			return -EINVAL;
		}
	}
	return 0;
}

void dom_gen_uuid(char out[37])
{
	unsigned char u[16] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, u, sizeof(u)) != (ssize_t)sizeof(u))
			memset(u, 0x5a, sizeof(u));
		close(fd);
	}
	u[6] = (u[6] & 0x0f) | 0x40; /* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
		 u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
}

static const char *const action_names[] = {
	[DOM_ACT_DESTROY] = "destroy",
	[DOM_ACT_RESTART] = "restart",
	[DOM_ACT_PRESERVE] = "preserve",
	[DOM_ACT_RENAME_RESTART] = "rename-restart",
	[DOM_ACT_COREDUMP_DESTROY] = "coredump-destroy",
	[DOM_ACT_COREDUMP_RESTART] = "coredump-restart",
};

int dom_action_parse(const char *s, enum dom_action *out)
{
	for (unsigned i = 0; i < sizeof(action_names) / sizeof(*action_names);
	     i++) {
		if (!strcmp(s, action_names[i])) {
			*out = (enum dom_action)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *dom_action_name(enum dom_action a)
{
	return (unsigned)a < sizeof(action_names) / sizeof(*action_names) ?
		action_names[a] : "?";
}

static const char *const exit_names[] = {
	[DOM_EXIT_POWEROFF] = "poweroff",
	[DOM_EXIT_REBOOT] = "reboot",
	[DOM_EXIT_CRASH] = "crash",
	[DOM_EXIT_HALT] = "halt",
	[DOM_EXIT_SUSPEND] = "suspend",
	[DOM_EXIT_WATCHDOG] = "watchdog",
	[DOM_EXIT_SOFT_RESET] = "soft_reset",
	[DOM_EXIT_DESTROYED] = "destroyed",
};

const char *dom_exit_name(enum dom_exit e)
{
	return (unsigned)e < sizeof(exit_names) / sizeof(*exit_names) ?
		exit_names[e] : "?";
}

int dom_exit_parse(const char *s, enum dom_exit *out)
{
	for (unsigned i = 0; i < sizeof(exit_names) / sizeof(*exit_names); i++) {
		if (!strcmp(s, exit_names[i])) {
			*out = (enum dom_exit)i;
			return 0;
		}
	}
	return -EINVAL;
}

struct xs_handle *xend_xs(struct xend *x, char *err, size_t errlen)
{
	int rc;

	if (x->xs)
		return x->xs;
	rc = xs_open(x->o.xenstore, &x->xs);
	if (rc) {
		x->xs = NULL;
		snprintf(err, errlen, "cannot connect to xenstored at %s: %s",
			 x->o.xenstore ? x->o.xenstore :
			 getenv("XENSTORED_PATH") ? getenv("XENSTORED_PATH") :
			 XS_DEFAULT_SOCKET, strerror(-rc));
		return NULL;
	}
	return x->xs;
}

struct xs_handle *xend_xs_live(struct xend *x, char *err, size_t errlen)
{
	char *path = NULL;

	if (x->xs && xs_get_domain_path(x->xs, 0, &path) == 0) {
		free(path);
		return x->xs;
	}
	xend_xs_drop(x); /* xenstored restarted: reconnect */
	return xend_xs(x, err, errlen);
}

void xend_xs_drop(struct xend *x)
{
	if (x->xs)
		xs_close(x->xs);
	x->xs = NULL;
}

char *xend_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

uint64_t host_mem_kib(bool free_only)
{
	const char *key = free_only ? "MemAvailable:" : "MemTotal:";
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long long v = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, strlen(key))) {
			v = strtoull(line + strlen(key), NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

unsigned host_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}
