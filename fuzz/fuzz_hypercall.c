/* libFuzzer harness: random hypercalls against random guest memory.
 *
 * Input layout: the first 64 bytes give up to 4 hypercalls' numbers and
 * arguments (small values, so sub-ops are reached); the rest is copied into
 * the first page of a fake guest. The fake page tables map most addresses
 * one-to-one and leave a hole, so hostile pointers are exercised. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv/hypercall.h"

static struct domain *d;

static int fuzz_translate(struct vcpu *v, uint64_t gva, uint64_t *gpa)
{
	(void)v;
	if ((gva >> 12) % 7 == 3)
		return -EFAULT;
	*gpa = gva;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vcpu *v;
	uint8_t *page;

	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d || domain_init(d, 1) ||
		    guestmem_create(&d->mem, 1 << 20, HV_NR_GNTTAB_FRAMES))
			abort();
		d->hv.gnttab_frames = d->mem.extra_hva;
		d->hv.max_pages = d->hv.cur_pages = 256;
		d->nr_vcpus = 2;
		d->console_fd = open("/dev/null", O_WRONLY);
	}
	atomic_store(&d->shutdown_reason, DOMAIN_RUNNING);
	v = &d->vcpu[data[0] & 1];
	d->vcpu[0].translate = d->vcpu[1].translate = fuzz_translate;
	page = guestmem_ptr(&d->mem, 0, 4096);
	memset(page, 0, 4096);
	if (size == 0)
		return 0;
	if (size > 64)
		memcpy(page, data + 64, size - 64 > 4096 ? 4096 : size - 64);

	for (size_t off = 0; off + 16 <= size && off < 64; off += 16) {
		uint64_t args[6] = { 0 };
		uint8_t nr = data[off] % 40;

		args[0] = data[off + 1] % 40;
		memcpy(&args[1], data + off + 2, 4); /* pointers within 4 GiB */
		args[1] %= (2u << 20);
		memcpy(&args[2], data + off + 6, 8);
		hv_hypercall(v, nr, args, data[off + 14] & 1 ? 0 : 3);
	}
	return 0;
}
