#!/bin/sh
# Every path the README, docs/, the sources and tests name (docs/x.md,
# src/..., tests/..., include/..., scripts/..., bench/...) exists, in the
# tree or as a build product in $BUILD; every "/* ---- file.c" section of
# a header names a file beside it.  Placeholders (NAME, a trailing _ of a
# glob) and the kernel's own paths (include/uapi/...) are not files here.
set -u
BUILD=${BUILD:-build}
command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1 ||
	{ echo "skip: not a git checkout"; exit 77; }
bad=$(git ls-files README.md docs src include tests scripts bench Makefile |
	grep -v -e '/expected/' -e '/corpus/' -e '^tests/shell/docs_refs.sh$' |
	while read -r f; do
		grep -oE '(^|[^A-Za-z0-9_./-])(docs|src|include|tests|scripts|bench)/[A-Za-z0-9_./-]*[A-Za-z0-9_]' "$f" |
			sed -E 's/^[^a-z]//' | while read -r p; do
			case $p in *NAME*|*_|include/uapi/*) continue ;; esac
			[ -e "$p" ] || [ -e "$BUILD/$p" ] || echo "    $f: $p"
		done
	done)
hdr=$(git ls-files 'src/*.h' | while read -r h; do
	sed -n 's|^/\* ---- \([a-z0-9_]*\.c\).*|\1|p' "$h" | while read -r c; do
		[ -e "$(dirname "$h")/$c" ] || echo "    $h: section $c"
	done
done)
[ -z "$bad$hdr" ] || { echo "FAIL: references to files that do not exist:"
	printf '%s\n' "$bad" "$hdr" | grep .; exit 1; }
echo "ok"
