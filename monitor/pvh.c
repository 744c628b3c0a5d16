/* monitor/pvh.c: parse a PVH kernel image (see pvh.h).
 *
 * Xen's rules for a PVH ELF (xen:docs/misc/pvh.pandoc): segments are loaded
 * by p_paddr; the entry point is the XEN_ELFNOTE_PHYS32_ENTRY note, entered
 * in 32-bit protected mode, never e_entry (which is the PV entry in Linux).
 * Every offset and size below comes from the file and is checked before use;
 * arithmetic is done so that it cannot wrap. */
#include "monitor/pvh.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <xen/elfnote.h>

#define FAIL(msg)                \
	do {                     \
		*why = (msg);    \
		return -EINVAL;  \
	} while (0)

/* Is [off, off + size) inside a buffer of len bytes? */
static int in_bounds(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static uint32_t align4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

/* Walk the notes of one PT_NOTE segment looking for PHYS32_ENTRY. Returns 1
 * and sets *entry when found, 0 when absent, -EINVAL on a malformed note. */
static int find_entry_note(const uint8_t *p, uint64_t size, uint32_t *entry,
			   const char **why)
{
	uint64_t pos = 0;

	while (size - pos >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t name_off, desc_off, next;

		memcpy(&nh, p + pos, sizeof(nh));
		name_off = pos + sizeof(nh);
		desc_off = name_off + align4(nh.n_namesz);
		next = desc_off + align4(nh.n_descsz);
		if (nh.n_namesz > size || nh.n_descsz > size || next > size)
			FAIL("ELF note runs past the end of its segment");
		if (nh.n_namesz == 4 && memcmp(p + name_off, "Xen", 4) == 0 &&
		    nh.n_type == XEN_ELFNOTE_PHYS32_ENTRY) {
			uint64_t v;

			if (nh.n_descsz == 4) {
				uint32_t v32;
				memcpy(&v32, p + desc_off, 4);
				v = v32;
			} else if (nh.n_descsz == 8) {
				memcpy(&v, p + desc_off, 8);
			} else {
				FAIL("Xen PHYS32_ENTRY note has a bad size");
			}
			if (v > UINT32_MAX)
				FAIL("Xen PHYS32_ENTRY is above 4 GiB");
			*entry = (uint32_t)v;
			return 1;
		}
		pos = next;
	}
	return 0;
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t len, const char **why)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		FAIL("not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		FAIL("not a 64-bit ELF file (only ELF64 PVH images are supported)");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		FAIL("not a little-endian ELF file");
	if (eh->e_machine != EM_X86_64)
		FAIL("not an x86-64 ELF file");
	if (eh->e_type != ET_EXEC)
		FAIL("not an executable ELF file");
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		FAIL("ELF program header size is wrong");
	if (eh->e_phnum == 0)
		FAIL("ELF file has no program headers");
	if (!in_bounds(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), len))
		FAIL("ELF program headers lie outside the file (truncated?)");
	return 0;
}

static int add_segment(struct pvh_image *img, const Elf64_Phdr *ph,
		       size_t len, const char **why)
{
	struct pvh_segment *s;

	if (ph->p_filesz > ph->p_memsz)
		FAIL("ELF segment has more file bytes than memory bytes");
	if (!in_bounds(ph->p_offset, ph->p_filesz, len))
		FAIL("ELF segment lies outside the file (truncated?)");
	if (ph->p_memsz == 0)
		return 0;
	if (ph->p_paddr > UINT64_MAX - ph->p_memsz)
		FAIL("ELF segment wraps the address space");
	for (unsigned i = 0; i < img->nr_segments; i++) {
		const struct pvh_segment *o = &img->seg[i];
		if (ph->p_paddr < o->paddr + o->memsz &&
		    o->paddr < ph->p_paddr + ph->p_memsz)
			FAIL("ELF segments overlap");
	}
	if (img->nr_segments == PVH_MAX_SEGMENTS)
		FAIL("ELF file has too many loadable segments");
	s = &img->seg[img->nr_segments++];
	s->paddr = ph->p_paddr;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->memsz = ph->p_memsz;
	return 0;
}

int pvh_parse(const void *buf, size_t len, struct pvh_image *out,
	      const char **why)
{
	const uint8_t *p = buf;
	Elf64_Ehdr eh;
	int found = 0, rc;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(eh))
		FAIL("file is too short to be an ELF image");
	memcpy(&eh, p, sizeof(eh));
	rc = check_ehdr(&eh, len, why);
	if (rc)
		return rc;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, p + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD) {
			rc = add_segment(out, &ph, len, why);
			if (rc)
				return rc;
		} else if (ph.p_type == PT_NOTE && !found) {
			if (!in_bounds(ph.p_offset, ph.p_filesz, len))
				FAIL("ELF note segment lies outside the file (truncated?)");
			rc = find_entry_note(p + ph.p_offset, ph.p_filesz,
					     &out->entry, why);
			if (rc < 0)
				return rc;
			found = rc;
		}
	}
	if (out->nr_segments == 0)
		FAIL("ELF file has no loadable segments");
	if (!found)
		FAIL("no Xen PHYS32_ENTRY note: not a PVH-capable kernel");

	out->paddr_lo = UINT64_MAX;
	for (unsigned i = 0; i < out->nr_segments; i++) {
		const struct pvh_segment *s = &out->seg[i];
		if (s->paddr < out->paddr_lo)
			out->paddr_lo = s->paddr;
		if (s->paddr + s->memsz > out->paddr_hi)
			out->paddr_hi = s->paddr + s->memsz;
	}
	for (unsigned i = 0; i < out->nr_segments; i++) {
		const struct pvh_segment *s = &out->seg[i];
		if (out->entry >= s->paddr && out->entry < s->paddr + s->memsz)
			return 0;
	}
	FAIL("PVH entry point lies outside every loadable segment");
}

int pvh_check_fits(const struct pvh_image *img, uint64_t ram_bytes,
		   const char **why)
{
	if (img->paddr_hi > ram_bytes || img->paddr_hi > (1ull << 32)) {
		*why = "kernel image does not fit in the guest's memory";
		return -E2BIG;
	}
	return 0;
}
