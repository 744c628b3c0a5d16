/* cli/xend_client.c: one request to xend over its Unix socket.
 *
 * Connects to xm->socket_path, writes the request line, reads one reply
 * line (at most XEND_MSG_MAX bytes), prints its output and error, and
 * returns its status as xm's exit code. If nothing listens, says so and
 * names the socket. The wire format is proto/xend_proto.h's. */
#include "cli/xm.h"
#include "proto/xend_proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int xend_connect(const char *path, int *fd_out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	*fd_out = fd;
	return 0;
}

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

/* Read until '\n' or EOF; *out is malloc'd. */
static int read_reply(int fd, char **out, size_t *len_out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (len == cap) {
			if (cap >= XEND_MSG_MAX) {
				free(buf);
				return -EMSGSIZE;
			}
			n = realloc(buf, cap * 2);
			if (!n) {
				free(buf);
				return -ENOMEM;
			}
			buf = n;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return (int)r;
		}
		if (r == 0 || memchr(buf + len, '\n', (size_t)r)) {
			len += (size_t)r;
			break;
		}
		len += (size_t)r;
	}
	*out = buf;
	*len_out = len;
	return 0;
}

static int print_reply(const struct xm *xm, const char *buf, size_t len)
{
	struct xend_reply rep;
	int rc = xend_reply_decode(buf, len, &rep);

	if (rc) {
		fprintf(stderr, "%s: xend sent a reply xm cannot read (%s)\n",
			xm->prog, strerror(-rc));
		return XM_ERR;
	}
	if (rep.output)
		fputs(rep.output, stdout);
	fflush(stdout);
	if (rep.error)
		fprintf(stderr, "%s: %s\n", xm->prog, rep.error);
	rc = rep.status >= 0 && rep.status <= 2 ? rep.status : XM_ERR;
	xend_reply_clear(&rep);
	return rc;
}

int xend_run(const struct xm *xm, const char *request)
{
	char *reply = NULL;
	size_t len = 0;
	int fd = -1, rc;

	rc = xend_connect(xm->socket_path, &fd);
	if (rc) {
		fprintf(stderr, "%s: xend is not running (cannot connect to "
			"%s: %s)\n", xm->prog, xm->socket_path, strerror(-rc));
		return XM_ERR;
	}
	rc = write_all(fd, request, strlen(request));
	if (!rc) {
		shutdown(fd, SHUT_WR);
		rc = read_reply(fd, &reply, &len);
	}
	close(fd);
	if (rc) {
		fprintf(stderr, "%s: lost the connection to xend at %s: %s\n",
			xm->prog, xm->socket_path, strerror(-rc));
		return XM_ERR;
	}
	rc = print_reply(xm, reply, len);
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
			strerror(-rc));
		return XM_ERR;
	}
	rc = xend_run(xm, req);
	free(req);
	return rc;
}
