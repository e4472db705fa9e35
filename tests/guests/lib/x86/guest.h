/* SPDX-License-Identifier: MIT */
/*
 * Freestanding support for x86-64 test guests: port I/O, output through
 * the debug console (port 0xE9), a small printf, and the exit port 0xF4
 * (QEMU's isa-debug-exit: the VMM exits with status (value << 1) | 1).
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define DEBUGCON_PORT	0xE9
#define EXIT_PORT	0xF4

/* Exit values of our guests; the VMM's status is (value << 1) | 1. */
#define GUEST_PASS	0x10	/* status 33 */
#define GUEST_FAIL	0x11	/* status 35 */
#define GUEST_CRASH	0x12	/* status 37: an unexpected exception */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* The frame vec_common hands to guest_exception(). */
struct guest_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

int guest_main(uint32_t magic, uint32_t info);
void guest_exception(struct guest_frame *f);
__attribute__((noreturn)) void guest_exit(uint32_t value);

void guest_putc(char c);
void guest_puts(const char *s);
int guest_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int guest_vprintf(const char *fmt, va_list ap);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
