#!/bin/sh
# Smoke run of the libFuzzer target tests/fuzz/fuzz_ioctl.c: every seed of
# tests/fuzz/corpus once, then FUZZ_SMOKE_TIME (20) seconds of fuzzing
# from them.  The fuzzer has its own sanitized build (build-fuzz), so the
# second, sanitizer pass of `make check` does not run it again.
# Exit 0 pass, 77 skipped (no clang or libFuzzer), 1 crash or build error.
# With the argument "build" it only builds the fuzzer: `make check-run`
# does that before the tests, so this test's timeout does not include a
# whole sanitized build of the library (7.5 minutes of the 10 here once).
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
secs=${FUZZ_SMOKE_TIME:-20}
# A fixed seed: every run tries the same inputs (as many as fit in $secs),
# so a finding shows on the developer's run, not at random in CI; a new
# seed (FUZZ_SMOKE_SEED=0: libFuzzer picks one) explores further.
seed=${FUZZ_SMOKE_SEED:-1}
bin=build-fuzz/fuzz_ioctl

case $BUILD in
build-san | build-tsan)
	echo "SKIP: the fuzz smoke run belongs to the first pass" \
		"(build-fuzz is ASan+UBSan already)"
	exit 77 ;;
esac
if ! command -v clang > /dev/null 2>&1; then
	echo "SKIP: clang is not installed: no libFuzzer smoke run"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# libFuzzer ships with clang on Debian, but check rather than fail.
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
{ (void)d; (void)n; return 0; }' > "$tmp/probe.c"
if ! clang -fsanitize=fuzzer,address -o "$tmp/probe" "$tmp/probe.c" \
	> "$tmp/probe.log" 2>&1; then
	echo "SKIP: clang cannot link -fsanitize=fuzzer (libFuzzer missing):" \
		"$(head -n 1 "$tmp/probe.log")"
	exit 77
fi

# A make of its own: variables of an enclosing `make check` (SAN=1...) and
# its jobserver must not leak into the fuzz build.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make --no-print-directory -j2 "$bin" > "$tmp/build.log" 2>&1; then
	echo "FAIL: building $bin"
	tail -n 40 "$tmp/build.log"
	exit 1
fi
[ "${1:-}" = build ] && exit 0

# A crash leaves its input as build-fuzz/crash-*, for `$bin FILE`.
opts="-artifact_prefix=build-fuzz/ -timeout=10 -rss_limit_mb=4096"
if ! "$bin" $opts tests/fuzz/corpus/* > "$tmp/seeds.log" 2>&1; then
	echo "FAIL: a seed of tests/fuzz/corpus"
	grep -A 45 -m 1 'ERROR: \|runtime error' "$tmp/seeds.log"
	grep -v '^Running: \|^Executed ' "$tmp/seeds.log" | tail -n 12
	exit 1
fi
mkdir -p "$tmp/corpus"
if ! "$bin" $opts -seed="$seed" -max_total_time="$secs" \
	-print_final_stats=1 "$tmp/corpus" tests/fuzz/corpus \
	> "$tmp/fuzz.log" 2>&1; then
	echo "FAIL: the fuzzer found a problem"
	# the report's head (what, where, the stacks), then the input's name
	grep -A 45 -m 1 'ERROR: \|runtime error' "$tmp/fuzz.log"
	tail -n 12 "$tmp/fuzz.log"
	exit 1
fi
grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec' \
	"$tmp/fuzz.log"
echo "fuzz_ioctl: $(ls tests/fuzz/corpus | wc -l) seeds and ${secs}s of" \
	"fuzzing without a finding"
exit 0
