#!/bin/sh
# Interrupts of a plane other than 0 for an unmodified /dev/kvm program
# (tests/shim/planes_irq.c) under the LD_PRELOAD shim: another plane's APIC
# timer as KVM_EXIT_PLANE_EVENT while plane 0 spins, an irqfd on a route
# naming plane 1, suspended_planes after a switch; the trace shows the
# plane event's exit line.
. tests/shim/lib.sh
[ "$(uname -m)" = x86_64 ] || skip "planes are x86-only"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {
	if [ "$1" = 0 ]; then echo "PASS: $2"; else echo "FAIL: $2"; fail=1; fi
}
prog=$(shim_prog planes_irq) || exit 1
env LD_PRELOAD="$SHIM_PRELOAD" KVMU_TRACE=1 "$prog" > "$tmp/out" \
	2> "$tmp/trace"
rc=$?
[ $rc = 0 ]
check $? "the program exits 0 (got $rc)"
cmp -s "$tmp/out" tests/shim/expected/planes_irq.txt
check $? "transcript as expected"
[ $fail = 0 ] || diff -u tests/shim/expected/planes_irq.txt "$tmp/out"
grep -q '^kvmu:   exit PLANE_EVENT plane=0 cause=1 pending=0x2 target=0x2' \
	"$tmp/trace"
check $? "the trace shows plane 0's run ended by plane 1's event"
grep -q '^kvmu: vm: KVM_SET_GSI_ROUTING(' "$tmp/trace"
check $? "kvmu served KVM_SET_GSI_ROUTING"
exit $fail
