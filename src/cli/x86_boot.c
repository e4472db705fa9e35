// SPDX-License-Identifier: MIT
/*
 * The x86 start state of `kvmu run`, a tiny firmware's worth:
 *  - real mode: an IVT whose every vector reports itself, 0000:7C00 entry;
 *  - long mode: identity paging with 2 MiB pages, a GDT with a TSS, an IDT
 *    whose every gate reports its vector through port 0xE9 and halts;
 *  - multiboot: the state QEMU's multiboot option ROM leaves (flat 4 GiB
 *    segments from its GDT, paging off, EAX = 0x2BADB002, EBX = info).
 * Only the public API and KVM's own ioctls are used.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kvmu/kvmu.h>

#include "run.h"

#define CR0_PE	(1ULL << 0)
#define CR0_MP	(1ULL << 1)
#define CR0_ET	(1ULL << 4)
#define CR0_NE	(1ULL << 5)
#define CR0_WP	(1ULL << 16)
#define CR0_PG	(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x20
#define MB_MAGIC	0x2BADB002u

static const char *const vector_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "",
	"#TS", "#NP", "#SS", "#GP", "#PF", "", "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP",
};

const char *x86_vector_name(int v)
{
	return v >= 0 && v < 32 && vector_names[v] ? vector_names[v] : "";
}

int x86_stub_vector(uint64_t a)
{
	if (a < FW_STUBS || a >= FW_STUBS + 256 * FW_STUB_SIZE)
		return -1;
	return (int)((a - FW_STUBS) / FW_STUB_SIZE);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* The message a stub prints; returns its length. */
static int stub_message(struct guest_ram *ram, int v)
{
	char *m = (char *)ram->mem + FW_MSGS + v * FW_MSG_SIZE;
	int n;

	if (*x86_vector_name(v))
		n = snprintf(m, FW_MSG_SIZE, "\nkvmu: unhandled exception %d "
			     "(%s)\n", v, x86_vector_name(v));
	else
		n = snprintf(m, FW_MSG_SIZE, "\nkvmu: unhandled interrupt "
			     "%d\n", v);
	return n < FW_MSG_SIZE ? n : FW_MSG_SIZE - 1;
}

/*
 * One stub per vector: print its message to port 0xE9 with REP OUTSB,
 * then CLI; HLT forever.  The run loop recognises a HLT inside the stubs.
 * The 16-bit stubs run with CS = FW_STUBS >> 4 and read through CS.
 */
static void write_stubs(struct guest_ram *ram, int bits64)
{
	uint8_t *p;
	uint64_t at;
	int v, len, i;

	for (v = 0; v < 256; v++) {
		len = stub_message(ram, v);
		at = FW_STUBS + v * FW_STUB_SIZE;
		p = ram->mem + at;
		i = 0;
		p[i++] = 0xFC;					/* cld */
		if (bits64) {
			p[i++] = 0x48, p[i++] = 0x8D, p[i++] = 0x35;
			put32(p + i, (uint32_t)(FW_MSGS + v * FW_MSG_SIZE -
						(at + i + 4)));	/* lea rsi */
			i += 4;
			p[i++] = 0xB9, put32(p + i, len), i += 4; /* mov ecx */
			p[i++] = 0x66;				/* mov dx */
		} else {
			p[i++] = 0xBE;				/* mov si */
			p[i++] = (uint8_t)(FW_MSGS - FW_STUBS + v * FW_MSG_SIZE);
			p[i++] = (uint8_t)((FW_MSGS - FW_STUBS +
					    v * FW_MSG_SIZE) >> 8);
			p[i++] = 0xB9, p[i++] = len, p[i++] = 0; /* mov cx */
		}
		p[i++] = 0xBA, p[i++] = 0xE9, p[i++] = 0x00;	/* 0xE9 */
		if (!bits64)
			p[i++] = 0x2E;				/* cs: */
		p[i++] = 0xF3, p[i++] = 0x6E;			/* rep outsb */
		p[i++] = 0xFA, p[i++] = 0xF4;			/* cli; hlt */
		p[i++] = 0xEB, p[i++] = 0xFD;			/* jmp hlt */
	}
}

/* Long-mode structures: GDT + TSS, IDT, identity page tables. */
static void write_long_tables(struct guest_ram *ram)
{
	uint64_t map = ram->size > (4ULL << 30) ? ram->size : 4ULL << 30;
	uint64_t pds = (map + (1ULL << 30) - 1) >> 30, i, gate;
	uint8_t *gdt = ram->mem + FW_GDT, *idt = ram->mem + FW_IDT;

	put64(gdt + 0x08, 0x00AF9B000000FFFFULL);	/* 64-bit code */
	put64(gdt + 0x10, 0x00CF93000000FFFFULL);	/* data */
	put64(gdt + 0x18, 0x00CF9B000000FFFFULL);	/* 32-bit code */
	put64(gdt + SEL_TSS, 0x67 | (FW_TSS & 0xFFFFFF) << 16 |
	      0x8BULL << 40 | (FW_TSS >> 24 & 0xFF) << 56); /* busy TSS */
	put64(gdt + SEL_TSS + 8, FW_TSS >> 32);
	put32(ram->mem + FW_TSS + 0x66, 0x68);		/* no I/O bitmap */
	for (i = 0; i < 256; i++) {
		gate = FW_STUBS + i * FW_STUB_SIZE;
		put64(idt + i * 16, (gate & 0xFFFF) | SEL_CODE64 << 16 |
		      0x8E00ULL << 32 | (gate >> 16 & 0xFFFF) << 48);
		put64(idt + i * 16 + 8, gate >> 32);
	}
	put64(ram->mem + FW_PML4, (FW_PML4 + 0x1000) | 3);
	for (i = 0; i < pds; i++)
		put64(ram->mem + FW_PML4 + 0x1000 + i * 8,
		      (FW_PML4 + 0x2000 + i * 0x1000) | 3);
	for (i = 0; i < pds * 512; i++)
		put64(ram->mem + FW_PML4 + 0x2000 + i * 8,
		      i << 21 | 0x83);			/* P, RW, 2 MiB */
}

static void flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
		     int l, int db)
{
	*s = (struct kvm_segment){
		.limit = 0xFFFFFFFF, .selector = sel, .type = type,
		.present = 1, .s = 1, .l = l, .db = db, .g = 1,
	};
}

static int set_state(int vcpu_fd, struct kvm_regs *regs,
		     struct kvm_sregs *sregs)
{
	if (kvmu_ioctl(vcpu_fd, KVM_SET_SREGS, sregs) < 0 ||
	    kvmu_ioctl(vcpu_fd, KVM_SET_REGS, regs) < 0) {
		fprintf(stderr, "kvmu run: setting the start state: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

static int boot_long(int vcpu_fd, struct guest_ram *ram, const struct boot *b,
		     struct kvm_sregs *sregs)
{
	struct kvm_regs regs = { .rip = b->entry, .rsp = FW_STACK_TOP,
				 .rflags = 2 };

	write_long_tables(ram);
	write_stubs(ram, 1);
	flat_seg(&sregs->cs, SEL_CODE64, 11, 1, 0);
	flat_seg(&sregs->ds, SEL_DATA, 3, 0, 1);
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	sregs->tr = (struct kvm_segment){ .base = FW_TSS, .limit = 0x67,
		.selector = SEL_TSS, .type = 11, .present = 1 };
	sregs->gdt.base = FW_GDT;
	sregs->gdt.limit = SEL_TSS + 15;
	sregs->idt.base = FW_IDT;
	sregs->idt.limit = 256 * 16 - 1;
	sregs->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs->cr3 = FW_PML4;
	sregs->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sregs->efer = EFER_LME | EFER_LMA;
	return set_state(vcpu_fd, &regs, sregs);
}

static void real_seg(struct kvm_segment *s, uint8_t type)
{
	*s = (struct kvm_segment){ .limit = 0xFFFF, .type = type,
				   .present = 1, .s = 1 };
}

static int boot_real(int vcpu_fd, struct guest_ram *ram, const struct boot *b,
		     struct kvm_sregs *sregs)
{
	/* DL = 0x80: the BIOS's "booted from the first hard disk". */
	struct kvm_regs regs = { .rip = b->entry, .rsp = REAL_LOAD,
				 .rdx = 0x80, .rflags = 2 };
	int v;

	write_stubs(ram, 0);
	for (v = 0; v < 256; v++)
		put32(ram->mem + v * 4, (uint32_t)(FW_STUBS >> 4) << 16 |
		      v * FW_STUB_SIZE);
	real_seg(&sregs->cs, 11);
	real_seg(&sregs->ds, 3);
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	sregs->idt.base = 0;
	sregs->idt.limit = 0x3FF;
	return set_state(vcpu_fd, &regs, sregs);
}

/* The e820-style map QEMU's SeaBIOS reports, for RAM below 4 GiB. */
static uint32_t mb_mmap(struct guest_ram *ram)
{
	const uint64_t map[][3] = {
		{ 0, 0x9FC00, 1 }, { 0x9FC00, 0x400, 2 },
		{ 0xF0000, 0x10000, 2 }, { LOAD_MIN, ram->size - LOAD_MIN, 1 },
	};
	uint8_t *p = ram->mem + MB_MMAP;
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++, p += 24) {
		put32(p, 20);
		put64(p + 4, map[i][0]);
		put64(p + 12, map[i][1]);
		put32(p + 20, (uint32_t)map[i][2]);
	}
	return (uint32_t)(p - (ram->mem + MB_MMAP));
}

/* Multiboot information at MB_INFO, strings after the kernel as QEMU. */
static int mb_info(struct guest_ram *ram, const struct boot *b)
{
	uint64_t at = (b->hi + 0xFFF) & ~0xFFFULL, cmd = at, name;
	uint8_t *mbi = ram->mem + MB_INFO;
	uint64_t low = ram->size < (4ULL << 30) ? ram->size : 4ULL << 30;
	size_t len = strlen(b->path) + 2;

	name = cmd + len;
	if (name + 8 > ram->size || name + 8 > (4ULL << 30)) {
		fprintf(stderr, "kvmu run: no room for the multiboot "
			"information; try a larger --mem\n");
		return -1;
	}
	snprintf((char *)ram->mem + cmd, len, "%s ", b->path);
	strcpy((char *)ram->mem + name, "kvmu");
	memset(mbi, 0, 88);
	put32(mbi + 0, 1 | 2 | 4 | 8 | 64 | 512);	/* mem, boot device, */
	put32(mbi + 4, 0x9FC00 / 1024);		/* cmdline, mods, mmap, */
	put32(mbi + 8, (uint32_t)((low - LOAD_MIN) / 1024)); /* loader name */
	put32(mbi + 12, 0x8000FFFF);
	put32(mbi + 16, (uint32_t)cmd);
	put32(mbi + 24, (uint32_t)at);			/* no modules */
	put32(mbi + 44, mb_mmap(ram));
	put32(mbi + 48, MB_MMAP);
	put32(mbi + 64, (uint32_t)name);
	return 0;
}

/*
 * QEMU's option ROM builds the memory map and the information first and
 * copies the kernel last: where an image below 1 MiB covers them
 * (kvm-unit-tests' realmode.flat spans 0x8000-0xda30), the image wins.
 */
static int mb_info_under_image(struct guest_ram *ram, const struct boot *b)
{
	uint64_t lo = b->lo > MB_MMAP ? b->lo : MB_MMAP;
	uint64_t hi = b->hi < MB_INFO + 88 ? b->hi : MB_INFO + 88;
	uint8_t keep[MB_INFO + 88 - MB_MMAP];
	bool over = lo < hi;

	if (over)
		memcpy(keep, ram->mem + lo, hi - lo);
	if (mb_info(ram, b))
		return -1;
	if (over)
		memcpy(ram->mem + lo, keep, hi - lo);
	return 0;
}

static int boot_multiboot(int vcpu_fd, struct guest_ram *ram,
			  const struct boot *b, struct kvm_sregs *sregs)
{
	/* ECX = entry: the option ROM jumps through it. */
	struct kvm_regs regs = { .rip = b->entry, .rax = MB_MAGIC,
				 .rbx = MB_INFO, .rcx = b->entry,
				 .rsp = REAL_LOAD, .rflags = 2 };
	uint8_t *gdt = ram->mem + FW_GDT;

	if (b->entry >= (4ULL << 30) || mb_info_under_image(ram, b))
		return -1;
	put64(gdt + 0x08, 0x00CF9A000000FFFFULL);	/* the ROM's GDT */
	put64(gdt + 0x10, 0x00CF92000000FFFFULL);
	put64(gdt + 0x18, 0x00009E000000FFFFULL);
	put64(gdt + 0x20, 0x000092000000FFFFULL);
	flat_seg(&sregs->cs, 0x08, 11, 0, 1);
	flat_seg(&sregs->ds, 0x10, 3, 0, 1);
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	sregs->gdt.base = FW_GDT;
	sregs->gdt.limit = 5 * 8 - 1;
	sregs->idt.base = 0;				/* the BIOS's IVT */
	sregs->idt.limit = 0x3FF;
	sregs->cr0 = CR0_PE | CR0_ET;
	return set_state(vcpu_fd, &regs, sregs);
}

/* The APIC ID a VMM puts in CPUID: leaf 1 EBX[31:24], leaf 0xB EDX. */
static void cpuid_apic_id(struct kvm_cpuid2 *c, unsigned int apic_id)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00FFFFFF) | apic_id << 24;
		else if (e->function == 0xB)
			e->edx = apic_id;
	}
}

/*
 * Hand the guest every CPUID leaf the CPU supports, as QEMU's -cpu host
 * would; without KVM_SET_CPUID2 a KVM guest sees no features at all.
 */
int x86_setup_cpuid(int sys_fd, int vcpu_fd, unsigned int apic_id)
{
	struct kvm_cpuid2 *c = NULL;
	unsigned int n;
	int ret = -1;

	for (n = 64; n <= 4096; n *= 2) {
		free(c);
		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			break;
		c->nent = n;
		ret = kvmu_ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, c);
		if (ret == 0 || errno != E2BIG)
			break;
	}
	if (ret == 0) {
		cpuid_apic_id(c, apic_id);
		ret = kvmu_ioctl(vcpu_fd, KVM_SET_CPUID2, c);
	}
	if (ret < 0)
		fprintf(stderr, "kvmu run: setting CPUID: %s\n",
			strerror(errno));
	free(c);
	return ret;
}

int x86_boot(int sys_fd, int vcpu_fd, struct guest_ram *ram,
	     const struct boot *b)
{
	struct kvm_sregs sregs;

	if (x86_setup_cpuid(sys_fd, vcpu_fd, 0) < 0)
		return -1;
	if (kvmu_ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
		fprintf(stderr, "kvmu run: KVM_GET_SREGS: %s\n",
			strerror(errno));
		return -1;
	}
	switch (b->mode) {
	case BOOT_REAL:
		return boot_real(vcpu_fd, ram, b, &sregs);
	case BOOT_LONG:
		return boot_long(vcpu_fd, ram, b, &sregs);
	case BOOT_MULTIBOOT:
		return boot_multiboot(vcpu_fd, ram, b, &sregs);
	default:
		return -1;
	}
}

/*
 * Linux's 64-bit boot protocol: its GDT (__BOOT_CS 0x10, __BOOT_DS 0x18,
 * flat) beside kvmu's, the identity map over the first 4 GiB, interrupts
 * off, RSI pointing at the zero page.
 */
int x86_boot_linux64(int vcpu_fd, struct guest_ram *ram, uint64_t entry,
		     uint64_t zero_page)
{
	struct kvm_regs regs = { .rip = entry, .rsi = zero_page, .rflags = 2,
				 .rsp = FW_STACK_TOP };
	struct kvm_sregs sregs;
	uint8_t *gdt = ram->mem + LINUX_GDT;

	if (kvmu_ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return run_sys_error("KVM_GET_SREGS");
	write_long_tables(ram);
	memset(gdt, 0, 0x20);
	put64(gdt + 0x10, 0x00AF9B000000FFFFULL);	/* __BOOT_CS */
	put64(gdt + 0x18, 0x00CF93000000FFFFULL);	/* __BOOT_DS */
	flat_seg(&sregs.cs, 0x10, 11, 1, 0);
	flat_seg(&sregs.ds, 0x18, 3, 0, 1);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){ .base = FW_TSS, .limit = 0x67,
		.selector = SEL_TSS, .type = 11, .present = 1 };
	sregs.gdt.base = LINUX_GDT;
	sregs.gdt.limit = 0x1F;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = FW_PML4;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	return set_state(vcpu_fd, &regs, &sregs);
}
