/* monitor/domain.c: the domain's end, shared by every thread. */
#include "monitor/domain.h"

#include "hv/xen.h"
#include "monitor/vcpu.h"

void domain_shutdown(struct domain *d, int reason)
{
	int running = DOMAIN_RUNNING;

	if (!atomic_compare_exchange_strong(&d->shutdown_reason, &running,
					    reason))
		return; /* the first reason wins */
	for (unsigned i = 0; i < d->nr_vcpus; i++)
		vcpu_kick(&d->vcpu[i]);
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
