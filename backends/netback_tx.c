/* backends/netback_tx.c: the TX ring (guest -> tap), see netback.h.
 *
 * One packet at a time, as Linux netback's xenvif_tx_build_gops parses
 * it: read req_prod once, copy every slot once into a private request,
 * check only the copies. The packet's headers are copied out of the
 * granted pages into tx_buf behind a virtio_net_hdr, and the packet goes
 * to the tap in one writev, the payload straight from the granted pages
 * (mapped read-only until then); only then are its slots answered, in
 * slot order: the first
 * slot and the fragments with the packet's status, the extras with
 * NETIF_RSP_NULL. req_cons therefore equals rsp_prod_pvt between packets.
 *
 * Verdicts (§5 items 21-24): a drop answers every slot NETIF_RSP_ERROR
 * and the ring lives on; a fatal error answers nothing more and stops the
 * vif (nb_fatal). */
#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backends/gnttab.h"
#include "backends/netback_internal.h"
#include "lib/clock.h"

/* One packet's slots, as copied from the ring. */
struct tx_pkt {
	netif_tx_request_t first; /* size: whole packet, then its own part */
	uint16_t total;           /* the packet's size as the first slot said */
	netif_extra_info_t extras[XEN_NETIF_EXTRA_TYPE_MAX - 1]; /* by type */
	unsigned nr_extras;       /* extra slots consumed */
	netif_tx_request_t frags[NB_TX_SLOTS_MAX]; /* kept follow-on slots */
	uint16_t frag_ids[NB_TX_SLOTS_FATAL];      /* every follow-on slot's id */
	unsigned nr_frags;                         /* follow-on slots consumed */
};

/* Outcome of parsing a packet. */
enum tx_verdict { TX_SEND, TX_DROP, TX_FATAL };

int nb_tx_init(struct netback *nb)
{
	nb->tx_buf = malloc(NB_VNET_HLEN + XEN_NETIF_MAX_TX_SIZE);
	if (!nb->tx_buf)
		return -ENOMEM;
	BACK_RING_INIT(&nb->tx, (netif_tx_sring_t *)nb->p.tx_ring, NB_PAGE);
	if (nb->p.rate_bytes) {
		uint64_t us = nb->p.rate_interval_us ? nb->p.rate_interval_us
						     : 50000;

		nb->credit_ns = us * 1000;
		nb->credit_bytes = nb->p.rate_bytes;
		nb->remaining_credit = nb->credit_bytes;
		nb->credit_window_start = clock_mono_ns();
	}
	return 0;
}

/* Linux's tx_add_credit: a new window's credit, capped at a burst that
 * always fits one maximal packet. */
static void tx_add_credit(struct netback *nb)
{
	uint64_t max_burst = nb->credit_bytes > 131072 ? nb->credit_bytes
						       : 131072;
	uint64_t max_credit = nb->remaining_credit + nb->credit_bytes;

	if (max_credit < nb->remaining_credit)
		max_credit = UINT64_MAX;
	nb->remaining_credit = max_credit < max_burst ? max_credit : max_burst;
	nb->rate_limited = false;
}

/* Linux's tx_credit_exceeded: true if size must wait for the next window
 * (which then starts at credit_window_start). */
static bool tx_credit_exceeded(struct netback *nb, unsigned size)
{
	uint64_t now = clock_mono_ns();
	uint64_t next = nb->credit_window_start + nb->credit_ns;

	if (nb->rate_limited)
		return true;
	if (now >= next) {
		nb->credit_window_start = now;
		tx_add_credit(nb);
	}
	if (size > nb->remaining_credit) {
		nb->credit_window_start = next;
		nb->rate_limited = true;
		return true;
	}
	return false;
}

uint64_t nb_tx_credit_wait_ns(struct netback *nb, uint64_t now)
{
	if (!nb->rate_limited)
		return 0;
	if (now >= nb->credit_window_start) {
		tx_add_credit(nb); /* the credit timer fired */
		return 0;
	}
	return nb->credit_window_start - now;
}

static void tx_respond(struct netback *nb, uint16_t id, int16_t status)
{
	netif_tx_response_t rsp = { .id = id, .status = status };

	*RING_GET_RESPONSE(&nb->tx, nb->tx.rsp_prod_pvt) = rsp;
	nb->tx.rsp_prod_pvt++;
}

/* Answer every slot of pk (which ends at req_cons). The responses are
 * pushed once per batch (tx_push), not per packet: the frontend then sees
 * one notification for many packets. */
static void tx_respond_pkt(struct netback *nb, const struct tx_pkt *pk,
			   int16_t status)
{
	tx_respond(nb, pk->first.id, status);
	for (unsigned i = 0; i < pk->nr_extras; i++)
		tx_respond(nb, 0, NETIF_RSP_NULL);
	for (unsigned i = 0; i < pk->nr_frags; i++)
		tx_respond(nb, pk->frag_ids[i], status);
}

static void tx_push(struct netback *nb)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&nb->tx, notify);
	if (!notify)
		return;
	nb_stat_add(nb, &nb->stats.tx_notifies, 1);
	if (nb->p.notify_tx)
		nb->p.notify_tx(nb->p.ctx);
}

/* xenvif_get_extras: the extras after the first slot. */
static enum tx_verdict tx_get_extras(struct netback *nb, struct tx_pkt *pk,
				     unsigned *work)
{
	netif_extra_info_t ex;

	do {
		if (*work == 0) {
			nb_fatal(nb, "TX: missing extra info");
			return TX_FATAL;
		}
		RING_COPY_REQUEST(&nb->tx, nb->tx.req_cons, &ex);
		nb->tx.req_cons++;
		(*work)--;
		pk->nr_extras++;
		if (ex.type == XEN_NETIF_EXTRA_TYPE_NONE ||
		    ex.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
			nb_fatal(nb, "TX: invalid extra type");
			return TX_FATAL;
		}
		pk->extras[ex.type - 1] = ex;
	} while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	return TX_SEND;
}

/* xenvif_count_requests: the follow-on slots. Subtracts each from
 * first.size, so that it ends as the first slot's own part. */
static enum tx_verdict tx_count_requests(struct netback *nb,
					 struct tx_pkt *pk, unsigned work)
{
	enum tx_verdict v = TX_SEND;
	netif_tx_request_t t;
	unsigned slots = 0;

	if (!(pk->first.flags & NETTXF_more_data))
		return TX_SEND;
	do {
		if (slots >= work) {
			nb_fatal(nb, "TX: packet runs past req_prod");
			return TX_FATAL;
		}
		if (slots >= NB_TX_SLOTS_FATAL) {
			nb_fatal(nb, "TX: more than 20 follow-on slots");
			return TX_FATAL;
		}
		if (slots >= NB_TX_SLOTS_MAX)
			v = TX_DROP;
		RING_COPY_REQUEST(&nb->tx, nb->tx.req_cons + slots, &t);
		/* A >= 64 KiB frame wrapped the u16 size: buggy frontends do
		 * this, so it is a drop, not fatal. */
		if (t.size > pk->first.size)
			v = TX_DROP;
		pk->first.size -= t.size;
		pk->frag_ids[slots] = t.id;
		if (v == TX_SEND)
			pk->frags[slots] = t;
		slots++;
		if ((unsigned)t.offset + t.size > NB_PAGE) {
			nb_fatal(nb, "TX: fragment crosses its page");
			return TX_FATAL;
		}
	} while (t.flags & NETTXF_more_data);
	pk->nr_frags = slots;
	nb->tx.req_cons += slots;
	return v;
}

/* A packet's slots, mapped: the granted bytes of slot i at v[i]. */
struct tx_map {
	const netif_tx_request_t *slot[1 + NB_TX_SLOTS_MAX];
	struct iovec v[1 + NB_TX_SLOTS_MAX];
	unsigned n;
};

static void tx_unmap(struct netback *nb, struct tx_map *m)
{
	for (unsigned i = 0; i < m->n; i++)
		gnttab_unmap(nb->p.gnt, m->slot[i]->gref, false);
	m->n = 0;
}

/* Map one slot read-only. Zero-length slots are fine (XSA-448) and touch
 * no grant. */
static int tx_map_slot(struct netback *nb, struct tx_map *m,
		       const netif_tx_request_t *t)
{
	void *page;
	int rc;

	if (!t->size)
		return 0;
	rc = gnttab_map(nb->p.gnt, t->gref, false, &page);
	if (rc < 0)
		return rc;
	m->slot[m->n] = t;
	m->v[m->n++] = (struct iovec){ (uint8_t *)page + t->offset, t->size };
	return 0;
}

/* Copy bytes [from, to) of the mapped packet to buf. */
static void tx_copy(const struct tx_map *m, size_t from, size_t to,
		    uint8_t *buf)
{
	size_t at = 0;

	for (unsigned i = 0; i < m->n && at < to; i++) {
		size_t len = m->v[i].iov_len, a = from > at ? from - at : 0;
		size_t b = to - at < len ? to - at : len;

		if (a < b)
			memcpy(buf + at + a - from,
			       (uint8_t *)m->v[i].iov_base + a, b - a);
		at += len;
	}
}

/* The virtio_net_hdr for the packet, whose first len bytes (of frame_len)
 * are our copy at data. */
static int tx_vnet_hdr(struct tx_pkt *pk, uint8_t *data, size_t len,
		       size_t frame_len, struct virtio_net_hdr *h)
{
	const netif_extra_info_t *gso = &pk->extras[XEN_NETIF_EXTRA_TYPE_GSO - 1];
	bool is_gso = gso->type == XEN_NETIF_EXTRA_TYPE_GSO;
	bool blank = pk->first.flags & NETTXF_csum_blank;
	struct nb_csum cs;

	memset(h, 0, sizeof(*h));
	if (!blank && !is_gso) {
		if (pk->first.flags & NETTXF_data_validated)
			h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return 0;
	}
	/* A GSO packet must be partially checksummed; Linux netback fixes up
	 * frontends that forget csum_blank (checksum_setup). */
	if (nb_csum_setup(data, len, frame_len, is_gso && !blank, &cs) < 0)
		return -EINVAL;
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = cs.start;
	h->csum_offset = cs.offset;
	h->hdr_len = cs.hdr_len;
	if (is_gso) {
		bool v6 = gso->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV6;

		if (!cs.tcp || cs.ipv6 != v6)
			return -EINVAL;
		h->gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6
				 : VIRTIO_NET_HDR_GSO_TCPV4;
		h->gso_size = gso->u.gso.size;
	}
	return 0;
}

/* Checks on the whole packet once its slots are known (the rest of
 * xenvif_tx_build_gops and xenvif_set_skb_gso). */
static enum tx_verdict tx_check(struct netback *nb, const struct tx_pkt *pk)
{
	const netif_extra_info_t *gso = &pk->extras[XEN_NETIF_EXTRA_TYPE_GSO - 1];

	if (pk->first.size < NB_ETH_HLEN)
		return TX_DROP;
	if ((unsigned)pk->first.offset + pk->first.size > NB_PAGE) {
		nb_fatal(nb, "TX: first slot crosses its page");
		return TX_FATAL;
	}
	if (gso->type) {
		if (!gso->u.gso.size) {
			nb_fatal(nb, "TX: GSO size 0");
			return TX_FATAL;
		}
		if (gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
		    gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6) {
			nb_fatal(nb, "TX: bad GSO type");
			return TX_FATAL;
		}
	}
	/* feature-multicast-control is never offered. */
	if (pk->extras[XEN_NETIF_EXTRA_TYPE_MCAST_ADD - 1].type ||
	    pk->extras[XEN_NETIF_EXTRA_TYPE_MCAST_DEL - 1].type)
		return TX_DROP;
	return TX_SEND;
}

/* The iovecs that follow our copy of the first `copied` bytes: the rest
 * of the mapped packet, in place. */
static unsigned tx_tail(const struct tx_map *m, size_t copied,
			struct iovec *out)
{
	size_t at = 0;
	unsigned n = 0;

	for (unsigned i = 0; i < m->n; i++) {
		size_t len = m->v[i].iov_len;

		if (at + len > copied) {
			size_t skip = copied > at ? copied - at : 0;

			out[n++] = (struct iovec){
				(uint8_t *)m->v[i].iov_base + skip, len - skip
			};
		}
		at += len;
	}
	return n;
}

/* Send pk's bytes to the tap. 0, or a negative errno (then a drop).
 *
 * Only the headers are copied (the first NB_TX_COPY bytes, where the
 * checksum parser looks and may write); the payload goes to the tap
 * straight from the granted pages, which stay mapped (GTF_reading) until
 * the write returns. The guest can change that payload meanwhile, but only
 * its own packet's bytes: every offset and length we act on comes from
 * our copies. A packet whose headers do not fit is copied whole. */
static int tx_send(struct netback *nb, struct tx_pkt *pk)
{
	uint8_t *data = nb->tx_buf + NB_VNET_HLEN;
	struct iovec iov[2 + NB_TX_SLOTS_MAX];
	struct virtio_net_hdr h;
	struct tx_map m = { .n = 0 };
	size_t len = 0, copied;
	unsigned niov;
	ssize_t r;
	int rc;

	rc = tx_map_slot(nb, &m, &pk->first);
	for (unsigned i = 0; rc == 0 && i < pk->nr_frags; i++)
		rc = tx_map_slot(nb, &m, &pk->frags[i]);
	for (unsigned i = 0; i < m.n; i++)
		len += m.v[i].iov_len;
	if (rc < 0 || len > XEN_NETIF_MAX_TX_SIZE) { /* sizes were checked */
		tx_unmap(nb, &m);
		return rc < 0 ? rc : -EINVAL;
	}
	copied = len < NB_TX_COPY ? len : NB_TX_COPY;
	tx_copy(&m, 0, copied, data);
	if (tx_vnet_hdr(pk, data, copied, len, &h) < 0) {
		if (copied == len) {
			tx_unmap(nb, &m);
			return -EINVAL;
		}
		tx_copy(&m, copied, len, data + copied);
		copied = len;
		if (tx_vnet_hdr(pk, data, copied, len, &h) < 0) {
			tx_unmap(nb, &m);
			return -EINVAL;
		}
	}
	memcpy(nb->tx_buf, &h, sizeof(h));
	iov[0] = (struct iovec){ nb->tx_buf, NB_VNET_HLEN + copied };
	niov = 1 + tx_tail(&m, copied, iov + 1);
	r = writev(nb->p.tap_fd, iov, (int)niov);
	rc = r < 0 ? -errno : 0;
	tx_unmap(nb, &m);
	if (rc == 0)
		nb_stat_add(nb, &nb->stats.tx_bytes, len);
	return rc;
}

/* Consume one packet; work is the number of unconsumed slots (>= 1).
 * Returns 1 (consumed), 0 (rate limited, nothing consumed) or -EPROTO. */
static int tx_one(struct netback *nb, unsigned work)
{
	struct tx_pkt pk;
	enum tx_verdict v;
	int rc;

	memset(&pk, 0, sizeof(pk));
	RING_COPY_REQUEST(&nb->tx, nb->tx.req_cons, &pk.first);
	if (nb->credit_bytes) {
		if (pk.first.size > nb->remaining_credit &&
		    tx_credit_exceeded(nb, pk.first.size))
			return 0;
		nb->remaining_credit -= pk.first.size;
	}
	nb->tx.req_cons++;
	work--;
	pk.total = pk.first.size;

	v = TX_SEND;
	if (pk.first.flags & NETTXF_extra_info)
		v = tx_get_extras(nb, &pk, &work);
	if (v == TX_SEND)
		v = tx_count_requests(nb, &pk, work);
	if (v == TX_SEND)
		v = tx_check(nb, &pk);
	if (v == TX_FATAL)
		return -EPROTO;
	if (v == TX_DROP) {
		nb_stat_add(nb, &nb->stats.tx_errors, 1);
		tx_respond_pkt(nb, &pk, NETIF_RSP_ERROR);
		return 1;
	}
	rc = tx_send(nb, &pk);
	if (rc < 0) {
		nb_stat_add(nb, rc == -EAGAIN || rc == -ENOBUFS
				    ? &nb->stats.tx_dropped
				    : &nb->stats.tx_errors, 1);
		tx_respond_pkt(nb, &pk, rc == -EAGAIN || rc == -ENOBUFS
						? NETIF_RSP_DROPPED
						: NETIF_RSP_ERROR);
		return 1;
	}
	nb_stat_add(nb, &nb->stats.tx_packets, 1);
	tx_respond_pkt(nb, &pk, NETIF_RSP_OKAY);
	return 1;
}

static int tx_run(struct netback *nb, unsigned budget)
{
	unsigned n = 0;
	RING_IDX rp;
	int r;

	while (n < budget) {
		rp = __atomic_load_n(&nb->tx.sring->req_prod, __ATOMIC_RELAXED);
		xen_rmb();
		if (rp - nb->tx.req_cons > NET_TX_RING_SIZE) {
			nb_fatal(nb, "TX: impossible req_prod");
			return -EPROTO;
		}
		if (rp == nb->tx.req_cons)
			break;
		while (nb->tx.req_cons != rp && n < budget) {
			r = tx_one(nb, rp - nb->tx.req_cons);
			if (r < 0)
				return r;
			if (r == 0)
				return (int)n;
			n++;
		}
	}
	return (int)n;
}

int netback_tx_run(struct netback *nb, unsigned budget)
{
	int r;

	if (nb->fatal)
		return -EPROTO;
	if (nb->credit_bytes && nb_tx_credit_wait_ns(nb, clock_mono_ns()))
		return 0;
	r = tx_run(nb, budget);
	tx_push(nb); /* even when fatal: the packets before it were answered */
	return r;
}

bool nb_tx_idle_check(struct netback *nb)
{
	int more;

	if (nb->fatal || nb->rate_limited)
		return false;
	RING_FINAL_CHECK_FOR_REQUESTS(&nb->tx, more);
	return more;
}
