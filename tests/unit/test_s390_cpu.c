// SPDX-License-Identifier: MIT
/*
 * The s390x KVM interface and CPU through the public API: capabilities and
 * errno, the SIEIC exits of DIAGNOSE and SERVICE CALL, arithmetic and
 * condition codes, program interruptions through the lowcore, DAT with
 * page-translation exceptions, storage keys, MEM_OP, resets and external
 * and restart interruptions, floating I/O interruptions with TPI and
 * TSCH.  Guest code is assembled at test time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "s390_test_util.h"

#define CODE	0x10000
#define STUB	0x2000		/* diag 0,0,0x501: "interruption taken" */
#define ST_ORG	0x20000		/* segment table (2K entries) */
#define PT_ORG	0x24000		/* page table for segment 1 */

static int setup(void **state)
{
	struct s390vm *v = calloc(1, sizeof(*v));

	if (!v || s390vm_open(v))
		return -1;
	/* every new PSW leads to the stub, 64-bit, interruptions off */
	s390_lc_psw(v, 0x1a0, PSW_64, STUB);
	s390_lc_psw(v, 0x1b0, PSW_64, STUB);
	s390_lc_psw(v, 0x1c0, PSW_64, STUB);
	s390_lc_psw(v, 0x1d0, PSW_64, STUB);
	put64(v->mem + STUB, 0x8300050100000000ULL);
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	struct s390vm *v = *state;

	s390vm_close(v);
	free(v);
	return 0;
}

static void go(struct s390vm *v, const char *src, uint64_t mask)
{
	assert_int_equal(s390_asm(v, CODE, src), 0);
	/* the PSW in kvm_run is loaded on every KVM_RUN */
	v->run->psw_mask = mask;
	v->run->psw_addr = CODE;
	assert_int_equal(s390_run(v), 0);
}

static void assert_stub(struct s390vm *v)
{
	assert_int_equal(v->run->exit_reason, KVM_EXIT_S390_SIEIC);
	assert_int_equal(v->run->s390_sieic.ipa, 0x8300);
	assert_int_equal(v->run->s390_sieic.ipb, 0x05010000);
}

static void test_api(void **state)
{
	struct s390vm *v = *state;
	struct kvm_userspace_memory_region r = { .slot = 1 };
	struct kvmu_s390_regs regs;

	assert_int_equal(kvmu_ioctl(v->sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_S390_PSW), 1);
	assert_int_equal(kvmu_ioctl(v->vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_COALESCED_MMIO), 0);
	assert_int_equal(kvmu_ioctl(v->vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_S390_MEM_OP), 65536);
	assert_int_equal(kvmu_ioctl(v->sys, KVM_GET_VCPU_MMAP_SIZE, 0), 4096);
	errno = 0;
	assert_int_equal(kvmu_ioctl(v->sys, KVM_CREATE_VM, 1), -1);
	assert_int_equal(errno, EINVAL);
	/* x86's KVM_GET_REGS number is not an s390 ioctl */
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_GET_REGS, &regs), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_GET_REGS, &regs), 0);
	assert_int_equal(s390_psw(v, PSW_64, CODE), 0);
	assert_int_equal(v->run->psw_addr, CODE);
	r.guest_phys_addr = 0x10000000;
	r.memory_size = 0x80000;	/* not 1 MiB aligned */
	r.userspace_addr = (uintptr_t)v->mem;
	assert_int_equal(kvmu_ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_diag_sieic(void **state)
{
	struct s390vm *v = *state;

	go(v, "lghi %r1,3\n lghi %r2,42\n diag %r2,%r4,0x500\n", PSW_64);
	assert_int_equal(v->run->exit_reason, KVM_EXIT_S390_SIEIC);
	assert_int_equal(v->run->s390_sieic.icptcode, 4);
	assert_int_equal(v->run->s390_sieic.ipa, 0x8324);
	assert_int_equal(v->run->s390_sieic.ipb, 0x05000000);
	assert_int_equal(v->run->psw_addr, CODE + 12);
	assert_int_equal(v->run->s.regs.gprs[2], 42);
	assert_int_equal(v->run->s.regs.gprs[1], 3);
}

static void test_servc_sieic(void **state)
{
	struct s390vm *v = *state;

	go(v, "lghi %r1,0x1000\n .long 0xb2200021\n", PSW_64);
	assert_int_equal(v->run->exit_reason, KVM_EXIT_S390_SIEIC);
	assert_int_equal(v->run->s390_sieic.ipa, 0xb220);
	assert_int_equal(v->run->s390_sieic.ipb, 0x00210000);
}

static void test_arith_cc(void **state)
{
	struct s390vm *v = *state;

	go(v, "lghi %r2,5\n ahi %r2,-7\n ipm %r3\n"
	      " lgfi %r4,0x7fffffff\n alfi %r4,1\n ipm %r5\n"
	      " llihf %r6,0x12345678\n risbg %r7,%r6,32,63,32\n"
	      " lghi %r9,100\n lghi %r11,7\n dsgr %r8,%r11\n"
	      " flogr %r10,%r9\n"
	      " diag 0,0,0x501\n", PSW_64);
	assert_stub(v);
	assert_int_equal((uint32_t)v->run->s.regs.gprs[2], (uint32_t)-2);
	assert_int_equal((v->run->s.regs.gprs[3] >> 28) & 3, 1);
	assert_int_equal((uint32_t)v->run->s.regs.gprs[4], 0x80000000u);
	assert_int_equal((v->run->s.regs.gprs[5] >> 28) & 3, 1);
	assert_int_equal(v->run->s.regs.gprs[7], 0x12345678);
	assert_int_equal(v->run->s.regs.gprs[8], 2);
	assert_int_equal(v->run->s.regs.gprs[9], 14);
	assert_int_equal(v->run->s.regs.gprs[10], 60);
}

static void test_program_interruption(void **state)
{
	struct s390vm *v = *state;

	go(v, "nopr\n .short 0\n", PSW_64);
	assert_stub(v);
	assert_int_equal(get16(v->mem + 0x8e), 1);	/* operation */
	assert_int_equal(get16(v->mem + 0x8c), 2);	/* ILC 1: 2 bytes */
	/* suppression: the old PSW points past the instruction */
	assert_int_equal(get64(v->mem + 0x158), CODE + 4);
	/* privileged operation in problem state */
	go(v, "lpswe 0\n", PSW_64 | PSW_PROBLEM);
	assert_stub(v);
	assert_int_equal(get16(v->mem + 0x8e), 2);
	/* specification: odd register of an even pair */
	go(v, ".long 0x1d340000\n", PSW_64);	/* dr %r3,%r4 */
	assert_stub(v);
	assert_int_equal(get16(v->mem + 0x8e), 6);
	/* fixed-point divide */
	go(v, "lghi %r3,0\n lghi %r4,0\n lghi %r5,1\n dr %r4,%r3\n", PSW_64);
	assert_stub(v);
	assert_int_equal(get16(v->mem + 0x8e), 9);
	/* addressing: beyond the 2 MiB of storage */
	go(v, "llilf %r3,0x40000000\n lg %r4,0(%r3)\n", PSW_64);
	assert_stub(v);
	assert_int_equal(get16(v->mem + 0x8e), 5);
	assert_int_equal(get16(v->mem + 0x8c), 6);
}

/* Map virtual segment 1 (1 MiB..2 MiB) page by page; page 5 invalid. */
static void build_dat(struct s390vm *v)
{
	uint64_t i;

	for (i = 0; i < 2048; i++)
		put64(v->mem + ST_ORG + 8 * i, 0x20);		/* invalid */
	put64(v->mem + ST_ORG + 8, PT_ORG);
	for (i = 0; i < 256; i++)
		put64(v->mem + PT_ORG + 8 * i, 0x30000 + i * 0x1000);
	put64(v->mem + PT_ORG + 5 * 8, 0x400);		/* invalid page */
	put64(v->mem + PT_ORG + 6 * 8, 0x36000 | 0x200);	/* read-only */
}

static void test_dat(void **state)
{
	struct s390vm *v = *state;
	struct kvmu_s390_sregs sr;

	build_dat(v);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_GET_SREGS, &sr), 0);
	sr.crs[1] = ST_ORG | 3;		/* segment table, full length */
	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_SET_SREGS, &sr), 0);
	/* code runs at CODE: identity-map segment 0 through real space */
	put64(v->mem + ST_ORG, 0x20);
	sr.crs[1] = ST_ORG | 3;
	/* virtual 0x102008 -> real 0x32008 */
	put64(v->mem + 0x32008, 0x1122334455667788ULL);
	put64(v->mem + ST_ORG, 0x28000);	/* segment 0: page table */
	for (int i = 0; i < 256; i++)
		put64(v->mem + 0x28000 + 8 * i, (uint64_t)i << 12);
	go(v, "llilf %r3,0x102008\n lg %r4,0(%r3)\n"
	      " llilf %r5,0x105000\n lg %r6,0(%r5)\n", PSW_64 | PSW_DAT_ON);
	assert_stub(v);
	assert_int_equal(v->run->s.regs.gprs[4], 0x1122334455667788ULL);
	assert_int_equal(get16(v->mem + 0x8e), 0x11);	/* page translation */
	assert_int_equal(get64(v->mem + 0xa8) & ~0xfffULL, 0x105000);
	/* nullification: the old PSW points at the LG */
	assert_int_equal(get64(v->mem + 0x158), CODE + 18);
	/* DAT protection on the read-only page */
	go(v, "llilf %r3,0x106000\n mvi 0(%r3),1\n", PSW_64 | PSW_DAT_ON);
	assert_stub(v);
	assert_int_equal(get16(v->mem + 0x8e), 4);
}

static void test_storage_keys(void **state)
{
	struct s390vm *v = *state;
	uint8_t keys[4] = { 0 };
	struct kvm_s390_skeys sk = { .start_gfn = 0x40, .count = 4,
				     .skeydata_addr = (uintptr_t)keys };

	/* no key instruction yet: KVM_S390_GET_SKEYS_NONE */
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_GET_SKEYS, &sk),
			 KVM_S390_GET_SKEYS_NONE);
	/* key 3 on frame 0x40000, then ISKE; store with key 2 fails */
	go(v, "llilf %r3,0x40000\n lghi %r2,0x30\n sske %r2,%r3\n"
	      " mvi 0(%r3),1\n iske %r4,%r3\n spka 0x20\n mvi 1(%r3),2\n",
	   PSW_64);
	assert_stub(v);
	assert_int_equal(v->run->s.regs.gprs[4] & 0xff, 0x36);
	assert_int_equal(get16(v->mem + 0x8e), 4);
	assert_int_equal(v->mem[0x40000], 1);
	assert_int_equal(v->mem[0x40001], 0);
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_GET_SKEYS, &sk), 0);
	assert_int_equal(keys[0], 0x36);
	keys[1] = 0x01;			/* bit 7 must be zero */
	sk.start_gfn = 0x40;
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_SET_SKEYS, &sk), -1);
	assert_int_equal(errno, EINVAL);
	sk.start_gfn = 0x10000;		/* beyond memory */
	keys[1] = 0;
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_GET_SKEYS, &sk), -1);
	assert_int_equal(errno, EFAULT);
}

static long memop(int fd, uint64_t ga, uint32_t size,
		  uint32_t op, uint64_t flags, void *buf, uint8_t key)
{
	struct kvm_s390_mem_op m = { .gaddr = ga, .size = size, .op = op,
				     .flags = flags, .buf = (uintptr_t)buf };

	m.key = key;
	return kvmu_ioctl(fd, KVM_S390_MEM_OP, &m);
}

static void test_mem_op(void **state)
{
	struct s390vm *v = *state;
	uint8_t buf[16] = "kvmu memop test";
	struct kvm_s390_skeys sk = { .start_gfn = 0x40, .count = 1,
				     .skeydata_addr = (uintptr_t)buf };
	int c = v->vcpu;

	assert_int_equal(memop(c, 0x3000, 0, KVM_S390_MEMOP_LOGICAL_READ,
			       0, buf, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(memop(c, 0x3000, 65537,
			       KVM_S390_MEMOP_LOGICAL_READ, 0, buf, 0), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(memop(c, 0x3000, 8, KVM_S390_MEMOP_LOGICAL_READ,
			       1ULL << 40, buf, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(memop(c, 0x3000, 8, KVM_S390_MEMOP_ABSOLUTE_READ,
			       0, buf, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(memop(c, 0x3000, 16, KVM_S390_MEMOP_LOGICAL_WRITE,
			       0, buf, 0), 0);
	assert_memory_equal(v->mem + 0x3000, "kvmu memop test", 16);
	/* beyond storage: the program-interruption code, 5 */
	assert_int_equal(memop(c, S390_MEM - 8, 16,
			       KVM_S390_MEMOP_LOGICAL_READ, 0, buf, 0), 5);
	assert_int_equal(memop(v->vm, S390_MEM, 1,
			       KVM_S390_MEMOP_ABSOLUTE_READ, 0, buf, 0), 5);
	assert_int_equal(memop(v->vm, 0x3000, 16,
			       KVM_S390_MEMOP_ABSOLUTE_READ, 0, buf, 0), 0);
	/* key-controlled protection with the SKEY flag: frame key 3 */
	buf[0] = 0x30;
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_SET_SKEYS, &sk), 0);
	assert_int_equal(memop(c, 0x40000, 1, KVM_S390_MEMOP_LOGICAL_WRITE,
			       KVM_S390_MEMOP_F_SKEY_PROTECTION, buf, 2), 4);
	assert_int_equal(memop(c, 0x40000, 1, KVM_S390_MEMOP_LOGICAL_WRITE,
			       KVM_S390_MEMOP_F_SKEY_PROTECTION |
			       KVM_S390_MEMOP_F_CHECK_ONLY, NULL, 3), 0);
	assert_int_equal(memop(c, 0x40000, 1, KVM_S390_MEMOP_LOGICAL_WRITE,
			       KVM_S390_MEMOP_F_SKEY_PROTECTION, buf, 16), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_resets(void **state)
{
	struct s390vm *v = *state;
	struct kvmu_s390_regs regs = { .gprs = { 1, 2, 3 } };
	struct kvmu_s390_sregs sr;
	struct kvm_mp_state mp;

	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_SET_REGS, &regs), 0);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_S390_INITIAL_RESET, 0), 0);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_GET_REGS, &regs), 0);
	assert_int_equal(regs.gprs[2], 3);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_GET_SREGS, &sr), 0);
	assert_int_equal(sr.crs[0], 0xe0);
	assert_int_equal(sr.crs[14], 0xc2000000);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_S390_CLEAR_RESET, 0), 0);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_GET_REGS, &regs), 0);
	assert_int_equal(regs.gprs[2], 0);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_GET_MP_STATE, &mp), 0);
	assert_int_equal(mp.mp_state, KVM_MP_STATE_STOPPED);
	mp.mp_state = KVM_MP_STATE_OPERATING;
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_SET_MP_STATE, &mp), 0);
	assert_int_equal(s390_psw(v, PSW_64, CODE), -1);
	assert_int_equal(errno, EBUSY);
	mp.mp_state = KVM_MP_STATE_LOAD;
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_SET_MP_STATE, &mp), -1);
	assert_int_equal(errno, ENXIO);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_S390_CLEAR_RESET, 0), 0);
	mp.mp_state = KVM_MP_STATE_STOPPED;
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_SET_MP_STATE, &mp), 0);
}

static void test_interrupts(void **state)
{
	struct s390vm *v = *state;
	struct kvmu_s390_sregs sr;
	struct kvm_s390_irq irq = { .type = KVM_S390_INT_EMERGENCY };
	struct kvm_s390_interrupt svc = { .type = KVM_S390_INT_SERVICE,
					  .parm = 0x12340 };

	/* enabled wait for an emergency signal from CPU 0 */
	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_GET_SREGS, &sr), 0);
	sr.crs[0] |= 0x4000 | 0x200;	/* emergency + service submasks */
	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_SET_SREGS, &sr), 0);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_S390_IRQ, &irq), 0);
	go(v, "nopr\n j .\n", PSW_64 | PSW_EXT_ON);
	assert_stub(v);
	assert_int_equal(get16(v->mem + 0x86), 0x1201);
	assert_int_equal(get16(v->mem + 0x84), 0);
	/* service signal on the VM fd, with its parameter */
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_INTERRUPT, &svc), 0);
	go(v, "j .\n", PSW_64 | PSW_EXT_ON);
	assert_stub(v);
	assert_int_equal(get16(v->mem + 0x86), 0x2401);
	assert_int_equal(get32(v->mem + 0x80), 0x12340);
	/* a disabled wait goes to user space */
	go(v, "nopr\n", PSW_64 | PSW_WAIT_ON);
	assert_int_equal(v->run->exit_reason, KVM_EXIT_S390_SIEIC);
	assert_int_equal(v->run->s390_sieic.icptcode, 0x1c);
	/* restart */
	irq.type = KVM_S390_RESTART;
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_S390_IRQ, &irq), 0);
	go(v, "j .\n", PSW_64);
	assert_stub(v);
	assert_int_equal(get64(v->mem + 0x128), CODE);
	/* unknown source CPU */
	irq.type = KVM_S390_INT_EMERGENCY;
	irq.u.emerg.code = 7;
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_S390_IRQ, &irq), -1);
	assert_int_equal(errno, EINVAL);
}

#define PSW_IO_ON	0x0200000000000000ULL

static uint64_t ipm_cc(struct s390vm *v, int r)
{
	return (v->run->s.regs.gprs[r] >> 28) & 3;
}

/* Floating I/O interruptions: delivery by ISC, TPI and TSCH. */
static void test_io_interrupts(void **state)
{
	struct s390vm *v = *state;
	struct kvm_enable_cap css = { .cap = KVM_CAP_S390_CSS_SUPPORT };
	struct kvm_s390_interrupt io = {
		.type = KVM_S390_INT_IO(0, 0, 1, 5),
		.parm = 0x00010005, .parm64 = 0x1122334418000000ULL,
	};
	struct kvm_s390_irq bad = { .type = KVM_S390_INT_IO(0, 0, 0, 1) };
	struct kvmu_s390_sregs sr;

	s390_lc_psw(v, 0x1f0, PSW_64, STUB);
	/* no CSS support: TPI answers CC 3 */
	go(v, "tpi 0(0)\n ipm 2\n diag 0,0,0x500\n", PSW_64);
	assert_int_equal(ipm_cc(v, 2), 3);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_ENABLE_CAP, &css), 0);
	/* I/O interruptions are floating: not for KVM_S390_IRQ */
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_S390_IRQ, &bad), -1);
	assert_int_equal(errno, EINVAL);
	/* ISC 3 queued, I/O on in the PSW, but CR6 does not enable ISC 3 */
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_INTERRUPT, &io), 0);
	go(v, "nopr\n diag 0,0,0x500\n", PSW_64 | PSW_IO_ON);
	assert_int_equal(v->run->s390_sieic.ipb, 0x05000000);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_GET_SREGS, &sr), 0);
	sr.crs[6] = 1ULL << (63 - 35);		/* ISC 3 */
	assert_int_equal(kvmu_ioctl(v->vcpu, KVMU_S390_SET_SREGS, &sr), 0);
	go(v, "j .\n", PSW_64 | PSW_IO_ON);
	assert_stub(v);
	assert_int_equal(get16(v->mem + 0xb8), 0x0001);
	assert_int_equal(get16(v->mem + 0xba), 0x0005);
	assert_int_equal(get32(v->mem + 0xbc), 0x11223344);
	assert_int_equal(get32(v->mem + 0xc0), 0x18000000);
	assert_int_equal(get64(v->mem + 0x170), PSW_64 | PSW_IO_ON);
	assert_int_equal(get64(v->mem + 0x178), CODE);
	/* TPI takes one (enabled by CR6 even with PSW I/O off) */
	io.parm = 0x00010006;
	io.parm64 = 0x5566778818000000ULL;
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_INTERRUPT, &io), 0);
	io.parm = 0x00010007;
	io.parm64 = 0x99aabbcc38000000ULL;	/* ISC 7: not enabled */
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_INTERRUPT, &io), 0);
	memset(v->mem + 0x400, 0, 16);
	go(v, "tpi 0x400(0)\n ipm 2\n tpi 0x400(0)\n ipm 3\n"
	   " diag 0,0,0x500\n", PSW_64);
	assert_int_equal(ipm_cc(v, 2), 1);
	assert_int_equal(ipm_cc(v, 3), 0);
	assert_int_equal(get32(v->mem + 0x400), 0x00010006);
	assert_int_equal(get32(v->mem + 0x404), 0x55667788);
	assert_int_equal(get32(v->mem + 0x408), 0);
	/* TSCH dequeues the interruption of GR1's subchannel for user space */
	go(v, "llilf 1,0x00010007\n tsch 0x400(0)\n", PSW_64);
	assert_int_equal(v->run->exit_reason, KVM_EXIT_S390_TSCH);
	assert_int_equal(v->run->s390_tsch.dequeued, 1);
	assert_int_equal(v->run->s390_tsch.subchannel_nr, 7);
	assert_int_equal(v->run->s390_tsch.io_int_parm, 0x99aabbcc);
	assert_int_equal(v->run->s390_tsch.io_int_word, 0x38000000);
	go(v, "llilf 1,0x00010007\n tsch 0x400(0)\n", PSW_64);
	assert_int_equal(v->run->exit_reason, KVM_EXIT_S390_TSCH);
	assert_int_equal(v->run->s390_tsch.dequeued, 0);
}

/* LAEY sets the access register by address space; ECAG describes none. */
static void test_laey_ecag(void **state)
{
	struct s390vm *v = *state;
	const char *src = " lghi 5,0x100\n laey 3,0x23(5)\n"
			  " ecag 4,0,0(0)\n ecag 6,0,0x10(0)\n"
			  " diag 0,0,0x500\n";

	v->run->s.regs.acrs[3] = 0x5555;
	go(v, src, PSW_64);
	assert_int_equal(v->run->s.regs.gprs[3], 0x123);
	assert_int_equal(v->run->s.regs.acrs[3], 0);
	assert_int_equal(v->run->s.regs.gprs[4], 0);
	assert_true(v->run->s.regs.gprs[6] == ~0ULL);
	go(v, src, PSW_64 | 0x0000c00000000000ULL);	/* home space */
	assert_int_equal(v->run->s.regs.acrs[3], 2);
	go(v, src, PSW_64 | 0x0000800000000000ULL);	/* secondary */
	assert_int_equal(v->run->s.regs.acrs[3], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_api, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diag_sieic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_servc_sieic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_arith_cc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_program_interruption,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_dat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_keys, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mem_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_io_interrupts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_laey_ecag, setup,
						teardown),
	};

	if (!s390_have_toolchain()) {
		printf("skip: s390x-linux-gnu-as not installed\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
