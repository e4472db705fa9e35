#!/bin/sh
# Unmodified QEMU (Debian's qemu-system-x86_64, -accel kvm) boots Debian
# 12's cloud kernel on kvmu through the shim (`kvmu exec`): the default
# machine with its VGA card, 2 vCPUs, the in-kernel irqchip, to a busybox
# /init that sees both CPUs and a moving clock.  KVMU_QEMU_IRQCHIP=split
# runs the same with kernel_irqchip=split; KVMU_QEMU_IRQCHIP=off with
# kernel_irqchip=off (QEMU's own PIC/IOAPIC/LAPIC through KVM_INTERRUPT
# and the interrupt window) on ONE vCPU: QEMU 7.2's user-space APIC never
# clears a CPU's SIPI request outside TCG, so with two vCPUs the AP's
# thread spins holding QEMU's big lock as soon as it halts, whatever the
# KVM (docs/clients.md).  `make linux-clients` runs the three.  Skipped
# under the sanitizers (too slow there), without QEMU, and when the kernel
# cannot be downloaded.
# A boot took 450 s (nice, load 12-20) of the runner's default 600 s; the
# boot's own limit (1500 s) ends first and shows the log.
# run.sh timeout: 1800
. tests/shell/lib/linux.sh
linux_test_begin qemu

machine=pc smp=2 cpus=0-1
[ -n "$KVMU_QEMU_IRQCHIP" ] && machine="pc,kernel_irqchip=$KVMU_QEMU_IRQCHIP"
[ "$KVMU_QEMU_IRQCHIP" = off ] && smp=1 cpus=0
log=$BUILD/linux-guest/qemu${KVMU_QEMU_IRQCHIP:+-$KVMU_QEMU_IRQCHIP}.log
# -k: a QEMU whose main loop is stuck does not act on SIGTERM
timeout -k 10 1500 "$KVMU" exec -- qemu-system-x86_64 -accel kvm \
	-machine "$machine" -smp $smp -m 256 -nographic -no-reboot \
	-kernel "$LINUX_KERNEL" -initrd "$LINUX_INITRD" \
	-append 'console=ttyS0 panic=-1' > "$log" 2>&1 < /dev/null
rc=$?
linux_check "$log" $cpus
[ $rc = 0 ] || fail "QEMU exit status $rc, want 0 (-no-reboot)"
echo "ok"
