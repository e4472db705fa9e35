// SPDX-License-Identifier: MIT
/*
 * A protected vCPU as KVM and its VMM see it.  Its registers, PSW and
 * storage belong to the Ultravisor: kvm_run shows only what an intercept
 * needs.  An instruction intercept of a protected guest is code 0x68 with
 * a fixed instruction text (the same register numbers whatever the guest
 * used: the "secure interception general register save area"), the
 * registers the instruction reads copied into those numbers and only the
 * ones it answers in taken back; instruction data (an SCCB, an IPL
 * parameter block) travels through the 4 KiB SIDA, read and written with
 * KVM_S390_MEM_OP SIDA_READ/SIDA_WRITE.  When the last vCPU leaves
 * KVM_RUN the UV exports every page the guest used, so the memory the
 * VMM maps holds ciphertext whenever it can look (docs/s390-pv.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/uv/uv.h"
#include "s390.h"
#include "s390_handlers.h"

#define PSW_CC		(3ULL << PSW_CC_SHIFT)

static int uv_cpu_call(struct s390_cpu *c, u16 cmd, u8 state, u16 *rc,
		       u16 *rrc)
{
	u8 cb[0x28] = { 0 };
	int cc;

	put_be16(cb, sizeof(cb));
	put_be16(cb + 2, cmd);
	put_be64(cb + 0x18, c->pv_cpu);
	cb[0x27] = state;
	cc = kvmu_uv_call(cb);
	if (rc)
		*rc = be16(cb + 4);
	if (rrc)
		*rrc = be16(cb + 6);
	return cc ? -EINVAL : 0;
}

int s390_pv_vcpu_create(struct s390_cpu *c, u16 *rc, u16 *rrc)
{
	u8 cb[0x40] = { 0 };

	if (c->pv_cpu)
		return 0;
	if (!c->sida && !(c->sida = calloc(1, S390_SIDA_SIZE)))
		return -ENOMEM;
	put_be16(cb, sizeof(cb));
	put_be16(cb + 2, 0x0120);
	put_be64(cb + 0x20, c->vm->pv_handle);
	put_be16(cb + 0x36, c->cpu_addr);
	put_be64(cb + 0x38, (u64)(uintptr_t)c);	/* the state description */
	if (kvmu_uv_call(cb)) {
		*rc = be16(cb + 4);
		*rrc = be16(cb + 6);
		return -EIO;
	}
	*rc = be16(cb + 4);
	*rrc = be16(cb + 6);
	c->pv_cpu = be64(cb + 0x18);
	memset(c->pv_map, -1, sizeof(c->pv_map));
	c->pv_map[0] = -2;		/* no intercept to answer yet */
	c->pv_out = 0;
	c->sida_len = 0;
	s390_tlb_flush(c);
	return 0;
}

int s390_pv_vcpu_destroy(struct s390_cpu *c, u16 *rc, u16 *rrc)
{
	int r;

	if (!c->pv_cpu)
		return 0;
	r = uv_cpu_call(c, 0x0121, 0, rc, rrc);
	c->pv_cpu = 0;
	memset(c->sida, 0, S390_SIDA_SIZE);
	c->sida_len = 0;
	s390_tlb_flush(c);
	return r ? -EIO : 0;
}

int s390_pv_page(struct kvmu_vm *kvm, u64 abs, u8 **host)
{
	int r = kvmu_uv_guest_page(s390_vm(kvm)->pv_handle, abs, host);

	if (r == -EFAULT)
		return -EFAULT;		/* a tampered export: KVM_RUN fails */
	return r ? PGM_ADDRESSING : 0;
}

int s390_pv_run_enter(struct s390_cpu *c)
{
	struct kvmu_s390_run *run = c->run;
	struct s390_vm *vm = c->vm;
	int n;

	pthread_mutex_lock(&vm->pv_run_lock);
	vm->pv_running++;
	pthread_mutex_unlock(&vm->pv_run_lock);
	s390_tlb_flush(c);	/* exported pages have no plaintext now */
	for (n = 0; n < 16; n++)
		if (c->pv_out & (1u << n) && c->pv_map[n] >= 0)
			c->gprs[c->pv_map[n]] = run->s.regs.gprs[n];
	if (c->pv_map[0] != -2)		/* an instruction was intercepted */
		c->mask = (c->mask & ~PSW_CC) | (run->psw_mask & PSW_CC);
	if (c->sida_len &&
	    s390_abs_write(c, c->sida_abs, c->sida, c->sida_len)) {
		s390_pv_run_exit(c);
		return -EFAULT;
	}
	c->sida_len = 0;
	c->pv_out = 0;
	memset(c->pv_map, -1, sizeof(c->pv_map));
	c->pv_map[0] = -2;		/* nothing intercepted yet */
	run->kvm_dirty_regs = 0;
	return 0;
}

void s390_pv_run_exit(struct s390_cpu *c)
{
	struct kvmu_s390_run *run = c->run;
	struct kvmu_s390_sync_regs *s = &run->s.regs;
	struct s390_vm *vm = c->vm;
	int n;

	/* the VMM sees the exposed registers and nothing else */
	memset(s->gprs, 0, sizeof(s->gprs));
	memset(s->crs, 0, sizeof(s->crs));
	memset(s->acrs, 0, sizeof(s->acrs));
	memset(s->fprs, 0, sizeof(s->fprs));
	s->prefix = 0;
	for (n = 0; n < 16; n++)
		if (c->pv_map[n] >= 0)
			s->gprs[n] = c->gprs[c->pv_map[n]];
	run->psw_mask = c->mask & (PSW_CC | PSW_EA | PSW_BA | PSW_WAIT |
				   PSW_EXT | PSW_IO | PSW_MCHK);
	/* a wait state's address says how the guest stopped */
	run->psw_addr = (c->mask & PSW_WAIT) ? c->addr : 0;
	pthread_mutex_lock(&vm->pv_run_lock);
	if (--vm->pv_running == 0 && vm->pv_handle)
		kvmu_uv_export_all(vm->pv_handle);
	pthread_mutex_unlock(&vm->pv_run_lock);
}

/* Map kvm_run GR fixed to guest GR real for this intercept. */
static void expose(struct s390_cpu *c, int fixed, int real, bool out)
{
	c->pv_map[fixed] = (s8)(real & 15);
	if (out)
		c->pv_out |= (u16)(1u << fixed);
}

/* Copy len bytes of absolute storage into the SIDA (back if out). */
static int sida_in(struct s390_cpu *c, u64 abs, u32 len, bool out)
{
	memset(c->sida, 0, S390_SIDA_SIZE);
	if (s390_abs_read(c, abs, c->sida, len))
		return PGM_ADDRESSING;
	if (out) {
		c->sida_abs = abs;
		c->sida_len = len;
	}
	return 0;
}

/* DIAGNOSE: code in the displacement, 0x308 with R1=2, R3=4. */
static int pv_diag(struct s390_cpu *c, struct s390_dec *d, u16 *ipa,
		   u32 *ipb)
{
	u64 code = s390_ea(c, 0, d->b2, d->d2) & 0xffff;
	u64 sub = c->gprs[d->r3] & 0xffff, a = c->gprs[d->r1];
	int n;

	*ipb = (u32)(code & 0xfff) << 16;
	if (code == 0x500) {		/* virtio/kvmu: GR1-GR4 implicit */
		*ipa = 0x8300;
		for (n = 1; n <= 4; n++)
			expose(c, n, n, n == 2);
		return 0;
	}
	if (code != 0x308) {
		*ipa = 0x8300;
		return 0;
	}
	*ipa = 0x8324;
	expose(c, 2, d->r1, false);
	expose(c, 3, d->r1 + 1, true);
	expose(c, 4, d->r3, false);
	if ((sub == 5 || sub == 6) && !(a & 0xfff))
		return sida_in(c, a, S390_SIDA_SIZE, sub == 6);
	return 0;
}

/* SERVICE CALL: the command word in GR1, the SCCB in the SIDA. */
static int pv_servc(struct s390_cpu *c, struct s390_dec *d, u16 *ipa,
		    u32 *ipb)
{
	u64 a = s390_real_to_abs(c->prefix, c->gprs[d->r2] & 0x7ffffff8ULL);

	*ipa = 0xb220;
	*ipb = 0x00100000;
	expose(c, 1, d->r1, false);
	return sida_in(c, a, (u32)(4096 - (a & 0xfff)), true);
}

int s390_pv_intercept(struct s390_cpu *c, struct s390_dec *d)
{
	u16 ipa = (u16)(d->raw >> 32);
	u32 ipb = (u32)d->raw;
	int r = 0;

	memset(c->pv_map, -1, sizeof(c->pv_map));
	c->pv_out = 0;
	c->sida_len = 0;
	if (d->in->op == 0x83) {
		r = pv_diag(c, d, &ipa, &ipb);
	} else if (ipa == 0xb220) {
		r = pv_servc(c, d, &ipa, &ipb);
	} else if (d->in->op == 0xae) {	/* SIGP: R1, R1+1 (status), R3 */
		ipa = 0xae24;
		ipb &= 0xffff0000u;
		expose(c, 2, d->r1, false);
		expose(c, 3, d->r1 | 1, true);
		expose(c, 4, d->r3, false);
	} else {
		ipb &= 0xffff0000u;	/* other register numbers hidden */
		ipa &= 0xff00;
	}
	if (r)
		return r;
	s390_exit_sieic(c, KVMU_S390_ICPT_INST, (u16)(d->raw >> 32),
			(u32)d->raw);
	c->run->s390_sieic.icptcode = KVMU_S390_ICPT_PV_INSTR;
	c->run->s390_sieic.ipa = ipa;
	c->run->s390_sieic.ipb = ipb;
	return S390_EXIT;
}

int s390_pv_set_mp_state(struct s390_cpu *c, u32 state)
{
	u64 mask, addr;
	int r;

	switch (state) {
	case KVM_MP_STATE_LOAD:
		return uv_cpu_call(c, 0x0330, UV_CPU_OPERATING_LOAD, NULL,
				   NULL);
	case KVM_MP_STATE_STOPPED:
		r = uv_cpu_call(c, 0x0330, UV_CPU_STOPPED, NULL, NULL);
		if (!r)
			s390_vcpu_stop(c);
		return r;
	case KVM_MP_STATE_OPERATING:
		r = uv_cpu_call(c, 0x0330, UV_CPU_OPERATING, NULL, NULL);
		if (r)
			return r;
		if (kvmu_uv_cpu_take_load(c->pv_cpu, &mask, &addr) == 1) {
			c->mask = mask;	/* the SE header's PSW */
			c->addr = addr;
		}
		s390_vcpu_start(c);
		return 0;
	default:
		return -ENXIO;
	}
}

int s390_pv_cpu_reset(struct s390_cpu *c, u16 cmd)
{
	if (!c->pv_cpu)
		return 0;
	if (cmd != 0x0310) {		/* initial and clear reset */
		c->mask = c->addr = 0;
		c->prefix = 0;
	}
	if (cmd == 0x0321) {
		memset(c->gprs, 0, sizeof(c->gprs));
		memset(c->acrs, 0, sizeof(c->acrs));
		memset(c->fprs, 0, sizeof(c->fprs));
	}
	return uv_cpu_call(c, cmd, 0, NULL, NULL);
}

long s390_pv_sida_op(struct s390_cpu *c, const struct kvm_s390_mem_op *m)
{
	if (m->flags || !m->size)
		return -EINVAL;
	if ((u32)(m->size + m->sida_offset) < m->size)
		return -EINVAL;
	if ((u64)m->size + m->sida_offset > S390_SIDA_SIZE)
		return -E2BIG;
	if (!c->pv_cpu)
		return -EINVAL;
	if (m->op == KVM_S390_MEMOP_SIDA_READ)
		return kvmu_copy_to_user(m->buf, c->sida + m->sida_offset,
					 m->size);
	return kvmu_copy_from_user(c->sida + m->sida_offset, m->buf, m->size);
}

/* UVC by the guest: set/remove shared access; else the UV's "invalid". */
int op_uvc(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = c->gprs[d->r2];
	u8 cb[0x20];
	int cc;

	if (!c->pv_cpu)
		return PGM_OPERATION;	/* no ultravisor-call facility */
	if (a & 7)
		return PGM_SPECIFICATION;
	TRY(s390_read(c, a, cb, sizeof(cb)));
	cc = kvmu_uv_guest_call(c->vm->pv_handle, cb, sizeof(cb));
	TRY(s390_write(c, a + 4, cb + 4, 4));
	s390_tlb_flush(c);	/* a shared page is the slot page now */
	s390_set_cc(c, cc ? 1 : 0);
	return 0;
}
