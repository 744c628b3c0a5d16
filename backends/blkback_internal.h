/* Inside backends/blkback*.c only: the ring state shared by the core
 * (blkback.c: ring, slots, responses, the step machine) and the I/O
 * engines (blkback_uring.c, blkback_sync.c). Everything here runs on the
 * ring thread, or on the caller's thread in the sync API; only the stats
 * are read from elsewhere (atomically). */
#ifndef KXEN_BACKENDS_BLKBACK_INTERNAL_H
#define KXEN_BACKENDS_BLKBACK_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "backends/blkback.h"
#include "backends/poll_window.h"

/* io/ring.h leaves the barriers to us. The other end is a vCPU on another
 * host CPU: the full barrier must be a real fence (mfence on x86). */
#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#define BLKBACK_SECTOR 512u
/* After this many kicks in a row that brought no request, each further
 * kick is read only 1 ms after the previous one (XSA-391-style storms). */
#define BLKBACK_STORM_KICKS 64
#define BLKBACK_STORM_DELAY_NS 1000000
/* Resubmissions of a step that returned -EINTR or -EAGAIN. */
#define BLKBACK_MAX_RETRIES 8

/* One request in flight: ring size of them, so never short of one. */
struct blkback_slot {
	struct blkback_io io;
	unsigned step;	    /* index into io.steps */
	unsigned iov_first; /* first io.iov not yet done (short I/O) */
	uint64_t done;	    /* bytes of the data step done */
	unsigned retries;
	int res;		   /* sync engine: the step's result */
	struct blkback_slot *next; /* free list, or the sync done list */
};

struct blkback_engine {
	const char *name;
	/* Prepare; 0 or -errno (-ENOSYS, -EPERM: fall back to sync). */
	int (*init)(struct blkback *b);
	/* Start slot s's current step (io.steps[s->step]) from s->done;
	 * its result reaches blkback_step_done() later, never inside. */
	void (*submit)(struct blkback *b, struct blkback_slot *s);
	/* The ring thread: serve until stopping and idle. */
	void (*run)(struct blkback *b);
	void (*fini)(struct blkback *b);
	/* A completion is waiting to be reaped (ends a poll); NULL: never. */
	bool (*io_ready)(struct blkback *b);
};

struct blkback_counters {
	uint64_t requests, errors, bytes_read, bytes_written, kicks, throttled;
	uint64_t notifies, inline_writes, polled;
	bool dead;
};

struct blkback {
	struct blkback_params p;
	char name[64];
	blkif_back_ring_t ring;
	bool is_blockdev;
	bool writes_inline; /* io_uring engine: pwritev on the ring thread */
	struct poll_window poll; /* blkback_serve's, before a kick */
	struct blkback_slot *slots; /* RING_SIZE of them */
	struct blkback_slot *free;
	unsigned inflight;
	bool stopping; /* blkback_stop() asked: take no more requests */
	bool dead;     /* the frontend corrupted the ring */
	bool push_pending;
	bool notify_owed;       /* the ring asked for a notification */
	RING_IDX notified_prod; /* rsp_prod at the last notification */
	bool logged_bad_request, logged_io_error, logged_notify;
	unsigned empty_kicks;
	int stop_fd; /* eventfd written by blkback_stop() */
	bool threaded;
	pthread_t thread;
	const struct blkback_engine *engine;
	void *engine_data;
	struct blkback_slot *done_head, *done_tail; /* sync engine */
	struct blkback_counters c; /* written by the ring thread, atomically */
};

extern const struct blkback_engine blkback_uring_engine;
extern const struct blkback_engine blkback_sync_engine;

/* Consume what the ring holds (unless stopping or dead) and start each
 * request's first step. Returns the number consumed; *more is true when
 * requests were consumed (look again once their I/O is under way) or
 * RING_FINAL_CHECK_FOR_REQUESTS found more, false when req_event is set
 * and the next request will kick us. */
unsigned blkback_serve(struct blkback *b, bool *more);
/* Push the responses written so far; notify if the ring says so. */
void blkback_push(struct blkback *b);
/* The current step of s ended with res (bytes, or -errno): go on with a
 * short transfer's rest, the next step, or answer the request. */
void blkback_step_done(struct blkback *b, struct blkback_slot *s, int res);
/* A kick arrived and the pass after it consumed `consumed` requests.
 * Returns true if the next kick should be read only after the storm
 * delay. */
bool blkback_kicked(struct blkback *b, unsigned consumed);
/* Discard s's sectors now, synchronously: fallocate or BLKDISCARD.
 * Returns 0 or -errno. */
int blkback_discard_now(struct blkback *b, const struct blkback_slot *s);
/* Sync engine: do s's current step now and queue its result for
 * blkback_sync_drain(). */
void blkback_sync_submit(struct blkback *b, struct blkback_slot *s);
/* Sync engine: complete every step that is done, until none is left. */
void blkback_sync_drain(struct blkback *b);

static inline void blkback_count(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

#endif
