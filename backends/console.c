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
#include <sys/socket.h>
#include <unistd.h>
#include <xen/io/console.h>

#define POLL_BACKSTOP_MS 50

int consback_drain_output(struct xencons_interface *ring, char *buf)
{
	XENCONS_RING_IDX cons, prod;
	size_t n = 0;

	cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(&ring->out_prod, __ATOMIC_ACQUIRE);
	if (prod - cons > sizeof(ring->out))
		return -EPROTO;
	while (cons != prod)
		buf[n++] = ring->out[MASK_XENCONS_IDX(cons++, ring->out)];
	__atomic_store_n(&ring->out_cons, cons, __ATOMIC_RELEASE);
	return (int)n;
}

/* Write all of buf to fd, or give up: a slow or vanished reader must not
 * stall the guest. Returns 0, or -1 if fd failed. */
static int write_all(int fd, const char *buf, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t r = write(fd, buf + off, n - off);

		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

static void drop_client(struct consback *c)
{
	if (c->client_fd >= 0)
		close(c->client_fd);
	c->client_fd = -1;
}

/* Send the guest's output everywhere it goes. */
static void emit(struct consback *c, const char *buf, size_t n)
{
	if (c->p.out_fd >= 0)
		write_all(c->p.out_fd, buf, n);
	if (c->p.log_fd >= 0)
		write_all(c->p.log_fd, buf, n);
	if (c->client_fd >= 0 && write_all(c->client_fd, buf, n))
		drop_client(c);
	for (size_t i = 0; i < n; i++)
		c->replay[c->replay_len++ % CONSBACK_REPLAY] = buf[i];
}

static void accept_client(struct consback *c)
{
	int fd = accept4(c->p.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	uint64_t len = c->replay_len, start;

	if (fd < 0)
		return;
	drop_client(c);
	c->client_fd = fd;
	/* Replay the recent output, oldest first. */
	start = len > CONSBACK_REPLAY ? len - CONSBACK_REPLAY : 0;
	for (uint64_t i = start; i < len && c->client_fd >= 0;) {
		size_t off = (size_t)(i % CONSBACK_REPLAY);
		size_t chunk = CONSBACK_REPLAY - off;

		if (chunk > len - i)
			chunk = (size_t)(len - i);
		if (write_all(c->client_fd, c->replay + off, chunk))
			drop_client(c);
		i += chunk;
	}
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

/* Read what the user typed on fd and pass it on; returns 0, or -1 when
 * input has ended (the console keeps serving output). */
static int forward_input(struct consback *c, int fd)
{
	uint8_t buf[256];
	ssize_t r = read(fd, buf, sizeof(buf));
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

/* Drain the guest's output and pass it on; returns bytes moved. */
static int drain(struct consback *c)
{
	char buf[2048];
	int moved = consback_drain_output(c->p.ring, buf);

	if (moved < 0) {
		c->ring_errors++;
		return 0;
	}
	if (moved > 0) {
		emit(c, buf, (size_t)moved);
		c->p.notify_guest(c->p.ctx); /* room for more output */
	}
	return moved;
}

static void *consback_thread(void *arg)
{
	struct consback *c = arg;
	struct pollfd fds[5];
	int in_fd = c->p.in_fd;
	uint64_t cnt;
	ssize_t r;

	for (;;) {
		fds[0] = (struct pollfd){ .fd = c->p.guest_kick_fd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = c->stop_fd, .events = POLLIN };
		fds[2] = (struct pollfd){ .fd = in_fd, .events = POLLIN };
		fds[3] = (struct pollfd){ .fd = c->p.listen_fd, .events = POLLIN };
		fds[4] = (struct pollfd){ .fd = c->client_fd, .events = POLLIN };
		if (poll(fds, 5, POLL_BACKSTOP_MS) < 0 && errno != EINTR)
			break;
		if (fds[0].revents & POLLIN)
			r = read(c->p.guest_kick_fd, &cnt, sizeof(cnt));
		drain(c);
		if (fds[1].revents & POLLIN)
			break;
		if ((fds[2].revents & (POLLIN | POLLHUP)) && forward_input(c, in_fd))
			in_fd = -1;
		if (fds[3].revents & POLLIN)
			accept_client(c);
		if (c->client_fd >= 0 && fds[4].fd == c->client_fd &&
		    (fds[4].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    forward_input(c, c->client_fd))
			drop_client(c);
	}
	(void)r;
	while (drain(c) > 0)
		;
	drop_client(c);
	return NULL;
}

int consback_start(struct consback *c, const struct consback_params *p)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->p = *p;
	c->client_fd = -1;
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
