/* The ACPI tables a PVH Linux guest needs (pvh-boot.md §7): RSDP, XSDT, a
 * hardware-reduced FADT whose sleep control register makes `poweroff` a
 * poweroff, a DSDT holding only \_S5, and a MADT with one LAPIC per vCPU
 * and no IOAPIC. Without the MADT the Xen timer is never set up. */
#ifndef KXEN_MONITOR_ACPI_H
#define KXEN_MONITOR_ACPI_H

#include <stdint.h>

#include "monitor/guestmem.h"

/* I/O ports of the FADT's sleep control and status registers. */
#define ACPI_SLEEP_CONTROL_PORT 0x600
#define ACPI_SLEEP_STATUS_PORT 0x601
/* What Linux writes to the control register to enter S5:
 * SLP_TYPx (the \_S5 value 5) in bits 2-4, SLP_EN in bit 5. */
#define ACPI_SLP_TYP_S5 5
#define ACPI_SLP_EN (1u << 5)

/* Build the tables for nr_vcpus in the ACPI region of gm. Returns the RSDP
 * address, or 0 if the region is missing or too small. */
uint64_t acpi_build(struct guestmem *gm, unsigned nr_vcpus);

#endif
