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
echo "$out" | grep -q "sha256(4 MiB) = 6fe1cc036a348d2a985c1f3fe5f8db035f4e5cc53e28f26f4c0e29059408142c ok" ||
	fail "sha256 of the buffer"
echo "$out" | grep -q "primes below 5000000: 348513 ok" || fail "prime count"
echo "$out" | grep -Eq "instructions: +[1-9][0-9]*$" || fail "--stats instructions"
echo "$out" | grep -Eq "^    IO +[1-9]" || fail "--stats IO exits"
echo "$out" | grep -q "MIPS:" || fail "--stats MIPS"
echo "ok"
