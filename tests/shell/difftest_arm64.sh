#!/bin/sh
# Short arm64 differential run (make difftest-arm64 N=... for long ones):
# random EL0 sequences on kvmu's AArch64 CPU and on qemu-aarch64, compared.
# Skips (77) without qemu-aarch64 or the aarch64 cross compiler (no harness).
BUILD=${BUILD:-build}
bin=$BUILD/tests/diff/arm64/difftest-arm64
harness=$BUILD/tests/diff/arm64/harness.elf
[ -x "$bin" ] || { echo "difftest-arm64 not built: $bin"; exit 1; }
command -v qemu-aarch64 >/dev/null 2>&1 ||
	{ echo "SKIP: no qemu-aarch64"; exit 77; }
[ -f "$harness" ] || { echo "SKIP: no harness (aarch64-linux-gnu-gcc)"; exit 77; }
n=${DIFFTEST_ARM64_N:-2000}
out=$(timeout 300 "$bin" -H "$harness" -n "$n" \
	-s "${DIFFTEST_ARM64_SEED:-1}" 2>&1)
rc=$?
echo "$out" | tail -n 60
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || exit 1
# every sequence ran on both sides and none diverged
echo "$out" | grep -q ": $n sequences, .* 0 diverged" || exit 1
exit 0
