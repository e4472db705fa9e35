# Sourced by the link_* tests: build tests/link/guest.c against the build
# tree through its kvmu-uninstalled.pc.  Sets BUILD_ABS, T (a scratch
# directory removed on exit) and SANFLAGS; skips when kvmu or pkg-config
# is missing.
BUILD=${BUILD:-build}
[ -f "$BUILD/libkvmu.a" ] && [ -e "$BUILD/libkvmu.so" ] ||
	{ echo "skip: kvmu is not built in $BUILD"; exit 77; }
command -v pkg-config >/dev/null || { echo "skip: no pkg-config"; exit 77; }
command -v cc >/dev/null || { echo "skip: no C compiler"; exit 77; }
BUILD_ABS=$(cd "$BUILD" && pwd)
# An instrumented library needs its sanitizer runtime in the program too.
case ${KVMU_SAN:-} in
1) SANFLAGS="-fsanitize=address,undefined" ;;
thread) SANFLAGS="-fsanitize=thread" ;;
*) SANFLAGS= ;;
esac
T=$(mktemp -d /tmp/kvmu-link.XXXXXX)
trap 'rm -rf "$T"' EXIT
export PKG_CONFIG_PATH="$BUILD_ABS"

# needed BIN: the DT_NEEDED entries of BIN, one a line.
needed() {
	readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}
