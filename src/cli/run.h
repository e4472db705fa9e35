/* SPDX-License-Identifier: MIT */
/*
 * Internals of `kvmu run`: the image loader (loader.c) and the x86 boot
 * state, a tiny firmware's worth (x86_boot.c).  Everything here talks to
 * kvmu through the public API only, as any VMM would.
 */
#ifndef KVMU_CLI_RUN_H
#define KVMU_CLI_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Exit statuses of `kvmu run` besides 0 and the guest's (v << 1) | 1. */
#define RUN_EXIT_USAGE	2	/* bad arguments, unloadable image */
#define RUN_EXIT_GUEST	4	/* the guest crashed or kvmu failed it */
#define RUN_EXIT_SIGNAL	128	/* + signo: stopped by SIGINT/SIGTERM */

/*
 * Guest-physical layout, shared by every boot mode (see docs/cli.md).
 * Images load at or above LOAD_MIN except real-mode flat binaries, which
 * load at REAL_LOAD and must end below REAL_LIMIT, and multiboot images,
 * which may start at MB_LOAD_MIN (kvm-unit-tests' realmode: 0x8000);
 * where such an image covers the multiboot information at MB_MMAP/MB_INFO,
 * the image wins, as with QEMU's option ROM (it copies the kernel last).
 */
#define FW_GDT		0x1000ULL	/* GDT; the 64-bit TSS at FW_TSS */
#define FW_TSS		0x1100ULL
#define FW_IDT		0x2000ULL	/* 256 long-mode gates */
#define FW_PML4		0x10000ULL	/* PML4, PDPT, then the PDs */
#define FW_MAX_PDS	64		/* 2 MiB pages over up to 64 GiB */
#define FW_STACK_TOP	0x90000ULL	/* long mode RSP */
#define FW_STUBS	0x90000ULL	/* one 32-byte stub per vector */
#define FW_STUB_SIZE	32
#define FW_MSGS		0x92000ULL	/* their messages, 48 bytes each */
#define FW_MSG_SIZE	48
#define FW_END		0x95000ULL
#define LINUX_GDT	0x1080ULL	/* Linux's boot GDT (x86_linux.c) */
#define ACPI_BASE	0xF0000ULL	/* ACPI tables, RSDP first */
#define ACPI_END	0x100000ULL
#define ACPI_PM_BASE	0x600		/* PM1 event, control, PM timer */
#define MB_MMAP		0x9000ULL	/* where QEMU puts them, too */
#define MB_INFO		0x9500ULL
#define REAL_LOAD	0x7C00ULL
#define REAL_LIMIT	FW_STUBS
#define LOAD_MIN	0x100000ULL
/* Multiboot images (QEMU loads them anywhere): above the boot GDT. */
#define MB_LOAD_MIN	(FW_GDT + 0x1000ULL)

#define S390_LOAD_MIN	0x2000ULL	/* above the 8 KiB lowcore */
#define ARM64_LOAD_MIN	0x10000ULL	/* above kvmu's vector table */

#define RAM_DEFAULT	(128ULL << 20)
#define RAM_MIN		(2ULL << 20)
#define RAM_MAX		(64ULL << 30)

enum boot_mode {
	BOOT_AUTO,		/* from the image: ELF64 long, ELF32 multiboot */
	BOOT_REAL,		/* 16-bit real mode at 0000:7C00 */
	BOOT_LONG,		/* 64-bit, kvmu's identity paging, GDT, IDT */
	BOOT_MULTIBOOT,		/* 32-bit flat protected mode, as QEMU */
};

struct guest_ram {
	uint8_t *mem;
	uint64_t size;
};

struct boot {
	enum boot_mode mode;
	uint64_t entry;
	uint64_t lo, hi;	/* physical extent of what was loaded */
	const char *path;
};

#define RUN_NR_EXITS	64
#define RUN_MAX_VCPUS	64	/* --smp; the MP table has room for them */

/* One vCPU of a run: its fd, its mapped kvm_run, the thread running it. */
struct run_vcpu {
	int fd;
	void *run;		/* mapped kvm_run (arch layout) */
	int index;
	pthread_t thread;	/* vCPU 0 runs on the main thread */
};

/* The VM of one `kvmu run`: N vCPUs, all RAM in slot 0 at address 0. */
struct run_vm {
	int sys_fd, vm_fd, vcpu_fd;	/* vcpu_fd, run: vCPU 0's */
	void *run;
	size_t run_size;
	int nr_vcpus;
	struct run_vcpu vcpus[RUN_MAX_VCPUS];
	pthread_mutex_t lock;	/* devices and exit counts, between vCPUs */
	pthread_mutex_t end_lock; /* done, status, the vCPU threads */
	struct guest_ram ram;
	void *ram_map;		/* the mapping RAM lies in (aligned inside) */
	size_t ram_map_size;
	unsigned long long exits[RUN_NR_EXITS];
	volatile bool done;	/* set under lock; every vCPU stops */
	int status;
	void *dev;		/* the arch's device state */
	void *pv;		/* s390x: Protected Virtualization state */
};

/* What `kvmu run` was asked to do. */
struct run_options {
	int arch;		/* enum kvmu_arch */
	enum boot_mode mode;
	uint64_t mem;
	int smp;		/* --smp: vCPUs (x86_64) */
	bool stats, help;
	const char *image;
	const char *initrd;	/* --initrd, Linux images */
	const char *append;	/* --append: the Linux command line */
	const char *ap_uuid;	/* --ap: a vfio_ap mdev for an s390x guest */
	const char *dump_ram;	/* --dump-ram: RAM as the VMM sees it, at end */
};

/* One guest architecture of `kvmu run`. */
struct run_arch {
	int arch;			/* enum kvmu_arch */
	uint64_t ram_align;		/* slot alignment the arch demands */
	/* before the vCPUs exist (in-kernel irqchip); NULL: nothing */
	int (*vm_setup)(struct run_vm *vm, const struct run_options *o);
	/* load o->image and set the vCPUs up to enter it; 0 or -1 */
	int (*boot)(struct run_vm *vm, const struct run_options *o);
	/*
	 * Handle the exit in c->run (called on c's thread, without vm->lock);
	 * may end the run with run_end() or run_guest_failed().
	 */
	void (*handle_exit)(struct run_vm *vm, struct run_vcpu *c);
	/* release the arch's device state (vm->dev may be NULL) */
	void (*cleanup)(struct run_vm *vm);
};

extern const struct run_arch run_x86;
extern const struct run_arch run_s390;
extern const struct run_arch run_arm64;

/* A big-endian field of n bytes (s390x ELF headers and lowcore). */
static inline uint64_t run_get_be(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* End the run with RUN_EXIT_GUEST after printing why on stderr. */
void run_guest_failed(struct run_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* End the run with status (first caller wins) and stop every vCPU. */
void run_end(struct run_vm *vm, int status);

/* Print "kvmu run: WHAT: strerror(errno)"; returns -1. */
int run_sys_error(const char *what);

/* --ap: the VFIO descriptors of a passed-through vfio_ap mdev. */
struct run_ap {
	int container, group, kvm_dev, device;
};
/* Attach mdev uuid to VM vm_fd as QEMU does; 0, or -1 after a message. */
int run_ap_attach(struct run_ap *ap, int vm_fd, const char *uuid);
/* Close what run_ap_attach() opened (the device first: detach). */
void run_ap_detach(struct run_ap *ap);

/* Load the image into RAM; prints why on failure.  0 or -1. */
int load_image(const char *path, enum boot_mode want, struct guest_ram *ram,
	       struct boot *b);

/*
 * Load an s390x ELF64 image (big-endian, EM_S390) at or above
 * S390_LOAD_MIN; b->entry is its entry point.  0 or -1 (message printed).
 */
int load_image_s390(const char *path, struct guest_ram *ram, struct boot *b);

/*
 * Load an arm64 ELF64 image (little-endian, EM_AARCH64) at or above
 * ARM64_LOAD_MIN; b->entry is its entry point.  0 or -1 (message printed).
 */
int load_image_arm64(const char *path, struct guest_ram *ram, struct boot *b);

/* Set the vCPU (and RAM) up to enter the loaded image.  0 or -1. */
int x86_boot(int sys_fd, int vcpu_fd, struct guest_ram *ram,
	     const struct boot *b);

/* KVM_SET_CPUID2 with every supported leaf and this vCPU's APIC ID. */
int x86_setup_cpuid(int sys_fd, int vcpu_fd, unsigned int apic_id);

/* Enter Linux at its 64-bit entry with RSI = zero_page.  0 or -1. */
int x86_boot_linux64(int vcpu_fd, struct guest_ram *ram, uint64_t entry,
		     uint64_t zero_page);

/* Write the ACPI tables for nr_vcpus vCPUs; returns the RSDP's address. */
uint64_t x86_acpi_tables(struct guest_ram *ram, int nr_vcpus);

/* Is path a Linux bzImage (the boot protocol's "HdrS")?  */
bool x86_linux_image(const char *path);

/* Load a bzImage, initrd, command line, zero page, e820 and MP table;
 * start vCPU 0 at the 64-bit entry.  0 or -1 (message printed). */
int x86_linux_boot(struct run_vm *vm, const struct run_options *o);

/* The vector whose firmware stub holds linear address a, or -1. */
int x86_stub_vector(uint64_t a);

/* "#PF" for 14, "" for vectors without a mnemonic. */
const char *x86_vector_name(int v);

#endif
