#!/bin/sh
# Interrupts of a plane other than 0 for an unmodified /dev/kvm program
# (tests/shim/planes_irq.c) under the LD_PRELOAD shim: another plane's APIC
# timer as KVM_EXIT_PLANE_EVENT while plane 0 spins, an irqfd on a route
# naming plane 1, suspended_planes after a switch; the trace shows the
# plane event's exit line.
. tests/shim/lib.sh
[ "$(uname -m)" = x86_64 ] || skip "planes are x86-only"
shim_transcript planes_irq
grep -q '^kvmu:   exit PLANE_EVENT plane=0 cause=1 pending=0x2 target=0x2' \
	"$tmp/trace"
check $? "the trace shows plane 0's run ended by plane 1's event"
grep -q '^kvmu: vm: KVM_SET_GSI_ROUTING(' "$tmp/trace"
check $? "kvmu served KVM_SET_GSI_ROUTING"
exit $fail
