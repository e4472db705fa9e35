#!/bin/sh
# docs/clients.md states what QEMU does through the shim today; this runs
# unmodified QEMU on the demo guest (debug console on stdout, QEMU's
# isa-debug-exit) and checks the message the page quotes is what comes out,
# and that QEMU leaves with the guest's status 33.  The Linux boots under
# QEMU are tests/shell/linux_qemu.sh.
set -u
BUILD=${BUILD:-build}
KVMU=$BUILD/kvmu
QEMU=qemu-system-x86_64
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
command -v $QEMU >/dev/null || { echo "skip: no $QEMU"; exit 77; }
if [ -n "${KVMU_SAN:-}" ]; then
	echo "skip: sanitizer build ($KVMU_SAN): checked in the plain pass"
	exit 77
fi
fail() { echo "FAIL: $*"; exit 1; }

row=$(grep '^| QEMU, `qemu-system-x86_64 -accel kvm`' docs/clients.md) ||
	fail "no QEMU row in docs/clients.md"
claim=$(echo "$row" | awk -F'|' '{ print $4 }' | sed -n 's/[^`]*`\([^`]*\)`.*/\1/p')
[ -n "$claim" ] || fail "the QEMU row quotes no message: $row"
out=$(timeout 120 "$KVMU" exec -- $QEMU -accel kvm -display none \
	-serial none -monitor none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=4 -debugcon stdio \
	-kernel "$BUILD/guests/x86/demo.elf" 2>&1 < /dev/null)
rc=$?
echo "$out" | grep -qF "$claim" ||
	fail "docs/clients.md says QEMU prints '$claim'; it printed: $out"
[ $rc = 33 ] || fail "QEMU's status $rc, want 33 (the demo's exit 0x10)"
echo "QEMU $($QEMU --version | sed -n 's/.*version \([^ ]*\).*/\1/p'): $claim"
