#!/bin/sh
# make install PREFIX=... gives a library, headers and a kvmu.pc with which
# pkg-config alone is enough to build and run a program.
BUILD=${BUILD:-build}
[ -f "$BUILD/libkvmu.a" ] || { echo "kvmu is not built"; exit 77; }
command -v pkg-config >/dev/null || { echo "no pkg-config"; exit 77; }
if [ -n "${KVMU_SAN:-}" ]; then
	# an instrumented library needs the sanitizer at link time too
	echo "sanitizer build ($KVMU_SAN): checked in the plain pass"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s --no-print-directory BUILD="$BUILD" PREFIX="$tmp/usr" install \
	>"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
for f in lib/libkvmu.a lib/libkvmu.so lib/libkvmu-preload.so bin/kvmu \
	include/kvmu/kvmu.h lib/pkgconfig/kvmu.pc; do
	[ -e "$tmp/usr/$f" ] || { echo "missing after install: $f"; exit 1; }
done
cat > "$tmp/p.c" <<'C'
#include <kvmu/kvmu.h>
#include <linux/kvm.h>
#include <stdio.h>
int main(void)
{
	int sys = kvmu_open(KVMU_ARCH_X86_64, 0);

	printf("%d\n", kvmu_ioctl(sys, KVM_GET_API_VERSION, 0));
	return 0;
}
C
export PKG_CONFIG_PATH="$tmp/usr/lib/pkgconfig"
# shellcheck disable=SC2046
cc -o "$tmp/dyn" "$tmp/p.c" $(pkg-config --cflags --libs kvmu) || exit 1
out=$(LD_LIBRARY_PATH="$tmp/usr/lib" "$tmp/dyn")
[ "$out" = 12 ] || { echo "dynamic: got '$out'"; exit 1; }
# shellcheck disable=SC2046
cc -o "$tmp/st" "$tmp/p.c" $(pkg-config --cflags kvmu) -Wl,-Bstatic \
	-lkvmu -Wl,-Bdynamic $(pkg-config --libs --static kvmu) || exit 1
out=$(LD_LIBRARY_PATH=/nonexistent "$tmp/st")
[ "$out" = 12 ] || { echo "archive: got '$out'"; exit 1; }
echo "install + pkg-config: dynamic and archive links run"
