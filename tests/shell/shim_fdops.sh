#!/bin/sh
# dup/dup2/dup3/F_DUPFD, close of one duplicate, fork (EIO in the child),
# VFS requests and non-KVM descriptors through the LD_PRELOAD shim: the
# transcript must match the real kernel's (tests/shim/expected/fdops.txt).
. tests/shim/lib.sh
bin=$(shim_prog fdops) || exit 1
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
env LD_PRELOAD="$SHIM_PRELOAD" "$bin" > "$tmp"
rc=$?
if [ $rc = 0 ] && cmp -s tests/shim/expected/fdops.txt "$tmp"; then
	echo "PASS: fdops transcript matches the kernel's"
	exit 0
fi
echo "FAIL: fdops under the shim (exit $rc)"
diff -u tests/shim/expected/fdops.txt "$tmp" | head -n 40
exit 1
