/* libFuzzer harness: the blkif backend (backends/blkback*) through its sync
 * API, on a ring page, grant table and guest RAM all chosen by a hostile
 * frontend, with a small memfd as the disk.
 *
 * Input: byte 0 = options (bit 0 readonly, bit 1 discard, bit 2 a 2-page
 * ring, bits 3-4 the indirect maximum 0/11/32/256), then the ring pages
 * (indexes included), then 128 grant entries, then 8 pages of guest RAM.
 * Missing bytes are zero.
 *
 * Checked: nothing outside these buffers is touched (ASan); every request
 * consumed gets exactly one response; no response carries padding; no
 * grant is left in use. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/grant_table.h>

#include "backends/blkback.h"
#include "backends/gnttab.h"
#include "lib/log.h"

#define PG 4096
#define NPAGES 8
#define NGRANTS 128
#define DISK_SECTORS 64

static uint8_t ram[NPAGES * PG] __attribute__((aligned(PG)));
static uint8_t table[PG] __attribute__((aligned(PG)));
static uint8_t ring[2 * PG] __attribute__((aligned(PG)));
static int disk_fd = -1;

static void *gfn_page(void *ctx, uint64_t gfn)
{
	(void)ctx;
	return gfn < NPAGES ? ram + gfn * PG : NULL;
}

static size_t take(void *dst, size_t len, const uint8_t **data, size_t *size)
{
	size_t n = *size < len ? *size : len;

	memset(dst, 0, len);
	memcpy(dst, *data, n);
	*data += n;
	*size -= n;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned max_ind[] = {0, 11, 32, 256};
	struct gnttab_view view = {
	    .frames = table, .nr_frames = 1, .gfn_page = gfn_page};
	struct blkback_params p = {0};
	grant_entry_v1_t *gt = (grant_entry_v1_t *)table;
	blkif_sring_t *sring = (blkif_sring_t *)ring;
	struct blkback_stats st;
	blkif_back_ring_t br;
	struct blkback *b;
	RING_IDX rsp0, rsp1;
	uint8_t opt;
	unsigned pages;

	if (disk_fd < 0) {
		log_set_level(LOG_LEVEL_ERROR);
		disk_fd = memfd_create("fuzz_blkback", MFD_CLOEXEC);
		if (disk_fd < 0)
			abort();
	}
	/* A fresh, sparse disk each run. */
	if (ftruncate(disk_fd, 0) || ftruncate(disk_fd, DISK_SECTORS * 512))
		abort();
	take(&opt, 1, &data, &size);
	pages = opt & 4 ? 2 : 1;
	take(ring, sizeof(ring), &data, &size);
	take(table, NGRANTS * sizeof(*gt), &data, &size);
	memset(table + NGRANTS * sizeof(*gt), 0, PG - NGRANTS * sizeof(*gt));
	for (unsigned i = 0; i < NGRANTS; i++)
		gt[i].flags &= (uint16_t) ~(GTF_reading | GTF_writing);
	take(ram, sizeof(ram), &data, &size);

	p.gnt = &view;
	p.ring = ring;
	p.nr_ring_pages = pages;
	p.kick_fd = -1;
	p.disk_fd = disk_fd;
	p.sectors = DISK_SECTORS;
	p.readonly = opt & 1;
	p.discard = opt & 2;
	p.max_indirect_segments = max_ind[(opt >> 3) & 3];
	p.name = "fuzz";
	rsp0 = sring->rsp_prod;
	if (blkback_create_sync(&b, &p))
		return 0;
	for (int pass = 0; pass < 2; pass++)
		if (blkback_run_sync(b) < 0)
			break;
	blkback_get_stats(b, &st);
	blkback_stop(b);

	rsp1 = sring->rsp_prod;
	if (rsp1 - rsp0 != st.requests)
		abort(); /* one response per consumed request */
	BACK_RING_INIT(&br, sring, (size_t)PG * pages);
	if (rsp1 - rsp0 > RING_SIZE(&br))
		rsp0 = rsp1 - RING_SIZE(&br); /* older ones overwritten */
	for (RING_IDX i = rsp0; i != rsp1; i++) {
		const uint8_t *r = (const uint8_t *)RING_GET_RESPONSE(&br, i);

		if (r[9] || r[12] || r[13] || r[14] || r[15])
			abort(); /* padding leak (XSA-216) */
	}
	for (unsigned i = 0; i < NGRANTS; i++)
		if (gt[i].flags & (GTF_reading | GTF_writing))
			abort(); /* a grant left in use */
	return 0;
}
