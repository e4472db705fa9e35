/* SPDX-License-Identifier: MIT */
/* The PV side of the s390x VMM of `kvmu run` (s390_pv.c). */
#ifndef KVMU_CLI_S390_PV_H
#define KVMU_CLI_S390_PV_H

#include <stdbool.h>
#include <stdint.h>

#include "run.h"

/*
 * Load path if it is a Secure Execution image (1:1 at absolute 0, entry
 * from the short PSW at 0): 1 loaded, 0 not such an image, -1 error.
 */
int s390_pv_load(struct run_vm *vm, const char *path, struct boot *b);
/* The PSW mask an SE image starts with (IPL: 31-bit). */
uint64_t s390_pv_boot_mask(void);
/* DIAGNOSE X'308' subcodes the kernel leaves to the VMM (R1, R3). */
void s390_pv_diag308(struct run_vm *vm, unsigned int r1, unsigned int r3);
/* The guest runs protected now. */
bool s390_pv_protected(struct run_vm *vm);
void s390_pv_cleanup(struct run_vm *vm);

#endif
