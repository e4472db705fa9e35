// SPDX-License-Identifier: MIT
/*
 * The in-kernel GICv3 from a C guest under `kvmu run --arch arm64 --smp 2`
 * (docs/arm64.md): vCPU 0 enables the distributor and its redistributor,
 * takes three virtual-timer interrupts (PPI 27) out of WFI, starts vCPU 1
 * with PSCI CPU_ON, and the two exchange SGIs through ICC_SGI1R_EL1 with
 * affinity routing; every interrupt is acknowledged (ICC_IAR1_EL1) and
 * ended (ICC_EOIR1_EL1) by a C handler behind the guest's own vectors.
 * Prints "gic: all ok" and returns 0 (status 1) when every check passed.
 */
#include "console.h"

#define GICD		0x1000010000UL
#define GICR		0x1000100000UL
#define GICR_STRIDE	0x20000UL
#define SGI_FRAME	0x10000UL
#define PPI_VTIMER	27
#define SGI_PING	1
#define SGI_PONG	2
#define TICKS		3
#define PSCI_CPU_ON	0xc4000003UL
#define PSCI_CPU_OFF	0x84000002UL

/* two levels, so that the ICC_* names below expand first */
#define MRS(r) MRS_(r)
#define MRS_(r) ({ unsigned long v_; \
	asm volatile("mrs %0, " #r : "=r"(v_)); v_; })
#define MSR(r, v) MSR_(r, v)
#define MSR_(r, v) asm volatile("msr " #r ", %0" : : "r"((unsigned long)(v)))

/* the ICC_* registers by encoding (op0 3, op1 0, CRn, CRm, op2) */
#define ICC_PMR		S3_0_C4_C6_0
#define ICC_IAR1	S3_0_C12_C12_0
#define ICC_EOIR1	S3_0_C12_C12_1
#define ICC_SGI1R	S3_0_C12_C11_5
#define ICC_SRE		S3_0_C12_C12_5
#define ICC_IGRPEN1	S3_0_C12_C12_7
#define ICC_RPR		S3_0_C12_C11_3

static volatile unsigned long ticks, sgis[2], spurious, cpu1_up, cpu1_done;
static int failures;
unsigned char cpu1_stack[4096] __attribute__((aligned(16)));

static inline void w32(unsigned long a, unsigned int v)
{
	*(volatile unsigned int *)a = v;
}

static inline unsigned int r32(unsigned long a)
{
	return *(volatile unsigned int *)a;
}

static void check(const char *what, int ok)
{
	puts_(ok ? "ok   " : "FAIL ");
	puts_(what);
	puts_("\n");
	failures += !ok;
}

/* The vectors: IRQ from EL1h saves the caller-saved state and calls C. */
asm(".balign 2048\n"
    "vectors:\n"
    ".skip 0x280\n"
    "	stp x29, x30, [sp, #-176]!\n"
    "	stp x0, x1, [sp, #16]; stp x2, x3, [sp, #32]\n"
    "	stp x4, x5, [sp, #48]; stp x6, x7, [sp, #64]\n"
    "	stp x8, x9, [sp, #80]; stp x10, x11, [sp, #96]\n"
    "	stp x12, x13, [sp, #112]; stp x14, x15, [sp, #128]\n"
    "	stp x16, x17, [sp, #144]; str x18, [sp, #160]\n"
    "	bl irq_handler\n"
    "	ldp x0, x1, [sp, #16]; ldp x2, x3, [sp, #32]\n"
    "	ldp x4, x5, [sp, #48]; ldp x6, x7, [sp, #64]\n"
    "	ldp x8, x9, [sp, #80]; ldp x10, x11, [sp, #96]\n"
    "	ldp x12, x13, [sp, #112]; ldp x14, x15, [sp, #128]\n"
    "	ldp x16, x17, [sp, #144]; ldr x18, [sp, #160]\n"
    "	ldp x29, x30, [sp], #176\n"
    "	eret\n"
    ".balign 0x80\n"
    /* vCPU 1 enters here from PSCI CPU_ON: a stack, then C */
    "cpu1_entry:\n"
    "	ldr x1, =cpu1_stack + 4096\n"
    "	mov sp, x1\n"
    "	mov x1, #(3 << 20); msr cpacr_el1, x1; isb\n"
    "	bl cpu1_main\n"
    "1:	wfi; b 1b\n"
    ".ltorg\n");

extern char vectors[], cpu1_entry[];
void irq_handler(void);
void cpu1_main(void);

static unsigned long cpu_id(void)
{
	return MRS(mpidr_el1) & 0xff;
}

void irq_handler(void)
{
	unsigned long intid = MRS(ICC_IAR1) & 0xffffff;

	if (intid == PPI_VTIMER) {
		/* re-arm for the next tick, or mask the timer */
		if (++ticks < TICKS)
			MSR(cntv_tval_el0, 1000000);	/* 1 ms */
		else
			MSR(cntv_ctl_el0, 3);
	} else if (intid == SGI_PING || intid == SGI_PONG) {
		sgis[cpu_id()]++;
	} else {
		spurious++;
	}
	if (intid < 1020)
		MSR(ICC_EOIR1, intid);
}

/* This vCPU's CPU interface: priorities below 0xf0, group 1 on. */
static void cpuif_on(void)
{
	MSR(vbar_el1, (unsigned long)vectors);
	MSR(ICC_PMR, 0xf0);
	MSR(ICC_IGRPEN1, 1);
	asm volatile("isb; msr daifclr, #2" ::: "memory");
}

/* SGI intid to the vCPU with Aff0 = aff0 (Aff1-3 zero). */
static void send_sgi(unsigned int intid, unsigned int aff0)
{
	MSR(ICC_SGI1R, (unsigned long)intid << 24 | 1UL << aff0);
	asm volatile("isb" ::: "memory");
}

static void wait_for(volatile unsigned long *v, unsigned long want)
{
	/* test, then sleep: an interrupt between the two ends the WFI */
	while (*v < want)
		asm volatile("wfi" ::: "memory");
}

void cpu1_main(void)
{
	cpuif_on();
	cpu1_up = 1;
	wait_for(&sgis[1], 1);
	send_sgi(SGI_PONG, 0);
	cpu1_done = 1;
	smccc(PSCI_CPU_OFF, 0);
}

static void gic_on(void)
{
	unsigned long sgi = GICR + SGI_FRAME;

	w32(GICD, 1u << 1);			/* GICD_CTLR.EnableGrp1 */
	w32(GICR + 0x14, 0);			/* GICR_WAKER: awake */
	w32(sgi + 0x100, 1u << PPI_VTIMER);	/* GICR_ISENABLER0 */
}

int main(void)
{
	unsigned long typer = r32(GICD + 4), rtyper;

	check("ICC_SRE_EL1.SRE", MRS(ICC_SRE) & 1);
	check("ID_AA64PFR0_EL1.GIC = 1", ((MRS(id_aa64pfr0_el1) >> 24) & 15)
	      == 1);
	check("GICD_PIDR2 says GICv3", (r32(GICD + 0xffe8) >> 4 & 15) == 3);
	check("GICD_TYPER: 256 interrupts", (typer & 31) == 7);
	rtyper = r32(GICR + 8);
	check("GICR_TYPER of vCPU 0: not Last", !(rtyper & 0x10));
	check("GICR_TYPER of vCPU 1: Last, processor 1",
	      (r32(GICR + GICR_STRIDE + 8) & 0xffff10) == 0x110);
	gic_on();
	cpuif_on();
	check("running priority idle", MRS(ICC_RPR) == 0xff);
	MSR(cntv_tval_el0, 1000000);
	MSR(cntv_ctl_el0, 1);
	wait_for(&ticks, TICKS);
	check("three virtual timer interrupts", ticks == TICKS);
	{
		register unsigned long x0 asm("x0") = PSCI_CPU_ON;
		register unsigned long x1 asm("x1") = 1;
		register unsigned long x2 asm("x2") = (unsigned long)cpu1_entry;
		register unsigned long x3 asm("x3") = 0;

		asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			     : : "memory");
		check("PSCI CPU_ON", x0 == 0);
	}
	while (!cpu1_up)
		;
	send_sgi(SGI_PING, 1);
	wait_for(&sgis[0], 1);
	while (!cpu1_done)
		;
	check("SGI to vCPU 1 taken", sgis[1] == 1);
	check("SGI back to vCPU 0 taken", sgis[0] == 1);
	check("no spurious interrupt", spurious == 0);
	puts_(failures ? "gic: FAILED\n" : "gic: all ok\n");
	return failures;
}
