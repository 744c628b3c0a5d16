/* toolstack/api_show.c: xend's listings, in xm's formats: list (Xen's
 * columns, Domain-0 first, -l/--long SXP, --json, --state=), uptime, vcpu-list,
 * info, log and dmesg. Running domains are asked for their state and CPU
 * time; a monitor that does not answer is shown from xend's record. */
#include "toolstack/api.h"
#include "lib/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

struct row {
	const char *name;
	char id[16];
	unsigned long long mem_mib;
	unsigned vcpus;
	const char *state;
	double cpu_s;
	struct domain *d; /* NULL: Domain-0 or a managed domain */
};

static double host_cpu_seconds(void)
{
	unsigned long long u = 0, n = 0, s = 0;
	FILE *f = fopen("/proc/stat", "re");

	if (f) {
		if (fscanf(f, "cpu %llu %llu %llu", &u, &n, &s) != 3)
			u = n = s = 0;
		fclose(f);
	}
	return (double)(u + n + s) / (double)sysconf(_SC_CLK_TCK);
}

static json_int_t bint(struct domain *d, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(d->config,
						"b_info"), key));
}

static void dom_row(struct domain *d, struct row *r)
{
	struct mon_info mi;

	memset(r, 0, sizeof(*r));
	r->d = d;
	r->name = d->name;
	snprintf(r->id, sizeof(r->id), "%u", d->domid);
	r->mem_mib = (unsigned long long)bint(d, "target_memkb") / 1024;
	r->vcpus = (unsigned)bint(d, "avail_vcpus");
	r->state = d->state == DOM_SHUTDOWN ? "---s--" :
		   d->state == DOM_CRASHED ? "----c-" :
		   d->state == DOM_STARTING ? "--p---" : "r-----";
	if (d->state == DOM_RUNNING && mon_info(d, &mi) == 0) {
		r->state = mi.paused ? "--p---" : "r-----";
		r->cpu_s = (double)mi.cpu_time_ns / 1e9;
		if (mi.memory_kib)
			r->mem_mib = mi.memory_kib / 1024;
	}
}

static void dom0_row(struct row *r)
{
	memset(r, 0, sizeof(*r));
	r->name = "Domain-0";
	strcpy(r->id, "0");
	r->mem_mib = host_mem_kib(false) / 1024;
	r->vcpus = host_cpus();
	r->state = "r-----";
	r->cpu_s = host_cpu_seconds();
}

static bool state_matches(const struct row *r, const char *want)
{
	static const struct { const char *name; char c; int at; } st[] = {
		{ "running", 'r', 0 }, { "blocked", 'b', 1 },
		{ "paused", 'p', 2 }, { "shutdown", 's', 3 },
		{ "crashed", 'c', 4 }, { "dying", 'd', 5 },
	};

	if (!want)
		return true;
	if (!strcmp(want, "halted") || !strcmp(want, "inactive"))
		return !strcmp(r->id, "");
	for (size_t i = 0; i < sizeof(st) / sizeof(*st); i++)
		if (!strcmp(want, st[i].name))
			return r->state[st[i].at] == st[i].c;
	return false;
}

static void sxp_row(FILE *f, const struct row *r)
{
	struct domain *d = r->d;
	json_t *b = d ? json_object_get(d->config, "b_info") : NULL;
	const char *k;

	fprintf(f, "(domain\n    (domid %s)\n    (name %s)\n", *r->id ? r->id :
		"-", r->name);
	if (d)
		fprintf(f, "    (uuid %s)\n", d->uuid);
	fprintf(f, "    (memory %llu)\n", r->mem_mib);
	if (d)
		fprintf(f, "    (maxmem %llu)\n",
			(unsigned long long)bint(d, "max_memkb") / 1024);
	fprintf(f, "    (vcpus %u)\n    (state %s)\n    (cpu_time %.3f)\n",
		r->vcpus, r->state, r->cpu_s);
	if (!d) {
		fputs(")\n", f);
		return;
	}
	fprintf(f, "    (on_poweroff %s)\n    (on_reboot %s)\n"
		"    (on_crash %s)\n    (start_time %lld)\n",
		dom_action_name(d->on_poweroff), dom_action_name(d->on_reboot),
		dom_action_name(d->on_crash), (long long)d->start_time);
	if (d->config_file)
		fprintf(f, "    (config_file %s)\n", d->config_file);
	fputs("    (image\n        (linux\n", f);
	if ((k = json_string_value(json_object_get(b, "kernel"))))
		fprintf(f, "            (kernel %s)\n", k);
	if ((k = json_string_value(json_object_get(b, "ramdisk"))))
		fprintf(f, "            (ramdisk %s)\n", k);
	if ((k = json_string_value(json_object_get(b, "cmdline"))))
		fprintf(f, "            (args '%s')\n", k);
	fputs("        )\n    )\n)\n", f);
}

/* How `list` prints: Xen's table, -l SXP, or --json (as `xl list -l`
 * gives scripts JSON): one array, written when the listing is done. */
struct list_out {
	bool lng;
	json_t *json; /* non-NULL with --json */
};

static void print_row(FILE *f, const struct row *r, const struct list_out *o)
{
	if (o->json)
		json_array_append_new(o->json, json_pack(
			"{s:s,s:s,s:I,s:i,s:s,s:f}", "name", r->name,
			"domid", r->id, "memory_mib", (json_int_t)r->mem_mib,
			"vcpus", (int)r->vcpus, "state", r->state,
			"cpu_time_s", r->cpu_s));
	else if (o->lng)
		sxp_row(f, r);
	else
		fprintf(f, "%-40s %5s %5llu %5u %10s %8.1f\n", r->name, r->id,
			r->mem_mib, r->vcpus, r->state, r->cpu_s);
}

static int managed_rows(struct xend *x, FILE *f, const struct list_out *o,
			const char *want)
{
	char **names = managed_names(x);
	json_t *cfg, *b;
	struct row r;

	for (size_t i = 0; names && names[i]; i++) {
		if (!dom_find_name(x, names[i])) {
			memset(&r, 0, sizeof(r));
			r.name = names[i];
			r.state = "------";
			cfg = managed_config(x, names[i]);
			b = json_object_get(cfg, "b_info");
			r.mem_mib = (unsigned long long)json_integer_value(
				json_object_get(b, "target_memkb")) / 1024;
			r.vcpus = (unsigned)json_integer_value(
				json_object_get(b, "avail_vcpus"));
			json_decref(cfg);
			if (state_matches(&r, want))
				print_row(f, &r, o);
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

static int by_domid(const void *a, const void *b)
{
	const struct domain *da = *(struct domain *const *)a;
	const struct domain *db = *(struct domain *const *)b;

	return da->domid < db->domid ? -1 : da->domid > db->domid;
}

struct domain **dom_sorted(struct xend *x, size_t *n_out)
{
	size_t n = 0, i = 0;
	struct domain **v;

	for (struct domain *d = x->domains; d; d = d->next)
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (struct domain *d = x->domains; d; d = d->next)
		v[i++] = d;
	qsort(v, n, sizeof(*v), by_domid);
	*n_out = n;
	return v;
}

/* Is the row named by one of the words (or are there none)? */
static bool named(struct xend *x, char **words, int n, struct domain *d)
{
	bool any = false;

	for (int i = 0; i < n; i++) {
		if (words[i][0] == '-')
			continue;
		any = true;
		if (!d && (!strcmp(words[i], "0") ||
			   !strcmp(words[i], "Domain-0")))
			return true;
		if (d && dom_lookup(x, words[i]) == d)
			return true;
	}
	return !any;
}

/* Check the domain words of a listing; 0 or status 1 with *err. */
int show_check_names(struct xend *x, int argc, char **argv, char **err)
{
	for (int i = 0; i < argc; i++) {
		if (argv[i][0] == '-' || !strcmp(argv[i], "0") ||
		    !strcmp(argv[i], "Domain-0") || dom_lookup(x, argv[i]))
			continue;
		*err = xend_strdup_printf("domain '%s' does not exist", argv[i]);
		return 1;
	}
	return 0;
}

int show_list(struct xend *x, int argc, char **argv, FILE *f, char **err)
{
	const char *want = NULL;
	bool all = true;
	struct list_out out = { 0 }, *o = &out;
	struct domain **v;
	struct row r;
	size_t n;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "--long"))
			out.lng = true;
		else if (!strcmp(argv[i], "--json") && !out.json)
			out.json = json_array();
		else if (!strncmp(argv[i], "--state=", 8))
			want = argv[i] + 8;
		else if (argv[i][0] == '-')
			return *err = xend_strdup_printf("list: unknown option "
							 "'%s'", argv[i]), 2;
		else
			all = false;
	}
	if (show_check_names(x, argc, argv, err))
		return 1;
	v = dom_sorted(x, &n);
	if (!v) {
		json_decref(out.json);
		return *err = strdup("out of memory"), 1;
	}
	if (!out.lng && !out.json)
		fprintf(f, "%-40s %5s %5s %5s %10s %9s\n", "Name", "ID", "Mem",
			"VCPUs", "State", "Time(s)");
	dom0_row(&r);
	if (named(x, argv, argc, NULL) && state_matches(&r, want))
		print_row(f, &r, o);
	for (size_t i = 0; i < n; i++) {
		if (!named(x, argv, argc, v[i]))
			continue;
		dom_row(v[i], &r);
		if (state_matches(&r, want))
			print_row(f, &r, o);
	}
	free(v);
	rc = all ? managed_rows(x, f, o, want) : 0;
	if (out.json) {
		json_dumpf(out.json, f, JSON_INDENT(2));
		fputc('\n', f);
		json_decref(out.json);
	}
	return rc;
}
