/* The monitor's control socket, how xend drives a running domain (see
 * monitor/README.md "Control socket"): newline-delimited JSON requests
 * {"op":"info"|"pause"|"unpause"|"destroy"}, one reply line each. */
#ifndef KXEN_MONITOR_CTL_H
#define KXEN_MONITOR_CTL_H

#include <signal.h>

#include "monitor/domain.h"

struct ctl_info {
	const char *name;
	unsigned vcpus;
	uint64_t memory_kib;
};

/* Answer one request line; returns a malloc'd reply line (with '\n'). */
char *ctl_handle(struct domain *d, const struct ctl_info *info,
		 const char *line, size_t len);

/* Serve listen_fd (may be -1) until the domain shuts down; the signals in
 * stop destroy the domain. Runs on the main thread. */
void ctl_serve(struct domain *d, const struct ctl_info *info, int listen_fd,
	       const sigset_t *stop);

/* Create a listening Unix socket at path (0600), replacing a stale one.
 * Returns the fd or a negative errno. */
int ctl_listen(const char *path);

#endif
