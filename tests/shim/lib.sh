# Sourced by tests/shell/shim_*.sh.  Sets SHIM_PRELOAD (what LD_PRELOAD
# must hold to load the shim into an ordinary program), builds the plain
# test programs of tests/shim/ into $BUILD/tests/shim/, and offers skip().
#
# An ASan or TSan build of the shim cannot be preloaded alone into a
# program that lacks the sanitizer runtime: the runtime must come first,
# so we preload it in front of the shim (ASan also needs
# verify_asan_link_order=0 because the program itself does not link it).
BUILD=${BUILD:-build}
CC=${CC:-cc}
SHIM=$BUILD/libkvmu-preload.so
SHIM_BIN=$BUILD/tests/shim

skip() {
	echo "SKIP: $*"
	exit 77
}

[ -f "$SHIM" ] || skip "$SHIM is not built"
SHIM=$(cd "$(dirname "$SHIM")" && pwd)/$(basename "$SHIM")
SHIM_PRELOAD=$SHIM
if readelf -d "$SHIM" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
	SHIM_PRELOAD="$($CC -print-file-name=libasan.so) $SHIM"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	export ASAN_OPTIONS
elif readelf -d "$SHIM" 2>/dev/null | grep -q 'NEEDED.*libtsan'; then
	SHIM_PRELOAD="$($CC -print-file-name=libtsan.so) $SHIM"
fi

# The shim must load: the loader only warns when a preload fails, and the
# program would then run on the host's /dev/kvm.
maps=$(env LD_PRELOAD="$SHIM_PRELOAD" cat /proc/self/maps 2>&1)
case $maps in
*libkvmu-preload.so*) ;;
*) echo "FAIL: the shim does not load:"; echo "$maps" | head -n 5; exit 1 ;;
esac

# Build tests/shim/NAME.c as an ordinary program (no kvmu headers, no
# sanitizer: an unmodified /dev/kvm program).
shim_prog() {
	src=tests/shim/$1.c bin=$SHIM_BIN/$1
	mkdir -p "$SHIM_BIN"
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
		$CC -std=gnu17 -O1 -g -Wall -Wextra -Werror -pthread \
			-o "$bin" "$src" || exit 1
	fi
	echo "$bin"
}

# Checks: check STATUS WHAT prints PASS/FAIL and remembers a failure in
# $fail.  shim_transcript NAME runs tests/shim/NAME.c under the shim with
# KVMU_TRACE=1 (the trace in $tmp/trace, which proves kvmu served it),
# checks its exit status and its output against
# tests/shim/expected/NAME.txt.
fail=0
check() {
	if [ "$1" = 0 ]; then echo "PASS: $2"; else echo "FAIL: $2"; fail=1; fi
}

shim_transcript() {
	tmp=$(mktemp -d) || exit 1
	trap 'rm -rf "$tmp"' EXIT
	prog=$(shim_prog "$1") || exit 1
	env LD_PRELOAD="$SHIM_PRELOAD" KVMU_TRACE=1 "$prog" > "$tmp/out" \
		2> "$tmp/trace"
	rc=$?
	[ $rc = 0 ]
	check $? "the program exits 0 (got $rc)"
	cmp -s "$tmp/out" "tests/shim/expected/$1.txt"
	check $? "transcript as expected"
	[ $fail = 0 ] || diff -u "tests/shim/expected/$1.txt" "$tmp/out"
}
