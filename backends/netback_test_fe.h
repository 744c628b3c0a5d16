/* A fake netfront for netback's unit tests: a one-frame grant table,
 * FE_PAGES pages of "guest RAM", both rings and a SOCK_SEQPACKET
 * socketpair standing in for the tap (sv[0] the backend's, sv[1] the
 * host's). Helpers assert with cmocka. */
#ifndef KXEN_BACKENDS_NETBACK_TEST_FE_H
#define KXEN_BACKENDS_NETBACK_TEST_FE_H

#include "backends/gnttab.h"
#include "backends/netback_internal.h"

#define FE_GT_ENTRIES 512
#define FE_PAGES 64
#define FE_ANY_ID 0x10000u

struct fe {
	uint8_t *gt, *ram;
	struct gnttab_view view;
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	int sv[2];
	struct netback *nb;
	int notify_tx, notify_rx, fatal;
};

/* Memory, rings and socketpair; no backend. NULL on failure. */
struct fe *fe_alloc(void);
/* The params a backend for fe would get (no kick fds: -1). */
void fe_params(struct fe *fe, struct netback_params *p);
/* fe_alloc + netback_create with these features. */
struct fe *fe_new(bool sg, bool gso4, bool gso6, bool ipv6_csum);
struct fe *fe_new_rate(uint64_t bytes, uint32_t interval_us);
void fe_free(struct fe *fe);

void fe_grant(struct fe *fe, uint32_t ref, uint32_t gfn, bool readonly);
uint8_t *fe_page(struct fe *fe, uint32_t gfn);

/* Grant ref -> gfn, copy n bytes of data (if any) to offset off of that
 * page, and queue a TX request. */
void fe_tx_slot(struct fe *fe, uint32_t ref, uint32_t gfn, uint16_t off,
		const void *data, size_t n, uint16_t flags, uint16_t id,
		uint16_t size);
void fe_tx_extra(struct fe *fe, const netif_extra_info_t *ex);
void fe_tx_push(struct fe *fe);
/* The next TX response must be (id, status); FE_ANY_ID skips the id. */
void fe_tx_expect(struct fe *fe, unsigned id, int16_t status);

void fe_rx_post(struct fe *fe, uint32_t ref, uint32_t gfn, uint16_t id,
		bool readonly);
void fe_rx_push(struct fe *fe);
/* The next RX response (asserts there is one). */
netif_rx_response_t fe_rx_next(struct fe *fe);

/* One frame from the backend (vnet header included), -1 if none. */
ssize_t fe_host_recv(struct fe *fe, void *buf, size_t n);
/* Send a frame to the backend; -1 if the socket is full. */
ssize_t fe_host_send(struct fe *fe, const struct virtio_net_hdr *h,
		     const void *data, size_t n);

void fe_fill(uint8_t *buf, size_t n, unsigned seed);
/* Ethernet + IPv4 + TCP (54 bytes of headers), the rest payload. */
void fe_tcp4(uint8_t *buf, size_t n);
/* Ethernet + IPv6 + UDP (62 bytes of headers), the rest payload. */
void fe_udp6(uint8_t *buf, size_t n);

#endif
