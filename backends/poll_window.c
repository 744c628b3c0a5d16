/* backends/poll_window.c: the adaptive poll window (see the header). */
#include "backends/poll_window.h"

void poll_window_slept(struct poll_window *w, uint64_t slept_ns)
{
	if (!w->max_ns)
		return;
	if (slept_ns <= w->max_ns) {
		w->ns = w->ns ? w->ns * 2 : POLL_WINDOW_MIN_NS;
		if (w->ns > w->max_ns)
			w->ns = w->max_ns;
	} else {
		w->ns /= 2;
		if (w->ns < POLL_WINDOW_MIN_NS)
			w->ns = 0;
	}
}
