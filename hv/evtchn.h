/* Event channels as the host side (console, xenstored, backends) uses them. */
#ifndef KXEN_HV_EVTCHN_H
#define KXEN_HV_EVTCHN_H

#include "monitor/domain.h"

/* Allocate a port connected to a host-side backend in domain remote
 * (normally 0). Guest sends on it signal notify_fd (an eventfd). Returns 0
 * or a negative errno. */
int hv_evtchn_alloc_backend(struct domain *d, domid_t remote, int notify_fd,
			    evtchn_port_t *port)
	__attribute__((warn_unused_result));

/* Raise port in the guest. Returns 0 or a negative errno. */
int hv_evtchn_notify_guest(struct domain *d, evtchn_port_t port);

#endif
