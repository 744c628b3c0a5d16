/* The KVM side of a domain: the host check, the VM, memory slots, irqchip
 * and the Xen intercept. */
#ifndef KXEN_MONITOR_VM_H
#define KXEN_MONITOR_VM_H

#include <stdio.h>

#include "monitor/domain.h"

/* What the host's KVM offers a Xen guest. */
struct vm_host_caps {
	int kvm_ok;       /* /dev/kvm opened, API 12 */
	int hw_virt;      /* CPU has VMX or SVM (else KVM cannot run a kernel) */
	int coalesced_pio; /* KVM_CAP_COALESCED_PIO (optional, vm.c) */
	unsigned xen_hvm; /* KVM_CAP_XEN_HVM flags */
	char kvm_error[128];
};

void vm_host_probe(struct vm_host_caps *caps);
/* Print the probe as `--check-host` shows it; returns 0 if Xen guests can
 * run here, 1 if not (each missing piece named on f). */
int vm_host_report(const struct vm_host_caps *caps, FILE *f);

/* Open /dev/kvm, check the host, create the VM with its memory slots, the
 * split irqchip and the Xen hypercall intercept. On failure returns a
 * negative errno with *why naming what is missing and the remedy. */
int vm_create(struct domain *d, const char **why)
	__attribute__((warn_unused_result));
void vm_destroy(struct domain *d);

#endif
