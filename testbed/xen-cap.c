/*
 * xen-cap: print what this host's /dev/kvm offers for Xen guests.
 *
 * The test bed's fallback for `kxen-monitor --check-host` when the monitor
 * is not built: it prints the same first line (KVM_CAP_XEN_HVM=0x..) and
 * exits 0 only when guests can run directly here, that is when the CPU has
 * VMX or SVM and KVM offers KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL. Built
 * statically by testbed/build-host-initramfs so the nested host can run it.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *const flag_names[] = {
	"HYPERCALL_MSR", "INTERCEPT_HCALL", "SHARED_INFO",
	"RUNSTATE",      "EVTCHN_2LEVEL",   "EVTCHN_SEND",
};

/* 1 if /proc/cpuinfo lists vmx or svm. */
static int cpu_has_hw_virt(void)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5) &&
		    (strstr(line, " vmx") || strstr(line, " svm")))
			found = 1;
	fclose(f);
	return found;
}

int main(void)
{
	int fd, caps = 0, hw = cpu_has_hw_virt();
	unsigned i;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		caps = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XEN_HVM);
		if (caps < 0)
			caps = 0;
		close(fd);
	}
	printf("KVM_CAP_XEN_HVM=0x%x", caps);
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (caps & (1 << i))
			printf(" %s", flag_names[i]);
	printf("\n");
	if (fd < 0)
		printf("missing: /dev/kvm\n");
	if (!hw)
		printf("missing: hardware virtualization (vmx/svm)\n");
	if (!(caps & KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL))
		printf("missing: KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL "
		       "(KVM without CONFIG_KVM_XEN)\n");
	return fd >= 0 && hw && (caps & KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL) ? 0 : 1;
}
