/* The domain's split-driver backends: blkback and netback behind the
 * XenBus handshake (backends/xenbus_be.h), with what they need from the
 * monitor: the grant table, guest event channels, and ring pages. */
#ifndef KXEN_MONITOR_DEVICES_H
#define KXEN_MONITOR_DEVICES_H

#include <stdint.h>

#include "backends/gnttab.h"
#include "backends/xenbus_be.h"
#include "monitor/domain.h"

struct devices {
	struct domain *d;
	struct gnttab_view gnt;
	struct xenbus_be *xenbus;
	const char *xs_socket; /* for the hotplug scripts */
};

/* Start serving the devices the toolstack lists for d in XenStore.
 * Returns 0 or a negative errno with *why set. */
int devices_start(struct devices *devs, struct domain *d,
		  const char *xs_socket, const char **why)
	__attribute__((warn_unused_result));
/* Close every device: in-flight I/O is answered and flushed first. */
void devices_stop(struct devices *devs);

/* For the device files (dev_vbd.c, dev_vif.c). */

/* The pages the frontend granted us for a shared ring (one, or up to
 * DEV_RING_MAX_PAGES for blkif's ring-page-order), kept mapped and marked
 * in use while connected. Several pages are made contiguous by mapping
 * their memfd pages side by side. */
#define DEV_RING_MAX_PAGES 16
struct dev_ring {
	uint32_t ref[DEV_RING_MAX_PAGES];
	unsigned nr_pages; /* 0 when not mapped */
	void *page;	   /* the ring, nr_pages long; NULL when not mapped */
	void *alias;	   /* our side-by-side view when nr_pages > 1 */
};
int dev_ring_map(struct devices *devs, struct dev_ring *r, uint32_t ref);
int dev_ring_map_pages(struct devices *devs, struct dev_ring *r,
		       const uint32_t *refs, unsigned n);
void dev_ring_unmap(struct devices *devs, struct dev_ring *r);

/* The backend's end of an event channel the frontend allocated. */
struct dev_evtchn {
	struct domain *d;
	uint32_t port; /* 0 when not bound */
	int kick_fd;   /* eventfd the guest's sends signal; -1 none */
};
int dev_evtchn_bind(struct devices *devs, struct dev_evtchn *e,
		    uint32_t port);
void dev_evtchn_unbind(struct dev_evtchn *e);
/* notify_guest callback for backends: ctx is a struct dev_evtchn. */
int dev_evtchn_notify(void *ctx);

/* Run a hotplug script as Xen's udev rules do: `script action` with
 * XENBUS_PATH (the backend directory), XENSTORED_PATH and var=val
 * ("vif"=tap name; NULL for none). 0 if it exited 0; otherwise the error
 * is on the backend's error node. Blocks the xenbus thread meanwhile. */
int dev_run_script(struct xenbus_be_dev *dev, const char *script,
		   const char *action, const char *var, const char *val);

extern const struct xenbus_be_ops dev_vbd_ops;
extern const struct xenbus_be_ops dev_vif_ops;

#endif
