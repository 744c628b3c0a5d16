/* backends/blkback_sync.c: the synchronous I/O engine: preadv, pwritev,
 * fdatasync and discard, each done at submit time. Used by the sync API
 * (tests, fuzzers), by the ring thread when io_uring is unavailable, and
 * by the io_uring engine for buffered writes to a regular file
 * (blkback_sync_submit; see blkback_uring.c).
 *
 * A step's result is queued on b->done_head and handed to
 * blkback_step_done() by blkback_sync_drain(), never from inside submit,
 * so a short transfer's resubmission loops instead of recursing. */
#include "backends/blkback_internal.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "lib/log.h"

static int do_step(struct blkback *b, struct blkback_slot *s)
{
	struct blkback_io *io = &s->io;
	off_t off = (off_t)(io->sector * BLKBACK_SECTOR + s->done);
	int fd = b->p.disk_fd;
	ssize_t r;

	switch (io->steps[s->step]) {
	case BLKBACK_STEP_READ:
		r = preadv(fd, &io->iov[s->iov_first],
			   (int)(io->nr_segs - s->iov_first), off);
		break;
	case BLKBACK_STEP_WRITE:
		r = pwritev(fd, &io->iov[s->iov_first],
			    (int)(io->nr_segs - s->iov_first), off);
		break;
	case BLKBACK_STEP_FLUSH:
		r = fdatasync(fd);
		break;
	case BLKBACK_STEP_DISCARD:
		return blkback_discard_now(b, s);
	default:
		return -EINVAL;
	}
	/* At most 256 segments of 4 KiB: a transfer fits an int. */
	return r < 0 ? -errno : (int)r;
}

void blkback_sync_submit(struct blkback *b, struct blkback_slot *s)
{
	s->res = do_step(b, s);
	s->next = NULL;
	if (b->done_tail)
		b->done_tail->next = s;
	else
		b->done_head = s;
	b->done_tail = s;
}

void blkback_sync_drain(struct blkback *b)
{
	struct blkback_slot *s;

	while ((s = b->done_head)) {
		b->done_head = s->next;
		if (!b->done_head)
			b->done_tail = NULL;
		blkback_step_done(b, s, s->res);
	}
}

static int sync_init(struct blkback *b)
{
	(void)b;
	return 0;
}

/* Read an eventfd that poll() found readable. */
static int clear_eventfd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	return 0;
}

/* The ring thread without io_uring: one request's I/O at a time. */
static void sync_run(struct blkback *b)
{
	bool more = false, kicked = false, throttled = false;
	bool kick_ok = true; /* kick_fd still readable without error */
	struct pollfd pfd[2];
	unsigned n;
	int rc;

	for (;;) {
		n = blkback_serve(b, &more);
		blkback_sync_drain(b);
		if (kicked) {
			kicked = false;
			throttled = blkback_kicked(b, n);
		}
		blkback_push(b);
		if (b->stopping)
			break; /* nothing is in flight once drained */
		pfd[0] = (struct pollfd){.fd = b->stop_fd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = b->p.kick_fd, .events = POLLIN};
		/* A dead ring's kicks are never read again: no spinning. */
		if (b->dead || throttled || !kick_ok)
			pfd[1].fd = -1;
		rc = poll(pfd, 2, more ? 0 : throttled ? 1 : -1);
		if (rc < 0 && errno != EINTR) {
			log_error(errno, "%s: poll failed; ring thread stops",
				  b->name);
			b->stopping = true;
			continue;
		}
		if (rc == 0 && throttled)
			throttled = false; /* the storm delay is over */
		if (rc > 0 && (pfd[0].revents & POLLIN)) {
			(void)clear_eventfd(b->stop_fd);
			b->stopping = true;
		}
		if (rc > 0 && pfd[1].revents) {
			if (pfd[1].revents & (POLLERR | POLLNVAL) ||
			    clear_eventfd(b->p.kick_fd) < 0) {
				log_error(0,
					  "%s: kick_fd unreadable; only "
					  "stopping is possible",
					  b->name);
				kick_ok = false;
			} else {
				kicked = true;
			}
		}
	}
}

static void sync_fini(struct blkback *b)
{
	(void)b;
}

const struct blkback_engine blkback_sync_engine = {
    .name = "sync",
    .init = sync_init,
    .submit = blkback_sync_submit,
    .run = sync_run,
    .fini = sync_fini,
};
