// SPDX-License-Identifier: MIT
/*
 * `kvmu run --arch s390x`, the VMM side of Protected Virtualization, as
 * QEMU does it (target/s390x/diag.c, hw/s390x/ipl.c, .../kvm/pv.c): Secure
 * Execution images load 1:1 at absolute 0 and IPL through the short PSW
 * at 0; DIAGNOSE X'308' subcodes 8 (set the PV IPL block), 9 (store it)
 * and 10 (start protected mode: ENABLE, SET_SEC_PARMS, UNPACK each
 * component, VERIFY, then LOAD and OPERATING, so the vCPU starts at the
 * PSW of the decrypted SE header).  A failure is unwound (DISABLE) and
 * reported to the guest in R1+1 as newer QEMU does: the failing command,
 * the UV's rrc and rc, and 0x0a02.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kvmu/kvmu.h>
#include <kvmu/abi/s390.h>

#include "pvimg.h"
#include "run.h"
#include "s390_pv.h"

#define RC_OK		0x0001
#define RC_NO_CONF	0x0102
#define RC_INVALID	0x0402
#define RC_NO_PV_CONF	0x0902
#define RC_INVAL_PV	0x0a02
#define PGM_SPEC	0x06
#define PGM_ADDR	0x05
#define PV_HDR_MAX	8192
#define PSW_31BIT	0x0000000080000000ULL

struct s390_pv_state {
	uint8_t iplb[IPIB_MAX_LEN];	/* the saved PV IPL block */
	bool have_iplb;
	bool protected;
};

static struct s390_pv_state *state(struct run_vm *vm)
{
	if (!vm->pv)
		vm->pv = calloc(1, sizeof(struct s390_pv_state));
	return vm->pv;
}

bool s390_pv_protected(struct run_vm *vm)
{
	return vm->pv && ((struct s390_pv_state *)vm->pv)->protected;
}

int s390_pv_load(struct run_vm *vm, const char *path, struct boot *b)
{
	uint8_t meta[SE_IMG_META_LEN], psw[8];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		goto out;		/* the ELF loader says why */
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < SE_IMG_STAGE3A ||
	    pread(fd, meta, sizeof(meta), SE_IMG_META) != sizeof(meta) ||
	    memcmp(meta, SE_IMG_MAGIC, 8))
		goto out;
	r = -1;
	if ((uint64_t)st.st_size > vm->ram.size) {
		fprintf(stderr, "kvmu run: %s: the image needs %lld bytes of "
			"RAM\n", path, (long long)st.st_size);
		goto out;
	}
	if (pread(fd, vm->ram.mem, st.st_size, 0) != st.st_size) {
		fprintf(stderr, "kvmu run: %s: short read\n", path);
		goto out;
	}
	memcpy(psw, vm->ram.mem, 8);
	/* IPL: the short (ESA/390) PSW at 0 puts the CPU in 31-bit mode */
	b->entry = run_get_be(psw + 4, 4) & 0x7fffffffULL;
	b->lo = 0;
	b->hi = st.st_size;
	r = 1;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

uint64_t s390_pv_boot_mask(void)
{
	return PSW_31BIT;
}

/* One KVM_S390_PV_COMMAND; the UV's codes in *rc, *rrc. */
static int pv_cmd(struct run_vm *vm, uint32_t cmd, void *data,
		  uint16_t *rc, uint16_t *rrc)
{
	struct kvm_pv_cmd c = { .cmd = cmd, .data = (uint64_t)(uintptr_t)data };
	int r = kvmu_ioctl(vm->vm_fd, KVM_S390_PV_COMMAND, &c);

	*rc = c.rc;
	*rrc = c.rrc;
	return r < 0 ? -errno : 0;
}

/* QEMU's iplb_valid_pv: type 5 block with sane components. */
static bool iplb_valid_pv(struct run_vm *vm, const uint8_t *b)
{
	uint32_t len = (uint32_t)run_get_be(b, 4), n, i;
	uint64_t hdr = run_get_be(b + 0x78, 8), hlen = run_get_be(b + 0x80, 8);
	uint64_t prev = 0, tw, addr;

	if (b[0x0c] != IPIB_PBT_PV || len < IPIB_MIN_PV_LEN ||
	    len > IPIB_MAX_LEN)
		return false;
	if (!hlen || hlen > PV_HDR_MAX || hdr > vm->ram.size ||
	    hlen > vm->ram.size - hdr)
		return false;
	n = (uint32_t)run_get_be(b + 0x74, 4);
	if (!n || n > (len - IPIB_OFF_COMPS) / IPIB_COMP_LEN)
		return false;
	for (i = 0; i < n; i++) {
		tw = run_get_be(b + IPIB_OFF_COMPS + i * 24, 8);
		addr = run_get_be(b + IPIB_OFF_COMPS + i * 24 + 8, 8);
		if ((addr & 0xfff) || (i && tw <= prev))
			return false;
		prev = tw;
	}
	return true;
}

/* Subcode 8: take the PV IPL block at addr. */
static uint64_t set_pv_iplb(struct run_vm *vm, uint64_t addr)
{
	struct s390_pv_state *st = state(vm);
	uint32_t len;

	len = (uint32_t)run_get_be(vm->ram.mem + addr, 4);
	if (len < 8 || len > IPIB_MAX_LEN || len > vm->ram.size - addr)
		return RC_INVALID;
	if (!iplb_valid_pv(vm, vm->ram.mem + addr))
		return RC_INVALID;
	memset(st->iplb, 0, sizeof(st->iplb));
	memcpy(st->iplb, vm->ram.mem + addr, len);
	st->have_iplb = true;
	return RC_OK;
}

static uint64_t store_pv_iplb(struct run_vm *vm, uint64_t addr)
{
	struct s390_pv_state *st = state(vm);
	uint32_t len;

	if (!st->have_iplb)
		return RC_NO_CONF;
	len = (uint32_t)run_get_be(st->iplb, 4);
	if (len > vm->ram.size - addr)
		return RC_INVALID;
	memcpy(vm->ram.mem + addr, st->iplb, len);
	return RC_OK;
}

static void report(const char *what, int err, uint16_t rc, uint16_t rrc)
{
	fflush(stdout);
	fprintf(stderr, "kvmu run: %s: %s, UV rc %#06x rrc %#06x\n", what,
		strerror(-err), rc, rrc);
}

/* SET_SEC_PARMS, UNPACK each component, VERIFY; the failing cmd or 0. */
static uint32_t unpack_image(struct run_vm *vm, const uint8_t *b,
			     uint16_t *rc, uint16_t *rrc)
{
	struct kvm_s390_pv_sec_parm sp = {
		.origin = (uint64_t)(uintptr_t)vm->ram.mem +
			  run_get_be(b + 0x78, 8),
		.length = run_get_be(b + 0x80, 8),
	};
	struct kvm_s390_pv_unp u;
	uint32_t i, n = (uint32_t)run_get_be(b + 0x74, 4);
	int r;

	r = pv_cmd(vm, KVM_PV_SET_SEC_PARMS, &sp, rc, rrc);
	if (r) {
		report("KVM_PV_SET_SEC_PARMS", r, *rc, *rrc);
		return KVM_PV_SET_SEC_PARMS;
	}
	for (i = 0; i < n; i++) {
		u.tweak = run_get_be(b + IPIB_OFF_COMPS + i * 24, 8);
		u.addr = run_get_be(b + IPIB_OFF_COMPS + i * 24 + 8, 8);
		u.size = (run_get_be(b + IPIB_OFF_COMPS + i * 24 + 16, 8) +
			  0xfff) & ~0xfffULL;
		r = pv_cmd(vm, KVM_PV_UNPACK, &u, rc, rrc);
		if (r) {
			report("KVM_PV_UNPACK", r, *rc, *rrc);
			return KVM_PV_UNPACK;
		}
	}
	r = pv_cmd(vm, KVM_PV_VERIFY, NULL, rc, rrc);
	if (r) {
		report("KVM_PV_VERIFY", r, *rc, *rrc);
		return KVM_PV_VERIFY;
	}
	return 0;
}

/* After a failed start the CPU goes back to operating, as QEMU's. */
static uint64_t failed_start(struct run_vm *vm, uint32_t cmd, uint16_t rc,
			     uint16_t rrc)
{
	struct kvm_mp_state mp = { KVM_MP_STATE_OPERATING };

	if (kvmu_ioctl(vm->vcpu_fd, KVM_SET_MP_STATE, &mp) < 0)
		run_sys_error("KVM_SET_MP_STATE");
	return (uint64_t)cmd << 48 | (uint64_t)rrc << 32 |
	       (uint64_t)rc << 16 | RC_INVAL_PV;
}

/* S390_RESET_PV: protect the machine and start at the header's PSW. */
static uint64_t start_protected(struct run_vm *vm)
{
	struct s390_pv_state *st = state(vm);
	struct kvm_mp_state mp = { KVM_MP_STATE_LOAD };
	uint16_t rc = 0, rrc = 0, r2, rr2;
	uint32_t failed;
	int r;

	if (kvmu_ioctl(vm->vcpu_fd, KVM_S390_NORMAL_RESET, 0) < 0)
		return run_sys_error("KVM_S390_NORMAL_RESET"), RC_INVAL_PV;
	r = pv_cmd(vm, KVM_PV_ENABLE, NULL, &rc, &rrc);
	if (r) {
		report("KVM_PV_ENABLE", r, rc, rrc);
		return failed_start(vm, KVM_PV_ENABLE, rc, rrc);
	}
	failed = unpack_image(vm, st->iplb, &rc, &rrc);
	if (failed) {
		pv_cmd(vm, KVM_PV_DISABLE, NULL, &r2, &rr2);
		return failed_start(vm, failed, rc, rrc);
	}
	st->protected = true;
	if (kvmu_ioctl(vm->vcpu_fd, KVM_SET_MP_STATE, &mp) < 0)
		return run_sys_error("KVM_MP_STATE_LOAD"), RC_INVAL_PV;
	mp.mp_state = KVM_MP_STATE_OPERATING;
	if (kvmu_ioctl(vm->vcpu_fd, KVM_SET_MP_STATE, &mp) < 0)
		return run_sys_error("KVM_MP_STATE_OPERATING"), RC_INVAL_PV;
	return RC_OK;
}

/* Inject a program interruption for the intercepted instruction. */
static void inject(struct run_vm *vm, uint16_t code)
{
	struct kvm_s390_irq irq = { .type = KVM_S390_PROGRAM_INT };

	irq.u.pgm.code = code;
	if (kvmu_ioctl(vm->vcpu_fd, KVM_S390_IRQ, &irq) < 0)
		run_guest_failed(vm, "KVM_S390_IRQ: %s", strerror(errno));
}

void s390_pv_diag308(struct run_vm *vm, unsigned int r1, unsigned int r3)
{
	struct kvmu_s390_run *run = vm->run;
	uint64_t *g = (uint64_t *)run->s.regs.gprs, sub = g[r3], addr, rc;

	if ((sub & ~0xffffULL) || (r1 & 1)) {
		inject(vm, PGM_SPEC);
		return;
	}
	if (s390_pv_protected(vm)) {
		/* re-IPL into PV passes through non-protected mode */
		inject(vm, PGM_SPEC);
		return;
	}
	addr = g[r1];
	if (sub == 8 || sub == 9) {
		if ((addr & 0xfff) || addr >= vm->ram.size) {
			inject(vm, (addr & 0xfff) ? PGM_SPEC : PGM_ADDR);
			return;
		}
		rc = sub == 8 ? set_pv_iplb(vm, addr) : store_pv_iplb(vm, addr);
	} else if (sub == 10) {
		rc = state(vm)->have_iplb ? start_protected(vm) : RC_NO_PV_CONF;
		if (rc == RC_OK)
			return;		/* the vCPU starts elsewhere */
	} else {
		inject(vm, PGM_SPEC);	/* 5, 6, 7, ...: not in this VMM */
		return;
	}
	g[r1 + 1] = rc;
}

void s390_pv_cleanup(struct run_vm *vm)
{
	free(vm->pv);
	vm->pv = NULL;
}
