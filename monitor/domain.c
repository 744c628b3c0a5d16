/* monitor/domain.c: the domain's end, shared by every thread. */
#include "monitor/domain.h"

#include <time.h>

#include "hv/xen.h"
#include "hv/timer.h"
#include "monitor/vcpu.h"

void domain_shutdown(struct domain *d, int reason)
{
	int running = DOMAIN_RUNNING;

	if (!atomic_compare_exchange_strong(&d->shutdown_reason, &running,
					    reason))
		return; /* the first reason wins */
	pthread_mutex_lock(&d->pause_lock);
	pthread_cond_broadcast(&d->pause_cond); /* paused vCPUs must end too */
	pthread_mutex_unlock(&d->pause_lock);
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		vcpu_kick(&d->vcpu[i]);
}

void domain_pause(struct domain *d)
{
	pthread_mutex_lock(&d->pause_lock);
	d->paused = 1;
	pthread_mutex_unlock(&d->pause_lock);
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		vcpu_kick(&d->vcpu[i]);
}

void domain_unpause(struct domain *d)
{
	pthread_mutex_lock(&d->pause_lock);
	d->paused = 0;
	pthread_cond_broadcast(&d->pause_cond);
	pthread_mutex_unlock(&d->pause_lock);
}

void domain_wait_unpaused(struct domain *d, const int *up,
			  const int *work_pending)
{
	pthread_mutex_lock(&d->pause_lock);
	while ((d->paused || !__atomic_load_n(up, __ATOMIC_ACQUIRE)) &&
	       !__atomic_load_n(work_pending, __ATOMIC_ACQUIRE) &&
	       atomic_load(&d->shutdown_reason) == DOMAIN_RUNNING)
		pthread_cond_wait(&d->pause_cond, &d->pause_lock);
	pthread_mutex_unlock(&d->pause_lock);
}

void domain_wake_paused(struct domain *d)
{
	pthread_mutex_lock(&d->pause_lock);
	pthread_cond_broadcast(&d->pause_cond);
	pthread_mutex_unlock(&d->pause_lock);
}

uint64_t domain_cpu_time_ns(struct domain *d)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct timespec ts;
		clockid_t cid;

		if (!d->vcpu[i].started ||
		    pthread_getcpuclockid(d->vcpu[i].thread, &cid) ||
		    clock_gettime(cid, &ts))
			continue;
		sum += (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	}
	return sum;
}

const char *domain_shutdown_name(int reason)
{
	switch (reason) {
	case SHUTDOWN_poweroff:
		return "poweroff";
	case SHUTDOWN_reboot:
		return "reboot";
	case SHUTDOWN_suspend:
		return "suspend";
	case SHUTDOWN_crash:
		return "crash";
	case SHUTDOWN_watchdog:
		return "watchdog";
	case SHUTDOWN_soft_reset:
		return "soft_reset";
	case DOMAIN_HALTED:
		return "halt";
	case DOMAIN_DESTROYED:
		return "destroyed";
	case DOMAIN_FAILED:
		return "monitor-failure";
	default:
		return "unknown";
	}
}

int domain_init(struct domain *d, int domid)
{
	d->domid = domid;
	d->kvm_fd = d->vm_fd = -1;
	d->console_fd = -1;
	d->store_kick_fd = -1;
	atomic_store(&d->shutdown_reason, DOMAIN_RUNNING);
	pthread_mutex_init(&d->hv.lock, NULL);
	pthread_mutex_init(&d->pause_lock, NULL);
	pthread_cond_init(&d->pause_cond, NULL);
	d->hv.shared_info_gfn = ~0ull;
	for (unsigned i = 0; i < HV_NR_GNTTAB_FRAMES; i++)
		d->hv.gnttab_gfn[i] = ~0ull;
	for (unsigned i = 0; i < HV_NR_EVTCHN; i++)
		d->hv.evtchn[i].notify_fd = -1;
	for (unsigned i = 0; i < 32; i++)
		d->hv.periodic_tfd[i] = -1;
	d->hv.periodic_epfd = d->hv.periodic_stop_fd = -1;
	d->hv.evtchn[0].state = EVTCHN_RESERVED;
	d->hv.gnttab_version = 1;
	for (unsigned i = 0; i < DOMAIN_MAX_VCPUS; i++) {
		struct vcpu *v = &d->vcpu[i];

		v->d = d;
		v->id = i;
		v->fd = -1;
		pthread_mutex_init(&v->work_lock, NULL);
		pthread_cond_init(&v->work_done, NULL);
	}
	return 0;
}

void domain_fini(struct domain *d)
{
	hv_timer_fini(d);
	for (unsigned i = 0; i < DOMAIN_MAX_VCPUS; i++) {
		pthread_mutex_destroy(&d->vcpu[i].work_lock);
		pthread_cond_destroy(&d->vcpu[i].work_done);
	}
	pthread_mutex_destroy(&d->hv.lock);
	pthread_mutex_destroy(&d->pause_lock);
	pthread_cond_destroy(&d->pause_cond);
}
