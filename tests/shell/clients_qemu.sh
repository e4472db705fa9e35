#!/bin/sh
# docs/clients.md states what QEMU does through the shim today; this runs
# it and checks the stated message is what QEMU prints.  When kvmu gains
# what QEMU asked for, this fails until the page says what happens now.
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
out=$(timeout 60 "$KVMU" exec -- $QEMU -accel kvm -display none \
	-serial none -monitor none -no-reboot \
	-kernel "$BUILD/guests/x86/demo.elf" 2>&1)
echo "$out" | grep -qF "$claim" ||
	fail "docs/clients.md says QEMU prints '$claim'; it printed: $out"
echo "QEMU $($QEMU --version | sed -n 's/.*version \([^ ]*\).*/\1/p'): $claim"
