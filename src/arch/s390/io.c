// SPDX-License-Identifier: MIT
/*
 * Floating I/O interruptions and the two instructions that take them
 * without an interruption, as arch/s390/kvm/interrupt.c and priv.c do:
 *
 * - KVM_S390_INTERRUPT on the VM with an I/O type (KVM_S390_INT_IO) queues
 *   one interruption; parm carries the subchannel id and number, parm64
 *   the interruption parameter and word.  The ISC is bits 2-4 of the word.
 * - Any vCPU with PSW bit 6 on and the ISC's bit in CR6 takes the oldest
 *   interruption of the lowest enabled ISC (ISC 0 is the most important)
 *   through the lowcore (0xb8-0xc3, I/O old/new PSW).
 * - TPI (with CSS support) dequeues one into the lowcore or its operand;
 *   TSCH hands the instruction to user space with the interruption of
 *   the subchannel in GR1 dequeued into kvm_run.s390_tsch, if there is one.
 *
 * Queued interruptions live until taken or until the VM goes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "s390.h"

#define IO_MAX_QUEUED	266250	/* KVM_S390_MAX_FLOAT_IRQS */
#define CR6_ISC(isc)	BIT64(32 + (isc))

struct s390_io_irq {
	struct s390_io_irq *next;
	u16 sid, nr;		/* subchannel id word, split as the lowcore */
	u32 parm, word;
};

static unsigned int io_isc(u32 word)
{
	return (word >> 27) & 7;
}

/* Type is KVM_S390_INT_IO(ai, cssid, ssid, schid): at most 0xfffdffff. */
bool s390_io_type(u32 type)
{
	return type <= KVM_S390_INT_IO_MAX;
}

int s390_io_inject(struct kvmu_vm *kvm, const struct kvm_s390_interrupt *i)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct s390_io_irq *q, **pp;
	unsigned int isc;

	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->sid = (u16)(i->parm >> 16);
	q->nr = (u16)i->parm;
	q->parm = (u32)(i->parm64 >> 32);
	q->word = (u32)i->parm64;
	isc = io_isc(q->word);
	pthread_mutex_lock(&vm->lock);
	if (vm->nr_io >= IO_MAX_QUEUED) {
		pthread_mutex_unlock(&vm->lock);
		free(q);
		return -EINVAL;
	}
	for (pp = &vm->io[isc]; *pp; pp = &(*pp)->next)
		;
	*pp = q;
	vm->nr_io++;
	atomic_fetch_or(&vm->io_pending, 1u << isc);
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

/* The ISCs this CPU accepts I/O interruptions for (bit n = ISC n). */
static unsigned int enabled_iscs(const struct s390_cpu *c)
{
	unsigned int isc, m = 0;

	for (isc = 0; isc < 8; isc++)
		if (c->crs[6] & CR6_ISC(isc))
			m |= 1u << isc;
	return m;
}

bool s390_io_ready(struct s390_cpu *c)
{
	return (c->mask & PSW_IO) &&
	       (atomic_load(&c->vm->io_pending) & enabled_iscs(c));
}

/*
 * Unlink the first interruption of the lowest ISC in iscs, or the first
 * one for subchannel schid (sid << 16 | nr) when match is set.  Called
 * with vm->lock held.
 */
static struct s390_io_irq *dequeue(struct s390_vm *vm, unsigned int iscs,
				   bool match, u32 schid)
{
	struct s390_io_irq *q, **pp;
	unsigned int isc;

	for (isc = 0; isc < 8; isc++) {
		if (!(iscs & (1u << isc)))
			continue;
		for (pp = &vm->io[isc]; (q = *pp); pp = &q->next) {
			if (match && ((u32)q->sid << 16 | q->nr) != schid)
				continue;
			*pp = q->next;
			vm->nr_io--;
			if (!vm->io[isc])
				atomic_fetch_and(&vm->io_pending, ~(1u << isc));
			return q;
		}
	}
	return NULL;
}

static struct s390_io_irq *take(struct s390_cpu *c, unsigned int iscs,
				bool match, u32 schid)
{
	struct s390_io_irq *q;

	pthread_mutex_lock(&c->vm->lock);
	q = dequeue(c->vm, iscs, match, schid);
	pthread_mutex_unlock(&c->vm->lock);
	return q;
}

/* Put a taken interruption back at the head of its queue. */
static void untake(struct s390_cpu *c, struct s390_io_irq *q)
{
	struct s390_vm *vm = c->vm;
	unsigned int isc = io_isc(q->word);

	pthread_mutex_lock(&vm->lock);
	q->next = vm->io[isc];
	vm->io[isc] = q;
	vm->nr_io++;
	atomic_fetch_or(&vm->io_pending, 1u << isc);
	pthread_mutex_unlock(&vm->lock);
}

/* The 12 bytes the lowcore holds at 0xb8, in storage order. */
static void io_code(const struct s390_io_irq *q, u8 b[12])
{
	put_be16(b, q->sid);
	put_be16(b + 2, q->nr);
	put_be32(b + 4, q->parm);
	put_be32(b + 8, q->word);
}

int s390_io_deliver(struct s390_cpu *c)
{
	struct s390_io_irq *q = take(c, enabled_iscs(c), false, 0);
	u8 b[12];
	int rc;

	if (!q)
		return 0;
	io_code(q, b);
	rc = s390_lc_write(c, LC_SUBCHANNEL_ID, b, sizeof(b));
	if (!rc)
		rc = s390_swap_psw(c, LC_IO_OLD, LC_IO_NEW, c->addr);
	if (rc) {
		untake(c, q);
		return rc;
	}
	free(q);
	return 1;
}

/*
 * TPI: CC 1 and the interruption code stored when one enabled by CR6 was
 * pending, else CC 0.  Operand 0 means the lowcore (all 12 bytes), any
 * other address gets the first 8 (subchannel id word and parameter).
 */
int op_tpi(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = s390_ea(c, 0, d->b2, d->d2);
	struct s390_io_irq *q;
	u8 b[12];
	int rc;

	if (!c->vm->css_support) {
		s390_set_cc(c, 3);
		return 0;
	}
	if (a & 3)
		return PGM_SPECIFICATION;
	if (a && (rc = s390_access(c, a, NULL, 8, ACC_STORE, -1)))
		return rc;
	q = take(c, enabled_iscs(c), false, 0);
	if (!q) {
		s390_set_cc(c, 0);
		return 0;
	}
	io_code(q, b);
	rc = a ? s390_write(c, a, b, 8) :
		 s390_lc_write(c, LC_SUBCHANNEL_ID, b, sizeof(b));
	if (rc) {
		untake(c, q);
		return rc < 0 ? PGM_ADDRESSING : rc;
	}
	free(q);
	s390_set_cc(c, 1);
	return 0;
}

/* TSCH with CSS support: user space, with GR1's interruption dequeued. */
int op_tsch(struct s390_cpu *c, struct s390_dec *d)
{
	struct kvmu_s390_tsch_exit *t = &c->run->s390_tsch;
	struct s390_io_irq *q;

	if (!c->vm->css_support) {
		s390_set_cc(c, 3);
		return 0;
	}
	q = c->gprs[1] ? take(c, 0xff, true, (u32)c->gprs[1]) : NULL;
	c->run->exit_reason = KVM_EXIT_S390_TSCH;
	memset(t, 0, sizeof(*t));
	t->ipb = (u32)d->raw;
	if (q) {
		t->subchannel_id = q->sid;
		t->subchannel_nr = q->nr;
		t->io_int_parm = q->parm;
		t->io_int_word = q->word;
		t->dequeued = 1;
		free(q);
	}
	return S390_EXIT;
}

void s390_io_free(struct s390_vm *vm)
{
	struct s390_io_irq *q;
	unsigned int isc;

	for (isc = 0; isc < 8; isc++) {
		while ((q = vm->io[isc])) {
			vm->io[isc] = q->next;
			free(q);
		}
	}
	vm->nr_io = 0;
	atomic_store(&vm->io_pending, 0);
}
