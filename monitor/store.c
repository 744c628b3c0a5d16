/* monitor/store.c: see store.h.
 *
 * The guest's notifications (EVTCHNOP_send on the store port) signal the
 * kick eventfd inside KVM; xenstored's notifications on the notify eventfd
 * raise the port inside KVM through an irqfd. So once introduced, the
 * store ring runs between the guest and xenstored with no monitor thread. */
#include "monitor/store.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "hv/evtchn.h"
#include "monitor/xen_kvm.h"
#include "xenstore/xs.h"

int store_connect(struct domain *d, const char *socket, const char **why)
{
	struct xenstore_domain_interface *ring;
	const struct guestmem_region *r;
	struct xs_handle *xs = NULL;
	int kick = -1, notify = -1, rc;
	evtchn_port_t port;
	uint64_t gpa = GUESTMEM_STORE_PFN << 12, fd_page = 0;

	ring = guestmem_ptr(&d->mem, gpa, 4096);
	for (unsigned i = 0; i < d->mem.nr_regions; i++) {
		r = &d->mem.region[i];
		if (gpa >= r->gpa && gpa < r->gpa + r->size)
			fd_page = (r->fd_offset + (gpa - r->gpa)) >> 12;
	}
	if (!ring || !fd_page) {
		*why = "no store page in guest memory";
		return -EINVAL;
	}
	memset(ring, 0, 4096); /* connection = XENSTORE_CONNECTED */
	kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	notify = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (kick < 0 || notify < 0) {
		rc = -errno;
		*why = "cannot create the store eventfds";
		goto out;
	}
	rc = hv_evtchn_alloc_backend(d, 0, kick, &port);
	if (rc) {
		*why = "no free event channel for the store";
		goto out;
	}
	rc = xk_irqfd_evtchn(d, notify, port, 0);
	if (rc) {
		*why = "KVM refused the store event channel irqfd";
		goto out;
	}
	rc = xs_open(socket, &xs);
	if (rc) {
		*why = "cannot connect to xenstored";
		goto out;
	}
	/* xenstored maps the ring from the memfd at this page index. */
	rc = xs_introduce(xs, (uint16_t)d->domid, fd_page, port, d->mem.fd,
			  kick, notify);
	if (rc) {
		*why = "xenstored refused to introduce the domain";
		goto out;
	}
	d->hv.hvm_param[HVM_PARAM_STORE_PFN] = GUESTMEM_STORE_PFN;
	d->hv.hvm_param[HVM_PARAM_STORE_EVTCHN] = port;
	d->store_kick_fd = kick;
	kick = -1; /* the evtchn table refers to it for the domain's life */
	rc = 0;
out:
	if (xs)
		xs_close(xs);
	if (kick >= 0)
		close(kick);
	if (notify >= 0)
		close(notify); /* KVM's irqfd holds its own reference */
	return rc;
}
