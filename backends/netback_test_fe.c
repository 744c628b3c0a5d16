/* backends/netback_test_fe.c: see netback_test_fe.h. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backends/netback_test_fe.h"

static void *gfn_page(void *ctx, uint64_t gfn)
{
	struct fe *fe = ctx;

	return gfn < FE_PAGES ? fe->ram + gfn * NB_PAGE : NULL;
}

static int notify_tx(void *ctx)
{
	((struct fe *)ctx)->notify_tx++;
	return 0;
}

static int notify_rx(void *ctx)
{
	((struct fe *)ctx)->notify_rx++;
	return 0;
}

static void on_fatal(void *ctx, const char *why)
{
	(void)why;
	((struct fe *)ctx)->fatal++;
}

struct fe *fe_alloc(void)
{
	struct fe *fe = calloc(1, sizeof(*fe));
	netif_tx_sring_t *txs;
	netif_rx_sring_t *rxs;

	if (!fe)
		return NULL;
	fe->gt = aligned_alloc(NB_PAGE, NB_PAGE);
	fe->ram = aligned_alloc(NB_PAGE, (size_t)FE_PAGES * NB_PAGE);
	txs = aligned_alloc(NB_PAGE, NB_PAGE);
	rxs = aligned_alloc(NB_PAGE, NB_PAGE);
	if (!fe->gt || !fe->ram || !txs || !rxs ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, fe->sv) < 0)
		abort();
	memset(fe->gt, 0, NB_PAGE);
	memset(fe->ram, 0, (size_t)FE_PAGES * NB_PAGE);
	memset(txs, 0xa5, NB_PAGE); /* the backend must not trust garbage */
	memset(rxs, 0xa5, NB_PAGE);
	SHARED_RING_INIT(txs);
	SHARED_RING_INIT(rxs);
	FRONT_RING_INIT(&fe->tx, txs, NB_PAGE);
	FRONT_RING_INIT(&fe->rx, rxs, NB_PAGE);
	fe->view = (struct gnttab_view){ .frames = fe->gt, .nr_frames = 1,
					 .self = 0, .gfn_page = gfn_page,
					 .ctx = fe };
	return fe;
}

void fe_params(struct fe *fe, struct netback_params *p)
{
	*p = (struct netback_params){
		.gnt = &fe->view, .tx_ring = fe->tx.sring,
		.rx_ring = fe->rx.sring, .tx_kick_fd = -1, .rx_kick_fd = -1,
		.notify_tx = notify_tx, .notify_rx = notify_rx,
		.on_fatal = on_fatal, .ctx = fe, .tap_fd = fe->sv[0],
		.sg = true, .gso_tcpv4 = true, .gso_tcpv6 = true,
		.name = "vif1.0",
	};
}

struct fe *fe_new(bool sg, bool gso4, bool gso6, bool ipv6_csum)
{
	struct fe *fe = fe_alloc();
	struct netback_params p;

	fe_params(fe, &p);
	p.sg = sg;
	p.gso_tcpv4 = gso4;
	p.gso_tcpv6 = gso6;
	p.ipv6_csum = ipv6_csum;
	if (netback_create(&fe->nb, &p) < 0)
		abort();
	return fe;
}

struct fe *fe_new_rate(uint64_t bytes, uint32_t interval_us)
{
	struct fe *fe = fe_alloc();
	struct netback_params p;

	fe_params(fe, &p);
	p.rate_bytes = bytes;
	p.rate_interval_us = interval_us;
	if (netback_create(&fe->nb, &p) < 0)
		abort();
	return fe;
}

void fe_free(struct fe *fe)
{
	netback_destroy(fe->nb);
	close(fe->sv[0]);
	close(fe->sv[1]);
	free(fe->tx.sring);
	free(fe->rx.sring);
	free(fe->ram);
	free(fe->gt);
	free(fe);
}

void fe_grant(struct fe *fe, uint32_t ref, uint32_t gfn, bool readonly)
{
	grant_entry_v1_t *g = (grant_entry_v1_t *)fe->gt + ref;

	g->domid = 0;
	g->frame = gfn;
	g->flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
}

uint8_t *fe_page(struct fe *fe, uint32_t gfn)
{
	return fe->ram + (size_t)gfn * NB_PAGE;
}

void fe_tx_slot(struct fe *fe, uint32_t ref, uint32_t gfn, uint16_t off,
		const void *data, size_t n, uint16_t flags, uint16_t id,
		uint16_t size)
{
	netif_tx_request_t *r;

	fe_grant(fe, ref, gfn, true);
	if (data && n)
		memcpy(fe_page(fe, gfn) + off, data, n);
	r = RING_GET_REQUEST(&fe->tx, fe->tx.req_prod_pvt++);
	*r = (netif_tx_request_t){ .gref = ref, .offset = off,
				   .flags = flags, .id = id, .size = size };
}

void fe_tx_extra(struct fe *fe, const netif_extra_info_t *ex)
{
	memcpy(RING_GET_REQUEST(&fe->tx, fe->tx.req_prod_pvt++), ex,
	       sizeof(*ex));
}

void fe_tx_push(struct fe *fe)
{
	RING_PUSH_REQUESTS(&fe->tx);
}

void fe_tx_expect(struct fe *fe, unsigned id, int16_t status)
{
	netif_tx_response_t r;

	assert_true(fe->tx.rsp_cons != fe->tx.sring->rsp_prod);
	r = *RING_GET_RESPONSE(&fe->tx, fe->tx.rsp_cons++);
	if (id != FE_ANY_ID)
		assert_int_equal(r.id, id);
	assert_int_equal(r.status, status);
}

void fe_rx_post(struct fe *fe, uint32_t ref, uint32_t gfn, uint16_t id,
		bool readonly)
{
	netif_rx_request_t *r;

	fe_grant(fe, ref, gfn, readonly);
	r = RING_GET_REQUEST(&fe->rx, fe->rx.req_prod_pvt++);
	*r = (netif_rx_request_t){ .id = id, .gref = ref };
}

void fe_rx_push(struct fe *fe)
{
	RING_PUSH_REQUESTS(&fe->rx);
}

netif_rx_response_t fe_rx_next(struct fe *fe)
{
	assert_true(fe->rx.rsp_cons != fe->rx.sring->rsp_prod);
	return *RING_GET_RESPONSE(&fe->rx, fe->rx.rsp_cons++);
}

ssize_t fe_host_recv(struct fe *fe, void *buf, size_t n)
{
	return recv(fe->sv[1], buf, n, MSG_DONTWAIT);
}

ssize_t fe_host_send(struct fe *fe, const struct virtio_net_hdr *h,
		     const void *data, size_t n)
{
	struct iovec iov[2] = { { (void *)h, sizeof(*h) },
				{ (void *)data, n } };

	return writev(fe->sv[1], iov, 2);
}

void fe_fill(uint8_t *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 7 + seed * 13 + (i >> 8));
}

static void eth(uint8_t *b, uint16_t type)
{
	static const uint8_t macs[12] = { 0, 0x16, 0x3e, 1, 2, 3,
					  0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

	memcpy(b, macs, 12);
	b[12] = (uint8_t)(type >> 8);
	b[13] = (uint8_t)type;
}

void fe_tcp4(uint8_t *b, size_t n)
{
	fe_fill(b, n, 9);
	eth(b, 0x0800);
	memset(b + 14, 0, 40);
	b[14] = 0x45;
	b[16] = (uint8_t)((n - 14) >> 8);
	b[17] = (uint8_t)(n - 14);
	b[22] = 64;
	b[23] = 6; /* TCP */
	memcpy(b + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	b[34 + 12] = 5 << 4; /* data offset 20 */
}

void fe_udp6(uint8_t *b, size_t n)
{
	fe_fill(b, n, 10);
	eth(b, 0x86dd);
	memset(b + 14, 0, 48);
	b[14] = 0x60;
	b[18] = (uint8_t)((n - 54) >> 8);
	b[19] = (uint8_t)(n - 54);
	b[20] = 17; /* UDP */
	b[21] = 64;
	b[22 + 15] = 1; /* ::1 -> ::2 */
	b[38 + 15] = 2;
	b[58] = (uint8_t)((n - 54) >> 8);
	b[59] = (uint8_t)(n - 54);
}
