#!/bin/sh
# kvmu run --arch arm64: the C guests of tests/guests/arm64 run end to end
# (PL011 console, exit status through a forwarded SMCCC call, --stats),
# their output equals the same programs' under qemu-aarch64 where it is
# installed, an undefined instruction without a vector table is reported
# with status 4, PSCI SYSTEM_OFF ends with 0, the GICv3 guest runs on two
# vCPUs (--smp 2), bad images get status 2.
BUILD=${BUILD:-build}
KVMU=$BUILD/kvmu
G=$BUILD/guests/arm64
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
command -v aarch64-linux-gnu-gcc >/dev/null || { echo "SKIP: no aarch64 gcc"; exit 77; }
sh tests/guests/arm64/build.sh "$G" || { echo "guest build failed"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The checksum guest prints what the s390x one prints and returns 7.
"$KVMU" run --arch arm64 --stats "$G/checksum.elf" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 15 ] || fail "checksum: status $rc, want 15 ($(cat "$T/err"))"
grep -q '^crc32=d9f6ab0b fib90=27f80ddaa1ba7878 sort=682bb6850bfd2424 div=00000a1b$' \
	"$T/out" || fail "checksum output: $(cat "$T/out")"
grep -q '^  instructions:  [1-9]' "$T/err" || fail "no --stats: $(cat "$T/err")"
grep -q 'MMIO' "$T/err" || fail "no MMIO exits counted"

# Floating point: the same bits as qemu-aarch64 computes.
"$KVMU" run --arch arm64 "$G/fp.elf" >"$T/fp" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "fp: status $rc ($(cat "$T/err"))"
grep -q '^zeta2=3ffa4d8e550a946e$' "$T/fp" || fail "fp output: $(cat "$T/fp")"
if command -v qemu-aarch64 >/dev/null 2>&1; then
	for g in checksum fp; do
		qemu-aarch64 "$G/$g-linux" >"$T/ref" 2>&1
		"$KVMU" run --arch arm64 "$G/$g.elf" >"$T/got" 2>/dev/null
		cmp -s "$T/ref" "$T/got" || fail "$g differs from qemu-aarch64:
$(diff "$T/ref" "$T/got")"
	done
fi

# The system model from a guest: 4K/16K/64K stage-1 translation, faults,
# EL0 and back, traps, the counter and timer, PSCI and SMCCC answers.
"$KVMU" run --arch arm64 "$G/mmu.elf" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "mmu: status $rc ($(grep FAIL "$T/out") $(cat "$T/err"))"
grep -q '^mmu: all ok$' "$T/out" || fail "mmu: $(cat "$T/out")"
[ "$(grep -c '^ok ' "$T/out")" = 47 ] || fail "mmu: $(grep -c '^ok ' "$T/out") checks"

# UDF #0 with no vector table of the guest's: a report, status 4.
"$KVMU" run --arch arm64 "$G/crash.elf" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 4 ] || fail "crash: status $rc, want 4"
grep -q 'about to execute' "$T/out" || fail "crash: no output"
grep -q 'not reached' "$T/out" && fail "crash: ran past the fault"
grep -q 'unhandled exception (current EL, SP_ELx: synchronous): ESR 0x2000000 (EC 0)' \
	"$T/err" || fail "crash message: $(cat "$T/err")"

# PSCI SYSTEM_OFF is a clean end.
"$KVMU" run --arch arm64 "$G/halt.elf" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "halt: status $rc ($(cat "$T/err"))"
grep -q 'PSCI SYSTEM_OFF' "$T/out" || fail "halt: no output"
grep -q 'not reached' "$T/out" && fail "halt: ran past SYSTEM_OFF"

# The in-kernel GICv3 with two vCPUs: three timer interrupts out of WFI,
# PSCI CPU_ON, an SGI each way (tests/guests/arm64/gic.c).
timeout 120 "$KVMU" run --arch arm64 --smp 2 "$G/gic.elf" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "gic: status $rc ($(grep FAIL "$T/out") $(cat "$T/err"))"
grep -q '^gic: all ok$' "$T/out" || fail "gic: $(cat "$T/out")"
[ "$(grep -c '^ok ' "$T/out")" = 12 ] || fail "gic: $(grep -c '^ok ' "$T/out") checks"
"$KVMU" run --arch s390x --smp 2 "$G/gic.elf" >/dev/null 2>&1
[ $? = 2 ] || fail "--smp 2 for s390x is a usage error"

. tests/shell/lib/expect_run.sh
printf '\177ELF\002\001\001' > "$T/trunc.elf"
head -c 100 /dev/zero >> "$T/trunc.elf"
expect 2 "ELF64 image is not for arm64" --arch arm64 \
	"$BUILD/guests/x86/long_hello.elf64"
expect 2 "not an ELF64 file" --arch arm64 "$T/fp"
expect 2 "ELF64 image is not for arm64\|no usable program headers" \
	--arch arm64 "$T/trunc.elf"
expect 2 "--mode applies to x86_64" --arch arm64 --mode long \
	"$G/checksum.elf"
echo "PASS: kvmu run --arch arm64"
exit 0
