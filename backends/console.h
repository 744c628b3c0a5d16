/* The console backend: serves a guest's Xen console ring (hvc0), the
 * xencons_interface page, on a pair of host file descriptors. It knows
 * nothing of KVM or the monitor: it gets the ring page, an eventfd the
 * guest's notifications arrive on, and a callback to notify the guest. */
#ifndef KXEN_BACKENDS_CONSOLE_H
#define KXEN_BACKENDS_CONSOLE_H

#include <pthread.h>
#include <stdint.h>

struct xencons_interface;

struct consback_params {
	struct xencons_interface *ring; /* the shared page */
	int guest_kick_fd;              /* eventfd: the guest notified us */
	int (*notify_guest)(void *ctx); /* raise the console port */
	void *ctx;
	int in_fd;  /* bytes for the guest's input; -1 for none */
	int out_fd; /* the guest's output goes here */
	/* Called (from the console thread) when the user types the escape
	 * character 0x1d (Ctrl-]) on a terminal; NULL to pass it through. */
	void (*on_escape)(void *ctx);
};

struct consback {
	struct consback_params p;
	pthread_t thread;
	int stop_fd; /* eventfd: ask the thread to drain and stop */
	int running;
	uint64_t ring_errors;
};

/* Start serving. Returns 0 or a negative errno. */
int consback_start(struct consback *c, const struct consback_params *p)
	__attribute__((warn_unused_result));
/* Drain what the guest wrote, then stop the thread. */
void consback_stop(struct consback *c);

/* Move what the guest wrote out of the ring to out_fd; returns the number
 * of bytes moved, or -EPROTO for corrupt indexes (nothing moved). Exposed
 * for unit tests and fuzzing. */
int consback_drain_output(struct xencons_interface *ring, int out_fd);
/* Copy up to len bytes into the guest's input ring; returns bytes queued
 * or -EPROTO. */
int consback_queue_input(struct xencons_interface *ring, const uint8_t *buf,
			 size_t len);

#endif
