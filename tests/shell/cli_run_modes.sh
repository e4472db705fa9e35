#!/bin/sh
# kvmu run's boot modes and devices: a real-mode flat image (debugcon via
# string I/O, COM1 with LSR polling, HLT -> 0), a long-mode flat image
# and the same as ELF64 (exit port -> (0x2A << 1) | 1), a multiboot
# a.out-kludge image in 32-bit protected mode, and the firmware
# IDT reporting an unhandled #PF (status 4).
BUILD=${BUILD:-build}
KVMU=$BUILD/kvmu
G=$BUILD/guests/x86
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
fail() { echo "FAIL: $*"; echo "$out"; exit 1; }

out=$("$KVMU" run "$G/real_hello.bin" 2>&1); rc=$?
[ $rc = 0 ] || fail "real mode: status $rc"
[ "$out" = "real mode: hello via debugcon
real mode: hello via COM1" ] || fail "real mode output"

for args in "--mode long $G/long_hello.bin" "$G/long_hello.elf64"; do
	out=$("$KVMU" run $args 2>&1); rc=$?
	[ $rc = 85 ] || fail "$args: status $rc, want 85"
	[ "$out" = "long mode: hello from a 64-bit flat image" ] ||
		fail "$args: output"
done

out=$("$KVMU" run "$G/mb_aout.bin" 2>&1); rc=$?
[ $rc = 43 ] || fail "a.out kludge: status $rc, want 43"
[ "$out" = "multiboot a.out kludge: hello from 32-bit protected mode" ] ||
	fail "a.out kludge: output"

out=$("$KVMU" run "$G/long_pf.elf64" 2>&1); rc=$?
[ $rc = 4 ] || fail "#PF: status $rc, want 4"
echo "$out" | grep -q "^kvmu: unhandled exception 14 (#PF)$" ||
	fail "#PF: no firmware message"
echo "$out" | grep -q "unhandled exception 14 (#PF), error code 0x2 at rip 0x10000a, cr2 0x200000000" ||
	fail "#PF: no diagnosis"
echo "ok"
