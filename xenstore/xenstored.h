/* xenstore/xenstored.h: the daemon's internal interfaces (not for other
 * components; they use xs.h).
 *
 * One struct xsd holds the daemon's state and is passed explicitly. A
 * connection (struct conn) is one protocol engine over one transport: a
 * Unix socket (privileged, dom0) or a domain's shared ring page. Requests
 * from either go through ops_dispatch(), which owns the per-request arena
 * and turns a handler's negative errno into an XS_ERROR reply. */
#ifndef KXEN_XENSTORE_XENSTORED_H
#define KXEN_XENSTORE_XENSTORED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xenstore/arena.h"
#include "xenstore/store.h"
#include "xenstore/wire.h"

struct conn;
struct domain;
struct fdkeep;
struct journal;
struct txn;
struct watch_set;

/* What an epoll registration points to. */
enum xsd_poll_kind {
	XSD_POLL_LISTEN,
	XSD_POLL_CONN,
	XSD_POLL_RING,
	XSD_POLL_SIGNAL,
};

struct xsd_poll {
	enum xsd_poll_kind kind;
	void *ptr;
};

struct xsd {
	struct store *st;
	struct store_quota q;
	struct watch_set *ws;
	struct conn *conns;
	struct domain *domains;
	struct domain *dead_domains; /* released, freed after the event batch */
	struct journal *j;
	struct fdkeep *keep;  /* ring fds kept for crash recovery, or NULL */
	struct xarena arena;  /* the current request's scratch memory */
	int epfd;             /* -1 when driven without an event loop */
	int listen_fd, listen_ro_fd;
	struct xsd_poll listen_poll, listen_ro_poll, signal_poll;
	int signal_fd;
	store_domid_t priv_domid;
	bool keep_orphans;    /* -K: a released domain's nodes go to dom0 */
	bool live_update;     /* set by CONTROL live-update or SIGUSR1 */
	bool accept_paused;   /* out of fds: listening sockets off epoll */
	bool stop;
	const char *socket_path;
	const char *state_dir;
	char **argv;          /* for re-exec on live update */
	char lu_binary[256];  /* live-update -f: new binary ("" = ourselves) */
};

/* Limits on a connection's queued output. A socket client past OUT_HIGH
 * is not read from until it drains; events past OUT_MAX disconnect a
 * socket client and are dropped for a domain (which cannot be dropped). */
#define CONN_IN_CAP (2 * (WIRE_HDR_LEN + XENSTORE_PAYLOAD_MAX))
#define CONN_OUT_HIGH (256u * 1024)
#define CONN_OUT_MAX (4u * 1024 * 1024)
#define CONN_MAX_FDS 8
#define CONN_DEDUP_SCAN 64

struct outmsg {
	struct outmsg *next;
	uint32_t len, off;
	bool event;
	unsigned char data[];
};

struct conn_transport {
	const char *name;
	/* Push queued output as far as the transport takes it now. */
	void (*flush)(struct conn *c);
	/* A framing error (payload > 4096): drop or stop serving. */
	void (*proto_error)(struct conn *c);
	/* Called once from conn_destroy to release the transport. */
	void (*destroy)(struct conn *c);
};

struct conn {
	struct conn *next;
	struct xsd *x;
	const struct conn_transport *tp;
	struct xsd_poll poll;
	int fd;                 /* socket, or -1 */
	struct domain *dom;     /* ring connections */
	struct store_who who;
	bool read_only;         /* socket_ro clients */
	bool dead;              /* destroy at the next safe point */
	bool paused;            /* input held back until output drains */
	char home[32];          /* /local/domain/<domid> */
	size_t in_len;
	int fds[CONN_MAX_FDS];  /* SCM_RIGHTS fds not yet claimed */
	unsigned nfds;
	struct outmsg *out_head, **out_tail;
	size_t out_bytes;
	unsigned out_count, out_replies;
	struct txn **txns;
	unsigned ntxns;
	uint32_t next_txid;
	uint32_t ev_mask;       /* events registered with epoll (sockets) */
	unsigned char in[CONN_IN_CAP];
};

/* conn.c */
struct conn *conn_new(struct xsd *x, const struct conn_transport *tp,
		      int fd, const struct store_who *who);
void conn_destroy(struct conn *c);
/* Append bytes to the input buffer; returns how many fit. */
size_t conn_input_room(const struct conn *c);
/* Parse and dispatch every complete message in the input buffer while the
 * connection is not backlogged. */
void conn_process_input(struct conn *c);
bool conn_backlogged(const struct conn *c);
/* Queue a message (header built from hdr with type and len replaced). */
int conn_queue(struct conn *c, const struct xsd_sockmsg *hdr, uint32_t type,
	       const void *payload, uint32_t len, bool event);
void conn_queue_event(struct conn *c, const char *epath, const char *token);
/* Queue already framed bytes (live update). */
int conn_queue_raw(struct conn *c, const void *bytes, uint32_t len)
	__attribute__((warn_unused_result));
/* Drop n sent bytes from the head of the output queue. */
void conn_sent(struct conn *c, size_t n);
/* Take the oldest received fd; -1 if none. */
int conn_take_fd(struct conn *c);
void conn_drop_txns(struct conn *c);
struct txn *conn_find_txn(struct conn *c, uint32_t id);
/* Destroy dead connections; returns how many. */
unsigned conn_reap(struct xsd *x);
extern const struct conn_transport conn_socket_transport;
extern const struct conn_transport conn_null_transport;
void conn_socket_io(struct conn *c, uint32_t events);
int conn_accept(struct xsd *x, int lfd, bool read_only);

/* ops.c */
void ops_dispatch(struct conn *c, const struct xsd_sockmsg *hdr,
		  const char *payload);
/* Fire a store change or @special event at every matching watcher. */
void xsd_fire(struct xsd *x, const char *path, enum store_event ev,
	      const struct store_perm *perms, uint32_t nperms,
	      const struct store_perm *old, uint32_t nold);
void xsd_fire_special(struct xsd *x, const char *name);
/* Set up st, ws and hooks; no sockets. */
int xsd_init(struct xsd *x);
void xsd_fini(struct xsd *x);
struct journal_domain;
/* Open the journal under dir and load its tree; dom_fn sees each domain
 * that was introduced. */
int xsd_load(struct xsd *x, const char *dir, bool fresh, bool sync,
	     void (*dom_fn)(void *ctx, const struct journal_domain *d))
	__attribute__((warn_unused_result));

/* domain.c */
struct domain *domain_find(struct xsd *x, store_domid_t domid);
/* Wire INTRODUCE: record (or re-arm) the domain; with page_fd >= 0 also
 * serve its ring. Fds are taken over (closed on failure). */
int domain_introduce(struct xsd *x, store_domid_t domid, uint64_t gfn,
		     uint32_t port, int page_fd, int kick_fd, int notify_fd)
	__attribute__((warn_unused_result));
int domain_release(struct xsd *x, store_domid_t domid)
	__attribute__((warn_unused_result));
int domain_set_target(struct xsd *x, store_domid_t domid,
		      store_domid_t target) __attribute__((warn_unused_result));
int domain_resume(struct xsd *x, store_domid_t domid)
	__attribute__((warn_unused_result));
bool domain_is_introduced(struct xsd *x, store_domid_t domid);
void domain_ring_kick(struct domain *d);
/* The kick eventfd is readable: serve the ring. */
void domain_ring_event(struct domain *d);
void domain_free_all(struct xsd *x);
/* Free released domains; call where no event refers to them. */
void domain_reap(struct xsd *x);
/* Live update: a domain as it was, ring fds inherited (not reset). */
int domain_restore(struct xsd *x, store_domid_t domid, uint64_t gfn,
		   uint32_t port, store_domid_t target, int page_fd,
		   int kick_fd, int notify_fd) __attribute__((warn_unused_result));
struct conn *domain_conn(struct xsd *x, store_domid_t domid);
/* After a crash: serve a recorded domain's ring again with the fds the
 * keeper held (page, kick, notify); taken over, closed on failure. */
int domain_reattach(struct xsd *x, store_domid_t domid, const int fds[3])
	__attribute__((warn_unused_result));
/* For live update: iterate domains. */
struct domain *domain_next(struct xsd *x, struct domain *d);
void domain_describe(const struct domain *d, store_domid_t *domid,
		     uint64_t *gfn, uint32_t *port, int fds[3],
		     store_domid_t *target);

/* control.c */
int control_run(struct conn *c, const char **argv, unsigned argc,
		struct xarena *a, const char **reply, uint32_t *len)
	__attribute__((warn_unused_result));

#endif
