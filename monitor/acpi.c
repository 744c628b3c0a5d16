/* monitor/acpi.c: see acpi.h. Layouts from the ACPI 6.x specification
 * (§5.2); no ACPICA header is packaged for userspace, so the few structs
 * needed are spelled out here, packed, with their sizes checked. */
#include "monitor/acpi.h"

#include <stddef.h>
#include <string.h>

struct __attribute__((packed)) acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
};

struct __attribute__((packed)) acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
};

struct __attribute__((packed)) acpi_gas {
	uint8_t space_id; /* 1: system I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 1: byte */
	uint64_t address;
};

struct __attribute__((packed)) acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl, dsdt;
	uint8_t reserved0, pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt, pm2_cnt, pm_tmr;
	uint32_t gpe0, gpe1;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_len, gpe1_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_revision;
	uint64_t x_firmware_ctrl, x_dsdt;
	struct acpi_gas x_pm1a_evt, x_pm1b_evt, x_pm1a_cnt, x_pm1b_cnt;
	struct acpi_gas x_pm2_cnt, x_pm_tmr, x_gpe0, x_gpe1;
	struct acpi_gas sleep_control, sleep_status;
	uint64_t hypervisor_vendor;
};

struct __attribute__((packed)) acpi_madt_lapic {
	uint8_t type; /* 0: processor local APIC */
	uint8_t length;
	uint8_t processor_id;
	uint8_t apic_id;
	uint32_t flags; /* 1: enabled */
};

_Static_assert(sizeof(struct acpi_header) == 36, "ACPI header");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT rev 6");

#define FADT_HW_REDUCED_ACPI (1u << 20)
#define IAPC_NO_VGA (1u << 2)
#define IAPC_NO_CMOS_RTC (1u << 5)

/* Where each table goes in the ACPI region. */
enum {
	OFF_RSDP = 0x000,
	OFF_XSDT = 0x040,
	OFF_FADT = 0x100,
	OFF_DSDT = 0x240,
	OFF_MADT = 0x300,
	ACPI_TABLES_END = 0x600,
};

/* DefName(_S5_, Package(2) { 5, 5 }): SLP_TYPa and SLP_TYPb. */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02,
	0x0a, ACPI_SLP_TYP_S5, 0x0a, ACPI_SLP_TYP_S5,
};

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

static void fill_header(struct acpi_header *h, const char *sig, uint32_t len,
			uint8_t rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, "KXEN  ", 6);
	memcpy(h->oem_table_id, "KXENPVH ", 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "KXEN", 4);
	h->creator_revision = 1;
	h->checksum = 0;
	h->checksum = checksum(h, len);
}

static struct acpi_gas io_reg(uint16_t port)
{
	struct acpi_gas g = {
		.space_id = 1, .bit_width = 8, .access_size = 1, .address = port,
	};
	return g;
}

uint64_t acpi_build(struct guestmem *gm, unsigned nr_vcpus)
{
	uint8_t *base = guestmem_ptr(gm, GUESTMEM_ACPI_GPA, ACPI_TABLES_END);
	struct acpi_rsdp *rsdp;
	struct acpi_header *xsdt, *dsdt, *madt;
	struct acpi_fadt *fadt;
	uint64_t xsdt_entries[2];
	uint32_t madt_len = sizeof(*madt) + 8 + nr_vcpus * sizeof(struct acpi_madt_lapic);
	uint8_t *p;

	if (!base || nr_vcpus == 0 || OFF_MADT + madt_len > ACPI_TABLES_END)
		return 0;
	memset(base, 0, ACPI_TABLES_END);

	dsdt = (void *)(base + OFF_DSDT);
	memcpy(dsdt + 1, dsdt_aml, sizeof(dsdt_aml));
	fill_header(dsdt, "DSDT", sizeof(*dsdt) + sizeof(dsdt_aml), 2);

	fadt = (void *)(base + OFF_FADT);
	fadt->dsdt = GUESTMEM_ACPI_GPA + OFF_DSDT;
	fadt->x_dsdt = GUESTMEM_ACPI_GPA + OFF_DSDT;
	fadt->flags = FADT_HW_REDUCED_ACPI;
	fadt->iapc_boot_arch = IAPC_NO_VGA | IAPC_NO_CMOS_RTC;
	fadt->minor_revision = 0;
	fadt->sleep_control = io_reg(ACPI_SLEEP_CONTROL_PORT);
	fadt->sleep_status = io_reg(ACPI_SLEEP_STATUS_PORT);
	memcpy(&fadt->hypervisor_vendor, "XenVMM\0\0", 8);
	fill_header(&fadt->h, "FACP", sizeof(*fadt), 6);

	madt = (void *)(base + OFF_MADT);
	p = (uint8_t *)(madt + 1);
	{
		uint32_t lapic_addr = 0xFEE00000, flags = 0; /* no 8259 PICs */
		memcpy(p, &lapic_addr, 4);
		memcpy(p + 4, &flags, 4);
	}
	p += 8;
	for (unsigned i = 0; i < nr_vcpus; i++, p += sizeof(struct acpi_madt_lapic)) {
		struct acpi_madt_lapic l = {
			.type = 0, .length = sizeof(l),
			.processor_id = (uint8_t)i, .apic_id = (uint8_t)i,
			.flags = 1,
		};
		memcpy(p, &l, sizeof(l));
	}
	fill_header(madt, "APIC", madt_len, 4);

	xsdt = (void *)(base + OFF_XSDT);
	xsdt_entries[0] = GUESTMEM_ACPI_GPA + OFF_FADT;
	xsdt_entries[1] = GUESTMEM_ACPI_GPA + OFF_MADT;
	memcpy(xsdt + 1, xsdt_entries, sizeof(xsdt_entries));
	fill_header(xsdt, "XSDT", sizeof(*xsdt) + 2 * sizeof(uint64_t), 1);

	rsdp = (void *)(base + OFF_RSDP);
	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, "KXEN  ", 6);
	rsdp->revision = 2;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = GUESTMEM_ACPI_GPA + OFF_XSDT;
	rsdp->checksum = checksum(rsdp, 20);
	rsdp->extended_checksum = checksum(rsdp, sizeof(*rsdp));
	return GUESTMEM_ACPI_GPA + OFF_RSDP;
}
