/* A stand-in for monitor/xen_kvm.c in unit tests and fuzzers: records what
 * hv/ asked KVM to do, and raises ports in shared_info the way KVM would,
 * so event logic can be checked without a VM. */
#ifndef KXEN_HV_XEN_KVM_FAKE_H
#define KXEN_HV_XEN_KVM_FAKE_H

#include <stdint.h>

struct xk_fake_log {
	unsigned sends;           /* xk_evtchn_send calls */
	uint32_t last_send_port, last_send_vcpu;
	uint32_t timer_port[32];  /* per vCPU */
	uint64_t timer_expires[32];
	uint64_t vcpu_info_gpa[32];
	uint8_t vcpu_vector[32];
	uint8_t callback_vector;
	uint64_t shared_info_gfn;
	unsigned loopbacks, eventfds, deassigns, overlays;
	int fail; /* make every call fail with this negative errno */
};

extern struct xk_fake_log xk_fake;

void xk_fake_reset(void);

#endif
