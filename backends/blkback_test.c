/* Unit tests for backends/blkback*: the data path, the ring and the
 * thread. A fake frontend (blkback_test_fe.h) drives the backend on a
 * temporary disk file through the sync API and through the threaded
 * io_uring and fallback engines. Covers the ring items of
 * shared/reference/xenstore-and-devices.md §5 (11-14). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <poll.h>

#include "backends/blkback_test_fe.h"

/* Write three partial segments to sector 8, read them back elsewhere. */
static void roundtrip(struct fe *f)
{
	struct blkif_request_segment w[3] = {
	    {10, 0, 7}, {11, 2, 5}, {12, 0, 0}};
	struct blkif_request_segment r[3] = {
	    {20, 0, 7}, {21, 2, 5}, {22, 0, 0}};
	uint8_t buf[13 * 512];
	blkif_request_t req;

	for (uint32_t i = 0; i < 3; i++) {
		fe_fill(f, 1 + i, (uint8_t)(i * 31 + 1));
		fe_grant(f, 10 + i, 1 + i, GTF_readonly);
		fe_grant(f, 20 + i, 5 + i, 0);
	}
	req = fe_rw(BLKIF_OP_WRITE, 1, 8, 3, w);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	fe_disk_read(f, 8, buf, sizeof(buf));
	assert_memory_equal(buf, fe_page(f, 1), PG);
	assert_memory_equal(buf + PG, fe_page(f, 2) + 1024, 2048);
	assert_memory_equal(buf + PG + 2048, fe_page(f, 3), 512);
	req = fe_rw(BLKIF_OP_READ, 2, 8, 3, r);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	assert_memory_equal(fe_page(f, 5), fe_page(f, 1), PG);
	assert_memory_equal(fe_page(f, 6) + 1024, fe_page(f, 2) + 1024, 2048);
	assert_memory_equal(fe_page(f, 7), fe_page(f, 3), 512);
}

/* A whole ring of writes in flight, then a whole ring of reads. */
static void full_ring(struct fe *f)
{
	unsigned n = RING_SIZE(&f->front);
	struct blkif_request_segment seg;
	blkif_request_t req;

	assert_true(n <= 32);
	for (unsigned i = 0; i < n; i++) {
		fe_fill(f, i, (uint8_t)(i * 13 + 5));
		fe_grant(f, 100 + i, i, GTF_readonly);
		seg = (struct blkif_request_segment){100 + i, 0, 7};
		req = fe_rw(BLKIF_OP_WRITE, 1000 + i, 64 + 8 * i, 1, &seg);
		fe_push(f, &req);
	}
	fe_wait_responses(f, n);
	for (unsigned i = 0; i < n; i++) {
		blkif_response_t rsp = fe_pop(f);

		assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
		assert_int_equal(rsp.operation, BLKIF_OP_WRITE);
		assert_true(rsp.id >= 1000 && rsp.id < 1000 + n);
		assert_int_equal(f->gt[100 + rsp.id - 1000].flags &
				     (GTF_reading | GTF_writing),
				 0);
	}
	for (unsigned i = 0; i < n; i++) {
		fe_grant(f, 200 + i, 32 + i, 0);
		seg = (struct blkif_request_segment){200 + i, 0, 7};
		req = fe_rw(BLKIF_OP_READ, 2000 + i, 64 + 8 * i, 1, &seg);
		fe_push(f, &req);
	}
	fe_wait_responses(f, n);
	for (unsigned i = 0; i < n; i++) {
		blkif_response_t rsp = fe_pop(f);

		assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
		assert_int_equal(rsp.operation, BLKIF_OP_READ);
	}
	for (unsigned i = 0; i < n; i++)
		assert_memory_equal(fe_page(f, 32 + i), fe_page(f, i), PG);
	fe_assert_no_grant_in_use(f);
}

/* The frontend's side of notifications, as blkfront does it: take
 * responses until RING_FINAL_CHECK_FOR_RESPONSES (which sets rsp_event)
 * finds none, then sleep on the event channel only. A notification that
 * moderation held back and never sent fails here, where fe_wait_responses
 * (which also polls rsp_prod) would not notice. */
static unsigned take_notified(struct fe *f, unsigned n)
{
	struct pollfd pfd = {.fd = f->notify_fd, .events = POLLIN};
	unsigned got = 0, notifications = 0;
	uint64_t v;
	int more;

	while (got < n) {
		RING_FINAL_CHECK_FOR_RESPONSES(&f->front, more);
		if (more) {
			assert_int_equal(fe_pop(f).status, BLKIF_RSP_OKAY);
			got++;
			continue;
		}
		if (poll(&pfd, 1, 5000) != 1)
			fail_msg("%u of %u responses came without a "
				 "notification", n - got, n);
		assert_int_equal(read(f->notify_fd, &v, 8), 8);
		notifications++;
	}
	return notifications;
}

static void notifications(void **state, bool sync_engine)
{
	static const unsigned batches[] = {1, 3, 8, 32, 1, 17, 32, 2};
	struct fe *f = *state;
	unsigned n = RING_SIZE(&f->front), total = 0, notes = 0;
	struct blkif_request_segment seg;
	blkif_request_t req;

	f->p.sync_engine = sync_engine;
	fe_start_thread(f);
	for (unsigned i = 0; i < n; i++)
		fe_grant(f, 100 + i, i, 0);
	for (unsigned b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
		for (unsigned i = 0; i < batches[b]; i++) {
			seg = (struct blkif_request_segment){100 + i, 0, 7};
			req = fe_rw(BLKIF_OP_READ, i, 8 * i, 1, &seg);
			fe_push(f, &req);
		}
		notes += take_notified(f, batches[b]);
		total += batches[b];
	}
	assert_true(notes >= 1 && notes <= total);
	fe_assert_no_grant_in_use(f);
}

static void test_notifications_uring(void **state)
{
	notifications(state, false);
}

static void test_notifications_sync(void **state)
{
	notifications(state, true);
}

static void kick_storm(void **state, bool sync_engine)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = {70, 0, 7};
	blkif_request_t req = fe_rw(BLKIF_OP_READ, 9, 0, 1, &seg);
	struct blkback_stats st;
	uint64_t one = 1;

	f->p.sync_engine = sync_engine;
	fe_start_thread(f);
	for (int i = 0; i < 300; i++) {
		assert_int_equal(write(f->kick_fd, &one, 8), 8);
		usleep(200);
	}
	blkback_get_stats(f->b, &st);
	assert_true(st.throttled > 0);
	assert_true(st.kicks <= 300);
	fe_grant(f, 70, 5, 0);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY); /* still served */
	assert_int_equal(f->sring->rsp_prod, 1);
}

/* 200 requests one at a time, each pushed as soon as the previous answer
 * is in (fe_push kicks only if req_event asks for it). */
static void one_at_a_time(struct fe *f, int poll_max_ns,
			  struct blkback_stats *st)
{
	struct blkif_request_segment seg = {70, 0, 7};
	blkif_request_t req;

	f->p.poll_max_ns = poll_max_ns;
	fe_start_thread(f);
	fe_grant(f, 70, 5, 0);
	for (unsigned i = 0; i < 200; i++) {
		req = fe_rw(BLKIF_OP_READ, i, 8 * i, 1, &seg);
		assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	}
	blkback_get_stats(f->b, st);
	assert_int_equal(st->requests, 200);
}

/* The poll window grows until the next request comes inside it; then the
 * frontend rarely needs to kick. The window's cap is large here so that a
 * slow (sanitized, loaded) test host still gets there. */
static void test_poll(void **state)
{
	struct blkback_stats st;

	one_at_a_time(*state, 50 * 1000 * 1000, &st);
	assert_true(st.polled > 100);
	assert_true(st.kicks < 100);
}

static void test_no_poll(void **state)
{
	struct blkback_stats st;

	one_at_a_time(*state, -1, &st);
	assert_int_equal(st.polled, 0);
	assert_true(st.kicks > 150);
}

static void test_roundtrip_sync(void **state)
{
	struct fe *f = *state;
	struct blkback_stats st;

	fe_start_sync(f);
	roundtrip(f);
	blkback_get_stats(f->b, &st);
	assert_int_equal(st.requests, 2);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.bytes_written, 13 * 512);
	assert_int_equal(st.bytes_read, 13 * 512);
}

/* Buffered writes to a regular file are done by the ring thread unless
 * uring_writes; the data must come out the same either way. */
static void threaded_uring(struct fe *f, bool uring_writes)
{
	struct blkback_stats st;

	f->p.uring_writes = uring_writes;
	fe_start_thread(f);
	roundtrip(f);
	full_ring(f);
	blkback_get_stats(f->b, &st);
	assert_int_equal(st.requests, 2 + 2 * RING_SIZE(&f->front));
	assert_int_equal(st.errors, 0);
	assert_true(st.bytes_written > 0);
	if (uring_writes)
		assert_int_equal(st.inline_writes, 0);
	else
		assert_true(st.inline_writes > 0);
	blkback_stop(f->b);
	f->b = NULL;
}

static void test_threaded_uring(void **state)
{
	threaded_uring(*state, false);
}

static void test_threaded_uring_writes(void **state)
{
	threaded_uring(*state, true);
}

static void test_threaded_fallback(void **state)
{
	struct fe *f = *state;

	f->p.sync_engine = true;
	fe_start_thread(f);
	roundtrip(f);
	full_ring(f);
}

static void test_flush(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = {63, 0, 7};
	blkif_request_t req;
	uint8_t buf[PG];

	fe_start_sync(f);
	req = fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 1, 0, 0, NULL);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	req = fe_rw(BLKIF_OP_WRITE_BARRIER, 2, 0, 0, NULL);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	fe_fill(f, 4, 0x44);
	fe_grant(f, 63, 4, GTF_readonly);
	req = fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 3, 32, 1, &seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	fe_disk_read(f, 32, buf, PG);
	assert_memory_equal(buf, fe_page(f, 4), PG);
	fe_fill(f, 4, 0x45);
	req = fe_rw(BLKIF_OP_WRITE_BARRIER, 4, 40, 1, &seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	fe_disk_read(f, 40, buf, PG);
	assert_memory_equal(buf, fe_page(f, 4), PG);
}

static void test_prod_overflow_sync(void **state)
{
	struct fe *f = *state;
	struct blkback_stats st;

	fe_start_sync(f);
	f->sring->req_prod = RING_SIZE(&f->front) + 1;
	assert_int_equal(blkback_run_sync(f->b), -EIO);
	assert_int_equal(blkback_run_sync(f->b), -EIO);
	assert_int_equal(f->sring->rsp_prod, 0);
	blkback_get_stats(f->b, &st);
	assert_true(st.dead);
	assert_int_equal(st.requests, 0);
	assert_int_equal(f->dead_calls, 1);
}

static void test_prod_behind(void **state)
{
	struct fe *f = *state;
	blkif_request_t req = fe_rw(200, 1, 0, 0, NULL);

	fe_start_sync(f);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_EOPNOTSUPP);
	f->sring->req_prod = 0; /* behind req_cons */
	assert_int_equal(blkback_run_sync(f->b), -EIO);
	assert_int_equal(f->dead_calls, 1);
}

static void test_prod_overflow_thread(void **state)
{
	struct fe *f = *state;
	struct blkback_stats st;
	uint64_t one = 1;
	int i;

	fe_start_thread(f);
	f->sring->req_prod = 1000;
	assert_int_equal(write(f->kick_fd, &one, 8), 8);
	for (i = 0; i < 500; i++) {
		blkback_get_stats(f->b, &st);
		if (st.dead)
			break;
		usleep(10000);
	}
	assert_true(st.dead);
	/* The dead ring's kicks are never read: a storm costs nothing. */
	for (i = 0; i < 1000; i++)
		assert_int_equal(write(f->kick_fd, &one, 8), 8);
	usleep(50000);
	blkback_get_stats(f->b, &st);
	assert_true(st.kicks <= 1);
	assert_int_equal(st.requests, 0);
	assert_int_equal(f->sring->rsp_prod, 0);
	assert_int_equal(f->dead_calls, 1);
}

static void test_kick_storm_uring(void **state)
{
	kick_storm(state, false);
}

static void test_kick_storm_sync(void **state)
{
	kick_storm(state, true);
}

/* Stop with requests on the ring: everything consumed is answered. */
static void test_stop_in_flight(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg[11];
	blkif_request_t req;
	unsigned n = RING_SIZE(&f->front);

	fe_start_thread(f);
	for (unsigned i = 0; i < n; i++) {
		fe_grant(f, 100 + i, i, 0);
		for (unsigned j = 0; j < 11; j++)
			seg[j] = (struct blkif_request_segment){100 + i, 0, 7};
		req = fe_rw(BLKIF_OP_READ, i, 8 * i, 11, seg);
		fe_push(f, &req);
	}
	usleep(1000);
	blkback_stop(f->b);
	f->b = NULL;
	/* A consumed request not answered would hold its grant. */
	fe_assert_no_grant_in_use(f);
	assert_true(f->sring->rsp_prod - f->front.rsp_cons <= n);
	while (f->front.rsp_cons != f->sring->rsp_prod)
		assert_int_equal(fe_pop(f).status, BLKIF_RSP_OKAY);
}

/* Flushes and discard through io_uring (FSYNC, FALLOCATE). */
static void test_threaded_flush_discard(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = {72, 0, 7};
	blkif_request_t req;
	uint8_t buf[PG];

	f->p.discard = true;
	fe_start_thread(f);
	fe_fill(f, 6, 0x66);
	fe_grant(f, 72, 6, GTF_readonly);
	req = fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 1, 0, 0, NULL);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	req = fe_rw(BLKIF_OP_WRITE_BARRIER, 2, 128, 1, &seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	fe_disk_read(f, 128, buf, PG);
	assert_memory_equal(buf, fe_page(f, 6), PG);
	req = fe_discard(3, 128, 8, 0);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	assert_true(fe_disk_zero(f, 128, 8));
}

static void test_short_file(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = {71, 0, 7};
	blkif_request_t req = fe_rw(BLKIF_OP_READ, 1, 0, 1, &seg);

	assert_int_equal(ftruncate(f->disk_fd, 3 * 512 + 100), 0);
	assert_int_equal(pwrite(f->disk_fd, "abc", 3, 3 * 512), 3);
	fe_start_sync(f);
	memset(fe_page(f, 6), 0xff, PG);
	fe_grant(f, 71, 6, 0);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	assert_memory_equal(fe_page(f, 6) + 3 * 512, "abc", 3);
	for (int i = 3 * 512 + 3; i < PG; i++)
		assert_int_equal(fe_page(f, 6)[i], 0);
}

static void test_params(void **state)
{
	struct fe *f = *state;
	struct blkback *b;
	struct blkback_params p = f->p;

	p.nr_ring_pages = 3;
	assert_int_equal(blkback_start(&b, &p), -EINVAL);
	p = f->p;
	p.max_indirect_segments = BLKBACK_MAX_SEGMENTS + 1;
	assert_int_equal(blkback_start(&b, &p), -EINVAL);
	p = f->p;
	p.kick_fd = -1;
	assert_int_equal(blkback_start(&b, &p), -EINVAL);
	p = f->p;
	p.sectors = UINT64_MAX;
	assert_int_equal(blkback_create_sync(&b, &p), -EINVAL);
	p = f->p;
	f->sring->req_prod = 33;
	assert_int_equal(blkback_create_sync(&b, &p), -EIO);
	blkback_stop(NULL);
}

/* A 4-page ring (128 slots) through the sync API, requests wrapping. */
static void test_multipage_ring(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = {80, 0, 7};
	blkif_request_t req;

	fe_ring_init(f, 4);
	assert_int_equal(RING_SIZE(&f->front), 128);
	fe_start_sync(f);
	fe_grant(f, 80, 3, 0);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 100; i++) {
			req = fe_rw(BLKIF_OP_READ, i, i, 1, &seg);
			fe_push(f, &req);
		}
		assert_int_equal(blkback_run_sync(f->b), 100);
		for (unsigned i = 0; i < 100; i++) {
			blkif_response_t rsp = fe_pop(f);

			assert_int_equal(rsp.id, i);
			assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
		}
	}
	fe_assert_no_grant_in_use(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fe_setup, fe_teardown)
	    T(test_roundtrip_sync),
	    T(test_threaded_uring),
	    T(test_threaded_uring_writes),
	    T(test_threaded_fallback),
	    T(test_flush),
	    T(test_prod_overflow_sync),
	    T(test_prod_behind),
	    T(test_prod_overflow_thread),
	    T(test_kick_storm_uring),
	    T(test_kick_storm_sync),
	    T(test_stop_in_flight),
	    T(test_threaded_flush_discard),
	    T(test_short_file),
	    T(test_params),
	    T(test_multipage_ring),
	    T(test_notifications_uring),
	    T(test_notifications_sync),
	    T(test_poll),
	    T(test_no_poll),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
