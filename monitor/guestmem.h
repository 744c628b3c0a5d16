/* Guest physical memory: one memfd, mapped into the monitor, carved into
 * regions that each become a KVM memory slot.
 *
 * The memfd lets other processes (xenstored for the store ring, backends, a
 * migration sender) map exactly the pages they need. Every access the
 * monitor makes on behalf of a guest goes through guestmem_ptr(), which
 * returns NULL for anything not wholly inside one region, so a guest-chosen
 * address can never reach monitor memory. */
#ifndef KXEN_MONITOR_GUESTMEM_H
#define KXEN_MONITOR_GUESTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUESTMEM_MAX_REGIONS 8

enum guestmem_kind {
	GUESTMEM_RAM,     /* ordinary RAM, listed in the e820 map */
	GUESTMEM_SPECIAL, /* monitor-owned pages: ACPI, console, store rings */
};

struct guestmem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t fd_offset; /* where the region starts in the memfd */
	uint8_t *hva;       /* monitor mapping */
	enum guestmem_kind kind;
};

struct guestmem {
	int fd;
	uint64_t fd_size;
	uint8_t *base; /* mapping of the whole memfd */
	unsigned nr_regions;
	struct guestmem_region region[GUESTMEM_MAX_REGIONS];
	uint64_t ram_bytes; /* sum of RAM regions */
	/* Monitor-owned pages with no fixed guest address (grant table
	 * frames), also in the memfd so backends elsewhere can map them. */
	uint8_t *extra_hva;
	uint64_t extra_fd_offset, extra_size;
};

/* Below-4G RAM ends here; the rest of RAM goes above 4 GiB (Xen's
 * HVM_BELOW_4G_RAM_END). */
#define GUESTMEM_LOW_RAM_END 0xF0000000ull
#define GUESTMEM_HIGH_RAM_START 0x100000000ull
/* Monitor-owned pages, as Xen places them for a PVH domU. */
#define GUESTMEM_ACPI_GPA 0xFC000000ull
#define GUESTMEM_ACPI_SIZE 0x10000ull
#define GUESTMEM_SPECIAL_GPA 0xFEFF8000ull
#define GUESTMEM_SPECIAL_PAGES 8
#define GUESTMEM_STORE_PFN 0xFEFFCull
#define GUESTMEM_CONSOLE_PFN 0xFEFFFull

/* Create the memfd for ram_bytes of RAM, the special regions and
 * extra_pages monitor-owned pages, and map it.
 * Returns 0 or a negative errno; on failure nothing is left allocated. */
int guestmem_create(struct guestmem *gm, uint64_t ram_bytes,
		    unsigned extra_pages)
	__attribute__((warn_unused_result));
void guestmem_destroy(struct guestmem *gm);

/* Monitor pointer to [gpa, gpa + len), or NULL unless the whole range lies
 * inside one region. */
void *guestmem_ptr(const struct guestmem *gm, uint64_t gpa, uint64_t len);

/* As guestmem_ptr, but only ordinary RAM (what a guest may grant or load). */
void *guestmem_ram_ptr(const struct guestmem *gm, uint64_t gpa, uint64_t len);

#endif
