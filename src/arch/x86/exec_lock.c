// SPDX-License-Identifier: MIT
/*
 * Read-modify-write of instruction operands, atomic under LOCK.
 *
 * Guest RAM is shared by every vCPU thread (and by the VMM), so a LOCKed
 * instruction on RAM must be one host atomic operation: we translate the
 * operand to its host address and run the update as a compare-and-swap
 * loop.  A locked operand that is misaligned, crosses a page or is not in
 * RAM (MMIO, read-only slot) takes the ordinary path under a global mutex:
 * that serialises it against other such accesses, which is the best an
 * interpreter can do (the hardware would take a bus lock).
 */
#include "arch/x86/exec_int.h"

static pthread_mutex_t split_lock = PTHREAD_MUTEX_INITIALIZER;

enum x86_status x86_atomic_ptr(struct x86_cpu *cpu, int seg, u64 ea,
			       int size, void **host)
{
	enum x86_status st;
	u64 lin, gpa;

	*host = NULL;
	st = x86_seg_linear(cpu, seg, ea, (u32)size, X86_ACC_WRITE, &lin);
	if (st != X86_OK)
		return st;
	if ((lin & (u64)(size - 1)) || size > 16)
		return X86_OK;	/* misaligned (aligned never crosses) */
	st = x86_translate(cpu, lin, X86_ACC_WRITE, &gpa);
	if (st != X86_OK)
		return st;
	*host = x86_phys_ptr(cpu, gpa, (u32)size, true);
	return X86_OK;
}

#define CAS_LOOP(type)							\
	do {								\
		type *p_ = host, o_, n_;				\
		o_ = __atomic_load_n(p_, __ATOMIC_SEQ_CST);		\
		do {							\
			cpu->rflags = saved;				\
			n_ = (type)fn(cpu, o_, src, aux, size);		\
		} while (!__atomic_compare_exchange_n(p_, &o_, n_, false, \
				__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));	\
		v = o_;							\
	} while (0)

static u64 rmw_atomic(struct x86_cpu *cpu, void *host, int size,
		      x86_rmw_fn fn, u64 src, u64 aux)
{
	u64 saved = cpu->rflags, v = 0;

	switch (size) {
	case 1:
		CAS_LOOP(u8);
		break;
	case 2:
		CAS_LOOP(u16);
		break;
	case 4:
		CAS_LOOP(u32);
		break;
	default:
		CAS_LOOP(u64);
		break;
	}
	return v;
}

static enum x86_status rmw_plain(struct x86_cpu *cpu, int seg, u64 ea,
				 int size, x86_rmw_fn fn, u64 src, u64 aux,
				 u64 *old)
{
	u64 saved = cpu->rflags, v = 0, nv;
	enum x86_status st;

	st = x86_read(cpu, seg, ea, &v, (u32)size);
	if (st != X86_OK)
		return st;
	nv = fn(cpu, v, src, aux, size);
	st = x86_write(cpu, seg, ea, &nv, (u32)size);
	if (st != X86_OK) {
		cpu->rflags = saved;
		return st;
	}
	*old = v;
	return X86_OK;
}

enum x86_status x86_rmw_mem(struct x86_cpu *cpu, bool atomic, int seg,
			    u64 ea, int size, x86_rmw_fn fn, u64 src, u64 aux,
			    u64 *old)
{
	enum x86_status st;
	void *host;
	u64 v = 0;

	if (!atomic) {
		st = rmw_plain(cpu, seg, ea, size, fn, src, aux, &v);
	} else {
		st = x86_atomic_ptr(cpu, seg, ea, size, &host);
		if (st != X86_OK)
			return st;
		if (host) {
			v = rmw_atomic(cpu, host, size, fn, src, aux);
		} else {
			pthread_mutex_lock(&split_lock);
			kvmu_fault_hold(&split_lock);
			st = rmw_plain(cpu, seg, ea, size, fn, src, aux, &v);
			kvmu_fault_hold(NULL);
			pthread_mutex_unlock(&split_lock);
		}
	}
	if (st == X86_OK && old)
		*old = v;
	return st;
}

enum x86_status x86_rmw(struct x86_cpu *cpu, const struct x86_insn *in,
			int n, bool atomic, x86_rmw_fn fn, u64 src, u64 aux,
			u64 *old)
{
	const struct x86_operand *op = &in->op[n];
	u64 v, nv;

	if (op->kind == X86_OP_MEM)
		return x86_rmw_mem(cpu, atomic || in->lock, op->seg,
				   x86_ea(cpu, in, op), op->size, fn, src, aux,
				   old);
	/* registers cannot fault: no flags to restore */
	x86_op_read(cpu, in, n, &v);
	nv = fn(cpu, v, src, aux, op->size);
	x86_op_write(cpu, in, n, nv);
	if (old)
		*old = v;
	return X86_OK;
}
