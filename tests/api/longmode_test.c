// SPDX-License-Identifier: MIT
/*
 * Long mode entered through SET_SREGS (4-level identity paging, a GDT with
 * a 64-bit code segment, an IDT), then exceptions delivered through the
 * IDT: #DE from DIV by zero, and #PF from a not-present page (read and
 * write) and from a write to a read-only page with CR0.WP set.  Each
 * handler reports through OUT: port 0x80 the vector, 0x81 CR2, 0x82 the
 * error code, 0x84 the saved RIP; then HLT.
 */
#include "kvm_api.h"

#define MAIN(k)		(0x10000 + 0x100 * (k))
#define HANDLER(k)	(0x9000 + 0x100 * (k))
#define STACK		0x70000
#define NOT_PRESENT	0x80000
#define READ_ONLY	0x81000

static const uint8_t main_de[] = {
	0x31, 0xd2,                             /* xor edx,edx */
	0xb8, 0x01, 0x00, 0x00, 0x00,           /* mov eax,0x1 */
	0x31, 0xc9,                             /* xor ecx,ecx */
	0xf7, 0xf1,                             /* div ecx */
	0xf4,                                   /* hlt */
};

static const uint8_t main_pf[] = {
	0xbb, 0x10, 0x00, 0x08, 0x00,           /* mov ebx,0x80010 */
	0x8a, 0x03,                             /* mov al,byte [rbx] */
	0xf4,                                   /* hlt */
};

static const uint8_t main_pf_write[] = {
	0xbb, 0x18, 0x00, 0x08, 0x00,           /* mov ebx,0x80018 */
	0xc6, 0x03, 0x01,                       /* mov byte [rbx],0x1 */
	0xf4,                                   /* hlt */
};

static const uint8_t main_pf_ro[] = {
	0xbb, 0x20, 0x10, 0x08, 0x00,           /* mov ebx,0x81020 */
	0x8b, 0x03,                             /* mov eax,dword [rbx] */
	0xe7, 0x85,                             /* out 0x85,eax */
	0xc7, 0x03, 0x02, 0x00, 0x00, 0x00,     /* mov dword [rbx],0x2 */
	0xf4,                                   /* hlt */
};

static const uint8_t handler_de[] = {
	0xb0, 0x00,                             /* mov al,0x0 */
	0xe6, 0x80,                             /* out 0x80,al */
	0x48, 0x8b, 0x04, 0x24,                 /* mov rax,qword [rsp] */
	0xe7, 0x84,                             /* out 0x84,eax */
	0xf4,                                   /* hlt */
};

static const uint8_t handler_pf[] = {
	0xb0, 0x0e,                             /* mov al,0xe */
	0xe6, 0x80,                             /* out 0x80,al */
	0x0f, 0x20, 0xd0,                       /* mov rax,cr2 */
	0xe7, 0x81,                             /* out 0x81,eax */
	0x48, 0x8b, 0x04, 0x24,                 /* mov rax,qword [rsp] */
	0xe7, 0x82,                             /* out 0x82,eax */
	0x48, 0x8b, 0x44, 0x24, 0x08,           /* mov rax,qword [rsp+0x8] */
	0xe7, 0x84,                             /* out 0x84,eax */
	0xf4,                                   /* hlt */
};

static const uint8_t handler_other[] = {
	0xb0, 0xff,                             /* mov al,0xff */
	0xe6, 0x80,                             /* out 0x80,al */
	0xf4,                                   /* hlt */
};

static const struct {
	const char *name;
	const uint8_t *code;
	size_t len;
} mains[] = {
	{ "#DE: div ecx with ecx=0", main_de, sizeof(main_de) },
	{ "#PF: read of a not-present page", main_pf, sizeof(main_pf) },
	{ "#PF: write to a not-present page", main_pf_write,
	  sizeof(main_pf_write) },
	{ "#PF: write to a read-only page, CR0.WP=1", main_pf_ro,
	  sizeof(main_pf_ro) },
};

static void setup(struct tvm *t)
{
	size_t k;

	put_code(t, HANDLER(0), handler_de, sizeof(handler_de));
	put_code(t, HANDLER(1), handler_pf, sizeof(handler_pf));
	put_code(t, HANDLER(2), handler_other, sizeof(handler_other));
	for (k = 0; k < ARRAY_LEN(mains); k++)
		put_code(t, MAIN(k), mains[k].code, mains[k].len);
	tvm_long_mode(t, HANDLER(2), MAIN(0), STACK);
	lm_set_gate(t, 0, HANDLER(0));
	lm_set_gate(t, 14, HANDLER(1));
	lm_set_pte(t, NOT_PRESENT, 0);
	lm_set_pte(t, READ_ONLY, PTE_P);
	memcpy(t->mem + READ_ONLY + 0x20, "\x01\x00\xfe\xca", 4);
}

static void show_state(struct tvm *t)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	get_regs(t, &r);
	get_sregs(t, &s);
	T("rip=0x%llx rsp=0x%llx cr2=0x%llx\n", r.rip, r.rsp, s.cr2);
}

int main(void)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	struct tvm t;
	size_t k;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tvm_create(&t, 2UL << 20);
	tvm_add_vcpu(&t, 0);
	setup(&t);
	get_sregs(&t, &s);
	T("cr0=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx cs.l=%u\n", s.cr0,
	  s.cr3, s.cr4, s.efer, s.cs.l);
	for (k = 0; k < ARRAY_LEN(mains); k++) {
		T("== %s\n", mains[k].name);
		memset(&r, 0, sizeof(r));
		r.rip = MAIN(k);
		r.rsp = STACK;
		r.rflags = 2;
		if (KVM_IOCTL(t.vcpu, KVM_SET_REGS, &r) < 0)
			die("KVM_SET_REGS");
		run_to_hlt(&t, 10);
		show_state(&t);
	}
	T("read-only page: %02x\n", t.mem[READ_ONLY + 0x20]);
	tvm_destroy(&t);
	return 0;
}
