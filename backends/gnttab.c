/* backends/gnttab.c: see gnttab.h. Mirrors Xen's _set_status_v1. */
#include "backends/gnttab.h"

#include <errno.h>
#include <stddef.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#define ENTRIES_PER_FRAME (4096 / sizeof(grant_entry_v1_t))
#define MAX_RETRIES 5

static grant_entry_v1_t *entry(const struct gnttab_view *g, uint32_t ref)
{
	if (ref >= (uint64_t)g->nr_frames * ENTRIES_PER_FRAME)
		return NULL;
	return (grant_entry_v1_t *)g->frames + ref;
}

int gnttab_map(const struct gnttab_view *g, uint32_t ref, bool write,
	       void **page)
{
	grant_entry_v1_t *e = entry(g, ref);
	uint32_t *word; /* flags (low half) and domid (high half) */
	uint32_t old, new;
	uint16_t flags, busy = GTF_reading | (write ? GTF_writing : 0);
	void *p;

	if (!e)
		return -ERANGE;
	word = (uint32_t *)e;
	for (int i = 0; i < MAX_RETRIES; i++) {
		old = __atomic_load_n(word, __ATOMIC_ACQUIRE);
		flags = (uint16_t)old;
		if ((flags & (GTF_type_mask | GTF_sub_page)) !=
			    GTF_permit_access ||
		    (uint16_t)(old >> 16) != g->self)
			return -EPERM;
		if (write && (flags & GTF_readonly))
			return -EPERM;
		new = old | busy;
		if (__atomic_compare_exchange_n(word, &old, new, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			goto claimed;
	}
	return -EBUSY;
claimed:
	/* The frame is read after the claim: the guest may not change it
	 * while the entry is in use (Xen reads it at the same point). */
	p = g->gfn_page(g->ctx, __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE));
	if (!p) {
		gnttab_unmap(g, ref, write);
		return -EFAULT;
	}
	*page = p;
	return 0;
}

void gnttab_unmap(const struct gnttab_view *g, uint32_t ref, bool write)
{
	grant_entry_v1_t *e = entry(g, ref);
	uint16_t busy = GTF_reading | (write ? GTF_writing : 0);

	if (e)
		__atomic_and_fetch(&e->flags, (uint16_t)~busy, __ATOMIC_RELEASE);
}
