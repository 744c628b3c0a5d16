/* Unit tests of the hypercall layer on the host, without KVM: a fake vCPU
 * whose page tables are the identity over a fake guest memory, plus one
 * unmapped page, so hostile pointers can be exercised. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "hv/evtchn.h"
#include "hv/hypercall.h"
#include "hv/xen_kvm_fake.h"
#include <xen/features.h>

#define RAM (1u << 20)
#define HOLE_GVA 0x80000ull /* the fake page tables leave this page unmapped */
#define MMIO_GVA 0xFEE00000ull /* maps to a gpa outside every region */

static struct domain *d;
static struct vcpu *v;

static int fake_translate(struct vcpu *vv, uint64_t gva, uint64_t *gpa)
{
	(void)vv;
	if ((gva & ~0xfffull) == HOLE_GVA)
		return -EFAULT;
	*gpa = gva;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	d = calloc(1, sizeof(*d));
	assert_non_null(d);
	assert_int_equal(domain_init(d, 7), 0);
	assert_int_equal(guestmem_create(&d->mem, RAM, HV_NR_GNTTAB_FRAMES), 0);
	d->hv.gnttab_frames = d->mem.extra_hva;
	d->hv.max_pages = d->hv.cur_pages = RAM >> 12;
	d->console_fd = open("/dev/null", O_WRONLY);
	d->nr_vcpus = 2;
	d->vcpu[0].translate = d->vcpu[1].translate = fake_translate;
	v = &d->vcpu[0];
	xk_fake_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(d->console_fd);
	guestmem_destroy(&d->mem);
	domain_fini(d);
	free(d);
	return 0;
}

static long call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t args[6] = { a0, a1, a2, 0, 0, 0 };
	return hv_hypercall(v, nr, args, 0);
}

static void test_unknown_and_user_mode(void **state)
{
	uint64_t args[6] = { 0 };

	(void)state;
	assert_int_equal(call(9999, 0, 0, 0), -XEN_ENOSYS);
	assert_int_equal(call(UINT64_MAX, 0, 0, 0), -XEN_ENOSYS);
	assert_int_equal(call(__HYPERVISOR_mmu_update, 0, 0, 0), -XEN_ENOSYS);
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_xen_version, args, 3),
			 -XEN_EPERM);
	assert_int_equal(call(__HYPERVISOR_sched_op, 999, 0, 0), -XEN_ENOSYS);
	assert_int_equal(call(__HYPERVISOR_xen_version, 1ull << 40, 0, 0),
			 -XEN_ENOSYS);
}

static void test_xen_version(void **state)
{
	struct xen_feature_info fi = { .submap_idx = 0 };
	uint8_t *ram = guestmem_ptr(&d->mem, 0x1000, 4096);
	uint32_t want = (1u << XENFEAT_writable_page_tables) |
			(1u << XENFEAT_auto_translated_physmap) |
			(1u << XENFEAT_hvm_callback_vector) |
			(1u << XENFEAT_hvm_safe_pvclock);

	(void)state;
	assert_int_equal(call(__HYPERVISOR_xen_version, XENVER_version, 0, 0),
			 (4 << 16) | 17);
	memcpy(ram, &fi, sizeof(fi));
	assert_int_equal(call(__HYPERVISOR_xen_version, XENVER_get_features,
			      0x1000, 0), 0);
	memcpy(&fi, ram, sizeof(fi));
	assert_int_equal(fi.submap, want);
	/* Never dom0 or PIRQs. */
	assert_false(fi.submap & (1u << XENFEAT_dom0));
	assert_false(fi.submap & (1u << XENFEAT_hvm_pirqs));
	fi.submap_idx = 1;
	memcpy(ram, &fi, sizeof(fi));
	assert_int_equal(call(__HYPERVISOR_xen_version, XENVER_get_features,
			      0x1000, 0), 0);
	memcpy(&fi, ram, sizeof(fi));
	assert_int_equal(fi.submap, 0);
	assert_int_equal(call(__HYPERVISOR_xen_version, XENVER_extraversion,
			      0x2000, 0), 0);
	assert_string_equal((char *)ram + 0x1000, "-kxen");
}

static void test_bad_pointers(void **state)
{
	(void)state;
	/* Unmapped page, MMIO, beyond RAM, and a struct that starts in RAM
	 * and crosses into the unmapped page. */
	assert_int_equal(call(__HYPERVISOR_xen_version, XENVER_get_features,
			      HOLE_GVA, 0), -XEN_EFAULT);
	assert_int_equal(call(__HYPERVISOR_xen_version, XENVER_get_features,
			      MMIO_GVA, 0), -XEN_EFAULT);
	assert_int_equal(call(__HYPERVISOR_xen_version, XENVER_get_features,
			      RAM - 2, 0), -XEN_EFAULT);
	assert_int_equal(call(__HYPERVISOR_xen_version, XENVER_get_features,
			      HOLE_GVA - 4, 0), -XEN_EFAULT);
	assert_int_equal(call(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
			      UINT64_MAX - 1, 0), -XEN_EFAULT);
	assert_int_equal(call(__HYPERVISOR_console_io, CONSOLEIO_write, 100,
			      HOLE_GVA), -XEN_EFAULT);
	assert_int_equal(atomic_load(&d->shutdown_reason), DOMAIN_RUNNING);
}

static void test_console_io(void **state)
{
	(void)state;
	assert_int_equal(call(__HYPERVISOR_console_io, CONSOLEIO_write, 5,
			      0x3000), 0);
	/* Huge lengths are cut, not trusted. */
	assert_int_equal(call(__HYPERVISOR_console_io, CONSOLEIO_write,
			      UINT64_MAX, 0x3000), 0);
	assert_int_equal(call(__HYPERVISOR_console_io, CONSOLEIO_read, 5,
			      0x3000), -XEN_ENOSYS);
}

static void test_shutdown(void **state)
{
	uint8_t *ram = guestmem_ptr(&d->mem, 0x4000, 4);
	uint32_t reason = 77;

	(void)state;
	memcpy(ram, &reason, 4);
	assert_int_equal(call(__HYPERVISOR_sched_op, SCHEDOP_shutdown, 0x4000, 0),
			 -XEN_EINVAL);
	assert_int_equal(atomic_load(&d->shutdown_reason), DOMAIN_RUNNING);
	reason = SHUTDOWN_reboot;
	memcpy(ram, &reason, 4);
	assert_int_equal(call(__HYPERVISOR_sched_op, SCHEDOP_shutdown, 0x4000, 0), 0);
	assert_int_equal(atomic_load(&d->shutdown_reason), SHUTDOWN_reboot);
	/* The first reason wins. */
	reason = SHUTDOWN_crash;
	memcpy(ram, &reason, 4);
	assert_int_equal(call(__HYPERVISOR_sched_op, SCHEDOP_shutdown, 0x4000, 0), 0);
	assert_int_equal(atomic_load(&d->shutdown_reason), SHUTDOWN_reboot);
}

/* Put a struct at gva 0x5000 and make a call with it as argument 1. */
static void *arg_page(void)
{
	return guestmem_ptr(&d->mem, 0x5000, 4096);
}

static long call_arg(uint64_t nr, uint64_t cmd, const void *arg, size_t n)
{
	memcpy(arg_page(), arg, n);
	return call(nr, cmd, 0x5000, 1);
}

static void test_evtchn(void **state)
{
	struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 1 };
	struct evtchn_bind_ipi bi = { .vcpu = 0 };
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 0 };
	struct evtchn_close cl;
	struct evtchn_send se;
	struct evtchn_status st = { .dom = DOMID_SELF };
	evtchn_port_t timer_port, ipi_port;

	(void)state;
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &bv, sizeof(bv)), 0);
	memcpy(&bv, arg_page(), sizeof(bv));
	timer_port = bv.port;
	assert_int_equal(timer_port, 1);
	/* The VIRQ_TIMER port goes to KVM's timer for that vCPU. */
	assert_int_equal(xk_fake.timer_port[1], timer_port);
	/* Rebinding the same VIRQ on the same vCPU: -EEXIST (Linux then
	 * looks the port up with EVTCHNOP_status). */
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &bv, sizeof(bv)), -XEN_EEXIST);
	bv.virq = 999;
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &bv, sizeof(bv)), -XEN_EINVAL);
	bv.virq = VIRQ_DEBUG;
	bv.vcpu = 5; /* no such vCPU */
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &bv, sizeof(bv)), -XEN_ENOENT);

	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, &bi, sizeof(bi)), 0);
	memcpy(&bi, arg_page(), sizeof(bi));
	ipi_port = bi.port;
	assert_int_equal(ipi_port, 2);
	assert_int_equal(xk_fake.loopbacks, 1);

	st.port = timer_port;
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_status, &st, sizeof(st)), 0);
	memcpy(&st, arg_page(), sizeof(st));
	assert_int_equal(st.status, EVTCHNSTAT_virq);
	assert_int_equal(st.u.virq, VIRQ_TIMER);
	assert_int_equal(st.vcpu, 1);
	st.dom = 3; /* another domain's ports: not ours to see */
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_status, &st, sizeof(st)), -XEN_EPERM);

	se.port = ipi_port;
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &se, sizeof(se)), 0);
	assert_int_equal(xk_fake.last_send_port, ipi_port);
	for (uint32_t bad = 0; bad < 3; bad++) {
		uint32_t ports[] = { 0, 4096, 0xffffffff };
		se.port = ports[bad];
		assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &se, sizeof(se)), -XEN_EINVAL);
	}
	se.port = 77; /* free port */
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &se, sizeof(se)), -XEN_EINVAL);

	au.dom = 3;
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, &au, sizeof(au)), -XEN_EPERM);
	au.dom = DOMID_SELF;
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, &au, sizeof(au)), 0);

	cl.port = timer_port;
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_close, &cl, sizeof(cl)), 0);
	assert_int_equal(xk_fake.timer_port[1], 0);
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_close, &cl, sizeof(cl)), -XEN_EINVAL);
	/* The port is reused, and the VIRQ can be bound again. */
	bv.virq = VIRQ_TIMER;
	bv.vcpu = 1;
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, &bv, sizeof(bv)), 0);
	memcpy(&bv, arg_page(), sizeof(bv));
	assert_int_equal(bv.port, timer_port);
	/* FIFO ABI: -ENOSYS so that the guest uses 2-level events. */
	assert_int_equal(call(__HYPERVISOR_event_channel_op, EVTCHNOP_init_control, 0x5000, 0), -XEN_ENOSYS);
}

static void test_evtchn_exhaustion(void **state)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF };
	int ok = 0;

	(void)state;
	for (int i = 0; i < HV_NR_EVTCHN + 10; i++)
		if (call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, &au, sizeof(au)) == 0)
			ok++;
	assert_int_equal(ok, HV_NR_EVTCHN - 1); /* port 0 is never handed out */
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, &au, sizeof(au)), -XEN_ENOSPC);
}

static void test_unmask_redelivers(void **state)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .gpfn = 0x10,
	};
	struct evtchn_bind_ipi bi = { .vcpu = 0 };
	struct evtchn_unmask um;
	struct shared_info *si;

	(void)state;
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp, sizeof(xatp)), 0);
	assert_int_equal(xk_fake.shared_info_gfn, 0x10);
	/* Every vCPU's vcpu_info starts in its shared_info slot. */
	assert_int_equal(xk_fake.vcpu_info_gpa[0], 0x10000);
	assert_int_equal(xk_fake.vcpu_info_gpa[1], 0x10000 + sizeof(struct vcpu_info));
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, &bi, sizeof(bi)), 0);
	memcpy(&bi, arg_page(), sizeof(bi));
	si = guestmem_ptr(&d->mem, 0x10000, 4096);
	si->evtchn_mask[0] |= 1ull << bi.port;
	si->evtchn_pending[0] |= 1ull << bi.port;
	um.port = bi.port;
	xk_fake.sends = 0;
	assert_int_equal(call_arg(__HYPERVISOR_event_channel_op, EVTCHNOP_unmask, &um, sizeof(um)), 0);
	assert_false(si->evtchn_mask[0] & (1ull << bi.port));
	assert_int_equal(xk_fake.sends, 1); /* pending + unmasked: raised again */
	assert_true(si->evtchn_pending[0] & (1ull << bi.port));
}

static void test_memory_op(void **state)
{
	struct xen_add_to_physmap xatp = { .domid = DOMID_SELF };
	struct xen_memory_reservation res = { .domid = DOMID_SELF };
	struct xen_memory_map mm = { .nr_entries = 8 };
	domid_t self = DOMID_SELF;
	xen_pfn_t gfns[2] = { 0x40, 0x41 };

	(void)state;
	/* shared_info outside RAM, or another domain's: refused. */
	xatp.space = XENMAPSPACE_shared_info;
	xatp.gpfn = 0xFEE00;
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp, sizeof(xatp)), -XEN_EINVAL);
	xatp.gpfn = ~0ull;
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp, sizeof(xatp)), -XEN_EINVAL);
	xatp.domid = 3;
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp, sizeof(xatp)), -XEN_EPERM);
	/* Grant frames go outside RAM; inside RAM or past the table: no. */
	xatp.domid = DOMID_SELF;
	xatp.space = XENMAPSPACE_grant_table;
	xatp.idx = 0;
	xatp.gpfn = 0x100000;
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp, sizeof(xatp)), 0);
	assert_int_equal(xk_fake.overlays, 1);
	xatp.gpfn = 0x20;
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp, sizeof(xatp)), -XEN_EINVAL);
	xatp.idx = HV_NR_GNTTAB_FRAMES;
	xatp.gpfn = 0x100001;
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, &xatp, sizeof(xatp)), -XEN_EINVAL);

	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_current_reservation, &self, sizeof(self)), RAM >> 12);
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_maximum_reservation, &self, sizeof(self)), RAM >> 12);

	/* Balloon down two pages: exactly nr_extents back (else Linux BUGs). */
	memcpy(guestmem_ptr(&d->mem, 0x6000, sizeof(gfns)), gfns, sizeof(gfns));
	set_xen_guest_handle(res.extent_start, (xen_pfn_t *)0x6000);
	res.nr_extents = 2;
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, &res, sizeof(res)), 2);
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_current_reservation, &self, sizeof(self)), (RAM >> 12) - 2);
	/* A lying count stops at the first bad extent pointer. */
	res.nr_extents = 1ull << 40;
	set_xen_guest_handle(res.extent_start, (xen_pfn_t *)(HOLE_GVA - 8));
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_increase_reservation, &res, sizeof(res)), 1);
	/* A continuation the monitor never made: refused. */
	assert_int_equal(call(__HYPERVISOR_memory_op, XENMEM_current_reservation | (5 << 6), 0x5000, 0), -XEN_EINVAL);

	set_xen_guest_handle(mm.buffer, (void *)0x7000);
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_memory_map, &mm, sizeof(mm)), 0);
	memcpy(&mm, arg_page(), sizeof(mm));
	assert_int_equal(mm.nr_entries, d->mem.nr_regions);
	set_xen_guest_handle(mm.buffer, (void *)HOLE_GVA);
	assert_int_equal(call_arg(__HYPERVISOR_memory_op, XENMEM_memory_map, &mm, sizeof(mm)), -XEN_EFAULT);
}

static void test_vcpu_and_hvm_op(void **state)
{
	struct vcpu_register_vcpu_info ri = { .mfn = 0x30, .offset = 64 };
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ };
	struct xen_hvm_evtchn_upcall_vector uv = { .vcpu = 1, .vector = 0xf3 };
	uint64_t args[6] = { VCPUOP_register_vcpu_info, 1, 0x5000 };

	(void)state;
	memcpy(arg_page(), &ri, sizeof(ri));
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), 0);
	assert_int_equal(xk_fake.vcpu_info_gpa[1], 0x30040);
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), -XEN_EINVAL); /* once only */
	args[1] = 0;
	ri.offset = 4090; /* crosses the page */
	memcpy(arg_page(), &ri, sizeof(ri));
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), -XEN_EINVAL);
	ri.offset = 0;
	ri.mfn = 0xFEE00; /* not RAM */
	memcpy(arg_page(), &ri, sizeof(ri));
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), -XEN_EINVAL);
	args[1] = 99;
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), -XEN_ENOENT);
	args[0] = VCPUOP_is_up;
	args[1] = 1;
	d->vcpu[1].hv.up = 1;
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), 1);
	args[0] = VCPUOP_down;
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), 0);
	args[0] = VCPUOP_is_up;
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), 0);
	args[0] = VCPUOP_up;
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), 0);
	args[0] = VCPUOP_is_up;
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), 1);
	args[0] = VCPUOP_stop_singleshot_timer; /* another vCPU's timer */
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), -XEN_EINVAL);

	p.value = (2ull << 56) | 0xf3; /* vector callback */
	assert_int_equal(call_arg(__HYPERVISOR_hvm_op, HVMOP_set_param, &p, sizeof(p)), 0);
	assert_int_equal(xk_fake.callback_vector, 0xf3);
	p.value = (2ull << 56) | 0x02; /* an exception vector: refused */
	assert_int_equal(call_arg(__HYPERVISOR_hvm_op, HVMOP_set_param, &p, sizeof(p)), -XEN_EINVAL);
	p.index = HVM_PARAM_STORE_PFN; /* the toolstack's, not the guest's */
	assert_int_equal(call_arg(__HYPERVISOR_hvm_op, HVMOP_set_param, &p, sizeof(p)), -XEN_EPERM);
	p.index = 5000;
	assert_int_equal(call_arg(__HYPERVISOR_hvm_op, HVMOP_get_param, &p, sizeof(p)), -XEN_EINVAL);
	d->hv.hvm_param[HVM_PARAM_CONSOLE_EVTCHN] = 1;
	p.index = HVM_PARAM_CONSOLE_EVTCHN;
	assert_int_equal(call_arg(__HYPERVISOR_hvm_op, HVMOP_get_param, &p, sizeof(p)), 0);
	memcpy(&p, arg_page(), sizeof(p));
	assert_int_equal(p.value, 1);
	assert_int_equal(call_arg(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, &uv, sizeof(uv)), 0);
	assert_int_equal(xk_fake.vcpu_vector[1], 0xf3);
	uv.vcpu = 40;
	assert_int_equal(call_arg(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, &uv, sizeof(uv)), -XEN_ENOENT);
	assert_int_equal(call(__HYPERVISOR_hvm_op, HVMOP_pagetable_dying, 0x5000, 0), -XEN_ENOSYS);
}

static void test_gnttab_op(void **state)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	struct gnttab_set_version sv = { .version = 2 };

	(void)state;
	assert_int_equal(call_arg(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, &q, sizeof(q)), 0);
	memcpy(&q, arg_page(), sizeof(q));
	assert_int_equal(q.status, GNTST_okay);
	assert_int_equal(q.max_nr_frames, HV_NR_GNTTAB_FRAMES);
	assert_int_equal(call_arg(__HYPERVISOR_grant_table_op, GNTTABOP_set_version, &sv, sizeof(sv)), -XEN_EINVAL);
	sv.version = 1;
	assert_int_equal(call_arg(__HYPERVISOR_grant_table_op, GNTTABOP_set_version, &sv, sizeof(sv)), 0);
	/* Counts other than one are refused, never looped over. */
	memcpy(arg_page(), &q, sizeof(q));
	assert_int_equal(call(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, 0x5000, 1000000), -XEN_EINVAL);
}

static void test_periodic_timer(void **state)
{
	struct vcpu_set_periodic_timer pt = { .period_ns = 1000 };
	uint64_t args[6] = { VCPUOP_set_periodic_timer, 1, 0x5000 };

	(void)state;
	memcpy(arg_page(), &pt, sizeof(pt));
	/* Below Xen's 1 ms minimum: refused. */
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), -XEN_EINVAL);
	d->vcpu[1].hv.timer_port = 9;
	pt.period_ns = 1000000;
	memcpy(arg_page(), &pt, sizeof(pt));
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), 0);
	/* It ticks: VIRQ_TIMER's port is raised on vCPU 1 (within 2 s). */
	for (int i = 0; i < 2000 && !__atomic_load_n(&xk_fake.sends, __ATOMIC_SEQ_CST); i++)
		usleep(1000);
	assert_true(__atomic_load_n(&xk_fake.sends, __ATOMIC_SEQ_CST) > 0);
	assert_int_equal(xk_fake.last_send_port, 9);
	assert_int_equal(xk_fake.last_send_vcpu, 1);
	args[0] = VCPUOP_stop_periodic_timer;
	assert_int_equal(hv_hypercall(v, __HYPERVISOR_vcpu_op, args, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_and_user_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xen_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pointers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evtchn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evtchn_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmask_redelivers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_and_hvm_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gnttab_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_periodic_timer, setup, teardown),
	};
	return cmocka_run_group_tests_name("hypercall", tests, NULL, NULL);
}
