// SPDX-License-Identifier: MIT
/*
 * A real-mode guest exercising every way a guest talks to user space:
 * OUT and IN of sizes 1, 2 and 4, REP OUTSB/OUTSW/INSB (one exit each,
 * data in the PIO page), MMIO writes and reads outside the memslots (the
 * read completed by the next KVM_RUN and echoed back through OUT; a write
 * crossing a page boundary is split into one access per page), a write
 * to a KVM_MEM_READONLY slot (an MMIO exit, memory unchanged), and HLT.
 *
 * Memory: slot 0 = RAM [0, 64K), code at 0x1000, OUTS source at 0x2000,
 * INS target at 0x3000; slot 1 = read-only [64K, 68K); 0x20000 is MMIO.
 */
#include "kvm_api.h"

#define CODE	0x1000
#define RO_GPA	0x10000

static const uint8_t guest[] = {
	0xb0, 0x41,                             /* mov al,0x41 */
	0xe6, 0x10,                             /* out 0x10,al */
	0xb8, 0x42, 0x43,                       /* mov ax,0x4342 */
	0xe7, 0x11,                             /* out 0x11,ax */
	0x66, 0xb8, 0x44, 0x45, 0x46, 0x47,     /* mov eax,0x47464544 */
	0xba, 0xf8, 0x03,                       /* mov dx,0x3f8 */
	0x66, 0xef,                             /* out dx,eax */
	0xe4, 0x20,                             /* in al,0x20 */
	0xe6, 0x21,                             /* out 0x21,al */
	0xe5, 0x22,                             /* in ax,0x22 */
	0xe7, 0x23,                             /* out 0x23,ax */
	0xba, 0x24, 0x01,                       /* mov dx,0x124 */
	0x66, 0xed,                             /* in eax,dx */
	0x66, 0xef,                             /* out dx,eax */
	0xbe, 0x00, 0x20,                       /* mov si,0x2000 */
	0xb9, 0x05, 0x00,                       /* mov cx,0x5 */
	0xba, 0x30, 0x00,                       /* mov dx,0x30 */
	0xf3, 0x6e,                             /* rep outs dx,byte ds:[si] */
	0xb9, 0x03, 0x00,                       /* mov cx,0x3 */
	0xba, 0x34, 0x00,                       /* mov dx,0x34 */
	0xf3, 0x6f,                             /* rep outs dx,word ds:[si] */
	0xbf, 0x00, 0x30,                       /* mov di,0x3000 */
	0xb9, 0x04, 0x00,                       /* mov cx,0x4 */
	0xba, 0x31, 0x00,                       /* mov dx,0x31 */
	0xf3, 0x6c,                             /* rep ins byte es:[di],dx */
	0x66, 0xa1, 0x00, 0x30,                 /* mov eax,ds:0x3000 */
	0x66, 0xe7, 0x32,                       /* out 0x32,eax */
	0xb8, 0x00, 0x20,                       /* mov ax,0x2000 */
	0x8e, 0xc0,                             /* mov es,ax */
	/* mov dword es:0x10,0x11223344 */
	0x26, 0x66, 0xc7, 0x06, 0x10, 0x00, 0x44, 0x33, 0x22, 0x11,
	0x26, 0xc6, 0x06, 0x20, 0x00, 0x55,     /* mov byte es:0x20,0x55 */
	/* mov dword es:0xffe,0x99887766 */
	0x26, 0x66, 0xc7, 0x06, 0xfe, 0x0f, 0x66, 0x77, 0x88, 0x99,
	0x26, 0x66, 0xa1, 0x40, 0x00,           /* mov eax,es:0x40 */
	0x66, 0xe7, 0x40,                       /* out 0x40,eax */
	0x26, 0x8b, 0x1e, 0x48, 0x00,           /* mov bx,word es:0x48 */
	0x89, 0xd8,                             /* mov ax,bx */
	0xe7, 0x42,                             /* out 0x42,ax */
	0xb8, 0x00, 0x10,                       /* mov ax,0x1000 */
	0x8e, 0xc0,                             /* mov es,ax */
	/* mov word es:0x4,0xbeef */
	0x26, 0xc7, 0x06, 0x04, 0x00, 0xef, 0xbe,
	0x26, 0xa0, 0x04, 0x00,                 /* mov al,es:0x4 */
	0xe6, 0x50,                             /* out 0x50,al */
	0xb9, 0x34, 0x12,                       /* mov cx,0x1234 */
	0xbe, 0x78, 0x56,                       /* mov si,0x5678 */
	0x31, 0xc0,                             /* xor ax,ax */
	0x8e, 0xc0,                             /* mov es,ax */
	0xf4,                                   /* hlt */
};

static void dump_regs(struct tvm *t)
{
	struct kvm_regs r;

	get_regs(t, &r);
	T("== final registers\n");
	T("rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx\n", r.rax, r.rbx,
	  r.rcx, r.rdx);
	T("rsi=0x%llx rdi=0x%llx rsp=0x%llx rip=0x%llx\n", r.rsi, r.rdi,
	  r.rsp, r.rip);
	/* AF is undefined after XOR (SDM vol. 2): masked. */
	T("rflags=0x%llx\n", r.rflags & ~0x10ULL);
}

int main(void)
{
	uint8_t *ro;
	struct tvm t;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tvm_create(&t, 0x10000);
	REQUIRE_CAP(t.sys, READONLY_MEM);
	ro = alloc_guest(PAGE);
	for (i = 0; i < 16; i++)
		ro[i] = (uint8_t)(0x50 + i);
	set_slot(t.vm, 1, KVM_MEM_READONLY, RO_GPA, PAGE, ro);
	for (i = 0; i < 16; i++)
		t.mem[0x2000 + i] = (uint8_t)('a' + i);
	memcpy(t.mem + CODE, guest, sizeof(guest));
	tvm_add_vcpu(&t, 0);
	tvm_real_mode(&t, CODE, 0x8000);
	T("== run\n");
	i = run_to_hlt(&t, 40);
	T("stopped: %s\n", i < 0 ? "error" : exit_name((unsigned int)i));
	T("INS target: ");
	print_bytes(t.mem + 0x3000, 6);
	T("\nread-only slot: ");
	print_bytes(ro, 8);
	T("\n");
	dump_regs(&t);
	tvm_destroy(&t);
	munmap(ro, PAGE);
	return 0;
}
