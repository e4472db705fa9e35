#!/bin/sh
# The JIT (KVMU_ENGINE=jit, host code from a block's first entry) against
# the reference interpreter (KVMU_ENGINE=ref): random sequences, then the
# JIT fuzz (difftest -j: self-modifying code, data pages remapped between
# runs).  Every register, flag, data and stack byte compared.  A smoke
# run; `make difftest-jit` and `make jitfuzz` run as many as asked (N=).
BUILD=${BUILD:-build}
bin=$BUILD/tests/diff/difftest
[ -x "$bin" ] || { echo "difftest not built: $bin"; exit 1; }
for mode in "-E jit" "-j"; do
	# shellcheck disable=SC2086
	out=$("$bin" $mode -n "${DIFFTEST_N_JIT:-2000}" \
		-s "${DIFFTEST_SEED:-7}" -l 24 2>&1)
	rc=$?
	echo "$out" | tail -n 30
	[ $rc = 0 ] || exit 1
	echo "$out" | grep -q "kvmu jit vs kvmu interpreter (ref)" || exit 1
done
