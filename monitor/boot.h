/* Building a PVH domain's initial memory: kernel, ramdisk, command line,
 * memory map and hvm_start_info (pvh-boot.md §2). */
#ifndef KXEN_MONITOR_BOOT_H
#define KXEN_MONITOR_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "monitor/guestmem.h"
#include "monitor/pvh.h"

struct boot_params {
	const void *kernel; /* the ELF file's bytes */
	size_t kernel_len;
	const void *ramdisk; /* may be NULL */
	size_t ramdisk_len;
	const char *cmdline; /* may be NULL */
	uint64_t rsdp_gpa;   /* 0: no ACPI */
};

/* Load everything into gm. On success *entry and *start_info_gpa say where
 * the BSP starts. Returns 0 or a negative errno with *why set. */
int boot_load_pvh(struct guestmem *gm, const struct boot_params *bp,
		  uint32_t *entry, uint32_t *start_info_gpa, const char **why)
	__attribute__((warn_unused_result));

#endif
