// SPDX-License-Identifier: MIT
/*
 * The qemu-s390x side of the s390x differential tester: a freestanding
 * static s390x program (no libc: Debian ships no s390x libc.a) that reads
 * struct ds_in records from stdin until EOF and writes one struct ds_out
 * per record to stdout.  Each sequence is copied into its code slot (a
 * ring, so qemu-user's translation cache sees a fresh address most of the
 * time and its self-modifying-code handling covers the reuse), the data
 * area and the register block are filled, and enter() branches to it.
 * The sequence's own prologue loads all sixteen GPRs and the CC; its
 * epilogue stores them to DS_SAVE and branches to the address at DS_RET,
 * ret_label below, which restores the harness's call-saved GPRs and FPRs
 * (the sequences write FPRs).  A program exception arrives as a signal on the
 * alternate stack (R15 is random), whose handler records the ucontext and
 * leaves through fault_label; SA_NODEFER keeps the signal unblocked.
 */
#include <stddef.h>
#include "layout.h"

#define NR_exit_group	248
#define NR_read		3
#define NR_write	4
#define NR_mmap		90
#define NR_rt_sigaction	174
#define NR_sigaltstack	186

#define SA_SIGINFO	0x4UL
#define SA_ONSTACK	0x08000000UL
#define SA_NODEFER	0x40000000UL

long enter(uint64_t addr);
extern char ret_label[], fault_label[];

static long sys4(long nr, long a, long b, long c, long d)
{
	register long r1 __asm__("r1") = nr;
	register long r2 __asm__("r2") = a;
	register long r3 __asm__("r3") = b;
	register long r4 __asm__("r4") = c;
	register long r5 __asm__("r5") = d;

	__asm__ volatile("svc 0" : "+r"(r2) : "r"(r1), "r"(r3), "r"(r4),
			 "r"(r5) : "memory", "cc");
	return r2;
}

static long sys3(long nr, long a, long b, long c)
{
	return sys4(nr, a, b, c, 0);
}

__asm__(
"	.text\n"
"	.globl enter\n"
"enter:	stmg	%r6,%r15,48(%r15)\n"
"	larl	%r1,saved_sp\n"
"	stg	%r15,0(%r1)\n"
"	std	%f8,8(%r1)\n"
"	std	%f9,16(%r1)\n"
"	std	%f10,24(%r1)\n"
"	std	%f11,32(%r1)\n"
"	std	%f12,40(%r1)\n"
"	std	%f13,48(%r1)\n"
"	std	%f14,56(%r1)\n"
"	std	%f15,64(%r1)\n"
"	br	%r2\n"
"	.globl ret_label\n"
"ret_label:\n"
"	lghi	%r2,0\n"
"	j	1f\n"
"	.globl fault_label\n"
"fault_label:\n"
"	lghi	%r2,1\n"
"1:	larl	%r1,saved_sp\n"
"	lg	%r15,0(%r1)\n"
"	ld	%f8,8(%r1)\n"
"	ld	%f9,16(%r1)\n"
"	ld	%f10,24(%r1)\n"
"	ld	%f11,32(%r1)\n"
"	ld	%f12,40(%r1)\n"
"	ld	%f13,48(%r1)\n"
"	ld	%f14,56(%r1)\n"
"	ld	%f15,64(%r1)\n"
"	lmg	%r6,%r15,48(%r15)\n"
"	br	%r14\n"
"	.data\n"
"	.balign	8\n"
"saved_sp:	.quad 0\n"
"	.fill	8,8,0\n"		/* F8-F15: call-saved, and GCC keeps GPRs there */
"	.text\n");

static struct ds_in rec;
static struct ds_out out[64];
static char altstack[65536] __attribute__((aligned(16)));
static volatile int faulted;

static void copy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
}

static int read_full(void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		long r = sys3(NR_read, 0, (long)buf + (long)got,
			      (long)(n - got));

		if (r <= 0)
			return got ? -1 : 0;
		got += (size_t)r;
	}
	return 1;
}

static void write_full(const void *buf, size_t n)
{
	while (n) {
		long r = sys3(NR_write, 1, (long)buf, (long)n);

		if (r <= 0)
			sys3(NR_exit_group, 3, 0, 0);
		buf = (const char *)buf + r;
		n -= (size_t)r;
	}
}

/*
 * s390x ucontext: uc_flags, uc_link, stack_t (24 bytes), then _sigregs:
 * PSW mask and address, gprs[16].  siginfo: signo, errno, code, then
 * si_addr at 16.
 */
static void on_signal(int sig, void *si, void *uc)
{
	const uint64_t *psw = (const uint64_t *)((char *)uc + 40);
	struct ds_out *o = &out[0];
	int code = *(int *)((char *)si + 8);

	copy(o->gprs, psw + 2, sizeof(o->gprs));
	o->cc = psw[0] >> 44 & 3;
	o->addr = psw[1];
	o->cls = 0x1000000UL | (uint64_t)sig << 8 | (uint64_t)(code & 0xff);
	o->pad = *(uint64_t *)((char *)si + 16);
	faulted = 1;
	__asm__ volatile("br %0" : : "a"(fault_label));
}

struct k_sigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

static void setup(void)
{
	static const int sigs[] = { 4, 5, 7, 8, 11 };
	struct k_sigaction sa = {
		.handler = (void *)on_signal,
		.flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER,
	};
	struct { void *sp; int flags; unsigned long size; } ss = {
		altstack, 0, sizeof(altstack)
	};
	uint64_t margs[6] = { DS_DATA, DS_MAP_SIZE, 3, 0x32, (uint64_t)-1, 0 };
	uint64_t cargs[6] = { DS_CODE, DS_SLOT * DS_RING, 7, 0x32,
			      (uint64_t)-1, 0 };
	unsigned i;

	/* MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED; old_mmap takes a block */
	if (sys3(NR_mmap, (long)margs, 0, 0) != (long)DS_DATA ||
	    sys3(NR_mmap, (long)cargs, 0, 0) != (long)DS_CODE)
		sys3(NR_exit_group, 4, 0, 0);
	if (sys3(NR_sigaltstack, (long)&ss, 0, 0))
		sys3(NR_exit_group, 5, 0, 0);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sys4(NR_rt_sigaction, sigs[i], (long)&sa, 0, 8))
			sys3(NR_exit_group, 6, 0, 0);
	*(uint64_t *)DS_RET = (uint64_t)ret_label;
}

static void run_one(struct ds_out *o)
{
	uint32_t *cc_word = (uint32_t *)(DS_IN + 128);

	copy((void *)rec.addr, rec.code, DS_SLOT);
	copy((void *)DS_IN, rec.gprs, sizeof(rec.gprs));
	*cc_word = (uint32_t)(rec.cc << 24);
	copy((void *)DS_DATA, rec.data, DS_DATA_SIZE);
	faulted = 0;
	if (enter(rec.addr) || faulted) {
		if (o != &out[0])
			copy(o, &out[0], offsetof(struct ds_out, data));
	} else {
		copy(o->gprs, (void *)DS_SAVE, sizeof(o->gprs));
		o->cc = *(uint32_t *)(DS_SAVE + 128) >> 28 & 3;
		o->cls = DS_END;
		o->addr = 0;
		o->pad = 0;
	}
	copy(o->data, (void *)DS_DATA, DS_DATA_SIZE);
}

void _start(void)
{
	unsigned n = 0;
	int r;

	setup();
	while ((r = read_full(&rec, sizeof(rec))) > 0) {
		/* out[0] is the signal handler's scratch: results from 1 */
		run_one(&out[1 + n]);
		if (++n == 63) {
			write_full(&out[1], n * sizeof(out[0]));
			n = 0;
		}
	}
	write_full(&out[1], n * sizeof(out[0]));
	sys3(NR_exit_group, r < 0 ? 2 : 0, 0, 0);
}
