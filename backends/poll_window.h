/* backends/poll_window.h: how long a ring thread polls the ring for the
 * guest's next request before it asks for a kick (req_event) and sleeps.
 *
 * A kick is a guest exit (under nested virtualization without next-RIP
 * save also an instruction decode) plus the ring thread's wakeup. While
 * the guest keeps its queue busy, the next request comes soon after the
 * last responses, and polling catches it for free; QEMU's iothreads poll
 * the same way. The window doubles (from POLL_WINDOW_MIN_NS, up to max_ns)
 * when a sleep ended within max_ns, so a longer poll would have seen what
 * woke it, and halves (to 0: no polling) after a longer sleep: a busy
 * guest is polled, an idle one costs a few short polls and then none. */
#ifndef KXEN_BACKENDS_POLL_WINDOW_H
#define KXEN_BACKENDS_POLL_WINDOW_H

#include <stdint.h>

#define POLL_WINDOW_MIN_NS 10000u
#define POLL_WINDOW_MAX_NS 500000u

struct poll_window {
	uint64_t ns;	 /* the current window; 0: do not poll */
	uint64_t max_ns; /* 0: polling is off */
};

/* The ring thread slept slept_ns after asking for a kick. */
void poll_window_slept(struct poll_window *w, uint64_t slept_ns);

#endif
