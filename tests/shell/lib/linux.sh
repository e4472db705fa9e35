# The Linux test guest for the boot tests: linux_guest BUILD sets
# LINUX_KERNEL and LINUX_INITRD (or prints why it cannot and fails);
# linux_check LOG CPUS checks what /init printed.
linux_guest() {
	LINUX_DIR=$1/linux-guest
	if ! sh scripts/linux-guest.sh "$LINUX_DIR" >/dev/null 2>"$1/linux-guest.err"; then
		echo "SKIP: no Linux guest: $(tail -n 1 "$1/linux-guest.err")"
		return 1
	fi
	LINUX_KERNEL=$LINUX_DIR/vmlinuz
	LINUX_INITRD=$LINUX_DIR/initramfs.cpio.gz
}

linux_check() {
	# the serial console ends lines with CR LF
	lc_log=$1.txt
	tr -d '\r' < "$1" > "$lc_log"
	grep -q "kvmu-linux: init reached" "$lc_log" || fail "/init was not reached"
	grep -q "kvmu-linux: cpus online $2\$" "$lc_log" ||
		fail "CPUs online: want $2"
	up=$(sed -n 's/^kvmu-linux: uptime \([0-9.]*\).*/\1/p' "$lc_log" |
		tr '\n' ' ')
	set -- $up
	[ $# = 2 ] || fail "uptime lines: '$up'"
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(b >= a + 0.5) }' ||
		fail "the guest's clock did not move across sleep 1 ($up)"
	grep -q "kvmu-linux: done" "$lc_log" || fail "/init did not finish"
}

# What every Linux-boot test does first: BUILD and KVMU set, skip under
# the sanitizers (a boot there takes many minutes), without QEMU when $1 is
# "qemu", and when the kernel cannot be downloaded; LINUX_KERNEL and
# LINUX_INITRD set.
linux_test_begin() {
	BUILD=${BUILD:-build}
	KVMU=$BUILD/kvmu
	[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
	if [ -n "$KVMU_SAN" ]; then
		echo "SKIP: a Linux boot under ASan+UBSan takes too long; the plain pass boots it"
		exit 77
	fi
	if [ "$1" = qemu ]; then
		command -v qemu-system-x86_64 >/dev/null ||
			{ echo "SKIP: no qemu-system-x86_64"; exit 77; }
	fi
	linux_guest "$BUILD" || exit 77
}

# A failed check: why, then the end of the test's $log.
fail() { echo "FAIL: $*"; tail -n 40 "$log"; exit 1; }
