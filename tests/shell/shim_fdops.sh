#!/bin/sh
# dup/dup2/dup3/F_DUPFD, close of one duplicate, fork (EIO in the child),
# VFS requests and non-KVM descriptors through the LD_PRELOAD shim: the
# transcript must match the real kernel's (tests/shim/expected/fdops.txt).
# Then again on a /dev without a kvm node (an empty tmpfs over /dev in a
# private mount namespace, when we may make one): access() and stat() of
# /dev/kvm must still succeed, and everything else be the same (the
# program skips its pty line, /dev/ptmx being gone too).
. tests/shim/lib.sh
bin=$(shim_prog fdops) || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
env LD_PRELOAD="$SHIM_PRELOAD" "$bin" > "$tmp/out"
rc=$?
if [ $rc != 0 ] || ! cmp -s tests/shim/expected/fdops.txt "$tmp/out"; then
	echo "FAIL: fdops under the shim (exit $rc)"
	diff -u tests/shim/expected/fdops.txt "$tmp/out" | head -n 40
	exit 1
fi
echo "PASS: fdops transcript matches the kernel's"

unshare -m sh -c 'mount -t tmpfs none /dev' 2> /dev/null ||
	{ echo "SKIP: cannot hide /dev (needs unshare -m as root)"; exit 0; }
grep -v '^TCGETS on a pty' tests/shim/expected/fdops.txt > "$tmp/exp"
unshare -m sh -c 'mount -t tmpfs none /dev && exec env LD_PRELOAD="$1" "$2"' \
	sh "$SHIM_PRELOAD" "$bin" > "$tmp/out" 2>&1
rc=$?
if [ $rc != 0 ] || ! cmp -s "$tmp/exp" "$tmp/out"; then
	echo "FAIL: fdops with no /dev/kvm node (exit $rc)"
	diff -u "$tmp/exp" "$tmp/out" | head -n 40
	exit 1
fi
echo "PASS: fdops with no /dev/kvm node"
exit 0
