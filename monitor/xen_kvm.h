/* The KVM Xen acceleration the monitor uses (KVM_XEN_HVM_SET_ATTR,
 * KVM_XEN_VCPU_SET_ATTR, KVM_XEN_HVM_EVTCHN_SEND). hv/ keeps the protocol
 * logic and calls these to tell KVM what it decided; unit tests and fuzzers
 * link a fake (hv/xen_kvm_fake.c) instead. All return 0 or a negative
 * errno. vCPU attributes are set on the vCPU's own thread (vcpu_run_on). */
#ifndef KXEN_MONITOR_XEN_KVM_H
#define KXEN_MONITOR_XEN_KVM_H

#include <stdint.h>

#include "monitor/domain.h"

int xk_set_shared_info(struct domain *d, uint64_t gfn);
int xk_set_callback_vector(struct domain *d, uint8_t vector);
/* Tell KVM v's Xen vcpu id. KVM 6.1 initialises it before the vCPU's index
 * is known, so every vCPU would be vcpu 0 to its timer and event code. */
int xk_set_vcpu_id(struct vcpu *v, uint32_t xen_vcpu_id);
int xk_set_vcpu_info(struct vcpu *v, uint64_t gpa);
int xk_set_vcpu_upcall_vector(struct vcpu *v, uint8_t vector);
int xk_set_runstate(struct vcpu *v, uint64_t gpa);
/* Arm (expires_ns != 0) or just bind the Xen timer of v to port. */
int xk_set_timer(struct vcpu *v, uint32_t port, uint64_t expires_ns);
/* Raise port on vcpu (2-level): pending bit, selector, upcall. */
int xk_evtchn_send(struct domain *d, uint32_t port, uint32_t vcpu);
/* Let KVM handle the guest's EVTCHNOP_send on port: loop back to the guest
 * (IPIs) or signal an eventfd (host backends). */
int xk_evtchn_loopback(struct domain *d, uint32_t port, uint32_t vcpu);
int xk_evtchn_eventfd(struct domain *d, uint32_t port, int fd);
int xk_evtchn_deassign(struct domain *d, uint32_t port);

/* Make every write to eventfd fd raise port on vcpu, inside KVM (an irqfd
 * routed as a Xen event channel): host backends notify the guest without
 * a monitor thread in between. Returns 0 or a negative errno. */
int xk_irqfd_evtchn(struct domain *d, int fd, uint32_t port, uint32_t vcpu);

/* Map monitor pages (an offset range of the guest memfd) at gfn. */
int xk_map_overlay(struct domain *d, unsigned slot, uint64_t gfn,
		   void *hva, uint64_t size);

#endif
