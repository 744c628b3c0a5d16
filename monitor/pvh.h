/* PVH boot: the ELF loader and the hvm_start_info builder.
 *
 * pvh_parse() is a pure function over the bytes of an ELF file: it checks
 * everything a hostile or broken image could get wrong and describes where
 * the image goes. Loading into guest memory and building the start info are
 * separate steps, so the parser can be unit tested and fuzzed alone. */
#ifndef KXEN_MONITOR_PVH_H
#define KXEN_MONITOR_PVH_H

#include <stddef.h>
#include <stdint.h>

#define PVH_MAX_SEGMENTS 16

struct pvh_segment {
	uint64_t paddr;  /* guest-physical load address */
	uint64_t offset; /* in the file */
	uint64_t filesz; /* bytes copied from the file */
	uint64_t memsz;  /* bytes occupied; the rest is zeroed */
};

struct pvh_image {
	uint32_t entry; /* XEN_ELFNOTE_PHYS32_ENTRY */
	unsigned nr_segments;
	struct pvh_segment seg[PVH_MAX_SEGMENTS];
	uint64_t paddr_lo, paddr_hi; /* extent of all segments [lo, hi) */
};

/* Parse an ELF64 x86-64 PVH image. Returns 0, or -EINVAL with *why set to a
 * static phrase naming the problem (truncated file, no PVH entry note,
 * overlapping segments, ...). */
int pvh_parse(const void *buf, size_t len, struct pvh_image *out,
	      const char **why) __attribute__((warn_unused_result));

/* Check that the image fits in guest RAM [0, ram_bytes) below 4 GiB.
 * Returns 0 or -E2BIG with *why set. */
int pvh_check_fits(const struct pvh_image *img, uint64_t ram_bytes,
		   const char **why) __attribute__((warn_unused_result));

#endif
