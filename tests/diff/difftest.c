// SPDX-License-Identifier: MIT
/*
 * The differential instruction tester: random 64-bit instruction sequences
 * (gen.c) run on kvmu and on the kernel's /dev/kvm from the same initial
 * state (random GPRs and flags, random data area at R15, empty stack),
 * ending with OUT to port 0xe9.  The sequences run at CPL 3 (IOPL 3):
 * on kvm_pvm that is where guest code runs on the CPU itself, while CPL-0
 * code goes through KVM's instruction emulator (docs/).  All GPRs, rip,
 * RFLAGS (minus the flags the sequence left architecturally undefined),
 * the data area and the stack are compared.  Without a usable /dev/kvm
 * only kvmu runs, and every sequence must still reach its final OUT with
 * no exception or internal error.  With -e the oracle is kvmu itself with
 * the other execution engine: translated blocks with the specialised
 * handlers (KVMU_ENGINE=block) against the reference interpreter, one
 * instruction at a time through the generic handlers only
 * (KVMU_ENGINE=ref), compared exactly (no flag is masked: the specialised
 * handlers must produce what the generic ones do).
 *
 *   difftest [-n N] [-s SEED] [-l MAXLEN] [-v] [-k] [-e] [-E ENGINE]
 *   (-k: kvmu only; -e: kvmu's block engine against its reference
 *   interpreter; -E interp: the interpreter with the specialised handlers
 *   against the reference; -E jit: the JIT, host code at a block's first
 *   entry unless KVMU_JIT_HOT says otherwise; -j: the JIT fuzz, -E jit
 *   plus self-modifying code, each sequence run twice with the data
 *   pages remapped between the runs, see jitfuzz.c)
 */
#include <Zydis/Zydis.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen.h"
#include "jitfuzz.h"
#include "x86_guest.h"

#define MAX_SHOWN 20

/*
 * kvm_pvm reports RFLAGS.IOPL as 0 once a CPL-3 guest has run with IOPL 3
 * (docs/kvm-pvm-oracle.md): an oracle artifact, not compared.
 */
#define IOPL_ORACLE 0x3000ULL

struct outcome {
	int exit;
	struct kvm_regs regs;
	uint8_t data[GEN_DATA_SIZE];
	uint8_t stack[GEN_STACK_CMP];
};

struct state {
	struct kvm_regs regs;
	uint8_t data[GEN_DATA_SIZE];
};

static const char *const reg_names[18] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9",
	"r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags",
};

static __u64 *reg_at(struct kvm_regs *r, int i)
{
	return &r->rax + i;	/* struct kvm_regs is 18 u64 in this order */
}

static void init_state(struct gen *g, struct state *s)
{
	static const uint64_t flags = 0x8d5 | 0x400;	/* arith + DF */
	size_t i;
	int k;

	for (k = 0; k < 16; k++) {
		uint64_t v = gen_rand(g);

		switch (gen_rand(g) % 6) {
		case 0: v &= 0xff; break;
		case 1: v = (uint64_t)(int64_t)(int32_t)v; break;
		case 2: v = gen_rand(g) % 3 - 1; break;
		default: break;
		}
		*reg_at(&s->regs, k) = v;
	}
	s->regs.rsp = TG_STACK_TOP;
	s->regs.r15 = TG_DATA;
	s->regs.rip = TG_CODE;
	s->regs.rflags = 0x3002 | (gen_rand(g) & flags);	/* IOPL 3 */
	for (i = 0; i < sizeof(s->data); i += 8) {
		uint64_t v = gen_rand(g);

		memcpy(s->data + i, &v, 8);
	}
}

/* Guest-physical address of the data pages (difftest -j remaps them). */
static uint64_t data_phys = TG_DATA;

static int run_side(struct tguest *tg, const struct gen *g,
		    const struct state *s, struct outcome *o)
{
	tg_put(tg, TG_CODE, g->code, g->len);
	tg_put(tg, data_phys, s->data, sizeof(s->data));
	memset(tg->mem + TG_STACK_TOP - GEN_STACK_CMP, 0, GEN_STACK_CMP);
	if (tg_set_regs(tg, &s->regs) < 0)
		return -1;
	o->exit = tg_ioctl(tg, tg->vcpu, KVM_RUN, NULL) < 0 ? -1 :
		  (int)tg->run->exit_reason;
	/*
	 * Complete the OUT the way a VMM does before touching the state:
	 * KVM_RUN with immediate_exit finishes pending I/O and returns EINTR.
	 */
	tg->run->immediate_exit = 1;
	tg_ioctl(tg, tg->vcpu, KVM_RUN, NULL);
	tg->run->immediate_exit = 0;
	if (tg_get_regs(tg, &o->regs) < 0)
		return -1;
	memcpy(o->data, tg->mem + data_phys, sizeof(o->data));
	memcpy(o->stack, tg->mem + TG_STACK_TOP - GEN_STACK_CMP,
	       sizeof(o->stack));
	return 0;
}

static void disasm(const struct gen *g)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction in;
	ZydisFormatter f;
	ZydisDecoder d;
	size_t off = 0;
	char buf[128];

	ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_INTEL);
	while (off < g->len &&
	       ZYAN_SUCCESS(ZydisDecoderDecodeFull(&d, g->code + off,
						   g->len - off, &in, ops))) {
		ZydisFormatterFormatInstruction(&f, &in, ops,
						in.operand_count_visible, buf,
						sizeof(buf), TG_CODE + off,
						NULL);
		printf("    %06zx  %s\n", TG_CODE + off, buf);
		off += in.length;
	}
}

static void show_state(const char *what, const struct state *s)
{
	int k;

	printf("  %s:", what);
	for (k = 0; k < 18; k++)
		printf("%s%s=%" PRIx64, k % 6 ? " " : "\n    ", reg_names[k],
		       (uint64_t)*reg_at((struct kvm_regs *)&s->regs, k));
	printf("\n");
}

/* Compare; print the differences when show.  Returns true if equal. */
static bool compare(const struct outcome *a, const struct outcome *b,
		    uint64_t fmask, bool show)
{
	bool same = a->exit == b->exit;
	size_t i;
	int k;

	if (!same && show)
		printf("  exit: kvmu %d, kvm %d\n", a->exit, b->exit);
	for (k = 0; k < 18; k++) {
		uint64_t x = *reg_at((struct kvm_regs *)&a->regs, k);
		uint64_t y = *reg_at((struct kvm_regs *)&b->regs, k);
		uint64_t m = k == 17 ? ~(fmask | IOPL_ORACLE) : ~0ULL;

		if ((x & m) == (y & m))
			continue;
		same = false;
		if (show)
			printf("  %s: kvmu %#" PRIx64 ", kvm %#" PRIx64 "%s\n",
			       reg_names[k], x, y, k == 17 ? " (masked)" : "");
	}
	for (i = 0; i < sizeof(a->data); i++)
		if (a->data[i] != b->data[i]) {
			same = false;
			if (show)
				printf("  data+%#zx: kvmu %02x, kvm %02x\n", i,
				       a->data[i], b->data[i]);
		}
	for (i = 0; i < sizeof(a->stack); i++)
		if (a->stack[i] != b->stack[i]) {
			same = false;
			if (show)
				printf("  stack-%#zx: kvmu %02x, kvm %02x\n",
				       GEN_STACK_CMP - i, a->stack[i],
				       b->stack[i]);
		}
	return same;
}

/* kvmu alone: the sequence must reach its final OUT. */
static bool sane(const struct outcome *a, const struct gen *g, bool show)
{
	if (a->exit == KVM_EXIT_IO && a->regs.rip == TG_CODE + g->len)
		return true;
	if (show) {
		printf("  kvmu: exit %d at rip %#llx", a->exit,
		       (unsigned long long)a->regs.rip);
		if (tg_exception_at(a->regs.rip) >= 0)
			printf(" (exception vector %d)",
			       tg_exception_at(a->regs.rip));
		printf("\n");
	}
	return false;
}

static uint32_t features(struct tguest *tg)
{
	uint32_t c1[4] = { 0 }, c7[4] = { 0 }, e1[4] = { 0 }, f = 0;

	tg_supported_cpuid(tg, 1, 0, c1);
	tg_supported_cpuid(tg, 7, 0, c7);
	tg_supported_cpuid(tg, 0x80000001, 0, e1);
	f |= (c1[2] >> 23 & 1) ? FEAT_POPCNT : 0;
	f |= (c1[2] >> 22 & 1) ? FEAT_MOVBE : 0;
	f |= (c1[2] >> 13 & 1) ? FEAT_CX16 : 0;
	f |= (e1[2] & 1) ? FEAT_LAHF : 0;
	f |= (e1[2] >> 5 & 1) ? FEAT_ABM : 0;
	f |= (c7[1] >> 3 & 1) ? FEAT_BMI1 : 0;
	return f;
}

static int setup(struct tguest *tg, const struct tg_backend *be)
{
	if (tg_create(tg, be) < 0)
		return -1;
	if (tg_set_supported_cpuid(tg) < 0 ||
	    tg_user_mode(tg, TG_CODE, TG_STACK_TOP) < 0) {
		tg_destroy(tg);
		return -1;
	}
	return 0;
}

/*
 * difftest -j: run the sequence once on both sides (its first outcomes
 * must agree too: a divergence there is reported as in the second run),
 * then remap the data pages (or map them back) on both, so the caller's
 * second run meets host code made in the first and a new translation.
 */
static int jit_round(struct tguest *ku, struct tguest *kv, struct gen *g,
		     const struct state *s, struct outcome *a,
		     struct outcome *b)
{
	bool alt = data_phys == TG_DATA;

	if (run_side(ku, g, s, a) < 0 || run_side(kv, g, s, b) < 0) {
		printf("difftest: run failed: %s\n", strerror(errno));
		return -1;
	}
	if (!compare(a, b, 0, false)) {
		printf("difftest -j: first run diverged:\n");
		compare(a, b, 0, true);
		return -1;
	}
	if (gen_rand(g) % 2)
		return 0;
	if (jf_remap(ku, alt) < 0 || jf_remap(kv, alt) < 0) {
		printf("difftest: remap failed: %s\n", strerror(errno));
		return -1;
	}
	data_phys = jf_data_phys(alt);
	return 0;
}

struct opts {
	long n;
	uint64_t seed;
	int maxlen;
	bool verbose, kvmu_only, engines, jitfuzz;
	const char *engine;	/* -E: the engine under test (-e: block) */
};

static void parse(int argc, char **argv, struct opts *o)
{
	int c;

	o->n = 1000;
	o->seed = 1;
	o->maxlen = 10;
	o->engine = "block";
	while ((c = getopt(argc, argv, "n:s:l:vkeE:j")) != -1) {
		switch (c) {
		case 'n': o->n = strtol(optarg, NULL, 0); break;
		case 's': o->seed = strtoull(optarg, NULL, 0); break;
		case 'l': o->maxlen = atoi(optarg); break;
		case 'v': o->verbose = true; break;
		case 'k': o->kvmu_only = true; break;
		case 'e': o->engines = true; break;
		case 'E': o->engines = true; o->engine = optarg; break;
		case 'j': o->engines = o->jitfuzz = true; o->engine = "jit";
			break;
		default:
			fprintf(stderr, "usage: difftest [-n N] [-s SEED] "
				"[-l MAXLEN] [-v] [-k] [-e] [-E ENGINE] [-j]\n");
			exit(2);
		}
	}
	if (o->maxlen < 1)
		o->maxlen = 1;
}

int main(int argc, char **argv)
{
	static struct outcome a, b;
	static struct state s;
	static struct gen g;
	struct tguest ku, kv;
	long i, bad = 0, insns = 0;
	bool have_kvm;
	struct opts o = { 0 };

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse(argc, argv, &o);
	/* KVMU_ENGINE is read when a vCPU is created */
	if (o.engines)
		setenv("KVMU_ENGINE", o.engine, 1);
	/* each sequence runs once: host code at a block's first entry */
	if (o.engines && !strcmp(o.engine, "jit"))
		setenv("KVMU_JIT_HOT", "1", 0);
#ifdef DIFFTEST_KVM_VS_KVM	/* checks the generator itself */
	if (setup(&ku, &tg_kvm) < 0) {
#else
	if (setup(&ku, &tg_kvmu) < 0) {
#endif
		printf("difftest: cannot set up a kvmu guest: %s\n",
		       strerror(errno));
		return 1;
	}
	if (o.engines) {
		setenv("KVMU_ENGINE", "ref", 1);
		if (setup(&kv, &tg_kvmu) < 0) {
			printf("difftest: cannot set up the interpreter "
			       "guest: %s\n", strerror(errno));
			return 1;
		}
		have_kvm = true;
	} else {
		have_kvm = !o.kvmu_only && setup(&kv, &tg_kvm) == 0;
	}
	if (!have_kvm)
		printf("difftest: /dev/kvm %s%s: running kvmu alone "
		       "(no oracle: checks only that every sequence "
		       "completes)\n", o.kvmu_only ? "not used" : "unusable: ",
		       o.kvmu_only ? "" : strerror(errno));
	g.feat = features(&ku);
	g.rng = o.seed * 0x9e3779b97f4a7c15ULL + 1;
	for (i = 0; i < o.n; i++) {
		gen_sequence(&g, 1 + (int)(gen_rand(&g) % (uint64_t)o.maxlen));
		if (o.jitfuzz && gen_rand(&g) % 2)
			jf_smc(&g, gen_rand(&g));
		init_state(&g, &s);
		insns += g.ninsn;
		if (o.jitfuzz && jit_round(&ku, &kv, &g, &s, &a, &b) < 0)
			return 1;
		if (run_side(&ku, &g, &s, &a) < 0 ||
		    (have_kvm && run_side(&kv, &g, &s, &b) < 0)) {
			printf("difftest: run failed: %s\n", strerror(errno));
			return 1;
		}
		if (have_kvm ? compare(&a, &b, o.engines ? 0 : g.undef,
				       false) :
			       sane(&a, &g, false))
			continue;
		if (++bad <= MAX_SHOWN || o.verbose) {
			printf("divergence in sequence %ld (seed %" PRIu64
			       "), undefined flags %#x:\n", i, o.seed,
			       g.undef);
			disasm(&g);
			show_state("initial", &s);
			if (have_kvm)
				compare(&a, &b, o.engines ? 0 : g.undef,
					true);
			else
				sane(&a, &g, true);
		}
	}
	printf("difftest: %ld sequences, %ld divergences (%ld instructions, "
	       "seed %" PRIu64 ", %s)\n", o.n, bad, insns, o.seed,
	       o.engines ? (!strcmp(o.engine, "block") ?
			    "kvmu blocks vs kvmu interpreter (ref)" :
			    o.jitfuzz ?
			    "JIT fuzz: kvmu jit vs kvmu interpreter (ref)" :
			    !strcmp(o.engine, "jit") ?
			    "kvmu jit vs kvmu interpreter (ref)" :
			    "kvmu interp vs kvmu interpreter (ref)") :
	       have_kvm ? "kvmu vs /dev/kvm" : "kvmu only");
	tg_destroy(&ku);
	if (have_kvm)
		tg_destroy(&kv);
	return bad ? 1 : 0;
}
