#!/bin/sh
# The API tests print transcripts that must match tests/api/expected/ byte
# for byte: the kvmu build always, the plain /dev/kvm build when the kernel
# is there.  A kernel run may differ only on lines that
# docs/kvm-pvm-deviations.md records as a kvm_pvm deviation (and only when
# kvm_pvm serves /dev/kvm): that is reported, not failed.
# Exit 0 all good, 1 a mismatch, 77 nothing could run.
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
expdir=$top/tests/api/expected
devdoc=$top/docs/kvm-pvm-deviations.md
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0 ran=0

# The "- expected" / "+ pvm" lines of the ```deviation NAME blocks.
allowed_lines() {
	[ -f "$devdoc" ] || return 0
	awk -v t="$1" '
		/^```deviation / { on = ($2 == t); next }
		/^```/ { on = 0; next }
		on && /^[-+] / { print substr($0, 1, 1) substr($0, 3) }
	' "$devdoc"
}

# diff lines of expected vs actual, each "-line" or "+line".
changed_lines() {
	diff -U0 "$1" "$2" | grep -E '^[-+]' | grep -vE '^(---|\+\+\+) '
}

# /proc/modules is missing on some kernels; /sys/module is not.
is_pvm() {
	[ -d /sys/module/kvm_pvm ] || grep -qs '^kvm_pvm ' /proc/modules
}

check_kvmu() {
	name=$1 bin=$BUILD/tests/api/kvmu/$1
	if [ ! -x "$bin" ]; then
		echo "FAIL kvmu/$name: $bin not built"
		fail=1
		return
	fi
	ran=1
	"$bin" > "$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc = 0 ] && cmp -s "$expdir/$name.txt" "$tmp/out"; then
		echo "PASS kvmu/$name"
		return
	fi
	echo "FAIL kvmu/$name (exit $rc)"
	diff -u "$expdir/$name.txt" "$tmp/out" | head -n 60
	head -n 5 "$tmp/err"
	fail=1
}

check_kernel() {
	name=$1 bin=$BUILD/tests/api/kvm/$1
	if [ ! -e /dev/kvm ]; then
		echo "SKIP kvm/$name: no /dev/kvm on this machine"
		return
	fi
	if [ ! -x "$bin" ]; then
		echo "FAIL kvm/$name: $bin not built"
		fail=1
		return
	fi
	"$bin" > "$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc = 77 ]; then
		echo "SKIP kvm/$name: $(tail -n 1 "$tmp/out")"
		return
	fi
	ran=1
	if [ $rc = 0 ] && cmp -s "$expdir/$name.txt" "$tmp/out"; then
		echo "PASS kvm/$name"
		return
	fi
	allowed_lines "$name" > "$tmp/allowed"
	changed_lines "$expdir/$name.txt" "$tmp/out" > "$tmp/changed"
	if [ $rc = 0 ] && is_pvm && [ -s "$tmp/allowed" ] &&
	   ! grep -vxF -f "$tmp/allowed" "$tmp/changed" > /dev/null; then
		echo "PASS kvm/$name (known kvm_pvm deviations, see" \
			"docs/kvm-pvm-deviations.md):"
		sed 's/^/    /' "$tmp/changed"
		return
	fi
	echo "FAIL kvm/$name (exit $rc)"
	diff -u "$expdir/$name.txt" "$tmp/out" | head -n 60
	head -n 5 "$tmp/err"
	fail=1
}

[ -e /dev/kvm ] || echo "SKIP: /dev/kvm is absent: the kernel half of" \
	"every API test is skipped"
for exp in "$expdir"/*_test.txt; do
	[ -f "$exp" ] || continue
	name=$(basename "$exp" .txt)
	check_kvmu "$name"
	check_kernel "$name"
done
[ $fail = 0 ] || exit 1
[ $ran = 1 ] || exit 77
exit 0
