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
/* Run fn(v, arg) on v's own thread and return its result: directly when
 * called from that thread or before it started, else by kicking it out of
 * KVM_RUN and waiting. -ESHUTDOWN if the domain ends first. */
int vcpu_run_on(struct vcpu *v, int (*fn)(struct vcpu *v, void *arg),
		void *arg);
/* The vCPU whose thread is calling, or NULL. */
struct vcpu *vcpu_current(void);
/* Install the (empty) kick signal handler; once per process. */
int vcpu_signals_init(void) __attribute__((warn_unused_result));

#endif
