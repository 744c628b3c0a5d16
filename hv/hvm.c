/* hv/hvm.c: hvm_op. HVM parameters (where the console and XenStore rings
 * are, how events are delivered) and the per-vCPU upcall vector. */
#include "hv/hv_internal.h"

#include "lib/log.h"
#include "monitor/xen_kvm.h"

static int self(struct vcpu *v, domid_t dom)
{
	return dom == DOMID_SELF || dom == v->d->domid;
}

static long hvmop_set_param(struct vcpu *v, void *arg)
{
	const struct xen_hvm_param *p = arg;
	struct domain *d = v->d;
	uint64_t type;

	if (!self(v, p->domid))
		return -XEN_EPERM;
	if (p->index >= HV_HVM_NR_PARAMS)
		return -XEN_EINVAL;
	switch (p->index) {
	case HVM_PARAM_CALLBACK_IRQ:
		type = p->value >> 56;
		if (type == HVM_PARAM_CALLBACK_TYPE_VECTOR) {
			uint8_t vector = p->value & 0xff;

			if (vector < 0x10 || xk_set_callback_vector(d, vector))
				return -XEN_EINVAL;
			if (d->hv.callback_vector != vector)
				log_info("events: global callback vector 0x%x",
					 vector);
			d->hv.callback_vector = vector;
		}
		/* A GSI callback (Linux writes 1 after per-vCPU vectors) is
		 * accepted and ignored: there is no IOAPIC to route it
		 * through, as Xen ignores it without a vIOAPIC. */
		d->hv.hvm_param[p->index] = p->value;
		return 0;
	case HVM_PARAM_TIMER_MODE:
		d->hv.hvm_param[p->index] = p->value;
		return 0;
	default:
		/* Ring locations and the like are the toolstack's. */
		return -XEN_EPERM;
	}
}

static long hvmop_get_param(struct vcpu *v, void *arg)
{
	struct xen_hvm_param *p = arg;

	if (!self(v, p->domid))
		return -XEN_EPERM;
	if (p->index >= HV_HVM_NR_PARAMS)
		return -XEN_EINVAL;
	p->value = v->d->hv.hvm_param[p->index];
	return 0;
}

static long hvmop_set_evtchn_upcall_vector(struct vcpu *v, void *arg)
{
	const struct xen_hvm_evtchn_upcall_vector *u = arg;
	struct vcpu *t;

	if (u->vector < 0x10)
		return -XEN_EINVAL;
	if (u->vcpu >= v->d->nr_vcpus)
		return -XEN_ENOENT;
	t = &v->d->vcpu[u->vcpu];
	if (xk_set_vcpu_upcall_vector(t, u->vector)) {
		log_error(0, "vcpu%u: KVM refused upcall vector 0x%x", t->id,
			  u->vector);
		return -XEN_EINVAL;
	}
	if (t->hv.upcall_vector != u->vector)
		log_info("events: vcpu%u upcall vector 0x%x", t->id, u->vector);
	t->hv.upcall_vector = u->vector;
	return 0;
}

static const struct hv_subop hvmop_table[] = {
	[HVMOP_set_param] = { "set_param", sizeof(struct xen_hvm_param), false,
			      hvmop_set_param },
	[HVMOP_get_param] = { "get_param", sizeof(struct xen_hvm_param), true,
			      hvmop_get_param },
	/* HVMOP_pagetable_dying stays -ENOSYS, as QEMU answers: otherwise
	 * every process exit costs a hypercall (pvh-boot.md §6). */
	[HVMOP_set_evtchn_upcall_vector] = {
		"set_evtchn_upcall_vector",
		sizeof(struct xen_hvm_evtchn_upcall_vector), false,
		hvmop_set_evtchn_upcall_vector },
};

long hv_hvm_op(struct vcpu *v, const uint64_t args[6])
{
	return hv_subop_call(v, hvmop_table,
			     sizeof(hvmop_table) / sizeof(hvmop_table[0]),
			     args[0], args[1]);
}
