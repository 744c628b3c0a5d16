/* hv/evtchn.c: event_channel_op, 2-level ABI.
 *
 * The monitor owns the port table; KVM owns delivery. Raising a port in the
 * guest (pending bit, selector, upcall) is KVM_XEN_HVM_EVTCHN_SEND, so the
 * bit protocol in shared_info is never written twice by two parties. Guest
 * sends KVM can finish by itself (IPIs, backends' eventfds) are registered
 * with it and never reach us.
 *
 * Locking: d->hv.lock guards the table. vCPU attributes (the VIRQ_TIMER
 * binding) are set after dropping it, because setting one waits for that
 * vCPU's thread, which may itself be waiting for the lock. */
#include "hv/hv_internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hv/evtchn.h"
#include "lib/log.h"
#include "monitor/xen_kvm.h"

#define PORT_VALID(p) ((p) > 0 && (p) < HV_NR_EVTCHN)

static int self_domid(struct domain *d, domid_t dom)
{
	return dom == DOMID_SELF || dom == d->domid;
}

/* Lowest free port, or 0 if none. Called with the lock held. */
static evtchn_port_t alloc_port(struct domain *d)
{
	for (evtchn_port_t p = 1; p < HV_NR_EVTCHN; p++)
		if (d->hv.evtchn[p].state == EVTCHN_FREE)
			return p;
	return 0;
}

static long evtchn_alloc_unbound(struct vcpu *v, void *arg)
{
	struct evtchn_alloc_unbound *a = arg;
	struct domain *d = v->d;
	evtchn_port_t p;

	if (!self_domid(d, a->dom))
		return -XEN_EPERM;
	pthread_mutex_lock(&d->hv.lock);
	p = alloc_port(d);
	if (p) {
		d->hv.evtchn[p].state = EVTCHN_UNBOUND;
		d->hv.evtchn[p].remote_dom = a->remote_dom;
		d->hv.evtchn[p].vcpu = 0;
	}
	pthread_mutex_unlock(&d->hv.lock);
	if (!p)
		return -XEN_ENOSPC;
	a->port = p;
	return 0;
}

static long evtchn_bind_interdomain(struct vcpu *v, void *arg)
{
	const struct evtchn_bind_interdomain *b = arg;

	/* Guests bind to ports other domains offer; in kxen the only other
	 * domain is dom0, whose backends offer their ports to the guest
	 * through XenStore the other way round (the guest allocates). */
	log_debug("vcpu%u: bind_interdomain to dom%u port %u refused",
		  v->id, b->remote_dom, b->remote_port);
	return -XEN_EINVAL;
}

static long evtchn_bind_virq(struct vcpu *v, void *arg)
{
	struct evtchn_bind_virq *b = arg;
	struct domain *d = v->d;
	evtchn_port_t p = 0;
	long rc = 0;

	if (b->virq >= HV_NR_VIRQ)
		return -XEN_EINVAL;
	if (b->vcpu >= d->nr_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&d->hv.lock);
	if (d->hv.virq_port[b->vcpu][b->virq]) {
		rc = -XEN_EEXIST;
	} else if (!(p = alloc_port(d))) {
		rc = -XEN_ENOSPC;
	} else {
		d->hv.evtchn[p].state = EVTCHN_VIRQ;
		d->hv.evtchn[p].virq = (uint8_t)b->virq;
		d->hv.evtchn[p].vcpu = (uint16_t)b->vcpu;
		d->hv.virq_port[b->vcpu][b->virq] = p;
	}
	pthread_mutex_unlock(&d->hv.lock);
	if (rc)
		return rc;
	if (b->virq == VIRQ_TIMER) {
		struct vcpu *t = &d->vcpu[b->vcpu];

		t->hv.timer_port = p;
		if (xk_set_timer(t, p, 0))
			log_warn(0, "vcpu%u: KVM refused the Xen timer on port %u",
				 t->id, p);
	}
	b->port = p;
	return 0;
}

static long evtchn_bind_ipi(struct vcpu *v, void *arg)
{
	struct evtchn_bind_ipi *b = arg;
	struct domain *d = v->d;
	evtchn_port_t p;

	if (b->vcpu >= d->nr_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&d->hv.lock);
	p = alloc_port(d);
	if (p) {
		d->hv.evtchn[p].state = EVTCHN_IPI;
		d->hv.evtchn[p].vcpu = (uint16_t)b->vcpu;
		/* KVM then loops the guest's sends back without an exit. */
		if (xk_evtchn_loopback(d, p, b->vcpu))
			log_debug("port %u: IPI loopback not accelerated", p);
	}
	pthread_mutex_unlock(&d->hv.lock);
	if (!p)
		return -XEN_ENOSPC;
	b->port = p;
	return 0;
}

/* Free port p. Called with the lock held; returns the vCPU whose timer must
 * be unbound after unlocking, or -1. */
static int close_port(struct domain *d, evtchn_port_t p)
{
	struct hv_evtchn *e = &d->hv.evtchn[p];
	int timer_vcpu = -1;

	switch (e->state) {
	case EVTCHN_VIRQ:
		d->hv.virq_port[e->vcpu][e->virq] = 0;
		if (e->virq == VIRQ_TIMER)
			timer_vcpu = e->vcpu;
		break;
	case EVTCHN_IPI:
	case EVTCHN_INTERDOMAIN:
		xk_evtchn_deassign(d, p);
		break;
	default:
		break;
	}
	/* The host side keeps its own eventfd; the channel just goes quiet. */
	memset(e, 0, sizeof(*e));
	e->notify_fd = -1;
	return timer_vcpu;
}

static long evtchn_close(struct vcpu *v, void *arg)
{
	const struct evtchn_close *c = arg;
	struct domain *d = v->d;
	int timer_vcpu = -1;
	long rc = 0;

	if (!PORT_VALID(c->port))
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->hv.lock);
	if (d->hv.evtchn[c->port].state == EVTCHN_FREE)
		rc = -XEN_EINVAL;
	else
		timer_vcpu = close_port(d, c->port);
	pthread_mutex_unlock(&d->hv.lock);
	if (timer_vcpu >= 0) {
		d->vcpu[timer_vcpu].hv.timer_port = 0;
		xk_set_timer(&d->vcpu[timer_vcpu], 0, 0);
	}
	return rc;
}

static long evtchn_send(struct vcpu *v, void *arg)
{
	const struct evtchn_send *s = arg;
	struct domain *d = v->d;
	struct hv_evtchn e;
	uint64_t one = 1;
	ssize_t r;

	if (!PORT_VALID(s->port))
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->hv.lock);
	e = d->hv.evtchn[s->port];
	/* Signalled under the lock: a backend that unbinds (under the lock)
	 * may close its eventfd right after. */
	if (e.state == EVTCHN_INTERDOMAIN && e.notify_fd >= 0) {
		r = write(e.notify_fd, &one, sizeof(one));
		(void)r; /* an eventfd at its limit is still signalled */
	}
	pthread_mutex_unlock(&d->hv.lock);
	switch (e.state) {
	case EVTCHN_IPI:
		return xk_evtchn_send(d, s->port, e.vcpu) ? -XEN_EINVAL : 0;
	case EVTCHN_INTERDOMAIN:
		return 0;
	case EVTCHN_UNBOUND:
		return 0; /* Xen drops sends on unbound ports */
	default:
		return -XEN_EINVAL;
	}
}

static long evtchn_status(struct vcpu *v, void *arg)
{
	struct evtchn_status *st = arg;
	struct domain *d = v->d;
	const struct hv_evtchn *e;

	if (!self_domid(d, st->dom))
		return -XEN_EPERM;
	if (st->port >= HV_NR_EVTCHN)
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->hv.lock);
	e = &d->hv.evtchn[st->port];
	memset(&st->u, 0, sizeof(st->u));
	st->vcpu = e->vcpu;
	switch (e->state) {
	case EVTCHN_FREE:
		st->status = EVTCHNSTAT_closed;
		break;
	case EVTCHN_RESERVED:
		st->status = EVTCHNSTAT_closed;
		break;
	case EVTCHN_UNBOUND:
		st->status = EVTCHNSTAT_unbound;
		st->u.unbound.dom = e->remote_dom;
		break;
	case EVTCHN_INTERDOMAIN:
		st->status = EVTCHNSTAT_interdomain;
		st->u.interdomain.dom = e->remote_dom;
		st->u.interdomain.port = e->remote_port;
		break;
	case EVTCHN_VIRQ:
		st->status = EVTCHNSTAT_virq;
		st->u.virq = e->virq;
		break;
	case EVTCHN_IPI:
		st->status = EVTCHNSTAT_ipi;
		break;
	}
	pthread_mutex_unlock(&d->hv.lock);
	return 0;
}

static long evtchn_bind_vcpu(struct vcpu *v, void *arg)
{
	const struct evtchn_bind_vcpu *b = arg;
	struct domain *d = v->d;
	struct hv_evtchn *e;
	long rc = 0;

	if (!PORT_VALID(b->port))
		return -XEN_EINVAL;
	if (b->vcpu >= d->nr_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&d->hv.lock);
	e = &d->hv.evtchn[b->port];
	/* Xen: per-vCPU VIRQs and IPIs cannot move. */
	if (e->state == EVTCHN_UNBOUND || e->state == EVTCHN_INTERDOMAIN)
		e->vcpu = (uint16_t)b->vcpu;
	else
		rc = -XEN_EINVAL;
	pthread_mutex_unlock(&d->hv.lock);
	return rc;
}

static long evtchn_unmask(struct vcpu *v, void *arg)
{
	const struct evtchn_unmask *u = arg;
	struct domain *d = v->d;
	struct shared_info *si;
	uint64_t bit, *mask, *pending;
	unsigned vcpu;

	if (!PORT_VALID(u->port))
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->hv.lock);
	vcpu = d->hv.evtchn[u->port].vcpu;
	si = d->hv.shared_info_gfn == ~0ull
		     ? NULL
		     : guestmem_ram_ptr(&d->mem, d->hv.shared_info_gfn << 12,
					sizeof(*si));
	pthread_mutex_unlock(&d->hv.lock);
	if (!si)
		return 0;
	bit = 1ull << (u->port % 64);
	mask = (uint64_t *)&si->evtchn_mask[u->port / 64];
	pending = (uint64_t *)&si->evtchn_pending[u->port / 64];
	/* Unmask, and if the port was pending, raise it again through KVM so
	 * that the selector and upcall follow the usual path. */
	if ((__atomic_fetch_and(mask, ~bit, __ATOMIC_SEQ_CST) & bit) &&
	    (__atomic_fetch_and(pending, ~bit, __ATOMIC_SEQ_CST) & bit))
		xk_evtchn_send(d, u->port, vcpu);
	return 0;
}

static const struct hv_subop evtchn_table[] = {
	[EVTCHNOP_bind_interdomain] = { "bind_interdomain",
					sizeof(struct evtchn_bind_interdomain),
					true, evtchn_bind_interdomain },
	[EVTCHNOP_bind_virq] = { "bind_virq", sizeof(struct evtchn_bind_virq),
				 true, evtchn_bind_virq },
	[EVTCHNOP_close] = { "close", sizeof(struct evtchn_close), false,
			     evtchn_close },
	[EVTCHNOP_send] = { "send", sizeof(struct evtchn_send), false,
			    evtchn_send },
	[EVTCHNOP_status] = { "status", sizeof(struct evtchn_status), true,
			      evtchn_status },
	[EVTCHNOP_alloc_unbound] = { "alloc_unbound",
				     sizeof(struct evtchn_alloc_unbound), true,
				     evtchn_alloc_unbound },
	[EVTCHNOP_bind_ipi] = { "bind_ipi", sizeof(struct evtchn_bind_ipi),
				true, evtchn_bind_ipi },
	[EVTCHNOP_bind_vcpu] = { "bind_vcpu", sizeof(struct evtchn_bind_vcpu),
				 false, evtchn_bind_vcpu },
	[EVTCHNOP_unmask] = { "unmask", sizeof(struct evtchn_unmask), false,
			      evtchn_unmask },
	/* EVTCHNOP_init_control stays -ENOSYS: the guest then uses the
	 * 2-level ABI (pvh-boot.md §8). */
};

long hv_event_channel_op(struct vcpu *v, const uint64_t args[6])
{
	return hv_subop_call(v, evtchn_table,
			     sizeof(evtchn_table) / sizeof(evtchn_table[0]),
			     args[0], args[1]);
}

int hv_evtchn_alloc_backend(struct domain *d, domid_t remote, int notify_fd,
			    evtchn_port_t *port)
{
	evtchn_port_t p;

	pthread_mutex_lock(&d->hv.lock);
	p = alloc_port(d);
	if (p) {
		struct hv_evtchn *e = &d->hv.evtchn[p];

		e->state = EVTCHN_INTERDOMAIN;
		e->remote_dom = remote;
		e->notify_fd = notify_fd;
		/* With KVM's help the guest's send signals the eventfd
		 * without an exit; evtchn_send covers the rest. */
		if (notify_fd >= 0)
			xk_evtchn_eventfd(d, p, notify_fd);
	}
	pthread_mutex_unlock(&d->hv.lock);
	if (!p)
		return -ENOSPC;
	*port = p;
	return 0;
}

int hv_evtchn_notify_guest(struct domain *d, evtchn_port_t port)
{
	unsigned vcpu;

	if (!PORT_VALID(port))
		return -EINVAL;
	pthread_mutex_lock(&d->hv.lock);
	vcpu = d->hv.evtchn[port].vcpu;
	pthread_mutex_unlock(&d->hv.lock);
	return xk_evtchn_send(d, port, vcpu);
}

int hv_evtchn_bind_backend(struct domain *d, evtchn_port_t port,
			   domid_t remote, int notify_fd)
{
	struct hv_evtchn *e;
	int rc = 0;

	if (!PORT_VALID(port) || notify_fd < 0)
		return -EINVAL;
	pthread_mutex_lock(&d->hv.lock);
	e = &d->hv.evtchn[port];
	if (e->state != EVTCHN_UNBOUND || e->remote_dom != remote) {
		rc = -EINVAL; /* not offered to us, or already bound */
	} else {
		e->state = EVTCHN_INTERDOMAIN;
		e->remote_port = port; /* the backend's end has no port table */
		e->notify_fd = notify_fd;
		if (xk_evtchn_eventfd(d, port, notify_fd))
			log_debug("port %u: backend eventfd not accelerated",
				  port);
	}
	pthread_mutex_unlock(&d->hv.lock);
	return rc;
}

void hv_evtchn_unbind_backend(struct domain *d, evtchn_port_t port,
			      int notify_fd)
{
	struct hv_evtchn *e;

	if (!PORT_VALID(port))
		return;
	pthread_mutex_lock(&d->hv.lock);
	e = &d->hv.evtchn[port];
	/* The guest may have closed (and reused) the port meanwhile. */
	if (e->state == EVTCHN_INTERDOMAIN && e->notify_fd == notify_fd) {
		xk_evtchn_deassign(d, port);
		e->state = EVTCHN_UNBOUND;
		e->remote_port = 0;
		e->notify_fd = -1;
	}
	pthread_mutex_unlock(&d->hv.lock);
}
