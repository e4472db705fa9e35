#!/bin/sh
# Install the Debian packages kvmu needs, once; idempotent, quiet when all
# are present.  Run as root on Debian 12 (or with sudo available).
set -e
PKGS="build-essential pkg-config clang libclang-rt-14-dev libzydis-dev
libcmocka-dev libfuse3-dev fuse3 libssl-dev qemu-system-x86 qemu-user
uuid-runtime mdevctl gcc-s390x-linux-gnu binutils-s390x-linux-gnu python3
busybox-static cpio gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
linux-libc-dev-arm64-cross"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "kvmu: installing Debian packages:$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
