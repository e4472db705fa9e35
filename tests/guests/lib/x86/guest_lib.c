// SPDX-License-Identifier: MIT
/* Freestanding runtime of the x86-64 test guests (see guest.h). */
#include "guest.h"

void guest_putc(char c)
{
	outb(DEBUGCON_PORT, (uint8_t)c);
}

void guest_puts(const char *s)
{
	while (*s)
		guest_putc(*s++);
}

__attribute__((noreturn)) void guest_exit(uint32_t value)
{
	outl(EXIT_PORT, value);
	/* Without an exit device (bare hardware) just stop here. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void guest_exception(struct guest_frame *f)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	guest_printf("\nguest: exception %lu error %#lx at rip %#lx "
		     "(rsp %#lx, cr2 %#lx)\n", (unsigned long)f->vector,
		     (unsigned long)f->error, (unsigned long)f->rip,
		     (unsigned long)f->rsp, (unsigned long)cr2);
	guest_exit(GUEST_CRASH);
}

/* Digits of v in base into the end of buf; returns the first digit. */
static char *utoa(char *end, unsigned long long v, unsigned int base)
{
	*--end = '\0';
	do {
		*--end = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	return end;
}

struct spec {
	int zero, alt, left, width, lng;
};

static int emit(const struct spec *sp, const char *pfx, const char *s)
{
	int len = (int)(strlen(pfx) + strlen(s)), n = 0;

	if (!sp->zero && !sp->left)
		for (; n < sp->width - len; n++)
			guest_putc(' ');
	guest_puts(pfx);
	if (sp->zero && !sp->left)
		for (; n < sp->width - len; n++)
			guest_putc('0');
	guest_puts(s);
	for (; n < sp->width - len; n++)
		guest_putc(' ');
	return n + len;
}

static unsigned long long get_uint(const struct spec *sp, va_list *ap)
{
	if (sp->lng)
		return va_arg(*ap, unsigned long long);
	return va_arg(*ap, unsigned int);
}

static int conv(char c, const struct spec *sp, va_list *ap)
{
	char buf[24], ch[2] = { 0, 0 }, *end = buf + sizeof(buf);
	unsigned long long u;
	const char *s;
	long long v;

	switch (c) {
	case 'd':
		v = sp->lng ? va_arg(*ap, long long) : va_arg(*ap, int);
		u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
		return emit(sp, v < 0 ? "-" : "", utoa(end, u, 10));
	case 'u':
		return emit(sp, "", utoa(end, get_uint(sp, ap), 10));
	case 'x':
		s = utoa(end, get_uint(sp, ap), 16);
		return emit(sp, sp->alt ? "0x" : "", s);
	case 's':
		s = va_arg(*ap, const char *);
		return emit(sp, "", s ? s : "(null)");
	case 'c':
		ch[0] = (char)va_arg(*ap, int);
		return emit(sp, "", ch);
	default:
		ch[0] = c;
		return emit(sp, "%", ch);
	}
}

/* %[#][0][-][width][l|ll|z]{d,u,x,s,c} and %%: what our guests need. */
int guest_vprintf(const char *fmt, va_list ap)
{
	struct spec sp;
	va_list aq;
	int n = 0;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%' || fmt[1] == '%') {
			fmt += *fmt == '%';
			guest_putc(*fmt);
			n++;
			continue;
		}
		sp = (struct spec){ 0 };
		for (fmt++; *fmt == '#' || *fmt == '0' || *fmt == '-'; fmt++)
			*(*fmt == '#' ? &sp.alt : *fmt == '-' ? &sp.left :
			  &sp.zero) = 1;
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			sp.width = sp.width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			sp.lng = 1;
		if (!*fmt)
			break;
		n += conv(*fmt, &sp, &aq);
	}
	va_end(aq);
	return n;
}

int guest_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = guest_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* The compiler may call these for struct copies and large initialisers. */
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
