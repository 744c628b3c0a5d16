/* The guest's XenStore ring: Xen's special store page, an event channel,
 * and the handover of both to xenstored (xs_introduce with the guest memfd
 * and two eventfds, see xenstore/xs.h). */
#ifndef KXEN_MONITOR_STORE_H
#define KXEN_MONITOR_STORE_H

#include "monitor/domain.h"

/* Set up the ring and introduce the domain to the xenstored listening on
 * socket. On success the guest finds the ring through HVM_PARAM_STORE_PFN
 * and HVM_PARAM_STORE_EVTCHN. Returns 0 or a negative errno, with *why set. */
int store_connect(struct domain *d, const char *socket, const char **why)
	__attribute__((warn_unused_result));

#endif
