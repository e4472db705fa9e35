#!/bin/sh
# `kvmu run` boots Debian 12's cloud kernel with 2 vCPUs to a busybox /init
# (scripts/linux-guest.sh): the init marker appears, Linux brought both
# CPUs online, its clock moves across a one-second sleep, and the guest's
# reset ends the run with status 0.  Skipped under the sanitizers (a boot
# there takes many minutes) and when the kernel cannot be downloaded.
# A boot took 450 s (nice, load 12-20) of the runner's default 600 s; the
# boot's own limit (1500 s) ends first and shows the log.
# run.sh timeout: 1800
. tests/shell/lib/linux.sh
linux_test_begin

log=$BUILD/linux-guest/kvmu-run.log
timeout 1500 "$KVMU" run --smp 2 --mem 256M --initrd "$LINUX_INITRD" \
	--append 'console=ttyS0 panic=-1' "$LINUX_KERNEL" > "$log" 2>&1
rc=$?
linux_check "$log" 0-1
[ $rc = 0 ] || fail "exit status $rc, want 0 (the guest's reset)"
grep -q "the guest reset the machine" "$log" || fail "no reset message"
echo "ok"
