/* lib/clock.h: CLOCK_MONOTONIC in nanoseconds, for timers and windows. */
#ifndef KXEN_LIB_CLOCK_H
#define KXEN_LIB_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
