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

#include "hv/hypercall.h"
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
	assert_int_equal(guestmem_create(&d->mem, RAM, 0), 0);
	atomic_store(&d->shutdown_reason, DOMAIN_RUNNING);
	d->console_fd = open("/dev/null", O_WRONLY);
	d->domid = 7;
	v = &d->vcpu[0];
	v->d = d;
	v->fd = -1;
	v->translate = fake_translate;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(d->console_fd);
	guestmem_destroy(&d->mem);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_and_user_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xen_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pointers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown, setup, teardown),
	};
	return cmocka_run_group_tests_name("hypercall", tests, NULL, NULL);
}
