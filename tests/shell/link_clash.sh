#!/bin/sh
# A program that defines functions named like kvmu's internals (vcpu_run,
# x86_step, op_add32, ...) and exports them (-rdynamic) still runs a guest
# through libkvmu.so: the library binds its own hidden copies, never the
# program's.  Before visibility was hidden, KVM_RUN called the program's
# vcpu_run.
set -u
. tests/shell/lib/link.sh
fail() { echo "FAIL: $*"; exit 1; }

# shellcheck disable=SC2046,SC2086
cc $SANFLAGS -DCLASH -rdynamic -o "$T/clash" tests/link/guest.c \
	$(pkg-config --cflags --libs kvmu) || fail "link"
nm -D --defined-only "$T/clash" | grep -qw vcpu_run ||
	fail "the program does not export its vcpu_run"
out=$("$T/clash" 2>&1) || fail "$out"
[ "$out" = ok ] || fail "printed '$out'"
echo "internal names in the program: the guest still runs"
