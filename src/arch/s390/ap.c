// SPDX-License-Identifier: MIT
/*
 * The guest's AP (crypto adapter) instructions: PQAP (TAPQ, RAPQ, ZAPQ,
 * AQIC, QCI), NQAP and DQAP, gated by the CRYCB, and the attachment of a
 * vfio_ap mdev's queues to the VM.  The queues themselves live in
 * src/host/ap/queue.c; this file checks privilege, facilities and the
 * CRYCB, moves operands between guest storage and the queues, and sets
 * registers and the condition code.  docs/s390x.md, "AP instructions",
 * says what is modelled and why.
 *
 * With ECA.APIE off (the kernel's default for a new VM) the three
 * instructions are intercepted and go to user space, as KVM does; with
 * APIE on they are interpreted here, as the SIE firmware does, and
 * PQAP(AQIC) takes the path of KVM's handle_pqap and vfio_ap.
 *
 * Locking: the CRYCB fields are guarded by s390_vm.lock (short sections,
 * never across guest storage or queue work, because CS and friends use
 * that lock too).  s390_vm.ap_lock is held for reading while an
 * instruction uses crycb.ap and crycb.mdev, for writing by attach and
 * detach, so queues are never freed under a running instruction (the
 * kernel's pqap_hook_rwsem).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "s390.h"

#define FAC_QCI		12	/* PQAP(QCI) */
#define FAC_APFT	15	/* TAPQ T bit: adapter facilities */
#define FAC_APINT	65	/* AP interruptions: PQAP(AQIC) */

#define GR0_FC(gr0)	(((gr0) >> 24) & 0xff)
#define GR0_T		0x00800000ULL	/* bit 40 */
#define GR0_F		0x00400000ULL	/* bit 41 */
#define GR0_RSVD	0x007f0000ULL	/* bits 41-47 */
#define GR0_NOAPXA	0x0000c0f0ULL	/* APID >= 64 or APQI >= 16 */

#define NIB_SET		0x80	/* the indicator: the byte's bit 0 */
#define AP_CHUNK	4096	/* operands move a page at a time */
#define REFRESH_NS	1000000	/* misses re-read the host once a ms */

/* ---- the CRYCB ---- */

static bool mask_bit(const u64 *m, unsigned int n)
{
	return m[n / 64] & BIT64(n % 64);
}

/* Formats 0 and 1 hold APIDs 0-63 and APQIs 0-15 only (APCB0). */
static void crycb_set_masks(struct s390_crycb *cb,
			    const struct kvmu_host_matrix *m)
{
	memcpy(cb->apm, m->apm.w, sizeof(cb->apm));
	memcpy(cb->aqm, m->aqm.w, sizeof(cb->aqm));
	memcpy(cb->adm, m->adm.w, sizeof(cb->adm));
	if (cb->format >= 2)
		return;
	memset(cb->apm + 1, 0, 3 * sizeof(u64));
	memset(cb->aqm + 1, 0, 3 * sizeof(u64));
	memset(cb->adm + 1, 0, 3 * sizeof(u64));
	cb->aqm[0] &= 0xffffULL << 48;
	cb->adm[0] &= 0xffffULL << 48;
}

/* The guest's masks as a matrix, filtered by the format (under lock). */
static void crycb_get_masks(const struct s390_crycb *cb,
			    struct kvmu_host_matrix *m)
{
	struct s390_crycb tmp = { .format = cb->format };
	struct kvmu_host_matrix raw;

	memcpy(raw.apm.w, cb->apm, sizeof(raw.apm.w));
	memcpy(raw.aqm.w, cb->aqm, sizeof(raw.aqm.w));
	memcpy(raw.adm.w, cb->adm, sizeof(raw.adm.w));
	/* the format may have changed after the masks were set */
	crycb_set_masks(&tmp, &raw);
	memcpy(m->apm.w, tmp.apm, sizeof(m->apm.w));
	memcpy(m->aqm.w, tmp.aqm, sizeof(m->aqm.w));
	memcpy(m->adm.w, tmp.adm, sizeof(m->adm.w));
}

/* An APQN is usable iff its APID is in APM and its APQI in AQM. */
static bool crycb_usable(const struct s390_crycb *cb, unsigned int apqn)
{
	unsigned int apid = apqn >> 8, apqi = apqn & 0xff;

	if (cb->format < 2 && (apid >= 64 || apqi >= 16))
		return false;
	return mask_bit(cb->apm, apid) && mask_bit(cb->aqm, apqi);
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/*
 * Hot plug and unplug: take the mdev's guest matrix again when the host
 * state changed since the masks were set.  ap_lock is held for reading.
 */
static void crycb_refresh(struct s390_vm *vm)
{
	struct kvmu_host_mdev *mdev = vm->crycb.mdev;
	struct kvmu_host_matrix m;
	u64 gen = 0;

	if (!mdev)
		return;
	atomic_store(&vm->ap_refresh_ns, now_ns());
	/* a vanished mdev has no queues left for the guest */
	if (kvmu_host_mdev_guest_matrix(mdev, &m, &gen))
		memset(&m, 0, sizeof(m));
	pthread_mutex_lock(&vm->lock);
	if (!gen || gen != vm->crycb.gen) {
		crycb_set_masks(&vm->crycb, &m);
		vm->crycb.gen = gen;
	}
	pthread_mutex_unlock(&vm->lock);
}

/*
 * Take ap_lock for reading and return the queues when the CRYCB allows
 * apqn; NULL means RC 0x01.  The masks are refreshed by QCI and on a
 * miss, at most once a millisecond (each refresh reads the host state
 * file; a guest probing every APQN would read it 65536 times): a hit
 * goes to the queues, which re-read the live guest matrix themselves,
 * so an unplugged APQN answers RC 0x01 at once, and a plugged one is
 * seen within a millisecond or at the guest's next QCI.
 */
static struct kvmu_ap *ap_get(struct s390_vm *vm, unsigned int apqn)
{
	bool ok;

	pthread_rwlock_rdlock(&vm->ap_lock);
	pthread_mutex_lock(&vm->lock);
	ok = vm->crycb.ap && crycb_usable(&vm->crycb, apqn);
	pthread_mutex_unlock(&vm->lock);
	if (!ok && vm->crycb.mdev &&
	    now_ns() - atomic_load(&vm->ap_refresh_ns) >= REFRESH_NS) {
		crycb_refresh(vm);
		pthread_mutex_lock(&vm->lock);
		ok = crycb_usable(&vm->crycb, apqn);
		pthread_mutex_unlock(&vm->lock);
	}
	return ok ? vm->crycb.ap : NULL;
}

static void ap_put(struct s390_vm *vm)
{
	pthread_rwlock_unlock(&vm->ap_lock);
}

static void not_available(struct kvmu_ap_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = (u32)KVMU_AP_RC_Q_NOT_AVAIL << 16;
	r->cc = 3;
}

/* A reply on a queue with interruptions on: set the indicator byte. */
static void ap_notify(void *opaque, unsigned int apqn KVMU_UNUSED,
		      unsigned int isc KVMU_UNUSED, uint64_t nib)
{
	u8 *p = s390_abs_host(opaque, nib, 1, NULL);
	u8 v = NIB_SET;

	/* the adapter interruption itself is not modelled (no GISA) */
	if (p)
		kvmu_copy_to_user((unsigned long)(uintptr_t)p, &v, 1);
}

/* ---- attachment ---- */

static int crypto_attach(struct kvmu_vm *kvm, struct kvmu_ap *ap,
			 const struct kvmu_host_matrix *m,
			 struct kvmu_host_mdev *mdev, u64 gen)
{
	struct s390_vm *vm = s390_vm(kvm);
	int rc = 0;

	if (!ap || !m)
		return -EINVAL;
	pthread_rwlock_wrlock(&vm->ap_lock);
	pthread_mutex_lock(&vm->lock);
	if (vm->crycb.ap) {
		rc = -EPERM;	/* vfio_ap: one mdev per KVM */
	} else {
		vm->crycb.ap = ap;
		vm->crycb.mdev = mdev;
		vm->crycb.gen = gen;
		crycb_set_masks(&vm->crycb, m);
	}
	pthread_mutex_unlock(&vm->lock);
	if (!rc)
		kvmu_ap_set_notify(ap, ap_notify, kvm);
	pthread_rwlock_unlock(&vm->ap_lock);
	return rc;
}

int s390_crypto_attach_ap(struct kvmu_vm *vm, struct kvmu_ap *ap,
			  const struct kvmu_host_matrix *m,
			  struct kvmu_host_mdev *mdev)
{
	return crypto_attach(vm, ap, m, mdev, 0);
}

void s390_crypto_detach_ap(struct kvmu_vm *kvm, struct kvmu_ap *ap)
{
	struct s390_vm *vm = s390_vm(kvm);
	bool mine;

	pthread_rwlock_wrlock(&vm->ap_lock);
	pthread_mutex_lock(&vm->lock);
	mine = ap && vm->crycb.ap == ap;
	if (mine) {
		/* kvm_arch_crypto_clear_masks(): both APCBs zeroed */
		memset(vm->crycb.apm, 0, sizeof(vm->crycb.apm));
		memset(vm->crycb.aqm, 0, sizeof(vm->crycb.aqm));
		memset(vm->crycb.adm, 0, sizeof(vm->crycb.adm));
		vm->crycb.ap = NULL;
		vm->crycb.mdev = NULL;
		vm->crycb.gen = 0;
	}
	pthread_mutex_unlock(&vm->lock);
	if (mine)
		kvmu_ap_set_notify(ap, NULL, NULL);
	pthread_rwlock_unlock(&vm->ap_lock);
}

int s390_vfio_attach(struct kvmu_vm *vm, struct kvmu_host_mdev *mdev)
{
	struct kvmu_host_matrix m;
	u64 gen;
	int rc;

	if (!mdev)
		return -EINVAL;
	rc = kvmu_host_mdev_guest_matrix(mdev, &m, &gen);
	if (rc)
		return rc;
	return crypto_attach(vm, kvmu_host_mdev_ap(mdev), &m, mdev, gen);
}

void s390_vfio_detach(struct kvmu_vm *vm, struct kvmu_host_mdev *mdev)
{
	if (mdev)
		s390_crypto_detach_ap(vm, kvmu_host_mdev_ap(mdev));
}

/* ---- common checks ---- */

/*
 * APIE off: KVM has no handler (PQAP: handle_pqap returns -EOPNOTSUPP
 * before any check), so the instruction goes to user space whatever the
 * PSW says.  APIE on: privileged.
 */
static int ap_insn_enter(struct s390_cpu *c, struct s390_dec *d)
{
	bool apie;

	pthread_mutex_lock(&c->vm->lock);
	apie = c->vm->crycb.apie;
	pthread_mutex_unlock(&c->vm->lock);
	if (!apie)
		return s390_intercept(c, d);
	if (c->mask & PSW_PSTATE)
		return PGM_PRIVILEGED;
	return 0;
}

/* Without format 2 the guest has no APXA: a wider APQN is invalid. */
static int apqn_range(struct s390_cpu *c, u64 gr0)
{
	u8 format;

	pthread_mutex_lock(&c->vm->lock);
	format = c->vm->crycb.format;
	pthread_mutex_unlock(&c->vm->lock);
	return format < 2 && (gr0 & GR0_NOAPXA) ? PGM_SPECIFICATION : 0;
}

/* The status word goes to GR1 bits 32-63; bits 0-31 are kept. */
static void put_status(struct s390_cpu *c, const struct kvmu_ap_result *r)
{
	set_lo(c, 1, r->status);
	s390_set_cc(c, (unsigned int)r->cc);
}

/* ---- PQAP ---- */

static int pqap_tapq(struct s390_cpu *c, u64 gr0)
{
	struct kvmu_ap_result r;
	struct kvmu_ap *ap = ap_get(c->vm, KVMU_AP_GR0_APQN(gr0));
	int rc = 0;

	if (ap)
		rc = kvmu_ap_tapq(ap, gr0, &r);
	else
		not_available(&r);
	ap_put(c->vm);
	if (rc)
		return rc;
	/* GR2 describes the adapter whenever the queue exists */
	if (KVMU_AP_ST_RC(r.status) != KVMU_AP_RC_Q_NOT_AVAIL)
		c->gprs[2] = r.gr2;
	put_status(c, &r);
	return 0;
}

static int pqap_reset(struct s390_cpu *c, u64 gr0)
{
	struct kvmu_ap_result r;
	struct kvmu_ap *ap = ap_get(c->vm, KVMU_AP_GR0_APQN(gr0));
	int rc = 0;

	if (ap)
		rc = kvmu_ap_reset(ap, gr0, &r);
	else
		not_available(&r);
	ap_put(c->vm);
	if (rc)
		return rc;
	put_status(c, &r);
	return 0;
}

/*
 * AQIC: vfio_ap's hook.  The notification byte address in GR2 is a guest
 * absolute address (vfio_ap pins that guest page); no hook (no queues
 * attached) answers RC 0x01 as handle_pqap does.
 */
static int pqap_aqic(struct s390_cpu *c, u64 gr0)
{
	struct kvmu_ap_result r;
	struct kvmu_ap *ap = ap_get(c->vm, KVMU_AP_GR0_APQN(gr0));
	u64 nib = c->gprs[2];
	int nib_ok = s390_abs_host(c->kvm, nib, 1, NULL) != NULL;
	int rc = 0;

	if (ap)
		rc = kvmu_ap_aqic(ap, gr0, c->gprs[1], nib, nib_ok, &r);
	else
		not_available(&r);
	ap_put(c->vm);
	if (rc)
		return rc;
	put_status(c, &r);
	return 0;
}

/* QCI: the guest's own masks; no APXA for formats 0 and 1. */
static int pqap_qci(struct s390_cpu *c, u64 gr0 KVMU_UNUSED)
{
	struct s390_vm *vm = c->vm;
	struct kvmu_host_matrix m;
	struct kvmu_ap_result r;
	u8 info[KVMU_AP_QCI_LEN] = { 0 };
	u8 format;
	int rc = 0;

	pthread_rwlock_rdlock(&vm->ap_lock);
	crycb_refresh(vm);
	pthread_mutex_lock(&vm->lock);
	crycb_get_masks(&vm->crycb, &m);
	format = vm->crycb.format;
	pthread_mutex_unlock(&vm->lock);
	if (vm->crycb.ap) {
		rc = kvmu_ap_qci(vm->crycb.ap, &m, info, &r);
	} else {
		/* no mdev: empty masks, but the machine (with APXA) is there */
		info[0] = 0x40;
		info[4] = info[5] = 0xff;
	}
	ap_put(vm);
	if (rc)
		return rc;
	if (format < 2)
		memset(info, 0, 8);	/* N, na and nd belong to APXA */
	TRY(s390_write(c, s390_wrap(c, c->gprs[2]), info, sizeof(info)));
	s390_set_cc(c, 0);
	return 0;
}

/*
 * The PQAP functions: the facility each needs and the GR0 bits 40-47 it
 * defines.  Every other function code (QACT, BAPQ, AAPQ: not offered)
 * and every check below is a specification exception, in the order of
 * KVM's handle_pqap.
 */
struct pqap_fn {
	u8 fac;
	u64 bits;		/* of GR0_T | GR0_RSVD, allowed */
	bool apqn;		/* takes an APQN in GR0 */
	int (*fn)(struct s390_cpu *c, u64 gr0);
};

static const struct pqap_fn pqap_fns[] = {
	[0] = { 0,         GR0_T,         true,  pqap_tapq },	/* TAPQ */
	[1] = { 0,         GR0_T | GR0_F, true,  pqap_reset },	/* RAPQ */
	[2] = { 0,         GR0_T | GR0_F, true,  pqap_reset },	/* ZAPQ */
	[3] = { FAC_APINT, GR0_T,         true,  pqap_aqic },	/* AQIC */
	[4] = { FAC_QCI,   GR0_T,         false, pqap_qci },	/* QCI */
};

int op_pqap(struct s390_cpu *c, struct s390_dec *d)
{
	u64 gr0 = c->gprs[0];
	unsigned int fc = GR0_FC(gr0);
	const struct pqap_fn *f;

	TRY(ap_insn_enter(c, d));
	if (fc >= ARRAY_SIZE(pqap_fns))
		return PGM_SPECIFICATION;
	f = &pqap_fns[fc];
	if (gr0 & (GR0_T | GR0_RSVD) & ~f->bits)
		return PGM_SPECIFICATION;
	if ((gr0 & GR0_T) && !s390_fac(c->vm, FAC_APFT))
		return PGM_SPECIFICATION;
	if (f->apqn)
		TRY(apqn_range(c, gr0));
	if (f->fac && !s390_fac(c->vm, f->fac))
		return PGM_SPECIFICATION;
	return f->fn(c, gr0);
}

/* ---- NQAP and DQAP ---- */

/* An operand length: 64 bits in 64-bit mode, else bits 32-63. */
static u64 reg_len(const struct s390_cpu *c, int r)
{
	return c->mask & PSW_EA ? c->gprs[r] : (u32)c->gprs[r];
}

/* Step the address/length pair r, r + 1 over n bytes. */
static void reg_advance(struct s390_cpu *c, int r, u64 n)
{
	u64 a = s390_wrap(c, c->gprs[r] + n), len = reg_len(c, r + 1) - n;

	if (c->mask & PSW_EA) {
		c->gprs[r] = a;
		c->gprs[r + 1] = len;
	} else {
		set_lo(c, r, a);
		set_lo(c, r + 1, len);
	}
}

/* The bytes of the operand at r up to the next page boundary. */
static u64 chunk_len(const struct s390_cpu *c, int r, u64 *addr)
{
	u64 a = s390_wrap(c, c->gprs[r]), len = reg_len(c, r + 1);
	u64 room = AP_CHUNK - (a & (AP_CHUNK - 1));

	*addr = a;
	return len < room ? len : room;
}

static int pair_regs(struct s390_dec *d)
{
	return (d->r1 | d->r2) & 1 ? PGM_SPECIFICATION : 0;
}

/* One chunk of an NQAP operand to the queues; 0 or -errno. */
static int nqap_chunk(struct s390_cpu *c, u64 gr0, u64 psmid,
		      const u8 *buf, u64 n, int more,
		      struct kvmu_ap_result *r)
{
	struct kvmu_ap *ap = ap_get(c->vm, KVMU_AP_GR0_APQN(gr0));
	int rc = 0;

	if (ap)
		rc = kvmu_ap_nqap(ap, gr0, psmid, buf, n, more, r);
	else
		not_available(r);
	ap_put(c->vm);
	return rc;
}

/*
 * NQAP: GR0 APQN and flags, R1 pair the PSMID (bits 32-63 of each), R2
 * pair the message address and length, stepped over what was taken.
 * The operand moves a page at a time; an access exception after the
 * first page ends the instruction with CC 2 (partial completion), so the
 * guest reissues it and then takes the exception with nothing consumed.
 */
int op_nqap(struct s390_cpu *c, struct s390_dec *d)
{
	u64 gr0 = c->gprs[0], a, n;
	u64 psmid = (u64)(u32)c->gprs[d->r1] << 32 | (u32)c->gprs[d->r1 + 1];
	struct kvmu_ap_result r;
	u8 buf[AP_CHUNK];
	bool started = false;
	int rc, more;

	TRY(ap_insn_enter(c, d));
	TRY(pair_regs(d));
	TRY(apqn_range(c, gr0));
	for (;;) {
		n = chunk_len(c, d->r2, &a);
		more = n < reg_len(c, d->r2 + 1);
		rc = s390_read(c, a, buf, n);
		if (rc && !started)
			return rc;
		if (rc) {
			s390_set_cc(c, 2);
			return 0;
		}
		rc = nqap_chunk(c, gr0, psmid, buf, n, more, &r);
		explicit_bzero(buf, n);	/* requests carry keys */
		if (rc)
			return rc;
		started = true;
		reg_advance(c, d->r2, r.done);
		if (!more || r.cc != 2 || KVMU_AP_ST_RC(r.status))
			break;
	}
	put_status(c, &r);
	return 0;
}

/* One chunk of a reply from the queues into buf; 0 or -errno. */
static int dqap_chunk(struct s390_cpu *c, u64 gr0, u8 *buf, u64 n,
		      struct kvmu_ap_result *r)
{
	struct kvmu_ap *ap = ap_get(c->vm, KVMU_AP_GR0_APQN(gr0));
	int rc = 0;

	if (ap)
		rc = kvmu_ap_dqap(ap, gr0, buf, n, r);
	else
		not_available(r);
	ap_put(c->vm);
	return rc;
}

/* After a reply (or part of one) was stored: PSMID, GR0, GR2. */
static void dqap_regs(struct s390_cpu *c, struct s390_dec *d,
		      const struct kvmu_ap_result *r)
{
	c->gprs[d->r1] = r->psmid >> 32;
	c->gprs[d->r1 + 1] = (u32)r->psmid;
	if (r->gr2)
		c->gprs[0] = r->gr0;	/* what continues the reply */
	c->gprs[2] = r->gr2;
}

/*
 * DQAP: GR0 APQN (or the GR0 a partial DQAP left), R1 pair gets the
 * PSMID, R2 pair the buffer, GR2 the bytes still to come.  CC 0: the
 * reply is complete; CC 1: the buffer filled first; CC 2: an access
 * exception after the first page stopped it (reissue); CC 3: RC != 0.
 * Each page is checked for storing before its bytes leave the queue.
 */
int op_dqap(struct s390_cpu *c, struct s390_dec *d)
{
	u64 gr0 = c->gprs[0], a, n;
	struct kvmu_ap_result r;
	u8 buf[AP_CHUNK];
	bool started = false;
	int rc;

	TRY(ap_insn_enter(c, d));
	TRY(pair_regs(d));
	TRY(apqn_range(c, gr0));
	for (;;) {
		n = chunk_len(c, d->r2, &a);
		rc = n ? s390_access(c, a, NULL, n, ACC_STORE, -1) : 0;
		if (rc && !started)
			return rc;
		if (rc) {
			s390_set_cc(c, 2);
			return 0;
		}
		rc = dqap_chunk(c, gr0, buf, n, &r);
		if (rc)
			return rc;
		if (KVMU_AP_ST_RC(r.status))
			break;
		started = true;
		rc = s390_write(c, a, buf, r.done);
		explicit_bzero(buf, r.done);
		if (rc)
			return rc;
		reg_advance(c, d->r2, r.done);
		dqap_regs(c, d, &r);
		/* done: the reply is complete or the buffer is full */
		if (!r.gr2 || !reg_len(c, d->r2 + 1))
			break;
	}
	put_status(c, &r);
	return 0;
}
