/* xenstore/fdkeep.c: see fdkeep.h.
 *
 * Protocol on <dir>/fdkeep.sock (SOCK_SEQPACKET, one message each):
 * struct keep_msg {op, domid}, PUT and ENTRY carrying three fds.
 *   daemon -> keeper: PUT, DEL, GET, QUIT
 *   keeper -> daemon: ENTRY... then END (answer to GET)
 * The keeper serves one daemon connection at a time and goes back to
 * accept() when it closes, which is what a crash or live update does. */
#include "xenstore/fdkeep.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { KEEP_PUT = 1, KEEP_DEL, KEEP_GET, KEEP_QUIT, KEEP_ENTRY, KEEP_END };

struct keep_msg {
	uint32_t op;
	uint16_t domid;
};

struct fdkeep {
	int fd;
};

static int keep_send(int fd, uint32_t op, uint16_t domid, const int *fds)
{
	struct keep_msg m = { .op = op, .domid = domid };
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fds) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(3 * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, 3 * sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == sizeof(m) ? 0 : -errno;
}

/* One message; fds[] gets up to three fds (-1 if none came). */
static int keep_recv(int fd, struct keep_msg *m, int fds[3])
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	ssize_t r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

	fds[0] = fds[1] = fds[2] = -1;
	if (r != sizeof(*m))
		return r < 0 ? -errno : -EPIPE;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
	     cm = CMSG_NXTHDR(&mh, cm)) {
		size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int *p = (int *)CMSG_DATA(cm);

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (i < 3 && fds[i] < 0)
				fds[i] = p[i];
			else
				close(p[i]);
		}
	}
	return 0;
}

static void close3(const int fds[3])
{
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ---- the keeper process ---- */

struct held {
	uint16_t domid;
	int fds[3];
};

static bool keeper_serve(int c, struct held **tab, size_t *n)
{
	struct keep_msg m;
	int fds[3];

	while (keep_recv(c, &m, fds) == 0) {
		size_t i;

		for (i = 0; i < *n && (*tab)[i].domid != m.domid; i++)
			;
		if ((m.op == KEEP_PUT || m.op == KEEP_DEL) && i < *n) {
			close3((*tab)[i].fds);
			(*tab)[i] = (*tab)[--*n];
		}
		if (m.op == KEEP_PUT && fds[2] >= 0) {
			struct held *t = realloc(*tab, (*n + 1) * sizeof(**tab));

			if (t) {
				*tab = t;
				t[*n].domid = m.domid;
				memcpy(t[(*n)++].fds, fds, sizeof(fds));
				continue;
			}
		}
		close3(fds);
		if (m.op == KEEP_GET) {
			for (i = 0; i < *n; i++)
				keep_send(c, KEEP_ENTRY, (*tab)[i].domid,
					  (*tab)[i].fds);
			keep_send(c, KEEP_END, 0, NULL);
		}
		if (m.op == KEEP_QUIT)
			return false;
	}
	return true;
}

static void keeper_main(int lfd, const char *sock_path)
{
	struct held *tab = NULL;
	size_t n = 0;

	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		bool more;

		if (c < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		more = keeper_serve(c, &tab, &n);
		close(c);
		if (!more)
			break;
	}
	{
		char pidfile[4200];

		snprintf(pidfile, sizeof(pidfile), "%.4000s.pid", sock_path);
		unlink(pidfile);
	}
	unlink(sock_path);
	_exit(0);
}

static int keeper_spawn(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	sigset_t all;
	pid_t pid;
	int lfd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -errno;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(lfd, 4) < 0) {
		int rc = -errno;

		close(lfd);
		return rc;
	}
	pid = fork();
	if (pid < 0) {
		close(lfd);
		return -errno;
	}
	if (pid == 0) {
		/* Keep only the listening socket and stderr-less stdio. */
		if (lfd != 3 && dup2(lfd, 3) < 0)
			_exit(1);
		close_range(4, ~0u, 0);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		setsid();
		keeper_main(3, path);
	}
	close(lfd);
	{
		/* For operators and tests: who holds the rings. */
		char pidfile[4200];
		FILE *f;

		snprintf(pidfile, sizeof(pidfile), "%.4000s.pid", path);
		f = fopen(pidfile, "we");
		if (f) {
			fprintf(f, "%d\n", (int)pid);
			fclose(f);
		}
	}
	return 0;
}

static int keeper_dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

static int fetch_entries(int fd, struct fdkeep_entry **out, unsigned *n_out)
{
	struct fdkeep_entry *v = NULL;
	unsigned n = 0;
	struct keep_msg m;
	int fds[3], rc = keep_send(fd, KEEP_GET, 0, NULL);

	while (!rc && !(rc = keep_recv(fd, &m, fds)) && m.op == KEEP_ENTRY) {
		struct fdkeep_entry *t = realloc(v, (n + 1) * sizeof(*v));

		if (!t || fds[2] < 0) {
			close3(fds);
			continue;
		}
		v = t;
		v[n].domid = m.domid;
		memcpy(v[n++].fds, fds, sizeof(fds));
	}
	*out = v;
	*n_out = n;
	return rc;
}

int fdkeep_open(const char *dir, struct fdkeep **out,
		struct fdkeep_entry **entries_out, unsigned *n_out)
{
	char path[4096];
	struct fdkeep *k;
	int fd, rc;

	*entries_out = NULL;
	*n_out = 0;
	snprintf(path, sizeof(path), "%s/fdkeep.sock", dir);
	fd = keeper_dial(path);
	if (fd < 0) {
		rc = keeper_spawn(path);
		if (rc)
			return rc;
		fd = keeper_dial(path);
	}
	if (fd < 0)
		return fd;
	k = calloc(1, sizeof(*k));
	if (!k) {
		close(fd);
		return -ENOMEM;
	}
	k->fd = fd;
	rc = fetch_entries(fd, entries_out, n_out);
	if (rc)
		log_warn(-rc, "fd keeper: fetching rings");
	*out = k;
	return 0;
}

void fdkeep_put(struct fdkeep *k, uint16_t domid, const int fds[3])
{
	int rc = k ? keep_send(k->fd, KEEP_PUT, domid, fds) : 0;

	if (rc)
		log_warn(-rc, "fd keeper: d%u not kept", domid);
}

void fdkeep_del(struct fdkeep *k, uint16_t domid)
{
	if (k)
		(void)keep_send(k->fd, KEEP_DEL, domid, NULL);
}

void fdkeep_close(struct fdkeep *k, bool quit)
{
	if (!k)
		return;
	if (quit)
		(void)keep_send(k->fd, KEEP_QUIT, 0, NULL);
	close(k->fd);
	free(k);
}
