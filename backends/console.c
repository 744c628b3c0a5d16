/* backends/console.c: see console.h.
 *
 * The guest spins on SCHEDOP_yield while its output ring is full, and
 * registering hvc0 replays the whole boot log (pvh-boot.md §9), so output is
 * drained on every notification and on a short timer as a backstop. Ring
 * indexes are read once, validated (prod - cons must fit the buffer, as
 * the guest's own "Illegal ring page indices" check), then used. */
#include "backends/console.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <xen/io/console.h>

#define POLL_BACKSTOP_MS 50

int consback_drain_output(struct xencons_interface *ring, int out_fd)
{
	XENCONS_RING_IDX cons, prod;
	char buf[sizeof(ring->out)];
	size_t n = 0;
	ssize_t r;

	cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&ring->out_prod, __ATOMIC_ACQUIRE);
	if (prod - cons > sizeof(ring->out))
		return -EPROTO;
	while (cons != prod)
		buf[n++] = ring->out[MASK_XENCONS_IDX(cons++, ring->out)];
	__atomic_store_n(&ring->out_cons, cons, __ATOMIC_RELEASE);
	for (size_t off = 0; off < n; off += (size_t)r) {
		r = write(out_fd, buf + off, n - off);
		if (r <= 0)
			break; /* output gone: the guest must not stall on it */
	}
	return (int)n;
}

int consback_queue_input(struct xencons_interface *ring, const uint8_t *buf,
			 size_t len)
{
	XENCONS_RING_IDX cons, prod;
	size_t n = 0;

	cons = __atomic_load_n(&ring->in_cons, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&ring->in_prod, __ATOMIC_ACQUIRE);
	if (prod - cons > sizeof(ring->in))
		return -EPROTO;
	while (n < len && prod - cons < sizeof(ring->in))
		ring->in[MASK_XENCONS_IDX(prod++, ring->in)] = (char)buf[n++];
	__atomic_store_n(&ring->in_prod, prod, __ATOMIC_RELEASE);
	return (int)n;
}

/* Read what the user typed and pass it on; returns 0, or -1 when input
 * has ended (the console keeps serving output). */
static int forward_input(struct consback *c)
{
	uint8_t buf[256];
	ssize_t r = read(c->p.in_fd, buf, sizeof(buf));
	size_t off = 0;

	if (r <= 0)
		return -1;
	if (c->p.on_escape && memchr(buf, 0x1d, (size_t)r)) {
		c->p.on_escape(c->p.ctx);
		return -1;
	}
	/* A full input ring drops the rest, as a terminal would. */
	while (off < (size_t)r) {
		int n = consback_queue_input(c->p.ring, buf + off, (size_t)r - off);

		if (n <= 0)
			break;
		off += (size_t)n;
		c->p.notify_guest(c->p.ctx);
	}
	return 0;
}

static void *consback_thread(void *arg)
{
	struct consback *c = arg;
	struct pollfd fds[3] = {
		{ .fd = c->p.guest_kick_fd, .events = POLLIN },
		{ .fd = c->stop_fd, .events = POLLIN },
		{ .fd = c->p.in_fd, .events = POLLIN },
	};
	uint64_t cnt;
	ssize_t r;

	for (;;) {
		int n = poll(fds, c->p.in_fd >= 0 ? 3 : 2, POLL_BACKSTOP_MS);

		if (n < 0 && errno != EINTR)
			break;
		if (fds[0].revents & POLLIN)
			r = read(c->p.guest_kick_fd, &cnt, sizeof(cnt));
		int moved = consback_drain_output(c->p.ring, c->p.out_fd);
		if (moved < 0)
			c->ring_errors++;
		else if (moved > 0)
			c->p.notify_guest(c->p.ctx); /* room for more output */
		if (fds[1].revents & POLLIN)
			break;
		if ((fds[2].revents & (POLLIN | POLLHUP)) && forward_input(c))
			fds[2].fd = -1;
	}
	(void)r;
	consback_drain_output(c->p.ring, c->p.out_fd);
	return NULL;
}

int consback_start(struct consback *c, const struct consback_params *p)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->p = *p;
	c->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (c->stop_fd < 0)
		return -errno;
	r = pthread_create(&c->thread, NULL, consback_thread, c);
	if (r) {
		close(c->stop_fd);
		return -r;
	}
	c->running = 1;
	return 0;
}

void consback_stop(struct consback *c)
{
	uint64_t one = 1;
	ssize_t r;

	if (!c->running)
		return;
	r = write(c->stop_fd, &one, sizeof(one));
	(void)r;
	pthread_join(c->thread, NULL);
	close(c->stop_fd);
	c->running = 0;
}
