// SPDX-License-Identifier: MIT
/*
 * The ioctl tracer: one strace-like line per KVM ioctl, with the argument
 * structures of the generic ioctls decoded and, after KVM_RUN, a line for
 * the exit.  Names come from the ioctl, capability and exit tables the
 * dispatcher uses.  A line is built in a buffer and written with one call,
 * so that the lines of concurrent vCPU threads do not interleave.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kvmu_int.h"

void *kvmu_trace_stream;

struct tbuf {
	char s[512];
	size_t n;
};

void kvmu_trace_set(void *stream)
{
	kvmu_trace_stream = stream;
}

static void tb(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->n >= sizeof(b->s))
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->n = b->n + (size_t)n < sizeof(b->s) ? b->n + (size_t)n :
			sizeof(b->s) - 1;
}

static void tb_cap(struct tbuf *b, long cap)
{
	const char *name = kvmu_cap_name(cap);

	if (name)
		tb(b, "KVM_CAP_%s", name);
	else
		tb(b, "%ld", cap);
}

/* Read the caller's argument; the pointer alone when it is unreadable. */
static bool peek(struct tbuf *b, void *dst, unsigned long uptr, size_t len)
{
	if (!kvmu_copy_from_user(dst, uptr, len))
		return true;
	tb(b, "%#lx", uptr);
	return false;
}

static void tb_region(struct tbuf *b, unsigned long arg, bool two)
{
	struct kvm_userspace_memory_region2 r;

	if (!peek(b, &r, arg, two ? sizeof(r) :
		  sizeof(struct kvm_userspace_memory_region)))
		return;
	tb(b, "{slot=%u, flags=%#x, guest_phys_addr=%#llx, memory_size=%#llx, "
	   "userspace_addr=%#llx", r.slot, r.flags,
	   (unsigned long long)r.guest_phys_addr,
	   (unsigned long long)r.memory_size,
	   (unsigned long long)r.userspace_addr);
	if (two)
		tb(b, ", guest_memfd=%u, guest_memfd_offset=%#llx",
		   r.guest_memfd, (unsigned long long)r.guest_memfd_offset);
	tb(b, "}");
}

static void tb_struct_arg(struct tbuf *b, unsigned int cmd,
			  unsigned long arg)
{
	union {
		struct kvm_enable_cap cap;
		struct kvm_dirty_log log;
		struct kvm_clear_dirty_log clr;
		struct kvm_coalesced_mmio_zone zone;
		__u32 len;
	} u;

	if (cmd == KVM_SET_USER_MEMORY_REGION ||
	    cmd == KVM_SET_USER_MEMORY_REGION2) {
		tb_region(b, arg, cmd == KVM_SET_USER_MEMORY_REGION2);
	} else if (cmd == KVM_ENABLE_CAP) {
		if (!peek(b, &u.cap, arg, sizeof(u.cap)))
			return;
		tb(b, "{cap=");
		tb_cap(b, (long)u.cap.cap);
		tb(b, ", flags=%#x, args[0]=%#llx}", u.cap.flags,
		   (unsigned long long)u.cap.args[0]);
	} else if (cmd == KVM_GET_DIRTY_LOG) {
		if (peek(b, &u.log, arg, sizeof(u.log)))
			tb(b, "{slot=%u}", u.log.slot);
	} else if (cmd == KVM_CLEAR_DIRTY_LOG) {
		if (peek(b, &u.clr, arg, sizeof(u.clr)))
			tb(b, "{slot=%u, first_page=%llu, num_pages=%u}",
			   u.clr.slot, (unsigned long long)u.clr.first_page,
			   u.clr.num_pages);
	} else if (cmd == KVM_REGISTER_COALESCED_MMIO ||
		   cmd == KVM_UNREGISTER_COALESCED_MMIO) {
		if (peek(b, &u.zone, arg, sizeof(u.zone)))
			tb(b, "{addr=%#llx, size=%u, pio=%u}",
			   (unsigned long long)u.zone.addr, u.zone.size,
			   u.zone.pio);
	} else if (cmd == KVM_SET_SIGNAL_MASK && arg) {
		if (peek(b, &u.len, arg, sizeof(u.len)))
			tb(b, "{len=%u}", u.len);
	} else {
		tb(b, arg ? "%#lx" : "NULL", arg);
	}
}

static void tb_arg(struct tbuf *b, unsigned int cmd, unsigned long arg)
{
	if (cmd == KVM_CHECK_EXTENSION)
		tb_cap(b, (long)arg);
	else if (_IOC_DIR(cmd) == _IOC_NONE)
		tb(b, "%lu", arg);
	else
		tb_struct_arg(b, cmd, arg);
}

/* The exit KVM_RUN reports, with the fields user space acts on. */
static void tb_exit(struct tbuf *b, const struct kvm_run *run, bool planes)
{
	const struct kvmu_run_planes *rp = (const void *)run;
	const struct kvmu_plane_event_exit *ev = (const void *)&run->hw;
	const char *e = kvmu_exit_name(run->exit_reason);
	const u64 *mf = (const u64 *)&run->hw;

	tb(b, "kvmu:   exit %s", e ? e : "?");
	if (planes)		/* the plane that ran (in) and exited (out) */
		tb(b, " plane=%u", rp->plane);
	switch (run->exit_reason) {
	case KVMU_EXIT_PLANE_EVENT:
		if (!planes)
			break;
		tb(b, " cause=%u pending=%#x target=%#x", ev->cause,
		   ev->pending_event_planes, ev->target);
		break;
	case KVM_EXIT_MEMORY_FAULT:
		tb(b, " flags=%#llx gpa=%#llx size=%#llx",
		   (unsigned long long)mf[0], (unsigned long long)mf[1],
		   (unsigned long long)mf[2]);
		break;
	case KVM_EXIT_IO:
		tb(b, " %s port=%#x size=%u count=%u",
		   run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		   run->io.port, run->io.size, run->io.count);
		break;
	case KVM_EXIT_MMIO:
		tb(b, " %s addr=%#llx len=%u",
		   run->mmio.is_write ? "write" : "read",
		   (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		tb(b, " suberror=%u", run->internal.suberror);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		tb(b, " reason=%#llx", (unsigned long long)
		   run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		tb(b, " type=%u", run->system_event.type);
		break;
	case KVM_EXIT_S390_SIEIC:
		tb(b, " icptcode=%#x ipa=%#x ipb=%#x",
		   run->s390_sieic.icptcode, run->s390_sieic.ipa,
		   run->s390_sieic.ipb);
		break;
	}
	tb(b, "\n");
}

void kvmu_trace_ioctl(struct kvmu_obj *obj, unsigned int cmd,
		      unsigned long arg, long ret)
{
	FILE *f = kvmu_trace_stream;
	const char *name = kvmu_ioctl_name(obj->arch ? obj->arch->arch :
					   KVMU_ARCH_HOST, cmd);
	struct tbuf b = { .n = 0 };

	if (!f)
		return;
	if (name)
		tb(&b, "kvmu: %s: %s(", kvmu_kind_name(obj->kind), name);
	else
		tb(&b, "kvmu: %s: ioctl(%#x, ", kvmu_kind_name(obj->kind), cmd);
	tb_arg(&b, cmd, arg);
	if (ret < 0)
		tb(&b, ") = -1 %s (%s)\n", strerrorname_np((int)-ret),
		   strerror((int)-ret));
	else
		tb(&b, ") = %ld\n", ret);
	if (cmd == KVM_RUN && obj->kind == KVMU_OBJ_VCPU &&
	    (ret >= 0 || ret == -EINTR || ret == -EFAULT))
		tb_exit(&b, (const struct kvm_run *)((struct kvmu_vcpu *)obj)->run,
			obj->arch->planes != NULL);
	fwrite(b.s, 1, b.n, f);
}
