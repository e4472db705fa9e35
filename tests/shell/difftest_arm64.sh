#!/bin/sh
# Short arm64 differential run (make difftest-arm64 N=... for long ones):
# random EL0 sequences on kvmu's AArch64 CPU and on qemu-aarch64, compared.
# Skips (77) without qemu-aarch64 or the aarch64 cross compiler (no harness).
BUILD=${BUILD:-build}
. tests/shell/lib/difftest_user.sh
n=${DIFFTEST_ARM64_N:-2000}
difftest_user difftest-arm64 qemu-aarch64 aarch64-linux-gnu-gcc "$n" \
	"${DIFFTEST_ARM64_SEED:-1}" ": $n sequences, .* 0 diverged"
