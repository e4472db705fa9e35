#!/bin/sh
# kvmu run --arch s390x --ap UUID: the mdev is attached through the VFIO
# objects (the guest runs, exit status 15), an unknown mdev and an mdev
# held by another process are refused with a message and status 2, and
# after the run the mdev is free again.
BUILD=${BUILD:-build}
KVMU=$BUILD/kvmu
G=$BUILD/guests/s390x
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
command -v s390x-linux-gnu-gcc >/dev/null || { echo "no s390x gcc"; exit 77; }
sh tests/guests/s390x/build.sh "$G" || { echo "guest build failed"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'kill $hold 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
KVMU_HOST_DIR=$T/host
export KVMU_HOST_DIR
U=0fe903a0-a323-44db-9daf-134c68627d61
{ "$KVMU" host init && "$KVMU" host apmask -4 && "$KVMU" host aqmask -4 &&
  "$KVMU" host mdev create $U && "$KVMU" host mdev assign $U adapter 4 &&
  "$KVMU" host mdev assign $U domain 4; } >/dev/null || fail "host setup"

"$KVMU" run --arch s390x --ap $U "$G/checksum.elf" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 15 ] || fail "--ap run: status $rc ($(cat "$T/err"))"
# not in use any more: the remove succeeds (it is refused while in use)
"$KVMU" host mdev remove $U >/dev/null 2>&1 || fail "mdev still in use"
"$KVMU" host mdev create $U >/dev/null || fail "mdev create"

"$KVMU" run --arch s390x --ap 11111111-2222-3333-4444-555555555555 \
	"$G/checksum.elf" >/dev/null 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "no such mdev" "$T/err" ||
	fail "unknown mdev: status $rc ($(cat "$T/err"))"

"$KVMU" host mdev hold $U >/dev/null &
hold=$!
sleep 0.5
"$KVMU" run --arch s390x --ap $U "$G/checksum.elf" >/dev/null 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "Device or resource busy" "$T/err" ||
	fail "held mdev: status $rc ($(cat "$T/err"))"
echo "PASS: kvmu run --ap"
exit 0
