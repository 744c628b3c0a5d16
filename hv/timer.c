/* hv/timer.c: set_timer_op and vm_assist. KVM serves set_timer_op itself
 * once the VIRQ_TIMER port is known; this covers the calls before that. */
#include "hv/hv_internal.h"

#include "monitor/xen_kvm.h"

long hv_set_timer_op(struct vcpu *v, const uint64_t args[6])
{
	/* args[0]: absolute pvclock deadline in ns; 0 stops the timer. */
	if (v->hv.timer_port && xk_set_timer(v, v->hv.timer_port, args[0]))
		return -XEN_EINVAL;
	return 0;
}

long hv_vm_assist(struct vcpu *v, const uint64_t args[6])
{
	(void)v;
	if (args[0] != VMASST_CMD_enable && args[0] != VMASST_CMD_disable)
		return -XEN_EINVAL;
	/* KVM marks runstate updates with XEN_RUNSTATE_UPDATE already. */
	if (args[1] == VMASST_TYPE_runstate_update_flag)
		return 0;
	return -XEN_EINVAL;
}
