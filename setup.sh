#!/bin/sh
# The first command on a fresh Debian 12, as root: `sh setup.sh`.
# Installs the Debian packages kvmu needs (scripts/deps.sh, which also
# brings make and the compiler), builds everything and boots the demo
# guest.  Afterwards `make check` runs the whole suite.
set -e
cd "$(dirname "$0")"
sh scripts/deps.sh
exec make -j"$(nproc 2>/dev/null || echo 2)" demo
