#!/bin/sh
# An unmodified /dev/kvm program built against the arm64 ABI (Debian's
# linux-libc-dev-arm64-cross <asm/kvm.h>) runs on this host under the shim
# with KVMU_ARCH=arm64: IPA-size machine types, memslots beyond the IPA
# space, KVM_ARM_VCPU_INIT, ONE_REG/REG_LIST, every SMCCC filter answer,
# forwarded HVC/SMC, a denied call, MMIO data, PSCI SYSTEM_OFF and the
# in-kernel GICv3 device (addresses, CTRL_INIT, registers, KVM_IRQ_LINE)
# (tests/shim/arm64_api.c checks each answer itself).
. tests/shim/lib.sh
A64_ASM=/usr/aarch64-linux-gnu/include/asm
[ -f "$A64_ASM/kvm.h" ] || skip "no arm64 uapi headers (linux-libc-dev-arm64-cross)"
inc=$SHIM_BIN/arm64-inc
mkdir -p "$inc"
ln -sfn "$A64_ASM" "$inc/asm"
bin=$SHIM_BIN/arm64_api
if [ ! -x "$bin" ] || [ tests/shim/arm64_api.c -nt "$bin" ]; then
	$CC -std=gnu17 -O1 -g -Wall -Wextra -Werror -I"$inc" -o "$bin" \
		tests/shim/arm64_api.c || exit 1
fi
out=$(env KVMU_ARCH=arm64 LD_PRELOAD="$SHIM_PRELOAD" timeout 60 "$bin" 2>&1)
rc=$?
echo "$out"
[ $rc = 0 ] || { echo "FAIL: arm64_api (exit $rc)"; exit 1; }
echo "PASS: the arm64 ABI program under the shim"
