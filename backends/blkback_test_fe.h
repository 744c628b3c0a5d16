/* A fake blkif frontend for blkback's unit tests: the guest's RAM, its v1
 * grant table (one frame) and the shared ring live in host memory; the
 * disk is a temporary file. Helpers fail the current cmocka test on any
 * surprise. */
#ifndef KXEN_BACKENDS_BLKBACK_TEST_FE_H
#define KXEN_BACKENDS_BLKBACK_TEST_FE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	uint8_t *ram;	      /* NPAGES pages */
	grant_entry_v1_t *gt; /* one frame: 512 entries */
	struct gnttab_view view;
	blkif_sring_t *sring;
	blkif_front_ring_t front;
	int disk_fd, kick_fd, notify_fd;
	struct blkback_params p; /* blkback_start's, set up by fe_setup */
	struct blkback *b;	 /* stopped by fe_teardown */
	bool threaded;
	int dead_calls; /* ring_dead callbacks */
	/* While set, each grant mapping first overwrites the last request
	 * pushed with 0xff bytes: a guest rewriting it mid-parse. */
	bool tamper;
};

/* cmocka setup/teardown: *state is the struct fe. */
int fe_setup(void **state);
int fe_teardown(void **state);
/* A fresh ring of `pages` pages, its slots full of 0xaa. */
void fe_ring_init(struct fe *f, unsigned pages);
void fe_start_sync(struct fe *f);
void fe_start_thread(struct fe *f);

/* Grant gfn to domain 0 (GTF_permit_access | flags). */
void fe_grant(struct fe *f, uint32_t ref, uint32_t gfn, uint16_t flags);
void fe_assert_no_grant_in_use(struct fe *f);

/* Put a request on the ring; kick the backend if threaded and needed. */
void fe_push(struct fe *f, const void *req);
/* Wait (threaded) until n responses are unconsumed; 10 s at most. */
void fe_wait_responses(struct fe *f, unsigned n);
/* The next response, its padding checked to be zero. */
blkif_response_t fe_pop(struct fe *f);
/* Push one request, serve it, return its status (id and op checked,
 * grants checked released). */
int16_t fe_run1_op(struct fe *f, const void *req, uint8_t expect_op);
int16_t fe_run1(struct fe *f, const blkif_request_t *r);

blkif_request_t fe_rw(uint8_t op, uint64_t id, uint64_t sector, unsigned n,
		      const struct blkif_request_segment *seg);
blkif_request_t fe_discard(uint64_t id, uint64_t sector, uint64_t n,
			   uint8_t flag);
blkif_request_t fe_indirect(uint8_t op, uint64_t id, uint64_t sector,
			    uint16_t n, uint32_t gref);
/* An indirect page at gfn listing n whole-page segments gref0.. */
void fe_indirect_page(struct fe *f, uint32_t gfn, uint32_t gref0, unsigned n);

void fe_fill(struct fe *f, uint32_t gfn, uint8_t seed);
uint8_t *fe_page(struct fe *f, uint32_t gfn);
void fe_disk_read(struct fe *f, uint64_t sector, void *buf, size_t len);
bool fe_disk_zero(struct fe *f, uint64_t sector, unsigned n);

#endif
