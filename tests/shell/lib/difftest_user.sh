# A short differential run of a non-x86 CPU against QEMU's user-mode
# emulator (make difftest-s390 / difftest-arm64 N=... for long ones):
# difftest_user NAME QEMU CROSS N SEED DONE, where NAME is the tester
# (BUILD/tests/diff/ARCH/NAME with its harness.elf beside it) and DONE the
# regular expression of its summary line when N sequences ran on both
# sides and none diverged.  Skips (77) without QEMU or without the harness
# (no cross compiler).
difftest_user() {
	dir=$BUILD/tests/diff/${1#difftest-}
	bin=$dir/$1 harness=$dir/harness.elf
	[ -x "$bin" ] || { echo "$1 not built: $bin"; exit 1; }
	command -v "$2" >/dev/null 2>&1 || { echo "SKIP: no $2"; exit 77; }
	[ -f "$harness" ] || { echo "SKIP: no harness ($3)"; exit 77; }
	out=$(timeout 300 "$bin" -H "$harness" -n "$4" -s "$5" 2>&1)
	rc=$?
	echo "$out" | tail -n 60
	[ $rc = 77 ] && exit 77
	[ $rc = 0 ] || exit 1
	echo "$out" | grep -q "$6" || exit 1
	exit 0
}
