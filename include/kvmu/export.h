/* SPDX-License-Identifier: MIT */
/*
 * KVMU_API marks the functions libkvmu.so exports.  The library is built
 * with -fvisibility=hidden, so its internal names (vcpu_run, op_add32, ...)
 * stay out of the dynamic symbol table and cannot collide with a program's
 * own; only what the public headers declare is visible.
 */
#ifndef KVMU_EXPORT_H
#define KVMU_EXPORT_H

#ifndef KVMU_API
#define KVMU_API __attribute__((visibility("default")))
#endif

#endif /* KVMU_EXPORT_H */
