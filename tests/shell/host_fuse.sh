#!/bin/sh
# The vfio-ap documentation's walk-through, verbatim shell commands on the
# FUSE-mounted tree: secure the queues (both syntaxes), create three mdevs,
# configure Guest1..Guest3, read matrix and control_domains, and see the
# kernel's errors as a shell prints them.  Skips without /dev/fuse or when
# mounting fails.  KVMU_HOST_TRANSCRIPT=1 prints every command and output.
set -u
BUILD=${BUILD:-build}
KVMU=${KVMU:-$BUILD/kvmu}
case $KVMU in /*) ;; *) KVMU=$PWD/$KVMU ;; esac
[ -x "$KVMU" ] || { echo "skip: $KVMU is not built"; exit 77; }
[ -c /dev/fuse ] || { echo "skip: /dev/fuse is not available"; exit 77; }
command -v fusermount3 >/dev/null || { echo "skip: no fusermount3"; exit 77; }
command -v bash >/dev/null || { echo "skip: no bash"; exit 77; }

T=$(mktemp -d /tmp/kvmu-host-fuse.XXXXXX)
export KVMU_HOST_DIR=$T/state
SYS=$T/sys
SYS_MNT=$SYS
mkdir "$SYS"
FPID=
cleanup() {
	cd /
	fusermount3 -u "$SYS" 2>/dev/null
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	[ -n "${HPID:-}" ] && kill "$HPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
"$KVMU" host mount -f "$SYS" 2>"$T/mount.log" &
FPID=$!
i=0
while [ ! -e "$SYS/bus/ap/apmask" ]; do
	i=$((i + 1))
	if [ $i -gt 50 ] || ! kill -0 $FPID 2>/dev/null; then
		echo "skip: mounting the tree failed: $(tail -n 1 "$T/mount.log")"
		exit 77
	fi
	sleep 0.1
done

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# run CMD in bash (dash's echo reports every failed write as "I/O error";
# bash and coreutils print the errno: "write error: Address already in use")
run() {
	out=$(bash -c "$1" 2>&1)
	rc=$?
	[ -n "${KVMU_HOST_TRANSCRIPT:-}" ] &&
		printf '# %s\n%s' "$1" "${out:+$out
}"
	return $rc
}
expect() {	# expect CMD EXPECTED-OUTPUT
	run "$1"
	[ "$out" = "$2" ] || fail "$1: got '$out', want '$2'"
}
expect_err() {	# expect_err CMD ERROR-TEXT
	run "$1" && fail "$1: succeeded"
	case $out in *"write error: $2"*) ;; *) fail "$1: '$out'" ;; esac
}

ONES=0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
APDOC=0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff
AQDOC=0xf7fffffffffffffffeffffffffffffffffffffffffeffffffffffffffffffffe

cd "$SYS/bus/ap" || exit 1
expect "cat apmask" "$ONES"
# 2. secure the eight queues, the relative way ...
expect "echo -5,-6 > apmask; cat apmask" "$APDOC"
expect "echo -4,-0x47,-0xab,-0xff > aqmask; cat aqmask" "$AQDOC"
expect "ls drivers/vfio_ap | tr '\n' ' '" \
	"05.0004 05.0047 05.00ab 05.00ff 06.0004 06.0047 06.00ab 06.00ff "
expect "cat /dev/null > /dev/null; cat devices/card05/hwtype" "11"
# ... and the absolute way (no mdev yet, so the host may have them back)
expect "echo $ONES > apmask; echo $ONES > aqmask; ls drivers/vfio_ap" ""
expect "echo $APDOC > apmask; echo $AQDOC > aqmask; ls drivers/vfio_ap | wc -l" "8"
expect_err "echo 0x${ONES#0x}f > apmask" "Invalid argument"
expect "cat apmask" "$APDOC"

# 3. create the mediated devices
cd "$SYS/devices/vfio_ap/matrix/mdev_supported_types/vfio_ap-passthrough" ||
	exit 1
uuid1=0fe903a0-a323-44db-9daf-134c68627d61
uuid2=62177883-f1bb-47f0-914d-32a22e3a8804
expect "cat name; cat device_api; cat available_instances" \
	"VFIO AP Passthrough Device
vfio-ap
65536"
expect "echo $uuid1 > create; echo $uuid2 > create" ""
if command -v uuidgen >/dev/null; then
	expect "uuidgen > create" ""
else
	expect "echo cef03c3c-903d-4ecc-9a83-40694cb8aee4 > create" ""
fi
uuid3=$(ls devices | grep -v -e $uuid1 -e $uuid2)
expect "ls devices | wc -l" "3"
expect_err "echo $uuid1 > create" "File exists"
expect "cat ../../features" "guest_matrix hotplug ap_config"

# 4. configure the matrixes
M=$SYS/devices/vfio_ap/matrix
cd "$M/$uuid1" || exit 1
expect "echo 5 > assign_adapter; echo 6 > assign_adapter; \
echo 4 > assign_domain; echo 0xab > assign_domain" ""
expect "cat matrix" "05.0004
05.00ab
06.0004
06.00ab"
expect "cat guest_matrix" "05.0004
05.00ab
06.0004
06.00ab"
cd "$M/$uuid2" && expect "echo 5 > assign_adapter; echo 0x47 > assign_domain; \
echo 0xff > assign_domain; cat matrix" "05.0047
05.00ff"
cd "$M/$uuid3" && expect "echo 6 > assign_adapter; echo 0x47 > assign_domain; \
echo 0xff > assign_domain; cat matrix" "06.0047
06.00ff"
expect "echo 0xab > assign_control_domain; echo 4 > assign_control_domain; \
cat control_domains" "0004
00ab"

# the kernel's errors, as the shell prints them
expect_err "echo 0xab > assign_domain" "Address already in use"
expect "cat matrix" "06.0047
06.00ff"
expect_err "echo 256 > assign_adapter" "No such device"
expect_err "echo 08 > assign_adapter" "Invalid argument"
expect "echo 7 > assign_adapter" ""
expect_err "echo 0 > assign_domain" "Cannot assign requested address"
expect "echo 7 > unassign_adapter; cat matrix" "06.0047
06.00ff"
expect "grep -c 'Userspace may not assign queue 06.00ab to mdev: already \
assigned to $uuid1' $T/mount.log $KVMU_HOST_DIR/log | cut -d: -f2 | tr '\n' ' '" \
	"1 1 "
cd "$SYS/bus/ap" || exit 1
expect "echo +5 > apmask" ""
expect_err "echo +4 > aqmask" "Device or resource busy"
expect "cat aqmask" "$AQDOC"
expect "grep -c 'vfio_ap_mdev $uuid1: Can not reserve queue 05.0004 for host \
driver: in use by mdev' $KVMU_HOST_DIR/log" "1"
expect "echo -5 > apmask" ""

# the links real tools follow
expect "readlink -f $SYS/bus/mdev/devices/$uuid2 | sed 's|^$SYS||'" \
	"/devices/vfio_ap/matrix/$uuid2"
expect "basename \$(readlink -f $M/$uuid2/mdev_type)" "vfio_ap-passthrough"
expect "readlink -f $SYS/class/mdev_bus/matrix | sed 's|^$SYS||'" \
	"/devices/vfio_ap/matrix"
expect "cat $SYS/bus/ap/devices/05.0047/status" "assigned"

# a guest holds uuid1: in use, remove refused; its death frees the mdev
"$KVMU" host mdev hold $uuid1 >/dev/null &
HPID=$!
i=0
while [ "$(cat "$SYS/bus/ap/devices/05.0004/status")" != "in use" ]; do
	i=$((i + 1))
	[ $i -gt 50 ] && { fail "hold did not take"; break; }
	sleep 0.1
done
expect_err "echo 1 > $M/$uuid1/remove" "Device or resource busy"
kill -9 $HPID
wait $HPID 2>/dev/null
HPID=
expect "cat $SYS/bus/ap/devices/05.0004/status" "assigned"
expect "echo 1 > $M/$uuid1/remove; ls $M/mdev_supported_types/vfio_ap-passthrough/devices | wc -l" "2"
expect "$KVMU host list | grep '^05.0047'" \
	"05.0047     CEX5C  CCA-Coproc   assigned   vfio_ap    $uuid2"
expect "$KVMU host check" "ok: no APQN shared, none reserved twice"

# the mount process must exit cleanly (under ASan: no reports)
cd / && fusermount3 -u "$SYS_MNT" && wait $FPID || fail "mount process exit status"
FPID=
if grep -q -e "Sanitizer" -e "runtime error" "$T/mount.log"; then
	fail "sanitizer report from the mount process"
	cat "$T/mount.log"
fi
[ $fails = 0 ] || exit 1
echo "vfio-ap walk-through on the mounted tree: all steps as documented"
