#!/bin/sh
# Every API test built as a plain /dev/kvm program ($BUILD/tests/api/kvm/X)
# run under the LD_PRELOAD shim must print the transcript, and exit with
# the status, of its kvmu build ($BUILD/tests/api/kvmu/X).  The shim runs
# with KVMU_TRACE=1, which also proves that kvmu, not the host's
# /dev/kvm, served the program.
. tests/shim/lib.sh
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 ran=0
for plain in "$BUILD"/tests/api/kvm/*; do
	[ -x "$plain" ] || continue
	name=$(basename "$plain")
	direct=$BUILD/tests/api/kvmu/$name
	[ -x "$direct" ] || continue
	"$direct" > "$tmp/direct" 2> /dev/null
	rc1=$?
	env LD_PRELOAD="$SHIM_PRELOAD" KVMU_TRACE=1 "$plain" \
		> "$tmp/shim" 2> "$tmp/trace"
	rc2=$?
	ran=1
	if ! grep -q '^kvmu: kvm: ' "$tmp/trace" && [ $rc1 != 77 ]; then
		echo "FAIL $name: no kvmu trace: the shim did not serve it"
		head -n 5 "$tmp/trace"
		fail=1
	elif [ $rc1 != $rc2 ] || ! cmp -s "$tmp/direct" "$tmp/shim"; then
		echo "FAIL $name: direct exit $rc1, through the shim exit $rc2"
		diff -u "$tmp/direct" "$tmp/shim" | head -n 40
		grep -v '^kvmu: ' "$tmp/trace" | head -n 5
		fail=1
	else
		echo "PASS $name (exit $rc1, $(wc -l < "$tmp/trace") trace" \
			"lines)"
	fi
done
[ $ran = 1 ] || skip "no API test has both builds in $BUILD/tests/api"
exit $fail
