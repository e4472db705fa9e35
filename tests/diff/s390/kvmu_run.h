/* SPDX-License-Identifier: MIT */
/* The kvmu side of the s390x differential tester. */
#ifndef KVMU_DIFF_S390_KVMU_RUN_H
#define KVMU_DIFF_S390_KVMU_RUN_H

#include "gen.h"

struct kr;

struct kr *kr_open(void);
void kr_close(struct kr *k);
/* Run s; fill o as the harness does (cls: a program-interruption code). */
int kr_run(struct kr *k, const struct ds_seq *s, struct ds_out *o);

#endif
