/* Unit tests for backends/netback*.c and tap.c: a fake frontend (grant
 * table, guest pages, both rings) drives the backend synchronously through
 * netback_tx_run / netback_rx_run against a SOCK_SEQPACKET socketpair
 * standing in for the tap; one test runs the thread, one a real tap in a
 * private network namespace (skipped where unshare is not allowed).
 * Cases follow shared reference xenstore-and-devices.md §5 items 21-26. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends/gnttab.h"
#include "backends/netback_internal.h"
#include "backends/netback_test_fe.h"
#include "lib/log.h"

static int setup(void **state)
{
	struct fe *fe = fe_new(true, true, true, false);

	assert_non_null(fe);
	*state = fe;
	return 0;
}

static int teardown(void **state)
{
	fe_free(*state);
	return 0;
}

/* Every grant the backend touched is released. */
static void assert_grants_idle(struct fe *fe)
{
	grant_entry_v1_t *g = (grant_entry_v1_t *)fe->gt;

	for (unsigned i = 0; i < FE_GT_ENTRIES; i++)
		assert_int_equal(g[i].flags & (GTF_reading | GTF_writing), 0);
}

static void test_tx_simple(void **state)
{
	struct fe *fe = *state;
	uint8_t pkt[60], out[NB_VNET_HLEN + 100];
	struct virtio_net_hdr h;

	fe_fill(pkt, sizeof(pkt), 1);
	fe_tx_slot(fe, 8, 1, 100, pkt, 60, 0, 7, 60);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 64), 1);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), NB_VNET_HLEN + 60);
	memcpy(&h, out, sizeof(h));
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.gso_type, 0);
	assert_memory_equal(out + NB_VNET_HLEN, pkt, 60);
	fe_tx_expect(fe, 7, NETIF_RSP_OKAY);
	assert_int_equal(fe->tx.sring->rsp_prod, 1);
	assert_true(fe->notify_tx >= 1);
	assert_grants_idle(fe);
}

static void test_tx_sg_and_zero_frags(void **state)
{
	struct fe *fe = *state;
	uint8_t pkt[5000], out[NB_VNET_HLEN + 6000];

	fe_fill(pkt, sizeof(pkt), 2);
	/* 2000 + 0 + 2000 + 0 + 1000 bytes: zero-length fragments are
	 * answered OKAY and add nothing (XSA-448). */
	fe_tx_slot(fe, 8, 1, 0, pkt, 2000, NETTXF_more_data, 1, 5000);
	fe_tx_slot(fe, 9, 2, 0, NULL, 0, NETTXF_more_data, 2, 0);
	fe_tx_slot(fe, 10, 3, 96, pkt + 2000, 2000, NETTXF_more_data, 3, 2000);
	fe_tx_slot(fe, 11, 4, 0, NULL, 0, NETTXF_more_data, 4, 0);
	fe_tx_slot(fe, 12, 5, 3096, pkt + 4000, 1000, 0, 5, 1000);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 64), 1);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), NB_VNET_HLEN + 5000);
	assert_memory_equal(out + NB_VNET_HLEN, pkt, 5000);
	for (uint16_t id = 1; id <= 5; id++)
		fe_tx_expect(fe, id, NETIF_RSP_OKAY);
	assert_grants_idle(fe);
}

static void test_tx_gso(void **state)
{
	struct fe *fe = *state;
	uint8_t pkt[3000], out[NB_VNET_HLEN + 3000];
	netif_extra_info_t ex = { .type = XEN_NETIF_EXTRA_TYPE_GSO };
	struct virtio_net_hdr h;

	fe_tcp4(pkt, sizeof(pkt));
	ex.u.gso.size = 1448;
	ex.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	fe_tx_slot(fe, 8, 1, 0, pkt, 2000,
		   NETTXF_csum_blank | NETTXF_extra_info | NETTXF_more_data, 1,
		   3000);
	fe_tx_extra(fe, &ex);
	fe_tx_slot(fe, 9, 2, 0, pkt + 2000, 1000, 0, 2, 1000);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 64), 1);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), NB_VNET_HLEN + 3000);
	memcpy(&h, out, sizeof(h));
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(h.gso_size, 1448);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
	assert_int_equal(h.hdr_len, 54);
	fe_tx_expect(fe, 1, NETIF_RSP_OKAY);
	fe_tx_expect(fe, FE_ANY_ID, NETIF_RSP_NULL);
	fe_tx_expect(fe, 2, NETIF_RSP_OKAY);
}

/* A GSO frame without csum_blank: netback writes the pseudo-header sum,
 * whose length is the whole frame's although only its head is copied. */
static void test_tx_gso_recalc(void **state)
{
	struct fe *fe = *state;
	uint8_t pkt[3000], out[NB_VNET_HLEN + 3000];
	netif_extra_info_t ex = { .type = XEN_NETIF_EXTRA_TYPE_GSO };
	uint32_t sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + (3000 - 34);

	fe_tcp4(pkt, sizeof(pkt));
	ex.u.gso.size = 1448;
	ex.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	fe_tx_slot(fe, 8, 1, 0, pkt, 1000, NETTXF_extra_info | NETTXF_more_data,
		   1, 3000);
	fe_tx_extra(fe, &ex);
	fe_tx_slot(fe, 9, 2, 0, pkt + 1000, 2000, 0, 2, 2000);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 64), 1);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), NB_VNET_HLEN + 3000);
	sum = (sum & 0xffff) + (sum >> 16);
	pkt[34 + 16] = (uint8_t)(sum >> 8);
	pkt[34 + 17] = (uint8_t)sum;
	assert_memory_equal(out + NB_VNET_HLEN, pkt, 3000);
	fe_tx_expect(fe, 1, NETIF_RSP_OKAY);
	fe_tx_expect(fe, FE_ANY_ID, NETIF_RSP_NULL);
	fe_tx_expect(fe, 2, NETIF_RSP_OKAY);
	assert_grants_idle(fe);
}

/* Headers longer than the part netback copies first (IPv6 with a 256-byte
 * hop-by-hop header): the frame is copied whole and parsed again. */
static void test_tx_long_headers(void **state)
{
	struct fe *fe = *state;
	uint8_t pkt[830], out[NB_VNET_HLEN + 830];
	struct virtio_net_hdr h;

	fe_fill(pkt, sizeof(pkt), 4);
	memcpy(pkt + 12, "\x86\xdd\x60\0\0\0\x03\x30\x00\x40", 10);
	pkt[54] = 6;  /* hop-by-hop: next header TCP */
	pkt[55] = 31; /* (31 + 1) * 8 = 256 bytes */
	pkt[310 + 12] = 5 << 4;
	fe_tx_slot(fe, 8, 1, 0, pkt, 400, NETTXF_csum_blank | NETTXF_more_data,
		   1, 830);
	fe_tx_slot(fe, 9, 2, 0, pkt + 400, 430, 0, 2, 430);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 64), 1);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), NB_VNET_HLEN + 830);
	memcpy(&h, out, sizeof(h));
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.csum_start, 310);
	assert_int_equal(h.csum_offset, 16);
	assert_int_equal(h.hdr_len, 330);
	assert_memory_equal(out + NB_VNET_HLEN, pkt, 830);
	fe_tx_expect(fe, 1, NETIF_RSP_OKAY);
	fe_tx_expect(fe, 2, NETIF_RSP_OKAY);
	assert_grants_idle(fe);
}

static void test_tx_csum_blank_udp6(void **state)
{
	struct fe *fe = *state;
	uint8_t pkt[200], out[NB_VNET_HLEN + 200];
	struct virtio_net_hdr h;

	fe_udp6(pkt, sizeof(pkt));
	fe_tx_slot(fe, 8, 1, 0, pkt, 200, NETTXF_csum_blank, 1, 200);
	fe_tx_slot(fe, 9, 2, 0, pkt, 200, NETTXF_data_validated, 2, 200);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 64), 2);
	fe_host_recv(fe, out, sizeof(out));
	memcpy(&h, out, sizeof(h));
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.csum_start, 54);
	assert_int_equal(h.csum_offset, 6);
	fe_host_recv(fe, out, sizeof(out));
	memcpy(&h, out, sizeof(h));
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	fe_tx_expect(fe, 1, NETIF_RSP_OKAY);
	fe_tx_expect(fe, 2, NETIF_RSP_OKAY);
}

/* size < ETH_HLEN: ERROR, nothing sent, the ring lives on. A bad gref and
 * a csum_blank frame that is not IP are drops too. */
static void test_tx_drops(void **state)
{
	struct fe *fe = *state;
	uint8_t pkt[60], out[200];

	fe_fill(pkt, sizeof(pkt), 3);
	fe_tx_slot(fe, 8, 1, 0, pkt, 10, 0, 1, 10);
	fe_tx_slot(fe, 9, 2, 0, pkt, 60, 0, 2, 60);
	fe->tx.sring->ring[1].req.gref = 100000; /* past the table */
	fe_tx_slot(fe, 10, 3, 0, pkt, 60, NETTXF_csum_blank, 3, 60);
	fe_tx_slot(fe, 11, 4, 0, pkt, 60, 0, 4, 60);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 64), 4);
	fe_tx_expect(fe, 1, NETIF_RSP_ERROR);
	fe_tx_expect(fe, 2, NETIF_RSP_ERROR);
	fe_tx_expect(fe, 3, NETIF_RSP_ERROR);
	fe_tx_expect(fe, 4, NETIF_RSP_OKAY);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), NB_VNET_HLEN + 60);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), -1);
	assert_int_equal(fe->fatal, 0);
	assert_grants_idle(fe);
}

static void test_tx_cross_page_fatal(void **state)
{
	struct fe *fe = *state;
	uint8_t pkt[200];

	fe_fill(pkt, sizeof(pkt), 4);
	fe_tx_slot(fe, 8, 1, 4000, pkt, 96, 0, 1, 200);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 64), -EPROTO);
	assert_int_equal(fe->fatal, 1);
	assert_int_equal(netback_tx_run(fe->nb, 64), -EPROTO);
	assert_int_equal(netback_rx_run(fe->nb, 0), -EPROTO);
	assert_int_equal(fe->fatal, 1); /* reported once */
}

/* n follow-on slots of 10 bytes behind a first slot of 60. */
static void tx_chain(struct fe *fe, unsigned n, uint16_t id0)
{
	uint8_t pkt[60];

	fe_fill(pkt, sizeof(pkt), 5);
	fe_tx_slot(fe, 8, 1, 0, pkt, 60, NETTXF_more_data, id0,
		   (uint16_t)(60 + 10 * n));
	for (unsigned i = 0; i < n; i++)
		fe_tx_slot(fe, 9, 2, 0, pkt, 10,
			   i + 1 < n ? NETTXF_more_data : 0,
			   (uint16_t)(id0 + 1 + i), 10);
	fe_tx_push(fe);
}

static void test_tx_slot_limits(void **state)
{
	struct fe *fe = *state;
	uint8_t out[NB_VNET_HLEN + 400];

	tx_chain(fe, 18, 0); /* 19 slots: accepted */
	assert_int_equal(netback_tx_run(fe->nb, 64), 1);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), NB_VNET_HLEN + 240);
	for (uint16_t i = 0; i < 19; i++)
		fe_tx_expect(fe, i, NETIF_RSP_OKAY);
	tx_chain(fe, 20, 100); /* 21 slots: dropped, all answered */
	assert_int_equal(netback_tx_run(fe->nb, 64), 1);
	for (uint16_t i = 0; i < 21; i++)
		fe_tx_expect(fe, 100 + i, NETIF_RSP_ERROR);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), -1);
	assert_int_equal(fe->fatal, 0);
	tx_chain(fe, 21, 200); /* 22 slots: malicious */
	assert_int_equal(netback_tx_run(fe->nb, 64), -EPROTO);
	assert_int_equal(fe->fatal, 1);
}

/* A >= 64 KiB frame whose u16 size wrapped: the second slot is larger
 * than what remains. Drop, consuming every slot. */
static void test_tx_wrapped_size(void **state)
{
	struct fe *fe = *state;
	uint8_t pkt[4096], out[200];

	fe_fill(pkt, sizeof(pkt), 6);
	fe_tx_slot(fe, 8, 1, 0, pkt, 4096, NETTXF_more_data, 1,
		   (uint16_t)(65536 + 100));
	for (uint16_t i = 0; i < 16; i++)
		fe_tx_slot(fe, 9, 2, 0, pkt, 4096,
			   i < 15 ? NETTXF_more_data : 0, (uint16_t)(2 + i),
			   4096);
	fe_tx_slot(fe, 10, 3, 0, pkt, 60, 0, 50, 60);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 64), 2);
	for (uint16_t i = 1; i <= 17; i++)
		fe_tx_expect(fe, i, NETIF_RSP_ERROR);
	fe_tx_expect(fe, 50, NETIF_RSP_OKAY);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), NB_VNET_HLEN + 60);
	assert_int_equal(fe->fatal, 0);
}

/* Headers split over many tiny slots (XSA-423/432): the packet is
 * linearised before its headers are parsed. */
static void test_tx_tiny_header_slots(void **state)
{
	struct fe *fe = *state;
	uint8_t pkt[200], out[NB_VNET_HLEN + 200];
	struct virtio_net_hdr h;
	size_t off = 14;
	uint16_t id = 1;

	fe_tcp4(pkt, sizeof(pkt));
	fe_tx_slot(fe, 8, 1, 0, pkt, 14, NETTXF_csum_blank | NETTXF_more_data,
		   0, 200);
	for (; off < 14 + 17 * 2; off += 2) /* IP and TCP in 2-byte slots */
		fe_tx_slot(fe, (uint32_t)(8 + id), (uint32_t)(1 + id), 0,
			   pkt + off, 2, NETTXF_more_data, id, 2), id++;
	fe_tx_slot(fe, 30, 30, 0, pkt + off, 200 - off, 0, id, (uint16_t)(200 - off));
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 64), 1);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), NB_VNET_HLEN + 200);
	memcpy(&h, out, sizeof(h));
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
	assert_memory_equal(out + NB_VNET_HLEN, pkt, 200);
	for (uint16_t i = 0; i <= id; i++)
		fe_tx_expect(fe, i, NETIF_RSP_OKAY);
	assert_grants_idle(fe);
}

/* Each bad extra in its own vif. */
static void bad_extra_case(const netif_extra_info_t *ex, bool at_end,
			   bool expect_fatal)
{
	struct fe *fe = fe_new(true, true, true, false);
	uint8_t pkt[60];

	assert_non_null(fe);
	fe_fill(pkt, sizeof(pkt), 7);
	fe_tx_slot(fe, 8, 1, 0, pkt, 60, NETTXF_extra_info, 1, 60);
	if (!at_end)
		fe_tx_extra(fe, ex);
	fe_tx_push(fe);
	if (expect_fatal) {
		assert_int_equal(netback_tx_run(fe->nb, 64), -EPROTO);
		assert_int_equal(fe->fatal, 1);
	} else {
		assert_int_equal(netback_tx_run(fe->nb, 64), 1);
		fe_tx_expect(fe, 1, NETIF_RSP_ERROR);
		fe_tx_expect(fe, FE_ANY_ID, NETIF_RSP_NULL);
		assert_int_equal(fe->fatal, 0);
	}
	fe_free(fe);
}

static void test_tx_bad_extras(void **state)
{
	netif_extra_info_t ex;

	(void)state;
	memset(&ex, 0, sizeof(ex));
	bad_extra_case(&ex, true, true); /* missing at the ring's end */
	bad_extra_case(&ex, false, true); /* type 0 */
	ex.type = 5;
	bad_extra_case(&ex, false, true);
	ex.type = XEN_NETIF_EXTRA_TYPE_GSO; /* size 0 */
	ex.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	bad_extra_case(&ex, false, true);
	ex.u.gso.size = 1000; /* type 3 */
	ex.u.gso.type = 3;
	bad_extra_case(&ex, false, true);
	memset(&ex, 0, sizeof(ex)); /* multicast was never offered */
	ex.type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
	bad_extra_case(&ex, false, false);
}

static void test_tx_ring_overflow(void **state)
{
	struct fe *fe = *state;

	fe->tx.sring->req_prod = NET_TX_RING_SIZE + 1;
	assert_int_equal(netback_tx_run(fe->nb, 64), -EPROTO);
	assert_int_equal(fe->fatal, 1);
}

/* rate=100000B/s@100ms, "10000,100000" in XenStore: 10000 bytes of
 * credit per 100 ms window. */
static void test_tx_rate_limit(void **state)
{
	struct fe *fe = fe_new_rate(10000, 100000);
	uint8_t pkt[1000], out[1100];
	int n;

	(void)state;
	assert_non_null(fe);
	fe_fill(pkt, sizeof(pkt), 8);
	for (uint16_t i = 0; i < 100; i++)
		fe_tx_slot(fe, 8, 1, 0, pkt, 1000, 0, i, 1000);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 256), 10);
	assert_int_equal(netback_tx_run(fe->nb, 256), 0);
	assert_true(netback_tx_run(fe->nb, 256) == 0);
	usleep(110000);
	n = netback_tx_run(fe->nb, 256);
	assert_true(n >= 10 && n < 90);
	for (int i = 0; i < 10 + n; i++)
		assert_int_equal(fe_host_recv(fe, out, sizeof(out)),
				 NB_VNET_HLEN + 1000);
	fe_free(fe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tx_simple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_sg_and_zero_frags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_gso, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_gso_recalc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_long_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_csum_blank_udp6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_cross_page_fatal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_slot_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_wrapped_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_tiny_header_slots, setup, teardown),
		cmocka_unit_test(test_tx_bad_extras),
		cmocka_unit_test_setup_teardown(test_tx_ring_overflow, setup, teardown),
		cmocka_unit_test(test_tx_rate_limit),
	};

	log_init("netback_test", -1);
	log_set_level(LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
