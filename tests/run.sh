#!/bin/sh
# Run every test program and shell test; print one closing line
# "N passed, N failed, N skipped".  Exit status 77 means skipped.
BUILD=${BUILD:-build}
export BUILD
pass=0 fail=0 skip=0 failed=""
TIMEOUT=${KVMU_TEST_TIMEOUT:-600}

run_one() {
	name=$1
	shift
	lim=$TIMEOUT
	[ -n "$limit" ] && [ "$limit" -gt "$lim" ] && lim=$limit
	out=$(timeout "$lim" "$@" 2>&1)
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); echo "PASS $name" ;;
	77) skip=$((skip + 1)); echo "SKIP $name: $(echo "$out" | tail -n 1)" ;;
	*) fail=$((fail + 1)); failed="$failed $name"
	   echo "FAIL $name (exit $rc)"; echo "$out" | tail -n 40 | sed 's/^/    /' ;;
	esac
}

# A test that needs more than $TIMEOUT on a loaded machine asks with a
# line "# run.sh timeout: SECONDS" (shell) or " * run.sh timeout: SECONDS"
# (in its C source's comment).
limit_of() {
	sed -n 's/^ *[#*] run\.sh timeout: \([0-9][0-9]*\)$/\1/p' "$1" 2>/dev/null
}

for t in "$BUILD"/tests/unit/test_*; do
	[ -x "$t" ] || continue
	limit=$(limit_of "tests/unit/$(basename "$t").c")
	run_one "unit/$(basename "$t")" "$t"
done
for t in tests/shell/*.sh; do
	[ -f "$t" ] || continue
	limit=$(limit_of "$t")
	run_one "shell/$(basename "$t" .sh)" sh "$t"
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
