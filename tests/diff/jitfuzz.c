// SPDX-License-Identifier: MIT
/*
 * The JIT fuzz of the differential tester (difftest -j): what random
 * sequences alone do not reach.  Self-modifying code: a store at the
 * start of the sequence patches an immediate byte of a MOV either right
 * after it (the same block, already running as host code) or at the end
 * of the sequence (a later block).  Page-table changes between runs: the
 * data pages are remapped to other guest-physical pages and the TLB
 * flushed (KVM_SET_SREGS), so memory operands reached from host code must
 * follow the new translation.  Both sides get the same changes; their
 * outcomes are compared as for -e.
 */
#include <stdbool.h>
#include <string.h>

#include "gen.h"
#include "jitfuzz.h"
#include "x86_guest.h"

/* Guest-physical home of the data pages when remapped (free RAM). */
#define JF_ALT_DATA	0x100000ULL

bool jf_smc(struct gen *g, uint64_t r)
{
	static const uint8_t regs[] = { 0, 1, 2, 3, 5, 6, 7 };
	size_t body = g->len - 2;	/* without the final OUT */
	bool near = r >> 8 & 1;
	size_t mov = near ? 7 : 7 + body;
	uint32_t disp = (uint32_t)(mov + 1 + (r >> 16 & 3) - 7);
	uint32_t imm = (uint32_t)(r >> 32);
	uint8_t *c = g->code;

	if (g->len + 12 > GEN_CODE_MAX)
		return false;
	memmove(c + 7 + (near ? 5 : 0), c, body);
	c[0] = 0xc6;				/* mov byte [rip+disp], v */
	c[1] = 0x05;
	memcpy(c + 2, &disp, 4);
	c[6] = (uint8_t)(r >> 24);
	c[mov] = (uint8_t)(0xb8 + regs[r % 7]);	/* mov r32, imm */
	memcpy(c + mov + 1, &imm, 4);
	c[7 + 5 + body] = 0xe6;			/* out 0xe9, al */
	c[7 + 5 + body + 1] = 0xe9;
	g->len = 7 + 5 + body + 2;
	g->ninsn += 2;
	return true;
}

uint64_t jf_data_phys(bool alt)
{
	return alt ? JF_ALT_DATA : TG_DATA;
}

int jf_remap(struct tguest *tg, bool alt)
{
	uint64_t *pt = (uint64_t *)(tg->mem + TG_PT);
	uint64_t phys = jf_data_phys(alt);
	struct kvm_sregs s;
	unsigned int i;

	for (i = 0; i < GEN_DATA_SIZE / 4096; i++) {
		uint64_t *pte = &pt[(TG_DATA >> 12) + i];

		*pte = (*pte & 0xfff) | (phys + 4096ULL * i);
	}
	/* reloading CR3 (with the rest of sregs) flushes the TLB */
	if (tg_ioctl(tg, tg->vcpu, KVM_GET_SREGS, &s) < 0)
		return -1;
	return tg_ioctl(tg, tg->vcpu, KVM_SET_SREGS, &s);
}
