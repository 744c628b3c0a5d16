/* hv/hypercall.c: the hypercall table and guest memory copies.
 *
 * A guest is hostile by default: numbers out of range, pointers into holes
 * or MMIO, structs that cross pages, calls from user mode. Each case gets a
 * Xen error code; nothing here can make the monitor touch memory outside the
 * guest's RAM, because every guest byte is reached through guestmem_ptr(). */
#include "hv/hv_internal.h"

#include <errno.h>
#include <string.h>

#include "lib/log.h"

static const struct {
	const char *name;
	hv_handler_fn fn;
} hv_table[] = {
	[__HYPERVISOR_xen_version] = { "xen_version", hv_xen_version },
	[__HYPERVISOR_console_io] = { "console_io", hv_console_io },
	[__HYPERVISOR_sched_op] = { "sched_op", hv_sched_op },
	[__HYPERVISOR_memory_op] = { "memory_op", hv_memory_op },
	[__HYPERVISOR_set_timer_op] = { "set_timer_op", hv_set_timer_op },
	[__HYPERVISOR_grant_table_op] = { "grant_table_op", hv_grant_table_op },
	[__HYPERVISOR_vm_assist] = { "vm_assist", hv_vm_assist },
	[__HYPERVISOR_vcpu_op] = { "vcpu_op", hv_vcpu_op },
	[__HYPERVISOR_event_channel_op] = { "event_channel_op", hv_event_channel_op },
	[__HYPERVISOR_hvm_op] = { "hvm_op", hv_hvm_op },
	/* Known but not served: physdev_op is used only with hvm_pirqs,
	 * which kxen never offers; it answers -ENOSYS by name. */
	[__HYPERVISOR_physdev_op] = { "physdev_op", NULL },
};

#define HV_TABLE_SIZE (sizeof(hv_table) / sizeof(hv_table[0]))

const char *hv_hypercall_name(uint64_t nr)
{
	return nr < HV_TABLE_SIZE ? hv_table[nr].name : NULL;
}

static long dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[6],
		     unsigned cpl)
{
	/* Xen's hvm_hypercall: only the guest kernel may call. */
	if (cpl != 0)
		return -XEN_EPERM;
	if (nr >= HV_TABLE_SIZE || !hv_table[nr].fn)
		return -XEN_ENOSYS;
	return hv_table[nr].fn(v, args);
}

long hv_hypercall(struct vcpu *v, uint64_t nr, const uint64_t args[6],
		  unsigned cpl)
{
	long ret = dispatch(v, nr, args, cpl);
	const char *name = hv_hypercall_name(nr);

	/* The trace that tells which hypercalls a guest makes and how each
	 * was answered (--log-level debug). */
	log_debug("vcpu%u: hypercall %s(%llu, 0x%llx, 0x%llx) = %ld", v->id,
		  name ? name : "?", (unsigned long long)args[0],
		  (unsigned long long)args[1], (unsigned long long)args[2], ret);
	return ret;
}

long hv_subop_call(struct vcpu *v, const struct hv_subop *table, size_t n,
		   uint64_t cmd, uint64_t gva)
{
	uint8_t arg[HV_SUBOP_MAX_ARG];
	const struct hv_subop *op;
	long ret;

	if (cmd >= n || !table[cmd].fn)
		return -XEN_ENOSYS;
	op = &table[cmd];
	if (op->arg_size > sizeof(arg))
		return -XEN_EINVAL; /* a table bug, not the guest's */
	memset(arg, 0, op->arg_size);
	if (op->arg_size && guest_copy_from(v, arg, gva, op->arg_size))
		return -XEN_EFAULT;
	ret = op->fn(v, arg);
	if (ret >= 0 && op->copy_out && op->arg_size &&
	    guest_copy_to(v, gva, arg, op->arg_size))
		return -XEN_EFAULT;
	return ret;
}

/* Resolve one page's worth of [gva, gva + len) to monitor memory. */
static void *guest_chunk(struct vcpu *v, uint64_t gva, size_t len,
			 size_t *chunk)
{
	uint64_t gpa;
	size_t room = 4096 - (gva & 4095);

	*chunk = len < room ? len : room;
	if (v->translate(v, gva, &gpa))
		return NULL;
	return guestmem_ptr(&v->d->mem, gpa, *chunk);
}

int guest_copy_from(struct vcpu *v, void *dst, uint64_t gva, size_t len)
{
	uint8_t *out = dst;

	while (len) {
		size_t chunk;
		void *p = guest_chunk(v, gva, len, &chunk);

		if (!p)
			return -XEN_EFAULT;
		memcpy(out, p, chunk);
		out += chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

int guest_copy_to(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
	const uint8_t *in = src;

	while (len) {
		size_t chunk;
		void *p = guest_chunk(v, gva, len, &chunk);

		if (!p)
			return -XEN_EFAULT;
		memcpy(p, in, chunk);
		in += chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}
