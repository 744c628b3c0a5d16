/* toolstack/main.c: xend, the kxen host daemon: options, daemon mode,
 * the main loop. See toolstack/README.md.
 *
 * Start order: open the log, listen on the API socket (refusing to start
 * if another xend answers there), detach unless --foreground, re-adopt
 * the monitors left by an earlier xend, start /etc/xen/auto, then serve.
 * The loop polls the API socket and every monitor's pidfd, so a monitor
 * that ends is handled at once. SIGTERM/SIGINT stop xend and leave the
 * domains running; a new xend adopts them. */
#include "toolstack/api.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: xend [options]\n"
"  --socket PATH          API socket (default /run/xend/socket)\n"
"  --state-dir DIR        managed domains (default /var/lib/xend)\n"
"  --run-dir DIR          per-domain state (default /run/xend)\n"
"  --monitor PATH         kxen-monitor (default: beside xend, then PATH)\n"
"  --xenstore SOCKET      xenstored (default $XENSTORED_PATH or\n"
"                         /run/xenstored/socket)\n"
"  --log-file FILE        (default /var/log/xen/xend.log; - for stderr)\n"
"  --log-level LEVEL      error, warn, info (default), debug\n"
"  --pid-file FILE        (default <run-dir>/xend.pid)\n"
"  --auto-dir DIR         configs started at start (default /etc/xen/auto)\n"
"  --console-log-dir DIR  keep each guest's console in DIR/guest-<name>.log\n"
"  --min-restart-interval SECONDS  refuse faster restarts (default 20)\n"
"  --start-timeout SECONDS  wait this long for a new monitor (default 10)\n"
"  -f, --foreground       do not detach\n"
"  -h, --help\n");
}

static int parse_opts(int argc, char **argv, struct xend_opts *o)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "monitor", required_argument, NULL, 'm' },
		{ "xenstore", required_argument, NULL, 'x' },
		{ "log-file", required_argument, NULL, 'l' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "auto-dir", required_argument, NULL, 'a' },
		{ "console-log-dir", required_argument, NULL, 'c' },
		{ "min-restart-interval", required_argument, NULL, 'R' },
		{ "start-timeout", required_argument, NULL, 'T' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, lvl;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->socket = optarg; break;
		case 'S': o->state_dir = optarg; break;
		case 'r': o->run_dir = optarg; break;
		case 'm': o->monitor = optarg; break;
		case 'x': o->xenstore = optarg; break;
		case 'l': o->log_file = optarg; break;
		case 'p': o->pid_file = optarg; break;
		case 'a': o->auto_dir = optarg; break;
		case 'c': o->console_log_dir = optarg; break;
		case 'R': o->min_restart_s = (unsigned)atoi(optarg); break;
		case 'T': o->start_timeout_ms = 1000u * (unsigned)atoi(optarg);
			break;
		case 'f': o->foreground = true; break;
		case 'L':
			lvl = log_level_parse(optarg);
			if (lvl < 0)
				return 2;
			log_set_level((enum log_level)lvl);
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* --monitor, else kxen-monitor beside /proc/self/exe, else on PATH. */
static void find_monitor(struct xend *x)
{
	char self[400], cand[512];
	const char *path = getenv("PATH");
	ssize_t n;

	if (x->o.monitor) {
		snprintf(x->monitor_path, sizeof(x->monitor_path), "%s",
			 x->o.monitor);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = 0;
		snprintf(cand, sizeof(cand), "%s/kxen-monitor", dirname(self));
		if (access(cand, X_OK) == 0) {
			snprintf(x->monitor_path, sizeof(x->monitor_path), "%s",
				 cand);
			return;
		}
	}
	for (const char *p = path; p && *p;) {
		size_t len = strcspn(p, ":");

		snprintf(cand, sizeof(cand), "%.*s/kxen-monitor", (int)len, p);
		if (len && access(cand, X_OK) == 0) {
			snprintf(x->monitor_path, sizeof(x->monitor_path), "%s",
				 cand);
			return;
		}
		p += len + (p[len] == ':');
	}
	snprintf(x->monitor_path, sizeof(x->monitor_path), "kxen-monitor");
}

static int open_log(struct xend *x)
{
	char dir[512];
	FILE *f;

	if (!strcmp(x->o.log_file, "-"))
		return 0;
	snprintf(dir, sizeof(dir), "%s", x->o.log_file);
	mkdir(dirname(dir), 0755);
	f = fopen(x->o.log_file, "ae");
	if (!f) {
		fprintf(stderr, "xend: cannot open %s: %s\n", x->o.log_file,
			strerror(errno));
		return -1;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	log_set_file(f);
	return 0;
}

static int daemonize(struct xend *x)
{
	pid_t pid = fork();
	FILE *f;
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	f = fopen(x->o.pid_file, "we");
	if (f) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	return 0;
}

/* One wait: the API socket, connections still sending, and the pidfds
 * of monitors past their start. Starting domains are polled every 20 ms
 * (dom_poll_starting). */
static void loop_once(struct xend *x, bool *starting, bool *detaching)
{
	struct pollfd pf[1024];
	struct domain *ds[768];
	nfds_t n = 1, n_mon;
	enum dom_exit how;
	int status;

	pf[0] = (struct pollfd){ .fd = x->listen_fd, .events = POLLIN };
	for (struct domain *d = x->domains; d && n < 768; d = d->next) {
		if (d->pidfd < 0 || d->state == DOM_STARTING)
			continue;
		ds[n] = d;
		pf[n++] = (struct pollfd){ .fd = d->pidfd, .events = POLLIN };
	}
	n_mon = n;
	n += api_conn_pollfds(x, pf + n, (unsigned)(1024 - n));
	if (poll(pf, n, *starting || *detaching || x->conns ? 20 : 1000) < 0)
		return;
	for (nfds_t i = 1; i < n_mon; i++) {
		if (pf[i].revents && mon_ended(ds[i], &how, &status)) {
			dom_ended(x, ds[i], how, status);
			break; /* the table changed; the rest next time */
		}
	}
	api_conn_service(x, pf + n_mon, (unsigned)(n - n_mon));
	if (pf[0].revents & POLLIN)
		api_accept(x);
	*starting = dom_poll_starting(x);
	*detaching = api_detach_poll(x);
}

static void loop(struct xend *x)
{
	bool starting = dom_poll_starting(x), detaching = false;

	while (!stop_signal)
		loop_once(x, &starting, &detaching);
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
}

int main(int argc, char **argv)
{
	struct xend x = {
		.o = {
			.socket = "/run/xend/socket", .state_dir = "/var/lib/xend",
			.run_dir = "/run/xend", .auto_dir = "/etc/xen/auto",
			.log_file = "/var/log/xen/xend.log", .min_restart_s = 20,
			.start_timeout_ms = 10000,
		},
		.listen_fd = -1, .next_domid = 1,
	};
	char pid_file[512], dir[600];
	int rc;

	log_init("xend", -1);
	if (parse_opts(argc, argv, &x.o))
		return 2;
	if (!x.o.pid_file) {
		snprintf(pid_file, sizeof(pid_file), "%s/xend.pid", x.o.run_dir);
		x.o.pid_file = pid_file;
	}
	find_monitor(&x);
	mkdir(x.o.run_dir, 0700);
	snprintf(dir, sizeof(dir), "%s/domains", x.o.run_dir);
	mkdir(dir, 0700);
	if (open_log(&x))
		return 1;
	rc = api_listen(&x);
	if (rc) {
		fprintf(stderr, "xend: cannot listen on %s: %s\n", x.o.socket,
			rc == -EADDRINUSE ? "another xend is running" :
			strerror(-rc));
		return 1;
	}
	if (!x.o.foreground && daemonize(&x))
		return 1;
	setup_signals();
	x.start_time = time(NULL);
	log_info("xend started (pid %d), socket %s, monitor %s", (int)getpid(),
		 x.o.socket, x.monitor_path);
	mon_adopt_all(&x);
	managed_auto_start(&x);
	loop(&x);
	log_info("xend stopping (signal %d); domains keep running",
		 (int)stop_signal);
	api_close_waiters(&x);
	api_detach_close_all(&x);
	api_conn_close_all(&x);
	/* Creates in progress are abandoned, as after a kill -9. */
	for (struct domain *d = x.domains, *next; d; d = next) {
		next = d->next;
		if (d->state != DOM_STARTING)
			continue;
		api_start_done(&x, d, "xend is stopping: create abandoned");
		dom_cleanup(&x, d);
	}
	close(x.listen_fd);
	unlink(x.o.socket);
	if (!x.o.foreground)
		unlink(x.o.pid_file);
	while (x.domains) {
		struct domain *d = x.domains;

		x.domains = d->next;
		dom_free(d);
	}
	xend_xs_drop(&x);
	return 0;
}
