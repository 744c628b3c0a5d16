/* Shared by the files of hv/ only: the handler signatures and the sub-op
 * table helper. */
#ifndef KXEN_HV_HV_INTERNAL_H
#define KXEN_HV_HV_INTERNAL_H

#include <stdbool.h>

#include "hv/hypercall.h"

/* A hypercall handler: args are the guest's registers, untrusted. */
typedef long (*hv_handler_fn)(struct vcpu *v, const uint64_t args[6]);

/* One sub-op of a multiplexed hypercall (sched_op, memory_op, ...). The
 * dispatcher copies arg_size bytes in from the guest pointer before the
 * handler runs and, with copy_out, back after it succeeds. */
struct hv_subop {
	const char *name;
	size_t arg_size;
	bool copy_out;
	long (*fn)(struct vcpu *v, void *arg);
};

#define HV_SUBOP_MAX_ARG 256

long hv_subop_call(struct vcpu *v, const struct hv_subop *table, size_t n,
		   uint64_t cmd, uint64_t gva);

long hv_sched_op(struct vcpu *v, const uint64_t args[6]);
long hv_xen_version(struct vcpu *v, const uint64_t args[6]);
long hv_console_io(struct vcpu *v, const uint64_t args[6]);
long hv_memory_op(struct vcpu *v, const uint64_t args[6]);
long hv_hvm_op(struct vcpu *v, const uint64_t args[6]);
long hv_vcpu_op(struct vcpu *v, const uint64_t args[6]);
long hv_event_channel_op(struct vcpu *v, const uint64_t args[6]);
long hv_grant_table_op(struct vcpu *v, const uint64_t args[6]);
long hv_set_timer_op(struct vcpu *v, const uint64_t args[6]);
long hv_vm_assist(struct vcpu *v, const uint64_t args[6]);

#endif
