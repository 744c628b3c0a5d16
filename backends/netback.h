/* The network backend core: serves one vif's netif TX and RX rings
 * (<xen/io/netif.h>) against a tap file descriptor, copying every byte
 * (no grant mapping outlives the request that named it).
 *
 * It knows nothing of KVM, XenStore or the monitor: the caller (the XenBus
 * handshake) maps the two ring pages, binds the event channels to eventfds,
 * opens the tap (backends/tap.h) and passes what the frontend negotiated.
 *
 * TX (guest -> host) follows Linux netback (xenvif_tx_build_gops,
 * xenvif_count_requests, xenvif_get_extras): the first slot's size is the
 * whole packet, later slots are fragments, extras follow the first slot and
 * get NETIF_RSP_NULL; every consumed slot gets exactly one response, in
 * order, after its grant is released. Malformed packets are dropped with
 * NETIF_RSP_ERROR; a frontend that breaks the protocol (more than 20
 * follow-on slots, a slot crossing its page, bad extras, impossible ring
 * indexes) disconnects the vif: the backend stops serving both rings,
 * turns the tap's carrier off (as xenvif_carrier_off), logs once and calls
 * on_fatal. Shared-reference xenstore-and-devices.md §4.2,
 * §5 items 21-26.
 *
 * RX (host -> guest) reads frames with a virtio_net_hdr in front from the
 * tap and copies each into the guest's posted pages: slot i's response
 * answers slot i's request, a GSO packet carries one extra in its second
 * slot, multi-slot packets only with sg. At most half a ring of pages
 * (512 KiB) waits for the guest; beyond that the tap is not read (the
 * kernel's queue drops), frames older than 10 s are dropped, and after 60 s
 * without buffers the carrier goes off until the guest posts again. */
#ifndef KXEN_BACKENDS_NETBACK_H
#define KXEN_BACKENDS_NETBACK_H

#include <stdbool.h>
#include <stdint.h>

struct gnttab_view;
struct netback;

struct netback_params {
	const struct gnttab_view *gnt; /* the frontend's grant table */
	void *tx_ring;                 /* netif_tx_sring, one page, mapped */
	void *rx_ring;                 /* netif_rx_sring, one page, mapped */
	/* eventfds the frontend's notifications arrive on; the same fd twice
	 * without feature-split-event-channels. Not closed by the backend. */
	int tx_kick_fd, rx_kick_fd;
	/* Raise the TX / RX event channel (the same port twice without split
	 * channels). Called from the backend thread; return value ignored. */
	int (*notify_tx)(void *ctx);
	int (*notify_rx)(void *ctx);
	/* Called once, from the backend thread, when the frontend broke the
	 * protocol and the backend stopped serving (why: a short phrase).
	 * The handshake should move the device to Closing. May be NULL. */
	void (*on_fatal)(void *ctx, const char *why);
	void *ctx;
	/* A tap opened by tap_open(): IFF_TAP|IFF_NO_PI|IFF_VNET_HDR with a
	 * 10-byte struct virtio_net_hdr, nonblocking. Any fd carrying one
	 * frame per read/write with that header works (a SOCK_SEQPACKET
	 * socket in tests). Not closed by the backend. */
	int tap_fd;
	/* What the frontend wrote: feature-sg, feature-gso-tcpv4,
	 * feature-gso-tcpv6, feature-ipv6-csum-offload. They govern RX only
	 * (TX accepts whatever Linux netback accepts). */
	bool sg, gso_tcpv4, gso_tcpv6, ipv6_csum;
	/* The backend's "rate" node as libxl writes it ("bytes,usec"): at
	 * most rate_bytes from the guest per rate_interval_us (0: 50000),
	 * Linux netback's credit_bytes/credit_usec scheduler. rate_bytes 0:
	 * unlimited. */
	uint64_t rate_bytes;
	uint32_t rate_interval_us;
	const char *name; /* "vif3.0", for logs; copied */
};

/* Counters, for `xm network-list`-like reporting and tests. */
struct netback_stats {
	uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
	uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
	uint64_t csum_fixups; /* RX checksums completed for the guest */
	uint64_t rx_in_place; /* RX frames read straight into guest pages */
	uint64_t kicks;       /* wakeups by the TX/RX kick eventfds */
	uint64_t tx_notifies, rx_notifies; /* event channel sends to the guest */
	bool fatal;           /* disconnected for a protocol violation */
	bool carrier_off;     /* no RX buffers for 60 s, or fatal */
};

/* Create the backend and start its thread. On success *out is owned by
 * the caller until netback_stop(). Returns 0 or a negative errno
 * (-EINVAL for bad params, -ENOMEM, or from pthread_create). */
int netback_start(struct netback **out, const struct netback_params *p)
	__attribute__((warn_unused_result));
/* Stop the thread, release every grant and frame, and free nb. The rings,
 * eventfds and tap stay the caller's. NULL is a no-op. */
void netback_stop(struct netback *nb);

/* Snapshot the counters (safe from any thread). */
void netback_get_stats(struct netback *nb, struct netback_stats *out);

/* --- Synchronous use, for unit tests and fuzzers (no thread) --- */

/* Create without a thread; free with netback_destroy(). */
int netback_create(struct netback **out, const struct netback_params *p)
	__attribute__((warn_unused_result));
void netback_destroy(struct netback *nb);
/* Consume up to budget TX packets now. Returns the number of packets
 * consumed (sent or dropped), or -EPROTO once the frontend is fatal. */
int netback_tx_run(struct netback *nb, unsigned budget);
/* Read what the tap has (bounded) and hand queued frames to the guest's
 * RX buffers. now_ns is CLOCK_MONOTONIC (drain and carrier timers), or 0
 * to read the clock only if a timer needs it.
 * Returns frames delivered or dropped, or -EPROTO once fatal. */
int netback_rx_run(struct netback *nb, uint64_t now_ns);
/* Frames waiting for RX buffers. */
unsigned netback_rx_queued(const struct netback *nb);

#endif
