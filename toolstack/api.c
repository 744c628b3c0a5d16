/* toolstack/api.c: the xm <-> xend protocol, server side (proto/README.md).
 *
 * One request per connection: a JSON line in, a JSON line out. Lines are
 * gathered without blocking (api_conn.c), then handled one at a time from
 * the main loop, so two creates of the same name are ordered and exactly
 * one wins. A command is a
 * {name, handler} entry; handlers parse their own options (the wire
 * carries argv as typed), write their output into a memory stream and
 * return the xm exit status. shutdown -w and reboot -w park the
 * connection as a waiter, answered when the domains are gone. */
#include "toolstack/api.h"
#include "lib/unix_sock.h"
#include "lib/log.h"
#include "proto/xend_proto.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Send s[0..len); the first chunk carries pass_fd (SCM_RIGHTS) if >= 0. */
static void send_all(int fd, const char *s, size_t len, int pass_fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	size_t off = 0;

	while (off < len) {
		struct iovec iov = { .iov_base = (char *)s + off,
				     .iov_len = len - off };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t r;

		if (pass_fd >= 0 && off == 0) {
			memset(&cm, 0, sizeof(cm));
			mh.msg_control = cm.buf;
			mh.msg_controllen = sizeof(cm.buf);
			CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
			CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
			CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &pass_fd, sizeof(int));
		}
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (r <= 0)
			return;
		off += (size_t)r;
	}
}

void api_reply_pass(int fd, int status, const char *output, const char *error,
		    int pass_fd)
{
	json_t *o = json_pack("{s:i, s:i}", "version", XEND_PROTO_VERSION,
			      "status", status);
	char *s;

	if (o && output && *output)
		json_object_set_new(o, "output", json_string(output));
	if (o && error && *error)
		json_object_set_new(o, "error", json_string(error));
	if (o && pass_fd >= 0)
		json_object_set_new(o, "fd", json_string("console"));
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (s) {
		char *line = xend_strdup_printf("%s\n", s);

		if (line)
			send_all(fd, line, strlen(line), pass_fd);
		free(line);
	}
	free(s);
	json_decref(o);
	if (pass_fd >= 0)
		close(pass_fd);
	close(fd);
}

void api_reply_fd(int fd, int status, const char *output, const char *error)
{
	api_reply_pass(fd, status, output, error, -1);
}

int api_listen(struct xend *x)
{
	char dir[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s", x->o.socket);
	if (mkdir(dirname(dir), 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = unix_connect(x->o.socket, 0);
	if (fd >= 0) {
		close(fd);
		return -EADDRINUSE; /* another xend answers there */
	}
	if (fd == -ENAMETOOLONG)
		return fd;
	fd = unix_listen(x->o.socket, 64, SOCK_NONBLOCK);
	if (fd < 0)
		return fd;
	x->listen_fd = fd;
	return 0;
}

/* Fill rq from the JSON; 0 or an error phrase in rq->err. */
int api_decode(struct api_req *rq, const char *line)
{
	json_t *args;
	json_error_t je;
	size_t i;

	rq->root = json_loads(line, JSON_DISABLE_EOF_CHECK, &je);
	if (!json_is_object(rq->root))
		return api_fail(rq, 1, "malformed request: %s", je.text);
	if (json_integer_value(json_object_get(rq->root, "version")) >
	    XEND_PROTO_VERSION)
		return api_fail(rq, 1, "xm speaks protocol version %lld, this "
				"xend speaks version %d", json_integer_value(
				json_object_get(rq->root, "version")),
				XEND_PROTO_VERSION);
	rq->command = json_string_value(json_object_get(rq->root, "command"));
	args = json_object_get(rq->root, "args");
	if (!rq->command || (args && !json_is_array(args)))
		return api_fail(rq, 1, "malformed request: no command");
	rq->argc = (int)json_array_size(args);
	rq->argv = calloc((size_t)rq->argc + 1, sizeof(char *));
	if (!rq->argv)
		return api_fail(rq, 1, "out of memory");
	for (i = 0; i < (size_t)rq->argc; i++) {
		rq->argv[i] = (char *)json_string_value(json_array_get(args, i));
		if (!rq->argv[i])
			return api_fail(rq, 1, "malformed request: args");
	}
	rq->config = json_object_get(rq->root, "config");
	rq->config_file = json_string_value(json_object_get(rq->root,
							    "config_file"));
	return 0;
}

int api_fail(struct api_req *rq, int status, const char *fmt, ...)
{
	va_list ap;

	free(rq->err);
	va_start(ap, fmt);
	if (vasprintf(&rq->err, fmt, ap) < 0)
		rq->err = NULL;
	va_end(ap);
	rq->status = status;
	return status;
}

/* One complete request line from fd: dispatch, answer (unless parked). */
void api_handle_line(struct xend *x, int fd, const char *line)
{
	struct api_req rq = { .fd = fd, .pass_fd = -1 };
	char *out = NULL;
	size_t outlen = 0;

	rq.out = open_memstream(&out, &outlen);
	if (!rq.out) {
		api_reply_fd(fd, 1, NULL, "out of memory");
		return;
	}
	if (api_decode(&rq, line) == 0) {
		log_debug("request: %s", rq.command);
		api_dispatch(x, &rq);
	}
	fclose(rq.out);
	if (!rq.deferred)
		api_reply_pass(fd, rq.status, out, rq.err, rq.pass_fd);
	else if (rq.pass_fd >= 0)
		close(rq.pass_fd);
	free(out);
	free(rq.err);
	free(rq.argv);
	json_decref(rq.root);
}

/* Park rq's connection until every domain in ids[0..n) is gone. */
int api_defer(struct xend *x, struct api_req *rq, const unsigned *ids,
	      unsigned n)
{
	struct waiter *w = calloc(1, sizeof(*w));

	if (!w || !(w->domids = malloc(sizeof(*ids) * (n ? n : 1)))) {
		free(w);
		return api_fail(rq, 1, "out of memory");
	}
	memcpy(w->domids, ids, sizeof(*ids) * n);
	w->n = n;
	w->fd = rq->fd;
	w->next = x->waiters;
	x->waiters = w;
	rq->deferred = true;
	return 0;
}

void api_domain_gone(struct xend *x, unsigned domid)
{
	struct waiter **pp = &x->waiters, *w;

	while ((w = *pp)) {
		for (unsigned i = 0; i < w->n; i++) {
			if (w->domids[i] == domid)
				w->domids[i--] = w->domids[--w->n];
		}
		if (w->n) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		api_reply_fd(w->fd, 0, NULL, NULL);
		free(w->domids);
		free(w);
	}
}

void api_close_waiters(struct xend *x)
{
	while (x->waiters) {
		struct waiter *w = x->waiters;

		x->waiters = w->next;
		api_reply_fd(w->fd, 1, NULL, "xend is stopping");
		free(w->domids);
		free(w);
	}
}
