// SPDX-License-Identifier: MIT
/*
 * The z/Architecture CPU: instruction lookup built from the table in
 * insn.def, operand decode per format, the fetch-execute loop, PSW
 * loading, the TOD clock and the CPU timer.
 *
 * Lookup is two table reads: the first byte says where the extended
 * opcode is (none, byte 1, the low nibble of byte 1, or byte 5; the
 * format of the table lines for that byte decides), and a 64K index maps
 * (byte 0, extended opcode) to the table line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "s390.h"

enum { EXT_NONE, EXT_B1, EXT_N1, EXT_B5 };

const struct s390_insn s390_insns[] = {
#define INSN(name, op, op2, fmt, fn, opnd, fac, fl) \
	{ #name, op, op2, fmt, fac, fl, opnd, fn },
#include "insn.def"
#undef INSN
};
const size_t s390_nr_insns = ARRAY_SIZE(s390_insns);

static u8 ext_kind[256];
static u16 index_tab[65536];		/* table line + 1, 0 = none */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static int fmt_ext(enum s390_fmt f)
{
	switch (f) {
	case F_E: case F_RRE: case F_RRF: case F_S: case F_SIL: case F_SSE:
		return EXT_B1;
	case F_RI: case F_RIL: case F_SSF:
		return EXT_N1;
	case F_RXE: case F_RXF: case F_RXY: case F_RSY: case F_RSL:
	case F_RIE: case F_RIS: case F_RRS: case F_SIY:
		return EXT_B5;
	default:
		return EXT_NONE;
	}
}

static void build_tables(void)
{
	size_t i;

	for (i = 0; i < s390_nr_insns; i++) {
		const struct s390_insn *in = &s390_insns[i];

		ext_kind[in->op] = (u8)fmt_ext(in->fmt);
		index_tab[in->op << 8 | in->op2] = (u16)(i + 1);
	}
}

unsigned int s390_ilen(u8 op)
{
	return op < 0x40 ? 2 : op < 0xc0 ? 4 : 6;
}

const struct s390_insn *s390_lookup(const u8 *b)
{
	u8 ext = 0;
	u16 i;

	pthread_once(&tables_once, build_tables);
	switch (ext_kind[b[0]]) {
	case EXT_B1:
		ext = b[1];
		break;
	case EXT_N1:
		ext = b[1] & 0xf;
		break;
	case EXT_B5:
		ext = b[5];
		break;
	}
	i = index_tab[b[0] << 8 | ext];
	return i ? &s390_insns[i - 1] : NULL;
}

#define FLD(pos, len) ((raw >> (48 - (pos) - (len))) & ((1ULL << (len)) - 1))

static s32 sext20(u64 v)
{
	return (s32)((v ^ 0x80000) - 0x80000);
}

static s32 disp_y(u64 raw)
{
	return sext20(FLD(32, 8) << 12 | FLD(20, 12));
}

static void decode_rx_rs(struct s390_dec *d, u64 raw, bool y)
{
	d->r1 = (u8)FLD(8, 4);
	d->x2 = d->r3 = d->m3 = (u8)FLD(12, 4);
	d->b2 = (u8)FLD(16, 4);
	d->d2 = y ? disp_y(raw) : (s32)FLD(20, 12);
}

static void decode_ri(struct s390_dec *d, u64 raw, bool ril)
{
	d->r1 = d->m3 = (u8)FLD(8, 4);
	d->ui2 = ril ? FLD(16, 32) : FLD(16, 16);
	d->i2 = ril ? (s32)d->ui2 : (s16)d->ui2;
	d->ri = d->i2;
}

/* RIE: r1, r2/r3/m3 at 12, i2/ri at 16 (16 bits), i3..i5 and m3' bytes */
static void decode_rie(struct s390_dec *d, u64 raw)
{
	d->r1 = (u8)FLD(8, 4);
	d->r2 = d->r3 = (u8)FLD(12, 4);
	d->ui2 = FLD(16, 16);
	d->i2 = d->ri = (s16)d->ui2;
	d->m3 = (u8)FLD(32, 4);
	d->i3 = (u8)FLD(16, 8);
	d->i4 = (u8)FLD(24, 8);
	d->i5 = (u8)FLD(32, 8);
}

static void decode_ss(struct s390_dec *d, u64 raw)
{
	d->l1 = (u8)FLD(8, 8);
	d->r1 = (u8)FLD(8, 4);
	d->r3 = d->l2 = (u8)FLD(12, 4);
	d->b1 = (u8)FLD(16, 4);
	d->d1 = (s32)FLD(20, 12);
	d->b2 = (u8)FLD(32, 4);
	d->d2 = (s32)FLD(36, 12);
}

static void decode_misc(struct s390_dec *d, u64 raw)
{
	switch (d->in->fmt) {
	case F_I:
		d->ui2 = FLD(8, 8);
		break;
	case F_RR:
		d->r1 = (u8)FLD(8, 4);
		d->r2 = (u8)FLD(12, 4);
		break;
	case F_RRE:
	case F_RRF:
		d->r3 = d->m3 = (u8)FLD(16, 4);
		d->m4 = (u8)FLD(20, 4);
		d->r1 = (u8)FLD(24, 4);
		d->r2 = (u8)FLD(28, 4);
		break;
	case F_SI:
	case F_SIY:
		d->ui2 = FLD(8, 8);
		d->i2 = (s8)d->ui2;
		d->b1 = (u8)FLD(16, 4);
		d->d1 = d->in->fmt == F_SIY ? disp_y(raw) : (s32)FLD(20, 12);
		break;
	case F_SIL:
		d->b1 = (u8)FLD(16, 4);
		d->d1 = (s32)FLD(20, 12);
		d->ui2 = FLD(32, 16);
		d->i2 = (s16)d->ui2;
		break;
	case F_S:
		d->b2 = (u8)FLD(16, 4);
		d->d2 = (s32)FLD(20, 12);
		break;
	default:
		break;
	}
}

void s390_decode(const struct s390_insn *in, const u8 *b, struct s390_dec *d)
{
	u64 raw = 0;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->in = in;
	d->ilen = (u8)s390_ilen(b[0]);
	for (i = 0; i < 6; i++)
		raw = raw << 8 | (i < d->ilen ? b[i] : 0);
	d->raw = raw;
	switch (in->fmt) {
	case F_RX: case F_RXE: case F_RS:
		decode_rx_rs(d, raw, false);
		d->m3 = in->fmt == F_RXE ? (u8)FLD(32, 4) : d->m3;
		break;
	case F_RXY: case F_RSY:
		decode_rx_rs(d, raw, true);
		break;
	case F_RXF:
		decode_rx_rs(d, raw, false);
		d->r1 = (u8)FLD(32, 4);
		d->r3 = (u8)FLD(8, 4);
		break;
	case F_RI: case F_RIL:
		decode_ri(d, raw, in->fmt == F_RIL);
		break;
	case F_RIE:
	case F_RSI:
		decode_rie(d, raw);
		break;
	case F_RIS: case F_RRS:
		decode_rx_rs(d, raw, false);
		d->r2 = d->m3 = (u8)FLD(12, 4);
		d->i2 = (s8)FLD(32, 8);
		d->ui2 = FLD(32, 8);
		if (in->fmt == F_RRS)
			d->m3 = (u8)FLD(32, 4);
		break;
	case F_SS: case F_SSE: case F_SSF: case F_RSL:
		decode_ss(d, raw);
		break;
	default:
		decode_misc(d, raw);
	}
}

int s390_execute(struct s390_cpu *c, struct s390_dec *d)
{
	const struct s390_insn *in = d->in;

	if (in->fac && !s390_fac(c->vm, in->fac))
		return PGM_OPERATION;
	if ((in->flags & IF_PRIV) && (c->mask & PSW_PSTATE))
		return PGM_PRIVILEGED;
	return in->fn(c, d);
}

bool s390_psw_valid(u64 mask, u64 addr)
{
	if (mask & PSW_INVALID)
		return false;
	if ((mask & PSW_EA) && !(mask & PSW_BA))
		return false;
	if (!(mask & PSW_EA))
		return addr <= (mask & PSW_BA ? 0x7fffffffULL : 0xffffffULL);
	return true;
}

int s390_load_psw(struct s390_cpu *c, u64 mask, u64 addr)
{
	c->mask = mask;
	c->addr = addr;
	return 0;
}

/* Fetch the instruction at the PSW; returns a program code on failure. */
static int fetch(struct s390_cpu *c, u8 *b)
{
	unsigned int len;

	memset(b, 0, 6);
	TRY(s390_access(c, c->addr, b, 2, ACC_IFETCH, -1));
	len = s390_ilen(b[0]);
	if (len > 2)
		TRY(s390_access(c, s390_wrap(c, c->addr + 2), b + 2, len - 2,
				ACC_IFETCH, -1));
	return 0;
}

bool s390_nullifying(int code)
{
	switch (code) {
	case PGM_SEGMENT: case PGM_PAGE: case PGM_ASCE_TYPE:
	case PGM_REGION1: case PGM_REGION2: case PGM_REGION3:
		return true;
	default:
		return false;
	}
}

int s390_step(struct s390_cpu *c)
{
	struct s390_dec d;
	u8 b[6];
	int rc;

	c->ia = c->addr;
	c->ilen = 0;
	if (!s390_psw_valid(c->mask, c->addr) || (c->addr & 1))
		return s390_program_irq(c, PGM_SPECIFICATION, true);
	rc = fetch(c, b);
	if (rc)
		return s390_program_irq(c, (u16)rc, true);
	c->ilen = (u8)s390_ilen(b[0]);
	c->addr = s390_wrap(c, c->ia + c->ilen);
	c->vcpu->stats.instructions++;
	d.in = s390_lookup(b);
	if (!d.in)
		return s390_program_irq(c, PGM_OPERATION, false);
	s390_decode(d.in, b, &d);
	d.ia = c->ia;
	rc = s390_execute(c, &d);
	if (rc > 0 && rc < S390_EXIT)
		return s390_program_irq(c, (u16)rc, s390_nullifying(rc));
	return rc;
}

static u64 now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* The host TOD: units of 2^-12 microseconds since 1900-01-01. */
u64 s390_host_tod(void)
{
	const u64 epoch1970 = 2208988800ULL * 1000000000ULL;
	unsigned __int128 ns = now_ns(CLOCK_REALTIME) + epoch1970;

	return (u64)(ns * 512 / 125);
}

/* The guest TOD: the host's plus the VM's epoch difference. */
u64 s390_vm_tod(struct s390_vm *vm)
{
	return s390_host_tod() + __atomic_load_n(&vm->tod_epoch,
						 __ATOMIC_RELAXED);
}

void s390_vm_set_tod(struct s390_vm *vm, u64 tod)
{
	__atomic_store_n(&vm->tod_epoch, tod - s390_host_tod(),
			 __ATOMIC_RELAXED);
}

u64 s390_tod(struct s390_cpu *c)
{
	return s390_vm_tod(c->vm);
}

u64 s390_cputm(struct s390_cpu *c)
{
	u64 ns = now_ns(CLOCK_MONOTONIC) - c->cputm_ns;

	return c->cputm - (u64)((unsigned __int128)ns * 512 / 125);
}

void s390_set_cputm(struct s390_cpu *c, u64 v)
{
	c->cputm = v;
	c->cputm_ns = now_ns(CLOCK_MONOTONIC);
}

/* Latch the timer interruption conditions (they are checked coarsely). */
static void check_timers(struct s390_cpu *c)
{
	if ((c->crs[0] & CR0_CKC) && s390_tod(c) > c->ckc)
		atomic_fetch_or(&c->irqs, 1u << IRQ_CKC);
	if ((c->crs[0] & CR0_CPUTM) && (s64)s390_cputm(c) < 0)
		atomic_fetch_or(&c->irqs, 1u << IRQ_CPUTM);
}

int s390_exit_sieic(struct s390_cpu *c, u8 code, u16 ipa, u32 ipb)
{
	c->icptcode = code;
	c->ipa = ipa;
	c->ipb = ipb;
	c->run->exit_reason = KVM_EXIT_S390_SIEIC;
	c->run->s390_sieic.icptcode = code;
	c->run->s390_sieic.ipa = ipa;
	c->run->s390_sieic.ipb = ipb;
	return S390_EXIT;
}

int s390_intercept(struct s390_cpu *c, struct s390_dec *d)
{
	if (c->pv_cpu)
		return s390_pv_intercept(c, d);
	return s390_exit_sieic(c, KVMU_S390_ICPT_INST, (u16)(d->raw >> 32),
			  (u32)d->raw);
}

/* Wait state: a disabled wait goes to user space, an enabled one idles. */
static int wait_state(struct s390_cpu *c)
{
	struct timespec ts = { 0, 200000 };

	if (!(c->mask & (PSW_EXT | PSW_IO | PSW_MCHK)))
		return s390_exit_sieic(c, KVMU_S390_ICPT_WAIT, 0, 0);
	if (!s390_irq_pending_enabled(c))
		nanosleep(&ts, NULL);
	return 0;
}

/* Leave the loop when the core asks; drop translations on slot changes. */
static bool poll_core(struct s390_cpu *c)
{
	bool out = kvmu_vcpu_should_exit(c->vcpu);

	if (kvmu_vcpu_slots_changed(c->vcpu)) {
		s390_tlb_flush(c);
		s390_blocks_flush(c);
	}
	return out;
}

/*
 * Kicks, timers and slot changes are looked at every POLL_UNITS units (a
 * block or one instruction) or POLL_INSNS instructions, whichever comes
 * first: a unit of linked and looping blocks runs many instructions.
 */
#define POLL_UNITS	1024
#define POLL_INSNS	4096

int s390_cpu_run(struct s390_cpu *c)
{
	unsigned long long end;
	int n, rc;

	s390_blocks_new_run(c);
	for (;;) {
		if (poll_core(c)) {
			c->run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
		check_timers(c);
		end = c->vcpu->stats.instructions + POLL_INSNS;
		for (n = 0; n < POLL_UNITS &&
		     c->vcpu->stats.instructions < end; n++) {
			rc = s390_deliver_irqs(c);
			if (rc < 0 || rc == S390_EXIT)
				return rc < 0 ? rc : 0;
			if (c->mask & PSW_WAIT) {
				rc = wait_state(c);
				if (rc)
					return 0;
				break;
			}
			rc = s390_block_run(c);
			if (rc == S390_EXIT)
				return 0;
			if (rc < 0)
				return rc;
		}
	}
}
