// SPDX-License-Identifier: MIT
/*
 * `kvmu run --arch s390x`: boot an s390x ELF64 image and be its VMM.
 *
 * The guest starts at its ELF entry in 64-bit mode, DAT off, every
 * interruption masked, key 0, supervisor state (docs/s390x.md).  Before
 * that, each of the six new PSWs in the lowcore is set to a disabled wait
 * whose address is the new PSW's own lowcore offset: an interruption the
 * guest has not installed a handler for then stops the vCPU with an
 * exit that says which one, and the old PSW and code in the lowcore say
 * where - the s390 counterpart of the x86 firmware stubs.
 *
 * Secure Execution images (`kvmu pvimg create`) boot into Protected
 * Virtualization through DIAGNOSE X'308' subcodes 8 and 10 (s390_pv.c).
 *
 * The console is the kvmu DIAGNOSE X'500' interface (docs/s390x.md):
 * GR1 = 0x100 writes GR3 bytes at real address GR2 to stdout, GR1 = 0x101
 * ends the run with status (GR2 << 1) | 1, as the x86 debug-exit port.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kvmu/kvmu.h>
#include <kvmu/abi/s390.h>

#include "run.h"
#include "s390_pv.h"

#define PSW_64BIT	0x0000000180000000ULL	/* EA + BA */
#define PSW_WAIT	0x0002000000000000ULL
#define LOWCORE_SIZE	0x2000ULL
#define DIAG_KVMU	0x500
#define KVMU_WRITE	0x100
#define KVMU_EXIT	0x101
#define PGM_OPER	0x01
#define PGM_SPEC	0x06
#define PGM_ADDR	0x05

/* The interruption classes: where their old and new PSWs live. */
static const struct {
	const char *name;
	uint32_t old_psw, new_psw;
} classes[] = {
	{ "restart",		0x120, 0x1a0 },
	{ "external",		0x130, 0x1b0 },
	{ "supervisor-call",	0x140, 0x1c0 },
	{ "program",		0x150, 0x1d0 },
	{ "machine-check",	0x160, 0x1e0 },
	{ "I/O",		0x170, 0x1f0 },
};

/* Program-interruption codes worth a name in a crash report. */
static const char *const pgm_names[0x40] = {
	[0x01] = "operation", [0x02] = "privileged operation",
	[0x03] = "execute", [0x04] = "protection", [0x05] = "addressing",
	[0x06] = "specification", [0x07] = "data",
	[0x08] = "fixed-point overflow", [0x09] = "fixed-point divide",
	[0x10] = "segment translation", [0x11] = "page translation",
	[0x12] = "translation specification", [0x13] = "special operation",
	[0x38] = "ASCE type", [0x39] = "region-first translation",
	[0x3a] = "region-second translation",
	[0x3b] = "region-third translation",
};

static struct kvmu_s390_run *s390_run(struct run_vm *vm)
{
	return vm->run;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Real to absolute address: the prefix swaps the two lowcore areas. */
static uint64_t real_to_abs(uint64_t prefix, uint64_t real)
{
	if (real < LOWCORE_SIZE)
		return real + prefix;
	if (real >= prefix && real < prefix + LOWCORE_SIZE)
		return real - prefix;
	return real;
}

/* Host pointer of n bytes at absolute address a, or NULL outside RAM. */
static uint8_t *abs_ptr(struct run_vm *vm, uint64_t a, uint64_t n)
{
	if (a > vm->ram.size || n > vm->ram.size - a)
		return NULL;
	return vm->ram.mem + a;
}

/* Inject a program interruption for the intercepted instruction. */
static void inject_pgm(struct run_vm *vm, uint16_t code)
{
	struct kvm_s390_irq irq = { .type = KVM_S390_PROGRAM_INT };

	irq.u.pgm.code = code;
	if (kvmu_ioctl(vm->vcpu_fd, KVM_S390_IRQ, &irq) < 0)
		run_guest_failed(vm, "KVM_S390_IRQ: %s", strerror(errno));
}

/* Console write: GR3 bytes at real address GR2; GR2 = 0 when done. */
static void console_write(struct run_vm *vm)
{
	struct kvmu_s390_run *r = s390_run(vm);
	__u64 *g = r->s.regs.gprs, i;
	uint8_t *p;

	for (i = 0; i < g[3]; i++) {
		p = abs_ptr(vm, real_to_abs(r->s.regs.prefix, g[2] + i), 1);
		if (!p) {
			fflush(stdout);
			inject_pgm(vm, PGM_ADDR);
			return;
		}
		putchar(*p);
	}
	g[2] = 0;
}

static void handle_diag(struct run_vm *vm)
{
	struct kvmu_s390_run *r = s390_run(vm);
	__u64 *g = r->s.regs.gprs;
	unsigned int b2 = r->s390_sieic.ipb >> 28;
	uint64_t code = ((b2 ? g[b2] : 0) + (r->s390_sieic.ipb >> 16 & 0xfff))
			& 0xffff;

	if (code == 0x308) {
		s390_pv_diag308(vm, r->s390_sieic.ipa >> 4 & 0xf,
				r->s390_sieic.ipa & 0xf);
		return;
	}
	if (code != DIAG_KVMU) {
		inject_pgm(vm, PGM_SPEC);	/* as QEMU for unknown codes */
		return;
	}
	if (g[1] == KVMU_WRITE) {
		console_write(vm);
	} else if (g[1] == KVMU_EXIT) {
		vm->done = true;
		vm->status = (int)(((g[2] << 1) | 1) & 0xff);
	} else {
		inject_pgm(vm, PGM_SPEC);
	}
}

/*
 * SIGP orders the kernel leaves to user space.  This VMM has one CPU
 * (address 0): another address is not operational (CC 3); an order to
 * itself is rejected with "invalid order" (status 0x02, CC 1), which is
 * what an s390 machine answers for an order it does not offer.
 */
static void handle_sigp(struct run_vm *vm)
{
	struct kvmu_s390_run *r = s390_run(vm);
	__u64 *g = r->s.regs.gprs;
	unsigned int r1 = r->s390_sieic.ipa >> 4 & 0xf;
	unsigned int r3 = r->s390_sieic.ipa & 0xf;
	unsigned int cc = 3;

	if ((g[r3] & 0xffff) == 0) {
		g[r1 | 1] = (g[r1 | 1] & ~0xffffffffULL) | 0x02;
		cc = 1;
	}
	r->psw_mask = (r->psw_mask & ~(3ULL << 44)) | (uint64_t)cc << 44;
}

static void handle_instruction(struct run_vm *vm)
{
	struct kvmu_s390_run *r = s390_run(vm);
	uint16_t ipa = r->s390_sieic.ipa;

	if (ipa >> 8 == 0x83) {
		handle_diag(vm);
	} else if (ipa >> 8 == 0xae) {
		handle_sigp(vm);
	} else if (ipa == 0xb2ad || ipa == 0xb2ae || ipa == 0xb2af) {
		/* AP instructions with APIE off: QEMU has no handler either */
		inject_pgm(vm, PGM_OPER);
	} else if (ipa == 0xb220) {
		/* SERVICE CALL: there is no SCLP here, "not operational" */
		r->psw_mask = (r->psw_mask & ~(3ULL << 44)) | 3ULL << 44;
	} else {
		run_guest_failed(vm, "unhandled instruction intercept, ipa "
				 "%04x ipb %08x at %#llx", ipa,
				 r->s390_sieic.ipb,
				 (unsigned long long)r->psw_addr);
	}
}

/* A disabled wait at a lowcore new-PSW offset: report that interruption. */
static void report_interruption(struct run_vm *vm, unsigned int k)
{
	struct kvmu_s390_run *r = s390_run(vm);
	uint64_t lc = r->s.regs.prefix;
	const uint8_t *old = abs_ptr(vm, lc + classes[k].old_psw, 16);
	const uint8_t *pgm = abs_ptr(vm, lc + 0x8c, 4);
	unsigned int code;

	if (s390_pv_protected(vm)) {	/* its lowcore is not ours to read */
		run_guest_failed(vm, "unhandled %s interruption in the "
				 "protected guest", classes[k].name);
		return;
	}
	if (!old || !pgm) {
		run_guest_failed(vm, "unhandled %s interruption",
				 classes[k].name);
		return;
	}
	if (classes[k].old_psw != 0x150) {
		run_guest_failed(vm, "unhandled %s interruption, old PSW "
				 "%016llx %016llx", classes[k].name,
				 (unsigned long long)run_get_be(old, 8),
				 (unsigned long long)run_get_be(old + 8, 8));
		return;
	}
	code = (unsigned int)run_get_be(pgm + 2, 2);
	run_guest_failed(vm, "unhandled program interruption %#x%s%s%s, "
			 "ILC %u, old PSW %016llx %016llx", code,
			 pgm_names[code & 0x3f] ? " (" : "",
			 pgm_names[code & 0x3f] ? pgm_names[code & 0x3f] : "",
			 pgm_names[code & 0x3f] ? ")" : "",
			 (unsigned int)(run_get_be(pgm, 2) >> 1 & 3) * 2,
			 (unsigned long long)run_get_be(old, 8),
			 (unsigned long long)run_get_be(old + 8, 8));
}

static void handle_wait(struct run_vm *vm)
{
	struct kvmu_s390_run *r = s390_run(vm);
	unsigned int k;

	for (k = 0; k < sizeof(classes) / sizeof(classes[0]); k++) {
		if (r->psw_addr == classes[k].new_psw) {
			report_interruption(vm, k);
			return;
		}
	}
	/* A disabled wait is how an s390 program halts: a clean end. */
	vm->done = true;
	vm->status = 0;
}

static void handle_sieic(struct run_vm *vm)
{
	struct kvmu_s390_run *r = s390_run(vm);

	switch (r->s390_sieic.icptcode) {
	case 0x04:
	case KVMU_S390_ICPT_PV_INSTR:	/* a protected guest's, fixed text */
	case KVMU_S390_ICPT_PV_NOTIFY:
		handle_instruction(vm);
		break;
	case 0x1c:
		handle_wait(vm);
		break;
	case 0x28:			/* stopped by SIGP stop */
		vm->done = true;
		vm->status = 0;
		break;
	default:
		run_guest_failed(vm, "intercept code %#x at %#llx",
				 r->s390_sieic.icptcode,
				 (unsigned long long)r->psw_addr);
	}
}

/* One vCPU: c is vCPU 0, whose kvm_run is vm->run. */
static void s390_handle_exit(struct run_vm *vm, struct run_vcpu *c)
{
	struct kvmu_s390_run *r = s390_run(vm);

	(void)c;
	switch (r->exit_reason) {
	case KVM_EXIT_S390_SIEIC:
		handle_sieic(vm);
		break;
	case KVM_EXIT_S390_RESET:
		fflush(stdout);
		fprintf(stderr, "kvmu run: the guest asked for a reset "
			"(flags %#llx); stopping\n",
			(unsigned long long)r->s390_reset_flags);
		vm->done = true;
		vm->status = 0;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		run_guest_failed(vm, "internal error, suberror %u",
				 r->internal.suberror);
		break;
	default:
		run_guest_failed(vm, "unexpected exit %u (%s)", r->exit_reason,
				 kvmu_exit_name(r->exit_reason) ?
				 kvmu_exit_name(r->exit_reason) : "?");
	}
}

/* Every new PSW: a disabled wait at its own lowcore offset. */
static void write_new_psws(struct run_vm *vm)
{
	unsigned int k;

	for (k = 0; k < sizeof(classes) / sizeof(classes[0]); k++) {
		put_be64(vm->ram.mem + classes[k].new_psw,
			 PSW_WAIT | PSW_64BIT);
		put_be64(vm->ram.mem + classes[k].new_psw + 8,
			 classes[k].new_psw);
	}
}

/* --ap: pass a vfio_ap mdev through (src/cli/run_ap.c); vm->dev holds it. */
static int run_s390_attach_ap(struct run_vm *vm, const char *uuid)
{
	vm->dev = calloc(1, sizeof(struct run_ap));
	if (!vm->dev)
		return run_sys_error("allocating the AP device");
	return run_ap_attach(vm->dev, vm->vm_fd, uuid);
}

static void run_s390_detach_ap(struct run_vm *vm)
{
	if (!vm->dev)
		return;
	run_ap_detach(vm->dev);
	free(vm->dev);
	vm->dev = NULL;
}

/*
 * The CPU model has the AP facilities, so the AP instructions are
 * interpreted (ECA.APIE), as QEMU turns APIE on for a model with "ap".
 */
static int enable_apie(struct run_vm *vm)
{
	struct kvm_device_attr a = {
		.group = KVMU_S390_VM_CRYPTO,
		.attr = KVMU_S390_VM_CRYPTO_ENABLE_APIE,
	};

	if (kvmu_ioctl(vm->vm_fd, KVM_SET_DEVICE_ATTR, &a) < 0)
		return run_sys_error("KVM_S390_VM_CRYPTO_ENABLE_APIE");
	return 0;
}

static int s390_boot(struct run_vm *vm, const struct run_options *o)
{
	struct kvm_s390_psw psw = { .mask = PSW_64BIT };
	struct boot b;
	int se = s390_pv_load(vm, o->image, &b);

	if (se < 0 || (!se && load_image_s390(o->image, &vm->ram, &b) < 0))
		return -1;
	if (se)				/* a Secure Execution image: IPL */
		psw.mask = s390_pv_boot_mask();
	write_new_psws(vm);
	if (enable_apie(vm) < 0)
		return -1;
	if (o->ap_uuid && run_s390_attach_ap(vm, o->ap_uuid) < 0)
		return -1;
	psw.addr = b.entry;
	if (kvmu_ioctl(vm->vcpu_fd, KVM_S390_SET_INITIAL_PSW, &psw) < 0)
		return run_sys_error("KVM_S390_SET_INITIAL_PSW");
	return 0;
}

static void s390_cleanup(struct run_vm *vm)
{
	run_s390_detach_ap(vm);
	s390_pv_cleanup(vm);
}

const struct run_arch run_s390 = {
	.arch = KVMU_ARCH_S390X,
	.ram_align = 1ULL << 20,	/* s390 slots are 1 MiB aligned */
	.boot = s390_boot,
	.handle_exit = s390_handle_exit,
	.cleanup = s390_cleanup,
};
