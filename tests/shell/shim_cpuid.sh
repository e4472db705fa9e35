#!/bin/sh
# The shim answers the program's own cpuid as a KVM host would (VMX on
# Intel, SVM on AMD) where the kernel offers CPUID faulting, and leaves it
# alone with KVMU_CPUID_FAULTING=0.  Without kernel support it changes
# nothing and, when tracing, says so once on stderr.
. tests/shim/lib.sh
[ "$(uname -m)" = x86_64 ] || skip "CPUID faulting is x86-only"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {
	if [ "$1" = 0 ]; then echo "PASS: $2"; else echo "FAIL: $2"; fail=1; fi
}
prog=$(shim_prog cpuid) || exit 1
native=$("$prog")
shimmed() {
	env LD_PRELOAD="$SHIM_PRELOAD" "$@" "$prog" 2> "$tmp/err"
}

off=$(shimmed env KVMU_CPUID_FAULTING=0 KVMU_TRACE=1)
[ "$off" = "$native" ] && ! grep -q CPUID "$tmp/err"
check $? "KVMU_CPUID_FAULTING=0: the host's answer ($off), nothing said"

on=$(shimmed env KVMU_TRACE=1)
case $on in
*faulting=1)
	[ "$on" = "virt=1 faulting=1" ]
	check $? "cpuid faults and reports the virtualization bit ($on)"
	! grep -q CPUID "$tmp/err"
	check $? "nothing said when faulting works" ;;
*)
	[ "$on" = "$native" ]
	check $? "no CPUID faulting here: the host's answer ($on)"
	[ "$(grep -c 'no CPUID faulting here' "$tmp/err")" = 1 ]
	check $? "said once when tracing"
	shimmed env KVMU_TRACE= > /dev/null
	! grep -q CPUID "$tmp/err"
	check $? "silent without tracing"
	[ $fail = 0 ] && skip "the kernel offers no CPUID faulting (the bit itself: tests/unit/test_shim_cpuid)" ;;
esac
exit $fail
