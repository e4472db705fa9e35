// SPDX-License-Identifier: MIT
/*
 * `kvmu run` boots a Linux bzImage as a boot loader does under the x86
 * 64-bit boot protocol (Documentation/arch/x86/boot.rst): the protected-
 * mode kernel at its preferred address, the zero page with the setup
 * header copied from the image, the command line, the initrd at the top
 * of RAM, an e820 map, and an MP table (MP spec 1.4) naming the vCPUs, the
 * IOAPIC and the ISA interrupts, since there is no ACPI.  Guest-physical
 * layout (docs/cli.md):
 *   0x7000   zero page        0x20000  command line
 *   0xF0000  MP floating pointer and configuration table (reserved)
 *   pref_address (16 MiB for Debian's kernels)  the kernel
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kvmu/kvmu.h>

#include "run.h"

#define ZERO_PAGE	0x7000ULL
#define CMDLINE		0x20000ULL
#define CMDLINE_MAX	0x10000U
#define MP_BASE		0xF0000ULL
#define BIOS_END	0x100000ULL
#define LOW_END		0x9FC00ULL	/* 639 KiB of base memory */
#define LINUX_RAM_MAX	(3ULL << 30)	/* below the PCI hole and APICs */
#define IOAPIC_ADDR	0xFEC00000U
#define LAPIC_ADDR	0xFEE00000U
#define DEFAULT_CMDLINE	"console=ttyS0"

/* Setup header fields (offsets into the image and the zero page). */
#define HDR_SETUP_SECTS	0x1F1
#define HDR_JUMP	0x200
#define HDR_MAGIC	0x202
#define HDR_VERSION	0x206
#define HDR_LOADER	0x210
#define HDR_LOADFLAGS	0x211
#define HDR_RAMDISK	0x218
#define HDR_RAMDISK_SZ	0x21C
#define HDR_CMDLINE	0x228
#define HDR_INITRD_MAX	0x22C
#define HDR_ALIGN	0x230
#define HDR_RELOC	0x234
#define HDR_XLOADFLAGS	0x236
#define HDR_CMDLINE_SZ	0x238
#define HDR_PREF_ADDR	0x258
#define HDR_INIT_SIZE	0x260
#define ZP_E820_NR	0x1E8
#define ZP_E820		0x2D0
#define XLF_KERNEL_64	0x01
#define LOADED_HIGH	0x01

struct blob {
	uint8_t *data;
	size_t size;
};

static uint32_t le(const uint8_t *p, unsigned int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put(uint8_t *p, uint64_t v, unsigned int n)
{
	while (n--) {
		*p++ = (uint8_t)v;
		v >>= 8;
	}
}

static int read_file(const char *path, struct blob *b)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return run_sys_error(path);
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return run_sys_error(path);
	}
	b->size = (size_t)n;
	b->data = malloc(b->size ? b->size : 1);
	if (!b->data || fread(b->data, 1, b->size, f) != b->size) {
		fclose(f);
		free(b->data);
		b->data = NULL;
		return run_sys_error(path);
	}
	fclose(f);
	return 0;
}

bool x86_linux_image(const char *path)
{
	uint8_t hdr[HDR_MAGIC + 4];
	FILE *f = fopen(path, "rb");
	bool yes;

	if (!f)
		return false;
	yes = fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) &&
	      !memcmp(hdr + HDR_MAGIC, "HdrS", 4);
	fclose(f);
	return yes;
}

static int linux_fail(const char *path, const char *why)
{
	fprintf(stderr, "kvmu run: %s: %s\n", path, why);
	return -1;
}

/* The protected-mode kernel at its preferred address; returns it or 0. */
static uint64_t place_kernel(const struct blob *k, struct guest_ram *ram,
			     const char *path)
{
	unsigned int sects = k->data[HDR_SETUP_SECTS] ? : 4;
	size_t off = (size_t)(sects + 1) * 512;
	uint64_t at = le(k->data + HDR_PREF_ADDR, 4) |
		      (uint64_t)le(k->data + HDR_PREF_ADDR + 4, 4) << 32;
	uint64_t align = le(k->data + HDR_ALIGN, 4);
	uint64_t need = le(k->data + HDR_INIT_SIZE, 4);

	if (le(k->data + HDR_VERSION, 2) < 0x20C ||
	    !(le(k->data + HDR_XLOADFLAGS, 2) & XLF_KERNEL_64))
		return linux_fail(path, "not a 64-bit boot protocol "
				  "(2.12+) kernel"), 0;
	if (k->data[HDR_RELOC] && align && (at % align))
		at = (at + align - 1) / align * align;
	if (off >= k->size || at < BIOS_END)
		return linux_fail(path, "bad setup header"), 0;
	if (need < k->size - off)
		need = k->size - off;
	if (at > ram->size || ram->size - at < need)
		return linux_fail(path, "does not fit in --mem"), 0;
	memcpy(ram->mem + at, k->data + off, k->size - off);
	return at;
}

/* The initrd as high as it may go, below initrd_addr_max; 0 or -1. */
static int place_initrd(const char *path, uint8_t *zp, struct guest_ram *ram,
			uint64_t kernel_end)
{
	uint64_t max = le(zp + HDR_INITRD_MAX, 4), at;
	struct blob b;

	if (read_file(path, &b) < 0)
		return -1;
	if (max >= ram->size)
		max = ram->size - 1;
	at = (max + 1 - b.size) & ~0xFFFULL;
	if (b.size > max || at < kernel_end) {
		free(b.data);
		return linux_fail(path, "the initrd does not fit in --mem");
	}
	memcpy(ram->mem + at, b.data, b.size);
	put(zp + HDR_RAMDISK, at, 4);
	put(zp + HDR_RAMDISK_SZ, b.size, 4);
	free(b.data);
	return 0;
}

static void e820_add(uint8_t *zp, uint64_t addr, uint64_t size, uint32_t type)
{
	uint8_t *e = zp + ZP_E820 + zp[ZP_E820_NR]++ * 20;

	put(e, addr, 8);
	put(e + 8, size, 8);
	put(e + 16, type, 4);
}

static void zero_page_fill(uint8_t *zp, const struct blob *k,
			   struct guest_ram *ram, const char *cmdline)
{
	unsigned int end = HDR_MAGIC + k->data[HDR_JUMP + 1];
	uint32_t max = le(k->data + HDR_CMDLINE_SZ, 4);
	size_t len = strlen(cmdline);

	memset(zp, 0, 4096);
	memcpy(zp + HDR_SETUP_SECTS, k->data + HDR_SETUP_SECTS,
	       end - HDR_SETUP_SECTS);
	zp[HDR_LOADER] = 0xFF;				/* undefined loader */
	zp[HDR_LOADFLAGS] |= LOADED_HIGH;
	if (max >= CMDLINE_MAX)
		max = CMDLINE_MAX - 1;
	if (len > max)
		len = max;
	memcpy(ram->mem + CMDLINE, cmdline, len);
	ram->mem[CMDLINE + len] = 0;
	put(zp + HDR_CMDLINE, CMDLINE, 4);
	e820_add(zp, 0, LOW_END, 1);
	e820_add(zp, LOW_END, 0xA0000 - LOW_END, 2);
	e820_add(zp, MP_BASE, BIOS_END - MP_BASE, 2);
	e820_add(zp, BIOS_END, ram->size - BIOS_END, 1);
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return (uint8_t)-sum;
}

/*
 * An interrupt assignment, I/O (type 3: dst is the IOAPIC, pin its input)
 * or local (type 4: dst a local APIC, 0xFF all, pin LINT0/1); flags 0:
 * polarity and trigger conform to the ISA bus.
 */
static uint8_t *mp_irq(uint8_t *p, uint8_t type, uint8_t kind, uint8_t irq,
		       uint8_t dst, uint8_t pin)
{
	const uint8_t v[8] = { type, kind, 0, 0, 0, irq, dst, pin };

	memcpy(p, v, 8);
	return p + 8;
}

static uint8_t *mp_cpus(uint8_t *p, int n)
{
	int i;

	for (i = 0; i < n; i++, p += 20) {
		memset(p, 0, 20);
		p[1] = (uint8_t)i;			/* local APIC ID */
		p[2] = 0x14;				/* its version */
		p[3] = i ? 1 : 3;			/* enabled, BSP */
		put(p + 4, 0x600, 4);			/* family 6 */
		put(p + 8, 1 << 0 | 1 << 9, 4);		/* FPU, APIC */
	}
	return p;
}

/* The bus and the IOAPIC entries (types 1 and 2). */
static uint8_t *mp_bus_ioapic(uint8_t *p, uint8_t ioapic)
{
	memcpy(p, "\x01\x00ISA   ", 8);
	p[8] = 2;
	p[9] = ioapic;
	p[10] = 0x11;					/* version */
	p[11] = 1;					/* enabled */
	put(p + 12, IOAPIC_ADDR, 4);
	return p + 16;
}

/* MP floating pointer and a table: n CPUs, ISA bus, IOAPIC, IRQs 0-15. */
static void mp_table(struct guest_ram *ram, int n)
{
	uint8_t *fp = ram->mem + MP_BASE, *t = fp + 16, *p;
	uint8_t ioapic = (uint8_t)n;
	int irq;

	memset(fp, 0, BIOS_END - MP_BASE);
	memcpy(t, "PCMP", 4);
	t[6] = 4;					/* MP spec 1.4 */
	memcpy(t + 8, "KVMU    KVMU RUN    ", 20);
	put(t + 36, LAPIC_ADDR, 4);
	p = mp_bus_ioapic(mp_cpus(t + 44, n), ioapic);
	p = mp_irq(p, 3, 3, 0, ioapic, 0);		/* ExtINT: pin 0 */
	for (irq = 1; irq < 16; irq++)	/* IRQ 0 on pin 2, as KVM routes it */
		p = mp_irq(p, 3, 0, (uint8_t)(irq == 2 ? 0 : irq), ioapic,
			   (uint8_t)irq);
	p = mp_irq(p, 4, 3, 0, 0xFF, 0);		/* ExtINT: LINT0 */
	p = mp_irq(p, 4, 1, 0, 0xFF, 1);		/* NMI: LINT1 */
	put(t + 4, (uint64_t)(p - t), 2);
	put(t + 34, (uint64_t)(n + 2 + 16 + 2), 2);	/* entries */
	t[7] = checksum(t, (size_t)(p - t));
	memcpy(fp, "_MP_", 4);
	put(fp + 4, MP_BASE + 16, 4);
	fp[8] = 1;					/* 16 bytes */
	fp[9] = 4;
	fp[10] = checksum(fp, 16);
}

int x86_linux_boot(struct run_vm *vm, const struct run_options *o)
{
	uint8_t *zp = vm->ram.mem + ZERO_PAGE;
	struct blob k;
	uint64_t at;
	int i, ret = -1;

	if (vm->ram.size > LINUX_RAM_MAX)
		return linux_fail(o->image, "Linux guests take at most 3G of "
				  "--mem");
	if (read_file(o->image, &k) < 0)
		return -1;
	if (k.size < 0x270) {
		free(k.data);
		return linux_fail(o->image, "truncated bzImage");
	}
	at = place_kernel(&k, &vm->ram, o->image);
	if (!at)
		goto out;
	zero_page_fill(zp, &k, &vm->ram, o->append ? o->append :
		       DEFAULT_CMDLINE);
	if (o->initrd && place_initrd(o->initrd, zp, &vm->ram,
				      at + le(k.data + HDR_INIT_SIZE, 4)) < 0)
		goto out;
	mp_table(&vm->ram, vm->nr_vcpus);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (x86_setup_cpuid(vm->sys_fd, vm->vcpus[i].fd,
				    (unsigned int)i) < 0)
			goto out;
	ret = x86_boot_linux64(vm->vcpu_fd, &vm->ram, at + 0x200, ZERO_PAGE);
out:
	free(k.data);
	return ret;
}
