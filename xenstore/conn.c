/* xenstore/conn.c: connections: input framing, output queues with
 * backpressure, transactions per connection, and the Unix socket transport.
 *
 * A connection's output is a FIFO of whole messages (replies and events in
 * the order they were produced), sent as the transport allows. Memory per
 * connection is bounded: input is at most CONN_IN_CAP bytes, and output
 * grows past CONN_OUT_HIGH only by events, which stop at CONN_OUT_MAX. */
#include "xenstore/xenstored.h"
#include "xenstore/txn.h"
#include "xenstore/watch.h"
#include "lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

struct conn *conn_new(struct xsd *x, const struct conn_transport *tp,
		      int fd, const struct store_who *who)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->x = x;
	c->tp = tp;
	c->fd = fd;
	c->who = *who;
	c->poll.kind = XSD_POLL_CONN;
	c->poll.ptr = c;
	c->out_tail = &c->out_head;
	c->next_txid = 1;
	snprintf(c->home, sizeof(c->home), "/local/domain/%u", who->domid);
	c->next = x->conns;
	x->conns = c;
	return c;
}

void conn_drop_txns(struct conn *c)
{
	for (unsigned i = 0; i < c->ntxns; i++)
		txn_free(c->txns[i]);
	free(c->txns);
	c->txns = NULL;
	c->ntxns = 0;
}

struct txn *conn_find_txn(struct conn *c, uint32_t id)
{
	for (unsigned i = 0; i < c->ntxns; i++)
		if (txn_id(c->txns[i]) == id)
			return c->txns[i];
	return NULL;
}

void conn_destroy(struct conn *c)
{
	struct outmsg *m, *next;

	for (struct conn **pp = &c->x->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	watch_remove_owner(c->x->ws, c);
	conn_drop_txns(c);
	for (m = c->out_head; m; m = next) {
		next = m->next;
		free(m);
	}
	while (c->nfds)
		close(conn_take_fd(c));
	if (c->tp->destroy)
		c->tp->destroy(c);
	free(c);
}

/* Destroy connections marked dead; called where no request is running. */
unsigned conn_reap(struct xsd *x)
{
	struct conn *c = x->conns, *next;
	unsigned n = 0;

	for (; c; c = next) {
		next = c->next;
		if (c->dead) {
			conn_destroy(c);
			n++;
		}
	}
	return n;
}

size_t conn_input_room(const struct conn *c)
{
	return sizeof(c->in) - c->in_len;
}

bool conn_backlogged(const struct conn *c)
{
	if (c->dom && !c->who.priv)
		return c->out_replies >= (c->x->q.outstanding ?
						  c->x->q.outstanding : 1);
	return c->out_bytes > CONN_OUT_HIGH;
}

void conn_process_input(struct conn *c)
{
	size_t off = 0;

	while (!c->dead && !conn_backlogged(c)) {
		struct xsd_sockmsg hdr;
		size_t total;

		if (wire_frame(c->in + off, c->in_len - off, &hdr, &total)) {
			log_warn(0, "%s d%u: payload of %u bytes, over %u",
				 c->tp->name, c->who.domid, hdr.len,
				 XENSTORE_PAYLOAD_MAX);
			c->tp->proto_error(c);
			return;
		}
		if (!total || c->in_len - off < total)
			break;
		ops_dispatch(c, &hdr, (const char *)c->in + off + WIRE_HDR_LEN);
		off += total;
	}
	if (off) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	c->paused = !c->dead && conn_backlogged(c);
}

int conn_queue(struct conn *c, const struct xsd_sockmsg *hdr, uint32_t type,
	       const void *payload, uint32_t len, bool event)
{
	struct outmsg *m;
	struct xsd_sockmsg h = *hdr;

	if (c->dead)
		return -EPIPE;
	m = malloc(sizeof(*m) + WIRE_HDR_LEN + len);
	if (!m)
		return -ENOMEM;
	h.type = type;
	h.len = len;
	memcpy(m->data, &h, WIRE_HDR_LEN);
	memcpy(m->data + WIRE_HDR_LEN, payload, len);
	m->len = (uint32_t)(WIRE_HDR_LEN + len);
	m->off = 0;
	m->event = event;
	m->next = NULL;
	*c->out_tail = m;
	c->out_tail = &m->next;
	c->out_bytes += m->len;
	c->out_count++;
	c->out_replies += !event;
	return 0;
}

int conn_queue_raw(struct conn *c, const void *bytes, uint32_t len)
{
	struct outmsg *m = malloc(sizeof(*m) + len);

	if (!m)
		return -ENOMEM;
	memcpy(m->data, bytes, len);
	m->len = len;
	m->off = 0;
	m->event = true;
	m->next = NULL;
	*c->out_tail = m;
	c->out_tail = &m->next;
	c->out_bytes += len;
	c->out_count++;
	return 0;
}

/* Is an identical event still waiting, unsent, in the queue? Xen drops
 * the duplicate. Only short queues are searched, which keeps queueing
 * cheap however long a queue grows (a long one is not deduplicated). */
static bool event_pending(const struct conn *c, const char *payload,
			  uint32_t len)
{
	if (c->out_count > CONN_DEDUP_SCAN)
		return false;
	for (const struct outmsg *m = c->out_head; m; m = m->next)
		if (m->event && m->off == 0 && m->len == WIRE_HDR_LEN + len &&
		    memcmp(m->data + WIRE_HDR_LEN, payload, len) == 0)
			return true;
	return false;
}

void conn_queue_event(struct conn *c, const char *epath, const char *token)
{
	const struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT };
	size_t pl = strlen(epath) + 1, tl = strlen(token) + 1;
	char *buf;

	if (c->dead)
		return;
	if (pl + tl > XENSTORE_PAYLOAD_MAX) {
		log_debug("d%u: event for %s too large, dropped", c->who.domid,
			  epath);
		return;
	}
	if (c->out_bytes > CONN_OUT_MAX) {
		if (c->dom) {
			log_warn(0, "d%u: not reading, event dropped",
				 c->who.domid);
			return;
		}
		log_warn(0, "socket client not reading its events, dropped");
		c->dead = true;
		return;
	}
	buf = malloc(pl + tl);
	if (!buf)
		return;
	memcpy(buf, epath, pl);
	memcpy(buf + pl, token, tl);
	if (event_pending(c, buf, (uint32_t)(pl + tl))) {
		free(buf);
		return;
	}
	(void)conn_queue(c, &hdr, XS_WATCH_EVENT, buf, (uint32_t)(pl + tl),
			 true);
	free(buf);
}

int conn_take_fd(struct conn *c)
{
	int fd;

	if (!c->nfds)
		return -1;
	fd = c->fds[0];
	memmove(c->fds, c->fds + 1, (--c->nfds) * sizeof(int));
	return fd;
}

/* Drop sent messages from the head of the queue. */
void conn_sent(struct conn *c, size_t n)
{
	while (n && c->out_head) {
		struct outmsg *m = c->out_head;
		size_t part = m->len - m->off;

		if (n < part) {
			m->off += (uint32_t)n;
			return;
		}
		n -= part;
		c->out_bytes -= m->len;
		c->out_count--;
		c->out_replies -= !m->event;
		c->out_head = m->next;
		if (!c->out_head)
			c->out_tail = &c->out_head;
		free(m);
	}
}

/* ---- Unix socket transport ---- */

/* Ask epoll for input unless paused (a paused client's pending input
 * would otherwise wake us in a loop) and for output while some waits. */
static void sock_set_events(struct conn *c)
{
	struct epoll_event ev = { .data.ptr = &c->poll };

	ev.events = (c->paused ? 0 : EPOLLIN) | (c->out_head ? EPOLLOUT : 0);
	if (c->x->epfd < 0 || ev.events == c->ev_mask)
		return;
	if (epoll_ctl(c->x->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->ev_mask = ev.events;
}

/* Write what the socket takes; returns false if the connection died. */
static bool sock_write(struct conn *c)
{
	while (c->out_head) {
		struct iovec iov[16];
		int n = 0;
		ssize_t r;

		for (struct outmsg *m = c->out_head; m && n < 16; m = m->next) {
			iov[n].iov_base = m->data + m->off;
			iov[n++].iov_len = m->len - m->off;
		}
		r = writev(c->fd, iov, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->dead = true;
			break;
		}
		conn_sent(c, (size_t)r);
	}
	return !c->dead;
}

static void sock_flush(struct conn *c)
{
	/* Draining output may unblock input held back, whose replies go
	 * out in turn; stop when the socket is full or input is used up. */
	while (sock_write(c) && c->paused && !conn_backlogged(c)) {
		size_t before = c->in_len;

		conn_process_input(c);
		if (c->in_len == before)
			break;
	}
	if (!c->dead)
		sock_set_events(c);
}

static void sock_proto_error(struct conn *c)
{
	c->dead = true;
}

static void sock_destroy(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd); /* also leaves the epoll set */
}

const struct conn_transport conn_socket_transport = {
	.name = "socket",
	.flush = sock_flush,
	.proto_error = sock_proto_error,
	.destroy = sock_destroy,
};

static void stash_fds(struct conn *c, struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm)) {
		int *fds = (int *)CMSG_DATA(cm);
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			if (c->nfds < CONN_MAX_FDS && c->who.priv && !c->read_only)
				c->fds[c->nfds++] = fds[i];
			else
				close(fds[i]);
		}
	}
}

static void sock_read(struct conn *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * CONN_MAX_FDS)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = c->in + c->in_len,
			     .iov_len = conn_input_room(c) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf.buf,
			     .msg_controllen = sizeof(cbuf.buf) };
	ssize_t r;

	if (!iov.iov_len)
		return;
	r = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		c->dead = true;
		return;
	}
	if (r < 0)
		return;
	stash_fds(c, &mh);
	c->in_len += (size_t)r;
	conn_process_input(c);
}

void conn_socket_io(struct conn *c, uint32_t events)
{
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		c->dead = true;
		return;
	}
	if (events & EPOLLIN && !c->paused)
		sock_read(c);
	if (!c->dead)
		sock_flush(c);
}

int conn_accept(struct xsd *x, int lfd, bool read_only)
{
	const struct store_who who = { .domid = 0, .target = STORE_DOMID_NONE,
				       .priv = true };
	struct epoll_event ev = { .events = EPOLLIN };
	struct conn *c;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return -errno;
	c = conn_new(x, &conn_socket_transport, fd, &who);
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->read_only = read_only;
	c->ev_mask = EPOLLIN;
	ev.data.ptr = &c->poll;
	if (epoll_ctl(x->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int rc = -errno;

		conn_destroy(c);
		return rc;
	}
	return 0;
}

/* ---- null transport: output is discarded (fuzzers, unit tests) ---- */

static void null_flush(struct conn *c)
{
	conn_sent(c, c->out_bytes);
}

static void null_proto_error(struct conn *c)
{
	c->dead = true;
}

const struct conn_transport conn_null_transport = {
	.name = "null",
	.flush = null_flush,
	.proto_error = null_proto_error,
};
