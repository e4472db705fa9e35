#!/bin/sh
# mdevctl (Debian's) against the mounted tree: in a private mount namespace
# the tree is bind-mounted over /sys and a scratch directory over
# /etc/mdevctl.d, then mdevctl types / define / modify / start / list /
# stop run unmodified.  A second mdev wanting the same APQN fails to start
# (EADDRINUSE) and mdevctl removes it again.  Skips without mdevctl,
# /dev/fuse or permission to unshare.
set -u
BUILD=${BUILD:-build}
KVMU=${KVMU:-$BUILD/kvmu}
case $KVMU in /*) ;; *) KVMU=$PWD/$KVMU ;; esac
[ -x "$KVMU" ] || { echo "skip: $KVMU is not built"; exit 77; }
command -v mdevctl >/dev/null || { echo "skip: mdevctl is not installed"; exit 77; }
[ -c /dev/fuse ] || { echo "skip: /dev/fuse is not available"; exit 77; }
unshare -m true 2>/dev/null ||
	{ echo "skip: no permission to create a mount namespace"; exit 77; }

T=$(mktemp -d /tmp/kvmu-host-mdevctl.XXXXXX)
export KVMU_HOST_DIR=$T/state
SYS_MNT=$T/sys
mkdir -p "$T/sys" "$T/etc/scripts.d/callouts" "$T/etc/scripts.d/notifiers"
FPID=
cleanup() {
	fusermount3 -u "$T/sys" 2>/dev/null
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
"$KVMU" host mount -f "$T/sys" 2>"$T/mount.log" &
FPID=$!
i=0
while [ ! -e "$T/sys/bus/ap/apmask" ]; do
	i=$((i + 1))
	if [ $i -gt 50 ] || ! kill -0 $FPID 2>/dev/null; then
		echo "skip: mounting the tree failed: $(tail -n 1 "$T/mount.log")"
		exit 77
	fi
	sleep 0.1
done
"$KVMU" host apmask -5,-6 >/dev/null &&
	"$KVMU" host aqmask -4,-0x47,-0xab,-0xff >/dev/null || exit 1

U1=11111111-2222-3333-4444-555555555555
U2=11111111-2222-3333-4444-666666666666
cat >"$T/script" <<EOF
set -u
mount --make-rprivate / || exit 90
mount --bind "$T/sys" /sys || exit 90
mkdir -p /etc/mdevctl.d 2>/dev/null
mount --bind "$T/etc" /etc/mdevctl.d || exit 90
echo "== types"; mdevctl types
echo "== define"
mdevctl define --uuid $U1 --parent matrix --type vfio_ap-passthrough
mdevctl modify --uuid $U1 --addattr=assign_adapter --value=5
mdevctl modify --uuid $U1 --addattr=assign_domain --value=0x47
mdevctl modify --uuid $U1 --addattr=assign_control_domain --value=0x47
mdevctl list --defined
echo "== start"; mdevctl start --uuid $U1 && mdevctl list
echo "== matrix"; cat /sys/devices/vfio_ap/matrix/$U1/matrix
cat /sys/devices/vfio_ap/matrix/$U1/control_domains
echo "== conflict"
mdevctl define --uuid $U2 --parent matrix --type vfio_ap-passthrough
mdevctl modify --uuid $U2 --addattr=assign_adapter --value=5
mdevctl modify --uuid $U2 --addattr=assign_domain --value=0x47
mdevctl start --uuid $U2 2>&1 && echo "started?!"
ls /sys/bus/mdev/devices
echo "== stop"; mdevctl stop --uuid $U1; ls /sys/bus/mdev/devices | wc -l
EOF
out=$(timeout 60 unshare -m sh "$T/script" 2>&1)
rc=$?
if [ $rc = 90 ]; then
	echo "skip: bind mounts in the namespace are not permitted"
	exit 77
fi
[ -n "${KVMU_HOST_TRANSCRIPT:-}" ] && echo "$out"

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
want() {
	printf '%s\n' "$out" | grep -q -- "$1" || {
		echo "FAIL: missing '$1'"
		fails=$((fails + 1))
	}
}
want "^matrix$"
want "vfio_ap-passthrough"
want "Available instances: 65536"
want "Device API: vfio-ap"
want "$U1 matrix vfio_ap-passthrough manual$"
want "$U1 matrix vfio_ap-passthrough manual (defined)"
want "^05.0047$"
want "^0047$"
want "^$U1$"
case $out in *started?!*) echo "FAIL: conflicting mdev started"; fails=$((fails + 1)) ;; esac
printf '%s\n' "$out" | grep -q "^$U2$" &&
	{ echo "FAIL: $U2 left active"; fails=$((fails + 1)); }
[ "$(printf '%s\n' "$out" | tail -n 1)" = 0 ] ||
	{ echo "FAIL: stop left devices"; fails=$((fails + 1)); }
grep -q "vfio_ap_mdev $U2: Userspace may not assign queue 05.0047 to mdev: \
already assigned to $U1" "$KVMU_HOST_DIR/log" ||
	{ echo "FAIL: no sharing warning in the log"; fails=$((fails + 1)); }
# the mount process must exit cleanly (under ASan: no reports)
fusermount3 -u "$SYS_MNT" && wait $FPID || fail "mount process exit status"
FPID=
if grep -q -e "Sanitizer" -e "runtime error" "$T/mount.log"; then
	fail "sanitizer report from the mount process"
	cat "$T/mount.log"
fi
[ $fails = 0 ] || { echo "$out"; exit 1; }
echo "mdevctl types/define/modify/start/list/stop work on the tree"
