#!/bin/sh
# kvmu run --arch s390x --ap UUID: the mdev is attached through the VFIO
# objects (the guest runs, exit status 15), an unknown mdev and an mdev
# held by another process are refused with a message and status 2, and
# after the run the mdev is free again; a guest run with an mdev sees
# exactly its queues and computes RSA on them.
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

# the run must come after the hold took the mdev: wait for its line (a
# fixed sleep lost that race on a loaded machine under the sanitizers)
"$KVMU" host mdev hold $U >"$T/hold" 2>&1 &
hold=$!
i=0
until grep -q "^holding $U" "$T/hold"; do
	i=$((i + 1))
	kill -0 $hold 2>/dev/null || fail "mdev hold: $(cat "$T/hold")"
	[ $i -lt 1200 ] || fail "mdev hold: not held after 120 s"
	sleep 0.1
done
"$KVMU" run --arch s390x --ap $U "$G/checksum.elf" >/dev/null 2>"$T/err"
rc=$?
[ $rc = 2 ] && grep -q "Device or resource busy" "$T/err" ||
	fail "held mdev: status $rc ($(cat "$T/err"))"
kill $hold 2>/dev/null
wait 2>/dev/null

# End to end: an mdev with accelerator 06 and domain 4; the guest's QCI
# and TAPQ see exactly 06.0004, and an RSA request through NQAP/DQAP
# gives m^65537 mod n (recomputed here with Python's pow).
V=7d1b3e52-1f8c-4a5e-9a43-2d7c6a9e0b11
{ "$KVMU" host apmask -6 && "$KVMU" host mdev create $V &&
  "$KVMU" host mdev assign $V adapter 6 &&
  "$KVMU" host mdev assign $V domain 4; } >/dev/null || fail "host setup 2"
"$KVMU" run --arch s390x --ap $V "$G/ap_list.elf" >"$T/list" 2>"$T/err" ||
	[ $? = 1 ] || fail "ap_list: $(cat "$T/err")"
grep -q '^apm 02000000000000000000000000000000' "$T/list" &&
grep -q '^aqm 08000000000000000000000000000000' "$T/list" &&
grep -q '^06\.0004 cc=0 ' "$T/list" &&
[ "$(grep -c ' cc=' "$T/list")" = 1 ] || fail "ap_list: $(cat "$T/list")"
"$KVMU" run --arch s390x --ap $V "$G/ap_rsa.elf" >"$T/rsa" 2>"$T/err" ||
	[ $? = 1 ] || fail "ap_rsa: $(cat "$T/err")"
want=$(python3 -c "
L = 128
n = bytearray((i * 37 + 11) & 0xff for i in range(L))
n[0] |= 0x80; n[L - 1] |= 1
m = bytearray((i * 73 + 5) & 0xff for i in range(L)); m[0] = 0
r = pow(int.from_bytes(m, 'big'), 65537, int.from_bytes(n, 'big'))
print(r.to_bytes(L, 'big').hex())")
grep -q '^apqn=0604 cc=0 ' "$T/rsa" && grep -q "^result=$want\$" "$T/rsa" ||
	fail "ap_rsa: $(cat "$T/rsa")"
echo "PASS: kvmu run --ap"
exit 0
