/* backends/netback_rx.c: the RX ring (tap -> guest), see netback.h.
 *
 * Frames are read from the tap into a queue of at most NB_RX_QUEUE_BYTES
 * (the tap is not polled beyond that, so a guest that posts no buffers
 * costs a bounded queue and no CPU). A frame leaves the queue only when
 * the guest has posted enough requests for all its slots: the data in
 * whole pages from offset 0, and a GSO extra in the second slot. The
 * response in slot i answers the request in slot i, so req_cons equals
 * rsp_prod_pvt between frames. A request whose grant cannot be written
 * (read-only, not ours, not RAM) is not written: its slot answers
 * NETIF_RSP_ERROR and the frontend drops the frame.
 *
 * The common case costs one copy, as vhost-net's: with nothing queued and
 * requests posted for the largest frame, the tap read lands in the
 * granted pages themselves (rx_direct). Which slots a frame fills is known
 * only after the read, so the pages are laid out for a GSO frame when the
 * guest takes GSO (slot 0, then slots 2.., slot 1 keeping the extra): one
 * page if the last frame fitted one, else all 17. What goes past them
 * lands in rx_scratch and is copied as before; a frame the guess does not
 * fit is gathered back into rx_scratch and copied. */
#include <errno.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backends/gnttab.h"
#include "backends/netback_internal.h"
#include "lib/clock.h"

static void rx_pop(struct netback *nb)
{
	struct nb_frame *f = nb->rxq_head;

	nb->rxq_head = f->next;
	if (!nb->rxq_head)
		nb->rxq_tail = &nb->rxq_head;
	nb->rxq_frames--;
	nb->rxq_bytes -= f->len;
	free(f);
}

void nb_rx_purge(struct netback *nb)
{
	while (nb->rxq_head)
		rx_pop(nb);
}

unsigned netback_rx_queued(const struct netback *nb)
{
	return nb->rxq_frames;
}

bool nb_rx_want_tap(const struct netback *nb)
{
	return !nb->fatal && nb->rxq_bytes < NB_RX_QUEUE_BYTES;
}

uint64_t nb_rx_timer_ns(const struct netback *nb, uint64_t now)
{
	uint64_t at;

	if (!nb->rxq_head)
		return 0;
	at = nb->rxq_head->queued_ns + NB_RX_DRAIN_NS;
	if (nb->rx_stall_since && !nb->carrier_off &&
	    nb->rx_stall_since + NB_RX_STALL_NS < at)
		at = nb->rx_stall_since + NB_RX_STALL_NS;
	return at > now ? at - now : 1;
}

void nb_carrier(struct netback *nb, bool on)
{
	int v = on;

	if (nb->carrier_off == !on)
		return;
	nb->carrier_off = !on;
	/* A SOCK_SEQPACKET stand-in says ENOTTY: nothing to switch. */
	(void)ioctl(nb->p.tap_fd, TUNSETCARRIER, &v);
	pthread_mutex_lock(&nb->stats_lock);
	nb->stats.carrier_off = !on;
	pthread_mutex_unlock(&nb->stats_lock);
}

/* Data slots of the largest frame; with a GSO extra, one slot more. */
#define RX_DATA_SLOTS_MAX ((NB_FRAME_MAX + NB_PAGE - 1) / NB_PAGE)
_Static_assert(RX_DATA_SLOTS_MAX + 1 <= XEN_NETIF_NR_SLOTS_MIN,
	       "the largest frame fits the slots a frontend must post");

/* The guest pages one tap read went into: data chunk k (k < n) is in
 * page[k], the page of request slot k (k == 0 or !skip1) or k + 1. */
struct rx_direct {
	netif_rx_request_t req[RX_DATA_SLOTS_MAX]; /* copied once */
	void *page[RX_DATA_SLOTS_MAX];             /* NULL: not mapped */
	unsigned n;
	bool skip1;
};

static int rx_prepare(struct netback *nb, struct nb_frame *f, bool in_place,
		      uint16_t *flags, netif_extra_info_t *gso,
		      unsigned *slots);
static int rx_slots_available(struct netback *nb, unsigned needed);
static void rx_put(struct netback *nb, struct nb_frame *f,
		   struct rx_direct *dr, uint16_t flags,
		   const netif_extra_info_t *gso, unsigned slots);

/* Map the pages for a direct read if nothing is queued and the guest has
 * posted requests for any frame; false to read into rx_scratch. The
 * requests are copied once here and answered from these copies. */
static bool rx_direct_setup(struct netback *nb, struct rx_direct *dr)
{
	RING_IDX prod;

	if (nb->rxq_head)
		return false;
	prod = __atomic_load_n(&nb->rx.sring->req_prod, __ATOMIC_ACQUIRE);
	if (prod - nb->rx.rsp_prod_pvt > NET_RX_RING_SIZE ||
	    prod - nb->rx.req_cons < XEN_NETIF_NR_SLOTS_MIN)
		return false; /* rx_slots_available says why */
	dr->skip1 = nb->p.gso_tcpv4 || nb->p.gso_tcpv6;
	dr->n = nb->p.sg ? nb->rx_direct_hint : 1;
	for (unsigned k = 0; k < dr->n; k++) {
		RING_IDX at = nb->rx.req_cons + k + (k && dr->skip1);

		RING_COPY_REQUEST(&nb->rx, at, &dr->req[k]);
		if (gnttab_map(nb->p.gnt, dr->req[k].gref, true, &dr->page[k]))
			dr->page[k] = NULL;
	}
	return true;
}

static void rx_direct_release(struct netback *nb, struct rx_direct *dr)
{
	for (unsigned k = 0; k < dr->n; k++)
		if (dr->page[k])
			gnttab_unmap(nb->p.gnt, dr->req[k].gref, true);
	dr->n = 0;
}

/* One readv: the virtio header into rx_scratch, the first chunks into the
 * guest's pages (a page whose grant failed reads into rx_scratch's place
 * for it, and its slot answers an error), the rest into rx_scratch. */
static ssize_t rx_direct_read(struct netback *nb, struct rx_direct *dr)
{
	struct iovec iov[RX_DATA_SLOTS_MAX + 2];
	uint8_t *d = nb->rx_scratch->data + NB_VNET_HLEN;
	unsigned n = 0;

	iov[n++] = (struct iovec){ nb->rx_scratch->data, NB_VNET_HLEN };
	for (unsigned k = 0; k < dr->n; k++)
		iov[n++] = (struct iovec){ dr->page[k] ? dr->page[k]
						       : d + k * NB_PAGE,
					   NB_PAGE };
	if (dr->n * NB_PAGE < NB_FRAME_MAX)
		iov[n++] = (struct iovec){ d + dr->n * NB_PAGE,
					   NB_FRAME_MAX - dr->n * NB_PAGE };
	return readv(nb->p.tap_fd, iov, (int)n);
}

/* Copy what a direct read put in guest pages back into rx_scratch (the
 * frame's layout was not the one guessed): it then goes the copying way. */
static void rx_direct_gather(struct nb_frame *f, struct rx_direct *dr)
{
	size_t len = f->len - NB_VNET_HLEN;

	for (unsigned k = 0; k < dr->n && k * NB_PAGE < len; k++) {
		size_t chunk = len - k * NB_PAGE < NB_PAGE ? len - k * NB_PAGE
							   : NB_PAGE;

		if (dr->page[k])
			memcpy(f->data + NB_VNET_HLEN + k * NB_PAGE,
			       dr->page[k], chunk);
	}
}

/* The frame of a direct read: answer it in place. 1 if put or dropped,
 * 0 if it must go the copying way (rx_scratch now holds all of it). */
static int rx_put_direct(struct netback *nb, struct rx_direct *dr, int *put)
{
	struct nb_frame *f = nb->rx_scratch;
	size_t len = f->len - NB_VNET_HLEN;
	unsigned data_slots = (unsigned)((len + NB_PAGE - 1) / NB_PAGE);
	netif_extra_info_t gso;
	unsigned slots;
	uint16_t flags;
	int r;

	nb->rx_direct_hint = data_slots > 1 ? RX_DATA_SLOTS_MAX : 1;
	r = rx_prepare(nb, f, true, &flags, &gso, &slots);
	if (r == -EINVAL) {
		nb_stat_add(nb, &nb->stats.rx_dropped, 1);
		return 1;
	}
	if (r < 0 || (data_slots > 1 && !gso.type && dr->skip1)) {
		rx_direct_gather(f, dr);
		return 0;
	}
	rx_put(nb, f, dr, flags, &gso, slots);
	nb_stat_add(nb, &nb->stats.rx_in_place, 1);
	(*put)++;
	return 1;
}

/* Give the guest the frame in rx_scratch now if nothing is queued before
 * it and its buffers are posted (the common case: one copy less than
 * queueing it). 1 if it was put or dropped, 0 to queue it, -EPROTO. */
static int rx_put_now(struct netback *nb, int *put)
{
	netif_extra_info_t gso;
	unsigned slots;
	uint16_t flags;
	int r;

	if (nb->rxq_head)
		return 0;
	if (rx_prepare(nb, nb->rx_scratch, false, &flags, &gso, &slots) < 0) {
		nb_stat_add(nb, &nb->stats.rx_dropped, 1);
		return 1;
	}
	r = rx_slots_available(nb, slots);
	if (r <= 0)
		return r;
	rx_put(nb, nb->rx_scratch, NULL, flags, &gso, slots);
	(*put)++;
	return 1;
}

/* *now, read from the clock the first time it is needed: netback_rx_run
 * is called on every wakeup, and most of them need no time at all (where
 * the clocksource is HPET, as in the test bed, a read is a syscall and an
 * emulated MMIO access). */
static uint64_t rx_clock(uint64_t *now)
{
	if (!*now)
		*now = clock_mono_ns();
	return *now;
}

/* Read up to NB_RX_BATCH frames while the queue has room; each goes to
 * the guest at once or to the queue. Returns the frames put or dropped,
 * or -EPROTO. */
static int rx_read_tap(struct netback *nb, uint64_t *now, int *put)
{
	int n = 0, r;

	for (int i = 0; i < NB_RX_BATCH && nb_rx_want_tap(nb); i++) {
		struct rx_direct dr = { .n = 0 };
		bool direct = rx_direct_setup(nb, &dr);
		ssize_t len = direct ? rx_direct_read(nb, &dr)
				     : read(nb->p.tap_fd, nb->rx_scratch->data,
					    NB_VNET_HLEN + NB_FRAME_MAX);
		struct nb_frame *f;

		if (len < 0 || (size_t)len < NB_VNET_HLEN + NB_ETH_HLEN) {
			rx_direct_release(nb, &dr);
			if (len <= 0)
				break; /* EAGAIN, or the tap is gone */
			nb_stat_add(nb, &nb->stats.rx_errors, 1);
			continue;
		}
		nb->rx_scratch->len = (uint32_t)len;
		r = direct ? rx_put_direct(nb, &dr, put) : 0;
		rx_direct_release(nb, &dr);
		if (r) {
			n++;
			continue;
		}
		r = rx_put_now(nb, put);
		if (r < 0)
			return r;
		if (r) {
			n++;
			continue;
		}
		f = malloc(sizeof(*f) + (size_t)len);
		if (!f) {
			nb_stat_add(nb, &nb->stats.rx_dropped, 1);
			break;
		}
		f->next = NULL;
		f->queued_ns = rx_clock(now);
		f->len = (uint32_t)len;
		memcpy(f->data, nb->rx_scratch->data, (size_t)len);
		*nb->rxq_tail = f;
		nb->rxq_tail = &f->next;
		nb->rxq_frames++;
		nb->rxq_bytes += f->len;
	}
	return n;
}

/* Drop frames that waited too long (xenvif_rx_queue_drop_expired). */
static int rx_drop_expired(struct netback *nb, uint64_t now)
{
	int n = 0;

	while (nb->rxq_head && nb->rxq_head->queued_ns + NB_RX_DRAIN_NS <= now) {
		rx_pop(nb);
		nb_stat_add(nb, &nb->stats.rx_dropped, 1);
		n++;
	}
	return n;
}

static bool frame_is_ipv6(const uint8_t *d, size_t len)
{
	size_t at = 12;

	if (len >= 18 && ((d[12] == 0x81 && d[13] == 0x00) ||
			  (d[12] == 0x88 && d[13] == 0xa8)))
		at = 16;
	return len >= at + 2 && d[at] == 0x86 && d[at + 1] == 0xdd;
}

/* Decide what the guest gets for frame f: its RX flags, its GSO extra
 * (type 0: none) and slot count. Completes checksums the guest cannot.
 * Returns 0, -EINVAL to drop the frame, or -EAGAIN if f's data is in the
 * guest's pages (in_place) and must be looked at in rx_scratch. */
static int rx_prepare(struct netback *nb, struct nb_frame *f, bool in_place,
		      uint16_t *flags, netif_extra_info_t *gso,
		      unsigned *slots)
{
	uint8_t *d = f->data + NB_VNET_HLEN;
	size_t len = f->len - NB_VNET_HLEN;
	struct virtio_net_hdr h;
	unsigned data_slots = (unsigned)((len + NB_PAGE - 1) / NB_PAGE);

	memcpy(&h, f->data, sizeof(h));
	memset(gso, 0, sizeof(*gso));
	*flags = 0;
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		bool v4 = h.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && nb->p.gso_tcpv4;
		bool v6 = h.gso_type == VIRTIO_NET_HDR_GSO_TCPV6 && nb->p.gso_tcpv6;

		if ((!v4 && !v6) || !nb->p.sg || !h.gso_size)
			return -EINVAL;
		gso->type = XEN_NETIF_EXTRA_TYPE_GSO;
		gso->u.gso.size = h.gso_size;
		gso->u.gso.type = v6 ? XEN_NETIF_GSO_TYPE_TCPV6
				     : XEN_NETIF_GSO_TYPE_TCPV4;
	}
	if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* The guest may change its pages under us: what we look at
		 * must be in rx_scratch. */
		if (in_place && !nb->p.ipv6_csum)
			return -EAGAIN;
		if (!in_place && frame_is_ipv6(d, len) && !nb->p.ipv6_csum) {
			if (gso->type ||
			    nb_csum_complete(d, len, h.csum_start, h.csum_offset) < 0)
				return -EINVAL;
			nb_stat_add(nb, &nb->stats.csum_fixups, 1);
			*flags = NETRXF_data_validated;
		} else {
			*flags = NETRXF_csum_blank | NETRXF_data_validated;
		}
	} else if (h.flags & VIRTIO_NET_HDR_F_DATA_VALID) {
		*flags = NETRXF_data_validated;
	}
	if (data_slots > 1 && !nb->p.sg)
		return -EINVAL;
	*slots = data_slots + (gso->type ? 1 : 0);
	if (*slots > XEN_NETIF_NR_SLOTS_MIN)
		return -EINVAL;
	return 0;
}

/* xenvif_rx_ring_slots_available: are `needed` requests posted? If not,
 * ask for an event when the guest posts more. -EPROTO for a corrupt
 * req_prod. */
static int rx_slots_available(struct netback *nb, unsigned needed)
{
	RING_IDX prod;

	do {
		prod = __atomic_load_n(&nb->rx.sring->req_prod, __ATOMIC_RELAXED);
		xen_rmb();
		if (prod - nb->rx.rsp_prod_pvt > NET_RX_RING_SIZE) {
			nb_fatal(nb, "RX: impossible req_prod");
			return -EPROTO;
		}
		if (prod - nb->rx.req_cons >= needed)
			return 1;
		nb->rx.sring->req_event = prod + 1;
		xen_mb();
	} while (__atomic_load_n(&nb->rx.sring->req_prod, __ATOMIC_RELAXED) !=
		 prod);
	return 0;
}

/* Answer the next request with rsp (id filled in from the request). */
static void rx_respond(struct netback *nb, netif_rx_response_t *rsp,
		       grant_ref_t *gref)
{
	netif_rx_request_t req;

	RING_COPY_REQUEST(&nb->rx, nb->rx.req_cons, &req);
	nb->rx.req_cons++;
	rsp->id = req.id;
	*gref = req.gref;
}

/* Copy frame f into the guest's next `slots` requests; with dr, its first
 * dr->n chunks are in place already (in the layout rx_put_direct checked)
 * and their slots are answered from dr's copies of the requests. */
static void rx_put(struct netback *nb, struct nb_frame *f,
		   struct rx_direct *dr, uint16_t flags,
		   const netif_extra_info_t *gso, unsigned slots)
{
	const uint8_t *d = f->data + NB_VNET_HLEN;
	size_t len = f->len - NB_VNET_HLEN, off = 0;
	unsigned data_slots = slots - (gso->type ? 1 : 0);
	bool failed = false;

	for (unsigned k = 0; k < data_slots; k++) {
		netif_rx_response_t rsp = { 0 };
		size_t chunk = len - off < NB_PAGE ? len - off : NB_PAGE;
		grant_ref_t gref;
		void *page;

		if (dr && k < dr->n) {
			nb->rx.req_cons++;
			rsp.id = dr->req[k].id;
			if (dr->page[k]) {
				rsp.status = (int16_t)chunk;
			} else {
				rsp.status = NETIF_RSP_ERROR;
				failed = true;
			}
		} else if (rx_respond(nb, &rsp, &gref),
			   gnttab_map(nb->p.gnt, gref, true, &page) == 0) {
			memcpy(page, d + off, chunk);
			gnttab_unmap(nb->p.gnt, gref, true);
			rsp.status = (int16_t)chunk;
		} else {
			rsp.status = NETIF_RSP_ERROR;
			failed = true;
		}
		off += chunk;
		rsp.flags = k == 0 ? flags : 0;
		if (k + 1 < data_slots)
			rsp.flags |= NETRXF_more_data;
		if (k == 0 && gso->type)
			rsp.flags |= NETRXF_extra_info;
		*RING_GET_RESPONSE(&nb->rx, nb->rx.rsp_prod_pvt) = rsp;
		nb->rx.rsp_prod_pvt++;
		if (k == 0 && gso->type) {
			/* The extra fills the next slot; its request is only
			 * consumed. Both are 8 bytes: the slot is wholly ours. */
			_Static_assert(sizeof(netif_extra_info_t) ==
					       sizeof(netif_rx_response_t),
				       "extra fills an RX slot");
			nb->rx.req_cons++;
			memcpy(RING_GET_RESPONSE(&nb->rx, nb->rx.rsp_prod_pvt),
			       gso, sizeof(*gso));
			nb->rx.rsp_prod_pvt++;
		}
	}
	if (failed) {
		nb_stat_add(nb, &nb->stats.rx_errors, 1);
	} else {
		nb_stat_add(nb, &nb->stats.rx_packets, 1);
		nb_stat_add(nb, &nb->stats.rx_bytes, len);
	}
}

/* Hand queued frames to the guest while it has buffers; *put counts
 * the frames the guest got. */
static int rx_deliver(struct netback *nb, int *put)
{
	netif_extra_info_t gso;
	unsigned slots;
	uint16_t flags;
	int n = 0, r, notify;

	nb->rx_waiting = false;
	while (nb->rxq_head) {
		struct nb_frame *f = nb->rxq_head;

		if (rx_prepare(nb, f, false, &flags, &gso, &slots) < 0) {
			nb_stat_add(nb, &nb->stats.rx_dropped, 1);
			rx_pop(nb);
			n++;
			continue;
		}
		r = rx_slots_available(nb, slots);
		if (r < 0)
			return r;
		if (r == 0) {
			nb->rx_waiting = true;
			break;
		}
		rx_put(nb, f, NULL, flags, &gso, slots);
		rx_pop(nb);
		(*put)++;
		n++;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&nb->rx, notify);
	if (notify)
		nb_stat_add(nb, &nb->stats.rx_notifies, 1);
	if (notify && nb->p.notify_rx)
		nb->p.notify_rx(nb->p.ctx);
	return n;
}

int netback_rx_run(struct netback *nb, uint64_t now_ns)
{
	int n, now, delivered = 0, put = 0;

	if (nb->fatal)
		return -EPROTO;
	n = nb->rxq_head ? rx_drop_expired(nb, rx_clock(&now_ns)) : 0;
	/* What is queued goes first, then what the tap has (straight to the
	 * guest while nothing is queued), then what was queued meanwhile;
	 * the last rx_deliver pushes the responses. */
	if (nb->rxq_head)
		delivered = rx_deliver(nb, &put);
	if (delivered < 0)
		return delivered;
	now = rx_read_tap(nb, &now_ns, &put);
	if (now < 0)
		return now;
	n += delivered + now;
	delivered = rx_deliver(nb, &put);
	if (delivered < 0)
		return delivered;
	/* Stalled: the head frame has waited for buffers since then. */
	if (!nb->rx_waiting || put) {
		nb->rx_stall_since = nb->rx_waiting ? rx_clock(&now_ns) : 0;
		nb_carrier(nb, true);
	} else if (!nb->rx_stall_since) {
		nb->rx_stall_since = rx_clock(&now_ns);
	} else if (rx_clock(&now_ns) - nb->rx_stall_since >= NB_RX_STALL_NS) {
		nb_carrier(nb, false);
	}
	return n + delivered;
}
