#!/bin/sh
# libkvmu.so exports exactly the functions include/kvmu/*.h declares
# KVMU_API, listed in tests/link/libkvmu.exports; libkvmu-preload.so
# exports those plus the libc entry points it replaces
# (tests/link/libkvmu-preload.exports).  A new public function goes into
# the header with KVMU_API and into the list; anything else is internal.
set -u
BUILD=${BUILD:-build}
[ -e "$BUILD/libkvmu.so" ] || { echo "skip: kvmu is not built"; exit 77; }
command -v nm >/dev/null || { echo "skip: no nm"; exit 77; }
T=$(mktemp -d /tmp/kvmu-exports.XXXXXX)
trap 'rm -rf "$T"' EXIT
rc=0

# check SO LIST...: the names SO exports are exactly the LISTs' lines.
check() {
	so=$1
	shift
	sort -u "$@" >"$T/want"
	nm -D --defined-only "$so" | awk '{ print $NF }' | sort -u >"$T/got"
	if ! cmp -s "$T/want" "$T/got"; then
		echo "FAIL: $so exports differ from $*:"
		diff "$T/want" "$T/got" | sed -n 's/^[<>]/    &/p'
		rc=1
	fi
	echo "$so: $(wc -l <"$T/got") symbols"
}

# The headers' KVMU_API functions: the name before '(' on the next line.
awk '/^KVMU_API$/ { getline; sub(/\(.*/, ""); sub(/.*[ *]/, ""); print }' \
	include/kvmu/*.h | sort >"$T/api"
if ! cmp -s "$T/api" tests/link/libkvmu.exports; then
	echo "FAIL: KVMU_API in include/kvmu/*.h differs from tests/link/libkvmu.exports:"
	diff "$T/api" tests/link/libkvmu.exports | sed -n 's/^[<>]/    &/p'
	rc=1
fi
check "$BUILD/libkvmu.so" tests/link/libkvmu.exports
[ -e "$BUILD/libkvmu-preload.so" ] &&
	check "$BUILD/libkvmu-preload.so" tests/link/libkvmu.exports \
		tests/link/libkvmu-preload.exports
exit $rc
