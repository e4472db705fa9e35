#!/bin/sh
# Print src/cli/pvimg_stage3a.c: the stage-3a loader of `kvmu pvimg create`
# assembled from src/cli/pvimg_stage3a.S with Debian's s390x cross
# compiler.  tests/shell/cli_pvimg.sh checks the committed file is current.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
s390x-linux-gnu-gcc -march=z10 -nostdlib -static -Wl,-Ttext=0x11000 \
	-Wl,--build-id=none -o "$T/s3a.elf" src/cli/pvimg_stage3a.S
s390x-linux-gnu-objcopy -O binary -j .text "$T/s3a.elf" "$T/s3a.bin"
cat <<'HEAD'
// SPDX-License-Identifier: MIT
/*
 * The stage-3a loader `kvmu pvimg create` puts at 0x11000 of every Secure
 * Execution image: pvimg_stage3a.S assembled by scripts/gen-stage3a.sh
 * (generated file; tests/shell/cli_pvimg.sh checks it is current).
 */
#include <stddef.h>
#include <stdint.h>

#include "pvimg.h"

const uint8_t pvimg_stage3a[] = {
HEAD
od -An -v -tx1 "$T/s3a.bin" | tr -s ' \n' '  ' | sed 's/^ //' |
	tr ' ' '\n' | grep . | sed 's/^/0x/;s/$/,/' | paste -sd' ' - |
	fold -w 72 -s | sed 's/ *$//;s/^/\t/'
cat <<'TAIL'
};
const size_t pvimg_stage3a_len = sizeof(pvimg_stage3a);
TAIL
