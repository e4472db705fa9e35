#!/bin/sh
# kvmu run boots the demo (a multiboot ELF32 that switches to long mode)
# and the guest's results and its isa-debug-exit status come through.
BUILD=${BUILD:-build}
KVMU=$BUILD/kvmu
IMAGE=$BUILD/guests/x86/demo.elf
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
[ -f "$IMAGE" ] || { echo "no $IMAGE (make guests)"; exit 1; }
fail() { echo "FAIL: $*"; echo "$out"; exit 1; }

out=$("$KVMU" run --stats "$IMAGE" 2>&1)
rc=$?
[ $rc = 33 ] || fail "exit status $rc, want 33 ((0x10 << 1) | 1)"
echo "$out" | grep -q "multiboot magic 0x2badb002" || fail "multiboot magic"
echo "$out" | grep -q "sha256(\"abc\") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ok" ||
	fail "sha256(abc)"
echo "$out" | grep -q "sha256(1 MiB) = d824bde2acff5ab2065ba06b8133ea91c785a26fe88eef60187986abd9e6fa5e ok" ||
	fail "sha256 of the buffer"
echo "$out" | grep -q "primes below 2000000: 148933 ok" || fail "prime count"
echo "$out" | grep -Eq "instructions: +[1-9][0-9]*$" || fail "--stats instructions"
echo "$out" | grep -Eq "^    IO +[1-9]" || fail "--stats IO exits"
echo "$out" | grep -q "MIPS:" || fail "--stats MIPS"
echo "ok"
