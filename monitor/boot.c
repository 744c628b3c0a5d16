/* monitor/boot.c: see boot.h.
 *
 * Layout above the kernel's last byte, each piece page aligned: the ramdisk,
 * then one block holding hvm_start_info, the module list, the memory map and
 * the command line. Linux reads these through its early 1 GiB identity map,
 * and the ramdisk and command line fields are 32 bits wide, so everything
 * must lie below 1 GiB (pvh-boot.md §2). */
#include "monitor/boot.h"

#include <errno.h>
#include <string.h>

#include "hv/xen.h"

#define PAGE_ALIGN(x) (((x) + 4095ull) & ~4095ull)
#define BOOT_LIMIT (1ull << 30)
#define BOOT_MAX_MEMMAP 8
#define BOOT_MAX_CMDLINE 4096

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_NVS 4

struct boot_block {
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct hvm_memmap_table_entry memmap[BOOT_MAX_MEMMAP];
	char cmdline[BOOT_MAX_CMDLINE];
};

static unsigned build_memmap(const struct guestmem *gm,
			     struct hvm_memmap_table_entry *mm)
{
	unsigned n = 0;

	for (unsigned i = 0; i < gm->nr_regions && n < BOOT_MAX_MEMMAP; i++) {
		const struct guestmem_region *r = &gm->region[i];

		mm[n].addr = r->gpa;
		mm[n].size = r->size;
		if (r->kind == GUESTMEM_RAM)
			mm[n].type = E820_RAM;
		else if (r->gpa == GUESTMEM_ACPI_GPA)
			mm[n].type = E820_NVS;
		else
			mm[n].type = E820_RESERVED;
		mm[n].reserved = 0;
		n++;
	}
	return n;
}

int boot_load_pvh(struct guestmem *gm, const struct boot_params *bp,
		  uint32_t *entry, uint32_t *start_info_gpa, const char **why)
{
	struct pvh_image img;
	struct boot_block *blk;
	uint64_t next, blk_gpa;
	size_t cmdlen = bp->cmdline ? strlen(bp->cmdline) : 0;
	int rc;

	rc = pvh_parse(bp->kernel, bp->kernel_len, &img, why);
	if (rc)
		return rc;
	rc = pvh_check_fits(&img, gm->region[0].size, why);
	if (rc)
		return rc;
	for (unsigned i = 0; i < img.nr_segments; i++) {
		const struct pvh_segment *s = &img.seg[i];
		uint8_t *dst = guestmem_ram_ptr(gm, s->paddr, s->memsz);

		if (!dst) {
			*why = "kernel segment lies outside guest RAM";
			return -E2BIG;
		}
		memcpy(dst, (const uint8_t *)bp->kernel + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	if (cmdlen >= BOOT_MAX_CMDLINE) {
		*why = "command line is longer than 4095 bytes";
		return -E2BIG;
	}

	next = PAGE_ALIGN(img.paddr_hi);
	blk_gpa = next;
	if (bp->ramdisk) {
		uint64_t rd_gpa = next;
		uint8_t *dst;

		if (bp->ramdisk_len > BOOT_LIMIT ||
		    rd_gpa + bp->ramdisk_len > BOOT_LIMIT ||
		    !(dst = guestmem_ram_ptr(gm, rd_gpa, bp->ramdisk_len))) {
			*why = "ramdisk does not fit in the guest's memory below 1 GiB";
			return -E2BIG;
		}
		memcpy(dst, bp->ramdisk, bp->ramdisk_len);
		blk_gpa = PAGE_ALIGN(rd_gpa + bp->ramdisk_len);
	}
	if (blk_gpa + sizeof(*blk) > BOOT_LIMIT ||
	    !(blk = guestmem_ram_ptr(gm, blk_gpa, sizeof(*blk)))) {
		*why = "no room for the start info below 1 GiB";
		return -E2BIG;
	}

	memset(blk, 0, sizeof(*blk));
	blk->si.magic = XEN_HVM_START_MAGIC_VALUE;
	blk->si.version = 1;
	blk->si.rsdp_paddr = bp->rsdp_gpa;
	if (bp->ramdisk) {
		blk->mod.paddr = next;
		blk->mod.size = bp->ramdisk_len;
		blk->si.nr_modules = 1;
		blk->si.modlist_paddr = blk_gpa + offsetof(struct boot_block, mod);
	}
	if (cmdlen) {
		memcpy(blk->cmdline, bp->cmdline, cmdlen);
		blk->si.cmdline_paddr = blk_gpa + offsetof(struct boot_block, cmdline);
	}
	blk->si.memmap_entries = build_memmap(gm, blk->memmap);
	blk->si.memmap_paddr = blk_gpa + offsetof(struct boot_block, memmap);

	*entry = img.entry;
	*start_info_gpa = (uint32_t)blk_gpa;
	return 0;
}
