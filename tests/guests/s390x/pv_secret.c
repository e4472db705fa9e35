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
 * Not protected (booted as a plain ELF), the UVC is an operation
 * exception and the guest says so.
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
	/* what the guest showed is gone again; the canary was only read */
	for (n = 0; n < sizeof(shared); n++)
		shared[n] = canary[n % sizeof(canary)] ^ canary[0];
	return 0;
}
