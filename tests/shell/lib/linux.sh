# The Linux test guest for the boot tests: linux_guest BUILD sets
# LINUX_KERNEL and LINUX_INITRD (or prints why it cannot and fails);
# linux_check LOG CPUS checks what /init printed (fail() is the caller's).
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
