/* toolstack/api_conn.c: API connections until their request line is in.
 *
 * Accepted sockets are non-blocking and polled by the main loop; bytes
 * gather in the connection's buffer until a '\n' (or EOF) completes the
 * request, which api_handle_line() then serves with the socket back in
 * blocking mode (5 s send timeout). A client that sends nothing is
 * dropped after API_CONN_TIMEOUT_MS, one that sends more than
 * XEND_MSG_MAX is refused; neither holds up anyone else. */
#include "toolstack/api.h"
#include "proto/xend_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define API_CONN_TIMEOUT_MS 5000

struct api_conn {
	struct api_conn *next;
	int fd;
	char *buf;
	size_t len, cap;
	uint64_t deadline_ms;
};

static void conn_free(struct xend *x, struct api_conn *c, bool close_fd)
{
	for (struct api_conn **pp = &x->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (close_fd)
		close(c->fd);
	free(c->buf);
	free(c);
}

void api_accept(struct xend *x)
{
	for (;;) {
		int fd = accept4(x->listen_fd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct api_conn *c;

		if (fd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->deadline_ms = xend_now_ms() + API_CONN_TIMEOUT_MS;
		c->next = x->conns;
		x->conns = c;
	}
}

/* The line is complete: serve it on a blocking socket. */
static void conn_serve(struct xend *x, struct api_conn *c)
{
	struct timeval tv = { .tv_sec = 5 };
	int fd = c->fd;
	char *line = c->buf;

	c->buf = NULL;
	conn_free(x, c, false);
	fcntl(fd, F_SETFL, 0);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	api_handle_line(x, fd, line ? line : "");
	free(line);
}

/* Read what is there. Returns true if c was served or dropped. */
static bool conn_read(struct xend *x, struct api_conn *c)
{
	for (;;) {
		ssize_t r;

		if (c->len + 1 >= c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 4096;
			char *n;

			if (c->cap >= XEND_MSG_MAX) {
				api_reply_fd(c->fd, 1, NULL, "request too large");
				conn_free(x, c, false);
				return true;
			}
			n = realloc(c->buf, cap);
			if (!n) {
				conn_free(x, c, true);
				return true;
			}
			c->buf = n;
			c->cap = cap;
		}
		r = read(c->fd, c->buf + c->len, c->cap - 1 - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return false;
		if (r < 0) {
			conn_free(x, c, true);
			return true;
		}
		c->len += (size_t)r;
		c->buf[c->len] = 0;
		if (r == 0 || memchr(c->buf + c->len - (size_t)r, '\n', (size_t)r)) {
			conn_serve(x, c);
			return true;
		}
	}
}

unsigned api_conn_pollfds(struct xend *x, struct pollfd *pf, unsigned max)
{
	unsigned n = 0;

	for (struct api_conn *c = x->conns; c && n < max; c = c->next)
		pf[n++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
	return n;
}

void api_conn_service(struct xend *x, const struct pollfd *pf, unsigned n)
{
	uint64_t now = xend_now_ms();

	for (unsigned i = 0; i < n; i++) {
		struct api_conn *c;

		if (!pf[i].revents)
			continue;
		for (c = x->conns; c && c->fd != pf[i].fd; c = c->next)
			;
		if (c)
			conn_read(x, c);
	}
	for (struct api_conn *c = x->conns, *next; c; c = next) {
		next = c->next;
		if (now >= c->deadline_ms)
			conn_free(x, c, true);
	}
}

void api_conn_close_all(struct xend *x)
{
	while (x->conns)
		conn_free(x, x->conns, true);
}
