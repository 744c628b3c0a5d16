/* cli/xend_client.c: one request to xend over its Unix socket.
 *
 * Connects to xm->socket_path, writes the request line, reads one reply
 * line (at most XEND_MSG_MAX bytes) with recvmsg(), keeping at most one
 * file descriptor passed with it (SCM_RIGHTS; any other is closed at
 * once), prints its output and error, and returns its status as xm's
 * exit code. A reply announcing "fd":"console" hands that fd to
 * console_attach(). If nothing listens, says so and names the socket; if
 * xend goes away before its reply line is complete, says the connection
 * was lost. The wire format is proto/xend_proto.h's. */
#include "cli/xm.h"
#include "lib/unix_sock.h"
#include "proto/xend_proto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* fds recvmsg() makes room for at once (the kernel drops any beyond);
 * past the first, all are closed. */
#define XEND_RECV_FDS 4

/* send(), not write(): a closed peer must not kill xm with SIGPIPE. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t r = send(fd, buf, len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Keep the first fd of mh's SCM_RIGHTS messages in *fd_out (if it is
 * still -1) and close every other one. */
static void take_fds(struct msghdr *mh, int *fd_out)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int pfd;

			memcpy(&pfd, CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
			if (*fd_out < 0)
				*fd_out = pfd;
			else
				close(pfd);
		}
	}
}

/* One recvmsg() into buf[0..cap), fds handled by take_fds(). */
static ssize_t recv_some(int fd, char *buf, size_t cap, int *fd_out)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(XEND_RECV_FDS * sizeof(int))];
	} cm;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cm.buf,
			     .msg_controllen = sizeof(cm.buf) };
	ssize_t r;

	do {
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	/* fds beyond the buffer (MSG_CTRUNC) were never installed */
	take_fds(&mh, fd_out);
	return r;
}

int xend_recv_reply(int fd, char **out, size_t *len_out, int *fd_out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *n;
	int pfd = -1, rc;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (len == cap) {
			rc = -EMSGSIZE;
			if (cap >= XEND_MSG_MAX)
				goto fail;
			rc = -ENOMEM;
			n = realloc(buf, cap * 2);
			if (!n)
				goto fail;
			buf = n;
			cap *= 2;
		}
		r = recv_some(fd, buf + len, cap - len, &pfd);
		if (r == 0 || r == -ECONNRESET) {
			rc = -ECONNRESET; /* xend went away before the '\n' */
			goto fail;
		}
		if (r < 0) {
			rc = (int)r;
			goto fail;
		}
		len += (size_t)r;
		if (memchr(buf + len - (size_t)r, '\n', (size_t)r))
			break;
	}
	*out = buf;
	*len_out = len;
	*fd_out = pfd;
	return 0;
fail:
	free(buf);
	if (pfd >= 0)
		close(pfd);
	return rc;
}

/* Print the reply; attach to the console it announces. Owns pass_fd. */
static int handle_reply(const struct xm *xm, const char *buf, size_t len,
			int pass_fd)
{
	struct xend_reply rep;
	bool console;
	int rc = xend_reply_decode(buf, len, &rep);

	if (rc) {
		fprintf(stderr, "%s: xend sent a reply xm cannot read (%s)\n",
			xm->prog, strerror(-rc));
		if (pass_fd >= 0)
			close(pass_fd);
		return XM_ERR;
	}
	if (rep.output)
		fputs(rep.output, stdout);
	fflush(stdout);
	if (rep.error)
		fprintf(stderr, "%s: %s\n", xm->prog, rep.error);
	rc = rep.status >= 0 && rep.status <= 2 ? rep.status : XM_ERR;
	console = rep.fd && !strcmp(rep.fd, "console") && rc == XM_OK;
	xend_reply_clear(&rep);
	if (console && pass_fd < 0) {
		fprintf(stderr, "%s: xend announced the console but passed no "
			"file descriptor\n", xm->prog);
		return XM_ERR;
	}
	if (console)
		return console_attach(xm, pass_fd);
	if (pass_fd >= 0)
		close(pass_fd); /* not announced: not ours to use */
	return rc;
}

int xend_run(const struct xm *xm, const char *request)
{
	char *reply = NULL;
	size_t len = 0;
	int fd = -1, pass_fd = -1, rc;

	fd = unix_connect(xm->socket_path, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: xend is not running (cannot connect to "
			"%s: %s)\n", xm->prog, xm->socket_path, strerror(-fd));
		return XM_ERR;
	}
	rc = write_all(fd, request, strlen(request));
	if (!rc) {
		shutdown(fd, SHUT_WR);
		rc = xend_recv_reply(fd, &reply, &len, &pass_fd);
	}
	close(fd);
	if (rc == -ECONNRESET || rc == -EPIPE) {
		fprintf(stderr, "%s: lost the connection to xend (%s)\n",
			xm->prog, xm->socket_path);
		return XM_ERR;
	}
	if (rc) {
		fprintf(stderr, "%s: lost the connection to xend (%s): %s\n",
			xm->prog, xm->socket_path, strerror(-rc));
		return XM_ERR;
	}
	rc = handle_reply(xm, reply, len, pass_fd);
	free(reply);
	return rc;
}

static int count_operands(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++)
		n += argv[i][0] != '-' || argv[i][1] == '\0';
	return n;
}

int cmd_xend(struct xm *xm, const struct cmd_spec *cmd, int argc,
	     char **argv)
{
	char *req = NULL;
	int rc;

	if (count_operands(argc, argv) < cmd->min_operands) {
		fprintf(stderr, "%s: '%s' needs %s%d argument%s\n", xm->prog,
			cmd->name, cmd->min_operands > 1 ? "at least " : "",
			cmd->min_operands, cmd->min_operands > 1 ? "s" : "");
		cmd_print_usage(xm, cmd, stderr);
		return XM_USAGE;
	}
	rc = xend_request_encode(cmd->name, argc - 1, argv + 1, NULL, NULL,
				 &req);
	if (rc) {
		fprintf(stderr, "%s: %s: %s\n", xm->prog, cmd->name,
			rc == -EILSEQ ? "an argument is not UTF-8"
				      : strerror(-rc));
		return XM_ERR;
	}
	rc = xend_run(xm, req);
	free(req);
	return rc;
}
