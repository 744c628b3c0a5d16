/* State shared by netback.c (thread, scheduling), netback_tx.c and
 * netback_rx.c. Only the backend thread (or a synchronous caller) touches
 * it, except stats, read under stats_lock. */
#ifndef KXEN_BACKENDS_NETBACK_INTERNAL_H
#define KXEN_BACKENDS_NETBACK_INTERNAL_H

#include <linux/virtio_net.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* <xen/io/ring.h> wants the barriers from its includer. Both ends run on
 * one host here; the fences order our accesses against the guest's. */
#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/netif.h>

#include "backends/netback.h"

#define NB_PAGE 4096u
#define NB_ETH_HLEN 14u
#define NB_VNET_HLEN sizeof(struct virtio_net_hdr)
/* Follow-on TX slots: more are dropped (XEN_NETBK_LEGACY_SLOTS_MAX) ... */
#define NB_TX_SLOTS_MAX XEN_NETIF_NR_SLOTS_MIN
/* ... and more than this is malicious (Linux's fatal_skb_slots). */
#define NB_TX_SLOTS_FATAL 20
/* The largest frame the tap hands us: 64 KiB of IP plus Ethernet + VLAN. */
#define NB_FRAME_MAX (65535u + 18u)
/* TX bytes copied for the headers' parse; the rest is written in place. */
#define NB_TX_COPY 256u
#define NB_TX_BATCH 64 /* packets per turn before RX gets its share */
#define NB_RX_BATCH 64 /* tap reads per turn */
/* Bytes waiting for RX buffers: half a ring of pages (XENVIF_RX_QUEUE_BYTES). */
#define NB_RX_QUEUE_BYTES ((NET_RX_RING_SIZE / 2) * NB_PAGE)
#define NB_RX_DRAIN_NS (10ull * 1000000000ull)  /* rx_drain_timeout_msecs */
#define NB_RX_STALL_NS (60ull * 1000000000ull)  /* rx_stall_timeout_msecs */

#ifndef NET_TX_RING_SIZE
#define NET_TX_RING_SIZE __CONST_RING_SIZE(netif_tx, NB_PAGE)
#define NET_RX_RING_SIZE __CONST_RING_SIZE(netif_rx, NB_PAGE)
#endif

struct nb_frame {
	struct nb_frame *next;
	uint64_t queued_ns;
	uint32_t len; /* bytes in data, virtio_net_hdr included */
	uint8_t data[];
};

struct netback {
	struct netback_params p;
	char name[32];
	netif_tx_back_ring_t tx;
	netif_rx_back_ring_t rx;
	bool fatal; /* stop serving: the frontend broke the protocol */

	/* TX: one packet is assembled here, header in front. */
	uint8_t *tx_buf; /* NB_VNET_HLEN + XEN_NETIF_MAX_TX_SIZE */
	/* Credit scheduler (Linux's tx_credit_exceeded / tx_add_credit). */
	uint64_t credit_bytes, credit_ns, remaining_credit;
	uint64_t credit_window_start;
	bool rate_limited;

	/* RX: frames read from the tap, oldest first. */
	/* Each tap read lands here (data: NB_VNET_HLEN + NB_FRAME_MAX) and
	 * goes to the guest from here when nothing waits before it. */
	struct nb_frame *rx_scratch;
	struct nb_frame *rxq_head, **rxq_tail;
	unsigned rxq_frames;
	size_t rxq_bytes;
	uint64_t rx_stall_since; /* 0: the guest is keeping up */
	bool carrier_off;
	bool rx_waiting; /* head frame waits for guest buffers (req_event set) */
	unsigned rx_direct_hint; /* guest pages a direct read maps (1 or all) */

	pthread_mutex_t stats_lock;
	struct netback_stats stats;

	/* Thread (netback.c). */
	pthread_t thread;
	int stop_fd;
	bool running;
};

/* netback.c */
void nb_fatal(struct netback *nb, const char *why);
/* The tap's carrier (TUNSETCARRIER), as stats.carrier_off shows it. */
void nb_carrier(struct netback *nb, bool on);
void nb_stat_add(struct netback *nb, uint64_t *counter, uint64_t n);

/* netback_tx.c: after setup, 0 or a negative errno. */
int nb_tx_init(struct netback *nb);
/* True if TX has requests (after RING_FINAL_CHECK_FOR_REQUESTS when
 * going idle). */
bool nb_tx_idle_check(struct netback *nb);
/* Nanoseconds until the credit window reopens, 0 if not rate limited. */
uint64_t nb_tx_credit_wait_ns(struct netback *nb, uint64_t now);

/* netback_csum.c: find the transport checksum of an Ethernet frame:
 * csum_start / csum_offset as virtio_net_hdr wants them, the header length
 * (Ethernet + IP + TCP/UDP) and whether it is IPv6. With recalc (a GSO
 * packet whose frontend did not set csum_blank), also write the
 * pseudo-header sum into the checksum field. frame holds the first len
 * bytes of a frame_len-byte frame. 0, or -EINVAL if the frame is not
 * IPv4/IPv6 carrying TCP/UDP with whole headers within len. */
struct nb_csum {
	uint16_t start, offset, hdr_len;
	bool ipv6, tcp;
};
int nb_csum_setup(uint8_t *frame, size_t len, size_t frame_len, bool recalc,
		  struct nb_csum *out);
/* Finish a partial checksum (virtio NEEDS_CSUM): sum from start to the end
 * and store it at start + offset. -EINVAL if out of the frame. */
int nb_csum_complete(uint8_t *frame, size_t len, uint16_t start,
		     uint16_t offset);

/* netback_rx.c */
void nb_rx_purge(struct netback *nb);
bool nb_rx_want_tap(const struct netback *nb);
/* Nanoseconds until a queued frame expires or the carrier goes off. */
uint64_t nb_rx_timer_ns(const struct netback *nb, uint64_t now);

#endif
