#!/bin/sh
# kvmu run --arch s390x: the C guests of tests/guests/s390x run end to
# end (console, exit status, --stats), an unhandled program interruption
# is reported with its code and status 4, a disabled wait ends with 0,
# and bad s390x images or options get a message and status 2.
BUILD=${BUILD:-build}
KVMU=$BUILD/kvmu
G=$BUILD/guests/s390x
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
command -v s390x-linux-gnu-gcc >/dev/null || { echo "no s390x gcc"; exit 77; }
sh tests/guests/s390x/build.sh "$G" || { echo "guest build failed"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The checksum guest prints values computed in C and returns 7.
"$KVMU" run --arch s390x --stats "$G/checksum.elf" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 15 ] || fail "checksum: status $rc, want 15 ($(cat "$T/err"))"
grep -q '^crc32=d9f6ab0b fib90=27f80ddaa1ba7878 ' "$T/out" ||
	fail "checksum output: $(cat "$T/out")"
grep -q '^  instructions:  [1-9]' "$T/err" || fail "no --stats: $(cat "$T/err")"
grep -q 'S390_SIEIC' "$T/err" || fail "no SIEIC exits counted"

# Opcode 0000 without a program handler: a crash report, status 4.
"$KVMU" run --arch s390x "$G/crash.elf" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 4 ] || fail "crash: status $rc, want 4"
grep -q 'about to execute' "$T/out" || fail "crash: no output"
grep -q 'not reached' "$T/out" && fail "crash: ran past the fault"
grep -q 'unhandled program interruption 0x1 (operation), ILC 2' "$T/err" ||
	fail "crash message: $(cat "$T/err")"

# A disabled wait is a clean end.
"$KVMU" run --arch s390x "$G/halt.elf" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 0 ] || fail "halt: status $rc ($(cat "$T/err"))"
grep -q 'halting with a disabled wait' "$T/out" || fail "halt: no output"

. tests/shell/lib/expect_run.sh
printf '\177ELF\002\002\001' > "$T/trunc.elf"
head -c 100 /dev/zero >> "$T/trunc.elf"
expect 2 "not a big-endian ELF64 image for s390x" --arch s390x \
	"$BUILD/guests/x86/long_hello.elf64"
expect 2 "not an ELF file" --arch s390x "$G/checksum.bin"
expect 2 "not a big-endian ELF64\|no usable program headers" \
	--arch s390x "$T/trunc.elf"
expect 2 "--ap needs --arch s390x" --ap 1234 "$G/checksum.elf"
expect 2 "--mode applies to x86_64" --arch s390x --mode long \
	"$G/checksum.elf"
echo ok
