/* toolstack/adopt.c: re-adopting monitors after a xend restart.
 *
 * xend keeps nothing in memory that it cannot rebuild: every domain has
 * run_dir/domains/<domid>/domain.json (xend's record) beside the
 * monitor's pid, ctl and exit files. At start, for each such directory:
 *   - record and a live monitor (its pid runs with this directory as
 *     --state-dir): adopted, the domain is listed and controlled again;
 *   - record, monitor gone: it ended while xend was down; DIR/exit says
 *     how (no exit file: a crash), and the domain's on_* policy applies;
 *   - record of a preserved domain (no monitor): kept as it was;
 *   - a record still "starting", or none (xend died inside create): the
 *     monitor is killed and everything of that id is removed. */
#include "toolstack/xend.h"
#include "lib/log.h"
#include "xenstore/xs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pid_t read_pid(const char *dir)
{
	char path[300];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof(path), "%s/pid", dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

/* Does pid run with "--state-dir dir" on its command line? */
static bool pid_is_monitor(pid_t pid, const char *dir)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
		if (!strcmp(buf + i, "--state-dir") && i + 12 < n &&
		    !strcmp(buf + i + 12, dir))
			return true;
	}
	return false;
}

static struct domain *load_record(const char *dir, unsigned domid)
{
	char path[300], err[128];
	json_t *o, *cfg;
	struct domain *d;
	const char *state;

	snprintf(path, sizeof(path), "%s/domain.json", dir);
	o = json_load_file(path, 0, NULL);
	cfg = json_object_get(o, "config");
	if (!json_is_object(cfg) || !json_string_value(json_object_get(o, "name"))) {
		json_decref(o);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		json_decref(o);
		return NULL;
	}
	d->domid = domid;
	d->pidfd = -1;
	d->reply_fd = -1;
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	d->name = strdup(json_string_value(json_object_get(o, "name")));
	snprintf(d->uuid, sizeof(d->uuid), "%s",
		 json_string_value(json_object_get(o, "uuid")) ?: "");
	d->config = json_incref(cfg);
	if (json_string_value(json_object_get(o, "config_file")))
		d->config_file = strdup(json_string_value(
				json_object_get(o, "config_file")));
	d->start_time = (time_t)json_integer_value(json_object_get(o,
							"start_time"));
	d->last_restart = (time_t)json_integer_value(json_object_get(o,
							"last_restart"));
	state = json_string_value(json_object_get(o, "state")) ?: "running";
	d->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	d->state = !strcmp(state, "shutdown") ? DOM_SHUTDOWN :
		   !strcmp(state, "crashed") ? DOM_CRASHED :
		   !strcmp(state, "starting") ? DOM_STARTING : DOM_RUNNING;
	json_decref(o);
	if (!d->name || dom_apply_config(d, d->config, err, sizeof(err))) {
		dom_free(d);
		return NULL;
	}
	return d;
}

/* Remove the files of a domain directory, then the directory. */
void dom_remove_dir(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *e;

	if (dh) {
		while ((e = readdir(dh))) {
			if (e->d_name[0] != '.')
				unlinkat(dirfd(dh), e->d_name, 0);
		}
		closedir(dh);
	}
	rmdir(dir);
}

/* A directory without a record: xend died inside create. */
static void adopt_orphan(struct xend *x, const char *dir, unsigned domid)
{
	pid_t pid = read_pid(dir);
	char err[128];
	struct xs_handle *xs;

	if (pid > 0 && pid_is_monitor(pid, dir)) {
		log_warn(0, "d%u: monitor %d has no record: killing it",
			 domid, (int)pid);
		kill(pid, SIGKILL);
	}
	xs = xend_xs(x, err, sizeof(err));
	if (xs) {
		if (layout_remove(xs, domid, NULL))
			log_warn(0, "d%u: cannot remove its XenStore nodes", domid);
		if (xs_release(xs, domid))
			log_debug("d%u was not introduced", domid);
	}
	dom_remove_dir(dir);
}

static void adopt_one(struct xend *x, const char *dir, unsigned domid)
{
	struct domain *d = load_record(dir, domid);
	enum dom_exit how;
	int status;
	pid_t pid;

	if (!d) {
		adopt_orphan(x, dir, domid);
		return;
	}
	d->next = x->domains;
	x->domains = d;
	if (domid >= x->next_domid)
		x->next_domid = domid + 1;
	if (d->state == DOM_SHUTDOWN || d->state == DOM_CRASHED) {
		log_info("d%u (%s): preserved domain kept", domid, d->name);
		return;
	}
	pid = read_pid(dir);
	if (pid <= 0)
		pid = d->pid; /* xend's record, if DIR/pid is not written yet */
	d->pid = 0;
	if (pid > 0 && pid_is_monitor(pid, dir)) {
		d->pid = pid;
		d->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	}
	if (d->state == DOM_STARTING) { /* xend died inside create */
		log_warn(0, "d%u (%s): was starting when xend stopped: removed",
			 domid, d->name);
		dom_cleanup(x, d);
		return;
	}
	if (d->pidfd >= 0 && !mon_ended(d, &how, &status)) {
		log_info("d%u (%s): monitor %d re-adopted", domid, d->name,
			 (int)pid);
		return;
	}
	if (d->pidfd < 0) {
		/* Monitor gone before we looked: the exit file says how. */
		d->pid = 0;
		if (!mon_read_exit(d, &how, &status)) {
			how = DOM_EXIT_CRASH;
			status = -1;
		}
	}
	log_warn(0, "d%u (%s): monitor ended while xend was down (%s %d)",
		 domid, d->name, dom_exit_name(how), status);
	dom_ended(x, d, how, status);
}

void mon_adopt_all(struct xend *x)
{
	char base[200], dir[256];
	struct dirent *e;
	DIR *dh;

	snprintf(base, sizeof(base), "%s/domains", x->o.run_dir);
	dh = opendir(base);
	if (!dh)
		return;
	while ((e = readdir(dh))) {
		char *end;
		unsigned long id = strtoul(e->d_name, &end, 10);

		if (e->d_name[0] < '1' || e->d_name[0] > '9' || *end ||
		    id > XEND_DOMID_MAX)
			continue;
		if (snprintf(dir, sizeof(dir), "%s/%s", base, e->d_name) >=
		    (int)sizeof(dir))
			continue;
		adopt_one(x, dir, (unsigned)id);
	}
	closedir(dh);
}
