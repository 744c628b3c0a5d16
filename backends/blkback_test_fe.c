/* The fake frontend of blkback's unit tests: see blkback_test_fe.h. */
#include "backends/blkback_test_fe.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

static void *gfn_page(void *ctx, uint64_t gfn)
{
	struct fe *f = ctx;

	if (f->tamper)
		memset(RING_GET_REQUEST(&f->front, f->front.req_prod_pvt - 1),
		       0xff, sizeof(blkif_request_t));
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

void fe_ring_init(struct fe *f, unsigned pages)
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

int fe_setup(void **state)
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
	f->view = (struct gnttab_view){.frames = (uint8_t *)f->gt,
				       .nr_frames = 1,
				       .self = 0,
				       .gfn_page = gfn_page,
				       .ctx = f};
	f->disk_fd = mkstemp(path);
	assert_true(f->disk_fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(f->disk_fd, DISK_SECTORS * 512), 0);
	f->kick_fd = eventfd(0, EFD_CLOEXEC);
	f->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(f->kick_fd >= 0 && f->notify_fd >= 0);
	f->p = (struct blkback_params){.gnt = &f->view,
				       .kick_fd = f->kick_fd,
				       .notify_guest = notify,
				       .ring_dead = ring_dead,
				       .ctx = f,
				       .disk_fd = f->disk_fd,
				       .sectors = DISK_SECTORS,
				       .max_indirect_segments = 32,
				       .name = "test"};
	fe_ring_init(f, 1);
	*state = f;
	return 0;
}

int fe_teardown(void **state)
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

void fe_start_sync(struct fe *f)
{
	assert_int_equal(blkback_create_sync(&f->b, &f->p), 0);
	f->threaded = false;
}

void fe_start_thread(struct fe *f)
{
	assert_int_equal(blkback_start(&f->b, &f->p), 0);
	f->threaded = true;
}

void fe_grant(struct fe *f, uint32_t ref, uint32_t gfn, uint16_t flags)
{
	f->gt[ref].frame = gfn;
	f->gt[ref].domid = 0;
	__atomic_store_n(&f->gt[ref].flags, GTF_permit_access | flags,
			 __ATOMIC_RELEASE);
}

void fe_assert_no_grant_in_use(struct fe *f)
{
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(
		    __atomic_load_n(&f->gt[i].flags, __ATOMIC_ACQUIRE) &
			(GTF_reading | GTF_writing),
		    0);
}

void fe_push(struct fe *f, const void *req)
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
void fe_wait_responses(struct fe *f, unsigned n)
{
	struct pollfd pfd = {.fd = f->notify_fd, .events = POLLIN};
	uint64_t v;

	for (int i = 0; i < 1000; i++) {
		RING_IDX prod =
		    __atomic_load_n(&f->sring->rsp_prod, __ATOMIC_ACQUIRE);
		if (prod - f->front.rsp_cons >= n)
			return;
		if (poll(&pfd, 1, 10) > 0)
			assert_int_equal(read(f->notify_fd, &v, 8), 8);
	}
	fail_msg("timed out waiting for %u responses", n);
}

/* The next response, checking that its padding is zero. */
blkif_response_t fe_pop(struct fe *f)
{
	uint8_t raw[sizeof(blkif_response_t)];
	blkif_response_t rsp;

	if (f->threaded)
		fe_wait_responses(f, 1);
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
int16_t fe_run1_op(struct fe *f, const void *req, uint8_t expect_op)
{
	blkif_request_t r;
	blkif_response_t rsp;

	memcpy(&r, req, sizeof(r));
	fe_push(f, &r);
	if (!f->threaded)
		assert_int_equal(blkback_run_sync(f->b), 1);
	rsp = fe_pop(f);
	assert_int_equal(rsp.id, r.id);
	assert_int_equal(rsp.operation, expect_op);
	fe_assert_no_grant_in_use(f);
	return rsp.status;
}

int16_t fe_run1(struct fe *f, const blkif_request_t *r)
{
	return fe_run1_op(f, r, r->operation);
}

blkif_request_t fe_rw(uint8_t op, uint64_t id, uint64_t sector, unsigned n,
		      const struct blkif_request_segment *seg)
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

void fe_fill(struct fe *f, uint32_t gfn, uint8_t seed)
{
	for (int i = 0; i < PG; i++)
		f->ram[gfn * PG + i] = (uint8_t)(seed + i * 7 + i / 512);
}

uint8_t *fe_page(struct fe *f, uint32_t gfn)
{
	return f->ram + (size_t)gfn * PG;
}

void fe_disk_read(struct fe *f, uint64_t sector, void *buf, size_t len)
{
	assert_int_equal(pread(f->disk_fd, buf, len, (off_t)sector * 512),
			 (ssize_t)len);
}

bool fe_disk_zero(struct fe *f, uint64_t sector, unsigned n)
{
	uint8_t buf[512];

	for (unsigned i = 0; i < n; i++) {
		fe_disk_read(f, sector + i, buf, 512);
		for (int j = 0; j < 512; j++)
			if (buf[j])
				return false;
	}
	return true;
}

blkif_request_t fe_discard(uint64_t id, uint64_t sector, uint64_t n,
			   uint8_t flag)
{
	blkif_request_discard_t d = {.operation = BLKIF_OP_DISCARD,
				     .flag = flag,
				     .id = id,
				     .sector_number = sector,
				     .nr_sectors = n};
	blkif_request_t r;

	memset(&r, 0, sizeof(r));
	memcpy(&r, &d, sizeof(d));
	return r;
}

blkif_request_t fe_indirect(uint8_t op, uint64_t id, uint64_t sector,
			    uint16_t n, uint32_t gref)
{
	blkif_request_indirect_t ind = {.operation = BLKIF_OP_INDIRECT,
					.indirect_op = op,
					.nr_segments = n,
					.id = id,
					.sector_number = sector};
	blkif_request_t r;

	ind.indirect_grefs[0] = gref;
	memset(&r, 0, sizeof(r));
	memcpy(&r, &ind, sizeof(ind));
	return r;
}

/* An indirect page at gfn listing n whole-page segments gref0.. */
void fe_indirect_page(struct fe *f, uint32_t gfn, uint32_t gref0, unsigned n)
{
	struct blkif_request_segment *s = (void *)fe_page(f, gfn);

	for (unsigned i = 0; i < n; i++)
		s[i] = (struct blkif_request_segment){gref0 + i, 0, 7};
}
