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

/* Connect a port the guest allocated unbound toward remote (the backend's
 * domain) to a host backend: guest sends signal notify_fd. This is Xen's
 * bind_interdomain seen from the backend. Returns 0 or -EINVAL (no such
 * unbound port offered to remote). */
int hv_evtchn_bind_backend(struct domain *d, evtchn_port_t port,
			   domid_t remote, int notify_fd)
	__attribute__((warn_unused_result));
/* Undo hv_evtchn_bind_backend: the port is unbound again, as in Xen when
 * the backend closes its end. Nothing happens if the guest closed it. */
void hv_evtchn_unbind_backend(struct domain *d, evtchn_port_t port,
			      int notify_fd);

/* Raise port in the guest. Returns 0 or a negative errno. */
int hv_evtchn_notify_guest(struct domain *d, evtchn_port_t port);

#endif
