/* toolstack/supervise.c: monitor processes, seen from xend.
 *
 * Each domain's monitor runs in its own session (so a signal to xend's
 * process group does not reach it) with run_dir/domains/<domid> as its
 * --state-dir. xend holds a pidfd for every monitor, its children and
 * adopted ones alike: the pidfd turns readable when the monitor exits,
 * which the main loop notices at once. How it ended comes from DIR/exit
 * ("<reason> <status>", written by the monitor), else from its exit
 * status when xend is its parent, else it counts as a crash.
 *
 * After a restart xend re-adopts: for every DIR with xend's domain.json,
 * a monitor whose pid (DIR/pid) still runs with that --state-dir on its
 * command line is adopted; one that ended meanwhile is handled by its
 * domain's policy as if xend had seen it go. */
#include "toolstack/xend.h"
#include "lib/unix_sock.h"
#include "lib/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void put_arg(char **argv, int *n, const char *a, const char *b)
{
	argv[(*n)++] = (char *)a;
	if (b)
		argv[(*n)++] = (char *)b;
}

static const char *xs_socket_path(struct xend *x)
{
	const char *env = getenv("XENSTORED_PATH");

	if (x->o.xenstore)
		return x->o.xenstore;
	return env && *env ? env : "/run/xenstored/socket";
}

static void mon_exec(struct xend *x, struct domain *d, char **argv)
{
	char log[300];
	int fd;

	setsid();
	snprintf(log, sizeof(log), "%s/monitor.log", d->dir);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	signal(SIGPIPE, SIG_DFL);
	execv(x->monitor_path, argv);
	dprintf(2, "xend: cannot run %s: %s\n", x->monitor_path,
		strerror(errno));
	_exit(127);
}

int mon_spawn(struct xend *x, struct domain *d, char *err, size_t errlen)
{
	json_t *b = json_object_get(d->config, "b_info");
	char mem[32], vcpus[16], domid[16], clog[512];
	char *argv[32];
	int n = 0;
	pid_t pid;

	snprintf(mem, sizeof(mem), "%llu", (unsigned long long)
		 json_integer_value(json_object_get(b, "target_memkb")) / 1024);
	snprintf(vcpus, sizeof(vcpus), "%lld",
		 json_integer_value(json_object_get(b, "max_vcpus")));
	snprintf(domid, sizeof(domid), "%u", d->domid);
	put_arg(argv, &n, x->monitor_path, NULL);
	put_arg(argv, &n, "--name", d->name);
	put_arg(argv, &n, "--domid", domid);
	put_arg(argv, &n, "--kernel", json_string_value(
			json_object_get(b, "kernel")));
	if (json_string_value(json_object_get(b, "ramdisk")))
		put_arg(argv, &n, "--ramdisk", json_string_value(
				json_object_get(b, "ramdisk")));
	if (json_string_value(json_object_get(b, "cmdline")))
		put_arg(argv, &n, "--cmdline", json_string_value(
				json_object_get(b, "cmdline")));
	put_arg(argv, &n, "--memory", mem);
	put_arg(argv, &n, "--vcpus", vcpus);
	put_arg(argv, &n, "--xenstore", xs_socket_path(x));
	put_arg(argv, &n, "--state-dir", d->dir);
	if (x->o.console_log_dir) {
		snprintf(clog, sizeof(clog), "%s/guest-%s.log",
			 x->o.console_log_dir, d->name);
		put_arg(argv, &n, "--console-log", clog);
	}
	put_arg(argv, &n, "--paused", NULL);
	argv[n] = NULL;

	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0)
		mon_exec(x, d, argv);
	d->pid = pid;
	d->is_child = true;
	d->pidfd = pidfd_open_(pid);
	if (d->pidfd < 0) {
		snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
		mon_kill(d);
		return -EIO;
	}
	log_info("d%u (%s): monitor %s started, pid %d", d->domid, d->name,
		 x->monitor_path, (int)pid);
	return 0;
}

static int sock_connect(const struct domain *d, const char *name,
			int *fd_out)
{
	char path[sizeof(d->dir) + 16];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", d->dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = unix_connect(path, 5);
	if (fd < 0)
		return fd;
	*fd_out = fd;
	return 0;
}

int mon_ctl(struct domain *d, const char *op, json_t **reply_out)
{
	char req[128], buf[4096];
	size_t len = 0;
	json_t *rep;
	int fd = -1, rc;

	rc = sock_connect(d, "ctl", &fd);
	if (rc)
		return rc;
	snprintf(req, sizeof(req), "{\"op\":\"%s\"}\n", op);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		close(fd);
		return -EIO;
	}
	while (len < sizeof(buf) - 1 && !memchr(buf, '\n', len)) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = 0;
	rep = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
	if (!json_is_object(rep)) {
		json_decref(rep);
		return -EPROTO;
	}
	if (!json_is_true(json_object_get(rep, "ok"))) {
		log_warn(0, "d%u: monitor refused %s: %s", d->domid, op,
			 json_string_value(json_object_get(rep, "error")) ?: "?");
		json_decref(rep);
		return -EIO;
	}
	if (reply_out)
		*reply_out = rep;
	else
		json_decref(rep);
	return 0;
}

int mon_console(struct domain *d, int *fd_out)
{
	struct timeval tv = { 0 };
	int rc = sock_connect(d, "console", fd_out);

	if (rc == 0) { /* the client keeps it: no timeouts */
		setsockopt(*fd_out, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(*fd_out, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	return rc;
}

static uint64_t jnum(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

int mon_info(struct domain *d, struct mon_info *out)
{
	json_t *r = NULL;
	int rc = mon_ctl(d, "info", &r);

	if (rc)
		return rc;
	out->paused = !strcmp(json_string_value(json_object_get(r, "state")) ?:
			      "", "paused");
	out->vcpus = (unsigned)jnum(r, "vcpus");
	out->memory_kib = jnum(r, "memory_kib");
	out->cpu_time_ns = jnum(r, "cpu_time_ns");
	out->store_gfn = jnum(r, "store_gfn");
	out->store_port = (unsigned)jnum(r, "store_port");
	out->console_gfn = jnum(r, "console_gfn");
	out->console_port = (unsigned)jnum(r, "console_port");
	json_decref(r);
	return 0;
}

static bool pidfd_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) > 0;
}

static const enum dom_exit code_exit[] = {
	[0] = DOM_EXIT_POWEROFF, [1] = DOM_EXIT_CRASH, [2] = DOM_EXIT_CRASH,
	[3] = DOM_EXIT_REBOOT, [4] = DOM_EXIT_CRASH, [5] = DOM_EXIT_HALT,
	[6] = DOM_EXIT_SUSPEND, [7] = DOM_EXIT_WATCHDOG,
	[8] = DOM_EXIT_SOFT_RESET, [9] = DOM_EXIT_DESTROYED,
};

/* DIR/exit: "<reason> <status>". */
bool mon_read_exit(const struct domain *d, enum dom_exit *how,
			   int *status)
{
	char path[300], reason[32];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/exit", d->dir);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fscanf(f, "%31s %d", reason, status);
	fclose(f);
	return n == 2 && dom_exit_parse(reason, how) == 0;
}

bool mon_exited(const struct domain *d)
{
	return d->pidfd < 0 || pidfd_readable(d->pidfd, 0);
}

bool mon_ended(struct domain *d, enum dom_exit *how, int *status)
{
	int ws = 0;

	if (d->pidfd < 0 || !pidfd_readable(d->pidfd, 0))
		return false;
	*how = DOM_EXIT_CRASH;
	*status = -1;
	if (d->is_child && waitpid(d->pid, &ws, 0) == d->pid) {
		if (WIFEXITED(ws)) {
			*status = WEXITSTATUS(ws);
			if ((unsigned)*status < sizeof(code_exit) /
			    sizeof(*code_exit))
				*how = code_exit[*status];
		}
	}
	mon_read_exit(d, how, status);
	close(d->pidfd);
	d->pidfd = -1;
	d->pid = 0;
	return true;
}

void mon_kill(struct domain *d)
{
	if (d->pid > 0) {
		/* Through the pidfd when there is one: never a reused pid. */
		if (d->pidfd >= 0)
			syscall(SYS_pidfd_send_signal, d->pidfd, SIGKILL, NULL, 0);
		else
			kill(d->pid, SIGKILL);
		if (d->is_child)
			waitpid(d->pid, NULL, 0);
		else if (d->pidfd >= 0)
			pidfd_readable(d->pidfd, 2000);
	}
	if (d->pidfd >= 0)
		close(d->pidfd);
	d->pidfd = -1;
	d->pid = 0;
}

int dom_save_record(struct domain *d)
{
	char path[300], tmp[310];
	json_t *o;
	int rc;

	o = json_pack("{s:i, s:i, s:s, s:s, s:O, s:s?, s:I, s:I, s:s}",
		      "domid", (int)d->domid, "pid", (int)d->pid,
		      "name", d->name, "uuid", d->uuid,
		      "config", d->config, "config_file", d->config_file,
		      "start_time", (json_int_t)d->start_time, "last_restart",
		      (json_int_t)d->last_restart, "state",
		      d->state == DOM_STARTING ? "starting" :
		      d->state == DOM_RUNNING ? "running" :
		      d->state == DOM_SHUTDOWN ? "shutdown" : "crashed");
	if (!o)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/domain.json", d->dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	rc = json_dump_file(o, tmp, JSON_COMPACT) ? -EIO : 0;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	json_decref(o);
	return rc;
}
