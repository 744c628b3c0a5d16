/* Unit tests for backends/blkback*: a fake frontend (its ring, grant table
 * and RAM in host memory) drives the backend on a temporary disk file,
 * through the sync API and through the threaded io_uring and fallback
 * engines. Covers shared/reference/xenstore-and-devices.md §5 items 11-14,
 * 17-19 for blkif. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "backends/blkback.h"
#include "backends/gnttab.h"

#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#define PG 4096
#define NPAGES 80
#define HOLE_GFN 79 /* not RAM */
#define DISK_SECTORS 2048
#define OTHER_DOMID 7

struct fe {
	uint8_t *ram;
	grant_entry_v1_t *gt; /* one frame: 512 entries */
	struct gnttab_view view;
	blkif_sring_t *sring;
	blkif_front_ring_t front;
	int disk_fd, kick_fd, notify_fd;
	struct blkback_params p;
	struct blkback *b;
	bool threaded;
	int dead_calls;
};

static void *gfn_page(void *ctx, uint64_t gfn)
{
	struct fe *f = ctx;

	return gfn < NPAGES && gfn != HOLE_GFN ? f->ram + gfn * PG : NULL;
}

static int notify(void *ctx)
{
	struct fe *f = ctx;
	uint64_t one = 1;

	return write(f->notify_fd, &one, sizeof(one)) < 0 ? -errno : 0;
}

static void ring_dead(void *ctx)
{
	((struct fe *)ctx)->dead_calls++;
}

static void ring_init(struct fe *f, unsigned pages)
{
	free(f->sring);
	f->sring = aligned_alloc(PG, (size_t)PG * pages);
	assert_non_null(f->sring);
	memset(f->sring, 0xaa, (size_t)PG * pages); /* stale bytes: XSA-216 */
	SHARED_RING_INIT(f->sring);
	FRONT_RING_INIT(&f->front, f->sring, (size_t)PG * pages);
	f->p.nr_ring_pages = pages;
	f->p.ring = f->sring;
}

static int setup(void **state)
{
	char path[] = "/tmp/blkback_test.XXXXXX";
	struct fe *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ram = aligned_alloc(PG, (size_t)PG * NPAGES);
	f->gt = aligned_alloc(PG, PG);
	assert_non_null(f->ram);
	assert_non_null(f->gt);
	memset(f->ram, 0, (size_t)PG * NPAGES);
	memset(f->gt, 0, PG);
	f->view = (struct gnttab_view){ .frames = (uint8_t *)f->gt,
					.nr_frames = 1,
					.self = 0,
					.gfn_page = gfn_page,
					.ctx = f };
	f->disk_fd = mkstemp(path);
	assert_true(f->disk_fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(f->disk_fd, DISK_SECTORS * 512), 0);
	f->kick_fd = eventfd(0, EFD_CLOEXEC);
	f->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(f->kick_fd >= 0 && f->notify_fd >= 0);
	f->p = (struct blkback_params){ .gnt = &f->view,
					.kick_fd = f->kick_fd,
					.notify_guest = notify,
					.ring_dead = ring_dead,
					.ctx = f,
					.disk_fd = f->disk_fd,
					.sectors = DISK_SECTORS,
					.max_indirect_segments = 32,
					.name = "test" };
	ring_init(f, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fe *f = *state;

	blkback_stop(f->b);
	close(f->disk_fd);
	close(f->kick_fd);
	close(f->notify_fd);
	free(f->sring);
	free(f->gt);
	free(f->ram);
	free(f);
	return 0;
}

static void start_sync(struct fe *f)
{
	assert_int_equal(blkback_create_sync(&f->b, &f->p), 0);
	f->threaded = false;
}

static void start_thread(struct fe *f)
{
	assert_int_equal(blkback_start(&f->b, &f->p), 0);
	f->threaded = true;
}

static void grant(struct fe *f, uint32_t ref, uint32_t gfn, uint16_t flags)
{
	f->gt[ref].frame = gfn;
	f->gt[ref].domid = 0;
	__atomic_store_n(&f->gt[ref].flags, GTF_permit_access | flags,
			 __ATOMIC_RELEASE);
}

static void assert_no_grant_in_use(struct fe *f)
{
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(__atomic_load_n(&f->gt[i].flags,
						 __ATOMIC_ACQUIRE) &
					 (GTF_reading | GTF_writing),
				 0);
}

static void push(struct fe *f, const void *req)
{
	int notify_needed;

	memcpy(RING_GET_REQUEST(&f->front, f->front.req_prod_pvt), req,
	       sizeof(blkif_request_t));
	f->front.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f->front, notify_needed);
	if (notify_needed && f->threaded) {
		uint64_t one = 1;

		assert_int_equal(write(f->kick_fd, &one, 8), 8);
	}
}

/* Wait (threaded) until n responses are unconsumed; 10 s at most. */
static void wait_responses(struct fe *f, unsigned n)
{
	struct pollfd pfd = { .fd = f->notify_fd, .events = POLLIN };
	uint64_t v;

	for (int i = 0; i < 1000; i++) {
		RING_IDX prod = __atomic_load_n(&f->sring->rsp_prod,
						__ATOMIC_ACQUIRE);
		if (prod - f->front.rsp_cons >= n)
			return;
		if (poll(&pfd, 1, 10) > 0)
			assert_int_equal(read(f->notify_fd, &v, 8), 8);
	}
	fail_msg("timed out waiting for %u responses", n);
}

/* The next response, checking that its padding is zero. */
static blkif_response_t pop(struct fe *f)
{
	uint8_t raw[sizeof(blkif_response_t)];
	blkif_response_t rsp;

	if (f->threaded)
		wait_responses(f, 1);
	assert_true(f->sring->rsp_prod != f->front.rsp_cons);
	memcpy(raw, RING_GET_RESPONSE(&f->front, f->front.rsp_cons),
	       sizeof(raw));
	f->front.rsp_cons++;
	assert_int_equal(raw[9], 0);
	for (int i = 12; i < 16; i++)
		assert_int_equal(raw[i], 0);
	memcpy(&rsp, raw, sizeof(rsp));
	return rsp;
}

/* Push one request, serve it, return its status (id and op checked). */
static int16_t run1_op(struct fe *f, const void *req, uint8_t expect_op)
{
	blkif_request_t r;
	blkif_response_t rsp;

	memcpy(&r, req, sizeof(r));
	push(f, &r);
	if (!f->threaded)
		assert_int_equal(blkback_run_sync(f->b), 1);
	rsp = pop(f);
	assert_int_equal(rsp.id, r.id);
	assert_int_equal(rsp.operation, expect_op);
	assert_no_grant_in_use(f);
	return rsp.status;
}

static int16_t run1(struct fe *f, const blkif_request_t *r)
{
	return run1_op(f, r, r->operation);
}

static blkif_request_t rw(uint8_t op, uint64_t id, uint64_t sector,
			  unsigned n, const struct blkif_request_segment *seg)
{
	blkif_request_t r;

	memset(&r, 0, sizeof(r));
	r.operation = op;
	r.nr_segments = (uint8_t)n;
	r.id = id;
	r.sector_number = sector;
	if (seg)
		memcpy(r.seg, seg, sizeof(seg[0]) * (n > 11 ? 11 : n));
	return r;
}

static void fill(struct fe *f, uint32_t gfn, uint8_t seed)
{
	for (int i = 0; i < PG; i++)
		f->ram[gfn * PG + i] = (uint8_t)(seed + i * 7 + i / 512);
}

static uint8_t *page(struct fe *f, uint32_t gfn)
{
	return f->ram + (size_t)gfn * PG;
}

static void disk_read(struct fe *f, uint64_t sector, void *buf, size_t len)
{
	assert_int_equal(pread(f->disk_fd, buf, len, (off_t)sector * 512),
			 (ssize_t)len);
}

static bool disk_zero(struct fe *f, uint64_t sector, unsigned n)
{
	uint8_t buf[512];

	for (unsigned i = 0; i < n; i++) {
		disk_read(f, sector + i, buf, 512);
		for (int j = 0; j < 512; j++)
			if (buf[j])
				return false;
	}
	return true;
}

/* Write three partial segments to sector 8, read them back elsewhere. */
static void roundtrip(struct fe *f)
{
	struct blkif_request_segment w[3] = { { 10, 0, 7 }, { 11, 2, 5 },
					      { 12, 0, 0 } };
	struct blkif_request_segment r[3] = { { 20, 0, 7 }, { 21, 2, 5 },
					      { 22, 0, 0 } };
	uint8_t buf[13 * 512];
	blkif_request_t req;

	for (uint32_t i = 0; i < 3; i++) {
		fill(f, 1 + i, (uint8_t)(i * 31 + 1));
		grant(f, 10 + i, 1 + i, GTF_readonly);
		grant(f, 20 + i, 5 + i, 0);
	}
	req = rw(BLKIF_OP_WRITE, 1, 8, 3, w);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
	disk_read(f, 8, buf, sizeof(buf));
	assert_memory_equal(buf, page(f, 1), PG);
	assert_memory_equal(buf + PG, page(f, 2) + 1024, 2048);
	assert_memory_equal(buf + PG + 2048, page(f, 3), 512);
	req = rw(BLKIF_OP_READ, 2, 8, 3, r);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
	assert_memory_equal(page(f, 5), page(f, 1), PG);
	assert_memory_equal(page(f, 6) + 1024, page(f, 2) + 1024, 2048);
	assert_memory_equal(page(f, 7), page(f, 3), 512);
}

static void test_roundtrip_sync(void **state)
{
	struct fe *f = *state;
	struct blkback_stats st;

	start_sync(f);
	roundtrip(f);
	blkback_get_stats(f->b, &st);
	assert_int_equal(st.requests, 2);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.bytes_written, 13 * 512);
	assert_int_equal(st.bytes_read, 13 * 512);
}

/* A whole ring of writes in flight, then a whole ring of reads. */
static void full_ring(struct fe *f)
{
	unsigned n = RING_SIZE(&f->front);
	struct blkif_request_segment seg;
	blkif_request_t req;

	assert_true(n <= 32);
	for (unsigned i = 0; i < n; i++) {
		fill(f, i, (uint8_t)(i * 13 + 5));
		grant(f, 100 + i, i, GTF_readonly);
		seg = (struct blkif_request_segment){ 100 + i, 0, 7 };
		req = rw(BLKIF_OP_WRITE, 1000 + i, 64 + 8 * i, 1, &seg);
		push(f, &req);
	}
	wait_responses(f, n);
	for (unsigned i = 0; i < n; i++) {
		blkif_response_t rsp = pop(f);

		assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
		assert_int_equal(rsp.operation, BLKIF_OP_WRITE);
		assert_true(rsp.id >= 1000 && rsp.id < 1000 + n);
		assert_int_equal(f->gt[100 + rsp.id - 1000].flags &
					 (GTF_reading | GTF_writing),
				 0);
	}
	for (unsigned i = 0; i < n; i++) {
		grant(f, 200 + i, 32 + i, 0);
		seg = (struct blkif_request_segment){ 200 + i, 0, 7 };
		req = rw(BLKIF_OP_READ, 2000 + i, 64 + 8 * i, 1, &seg);
		push(f, &req);
	}
	wait_responses(f, n);
	for (unsigned i = 0; i < n; i++) {
		blkif_response_t rsp = pop(f);

		assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
		assert_int_equal(rsp.operation, BLKIF_OP_READ);
	}
	for (unsigned i = 0; i < n; i++)
		assert_memory_equal(page(f, 32 + i), page(f, i), PG);
	assert_no_grant_in_use(f);
}

static void test_threaded_uring(void **state)
{
	struct fe *f = *state;
	struct blkback_stats st;

	start_thread(f);
	roundtrip(f);
	full_ring(f);
	blkback_get_stats(f->b, &st);
	assert_int_equal(st.requests, 2 + 2 * RING_SIZE(&f->front));
	assert_int_equal(st.errors, 0);
	blkback_stop(f->b);
	f->b = NULL;
}

static void test_threaded_fallback(void **state)
{
	struct fe *f = *state;

	f->p.sync_engine = true;
	start_thread(f);
	roundtrip(f);
	full_ring(f);
}

static void test_readonly_grant_for_read(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = { 30, 0, 7 };
	blkif_request_t req = rw(BLKIF_OP_READ, 5, 0, 1, &seg);
	uint8_t before[PG];

	start_sync(f);
	fill(f, 9, 0x5a);
	memcpy(before, page(f, 9), PG);
	grant(f, 30, 9, GTF_readonly);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	assert_memory_equal(page(f, 9), before, PG);
}

static void test_bad_grants(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg;
	blkif_request_t req;

	start_sync(f);
	fill(f, 2, 0x11);
	grant(f, 40, 2, 0);
	f->gt[40].domid = OTHER_DOMID; /* wrong domain */
	f->gt[41] = (grant_entry_v1_t){ .flags = 0, .frame = 2 };
	grant(f, 42, 2, GTF_sub_page);
	grant(f, 43, HOLE_GFN, 0);
	grant(f, 44, 1000, 0); /* frame past RAM */
	grant(f, 45, 2, GTF_transfer_committed);
	f->gt[45].flags = GTF_accept_transfer;
	uint32_t bad[] = { 600, 40, 41, 42, 43, 44, 45, 0xffffffff };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seg = (struct blkif_request_segment){ bad[i], 0, 7 };
		req = rw(BLKIF_OP_WRITE, i, 16, 1, &seg);
		assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
		/* a bad grant among good ones: the good ones are released */
		grant(f, 46, 3, 0);
		struct blkif_request_segment two[2] = { { 46, 0, 7 },
							{ bad[i], 0, 7 } };
		req = rw(BLKIF_OP_READ, i, 16, 2, two);
		assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	}
	assert_true(disk_zero(f, 16, 16));
}

static void test_bad_segments(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg[12];
	blkif_request_t req;

	start_sync(f);
	for (unsigned i = 0; i < 12; i++) {
		grant(f, 50 + i, 10 + i, 0);
		seg[i] = (struct blkif_request_segment){ 50 + i, 0, 7 };
	}
	req = rw(BLKIF_OP_READ, 1, 0, 0, seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_WRITE, 1, 0, 0, seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_READ, 2, 0, 12, seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_READ, 3, 0, 255, seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	seg[1] = (struct blkif_request_segment){ 51, 5, 4 };
	req = rw(BLKIF_OP_READ, 4, 0, 2, seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	seg[1] = (struct blkif_request_segment){ 51, 0, 8 };
	req = rw(BLKIF_OP_READ, 5, 0, 2, seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	seg[1] = (struct blkif_request_segment){ 51, 0, 7 };
	req = rw(BLKIF_OP_READ, 6, 0, 11, seg); /* the ring is alive */
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
}

static void test_range(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = { 60, 0, 1 };
	blkif_request_t req;

	start_sync(f);
	grant(f, 60, 4, 0);
	req = rw(BLKIF_OP_READ, 1, DISK_SECTORS - 1, 1, &seg); /* 2 sectors */
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_READ, 2, UINT64_MAX - 1, 1, &seg); /* wraps */
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_READ, 3, UINT64_MAX / 512 + 1, 1, &seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_READ, 4, DISK_SECTORS - 2, 1, &seg); /* last two */
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
}

static blkif_request_t discard(uint64_t id, uint64_t sector, uint64_t n,
			       uint8_t flag)
{
	blkif_request_discard_t d = { .operation = BLKIF_OP_DISCARD,
				      .flag = flag,
				      .id = id,
				      .sector_number = sector,
				      .nr_sectors = n };
	blkif_request_t r;

	memset(&r, 0, sizeof(r));
	memcpy(&r, &d, sizeof(d));
	return r;
}

static void test_readonly_disk(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = { 61, 0, 7 };
	blkif_request_t req;

	f->p.readonly = true;
	f->p.discard = true;
	start_sync(f);
	fill(f, 4, 0x77);
	grant(f, 61, 4, 0);
	req = rw(BLKIF_OP_WRITE, 1, 0, 1, &seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_FLUSH_DISKCACHE, 2, 0, 1, &seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_WRITE_BARRIER, 3, 0, 1, &seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = discard(4, 0, 8, 0);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	assert_true(disk_zero(f, 0, 8));
	req = rw(BLKIF_OP_FLUSH_DISKCACHE, 5, 0, 0, &seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
	req = rw(BLKIF_OP_READ, 6, 0, 1, &seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
}

static void test_discard(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = { 62, 0, 7 };
	blkif_request_t req;

	start_sync(f);
	req = discard(1, 0, 8, 0);
	assert_int_equal(run1(f, &req), BLKIF_RSP_EOPNOTSUPP);
	blkback_stop(f->b);
	f->p.discard = true;
	start_sync(f);
	fill(f, 4, 0x33);
	grant(f, 62, 4, GTF_readonly);
	req = rw(BLKIF_OP_WRITE, 2, 256, 1, &seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
	assert_false(disk_zero(f, 256, 8));
	req = discard(3, 256, 8, 0);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
	assert_true(disk_zero(f, 256, 8));
	req = discard(4, DISK_SECTORS - 4, 8, 0);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = discard(5, 8, UINT64_MAX - 4, 0);
	assert_int_equal(run1(f, &req), BLKIF_RSP_ERROR);
	req = discard(6, 0, 8, BLKIF_DISCARD_SECURE);
	assert_int_equal(run1(f, &req), BLKIF_RSP_EOPNOTSUPP);
	req = discard(7, 0, 0, 0);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
}

static void test_unknown_op(void **state)
{
	struct fe *f = *state;
	blkif_request_t req;

	start_sync(f);
	req = rw(4, 77, 0, 1, NULL); /* BLKIF_OP_RESERVED_1 */
	assert_int_equal(run1(f, &req), BLKIF_RSP_EOPNOTSUPP);
	req = rw(200, 78, 0, 0, NULL);
	assert_int_equal(run1(f, &req), BLKIF_RSP_EOPNOTSUPP);
}

static void test_flush(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = { 63, 0, 7 };
	blkif_request_t req;
	uint8_t buf[PG];

	start_sync(f);
	req = rw(BLKIF_OP_FLUSH_DISKCACHE, 1, 0, 0, NULL);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
	req = rw(BLKIF_OP_WRITE_BARRIER, 2, 0, 0, NULL);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
	fill(f, 4, 0x44);
	grant(f, 63, 4, GTF_readonly);
	req = rw(BLKIF_OP_FLUSH_DISKCACHE, 3, 32, 1, &seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
	disk_read(f, 32, buf, PG);
	assert_memory_equal(buf, page(f, 4), PG);
	fill(f, 4, 0x45);
	req = rw(BLKIF_OP_WRITE_BARRIER, 4, 40, 1, &seg);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
	disk_read(f, 40, buf, PG);
	assert_memory_equal(buf, page(f, 4), PG);
}

static blkif_request_t indirect(uint8_t op, uint64_t id, uint64_t sector,
				uint16_t n, uint32_t gref)
{
	blkif_request_indirect_t ind = { .operation = BLKIF_OP_INDIRECT,
					 .indirect_op = op,
					 .nr_segments = n,
					 .id = id,
					 .sector_number = sector };
	blkif_request_t r;

	ind.indirect_grefs[0] = gref;
	memset(&r, 0, sizeof(r));
	memcpy(&r, &ind, sizeof(ind));
	return r;
}

/* An indirect page at gfn listing n whole-page segments gref0.. */
static void indirect_page(struct fe *f, uint32_t gfn, uint32_t gref0,
			  unsigned n)
{
	struct blkif_request_segment *s = (void *)page(f, gfn);

	for (unsigned i = 0; i < n; i++)
		s[i] = (struct blkif_request_segment){ gref0 + i, 0, 7 };
}

static void test_indirect(void **state)
{
	struct fe *f = *state;
	blkif_request_t req;

	start_sync(f);
	for (uint32_t i = 0; i < 20; i++) {
		fill(f, i, (uint8_t)(i * 3 + 9));
		grant(f, 300 + i, i, GTF_readonly);
		grant(f, 400 + i, 30 + i, 0);
	}
	indirect_page(f, 60, 300, 20);
	grant(f, 299, 60, GTF_readonly);
	indirect_page(f, 61, 400, 20);
	grant(f, 399, 61, GTF_readonly);
	req = indirect(BLKIF_OP_WRITE, 1, 512, 20, 299);
	assert_int_equal(run1_op(f, &req, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
	req = indirect(BLKIF_OP_READ, 2, 512, 20, 399);
	assert_int_equal(run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	for (uint32_t i = 0; i < 20; i++)
		assert_memory_equal(page(f, 30 + i), page(f, i), PG);
	req = indirect(BLKIF_OP_READ, 3, 512, 33, 399); /* above the max */
	assert_int_equal(run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	req = indirect(BLKIF_OP_READ, 4, 512, 0, 399);
	assert_int_equal(run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	req = indirect(BLKIF_OP_FLUSH_DISKCACHE, 5, 512, 1, 399);
	assert_int_equal(run1_op(f, &req, BLKIF_OP_FLUSH_DISKCACHE),
			 BLKIF_RSP_ERROR);
	f->gt[399].domid = OTHER_DOMID;
	req = indirect(BLKIF_OP_READ, 6, 512, 20, 399);
	assert_int_equal(run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	grant(f, 399, HOLE_GFN, GTF_readonly);
	assert_int_equal(run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	/* a descriptor in the indirect page with last_sect 8 */
	grant(f, 399, 61, GTF_readonly);
	((struct blkif_request_segment *)page(f, 61))[7].last_sect = 8;
	assert_int_equal(run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	blkback_stop(f->b);
	f->p.max_indirect_segments = 0; /* not advertised */
	start_sync(f);
	req = indirect(BLKIF_OP_WRITE, 7, 512, 1, 299);
	assert_int_equal(run1_op(f, &req, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
}

static void test_prod_overflow_sync(void **state)
{
	struct fe *f = *state;
	struct blkback_stats st;

	start_sync(f);
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
	blkif_request_t req = rw(200, 1, 0, 0, NULL);

	start_sync(f);
	assert_int_equal(run1(f, &req), BLKIF_RSP_EOPNOTSUPP);
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

	start_thread(f);
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

static void kick_storm(void **state, bool sync_engine)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = { 70, 0, 7 };
	blkif_request_t req = rw(BLKIF_OP_READ, 9, 0, 1, &seg);
	struct blkback_stats st;
	uint64_t one = 1;

	f->p.sync_engine = sync_engine;
	start_thread(f);
	for (int i = 0; i < 300; i++) {
		assert_int_equal(write(f->kick_fd, &one, 8), 8);
		usleep(200);
	}
	blkback_get_stats(f->b, &st);
	assert_true(st.throttled > 0);
	assert_true(st.kicks <= 300);
	grant(f, 70, 5, 0);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY); /* still served */
	assert_int_equal(f->sring->rsp_prod, 1);
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

	start_thread(f);
	for (unsigned i = 0; i < n; i++) {
		grant(f, 100 + i, i, 0);
		for (unsigned j = 0; j < 11; j++)
			seg[j] = (struct blkif_request_segment){ 100 + i, 0, 7 };
		req = rw(BLKIF_OP_READ, i, 8 * i, 11, seg);
		push(f, &req);
	}
	usleep(1000);
	blkback_stop(f->b);
	f->b = NULL;
	/* A consumed request not answered would hold its grant. */
	assert_no_grant_in_use(f);
	assert_true(f->sring->rsp_prod - f->front.rsp_cons <= n);
	while (f->front.rsp_cons != f->sring->rsp_prod)
		assert_int_equal(pop(f).status, BLKIF_RSP_OKAY);
}

static void test_short_file(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = { 71, 0, 7 };
	blkif_request_t req = rw(BLKIF_OP_READ, 1, 0, 1, &seg);

	assert_int_equal(ftruncate(f->disk_fd, 3 * 512 + 100), 0);
	assert_int_equal(pwrite(f->disk_fd, "abc", 3, 3 * 512), 3);
	start_sync(f);
	memset(page(f, 6), 0xff, PG);
	grant(f, 71, 6, 0);
	assert_int_equal(run1(f, &req), BLKIF_RSP_OKAY);
	assert_memory_equal(page(f, 6) + 3 * 512, "abc", 3);
	for (int i = 3 * 512 + 3; i < PG; i++)
		assert_int_equal(page(f, 6)[i], 0);
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
	struct blkif_request_segment seg = { 80, 0, 7 };
	blkif_request_t req;

	ring_init(f, 4);
	assert_int_equal(RING_SIZE(&f->front), 128);
	start_sync(f);
	grant(f, 80, 3, 0);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 100; i++) {
			req = rw(BLKIF_OP_READ, i, i, 1, &seg);
			push(f, &req);
		}
		assert_int_equal(blkback_run_sync(f->b), 100);
		for (unsigned i = 0; i < 100; i++) {
			blkif_response_t rsp = pop(f);

			assert_int_equal(rsp.id, i);
			assert_int_equal(rsp.status, BLKIF_RSP_OKAY);
		}
	}
	assert_no_grant_in_use(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_roundtrip_sync),
		T(test_threaded_uring),
		T(test_threaded_fallback),
		T(test_readonly_grant_for_read),
		T(test_bad_grants),
		T(test_bad_segments),
		T(test_range),
		T(test_readonly_disk),
		T(test_discard),
		T(test_unknown_op),
		T(test_flush),
		T(test_indirect),
		T(test_prod_overflow_sync),
		T(test_prod_behind),
		T(test_prod_overflow_thread),
		T(test_kick_storm_uring),
		T(test_kick_storm_sync),
		T(test_stop_in_flight),
		T(test_short_file),
		T(test_params),
		T(test_multipage_ring),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
