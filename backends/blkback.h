/* The blkif ring backend: serves one ring (one queue) of a Xen virtual block
 * device on a host file or block device, as Linux xen-blkback does
 * (shared/reference/xenstore-and-devices.md §4, §5). The XenStore
 * handshake is the caller's: it maps the shared ring, binds the event
 * channel, opens the disk and calls blkback_start() once the frontend is
 * Initialised; blkback_stop() quiesces before it disconnects.
 *
 * Everything the guest wrote is hostile. The ring is used only through the
 * RING_* macros on a private back ring: req_prod is read once per pass and
 * an impossible value kills the ring (no spinning, no more kicks read);
 * each request is copied once (RING_COPY_REQUEST) and only the copy is
 * checked; indirect segment descriptors are copied out of their page once.
 * A bad request gets BLKIF_RSP_ERROR, an unknown operation
 * BLKIF_RSP_EOPNOTSUPP, and the ring stays alive. Every grant is released
 * (gnttab_unmap) before the response that lets the guest reuse it is pushed.
 *
 * I/O is zero-copy: iovecs point straight into the granted guest pages and
 * go to io_uring (READV/WRITEV/FSYNC/FALLOCATE) with up to one ring's worth
 * of requests in flight. Without io_uring (ENOSYS, EPERM) the thread falls
 * back to preadv/pwritev, one request at a time.
 *
 * Threads: blkback_start() starts one thread per ring; the other functions
 * may be called from any thread. The sync API below (tests, fuzzers) runs
 * the same code with no thread. */
#ifndef KXEN_BACKENDS_BLKBACK_H
#define KXEN_BACKENDS_BLKBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <xen/io/blkif.h>

struct gnttab_view;

/* Linux blkback's MAX_INDIRECT_SEGMENTS: the most feature-max-indirect-
 * segments may advertise (one indirect page; below IOV_MAX). */
#define BLKBACK_MAX_SEGMENTS 256
/* XENBUS_MAX_RING_GRANT_ORDER 4: max-ring-page-order is at most 4. */
#define BLKBACK_MAX_RING_PAGES 16

struct blkback_params {
	const struct gnttab_view *gnt; /* the guest's grant table */
	/* The shared blkif_sring, nr_ring_pages pages, contiguous in our
	 * address space (ring-ref0..N mapped side by side). The caller keeps
	 * it mapped until blkback_stop() returns. */
	void *ring;
	unsigned nr_ring_pages; /* 1, 2, 4, 8 or 16 */
	int kick_fd;		/* eventfd the frontend's notifications arrive
				   on; read to clear. Unused by the sync API. */
	/* Raise our event channel. Called from the ring thread; a failure
	 * is logged once. */
	int (*notify_guest)(void *ctx);
	void *ctx;
	/* Called once, from the ring thread, if the frontend corrupts the
	 * ring (it is dead from then on: the caller may write error/ and go
	 * to Closing). NULL for none. */
	void (*ring_dead)(void *ctx);
	int disk_fd;	  /* image file or block device, maybe O_DIRECT;
			     the caller keeps it open until blkback_stop() */
	uint64_t sectors; /* disk size in 512-byte sectors, as in `sectors` */
	bool readonly;	  /* mode r / cdrom: WRITE, flush with data, DISCARD
			     get BLKIF_RSP_ERROR; an empty flush is OKAY */
	bool discard;	  /* feature-discard advertised: DISCARD punches a hole
			     (file) or BLKDISCARDs (block device). Without
			     it DISCARD gets EOPNOTSUPP, as does the SECURE
			     flag (we never advertise discard-secure). */
	unsigned max_indirect_segments; /* feature-max-indirect-segments as
			      advertised, ≤ BLKBACK_MAX_SEGMENTS; 0: INDIRECT
			      requests get BLKIF_RSP_ERROR */
	bool sync_engine; /* use preadv/pwritev even if io_uring works */
	/* The longest poll of the ring for the next request before asking
	 * for a kick (backends/poll_window.h); 0: POLL_WINDOW_MAX_NS; < 0: no
	 * polling. Only the io_uring engine polls. */
	int poll_max_ns;
	bool uring_writes; /* hand buffered writes to a regular file to
			      io_uring too (tests of that path); by default
			      the ring thread does them (blkback_uring.c) */
	const char *name; /* for log lines, e.g. "vbd 51712 q0"; copied */
};

struct blkback;

/* Check p, attach to the ring (BACK_RING_ATTACH at the current rsp_prod,
 * as Linux does) and start the ring thread. Returns 0 and *out, or -EINVAL
 * (bad params), -EIO (the ring's indexes are already impossible), -ENOMEM,
 * or the error of eventfd/pthread_create. */
int blkback_start(struct blkback **out, const struct blkback_params *p)
    __attribute__((warn_unused_result));

/* Stop taking requests, wait for those in flight to complete, answer them
 * (grants released first), join the thread and free b. The ring page,
 * disk_fd and kick_fd stay the caller's. NULL is a no-op. */
void blkback_stop(struct blkback *b);

struct blkback_stats {
	uint64_t requests;	/* requests consumed from the ring */
	uint64_t errors;	/* responses other than BLKIF_RSP_OKAY */
	uint64_t bytes_read;	/* from the disk into the guest */
	uint64_t bytes_written; /* from the guest to the disk */
	uint64_t kicks;		/* wakeups by kick_fd */
	uint64_t throttled;	/* kicks delayed after a storm of empty ones */
	uint64_t notifies;	/* event channel notifications to the guest */
	uint64_t inline_writes; /* writes done by the ring thread itself */
	uint64_t polled;	/* passes that found requests by polling */
	bool dead;		/* the frontend corrupted the ring */
};

/* A snapshot of b's counters (each read atomically). */
void blkback_get_stats(const struct blkback *b, struct blkback_stats *out);

/* --- Synchronous use, for tests and fuzzers: no thread, no io_uring. --- */

/* As blkback_start(), but no thread: requests are served only by
 * blkback_run_sync(). Free with blkback_stop(). */
int blkback_create_sync(struct blkback **out, const struct blkback_params *p)
    __attribute__((warn_unused_result));

/* Serve every request on the ring now with preadv/pwritev, push the
 * responses and notify if RING_PUSH_RESPONSES_AND_CHECK_NOTIFY says so.
 * Returns the number of requests consumed, or -EIO if the ring is dead
 * (now or before). Not for a started blkback. */
int blkback_run_sync(struct blkback *b) __attribute__((warn_unused_result));

/* --- One request, parsed and mapped (used by the ring code). --- */

enum blkback_step {
	BLKBACK_STEP_READ,    /* preadv into the guest's pages */
	BLKBACK_STEP_WRITE,   /* pwritev from them */
	BLKBACK_STEP_FLUSH,   /* fdatasync */
	BLKBACK_STEP_DISCARD, /* punch a hole / BLKDISCARD */
};

struct blkback_io {
	uint64_t id;	      /* echoed in the response */
	uint8_t operation;    /* echoed: the request's, or indirect_op */
	uint8_t nr_steps;     /* 0: answer OKAY with no I/O */
	uint8_t steps[3];     /* enum blkback_step, in order */
	bool grants_writable; /* segments were mapped for writing */
	uint64_t sector;      /* first disk sector */
	uint64_t nr_sectors;  /* of the data or discard */
	unsigned nr_segs;     /* mapped segments */
	uint32_t grefs[BLKBACK_MAX_SEGMENTS];
	/* Into the granted pages: (last_sect - first_sect + 1) * 512 bytes
	 * at first_sect * 512. Valid while the grants are mapped. */
	struct iovec iov[BLKBACK_MAX_SEGMENTS];
};

/* Check the private copy req against p and map its grants (write access
 * for a disk READ, read-only for a WRITE and for indirect pages, whose
 * descriptors are copied out and the pages released at once). io->id and
 * io->operation are always set, for the response.
 * Returns 0 (grants mapped: release them with blkback_io_release), or, with
 * nothing mapped: -EOPNOTSUPP (unknown operation, discard not advertised),
 * -EINVAL (bad segment count or sectors), -ERANGE (past the disk end),
 * -EROFS (write to a read-only disk), or gnttab_map's error. */
int blkback_parse_request(const struct blkback_params *p,
			  const blkif_request_t *req, struct blkback_io *io)
    __attribute__((warn_unused_result));

/* Release the grants a successful blkback_parse_request mapped. */
void blkback_io_release(const struct blkback_params *p, struct blkback_io *io);

/* The response status for a blkback_parse_request or I/O result:
 * 0 -> BLKIF_RSP_OKAY, -EOPNOTSUPP -> BLKIF_RSP_EOPNOTSUPP, else ERROR. */
int16_t blkback_status(int rc);

#endif
