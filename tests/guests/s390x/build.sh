#!/bin/sh
# Build the s390x test guests into OUT (default build/guests/s390x) with
# Debian's s390x-linux-gnu-gcc; exit 77 when the cross compiler is absent.
set -e
OUT=${1:-build/guests/s390x}
SRC=$(dirname "$0")
# checksum and bench are one source for every architecture: a file is
# looked for here, then in ../common; console.h comes from here (-I).
src() { [ -f "$SRC/$1.c" ] && echo "$SRC/$1.c" || echo "$SRC/../common/$1.c"; }
CC=s390x-linux-gnu-gcc
command -v $CC >/dev/null 2>&1 || exit 77
mkdir -p "$OUT"
CFLAGS="-I$SRC -march=z10 -O2 -ffreestanding -fno-builtin -nostdlib -static
-fno-pic -fno-asynchronous-unwind-tables -mno-backchain -Wall -Werror
-Wl,--build-id=none -Wl,--no-warn-rwx-segments"
for g in checksum crash halt wait bench ap_list ap_rsa; do
	# shellcheck disable=SC2086
	$CC $CFLAGS -T "$SRC/link.ld" -o "$OUT/$g.elf" "$SRC/start.S" \
		"$(src $g)"
	s390x-linux-gnu-objcopy -O binary "$OUT/$g.elf" "$OUT/$g.bin"
done
# The Protected Virtualization guest: at 1 MiB, for `kvmu pvimg create`.
# shellcheck disable=SC2086
$CC $CFLAGS -T "$SRC/link_pv.ld" -o "$OUT/pv_secret.elf" "$SRC/start.S" \
	"$SRC/pv_secret.c"
# The benchmark workload again as a static Linux program, for qemu-s390x.
# shellcheck disable=SC2086
$CC $CFLAGS -DKVMU_LINUX_USER -o "$OUT/bench-linux" "$SRC/start_linux.S" \
	"$(src bench)"
