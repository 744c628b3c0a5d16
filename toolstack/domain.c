/* toolstack/domain.c: domain lifecycle and the on_* policies.
 *
 * Create follows Xen's order: take an id, start the monitor paused (it
 * builds the domain and introduces it to xenstored), write the XenStore
 * layout, then unpause. Any failure undoes every step, so a refused
 * create leaves no monitor, no XenStore node and no directory.
 *
 * When a monitor ends (supervise.c), dom_ended() applies the policy of
 * its reason: poweroff and halt -> on_poweroff, reboot -> on_reboot,
 * crash -> on_crash; destroyed, watchdog, suspend and soft_reset destroy.
 * restart starts the same config under a new id (as Xen does), refused
 * when the last restart is more recent than --min-restart-interval (xend's
 * "restarting too fast"). rename-restart keeps the old domain, preserved,
 * as Domain-<new uuid>. */
#include "toolstack/xend.h"
#include "toolstack/devices.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "xenstore/xs.h"
#include "toolstack/bootloader.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void dom_free(struct domain *d)
{
	if (!d)
		return;
	if (d->pidfd >= 0)
		close(d->pidfd);
	if (d->reply_fd >= 0)
		close(d->reply_fd);
	free(d->name);
	free(d->config_file);
	json_decref(d->config);
	free(d);
}

void dom_unlink(struct xend *x, struct domain *d)
{
	for (struct domain **pp = &x->domains; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			d->next = NULL;
			return;
		}
	}
}

static int jint(json_t *o, const char *key, json_int_t min, json_int_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < min)
		return -EINVAL;
	*out = json_integer_value(v);
	return 0;
}

int dom_apply_config(struct domain *d, json_t *cfg, char *err, size_t errlen)
{
	const char *keys[] = { "on_poweroff", "on_reboot", "on_crash" };
	enum dom_action *acts[] = { &d->on_poweroff, &d->on_reboot,
				    &d->on_crash };
	enum dom_action defaults[] = { DOM_ACT_DESTROY, DOM_ACT_RESTART,
				       DOM_ACT_DESTROY };
	json_t *b = json_object_get(cfg, "b_info");
	json_int_t v;

	/* With bootloader=, the kernel comes from the domain's disk. */
	if (!json_string_value(json_object_get(b, "kernel")) &&
	    !json_string_value(json_object_get(b, "bootloader"))) {
		snprintf(err, errlen, "the config has no kernel");
		return -EINVAL;
	}
	if (jint(b, "max_memkb", 1024, &v) || jint(b, "target_memkb", 1024, &v) ||
	    jint(b, "max_vcpus", 1, &v) || jint(b, "avail_vcpus", 1, &v)) {
		snprintf(err, errlen, "the config lacks memory or vcpus");
		return -EINVAL;
	}
	for (int i = 0; i < 3; i++) {
		const char *s = json_string_value(json_object_get(cfg, keys[i]));

		*acts[i] = defaults[i];
		if (s && dom_action_parse(s, acts[i])) {
			snprintf(err, errlen, "%s=%s is not an action", keys[i], s);
			return -EINVAL;
		}
	}
	return 0;
}

static bool disk_writable(json_t *disk, bool *shared)
{
	*shared = json_integer_value(json_object_get(disk, "force_rw"));
	return json_integer_value(json_object_get(disk, "readwrite"));
}

/* A disk one running domain writes is not given to another, unless both
 * say w! (xend's "already in use" check; the backends flock as well). */
static int disk_conflict(struct xend *x, struct domain *d, char **msg)
{
	json_t *mine = json_object_get(d->config, "disks"), *a, *b;
	size_t i, j;

	for (struct domain *o = x->domains; o; o = o->next) {
		if (o->state != DOM_RUNNING && o->state != DOM_STARTING)
			continue;
		json_array_foreach(mine, i, a) {
			json_array_foreach(json_object_get(o->config, "disks"),
					   j, b) {
				const char *pa = json_string_value(
					json_object_get(a, "pdev_path"));
				const char *pb = json_string_value(
					json_object_get(b, "pdev_path"));
				bool sa, sb, wa = disk_writable(a, &sa),
					     wb = disk_writable(b, &sb);

				if (!pa || !pb || strcmp(pa, pb) ||
				    (!wa && !wb) || (sa && sb))
					continue;
				*msg = xend_strdup_printf(
					"disk '%s' is already in use by domain "
					"'%s' (id %u); use mode w! to share it",
					pa, o->name, o->domid);
				return 1;
			}
		}
	}
	return 0;
}

/* Checks that need xend's state; 0 or an xm status with *msg set. */
static int create_checks(struct xend *x, struct domain *d, char **msg)
{
	json_t *b = json_object_get(d->config, "b_info");
	uint64_t want = (uint64_t)json_integer_value(json_object_get(b,
							"target_memkb"));
	uint64_t avail = host_mem_kib(true);
	struct domain *o = dom_find_name(x, d->name);

	if (o) {
		*msg = xend_strdup_printf("Domain '%s' already exists with ID "
					  "'%u'", d->name, o->domid);
		return 1;
	}
	for (o = x->domains; o; o = o->next) {
		if (!strcmp(o->uuid, d->uuid)) {
			*msg = xend_strdup_printf("uuid %s is already used by "
						  "domain '%s'", d->uuid, o->name);
			return 1;
		}
	}
	if (disk_conflict(x, d, msg))
		return 1;
	if (avail && want > avail) {
		*msg = xend_strdup_printf("not enough free memory for '%s': it "
					  "needs %llu MiB, the host has %llu MiB "
					  "free", d->name,
					  (unsigned long long)want / 1024,
					  (unsigned long long)avail / 1024);
		return 1;
	}
	return 0;
}

static int check_config(struct domain *d, char **msg)
{
	const char *type = json_string_value(json_object_get(
				json_object_get(d->config, "c_info"), "type"));
	enum dom_action acts[3];
	char err[160];

	if (dom_apply_config(d, d->config, err, sizeof(err)) ||
	    dom_check_name(d->name, err, sizeof(err)) ||
	    devices_check(d->config, err, sizeof(err))) {
		*msg = strdup(err);
		return 1;
	}
	if (type && strcmp(type, "pvh")) {
		*msg = xend_strdup_printf("type=%s: not implemented yet (kxen "
					  "boots PVH guests)", type);
		return 1;
	}
	acts[0] = d->on_poweroff;
	acts[1] = d->on_reboot;
	acts[2] = d->on_crash;
	for (int i = 0; i < 3; i++) {
		if (acts[i] == DOM_ACT_COREDUMP_DESTROY ||
		    acts[i] == DOM_ACT_COREDUMP_RESTART) {
			*msg = xend_strdup_printf("%s: not implemented yet",
						  dom_action_name(acts[i]));
			return 1;
		}
	}
	return 0;
}

static void monitor_failure(struct domain *d, int rc, char **msg)
{
	char path[300], line[256] = "", last[256] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/monitor.log", d->dir);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(last, sizeof(last), "%s", line);
	if (f)
		fclose(f);
	last[strcspn(last, "\n")] = 0;
	*msg = xend_strdup_printf("the monitor of '%s' %s%s%s", d->name,
				  rc == -ECHILD ? "exited" : "did not answer",
				  *last ? ": " : "", last);
}

/* The monitor's log outlives its domain as monitor-NAME.log next to
 * xend.log (xl keeps qemu-dm-NAME.log the same way): the backends' last
 * words (per-queue counters, a frontend's protocol error) are there. */
static void keep_monitor_log(struct xend *x, const struct domain *d)
{
	char from[300], to[600], dir[512], buf[8192];
	int in, out;
	ssize_t n;

	if (!x->o.log_file || !strcmp(x->o.log_file, "-") || !d->name)
		return;
	snprintf(dir, sizeof(dir), "%s", x->o.log_file);
	snprintf(from, sizeof(from), "%s/monitor.log", d->dir);
	snprintf(to, sizeof(to), "%s/monitor-%s.log", dirname(dir), d->name);
	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (out < 0)
		log_warn(errno, "d%u: cannot keep its monitor log as %s",
			 d->domid, to);
	else
		close(out);
	close(in);
}

/* Undo a partial start: monitor, XenStore, directory. */
static void start_undo(struct xend *x, struct domain *d)
{
	char err[160];
	struct xs_handle *xs;

	mon_kill(d);
	xs = xend_xs(x, err, sizeof(err));
	if (xs) {
		if (layout_remove(xs, d->domid, d->uuid))
			xend_xs_drop(x);
		else
			{
			int r = xs_release(xs, d->domid);

			if (r && r != -ENOENT)
				log_warn(-r, "d%u: release", d->domid);
		}
	}
	keep_monitor_log(x, d);
	dom_remove_dir(d->dir);
}

static int start_layout(struct xend *x, struct domain *d,
			const struct mon_info *mi, char **msg)
{
	json_t *b = json_object_get(d->config, "b_info");
	struct layout_info li = {
		.domid = d->domid, .name = d->name, .uuid = d->uuid,
		.max_memkb = (uint64_t)json_integer_value(json_object_get(b,
								"max_memkb")),
		.target_memkb = (uint64_t)json_integer_value(json_object_get(b,
							"target_memkb")),
		.max_vcpus = (unsigned)json_integer_value(json_object_get(b,
							"max_vcpus")),
		.avail_vcpus = (unsigned)json_integer_value(json_object_get(b,
							"avail_vcpus")),
		.store_gfn = mi->store_gfn, .store_port = mi->store_port,
		.console_gfn = mi->console_gfn,
		.console_port = mi->console_port, .start_time = d->start_time,
	};
	char err[160];
	struct xs_handle *xs = xend_xs(x, err, sizeof(err));
	int rc;

	if (!xs) {
		*msg = strdup(err);
		return 1;
	}
	rc = layout_write(xs, &li);
	if (rc) {
		xend_xs_drop(x);
		*msg = xend_strdup_printf("cannot write the XenStore nodes of "
					  "'%s': %s", d->name, strerror(-rc));
		return 1;
	}
	/* The monitor's backends watch for these and take the devices;
	 * the guest runs only once every backend has (libxl's order). */
	rc = devices_add_all(xs, d->domid, d->config, d->uuid);
	if (rc) {
		xend_xs_drop(x);
		*msg = xend_strdup_printf("cannot write the devices of '%s': "
					  "%s", d->name, strerror(-rc));
		return 1;
	}
	return 0;
}

uint64_t xend_now_ms(void)
{
	return clock_mono_ns() / 1000000;
}

/* Spawn d's monitor (paused); start_poll waits for its answer. */
static int start_monitor(struct xend *x, struct domain *d, char **msg)
{
	char err[160];

	if (mon_spawn(x, d, err, sizeof(err))) {
		*msg = strdup(err);
		return 1;
	}
	/* The pid, before the monitor writes DIR/pid: a xend killed now
	 * still finds it. */
	if (dom_save_record(d))
		log_warn(0, "d%u: cannot save its record", d->domid);
	d->start_phase = START_MONITOR;
	d->start_deadline_ms = xend_now_ms() + x->o.start_timeout_ms;
	return 0;
}

/* Give d an id and start its bootloader or spawn its monitor;
 * dom_poll_starting does the rest. On failure nothing is left. */
static int dom_start(struct xend *x, struct domain *d, bool paused,
		     char **msg)
{
	char err[160];

	if (!xend_xs_live(x, err, sizeof(err))) {
		*msg = strdup(err);
		return 1;
	}
	d->domid = dom_alloc_id(x);
	if (!d->domid) {
		*msg = strdup("no free domain id");
		return 1;
	}
	d->state = DOM_STARTING;
	d->start_paused = paused;
	d->start_time = time(NULL);
	snprintf(d->dir, sizeof(d->dir), "%s/domains/%u", x->o.run_dir,
		 d->domid);
	dom_remove_dir(d->dir);
	if (mkdir(d->dir, 0700) < 0 || dom_save_record(d)) {
		*msg = xend_strdup_printf("cannot create %s: %s", d->dir,
					  strerror(errno));
		dom_remove_dir(d->dir);
		return 1;
	}
	/* bootloader=: the kernel is in its disk; start_poll goes on. */
	if (boot_start(x, d, msg)) {
		start_undo(x, d);
		return 1;
	}
	if (d->boot) {
		d->start_phase = START_BOOT;
		return 0;
	}
	if (start_monitor(x, d, msg)) {
		start_undo(x, d);
		return 1;
	}
	return 0;
}

/* Every backend took its device: unpause, running. 0 or *msg. */
static int start_finish(struct domain *d, char **msg)
{
	int rc;

	if (!d->start_paused && (rc = mon_ctl(d, "unpause", NULL))) {
		*msg = xend_strdup_printf("cannot unpause '%s': %s", d->name,
					  strerror(-rc));
		return 1;
	}
	d->state = DOM_RUNNING;
	if (dom_save_record(d))
		log_warn(0, "d%u: cannot save its record", d->domid);
	log_info("d%u (%s): started%s", d->domid, d->name,
		 d->start_paused ? " paused" : "");
	return 0;
}

/* The step a starting domain is at: 1 still starting, 0 done with it,
 * or -errno with *msg perhaps set. First the bootloader answers, if there
 * is one (then the monitor is spawned), then the monitor answers (then the
 * XenStore nodes and devices are written), then every backend takes its
 * device. xend's loop goes on meanwhile. */
static int start_poll(struct xend *x, struct domain *d, char **msg)
{
	struct mon_info mi;
	char err[200];
	struct xs_handle *xs;
	int r;

	if (d->start_phase == START_BOOT) {
		r = boot_poll(x, d, msg);
		if (r < 0)
			return -EIO;
		if (r == 0 && start_monitor(x, d, msg))
			return -EIO;
		return 1;
	}
	if (d->start_phase == START_MONITOR) {
		if (mon_info(d, &mi) == 0) {
			if (start_layout(x, d, &mi, msg))
				return -EIO;
			d->start_phase = START_DEVICES;
			d->start_deadline_ms = xend_now_ms() + DEVICES_READY_MS;
		}
	} else {
		xs = xend_xs(x, err, sizeof(err));
		r = xs ? devices_ready(xs, d->domid, d->config, err,
				       sizeof(err)) : -EIO;
		if (r < 0) {
			*msg = xend_strdup_printf("'%s': %s", d->name, err);
			return -EIO;
		}
		if (r > 0)
			return start_finish(d, msg) ? -EIO : 0;
		if (xend_now_ms() >= d->start_deadline_ms) {
			*msg = xend_strdup_printf("'%s': the backends did not "
						  "take the devices within "
						  "%u s", d->name,
						  DEVICES_READY_MS / 1000);
			return -ETIMEDOUT;
		}
	}
	if (mon_exited(d))
		return -ECHILD;
	if (xend_now_ms() >= d->start_deadline_ms)
		return -ETIMEDOUT;
	return 1;
}

/* One starting domain: 1 still starting, 0 done (running or gone). */
static int start_step(struct xend *x, struct domain *d)
{
	char *msg = NULL;
	int rc = start_poll(x, d, &msg);

	if (rc == 1)
		return 1;
	if (rc == 0) {
		api_start_done(x, d, NULL);
		return 0;
	}
	if (!msg)
		monitor_failure(d, rc, &msg);
	log_warn(0, "create of '%s' failed: %s", d->name, msg ? msg : "?");
	api_start_done(x, d, msg ? msg : "create failed");
	free(msg);
	dom_cleanup(x, d);
	return 0;
}

bool dom_poll_starting(struct xend *x)
{
	bool again = true, any = false;

	while (again) { /* the table changes under us: rescan */
		again = false;
		for (struct domain *d = x->domains; d; d = d->next) {
			if (d->state == DOM_STARTING && !start_step(x, d)) {
				again = true;
				break;
			}
		}
	}
	for (struct domain *d = x->domains; d; d = d->next)
		any |= d->state == DOM_STARTING;
	return any;
}

int dom_create(struct xend *x, json_t *config, const char *config_file,
	       bool paused, struct domain **out, char **msg)
{
	json_t *c_info = json_object_get(config, "c_info");
	const char *name = json_string_value(json_object_get(c_info, "name"));
	const char *uuid = json_string_value(json_object_get(c_info, "uuid"));
	struct domain *d;
	int rc;

	if (!json_is_object(config) || !name) {
		*msg = strdup("the request has no config with a name");
		return 1;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return *msg = strdup("out of memory"), 1;
	d->pidfd = -1;
	d->reply_fd = -1;
	d->name = strdup(name);
	d->config = json_deep_copy(config);
	d->config_file = config_file ? strdup(config_file) : NULL;
	if (uuid && strlen(uuid) == 36)
		snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	else
		dom_gen_uuid(d->uuid);
	rc = check_config(d, msg);
	if (!rc)
		rc = create_checks(x, d, msg);
	if (!rc)
		rc = dom_start(x, d, paused, msg);
	if (rc) {
		log_warn(0, "create of '%s' refused: %s", name, *msg ? *msg : "?");
		boot_cleanup(x, d);
		dom_free(d);
		return rc;
	}
	d->next = x->domains;
	x->domains = d;
	log_info("d%u (%s): monitor starting", d->domid, d->name);
	if (out)
		*out = d;
	return 0;
}

void dom_cleanup(struct xend *x, struct domain *d)
{
	unsigned domid = d->domid;

	if (d->reply_fd >= 0)
		api_start_done(x, d, "the domain was destroyed while starting");
	start_undo(x, d);
	boot_cleanup(x, d);
	dom_unlink(x, d);
	log_info("d%u (%s): gone", domid, d->name);
	dom_free(d);
	api_domain_gone(x, domid);
}

int dom_destroy(struct xend *x, struct domain *d, char **msg)
{
	enum dom_exit how;
	int status;

	(void)msg;
	if (d->pidfd >= 0 && mon_ctl(d, "destroy", NULL) == 0) {
		for (int i = 0; i < 250 && !mon_ended(d, &how, &status); i++)
			usleep(20000);
	}
	log_info("d%u (%s): destroyed", d->domid, d->name);
	dom_cleanup(x, d);
	return 0;
}
