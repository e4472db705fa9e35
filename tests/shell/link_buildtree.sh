#!/bin/sh
# The build tree is a package: with PKG_CONFIG_PATH=build, pkg-config finds
# build/kvmu-uninstalled.pc (include/ and build/ by absolute path), and a
# program using <kvmu/kvmu.h> builds and runs a guest linked either way:
# against build/libkvmu.so.0 (found through the .pc's rpath, no
# LD_LIBRARY_PATH) and against the archive (no libkvmu in DT_NEEDED).
set -u
. tests/shell/lib/link.sh
fail() { echo "FAIL: $*"; exit 1; }

cflags=$(pkg-config --cflags kvmu) || fail "pkg-config does not find kvmu"
case " $cflags " in
*" -I$(pwd)/include "*) ;;
*) fail "--cflags is '$cflags', not the tree's include/" ;;
esac
[ "$(readlink "$BUILD/libkvmu.so")" = libkvmu.so.0 ] &&
	[ -f "$BUILD/libkvmu.so.0" ] || fail "no soname link libkvmu.so.0"

# shellcheck disable=SC2046,SC2086
cc $SANFLAGS -o "$T/dyn" tests/link/guest.c $(pkg-config --cflags --libs kvmu) ||
	fail "dynamic link"
needed "$T/dyn" | grep -qx libkvmu.so.0 || fail "dyn does not need libkvmu.so.0"
out=$(env -u LD_LIBRARY_PATH "$T/dyn") || fail "dyn: $out"
[ "$out" = ok ] || fail "dyn printed '$out'"

# shellcheck disable=SC2046,SC2086
cc $SANFLAGS -o "$T/st" tests/link/guest.c $(pkg-config --cflags kvmu) \
	-Wl,-Bstatic -lkvmu -Wl,-Bdynamic $(pkg-config --libs --static kvmu) ||
	fail "archive link"
needed "$T/st" | grep -q libkvmu && fail "the archive link needs $(needed "$T/st" | grep libkvmu)"
out=$(LD_LIBRARY_PATH=/nonexistent "$T/st") || fail "st: $out"
[ "$out" = ok ] || fail "st printed '$out'"
echo "build tree: pkg-config, dynamic and archive links run the guest"
