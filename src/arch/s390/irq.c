// SPDX-License-Identifier: MIT
/*
 * s390 interruptions: injection (KVM_S390_INTERRUPT, KVM_S390_IRQ, SIGP)
 * and delivery through the lowcore: the old PSW is stored, the
 * interruption code and its parameters are written, the new PSW is
 * loaded.  Priorities follow KVM: program, external (clock comparator, CPU
 * timer, emergency signal, external call, service signal), then stop,
 * restart and set prefix.
 */
#include <errno.h>
#include <string.h>

#include "s390.h"

#define SIGP_SENSE		0x01
#define SIGP_EXTERNAL_CALL	0x02
#define SIGP_EMERGENCY		0x03
#define SIGP_START		0x04
#define SIGP_STOP		0x05
#define SIGP_RESTART		0x06
#define SIGP_SET_PREFIX		0x0d
#define SIGP_SET_ARCH		0x12
#define SIGP_COND_EMERGENCY	0x13
#define SIGP_SENSE_RUNNING	0x15

#define SIGP_STATUS_INVALID_PARAM	0x100
#define SIGP_STATUS_INCORRECT_STATE	0x200
#define SIGP_STATUS_NOT_RUNNING		0x400
#define SIGP_STATUS_EXT_CALL_PENDING	0x80
#define SIGP_STATUS_STOPPED		0x40

static void set_irq(struct s390_cpu *c, int bit)
{
	atomic_fetch_or(&c->irqs, 1u << bit);
	atomic_store(&c->vcpu->kick, true);
}

static void clear_irq(struct s390_cpu *c, int bit)
{
	atomic_fetch_and(&c->irqs, ~(1u << bit));
}

/* Store the old PSW at old, load the new one from new. */
int s390_swap_psw(struct s390_cpu *c, u32 old, u32 new, u64 addr)
{
	u8 b[16];

	put_be64(b, c->mask);
	put_be64(b + 8, addr);
	if (s390_lc_write(c, old, b, 16) || s390_lc_read(c, new, b, 16))
		return s390_exit_sieic(c, 0x20, 0, 0);	/* validity */
	s390_load_psw(c, be64(b), be64(b + 8));
	return 0;
}

static int lc_put16(struct s390_cpu *c, u32 off, u16 v)
{
	u8 b[2];

	put_be16(b, v);
	return s390_lc_write(c, off, b, 2);
}

static int lc_put32(struct s390_cpu *c, u32 off, u32 v)
{
	u8 b[4];

	put_be32(b, v);
	return s390_lc_write(c, off, b, 4);
}

static int lc_put64(struct s390_cpu *c, u32 off, u64 v)
{
	u8 b[8];

	put_be64(b, v);
	return s390_lc_write(c, off, b, 8);
}

static bool has_teid(u16 code)
{
	switch (code & 0x7f) {
	case PGM_PROTECTION: case PGM_SEGMENT: case PGM_PAGE:
	case PGM_ASCE_TYPE: case PGM_REGION1: case PGM_REGION2:
	case PGM_REGION3:
		return true;
	default:
		return false;
	}
}

static int deliver_pgm(struct s390_cpu *c, u16 code, u8 ilen, u64 addr,
		       u64 teid, u32 dxc)
{
	int rc = lc_put16(c, LC_PGM_ILC, ilen) | lc_put16(c, LC_PGM_CODE, code);

	if (has_teid(code))
		rc |= lc_put64(c, LC_TRANS_EXC_CODE, teid) |
		      s390_lc_write(c, LC_EXC_ACCESS_ID, &c->exc_access_id, 1);
	if ((code & 0x7f) == PGM_DATA)
		rc |= lc_put32(c, LC_DATA_EXC_CODE, dxc);
	if (rc)
		return s390_exit_sieic(c, 0x20, 0, 0);
	return s390_swap_psw(c, LC_PGM_OLD, LC_PGM_NEW, addr);
}

int s390_program_irq(struct s390_cpu *c, u16 code, bool nullify)
{
	u64 addr = nullify ? c->ia : s390_wrap(c, c->ia + c->ilen);

	return deliver_pgm(c, code, c->ilen, addr, c->teid, c->dxc);
}

/* A program interruption injected by user space (after an intercept). */
static int deliver_injected_pgm(struct s390_cpu *c)
{
	struct kvm_s390_pgm_info p;
	u8 ilen = 0;
	u64 addr = c->addr;
	bool nullify;

	pthread_mutex_lock(&c->irq_lock);
	p = c->pgm;
	clear_irq(c, IRQ_PGM);
	pthread_mutex_unlock(&c->irq_lock);
	if (p.flags & KVM_S390_PGM_FLAGS_ILC_VALID)
		ilen = p.flags & KVM_S390_PGM_FLAGS_ILC_MASK;
	else if (c->icptcode == KVMU_S390_ICPT_INST)
		ilen = (u8)s390_ilen((u8)(c->ipa >> 8));
	switch (p.code & 0x7f) {
	case PGM_SEGMENT: case PGM_PAGE: case PGM_ASCE_TYPE:
	case PGM_REGION1: case PGM_REGION2: case PGM_REGION3:
		nullify = true;
		break;
	default:
		nullify = false;
	}
	if (nullify && !(p.flags & KVM_S390_PGM_FLAGS_NO_REWIND))
		addr = s390_wrap(c, addr - ilen);
	c->exc_access_id = p.exc_access_id;
	return deliver_pgm(c, p.code, ilen, addr, p.trans_exc_code,
			   p.data_exc_code);
}

static int deliver_ext(struct s390_cpu *c, u16 code, u16 cpu, u32 param)
{
	int rc = lc_put16(c, LC_EXT_INT_CODE, code) |
		 lc_put16(c, LC_EXT_CPU_ADDR, cpu);

	if (code == EXT_SERVICE)
		rc |= lc_put32(c, LC_EXT_PARAMS, param);
	if (rc)
		return s390_exit_sieic(c, 0x20, 0, 0);
	return s390_swap_psw(c, LC_EXT_OLD, LC_EXT_NEW, c->addr);
}

static int lowest_emerg(struct s390_cpu *c)
{
	int i;

	for (i = 0; i < 256; i++)
		if (c->emerg_src[i / 64] & (1ULL << (i % 64)))
			return i;
	return -1;
}

static int deliver_emerg(struct s390_cpu *c)
{
	int src;

	pthread_mutex_lock(&c->irq_lock);
	src = lowest_emerg(c);
	if (src >= 0)
		c->emerg_src[src / 64] &= ~(1ULL << (src % 64));
	if (lowest_emerg(c) < 0)
		clear_irq(c, IRQ_EMERG);
	pthread_mutex_unlock(&c->irq_lock);
	return src < 0 ? 0 : deliver_ext(c, EXT_EMERG, (u16)src, 0);
}

/* The external interruption to deliver now, if any (-1: none). */
static int ext_ready(struct s390_cpu *c, u32 p)
{
	static const struct { int bit; u64 sub; } order[] = {
		{ IRQ_CKC, CR0_CKC }, { IRQ_CPUTM, CR0_CPUTM },
		{ IRQ_EMERG, CR0_EMERG }, { IRQ_EXTCALL, CR0_EXTCALL },
	};
	size_t i;

	if (!(c->mask & PSW_EXT))
		return -1;
	for (i = 0; i < ARRAY_SIZE(order); i++)
		if ((p & (1u << order[i].bit)) && (c->crs[0] & order[i].sub))
			return order[i].bit;
	if ((c->crs[0] & CR0_SERVICE) && atomic_load(&c->vm->service_pending) &&
	    (!s390_pv(c->vm) || (c->vm->service_param & 3)))
		return 32;
	return -1;
}

/*
 * The service signal to deliver.  A protected guest's SCCB travels in the
 * SIDA, so only the event-pending bits reach it (the kernel's
 * SERVICE_EV); an SCCB completion stays masked while it is protected.
 */
static u32 take_service(struct s390_vm *vm)
{
	u32 param;

	pthread_mutex_lock(&vm->lock);
	param = vm->service_param;
	if (s390_pv(vm)) {
		param &= 3;
		vm->service_param &= ~3u;
		if (!vm->service_param)
			atomic_store(&vm->service_pending, false);
	} else {
		vm->service_param = 0;
		atomic_store(&vm->service_pending, false);
	}
	pthread_mutex_unlock(&vm->lock);
	return param;
}

static int deliver_one_ext(struct s390_cpu *c, int which)
{
	u32 param;

	switch (which) {
	case IRQ_CKC:
		clear_irq(c, IRQ_CKC);
		return deliver_ext(c, EXT_CKC, 0, 0);
	case IRQ_CPUTM:
		clear_irq(c, IRQ_CPUTM);
		return deliver_ext(c, EXT_CPUTM, 0, 0);
	case IRQ_EMERG:
		return deliver_emerg(c);
	case IRQ_EXTCALL:
		clear_irq(c, IRQ_EXTCALL);
		return deliver_ext(c, EXT_EXTCALL, c->extcall_src, 0);
	default:
		param = take_service(c->vm);
		return deliver_ext(c, EXT_SERVICE, 0, param);
	}
}

bool s390_irq_pending_enabled(struct s390_cpu *c)
{
	u32 p = atomic_load(&c->irqs);

	return (p & ~((1u << IRQ_CKC) | (1u << IRQ_CPUTM) |
		      (1u << IRQ_EMERG) | (1u << IRQ_EXTCALL))) ||
	       ext_ready(c, p) >= 0 || s390_io_ready(c);
}

static int deliver_control(struct s390_cpu *c, u32 p)
{
	if (p & (1u << IRQ_STOP)) {
		clear_irq(c, IRQ_STOP);
		s390_vcpu_stop(c);
		return s390_exit_sieic(c, KVMU_S390_ICPT_STOP, 0, 0);
	}
	if (p & (1u << IRQ_RESTART)) {
		clear_irq(c, IRQ_RESTART);
		c->stopped = false;
		return s390_swap_psw(c, LC_RESTART_OLD, LC_RESTART_NEW,
				     c->addr);
	}
	if (p & (1u << IRQ_PREFIX)) {
		clear_irq(c, IRQ_PREFIX);
		c->prefix = c->new_prefix;
		s390_tlb_flush(c);
	}
	return 0;
}

int s390_deliver_irqs(struct s390_cpu *c)
{
	u32 p = atomic_load_explicit(&c->irqs, memory_order_acquire);
	int which;

	if (!p && !atomic_load_explicit(&c->vm->service_pending,
					memory_order_relaxed) &&
	    !atomic_load_explicit(&c->vm->io_pending, memory_order_relaxed))
		return 0;
	if (p & (1u << IRQ_PGM))
		return deliver_injected_pgm(c);
	which = ext_ready(c, p);
	if (which >= 0)
		return deliver_one_ext(c, which);
	/* I/O ranks below external and above restart */
	if (s390_io_ready(c)) {
		which = s390_io_deliver(c);
		if (which)
			return which;
	}
	return deliver_control(c, p);
}

void s390_clear_local_irqs(struct s390_cpu *c)
{
	pthread_mutex_lock(&c->irq_lock);
	atomic_store(&c->irqs, 0);
	memset(c->emerg_src, 0, sizeof(c->emerg_src));
	memset(&c->pgm, 0, sizeof(c->pgm));
	pthread_mutex_unlock(&c->irq_lock);
}

struct s390_cpu *s390_cpu_by_addr(struct kvmu_vm *vm, u16 addr)
{
	int i, n = atomic_load(&vm->nr_vcpus);

	for (i = 0; i < n; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->id == addr)
			return s390_cpu(vm->vcpus[i]);
	return NULL;
}

static int inject_locked(struct s390_cpu *c, const struct kvm_s390_irq *irq)
{
	switch (irq->type) {
	case KVM_S390_PROGRAM_INT:
		c->pgm = irq->u.pgm;
		return IRQ_PGM;
	case KVM_S390_SIGP_SET_PREFIX:
		if (!c->stopped)
			return -EBUSY;
		c->new_prefix = irq->u.prefix.address & 0x7fffe000u;
		return IRQ_PREFIX;
	case KVM_S390_SIGP_STOP:
		if (atomic_load(&c->irqs) & (1u << IRQ_STOP))
			return -EBUSY;
		c->stop_flags = irq->u.stop.flags;
		return IRQ_STOP;
	case KVM_S390_RESTART:
		return IRQ_RESTART;
	case KVM_S390_INT_CLOCK_COMP:
		return IRQ_CKC;
	case KVM_S390_INT_CPU_TIMER:
		return IRQ_CPUTM;
	case KVM_S390_INT_EXTERNAL_CALL:
		if (!s390_cpu_by_addr(c->kvm, irq->u.extcall.code))
			return -EINVAL;
		if (atomic_load(&c->irqs) & (1u << IRQ_EXTCALL))
			return -EBUSY;
		c->extcall_src = irq->u.extcall.code;
		return IRQ_EXTCALL;
	case KVM_S390_INT_EMERGENCY:
		if (!s390_cpu_by_addr(c->kvm, irq->u.emerg.code) ||
		    irq->u.emerg.code >= 256)
			return -EINVAL;
		c->emerg_src[irq->u.emerg.code / 64] |=
			1ULL << (irq->u.emerg.code % 64);
		return IRQ_EMERG;
	default:
		return -EINVAL;
	}
}

int s390_inject_vcpu(struct s390_cpu *c, const struct kvm_s390_irq *irq)
{
	int bit;

	pthread_mutex_lock(&c->irq_lock);
	bit = inject_locked(c, irq);
	if (bit >= 0)
		set_irq(c, bit);
	pthread_mutex_unlock(&c->irq_lock);
	return bit < 0 ? bit : 0;
}

int s390_inject_vm(struct kvmu_vm *kvm, const struct kvm_s390_interrupt *i)
{
	struct s390_vm *vm = s390_vm(kvm);
	int n;

	if (s390_io_type(i->type))
		return s390_io_inject(kvm, i);
	if (i->type != KVM_S390_INT_SERVICE)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	vm->service_param |= i->parm & 0x3;	/* event-pending bits */
	if (i->parm & ~0x7u)
		vm->service_param = (vm->service_param & 0x3) |
				    (i->parm & ~0x7u);
	atomic_store(&vm->service_pending, true);
	pthread_mutex_unlock(&vm->lock);
	for (n = 0; n < atomic_load(&kvm->nr_vcpus); n++)
		if (kvm->vcpus[n])
			atomic_store(&kvm->vcpus[n]->kick, true);
	return 0;
}

/* ---- SIGP ---- */

static bool sigp_fast(u8 order)
{
	return order == SIGP_SENSE || order == SIGP_EXTERNAL_CALL ||
	       order == SIGP_EMERGENCY || order == SIGP_COND_EMERGENCY ||
	       order == SIGP_SENSE_RUNNING;
}

static int status(struct s390_cpu *c, u8 r1, u32 st)
{
	c->gprs[r1] = (c->gprs[r1] & ~0xffffffffULL) | st;
	return 1;
}

static int sigp_dst(struct s390_cpu *c, struct s390_cpu *dst, u8 order,
		    u8 r1, u64 param)
{
	struct kvm_s390_irq irq = { 0 };
	u32 st = 0;

	switch (order) {
	case SIGP_SENSE:
		if (atomic_load(&dst->irqs) & (1u << IRQ_EXTCALL))
			st |= SIGP_STATUS_EXT_CALL_PENDING;
		if (dst->stopped)
			st |= SIGP_STATUS_STOPPED;
		return st ? status(c, r1, st) : 0;
	case SIGP_EXTERNAL_CALL:
		irq.type = KVM_S390_INT_EXTERNAL_CALL;
		irq.u.extcall.code = c->cpu_addr;
		if (s390_inject_vcpu(dst, &irq) == -EBUSY)
			return status(c, r1, SIGP_STATUS_EXT_CALL_PENDING);
		return 0;
	case SIGP_EMERGENCY:
	case SIGP_COND_EMERGENCY:
		irq.type = KVM_S390_INT_EMERGENCY;
		irq.u.emerg.code = c->cpu_addr;
		s390_inject_vcpu(dst, &irq);
		return 0;
	case SIGP_SENSE_RUNNING:
		return atomic_load(&dst->vcpu->in_run) ? 0 :
			status(c, r1, SIGP_STATUS_NOT_RUNNING);
	case SIGP_STOP:
		irq.type = KVM_S390_SIGP_STOP;
		return s390_inject_vcpu(dst, &irq) == -EBUSY ? 2 : 0;
	case SIGP_SET_PREFIX:
		if (!s390_abs_host(c->kvm, param & 0x7fffe000u, 0x2000, NULL))
			return status(c, r1, SIGP_STATUS_INVALID_PARAM);
		if (!dst->stopped)
			return status(c, r1, SIGP_STATUS_INCORRECT_STATE);
		irq.type = KVM_S390_SIGP_SET_PREFIX;
		irq.u.prefix.address = (u32)param;
		s390_inject_vcpu(dst, &irq);
		return 0;
	default:
		return -1;	/* user space */
	}
}

int s390_sigp(struct s390_cpu *c, struct s390_dec *d)
{
	u8 order = (u8)s390_ea(c, 0, d->b2, d->d2);
	u64 param = c->gprs[d->r1 | 1];
	struct s390_cpu *dst;
	int cc;

	if (c->vm->user_sigp && !sigp_fast(order))
		return s390_intercept(c, d);
	if (order == SIGP_SET_ARCH) {
		cc = status(c, d->r1, SIGP_STATUS_INVALID_PARAM);
	} else {
		dst = s390_cpu_by_addr(c->kvm, (u16)c->gprs[d->r3]);
		if (!dst) {
			s390_set_cc(c, 3);
			return 0;
		}
		if ((order == SIGP_START || order == SIGP_RESTART) &&
		    (atomic_load(&dst->irqs) & (1u << IRQ_STOP)))
			cc = 2;
		else
			cc = sigp_dst(c, dst, order, d->r1, param);
	}
	if (cc < 0)
		return s390_intercept(c, d);
	s390_set_cc(c, (unsigned int)cc);
	return 0;
}
