/* SPDX-License-Identifier: MIT */
/* The JIT fuzz additions of difftest -j (jitfuzz.c). */
#ifndef KVMU_DIFF_JITFUZZ_H
#define KVMU_DIFF_JITFUZZ_H

#include <stdbool.h>
#include <stdint.h>

#include "gen.h"
#include "x86_guest.h"

/* Add a store that patches a MOV's immediate (near: the next
 * instruction, else the last one) to g's sequence; r: random bits.
 * false: no room, g unchanged. */
bool jf_smc(struct gen *g, uint64_t r);
/* Guest-physical address of the data pages, remapped or not. */
uint64_t jf_data_phys(bool alt);
/* Map the data pages to jf_data_phys(alt) and flush the TLB; 0 or -1. */
int jf_remap(struct tguest *tg, bool alt);

#endif /* KVMU_DIFF_JITFUZZ_H */
