// SPDX-License-Identifier: MIT
/*
 * CPUID: what the CPU implements (KVM_GET_SUPPORTED_CPUID), the VMM's
 * table (KVM_SET/GET_CPUID2) and the guest's CPUID instruction with the
 * kernel's lookup rules, including Intel's out-of-range behaviour (a
 * leaf above the maximum of its class reads the maximum basic leaf).
 *
 * Feature bits tied to instructions are reported only when a handler for
 * a representative instruction exists, so the list follows the code.
 */
#include <cpuid.h>
#include <errno.h>
#include <string.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

#define SIG_INDEX KVM_CPUID_FLAG_SIGNIFCANT_INDEX

struct feat {
	u32 leaf;
	u8 reg, bit;
	u16 need[2];		/* mnemonics that must have handlers */
};

/* Feature bits and the instructions they promise. */
static const struct feat feats[] = {
	{ 1, 3, 0, { ZYDIS_MNEMONIC_FLD, ZYDIS_MNEMONIC_FSTP } },	/* FPU */
	{ 1, 3, 8, { ZYDIS_MNEMONIC_CMPXCHG8B } },			/* CX8 */
	{ 1, 3, 15, { ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ } },	/* CMOV */
	{ 1, 3, 19, { ZYDIS_MNEMONIC_CLFLUSH } },			/* CLFSH */
	{ 1, 3, 23, { ZYDIS_MNEMONIC_EMMS, ZYDIS_MNEMONIC_PADDB } },	/* MMX */
	{ 1, 3, 24, { ZYDIS_MNEMONIC_FXSAVE, ZYDIS_MNEMONIC_FXRSTOR } },
	{ 1, 3, 25, { ZYDIS_MNEMONIC_ADDPS, ZYDIS_MNEMONIC_MOVAPS } },	/* SSE */
	{ 1, 3, 26, { ZYDIS_MNEMONIC_ADDPD, ZYDIS_MNEMONIC_MOVDQA } },	/* SSE2 */
	{ 1, 2, 0, { ZYDIS_MNEMONIC_ADDSUBPD, ZYDIS_MNEMONIC_LDDQU } },	/* SSE3 */
	{ 1, 2, 1, { ZYDIS_MNEMONIC_PCLMULQDQ } },
	{ 1, 2, 9, { ZYDIS_MNEMONIC_PSHUFB, ZYDIS_MNEMONIC_PALIGNR } },	/* SSSE3 */
	{ 1, 2, 13, { ZYDIS_MNEMONIC_CMPXCHG16B } },			/* CX16 */
	{ 1, 2, 19, { ZYDIS_MNEMONIC_PTEST, ZYDIS_MNEMONIC_PBLENDW } },	/* SSE4.1 */
	{ 1, 2, 20, { ZYDIS_MNEMONIC_PCMPGTQ, ZYDIS_MNEMONIC_CRC32 } },	/* SSE4.2 */
	{ 1, 2, 22, { ZYDIS_MNEMONIC_MOVBE } },
	{ 1, 2, 23, { ZYDIS_MNEMONIC_POPCNT } },
	{ 1, 2, 26, { ZYDIS_MNEMONIC_XSAVE, ZYDIS_MNEMONIC_XRSTOR } },	/* XSAVE */
	{ 7, 1, 3, { ZYDIS_MNEMONIC_ANDN, ZYDIS_MNEMONIC_TZCNT } },	/* BMI1 */
	{ 7, 1, 8, { ZYDIS_MNEMONIC_PDEP, ZYDIS_MNEMONIC_SHLX } },	/* BMI2 */
	{ 7, 1, 19, { ZYDIS_MNEMONIC_ADCX, ZYDIS_MNEMONIC_ADOX } },	/* ADX */
	{ 0x80000001, 2, 0, { ZYDIS_MNEMONIC_LAHF, ZYDIS_MNEMONIC_SAHF } },
	{ 0x80000001, 2, 5, { ZYDIS_MNEMONIC_LZCNT } },			/* ABM */
	{ 0x80000001, 2, 8, { ZYDIS_MNEMONIC_PREFETCHW } },
};

/* Bits that need no particular instruction handler. */
static const u32 base_bits[][4] = {
	/* leaf 1: DE PSE TSC MSR PAE SEP PGE PAT; ecx: hypervisor */
	{ 0, 0, 1U << 31, 0x1U << 2 | 1U << 3 | 1U << 4 | 1U << 5 |
			  1U << 6 | 1U << 11 | 1U << 13 | 1U << 16 },
	/* leaf 7.0 ebx: TSC_ADJUST (tsc.c), ERMS */
	{ 0, 1U << 1 | 1U << 9, 0, 0 },
	/* 0x80000001 edx: SYSCALL NX PDPE1GB RDTSCP LM */
	{ 0, 0, 0, 1U << 11 | 1U << 20 | 1U << 26 | 1U << 27 | 1U << 29 },
};

static bool feat_ok(const struct feat *f)
{
	int i;

	for (i = 0; i < 2; i++)
		if (f->need[i] && !x86_handler_for(f->need[i]))
			return false;
	return true;
}

static void put(struct kvm_cpuid_entry2 *e, u32 fn, u32 idx, u32 flags,
		const u32 r[4])
{
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = flags;
	e->eax = r[0];
	e->ebx = r[1];
	e->ecx = r[2];
	e->edx = r[3];
}

static void add_feats(u32 leaf, u32 r[4])
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(feats); i++)
		if (feats[i].leaf == leaf && feat_ok(&feats[i]))
			r[feats[i].reg] |= 1U << feats[i].bit;
}

/*
 * KVM's own leaves: 0x40000000 names the hypervisor ("KVMKVMKVM\0\0\0")
 * and its highest leaf; 0x40000001 EAX the paravirtual features kvmu
 * implements: kvmclock at both MSR pairs (CLOCKSOURCE, CLOCKSOURCE2), its
 * stable bit, and NOP_IO_DELAY (port 0x80 delays are not needed).
 */
static int x86_kvm_cpuid_leaves(struct kvm_cpuid_entry2 *e)
{
	const u32 pv = 1U << 0 | 1U << 1 | 1U << 3 | 1U << 24;

	put(&e[0], 0x40000000, 0, 0,
	    (u32[4]){ 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d });
	put(&e[1], 0x40000001, 0, 0, (u32[4]){ pv, 0, 0, 0 });
	return 2;
}

/*
 * 0x80000007 EDX bit 8, invariant TSC, as KVM reports it (CONSTANT_TSC)
 * when the host has it: a guest TSC is the host's, scaled and offset, so
 * it runs at one rate in every state and vCPUs created together agree.
 * Without it Linux on more than one non-Intel CPU marks the TSC unstable
 * ("TSCs unsynchronized").
 */
static u32 invariant_tsc(void)
{
	u32 a, b, c, d;

	__cpuid(0x80000000, a, b, c, d);
	if (a < 0x80000007)
		return 0;
	__cpuid(0x80000007, a, b, c, d);
	return d & (1U << 8);
}

int x86_supported_cpuid(struct kvm_cpuid_entry2 *e, int max)
{
	u32 r[4], h[4] = { 0, 0, 0, 0 };
	bool xsave;
	int n = 0;

	if (max < 11)
		return -E2BIG;
	__cpuid(0, h[0], h[1], h[2], h[3]);
	put(&e[n++], 0, 0, 0, (u32[4]){ 0xd, h[1], h[2], h[3] });
	__cpuid(1, h[0], h[1], h[2], h[3]);
	memcpy(r, base_bits[0], sizeof(r));
	r[0] = h[0];
	r[1] = h[1] & 0x0000ffffU;	/* brand, CLFLUSH size; APIC id 0 */
	add_feats(1, r);
	x86_irqchip_cpuid(r);
	xsave = r[2] & (1U << 26);
	put(&e[n++], 1, 0, 0, r);
	memcpy(r, base_bits[1], sizeof(r));
	add_feats(7, r);
	put(&e[n++], 7, 0, SIG_INDEX, r);
	if (xsave) {
		put(&e[n++], 0xd, 0, SIG_INDEX,
		    (u32[4]){ (u32)X86_XCR0_SUPPORTED, 576, 576, 0 });
		put(&e[n++], 0xd, 1, SIG_INDEX, (u32[4]){ 0, 0, 0, 0 });
	}
	n += x86_kvm_cpuid_leaves(&e[n]);
	put(&e[n++], 0x80000000, 0, 0, (u32[4]){ 0x80000008, 0, 0, 0 });
	memcpy(r, base_bits[2], sizeof(r));
	add_feats(0x80000001, r);
	put(&e[n++], 0x80000001, 0, 0, r);
	put(&e[n++], 0x80000007, 0, 0, (u32[4]){ 0, 0, 0, invariant_tsc() });
	put(&e[n++], 0x80000008, 0, 0, (u32[4]){ 0x3028, 0, 0, 0 });
	return n;
}

/* Copy a kvm_cpuid2 header + entries out; E2BIG when nent is too small. */
static long cpuid_out(struct kvmu_ioctl_req *r, const struct kvm_cpuid_entry2 *e,
		      u32 n, bool write_nent_on_e2big)
{
	struct kvm_cpuid2 hdr;
	int ret;

	ret = kvmu_copy_from_user(&hdr, r->uarg, sizeof(hdr));
	if (ret)
		return ret;
	if (hdr.nent < n) {
		if (write_nent_on_e2big) {
			hdr.nent = n;
			ret = kvmu_copy_to_user(r->uarg, &hdr, sizeof(hdr));
			if (ret)
				return ret;
		}
		return -E2BIG;
	}
	ret = kvmu_copy_to_user(r->uarg + sizeof(hdr), e, n * sizeof(*e));
	if (ret)
		return ret;
	hdr.nent = n;
	return kvmu_copy_to_user(r->uarg, &hdr, sizeof(hdr));
}

long x86_sys_get_supported_cpuid(struct kvmu_obj *obj KVMU_UNUSED,
				 struct kvmu_ioctl_req *r)
{
	struct kvm_cpuid_entry2 e[16];
	struct kvm_cpuid2 hdr;
	int n, ret;

	ret = kvmu_copy_from_user(&hdr, r->uarg, sizeof(hdr));
	if (ret)
		return ret;
	if (hdr.nent < 1)
		return -E2BIG;
	n = x86_supported_cpuid(e, (int)ARRAY_SIZE(e));
	if (n < 0)
		return n;
	return cpuid_out(r, e, (u32)n, false);
}

long x86_sys_get_emulated_cpuid(struct kvmu_obj *obj KVMU_UNUSED,
				struct kvmu_ioctl_req *r)
{
	struct kvm_cpuid2 hdr;
	int ret;

	ret = kvmu_copy_from_user(&hdr, r->uarg, sizeof(hdr));
	if (ret)
		return ret;
	if (hdr.nent < 1)
		return -E2BIG;
	/* nothing beyond what the CPU implements is emulated */
	return cpuid_out(r, NULL, 0, false);
}

/* kvm_find_cpuid_entry_index */
static const struct kvm_cpuid_entry2 *find(const struct x86_cpu *cpu,
					   u32 fn, u32 idx)
{
	int i;

	for (i = 0; i < cpu->nr_cpuid; i++) {
		const struct kvm_cpuid_entry2 *e = &cpu->cpuid[i];

		if (e->function == fn &&
		    (!(e->flags & SIG_INDEX) || e->index == idx))
			return e;
	}
	return NULL;
}

static bool vendor_amd(const struct kvm_cpuid_entry2 *b)
{
	/* "AuthenticAMD" / "HygonGenuine" */
	return (b->ebx == 0x68747541 && b->ecx == 0x444d4163 &&
		b->edx == 0x69746e65) ||
	       (b->ebx == 0x6f677948 && b->ecx == 0x656e6975 &&
		b->edx == 0x6e65476e);
}

static const struct kvm_cpuid_entry2 *out_of_range(const struct x86_cpu *cpu,
						   u32 *fn, u32 idx)
{
	const struct kvm_cpuid_entry2 *basic = find(cpu, 0, 0), *class;
	u32 f = *fn;

	if (!basic || vendor_amd(basic))
		return NULL;
	if (f >= 0x40000000 && f <= 0x4fffffff)
		class = find(cpu, f & 0xffffff00, 0);
	else if (f >= 0xc0000000)
		class = find(cpu, 0xc0000000, 0);
	else
		class = find(cpu, f & 0x80000000, 0);
	if (class && f <= class->eax)
		return NULL;
	*fn = basic->eax;
	return find(cpu, basic->eax, idx);
}

/* Bits KVM keeps in step with the vCPU state (kvm_update_cpuid_runtime). */
static void runtime_bits(const struct x86_cpu *cpu, u32 fn, u32 idx, u32 r[4])
{
	if (fn == 1) {
		r[2] &= ~(1U << 27);
		if ((cpu->cr4 & X86_CR4_OSXSAVE) && (r[2] & (1U << 26)))
			r[2] |= 1U << 27;
		if (!(cpu->apic_base & (1ULL << 11)))
			r[3] &= ~(1U << 9);
	} else if (fn == 0xd && (idx == 0 || (idx == 1 && (r[0] & 0xa)))) {
		/* legacy area + header: x87 and SSE only; 0xD.1 only with
		 * XSAVEC or XSAVES, as kvm_update_cpuid_runtime */
		r[1] = 576;
	}
}

void x86_cpuid(struct x86_cpu *cpu, u32 leaf, u32 sub, u32 out[4])
{
	const struct kvm_cpuid_entry2 *e = find(cpu, leaf, sub);
	u32 fn = leaf;

	if (!e)
		e = out_of_range(cpu, &fn, sub);
	if (!e) {
		memset(out, 0, 4 * sizeof(u32));
		return;
	}
	out[0] = e->eax;
	out[1] = e->ebx;
	out[2] = e->ecx;
	out[3] = e->edx;
	runtime_bits(cpu, fn, sub, out);
}

bool x86_has_feature(struct x86_cpu *cpu, u32 leaf, u32 sub, int reg,
		     int bit)
{
	struct kvm_cpuid_entry2 e[16];
	u32 out[4];
	int i, n;

	if (reg < 0 || reg > 3 || bit < 0 || bit > 31)
		return false;
	if (cpu->nr_cpuid) {
		x86_cpuid(cpu, leaf, sub, out);
		return (out[reg] >> bit) & 1;
	}
	/*
	 * No table from the VMM: like a real CPU under KVM, the guest can
	 * use every instruction the CPU implements.
	 */
	n = x86_supported_cpuid(e, (int)ARRAY_SIZE(e));
	for (i = 0; i < n; i++) {
		if (e[i].function != leaf || e[i].index != sub)
			continue;
		out[0] = e[i].eax;
		out[1] = e[i].ebx;
		out[2] = e[i].ecx;
		out[3] = e[i].edx;
		return (out[reg] >> bit) & 1;
	}
	return false;
}

bool x86_guest_has(struct x86_cpu *cpu, u32 leaf, u32 sub, int reg, int bit)
{
	u32 out[4];

	x86_cpuid(cpu, leaf, sub, out);
	return (out[reg & 3] >> (bit & 31)) & 1;
}

static int maxphyaddr(struct x86_cpu *cpu)
{
	const struct kvm_cpuid_entry2 *e = find(cpu, 0x80000000, 0);
	u32 out[4];

	if (!e || e->eax < 0x80000008)
		return 36;
	x86_cpuid(cpu, 0x80000008, 0, out);
	out[0] &= 0xff;
	/* KVM_SET_CPUID2 may claim any width: 52 is the architectural limit */
	return !out[0] ? 36 : out[0] > 52 ? 52 : (int)out[0];
}

/* Cached: every page walk asks (reserved bits), and it only changes with
 * the CPUID table (x86_set_cpuid2, a plane's copy reset cpu->maxphy). */
int x86_maxphyaddr(struct x86_cpu *cpu)
{
	if (unlikely(!cpu->maxphy))
		cpu->maxphy = (u8)maxphyaddr(cpu);
	return cpu->maxphy;
}

long x86_set_cpuid2(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvm_cpuid_entry2 e[X86_MAX_CPUID];
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_cpuid2 hdr;
	u32 i;
	int ret;

	ret = kvmu_copy_from_user(&hdr, r->uarg, sizeof(hdr));
	if (ret)
		return ret;
	if (hdr.nent > X86_MAX_CPUID)
		return -E2BIG;
	ret = kvmu_copy_from_user(e, r->uarg + sizeof(hdr),
				  hdr.nent * sizeof(e[0]));
	if (ret)
		return ret;
	if (cpu->has_run) {
		/* after KVM_RUN only the very same table is accepted */
		if ((int)hdr.nent != cpu->nr_cpuid)
			return -EINVAL;
		for (i = 0; i < hdr.nent; i++) {
			const struct kvm_cpuid_entry2 *o = &cpu->cpuid[i];

			if (o->function != e[i].function ||
			    o->index != e[i].index || o->flags != e[i].flags ||
			    o->eax != e[i].eax || o->ebx != e[i].ebx ||
			    o->ecx != e[i].ecx || o->edx != e[i].edx)
				return -EINVAL;
		}
		return 0;
	}
	for (i = 0; i < hdr.nent; i++) {
		/* kvm_check_cpuid: 48- or 57-bit linear addresses only */
		if (e[i].function == 0x80000008) {
			u32 va = (e[i].eax >> 8) & 0xff;

			if (va && va != 48 && va != 57)
				return -EINVAL;
		}
	}
	memcpy(cpu->cpuid, e, hdr.nent * sizeof(e[0]));
	cpu->nr_cpuid = (int)hdr.nent;
	cpu->cpuid_set = true;
	cpu->maxphy = 0;
	x86_tlb_flush(cpu);
	return 0;
}

long x86_get_cpuid2(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_cpuid2 hdr;
	int ret;

	ret = kvmu_copy_from_user(&hdr, r->uarg, sizeof(hdr));
	if (ret)
		return ret;
	if (hdr.nent < (u32)cpu->nr_cpuid)
		return -E2BIG;	/* the kernel does not copy nent back here */
	return cpuid_out(r, cpu->cpuid, (u32)cpu->nr_cpuid, false);
}
