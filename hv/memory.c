/* hv/memory.c: memory_op. Where shared_info and the grant table appear in
 * the guest's physical map, the memory map, and the balloon's reservation
 * calls (decrease gives pages back to the host, increase/populate takes
 * them again up to the maximum). */
#include "hv/hv_internal.h"

#include <string.h>
#include <sys/mman.h>

#include "lib/log.h"
#include "monitor/xen_kvm.h"

/* First KVM memory slot used for grant-table frames; guestmem uses the
 * slots below (one per region). */
#define GNTTAB_SLOT_BASE 16

static int gfn_is_ram(struct domain *d, uint64_t gfn)
{
	return gfn < (1ull << 40) &&
	       guestmem_ram_ptr(&d->mem, gfn << 12, 4096) != NULL;
}

/* Place shared_info at gfn. KVM then writes the wallclock and, for every
 * vCPU pointed at its slot, the pvclock: Linux reads vcpu_info[0].time
 * right after this call (pvh-boot.md §6.2), so all slots are set now. */
static long map_shared_info(struct vcpu *v, uint64_t gfn)
{
	struct domain *d = v->d;
	void *page;
	int rc;

	if (!gfn_is_ram(d, gfn))
		return -XEN_EINVAL;
	page = guestmem_ram_ptr(&d->mem, gfn << 12, 4096);
	memset(page, 0, 4096);
	rc = xk_set_shared_info(d, gfn);
	if (rc) {
		log_error(-rc, "KVM refused shared_info at gfn 0x%llx",
			  (unsigned long long)gfn);
		return -XEN_EINVAL;
	}
	pthread_mutex_lock(&d->hv.lock);
	d->hv.shared_info_gfn = gfn;
	pthread_mutex_unlock(&d->hv.lock);
	for (unsigned i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *t = &d->vcpu[i];

		if (t->hv.vcpu_info_registered)
			continue;
		t->hv.vcpu_info_gpa = (gfn << 12) +
				      i * sizeof(struct vcpu_info);
		rc = xk_set_vcpu_info(t, t->hv.vcpu_info_gpa);
		if (rc)
			log_error(-rc, "vcpu%u: KVM refused vcpu_info", i);
	}
	return 0;
}

static long map_gnttab_frame(struct vcpu *v, uint64_t idx, uint64_t gfn)
{
	struct domain *d = v->d;
	uint64_t old;
	int rc;

	if (idx >= HV_NR_GNTTAB_FRAMES || !d->hv.gnttab_frames)
		return -XEN_EINVAL;
	/* Frames go where the guest has no RAM (Linux picks an unpopulated
	 * range past RAM); overlaying RAM would split a memory slot. */
	if (gfn >= (1ull << 40) || guestmem_ptr(&d->mem, gfn << 12, 1))
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->hv.lock);
	old = d->hv.gnttab_gfn[idx];
	if (old != ~0ull)
		xk_map_overlay(d, GNTTAB_SLOT_BASE + idx, old, NULL, 0);
	rc = xk_map_overlay(d, GNTTAB_SLOT_BASE + idx, gfn,
			    d->hv.gnttab_frames + idx * 4096, 4096);
	d->hv.gnttab_gfn[idx] = rc ? ~0ull : gfn;
	pthread_mutex_unlock(&d->hv.lock);
	if (rc) {
		log_error(-rc, "cannot map grant frame %llu at gfn 0x%llx",
			  (unsigned long long)idx, (unsigned long long)gfn);
		return -XEN_ENOMEM;
	}
	return 0;
}

static long xenmem_add_to_physmap(struct vcpu *v, void *arg)
{
	const struct xen_add_to_physmap *a = arg;

	if (a->domid != DOMID_SELF && a->domid != v->d->domid)
		return -XEN_EPERM;
	switch (a->space) {
	case XENMAPSPACE_shared_info:
		return a->idx == 0 ? map_shared_info(v, a->gpfn) : -XEN_EINVAL;
	case XENMAPSPACE_grant_table:
		return map_gnttab_frame(v, a->idx, a->gpfn);
	default:
		return -XEN_EINVAL;
	}
}

/* The e820 map as the guest booted with it, in Xen's packed 20-byte form. */
static long xenmem_memory_map(struct vcpu *v, void *arg)
{
	struct xen_memory_map *m = arg;
	struct guestmem *gm = &v->d->mem;
	struct __attribute__((packed)) {
		uint64_t addr, size;
		uint32_t type;
	} e;
	unsigned n = 0;

	for (unsigned i = 0; i < gm->nr_regions; i++) {
		const struct guestmem_region *r = &gm->region[i];

		if (n >= m->nr_entries)
			break;
		e.addr = r->gpa;
		e.size = r->size;
		e.type = r->kind == GUESTMEM_RAM ? 1 : 2;
		if (guest_copy_to(v, (uintptr_t)m->buffer.p + n * sizeof(e),
				  &e, sizeof(e)))
			return -XEN_EFAULT;
		n++;
	}
	m->nr_entries = n;
	return 0;
}

static long xenmem_reservation_count(struct vcpu *v, void *arg)
{
	const domid_t *dom = arg;
	struct domain *d = v->d;

	if (*dom != DOMID_SELF && *dom != d->domid)
		return -XEN_EPERM;
	return (long)d->hv.cur_pages;
}

static long xenmem_maximum_reservation(struct vcpu *v, void *arg)
{
	const domid_t *dom = arg;
	struct domain *d = v->d;

	if (*dom != DOMID_SELF && *dom != d->domid)
		return -XEN_EPERM;
	return (long)d->hv.max_pages;
}

/* Walk a reservation's extents; returns how many were done, as Xen does:
 * the guest compares it with nr_extents (decrease must match, or BUG). */
static long reservation_walk(struct vcpu *v, struct xen_memory_reservation *r,
			     int decrease)
{
	struct domain *d = v->d;
	xen_ulong_t done;

	if (r->extent_order != 0)
		return 0; /* no superpages: the guest retries with order 0 */
	if (r->domid != DOMID_SELF && r->domid != d->domid)
		return -XEN_EPERM;
	for (done = 0; done < r->nr_extents; done++) {
		uint64_t gva = (uintptr_t)r->extent_start.p + done * sizeof(xen_pfn_t);
		xen_pfn_t gfn;
		void *page;

		if (guest_copy_from(v, &gfn, gva, sizeof(gfn)))
			break;
		page = gfn_is_ram(d, gfn) ? guestmem_ram_ptr(&d->mem, gfn << 12, 4096)
					  : NULL;
		if (!page)
			break;
		if (decrease) {
			/* Give the page back to the host; it reads as zeroes
			 * if the guest ever touches it again. */
			madvise(page, 4096, MADV_REMOVE);
			if (d->hv.cur_pages)
				d->hv.cur_pages--;
		} else {
			if (d->hv.cur_pages >= d->hv.max_pages)
				break;
			d->hv.cur_pages++;
		}
	}
	return (long)done;
}

static long xenmem_decrease(struct vcpu *v, void *arg)
{
	return reservation_walk(v, arg, 1);
}

static long xenmem_increase(struct vcpu *v, void *arg)
{
	return reservation_walk(v, arg, 0);
}

static const struct hv_subop xenmem_table[] = {
	[XENMEM_increase_reservation] = { "increase_reservation",
					  sizeof(struct xen_memory_reservation),
					  false, xenmem_increase },
	[XENMEM_decrease_reservation] = { "decrease_reservation",
					  sizeof(struct xen_memory_reservation),
					  false, xenmem_decrease },
	[XENMEM_populate_physmap] = { "populate_physmap",
				      sizeof(struct xen_memory_reservation),
				      false, xenmem_increase },
	[XENMEM_current_reservation] = { "current_reservation",
					 sizeof(domid_t), false,
					 xenmem_reservation_count },
	[XENMEM_maximum_reservation] = { "maximum_reservation",
					 sizeof(domid_t), false,
					 xenmem_maximum_reservation },
	[XENMEM_add_to_physmap] = { "add_to_physmap",
				    sizeof(struct xen_add_to_physmap), false,
				    xenmem_add_to_physmap },
	[XENMEM_memory_map] = { "memory_map", sizeof(struct xen_memory_map),
				true, xenmem_memory_map },
};

long hv_memory_op(struct vcpu *v, const uint64_t args[6])
{
	if (args[0] >> HV_MEMOP_EXTENT_SHIFT)
		return -XEN_EINVAL; /* a continuation we never created */
	return hv_subop_call(v, xenmem_table,
			     sizeof(xenmem_table) / sizeof(xenmem_table[0]),
			     args[0] & HV_MEMOP_CMD_MASK, args[1]);
}
