/* xenstore/domain.c: introduced domains and the shared-ring transport.
 *
 * Handover (kxen has no hypervisor to map a grant for us): the process
 * that owns a guest's memory sends XS_INTRODUCE "domid\0gfn\0port\0" over
 * the privileged socket with three fds attached (SCM_RIGHTS): the guest
 * RAM memfd (the store page is at gfn * 4096 in it), an eventfd the guest
 * side signals when it has written requests ("kick"), and one we signal
 * after consuming or producing ("notify"). Without fds (xenstore-utils,
 * libxl), INTRODUCE records the domain only: IS_DOMAIN_INTRODUCED,
 * RELEASE and @introduceDomain work, and a later INTRODUCE with fds
 * attaches the ring.
 *
 * Ring rules (Xen's domain.c): indexes are read once, validated
 * (prod - cons <= ring size; else error=RINGIDX and the domain is no
 * longer served), bytes are copied out before parsing, a payload over 4096
 * sets error=PROTO; we loop until the request ring is drained and nothing
 * more can be written, notifying after every chunk, since the guest only
 * notifies on transitions. */
#include "xenstore/xenstored.h"
#include "xenstore/fdkeep.h"
#include "xenstore/journal.h"
#include "xenstore/txn.h"
#include "xenstore/watch.h"
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE_SIZE_XS 4096ul

struct domain {
	struct domain *next;
	struct xsd *x;
	store_domid_t domid, target;
	uint64_t gfn;
	uint32_t port;
	struct conn *conn;
	struct xenstore_domain_interface *intf;
	int page_fd, kick_fd, notify_fd;
	struct xsd_poll poll;
	bool broken;
	bool shutdown;
	bool dead; /* released; freed by domain_reap after the event batch */
	bool restored; /* known from before a restart: its ring may be live */
};

struct domain *domain_find(struct xsd *x, store_domid_t domid)
{
	for (struct domain *d = x->domains; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

bool domain_is_introduced(struct xsd *x, store_domid_t domid)
{
	return domid == 0 || domain_find(x, domid) != NULL;
}

static void ring_notify(struct domain *d)
{
	const uint64_t one = 1;

	if (d->notify_fd >= 0 && write(d->notify_fd, &one, sizeof(one)) < 0)
		log_debug("d%u: notify: %s", d->domid, strerror(errno));
}

static void ring_fail(struct domain *d, uint32_t error)
{
	if (d->broken)
		return;
	log_warn(0, "d%u: ring error %u, domain no longer served", d->domid,
		 error);
	d->broken = true;
	atomic_store_explicit((_Atomic uint32_t *)&d->intf->error, error,
			      memory_order_release);
	ring_notify(d);
}

static uint32_t load_idx(const XENSTORE_RING_IDX *p)
{
	return atomic_load_explicit((_Atomic uint32_t *)p, memory_order_acquire);
}

static void store_idx(XENSTORE_RING_IDX *p, uint32_t v)
{
	atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_release);
}

/* Copy requests out of the ring into the connection's input buffer. */
static size_t ring_read(struct domain *d)
{
	struct xenstore_domain_interface *intf = d->intf;
	struct conn *c = d->conn;
	uint32_t cons = load_idx(&intf->req_cons);
	uint32_t prod = load_idx(&intf->req_prod);
	size_t n, room = conn_input_room(c), done = 0;

	if (prod - cons > XENSTORE_RING_SIZE) {
		ring_fail(d, XENSTORE_ERROR_RINGIDX);
		return 0;
	}
	n = prod - cons < room ? prod - cons : room;
	while (done < n) {
		size_t off = MASK_XENSTORE_IDX(cons + done);
		size_t chunk = XENSTORE_RING_SIZE - off;

		if (chunk > n - done)
			chunk = n - done;
		memcpy(c->in + c->in_len, intf->req + off, chunk);
		c->in_len += chunk;
		done += chunk;
	}
	if (n)
		store_idx(&intf->req_cons, cons + (uint32_t)n);
	/* Our req_cons must be visible before we look at req_prod again:
	 * the guest skips its notification if it sees we have not drained
	 * (store-load ordering needs a full fence). */
	atomic_thread_fence(memory_order_seq_cst);
	return n;
}

/* Copy queued output into the response ring as far as it has space. */
static size_t ring_write(struct domain *d)
{
	struct xenstore_domain_interface *intf = d->intf;
	struct conn *c = d->conn;
	uint32_t cons = load_idx(&intf->rsp_cons);
	uint32_t prod = load_idx(&intf->rsp_prod);
	size_t space, done = 0;

	if (prod - cons > XENSTORE_RING_SIZE) {
		ring_fail(d, XENSTORE_ERROR_RINGIDX);
		return 0;
	}
	space = XENSTORE_RING_SIZE - (prod - cons);
	while (c->out_head && done < space) {
		struct outmsg *m = c->out_head;
		size_t left = m->len - m->off, off, chunk;

		off = MASK_XENSTORE_IDX(prod + done);
		chunk = XENSTORE_RING_SIZE - off;
		if (chunk > left)
			chunk = left;
		if (chunk > space - done)
			chunk = space - done;
		memcpy(intf->rsp + off, m->data + m->off, chunk);
		done += chunk;
		conn_sent(c, chunk);
	}
	if (done)
		store_idx(&intf->rsp_prod, prod + (uint32_t)done);
	atomic_thread_fence(memory_order_seq_cst);
	return done;
}

/* Serve the ring until neither direction makes progress. */
static void ring_work(struct domain *d)
{
	for (int rounds = 0; d->intf && !d->broken && d->conn; rounds++) {
		size_t moved = ring_write(d);

		if (!d->broken && !conn_backlogged(d->conn)) {
			size_t in = ring_read(d);

			moved += in;
			if (!d->broken)
				conn_process_input(d->conn);
			if (d->conn->dead)
				break;
		}
		if (!d->broken)
			moved += ring_write(d);
		if (!moved)
			break;
		ring_notify(d);
		/* Bounded so one busy guest cannot starve the loop; the
		 * guest will kick again or we come back after others. */
		if (rounds > 64) {
			domain_ring_kick(d);
			break;
		}
	}
}

void domain_ring_kick(struct domain *d)
{
	const uint64_t one = 1;

	/* Re-arm ourselves through our own kick fd: level-triggered epoll
	 * brings us back after other connections had their turn. */
	if (d->kick_fd >= 0 && write(d->kick_fd, &one, sizeof(one)) < 0)
		log_debug("d%u: self-kick: %s", d->domid, strerror(errno));
}

static void ring_flush(struct conn *c)
{
	if (c->dom)
		ring_work(c->dom);
}

static void ring_proto_error(struct conn *c)
{
	if (c->dom)
		ring_fail(c->dom, XENSTORE_ERROR_PROTO);
}

static void ring_destroy(struct conn *c)
{
	if (c->dom)
		c->dom->conn = NULL;
}

static const struct conn_transport ring_transport = {
	.name = "ring",
	.flush = ring_flush,
	.proto_error = ring_proto_error,
	.destroy = ring_destroy,
};

/* Called from the event loop when the kick eventfd is readable. */
void domain_ring_event(struct domain *d)
{
	uint64_t v;

	if (d->dead)
		return; /* released earlier in this batch of events */
	if (read(d->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("d%u: kick read: %s", d->domid, strerror(errno));
	ring_work(d);
}

static void ring_detach(struct domain *d)
{
	if (d->intf)
		fdkeep_del(d->x->keep, d->domid);
	if (d->conn) {
		d->conn->dom = NULL;
		d->conn->dead = true;
		d->conn = NULL;
	}
	if (d->intf)
		munmap(d->intf, PAGE_SIZE_XS);
	d->intf = NULL;
	/* The guest side holds the same eventfd, so closing ours would not
	 * take it out of the epoll set: remove it explicitly. */
	if (d->kick_fd >= 0 && d->x->epfd >= 0)
		epoll_ctl(d->x->epfd, EPOLL_CTL_DEL, d->kick_fd, NULL);
	if (d->kick_fd >= 0)
		close(d->kick_fd);
	if (d->notify_fd >= 0)
		close(d->notify_fd);
	if (d->page_fd >= 0)
		close(d->page_fd);
	d->kick_fd = d->notify_fd = d->page_fd = -1;
	d->broken = false;
}

static int ring_attach(struct domain *d, int page_fd, int kick_fd,
		       int notify_fd, bool fresh)
{
	const struct store_who who = { .domid = d->domid, .target = d->target,
				       .priv = d->domid == d->x->priv_domid };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &d->poll };
	void *page;

	if (d->gfn > (uint64_t)INT64_MAX / PAGE_SIZE_XS)
		return -EINVAL;
	page = mmap(NULL, PAGE_SIZE_XS, PROT_READ | PROT_WRITE, MAP_SHARED,
		    page_fd, (off_t)(d->gfn * PAGE_SIZE_XS));
	if (page == MAP_FAILED)
		return -errno;
	ring_detach(d);
	d->intf = page;
	d->page_fd = page_fd;
	d->kick_fd = kick_fd;
	d->notify_fd = notify_fd;
	d->conn = conn_new(d->x, &ring_transport, -1, &who);
	if (!d->conn)
		goto fail;
	d->conn->dom = d;
	if (fresh) {
		/* As Xen's introduce: a clean ring, marked connected. */
		store_idx(&d->intf->req_cons, 0);
		store_idx(&d->intf->req_prod, 0);
		store_idx(&d->intf->rsp_cons, 0);
		store_idx(&d->intf->rsp_prod, 0);
		d->intf->server_features = 0;
		d->intf->error = XENSTORE_ERROR_NONE;
		store_idx(&d->intf->connection, XENSTORE_CONNECTED);
	}
	if (d->x->epfd >= 0 &&
	    epoll_ctl(d->x->epfd, EPOLL_CTL_ADD, kick_fd, &ev) < 0)
		goto fail;
	fdkeep_put(d->x->keep, d->domid,
		   (const int[3]){ page_fd, kick_fd, notify_fd });
	ring_notify(d);
	return 0;
fail:
	d->page_fd = d->kick_fd = d->notify_fd = -1; /* caller closes */
	if (d->conn) {
		d->conn->dom = NULL;
		d->conn->dead = true;
		d->conn = NULL;
	}
	munmap(d->intf, PAGE_SIZE_XS);
	d->intf = NULL;
	return -ENOMEM;
}

static void close_fds(int a, int b, int c)
{
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (c >= 0)
		close(c);
}

static struct domain *domain_add(struct xsd *x, store_domid_t domid)
{
	struct domain *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->x = x;
	d->domid = domid;
	d->target = STORE_DOMID_NONE;
	d->page_fd = d->kick_fd = d->notify_fd = -1;
	d->poll.kind = XSD_POLL_RING;
	d->poll.ptr = d;
	d->next = x->domains;
	x->domains = d;
	return d;
}

int domain_introduce(struct xsd *x, store_domid_t domid, uint64_t gfn,
		     uint32_t port, int page_fd, int kick_fd, int notify_fd)
{
	struct domain *d = domain_find(x, domid);
	bool is_new = !d;
	int rc;

	if (page_fd >= 0 && (kick_fd < 0 || notify_fd < 0)) {
		close_fds(page_fd, kick_fd, notify_fd);
		return -EINVAL;
	}
	if (!d)
		d = domain_add(x, domid);
	if (!d) {
		close_fds(page_fd, kick_fd, notify_fd);
		return -ENOMEM;
	}
	d->gfn = gfn;
	d->port = port;
	if (page_fd >= 0) {
		/* A ring known from before a restart is live: keep it. */
		rc = ring_attach(d, page_fd, kick_fd, notify_fd, !d->restored);
		if (rc) {
			close_fds(page_fd, kick_fd, notify_fd);
			if (is_new) {
				x->domains = d->next; /* just added at the head */
				free(d);
			}
			return rc;
		}
	}
	if (x->j)
		journal_domain(x->j, &(struct journal_domain){
			.domid = domid, .gfn = gfn, .port = port }, true);
	if (is_new) {
		log_info("d%u introduced%s", domid, page_fd >= 0 ? " with ring" : "");
		xsd_fire_special(x, "@introduceDomain");
	}
	return 0;
}

int domain_release(struct xsd *x, store_domid_t domid)
{
	struct domain **pp, *d = NULL;

	for (pp = &x->domains; *pp; pp = &(*pp)->next) {
		if ((*pp)->domid == domid) {
			d = *pp;
			*pp = d->next;
			break;
		}
	}
	if (!d)
		return domid == 0 ? -EINVAL : -ENOENT;
	if (d->conn) {
		watch_remove_owner(x->ws, d->conn);
		conn_drop_txns(d->conn);
	}
	ring_detach(d);
	/* An event for it may still be pending in this epoll batch. */
	d->dead = true;
	d->next = x->dead_domains;
	x->dead_domains = d;
	if (!x->keep_orphans)
		store_forget_domain(x->st, domid);
	if (x->j)
		journal_domain(x->j, &(struct journal_domain){ .domid = domid },
			       false);
	log_info("d%u released", domid);
	xsd_fire_special(x, "@releaseDomain");
	return 0;
}

int domain_set_target(struct xsd *x, store_domid_t domid, store_domid_t target)
{
	struct domain *d = domain_find(x, domid);

	if (!d || !domain_is_introduced(x, target))
		return -ENOENT;
	d->target = target;
	if (d->conn)
		d->conn->who.target = target;
	return 0;
}

int domain_resume(struct xsd *x, store_domid_t domid)
{
	struct domain *d = domain_find(x, domid);

	if (!d)
		return -ENOENT;
	d->shutdown = false;
	return 0;
}

void domain_reap(struct xsd *x)
{
	while (x->dead_domains) {
		struct domain *d = x->dead_domains;

		x->dead_domains = d->next;
		free(d);
	}
}

void domain_free_all(struct xsd *x)
{
	domain_reap(x);
	while (x->domains) {
		struct domain *d = x->domains;

		x->domains = d->next;
		ring_detach(d);
		free(d);
	}
}

struct domain *domain_next(struct xsd *x, struct domain *d)
{
	return d ? d->next : x->domains;
}

void domain_describe(const struct domain *d, store_domid_t *domid,
		     uint64_t *gfn, uint32_t *port, int fds[3],
		     store_domid_t *target)
{
	*domid = d->domid;
	*gfn = d->gfn;
	*port = d->port;
	fds[0] = d->page_fd;
	fds[1] = d->kick_fd;
	fds[2] = d->notify_fd;
	*target = d->target;
}

int domain_restore(struct xsd *x, store_domid_t domid, uint64_t gfn,
		   uint32_t port, store_domid_t target, int page_fd,
		   int kick_fd, int notify_fd)
{
	struct domain *d = domain_find(x, domid);
	int rc;

	if (!d)
		d = domain_add(x, domid);
	if (!d)
		return -ENOMEM;
	d->gfn = gfn;
	d->port = port;
	d->target = target;
	d->restored = true;
	if (page_fd < 0)
		return 0;
	fcntl(page_fd, F_SETFD, FD_CLOEXEC);
	fcntl(kick_fd, F_SETFD, FD_CLOEXEC);
	fcntl(notify_fd, F_SETFD, FD_CLOEXEC);
	rc = ring_attach(d, page_fd, kick_fd, notify_fd, false);
	if (rc)
		return rc;
	/* Requests may have arrived while we were exec'ing. */
	domain_ring_kick(d);
	return 0;
}

struct conn *domain_conn(struct xsd *x, store_domid_t domid)
{
	struct domain *d = domain_find(x, domid);

	return d ? d->conn : NULL;
}

int domain_reattach(struct xsd *x, store_domid_t domid, const int fds[3])
{
	struct domain *d = domain_find(x, domid);

	if (!d || d->intf) {
		for (int i = 0; i < 3; i++)
			close(fds[i]);
		return -ENOENT;
	}
	return domain_restore(x, domid, d->gfn, d->port, d->target, fds[0],
			      fds[1], fds[2]);
}
