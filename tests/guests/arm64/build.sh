#!/bin/sh
# Build the arm64 test guests into OUT (default build/guests/arm64) with
# Debian's aarch64-linux-gnu-gcc; exit 77 when the cross compiler is absent.
# -mstrict-align: the guests run with the MMU off, where every data access
# is to Device memory and an unaligned one faults.
set -e
OUT=${1:-build/guests/arm64}
SRC=$(dirname "$0")
# checksum and bench are one source for every architecture: a file is
# looked for here, then in ../common; console.h comes from here (-I).
src() { [ -f "$SRC/$1.c" ] && echo "$SRC/$1.c" || echo "$SRC/../common/$1.c"; }
CC=aarch64-linux-gnu-gcc
command -v $CC >/dev/null 2>&1 || exit 77
mkdir -p "$OUT"
CFLAGS="-I$SRC -O2 -ffreestanding -fno-builtin -nostdlib -static -fno-pic -no-pie
-mstrict-align -fno-math-errno -fno-stack-protector -fno-asynchronous-unwind-tables -Wall
-Werror -Wl,--build-id=none -Wl,--no-warn-rwx-segments"
for g in checksum crash halt fp mmu gic bench; do
	[ -f "$(src $g)" ] || continue
	# shellcheck disable=SC2086
	$CC $CFLAGS -T "$SRC/link.ld" -o "$OUT/$g.elf" "$SRC/start.S" \
		"$(src $g)"
done
# The computing guests again as static Linux programs: the reference
# output under qemu-aarch64.
for g in checksum fp bench; do
	# shellcheck disable=SC2086
	$CC $CFLAGS -DKVMU_LINUX_USER -o "$OUT/$g-linux" \
		"$SRC/start_linux.S" "$(src $g)"
done
