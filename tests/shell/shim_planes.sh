#!/bin/sh
# The VTL-aware VMM of tests/shim/planes_vtl.c, an unmodified /dev/kvm
# program, runs on kvmu's VM planes through the LD_PRELOAD shim: its
# transcript is the expected one, and the trace (KVMU_TRACE=1, which also
# proves kvmu served it) shows the plane of each run and exit.
. tests/shim/lib.sh
[ "$(uname -m)" = x86_64 ] || skip "planes are x86-only"
shim_transcript planes_vtl
grep -q '^kvmu: vm: KVM_CREATE_PLANE(1) = ' "$tmp/trace"
check $? "kvmu served KVM_CREATE_PLANE"
grep -q '^kvmu: plane: KVM_CREATE_VCPU_PLANE(' "$tmp/trace"
check $? "... and KVM_CREATE_VCPU_PLANE on the plane fd"
grep -q '^kvmu:   exit IO plane=1 out port=0x20' "$tmp/trace"
check $? "the trace shows plane 1's hypercall exit"
grep -q '^kvmu:   exit MEMORY_FAULT plane=0 flags=0x2 gpa=0x5000' \
	"$tmp/trace"
check $? "the trace shows plane 0's write fault"
exit $fail
