// SPDX-License-Identifier: MIT
/*
 * Dirty logging: a real-mode guest writes to some pages of a 16-page
 * LOG_DIRTY slot at 0x20000 (and reads another); GET_DIRTY_LOG returns
 * exactly those pages and, without manual protection, clears them.  With
 * KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 the bits stay until CLEAR_DIRTY_LOG,
 * and with its INITIALLY_SET option a new slot starts all dirty.
 */
#include "kvm_api.h"

#define PROG_A		0x1000
#define PROG_B		0x1100
#define LOGGED		0x20000
#define NPAGES		16
#define MANUAL		KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE
#define INIT_SET	KVM_DIRTY_LOG_INITIALLY_SET

static const uint8_t prog_a[] = {
	0xb8, 0x00, 0x20,                       /* mov ax,0x2000 */
	0x8e, 0xc0,                             /* mov es,ax */
	0x26, 0xc6, 0x06, 0x00, 0x10, 0x01,     /* mov byte es:0x1000,0x1 */
	/* mov word es:0x3ffe,0x2 */
	0x26, 0xc7, 0x06, 0xfe, 0x3f, 0x02, 0x00,
	/* mov dword es:0x4008,0x3 */
	0x26, 0x66, 0xc7, 0x06, 0x08, 0x40, 0x03, 0x00, 0x00, 0x00,
	0x26, 0xc6, 0x06, 0xff, 0xaf, 0x04,     /* mov byte es:0xafff,0x4 */
	0x26, 0xa0, 0x00, 0x50,                 /* mov al,es:0x5000 */
	0xf4,                                   /* hlt */
};

static const uint8_t prog_b[] = {
	0xb8, 0x00, 0x20,                       /* mov ax,0x2000 */
	0x8e, 0xc0,                             /* mov es,ax */
	0x26, 0xc6, 0x06, 0x00, 0x30, 0x05,     /* mov byte es:0x3000,0x5 */
	0x26, 0xc6, 0x06, 0x00, 0xf0, 0x06,     /* mov byte es:0xf000,0x6 */
	0xbf, 0x00, 0x70,                       /* mov di,0x7000 */
	0xb9, 0x02, 0x00,                       /* mov cx,0x2 */
	0xba, 0x31, 0x00,                       /* mov dx,0x31 */
	0xf3, 0x6c,                             /* rep ins byte es:[di],dx */
	0xf4,                                   /* hlt */
};

static uint8_t *logged;

static void setup(struct tvm *t)
{
	tvm_create(t, 0x10000);
	REQUIRE_CAP(t->sys, MANUAL_DIRTY_LOG_PROTECT2);
	memcpy(t->mem + PROG_A, prog_a, sizeof(prog_a));
	memcpy(t->mem + PROG_B, prog_b, sizeof(prog_b));
	tvm_add_vcpu(t, 0);
	tvm_real_mode(t, PROG_A, 0x8000);
}

static void show_log(struct tvm *t, const char *label, __u32 slot)
{
	uint64_t bm = 0xdeadbeefULL << 32;
	struct kvm_dirty_log l = { .slot = slot, .dirty_bitmap = &bm };

	if (CALL(label, KVM_IOCTL(t->vm, KVM_GET_DIRTY_LOG, &l)) == 0)
		T("  bitmap=0x%llx\n", (unsigned long long)bm);
}

static void clear(struct tvm *t, const char *label, uint64_t bits)
{
	struct kvm_clear_dirty_log c = {
		.slot = 1, .first_page = 0, .num_pages = NPAGES,
		.dirty_bitmap = &bits,
	};

	CALL(label, KVM_IOCTL(t->vm, KVM_CLEAR_DIRTY_LOG, &c));
}

static void run_prog(struct tvm *t, uint64_t entry)
{
	struct kvm_regs r;

	get_regs(t, &r);
	r.rip = entry;
	if (KVM_IOCTL(t->vcpu, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
	T("run prog at 0x%llx\n", (unsigned long long)entry);
	run_to_hlt(t, 5);
}

static void test_auto(void)
{
	struct tvm t;

	T("== without manual protect\n");
	setup(&t);
	set_slot(t.vm, 1, KVM_MEM_LOG_DIRTY_PAGES, LOGGED, NPAGES * PAGE,
		 logged);
	show_log(&t, "GET before running", 1);
	run_prog(&t, PROG_A);
	show_log(&t, "GET", 1);
	show_log(&t, "GET again", 1);
	run_prog(&t, PROG_B);
	show_log(&t, "GET", 1);
	T("INS wrote: %02x %02x\n", logged[0x7000], logged[0x7001]);
	tvm_destroy(&t);
}

static long enable_manual(struct tvm *t, uint64_t arg)
{
	struct kvm_enable_cap c = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, .args = { arg },
	};

	return KVM_IOCTL(t->vm, KVM_ENABLE_CAP, &c);
}

static void test_manual(void)
{
	struct tvm t;

	T("== with manual protect\n");
	setup(&t);
	CALL("ENABLE_CAP(MANUAL_DIRTY_LOG_PROTECT2, 4)", enable_manual(&t, 4));
	CALL("ENABLE_CAP(MANUAL_DIRTY_LOG_PROTECT2, ENABLE)",
	     enable_manual(&t, MANUAL));
	set_slot(t.vm, 1, KVM_MEM_LOG_DIRTY_PAGES, LOGGED, NPAGES * PAGE,
		 logged);
	run_prog(&t, PROG_A);
	show_log(&t, "GET", 1);
	show_log(&t, "GET again (bits stay)", 1);
	clear(&t, "CLEAR pages 3,4", 0x18);
	show_log(&t, "GET", 1);
	run_prog(&t, PROG_B);
	show_log(&t, "GET", 1);
	clear(&t, "CLEAR all", ~0ULL);
	show_log(&t, "GET", 1);
	T("== with INITIALLY_SET\n");
	CALL("ENABLE_CAP(MANUAL_DIRTY_LOG_PROTECT2, ENABLE|INITIALLY_SET)",
	     enable_manual(&t, MANUAL | INIT_SET));
	set_slot(t.vm, 2, KVM_MEM_LOG_DIRTY_PAGES, 0x40000, 4 * PAGE,
		 logged + NPAGES * PAGE);
	show_log(&t, "GET new 4-page slot", 2);
	tvm_destroy(&t);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	logged = alloc_guest((NPAGES + 4) * PAGE);
	test_auto();
	test_manual();
	return 0;
}
