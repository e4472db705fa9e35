#!/bin/sh
# make selftests: build the KVM selftests of Debian's linux-source-6.1 and
# run each x86_64 and generic test through `kvmu exec`, one at a time, with
# a timeout, printing a table (test, result, reason) and a total.
#
#   sh scripts/selftests.sh [BUILD]          build dir of kvmu (default build)
#   SELFTESTS_TIMEOUT=N    seconds per test (default: the suite's own
#                          kselftest `settings` timeout, 120 for kvm/)
#   SELFTESTS_ONLY="x86_64/cpuid_test ..."   run only these
#   SELFTESTS_DOC=docs/selftests.md          where the table goes ("" = none)
#
# Nothing of the kernel enters the git tree: the tree is unpacked under
# build-selftests/ and built there.  Result per test: PASS (exit 0), SKIP
# (exit 4, KSFT_SKIP), FAIL (anything else, a timeout or a signal).
set -u
BUILD=${1:-${BUILD:-build}}
TIMEOUT=${SELFTESTS_TIMEOUT:-}
DOC=${SELFTESTS_DOC-docs/selftests.md}
TAR=/usr/src/linux-source-6.1.tar.xz
TOP=$(pwd)
WORK=${SELFTESTS_WORK:-$TOP/build-selftests}
SRC=$WORK/linux-source-6.1
KDIR=$SRC/tools/testing/selftests/kvm
KVMU=$TOP/$BUILD/kvmu

die() { echo "selftests: $*" >&2; exit 1; }

get_source() {
	[ -f "$TAR" ] && command -v rsync >/dev/null && return 0
	[ "$(id -u)" = 0 ] || die "needs root to apt-get install linux-source-6.1 rsync"
	echo "selftests: installing linux-source-6.1 and rsync (apt)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		linux-source-6.1 rsync >/dev/null || die "apt-get install failed"
}

# Only what headers_install and the selftests need: 150 MB, not 1.5 GB.
unpack() {
	[ -f "$SRC/.kvmu-unpacked" ] && return 0
	echo "selftests: unpacking $TAR into $WORK"
	rm -rf "$SRC" && mkdir -p "$WORK"
	nice tar -xJf "$TAR" -C "$WORK" \
		--exclude='linux-source-6.1/drivers' \
		--exclude='linux-source-6.1/Documentation' \
		--exclude='linux-source-6.1/sound' \
		--exclude='linux-source-6.1/fs' \
		--exclude='linux-source-6.1/net' \
		--exclude='linux-source-6.1/arch/[a-wy-z]*' \
		--exclude='linux-source-6.1/tools/perf' || die "tar failed"
	touch "$SRC/.kvmu-unpacked"
}

build() {
	if [ ! -f "$SRC/usr/include/linux/kvm.h" ]; then
		echo "selftests: make headers_install"
		nice make -s -C "$SRC" headers_install \
			INSTALL_HDR_PATH="$SRC/usr" >"$WORK/headers.log" 2>&1 ||
			die "headers_install failed, see $WORK/headers.log"
	fi
	echo "selftests: building (log: $WORK/build.log)"
	# -k: two tests of Debian's 6.1 tree do not build (see docs/selftests.md).
	# OUTPUT given explicitly: lib.mk sets it only at MAKELEVEL 0, and
	# under `make selftests` an empty OUTPUT put every binary and object
	# into / (and /lib).
	nice make -k -j2 -C "$KDIR" OUTPUT="$KDIR" >"$WORK/build.log" 2>&1
	printf 'kvmu-list:\n\t@echo $(TEST_GEN_PROGS)\n' >"$WORK/list.mk"
	make -s -C "$KDIR" -f Makefile -f "$WORK/list.mk" OUTPUT="$KDIR" \
		kvmu-list |
		tr ' ' '\n' | sed 's|^.*/selftests/kvm/*||' | grep . >"$WORK/list.txt"
}

# The first line that says why: the SKIP text, or the assertion's place
# and message (the line after the backtrace), or the last line printed.
reason() {
	awk '
	/# SKIP/ { sub(/.*# SKIP -? */, ""); print; found = 1; exit }
	/==== Test Assertion Failure ====/ { inassert = 1; next }
	# the place relative to tools/testing/selftests: kvm/lib/..., not
	# lib/... (and kvm/include/... is no path of ours for docs_refs.sh)
	inassert && where == "" { sub(/^ +/, ""); where = "kvm/" $0; next }
	inassert && /^ +pid=/ { next }
	inassert && /^ +[0-9]+\t|\(inlined by\)/ { next }
	inassert { sub(/^ +/, ""); print where ": " $0; found = 1; exit }
	NF { last = $0 }
	END { if (!found) { if (where != "") print where; else print last } }
	' "$1" | cut -c1-160 | sed 's/|/\\|/g'
}

row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }

run_one() {
	t=$1 log=$WORK/logs/$(echo "$t" | tr / _).log
	if [ ! -x "$KDIR/$t" ]; then
		row "$t" FAIL "does not build in Debian's 6.1 tree (build.log)"
		return
	fi
	(cd "$KDIR" && timeout -k 5 "$TIMEOUT" nice "$KVMU" exec -- "./$t") \
		>"$log" 2>&1 </dev/null
	rc=$?
	why=$(reason "$log")
	case $rc in
	0) row "$t" PASS "" ;;
	4) row "$t" SKIP "$why" ;;
	124|137) row "$t" FAIL "timeout after ${TIMEOUT}s: $why" ;;
	*) if [ $rc -gt 128 ] && [ $rc -le 192 ]; then
		row "$t" FAIL "signal $((rc - 128)): $why"
	   else
		row "$t" FAIL "$why"
	   fi ;;
	esac
}

[ -x "$KVMU" ] || die "$KVMU missing: run make first"
get_source
unpack
build
# the timeout the kernel's own runner (kselftest/runner.sh) gives these tests
[ -n "$TIMEOUT" ] ||
	TIMEOUT=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$KDIR/settings" 2>/dev/null)
TIMEOUT=${TIMEOUT:-120}
mkdir -p "$WORK/logs"
list=${SELFTESTS_ONLY:-$(cat "$WORK/list.txt")}
table=$WORK/table.md
{
	echo "| test | result | reason |"
	echo "| --- | --- | --- |"
	for t in $list; do
		run_one "$t"
	done
} | tee "$table"
pass=$(grep -c '| PASS |' "$table")
fail=$(grep -c '| FAIL |' "$table")
skip=$(grep -c '| SKIP |' "$table")
total=$((pass + fail + skip))
summary="$total tests: $pass PASS, $fail FAIL, $skip SKIP"
echo "$summary"
if [ -n "$DOC" ] && [ -z "${SELFTESTS_ONLY:-}" ]; then
	# keep the hand-written head of the page, replace the measured part
	head=$(sed '/^<!-- measured -->/q' "$DOC" 2>/dev/null)
	[ -n "$head" ] || head='<!-- measured -->'
	{
		echo "$head"
		echo
		echo "Measured $(date -u +%Y-%m-%d) on $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
			"(timeout ${TIMEOUT}s per test): **$summary**."
		echo
		cat "$table"
	} >"$DOC"
	echo "selftests: table written to $DOC"
fi
