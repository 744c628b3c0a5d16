/* A guest's v1 grant table as a host backend sees it: resolve a grant
 * reference to the guest page it grants, with Xen's GTF_reading/GTF_writing
 * protocol (shared/reference/xenstore-and-devices.md §4.3).
 *
 * The backend never trusts the entry: it is read once, checked (type
 * permit_access, no sub_page, granted to us, writable if we write, frame in
 * guest RAM) and only then marked in use with a compare-and-swap, so a guest
 * that rewrites the entry concurrently either loses or gets an error. */
#ifndef KXEN_BACKENDS_GNTTAB_H
#define KXEN_BACKENDS_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>

struct gnttab_view {
	uint8_t *frames;    /* the table: nr_frames monitor pages, contiguous */
	unsigned nr_frames; /* 512 v1 entries each */
	uint16_t self;      /* our domid (the backend's), 0 for dom0 */
	/* The page of guest RAM at gfn, or NULL if gfn is not ordinary RAM
	 * (holes, MMIO, grant frames, store and console pages). */
	void *(*gfn_page)(void *ctx, uint64_t gfn);
	void *ctx;
};

/* Map ref for reading (write=false) or writing: on success *page is the
 * granted page and the entry carries GTF_reading (and GTF_writing).
 * Returns 0, -ERANGE (ref past the table), -EPERM (not granted to us, not
 * permit_access, sub_page, read-only for a write), -EFAULT (frame not RAM)
 * or -EBUSY (the guest kept changing the entry). */
int gnttab_map(const struct gnttab_view *g, uint32_t ref, bool write,
	       void **page) __attribute__((warn_unused_result));

/* End the use gnttab_map started: clear GTF_reading/GTF_writing. Call it
 * before the response that lets the guest reuse the grant. */
void gnttab_unmap(const struct gnttab_view *g, uint32_t ref, bool write);

#endif
