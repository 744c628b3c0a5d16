/* monitor/guestmem.c: see guestmem.h. */
#include "monitor/guestmem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void add_region(struct guestmem *gm, uint64_t gpa, uint64_t size,
		       enum guestmem_kind kind)
{
	struct guestmem_region *r = &gm->region[gm->nr_regions++];

	r->gpa = gpa;
	r->size = size;
	r->fd_offset = gm->fd_size;
	r->kind = kind;
	gm->fd_size += size;
	if (kind == GUESTMEM_RAM)
		gm->ram_bytes += size;
}

int guestmem_create(struct guestmem *gm, uint64_t ram_bytes,
		    unsigned extra_pages)
{
	uint64_t low = ram_bytes;
	int r;

	memset(gm, 0, sizeof(*gm));
	gm->fd = -1;
	if (ram_bytes == 0 || (ram_bytes & 0xfff))
		return -EINVAL;
	if (low > GUESTMEM_LOW_RAM_END)
		low = GUESTMEM_LOW_RAM_END;
	add_region(gm, 0, low, GUESTMEM_RAM);
	if (ram_bytes > low)
		add_region(gm, GUESTMEM_HIGH_RAM_START, ram_bytes - low,
			   GUESTMEM_RAM);
	add_region(gm, GUESTMEM_ACPI_GPA, GUESTMEM_ACPI_SIZE, GUESTMEM_SPECIAL);
	add_region(gm, GUESTMEM_SPECIAL_GPA, GUESTMEM_SPECIAL_PAGES * 4096ull,
		   GUESTMEM_SPECIAL);

	gm->extra_fd_offset = gm->fd_size;
	gm->extra_size = (uint64_t)extra_pages * 4096;
	gm->fd_size += gm->extra_size;

	gm->fd = memfd_create("kxen-guest-ram", MFD_CLOEXEC);
	if (gm->fd < 0)
		return -errno;
	if (ftruncate(gm->fd, (off_t)gm->fd_size) < 0)
		goto fail;
	/* MAP_NORESERVE: guest RAM is committed only as the guest touches it. */
	gm->base = mmap(NULL, gm->fd_size, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_NORESERVE, gm->fd, 0);
	if (gm->base == MAP_FAILED) {
		gm->base = NULL;
		goto fail;
	}
	for (unsigned i = 0; i < gm->nr_regions; i++)
		gm->region[i].hva = gm->base + gm->region[i].fd_offset;
	gm->extra_hva = extra_pages ? gm->base + gm->extra_fd_offset : NULL;
	return 0;
fail:
	r = -errno;
	guestmem_destroy(gm);
	return r;
}

void guestmem_destroy(struct guestmem *gm)
{
	if (gm->base)
		munmap(gm->base, gm->fd_size);
	if (gm->fd >= 0)
		close(gm->fd);
	memset(gm, 0, sizeof(*gm));
	gm->fd = -1;
}

static void *lookup(const struct guestmem *gm, uint64_t gpa, uint64_t len,
		    bool ram_only)
{
	for (unsigned i = 0; i < gm->nr_regions; i++) {
		const struct guestmem_region *r = &gm->region[i];

		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (len > r->size - (gpa - r->gpa))
			return NULL;
		if (ram_only && r->kind != GUESTMEM_RAM)
			return NULL;
		return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

void *guestmem_ptr(const struct guestmem *gm, uint64_t gpa, uint64_t len)
{
	return lookup(gm, gpa, len, false);
}

void *guestmem_ram_ptr(const struct guestmem *gm, uint64_t gpa, uint64_t len)
{
	return lookup(gm, gpa, len, true);
}
