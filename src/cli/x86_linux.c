// SPDX-License-Identifier: MIT
/*
 * `kvmu run` boots a Linux bzImage as a boot loader does under the x86
 * 64-bit boot protocol (Documentation/arch/x86/boot.rst): the protected-
 * mode kernel at its preferred address, the zero page with the setup
 * header copied from the image, the command line, the initrd at the top
 * of RAM, an e820 map and the ACPI tables that name the vCPUs and the
 * interrupt controllers (x86_acpi.c).  Guest-physical layout (docs/cli.md):
 *   0x7000   zero page        0x20000  command line
 *   0xF0000  ACPI tables, RSDP first (reserved in the e820 map)
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
#define BIOS_END	0x100000ULL
#define LOW_END		0x9FC00ULL	/* 639 KiB of base memory */
#define LINUX_RAM_MAX	(3ULL << 30)	/* below the PCI hole and APICs */
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
#define ZP_ACPI_RSDP	0x070
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
	e820_add(zp, ACPI_BASE, BIOS_END - ACPI_BASE, 2);
	e820_add(zp, BIOS_END, ram->size - BIOS_END, 1);
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
	put(zp + ZP_ACPI_RSDP, x86_acpi_tables(&vm->ram, vm->nr_vcpus), 8);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (x86_setup_cpuid(vm->sys_fd, vm->vcpus[i].fd,
				    (unsigned int)i) < 0)
			goto out;
	ret = x86_boot_linux64(vm->vcpu_fd, &vm->ram, at + 0x200, ZERO_PAGE);
out:
	free(k.data);
	return ret;
}
