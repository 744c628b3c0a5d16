/* libFuzzer harness for netback's ring consumers: the input fills a grant
 * table, a TX ring and an RX ring (indexes included) and one frame for
 * the tap; netback_tx_run and netback_rx_run then run synchronously
 * against a SOCK_SEQPACKET socketpair. Afterwards it checks what a
 * frontend relies on: responses never pass the requests consumed, every
 * grant is released, RX offset + status <= 4096, statuses are known.
 *
 * Layout: [features 1: sg, gso4, gso6, ipv6 csum, RX in-place pages all
 * or one][grant entries 16 x 8][tx req_prod 2][tx slots
 * 64 x 12][rx req_prod 2][rx slots 32 x 8][frame: the rest]; guest pages
 * 0-15 hold a pattern overlaid with the frame's bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/gnttab.h"
#include "backends/netback_internal.h"
#include "lib/log.h"

#define NR_PAGES 16
#define NR_REFS 16

static uint8_t gt[NB_PAGE] __attribute__((aligned(4096)));
static uint8_t ram[NR_PAGES][NB_PAGE] __attribute__((aligned(4096)));
static uint8_t txp[NB_PAGE] __attribute__((aligned(4096)));
static uint8_t rxp[NB_PAGE] __attribute__((aligned(4096)));

struct in {
	const uint8_t *p;
	size_t n;
};

static void take(struct in *in, void *dst, size_t n)
{
	size_t k = in->n < n ? in->n : n;

	memcpy(dst, in->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	in->p += k;
	in->n -= k;
}

static void *gfn_page(void *ctx, uint64_t gfn)
{
	(void)ctx;
	return gfn < NR_PAGES ? ram[gfn] : NULL;
}

static int notify(void *ctx)
{
	(void)ctx;
	return 0;
}

static uint16_t gt_flags0[NR_REFS]; /* as the input set them */

static void check(struct netback *nb)
{
	netif_tx_sring_t *tx = (netif_tx_sring_t *)txp;
	netif_rx_sring_t *rx = (netif_rx_sring_t *)rxp;
	const grant_entry_v1_t *g = (const grant_entry_v1_t *)gt;

	for (unsigned i = 0; i < NR_REFS; i++)
		if (g[i].flags & ~gt_flags0[i] & (GTF_reading | GTF_writing))
			abort(); /* a grant left in use */
	if (nb->tx.rsp_prod_pvt != nb->tx.req_cons && !nb->fatal)
		abort(); /* a consumed slot left unanswered */
	for (RING_IDX i = 0; i < tx->rsp_prod; i++) {
		int16_t st = tx->ring[i % NET_TX_RING_SIZE].rsp.status;

		if (st < NETIF_RSP_DROPPED || st > NETIF_RSP_NULL)
			abort();
	}
	for (RING_IDX i = 0; i < rx->rsp_prod; i++) {
		netif_rx_response_t r = rx->ring[i % NET_RX_RING_SIZE].rsp;

		if (r.offset != 0 || r.status > (int16_t)NB_PAGE)
			abort();
		if (r.flags & NETRXF_extra_info)
			i++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct gnttab_view view = { .frames = gt, .nr_frames = 1,
				    .gfn_page = gfn_page };
	netif_tx_sring_t *tx = (netif_tx_sring_t *)txp;
	netif_rx_sring_t *rx = (netif_rx_sring_t *)rxp;
	struct netback_params p;
	struct netback *nb;
	uint8_t feat, frame[NB_VNET_HLEN + 9000];
	uint16_t prod;
	size_t flen;
	int sv[2];

	static bool quiet;
	if (!quiet) {
		log_init("fuzz_netback", -1);
		log_set_file(fopen("/dev/null", "w"));
		quiet = true;
	}
	memset(gt, 0, sizeof(gt));
	memset(txp, 0, sizeof(txp));
	memset(rxp, 0, sizeof(rxp));
	for (unsigned i = 0; i < NR_PAGES; i++)
		memset(ram[i], (int)i, NB_PAGE);
	take(&in, &feat, 1);
	take(&in, gt, NR_REFS * sizeof(grant_entry_v1_t));
	for (unsigned i = 0; i < NR_REFS; i++)
		gt_flags0[i] = ((grant_entry_v1_t *)gt)[i].flags;
	SHARED_RING_INIT(tx);
	SHARED_RING_INIT(rx);
	take(&in, &prod, 2);
	take(&in, tx->ring, 64 * sizeof(tx->ring[0]));
	tx->req_prod = prod;
	take(&in, &prod, 2);
	take(&in, rx->ring, 32 * sizeof(rx->ring[0]));
	rx->req_prod = prod;
	flen = in.n < sizeof(frame) ? in.n : sizeof(frame);
	take(&in, frame, flen);
	for (unsigned i = 0; i < NR_PAGES && i * NB_PAGE < flen; i++)
		memcpy(ram[i], frame + i * NB_PAGE,
		       flen - i * NB_PAGE < NB_PAGE ? flen - i * NB_PAGE : NB_PAGE);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) < 0)
		return 0;
	p = (struct netback_params){
		.gnt = &view, .tx_ring = txp, .rx_ring = rxp,
		.tx_kick_fd = -1, .rx_kick_fd = -1, .notify_tx = notify,
		.notify_rx = notify, .tap_fd = sv[0], .sg = feat & 1,
		.gso_tcpv4 = feat & 2, .gso_tcpv6 = feat & 4,
		.ipv6_csum = feat & 8, .name = "fuzz",
	};
	if (netback_create(&nb, &p) < 0)
		abort();
	/* As after a large frame: a read in place maps every page. */
	if (feat & 16)
		nb->rx_direct_hint = (NB_FRAME_MAX + NB_PAGE - 1) / NB_PAGE;
	(void)netback_tx_run(nb, 256);
	check(nb);
	if (flen && write(sv[1], frame, flen) < 0) {
		/* too big for the socket: RX runs with nothing queued */
	}
	(void)netback_rx_run(nb, 1);
	check(nb);
	netback_destroy(nb);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
