/* hv/sched.c: sched_op. The guest's way to yield, block and, above all, to
 * end: SCHEDOP_shutdown carries the reason the toolstack acts on. */
#include "hv/hv_internal.h"

#include <sched.h>

static long schedop_yield(struct vcpu *v, void *arg)
{
	(void)v;
	(void)arg;
	sched_yield();
	return 0;
}

static long schedop_shutdown(struct vcpu *v, void *arg)
{
	const struct sched_shutdown *s = arg;

	/* Xen accepts any reason up to SHUTDOWN_MAX; others are -EINVAL. */
	if (s->reason > SHUTDOWN_MAX)
		return -XEN_EINVAL;
	domain_shutdown(v->d, (int)s->reason);
	return 0;
}

static long schedop_shutdown_code(struct vcpu *v, void *arg)
{
	const struct sched_shutdown *s = arg;

	v->d->shutdown_code = (int)s->reason;
	return 0;
}

static const struct hv_subop schedop_table[] = {
	[SCHEDOP_yield] = { "yield", 0, false, schedop_yield },
	[SCHEDOP_shutdown] = { "shutdown", sizeof(struct sched_shutdown), false,
			       schedop_shutdown },
	[SCHEDOP_shutdown_code] = { "shutdown_code",
				    sizeof(struct sched_shutdown), false,
				    schedop_shutdown_code },
};

long hv_sched_op(struct vcpu *v, const uint64_t args[6])
{
	return hv_subop_call(v, schedop_table,
			     sizeof(schedop_table) / sizeof(schedop_table[0]),
			     args[0], args[1]);
}
