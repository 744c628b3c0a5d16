/* backends/blkback.c: the blkif back ring (see blkback.h): consuming
 * requests, tracking them in slots through their steps, answering them,
 * and the life of the ring thread. The I/O itself is an engine's
 * (blkback_uring.c, blkback_sync.c); parsing is blkback_req.c's.
 *
 * Invariants:
 * - The ring's indexes are ours (b->ring, private): sring->req_prod is
 *   read once per pass and checked before use; a value more than one ring
 *   ahead of rsp_prod_pvt, or behind req_cons, kills the ring for good.
 * - Every consumed request gets exactly one response, in completion order;
 *   so req_cons - rsp_prod_pvt (the requests in flight or just refused)
 *   never exceeds RING_SIZE and the RING_SIZE slots never run out.
 * - A request's grants are released before its response is written, and
 *   responses become visible only through RING_PUSH_RESPONSES_*.
 * - Responses are built whole in a zeroed buffer (XSA-216: no padding
 *   from our stack reaches the guest). */
#include "backends/blkback_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/log.h"

static void kill_ring(struct blkback *b, RING_IDX rp)
{
	b->dead = true;
	__atomic_store_n(&b->c.dead, true, __ATOMIC_RELAXED);
	log_warn(0,
		 "%s: frontend provided bogus ring requests (req_prod %u, "
		 "req_cons %u, rsp_prod %u, size %u): ring halted",
		 b->name, rp, b->ring.req_cons, b->ring.rsp_prod_pvt,
		 RING_SIZE(&b->ring));
	if (b->p.ring_dead)
		b->p.ring_dead(b->p.ctx);
}

/* Write a response at rsp_prod_pvt: built in a zeroed buffer so bytes 9
 * and 12-15 (padding) are zero, then copied whole into the slot. */
static void respond(struct blkback *b, uint64_t id, uint8_t op, int16_t st)
{
	uint8_t buf[sizeof(blkif_response_t)];

	memset(buf, 0, sizeof(buf));
	memcpy(buf + offsetof(blkif_response_t, id), &id, sizeof(id));
	memcpy(buf + offsetof(blkif_response_t, operation), &op, sizeof(op));
	memcpy(buf + offsetof(blkif_response_t, status), &st, sizeof(st));
	memcpy(RING_GET_RESPONSE(&b->ring, b->ring.rsp_prod_pvt), buf,
	       sizeof(buf));
	b->ring.rsp_prod_pvt++;
	b->push_pending = true;
	if (st != BLKIF_RSP_OKAY)
		blkback_count(&b->c.errors, 1);
}

static void refuse(struct blkback *b, const struct blkback_io *io, int rc)
{
	if (!b->logged_bad_request) {
		b->logged_bad_request = true;
		log_warn(-rc,
			 "%s: refused a request (operation %u); further "
			 "refusals are only counted",
			 b->name, io->operation);
	}
	respond(b, io->id, io->operation, blkback_status(rc));
}

static void finish(struct blkback *b, struct blkback_slot *s, int rc)
{
	blkback_io_release(&b->p, &s->io); /* before the response */
	if (rc && !b->logged_io_error) {
		b->logged_io_error = true;
		log_warn(-rc,
			 "%s: I/O failed (operation %u, sector %llu); "
			 "further failures are only counted",
			 b->name, s->io.operation,
			 (unsigned long long)s->io.sector);
	}
	respond(b, s->io.id, s->io.operation, blkback_status(rc));
	s->next = b->free;
	b->free = s;
	b->inflight--;
}

static void start_step(struct blkback *b, struct blkback_slot *s)
{
	s->done = 0;
	s->iov_first = 0;
	s->retries = 0;
	b->engine->submit(b, s);
}

/* Account n more bytes of the data step: skip whole iovecs, trim one. */
static void advance(struct blkback_slot *s, uint64_t n)
{
	struct blkback_io *io = &s->io;

	s->done += n;
	while (n && s->iov_first < io->nr_segs) {
		struct iovec *v = &io->iov[s->iov_first];

		if (n >= v->iov_len) {
			n -= v->iov_len;
			s->iov_first++;
		} else {
			v->iov_base = (uint8_t *)v->iov_base + n;
			v->iov_len -= n;
			n = 0;
		}
	}
}

/* A read hit the end of a file shorter than `sectors`: zero the rest. */
static void zero_rest(struct blkback_slot *s)
{
	for (unsigned i = s->iov_first; i < s->io.nr_segs; i++)
		memset(s->io.iov[i].iov_base, 0, s->io.iov[i].iov_len);
	s->iov_first = s->io.nr_segs;
	s->done = s->io.nr_sectors * BLKBACK_SECTOR;
}

void blkback_step_done(struct blkback *b, struct blkback_slot *s, int res)
{
	uint8_t step = s->io.steps[s->step];
	uint64_t total = s->io.nr_sectors * BLKBACK_SECTOR;

	if ((res == -EINTR || res == -EAGAIN) &&
	    s->retries++ < BLKBACK_MAX_RETRIES) {
		b->engine->submit(b, s);
		return;
	}
	if (res >= 0 &&
	    (step == BLKBACK_STEP_READ || step == BLKBACK_STEP_WRITE)) {
		if (res == 0 && step == BLKBACK_STEP_READ)
			zero_rest(s);
		else if (res == 0 || (uint64_t)res > total - s->done)
			res = -EIO; /* a write that makes no progress */
		else
			advance(s, (uint64_t)res);
		if (res >= 0 && s->done < total) {
			s->retries = 0;
			b->engine->submit(b, s);
			return;
		}
		if (res >= 0)
			blkback_count(step == BLKBACK_STEP_READ
					  ? &b->c.bytes_read
					  : &b->c.bytes_written,
				      total);
	}
	if (res < 0) {
		finish(b, s, res);
		return;
	}
	if (++s->step < s->io.nr_steps) {
		start_step(b, s);
		return;
	}
	finish(b, s, 0);
}

static void dispatch(struct blkback *b, const blkif_request_t *req)
{
	struct blkback_slot *s = b->free; /* never NULL: see the top */
	int rc;

	blkback_count(&b->c.requests, 1);
	rc = blkback_parse_request(&b->p, req, &s->io);
	if (rc) {
		refuse(b, &s->io, rc);
		return;
	}
	if (!s->io.nr_steps) {
		respond(b, s->io.id, s->io.operation, BLKIF_RSP_OKAY);
		return;
	}
	b->free = s->next;
	b->inflight++;
	s->step = 0;
	start_step(b, s);
}

static unsigned consume(struct blkback *b)
{
	RING_IDX rc = b->ring.req_cons, rp;
	blkif_request_t req;
	unsigned n = 0;

	rp = __atomic_load_n(&b->ring.sring->req_prod, __ATOMIC_RELAXED);
	xen_rmb(); /* see the requests up to rp */
	if (RING_REQUEST_PROD_OVERFLOW(&b->ring, rp) ||
	    rp - b->ring.rsp_prod_pvt < rc - b->ring.rsp_prod_pvt) {
		kill_ring(b, rp); /* too far ahead, or behind req_cons */
		return 0;
	}
	while (rc != rp && !RING_REQUEST_CONS_OVERFLOW(&b->ring, rc) &&
	       b->free) {
		RING_COPY_REQUEST(&b->ring, rc, &req);
		b->ring.req_cons = ++rc;
		__asm__ __volatile__("" ::: "memory"); /* only req from here */
		dispatch(b, &req);
		n++;
	}
	return n;
}

/* Watch req_prod, without asking for a kick, for up to poll_ns. True if a
 * request came or the engine has a completion to reap. */
static bool poll_ring(struct blkback *b)
{
	uint64_t end = clock_mono_ns() + b->poll.ns;

	for (unsigned i = 1;; i++) {
		if (__atomic_load_n(&b->ring.sring->req_prod,
				    __ATOMIC_RELAXED) != b->ring.req_cons) {
			blkback_count(&b->c.polled, 1);
			return true;
		}
		if (b->engine->io_ready && b->engine->io_ready(b))
			return true;
		__builtin_ia32_pause();
		if (i % 32 == 0 && clock_mono_ns() >= end)
			return false;
	}
}

unsigned blkback_serve(struct blkback *b, bool *more)
{
	unsigned n;
	int work;

	*more = false;
	if (b->stopping || b->dead)
		return 0;
	n = consume(b);
	if (b->dead)
		return n;
	/* Ask for a kick (req_event) only after a pass that found nothing:
	 * the frontend queues more while we do this pass's I/O, and the
	 * next pass takes them without the hypercall and the wakeup a kick
	 * costs. */
	if (n) {
		*more = true;
		return n;
	}
	/* Poll (backends/poll_window.h) before asking for a kick. The
	 * guest's next request follows our responses: push them first. */
	if (b->poll.ns && b->free) {
		blkback_push(b);
		if (poll_ring(b)) {
			*more = true;
			return 0;
		}
	}
	RING_FINAL_CHECK_FOR_REQUESTS(&b->ring, work);
	*more = work != 0;
	return n;
}

/* Interrupt moderation. Each notification costs the guest an upcall and,
 * under KVM, an IPI and an interrupt-window exit: with a 32-slot ring of
 * 128 KiB requests that is most of a request's cost once the frontend's
 * vCPU is the bottleneck. So while more of our own I/O is under way, a
 * notification the ring asked for waits until a quarter ring of responses
 * has gathered; with nothing else in flight it goes at once, and a lone
 * request never waits for another. */
void blkback_push(struct blkback *b)
{
	RING_IDX batch = RING_SIZE(&b->ring) / 4;
	int notify;

	if (b->push_pending) {
		b->push_pending = false;
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b->ring, notify);
		b->notify_owed |= notify;
	}
	if (!b->notify_owed ||
	    (b->inflight && b->ring.rsp_prod_pvt - b->notified_prod < batch))
		return;
	b->notify_owed = false;
	b->notified_prod = b->ring.rsp_prod_pvt;
	blkback_count(&b->c.notifies, 1);
	if (b->p.notify_guest && b->p.notify_guest(b->p.ctx) < 0 &&
	    !b->logged_notify) {
		b->logged_notify = true;
		log_warn(0, "%s: notifying the frontend failed", b->name);
	}
}

bool blkback_kicked(struct blkback *b, unsigned consumed)
{
	blkback_count(&b->c.kicks, 1);
	if (consumed) {
		b->empty_kicks = 0;
		return false;
	}
	if (++b->empty_kicks <= BLKBACK_STORM_KICKS)
		return false;
	blkback_count(&b->c.throttled, 1);
	return true;
}

int blkback_discard_now(struct blkback *b, const struct blkback_slot *s)
{
	uint64_t range[2] = {s->io.sector * BLKBACK_SECTOR,
			     s->io.nr_sectors * BLKBACK_SECTOR};

	if (b->is_blockdev) {
		if (ioctl(b->p.disk_fd, BLKDISCARD, range) < 0)
			return -errno;
		return 0;
	}
	if (fallocate(b->p.disk_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)range[0], (off_t)range[1]) < 0)
		return -errno;
	return 0;
}

static int check_params(const struct blkback_params *p)
{
	unsigned n = p->nr_ring_pages;

	if (!p->gnt || !p->ring || n == 0 || n > BLKBACK_MAX_RING_PAGES ||
	    (n & (n - 1)) || p->disk_fd < 0 ||
	    p->sectors > (uint64_t)INT64_MAX / BLKBACK_SECTOR ||
	    p->max_indirect_segments > BLKBACK_MAX_SEGMENTS)
		return -EINVAL;
	return 0;
}

static void destroy(struct blkback *b)
{
	if (!b)
		return;
	if (b->engine && b->engine->fini)
		b->engine->fini(b);
	if (b->stop_fd >= 0)
		close(b->stop_fd);
	free(b->slots);
	free(b);
}

/* Everything but the engine and the thread. */
static int create(struct blkback **out, const struct blkback_params *p)
{
	blkif_sring_t *sring = p->ring;
	struct blkback *b = NULL;
	RING_IDX rsp_prod, req_prod;
	struct stat st;
	unsigned size;
	int rc;

	rc = check_params(p);
	if (rc)
		goto out;
	rc = -ENOMEM;
	b = calloc(1, sizeof(*b));
	if (!b)
		goto out;
	b->stop_fd = -1;
	b->p = *p;
	snprintf(b->name, sizeof(b->name), "%s", p->name ? p->name : "vbd");
	b->p.name = b->name;
	b->is_blockdev = fstat(p->disk_fd, &st) == 0 && S_ISBLK(st.st_mode);
	/* As Linux's xen_blkif_map: attach where the frontend's responses
	 * stand, and refuse a ring whose requests already overflow it. */
	rsp_prod = __atomic_load_n(&sring->rsp_prod, __ATOMIC_RELAXED);
	req_prod = __atomic_load_n(&sring->req_prod, __ATOMIC_RELAXED);
	BACK_RING_ATTACH(&b->ring, sring, rsp_prod, 4096 * p->nr_ring_pages);
	size = RING_SIZE(&b->ring);
	if (req_prod - rsp_prod > size) {
		log_warn(0,
			 "%s: ring already overflowing (req_prod %u, "
			 "rsp_prod %u)",
			 b->name, req_prod, rsp_prod);
		rc = -EIO;
		goto out;
	}
	b->slots = calloc(size, sizeof(*b->slots));
	if (!b->slots)
		goto out;
	for (unsigned i = size; i-- > 0;) {
		b->slots[i].next = b->free;
		b->free = &b->slots[i];
	}
	*out = b;
	b = NULL;
	rc = 0;
out:
	destroy(b);
	return rc;
}

int blkback_create_sync(struct blkback **out, const struct blkback_params *p)
{
	int rc = create(out, p);

	if (rc == 0)
		(*out)->engine = &blkback_sync_engine;
	return rc;
}

int blkback_run_sync(struct blkback *b)
{
	unsigned total = 0;
	bool more;

	if (b->dead)
		return -EIO;
	/* Each pass with more work consumes at least one request unless the
	 * frontend rewinds req_prod under us: bound the passes anyway. */
	for (unsigned pass = 0; pass < 64; pass++) {
		total += blkback_serve(b, &more);
		blkback_sync_drain(b);
		blkback_push(b);
		if (!more)
			break;
	}
	return b->dead ? -EIO : (int)total;
}

static void *ring_thread(void *arg)
{
	struct blkback *b = arg;
	sigset_t all;

	sigfillset(&all); /* the monitor's signals are for vCPU threads */
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	b->engine->run(b);
	return NULL;
}

int blkback_start(struct blkback **out, const struct blkback_params *p)
{
	struct blkback *b = NULL;
	int rc;

	if (p->kick_fd < 0)
		return -EINVAL;
	rc = create(&b, p);
	if (rc)
		return rc;
	b->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (b->stop_fd < 0) {
		rc = -errno;
		goto out;
	}
	b->engine =
	    p->sync_engine ? &blkback_sync_engine : &blkback_uring_engine;
	rc = b->engine->init(b);
	if ((rc == -ENOSYS || rc == -EPERM) && !p->sync_engine) {
		log_warn(-rc,
			 "%s: io_uring unavailable, serving with "
			 "preadv/pwritev",
			 b->name);
		b->engine = &blkback_sync_engine;
		rc = b->engine->init(b);
	}
	if (rc) {
		b->engine = NULL;
		goto out;
	}
	rc = -pthread_create(&b->thread, NULL, ring_thread, b);
	if (rc)
		goto out;
	pthread_setname_np(b->thread, "blkback");
	b->threaded = true;
	*out = b;
	b = NULL;
out:
	destroy(b);
	return rc;
}

void blkback_stop(struct blkback *b)
{
	uint64_t one = 1;

	if (!b)
		return;
	if (b->threaded) {
		while (write(b->stop_fd, &one, sizeof(one)) < 0 &&
		       errno == EINTR)
			;
		pthread_join(b->thread, NULL);
	}
	destroy(b);
}

void blkback_get_stats(const struct blkback *b, struct blkback_stats *out)
{
	out->requests = __atomic_load_n(&b->c.requests, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&b->c.errors, __ATOMIC_RELAXED);
	out->bytes_read = __atomic_load_n(&b->c.bytes_read, __ATOMIC_RELAXED);
	out->bytes_written =
	    __atomic_load_n(&b->c.bytes_written, __ATOMIC_RELAXED);
	out->kicks = __atomic_load_n(&b->c.kicks, __ATOMIC_RELAXED);
	out->throttled = __atomic_load_n(&b->c.throttled, __ATOMIC_RELAXED);
	out->inline_writes =
	    __atomic_load_n(&b->c.inline_writes, __ATOMIC_RELAXED);
	out->polled = __atomic_load_n(&b->c.polled, __ATOMIC_RELAXED);
	out->notifies = __atomic_load_n(&b->c.notifies, __ATOMIC_RELAXED);
	out->dead = __atomic_load_n(&b->c.dead, __ATOMIC_RELAXED);
}
