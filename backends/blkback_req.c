/* backends/blkback_req.c: one blkif request, checked and mapped (see
 * blkback.h). Pure but for the grant table: no I/O, no allocation.
 *
 * Input is the private copy of a ring slot; nothing here reads the ring.
 * The only other guest memory read is an indirect page, copied once into a
 * local array before any of it is checked. Checks follow Linux blkback's
 * dispatch_rw_block_io, xen_blkbk_parse_indirect and dispatch_discard_io:
 * 1..11 direct segments (0 only for a flush), first_sect <= last_sect <= 7,
 * and the sectors inside the disk with no u64 wrap. */
#include "backends/blkback.h"

#include <errno.h>
#include <string.h>

#include "backends/gnttab.h"

#define PAGE 4096u  /* Xen's page: grants, indirect pages */
#define SECTOR 512u /* blkif sectors, whatever the disk's */
#define SECTORS_PER_PAGE (PAGE / SECTOR)
#define SEGS_PER_INDIRECT_PAGE (PAGE / sizeof(struct blkif_request_segment))

_Static_assert(sizeof(blkif_request_discard_t) <= sizeof(blkif_request_t),
	       "discard fits a slot");
_Static_assert(sizeof(blkif_request_indirect_t) <= sizeof(blkif_request_t),
	       "indirect fits a slot");
_Static_assert(BLKBACK_MAX_SEGMENTS <=
		   BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * 512,
	       "indirect pages hold BLKBACK_MAX_SEGMENTS");

union any_request {
	blkif_request_t rw;
	blkif_request_discard_t discard;
	blkif_request_indirect_t indirect;
};

int16_t blkback_status(int rc)
{
	if (rc == 0)
		return BLKIF_RSP_OKAY;
	return rc == -EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP : BLKIF_RSP_ERROR;
}

static void unmap_segs(const struct blkback_params *p, const uint32_t *grefs,
		       unsigned n, bool write)
{
	for (unsigned i = 0; i < n; i++)
		gnttab_unmap(p->gnt, grefs[i], write);
}

void blkback_io_release(const struct blkback_params *p, struct blkback_io *io)
{
	unmap_segs(p, io->grefs, io->nr_segs, io->grants_writable);
	io->nr_segs = 0;
}

static void set_steps(struct blkback_io *io, int a, int b, int c)
{
	int s[3] = {a, b, c};

	io->nr_steps = 0;
	for (int i = 0; i < 3; i++)
		if (s[i] >= 0)
			io->steps[io->nr_steps++] = (uint8_t)s[i];
}

/* Is [sector, sector + n) inside the disk? Subtraction, so no wrap. */
static bool in_disk(const struct blkback_params *p, uint64_t sector, uint64_t n)
{
	return sector <= p->sectors && n <= p->sectors - sector;
}

/* Check n segments (a private copy), then map them for a disk read
 * (disk_read: we write the guest's pages) or write. */
static int map_data(const struct blkback_params *p, bool disk_read,
		    uint64_t sector, const struct blkif_request_segment *seg,
		    unsigned n, struct blkback_io *io)
{
	uint64_t total = 0;
	void *page;
	int rc;

	for (unsigned i = 0; i < n; i++) {
		if (seg[i].first_sect > seg[i].last_sect ||
		    seg[i].last_sect >= SECTORS_PER_PAGE)
			return -EINVAL;
		total += seg[i].last_sect - seg[i].first_sect + 1u;
	}
	if (!in_disk(p, sector, total))
		return -ERANGE;
	for (unsigned i = 0; i < n; i++) {
		rc = gnttab_map(p->gnt, seg[i].gref, disk_read, &page);
		if (rc) {
			unmap_segs(p, io->grefs, i, disk_read);
			return rc;
		}
		io->grefs[i] = seg[i].gref;
		io->iov[i].iov_base =
		    (uint8_t *)page + seg[i].first_sect * SECTOR;
		io->iov[i].iov_len =
		    (seg[i].last_sect - seg[i].first_sect + 1u) * SECTOR;
	}
	io->nr_segs = n;
	io->grants_writable = disk_read;
	io->sector = sector;
	io->nr_sectors = total;
	return 0;
}

/* READ, WRITE, WRITE_BARRIER, FLUSH_DISKCACHE. A flush with data flushes
 * first (REQ_PREFLUSH); a barrier also flushes after (REQ_FUA). */
static int parse_rw(const struct blkback_params *p, const union any_request *r,
		    struct blkback_io *io)
{
	uint8_t op = r->rw.operation;
	unsigned n = r->rw.nr_segments;
	bool flush =
	    op == BLKIF_OP_FLUSH_DISKCACHE || op == BLKIF_OP_WRITE_BARRIER;
	int rc;

	if (n == 0 && flush) {
		if (p->readonly) /* nothing to make durable */
			set_steps(io, -1, -1, -1);
		else
			set_steps(io, BLKBACK_STEP_FLUSH, -1, -1);
		return 0;
	}
	if (n == 0 || n > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return -EINVAL;
	if (op != BLKIF_OP_READ && p->readonly)
		return -EROFS;
	rc = map_data(p, op == BLKIF_OP_READ, r->rw.sector_number, r->rw.seg, n,
		      io);
	if (rc)
		return rc;
	if (op == BLKIF_OP_READ)
		set_steps(io, BLKBACK_STEP_READ, -1, -1);
	else if (op == BLKIF_OP_WRITE)
		set_steps(io, BLKBACK_STEP_WRITE, -1, -1);
	else if (op == BLKIF_OP_FLUSH_DISKCACHE)
		set_steps(io, BLKBACK_STEP_FLUSH, BLKBACK_STEP_WRITE, -1);
	else
		set_steps(io, BLKBACK_STEP_FLUSH, BLKBACK_STEP_WRITE,
			  BLKBACK_STEP_FLUSH);
	return 0;
}

static int parse_discard(const struct blkback_params *p,
			 const union any_request *r, struct blkback_io *io)
{
	const blkif_request_discard_t *d = &r->discard;

	if (!p->discard || (d->flag & BLKIF_DISCARD_SECURE))
		return -EOPNOTSUPP;
	if (p->readonly)
		return -EROFS;
	if (!in_disk(p, d->sector_number, d->nr_sectors))
		return -ERANGE;
	io->sector = d->sector_number;
	io->nr_sectors = d->nr_sectors;
	if (d->nr_sectors)
		set_steps(io, BLKBACK_STEP_DISCARD, -1, -1);
	else
		set_steps(io, -1, -1, -1);
	return 0;
}

/* INDIRECT: the descriptors live in up to 8 read-only granted pages. Each
 * page is mapped, copied out and released before any descriptor is used. */
static int parse_indirect(const struct blkback_params *p,
			  const union any_request *r, struct blkback_io *io)
{
	const blkif_request_indirect_t *ind = &r->indirect;
	struct blkif_request_segment seg[BLKBACK_MAX_SEGMENTS];
	unsigned n = ind->nr_segments, pages, chunk;
	uint8_t op = ind->indirect_op;
	void *page;
	int rc;

	if (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE)
		return -EINVAL;
	if (n == 0 || n > p->max_indirect_segments || n > BLKBACK_MAX_SEGMENTS)
		return -EINVAL;
	pages = (n + SEGS_PER_INDIRECT_PAGE - 1) / SEGS_PER_INDIRECT_PAGE;
	if (pages > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
		return -EINVAL;
	if (op == BLKIF_OP_WRITE && p->readonly)
		return -EROFS;
	for (unsigned i = 0; i < pages; i++) {
		rc = gnttab_map(p->gnt, ind->indirect_grefs[i], false, &page);
		if (rc)
			return rc;
		chunk = n - i * SEGS_PER_INDIRECT_PAGE;
		if (chunk > SEGS_PER_INDIRECT_PAGE)
			chunk = SEGS_PER_INDIRECT_PAGE;
		memcpy(&seg[i * SEGS_PER_INDIRECT_PAGE], page,
		       chunk * sizeof(seg[0]));
		gnttab_unmap(p->gnt, ind->indirect_grefs[i], false);
	}
	rc = map_data(p, op == BLKIF_OP_READ, ind->sector_number, seg, n, io);
	if (rc)
		return rc;
	set_steps(io,
		  op == BLKIF_OP_READ ? BLKBACK_STEP_READ : BLKBACK_STEP_WRITE,
		  -1, -1);
	return 0;
}

typedef int parse_fn(const struct blkback_params *p, const union any_request *r,
		     struct blkback_io *io);

static parse_fn *const parsers[] = {
    [BLKIF_OP_READ] = parse_rw,		 [BLKIF_OP_WRITE] = parse_rw,
    [BLKIF_OP_WRITE_BARRIER] = parse_rw, [BLKIF_OP_FLUSH_DISKCACHE] = parse_rw,
    [BLKIF_OP_DISCARD] = parse_discard,	 [BLKIF_OP_INDIRECT] = parse_indirect,
};

int blkback_parse_request(const struct blkback_params *p,
			  const blkif_request_t *req, struct blkback_io *io)
{
	union any_request r;
	uint8_t op;

	memcpy(&r, req, sizeof(r.rw));
	op = r.rw.operation;
	io->id = r.rw.id;
	io->operation = op == BLKIF_OP_INDIRECT ? r.indirect.indirect_op : op;
	io->nr_steps = 0;
	io->nr_segs = 0;
	io->grants_writable = false;
	io->sector = 0;
	io->nr_sectors = 0;
	if (op >= sizeof(parsers) / sizeof(parsers[0]) || !parsers[op])
		return -EOPNOTSUPP;
	return parsers[op](p, &r, io);
}
