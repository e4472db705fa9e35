#!/bin/sh
# The LD_PRELOAD shim's cost, as rows of the `make bench` table (called by
# bench/run.sh; runs alone too: sh bench/shim.sh [BUILD]).
#  - ioctl() on a descriptor that is not kvmu's, without and with the shim:
#    the pass-through every other ioctl of a host program pays;
#  - a PIO exit round trip (KVM_RUN -> KVM_EXIT_IO -> KVM_RUN) of a plain
#    /dev/kvm program through the shim, against the same source calling
#    libkvmu directly.
BUILD=${1:-build}
OUT=$BUILD/bench
SHIM=$BUILD/libkvmu-preload.so
IOCTL_N=${BENCH_SHIM_IOCTL_N:-2000000}
PIO_N=${BENCH_SHIM_PIO_N:-100000}
mkdir -p "$OUT" || exit 1
if [ ! -f "$SHIM" ]; then
	echo "shim: $SHIM is not built, no shim rows"
	exit 0
fi
libs=$(sed -n 's/^Libs.private: //p' "$BUILD/kvmu.pc")
# shellcheck disable=SC2086
${CC:-cc} -O2 -std=gnu17 -Iinclude -DKVMU -o "$OUT/shim_bench-kvmu" \
	bench/shim.c "$BUILD/libkvmu.a" $libs -pthread || exit 1
${CC:-cc} -O2 -std=gnu17 -o "$OUT/shim_bench" bench/shim.c || exit 1

# The machine is shared and noisy: run the variants alternately, three
# times each, and keep each one's best.
val() { "$@" 2>/dev/null | awk '{ print $2 }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || (b != "" && b < a)) ? b : a }'; }
plain="" shimmed="" direct="" viashim=""
for round in 1 2 3; do
	plain=$(min "$plain" "$(val "$OUT/shim_bench" ioctl "$IOCTL_N")")
	shimmed=$(min "$shimmed" \
		"$(val env LD_PRELOAD="$SHIM" "$OUT/shim_bench" ioctl "$IOCTL_N")")
	direct=$(min "$direct" "$(val "$OUT/shim_bench-kvmu" pio "$PIO_N")")
	viashim=$(min "$viashim" \
		"$(val env LD_PRELOAD="$SHIM" "$OUT/shim_bench" pio "$PIO_N")")
done

row() { printf '%-34s %14s %14s  %-10s %9s\n' "$@"; }
# ratio A B: B / A with two decimals, or n/a.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || a == 0) print "n/a";
		else printf "%.2fx", b / a }'
}
diffns() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "") print "n/a"; else printf "%+.1f", b - a }'
}
echo
echo "LD_PRELOAD shim (ns per operation; best of 3 runs of 3 rounds)"
row "measure" "without shim" "with shim" "added ns" "ratio"
row "ioctl on a non-kvmu fd" "${plain:-n/a}" "${shimmed:-n/a}" \
	"$(diffns "$plain" "$shimmed")" "$(ratio "$plain" "$shimmed")"
row "PIO exit round trip" "${direct:-n/a}" "${viashim:-n/a}" \
	"$(diffns "$direct" "$viashim")" "$(ratio "$direct" "$viashim")"
echo "PIO \"without shim\" = the same program calling libkvmu directly."
exit 0
