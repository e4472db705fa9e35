#!/bin/sh
# make bench, (g): Linux boot to /init under unmodified QEMU on kvmu (the
# shim, -accel kvm, in-kernel irqchip) against the same QEMU with
# -accel tcg: Debian 12's cloud kernel and the busybox initramfs of
# scripts/linux-guest.sh, the default machine, -smp 2, one run each, side
# by side.  The time is from starting QEMU to the "init reached" line on
# the serial console (polled every 0.2 s).  "n/a" without QEMU or the
# kernel.  Usage: sh bench/linux_boot.sh BUILD
BUILD=${1:-build}
KVMU=$BUILD/kvmu
OUT=$BUILD/bench
mkdir -p "$OUT" || exit 1

now_us() { echo $(($(date +%s%N) / 1000)); }

# boot_s LOG CMD...: seconds from start to /init, or nothing.
boot_s() {
	log=$1
	shift
	: > "$log"
	t0=$(now_us) t=""
	timeout -k 10 1200 "$@" > "$log" 2>&1 < /dev/null &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if grep -q "kvmu-linux: init reached" "$log"; then
			t=$(($(now_us) - t0))
			break
		fi
		sleep 0.2
	done
	wait "$pid"
	[ -n "$t" ] && awk -v us="$t" 'BEGIN { printf "%.1f", us / 1e6 }'
}

kvmu_s="" tcg_s=""
if command -v qemu-system-x86_64 >/dev/null 2>&1 &&
   sh scripts/linux-guest.sh "$BUILD/linux-guest" >/dev/null 2>&1; then
	set -- -machine pc -smp 2 -m 256 -nographic -no-reboot \
		-kernel "$BUILD/linux-guest/vmlinuz" \
		-initrd "$BUILD/linux-guest/initramfs.cpio.gz" \
		-append 'console=ttyS0 panic=-1'
	kvmu_s=$(boot_s "$OUT/linux-kvmu.log" "$KVMU" exec -- \
		qemu-system-x86_64 -accel kvm "$@")
	tcg_s=$(boot_s "$OUT/linux-tcg.log" qemu-system-x86_64 -accel tcg "$@")
fi
ratio=$(awk -v k="$kvmu_s" -v p="$tcg_s" 'BEGIN {
	if (k == "" || p == "" || k == 0) print "n/a"
	else printf "%.2fx", p / k }')
echo
printf '%-34s %14s %14s  %-10s %9s\n' "Linux boot to /init, s" \
	"${kvmu_s:-n/a}" "${tcg_s:-n/a}" "QEMU TCG" "$ratio"
echo "QEMU 7.2 -smp 2 -m 256, default machine; kvmu column: QEMU -accel kvm"
echo "through kvmu exec; peer: the same QEMU with -accel tcg (speed < 1:"
echo "slower than TCG).  Logs: $OUT/linux-kvmu.log, $OUT/linux-tcg.log."
exit 0
