#!/bin/sh
# kvmu run rejects bad arguments and bad images with a message and
# status 2, never a crash.
BUILD=${BUILD:-build}
KVMU=$BUILD/kvmu
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

. tests/shell/lib/expect_run.sh

printf '\177ELF\002\001\001' > "$T/trunc.elf"
head -c 1572864 /dev/urandom > "$T/noise.bin"
printf '\177ELF\001\001\001' > "$T/elf32"
head -c 60 /dev/zero >> "$T/elf32"
: > "$T/empty"
expect 2 "no IMAGE"
expect 2 "one IMAGE only" a b
expect 2 "unknown option" --frob x
expect 2 "needs an argument" --mem
expect 2 "bad size" --mem 12Q x
expect 2 "between 2M" --mem 1M x
expect 2 "bad size" --mem 99999999999999999999G x
expect 2 "unknown mode" --mode protected x
expect 2 "unknown architecture" --arch vax x
expect 2 "No such file" "$T/missing"
expect 2 "not a regular file" "$T"
expect 2 "empty image" "$T/empty"
expect 2 "truncated ELF header" "$T/trunc.elf"
expect 2 "multiboot" "$T/elf32"
expect 2 "outside the loadable range" --mode long --mem 2M "$T/noise.bin"
dd if=/dev/zero of="$T/big.bin" bs=1024 count=600 2>/dev/null
expect 2 "outside the loadable range" "$T/big.bin"
echo "ok"
