// SPDX-License-Identifier: MIT
/*
 * The ACPI tables `kvmu run` gives a Linux guest, since Debian's kernels
 * find their CPUs and interrupt controllers only through ACPI (they are
 * built without MP-table parsing): RSDP 2.0 -> XSDT -> FADT (with an empty
 * DSDT), MADT.  The MADT lists one local APIC per vCPU, the IOAPIC at
 * GSI 0, IRQ 0 overridden to GSI 2 (as KVM's default routing wires it)
 * and LINT1 as NMI.  The FADT describes the PM1 registers and the ACPI PM
 * timer that x86_run.c serves (ACPI_PM_BASE), the CMOS century, and the
 * reset register at port 0xCF9.  Everything lies in [ACPI_BASE, 1 MiB),
 * reserved in the e820 map.  Layouts: ACPI 6.x, sections 5.2.5-5.2.12.
 */
#include <string.h>

#include "run.h"

#define RSDP_AT		ACPI_BASE
#define XSDT_AT		(ACPI_BASE + 0x40)
#define FADT_AT		(ACPI_BASE + 0x100)
#define DSDT_AT		(ACPI_BASE + 0x200)
#define MADT_AT		(ACPI_BASE + 0x300)
#define HDR_LEN		36
#define FADT_LEN	244		/* revision 3 */
#define IOAPIC_ADDR	0xFEC00000U
#define LAPIC_ADDR	0xFEE00000U
#define SCI_IRQ		9

static void put(uint8_t *p, uint64_t v, unsigned int n)
{
	while (n--) {
		*p++ = (uint8_t)v;
		v >>= 8;
	}
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return (uint8_t)-sum;
}

/* The common header; the checksum is set once the table is complete. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memset(t, 0, len);
	memcpy(t, sig, 4);
	put(t + 4, len, 4);
	t[8] = rev;
	memcpy(t + 10, "KVMU  ", 6);
	memcpy(t + 16, "KVMURUN ", 8);
	put(t + 24, 1, 4);
	memcpy(t + 28, "KVMU", 4);
	put(t + 32, 1, 4);
}

static void seal(uint8_t *t)
{
	t[9] = 0;
	t[9] = checksum(t, t[4] | t[5] << 8 | t[6] << 16);
}

static void fadt(uint8_t *mem)
{
	uint8_t *t = mem + FADT_AT;

	header(t, "FACP", FADT_LEN, 3);
	put(t + 40, DSDT_AT, 4);
	put(t + 46, SCI_IRQ, 2);
	put(t + 56, ACPI_PM_BASE, 4);			/* PM1a event */
	put(t + 64, ACPI_PM_BASE + 4, 4);		/* PM1a control */
	put(t + 76, ACPI_PM_BASE + 8, 4);		/* PM timer */
	t[88] = 4;
	t[89] = 2;
	t[91] = 4;
	t[108] = 0x32;					/* CMOS century */
	put(t + 109, 1, 2);				/* legacy devices */
	put(t + 112, 1 << 0 | 1 << 4 | 1 << 5 | 1 << 10, 4);
	t[116] = 1;					/* reset: I/O space */
	t[117] = 8;
	t[119] = 1;
	put(t + 120, 0xCF9, 8);
	t[128] = 0x06;					/* hard reset */
	put(t + 140, DSDT_AT, 8);			/* X_DSDT */
	seal(t);
}

/* MADT entries: n local APICs, the IOAPIC, IRQ 0 -> GSI 2, LINT1 NMI. */
static uint32_t madt_entries(uint8_t *p, int n, uint8_t ioapic_id)
{
	uint8_t *s = p;
	int i;

	for (i = 0; i < n; i++, p += 8) {
		p[0] = 0, p[1] = 8;
		p[2] = (uint8_t)i;			/* processor UID */
		p[3] = (uint8_t)i;			/* APIC ID */
		put(p + 4, 1, 4);			/* enabled */
	}
	p[0] = 1, p[1] = 12, p[2] = ioapic_id;
	put(p + 4, IOAPIC_ADDR, 4);
	put(p + 8, 0, 4);				/* GSI base */
	p += 12;
	p[0] = 2, p[1] = 10, p[2] = 0, p[3] = 0;	/* ISA IRQ 0 */
	put(p + 4, 2, 4);				/* -> GSI 2 */
	put(p + 8, 0, 2);				/* conforming */
	p += 10;
	p[0] = 4, p[1] = 6, p[2] = 0xFF;		/* all processors */
	put(p + 3, 0, 2);
	p[5] = 1;					/* LINT1 */
	p += 6;
	return (uint32_t)(p - s);
}

static void madt(uint8_t *mem, int n)
{
	uint8_t *t = mem + MADT_AT;
	uint32_t len;

	header(t, "APIC", HDR_LEN + 8 + (uint32_t)n * 8 + 12 + 10 + 6, 3);
	put(t + 36, LAPIC_ADDR, 4);
	put(t + 40, 1, 4);				/* PCAT_COMPAT */
	len = HDR_LEN + 8 + madt_entries(t + 44, n, (uint8_t)n);
	put(t + 4, len, 4);
	seal(t);
}

uint64_t x86_acpi_tables(struct guest_ram *ram, int nr_vcpus)
{
	uint8_t *mem = ram->mem, *r = mem + RSDP_AT, *x = mem + XSDT_AT;

	memset(mem + ACPI_BASE, 0, ACPI_END - ACPI_BASE);
	header(mem + DSDT_AT, "DSDT", HDR_LEN, 2);	/* no AML */
	seal(mem + DSDT_AT);
	fadt(mem);
	madt(mem, nr_vcpus);
	header(x, "XSDT", HDR_LEN + 16, 1);
	put(x + 36, FADT_AT, 8);
	put(x + 44, MADT_AT, 8);
	seal(x);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "KVMU  ", 6);
	r[15] = 2;					/* ACPI 2.0+ */
	put(r + 20, 36, 4);
	put(r + 24, XSDT_AT, 8);
	r[8] = checksum(r, 20);
	r[32] = checksum(r, 36);
	return RSDP_AT;
}
