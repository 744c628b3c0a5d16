/* hv/timer.c: set_timer_op and vm_assist. KVM serves set_timer_op itself
 * once the VIRQ_TIMER port is known; this covers the calls before that. */
#include "hv/hv_internal.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "hv/timer.h"
#include "monitor/xen_kvm.h"

/* Xen's bounds on a periodic timer (xen:xen/common/domain.c). */
#define PERIODIC_MIN_NS 1000000ull
#define PERIODIC_MAX_NS ((uint64_t)INT64_MAX)

long hv_set_timer_op(struct vcpu *v, const uint64_t args[6])
{
	/* args[0]: absolute pvclock deadline in ns; 0 stops the timer. */
	if (v->hv.timer_port && xk_set_timer(v, v->hv.timer_port, args[0]))
		return -XEN_EINVAL;
	return 0;
}

long hv_vm_assist(struct vcpu *v, const uint64_t args[6])
{
	(void)v;
	if (args[0] != VMASST_CMD_enable && args[0] != VMASST_CMD_disable)
		return -XEN_EINVAL;
	/* KVM marks runstate updates with XEN_RUNSTATE_UPDATE already. */
	if (args[1] == VMASST_TYPE_runstate_update_flag)
		return 0;
	return -XEN_EINVAL;
}

/* Raise each expired vCPU's VIRQ_TIMER until told to stop. */
static void *periodic_thread(void *arg)
{
	struct domain *d = arg;
	struct epoll_event ev[8];

	for (;;) {
		int n = epoll_wait(d->hv.periodic_epfd, ev, 8, -1);

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			unsigned id = ev[i].data.u32;
			uint64_t ticks;

			if (id == UINT32_MAX)
				return NULL; /* stop */
			if (read(d->hv.periodic_tfd[id], &ticks, sizeof(ticks)) < 0)
				continue;
			/* Xen raises VIRQ_TIMER once however many periods passed. */
			if (d->vcpu[id].hv.timer_port)
				xk_evtchn_send(d, d->vcpu[id].hv.timer_port, id);
		}
	}
	return NULL;
}

/* The vCPU's timerfd, creating it (and the thread) on first use. Called
 * with d->hv.lock held. Returns the fd or -1. */
static int periodic_fd(struct domain *d, unsigned id)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (d->hv.periodic_epfd < 0) {
		d->hv.periodic_epfd = epoll_create1(EPOLL_CLOEXEC);
		d->hv.periodic_stop_fd = eventfd(0, EFD_CLOEXEC);
		ev.data.u32 = UINT32_MAX;
		if (d->hv.periodic_epfd < 0 || d->hv.periodic_stop_fd < 0 ||
		    epoll_ctl(d->hv.periodic_epfd, EPOLL_CTL_ADD,
			      d->hv.periodic_stop_fd, &ev) ||
		    pthread_create(&d->hv.periodic_thread, NULL, periodic_thread, d)) {
			hv_timer_fini(d);
			return -1;
		}
	}
	if (d->hv.periodic_tfd[id] < 0) {
		int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

		ev.data.u32 = id;
		if (fd < 0 || epoll_ctl(d->hv.periodic_epfd, EPOLL_CTL_ADD, fd, &ev)) {
			if (fd >= 0)
				close(fd);
			return -1;
		}
		d->hv.periodic_tfd[id] = fd;
	}
	return d->hv.periodic_tfd[id];
}

int hv_periodic_set(struct vcpu *t, uint64_t period_ns)
{
	struct domain *d = t->d;
	struct itimerspec its;
	int fd, rc = 0;

	if (period_ns && (period_ns < PERIODIC_MIN_NS || period_ns > PERIODIC_MAX_NS))
		return -XEN_EINVAL;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = its.it_interval.tv_sec = period_ns / 1000000000ull;
	its.it_value.tv_nsec = its.it_interval.tv_nsec = period_ns % 1000000000ull;
	pthread_mutex_lock(&d->hv.lock);
	if (period_ns == 0 && d->hv.periodic_tfd[t->id] < 0)
		goto out; /* stopping a timer never started */
	fd = periodic_fd(d, t->id);
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL))
		rc = -XEN_ENOMEM;
out:
	pthread_mutex_unlock(&d->hv.lock);
	return rc;
}

void hv_timer_fini(struct domain *d)
{
	uint64_t one = 1;

	if (d->hv.periodic_epfd >= 0 && d->hv.periodic_stop_fd >= 0 &&
	    write(d->hv.periodic_stop_fd, &one, sizeof(one)) == sizeof(one) &&
	    d->hv.periodic_thread)
		pthread_join(d->hv.periodic_thread, NULL);
	d->hv.periodic_thread = 0;
	for (unsigned i = 0; i < 32; i++) {
		if (d->hv.periodic_tfd[i] >= 0)
			close(d->hv.periodic_tfd[i]);
		d->hv.periodic_tfd[i] = -1;
	}
	if (d->hv.periodic_epfd >= 0)
		close(d->hv.periodic_epfd);
	if (d->hv.periodic_stop_fd >= 0)
		close(d->hv.periodic_stop_fd);
	d->hv.periodic_epfd = d->hv.periodic_stop_fd = -1;
}
