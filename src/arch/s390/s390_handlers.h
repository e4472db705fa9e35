/* SPDX-License-Identifier: MIT */
/* Handlers named in src/arch/s390/ioctls.def, and the run hook. */
#ifndef KVMU_S390_HANDLERS_H
#define KVMU_S390_HANDLERS_H

#include "kvmu_int.h"

#define KVMU_IOCTL(req, kind, mode, fn) \
	long fn(struct kvmu_obj *obj, struct kvmu_ioctl_req *r);
#include "ioctls.def"
#undef KVMU_IOCTL

int s390_vcpu_run(struct kvmu_vcpu *vcpu);

#endif
