#!/bin/sh
# Short s390x differential run (make difftest-s390 N=... for long ones):
# random problem-state sequences on kvmu and on qemu-s390x, compared.
# Skips (77) without qemu-s390x or the s390x cross compiler (no harness).
BUILD=${BUILD:-build}
. tests/shell/lib/difftest_user.sh
n=${DIFFTEST_S390_N:-2000}
difftest_user difftest-s390 qemu-s390x s390x-linux-gnu-gcc "$n" \
	"${DIFFTEST_S390_SEED:-1}" ", $n sequences, .* 0 divergences"
