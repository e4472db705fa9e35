// SPDX-License-Identifier: MIT
/*
 * Table-driven checks of the general-purpose ALU on kvmu: flags of ADD,
 * ADC, SUB, SBB, INC, NEG, shifts and rotates (count 0, 1 and n), MUL,
 * IMUL, DIV/IDIV results and #DE, bit scans and tests, XADD, CMPXCHG,
 * CQO, 32-bit LEA wrap-around, CMOV zero-extension.  Each case gives RAX,
 * RBX, RCX, RDX and RFLAGS before and after; flags outside `mask` are the
 * ones the SDM leaves undefined for that case and are not checked.
 */
#include "x86_int_util.h"

struct alu_case {
	const char *name;
	uint8_t code[8];
	size_t len;
	uint64_t in[4];		/* rax rbx rcx rdx */
	uint64_t fl_in;
	uint64_t out[4];
	uint64_t fl_out;
	uint64_t mask;		/* defined flags */
	int vector;		/* expected exception, -1: none */
};

#define NOEXC -1
#define A FL_ALL

static const struct alu_case cases[] = {
	{ "add al,bl 0x7f+1", { 0x00, 0xd8 }, 2, { 0x7f, 1, 0, 0 }, 0,
	  { 0x80, 1, 0, 0 }, FL_SF | FL_OF | FL_AF, A, NOEXC },
	{ "add eax,ebx carry out", { 0x01, 0xd8 }, 2,
	  { 0xffffffff, 1, 0, 0 }, 0, { 0, 1, 0, 0 },
	  FL_CF | FL_ZF | FL_PF | FL_AF, A, NOEXC },
	{ "adc rax,rbx CF=1", { 0x48, 0x11, 0xd8 }, 3, { 1, 1, 0, 0 }, FL_CF,
	  { 3, 1, 0, 0 }, FL_PF, A, NOEXC },
	{ "sub eax,ebx 0-1 zero-extends", { 0x29, 0xd8 }, 2,
	  { 0xffffffff00000000ULL, 1, 0, 0 }, 0, { 0xffffffff, 1, 0, 0 },
	  FL_CF | FL_PF | FL_AF | FL_SF, A, NOEXC },
	{ "sbb al,bl borrow in", { 0x18, 0xd8 }, 2, { 0x80, 0, 0, 0 }, FL_CF,
	  { 0x7f, 0, 0, 0 }, FL_OF | FL_AF, A, NOEXC },
	{ "inc al keeps CF", { 0xfe, 0xc0 }, 2, { 0xff, 0, 0, 0 }, FL_CF,
	  { 0, 0, 0, 0 }, FL_CF | FL_ZF | FL_PF | FL_AF, A, NOEXC },
	{ "neg eax of 0", { 0xf7, 0xd8 }, 2, { 0, 0, 0, 0 }, FL_CF,
	  { 0, 0, 0, 0 }, FL_ZF | FL_PF, A, NOEXC },
	{ "shl eax,1 out of msb", { 0xd1, 0xe0 }, 2,
	  { 0x80000000, 0, 0, 0 }, 0, { 0, 0, 0, 0 },
	  FL_CF | FL_ZF | FL_PF | FL_OF, A & ~FL_AF, NOEXC },
	{ "shl eax,cl count 32 is 0", { 0xd3, 0xe0 }, 2,
	  { 0xffffffff12345678ULL, 0, 32, 0 }, A,
	  { 0x12345678, 0, 32, 0 }, A, A, NOEXC },
	{ "sar al,cl 9", { 0xd2, 0xf8 }, 2, { 0x80, 0, 9, 0 }, 0,
	  { 0xff, 0, 9, 0 }, FL_CF | FL_PF | FL_SF, A & ~(FL_OF | FL_AF),
	  NOEXC },
	{ "shr rax,cl 64 is 0", { 0x48, 0xd3, 0xe8 }, 3, { 5, 0, 64, 0 },
	  FL_ZF, { 5, 0, 64, 0 }, FL_ZF, A, NOEXC },
	{ "rol eax,4", { 0xc1, 0xc0, 0x04 }, 3, { 0x12345678, 0, 0, 0 }, 0,
	  { 0x23456781, 0, 0, 0 }, FL_CF, A & ~FL_OF, NOEXC },
	{ "rcr al,1 through CF", { 0xd0, 0xd8 }, 2, { 1, 0, 0, 0 }, FL_CF,
	  { 0x80, 0, 0, 0 }, FL_CF | FL_OF, A, NOEXC },
	{ "rcl ax,cl 17 is a no-op", { 0x66, 0xd3, 0xd0 }, 3,
	  { 0x1234, 0, 17, 0 }, FL_CF, { 0x1234, 0, 17, 0 }, FL_CF,
	  FL_CF, NOEXC },
	{ "shld eax,ebx,4", { 0x0f, 0xa4, 0xd8, 0x04 }, 4,
	  { 0x12345678, 0xabcdef01, 0, 0 }, 0,
	  { 0x2345678a, 0xabcdef01, 0, 0 }, FL_CF,
	  FL_CF | FL_SF | FL_ZF | FL_PF, NOEXC },
	{ "mul rbx overflow", { 0x48, 0xf7, 0xe3 }, 3,
	  { 1ULL << 63, 4, 0, 0 }, 0, { 0, 4, 0, 2 }, FL_CF | FL_OF,
	  FL_CF | FL_OF, NOEXC },
	{ "imul eax,ebx,-3", { 0x6b, 0xc3, 0xfd }, 3,
	  { 0xffffffff00000000ULL, 5, 0, 0 }, FL_CF | FL_OF,
	  { 0xfffffff1, 5, 0, 0 }, 0, FL_CF | FL_OF, NOEXC },
	{ "imul bl overflow", { 0xf6, 0xeb }, 2, { 0x40, 4, 0, 0 }, 0,
	  { 0x100, 4, 0, 0 }, FL_CF | FL_OF, FL_CF | FL_OF, NOEXC },
	{ "div rcx 128/64", { 0x48, 0xf7, 0xf1 }, 3, { 0, 0, 2, 1 }, 0,
	  { 1ULL << 63, 0, 2, 0 }, 0, 0, NOEXC },
	{ "div rcx by zero: #DE", { 0x48, 0xf7, 0xf1 }, 3, { 7, 0, 0, 0 }, 0,
	  { 7, 0, 0, 0 }, 0, 0, 0 },
	{ "div cl quotient overflow: #DE", { 0xf6, 0xf1 }, 2,
	  { 0x1000, 0, 0x10, 0 }, 0, { 0x1000, 0, 0x10, 0 }, 0, 0, 0 },
	{ "idiv rcx INT64_MIN/-1: #DE", { 0x48, 0xf7, 0xf9 }, 3,
	  { 1ULL << 63, 0, ~0ULL, ~0ULL }, 0,
	  { 1ULL << 63, 0, ~0ULL, ~0ULL }, 0, 0, 0 },
	{ "idiv rcx -7/2", { 0x48, 0xf7, 0xf9 }, 3,
	  { (uint64_t)-7, 0, 2, ~0ULL }, 0,
	  { (uint64_t)-3, 0, 2, (uint64_t)-1 }, 0, 0, NOEXC },
	{ "bsf rax,rbx zero source", { 0x48, 0x0f, 0xbc, 0xc3 }, 4,
	  { 0x1234, 0, 0, 0 }, 0, { 0x1234, 0, 0, 0 }, FL_ZF, FL_ZF, NOEXC },
	{ "bsr eax,ebx", { 0x0f, 0xbd, 0xc3 }, 3,
	  { ~0ULL, 0x10010, 0, 0 }, FL_ZF, { 16, 0x10010, 0, 0 }, 0, FL_ZF,
	  NOEXC },
	{ "bt rax,rbx offset mod 64", { 0x48, 0x0f, 0xa3, 0xd8 }, 4,
	  { 2, 65, 0, 0 }, 0, { 2, 65, 0, 0 }, FL_CF, FL_CF, NOEXC },
	{ "btc eax,5", { 0x0f, 0xba, 0xf8, 0x05 }, 4, { 0x20, 0, 0, 0 }, 0,
	  { 0, 0, 0, 0 }, FL_CF, FL_CF, NOEXC },
	{ "xadd eax,ebx", { 0x0f, 0xc1, 0xd8 }, 3, { 1, 2, 0, 0 }, 0,
	  { 3, 1, 0, 0 }, FL_PF, A, NOEXC },
	{ "cmpxchg ecx,ebx equal", { 0x0f, 0xb1, 0xd9 }, 3, { 5, 9, 5, 0 }, 0,
	  { 5, 9, 9, 0 }, FL_ZF | FL_PF, A, NOEXC },
	{ "cmpxchg ecx,ebx differ", { 0x0f, 0xb1, 0xd9 }, 3,
	  { 0xffffffff00000005ULL, 9, 0x1234567800000007ULL, 0 }, 0,
	  { 7, 9, 0x1234567800000007ULL, 0 },
	  FL_CF | FL_SF | FL_AF, A, NOEXC },
	{ "cqo", { 0x48, 0x99 }, 2, { (uint64_t)-2, 0, 0, 0 }, 0,
	  { (uint64_t)-2, 0, 0, ~0ULL }, 0, 0, NOEXC },
	{ "lea eax,[ecx+ebx] wraps", { 0x67, 0x8d, 0x04, 0x19 }, 4,
	  { ~0ULL, 2, 0xffffffff, 0 }, 0, { 1, 2, 0xffffffff, 0 }, 0, 0,
	  NOEXC },
	{ "cmovz eax,ebx false still zero-extends", { 0x0f, 0x44, 0xc3 }, 3,
	  { 0xffffffff00000005ULL, 9, 0, 0 }, 0, { 5, 9, 0, 0 }, 0, 0,
	  NOEXC },
	{ "popcnt rax,rbx", { 0xf3, 0x48, 0x0f, 0xb8, 0xc3 }, 5,
	  { 0, 0xf0f0, 0, 0 }, A, { 8, 0xf0f0, 0, 0 }, 0, A, NOEXC },
};

static void run_case(struct tguest *g, const struct alu_case *c)
{
	struct kvm_regs r;
	int v;

	memset(&r, 0, sizeof(r));
	r.rax = c->in[0];
	r.rbx = c->in[1];
	r.rcx = c->in[2];
	r.rdx = c->in[3];
	r.rflags = c->fl_in;
	v = xi_run(g, c->code, c->len, &r);
	print_message("  %s\n", c->name);
	assert_int_equal(v, c->vector);
	assert_int_equal(r.rax, c->out[0]);
	assert_int_equal(r.rbx, c->out[1]);
	assert_int_equal(r.rcx, c->out[2]);
	assert_int_equal(r.rdx, c->out[3]);
	if (v < 0)
		assert_int_equal(r.rflags & c->mask, c->fl_out & c->mask);
}

static void test_alu_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(*state, &cases[i]);
}

/* LZCNT without ABM in the guest CPUID runs as BSR, as on old CPUs. */
static void test_lzcnt_gate(void **state)
{
	static const uint8_t lzcnt[] = { 0xf3, 0x0f, 0xbd, 0xc3 };
	struct tguest *g = *state;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 128 *
				      sizeof(struct kvm_cpuid_entry2));
	struct kvm_regs r = { .rbx = 1 };
	uint32_t i;

	assert_non_null(c);
	c->nent = 128;
	assert_int_equal(tg_ioctl(g, g->sys, KVM_GET_SUPPORTED_CPUID, c), 0);
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0x80000001)
			c->entries[i].ecx &= ~(1u << 5);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_CPUID2, c), 0);
	free(c);
	assert_int_equal(xi_run(g, lzcnt, sizeof(lzcnt), &r), -1);
	assert_int_equal(r.rax, 0);	/* BSR of 1 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alu_table, xi_setup,
						xi_teardown),
		cmocka_unit_test_setup_teardown(test_lzcnt_gate, xi_setup,
						xi_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
