#!/bin/sh
# Short differential run (make difftest N=... for long ones): random
# instruction sequences on kvmu and on /dev/kvm, compared.  Without a
# usable /dev/kvm there is no oracle: kvmu still runs every sequence (all
# must complete) and the test reports a skip.
BUILD=${BUILD:-build}
bin=$BUILD/tests/diff/difftest
[ -x "$bin" ] || { echo "difftest not built: $bin"; exit 1; }
out=$("$bin" -n "${DIFFTEST_N:-2000}" -s "${DIFFTEST_SEED:-1}" 2>&1)
rc=$?
echo "$out" | tail -n 60
[ $rc = 0 ] || exit 1
if echo "$out" | grep -q "kvmu only"; then
	echo "SKIP: no usable /dev/kvm (the oracle); kvmu alone passed"
	exit 77
fi
exit 0
