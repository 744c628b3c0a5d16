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
	int out_fd; /* the guest's output goes here; -1 for none */
	int log_fd; /* and is appended here; -1 for none */
	/* A listening Unix socket: each client that connects gets the recent
	 * output replayed, then the live console both ways; a new client
	 * replaces the old one (like `xl console`). -1 for none. */
	int listen_fd;
	/* Called (from the console thread) when the user types the escape
	 * character 0x1d (Ctrl-]) on a terminal; NULL to pass it through. */
	void (*on_escape)(void *ctx);
};

#define CONSBACK_REPLAY 16384

struct consback {
	struct consback_params p;
	pthread_t thread;
	int stop_fd; /* eventfd: ask the thread to drain and stop */
	int running;
	int client_fd; /* the socket client, -1 none */
	uint64_t ring_errors;
	char replay[CONSBACK_REPLAY]; /* the last output, for new clients */
	uint64_t replay_len;          /* bytes ever written to replay */
};

/* Start serving. Returns 0 or a negative errno. */
int consback_start(struct consback *c, const struct consback_params *p)
	__attribute__((warn_unused_result));
/* Drain what the guest wrote, then stop the thread. */
void consback_stop(struct consback *c);

/* Move what the guest wrote out of the ring into buf (room for the whole
 * out ring, 2048 bytes); returns the number of bytes moved, or -EPROTO for
 * corrupt indexes (nothing moved). Exposed for unit tests and fuzzing. */
int consback_drain_output(struct xencons_interface *ring, char *buf);
/* Copy up to len bytes into the guest's input ring; returns bytes queued
 * or -EPROTO. */
int consback_queue_input(struct xencons_interface *ring, const uint8_t *buf,
			 size_t len);

#endif
