#!/bin/sh
# docs/api-support.md must match what the code serves.
BUILD=${BUILD:-build}
[ -x "$BUILD/kvmu" ] || { echo "kvmu is not built"; exit 77; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sh scripts/gen-api-table.sh "$BUILD" > "$tmp" || exit 1
if ! diff -u docs/api-support.md "$tmp"; then
	echo "docs/api-support.md is stale: run sh scripts/gen-api-table.sh > docs/api-support.md"
	exit 1
fi
