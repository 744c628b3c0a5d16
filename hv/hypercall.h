/* The Xen hypercall ABI as the monitor serves it.
 *
 * Every hypercall arrives here from the vCPU's thread (KVM_EXIT_XEN) and is
 * dispatched through one table indexed by __HYPERVISOR_* number. Sub-op
 * tables carry each argument's size, so the dispatcher copies the guest's
 * struct in (and back out) and handlers never touch guest pointers. Return
 * values are Xen's: >= 0, or a negative XEN_E* from <xen/errno.h>. */
#ifndef KXEN_HV_HYPERCALL_H
#define KXEN_HV_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include "hv/xen.h"
#include "monitor/domain.h"

long hv_hypercall(struct vcpu *v, uint64_t nr, const uint64_t args[6],
		  unsigned cpl);

/* Name of a hypercall for logs ("sched_op"), or NULL if unknown. */
const char *hv_hypercall_name(uint64_t nr);

/* Copy between guest-virtual memory of v and the monitor, page by page.
 * Returns 0 or -XEN_EFAULT; nothing outside the guest's memory is touched. */
int guest_copy_from(struct vcpu *v, void *dst, uint64_t gva, size_t len);
int guest_copy_to(struct vcpu *v, uint64_t gva, const void *src, size_t len);

#endif
