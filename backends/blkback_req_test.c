/* Unit tests for backends/blkback_req.c through the ring: the hostile-
 * frontend checks of shared/reference/xenstore-and-devices.md §5 for blkif
 * requests (17-19): bad grants, segments, sectors, read-only disks,
 * discard, unknown operations, indirect requests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "backends/blkback_test_fe.h"

static void test_readonly_grant_for_read(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = {30, 0, 7};
	blkif_request_t req = fe_rw(BLKIF_OP_READ, 5, 0, 1, &seg);
	uint8_t before[PG];

	fe_start_sync(f);
	fe_fill(f, 9, 0x5a);
	memcpy(before, fe_page(f, 9), PG);
	fe_grant(f, 30, 9, GTF_readonly);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	assert_memory_equal(fe_page(f, 9), before, PG);
}

static void test_bad_grants(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg;
	blkif_request_t req;

	fe_start_sync(f);
	fe_fill(f, 2, 0x11);
	fe_grant(f, 40, 2, 0);
	f->gt[40].domid = OTHER_DOMID; /* wrong domain */
	f->gt[41] = (grant_entry_v1_t){.flags = 0, .frame = 2};
	fe_grant(f, 42, 2, GTF_sub_page);
	fe_grant(f, 43, HOLE_GFN, 0);
	fe_grant(f, 44, 1000, 0); /* frame past RAM */
	fe_grant(f, 45, 2, GTF_transfer_committed);
	f->gt[45].flags = GTF_accept_transfer;
	uint32_t bad[] = {600, 40, 41, 42, 43, 44, 45, 0xffffffff};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		seg = (struct blkif_request_segment){bad[i], 0, 7};
		req = fe_rw(BLKIF_OP_WRITE, i, 16, 1, &seg);
		assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
		/* a bad grant among good ones: the good ones are released */
		fe_grant(f, 46, 3, 0);
		struct blkif_request_segment two[2] = {{46, 0, 7},
						       {bad[i], 0, 7}};
		req = fe_rw(BLKIF_OP_READ, i, 16, 2, two);
		assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	}
	assert_true(fe_disk_zero(f, 16, 16));
}

static void test_bad_segments(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg[12];
	blkif_request_t req;

	fe_start_sync(f);
	for (unsigned i = 0; i < 12; i++) {
		fe_grant(f, 50 + i, 10 + i, 0);
		seg[i] = (struct blkif_request_segment){50 + i, 0, 7};
	}
	req = fe_rw(BLKIF_OP_READ, 1, 0, 0, seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_rw(BLKIF_OP_WRITE, 1, 0, 0, seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_rw(BLKIF_OP_READ, 2, 0, 12, seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_rw(BLKIF_OP_READ, 3, 0, 255, seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	seg[1] = (struct blkif_request_segment){51, 5, 4};
	req = fe_rw(BLKIF_OP_READ, 4, 0, 2, seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	seg[1] = (struct blkif_request_segment){51, 0, 8};
	req = fe_rw(BLKIF_OP_READ, 5, 0, 2, seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	seg[1] = (struct blkif_request_segment){51, 0, 7};
	req = fe_rw(BLKIF_OP_READ, 6, 0, 11, seg); /* the ring is alive */
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
}

static void test_range(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = {60, 0, 1};
	blkif_request_t req;

	fe_start_sync(f);
	fe_grant(f, 60, 4, 0);
	req =
	    fe_rw(BLKIF_OP_READ, 1, DISK_SECTORS - 1, 1, &seg); /* 2 sectors */
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_rw(BLKIF_OP_READ, 2, UINT64_MAX - 1, 1, &seg); /* wraps */
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_rw(BLKIF_OP_READ, 3, UINT64_MAX / 512 + 1, 1, &seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_rw(BLKIF_OP_READ, 4, DISK_SECTORS - 2, 1, &seg); /* last two */
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
}

static void test_readonly_disk(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = {61, 0, 7};
	blkif_request_t req;

	f->p.readonly = true;
	f->p.discard = true;
	fe_start_sync(f);
	fe_fill(f, 4, 0x77);
	fe_grant(f, 61, 4, 0);
	req = fe_rw(BLKIF_OP_WRITE, 1, 0, 1, &seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 2, 0, 1, &seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_rw(BLKIF_OP_WRITE_BARRIER, 3, 0, 1, &seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_discard(4, 0, 8, 0);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	assert_true(fe_disk_zero(f, 0, 8));
	req = fe_rw(BLKIF_OP_FLUSH_DISKCACHE, 5, 0, 0, &seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	req = fe_rw(BLKIF_OP_READ, 6, 0, 1, &seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
}

static void test_discard(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg = {62, 0, 7};
	blkif_request_t req;

	fe_start_sync(f);
	req = fe_discard(1, 0, 8, 0);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_EOPNOTSUPP);
	blkback_stop(f->b);
	f->p.discard = true;
	fe_start_sync(f);
	fe_fill(f, 4, 0x33);
	fe_grant(f, 62, 4, GTF_readonly);
	req = fe_rw(BLKIF_OP_WRITE, 2, 256, 1, &seg);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	assert_false(fe_disk_zero(f, 256, 8));
	req = fe_discard(3, 256, 8, 0);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	assert_true(fe_disk_zero(f, 256, 8));
	req = fe_discard(4, DISK_SECTORS - 4, 8, 0);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_discard(5, 8, UINT64_MAX - 4, 0);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_ERROR);
	req = fe_discard(6, 0, 8, BLKIF_DISCARD_SECURE);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_EOPNOTSUPP);
	req = fe_discard(7, 0, 0, 0);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
}

static void test_unknown_op(void **state)
{
	struct fe *f = *state;
	blkif_request_t req;

	fe_start_sync(f);
	req = fe_rw(4, 77, 0, 1, NULL); /* BLKIF_OP_RESERVED_1 */
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_EOPNOTSUPP);
	req = fe_rw(200, 78, 0, 0, NULL);
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_EOPNOTSUPP);
}

static void test_indirect(void **state)
{
	struct fe *f = *state;
	blkif_request_t req;

	fe_start_sync(f);
	for (uint32_t i = 0; i < 20; i++) {
		fe_fill(f, i, (uint8_t)(i * 3 + 9));
		fe_grant(f, 300 + i, i, GTF_readonly);
		fe_grant(f, 400 + i, 30 + i, 0);
	}
	fe_indirect_page(f, 60, 300, 20);
	fe_grant(f, 299, 60, GTF_readonly);
	fe_indirect_page(f, 61, 400, 20);
	fe_grant(f, 399, 61, GTF_readonly);
	req = fe_indirect(BLKIF_OP_WRITE, 1, 512, 20, 299);
	assert_int_equal(fe_run1_op(f, &req, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
	req = fe_indirect(BLKIF_OP_READ, 2, 512, 20, 399);
	assert_int_equal(fe_run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	for (uint32_t i = 0; i < 20; i++)
		assert_memory_equal(fe_page(f, 30 + i), fe_page(f, i), PG);
	req = fe_indirect(BLKIF_OP_READ, 3, 512, 33, 399); /* above the max */
	assert_int_equal(fe_run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	req = fe_indirect(BLKIF_OP_READ, 4, 512, 0, 399);
	assert_int_equal(fe_run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	req = fe_indirect(BLKIF_OP_FLUSH_DISKCACHE, 5, 512, 1, 399);
	assert_int_equal(fe_run1_op(f, &req, BLKIF_OP_FLUSH_DISKCACHE),
			 BLKIF_RSP_ERROR);
	f->gt[399].domid = OTHER_DOMID;
	req = fe_indirect(BLKIF_OP_READ, 6, 512, 20, 399);
	assert_int_equal(fe_run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	fe_grant(f, 399, HOLE_GFN, GTF_readonly);
	assert_int_equal(fe_run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	/* a descriptor in the indirect page with last_sect 8 */
	fe_grant(f, 399, 61, GTF_readonly);
	((struct blkif_request_segment *)fe_page(f, 61))[7].last_sect = 8;
	assert_int_equal(fe_run1_op(f, &req, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	blkback_stop(f->b);
	f->p.max_indirect_segments = 0; /* not advertised */
	fe_start_sync(f);
	req = fe_indirect(BLKIF_OP_WRITE, 7, 512, 1, 299);
	assert_int_equal(fe_run1_op(f, &req, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
}

/* XSA-155: the guest rewrites the request while the backend maps its
 * grants. Only the private copy counts: same id, op, segments, sector. */
static void test_double_fetch(void **state)
{
	struct fe *f = *state;
	struct blkif_request_segment seg[2] = {{90, 0, 7}, {91, 4, 7}};
	blkif_request_t req = fe_rw(BLKIF_OP_WRITE, 42, 100, 2, seg);
	uint8_t buf[12 * 512];

	fe_start_sync(f);
	fe_fill(f, 2, 0x21);
	fe_fill(f, 3, 0x42);
	fe_grant(f, 90, 2, GTF_readonly);
	fe_grant(f, 91, 3, GTF_readonly);
	f->tamper = true;
	assert_int_equal(fe_run1(f, &req), BLKIF_RSP_OKAY);
	f->tamper = false;
	fe_disk_read(f, 100, buf, sizeof(buf));
	assert_memory_equal(buf, fe_page(f, 2), PG);
	assert_memory_equal(buf + PG, fe_page(f, 3) + 2048, 2048);
	assert_true(fe_disk_zero(f, 112, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fe_setup, fe_teardown)
	    T(test_readonly_grant_for_read),
	    T(test_bad_grants),
	    T(test_bad_segments),
	    T(test_range),
	    T(test_readonly_disk),
	    T(test_discard),
	    T(test_unknown_op),
	    T(test_indirect),
	    T(test_double_fetch),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
