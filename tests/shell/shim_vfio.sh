#!/bin/sh
# A plain C program (tests/shim/vfio.c) passes a vfio_ap mdev to a VM
# through the real /dev/kvm and /dev/vfio API, under the LD_PRELOAD shim,
# against a private host model: its transcript must match
# tests/shim/expected/vfio.txt (kernel errno included).
. tests/shim/lib.sh
bin=$(shim_prog vfio) || exit 1
KVMU=$(pwd)/$BUILD/kvmu
[ -x "$KVMU" ] || skip "$KVMU is not built"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
KVMU_HOST_DIR=$tmp/host
export KVMU KVMU_HOST_DIR
uuid=0fe903a0-a323-44db-9daf-134c68627d61
{
	"$KVMU" host init &&
	"$KVMU" host apmask -4 &&
	"$KVMU" host aqmask -4 &&
	"$KVMU" host mdev create $uuid &&
	"$KVMU" host mdev assign $uuid adapter 4 &&
	"$KVMU" host mdev assign $uuid domain 4
} > "$tmp/setup" 2>&1 || { cat "$tmp/setup"; echo "FAIL: host setup"; exit 1; }
group=$("$KVMU" host mdev group $uuid) || { echo "FAIL: mdev group"; exit 1; }
env LD_PRELOAD="$SHIM_PRELOAD" "$bin" "$group" $uuid > "$tmp/out" 2>&1
rc=$?
if [ $rc != 0 ] || ! cmp -s tests/shim/expected/vfio.txt "$tmp/out"; then
	echo "FAIL: vfio under the shim (exit $rc)"
	diff -u tests/shim/expected/vfio.txt "$tmp/out" | head -n 40
	exit 1
fi
echo "PASS: vfio transcript"
exit 0
