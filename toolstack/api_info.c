/* toolstack/api_info.c: uptime, vcpu-list, info, log and dmesg.
 *
 * kxen's "hypervisor" is the set of domain monitors, so `xm dmesg` shows
 * their logs (each domain's DIR/monitor.log) and `-c` empties them;
 * `xm log` shows the end of xend.log. */
#include "toolstack/api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define LOG_TAIL (64 * 1024)

static void fmt_uptime(char *buf, size_t len, long secs)
{
	long days = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60;

	if (days)
		snprintf(buf, len, "%ld day%s, %2ld:%02ld:%02ld", days,
			 days == 1 ? "" : "s", h, m, secs % 60);
	else
		snprintf(buf, len, "%2ld:%02ld:%02ld", h, m, secs % 60);
}

static long host_uptime(void)
{
	double up = 0;
	FILE *f = fopen("/proc/uptime", "re");

	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = 0;
		fclose(f);
	}
	return (long)up;
}

static bool word_named(struct xend *x, int argc, char **argv,
		       struct domain *d)
{
	bool any = false;

	for (int i = 0; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		any = true;
		if (d ? dom_lookup(x, argv[i]) == d :
		    (!strcmp(argv[i], "0") || !strcmp(argv[i], "Domain-0")))
			return true;
	}
	return !any;
}

int show_uptime(struct xend *x, int argc, char **argv, FILE *f, char **err)
{
	bool shrt = false;
	time_t now = time(NULL);
	struct domain **v;
	char up[64], clock[16];
	size_t n;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "--short"))
			shrt = true;
		else if (argv[i][0] == '-')
			return *err = xend_strdup_printf("uptime: unknown option "
							 "'%s'", argv[i]), 2;
	}
	if (show_check_names(x, argc, argv, err))
		return 1;
	v = dom_sorted(x, &n);
	if (!v)
		return *err = strdup("out of memory"), 1;
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	if (!shrt)
		fprintf(f, "%-32s %5s %s\n", "Name", "ID", "Uptime");
	for (size_t i = 0; i <= n; i++) {
		struct domain *d = i ? v[i - 1] : NULL;
		long secs = d ? (long)(now - d->start_time) : host_uptime();

		if (!word_named(x, argc, argv, d) ||
		    (d && d->state != DOM_RUNNING))
			continue;
		fmt_uptime(up, sizeof(up), secs);
		if (shrt)
			fprintf(f, "%s up %s, %s (%u)\n", clock, up,
				d ? d->name : "Domain-0", d ? d->domid : 0);
		else
			fprintf(f, "%-32s %5u %s\n", d ? d->name : "Domain-0",
				d ? d->domid : 0, up);
	}
	free(v);
	return 0;
}

int show_vcpu_list(struct xend *x, int argc, char **argv, FILE *f,
		   char **err)
{
	struct domain **v;
	size_t n;

	if (show_check_names(x, argc, argv, err))
		return 1;
	v = dom_sorted(x, &n);
	if (!v)
		return *err = strdup("out of memory"), 1;
	fprintf(f, "%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU",
		"CPU", "State", "Time(s)", "CPU Affinity");
	for (unsigned c = 0; word_named(x, argc, argv, NULL) &&
	     c < host_cpus(); c++)
		fprintf(f, "%-32s %5u %5u %5u %5s %9s %s\n", "Domain-0", 0, c,
			c, "r--", "-", "any cpu");
	for (size_t i = 0; i < n; i++) {
		json_t *b = json_object_get(v[i]->config, "b_info");
		unsigned max = (unsigned)json_integer_value(
			json_object_get(b, "max_vcpus"));
		unsigned avail = (unsigned)json_integer_value(
			json_object_get(b, "avail_vcpus"));
		const char *aff = json_string_value(json_object_get(b, "cpumap"));
		struct mon_info mi = { 0 };
		bool paused = v[i]->state == DOM_RUNNING &&
			      mon_info(v[i], &mi) == 0 && mi.paused;

		if (!word_named(x, argc, argv, v[i]) ||
		    v[i]->state != DOM_RUNNING)
			continue;
		for (unsigned c = 0; c < max; c++)
			fprintf(f, "%-32s %5u %5u %5s %5s %9s %s\n", v[i]->name,
				v[i]->domid, c, "-", c >= avail ? "--o" :
				paused ? "--p" : "r--", "-", aff ? aff : "any cpu");
	}
	free(v);
	return 0;
}

int show_info(struct xend *x, FILE *f)
{
	struct utsname u;
	unsigned long long used = 0;

	for (struct domain *d = x->domains; d; d = d->next)
		if (d->state == DOM_RUNNING)
			used += (unsigned long long)json_integer_value(
				json_object_get(json_object_get(d->config,
						"b_info"), "target_memkb"));
	uname(&u);
	fprintf(f, "%-23s: %s\n", "host", u.nodename);
	fprintf(f, "%-23s: %s\n", "release", u.release);
	fprintf(f, "%-23s: %s\n", "version", u.version);
	fprintf(f, "%-23s: %s\n", "machine", u.machine);
	fprintf(f, "%-23s: %u\n", "nr_cpus", host_cpus());
	fprintf(f, "%-23s: %llu\n", "total_memory",
		(unsigned long long)host_mem_kib(false) / 1024);
	fprintf(f, "%-23s: %llu\n", "free_memory",
		(unsigned long long)host_mem_kib(true) / 1024);
	fprintf(f, "%-23s: %llu\n", "domains_memory", used / 1024);
	fprintf(f, "%-23s: %s\n", "hypervisor", "kxen (Linux KVM)");
	fprintf(f, "%-23s: %s\n", "xen_caps", "xen-3.0-x86_64 hvm-3.0-x86_64");
	fprintf(f, "%-23s: %s\n", "xen_scheduler", "credit");
	fprintf(f, "%-23s: %d\n", "xen_pagesize", 4096);
	fprintf(f, "%-23s: %s\n", "xend_monitor", x->monitor_path);
	fprintf(f, "%-23s: %ld\n", "xend_uptime",
		(long)(time(NULL) - x->start_time));
	fprintf(f, "%-23s: %d\n", "xend_config_format", 4);
	return 0;
}

/* The last LOG_TAIL bytes of path, from a line start. */
static void tail_file(FILE *f, const char *path, const char *prefix)
{
	FILE *in = fopen(path, "re");
	char line[1024];
	long size;

	if (!in)
		return;
	fseek(in, 0, SEEK_END);
	size = ftell(in);
	if (size > LOG_TAIL) {
		fseek(in, size - LOG_TAIL, SEEK_SET);
		if (!fgets(line, sizeof(line), in)) {
			fclose(in);
			return;
		}
	} else {
		fseek(in, 0, SEEK_SET);
	}
	while (fgets(line, sizeof(line), in))
		fprintf(f, "%s%s", prefix, line);
	fclose(in);
}

int show_log(struct xend *x, FILE *f)
{
	tail_file(f, x->o.log_file, "");
	return 0;
}

int show_dmesg(struct xend *x, bool clear, FILE *f)
{
	struct domain **v;
	char path[300], prefix[32];
	size_t n;

	v = dom_sorted(x, &n);
	for (size_t i = 0; v && i < n; i++) {
		snprintf(path, sizeof(path), "%s/monitor.log", v[i]->dir);
		snprintf(prefix, sizeof(prefix), "(XEN) [d%u] ", v[i]->domid);
		if (clear) {
			if (truncate(path, 0) < 0 && errno != ENOENT)
				fprintf(f, "cannot clear %s: %s\n", path,
					strerror(errno));
		} else {
			tail_file(f, path, prefix);
		}
	}
	free(v);
	return 0;
}
