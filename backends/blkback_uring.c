/* backends/blkback_uring.c: the io_uring engine. One io_uring per ring,
 * used only by the ring thread, whose single wait point is
 * io_uring_submit_and_wait(): data I/O, flushes and discards complete
 * there, and so do a READ on kick_fd, a READ on the stop eventfd and the
 * storm-delay TIMEOUT. Up to RING_SIZE requests are in flight, each with at
 * most one SQE, plus those three: the CQ (twice the SQ) never overflows.
 *
 * user_data is the slot's address for its step, the slot's address | 1 for
 * a NOP whose result was computed in advance (BLKDISCARD, which io_uring
 * cannot issue), and a small tag otherwise.
 *
 * Buffered writes to a regular file (file:, tap:aio:) skip io_uring: the
 * ring thread does them with pwritev, as the sync engine does. io_uring
 * hands a buffered write it cannot do without blocking (on Linux 6.1 every
 * one to tmpfs, and to any filesystem without non-blocking buffered
 * writes) to an io-wq worker, and runs a file's buffered writes one at a
 * time in one worker: the hand-off buys no concurrency, and it cost
 * bench/blk's seqwrite 60% in the test bed (552 against 1377 MiB/s). What is lost: a write that waits for writeback holds up this
 * ring's reads too, where io-wq would hold up only its later writes. Reads
 * stay on io_uring, whose workers do run them in parallel (done inline
 * they measured 36% slower). */
#include "backends/blkback_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/log.h"

enum { TAG_KICK = 2, TAG_STOP = 4, TAG_DELAY = 6, TAG_PRECOMPUTED = 1 };

struct uring {
	struct io_uring ring;
	uint64_t kick_buf, stop_buf;
	struct __kernel_timespec delay;
	bool logged_submit;
};

static struct io_uring_sqe *get_sqe(struct blkback *b)
{
	struct uring *u = b->engine_data;
	struct io_uring_sqe *sqe;

	/* The SQ holds more than can be in flight, but it may be full of
	 * not yet submitted entries: submit them and retry. */
	while (!(sqe = io_uring_get_sqe(&u->ring)))
		io_uring_submit(&u->ring);
	return sqe;
}

static void uring_submit(struct blkback *b, struct blkback_slot *s)
{
	struct io_uring_sqe *sqe;
	struct blkback_io *io = &s->io;
	uint64_t off = io->sector * BLKBACK_SECTOR + s->done;
	int fd = b->p.disk_fd;
	uint64_t tag = (uintptr_t)s;

	if (b->writes_inline && io->steps[s->step] == BLKBACK_STEP_WRITE) {
		blkback_count(&b->c.inline_writes, 1);
		blkback_sync_submit(b, s); /* uring_run drains it */
		return;
	}
	sqe = get_sqe(b);
	switch (io->steps[s->step]) {
	case BLKBACK_STEP_READ:
		io_uring_prep_readv(sqe, fd, &io->iov[s->iov_first],
				    io->nr_segs - s->iov_first, off);
		break;
	case BLKBACK_STEP_WRITE:
		io_uring_prep_writev(sqe, fd, &io->iov[s->iov_first],
				     io->nr_segs - s->iov_first, off);
		break;
	case BLKBACK_STEP_FLUSH:
		io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
		break;
	case BLKBACK_STEP_DISCARD:
		if (!b->is_blockdev) {
			io_uring_prep_fallocate(
			    sqe, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    off, io->nr_sectors * BLKBACK_SECTOR);
			break;
		}
		/* BLKDISCARD is an ioctl io_uring cannot issue: do it now
		 * and let a NOP carry its result. */
		s->res = blkback_discard_now(b, s);
		io_uring_prep_nop(sqe);
		tag |= TAG_PRECOMPUTED;
		break;
	default:
		s->res = -EINVAL;
		io_uring_prep_nop(sqe);
		tag |= TAG_PRECOMPUTED;
		break;
	}
	io_uring_sqe_set_data64(sqe, tag);
}

static void arm_read(struct blkback *b, int fd, uint64_t *buf, uint64_t tag)
{
	struct io_uring_sqe *sqe = get_sqe(b);

	io_uring_prep_read(sqe, fd, buf, sizeof(*buf), 0);
	io_uring_sqe_set_data64(sqe, tag);
}

static void arm_kick(struct blkback *b, bool delayed)
{
	struct uring *u = b->engine_data;
	struct io_uring_sqe *sqe;

	if (!delayed) {
		arm_read(b, b->p.kick_fd, &u->kick_buf, TAG_KICK);
		return;
	}
	sqe = get_sqe(b);
	io_uring_prep_timeout(sqe, &u->delay, 0, 0);
	io_uring_sqe_set_data64(sqe, TAG_DELAY);
}

/* See the top of the file. */
static bool buffered_regular_file(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	struct stat st;

	return flags >= 0 && !(flags & O_DIRECT) && fstat(fd, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

static int uring_init(struct blkback *b)
{
	unsigned entries = 8;
	struct uring *u;
	int rc;

	while (entries < RING_SIZE(&b->ring) + 4)
		entries *= 2;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	rc = io_uring_queue_init(entries, &u->ring, 0);
	if (rc < 0) {
		free(u);
		return rc;
	}
	u->delay.tv_nsec = BLKBACK_STORM_DELAY_NS;
	b->writes_inline =
	    !b->p.uring_writes && buffered_regular_file(b->p.disk_fd);
	b->poll.max_ns = b->p.poll_max_ns < 0	 ? 0
			 : b->p.poll_max_ns ? (uint64_t)b->p.poll_max_ns
					    : POLL_WINDOW_MAX_NS;
	b->engine_data = u;
	return 0;
}

static void uring_fini(struct blkback *b)
{
	struct uring *u = b->engine_data;

	if (!u)
		return;
	io_uring_queue_exit(&u->ring); /* cancels the pending reads */
	free(u);
	b->engine_data = NULL;
}

/* One completion. *kicked is set when the frontend's kick arrived. */
static void complete(struct blkback *b, uint64_t tag, int res, bool *kicked)
{
	struct blkback_slot *s;

	switch (tag) {
	case TAG_STOP:
		b->stopping = true;
		return;
	case TAG_KICK:
		if (res < 0 && res != -EINTR && res != -EAGAIN) {
			log_error(-res,
				  "%s: kick_fd unreadable; only stopping "
				  "is possible",
				  b->name);
			return; /* not re-armed: no spinning on an error */
		}
		*kicked = true;
		return;
	case TAG_DELAY:
		if (!b->dead && !b->stopping)
			arm_kick(b, false);
		return;
	}
	s = (struct blkback_slot *)(uintptr_t)(tag &
					       ~(uint64_t)TAG_PRECOMPUTED);
	blkback_step_done(b, s, tag & TAG_PRECOMPUTED ? s->res : res);
}

static bool uring_io_ready(struct blkback *b)
{
	struct uring *u = b->engine_data;

	return io_uring_cq_ready(&u->ring) > 0;
}

static void uring_run(struct blkback *b)
{
	struct uring *u = b->engine_data;
	bool more, kicked = false;
	struct io_uring_cqe *cqe;
	uint64_t slept;
	unsigned n;
	int rc;

	arm_read(b, b->stop_fd, &u->stop_buf, TAG_STOP);
	arm_kick(b, false);
	for (;;) {
		n = blkback_serve(b, &more);
		blkback_sync_drain(b); /* the inline writes */
		if (kicked) {
			kicked = false;
			/* A dead or stopping ring's kicks are never read. */
			if (!b->dead && !b->stopping)
				arm_kick(b, blkback_kicked(b, n));
		}
		blkback_push(b);
		if (b->stopping && !b->inflight)
			break;
		slept = more ? 0 : clock_mono_ns();
		rc = io_uring_submit_and_wait(&u->ring, more ? 0 : 1);
		if (slept)
			poll_window_slept(&b->poll,
					  clock_mono_ns() - slept);
		if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
			if (!u->logged_submit)
				log_error(-rc, "%s: io_uring_submit_and_wait",
					  b->name);
			u->logged_submit = true;
			nanosleep(&(struct timespec){.tv_nsec = 1000000},
				  NULL); /* bounded retries, no spinning */
		}
		while (io_uring_peek_cqe(&u->ring, &cqe) == 0) {
			uint64_t tag = io_uring_cqe_get_data64(cqe);
			int res = cqe->res;

			io_uring_cqe_seen(&u->ring, cqe);
			complete(b, tag, res, &kicked);
		}
	}
	blkback_push(b);
}

const struct blkback_engine blkback_uring_engine = {
    .name = "io_uring",
    .init = uring_init,
    .submit = uring_submit,
    .run = uring_run,
    .fini = uring_fini,
    .io_ready = uring_io_ready,
};
