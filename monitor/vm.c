/* monitor/vm.c: see vm.h. */
#include "monitor/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hv/xen.h"

/* What kxen cannot run without (DESIGN.md "What the host kernel must
 * provide"): modern Linux guests issue VMCALL/VMMCALL directly. */
#define VM_XEN_REQUIRED KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL

static const struct {
	unsigned flag;
	const char *name;
} xen_flag_names[] = {
	{ KVM_XEN_HVM_CONFIG_HYPERCALL_MSR, "HYPERCALL_MSR" },
	{ KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL, "INTERCEPT_HCALL" },
	{ KVM_XEN_HVM_CONFIG_SHARED_INFO, "SHARED_INFO" },
	{ KVM_XEN_HVM_CONFIG_RUNSTATE, "RUNSTATE" },
	{ KVM_XEN_HVM_CONFIG_EVTCHN_2LEVEL, "EVTCHN_2LEVEL" },
	{ KVM_XEN_HVM_CONFIG_EVTCHN_SEND, "EVTCHN_SEND" },
};

static int cpu_has_hw_virt(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (strncmp(line, "flags", 5) == 0)
			found = strstr(line, " vmx") || strstr(line, " svm");
	fclose(f);
	return found;
}

void vm_host_probe(struct vm_host_caps *caps)
{
	int fd, r;

	memset(caps, 0, sizeof(*caps));
	caps->hw_virt = cpu_has_hw_virt();
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(caps->kvm_error, sizeof(caps->kvm_error),
			 "cannot open /dev/kvm: %s", strerror(errno));
		return;
	}
	r = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION) {
		snprintf(caps->kvm_error, sizeof(caps->kvm_error),
			 "/dev/kvm has API version %d, need %d", r,
			 KVM_API_VERSION);
	} else {
		caps->kvm_ok = 1;
		r = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XEN_HVM);
		caps->xen_hvm = r > 0 ? (unsigned)r : 0;
		caps->coalesced_pio = ioctl(fd, KVM_CHECK_EXTENSION,
					    KVM_CAP_COALESCED_MMIO) > 0 &&
				      ioctl(fd, KVM_CHECK_EXTENSION,
					    KVM_CAP_COALESCED_PIO) > 0;
	}
	close(fd);
}

int vm_host_report(const struct vm_host_caps *caps, FILE *f)
{
	int ok = 1;

	fprintf(f, "KVM_CAP_XEN_HVM=0x%x", caps->xen_hvm);
	for (unsigned i = 0; i < sizeof(xen_flag_names) / sizeof(xen_flag_names[0]); i++)
		if (caps->xen_hvm & xen_flag_names[i].flag)
			fprintf(f, " %s", xen_flag_names[i].name);
	fprintf(f, "\nhardware virtualization (vmx/svm): %s\n",
		caps->hw_virt ? "yes" : "no");
	if (caps->kvm_ok)
		fprintf(f, "coalesced PIO (optional): %s\n",
			caps->coalesced_pio ? "yes" : "no");
	if (!caps->kvm_ok) {
		fprintf(f, "missing: KVM (%s)\n", caps->kvm_error);
		ok = 0;
	}
	if (!caps->hw_virt) {
		fprintf(f, "missing: hardware virtualization (the CPU has neither VMX nor SVM)\n");
		ok = 0;
	}
	if (caps->kvm_ok && (caps->xen_hvm & VM_XEN_REQUIRED) != VM_XEN_REQUIRED) {
		fprintf(f, "missing: KVM_CAP_XEN_HVM with KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL (host KVM built without CONFIG_KVM_XEN)\n");
		ok = 0;
	}
	fprintf(f, "this host %s run Xen guests directly\n", ok ? "can" : "cannot");
	return ok ? 0 : 1;
}

static int set_memslots(struct domain *d)
{
	for (unsigned i = 0; i < d->mem.nr_regions; i++) {
		const struct guestmem_region *r = &d->mem.region[i];
		struct kvm_userspace_memory_region slot = {
			.slot = i,
			.guest_phys_addr = r->gpa,
			.memory_size = r->size,
			.userspace_addr = (uintptr_t)r->hva,
		};

		if (ioctl(d->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
			return -errno;
	}
	return 0;
}

static int enable_xen(struct domain *d)
{
	struct kvm_xen_hvm_config cfg = {
		.flags = KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL,
		.msr = HV_HYPERCALL_MSR,
	};
	struct kvm_xen_hvm_attr lm = {
		.type = KVM_XEN_ATTR_TYPE_LONG_MODE,
		.u.long_mode = 1,
	};

	if (d->xen_caps & KVM_XEN_HVM_CONFIG_EVTCHN_SEND)
		cfg.flags |= KVM_XEN_HVM_CONFIG_EVTCHN_SEND;
	if (ioctl(d->vm_fd, KVM_XEN_HVM_CONFIG, &cfg) < 0)
		return -errno;
	/* KVM latches 64-bit layouts only on a hypercall-MSR write, which
	 * modern guests never make (pvh-boot.md §4). */
	if (ioctl(d->vm_fd, KVM_XEN_HVM_SET_ATTR, &lm) < 0)
		return -errno;
	return 0;
}

/* There is no PCI here, yet a booting Linux writes the PCI config address
 * port 0xcf8 some 16k times (the GART aperture search reads a register of
 * every slot of 256 buses, gart_iommu_hole_init). Those writes have no
 * effect, so KVM may buffer them in the coalesced ring instead of exiting
 * (vcpu_drop_coalesced empties it unread; a full ring, one page of 170
 * entries, still exits): half the probe's exits, and bench/boot's time to
 * init fell from 7.83 to 6.90 s in the test bed. The reads of 0xcfc still
 * exit. Without KVM_CAP_COALESCED_PIO every write exits, as before. */
static void coalesce_pci_address_port(struct domain *d)
{
	struct kvm_coalesced_mmio_zone z = { .addr = 0xcf8, .size = 4,
					     .pio = 1 };
	int page = ioctl(d->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);

	if (page <= 0 ||
	    ioctl(d->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) <= 0 ||
	    ioctl(d->vm_fd, KVM_REGISTER_COALESCED_MMIO, &z) < 0)
		return;
	d->coalesced_page = page;
}

int vm_create(struct domain *d, const char **why)
{
	struct vm_host_caps caps;
	struct kvm_enable_cap split = {
		.cap = KVM_CAP_SPLIT_IRQCHIP,
		.args = { 24 },
	};
	int rc;

	d->kvm_fd = d->vm_fd = -1;
	vm_host_probe(&caps);
	if (!caps.kvm_ok) {
		*why = "cannot use /dev/kvm (is the kvm module loaded and are you root?)";
		return -ENODEV;
	}
	if ((caps.xen_hvm & VM_XEN_REQUIRED) != VM_XEN_REQUIRED) {
		*why = "host KVM lacks KVM_CAP_XEN_HVM with KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL; "
		       "run guests in the test bed (testbed/run) or boot a host kernel built "
		       "with CONFIG_KVM_XEN on a CPU with VMX or SVM";
		return -ENOTSUP;
	}
	d->xen_caps = caps.xen_hvm;
	d->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (d->kvm_fd < 0)
		goto fail_errno;
	d->vm_fd = ioctl(d->kvm_fd, KVM_CREATE_VM, 0);
	if (d->vm_fd < 0)
		goto fail_errno;
	/* LAPIC in the kernel, no PIC or IOAPIC: a Xen PVH domU has neither
	 * (Xen's MADT lists no IOAPIC), and events arrive as vectors. */
	if (ioctl(d->vm_fd, KVM_ENABLE_CAP, &split) < 0) {
		*why = "KVM_CAP_SPLIT_IRQCHIP failed";
		goto fail_errno_why;
	}
	rc = set_memslots(d);
	if (rc) {
		*why = "cannot register guest memory with KVM";
		vm_destroy(d);
		return rc;
	}
	rc = enable_xen(d);
	if (rc) {
		*why = "KVM_XEN_HVM_CONFIG failed";
		vm_destroy(d);
		return rc;
	}
	coalesce_pci_address_port(d);
	return 0;
fail_errno:
	*why = "cannot create the KVM VM";
fail_errno_why:
	rc = -errno;
	vm_destroy(d);
	return rc;
}

void vm_destroy(struct domain *d)
{
	if (d->vm_fd >= 0)
		close(d->vm_fd);
	if (d->kvm_fd >= 0)
		close(d->kvm_fd);
	d->vm_fd = d->kvm_fd = -1;
}
