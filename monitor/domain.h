/* The domain as the monitor sees it: its KVM VM, its memory, its vCPUs and
 * the Xen ABI state that hv/ keeps for it. One process runs one domain. */
#ifndef KXEN_MONITOR_DOMAIN_H
#define KXEN_MONITOR_DOMAIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "hv/hv.h"
#include "monitor/guestmem.h"

#define DOMAIN_MAX_VCPUS 32 /* vcpu_info slots in shared_info */

struct domain;

struct vcpu {
	struct domain *d;
	unsigned id;
	int fd;               /* KVM vCPU fd; -1 in unit tests */
	struct kvm_run *run;  /* mmap of the vCPU's kvm_run */
	size_t run_size;
	/* KVM's coalesced ring in that mapping, or NULL (vm.c). */
	struct kvm_coalesced_mmio_ring *coalesced;
	pthread_t thread;
	int started;
	/* Translate a guest-virtual address of this vCPU. Implemented with
	 * KVM_TRANSLATE; unit tests and fuzzers install their own. Returns 0
	 * or -EFAULT. */
	int (*translate)(struct vcpu *v, uint64_t gva, uint64_t *gpa);

	/* Work another thread asked this vCPU's thread to do (vcpu_run_on):
	 * KVM vCPU ioctls must come from the thread that runs the vCPU. */
	pthread_mutex_t work_lock;
	pthread_cond_t work_done;
	int (*work_fn)(struct vcpu *v, void *arg);
	void *work_arg;
	int work_rc;
	int work_pending;

	struct hv_vcpu hv;

	/* Exits to the monitor, for the log when the vCPU ends: what the
	 * guest costs us beyond what KVM finishes by itself. */
	struct {
		uint64_t io, mmio, other;
		struct { uint16_t port; uint64_t n; } io_port[8]; /* first 8 */
		uint64_t hcall[64];	/* by hypercall number */
		uint64_t evtchn_op[16]; /* EVTCHNOP_* of event_channel_op */
	} exits;
};

/* Shutdown reasons are Xen's SHUTDOWN_* (sched.h); these extend them for
 * ends that do not come from the guest's SCHEDOP_shutdown. */
#define DOMAIN_RUNNING (-1)
#define DOMAIN_HALTED 0x100    /* every vCPU halted with interrupts off */
#define DOMAIN_DESTROYED 0x101 /* killed from outside */
#define DOMAIN_FAILED 0x102    /* the monitor could not go on (KVM error) */

struct domain {
	int domid;
	struct guestmem mem;
	int kvm_fd, vm_fd;
	uint32_t xen_caps; /* KVM_CHECK_EXTENSION(KVM_CAP_XEN_HVM) */
	/* The coalesced ring's page in each kvm_run mapping; 0: none. */
	int coalesced_page;
	/* Offer per-vCPU upcall vectors (CPUID XEN_HVM_CPUID_UPCALL_VECTOR, as
	 * Xen >= 4.17 does), which Linux then prefers. Without it the guest
	 * takes the global callback vector (Xen <= 4.16's way). See
	 * monitor/README.md for why per-vCPU is the default. */
	int percpu_upcall;
	unsigned nr_vcpus;
	struct vcpu vcpu[DOMAIN_MAX_VCPUS];

	/* Written once by the first shutdown; vCPU loops stop when set. */
	atomic_int shutdown_reason;
	int shutdown_code; /* SCHEDOP_shutdown_code */

	/* Where the guest's debug (0xE9) and console output goes. */
	int console_fd;

	struct hv_domain hv;

	/* Event channels raised by host eventfds through KVM (irqfd). */
	struct domain_evtchn_route {
		uint32_t port, vcpu;
	} evtchn_route[64];
	unsigned nr_evtchn_routes;

	int store_kick_fd; /* -1 without XenStore */

	/* Paused vCPUs wait on pause_cond outside KVM_RUN. */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	int paused;
};

/* Initialise the fields every domain needs before anything else (locks,
 * sentinels). Returns 0 or a negative errno. */
int domain_init(struct domain *d, int domid);
void domain_fini(struct domain *d);

/* Record a shutdown (the first reason wins) and kick every vCPU out of
 * KVM_RUN. Safe from any thread. */
void domain_shutdown(struct domain *d, int reason);

const char *domain_shutdown_name(int reason);

/* Stop every vCPU outside KVM_RUN / let them run again. */
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);
/* Block the calling vCPU thread while the domain is paused or the vCPU
 * is down (*up == 0), unless work for it is pending (*work_pending). */
void domain_wait_unpaused(struct domain *d, const int *up,
			  const int *work_pending);
/* Wake paused vCPU threads to look for work. */
void domain_wake_paused(struct domain *d);
/* CPU time the vCPU threads have used, in ns. */
uint64_t domain_cpu_time_ns(struct domain *d);

#endif
