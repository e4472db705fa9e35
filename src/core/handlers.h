/* SPDX-License-Identifier: MIT */
/* Handlers named in ioctls.def. */
#ifndef KVMU_HANDLERS_H
#define KVMU_HANDLERS_H

#include "kvmu_int.h"

#define KVMU_IOCTL(req, kind, mode, fn) \
	long fn(struct kvmu_obj *obj, struct kvmu_ioctl_req *r);
#include "ioctls.def"
#include "irq_ioctls.def"
#include "plane_ioctls.def"
#undef KVMU_IOCTL

#endif
