#!/bin/sh
# Short s390x differential run (make difftest-s390 N=... for long ones):
# random problem-state sequences on kvmu and on qemu-s390x, compared.
# Skips (77) without qemu-s390x or the s390x cross compiler (no harness).
BUILD=${BUILD:-build}
bin=$BUILD/tests/diff/s390/difftest-s390
harness=$BUILD/tests/diff/s390/harness.elf
[ -x "$bin" ] || { echo "difftest-s390 not built: $bin"; exit 1; }
command -v qemu-s390x >/dev/null 2>&1 ||
	{ echo "SKIP: no qemu-s390x"; exit 77; }
[ -f "$harness" ] || { echo "SKIP: no harness (s390x-linux-gnu-gcc)"; exit 77; }
n=${DIFFTEST_S390_N:-2000}
out=$(timeout 300 "$bin" -H "$harness" -n "$n" \
	-s "${DIFFTEST_S390_SEED:-1}" 2>&1)
rc=$?
echo "$out" | tail -n 60
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || exit 1
# every sequence ran on both sides and none diverged
echo "$out" | grep -q ", $n sequences, .* 0 divergences" || exit 1
exit 0
