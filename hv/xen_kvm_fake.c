/* hv/xen_kvm_fake.c: see xen_kvm_fake.h. */
#include "hv/xen_kvm_fake.h"

#include <string.h>

#include "hv/xen.h"
#include "monitor/xen_kvm.h"

struct xk_fake_log xk_fake;

void xk_fake_reset(void)
{
	memset(&xk_fake, 0, sizeof(xk_fake));
}

int xk_set_shared_info(struct domain *d, uint64_t gfn)
{
	(void)d;
	xk_fake.shared_info_gfn = gfn;
	return xk_fake.fail;
}

int xk_set_callback_vector(struct domain *d, uint8_t vector)
{
	(void)d;
	xk_fake.callback_vector = vector;
	return xk_fake.fail;
}

int xk_set_vcpu_id(struct vcpu *v, uint32_t xen_vcpu_id)
{
	(void)v;
	(void)xen_vcpu_id;
	return xk_fake.fail;
}

int xk_set_vcpu_info(struct vcpu *v, uint64_t gpa)
{
	xk_fake.vcpu_info_gpa[v->id % 32] = gpa;
	return xk_fake.fail;
}

int xk_set_vcpu_upcall_vector(struct vcpu *v, uint8_t vector)
{
	xk_fake.vcpu_vector[v->id % 32] = vector;
	return xk_fake.fail;
}

int xk_set_runstate(struct vcpu *v, uint64_t gpa)
{
	(void)v;
	(void)gpa;
	return xk_fake.fail;
}

int xk_set_timer(struct vcpu *v, uint32_t port, uint64_t expires_ns)
{
	xk_fake.timer_port[v->id % 32] = port;
	xk_fake.timer_expires[v->id % 32] = expires_ns;
	return xk_fake.fail;
}

/* What KVM's kvm_xen_set_evtchn_fast does with a 2-level port. */
int xk_evtchn_send(struct domain *d, uint32_t port, uint32_t vcpu)
{
	struct shared_info *si;

	xk_fake.sends++;
	xk_fake.last_send_port = port;
	xk_fake.last_send_vcpu = vcpu;
	if (xk_fake.fail)
		return xk_fake.fail;
	if (d->hv.shared_info_gfn == ~0ull || port >= 4096)
		return 0;
	si = guestmem_ram_ptr(&d->mem, d->hv.shared_info_gfn << 12, sizeof(*si));
	if (!si)
		return 0;
	si->evtchn_pending[port / 64] |= 1ull << (port % 64);
	return 0;
}

int xk_evtchn_loopback(struct domain *d, uint32_t port, uint32_t vcpu)
{
	(void)d;
	(void)port;
	(void)vcpu;
	xk_fake.loopbacks++;
	return xk_fake.fail;
}

int xk_evtchn_eventfd(struct domain *d, uint32_t port, int fd)
{
	(void)d;
	(void)port;
	(void)fd;
	xk_fake.eventfds++;
	return xk_fake.fail;
}

int xk_evtchn_deassign(struct domain *d, uint32_t port)
{
	(void)d;
	(void)port;
	xk_fake.deassigns++;
	return xk_fake.fail;
}

int xk_irqfd_evtchn(struct domain *d, int fd, uint32_t port, uint32_t vcpu)
{
	(void)d;
	(void)fd;
	(void)port;
	(void)vcpu;
	return xk_fake.fail;
}

int xk_map_overlay(struct domain *d, unsigned slot, uint64_t gfn, void *hva,
		   uint64_t size)
{
	(void)d;
	(void)slot;
	(void)gfn;
	(void)hva;
	(void)size;
	xk_fake.overlays++;
	return xk_fake.fail;
}
