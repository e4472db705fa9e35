// SPDX-License-Identifier: MIT
/*
 * s390 Protected Virtualization through the public API (docs/s390-pv.md):
 * every KVM_S390_PV_COMMAND and its errno, the protected-vCPU refusals,
 * an in-process protected guest (an image made here with the UV's own
 * format code for this host's key) whose memory the host only ever sees
 * encrypted, a tampered exported page that fails the guest's next access,
 * dumps, and fuzzing of the UV's calls, headers and exported pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "s390_test_util.h"
#include "host/uv/se.h"
#include "host/uv/uv.h"
#include "host/uv/uv_int.h"

#define BAD_PTR		8UL		/* unmapped in every process */
#define CODE		0x10000UL	/* the protected guest's one page */
#define DATA		0x20000UL	/* the page it writes its secret to */
#define PATTERN		0x5ec2e7abcafef00dULL
#define HIDDEN		0x5ec0ffeeULL	/* a register the VMM never sees */

static char host_dir[] = "/tmp/kvmu-pv-XXXXXX";

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A configuration of 1 MiB made by a direct UV call; its handle. */
static uint64_t uv_conf(void)
{
	uint8_t cb[0x58] = { 0 };

	put64(cb, 0x0058010000000000ULL);
	put64(cb + 0x40, 0x100000);
	assert_int_equal(kvmu_uv_call(cb), 0);
	return get64(cb + 0x18);
}

static int pv(int vm, uint32_t cmd, void *data, struct kvm_pv_cmd *out)
{
	struct kvm_pv_cmd c = { .cmd = cmd, .data = (uintptr_t)data };
	int r = kvmu_ioctl(vm, KVM_S390_PV_COMMAND, &c);

	if (out)
		*out = c;
	return r < 0 ? -errno : r;
}

static EVP_PKEY *host_key(void)
{
	char *pem;
	size_t len;
	BIO *b;
	X509 *x;
	EVP_PKEY *k;

	assert_int_equal(kvmu_uv_hostkey_document(NULL, &pem, &len), 0);
	b = BIO_new_mem_buf(pem, (int)len);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	k = X509_get_pubkey(x);
	X509_free(x);
	BIO_free(b);
	free(pem);
	assert_non_null(k);
	return k;
}

static const char guest_src[] =
	"	lgfi	%r5, 0x5ec0ffee\n"
	"	llihf	%r6, 0x5ec2e7ab\n"
	"	iilf	%r6, 0xcafef00d\n"
	"	lgfi	%r7, 0x20000\n"
	"	stg	%r6, 0(%r7)\n"
	"	stg	%r6, 8(%r7)\n"
	"	lghi	%r1, 0x123\n"
	"	lghi	%r2, 0\n"
	"	diag	%r0, %r0, 0x500\n"
	"	lg	%r2, 0(%r7)\n"
	"	lghi	%r1, 0x124\n"
	"	diag	%r0, %r0, 0x500\n"
	"0:	j	0b\n";

/*
 * Encrypt the page at CODE in place as `kvmu pvimg` would and build its
 * SE header; pcf as given.  *hdr malloc'd.
 */
static void make_image(struct s390vm *v, uint64_t pcf, uint64_t tweak,
		       uint8_t **hdr, size_t *len)
{
	struct se_plain p = { .pcf = pcf };
	struct se_secrets s = { .psw_mask = PSW_64, .psw_addr = CODE };
	struct se_digests d;
	EVP_PKEY *k = host_key();
	uint8_t tw[16];

	assert_int_equal(RAND_bytes(s.xts, 64), 1);
	assert_int_equal(se_digests_init(&d), 0);
	se_tweak(tw, tweak, 0);
	assert_int_equal(se_xts_page(s.xts, tw, v->mem + CODE, v->mem + CODE,
				     1), 0);
	assert_int_equal(se_digests_page(&d, v->mem + CODE, CODE, tw), 0);
	p.nep = d.nep;
	assert_int_equal(se_digests_final(&d, p.pld, p.ald, p.tld), 0);
	se_digests_free(&d);
	assert_int_equal(se_hdr_build(&k, 1, &p, &s, hdr, len), 0);
	EVP_PKEY_free(k);
}

/* The service-signal guest: reports where it got to, or the parameter. */
static const char service_src[] =
	"	larl	%r6, cr0v\n"
	"	lctlg	%c0, %c0, 0(%r6)\n"
	"	larl	%r4, handler\n"
	"	llihf	%r3, 1\n"
	"	iilf	%r3, 0x80000000\n"
	"	stg	%r3, 0x1b0(%r0)\n"
	"	stg	%r4, 0x1b8(%r0)\n"
	"	lghi	%r1, 0x126\n"
	"	diag	%r0, %r0, 0x500\n"
	"	stosm	0x300(%r0), 0x01\n"
	"	lghi	%r5, 3000\n"
	"1:	brctg	%r5, 1b\n"
	"	lghi	%r1, 0x127\n"
	"	diag	%r0, %r0, 0x500\n"
	"	lghi	%r5, 3000\n"
	"2:	brctg	%r5, 2b\n"
	"	lghi	%r1, 0x128\n"
	"	diag	%r0, %r0, 0x500\n"
	"3:	j	3b\n"
	"handler:\n"
	"	llgf	%r2, 0x80(%r0)\n"
	"	lghi	%r1, 0x129\n"
	"	diag	%r0, %r0, 0x500\n"
	"4:	j	4b\n"
	"	.balign	8\n"
	"cr0v:	.quad	0x2e0\n";

static const char *boot_src = guest_src;

/* A protected guest ready to run: ENABLE .. VERIFY, LOAD, OPERATING. */
static void boot_protected(struct s390vm *v, uint64_t pcf)
{
	struct kvm_mp_state mp = { KVM_MP_STATE_LOAD };
	struct kvm_s390_pv_unp u = { CODE, 4096, 0x0028a1b2c3d4e5f6ULL };
	struct kvm_s390_pv_sec_parm sp;
	struct kvm_pv_cmd c;
	uint8_t *hdr;
	size_t len;

	assert_int_equal(s390vm_open(v), 0);
	assert_int_equal(s390_asm(v, CODE, boot_src), 0);
	make_image(v, pcf, u.tweak, &hdr, &len);
	sp = (struct kvm_s390_pv_sec_parm){ (uintptr_t)hdr, len };
	assert_int_equal(pv(v->vm, KVM_PV_ENABLE, NULL, &c), 0);
	assert_int_equal(c.rc, 1);
	assert_int_equal(pv(v->vm, KVM_PV_SET_SEC_PARMS, &sp, &c), 0);
	assert_int_equal(pv(v->vm, KVM_PV_UNPACK, &u, &c), 0);
	assert_int_equal(pv(v->vm, KVM_PV_VERIFY, NULL, &c), 0);
	assert_int_equal(c.rc, 1);
	free(hdr);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_SET_MP_STATE, &mp), 0);
	mp.mp_state = KVM_MP_STATE_OPERATING;
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_SET_MP_STATE, &mp), 0);
}

static bool has_pattern(const uint8_t *p, size_t n)
{
	uint8_t pat[8];
	size_t i;

	put64(pat, PATTERN);
	for (i = 0; i + 8 <= n; i++)
		if (!memcmp(p + i, pat, 8))
			return true;
	return false;
}

static void test_caps(void **state)
{
	int sys = kvmu_open(KVMU_ARCH_S390X, 0);

	(void)state;
	assert_int_equal(kvmu_ioctl(sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_S390_PROTECTED), 1);
	assert_int_equal(kvmu_ioctl(sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_S390_PROTECTED_DUMP), 1);
	assert_int_equal(kvmu_ioctl(sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_S390_PROTECTED_ASYNC_DISABLE), 1);
	close(sys);
}

/* Every command on a VM that is not protected. */
static void test_unprotected_errnos(void **state)
{
	struct kvm_pv_cmd c = { .cmd = KVM_PV_INFO, .flags = 1 };
	struct kvm_s390_pv_info info = { .header = { .id = KVM_PV_INFO_VM,
						     .len_max = 80 } };
	struct kvm_s390_pv_dmp d = { 0 };
	struct kvm_mp_state mp = { KVM_MP_STATE_LOAD };
	struct s390vm v = { 0 };
	uint32_t cmd;

	(void)state;
	assert_int_equal(s390vm_open(&v), 0);
	assert_int_equal(kvmu_ioctl(v.vm, KVM_S390_PV_COMMAND, &c), -1);
	assert_int_equal(errno, EINVAL);		/* flags */
	assert_int_equal(kvmu_ioctl(v.vm, KVM_S390_PV_COMMAND, BAD_PTR), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(pv(v.vm, 11, NULL, NULL), -ENOTTY);
	for (cmd = KVM_PV_DISABLE; cmd <= KVMU_PV_ASYNC_CLEANUP_PERFORM;
	     cmd++)
		if (cmd != KVM_PV_INFO)
			assert_int_equal(pv(v.vm, cmd, &d, NULL), -EINVAL);
	/* INFO works unprotected */
	assert_int_equal(pv(v.vm, KVM_PV_INFO, &info, NULL), 0);
	assert_int_equal(info.header.len_written, 80);
	assert_int_equal(info.vm.max_cpus, UV_MAX_CPUS);
	assert_int_equal(info.vm.max_guests, UV_MAX_GUESTS);
	assert_true(info.vm.inst_calls_list[0] & (1ULL << 63));
	info.header = (struct kvm_s390_pv_info_header){ KVM_PV_INFO_DUMP, 40 };
	assert_int_equal(pv(v.vm, KVM_PV_INFO, &info, NULL), 0);
	assert_int_equal(info.header.len_written, 40);
	assert_int_equal(info.dump.dump_cpu_buffer_len, UV_CPU_DUMP_LEN);
	info.header = (struct kvm_s390_pv_info_header){ KVM_PV_INFO_DUMP, 39 };
	assert_int_equal(pv(v.vm, KVM_PV_INFO, &info, NULL), -EINVAL);
	info.header = (struct kvm_s390_pv_info_header){ 2, 80 };
	assert_int_equal(pv(v.vm, KVM_PV_INFO, &info, NULL), -EINVAL);
	info.header = (struct kvm_s390_pv_info_header){ 0, 15 };
	assert_int_equal(pv(v.vm, KVM_PV_INFO, &info, NULL), -EINVAL);
	assert_int_equal(pv(v.vm, KVM_PV_INFO, (void *)BAD_PTR, NULL), -EFAULT);
	/* the vCPU side */
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_MP_STATE, &mp), -1);
	assert_int_equal(errno, ENXIO);
	c = (struct kvm_pv_cmd){ .cmd = KVM_PV_DUMP, .data = (uintptr_t)&d };
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_S390_PV_CPU_COMMAND, &c), -1);
	assert_int_equal(errno, EINVAL);
	s390vm_close(&v);
}

static void sida(struct s390vm *v, uint32_t op, uint32_t off, uint32_t size,
		 uint64_t flags, int want)
{
	uint8_t buf[4096];
	struct kvm_s390_mem_op m = { .op = op, .size = size,
				     .buf = (uintptr_t)buf, .flags = flags };

	m.sida_offset = off;
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_S390_MEM_OP, &m) < 0 ?
			 -errno : 0, want);
}

/* What a protected VM refuses, and the commands' misuse. */
static void test_protected_errnos(void **state)
{
	struct kvm_userspace_memory_region r = { .slot = 1,
		.guest_phys_addr = 0x10000000, .memory_size = 0x100000 };
	struct kvm_s390_mem_op m = { .op = KVM_S390_MEMOP_ABSOLUTE_READ,
				     .size = 8 };
	struct kvm_s390_pv_sec_parm sp = { (uintptr_t)"junk", 4 };
	struct kvm_s390_pv_unp u = { 0x10000, 0x1000, 0 };
	struct kvm_s390_pv_dmp d = { 0 };
	struct kvm_device_attr a = { .group = KVMU_S390_VM_TOD,
				     .attr = KVMU_S390_VM_TOD_LOW };
	struct kvm_mp_state mp = { KVM_MP_STATE_LOAD };
	struct kvm_pv_cmd c;
	uint64_t buf[2];
	struct s390vm v = { 0 };
	int vcpu2;

	(void)state;
	assert_int_equal(s390vm_open(&v), 0);
	r.userspace_addr = (uintptr_t)s390_alloc(0x100000);
	m.buf = (uintptr_t)buf;
	a.addr = (uintptr_t)buf;
	assert_int_equal(pv(v.vm, KVM_PV_ENABLE, NULL, &c), 0);
	assert_int_equal(pv(v.vm, KVM_PV_ENABLE, NULL, &c), -EINVAL);
	assert_int_equal(kvmu_ioctl(v.vm, KVM_SET_USER_MEMORY_REGION, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kvmu_ioctl(v.vm, KVM_S390_MEM_OP, &m), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_GET_ONE_REG, BAD_PTR), -1);
	assert_int_equal(errno, EINVAL);		/* before the copy */
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_ONE_REG, BAD_PTR), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kvmu_ioctl(v.vm, KVM_SET_DEVICE_ATTR, &a), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	m.op = KVM_S390_MEMOP_LOGICAL_READ;
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_S390_MEM_OP, &m), -1);
	assert_int_equal(errno, EINVAL);
	sida(&v, KVM_S390_MEMOP_SIDA_READ, 0, 16, 0, 0);
	sida(&v, KVM_S390_MEMOP_SIDA_WRITE, 4080, 16, 0, 0);
	sida(&v, KVM_S390_MEMOP_SIDA_READ, 4081, 16, 0, -E2BIG);
	sida(&v, KVM_S390_MEMOP_SIDA_READ, 0xfffffff8, 16, 0, -EINVAL);
	sida(&v, KVM_S390_MEMOP_SIDA_READ, 0, 0, 0, -EINVAL);
	sida(&v, KVM_S390_MEMOP_SIDA_READ, 0, 16, 1, -EINVAL);
	/* not verified: no operating-load */
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_MP_STATE, &mp), -1);
	assert_int_equal(errno, EINVAL);
	/* a vCPU created now is protected at once */
	vcpu2 = kvmu_ioctl(v.vm, KVM_CREATE_VCPU, 1);
	assert_true(vcpu2 >= 0);
	assert_int_equal(kvmu_ioctl(vcpu2, KVM_GET_ONE_REG, BAD_PTR), -1);
	assert_int_equal(errno, EINVAL);
	/* SET_SEC_PARMS, UNPACK, VERIFY misuse */
	sp.length = 8193;
	assert_int_equal(pv(v.vm, KVM_PV_SET_SEC_PARMS, &sp, &c), -EINVAL);
	sp = (struct kvm_s390_pv_sec_parm){ BAD_PTR, 16 };
	assert_int_equal(pv(v.vm, KVM_PV_SET_SEC_PARMS, &sp, &c), -EFAULT);
	assert_int_equal(pv(v.vm, KVM_PV_UNPACK, &u, &c), -EINVAL);
	assert_int_equal(c.rc, 0x0003);		/* no parameters yet */
	assert_int_equal(pv(v.vm, KVM_PV_VERIFY, NULL, &c), -EINVAL);
	assert_int_equal(c.rc, 0x0003);
	sp = (struct kvm_s390_pv_sec_parm){ (uintptr_t)"junk-header", 11 };
	assert_int_equal(pv(v.vm, KVM_PV_SET_SEC_PARMS, &sp, &c), -EINVAL);
	assert_int_equal(c.rc, 0x010a);
	assert_int_equal(c.rrc, 0x0031);
	u.size = 0;
	assert_int_equal(pv(v.vm, KVM_PV_UNPACK, &u, &c), -EINVAL);
	u = (struct kvm_s390_pv_unp){ 0x10010, 0x1000, 0 };
	assert_int_equal(pv(v.vm, KVM_PV_UNPACK, &u, &c), -EINVAL);
	assert_int_equal(pv(v.vm, KVM_PV_PREP_RESET, NULL, &c), 0);
	assert_int_equal(pv(v.vm, KVM_PV_UNSHARE_ALL, NULL, &c), 0);
	/* dump: not allowed by (no) header, bad subcommands */
	assert_int_equal(pv(v.vm, KVM_PV_DUMP, &d, &c), -EINVAL);
	assert_int_equal(c.rc, 0x0003);
	d.subcmd = KVM_PV_DUMP_CPU;
	assert_int_equal(pv(v.vm, KVM_PV_DUMP, &d, &c), -ENOTTY);
	d.subcmd = 7;
	assert_int_equal(pv(v.vm, KVM_PV_DUMP, &d, &c), -ENOTTY);
	d.subcmd = KVM_PV_DUMP_CONFIG_STOR_STATE;
	assert_int_equal(pv(v.vm, KVM_PV_DUMP, &d, &c), -EINVAL);
	/* async teardown: set aside, the VM is unprotected at once */
	assert_int_equal(pv(v.vm, KVMU_PV_ASYNC_CLEANUP_PREPARE, NULL, &c), 0);
	assert_int_equal(kvmu_ioctl(v.vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_MP_STATE, &mp), -1);
	assert_int_equal(errno, ENXIO);
	assert_int_equal(pv(v.vm, KVMU_PV_ASYNC_CLEANUP_PERFORM, NULL, &c), 0);
	assert_int_equal(pv(v.vm, KVMU_PV_ASYNC_CLEANUP_PERFORM, NULL, &c),
			 -EINVAL);
	/* and again, then DISABLE */
	assert_int_equal(pv(v.vm, KVM_PV_ENABLE, NULL, &c), 0);
	assert_int_equal(pv(v.vm, KVM_PV_DISABLE, NULL, &c), 0);
	assert_int_equal(pv(v.vm, KVM_PV_DISABLE, NULL, &c), -EINVAL);
	close(vcpu2);
	s390vm_close(&v);
}

/*
 * The protected guest runs, the VMM sees the 0x68 intercept with the
 * fixed text and only the exposed registers, and guest memory in the
 * VMM's mapping is ciphertext; the guest gets its plaintext back.
 */
static void test_secure_memory(void **state)
{
	struct kvmu_s390_run *r;
	uint8_t code[64];
	struct s390vm v = { 0 };
	int n;

	(void)state;
	assert_int_equal(s390vm_open(&v), 0);
	assert_int_equal(s390_asm(&v, CODE, guest_src), 0);
	memcpy(code, v.mem + CODE, sizeof(code));
	s390vm_close(&v);
	boot_protected(&v, 0);
	r = v.run;
	assert_memory_not_equal(v.mem + CODE, code, sizeof(code));
	assert_int_equal(s390_run(&v), 0);
	assert_int_equal(r->exit_reason, KVM_EXIT_S390_SIEIC);
	assert_int_equal(r->s390_sieic.icptcode, KVMU_S390_ICPT_PV_INSTR);
	assert_int_equal(r->s390_sieic.ipa, 0x8300);
	assert_int_equal(r->s390_sieic.ipb, 0x05000000);
	assert_int_equal(r->s.regs.gprs[1], 0x123);
	for (n = 5; n < 16; n++)		/* not exposed */
		assert_int_equal(r->s.regs.gprs[n], 0);
	assert_int_equal(r->psw_addr, 0);
	/* the host sees neither the data nor the code in clear */
	assert_false(has_pattern(v.mem, S390_MEM));
	assert_memory_not_equal(v.mem + CODE, code, sizeof(code));
	assert_int_equal(s390_run(&v), 0);
	assert_int_equal(r->s.regs.gprs[1], 0x124);
	assert_int_equal(r->s.regs.gprs[2], PATTERN);	/* it got it back */
	assert_false(has_pattern(v.mem, S390_MEM));
	s390vm_close(&v);
}

/* A host write to an exported page fails the guest's next access. */
static void test_tampered_page(void **state)
{
	struct s390vm v = { 0 };

	(void)state;
	boot_protected(&v, 0);
	assert_int_equal(s390_run(&v), 0);
	v.mem[DATA + 100] ^= 1;
	assert_int_equal(s390_run(&v), -1);
	assert_int_equal(errno, EFAULT);
	/* the tampered page stays exported: no plaintext either */
	assert_false(has_pattern(v.mem, S390_MEM));
	s390vm_close(&v);
}

/* A dump: vCPUs blocked, storage state, the CPU encrypted, complete. */
static void test_dump(void **state)
{
	struct kvm_s390_pv_dmp d = { 0 };
	struct kvm_pv_cmd c, cc = { .cmd = KVM_PV_DUMP };
	uint8_t *buf = calloc(1, 0x4000);
	struct s390vm v = { 0 };
	uint64_t i;

	(void)state;
	boot_protected(&v, SE_PCF_ALLOW_DUMP);
	assert_int_equal(s390_run(&v), 0);
	assert_int_equal(pv(v.vm, KVM_PV_DUMP, &d, &c), 0);
	assert_int_equal(pv(v.vm, KVM_PV_DUMP, &d, &c), -EINVAL);
	assert_int_equal(s390_run(&v), -1);
	assert_int_equal(errno, EINVAL);		/* no vCPU runs */
	d = (struct kvm_s390_pv_dmp){ KVM_PV_DUMP_CONFIG_STOR_STATE,
				      (uintptr_t)buf, 0x2000, 0 };
	assert_int_equal(pv(v.vm, KVM_PV_DUMP, &d, &c), 0);
	assert_int_equal(d.gaddr, 0x200000);		/* two MiB done */
	assert_int_equal(buf[(CODE >> 12) * 16], 2);	/* exported */
	d = (struct kvm_s390_pv_dmp){ KVM_PV_DUMP_CPU, (uintptr_t)buf,
				      UV_CPU_DUMP_LEN - 1, 0 };
	cc.data = (uintptr_t)&d;
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_S390_PV_CPU_COMMAND, &cc), -1);
	assert_int_equal(errno, EINVAL);
	d.buff_len = UV_CPU_DUMP_LEN;
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_S390_PV_CPU_COMMAND, &cc), 0);
	assert_int_equal(cc.rc, 1);
	assert_false(has_pattern(buf, UV_CPU_DUMP_LEN));	/* r6 sealed */
	for (i = 0; i + 4 <= UV_CPU_DUMP_LEN; i++)
		assert_false(get32(buf + i) == HIDDEN);
	d = (struct kvm_s390_pv_dmp){ KVM_PV_DUMP_COMPLETE, (uintptr_t)buf,
				      UV_DUMP_FINAL_LEN - 1, 0 };
	assert_int_equal(pv(v.vm, KVM_PV_DUMP, &d, &c), -EINVAL);
	d.buff_len = UV_DUMP_FINAL_LEN;
	assert_int_equal(pv(v.vm, KVM_PV_DUMP, &d, &c), 0);
	assert_int_equal(s390_run(&v), 0);		/* runs again */
	assert_int_equal(v.run->s.regs.gprs[2], PATTERN);
	free(buf);
	s390vm_close(&v);
}

/* Run until a real exit (an injection kicks the vCPU once). */
static int run_exit(struct s390vm *v)
{
	int r;

	while ((r = s390_run(v)) < 0 && errno == EINTR)
		;
	return r;
}

/*
 * While protected, a service signal reaches the guest only for its
 * event-pending bits (the SCCB travels in the SIDA): an SCCB completion
 * stays masked, an event is delivered with just those bits.
 */
static void test_service_masked(void **state)
{
	struct kvm_s390_interrupt irq = { .type = KVM_S390_INT_SERVICE };
	struct s390vm v = { 0 };

	(void)state;
	boot_src = service_src;
	boot_protected(&v, 0);
	boot_src = guest_src;
	assert_int_equal(run_exit(&v), 0);
	assert_int_equal(v.run->s.regs.gprs[1], 0x126);
	irq.parm = 0x1000;			/* an SCCB, no event */
	assert_int_equal(kvmu_ioctl(v.vm, KVM_S390_INTERRUPT, &irq), 0);
	assert_int_equal(run_exit(&v), 0);
	assert_int_equal(v.run->s.regs.gprs[1], 0x127);	/* masked */
	irq.parm = 0x1001;			/* and an event pending */
	assert_int_equal(kvmu_ioctl(v.vm, KVM_S390_INTERRUPT, &irq), 0);
	assert_int_equal(run_exit(&v), 0);
	assert_int_equal(v.run->s.regs.gprs[1], 0x129);	/* delivered */
	assert_int_equal(v.run->s.regs.gprs[2], 1);	/* the bits only */
	s390vm_close(&v);
}

/* Random UVCBs: never a crash; pointer fields always point somewhere. */
static void test_fuzz_uv_calls(void **state)
{
	static const uint16_t cmds[] = {
		0x0001, 0x000f, 0x0100, 0x0101, 0x0102, 0x0120, 0x0121,
		0x0200, 0x0201, 0x0202, 0x0300, 0x0301, 0x0302, 0x0310,
		0x0311, 0x0320, 0x0321, 0x0330, 0x0340, 0x0341, 0x0342,
		0x0400, 0x0401, 0x0402, 0x0403, 0x1000, 0x1001, 0x7777,
	};
	uint8_t cb[0x140], sel[8], area[0x2000] = { 0 }, hdr[0x280];
	uint64_t h[2] = { uv_conf(), uv_conf() };
	uint16_t cmd;
	int i;

	(void)state;
	RAND_bytes(hdr, sizeof(hdr));
	for (i = 0; i < 20000; i++) {
		RAND_bytes(cb, sizeof(cb));
		RAND_bytes(sel, sizeof(sel));
		cmd = cmds[sel[0] % (sizeof(cmds) / sizeof(cmds[0]))];
		put16(cb, (uint16_t)(sel[1] % 0x140));
		put16(cb + 2, cmd);
		if (sel[2] & 1)		/* real configurations and CPUs */
			put64(cb + 0x18 + (sel[2] & 8), (sel[2] & 2) ?
			      h[sel[3] & 1] << 8 | (sel[4] % 4) :
			      h[sel[3] & 1]);
		if (cmd == 0x0100)	/* small, and destroyed again */
			put64(cb + 0x40, 0x100000);
		if (cmd == 0x0300) {
			put64(cb + 0x20, (uintptr_t)hdr);
			put32(cb + 0x28, (uint32_t)(sel[5] % 2 ? 0x280 : sel[6]));
		}
		if (cmd >= 0x0401 && cmd <= 0x0403) {
			put64(cb + 0x20, (uintptr_t)area);
			put64(cb + 0x28, (uintptr_t)area);
		}
		kvmu_uv_call(cb);
		assert_true(get16(cb + 4) != 1 || cmd != 0x0300);
		if (cmd == 0x0100 && get16(cb + 4) == 1) {
			put64(cb + 0x10, 0);
			put64(cb, 0x0020010100000000ULL);
			kvmu_uv_call(cb);	/* may refuse: CPUs exist */
		}
	}
}

/* Mutated headers never open; random pages never import. */
static void test_fuzz_headers(void **state)
{
	struct s390vm v = { 0 };
	uint8_t *hdr, *bad;
	size_t len, i;
	struct se_plain p;
	struct se_secrets s;
	EVP_PKEY *host = NULL;
	uint16_t rrc, rc;

	(void)state;
	assert_int_equal(s390vm_open(&v), 0);
	make_image(&v, 0, 1, &hdr, &len);
	s390vm_close(&v);
	bad = malloc(len);
	assert_int_equal(uv_hostkey_load(NULL, &host), 0);
	assert_int_equal(se_hdr_open(hdr, len, host, &p, &s, &rrc), 1);
	for (i = 0; i < 3000; i++) {
		memcpy(bad, hdr, len);
		if (i < len * 8) {
			bad[i / 8 % len] ^= (uint8_t)(1 << (i % 8));
		} else {
			RAND_bytes(bad, (int)len);
		}
		rc = se_hdr_open(bad, len - (i % 7 == 6), host, &p, &s, &rrc);
		assert_int_not_equal(rc, 1);
	}
	EVP_PKEY_free(host);
	free(bad);
	free(hdr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_unprotected_errnos),
		cmocka_unit_test(test_protected_errnos),
		cmocka_unit_test(test_secure_memory),
		cmocka_unit_test(test_tampered_page),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_service_masked),
		cmocka_unit_test(test_fuzz_uv_calls),
		cmocka_unit_test(test_fuzz_headers),
	};
	int r;

	if (!s390_have_toolchain())
		return 77;
	if (!mkdtemp(host_dir))
		return 1;
	setenv("KVMU_HOST_DIR", host_dir, 1);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", host_dir);
		if (system(cmd))
			r = 1;
	}
	return r;
}
