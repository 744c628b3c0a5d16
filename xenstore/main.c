/* xenstore/main.c: xenstored: options, sockets, the event loop.
 *
 * Single-threaded: one epoll set holds the listening sockets, every client
 * socket, every domain's kick eventfd and a signalfd. After each batch of
 * events, output queued for any connection (events caused by another
 * connection's request) is flushed and dead connections are reaped. */
#include "xenstore/xenstored.h"
#include "lib/unix_sock.h"
#include "xenstore/fdkeep.h"
#include "xenstore/journal.h"
#include "xenstore/liveupdate.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct options {
	const char *socket, *pid_file, *state_dir, *log_file, *restore;
	bool daemon, fresh, sync;
	int log_level;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: xenstored [options]\n"
"  -s, --socket PATH        listen here (default /run/xenstored/socket;\n"
"                           PATH_ro is the read-only socket)\n"
"  -D, --daemon             detach (default: stay in the foreground)\n"
"  -F, --pid-file FILE      write the daemon's pid to FILE\n"
"  -N, --no-fork            stay in the foreground (the default)\n"
"      --state-dir DIR      journal and snapshot (default /var/lib/xenstored)\n"
"  -R, --no-recovery        start with a fresh tree, ignoring saved state\n"
"      --sync               fdatasync the journal after every request\n"
"  -E, --entry-nb N         nodes per domain (1000)\n"
"  -S, --entry-size N       node size per domain (2048)\n"
"  -W, --watch-nb N         watches per domain (128)\n"
"  -t, --transaction N      transactions per domain (10)\n"
"  -A, --perm-nb N          ACL entries per node (5)\n"
"  -M, --path-max N         relative path length (2048)\n"
"  -Q, --quota WHAT=N       transaction-nodes (1024), outstanding (20)\n"
"  -K, --keep-orphans       a released domain's nodes stay, owned by dom0\n"
"  -p, --priv-domid ID      a domain treated as privileged\n"
"  -l, --log-level LEVEL    error, warn, info (default), debug\n"
"      --log-file FILE      log there instead of stderr\n"
"  -h, --help\n");
}

static int parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > 0xffffffffu)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int parse_quota(struct store_quota *q, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq)
		return -EINVAL;
	if (!strncmp(arg, "transaction-nodes=", 18))
		return parse_uint(eq + 1, &q->txn_nodes);
	if (!strncmp(arg, "outstanding=", 12))
		return parse_uint(eq + 1, &q->outstanding);
	if (!strncmp(arg, "memory=", 7))
		return 0; /* accepted for compatibility; see README */
	return -EINVAL;
}

static int parse_options(int argc, char **argv, struct options *o,
			 struct xsd *x)
{
	enum { OPT_STATE = 256, OPT_SYNC, OPT_LOGFILE, OPT_RESTORE };
	static const struct option longs[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "daemon", no_argument, NULL, 'D' },
		{ "pid-file", required_argument, NULL, 'F' },
		{ "no-fork", no_argument, NULL, 'N' },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "no-recovery", no_argument, NULL, 'R' },
		{ "sync", no_argument, NULL, OPT_SYNC },
		{ "entry-nb", required_argument, NULL, 'E' },
		{ "entry-size", required_argument, NULL, 'S' },
		{ "watch-nb", required_argument, NULL, 'W' },
		{ "transaction", required_argument, NULL, 't' },
		{ "perm-nb", required_argument, NULL, 'A' },
		{ "path-max", required_argument, NULL, 'M' },
		{ "quota", required_argument, NULL, 'Q' },
		{ "keep-orphans", no_argument, NULL, 'K' },
		{ "priv-domid", required_argument, NULL, 'p' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "log-file", required_argument, NULL, OPT_LOGFILE },
		{ "live-restore", required_argument, NULL, OPT_RESTORE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned v;
	int opt, rc = 0;

	while (!rc && (opt = getopt_long(argc, argv, "s:DF:NRE:S:W:t:A:M:Q:Kp:l:h",
					 longs, NULL)) != -1) {
		switch (opt) {
		case 's': o->socket = optarg; break;
		case 'D': o->daemon = true; break;
		case 'F': o->pid_file = optarg; break;
		case 'N': o->daemon = false; break;
		case 'R': o->fresh = true; break;
		case OPT_STATE: o->state_dir = optarg; break;
		case OPT_SYNC: o->sync = true; break;
		case OPT_LOGFILE: o->log_file = optarg; break;
		case OPT_RESTORE: o->restore = optarg; break;
		case 'E': rc = parse_uint(optarg, &x->q.nodes); break;
		case 'S': rc = parse_uint(optarg, &x->q.node_size); break;
		case 'W': rc = parse_uint(optarg, &x->q.watches); break;
		case 't': rc = parse_uint(optarg, &x->q.txns); break;
		case 'A': rc = parse_uint(optarg, &x->q.perms); break;
		case 'M': rc = parse_uint(optarg, &x->q.path_len); break;
		case 'Q': rc = parse_quota(&x->q, optarg); break;
		case 'K': x->keep_orphans = true; break;
		case 'p':
			rc = parse_uint(optarg, &v);
			x->priv_domid = (store_domid_t)v;
			if (!rc && v >= 0x7ff0)
				rc = -EINVAL;
			break;
		case 'l':
			o->log_level = log_level_parse(optarg);
			rc = o->log_level < 0 ? -EINVAL : 0;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (!rc && optind != argc)
		rc = -EINVAL;
	if (rc)
		fprintf(stderr, "xenstored: bad option %s\n",
			optind > 1 ? argv[optind - 1] : "");
	return rc;
}

static int make_dirs_for(const char *path)
{
	char *dup = strdup(path), *slash;

	if (!dup)
		return -ENOMEM;
	slash = strrchr(dup, '/');
	if (slash && slash != dup) {
		*slash = '\0';
		mkdir(dup, 0755); /* /run/xenstored; bind reports failures */
	}
	free(dup);
	return 0;
}

static int add_poll(struct xsd *x, int fd, struct xsd_poll *p,
		    enum xsd_poll_kind kind, void *ptr)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = p };

	p->kind = kind;
	p->ptr = ptr;
	return epoll_ctl(x->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int setup_sockets(struct xsd *x, const char *path)
{
	char ro[PATH_MAX];
	int rc;

	if (x->listen_fd < 0) {
		make_dirs_for(path);
		x->listen_fd = unix_listen(path, 128, SOCK_NONBLOCK);
		if (x->listen_fd < 0) {
			log_error(-x->listen_fd, "listen on %s", path);
			return x->listen_fd;
		}
		snprintf(ro, sizeof(ro), "%s_ro", path);
		x->listen_ro_fd = unix_listen(ro, 128, SOCK_NONBLOCK);
		if (x->listen_ro_fd < 0)
			log_warn(-x->listen_ro_fd, "read-only socket %s", ro);
	}
	rc = add_poll(x, x->listen_fd, &x->listen_poll, XSD_POLL_LISTEN, NULL);
	if (!rc && x->listen_ro_fd >= 0)
		rc = add_poll(x, x->listen_ro_fd, &x->listen_ro_poll,
			      XSD_POLL_LISTEN, &x->listen_ro_fd);
	return rc;
}

/* Every client and ring costs fds: take the hard limit. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int setup_signals(struct xsd *x)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* the fd keeper is reaped automatically */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	x->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (x->signal_fd < 0)
		return -errno;
	return add_poll(x, x->signal_fd, &x->signal_poll, XSD_POLL_SIGNAL, NULL);
}

static void on_signal(struct xsd *x)
{
	struct signalfd_siginfo si;

	while (read(x->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGUSR1)
			x->live_update = true;
		else if (si.ssi_signo != SIGHUP)
			x->stop = true;
	}
}

static void listen_pause(struct xsd *x, bool pause)
{
	struct xsd_poll *polls[2] = { &x->listen_poll, &x->listen_ro_poll };
	int fds[2] = { x->listen_fd, x->listen_ro_fd };

	for (int i = 0; i < 2; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = polls[i] };

		if (fds[i] >= 0)
			epoll_ctl(x->epfd, pause ? EPOLL_CTL_DEL : EPOLL_CTL_ADD,
				  fds[i], &ev);
	}
	x->accept_paused = pause;
}

static void on_event(struct xsd *x, struct epoll_event *ev)
{
	struct xsd_poll *p = ev->data.ptr;

	switch (p->kind) {
	case XSD_POLL_LISTEN: {
		bool ro = p->ptr != NULL;
		int rc = conn_accept(x, ro ? x->listen_ro_fd : x->listen_fd, ro);

		if (rc == -EMFILE || rc == -ENFILE || rc == -ENOMEM) {
			/* The pending connection stays readable: stop
			 * listening until a connection goes, or we spin. */
			log_warn(-rc, "accept: not accepting for now");
			listen_pause(x, true);
		} else if (rc && rc != -EAGAIN) {
			log_warn(-rc, "accept");
		}
		break;
	}
	case XSD_POLL_CONN:
		conn_socket_io(p->ptr, ev->events);
		break;
	case XSD_POLL_RING:
		domain_ring_event(p->ptr);
		break;
	case XSD_POLL_SIGNAL:
		on_signal(x);
		break;
	}
}

static void flush_all(struct xsd *x)
{
	unsigned reaped;

	for (struct conn *c = x->conns; c; c = c->next)
		if (c->out_head && !c->dead)
			c->tp->flush(c);
	reaped = conn_reap(x);
	domain_reap(x);
	if (reaped && x->accept_paused)
		listen_pause(x, false);
}

static void run(struct xsd *x)
{
	struct epoll_event evs[64];

	while (!x->stop) {
		int n = epoll_wait(x->epfd, evs, 64, -1);

		if (n < 0 && errno != EINTR) {
			log_error(errno, "epoll_wait");
			break;
		}
		for (int i = 0; i < n; i++)
			on_event(x, &evs[i]);
		flush_all(x);
		if (x->live_update) {
			x->live_update = false;
			liveupdate_exec(x);  /* returns only on failure */
		}
	}
}

static void restore_domain(void *ctx, const struct journal_domain *jd)
{
	if (domain_restore(ctx, jd->domid, jd->gfn, jd->port, STORE_DOMID_NONE,
			   -1, -1, -1))
		log_warn(0, "d%u: could not restore", jd->domid);
}

/* Join the fd keeper; after a crash, serve the rings it kept again. */
static void setup_keeper(struct xsd *x, const char *dir, bool live_restore)
{
	struct fdkeep_entry *e;
	unsigned n;
	int rc = fdkeep_open(dir, &x->keep, &e, &n);

	if (rc) {
		log_warn(-rc, "fd keeper unavailable: rings need a new INTRODUCE "
			 "after a crash");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		if (live_restore) {
			/* live update brought its own copies along */
			for (int k = 0; k < 3; k++)
				close(e[i].fds[k]);
			continue;
		}
		if (domain_reattach(x, e[i].domid, e[i].fds))
			log_warn(0, "d%u: kept ring not reattached", e[i].domid);
		else
			log_info("d%u: ring reattached after restart", e[i].domid);
	}
	free(e);
}

static int write_pid(const char *file, pid_t pid)
{
	FILE *f = fopen(file, "w");

	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)pid);
	return fclose(f) ? -errno : 0;
}

static int daemonize(const char *pid_file)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0) {
		/* Sockets already listen, so clients may connect at once. */
		if (pid_file && write_pid(pid_file, pid) < 0)
			perror("xenstored: pid file");
		_exit(0);
	}
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (!getenv("XENSTORED_KEEP_STDERR"))
			dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { .socket = "/run/xenstored/socket",
			     .state_dir = "/var/lib/xenstored",
			     .log_level = LOG_LEVEL_INFO };
	struct xsd x;
	FILE *logf = NULL;
	int rc;

	log_init("xenstored", -1);
	raise_fd_limit();
	if (xsd_init(&x) < 0 || parse_options(argc, argv, &o, &x) < 0) {
		usage(stderr);
		return 2;
	}
	log_set_level(o.log_level);
	if (o.log_file) {
		logf = fopen(o.log_file, "a");
		if (logf) {
			setvbuf(logf, NULL, _IOLBF, 0);
			log_set_file(logf);
		}
	}
	x.argv = argv;
	x.socket_path = o.socket;
	x.state_dir = o.state_dir;
	x.epfd = epoll_create1(EPOLL_CLOEXEC);
	/* Hooks are set, so the journal loads into a store with no hooks
	 * active: swap them off during the load. */
	rc = xsd_load(&x, o.state_dir, o.fresh && !o.restore, o.sync,
		      restore_domain);
	if (!rc && o.restore) {
		rc = liveupdate_restore(&x, o.restore);
		if (rc == -ENOENT) {
			/* Not a live update (e.g. started again with the
			 * command line of one): an ordinary start. */
			log_warn(0, "no live update state at %s", o.restore);
			o.restore = NULL;
			rc = 0;
		}
	}
	if (!rc)
		setup_keeper(&x, o.state_dir, o.restore != NULL);
	if (!rc)
		rc = setup_sockets(&x, o.socket);
	/* A live update keeps the pid: no second fork. Fork before the
	 * signalfd joins the epoll set: its wakeups follow the process that
	 * added it. */
	if (!rc && o.daemon && !o.restore && daemonize(o.pid_file) < 0)
		rc = -errno;
	if (!rc)
		rc = setup_signals(&x);
	if (rc) {
		log_error(-rc, "startup failed");
		xsd_fini(&x);
		return 1;
	}
	if (!o.daemon && o.pid_file && !o.restore)
		write_pid(o.pid_file, getpid());
	log_info("listening on %s (pid %d)", o.socket, (int)getpid());
	run(&x);
	log_info("exiting");
	if (o.pid_file)
		unlink(o.pid_file);
	xsd_fini(&x);
	if (logf)
		fclose(logf);
	return 0;
}
