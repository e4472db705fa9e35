/* SPDX-License-Identifier: MIT */
/*
 * Internals of `kvmu run`: the image loader (loader.c) and the x86 boot
 * state, a tiny firmware's worth (x86_boot.c).  Everything here talks to
 * kvmu through the public API only, as any VMM would.
 */
#ifndef KVMU_CLI_RUN_H
#define KVMU_CLI_RUN_H

#include <stdbool.h>
#include <stdint.h>

/* Exit statuses of `kvmu run` besides 0 and the guest's (v << 1) | 1. */
#define RUN_EXIT_USAGE	2	/* bad arguments, unloadable image */
#define RUN_EXIT_GUEST	4	/* the guest crashed or kvmu failed it */
#define RUN_EXIT_SIGNAL	130	/* interrupted (SIGINT/SIGTERM) */

/*
 * Guest-physical layout, shared by every boot mode (see docs/cli.md).
 * Images load at or above LOAD_MIN except real-mode flat binaries, which
 * load at REAL_LOAD and must end below REAL_LIMIT.
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
#define MB_MMAP		0x9000ULL	/* where QEMU puts them, too */
#define MB_INFO		0x9500ULL
#define REAL_LOAD	0x7C00ULL
#define REAL_LIMIT	FW_STUBS
#define LOAD_MIN	0x100000ULL

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

/* The VM of one `kvmu run`: one vCPU, all RAM in slot 0 at address 0. */
struct run_vm {
	int sys_fd, vm_fd, vcpu_fd;
	void *run;		/* the vCPU's mapped kvm_run (arch layout) */
	size_t run_size;
	struct guest_ram ram;
	void *ram_map;		/* the mapping RAM lies in (aligned inside) */
	size_t ram_map_size;
	unsigned long long exits[RUN_NR_EXITS];
	bool done;
	int status;
	void *dev;		/* the arch's device state */
};

/* What `kvmu run` was asked to do. */
struct run_options {
	int arch;		/* enum kvmu_arch */
	enum boot_mode mode;
	uint64_t mem;
	bool stats, help;
	const char *image;
	const char *ap_uuid;	/* --ap: a vfio_ap mdev for an s390x guest */
};

/* One guest architecture of `kvmu run`. */
struct run_arch {
	int arch;			/* enum kvmu_arch */
	uint64_t ram_align;		/* slot alignment the arch demands */
	/* load o->image and set the vCPU up to enter it; 0 or -1 */
	int (*boot)(struct run_vm *vm, const struct run_options *o);
	/* handle the exit in vm->run; may set vm->done and vm->status */
	void (*handle_exit)(struct run_vm *vm);
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

/* The vector whose firmware stub holds linear address a, or -1. */
int x86_stub_vector(uint64_t a);

/* "#PF" for 14, "" for vectors without a mnemonic. */
const char *x86_vector_name(int v);

#endif
