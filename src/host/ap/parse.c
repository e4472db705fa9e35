// SPDX-License-Identifier: MIT
/*
 * The kernel's input syntaxes, reimplemented from their documented
 * behaviour: kstrtoul() base 0 (the vfio_ap attributes), simple_strtoul()
 * (the relative apmask/aqmask terms) and the two AP mask syntaxes.
 * Every function takes a NUL-terminated string, as a sysfs store does.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>

#include "host/ap/ap_int.h"

static int digit_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return 99;
}

/* Base 0: "0x" + hex digit -> 16, leading "0" -> 8, else 10. */
static const char *fixup_radix(const char *s, unsigned int *base)
{
	if (s[0] == '0') {
		if (tolower((unsigned char)s[1]) == 'x' &&
		    isxdigit((unsigned char)s[2]))
			*base = 16;
		else
			*base = 8;
	} else {
		*base = 10;
	}
	if (*base == 16)
		s += 2;
	return s;
}

/*
 * Digits of base from s: the count consumed, the value wrapped modulo 2^64
 * (as the kernel's loop computes it) and whether it overflowed.
 */
static size_t parse_digits(const char *s, unsigned int base,
			   unsigned long long *res, bool *overflow)
{
	unsigned long long r = 0;
	size_t n = 0;
	int v;

	*overflow = false;
	while ((v = digit_val((unsigned char)s[n])) < (int)base) {
		if (r > (ULLONG_MAX - (unsigned int)v) / base)
			*overflow = true;
		r = r * base + (unsigned int)v;
		n++;
	}
	*res = r;
	return n;
}

int ap_kstrtoul(const char *s, unsigned long *out)
{
	unsigned long long v;
	unsigned int base;
	bool ovf;
	size_t n;

	if (*s == '+')
		s++;
	s = fixup_radix(s, &base);
	n = parse_digits(s, base, &v, &ovf);
	if (ovf)
		return -ERANGE;
	if (!n)
		return -EINVAL;
	s += n;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*out = v;
	return 0;
}

/* simple_strtoul(s, &end, 0): never fails, wraps on overflow. */
static unsigned long long simple_strtoull(const char *s, const char **end)
{
	unsigned long long v;
	unsigned int base;
	bool ovf;

	s = fixup_radix(s, &base);
	s += parse_digits(s, base, &v, &ovf);
	*end = s;
	return v;
}

int ap_hex2bitmap(const char *s, ap_mask *m)
{
	unsigned int i = 0;

	memset(m, 0, sizeof(*m));
	/* only a lowercase "0x" is a prefix; a bare "x" is too */
	if (s[0] == '0' && s[1] == 'x')
		s++;
	if (*s == 'x')
		s++;
	for (; isxdigit((unsigned char)*s) && i < AP_BITS; s++, i += 4) {
		int b = digit_val((unsigned char)*s);

		for (int n = 0; n < 4; n++)
			if (b & (0x08 >> n))
				mask_set(m, i + n);
	}
	if (*s == '\n')
		s++;
	return *s ? -EINVAL : 0;
}

int ap_modify_bitmap(const char *s, ap_mask *m)
{
	while (*s) {
		unsigned long long a, z;
		const char *np;
		char sign = *s++;

		if (sign != '+' && sign != '-')
			return -EINVAL;
		a = z = simple_strtoull(s, &np);
		if (s == np || a >= AP_BITS)
			return -EINVAL;
		s = np;
		if (*s == '-') {
			z = simple_strtoull(++s, &np);
			if (s == np || a > z || z >= AP_BITS)
				return -EINVAL;
			s = np;
		}
		for (unsigned long long i = a; i <= z; i++) {
			if (sign == '+')
				mask_set(m, (unsigned int)i);
			else
				mask_clear(m, (unsigned int)i);
		}
		while (*s == ',' || *s == '\n')
			s++;
	}
	return 0;
}

int ap_parse_mask(const char *s, const ap_mask *cur, ap_mask *out)
{
	if (*s == '+' || *s == '-') {
		*out = *cur;
		return ap_modify_bitmap(s, out);
	}
	return ap_hex2bitmap(s, out);
}

void ap_mask_fmt(const ap_mask *m, char out[67])
{
	snprintf(out, 67, "0x%016llx%016llx%016llx%016llx",
		 (unsigned long long)m->w[0], (unsigned long long)m->w[1],
		 (unsigned long long)m->w[2], (unsigned long long)m->w[3]);
}

bool ap_uuid_valid(const char *s)
{
	for (int i = 0; i < AP_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

/* One number of a config list, exactly as kstrtoul() takes it. */
static int list_num(const char *s, size_t len, unsigned long *v)
{
	char tmp[32];

	if (!len || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	if (ap_kstrtoul(tmp, v) || *v >= AP_BITS)
		return -EINVAL;
	return 0;
}

int ap_parse_list(const char *s, ap_mask *m)
{
	memset(m, 0, sizeof(*m));
	if (!strcmp(s, "none") || !*s)
		return 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		const char *dash = memchr(s, '-', len);
		unsigned long a, z;

		if (list_num(s, dash ? (size_t)(dash - s) : len, &a))
			return -EINVAL;
		z = a;
		if (dash && (list_num(dash + 1, len - (dash - s) - 1, &z) ||
			     z < a))
			return -EINVAL;
		for (unsigned long i = a; i <= z; i++)
			mask_set(m, (unsigned int)i);
		s += len;
		if (*s == ',' && !*++s)
			return -EINVAL;
	}
	return 0;
}

void ap_list_fmt(const ap_mask *m, char *out, size_t size)
{
	size_t len = 0;
	unsigned int i = 0;

	out[0] = 0;
	while (i < AP_BITS && len < size) {
		unsigned int j;

		if (!mask_test(m, i)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < AP_BITS && mask_test(m, j + 1); j++)
			;
		len += snprintf(out + len, size - len,
				j == i ? "%s%u" : "%s%u-%u", len ? "," : "",
				i, j);
		i = j + 1;
	}
	if (!len)
		snprintf(out, size, "none");
}
