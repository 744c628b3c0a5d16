/* Periodic vCPU timers, served by a monitor thread (hv/timer.c). */
#ifndef KXEN_HV_TIMER_H
#define KXEN_HV_TIMER_H

#include <stdint.h>

#include "monitor/domain.h"

/* Raise t's VIRQ_TIMER every period_ns (0 stops it). Xen's bounds: at
 * least 1 ms. Returns 0 or a negative Xen errno. */
int hv_periodic_set(struct vcpu *t, uint64_t period_ns);
/* Stop the periodic timer thread and free its fds. */
void hv_timer_fini(struct domain *d);

#endif
