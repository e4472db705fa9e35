// SPDX-License-Identifier: MIT
/*
 * REP string instructions over MMIO of any length, as KVM's emulator runs
 * them: one KVM_EXIT_MMIO per element (reads before the element, writes
 * after it), rCX/rSI/rDI moved past every element that left, nothing lost
 * or repeated, both directions, RAM and MMIO mixed in one instruction,
 * and a stop between two elements (immediate_exit) that resumes.
 *
 * The device is a 64 KiB byte array at gpa 2 MiB, right after the RAM
 * slot (a 2 MiB page maps it); the test answers every exit from it and
 * counts the exits by kind.
 */
#include <errno.h>
#include <stdbool.h>

#include "x86_int_util.h"

#define MMIO		TG_MEM_SIZE	/* right after RAM */
#define DEV_SIZE	0x10000U
#define D		TG_DATA

struct dev {
	uint8_t mem[DEV_SIZE];
	int reads, writes, pio_in, pio_out;
	int bad;		/* exits outside the device or odd sizes */
	uint8_t out[0x8000];	/* what OUTS sent */
	unsigned int nout;
};

static struct dev dev;

static int setup(void **state)
{
	uint64_t pde = 0x200000 | 0x83;	/* P W PS: 2 MiB..4 MiB */
	struct tguest *g;

	xi_setup(state);
	g = *state;
	memcpy(g->mem + TG_PD + 8, &pde, 8);
	memset(&dev, 0, sizeof(dev));
	return 0;
}

static void mmio_exit(struct kvm_run *run)
{
	uint64_t a = run->mmio.phys_addr;
	uint32_t len = run->mmio.len;

	if (a < MMIO || a + len > MMIO + DEV_SIZE || !len || len > 8) {
		dev.bad++;
		return;
	}
	if (run->mmio.is_write) {
		memcpy(dev.mem + (a - MMIO), run->mmio.data, len);
		dev.writes++;
	} else {
		memcpy(run->mmio.data, dev.mem + (a - MMIO), len);
		dev.reads++;
	}
}

static void io_exit(struct kvm_run *run)
{
	uint8_t *p = (uint8_t *)run + run->io.data_offset;
	size_t n = (size_t)run->io.size * run->io.count, i;

	if (run->io.direction == KVM_EXIT_IO_IN) {
		for (i = 0; i < n; i++)
			p[i] = (uint8_t)(0x80 + i);
		dev.pio_in++;
	} else {
		if (dev.nout + n <= sizeof(dev.out))
			memcpy(dev.out + dev.nout, p, n);
		dev.nout += (unsigned int)n;
		dev.pio_out++;
	}
}

/* KVM_RUN until HLT or until stop_after exits; the last exit reason. */
static int run_dev(struct tguest *g, int stop_after)
{
	struct kvm_run *run = g->run;
	int i;

	for (i = 0; i < 100000; i++) {
		if (stop_after >= 0 &&
		    dev.reads + dev.writes + dev.pio_in + dev.pio_out ==
		    stop_after)
			return -2;
		assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
		if (run->exit_reason == KVM_EXIT_MMIO)
			mmio_exit(run);
		else if (run->exit_reason == KVM_EXIT_IO)
			io_exit(run);
		else
			return (int)run->exit_reason;
	}
	return -1;
}

/* Code (HLT appended) from r; runs to the HLT; r gets the registers. */
static void run_code(struct tguest *g, const uint8_t *c, size_t len,
		     struct kvm_regs *r)
{
	tg_put(g, TG_CODE, c, len);
	g->mem[TG_CODE + len] = 0xf4;
	r->rip = TG_CODE;
	r->rsp = TG_STACK_TOP;
	r->rflags |= 2;
	assert_int_equal(tg_set_regs(g, r), 0);
	assert_int_equal(run_dev(g, -1), KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, r), 0);
	assert_int_equal(r->rip, TG_CODE + len + 1);
	assert_int_equal(dev.bad, 0);
}

static void fill_ram(struct tguest *g, uint64_t gpa, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		g->mem[gpa + i] = (uint8_t)(i * 7 + 3);
}

/* rep stos{b,w,d} of n elements, forward or backward. */
static void stos(void **state, uint8_t op, int size, uint32_t n, bool down)
{
	uint8_t c[] = { 0xf3, 0x66, op };
	const uint8_t *code = size == 2 ? c : (uint8_t[]){ 0xf3, op };
	size_t len = size == 2 ? 3 : 2;
	struct tguest *g = *state;
	uint64_t start = down ? MMIO + DEV_SIZE - size : MMIO;
	uint64_t lo = down ? start - (uint64_t)(n - 1) * size : start;
	struct kvm_regs r = { .rax = 0x1122334455667788ULL, .rdi = start,
			      .rcx = n, .rflags = down ? FL_DF : 0 };
	uint32_t i;

	memset(dev.mem, 0xee, sizeof(dev.mem));
	run_code(g, code, len, &r);
	assert_int_equal(dev.writes, n);
	assert_int_equal(dev.reads, 0);
	assert_int_equal(r.rcx, 0);
	assert_int_equal(r.rdi, down ? lo - size : start + (uint64_t)n * size);
	for (i = 0; i < n * (uint32_t)size; i++)
		assert_int_equal(dev.mem[lo - MMIO + i],
				 (uint8_t)(0x88 - i % size * 0x11));
	/* nothing beyond the block */
	if (!down && lo - MMIO + n * size < DEV_SIZE)
		assert_int_equal(dev.mem[lo - MMIO + n * size], 0xee);
	if (down && lo > MMIO)
		assert_int_equal(dev.mem[lo - MMIO - 1], 0xee);
}

static void test_stosb_1(void **s) { stos(s, 0xaa, 1, 1, false); }
static void test_stosb_5(void **s) { stos(s, 0xaa, 1, 5, false); }
static void test_stosb_100(void **s) { stos(s, 0xaa, 1, 100, false); }
static void test_stosb_5000_down(void **s) { stos(s, 0xaa, 1, 5000, true); }
static void test_stosw_5(void **s) { stos(s, 0xab, 2, 5, false); }
static void test_stosw_5000(void **s) { stos(s, 0xab, 2, 5000, false); }
static void test_stosw_100_down(void **s) { stos(s, 0xab, 2, 100, true); }
static void test_stosd_1_down(void **s) { stos(s, 0xab, 4, 1, true); }
static void test_stosd_5000(void **s) { stos(s, 0xab, 4, 5000, false); }

/* rep movsd MMIO -> RAM: one read exit per element, the data in order. */
static void movs_from(void **state, uint32_t n, bool down)
{
	static const uint8_t c[] = { 0xf3, 0xa5 };
	struct tguest *g = *state;
	uint64_t src = down ? MMIO + 4 * (uint64_t)(n - 1) : MMIO;
	uint64_t dst = down ? D + 4 * (uint64_t)(n - 1) : D;
	struct kvm_regs r = { .rsi = src, .rdi = dst, .rcx = n,
			      .rflags = down ? FL_DF : 0 };
	uint32_t i;

	for (i = 0; i < DEV_SIZE; i++)
		dev.mem[i] = (uint8_t)(i * 13 + 1);
	memset(g->mem + D, 0, 4 * (size_t)n + 4);
	run_code(g, c, sizeof(c), &r);
	assert_int_equal(dev.reads, n);
	assert_int_equal(dev.writes, 0);
	assert_memory_equal(g->mem + D, dev.mem, 4 * (size_t)n);
	assert_int_equal(g->mem[D + 4 * n], 0);
	assert_int_equal(r.rcx, 0);
	assert_int_equal(r.rsi, down ? MMIO - 4 : MMIO + 4 * (uint64_t)n);
	assert_int_equal(r.rdi, down ? D - 4 : D + 4 * (uint64_t)n);
}

static void test_movs_from_1(void **s) { movs_from(s, 1, false); }
static void test_movs_from_5(void **s) { movs_from(s, 5, false); }
static void test_movs_from_100_down(void **s) { movs_from(s, 100, true); }
static void test_movs_from_5000(void **s) { movs_from(s, 5000, false); }

/* rep movsb RAM -> MMIO. */
static void movs_to(void **state, uint32_t n, bool down)
{
	static const uint8_t c[] = { 0xf3, 0xa4 };
	struct tguest *g = *state;
	uint64_t off = down ? n - 1 : 0;
	struct kvm_regs r = { .rsi = D + off, .rdi = MMIO + off, .rcx = n,
			      .rflags = down ? FL_DF : 0 };

	fill_ram(g, D, n);
	run_code(g, c, sizeof(c), &r);
	assert_int_equal(dev.writes, n);
	assert_int_equal(dev.reads, 0);
	assert_memory_equal(dev.mem, g->mem + D, n);
	assert_int_equal(dev.mem[n], 0);
	assert_int_equal(r.rdi, down ? MMIO - 1 : MMIO + n);
}

static void test_movs_to_5(void **s) { movs_to(s, 5, false); }
static void test_movs_to_100_down(void **s) { movs_to(s, 100, true); }
static void test_movs_to_5000(void **s) { movs_to(s, 5000, false); }

/* rep movsw MMIO -> MMIO: a read and a write exit per element. */
static void test_movs_mmio_to_mmio(void **state)
{
	static const uint8_t c[] = { 0xf3, 0x66, 0xa5 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rsi = MMIO, .rdi = MMIO + 0x8000, .rcx = 100 };
	uint32_t i;

	for (i = 0; i < 200; i++)
		dev.mem[i] = (uint8_t)(i + 1);
	run_code(g, c, sizeof(c), &r);
	assert_int_equal(dev.reads, 100);
	assert_int_equal(dev.writes, 100);
	assert_memory_equal(dev.mem + 0x8000, dev.mem, 200);
	assert_int_equal(dev.mem[0x8000 + 200], 0);
}

/*
 * rep stosq from the last 64 bytes of RAM on into the device: 8 elements
 * land in RAM without an exit, 12 in the device with one exit each.
 */
static void test_mixed_stos_up(void **state)
{
	static const uint8_t c[] = { 0xf3, 0x48, 0xab };
	struct tguest *g = *state;
	uint64_t start = MMIO - 64, v;
	struct kvm_regs r = { .rax = 0x0102030405060708ULL, .rdi = start,
			      .rcx = 20 };
	int i;

	memset(g->mem + start, 0, 64);
	run_code(g, c, sizeof(c), &r);
	assert_int_equal(dev.writes, 12);
	for (i = 0; i < 8; i++) {
		memcpy(&v, g->mem + start + 8 * i, 8);
		assert_int_equal(v, r.rax);
	}
	for (i = 0; i < 12; i++) {
		memcpy(&v, dev.mem + 8 * i, 8);
		assert_int_equal(v, r.rax);
	}
	assert_int_equal(dev.mem[96], 0);
	assert_int_equal(r.rdi, MMIO + 96);
}

/* rep movsb downwards from the device into RAM: 8 reads, then 8 from RAM. */
static void test_mixed_movs_down(void **state)
{
	static const uint8_t c[] = { 0xf3, 0xa4 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rsi = MMIO + 7, .rdi = D + 15, .rcx = 16,
			      .rflags = FL_DF };

	fill_ram(g, MMIO - 8, 8);
	memcpy(dev.mem, "ABCDEFGH", 8);
	memset(g->mem + D, 0, 17);
	run_code(g, c, sizeof(c), &r);
	assert_int_equal(dev.reads, 8);
	assert_memory_equal(g->mem + D, g->mem + MMIO - 8, 8);
	assert_memory_equal(g->mem + D + 8, "ABCDEFGH", 8);
	assert_int_equal(r.rsi, MMIO - 9);
	assert_int_equal(r.rdi, D - 1);
}

/*
 * rep stosb into MMIO, stopped by immediate_exit between two elements
 * (an MMIO read would be completed first and exit again, as in KVM): the
 * registers show the instruction half done, and it resumes from there.
 */
static void test_stos_stop_resume(void **state)
{
	static const uint8_t c[] = { 0xf3, 0xaa, 0xf4 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 0x5c, .rdi = MMIO, .rcx = 50,
			      .rip = TG_CODE, .rsp = TG_STACK_TOP,
			      .rflags = 2 };
	int i;

	tg_put(g, TG_CODE, c, sizeof(c));
	assert_int_equal(tg_set_regs(g, &r), 0);
	assert_int_equal(run_dev(g, 20), -2);
	g->run->immediate_exit = 1;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), -1);
	assert_int_equal(errno, EINTR);
	g->run->immediate_exit = 0;
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rip, TG_CODE);	/* still in the instruction */
	assert_int_equal(r.rcx, 30);
	assert_int_equal(r.rdi, MMIO + 20);
	assert_int_equal(run_dev(g, -1), KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(dev.writes, 50);
	for (i = 0; i < 50; i++)
		assert_int_equal(dev.mem[i], 0x5c);
	assert_int_equal(dev.mem[50], 0);
	assert_int_equal(r.rcx, 0);
}

/* rep lodsb from MMIO: the last element read lands in AL. */
static void test_lods_mmio(void **state)
{
	static const uint8_t c[] = { 0xf3, 0xac };
	struct tguest *g = *state;
	struct kvm_regs r = { .rsi = MMIO, .rcx = 300 };
	int i;

	for (i = 0; i < 300; i++)
		dev.mem[i] = (uint8_t)(0xa0 + i);
	run_code(g, c, sizeof(c), &r);
	assert_int_equal(dev.reads, 300);
	assert_int_equal(r.rax & 0xff, (uint8_t)(0xa0 + 299));
	assert_int_equal(r.rsi, MMIO + 300);
}

/* rep insb into MMIO: one PIO exit reads ahead, one write per element. */
static void test_ins_to_mmio(void **state)
{
	static const uint8_t c[] = { 0xf3, 0x6c };
	struct tguest *g = *state;
	struct kvm_regs r = { .rdx = 0x60, .rdi = MMIO, .rcx = 10 };
	uint32_t i;

	run_code(g, c, sizeof(c), &r);
	assert_int_equal(dev.pio_in, 1);
	assert_int_equal(dev.writes, 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(dev.mem[i], 0x80 + i);
	assert_int_equal(r.rdi, MMIO + 10);
}

/* rep outsb from MMIO: a read and an OUT exit per element. */
static void test_outs_from_mmio(void **state)
{
	static const uint8_t c[] = { 0xf3, 0x6e };
	struct tguest *g = *state;
	struct kvm_regs r = { .rdx = 0x60, .rsi = MMIO, .rcx = 10 };
	uint32_t i;

	for (i = 0; i < 10; i++)
		dev.mem[i] = (uint8_t)(0x40 + i);
	run_code(g, c, sizeof(c), &r);
	assert_int_equal(dev.reads, 10);
	assert_int_equal(dev.pio_out, 10);
	assert_int_equal(dev.nout, 10);
	assert_memory_equal(dev.out, dev.mem, 10);
}

/* repe cmpsb RAM against MMIO stops at the first difference. */
static void test_cmps_mmio(void **state)
{
	static const uint8_t c[] = { 0xf3, 0xa6 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rsi = D, .rdi = MMIO, .rcx = 40 };

	fill_ram(g, D, 40);
	memcpy(dev.mem, g->mem + D, 40);
	dev.mem[30] ^= 1;
	run_code(g, c, sizeof(c), &r);
	assert_int_equal(dev.reads, 31);
	assert_int_equal(r.rcx, 9);
	assert_false(r.rflags & FL_ZF);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, xi_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_stosb_1), T(test_stosb_5), T(test_stosb_100),
		T(test_stosb_5000_down), T(test_stosw_5), T(test_stosw_5000),
		T(test_stosw_100_down), T(test_stosd_1_down),
		T(test_stosd_5000), T(test_movs_from_1), T(test_movs_from_5),
		T(test_movs_from_100_down), T(test_movs_from_5000),
		T(test_movs_to_5), T(test_movs_to_100_down),
		T(test_movs_to_5000), T(test_movs_mmio_to_mmio),
		T(test_mixed_stos_up),
		T(test_mixed_movs_down), T(test_stos_stop_resume),
		T(test_lods_mmio),
		T(test_ins_to_mmio), T(test_outs_from_mmio),
		T(test_cmps_mmio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
