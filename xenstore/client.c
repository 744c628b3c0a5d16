/* xenstore/client.c: see xs.h. Synchronous: send one request, read until
 * its reply arrives, queueing watch events met on the way. */
#include "xenstore/xs.h"
#include "lib/unix_sock.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

struct xs_event {
	struct xs_event *next;
	char *path, *token;
};

struct xs_handle {
	int fd;
	uint32_t req_id;
	struct xs_event *ev_head, **ev_tail;
	size_t in_len;
	unsigned char in[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
};

int xs_open(const char *path, struct xs_handle **out)
{
	struct xs_handle *h;
	int rc;

	if (!path)
		path = getenv("XENSTORED_PATH");
	if (!path)
		path = XS_DEFAULT_SOCKET;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->ev_tail = &h->ev_head;
	h->fd = unix_connect(path, 0);
	if (h->fd < 0) {
		rc = h->fd;
		xs_close(h);
		return rc;
	}
	*out = h;
	return 0;
}

void xs_close(struct xs_handle *h)
{
	struct xs_event *e, *next;

	if (!h)
		return;
	for (e = h->ev_head; e; e = next) {
		next = e->next;
		free(e->path);
		free(e);
	}
	if (h->fd >= 0)
		close(h->fd);
	free(h);
}

int xs_fileno(const struct xs_handle *h)
{
	return h->fd;
}

bool xs_watch_pending(const struct xs_handle *h)
{
	return h->ev_head != NULL;
}

static int send_msg(struct xs_handle *h, const struct xsd_sockmsg *hdr,
		    const void *payload, const int *fds, unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 3)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov[2] = { { (void *)hdr, sizeof(*hdr) },
				{ (void *)payload, hdr->len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t total = sizeof(*hdr) + hdr->len, sent = 0;

	if (nfds) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	while (sent < total) {
		ssize_t r = sendmsg(h->fd, &mh, MSG_NOSIGNAL);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		sent += (size_t)r;
		mh.msg_control = NULL; /* fds go with the first byte only */
		mh.msg_controllen = 0;
		while (mh.msg_iovlen && (size_t)r >= mh.msg_iov->iov_len) {
			r -= (ssize_t)mh.msg_iov->iov_len;
			mh.msg_iov++;
			mh.msg_iovlen--;
		}
		if (mh.msg_iovlen) {
			mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + r;
			mh.msg_iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

static int queue_event(struct xs_handle *h, const char *p, uint32_t len)
{
	struct xs_event *e = calloc(1, sizeof(*e));
	const char *nul = memchr(p, '\0', len);

	if (!e || !nul) {
		free(e);
		return e ? -EBADMSG : -ENOMEM;
	}
	e->path = malloc(len + 1);
	if (!e->path) {
		free(e);
		return -ENOMEM;
	}
	memcpy(e->path, p, len);
	e->path[len] = '\0';
	e->token = e->path + (nul - p) + 1;
	*h->ev_tail = e;
	h->ev_tail = &e->next;
	return 0;
}

/* Read one whole message (blocking if block); -EAGAIN if none yet. */
static int recv_msg(struct xs_handle *h, bool block, struct xsd_sockmsg *hdr,
		    char **payload)
{
	for (;;) {
		ssize_t r;

		if (h->in_len >= sizeof(*hdr)) {
			memcpy(hdr, h->in, sizeof(*hdr));
			if (hdr->len > XENSTORE_PAYLOAD_MAX)
				return -EBADMSG;
			if (h->in_len >= sizeof(*hdr) + hdr->len) {
				size_t total = sizeof(*hdr) + hdr->len;

				*payload = malloc(hdr->len + 1);
				if (!*payload)
					return -ENOMEM;
				memcpy(*payload, h->in + sizeof(*hdr), hdr->len);
				(*payload)[hdr->len] = '\0';
				memmove(h->in, h->in + total, h->in_len - total);
				h->in_len -= total;
				return 0;
			}
		}
		r = recv(h->fd, h->in + h->in_len, sizeof(h->in) - h->in_len,
			 block ? 0 : MSG_DONTWAIT);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		h->in_len += (size_t)r;
	}
}

static void drain_buffered(struct xs_handle *h)
{
	struct xsd_sockmsg r;

	while (h->in_len >= sizeof(r)) {
		size_t total;

		memcpy(&r, h->in, sizeof(r));
		total = sizeof(r) + r.len;
		if (r.type != XS_WATCH_EVENT || r.len > XENSTORE_PAYLOAD_MAX ||
		    h->in_len < total ||
		    queue_event(h, (char *)h->in + sizeof(r), r.len))
			return;
		memmove(h->in, h->in + total, h->in_len - total);
		h->in_len -= total;
	}
}

static int talk(struct xs_handle *h, uint32_t type, uint32_t tx,
		const void *payload, size_t len, const int *fds,
		unsigned nfds, char **reply, size_t *reply_len)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = ++h->req_id,
				   .tx_id = tx, .len = (uint32_t)len };
	char *p = NULL;
	int rc;

	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	rc = send_msg(h, &hdr, payload, fds, nfds);
	while (!rc) {
		struct xsd_sockmsg r;

		rc = recv_msg(h, true, &r, &p);
		if (rc)
			break;
		if (r.type == XS_WATCH_EVENT) {
			rc = queue_event(h, p, r.len);
			free(p);
			p = NULL;
			continue;
		}
		if (r.type == XS_ERROR) {
			int e = EINVAL;

			for (size_t i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
				if (strcmp(p, xsd_errors[i].errstring) == 0)
					e = xsd_errors[i].errnum;
			free(p);
			return -e;
		}
		if (r.type != type || r.req_id != hdr.req_id) {
			free(p);
			return -EBADMSG;
		}
		/* Events already read past the reply become visible to
		 * xs_watch_pending(): poll() will not report them. */
		drain_buffered(h);
		if (reply) {
			*reply = p;
			if (reply_len)
				*reply_len = r.len;
		} else {
			free(p);
		}
		return 0;
	}
	return rc;
}

int xs_request(struct xs_handle *h, uint32_t type, uint32_t tx,
	       const void *payload, size_t len, char **reply_out,
	       size_t *reply_len_out)
{
	return talk(h, type, tx, payload, len, NULL, 0, reply_out,
		    reply_len_out);
}

static int simple(struct xs_handle *h, uint32_t type, uint32_t tx,
		  const char *arg)
{
	return talk(h, type, tx, arg, strlen(arg) + 1, NULL, 0, NULL, NULL);
}

int xs_read(struct xs_handle *h, uint32_t tx, const char *path,
	    char **val_out, size_t *len_out)
{
	return talk(h, XS_READ, tx, path, strlen(path) + 1, NULL, 0, val_out,
		    len_out);
}

int xs_write(struct xs_handle *h, uint32_t tx, const char *path,
	     const void *val, size_t len)
{
	size_t pl = strlen(path) + 1;
	char *buf;
	int rc;

	if (pl + len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	buf = malloc(pl + len + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, path, pl);
	memcpy(buf + pl, val, len);
	rc = talk(h, XS_WRITE, tx, buf, pl + len, NULL, 0, NULL, NULL);
	free(buf);
	return rc;
}

int xs_mkdir(struct xs_handle *h, uint32_t tx, const char *path)
{
	return simple(h, XS_MKDIR, tx, path);
}

int xs_rm(struct xs_handle *h, uint32_t tx, const char *path)
{
	return simple(h, XS_RM, tx, path);
}

/* Split "a\0b\0" into a NULL-terminated array in one allocation. */
static int split_reply(const char *p, size_t len, char ***out, unsigned *n)
{
	unsigned count = 0;
	char **v, *s;

	for (size_t i = 0; i < len; i++)
		count += p[i] == '\0';
	v = malloc((count + 1) * sizeof(*v) + len + 1);
	if (!v)
		return -ENOMEM;
	s = (char *)(v + count + 1);
	memcpy(s, p, len);
	s[len] = '\0';
	for (unsigned i = 0; i < count; i++) {
		v[i] = s;
		s += strlen(s) + 1;
	}
	v[count] = NULL;
	*out = v;
	*n = count;
	return 0;
}

int xs_directory(struct xs_handle *h, uint32_t tx, const char *path,
		 char ***names_out, unsigned *n_out)
{
	char *p;
	size_t len;
	int rc = talk(h, XS_DIRECTORY, tx, path, strlen(path) + 1, NULL, 0,
		      &p, &len);

	if (rc)
		return rc;
	rc = split_reply(p, len, names_out, n_out);
	free(p);
	return rc;
}

int xs_get_perms(struct xs_handle *h, uint32_t tx, const char *path,
		 struct xs_perm **perms_out, unsigned *n_out)
{
	char *p = NULL, **v = NULL;
	struct xs_perm *perms = NULL;
	size_t len;
	unsigned n = 0;
	int rc = talk(h, XS_GET_PERMS, tx, path, strlen(path) + 1, NULL, 0,
		      &p, &len);

	if (!rc)
		rc = split_reply(p, len, &v, &n);
	if (!rc) {
		perms = calloc(n ? n : 1, sizeof(*perms));
		rc = perms ? 0 : -ENOMEM;
	}
	for (unsigned i = 0; !rc && i < n; i++) {
		perms[i].perm = v[i][0];
		perms[i].domid = (uint16_t)atoi(v[i] + 1);
	}
	if (!rc) {
		*perms_out = perms;
		*n_out = n;
	}
	free(p);
	free(v);
	return rc;
}

int xs_set_perms(struct xs_handle *h, uint32_t tx, const char *path,
		 const struct xs_perm *perms, unsigned n)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t off = (size_t)snprintf(buf, sizeof(buf), "%s", path) + 1;

	for (unsigned i = 0; i < n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%c%u",
					perms[i].perm, perms[i].domid) + 1;
	if (off > sizeof(buf))
		return -E2BIG;
	return talk(h, XS_SET_PERMS, tx, buf, off, NULL, 0, NULL, NULL);
}

static int two_args(struct xs_handle *h, uint32_t type, const char *a,
		    const char *b)
{
	size_t la = strlen(a) + 1, lb = strlen(b) + 1;
	char buf[XENSTORE_PAYLOAD_MAX];

	if (la + lb > sizeof(buf))
		return -E2BIG;
	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	return talk(h, type, 0, buf, la + lb, NULL, 0, NULL, NULL);
}

int xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	return two_args(h, XS_WATCH, path, token);
}

int xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	return two_args(h, XS_UNWATCH, path, token);
}

int xs_read_watch(struct xs_handle *h, char **path_out, char **token_out)
{
	struct xs_event *e;

	while (!h->ev_head) {
		struct xsd_sockmsg r;
		char *p;
		int rc = recv_msg(h, false, &r, &p);

		if (rc == -EWOULDBLOCK)
			return -EAGAIN;
		if (rc)
			return rc;
		rc = r.type == XS_WATCH_EVENT ? queue_event(h, p, r.len) :
						-EBADMSG;
		free(p);
		if (rc)
			return rc;
	}
	e = h->ev_head;
	h->ev_head = e->next;
	if (!h->ev_head)
		h->ev_tail = &h->ev_head;
	*path_out = e->path;
	*token_out = e->token;
	free(e);
	return 0;
}

int xs_transaction_start(struct xs_handle *h, uint32_t *tx_out)
{
	char *p;
	int rc = talk(h, XS_TRANSACTION_START, 0, "", 1, NULL, 0, &p, NULL);

	if (rc)
		return rc;
	*tx_out = (uint32_t)strtoul(p, NULL, 10);
	free(p);
	return 0;
}

int xs_transaction_end(struct xs_handle *h, uint32_t tx, bool abort)
{
	return simple(h, XS_TRANSACTION_END, tx, abort ? "F" : "T");
}

int xs_introduce(struct xs_handle *h, uint16_t domid, uint64_t gfn,
		 uint32_t port, int page_fd, int kick_fd, int notify_fd)
{
	const int fds[3] = { page_fd, kick_fd, notify_fd };
	char buf[80];
	int len = snprintf(buf, sizeof(buf), "%u%c%llu%c%u", domid, 0,
			   (unsigned long long)gfn, 0, port);

	return talk(h, XS_INTRODUCE, 0, buf, (size_t)len + 1, fds,
		    page_fd >= 0 ? 3 : 0, NULL, NULL);
}

int xs_release(struct xs_handle *h, uint16_t domid)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%u", domid);
	return simple(h, XS_RELEASE, 0, buf);
}

int xs_is_domain_introduced(struct xs_handle *h, uint16_t domid, bool *out)
{
	char buf[8], *p;
	int rc;

	snprintf(buf, sizeof(buf), "%u", domid);
	rc = talk(h, XS_IS_DOMAIN_INTRODUCED, 0, buf, strlen(buf) + 1, NULL, 0,
		  &p, NULL);
	if (!rc) {
		*out = p[0] == 'T';
		free(p);
	}
	return rc;
}

int xs_get_domain_path(struct xs_handle *h, uint16_t domid, char **out)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%u", domid);
	return talk(h, XS_GET_DOMAIN_PATH, 0, buf, strlen(buf) + 1, NULL, 0,
		    out, NULL);
}
