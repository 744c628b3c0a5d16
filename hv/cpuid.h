/* The CPUID a Xen guest sees: the host's leaves as KVM supports them, KVM's
 * own 0x4000xxxx leaves removed (Linux would pick KVM over Xen, pvh-boot.md
 * §3), and Xen's leaves at 0x40000000. */
#ifndef KXEN_HV_CPUID_H
#define KXEN_HV_CPUID_H

#include <linux/kvm.h>

/* Rewrite *cpuid (as filled by KVM_GET_SUPPORTED_CPUID, room for max
 * entries) for vCPU vcpu_id of domain domid. upcall_vector: advertise
 * XEN_HVM_CPUID_UPCALL_VECTOR. Returns 0 or -ENOSPC. */
int hv_cpuid_setup(struct kvm_cpuid2 *cpuid, unsigned max, unsigned vcpu_id,
		   unsigned domid, int upcall_vector)
	__attribute__((warn_unused_result));

#endif
