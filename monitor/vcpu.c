/* monitor/vcpu.c: vCPU setup and the exit loop.
 *
 * The loop decodes nothing itself beyond the exit kind: port I/O goes to the
 * platform, hypercalls to hv/. Everything a guest can cause is answered; a
 * KVM failure ends the domain as a crash, never the monitor with it. */
#include "monitor/vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hv/cpuid.h"
#include "hv/hypercall.h"
#include "lib/log.h"
#include "monitor/platform.h"
#include "monitor/xen_kvm.h"

#define VCPU_KICK_SIGNAL SIGUSR1
#define CPUID_MAX_ENTRIES 256

static __thread struct vcpu *current_vcpu;

struct vcpu *vcpu_current(void)
{
	return current_vcpu;
}

/* Do the work another thread queued for v; called on v's thread. */
static void run_pending_work(struct vcpu *v)
{
	pthread_mutex_lock(&v->work_lock);
	if (v->work_pending) {
		v->work_rc = v->work_fn(v, v->work_arg);
		v->work_pending = 0;
		pthread_cond_broadcast(&v->work_done);
	}
	pthread_mutex_unlock(&v->work_lock);
}

/* An absolute CLOCK_REALTIME deadline 1 ms from now, for the waits below,
 * which wake to re-kick or to serve their own queue. */
static struct timespec in_one_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

int vcpu_run_on(struct vcpu *v, int (*fn)(struct vcpu *v, void *arg),
		void *arg)
{
	struct vcpu *self = current_vcpu;
	int rc;

	if (self == v || !v->started)
		return fn(v, arg);
	pthread_mutex_lock(&v->work_lock);
	/* One request at a time per target; a second caller waits its turn. */
	while (v->work_pending) {
		struct timespec ts = in_one_ms();

		pthread_cond_timedwait(&v->work_done, &v->work_lock, &ts);
	}
	v->work_fn = fn;
	v->work_arg = arg;
	__atomic_store_n(&v->work_pending, 1, __ATOMIC_RELEASE);
	while (v->work_pending) {
		struct timespec ts;

		if (atomic_load(&v->d->shutdown_reason) != DOMAIN_RUNNING) {
			v->work_pending = 0;
			pthread_mutex_unlock(&v->work_lock);
			return -ESHUTDOWN;
		}
		vcpu_kick(v);
		domain_wake_paused(v->d);
		ts = in_one_ms();
		pthread_cond_timedwait(&v->work_done, &v->work_lock, &ts);
		/* Two vCPUs asking each other must not deadlock: serve our
		 * own queue while we wait. */
		if (self && v->work_pending) {
			pthread_mutex_unlock(&v->work_lock);
			run_pending_work(self);
			pthread_mutex_lock(&v->work_lock);
		}
	}
	rc = v->work_rc;
	pthread_mutex_unlock(&v->work_lock);
	return rc;
}

static void kick_handler(int sig)
{
	(void)sig; /* only to interrupt KVM_RUN */
}

int vcpu_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler; /* no SA_RESTART: KVM_RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	return sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0 ? -errno : 0;
}

static int vcpu_translate(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
	struct kvm_translation tr = { .linear_address = gva };

	if (ioctl(v->fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid)
		return -EFAULT;
	*gpa = tr.physical_address;
	return 0;
}

static int set_cpuid(struct vcpu *v)
{
	size_t sz = sizeof(struct kvm_cpuid2) +
		    CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *c = calloc(1, sz);
	int rc;

	if (!c)
		return -ENOMEM;
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(v->d->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		rc = -errno;
		goto out;
	}
	/* Per-vCPU upcall vectors came to KVM with EVTCHN_SEND (5.19). */
	rc = hv_cpuid_setup(c, CPUID_MAX_ENTRIES, v->id, v->d->domid,
			    v->d->percpu_upcall &&
			    (v->d->xen_caps & KVM_XEN_HVM_CONFIG_EVTCHN_SEND));
	if (rc)
		goto out;
	rc = ioctl(v->fd, KVM_SET_CPUID2, c) < 0 ? -errno : 0;
out:
	free(c);
	return rc;
}

/* Empty the coalesced ring unread: it only holds writes to ports with no
 * effect (vm.c, coalesce_pci_address_port). Every vCPU maps the same ring;
 * a racing vCPU's older `last` at worst leaves entries for the next drop. */
static void vcpu_drop_coalesced(struct vcpu *v)
{
	struct kvm_coalesced_mmio_ring *ring = v->coalesced;

	if (ring)
		__atomic_store_n(&ring->first,
				 __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
}

int vcpu_create(struct domain *d, unsigned id)
{
	struct vcpu *v = &d->vcpu[id];
	int size, rc;

	v->d = d;
	v->id = id;
	v->translate = vcpu_translate;
	v->hv.up = 1;
	v->fd = ioctl(d->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		return -errno;
	size = ioctl(d->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return -errno;
	v->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return -errno;
	}
	v->run_size = (size_t)size;
	if (d->coalesced_page &&
	    (size_t)(d->coalesced_page + 1) * 4096 <= v->run_size)
		v->coalesced = (void *)((char *)v->run +
					(size_t)d->coalesced_page * 4096);
	rc = set_cpuid(v);
	if (rc)
		return rc;
	if (d->xen_caps & KVM_XEN_HVM_CONFIG_EVTCHN_SEND)
		rc = xk_set_vcpu_id(v, id);
	return rc;
}

static void flat_segment(struct kvm_segment *s, unsigned type, unsigned sel)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

int vcpu_set_pvh_entry(struct vcpu *v, uint32_t entry, uint32_t start_info)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	flat_segment(&sregs.cs, 0xb, 0x10);
	flat_segment(&sregs.ds, 0x3, 0x18);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.type = 0xb; /* busy 32-bit TSS */
	sregs.tr.present = 1;
	sregs.tr.limit = 0x67;
	sregs.cr0 = 0x11; /* PE | ET */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rbx = start_info;
	regs.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	size_t len = (size_t)run->io.size * run->io.count;

	/* data_offset lies inside the kvm_run mapping by KVM's contract;
	 * check anyway rather than trust a size product. */
	if (run->io.data_offset + len > v->run_size)
		return;
	if (run->io.direction == KVM_EXIT_IO_OUT)
		platform_io_out(v, run->io.port, data, run->io.size,
				run->io.count);
	else
		platform_io_in(v, run->io.port, data, run->io.size,
			       run->io.count);
}

static void handle_xen(struct vcpu *v)
{
	struct kvm_xen_exit *x = &v->run->xen;

	if (x->type != KVM_EXIT_XEN_HCALL)
		return;
	v->exits.hcall[x->u.hcall.input & 63]++;
	if (x->u.hcall.input == __HYPERVISOR_event_channel_op &&
	    x->u.hcall.params[0] < 16)
		v->exits.evtchn_op[x->u.hcall.params[0]]++;
	x->u.hcall.result = hv_hypercall(v, x->u.hcall.input,
					 (const uint64_t *)x->u.hcall.params,
					 x->u.hcall.cpl);
}

/* Registers of a vCPU that died, for the log. */
static void vcpu_dump(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0)
		return;
	log_error(0, "vcpu%u: rip %llx rsp %llx rax %llx cr0 %llx cr2 %llx "
		  "cr3 %llx cr4 %llx efer %llx", v->id, r.rip, r.rsp, r.rax,
		  s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
}

/* The exits that reached us, one line: "io N, hypercall 32 N (send N)". */
static void vcpu_log_exits(const struct vcpu *v)
{
	char line[512];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "io %llu, mmio %llu",
			     (unsigned long long)v->exits.io,
			     (unsigned long long)v->exits.mmio);
	for (unsigned i = 0; i < 8 && n < sizeof(line); i++)
		if (v->exits.io_port[i].n)
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      " (port %#x: %llu)",
					      v->exits.io_port[i].port,
					      (unsigned long long)
						  v->exits.io_port[i].n);
	for (unsigned i = 0; i < 64 && n < sizeof(line); i++) {
		if (!v->exits.hcall[i])
			continue;
		n += (size_t)snprintf(line + n, sizeof(line) - n,
				      ", hypercall %u: %llu", i,
				      (unsigned long long)v->exits.hcall[i]);
		if (i != __HYPERVISOR_event_channel_op)
			continue;
		for (unsigned j = 0; j < 16 && n < sizeof(line); j++)
			if (v->exits.evtchn_op[j])
				n += (size_t)snprintf(
				    line + n, sizeof(line) - n, " (op %u: %llu)",
				    j, (unsigned long long)v->exits.evtchn_op[j]);
	}
	log_info("vcpu%u: exits to the monitor: %s", v->id, line);
}

/* One exit; returns 0 to go on, -1 when the domain must end. */
static int handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		v->exits.io++;
		for (unsigned i = 0; i < 8; i++) {
			if (!v->exits.io_port[i].n)
				v->exits.io_port[i].port = run->io.port;
			if (v->exits.io_port[i].port == run->io.port) {
				v->exits.io_port[i].n++;
				break;
			}
		}
		handle_io(v);
		return 0;
	case KVM_EXIT_MMIO:
		v->exits.mmio++;
		/* No emulated MMIO devices: reads see all-ones. */
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
		return 0;
	case KVM_EXIT_XEN:
		handle_xen(v);
		return 0;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC; treat as Xen's "all CPUs
		 * offline" when it is the only vCPU. */
		domain_shutdown(v->d, DOMAIN_HALTED);
		return -1;
	case KVM_EXIT_SHUTDOWN:
		log_error(0, "vcpu%u: triple fault", v->id);
		vcpu_dump(v);
		domain_shutdown(v->d, SHUTDOWN_crash);
		return -1;
	case KVM_EXIT_SYSTEM_EVENT:
		domain_shutdown(v->d, run->system_event.type ==
						      KVM_SYSTEM_EVENT_RESET
					      ? SHUTDOWN_reboot
					      : SHUTDOWN_poweroff);
		return -1;
	case KVM_EXIT_FAIL_ENTRY:
		log_error(0, "vcpu%u: KVM entry failed, reason 0x%llx", v->id,
			  (unsigned long long)run->fail_entry
				  .hardware_entry_failure_reason);
		domain_shutdown(v->d, SHUTDOWN_crash);
		return -1;
	case KVM_EXIT_INTERNAL_ERROR:
		log_error(0, "vcpu%u: KVM internal error, suberror %u", v->id,
			  run->internal.suberror);
		domain_shutdown(v->d, SHUTDOWN_crash);
		return -1;
	default:
		log_error(0, "vcpu%u: unexpected KVM exit %u", v->id,
			  run->exit_reason);
		domain_shutdown(v->d, SHUTDOWN_crash);
		return -1;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	sigset_t set;

	current_vcpu = v;
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (atomic_load(&v->d->shutdown_reason) == DOMAIN_RUNNING) {
		run_pending_work(v);
		if (v->d->paused || !__atomic_load_n(&v->hv.up, __ATOMIC_ACQUIRE)) {
			/* Wakes for work queued by vcpu_run_on, too. */
			domain_wait_unpaused(v->d, &v->hv.up, &v->work_pending);
			continue;
		}
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				continue;
			}
			log_error(errno, "vcpu%u: KVM_RUN", v->id);
			domain_shutdown(v->d, DOMAIN_FAILED);
			break;
		}
		vcpu_drop_coalesced(v);
		if (handle_exit(v))
			break;
	}
	vcpu_log_exits(v);
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int r = pthread_create(&v->thread, NULL, vcpu_thread, v);
	char name[16];

	if (r)
		return -r;
	snprintf(name, sizeof(name), "vcpu%u", v->id);
	pthread_setname_np(v->thread, name); /* for top -H and bench/ */
	v->started = 1;
	return 0;
}

void vcpu_join(struct vcpu *v)
{
	if (v->started)
		pthread_join(v->thread, NULL);
	v->started = 0;
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->run || !v->started)
		return;
	v->run->immediate_exit = 1;
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}
