// SPDX-License-Identifier: MIT
/* The ioctl tracer: one strace-like line per KVM ioctl. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "kvmu_int.h"

void *kvmu_trace_stream;

static const char *const kind_names[KVMU_OBJ_NR] = {
	"kvm", "vm", "vcpu", "device", "plane", "stats",
};

void kvmu_trace_set(void *stream)
{
	kvmu_trace_stream = stream;
}

void kvmu_trace_ioctl(struct kvmu_obj *obj, unsigned int cmd,
		      unsigned long arg, long ret)
{
	FILE *f = kvmu_trace_stream;
	const char *name = kvmu_ioctl_name(obj->arch->arch, cmd);
	char argbuf[32];

	if (!f)
		return;
	if (_IOC_DIR(cmd) == _IOC_NONE)
		snprintf(argbuf, sizeof(argbuf), "%lu", arg);
	else
		snprintf(argbuf, sizeof(argbuf), "%#lx", arg);
	if (name)
		fprintf(f, "kvmu: %s: %s(%s)", kind_names[obj->kind], name,
			argbuf);
	else
		fprintf(f, "kvmu: %s: ioctl(%#x, %s)", kind_names[obj->kind],
			cmd, argbuf);
	if (ret < 0)
		fprintf(f, " = -1 %s (%s)\n", strerrorname_np((int)-ret),
			strerror((int)-ret));
	else
		fprintf(f, " = %ld\n", ret);
	if (cmd == KVM_RUN && ret >= 0 && obj->kind == KVMU_OBJ_VCPU) {
		struct kvmu_vcpu *v = (struct kvmu_vcpu *)obj;
		const char *e = kvmu_exit_name(v->run->exit_reason);

		fprintf(f, "kvmu:   exit %s\n", e ? e : "?");
	}
}
