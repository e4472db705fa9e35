#!/bin/sh
# The execution engines against each other: random instruction sequences
# (the difftest generator) on kvmu's translated blocks (and then on its
# one-instruction interpreter), both with the specialised handlers, against
# the reference interpreter (KVMU_ENGINE=ref: generic handlers only), every
# register, flag, data and stack byte compared.  This needs no /dev/kvm, so it runs everywhere.  Sequences
# are rewritten by the test (the VMM) at the same address between runs,
# which also checks that stale blocks are never run.
BUILD=${BUILD:-build}
bin=$BUILD/tests/diff/difftest
[ -x "$bin" ] || { echo "difftest not built: $bin"; exit 1; }
out=$("$bin" -e -n "${DIFFTEST_N:-3000}" -s "${DIFFTEST_SEED:-7}" \
	-l 24 2>&1)
rc=$?
echo "$out" | tail -n 60
[ $rc = 0 ] || exit 1
echo "$out" | grep -q "kvmu blocks vs kvmu interpreter" || exit 1
out=$("$bin" -E interp -n "${DIFFTEST_N_INTERP:-1000}" \
	-s "${DIFFTEST_SEED:-7}" -l 24 2>&1)
rc=$?
echo "$out" | tail -n 20
[ $rc = 0 ] || exit 1
echo "$out" | grep -q "kvmu interp vs kvmu interpreter" || exit 1
