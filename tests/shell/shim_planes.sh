#!/bin/sh
# The VTL-aware VMM of tests/shim/planes_vtl.c, an unmodified /dev/kvm
# program, runs on kvmu's VM planes through the LD_PRELOAD shim: its
# transcript is the expected one, and the trace (KVMU_TRACE=1, which also
# proves kvmu served it) shows the plane of each run and exit.
. tests/shim/lib.sh
[ "$(uname -m)" = x86_64 ] || skip "planes are x86-only"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {
	if [ "$1" = 0 ]; then echo "PASS: $2"; else echo "FAIL: $2"; fail=1; fi
}
prog=$(shim_prog planes_vtl) || exit 1
env LD_PRELOAD="$SHIM_PRELOAD" KVMU_TRACE=1 "$prog" > "$tmp/out" \
	2> "$tmp/trace"
rc=$?
[ $rc = 0 ]
check $? "the VMM exits 0 (got $rc)"
cmp -s "$tmp/out" tests/shim/expected/planes_vtl.txt
check $? "transcript as expected"
[ $fail = 0 ] || diff -u tests/shim/expected/planes_vtl.txt "$tmp/out"
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
