/* The Xen ABI state the monitor keeps for one domain (struct hv_domain) and
 * for each of its vCPUs (struct hv_vcpu). Embedded in struct domain and
 * struct vcpu; only hv/ reads or writes them, under hv_domain.lock. */
#ifndef KXEN_HV_HV_H
#define KXEN_HV_HV_H

#include <pthread.h>
#include <stdint.h>

#include "hv/xen.h"

/* 2-level event channels on a 64-bit guest: 64 x 64 ports. */
#define HV_NR_EVTCHN 4096
#define HV_NR_VIRQ 24
#define HV_NR_GNTTAB_FRAMES 32 /* grant table v1: 16384 entries */
#define HV_HVM_NR_PARAMS 64

enum hv_evtchn_state {
	EVTCHN_FREE = 0,
	EVTCHN_RESERVED,    /* port 0: never allocated (Xen) */
	EVTCHN_UNBOUND,     /* waits for a remote domain (backends, xenstored) */
	EVTCHN_INTERDOMAIN, /* connected to a backend in dom0 */
	EVTCHN_VIRQ,
	EVTCHN_IPI,
};

/* Something on the host side of an interdomain channel: console backend,
 * xenstored, blkback. The guest's EVTCHNOP_send reaches it as an eventfd
 * signal (through KVM, or from hv_evtchn_send when KVM cannot). */
struct hv_evtchn {
	uint8_t state;
	uint8_t virq;
	uint16_t vcpu; /* the vCPU events are delivered to */
	domid_t remote_dom;
	evtchn_port_t remote_port;
	int notify_fd; /* eventfd signalled on guest send; -1 none */
};

struct hv_vcpu {
	uint64_t vcpu_info_gpa; /* registered by VCPUOP_register_vcpu_info */
	int vcpu_info_registered;
	uint8_t upcall_vector;   /* per-vCPU LAPIC vector, 0 none */
	evtchn_port_t timer_port; /* VIRQ_TIMER port bound to this vCPU */
	uint64_t runstate_gpa;
	int up; /* VCPUOP_is_up */
};

struct hv_domain {
	pthread_mutex_t lock;
	uint64_t shared_info_gfn; /* ~0 until placed */
	uint8_t callback_vector;  /* HVM_PARAM_CALLBACK_IRQ vector, 0 none */
	uint64_t hvm_param[HV_HVM_NR_PARAMS];
	struct hv_evtchn evtchn[HV_NR_EVTCHN];
	evtchn_port_t virq_port[32][HV_NR_VIRQ]; /* [vcpu][virq] */
	unsigned gnttab_version;
	uint8_t *gnttab_frames;     /* HV_NR_GNTTAB_FRAMES monitor pages */
	uint64_t gnttab_gfn[HV_NR_GNTTAB_FRAMES]; /* ~0 until mapped */
	uint64_t max_pages, cur_pages; /* memory reservation, in 4 KiB pages */

	/* Periodic timers (VCPUOP_set_periodic_timer): KVM has only the
	 * single-shot one, so a thread raises VIRQ_TIMER from timerfds. */
	int periodic_tfd[32]; /* per vCPU, -1 until first used */
	int periodic_epfd;    /* -1 until the thread starts */
	int periodic_stop_fd;
	pthread_t periodic_thread;
};

#endif
