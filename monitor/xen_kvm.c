/* monitor/xen_kvm.c: see xen_kvm.h. Thin by design: each function is one
 * ioctl, so what KVM is asked to do is visible from hv/. */
#include "monitor/xen_kvm.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hv/xen.h"
#include "monitor/vcpu.h"

static int vm_attr(struct domain *d, struct kvm_xen_hvm_attr *a)
{
	return ioctl(d->vm_fd, KVM_XEN_HVM_SET_ATTR, a) < 0 ? -errno : 0;
}

static int vcpu_attr_fn(struct vcpu *v, void *arg)
{
	return ioctl(v->fd, KVM_XEN_VCPU_SET_ATTR, arg) < 0 ? -errno : 0;
}

static int vcpu_attr(struct vcpu *v, struct kvm_xen_vcpu_attr *a)
{
	return vcpu_run_on(v, vcpu_attr_fn, a);
}

int xk_set_shared_info(struct domain *d, uint64_t gfn)
{
	struct kvm_xen_hvm_attr a = { .type = KVM_XEN_ATTR_TYPE_SHARED_INFO };

	a.u.shared_info.gfn = gfn;
	return vm_attr(d, &a);
}

int xk_set_callback_vector(struct domain *d, uint8_t vector)
{
	struct kvm_xen_hvm_attr a = { .type = KVM_XEN_ATTR_TYPE_UPCALL_VECTOR };

	a.u.vector = vector;
	return vm_attr(d, &a);
}

int xk_set_vcpu_id(struct vcpu *v, uint32_t xen_vcpu_id)
{
	struct kvm_xen_vcpu_attr a = { .type = KVM_XEN_VCPU_ATTR_TYPE_VCPU_ID };

	a.u.vcpu_id = xen_vcpu_id;
	return vcpu_attr(v, &a);
}

int xk_set_vcpu_info(struct vcpu *v, uint64_t gpa)
{
	struct kvm_xen_vcpu_attr a = { .type = KVM_XEN_VCPU_ATTR_TYPE_VCPU_INFO };

	a.u.gpa = gpa;
	return vcpu_attr(v, &a);
}

int xk_set_vcpu_upcall_vector(struct vcpu *v, uint8_t vector)
{
	struct kvm_xen_vcpu_attr a = { .type = KVM_XEN_VCPU_ATTR_TYPE_UPCALL_VECTOR };

	a.u.vector = vector;
	return vcpu_attr(v, &a);
}

int xk_set_runstate(struct vcpu *v, uint64_t gpa)
{
	struct kvm_xen_vcpu_attr a = { .type = KVM_XEN_VCPU_ATTR_TYPE_RUNSTATE_ADDR };

	a.u.gpa = gpa;
	return vcpu_attr(v, &a);
}

int xk_set_timer(struct vcpu *v, uint32_t port, uint64_t expires_ns)
{
	struct kvm_xen_vcpu_attr a = { .type = KVM_XEN_VCPU_ATTR_TYPE_TIMER };

	a.u.timer.port = port;
	a.u.timer.priority = KVM_IRQ_ROUTING_XEN_EVTCHN_PRIO_2LEVEL;
	a.u.timer.expires_ns = expires_ns;
	return vcpu_attr(v, &a);
}

int xk_evtchn_send(struct domain *d, uint32_t port, uint32_t vcpu)
{
	struct kvm_irq_routing_xen_evtchn e = {
		.port = port,
		.vcpu = vcpu,
		.priority = KVM_IRQ_ROUTING_XEN_EVTCHN_PRIO_2LEVEL,
	};

	return ioctl(d->vm_fd, KVM_XEN_HVM_EVTCHN_SEND, &e) < 0 ? -errno : 0;
}

int xk_evtchn_loopback(struct domain *d, uint32_t port, uint32_t vcpu)
{
	struct kvm_xen_hvm_attr a = { .type = KVM_XEN_ATTR_TYPE_EVTCHN };

	a.u.evtchn.send_port = port;
	a.u.evtchn.type = EVTCHNSTAT_ipi;
	a.u.evtchn.deliver.port.port = port;
	a.u.evtchn.deliver.port.vcpu = vcpu;
	a.u.evtchn.deliver.port.priority = KVM_IRQ_ROUTING_XEN_EVTCHN_PRIO_2LEVEL;
	return vm_attr(d, &a);
}

int xk_evtchn_eventfd(struct domain *d, uint32_t port, int fd)
{
	struct kvm_xen_hvm_attr a = { .type = KVM_XEN_ATTR_TYPE_EVTCHN };

	a.u.evtchn.send_port = port;
	a.u.evtchn.type = EVTCHNSTAT_interdomain;
	a.u.evtchn.deliver.eventfd.port = 0;
	a.u.evtchn.deliver.eventfd.fd = fd;
	return vm_attr(d, &a);
}

int xk_evtchn_deassign(struct domain *d, uint32_t port)
{
	struct kvm_xen_hvm_attr a = { .type = KVM_XEN_ATTR_TYPE_EVTCHN };

	a.u.evtchn.send_port = port;
	a.u.evtchn.flags = KVM_XEN_EVTCHN_DEASSIGN;
	return vm_attr(d, &a);
}

/* GSI routes are replaced as a whole table, so the domain keeps them. */
#define XK_MAX_ROUTES 64

int xk_irqfd_evtchn(struct domain *d, int fd, uint32_t port, uint32_t vcpu)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[XK_MAX_ROUTES];
	} table;
	struct kvm_irqfd irqfd = { .fd = (uint32_t)fd };
	unsigned n = d->nr_evtchn_routes;

	if (n >= XK_MAX_ROUTES)
		return -ENOSPC;
	memset(&table, 0, sizeof(table));
	for (unsigned i = 0; i <= n; i++) {
		struct kvm_irq_routing_entry *e = &table.e[i];
		const struct domain_evtchn_route *r =
			i < n ? &d->evtchn_route[i]
			      : &(struct domain_evtchn_route){ port, vcpu };

		e->gsi = i;
		e->type = KVM_IRQ_ROUTING_XEN_EVTCHN;
		e->u.xen_evtchn.port = r->port;
		e->u.xen_evtchn.vcpu = r->vcpu;
		e->u.xen_evtchn.priority = KVM_IRQ_ROUTING_XEN_EVTCHN_PRIO_2LEVEL;
	}
	table.hdr.nr = n + 1;
	if (ioctl(d->vm_fd, KVM_SET_GSI_ROUTING, &table) < 0)
		return -errno;
	irqfd.gsi = n;
	if (ioctl(d->vm_fd, KVM_IRQFD, &irqfd) < 0)
		return -errno;
	d->evtchn_route[n].port = port;
	d->evtchn_route[n].vcpu = vcpu;
	d->nr_evtchn_routes = n + 1;
	return 0;
}

int xk_map_overlay(struct domain *d, unsigned slot, uint64_t gfn, void *hva,
		   uint64_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gfn << 12,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(d->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? -errno : 0;
}
