// SPDX-License-Identifier: MIT
/*
 * The AArch64 system model from a guest: its own vector table (VBAR_EL1),
 * stage-1 translation with 4K, 16K and 64K granules (block and page
 * descriptors, hierarchical tables), translation, access-flag and
 * permission faults with their ESR/FAR, EL0 through ERET and back through
 * SVC, EL0 traps (CNTVCT without CNTKCTL_EL1.EL0VCTEN, EL1 registers),
 * the generic counter and timer, AT S1E1R, PSCI and SMCCC answers.  Prints
 * "ok NAME" or "FAIL NAME ..." per check; returns the number of failures
 * (tests/shell/cli_run_arm64.sh wants "status 1": none).  An exception
 * no check expects ends the run with status 0xdd.
 */
#include "console.h"

#define PAGE		4096UL
#define AF		(1UL << 10)
#define SH_INNER	(3UL << 8)
#define AP_EL0		(1UL << 6)
#define AP_RO		(1UL << 7)
#define UXN		(1UL << 54)
#define PXN		(1UL << 53)
#define ATTR_DEV	(1UL << 2)	/* MAIR index 1 */
#define TEST_VA		0x100000000UL	/* 4 GiB: test mappings */
#define EL0_VA		0x200000000UL	/* 8 GiB: the EL0 pages */

extern char vectors[], el0_code[];
void enter_el0(unsigned long pc, unsigned long sp, unsigned long arg);

static unsigned long pool[512 * 128] __attribute__((aligned(65536)));
static unsigned long pool_used;
static unsigned char el0_data[PAGE] __attribute__((aligned(PAGE)));
static unsigned char test_page[PAGE] __attribute__((aligned(PAGE)));
static unsigned char el0_stack[PAGE] __attribute__((aligned(16)));
static volatile unsigned long last_esr, last_far, last_elr, svc_count;
static int failures;

#define MRS(r) ({ unsigned long v_; \
	asm volatile("mrs %0, " #r : "=r"(v_)); v_; })
#define MSR(r, v) asm volatile("msr " #r ", %0; isb" : : "r"(v) : "memory")

static void check(const char *name, int ok, unsigned long got)
{
	puts_(ok ? "ok " : "FAIL ");
	puts_(name);
	if (!ok) {
		puts_(" got=");
		puthex(got, 16);
		failures++;
	}
	puts_("\n");
}

/* The C half of the synchronous vectors: record, skip the instruction. */
unsigned long sync_handler(unsigned long esr, unsigned long elr,
			   unsigned long far);
unsigned long sync_handler(unsigned long esr, unsigned long elr,
			   unsigned long far)
{
	last_esr = esr;
	last_far = far;
	last_elr = elr;
	if ((esr >> 26) == 0x15) {		/* SVC: ELR is past it */
		svc_count++;
		return (esr & 0xffff) == 0xff ? 0 : elr;
	}
	return elr + 4;
}

/* A bump allocator of translation tables of the granule's size. */
static unsigned long *table(unsigned long gsize)
{
	unsigned long *t;
	unsigned long i;

	pool_used = (pool_used + gsize / 8 - 1) & ~(gsize / 8 - 1);
	t = &pool[pool_used];
	pool_used += gsize / 8;
	for (i = 0; i < gsize / 8; i++)
		t[i] = 0;
	return t;
}

struct gran {
	unsigned int shift, t0sz, tg0;
	unsigned long *root;
};

/* Map va to pa (one page of the granule, leaf attributes attr). */
static void map(struct gran *g, unsigned long va, unsigned long pa,
		unsigned long attr)
{
	unsigned int stride = g->shift - 3, vab = 64 - g->t0sz;
	unsigned int lvl = 4 - (vab - g->shift + stride - 1) / stride;
	unsigned long *t = g->root, idx, mask;
	unsigned int sh;

	for (;; lvl++) {
		sh = g->shift + stride * (3 - lvl);
		mask = (vab - sh < stride) ? (1UL << (vab - sh)) - 1 :
					     (1UL << stride) - 1;
		idx = (va >> sh) & mask;
		if (lvl == 3) {
			t[idx] = pa | attr | 3;
			return;
		}
		if (!(t[idx] & 1))
			t[idx] = (unsigned long)table(1UL << g->shift) | 3;
		t = (unsigned long *)(t[idx] & ~((1UL << g->shift) - 1) &
				      0xfffffffff000UL);
	}
}

/* Identity-map RAM (first 64 MiB) and the UART, then turn the MMU on. */
static void mmu_on(struct gran *g)
{
	unsigned long a, step = 1UL << g->shift, tcr;
	unsigned long normal = AF | SH_INNER;

	pool_used = 0;
	g->root = table(step);
	for (a = 0; a < 0x4000000; a += step)
		map(g, a, a, normal);
	map(g, UART & ~(step - 1), UART & ~(step - 1), AF | ATTR_DEV | UXN |
	    PXN);
	map(g, TEST_VA, (unsigned long)test_page & ~(step - 1), normal);
	map(g, TEST_VA + step, (unsigned long)test_page & ~(step - 1),
	    SH_INNER);					/* AF clear */
	map(g, TEST_VA + 2 * step, (unsigned long)test_page & ~(step - 1),
	    normal | AP_RO);
	map(g, EL0_VA, (unsigned long)el0_code, normal | AP_EL0 | AP_RO);
	map(g, EL0_VA + step, (unsigned long)el0_data & ~(step - 1),
	    normal | AP_EL0 | UXN);
	tcr = g->t0sz | (unsigned long)g->tg0 << 14 | 1UL << 23 |
	      5UL << 32;				/* EPD1, IPS 48 */
	MSR(mair_el1, 0x00ffUL);
	MSR(tcr_el1, tcr);
	MSR(ttbr0_el1, (unsigned long)g->root);
	asm volatile("tlbi vmalle1; dsb sy; isb" ::: "memory");
	MSR(sctlr_el1, MRS(sctlr_el1) | 1);
}

static void mmu_off(void)
{
	MSR(sctlr_el1, MRS(sctlr_el1) & ~1UL);
}

static void fault_checks(struct gran *g, const char *tag)
{
	unsigned long step = 1UL << g->shift, off = (unsigned long)test_page &
				(step - 1);
	volatile unsigned long *p = (volatile unsigned long *)(TEST_VA + off);
	unsigned long v;

	puts_(tag);
	puts_(":\n");
	test_page[8] = 0x5a;
	check("translated read", p[1] == 0x5a, p[1]);
	last_esr = 0;
	v = *(volatile unsigned long *)(TEST_VA + 5 * step);
	check("translation fault", (last_esr >> 26) == 0x25 &&
	      (last_esr & 0x3c) == 0x04 && last_far == TEST_VA + 5 * step,
	      last_esr);
	last_esr = 0;
	v = *(volatile unsigned long *)(TEST_VA + step + off);
	check("access flag fault", (last_esr & 0x3f) == 0x0b, last_esr);
	last_esr = 0;
	*(volatile unsigned long *)(TEST_VA + 2 * step + off) = v;
	check("permission fault on write", (last_esr & 0x3f) == 0x0f &&
	      (last_esr & 0x40), last_esr);
	asm volatile("at s1e1r, %0; isb" : : "r"(TEST_VA + off));
	check("AT S1E1R", (MRS(par_el1) & 0xfffffffff000UL) ==
	      ((unsigned long)test_page & ~0xfffUL) && !(MRS(par_el1) & 1),
	      MRS(par_el1));
}

static void el0_checks(struct gran *g)
{
	unsigned long step = 1UL << g->shift;
	unsigned long data = EL0_VA + step + ((unsigned long)el0_data &
					      (step - 1));

	*(volatile unsigned long *)el0_data = 41;
	svc_count = 0;
	MSR(cntkctl_el1, 0UL);
	enter_el0(EL0_VA, (unsigned long)el0_stack + PAGE, data);
	check("EL0 read and write", *(volatile unsigned long *)el0_data == 42,
	      *(volatile unsigned long *)el0_data);
	check("EL0 SVC #1 and #0xff", svc_count == 2, svc_count);
	check("EL0 CNTVCT trapped (EC 0x18)",
	      ((volatile unsigned long *)el0_data)[1] == 0x18, 0);
	check("EL0 read of an EL1 page (EC 0x24, permission)",
	      ((volatile unsigned long *)el0_data)[2] == (0x24UL << 26 |
	      1UL << 25 | 0x0f), ((volatile unsigned long *)el0_data)[2]);
}

static void timer_checks(void)
{
	unsigned long t0 = MRS(cntvct_el0), t1, i;

	check("CNTFRQ 1 GHz", MRS(cntfrq_el0) == 1000000000UL,
	      MRS(cntfrq_el0));
	MSR(cntv_tval_el0, 1000UL);
	MSR(cntv_ctl_el0, 1UL);
	for (i = 0; i < 100000 && !(MRS(cntv_ctl_el0) & 4); i++)
		;
	t1 = MRS(cntvct_el0);
	check("counter advances", t1 > t0, t1 - t0);
	check("timer condition (ISTATUS)", (MRS(cntv_ctl_el0) & 5) == 5,
	      MRS(cntv_ctl_el0));
	MSR(cntv_ctl_el0, 0UL);
}

static void firmware_checks(void)
{
	check("SMCCC_VERSION 1.1", smccc(0x80000000UL, 0) == 0x10001, 0);
	check("PSCI_VERSION 1.1", smccc(0x84000000UL, 0) == 0x10001, 0);
	check("PSCI_FEATURES(SYSTEM_RESET2)",
	      smccc(0x8400000aUL, 0x84000012UL) == 0, 0);
	check("AFFINITY_INFO(0) on", smccc(0xc4000004UL, 0) == 0, 0);
	check("CPU_ON(no such CPU) INVALID_PARAMETERS",
	      smccc(0xc4000003UL, 0x5) == (unsigned long)-2, 0);
	check("unknown SMCCC call NOT_SUPPORTED",
	      smccc(0x82001234UL, 0) == (unsigned long)-1, 0);
	check("ID_AA64PFR0: EL0/EL1 AArch64, FP, AdvSIMD",
	      (MRS(id_aa64pfr0_el1) & 0xff00ff) == 0x11, 0);
	check("MPIDR of vCPU 0", MRS(mpidr_el1) == 0x80000000UL, 0);
}

int main(void)
{
	static const struct { unsigned int shift, t0sz, tg0; const char *n; }
	grans[] = {
		{ 12, 16, 0, "4K granule, 48-bit VA" },
		{ 14, 17, 2, "16K granule, 47-bit VA" },
		{ 16, 22, 1, "64K granule, 42-bit VA" },
		{ 12, 25, 0, "4K granule, 39-bit VA" },
	};
	struct gran g;
	unsigned int i;

	MSR(vbar_el1, (unsigned long)vectors);
	for (i = 0; i < 4; i++) {
		g = (struct gran){ grans[i].shift, grans[i].t0sz,
				   grans[i].tg0, 0 };
		mmu_on(&g);
		fault_checks(&g, grans[i].n);
		el0_checks(&g);
		mmu_off();
	}
	timer_checks();
	firmware_checks();
	puts_(failures ? "mmu: failures\n" : "mmu: all ok\n");
	return failures;
}

/*
 * Vectors: synchronous ones (current EL with SPx, lower EL) save the
 * caller-saved registers, call sync_handler(ESR, ELR, FAR) and ERET to
 * the address it returns; 0 means "leave EL0 for good" (el0_return).
 * EL0 code: increments the word at x0, SVC #1, reads CNTVCT (trapped),
 * reads an EL1-only page, then SVC #0xff.
 */
asm(
"	.section .text.vectors, \"ax\"\n"
"	.balign 2048\n"
"	.globl vectors\n"
"vectors:\n"
"	.rept 4\n	b unexpected\n	.balign 128\n	.endr\n"
"	b	sync_entry\n	.balign 128\n"
"	.rept 3\n	b unexpected\n	.balign 128\n	.endr\n"
"	b	sync_entry\n	.balign 128\n"
"	.rept 7\n	b unexpected\n	.balign 128\n	.endr\n"
"unexpected:\n"				/* exit status 0xdd */
"	mov	x1, #0xee\n"
"	mov	x0, #1\n"
"	movk	x0, #0xc300, lsl #16\n"
"	hvc	#0\n"
"sync_entry:\n"
"	sub	sp, sp, #192\n"
"	stp	x0, x1, [sp, #0]\n	stp	x2, x3, [sp, #16]\n"
"	stp	x4, x5, [sp, #32]\n	stp	x6, x7, [sp, #48]\n"
"	stp	x8, x9, [sp, #64]\n	stp	x10, x11, [sp, #80]\n"
"	stp	x12, x13, [sp, #96]\n	stp	x14, x15, [sp, #112]\n"
"	stp	x16, x17, [sp, #128]\n	stp	x18, x29, [sp, #144]\n"
"	str	x30, [sp, #160]\n"
"	mrs	x0, esr_el1\n	mrs	x1, elr_el1\n	mrs	x2, far_el1\n"
"	bl	sync_handler\n"
"	cbz	x0, 1f\n"
"	msr	elr_el1, x0\n"
"	mrs	x0, esr_el1\n"
"	lsr	x0, x0, #26\n"
"	cmp	x0, #0x24\n"
"	b.ne	2f\n"
"	ldr	x1, [sp, #0]\n"		/* EL0 data abort: note it */
"	mrs	x0, esr_el1\n"
"	str	x0, [x1, #16]\n"
"2:	cmp	x0, #0x18\n"
"	b.ne	3f\n"
"	ldr	x1, [sp, #0]\n"
"	str	x0, [x1, #8]\n"
"3:	ldp	x0, x1, [sp, #0]\n	ldp	x2, x3, [sp, #16]\n"
"	ldp	x4, x5, [sp, #32]\n	ldp	x6, x7, [sp, #48]\n"
"	ldp	x8, x9, [sp, #64]\n	ldp	x10, x11, [sp, #80]\n"
"	ldp	x12, x13, [sp, #96]\n	ldp	x14, x15, [sp, #112]\n"
"	ldp	x16, x17, [sp, #128]\n	ldp	x18, x29, [sp, #144]\n"
"	ldr	x30, [sp, #160]\n"
"	add	sp, sp, #192\n"
"	eret\n"
"1:	add	sp, sp, #192\n"
"	b	el0_return\n"
"	.text\n"
"	.globl enter_el0\n"
"enter_el0:\n"
"	adrp	x9, saved\n	add	x9, x9, :lo12:saved\n"
"	stp	x19, x20, [x9, #0]\n	stp	x21, x22, [x9, #16]\n"
"	stp	x23, x24, [x9, #32]\n	stp	x25, x26, [x9, #48]\n"
"	stp	x27, x28, [x9, #64]\n	stp	x29, x30, [x9, #80]\n"
"	mov	x10, sp\n	str	x10, [x9, #96]\n"
"	msr	elr_el1, x0\n"
"	msr	sp_el0, x1\n"
"	msr	spsr_el1, xzr\n"
"	mov	x0, x2\n"
"	eret\n"
"el0_return:\n"
"	adrp	x9, saved\n	add	x9, x9, :lo12:saved\n"
"	ldr	x10, [x9, #96]\n	mov	sp, x10\n"
"	ldp	x19, x20, [x9, #0]\n	ldp	x21, x22, [x9, #16]\n"
"	ldp	x23, x24, [x9, #32]\n	ldp	x25, x26, [x9, #48]\n"
"	ldp	x27, x28, [x9, #64]\n	ldp	x29, x30, [x9, #80]\n"
"	ret\n"
"	.section .text.el0, \"ax\"\n"
"	.balign 65536\n"
"	.globl el0_code\n"
"el0_code:\n"
"	ldr	x1, [x0]\n"
"	add	x1, x1, #1\n"
"	str	x1, [x0]\n"
"	svc	#1\n"
"	mrs	x2, cntvct_el0\n"
"	mov	x3, #0x80000\n"
"	ldr	x4, [x3]\n"
"	svc	#0xff\n"
"	b	.\n"
"	.data\n"
"	.balign 16\n"
"saved:	.skip 112\n"
"	.text\n");
