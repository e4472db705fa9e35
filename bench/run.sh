#!/bin/sh
# make bench: one table from one run, kvmu against its peers.
#  (a) the demo guest's instructions per second on kvmu (translated blocks,
#      then the interpreter alone: KVMU_ENGINE=interp) and on
#      qemu-system-x86_64 -accel tcg (same image; QEMU's rate uses the
#      instruction count kvmu measured and QEMU's whole-run wall time);
#  (b) a PIO exit round trip (KVM_RUN -> KVM_EXIT_IO -> back) and
#  (c) VM + memory slot + vCPU creation, and 8192 / 32764 one-page memory
#      slots added, moved and deleted, kvmu against the real /dev/kvm,
#      measured by bench/kvm_bench.c built once for each;
#  (d) an s390x C workload under kvmu run --arch s390x and qemu-s390x;
#  (e) the in-kernel irqchip (bench/irq_bench.c): an IPI round trip between
#      two vCPUs on two threads, and the host CPU a halted vCPU uses;
#  (f) an arm64 C workload under kvmu run --arch arm64 and qemu-aarch64;
#  (g) the Hyper-V PV IPI (bench/hv_bench.c): the same round trip with a
#      fast HvCallSendSyntheticClusterIpi against an x2APIC ICR write;
#  (i) irqfd to guest handler latency (bench/irqfd_bench.c): an eventfd
#      bound by KVM_IRQFD to a GSI routed to an MSI, then to an IOAPIC pin,
#      written by the host until the guest's handler counted it;
#  (h) Linux boot to /init under QEMU+kvmu and QEMU TCG (bench/linux_boot.sh).
# Ratios only: absolute times depend on the machine.  "n/a" where a peer
# is missing (no /dev/kvm, no QEMU).
BUILD=${1:-build}
KVMU=$BUILD/kvmu
IMAGE=$BUILD/guests/x86/demo.elf
OUT=$BUILD/bench
PIO_N=${BENCH_PIO_N:-200000}
PIO_KVM_N=${BENCH_PIO_KVM_N:-20000}
CREATE_N=${BENCH_CREATE_N:-200}
mkdir -p "$OUT" || exit 1

# ---- build the micro-benchmark twice ----
libs=$(sed -n 's/^Libs.private: //p' "$BUILD/kvmu.pc")
# shellcheck disable=SC2086
${CC:-cc} -O2 -std=gnu17 -Iinclude -DKVMU -o "$OUT/kvm_bench-kvmu" \
	bench/kvm_bench.c "$BUILD/libkvmu.a" $libs -pthread || exit 1
${CC:-cc} -O2 -std=gnu17 -o "$OUT/kvm_bench-kvm" bench/kvm_bench.c || exit 1
# shellcheck disable=SC2086
${CC:-cc} -O2 -std=gnu17 -Iinclude -DKVMU -o "$OUT/irq_bench-kvmu" \
	bench/irq_bench.c "$BUILD/libkvmu.a" $libs -pthread || exit 1
${CC:-cc} -O2 -std=gnu17 -o "$OUT/irq_bench-kvm" bench/irq_bench.c \
	-pthread || exit 1
# shellcheck disable=SC2086
${CC:-cc} -O2 -std=gnu17 -Iinclude -DKVMU -o "$OUT/hv_bench-kvmu" \
	bench/hv_bench.c "$BUILD/libkvmu.a" $libs -pthread || exit 1
# shellcheck disable=SC2086
${CC:-cc} -O2 -std=gnu17 -Iinclude -DKVMU -o "$OUT/irqfd_bench-kvmu" \
	bench/irqfd_bench.c "$BUILD/libkvmu.a" $libs -pthread || exit 1
${CC:-cc} -O2 -std=gnu17 -o "$OUT/irqfd_bench-kvm" bench/irqfd_bench.c \
	-pthread || exit 1

now_us() { echo $(($(date +%s%N) / 1000)); }
# fmt X: a number with two decimals, or "n/a".
fmt() { awk -v x="$1" 'BEGIN { if (x == "") print "n/a"; else printf "%.2f", x }'; }
# speed KVMU PEER HIGHER_IS_BETTER: how many times faster kvmu is.
speed() {
	awk -v k="$1" -v p="$2" -v hib="$3" 'BEGIN {
		if (k == "" || p == "" || k == 0 || p == 0) { print "n/a"; exit }
		printf "%.2fx", hib ? k / p : p / k }'
}

# ---- (a) demo workload ----
t0=$(now_us)
"$KVMU" run --stats "$IMAGE" >/dev/null 2>"$OUT/demo.stats"
rc=$?
t1=$(now_us)
insns=$(sed -n 's/^ *instructions: *\([0-9][0-9]*\)$/\1/p' "$OUT/demo.stats")
kvmu_mips=""
if [ "$rc" = 33 ] && [ -n "$insns" ]; then
	kvmu_mips=$(awk -v n="$insns" -v us=$((t1 - t0)) 'BEGIN { print n / us }')
else
	echo "bench: kvmu run of the demo failed (status $rc):" >&2
	tail -n 5 "$OUT/demo.stats" >&2
fi
# the same image on the interpreter alone (no translated blocks)
t0=$(now_us)
KVMU_ENGINE=interp "$KVMU" run "$IMAGE" >/dev/null 2>&1
rc=$?
t1=$(now_us)
interp_mips=""
[ "$rc" = 33 ] && [ -n "$insns" ] &&
	interp_mips=$(awk -v n="$insns" -v us=$((t1 - t0)) 'BEGIN { print n / us }')
# the same image on translated blocks without the JIT (KVMU_ENGINE=block;
# the default run above has the JIT)
t0=$(now_us)
KVMU_ENGINE=block "$KVMU" run "$IMAGE" >/dev/null 2>&1
rc=$?
t1=$(now_us)
nojit_mips=""
[ "$rc" = 33 ] && [ -n "$insns" ] &&
	nojit_mips=$(awk -v n="$insns" -v us=$((t1 - t0)) 'BEGIN { print n / us }')
# what the JIT's code cache costs: peak RSS with the JIT minus with blocks
# (GNU time's %M, KiB; empty without /usr/bin/time)
peak_kb() {
	KVMU_ENGINE=$1 /usr/bin/time -f %M "$KVMU" run "$IMAGE" 2>&1 \
		>/dev/null | tail -n 1
}
jit_rss="" block_rss=""
if [ -x /usr/bin/time ]; then
	jit_rss=$(peak_kb jit)
	block_rss=$(peak_kb block)
fi
# QEMU's rate over its whole run, and without its start-up: the time to
# boot the smallest multiboot guest (mb_null) subtracted.
qemu_run() {
	t0=$(now_us)
	qemu-system-x86_64 -accel tcg -display none -no-reboot -serial none \
		-monitor none -chardev file,id=dbg,path=/dev/null \
		-device isa-debugcon,iobase=0xe9,chardev=dbg \
		-device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$1" </dev/null
	[ $? = 33 ] && echo $(($(now_us) - t0))
}
qemu_mips="" qemu_net_mips=""
if command -v qemu-system-x86_64 >/dev/null 2>&1 && [ -n "$insns" ]; then
	qemu_us=$(qemu_run "$IMAGE")
	null_us=$(qemu_run "$BUILD/guests/x86/mb_null.elf")
	[ -n "$qemu_us" ] && qemu_mips=$(awk -v n="$insns" -v us="$qemu_us" \
		'BEGIN { print n / us }')
	[ -n "$qemu_us" ] && [ -n "$null_us" ] && [ "$qemu_us" -gt "$null_us" ] &&
		qemu_net_mips=$(awk -v n="$insns" -v us=$((qemu_us - null_us)) \
			'BEGIN { print n / us }')
fi
kvmu_net_mips=$(sed -n 's/^ *MIPS: *//p' "$OUT/demo.stats")
[ "$rc" = 33 ] || kvmu_net_mips=""

# ---- (b), (c) micro-benchmarks ----
field() { "$@" 2>/dev/null | awk '{ print $2 / 1000 }'; }
kvmu_pio=$(field "$OUT/kvm_bench-kvmu" pio "$PIO_N")
kvmu_create=$(field "$OUT/kvm_bench-kvmu" create "$CREATE_N")
# VM planes: a switch round trip (plane 0 exit, plane 1 run and exit,
# back) against one plain PIO round trip; the goal is at most 2x
kvmu_planes=$(field "$OUT/kvm_bench-kvmu" planes "$PIO_N")
ms() { "$@" 2>/dev/null | awk '{ print $2 / 1000000 }'; }
kvmu_slots8k=$(ms "$OUT/kvm_bench-kvmu" slots 8192)
kvmu_slots32k=$(ms "$OUT/kvm_bench-kvmu" slots 32764)
kvm_pio="" kvm_create="" kvm_slots8k="" kvm_slots32k=""
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	kvm_pio=$(field "$OUT/kvm_bench-kvm" pio "$PIO_KVM_N")
	kvm_create=$(field "$OUT/kvm_bench-kvm" create "$CREATE_N")
	kvm_slots8k=$(ms "$OUT/kvm_bench-kvm" slots 8192)
	kvm_slots32k=$(ms "$OUT/kvm_bench-kvm" slots 32764)
fi
# in-kernel irqchip: IPI round trip (us) and a halted vCPU's CPU use (%)
IPI_N=${BENCH_IPI_N:-5000}
pct() { "$@" 2>/dev/null | awk '{ print $2 }'; }
kvmu_ipi=$(field "$OUT/irq_bench-kvmu" ipi "$IPI_N")
kvmu_halt=$(pct "$OUT/irq_bench-kvmu" halt 1000)
kvm_ipi="" kvm_halt=""
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	kvm_ipi=$(field "$OUT/irq_bench-kvm" ipi "$IPI_N")
	kvm_halt=$(pct "$OUT/irq_bench-kvm" halt 1000)
fi
# Hyper-V PV IPI round trip against the x2APIC ICR one, both on kvmu (us)
kvmu_hv_ipi=$(field "$OUT/hv_bench-kvmu" hv "$IPI_N")
kvmu_icr_ipi=$(field "$OUT/hv_bench-kvmu" icr "$IPI_N")
# irqfd to guest handler (us): median and mean, MSI and IOAPIC routes
IRQFD_N=${BENCH_IRQFD_N:-2000}
# irqfd_out BACKEND ROUTE: the program's lines; pick_stat LINES median|mean
irqfd_out() { "$OUT/irqfd_bench-$1" "$2" "$IRQFD_N" 2>/dev/null; }
pick_stat() { echo "$1" | awk -v k="$2_ns" '$1 == k { print $2 / 1000 }'; }
o=$(irqfd_out kvmu msi)
kvmu_irqfd_msi=$(pick_stat "$o" median) kvmu_irqfd_msi_mean=$(pick_stat "$o" mean)
o=$(irqfd_out kvmu ioapic)
kvmu_irqfd_io=$(pick_stat "$o" median) kvmu_irqfd_io_mean=$(pick_stat "$o" mean)
kvm_irqfd_msi="" kvm_irqfd_msi_mean="" kvm_irqfd_io="" kvm_irqfd_io_mean=""
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	o=$(irqfd_out kvm msi)
	kvm_irqfd_msi=$(pick_stat "$o" median)
	kvm_irqfd_msi_mean=$(pick_stat "$o" mean)
	o=$(irqfd_out kvm ioapic)
	kvm_irqfd_io=$(pick_stat "$o" median)
	kvm_irqfd_io_mean=$(pick_stat "$o" mean)
fi

# ---- (d) s390x workload: kvmu run --arch s390x against qemu-s390x ----
# The same C workload (tests/guests/common/bench.c) as a kvmu guest and as a
# static Linux program; QEMU's rate uses kvmu's instruction count (the
# two builds differ only in their console calls and entry code).
S390=$BUILD/guests/s390x
s390_insns="" s390_mips="" s390_qemu_mips=""
if sh tests/guests/s390x/build.sh "$S390" >/dev/null 2>&1; then
	t0=$(now_us)
	"$KVMU" run --arch s390x --stats "$S390/bench.elf" >"$OUT/s390.out" \
		2>"$OUT/s390.stats"
	rc=$?
	t1=$(now_us)
	s390_insns=$(sed -n 's/^ *instructions: *\([0-9][0-9]*\)$/\1/p' \
		"$OUT/s390.stats")
	[ "$rc" = 1 ] && [ -n "$s390_insns" ] && s390_mips=$(awk \
		-v n="$s390_insns" -v us=$((t1 - t0)) 'BEGIN { print n / us }')
	if command -v qemu-s390x >/dev/null 2>&1 && [ -n "$s390_mips" ]; then
		t0=$(now_us)
		qemu-s390x "$S390/bench-linux" >"$OUT/s390-qemu.out"
		rc=$?
		t1=$(now_us)
		if [ "$rc" = 0 ] && cmp -s "$OUT/s390.out" "$OUT/s390-qemu.out"
		then
			s390_qemu_mips=$(awk -v n="$s390_insns" \
				-v us=$((t1 - t0)) 'BEGIN { print n / us }')
		else
			echo "bench: qemu-s390x run differs or failed" >&2
		fi
	fi
fi

# ---- (e) arm64 workload: kvmu run --arch arm64 against qemu-aarch64 ----
# The same C workload (tests/guests/common/bench.c) as a kvmu guest and as a
# static Linux program, as for s390x above.
A64=$BUILD/guests/arm64
a64_insns="" a64_mips="" a64_qemu_mips=""
if sh tests/guests/arm64/build.sh "$A64" >/dev/null 2>&1; then
	t0=$(now_us)
	"$KVMU" run --arch arm64 --stats "$A64/bench.elf" >"$OUT/a64.out" \
		2>"$OUT/a64.stats"
	rc=$?
	t1=$(now_us)
	a64_insns=$(sed -n 's/^ *instructions: *\([0-9][0-9]*\)$/\1/p' \
		"$OUT/a64.stats")
	[ "$rc" = 1 ] && [ -n "$a64_insns" ] && a64_mips=$(awk \
		-v n="$a64_insns" -v us=$((t1 - t0)) 'BEGIN { print n / us }')
	if command -v qemu-aarch64 >/dev/null 2>&1 && [ -n "$a64_mips" ]; then
		t0=$(now_us)
		qemu-aarch64 "$A64/bench-linux" >"$OUT/a64-qemu.out"
		rc=$?
		t1=$(now_us)
		if [ "$rc" = 0 ] && cmp -s "$OUT/a64.out" "$OUT/a64-qemu.out"
		then
			a64_qemu_mips=$(awk -v n="$a64_insns" \
				-v us=$((t1 - t0)) 'BEGIN { print n / us }')
		else
			echo "bench: qemu-aarch64 run differs or failed" >&2
		fi
	fi
fi

# ---- the table ----
row() { printf '%-34s %14s %14s  %-10s %9s\n' "$@"; }
echo
echo "kvmu bench (one run; speed = how many times faster kvmu is than the peer)"
row "measure" "kvmu" "peer" "(peer)" "speed"
row "demo guest MIPS, whole run" "$(fmt "$kvmu_mips")" \
	"$(fmt "$qemu_mips")" "QEMU TCG" "$(speed "$kvmu_mips" "$qemu_mips" 1)"
row "demo MIPS, whole run, interpreter" "$(fmt "$interp_mips")" \
	"$(fmt "$qemu_mips")" "QEMU TCG" "$(speed "$interp_mips" "$qemu_mips" 1)"
row "demo MIPS, whole run, no JIT" "$(fmt "$nojit_mips")" \
	"$(fmt "$qemu_mips")" "QEMU TCG" "$(speed "$nojit_mips" "$qemu_mips" 1)"
row "demo peak RSS KiB, JIT vs blocks" "$jit_rss" "$block_rss" \
	"blocks" "$(speed "$jit_rss" "$block_rss" 0)"
row "demo guest MIPS, start-up excluded" "$(fmt "$kvmu_net_mips")" \
	"$(fmt "$qemu_net_mips")" "QEMU TCG" \
	"$(speed "$kvmu_net_mips" "$qemu_net_mips" 1)"
row "PIO exit round trip, us" "$(fmt "$kvmu_pio")" "$(fmt "$kvm_pio")" \
	"/dev/kvm" "$(speed "$kvmu_pio" "$kvm_pio" 0)"
row "plane switch round trip, us" "$(fmt "$kvmu_planes")" "$(fmt "$kvmu_pio")" \
	"kvmu PIO" "$(speed "$kvmu_planes" "$kvmu_pio" 0)"
row "VM+memslot+vCPU creation, us" "$(fmt "$kvmu_create")" \
	"$(fmt "$kvm_create")" "/dev/kvm" "$(speed "$kvmu_create" "$kvm_create" 0)"
row "8192 memslots add/move/del, ms" "$(fmt "$kvmu_slots8k")" \
	"$(fmt "$kvm_slots8k")" "/dev/kvm" \
	"$(speed "$kvmu_slots8k" "$kvm_slots8k" 0)"
row "32764 memslots add/move/del, ms" "$(fmt "$kvmu_slots32k")" \
	"$(fmt "$kvm_slots32k")" "/dev/kvm" \
	"$(speed "$kvmu_slots32k" "$kvm_slots32k" 0)"
row "IPI round trip, 2 vCPUs, us" "$(fmt "$kvmu_ipi")" "$(fmt "$kvm_ipi")" \
	"/dev/kvm" "$(speed "$kvmu_ipi" "$kvm_ipi" 0)"
row "Hyper-V PV IPI round trip, us" "$(fmt "$kvmu_hv_ipi")" \
	"$(fmt "$kvmu_icr_ipi")" "ICR write" \
	"$(speed "$kvmu_hv_ipi" "$kvmu_icr_ipi" 0)"
row "halted vCPU, host CPU %" "$(fmt "$kvmu_halt")" "$(fmt "$kvm_halt")" \
	"/dev/kvm" "-"
row "irqfd->handler, MSI, median us" "$(fmt "$kvmu_irqfd_msi")" \
	"$(fmt "$kvm_irqfd_msi")" "/dev/kvm" \
	"$(speed "$kvmu_irqfd_msi" "$kvm_irqfd_msi" 0)"
row "irqfd->handler, MSI, mean us" "$(fmt "$kvmu_irqfd_msi_mean")" \
	"$(fmt "$kvm_irqfd_msi_mean")" "/dev/kvm" \
	"$(speed "$kvmu_irqfd_msi_mean" "$kvm_irqfd_msi_mean" 0)"
row "irqfd->handler, IOAPIC, median us" "$(fmt "$kvmu_irqfd_io")" \
	"$(fmt "$kvm_irqfd_io")" "/dev/kvm" \
	"$(speed "$kvmu_irqfd_io" "$kvm_irqfd_io" 0)"
row "irqfd->handler, IOAPIC, mean us" "$(fmt "$kvmu_irqfd_io_mean")" \
	"$(fmt "$kvm_irqfd_io_mean")" "/dev/kvm" \
	"$(speed "$kvmu_irqfd_io_mean" "$kvm_irqfd_io_mean" 0)"
row "s390x guest MIPS, whole run" "$(fmt "$s390_mips")" \
	"$(fmt "$s390_qemu_mips")" "qemu-s390x" \
	"$(speed "$s390_mips" "$s390_qemu_mips" 1)"
row "arm64 guest MIPS, whole run" "$(fmt "$a64_mips")" \
	"$(fmt "$a64_qemu_mips")" "qemu-aarch64" \
	"$(speed "$a64_mips" "$a64_qemu_mips" 1)"
echo "demo workload: ${insns:-?} guest instructions, counted by kvmu and used"
echo "for both; whole run = process wall time (interpreter: KVMU_ENGINE=interp,"
echo "one instruction at a time); start-up excluded = kvmu's"
echo "--stats MIPS, and QEMU's time minus that of booting an empty guest."
echo "The default engine has the JIT (host code for hot blocks); no JIT ="
echo "KVMU_ENGINE=block; the peak RSS of the two is what the JIT costs."
echo "s390x workload: ${s390_insns:-?} instructions (tests/guests/common/bench.c),"
echo "kvmu run --arch s390x against the same C code under qemu-s390x (user"
echo "mode, whole process, same output checked)."
echo "arm64 workload: ${a64_insns:-?} instructions (tests/guests/common/bench.c),"
echo "kvmu run --arch arm64 against the same C code under qemu-aarch64."
echo "irqfd->handler: host eventfd write until the guest's handler (1 vCPU,"
echo "halted, real mode) counted it in memory; ${IRQFD_N} round trips."
echo "Hyper-V PV IPI: its peer is kvmu's own x2APIC ICR write, same guests"
echo "(32-bit protected mode, 2 vCPUs on 2 threads)."
echo "plane switch: its peer is kvmu's own PIO round trip; a speed of 0.50x"
echo "means the switch costs twice a plain exit (the goal: at least 0.50x)."
[ -n "$kvm_pio" ] || echo "/dev/kvm: not available here, its column is n/a."

# ---- LD_PRELOAD shim: its own rows (bench/shim.sh, kept by the shim) ----
sh bench/shim.sh "$BUILD"
# ---- (g) Linux boot under QEMU, kvmu against TCG ----
sh bench/linux_boot.sh "$BUILD"
exit 0
