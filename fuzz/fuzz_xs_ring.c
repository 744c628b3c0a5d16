/* fuzz/fuzz_xs_ring.c: the ring consumer on a fake store page.
 *
 * A domain is introduced with a memfd page and eventfds, as kxen's monitor
 * hands it over. Each round of input sets the four ring indexes and the
 * request ring's bytes (as a hostile guest may), then kicks xenstored. The
 * server must never read or write outside the page and must stop serving
 * the domain on bad indexes. */
#include "xenstore/xenstored.h"
#include "lib/log.h"

#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

struct round {
	uint32_t req_prod_delta, rsp_cons_delta;
	uint8_t flags;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xenstore_domain_interface *intf;
	struct xsd x;
	int mfd, kick, notify;
	size_t off = 0;

	log_set_level(LOG_LEVEL_ERROR);
	if (xsd_init(&x) < 0)
		return 0;
	mfd = memfd_create("fuzz-ring", MFD_CLOEXEC);
	kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	notify = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mfd < 0 || kick < 0 || notify < 0 || ftruncate(mfd, 2 * 4096) < 0)
		goto out;
	intf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 4096);
	if (intf == MAP_FAILED)
		goto out;
	/* xenstored takes its own copies (the caller keeps these). */
	if (domain_introduce(&x, 9, 1, 1, dup(mfd), dup(kick), dup(notify)) == 0) {
		struct domain *d = domain_find(&x, 9);

		for (int r = 0; r < 16 && off + sizeof(struct round) <= size; r++) {
			struct round rd;
			size_t n;

			memcpy(&rd, data + off, sizeof(rd));
			off += sizeof(rd);
			n = size - off < 1024 ? size - off : 1024;
			memcpy(intf->req, data + off, n);
			off += n;
			intf->req_prod += (rd.flags & 1) ?
				rd.req_prod_delta : rd.req_prod_delta % 1025;
			intf->rsp_cons += (rd.flags & 2) ?
				rd.rsp_cons_delta : rd.rsp_cons_delta % 1025;
			if (rd.flags & 4)
				intf->req_cons = rd.req_prod_delta;
			domain_ring_event(d);
			conn_reap(&x);
			d = domain_find(&x, 9);
			if (!d)
				break;
		}
		(void)domain_release(&x, 9);
	}
	conn_reap(&x);
	munmap(intf, 4096);
out:
	if (mfd >= 0)
		close(mfd);
	if (kick >= 0)
		close(kick);
	if (notify >= 0)
		close(notify);
	xsd_fini(&x);
	return 0;
}
