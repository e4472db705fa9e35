// SPDX-License-Identifier: MIT
/*
 * `kvmu run` image loader: ELF64 (long mode), ELF32 or a.out-kludge images
 * with a multiboot 1 header (loaded the way QEMU's -kernel does), and flat
 * binaries; for s390x, big-endian ELF64 images; for arm64, little-endian
 * ELF64 images.  The file is untrusted:
 * every offset and size is checked before it is used, and a bad image is
 * an error message, never a crash.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kvmu/kvmu.h>

#include "run.h"

#define MB_HEADER_MAGIC	0x1BADB002u
#define MB_HAS_ADDR	0x00010000u	/* the a.out kludge fields are valid */
#define MB_HAS_VBE	0x00000004u
#define MB_SEARCH	8192		/* the header lies in the first 8 KiB */

struct image {
	const uint8_t *data;
	uint64_t size;
	const char *path;
};

/* One loadable piece, whatever format it came from. */
struct segment {
	uint64_t offset, paddr, filesz, memsz;
};

static int fail(const struct image *img, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(const struct image *img, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kvmu run: %s: ", img->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Copy a segment into RAM, zero its tail; min is the lowest address. */
static int place(const struct image *img, struct guest_ram *ram,
		 const struct segment *s, uint64_t min, uint64_t max,
		 struct boot *b)
{
	if (s->filesz > s->memsz)
		return fail(img, "segment file size exceeds its memory size");
	if (s->offset > img->size || s->filesz > img->size - s->offset)
		return fail(img, "segment data lies beyond the end of the file");
	if (s->paddr < min || s->paddr > max || s->memsz > max - s->paddr)
		return fail(img, "segment [%#llx, +%#llx) outside the loadable "
			    "range [%#llx, %#llx)%s",
			    (unsigned long long)s->paddr,
			    (unsigned long long)s->memsz,
			    (unsigned long long)min, (unsigned long long)max,
			    max == ram->size ? "; try a larger --mem" : "");
	memcpy(ram->mem + s->paddr, img->data + s->offset, s->filesz);
	memset(ram->mem + s->paddr + s->filesz, 0, s->memsz - s->filesz);
	if (s->paddr < b->lo)
		b->lo = s->paddr;
	if (s->paddr + s->memsz > b->hi)
		b->hi = s->paddr + s->memsz;
	return 0;
}

/* Program header i of an ELF file of either class, as a segment. */
static bool elf_phdr(const struct image *img, bool is64, unsigned int i,
		     struct segment *s)
{
	if (is64) {
		const Elf64_Ehdr *eh = (const void *)img->data;
		Elf64_Phdr ph;

		memcpy(&ph, img->data + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		*s = (struct segment){ ph.p_offset, ph.p_paddr, ph.p_filesz,
				       ph.p_memsz };
		return ph.p_type == PT_LOAD && ph.p_memsz;
	} else {
		const Elf32_Ehdr *eh = (const void *)img->data;
		Elf32_Phdr ph;

		memcpy(&ph, img->data + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		*s = (struct segment){ ph.p_offset, ph.p_paddr, ph.p_filesz,
				       ph.p_memsz };
		return ph.p_type == PT_LOAD && ph.p_memsz;
	}
}

/* Check the ELF header; returns the number of program headers or -1. */
static int elf_check(const struct image *img, bool is64, unsigned int machine)
{
	const char *arch = machine == EM_AARCH64 ? "arm64" : is64 ? "x86-64" :
			   "i386";
	uint64_t phoff, phentsize, want, phnum;

	if (img->size < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return fail(img, "truncated ELF header");
	if (img->data[EI_DATA] != ELFDATA2LSB)
		return fail(img, "not a little-endian ELF file");
	if (is64) {
		const Elf64_Ehdr *eh = (const void *)img->data;

		phoff = eh->e_phoff, phentsize = eh->e_phentsize;
		phnum = eh->e_phnum, want = sizeof(Elf64_Phdr);
		if (eh->e_machine != machine)
			return fail(img, "ELF64 image is not for %s", arch);
	} else {
		const Elf32_Ehdr *eh = (const void *)img->data;

		phoff = eh->e_phoff, phentsize = eh->e_phentsize;
		phnum = eh->e_phnum, want = sizeof(Elf32_Phdr);
		if (eh->e_machine != machine)
			return fail(img, "ELF32 image is not for %s", arch);
	}
	if (phentsize != want || !phnum)
		return fail(img, "no usable program headers");
	if (phoff > img->size || phnum * want > img->size - phoff)
		return fail(img, "program headers lie beyond the end of the file");
	return (int)phnum;
}

static int load_elf_at(const struct image *img, bool is64,
		       unsigned int machine, uint64_t min, struct guest_ram *ram,
		       struct boot *b)
{
	struct segment s;
	int i, n, loaded = 0;

	n = elf_check(img, is64, machine);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!elf_phdr(img, is64, i, &s))
			continue;
		if (place(img, ram, &s, min, ram->size, b))
			return -1;
		loaded++;
	}
	if (!loaded)
		return fail(img, "no loadable segment");
	b->entry = is64 ? ((const Elf64_Ehdr *)img->data)->e_entry :
			  ((const Elf32_Ehdr *)img->data)->e_entry;
	if (b->entry >= ram->size)
		return fail(img, "entry point %#llx lies outside RAM",
			    (unsigned long long)b->entry);
	return 0;
}

static int load_elf(const struct image *img, bool is64, uint64_t min,
		    struct guest_ram *ram, struct boot *b)
{
	return load_elf_at(img, is64, is64 ? EM_X86_64 : EM_386, min, ram, b);
}

/* An arm64 image: little-endian ELF64 for EM_AARCH64 only. */
static int load_elf_arm64(const struct image *img, struct guest_ram *ram,
			  struct boot *b)
{
	if (img->size < EI_NIDENT || memcmp(img->data, ELFMAG, SELFMAG) ||
	    img->data[EI_CLASS] != ELFCLASS64)
		return fail(img, "not an ELF64 file (arm64 guests are ELF64)");
	return load_elf_at(img, true, EM_AARCH64, ARM64_LOAD_MIN, ram, b);
}

/* Offset of a valid multiboot header in the first 8 KiB, or -1. */
static long mb_find(const struct image *img)
{
	uint64_t i, end = img->size < MB_SEARCH ? img->size : MB_SEARCH;
	uint32_t sum;

	for (i = 0; i + 12 <= end; i += 4) {
		if (le32(img->data + i) != MB_HEADER_MAGIC)
			continue;
		sum = MB_HEADER_MAGIC + le32(img->data + i + 4) +
		      le32(img->data + i + 8);
		if (!sum)
			return (long)i;
	}
	return -1;
}

/* Load with the header's addresses (MB_HAS_ADDR), as QEMU does. */
static int load_aout_kludge(const struct image *img, long at,
			    struct guest_ram *ram, struct boot *b)
{
	const uint8_t *h = img->data + at;
	uint32_t header, load, load_end, bss_end;
	struct segment s;
	uint64_t text;

	if ((uint64_t)at + 32 > img->size)
		return fail(img, "truncated multiboot header");
	header = le32(h + 12), load = le32(h + 16);
	load_end = le32(h + 20), bss_end = le32(h + 24);
	if (header < load || header - load > (uint64_t)at)
		return fail(img, "invalid multiboot load address");
	text = at - (header - load);
	s.offset = text;
	s.paddr = load;
	if (load_end && load_end < load)
		return fail(img, "invalid multiboot load_end address");
	s.filesz = load_end ? load_end - load : img->size - text;
	if (bss_end && bss_end < load + s.filesz)
		return fail(img, "invalid multiboot bss_end address");
	s.memsz = bss_end ? bss_end - load : s.filesz;
	if (place(img, ram, &s, MB_LOAD_MIN, ram->size, b))
		return -1;
	b->entry = le32(h + 28);
	return 0;
}

static int load_multiboot(const struct image *img, long at, bool elf,
			  struct guest_ram *ram, struct boot *b)
{
	uint32_t flags = le32(img->data + at + 4);

	if (flags & MB_HAS_VBE)
		fprintf(stderr, "kvmu run: %s: multiboot asks for a video "
			"mode; there is no display\n", img->path);
	b->mode = BOOT_MULTIBOOT;
	if (flags & MB_HAS_ADDR)
		return load_aout_kludge(img, at, ram, b);
	if (!elf)
		return fail(img, "multiboot header without load addresses "
			    "in a non-ELF image");
	return load_elf(img, false, MB_LOAD_MIN, ram, b);
}

static int load_flat(const struct image *img, enum boot_mode mode,
		     struct guest_ram *ram, struct boot *b)
{
	struct segment s = { 0, LOAD_MIN, img->size, img->size };
	uint64_t max = ram->size;

	b->mode = mode;
	if (mode == BOOT_REAL) {
		s.paddr = REAL_LOAD;
		max = REAL_LIMIT;
	}
	if (place(img, ram, &s, s.paddr, max, b))
		return -1;
	b->entry = s.paddr;
	return 0;
}

static int load_mapped(const struct image *img, enum boot_mode want,
		       struct guest_ram *ram, struct boot *b)
{
	bool elf = img->size >= SELFMAG && !memcmp(img->data, ELFMAG, SELFMAG);
	long mb = mb_find(img);

	if (elf && img->size > EI_CLASS && img->data[EI_CLASS] == ELFCLASS64) {
		if (want != BOOT_AUTO && want != BOOT_LONG)
			return fail(img, "an ELF64 image boots in long mode");
		b->mode = BOOT_LONG;
		return load_elf(img, true, LOAD_MIN, ram, b);
	}
	if (elf) {
		if (img->size <= EI_CLASS || img->data[EI_CLASS] != ELFCLASS32)
			return fail(img, "unknown ELF class");
		if (mb < 0)
			return fail(img, "ELF32 image without a multiboot header");
		if (want != BOOT_AUTO)
			return fail(img, "a multiboot image starts in 32-bit "
				    "protected mode; --mode does not apply");
		return load_multiboot(img, mb, true, ram, b);
	}
	if (want == BOOT_AUTO && mb >= 0 &&
	    (le32(img->data + mb + 4) & MB_HAS_ADDR))
		return load_multiboot(img, mb, false, ram, b);
	return load_flat(img, want == BOOT_AUTO ? BOOT_REAL : want, ram, b);
}

/* Program headers of a big-endian ELF64 file; their number or -1. */
static int elf_check_s390(const struct image *img, uint64_t *phoff)
{
	const uint8_t *h = img->data;
	uint64_t phentsize, phnum;

	if (img->size < sizeof(Elf64_Ehdr) || memcmp(h, ELFMAG, SELFMAG))
		return fail(img, "not an ELF file (s390x guests are ELF64)");
	if (h[EI_CLASS] != ELFCLASS64 || h[EI_DATA] != ELFDATA2MSB ||
	    run_get_be(h + offsetof(Elf64_Ehdr, e_machine), 2) != EM_S390)
		return fail(img, "not a big-endian ELF64 image for s390x");
	*phoff = run_get_be(h + offsetof(Elf64_Ehdr, e_phoff), 8);
	phentsize = run_get_be(h + offsetof(Elf64_Ehdr, e_phentsize), 2);
	phnum = run_get_be(h + offsetof(Elf64_Ehdr, e_phnum), 2);
	if (phentsize != sizeof(Elf64_Phdr) || !phnum)
		return fail(img, "no usable program headers");
	if (*phoff > img->size ||
	    phnum * sizeof(Elf64_Phdr) > img->size - *phoff)
		return fail(img, "program headers lie beyond the end of the file");
	return (int)phnum;
}

static int load_elf_s390(const struct image *img, struct guest_ram *ram,
			 struct boot *b)
{
	const uint8_t *ph;
	struct segment s;
	uint64_t phoff = 0;
	int i, n, loaded = 0;

	n = elf_check_s390(img, &phoff);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		ph = img->data + phoff + (uint64_t)i * sizeof(Elf64_Phdr);
		if (run_get_be(ph + offsetof(Elf64_Phdr, p_type), 4) != PT_LOAD)
			continue;
		s.offset = run_get_be(ph + offsetof(Elf64_Phdr, p_offset), 8);
		s.paddr = run_get_be(ph + offsetof(Elf64_Phdr, p_paddr), 8);
		s.filesz = run_get_be(ph + offsetof(Elf64_Phdr, p_filesz), 8);
		s.memsz = run_get_be(ph + offsetof(Elf64_Phdr, p_memsz), 8);
		if (!s.memsz)
			continue;
		if (place(img, ram, &s, S390_LOAD_MIN, ram->size, b))
			return -1;
		loaded++;
	}
	if (!loaded)
		return fail(img, "no loadable segment");
	b->mode = BOOT_AUTO;
	b->entry = run_get_be(img->data + offsetof(Elf64_Ehdr, e_entry), 8);
	if (b->entry >= ram->size || (b->entry & 1))
		return fail(img, "entry point %#llx is odd or outside RAM",
			    (unsigned long long)b->entry);
	return 0;
}

/* Map the image file and hand it to load; the mapping goes after. */
static int load_file(const char *path, struct guest_ram *ram, struct boot *b,
		     enum boot_mode want, int kind)
{
	struct image img = { .path = path };
	struct stat st;
	void *map;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "kvmu run: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return fail(&img, S_ISREG(st.st_mode) ? "empty image" :
			    "not a regular file");
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return fail(&img, "%s", strerror(errno));
	img.data = map;
	img.size = st.st_size;
	*b = (struct boot){ .lo = UINT64_MAX, .path = path };
	if (kind == KVMU_ARCH_S390X)
		ret = load_elf_s390(&img, ram, b);
	else if (kind == KVMU_ARCH_ARM64)
		ret = load_elf_arm64(&img, ram, b);
	else
		ret = load_mapped(&img, want, ram, b);
	munmap(map, st.st_size);
	return ret;
}

int load_image(const char *path, enum boot_mode want, struct guest_ram *ram,
	       struct boot *b)
{
	return load_file(path, ram, b, want, KVMU_ARCH_X86_64);
}

int load_image_s390(const char *path, struct guest_ram *ram, struct boot *b)
{
	return load_file(path, ram, b, BOOT_AUTO, KVMU_ARCH_S390X);
}

int load_image_arm64(const char *path, struct guest_ram *ram, struct boot *b)
{
	return load_file(path, ram, b, BOOT_AUTO, KVMU_ARCH_ARM64);
}
