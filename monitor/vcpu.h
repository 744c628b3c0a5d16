/* vCPUs: one KVM vCPU and one thread each. */
#ifndef KXEN_MONITOR_VCPU_H
#define KXEN_MONITOR_VCPU_H

#include "monitor/domain.h"

/* Create vCPU id of d with Xen's CPUID. Returns 0 or a negative errno. */
int vcpu_create(struct domain *d, unsigned id)
	__attribute__((warn_unused_result));
/* Put v in Xen's PVH entry state: 32-bit flat protected mode, paging off,
 * at entry with EBX = start_info (xen:docs/misc/pvh.pandoc). */
int vcpu_set_pvh_entry(struct vcpu *v, uint32_t entry, uint32_t start_info)
	__attribute__((warn_unused_result));
/* Start the thread that runs v until the domain shuts down. */
int vcpu_start(struct vcpu *v) __attribute__((warn_unused_result));
void vcpu_join(struct vcpu *v);
/* Make v leave KVM_RUN soon (from any thread). */
void vcpu_kick(struct vcpu *v);
void vcpu_destroy(struct vcpu *v);
/* Install the (empty) kick signal handler; once per process. */
int vcpu_signals_init(void) __attribute__((warn_unused_result));

#endif
