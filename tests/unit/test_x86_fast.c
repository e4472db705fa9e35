// SPDX-License-Identifier: MIT
/*
 * The specialised handlers (src/arch/x86/fast.c) against the generic ones
 * on shapes the random difftest rarely makes: memory through FS, loads and
 * stores that cross a page (the fast path must hand them over), RIP-relative
 * and 32-bit LEA, PUSH/POP including PUSH RSP, byte and word read-modify-
 * writes, shifts by CL, AH as an operand, a loop with Jcc.  The same code
 * runs with KVMU_ENGINE=ref (generic handlers alone), interp and block;
 * registers, RFLAGS, the data pages and the stack must be identical, and
 * a few values are checked outright.  On /dev/kvm, where usable, the
 * registers must match too (RFLAGS aside: shifts by more than one leave
 * OF undefined).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "x86_guest.h"

/* The code, assembled from this (Intel syntax):
 *   mov rax, 0x1122334455667788; mov [rbx], rax; add qword [rbx+8], rax
 *   adc dword [rbx+16], eax; mov ecx, [rbx+0xffe]; add ecx, [rbx+0xffc]
 *   mov word [rbx+0xfff], cx; mov rdx, fs:[8]; xor rdx, fs:[0]
 *   sub byte fs:[24], dl; push rax; push -5; pop rsi; pop rdi; push rsp
 *   pop r9; lea r8, [rip+0x100]; lea r10d, [rbx+rcx*4+7]
 *   movzx r11d, byte [rbx+1]; movsx r12, word [rbx+2]
 *   movsxd r13, dword [rbx+4]; mov r14, rax; ror r14, 13; rol r14d, 7
 *   shl r14, cl; sar r14, 3; shr r14d, 1; neg qword [rbx+32]
 *   not dword [rbx+40]; inc byte [rbx+48]; dec word [rbx+50]
 *   test byte [rbx+1], 0x80; cmp ax, [rbx+2]; sbb r14, [rbx]
 *   and dl, ah; or ah, dl; mov ecx, 40
 *   loop1: add r15, rcx; xor r15, rax; sub ecx, 1; jnz loop1
 *   cmp r15, rax; jb below; inc rbp; below: out 0xe9, al
 */
static const uint8_t code[] = {
	0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x48, 0x89,
	0x03, 0x48, 0x01, 0x43, 0x08, 0x11, 0x43, 0x10, 0x8b, 0x8b, 0xfe, 0x0f,
	0x00, 0x00, 0x03, 0x8b, 0xfc, 0x0f, 0x00, 0x00, 0x66, 0x89, 0x8b, 0xff,
	0x0f, 0x00, 0x00, 0x64, 0x48, 0x8b, 0x14, 0x25, 0x08, 0x00, 0x00, 0x00,
	0x64, 0x48, 0x33, 0x14, 0x25, 0x00, 0x00, 0x00, 0x00, 0x64, 0x28, 0x14,
	0x25, 0x18, 0x00, 0x00, 0x00, 0x50, 0x6a, 0xfb, 0x5e, 0x5f, 0x54, 0x41,
	0x59, 0x4c, 0x8d, 0x05, 0x00, 0x01, 0x00, 0x00, 0x44, 0x8d, 0x54, 0x8b,
	0x07, 0x44, 0x0f, 0xb6, 0x5b, 0x01, 0x4c, 0x0f, 0xbf, 0x63, 0x02, 0x4c,
	0x63, 0x6b, 0x04, 0x49, 0x89, 0xc6, 0x49, 0xc1, 0xce, 0x0d, 0x41, 0xc1,
	0xc6, 0x07, 0x49, 0xd3, 0xe6, 0x49, 0xc1, 0xfe, 0x03, 0x41, 0xd1, 0xee,
	0x48, 0xf7, 0x5b, 0x20, 0xf7, 0x53, 0x28, 0xfe, 0x43, 0x30, 0x66, 0xff,
	0x4b, 0x32, 0xf6, 0x43, 0x01, 0x80, 0x66, 0x3b, 0x43, 0x02, 0x4c, 0x1b,
	0x33, 0x20, 0xe2, 0x08, 0xd4, 0xb9, 0x28, 0x00, 0x00, 0x00, 0x49, 0x01,
	0xcf, 0x49, 0x31, 0xc7, 0x83, 0xe9, 0x01, 0x75, 0xf5, 0x49, 0x39, 0xc7,
	0x72, 0x03, 0x48, 0xff, 0xc5, 0xe6, 0xe9,
};

#define DATA_LEN	0x1100	/* two pages touched */
#define FS_BASE		(TG_DATA + 0x100)

struct result {
	struct kvm_regs regs;
	uint8_t data[DATA_LEN];
	uint8_t stack[64];
};

/* Run the code on backend be with engine (NULL: leave the environment);
 * false if the backend is unusable (only /dev/kvm may be). */
static bool run(const struct tg_backend *be, const char *engine,
		struct result *r)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct tguest g;
	size_t i;

	if (engine)
		setenv("KVMU_ENGINE", engine, 1); /* read by vCPU creation */
	if (tg_create(&g, be) < 0) {
		assert_ptr_equal(be, &tg_kvm);
		return false;
	}
	for (i = 0; i < DATA_LEN; i++)
		g.mem[TG_DATA + i] = (uint8_t)(i * 37 + 11);
	tg_put(&g, TG_CODE, code, sizeof(code));
	assert_int_equal(tg_user_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_SREGS, &sregs), 0);
	sregs.fs.base = FS_BASE;
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_SET_SREGS, &sregs), 0);
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	regs.rbx = TG_DATA;
	regs.rbp = 7;
	regs.r15 = 0x0123456789abcdefULL;
	assert_int_equal(tg_set_regs(&g, &regs), 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, 0xe9);
	assert_int_equal(tg_get_regs(&g, &r->regs), 0);
	memcpy(r->data, g.mem + TG_DATA, DATA_LEN);
	memcpy(r->stack, g.mem + TG_STACK_TOP - sizeof(r->stack),
	       sizeof(r->stack));
	tg_destroy(&g);
	return true;
}

static void check_same(const struct result *a, const struct result *b,
		       bool flags)
{
	struct kvm_regs x = a->regs, y = b->regs;

	if (!flags)
		x.rflags = y.rflags = 0;
	assert_memory_equal(&x, &y, sizeof(x));
	assert_memory_equal(a->data, b->data, sizeof(a->data));
	assert_memory_equal(a->stack, b->stack, sizeof(a->stack));
}

static struct result ref;

static int setup(void **state)
{
	(void)state;
	if (!run(&tg_kvmu, "ref", &ref))
		return -1;
	return 0;
}

static void test_ref_values(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(ref.regs.rax, 0x1122334455667788ULL);
	assert_int_equal(ref.regs.rsi, (uint64_t)-5);
	assert_int_equal(ref.regs.rdi, 0x1122334455667788ULL);
	assert_int_equal(ref.regs.r9, TG_STACK_TOP);
	assert_int_equal(ref.regs.rsp, TG_STACK_TOP);
	assert_int_equal(ref.regs.rcx, 0);
	memcpy(&v, ref.data, 8);
	assert_int_equal(v, 0x1122334455667788ULL);
	/* r8: rip-relative, from the end of the LEA (offset 0x49 + 7) */
	assert_int_equal(ref.regs.r8, TG_CODE + 0x50 + 0x100);
}

static void test_interp(void **state)
{
	struct result r;

	(void)state;
	assert_true(run(&tg_kvmu, "interp", &r));
	check_same(&ref, &r, true);
}

static void test_block(void **state)
{
	struct result r;

	(void)state;
	assert_true(run(&tg_kvmu, "block", &r));
	check_same(&ref, &r, true);
}

static void test_kernel(void **state)
{
	struct result r;

	(void)state;
	if (run(&tg_kvm, NULL, &r))
		check_same(&ref, &r, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_values),
		cmocka_unit_test(test_interp),
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_kernel),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
