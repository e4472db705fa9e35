#!/bin/sh
# `kvmu exec`: runs a dynamically linked /dev/kvm program on kvmu (with
# --trace lines), passes --arch on, refuses a statically linked program
# with its message, and reports usage errors.
. tests/shim/lib.sh
KVMU=$BUILD/kvmu
[ -x "$KVMU" ] || skip "$KVMU is not built"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
# a sanitizer runtime the shim needs stays first in LD_PRELOAD
pre=${SHIM_PRELOAD% *}
[ "$pre" = "$SHIM_PRELOAD" ] && pre=
kexec() {
	env ${pre:+LD_PRELOAD="$pre"} "$KVMU" exec "$@"
}
check() {
	if [ "$1" = 0 ]; then
		echo "PASS: $2"
	else
		echo "FAIL: $2"
		fail=1
	fi
}

fdops=$(shim_prog fdops) || exit 1
kexec --trace -- "$fdops" > "$tmp/out" 2> "$tmp/err"
rc=$?
cmp -s tests/shim/expected/fdops.txt "$tmp/out" && [ $rc = 0 ]
check $? "kvmu exec runs fdops with the kernel's transcript"
grep -q '^kvmu: kvm: KVM_GET_API_VERSION(0) = 12$' "$tmp/err"
check $? "--trace prints one line per KVM ioctl"
grep -q '^kvmu: vm: KVM_CREATE_VCPU' "$tmp/err"
check $? "--trace names the object and the ioctl"

out=$(kexec --arch s390x -- sh -c 'echo "$KVMU_ARCH"')
[ "$out" = s390x ]
check $? "--arch reaches the program as KVMU_ARCH ($out)"

kexec --arch nonsense -- true 2> /dev/null
[ $? = 2 ]
check $? "an unknown --arch is a usage error"
kexec -- /nonexistent/program 2> /dev/null
[ $? = 127 ]
check $? "a missing program exits 127"
"$KVMU" exec --help | grep -q '^usage: kvmu exec'
check $? "--help"

printf '#include <stdio.h>\nint main(void) { puts("static"); return 0; }\n' \
	> "$tmp/st.c"
if $CC -static -o "$tmp/static" "$tmp/st.c" 2> /dev/null; then
	kexec -- "$tmp/static" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	[ $rc = 2 ] && ! [ -s "$tmp/out" ] &&
		grep -q 'is statically linked' "$tmp/err"
	check $? "a statically linked program is refused (exit $rc): $(head -n 1 "$tmp/err")"
else
	echo "SKIP: no static libc to build a static program with"
fi
exit $fail
