/* hv/cpuid.c: see cpuid.h. Values from xen:xen/arch/x86/cpuid.c. */
#include "hv/cpuid.h"

#include <errno.h>
#include <string.h>

#include "hv/xen.h"

static int set_leaf(struct kvm_cpuid2 *c, unsigned max, uint32_t fn,
		    uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	struct kvm_cpuid_entry2 *e;

	if (c->nent >= max)
		return -ENOSPC;
	e = &c->entries[c->nent++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->eax = eax;
	e->ebx = ebx;
	e->ecx = ecx;
	e->edx = edx;
	return 0;
}

int hv_cpuid_setup(struct kvm_cpuid2 *c, unsigned max, unsigned vcpu_id,
		   unsigned domid, int upcall_vector)
{
	uint32_t hvm_flags = XEN_HVM_CPUID_VCPU_ID_PRESENT |
			     XEN_HVM_CPUID_DOMID_PRESENT;
	unsigned n = 0;
	int rc = 0;

	/* Drop every hypervisor leaf KVM offers and fix per-vCPU APIC ids. */
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function >= 0x40000000 && e->function < 0x50000000)
			continue;
		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (vcpu_id << 24);
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = vcpu_id;
		c->entries[n++] = *e;
	}
	c->nent = n;

	if (upcall_vector)
		hvm_flags |= XEN_HVM_CPUID_UPCALL_VECTOR;
	rc = rc ?: set_leaf(c, max, XEN_CPUID_LEAF(0),
			    XEN_CPUID_LEAF(XEN_CPUID_MAX_NUM_LEAVES),
			    XEN_CPUID_SIGNATURE_EBX, XEN_CPUID_SIGNATURE_ECX,
			    XEN_CPUID_SIGNATURE_EDX);
	rc = rc ?: set_leaf(c, max, XEN_CPUID_LEAF(1),
			    (HV_XEN_MAJOR << 16) | HV_XEN_MINOR, 0, 0, 0);
	/* One hypercall page, written through this MSR (pre-6.1.121 guests). */
	rc = rc ?: set_leaf(c, max, XEN_CPUID_LEAF(2), 1, HV_HYPERCALL_MSR, 0, 0);
	rc = rc ?: set_leaf(c, max, XEN_CPUID_LEAF(3), 0, 0, 0, 0);
	rc = rc ?: set_leaf(c, max, XEN_CPUID_LEAF(4), hvm_flags, vcpu_id,
			    domid, 0);
	rc = rc ?: set_leaf(c, max, XEN_CPUID_LEAF(5), 0, 0, 0, 0);
	return rc;
}
