// SPDX-License-Identifier: MIT
/*
 * String instructions on kvmu: REP MOVS both directions, REP STOS, REPE
 * CMPS and REPNE SCAS stopping early, a zero count, 32-bit addressing
 * (ECX/ESI/EDI), LODS, and a REP STOSB into MMIO that exits once per
 * element and resumes with rDI/rCX where it stopped.
 */
#include "x86_int_util.h"

#define D TG_DATA

static uint8_t *data(struct tguest *g)
{
	return g->mem + TG_DATA;
}

static void fill(struct tguest *g)
{
	int i;

	for (i = 0; i < 0x400; i++)
		data(g)[i] = (uint8_t)i;
}

static void test_rep_movsb_forward(void **state)
{
	static const uint8_t c[] = { 0xf3, 0xa4 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rsi = D, .rdi = D + 0x200, .rcx = 16 };

	fill(g);
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	assert_memory_equal(data(g) + 0x200, data(g), 16);
	assert_int_equal(data(g)[0x210], 0x10);
	assert_int_equal(r.rcx, 0);
	assert_int_equal(r.rsi, D + 16);
	assert_int_equal(r.rdi, D + 0x210);
}

static void test_rep_movsd_backward(void **state)
{
	static const uint8_t c[] = { 0xf3, 0xa5 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rsi = D + 12, .rdi = D + 0x20c, .rcx = 4,
			      .rflags = FL_DF };

	fill(g);
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	assert_memory_equal(data(g) + 0x200, data(g), 16);
	assert_int_equal(r.rsi, D - 4);
	assert_int_equal(r.rdi, D + 0x1fc);
	assert_true(r.rflags & FL_DF);
}

static void test_rep_stosq(void **state)
{
	static const uint8_t c[] = { 0xf3, 0x48, 0xab };
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 0x1122334455667788ULL, .rdi = D,
			      .rcx = 3 };
	uint64_t v[4];

	fill(g);
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	memcpy(v, data(g), sizeof(v));
	assert_int_equal(v[0], r.rax);
	assert_int_equal(v[2], r.rax);
	assert_int_equal(v[3], 0x1f1e1d1c1b1a1918ULL);
	assert_int_equal(r.rdi, D + 24);
}

static void test_repe_cmpsb_stops(void **state)
{
	static const uint8_t c[] = { 0xf3, 0xa6 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rsi = D, .rdi = D + 0x100, .rcx = 10 };

	memcpy(data(g), "abcX", 4);
	memcpy(data(g) + 0x100, "abcY", 4);
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	assert_int_equal(r.rcx, 6);
	assert_int_equal(r.rsi, D + 4);
	assert_false(r.rflags & FL_ZF);
	assert_true(r.rflags & FL_CF);	/* 'X' < 'Y' */
}

static void test_repne_scasb_finds(void **state)
{
	static const uint8_t c[] = { 0xf2, 0xae };
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 'l', .rdi = D, .rcx = 10 };

	memcpy(data(g), "hello", 5);
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	assert_int_equal(r.rdi, D + 3);
	assert_int_equal(r.rcx, 7);
	assert_true(r.rflags & FL_ZF);
}

static void test_rep_zero_count(void **state)
{
	static const uint8_t c[] = { 0xf3, 0xa6 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rsi = D, .rdi = D + 8, .rcx = 0,
			      .rflags = FL_ALL };

	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	assert_int_equal(r.rsi, D);
	assert_int_equal(r.rdi, D + 8);
	assert_int_equal(r.rflags & FL_ALL, FL_ALL);
}

/* 67 prefix: ECX counts, and the ECX/ESI/EDI writes zero-extend. */
static void test_addr32(void **state)
{
	static const uint8_t c[] = { 0x67, 0xf3, 0xa4 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rsi = 0xabcd000000000000ULL | D,
			      .rdi = D + 0x300,
			      .rcx = 0xffffffff00000002ULL };

	fill(g);
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	assert_int_equal(r.rcx, 0);
	assert_int_equal(r.rsi, D + 2);
	assert_int_equal(data(g)[0x301], 1);
}

static void test_lodsw(void **state)
{
	static const uint8_t c[] = { 0x66, 0xad };
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 0xffffffffffffffffULL, .rsi = D + 2 };

	fill(g);
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	assert_int_equal(r.rax, 0xffffffffffff0302ULL);
	assert_int_equal(r.rsi, D + 4);
}

/*
 * REP STOSB at gpa 0x300000 (mapped by a 2M page, outside every slot):
 * one MMIO write exit per byte, each resumed by the next KVM_RUN.
 */
static void test_rep_stos_mmio(void **state)
{
	static const uint8_t c[] = { 0xf3, 0xaa, 0xf4 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 0x5a, .rdi = 0x300000, .rcx = 3,
			      .rip = TG_CODE, .rsp = TG_STACK_TOP,
			      .rflags = 2 };
	uint64_t pde = 0x200000 | 0x83;	/* P W PS */
	int i;

	memcpy(g->mem + TG_PD + 8, &pde, 8);
	tg_put(g, TG_CODE, c, sizeof(c));
	assert_int_equal(tg_set_regs(g, &r), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
		assert_int_equal(g->run->exit_reason, KVM_EXIT_MMIO);
		assert_true(g->run->mmio.is_write);
		assert_int_equal(g->run->mmio.phys_addr, 0x300000 + i);
		assert_int_equal(g->run->mmio.len, 1);
		assert_int_equal(g->run->mmio.data[0], 0x5a);
	}
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rcx, 0);
	assert_int_equal(r.rdi, 0x300003);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, xi_setup, xi_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rep_movsb_forward), T(test_rep_movsd_backward),
		T(test_rep_stosq), T(test_repe_cmpsb_stops),
		T(test_repne_scasb_finds), T(test_rep_zero_count),
		T(test_addr32), T(test_lodsw), T(test_rep_stos_mmio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
