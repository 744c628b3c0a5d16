/* monitor/platform.c: see platform.h. */
#include "monitor/platform.h"

#include <string.h>
#include <unistd.h>

#include "hv/xen.h"
#include "monitor/acpi.h"

void platform_io_out(struct vcpu *v, uint16_t port, const uint8_t *data,
		     unsigned size, unsigned count)
{
	ssize_t r;

	if (port == PLATFORM_DEBUG_PORT && size == 1) {
		/* String I/O (outsb) arrives as one exit with count bytes. */
		r = write(v->d->console_fd, data, count);
		(void)r; /* a closed console must not stop the guest */
	} else if (port == ACPI_SLEEP_CONTROL_PORT && size == 1 && count == 1) {
		/* Linux's acpi_power_off: SLP_TYP of \_S5 with SLP_EN. */
		if ((data[0] & ACPI_SLP_EN) &&
		    ((data[0] >> 2) & 7) == ACPI_SLP_TYP_S5)
			domain_shutdown(v->d, SHUTDOWN_poweroff);
	}
}

void platform_io_in(struct vcpu *v, uint16_t port, uint8_t *data,
		    unsigned size, unsigned count)
{
	(void)v;
	/* There is no PIT. Read as floating (0xff), channel 2 keeps Linux's
	 * quick_pit_calibrate waiting for its count to move: 100000 reads,
	 * each an exit to us, seconds of boot in a nested host. A channel
	 * stuck at 0 fails that calibration on the first read, as a PIT
	 * whose gate is low would; the TSC rate comes from Xen's pvclock. */
	memset(data, port == PLATFORM_PIT_CH2_PORT ? 0 : 0xff,
	       (size_t)size * count);
}
