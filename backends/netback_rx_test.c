/* Unit tests for netback's RX side, its thread, and tap.c on a real tap
 * (in a private network namespace; skipped where unshare is refused).
 * Cases follow shared reference xenstore-and-devices.md §5 items 25-26. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backends/netback_test_fe.h"
#include "backends/tap.h"
#include "lib/clock.h"
#include "lib/log.h"

#define SEC 1000000000ull

/* A TCPv4 GSO frame with a partial checksum, as the host's stack sends. */
static const struct virtio_net_hdr gso_tcp4 = {
	.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448,
	.hdr_len = 54, .csum_start = 34, .csum_offset = 16,
};

static void test_rx_simple(void **state)
{
	struct fe *fe = fe_new(true, true, true, false);
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	uint8_t pkt[100];
	netif_rx_response_t r;

	(void)state;
	fe_fill(pkt, sizeof(pkt), 1);
	memset(fe_page(fe, 3), 0x5a, NB_PAGE);
	fe_rx_post(fe, 20, 3, 77, false);
	fe_rx_post(fe, 21, 4, 78, false);
	fe_rx_push(fe);
	assert_int_equal(fe_host_send(fe, &h, pkt, sizeof(pkt)),
			 NB_VNET_HLEN + 100);
	assert_int_equal(netback_rx_run(fe->nb, SEC), 1);
	r = fe_rx_next(fe);
	assert_int_equal(r.id, 77);
	assert_int_equal(r.offset, 0);
	assert_int_equal(r.status, 100);
	assert_int_equal(r.flags, NETRXF_data_validated);
	assert_memory_equal(fe_page(fe, 3), pkt, 100);
	assert_int_equal(fe_page(fe, 3)[100], 0x5a);
	assert_int_equal(fe->rx.sring->rsp_prod, 1);
	assert_int_equal(fe->notify_rx, 1);
	assert_int_equal(((grant_entry_v1_t *)fe->gt)[20].flags,
			 GTF_permit_access);
	fe_free(fe);
}

/* 9000 bytes with GSO: data, extra, data, data; each response pairs with
 * the request in its slot, the extra's padding is zero. */
static void test_rx_gso_sg(void **state)
{
	struct fe *fe = fe_new(true, true, true, false);
	const struct virtio_net_hdr h = gso_tcp4;
	static uint8_t pkt[9000];
	netif_rx_response_t r;
	netif_extra_info_t ex, want = { .type = XEN_NETIF_EXTRA_TYPE_GSO };

	(void)state;
	fe_tcp4(pkt, sizeof(pkt));
	for (uint16_t i = 0; i < 6; i++)
		fe_rx_post(fe, 20 + i, 3 + i, 100 + i, false);
	fe_rx_push(fe);
	fe_host_send(fe, &h, pkt, sizeof(pkt));
	assert_int_equal(netback_rx_run(fe->nb, SEC), 1);
	r = fe_rx_next(fe);
	assert_int_equal(r.id, 100);
	assert_int_equal(r.status, 4096);
	assert_int_equal(r.flags, NETRXF_csum_blank | NETRXF_data_validated |
					  NETRXF_more_data | NETRXF_extra_info);
	r = fe_rx_next(fe);
	memcpy(&ex, &r, sizeof(ex));
	want.u.gso.size = 1448;
	want.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	assert_memory_equal(&ex, &want, sizeof(ex));
	r = fe_rx_next(fe);
	assert_int_equal(r.id, 102);
	assert_int_equal(r.status, 4096);
	assert_int_equal(r.flags, NETRXF_more_data);
	r = fe_rx_next(fe);
	assert_int_equal(r.id, 103);
	assert_int_equal(r.status, 9000 - 8192);
	assert_int_equal(r.flags, 0);
	assert_int_equal(fe->rx.sring->rsp_prod, 4);
	assert_memory_equal(fe_page(fe, 3), pkt, 4096);
	assert_memory_equal(fe_page(fe, 5), pkt + 4096, 4096);
	assert_memory_equal(fe_page(fe, 6), pkt + 8192, 9000 - 8192);
	fe_free(fe);
}

/* What the frontend did not negotiate is dropped, not delivered. */
static void test_rx_unnegotiated(void **state)
{
	struct fe *fe = fe_new(false, false, false, false);
	struct virtio_net_hdr h = { 0 }, g = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
					      .gso_size = 1000 };
	static uint8_t pkt[9000];
	struct netback_stats st;

	(void)state;
	fe_tcp4(pkt, sizeof(pkt));
	for (uint16_t i = 0; i < 8; i++)
		fe_rx_post(fe, 20 + i, 3 + i, i, false);
	fe_rx_push(fe);
	fe_host_send(fe, &h, pkt, sizeof(pkt)); /* multi-slot without sg */
	fe_host_send(fe, &g, pkt, 1500);        /* GSO not negotiated */
	fe_host_send(fe, &h, pkt, 1500);        /* fine */
	assert_int_equal(netback_rx_run(fe->nb, SEC), 3);
	assert_int_equal(fe->rx.sring->rsp_prod, 1);
	assert_int_equal(fe_rx_next(fe).status, 1500);
	netback_get_stats(fe->nb, &st);
	assert_int_equal(st.rx_dropped, 2);
	assert_int_equal(st.rx_packets, 1);
	fe_free(fe);
}

/* A read-only RX gref is not written; its slot says ERROR. */
static void test_rx_readonly(void **state)
{
	struct fe *fe = fe_new(true, true, true, false);
	struct virtio_net_hdr h = { 0 };
	uint8_t pkt[200];
	netif_rx_response_t r;

	(void)state;
	fe_fill(pkt, sizeof(pkt), 2);
	fe_rx_post(fe, 20, 3, 5, true);
	fe_rx_post(fe, 21, 4, 6, false);
	fe_rx_push(fe);
	fe_host_send(fe, &h, pkt, sizeof(pkt));
	fe_host_send(fe, &h, pkt, sizeof(pkt));
	assert_int_equal(netback_rx_run(fe->nb, SEC), 2);
	r = fe_rx_next(fe);
	assert_int_equal(r.id, 5);
	assert_int_equal(r.status, NETIF_RSP_ERROR);
	assert_int_equal(fe_page(fe, 3)[0], 0);
	r = fe_rx_next(fe);
	assert_int_equal(r.id, 6);
	assert_int_equal(r.status, 200);
	assert_int_equal(((grant_entry_v1_t *)fe->gt)[20].flags,
			 GTF_permit_access | GTF_readonly);
	fe_free(fe);
}

/* No RX buffers: at most half a ring of pages waits, the rest stays in
 * the tap; frames expire after 10 s, the carrier goes off at 60 s and
 * comes back when the guest posts. */
static void test_rx_no_buffers(void **state)
{
	struct fe *fe = fe_new(true, true, true, false);
	struct virtio_net_hdr h = { 0 };
	uint8_t pkt[4000];
	struct netback_stats st;
	int sent = 0, sndbuf = 4 << 20;

	unsigned q, frame = NB_VNET_HLEN + sizeof(pkt);

	(void)state;
	if (setsockopt(fe->sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
		       sizeof(sndbuf)) < 0)
		setsockopt(fe->sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf,
			   sizeof(sndbuf));
	fe_fill(pkt, sizeof(pkt), 3);
	while (sent < 300 && fe_host_send(fe, &h, pkt, sizeof(pkt)) > 0)
		sent++;
	assert_true(sent > 140);
	for (int i = 0; i < 10; i++)
		assert_int_equal(netback_rx_run(fe->nb, SEC), 0);
	q = netback_rx_queued(fe->nb);
	assert_true(q * frame >= NB_RX_QUEUE_BYTES);
	assert_true((q - 1) * frame < NB_RX_QUEUE_BYTES);
	assert_false(nb_rx_want_tap(fe->nb));
	assert_int_equal(fe->rx.sring->req_event, 1); /* asked to be told */
	/* 10 s later the queue drains and refills from the tap. */
	assert_int_equal(netback_rx_run(fe->nb, 12 * SEC), (int)q);
	assert_int_equal(netback_rx_queued(fe->nb), NB_RX_BATCH);
	if (sent < (int)q + 2 * NB_RX_BATCH + 1)
		skip(); /* the socket took too few frames for the rest */
	netback_rx_run(fe->nb, 61 * SEC + SEC / 2);
	netback_get_stats(fe->nb, &st);
	assert_true(st.carrier_off);
	fe_rx_post(fe, 20, 3, 1, false);
	fe_rx_push(fe);
	assert_true(netback_rx_run(fe->nb, 62 * SEC) >= 1);
	netback_get_stats(fe->nb, &st);
	assert_false(st.carrier_off);
	assert_int_equal(st.rx_packets, 1);
	fe_free(fe);
}

/* now_ns 0 (the thread's call): the clock is read when a frame must wait,
 * so a queued frame is stamped with the real time and expires 10 s after
 * it, not at once. */
static void test_rx_clock_on_demand(void **state)
{
	struct fe *fe = fe_new(true, true, true, false);
	struct virtio_net_hdr h = { 0 };
	uint8_t pkt[1000];
	uint64_t before = clock_mono_ns();
	unsigned q;

	(void)state;
	fe_fill(pkt, sizeof(pkt), 3);
	for (int i = 0; i < 3; i++)
		assert_true(fe_host_send(fe, &h, pkt, sizeof(pkt)) > 0);
	assert_int_equal(netback_rx_run(fe->nb, 0), 0);
	q = netback_rx_queued(fe->nb);
	assert_int_equal(q, 3);
	assert_int_equal(netback_rx_run(fe->nb, 0), 0);
	assert_int_equal(netback_rx_queued(fe->nb), q);
	assert_int_equal(netback_rx_run(fe->nb, before + 9 * SEC), 0);
	assert_int_equal(netback_rx_run(fe->nb, clock_mono_ns() + 11 * SEC), (int)q);
	assert_int_equal(netback_rx_queued(fe->nb), 0);
	fe_free(fe);
}

/* The guest cannot take IPv6 partial checksums: complete them here, with
 * `posted` RX requests (enough for any frame: the frame is read in place,
 * then goes back to rx_scratch for the checksum). */
static void ipv6_csum_fixup(uint16_t posted)
{
	struct fe *fe = fe_new(true, true, true, false);
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .csum_start = 54, .csum_offset = 6 };
	uint8_t pkt[300], *d = fe_page(fe, 3);
	struct netback_stats st;
	uint64_t sum = 0;

	fe_udp6(pkt, sizeof(pkt));
	pkt[60] = pkt[61] = 0; /* a partial sum of 0 */
	for (uint16_t i = 0; i < posted; i++)
		fe_rx_post(fe, 20 + i, 3 + i, i, false);
	fe_rx_push(fe);
	fe_host_send(fe, &h, pkt, sizeof(pkt));
	assert_int_equal(netback_rx_run(fe->nb, SEC), 1);
	assert_int_equal(fe_rx_next(fe).flags, NETRXF_data_validated);
	for (size_t i = 54; i < 300; i += 2)
		sum += (uint32_t)(d[i] << 8 | d[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	assert_int_equal(sum, 0xffff);
	netback_get_stats(fe->nb, &st);
	assert_int_equal(st.csum_fixups, 1);
	assert_int_equal(st.rx_in_place, 0);
	fe_free(fe);
}

static void test_rx_ipv6_csum_fixup(void **state)
{
	(void)state;
	ipv6_csum_fixup(1);
}

static void test_rx_in_place_csum(void **state)
{
	(void)state;
	ipv6_csum_fixup(20);
}

/* Post n RX requests: ids from *id on, gref 20 + id, gfn 3 + id % 60. */
static void post_rx(struct fe *fe, uint16_t *id, unsigned n)
{
	for (unsigned i = 0; i < n; i++, (*id)++)
		fe_rx_post(fe, 20u + *id, 3u + *id % 60u, *id, false);
	fe_rx_push(fe);
}

/* The response for a data slot: its id, status, and data at its gfn. */
static void expect_data(struct fe *fe, uint16_t id, const uint8_t *data,
			int16_t status)
{
	netif_rx_response_t r = fe_rx_next(fe);

	assert_int_equal(r.id, id);
	assert_int_equal(r.status, status);
	if (status > 0)
		assert_memory_equal(fe_page(fe, 3u + id % 60u), data,
				    (size_t)status);
}

/* A GSO frame of len bytes from *id on: data, extra, data... */
static void expect_gso(struct fe *fe, uint16_t *id, const uint8_t *pkt,
		       size_t len, int bad_id)
{
	for (size_t off = 0; off < len; off += NB_PAGE) {
		size_t chunk = len - off < NB_PAGE ? len - off : NB_PAGE;

		expect_data(fe, *id, pkt + off,
			    *id == bad_id ? NETIF_RSP_ERROR : (int16_t)chunk);
		(*id)++;
		if (off == 0) {
			netif_rx_response_t r = fe_rx_next(fe);
			netif_extra_info_t ex;

			memcpy(&ex, &r, sizeof(ex));
			assert_int_equal(ex.type, XEN_NETIF_EXTRA_TYPE_GSO);
			(*id)++;
		}
	}
}

/* With requests posted for the largest frame, frames are read straight
 * into the guest's pages: GSO frames of every size, a small frame after
 * a large one (only its slot is used), a jumbo frame without GSO (read in
 * the GSO layout, gathered and copied into consecutive slots), a
 * read-only grant among the pages (its slot answers an error). The
 * responses are those of the copying path. */
static void test_rx_in_place(void **state)
{
	struct fe *fe = fe_new(true, true, true, true);
	const struct virtio_net_hdr gso = gso_tcp4;
	struct virtio_net_hdr plain = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	static uint8_t big[65535 + 14], jumbo[9000], small[100];
	struct netback_stats st;
	uint16_t posted = 0, id = 0;

	(void)state;
	fe_tcp4(big, sizeof(big));
	fe_fill(jumbo, sizeof(jumbo), 7);
	fe_fill(small, sizeof(small), 8);
	post_rx(fe, &posted, 18);
	fe_host_send(fe, &gso, big, 9000);  /* maps one page: the last was small */
	assert_int_equal(netback_rx_run(fe->nb, SEC), 1);
	expect_gso(fe, &id, big, 9000, -1);
	post_rx(fe, &posted, 18);
	fe_host_send(fe, &gso, big, sizeof(big)); /* maps them all */
	assert_int_equal(netback_rx_run(fe->nb, SEC), 1);
	expect_gso(fe, &id, big, sizeof(big), -1);
	post_rx(fe, &posted, 18);
	fe_host_send(fe, &plain, jumbo, sizeof(jumbo));
	assert_int_equal(netback_rx_run(fe->nb, SEC), 1);
	for (size_t off = 0; off < sizeof(jumbo); off += NB_PAGE, id++)
		expect_data(fe, id, jumbo + off,
			    (int16_t)(sizeof(jumbo) - off < NB_PAGE
					      ? sizeof(jumbo) - off : NB_PAGE));
	post_rx(fe, &posted, 18);
	fe_host_send(fe, &gso, big, 30000);
	fe_host_send(fe, &plain, small, sizeof(small));
	assert_int_equal(netback_rx_run(fe->nb, SEC), 2);
	expect_gso(fe, &id, big, 30000, -1);
	expect_data(fe, id++, small, sizeof(small));
	post_rx(fe, &posted, 30);
	fe_grant(fe, 20u + id + 2u, 3u + (id + 2u) % 60u, true);
	fe_host_send(fe, &gso, big, 20000);
	fe_host_send(fe, &gso, big, 20000);
	assert_int_equal(netback_rx_run(fe->nb, SEC), 2);
	expect_gso(fe, &id, big, 20000, id + 2);
	expect_gso(fe, &id, big, 20000, -1);
	assert_int_equal(fe->rx.sring->rsp_prod, id);
	netback_get_stats(fe->nb, &st);
	assert_int_equal(st.rx_packets, 6);
	assert_int_equal(st.rx_errors, 1);
	assert_int_equal(st.rx_in_place, 6); /* the jumbo frame was copied */
	for (uint16_t i = 0; i < posted; i++) /* every grant released */
		assert_int_equal(((grant_entry_v1_t *)fe->gt)[20 + i].flags &
					 (GTF_reading | GTF_writing), 0);
	fe_free(fe);
}

static void test_rx_ring_overflow(void **state)
{
	struct fe *fe = fe_new(true, true, true, false);
	struct virtio_net_hdr h = { 0 };
	struct netback_stats st;
	uint8_t pkt[100] = { 0 };

	(void)state;
	fe->rx.sring->req_prod = 1000;
	fe_host_send(fe, &h, pkt, sizeof(pkt));
	assert_int_equal(netback_rx_run(fe->nb, SEC), -EPROTO);
	assert_int_equal(fe->fatal, 1);
	assert_int_equal(fe->rx.sring->rsp_prod, 0);
	netback_get_stats(fe->nb, &st);
	assert_true(st.fatal);
	assert_true(st.carrier_off);
	fe_free(fe);
}

static bool wait_until(bool (*cond)(struct fe *), struct fe *fe)
{
	for (int i = 0; i < 2000; i++) {
		if (cond(fe))
			return true;
		usleep(1000);
	}
	return false;
}

static bool rx_answered(struct fe *fe)
{
	return __atomic_load_n(&fe->rx.sring->rsp_prod, __ATOMIC_ACQUIRE) == 1;
}

static bool tx_answered(struct fe *fe)
{
	return __atomic_load_n(&fe->tx.sring->rsp_prod, __ATOMIC_ACQUIRE) == 1;
}

/* The thread: kicks drive TX, the tap drives RX, a storm of empty kicks
 * gets no notifications back, stop joins. */
static void test_thread(void **state)
{
	struct fe *fe = fe_alloc();
	struct netback_params p;
	struct virtio_net_hdr h = { 0 };
	uint8_t pkt[64], out[100];
	uint64_t one = 1;
	struct pollfd pfd;

	(void)state;
	fe_params(fe, &p);
	p.tx_kick_fd = p.rx_kick_fd = eventfd(0, EFD_NONBLOCK);
	assert_int_equal(netback_start(&fe->nb, &p), 0);
	fe_fill(pkt, sizeof(pkt), 4);
	fe_tx_slot(fe, 8, 1, 0, pkt, 64, 0, 9, 64);
	fe_tx_push(fe);
	assert_int_equal(write(p.tx_kick_fd, &one, 8), 8);
	pfd = (struct pollfd){ .fd = fe->sv[1], .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(fe_host_recv(fe, out, sizeof(out)), NB_VNET_HLEN + 64);
	assert_true(wait_until(tx_answered, fe));
	fe_rx_post(fe, 20, 3, 1, false);
	fe_rx_push(fe);
	fe_host_send(fe, &h, pkt, sizeof(pkt));
	assert_true(wait_until(rx_answered, fe));
	int ntx = __atomic_load_n(&fe->notify_tx, __ATOMIC_ACQUIRE);
	int nrx = __atomic_load_n(&fe->notify_rx, __ATOMIC_ACQUIRE);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(write(p.tx_kick_fd, &one, 8), 8);
	usleep(20000);
	assert_int_equal(__atomic_load_n(&fe->notify_tx, __ATOMIC_ACQUIRE), ntx);
	assert_int_equal(__atomic_load_n(&fe->notify_rx, __ATOMIC_ACQUIRE), nrx);
	netback_stop(fe->nb);
	fe->nb = NULL;
	close(p.tx_kick_fd);
	fe_free(fe);
}

/* A real tap: tap_open, offloads, libnl link setup, and a TX frame that
 * comes out of the tap into the host's stack (seen by AF_PACKET). */
#define TEST_ETHERTYPE 0x88b5 /* IEEE local experimental ethertype 1 */

static void test_real_tap(void **state)
{
	static const uint8_t host_mac[6] = TAP_HOST_MAC;
	struct fe *fe;
	struct netback_params p;
	char ifname[IFNAMSIZ];
	struct ifreq ifr;
	struct sockaddr_ll sll;
	uint8_t pkt[64], out[200];
	int fd, ps, s;

	(void)state;
	if (unshare(CLONE_NEWNET) < 0)
		skip();
	assert_int_equal(tap_open("vif1.0", ifname, &fd), 0);
	assert_string_equal(ifname, "vif1.0");
	assert_int_equal(tap_open("", ifname, &s), -EINVAL);
	assert_int_equal(tap_set_offload(fd, true, true, false), 0);
	assert_int_equal(tap_link_setup("vif1.0", 1500, host_mac, true), 0);
	assert_int_equal(tap_link_setup("nosuchif", 1500, NULL, true), -ENODEV);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "vif1.0");
	assert_int_equal(ioctl(s, SIOCGIFHWADDR, &ifr), 0);
	assert_memory_equal(ifr.ifr_hwaddr.sa_data, host_mac, 6);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	assert_true(ifr.ifr_flags & IFF_UP);
	close(s);

	/* Bound to the test's own ethertype: the link coming up makes the
	 * host send IPv6 MLD reports and solicitations on it, which an
	 * ETH_P_ALL socket would see first. */
	ps = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(TEST_ETHERTYPE));
	assert_true(ps >= 0);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(TEST_ETHERTYPE);
	sll.sll_ifindex = (int)if_nametoindex("vif1.0");
	assert_int_equal(bind(ps, (struct sockaddr *)&sll, sizeof(sll)), 0);

	fe = fe_alloc();
	fe_params(fe, &p);
	p.tap_fd = fd;
	assert_int_equal(netback_create(&fe->nb, &p), 0);
	fe_fill(pkt, sizeof(pkt), 5);
	pkt[12] = TEST_ETHERTYPE >> 8;
	pkt[13] = TEST_ETHERTYPE & 0xff;
	fe_tx_slot(fe, 8, 1, 0, pkt, 64, 0, 3, 64);
	fe_tx_push(fe);
	assert_int_equal(netback_tx_run(fe->nb, 8), 1);
	fe_tx_expect(fe, 3, NETIF_RSP_OKAY);
	struct pollfd pfd = { .fd = ps, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(recv(ps, out, sizeof(out), 0), 64);
	assert_memory_equal(out, pkt, 64);
	/* And back: a frame sent on the interface reaches the guest (after
	 * whatever IPv6 autoconfiguration sends meanwhile). */
	for (uint16_t i = 0; i < 16; i++)
		fe_rx_post(fe, 20 + i, 3 + i, i, false);
	fe_rx_push(fe);
	assert_int_equal(send(ps, pkt, 64, 0), 64);
	bool seen = false;
	for (int i = 0; i < 500 && !seen; i++) {
		netback_rx_run(fe->nb, SEC);
		while (!seen && fe->rx.rsp_cons != fe->rx.sring->rsp_prod) {
			netif_rx_response_t r = fe_rx_next(fe);

			seen = r.status == 64 &&
			       !memcmp(fe_page(fe, 3 + r.id), pkt, 64);
		}
		usleep(1000);
	}
	assert_true(seen);
	/* A frontend that breaks the ring takes the carrier down with it;
	 * IFF_RUNNING follows once linkwatch has run (within a second). */
	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	assert_true(ifr.ifr_flags & IFF_RUNNING);
	fe->tx.sring->req_prod = fe->tx.req_prod_pvt + 1000;
	assert_int_equal(netback_tx_run(fe->nb, 8), -EPROTO);
	for (int i = 0; i < 500 && (ifr.ifr_flags & IFF_RUNNING); i++) {
		usleep(10000);
		assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	}
	assert_false(ifr.ifr_flags & IFF_RUNNING);
	close(s);
	close(ps);
	fe_free(fe);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_simple),
		cmocka_unit_test(test_rx_gso_sg),
		cmocka_unit_test(test_rx_unnegotiated),
		cmocka_unit_test(test_rx_readonly),
		cmocka_unit_test(test_rx_no_buffers),
		cmocka_unit_test(test_rx_clock_on_demand),
		cmocka_unit_test(test_rx_ipv6_csum_fixup),
		cmocka_unit_test(test_rx_in_place),
		cmocka_unit_test(test_rx_in_place_csum),
		cmocka_unit_test(test_rx_ring_overflow),
		cmocka_unit_test(test_thread),
		cmocka_unit_test(test_real_tap),
	};

	log_init("netback_rx_test", -1);
	log_set_level(LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
