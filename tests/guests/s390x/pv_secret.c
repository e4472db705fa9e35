// SPDX-License-Identifier: MIT
/*
 * A protected guest (tests/shell/cli_pvimg.sh): packed by `kvmu pvimg
 * create`, it exists in plaintext only inside the Ultravisor.  It shares
 * one page with the host (UVC set shared access, 0x1000) and prints
 * through it its secret, a string in its encrypted data, and the command
 * line of the image's second encrypted component, found at the first page
 * after the guest, then wipes the shared page.  A host that could read
 * the guest would find the secret, and the canary it never shows, in its
 * memory; tests/shell/cli_pvimg.sh checks it never does.
 * With the command line "reipl" it then tries DIAGNOSE X'308' subcode 8,
 * which a protected guest may not use: its program-interruption handler
 * prints the code the VMM injected.  Not protected (booted as a plain
 * ELF), the UVC is an operation exception.
 */
#include "console.h"

static char secret[] = "pv-secret: 7f3a-guest-only-plaintext-91c4";
/* never shared: the host must not find it anywhere, ever */
static volatile char canary[] = "pv-canary: 5d1e-never-leaves-the-guest";
static char shared[4096] __attribute__((aligned(4096)));
extern char _end[];

/* UVC 0x1000 on the page at addr; the UV's rc. */
static unsigned short share(void *addr)
{
	unsigned long cb[4] __attribute__((aligned(8))) = {
		0x0020100000000000UL, 0, 0, (unsigned long)addr,
	};
	int cc;

	asm volatile(".insn rrf,0xb9a40000,0,%[cb],0,0\n"
		     "ipm %[cc]\n"
		     "srl %[cc],28"
		     : [cc] "=d"(cc) : [cb] "a"(cb) : "memory", "cc");
	return cc ? 0 : (unsigned short)(cb[0] >> 16);
}

static unsigned long copy(char *dst, const char *src, unsigned long max)
{
	unsigned long n = 0;

	while (src[n] && n < max) {
		dst[n] = src[n];
		n++;
	}
	return n;
}

static void say(const char *what, unsigned long v)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long n = copy(shared, what, 64);
	int i;

	for (i = 12; i >= 0; i -= 4)
		shared[n++] = hex[(v >> i) & 15];
	shared[n++] = '\n';
	console_write(shared, n);
}

/* The program new PSW points here: report the code and end. */
static void __attribute__((noreturn, used)) pgm_handler(void)
{
	volatile unsigned short *code;

	asm volatile("lghi %0,0x8e" : "=d"(code));	/* lowcore: PGM code */
	say("reipl: program interruption ", *code);
	asm volatile("lghi %%r1,0x101\n lghi %%r2,5\n diag %%r0,%%r0,0x500"
		     : : : "1", "2", "memory");
	for (;;)
		;
}

/* Re-IPL into PV from a protected guest: refused by the VMM. */
static void reipl(void)
{
	volatile unsigned long *new_psw;
	register unsigned long r2 asm("2") = (unsigned long)shared;
	register unsigned long r3 asm("3") = 0;
	register unsigned long r4 asm("4") = 8;

	asm volatile("lghi %0,0x1d0" : "=d"(new_psw));
	new_psw[0] = 0x0000000180000000UL;
	new_psw[1] = (unsigned long)pgm_handler;
	asm volatile("diag %1,%2,0x308" : "+d"(r3) : "d"(r2), "d"(r4)
		     : "memory", "cc");
	say("reipl: diag 308 answered ", r3);
}

int main(void)
{
	const char *cmdline = (const char *)(((unsigned long)_end + 4095) &
					     ~4095UL);
	unsigned short rc = share(shared);
	unsigned long n;

	if (rc != 1)
		return 1;
	n = copy(shared, "guest: ", 64);
	n += copy(shared + n, secret, 128);
	n += copy(shared + n, "\ncmdline: ", 64);
	n += copy(shared + n, cmdline, 1024);
	shared[n++] = '\n';
	console_write(shared, n);
	if (cmdline[0] == 'r' && cmdline[1] == 'e' && cmdline[2] == 'i')
		reipl();
	/* what the guest showed is gone again; the canary was only read */
	for (n = 0; n < sizeof(shared); n++)
		shared[n] = canary[n % sizeof(canary)] ^ canary[0];
	return 0;
}
