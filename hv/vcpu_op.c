/* hv/vcpu_op.c: vcpu_op. Where each vCPU's vcpu_info and runstate live,
 * its single-shot timer, and whether it is up. The target vCPU is an
 * argument; KVM attributes of another vCPU are set on that vCPU's thread
 * (xen_kvm.c does it through vcpu_run_on). */
#include "hv/hv_internal.h"

#include <string.h>

#include "lib/log.h"
#include "hv/timer.h"
#include "monitor/vcpu.h"
#include "monitor/xen_kvm.h"

struct vcpuop {
	const char *name;
	size_t arg_size;
	bool copy_out;
	long (*fn)(struct vcpu *v, struct vcpu *t, void *arg);
};

static long vcpuop_register_vcpu_info(struct vcpu *v, struct vcpu *t, void *arg)
{
	const struct vcpu_register_vcpu_info *r = arg;
	uint64_t gpa;

	(void)v;
	if (t->hv.vcpu_info_registered)
		return -XEN_EINVAL; /* Xen 4.17 map_vcpu_info */
	if (r->offset > 4096 - sizeof(struct vcpu_info) || r->rsvd)
		return -XEN_EINVAL;
	if (r->mfn >= (1ull << 40))
		return -XEN_EINVAL;
	gpa = (r->mfn << 12) + r->offset;
	if (!guestmem_ram_ptr(&t->d->mem, gpa, sizeof(struct vcpu_info)))
		return -XEN_EINVAL;
	if (xk_set_vcpu_info(t, gpa)) {
		log_error(0, "vcpu%u: KVM refused vcpu_info at 0x%llx", t->id,
			  (unsigned long long)gpa);
		return -XEN_EINVAL;
	}
	t->hv.vcpu_info_gpa = gpa;
	t->hv.vcpu_info_registered = 1;
	return 0;
}

static long vcpuop_register_runstate(struct vcpu *v, struct vcpu *t, void *arg)
{
	const struct vcpu_register_runstate_memory_area *r = arg;
	uint64_t gva = (uintptr_t)r->addr.v, gpa;
	struct vcpu_runstate_info *rs;

	/* Xen takes a guest-virtual address in the caller's address space.
	 * KVM wants a physical one and refuses areas crossing a page. */
	if (gva == 0)
		return 0; /* unregister */
	if ((gva & 4095) > 4096 - sizeof(*rs))
		return -XEN_EINVAL;
	if (v->translate(v, gva, &gpa))
		return -XEN_EFAULT;
	rs = guestmem_ram_ptr(&t->d->mem, gpa, sizeof(*rs));
	if (!rs)
		return -XEN_EFAULT;
	t->hv.runstate_gpa = gpa;
	/* The area is emulated, not handed to KVM: the guest sees a vCPU
	 * that is always running (no steal time), which is harmless. KVM
	 * 6.1's in-kernel runstate updates, made as the vCPU thread is
	 * scheduled out, corrupted the nested host's kernel stack in the
	 * test bed ("corrupted stack end detected inside scheduler" in a
	 * monitor thread, about one boot in twenty). xk_set_runstate() stays
	 * for hosts whose KVM has the later runstate rework. */
	memset(rs, 0, sizeof(*rs));
	rs->state = RUNSTATE_running;
	return 0;
}

static long vcpuop_set_singleshot_timer(struct vcpu *v, struct vcpu *t, void *arg)
{
	const struct vcpu_set_singleshot_timer *s = arg;

	if (t != v)
		return -XEN_EINVAL; /* Xen: only the vCPU's own timer */
	/* Reached only when KVM's in-kernel timer is not set up yet. */
	if (t->hv.timer_port &&
	    xk_set_timer(t, t->hv.timer_port, s->timeout_abs_ns ?: 1))
		return -XEN_EINVAL;
	return 0;
}

static long vcpuop_stop_singleshot_timer(struct vcpu *v, struct vcpu *t, void *arg)
{
	(void)arg;
	if (t != v)
		return -XEN_EINVAL;
	if (t->hv.timer_port)
		xk_set_timer(t, t->hv.timer_port, 0);
	return 0;
}

static long vcpuop_set_periodic_timer(struct vcpu *v, struct vcpu *t, void *arg)
{
	const struct vcpu_set_periodic_timer *p = arg;

	(void)v;
	if (p->period_ns == 0)
		return -XEN_EINVAL;
	return hv_periodic_set(t, p->period_ns);
}

static long vcpuop_stop_periodic_timer(struct vcpu *v, struct vcpu *t, void *arg)
{
	(void)v;
	(void)arg;
	return hv_periodic_set(t, 0);
}

/* VCPUOP_down parks a vCPU outside KVM_RUN (its thread waits, as for a
 * paused domain); VCPUOP_up lets it run again from where it stopped. Linux
 * uses them around suspend/resume (xen_vcpu_restore). */
static long vcpuop_down(struct vcpu *v, struct vcpu *t, void *arg)
{
	(void)arg;
	__atomic_store_n(&t->hv.up, 0, __ATOMIC_RELEASE);
	if (t != v)
		vcpu_kick(t);
	return 0;
}

static long vcpuop_up(struct vcpu *v, struct vcpu *t, void *arg)
{
	(void)v;
	(void)arg;
	__atomic_store_n(&t->hv.up, 1, __ATOMIC_RELEASE);
	domain_wake_paused(t->d);
	return 0;
}

static long vcpuop_is_up(struct vcpu *v, struct vcpu *t, void *arg)
{
	(void)v;
	(void)arg;
	return t->hv.up;
}

static long vcpuop_get_runstate_info(struct vcpu *v, struct vcpu *t, void *arg)
{
	struct vcpu_runstate_info *rs = arg;
	const struct vcpu_runstate_info *g =
		t->hv.runstate_gpa
			? guestmem_ram_ptr(&v->d->mem, t->hv.runstate_gpa, sizeof(*g))
			: NULL;

	if (g)
		memcpy(rs, g, sizeof(*rs));
	else
		rs->state = RUNSTATE_running;
	return 0;
}

static const struct vcpuop vcpuop_table[] = {
	[VCPUOP_up] = { "up", 0, false, vcpuop_up },
	[VCPUOP_down] = { "down", 0, false, vcpuop_down },
	[VCPUOP_is_up] = { "is_up", 0, false, vcpuop_is_up },
	[VCPUOP_get_runstate_info] = { "get_runstate_info",
				       sizeof(struct vcpu_runstate_info), true,
				       vcpuop_get_runstate_info },
	[VCPUOP_register_runstate_memory_area] = {
		"register_runstate_memory_area",
		sizeof(struct vcpu_register_runstate_memory_area), false,
		vcpuop_register_runstate },
	[VCPUOP_set_periodic_timer] = { "set_periodic_timer",
					sizeof(struct vcpu_set_periodic_timer),
					false, vcpuop_set_periodic_timer },
	[VCPUOP_stop_periodic_timer] = { "stop_periodic_timer", 0, false,
					 vcpuop_stop_periodic_timer },
	[VCPUOP_set_singleshot_timer] = { "set_singleshot_timer",
					  sizeof(struct vcpu_set_singleshot_timer),
					  false, vcpuop_set_singleshot_timer },
	[VCPUOP_stop_singleshot_timer] = { "stop_singleshot_timer", 0, false,
					   vcpuop_stop_singleshot_timer },
	[VCPUOP_register_vcpu_info] = { "register_vcpu_info",
					sizeof(struct vcpu_register_vcpu_info),
					false, vcpuop_register_vcpu_info },
	/* initialise and register_vcpu_time_memory_area are -ENOSYS: PVH
	 * boots APs with INIT-SIPI (pvh-boot.md §10), and without the time
	 * area the guest only loses the vDSO pvclock. */
};

long hv_vcpu_op(struct vcpu *v, const uint64_t args[6])
{
	uint8_t arg[HV_SUBOP_MAX_ARG];
	const struct vcpuop *op;
	struct vcpu *t;
	long ret;

	if (args[0] >= sizeof(vcpuop_table) / sizeof(vcpuop_table[0]) ||
	    !vcpuop_table[args[0]].fn)
		return -XEN_ENOSYS;
	if (args[1] >= v->d->nr_vcpus)
		return -XEN_ENOENT;
	op = &vcpuop_table[args[0]];
	t = &v->d->vcpu[args[1]];
	memset(arg, 0, sizeof(arg));
	if (op->arg_size && guest_copy_from(v, arg, args[2], op->arg_size))
		return -XEN_EFAULT;
	ret = op->fn(v, t, arg);
	if (ret >= 0 && op->copy_out && guest_copy_to(v, args[2], arg, op->arg_size))
		return -XEN_EFAULT;
	return ret;
}
