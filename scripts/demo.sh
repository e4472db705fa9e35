#!/bin/sh
# make demo: boot the bundled demo guest (SHA-256 and a prime sieve in
# freestanding C) on kvmu and show its output and `kvmu run --stats`.
BUILD=${1:-build}
KVMU=$BUILD/kvmu
IMAGE=$BUILD/guests/x86/demo.elf
if [ ! -x "$KVMU" ] || [ ! -f "$IMAGE" ]; then
	make --no-print-directory BUILD="$BUILD" all guests || exit 1
fi
echo "\$ $KVMU run --stats $IMAGE"
"$KVMU" run --stats "$IMAGE"
rc=$?
# The demo leaves through port 0xF4 with 0x10 (pass) or 0x11 (fail); the
# exit status is (value << 1) | 1, as under QEMU's isa-debug-exit.
case $rc in
33) echo "demo: passed (guest exit value 0x10, status 33)"; exit 0 ;;
35) echo "demo: the guest found wrong results (status 35)"; exit 1 ;;
*) echo "demo: failed (status $rc)"; exit 1 ;;
esac
