// SPDX-License-Identifier: MIT
/* Small long-mode guests on kvmu or /dev/kvm: see x86_guest.h. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kvmu/kvmu.h>

#include "x86_guest.h"

static int kvmu_be_open(void)
{
	return kvmu_open(KVMU_ARCH_X86_64, 0);
}

static int kvmu_be_ioctl(int fd, unsigned long req, void *arg)
{
	return kvmu_ioctl(fd, req, arg);
}

static int kvm_be_open(void)
{
	return open("/dev/kvm", O_RDWR | O_CLOEXEC);
}

static int kvm_be_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg);
}

const struct tg_backend tg_kvmu = { "kvmu", kvmu_be_open, kvmu_be_ioctl };
const struct tg_backend tg_kvm = { "kvm", kvm_be_open, kvm_be_ioctl };

int tg_ioctl(struct tguest *g, int fd, unsigned long req, void *arg)
{
	return g->be->ioctl(fd, req, arg);
}

void tg_destroy(struct tguest *g)
{
	if (g->run)
		munmap(g->run, g->run_size);
	if (g->vcpu >= 0)
		close(g->vcpu);
	if (g->vm >= 0)
		close(g->vm);
	if (g->sys >= 0)
		close(g->sys);
	if (g->mem)
		munmap(g->mem, g->mem_size);
	memset(g, 0, sizeof(*g));
	g->sys = g->vm = g->vcpu = -1;
}

static int create_vcpu(struct tguest *g)
{
	long sz = g->be->ioctl(g->sys, KVM_GET_VCPU_MMAP_SIZE, NULL);

	if (sz < 4096)
		return -1;
	g->vcpu = g->be->ioctl(g->vm, KVM_CREATE_VCPU, NULL);
	if (g->vcpu < 0)
		return -1;
	g->run_size = (size_t)sz;
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->vcpu, 0);
	if (g->run == MAP_FAILED) {
		g->run = NULL;
		return -1;
	}
	return 0;
}

static int create(struct tguest *g, const struct tg_backend *be, bool irqchip)
{
	struct kvm_userspace_memory_region r = { 0 };

	memset(g, 0, sizeof(*g));
	g->be = be;
	g->vm = g->vcpu = -1;
	g->sys = be->open();
	if (g->sys < 0)
		goto fail;
	g->vm = be->ioctl(g->sys, KVM_CREATE_VM, NULL);
	if (g->vm < 0)
		goto fail;
	g->mem_size = TG_MEM_SIZE;
	g->mem = mmap(NULL, g->mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		goto fail;
	}
	r.memory_size = g->mem_size;
	r.userspace_addr = (uintptr_t)g->mem;
	if (be->ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &r) < 0 ||
	    (irqchip && be->ioctl(g->vm, KVM_CREATE_IRQCHIP, NULL) < 0) ||
	    create_vcpu(g) < 0)
		goto fail;
	return 0;
fail: {
		int e = errno;

		tg_destroy(g);
		errno = e;
		return -1;
	}
}

int tg_create(struct tguest *g, const struct tg_backend *be)
{
	return create(g, be, false);
}

int tg_create_irqchip(struct tguest *g, const struct tg_backend *be)
{
	return create(g, be, true);
}

#define NCPUID 128

static struct kvm_cpuid2 *get_supported(struct tguest *g)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + NCPUID *
				      sizeof(struct kvm_cpuid_entry2));

	if (!c)
		return NULL;
	c->nent = NCPUID;
	if (g->be->ioctl(g->sys, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

int tg_set_supported_cpuid(struct tguest *g)
{
	struct kvm_cpuid2 *c = get_supported(g);
	int r;

	if (!c)
		return -1;
	r = g->be->ioctl(g->vcpu, KVM_SET_CPUID2, c);
	free(c);
	return r < 0 ? -1 : 0;
}

int tg_supported_cpuid(struct tguest *g, uint32_t leaf, uint32_t idx,
		       uint32_t out[4])
{
	struct kvm_cpuid2 *c = get_supported(g);
	uint32_t i;
	int r = -1;

	if (!c)
		return -1;
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != leaf || (e->index != idx &&
		    (e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX)))
			continue;
		out[0] = e->eax;
		out[1] = e->ebx;
		out[2] = e->ecx;
		out[3] = e->edx;
		r = 0;
		break;
	}
	free(c);
	return r;
}

static void set_gate(struct tguest *g, int vec, uint64_t handler)
{
	uint8_t *p = g->mem + TG_IDT + 16 * vec;
	uint64_t lo = (handler & 0xffff) | (0x8ULL << 16) | (0x8eULL << 40) |
		      ((handler >> 16 & 0xffff) << 48);
	uint64_t hi = handler >> 32;

	memcpy(p, &lo, 8);
	memcpy(p + 8, &hi, 8);
}

static void tables(struct tguest *g)
{
	static const uint64_t gdt[] = {
		0, 0x00af9a000000ffffULL, 0x00cf92000000ffffULL, 0, 0,
		0x00cff2000000ffffULL,	/* 0x28: user data, DPL 3 */
		0x00affa000000ffffULL,	/* 0x30: user code, L, DPL 3 */
	};
	uint64_t *pml4 = (uint64_t *)(g->mem + TG_PML4);
	uint64_t *pdpt = (uint64_t *)(g->mem + TG_PDPT);
	uint64_t *pd = (uint64_t *)(g->mem + TG_PD);
	uint64_t *pt = (uint64_t *)(g->mem + TG_PT);
	int i;

	memcpy(g->mem + TG_GDT, gdt, sizeof(gdt));
	pml4[0] = TG_PDPT | 3;
	pdpt[0] = TG_PD | 3;
	pd[0] = TG_PT | 3;
	for (i = 0; i < 512; i++)
		pt[i] = ((uint64_t)i << 12) | 3;
	for (i = 0; i < 32; i++) {
		g->mem[TG_EXC_STUB(i)] = 0xf4;	/* hlt */
		set_gate(g, i, TG_EXC_STUB(i));
	}
}

static void flat(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->db = type == 11 ? 0 : 1;
	s->l = type == 11;
}

int tg_long_mode(struct tguest *g, uint64_t rip, uint64_t rsp)
{
	struct kvm_regs r = { .rip = rip, .rsp = rsp, .rflags = 2 };
	struct kvm_sregs s;

	tables(g);
	if (g->be->ioctl(g->vcpu, KVM_GET_SREGS, &s) < 0)
		return -1;
	flat(&s.cs, 0x8, 11);
	flat(&s.ds, 0x10, 3);
	s.es = s.fs = s.gs = s.ss = s.ds;
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.base = TG_TSS;
	s.tr.limit = 0x67;
	s.tr.selector = 0x18;
	s.tr.type = 11;
	s.tr.present = 1;
	memset(&s.ldt, 0, sizeof(s.ldt));
	s.ldt.unusable = 1;
	s.gdt.base = TG_GDT;
	s.gdt.limit = 7 * 8 - 1;
	s.idt.base = TG_IDT;
	s.idt.limit = 32 * 16 - 1;
	s.cr0 = 0x80010033;	/* PG WP NE ET MP PE */
	s.cr3 = TG_PML4;
	s.cr4 = 0x20;		/* PAE */
	s.efer = 0x500;		/* LMA LME */
	if (g->be->ioctl(g->vcpu, KVM_SET_SREGS, &s) < 0)
		return -1;
	return tg_set_regs(g, &r);
}

int tg_user_mode(struct tguest *g, uint64_t rip, uint64_t rsp)
{
	struct kvm_regs r = { .rip = rip, .rsp = rsp, .rflags = 0x3002 };
	uint64_t *e = (uint64_t *)(g->mem + TG_PML4), rsp0 = TG_KSTACK_TOP;
	struct kvm_sregs s;
	size_t i;

	if (tg_long_mode(g, rip, rsp) < 0)
		return -1;
	/* PML4..PT are contiguous: set U on every present entry */
	for (i = 0; i < (TG_PT + 4096 - TG_PML4) / 8; i++)
		if (e[i] & 1)
			e[i] |= 4;
	memcpy(g->mem + TG_TSS + 4, &rsp0, 8);
	if (g->be->ioctl(g->vcpu, KVM_GET_SREGS, &s) < 0)
		return -1;
	flat(&s.cs, 0x33, 11);
	flat(&s.ss, 0x2b, 3);
	s.cs.dpl = s.ss.dpl = 3;
	s.ds = s.es = s.fs = s.gs = s.ss;
	if (g->be->ioctl(g->vcpu, KVM_SET_SREGS, &s) < 0)
		return -1;
	return tg_set_regs(g, &r);
}

int tg_get_regs(struct tguest *g, struct kvm_regs *r)
{
	return g->be->ioctl(g->vcpu, KVM_GET_REGS, r) < 0 ? -1 : 0;
}

int tg_set_regs(struct tguest *g, const struct kvm_regs *r)
{
	return g->be->ioctl(g->vcpu, KVM_SET_REGS, (void *)r) < 0 ? -1 : 0;
}

int tg_run(struct tguest *g, int max_exits)
{
	struct kvm_run *run = g->run;
	int i;

	for (i = 0; i < max_exits; i++) {
		if (g->be->ioctl(g->vcpu, KVM_RUN, NULL) < 0)
			return -1;
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.direction == KVM_EXIT_IO_IN)
			memset((uint8_t *)run + run->io.data_offset, 0,
			       (size_t)run->io.size * run->io.count);
		else if (run->exit_reason == KVM_EXIT_MMIO &&
			 !run->mmio.is_write)
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		else if (run->exit_reason != KVM_EXIT_IO &&
			 run->exit_reason != KVM_EXIT_MMIO)
			return (int)run->exit_reason;
	}
	errno = E2BIG;
	return -1;
}

int tg_exception_at(uint64_t rip)
{
	if (rip < TG_EXC + 1 || rip > TG_EXC_STUB(31) + 1 ||
	    (rip - TG_EXC - 1) % 16)
		return -1;
	return (int)((rip - TG_EXC - 1) / 16);
}

void tg_put(struct tguest *g, uint64_t gpa, const void *p, size_t n)
{
	memcpy(g->mem + gpa, p, n);
}
