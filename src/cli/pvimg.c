// SPDX-License-Identifier: MIT
/*
 * `kvmu pvimg create`: build a Secure Execution image (the format of
 * s390-tools' pvimg, docs/s390-pv.md) from an s390x ELF guest for the
 * host keys given as host-key documents.  Two secure components: the
 * guest's loadable segments (kernel, ID 40) at their own addresses and a
 * command line page (ID 60) right after them, each page AES-256-XTS
 * encrypted with a random image key and the component tweak; the SE
 * header carries the digests of the ciphertext, addresses and tweaks,
 * one key slot per host key (ECDH on P-521) and, AES-256-GCM encrypted,
 * the keys and the start PSW (the ELF entry, 64-bit).  The plaintext
 * stage-3a loader and the IPL block of type 5 make the image bootable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "cli.h"
#include "host/uv/se.h"
#include "pvimg.h"
#include "run.h"

#define MAX_KEYS	8
#define ELF_SPACE	(1ULL << 32)	/* where the ELF is laid out */
#define PSW_64BIT	0x0000000180000000ULL

static const char usage_text[] =
"usage: kvmu pvimg create -i GUEST.elf -k HOST-KEY.crt [-k ...] -o IMAGE\n"
"                         [--cmdline TEXT] [--allow-dump]\n"
"                         [--no-encryption]\n"
"\n"
"Build a Secure Execution image of an s390x ELF guest that only the\n"
"machines whose host-key documents (`kvmu host hostkey`) are given can\n"
"boot: `kvmu run --arch s390x IMAGE`.  The guest runs at its ELF entry\n"
"in 64-bit mode; TEXT (NUL-terminated, one page) is a second encrypted\n"
"component at the first page after the guest.  Format: docs/s390-pv.md.\n";

struct pvimg {
	EVP_PKEY *keys[MAX_KEYS];
	size_t nkeys;
	const char *in, *out, *cmdline;
	uint64_t pcf;
	uint8_t *file;			/* the image being built */
	size_t size;
};

struct comp {
	uint64_t addr, len, tweak;
};

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static int err(const char *fmt, const char *arg)
{
	fprintf(stderr, "kvmu pvimg: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

/* A P-521 public key from a host-key document (X.509, PEM). */
static int add_key(struct pvimg *p, const char *path)
{
	FILE *f = fopen(path, "re");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = x ? X509_get_pubkey(x) : NULL;
	char group[32] = "";
	size_t n;

	if (f)
		fclose(f);
	X509_free(x);
	if (!k)
		return err("%s: not an X.509 host-key document (PEM)", path);
	if (!EVP_PKEY_get_utf8_string_param(k, "group", group, sizeof(group),
					    &n) || strcmp(group, "secp521r1")) {
		EVP_PKEY_free(k);
		return err("%s: the host key is not an EC P-521 key", path);
	}
	if (p->nkeys == MAX_KEYS) {
		EVP_PKEY_free(k);
		return err("%s: too many host keys", path);
	}
	p->keys[p->nkeys++] = k;
	return 0;
}

/* Grow the image to hold [0, end). */
static int reserve(struct pvimg *p, size_t end)
{
	uint8_t *n;

	if (end <= p->size)
		return 0;
	n = realloc(p->file, end);
	if (!n)
		return -1;
	memset(n + p->size, 0, end - p->size);
	p->file = n;
	p->size = end;
	return 0;
}

/* Encrypt one component in place, accounting its pages in d. */
static int seal(struct pvimg *p, const struct comp *c, const uint8_t *xts,
		struct se_digests *d)
{
	uint8_t tweak[16], *pg;
	uint64_t off;

	for (off = 0; off < c->len; off += 4096) {
		pg = p->file + c->addr + off;
		se_tweak(tweak, c->tweak, off);
		if (!(p->pcf & SE_PCF_NO_ENCRYPTION) &&
		    se_xts_page(xts, tweak, pg, pg, 1))
			return -1;
		if (se_digests_page(d, pg, c->addr + off, tweak))
			return -1;
	}
	return 0;
}

static uint64_t tweak_prefix(uint16_t id)
{
	uint8_t r[6];
	uint64_t v = id;
	int i;

	RAND_bytes(r, sizeof(r));
	for (i = 0; i < 6; i++)
		v = v << 8 | r[i];
	return v;
}

/* The guest's segments become component 0 at their addresses. */
static int load_guest(struct pvimg *p, struct comp *c, uint64_t *entry)
{
	struct guest_ram ram = { .size = ELF_SPACE };
	struct boot b;
	int r = -1;

	ram.mem = mmap(NULL, ELF_SPACE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram.mem == MAP_FAILED)
		return err("%s", strerror(errno));
	if (load_image_s390(p->in, &ram, &b))
		goto out;
	c->addr = b.lo & ~0xfffULL;
	c->len = ((b.hi + 0xfff) & ~0xfffULL) - c->addr;
	if (c->addr < SE_IMG_COMP_MIN) {
		err("%s: the guest must load at 0x20000 or above", p->in);
		goto out;
	}
	if (reserve(p, c->addr + c->len)) {
		err("%s", "out of memory");
		goto out;
	}
	memcpy(p->file + c->addr, ram.mem + c->addr, c->len);
	*entry = b.entry;
	r = 0;
out:
	munmap(ram.mem, ELF_SPACE);
	return r;
}

/* IPL block type 5 at off: the components, the header. */
static void put_ipib(uint8_t *b, const struct comp *c, int n, uint64_t hdr,
		     uint64_t hdr_len)
{
	uint32_t len = IPIB_OFF_COMPS + n * IPIB_COMP_LEN;
	int i;

	put_be(b, len, 4);
	b[7] = 1;				/* version */
	put_be(b + 8, len - 8, 4);		/* block length */
	b[0x0c] = IPIB_PBT_PV;
	memset(b + 0x10, 0x40, 8);		/* loadparm: EBCDIC blanks */
	b[0x6f] = 1;				/* PV version */
	put_be(b + 0x74, (uint64_t)n, 4);
	put_be(b + 0x78, hdr, 8);
	put_be(b + 0x80, hdr_len, 8);
	for (i = 0; i < n; i++) {
		put_be(b + IPIB_OFF_COMPS + i * 24, c[i].tweak, 8);
		put_be(b + IPIB_OFF_COMPS + i * 24 + 8, c[i].addr, 8);
		put_be(b + IPIB_OFF_COMPS + i * 24 + 16, c[i].len, 8);
	}
}

/* The plaintext parts: short PSW, metadata, stage3a, header, IPIB. */
static int finish(struct pvimg *p, const struct comp *c, const uint8_t *hdr,
		  size_t hdr_len)
{
	uint64_t hoff = (c[1].addr + c[1].len + 0xfff) & ~0xfffULL;
	uint64_t ioff = (hoff + hdr_len + 0xfff) & ~0xfffULL;
	uint8_t *m;

	if (reserve(p, ioff + 4096))
		return -1;
	put_be(p->file, 0x0008000080000000ULL | SE_IMG_STAGE3A, 8);
	m = p->file + SE_IMG_META;
	memcpy(m, SE_IMG_MAGIC, 8);
	put_be(m + 8, hoff, 8);
	put_be(m + 16, 1, 4);
	put_be(m + 20, ioff, 8);
	memcpy(p->file + SE_IMG_STAGE3A, pvimg_stage3a, pvimg_stage3a_len);
	memcpy(p->file + hoff, hdr, hdr_len);
	put_ipib(p->file + ioff, c, 2, hoff, hdr_len);
	return 0;
}

static int build(struct pvimg *p)
{
	struct se_plain pl = { .pcf = p->pcf };
	struct se_secrets s = { .psw_mask = PSW_64BIT };
	struct se_digests d;
	struct comp c[2];
	uint8_t *hdr = NULL;
	size_t hdr_len = 0;
	int r = -1;

	if (load_guest(p, &c[0], &s.psw_addr))
		return 1;
	c[0].tweak = tweak_prefix(SE_COMP_KERNEL);
	c[1] = (struct comp){ .addr = c[0].addr + c[0].len, .len = 4096,
			      .tweak = tweak_prefix(SE_COMP_CMDLINE) };
	if (reserve(p, c[1].addr + 4096) || se_digests_init(&d))
		return err("%s", "out of memory");
	strncpy((char *)p->file + c[1].addr, p->cmdline, 4095);
	if (RAND_bytes(s.xts, 64) == 1 && RAND_bytes(s.cck, 32) == 1 &&
	    memcmp(s.xts, s.xts + 32, 32) && !seal(p, &c[0], s.xts, &d) &&
	    !seal(p, &c[1], s.xts, &d)) {
		pl.nep = d.nep;
		r = se_digests_final(&d, pl.pld, pl.ald, pl.tld);
	}
	se_digests_free(&d);
	if (!r)
		r = se_hdr_build(p->keys, p->nkeys, &pl, &s, &hdr, &hdr_len);
	OPENSSL_cleanse(&s, sizeof(s));
	if (!r)
		r = finish(p, c, hdr, hdr_len);
	free(hdr);
	return r ? err("%s", "building the SE header failed") : 0;
}

static int write_out(struct pvimg *p)
{
	int fd = open(p->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		return err("%s", strerror(errno));
	while (done < p->size) {
		n = write(fd, p->file + done, p->size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return err("writing the image: %s", strerror(errno));
		}
		done += (size_t)n;
	}
	return close(fd) ? err("%s", strerror(errno)) : 0;
}

static int parse(struct pvimg *p, int argc, char **argv)
{
	int i;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--allow-dump")) {
			p->pcf |= SE_PCF_ALLOW_DUMP;
			continue;
		}
		if (!strcmp(a, "--no-encryption")) {
			p->pcf |= SE_PCF_NO_ENCRYPTION;
			continue;
		}
		if (!v)
			return err("%s needs a value", a);
		i++;
		if (!strcmp(a, "-i"))
			p->in = v;
		else if (!strcmp(a, "-o"))
			p->out = v;
		else if (!strcmp(a, "--cmdline"))
			p->cmdline = v;
		else if (!strcmp(a, "-k")) {
			if (add_key(p, v))
				return 1;
		} else
			return err("unknown option %s", a);
	}
	if (!p->in || !p->out || !p->nkeys)
		return err("%s", "-i, -o and at least one -k are needed");
	return 0;
}

int kvmu_cli_pvimg(int argc, char **argv)
{
	struct pvimg p = { .cmdline = "" };
	size_t i;
	int r;

	if (argc < 2 || strcmp(argv[1], "create")) {
		bool help = argc >= 2 && (!strcmp(argv[1], "--help") ||
					  !strcmp(argv[1], "-h"));

		fputs(usage_text, help ? stdout : stderr);
		return help ? 0 : 2;
	}
	r = parse(&p, argc, argv) ? 2 : 0;
	if (!r)
		r = build(&p);
	if (!r)
		r = write_out(&p);
	for (i = 0; i < p.nkeys; i++)
		EVP_PKEY_free(p.keys[i]);
	free(p.file);
	return r;
}
