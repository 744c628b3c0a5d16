/* The few legacy ports a PVH guest touches: Xen's debug port 0xE9 and the
 * ACPI sleep control the monitor's FADT points at. Everything else reads as
 * absent (all ones) and ignores writes, as on a machine without it. */
#ifndef KXEN_MONITOR_PLATFORM_H
#define KXEN_MONITOR_PLATFORM_H

#include <stdint.h>

#include "monitor/domain.h"

#define PLATFORM_DEBUG_PORT 0xE9
#define PLATFORM_PIT_CH2_PORT 0x42 /* the PIT's channel 2 counter */

void platform_io_out(struct vcpu *v, uint16_t port, const uint8_t *data,
		     unsigned size, unsigned count);
void platform_io_in(struct vcpu *v, uint16_t port, uint8_t *data,
		    unsigned size, unsigned count);

#endif
