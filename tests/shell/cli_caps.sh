#!/bin/sh
# kvmu caps lists capability numbers, names and both fds' answers.
KVMU=${BUILD:-build}/kvmu
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

out=$("$KVMU" caps) || fail "kvmu caps exits $?"
echo "$out" | head -n 1 | grep -q "CAPABILITY.*SYSTEM.*VM" ||
	fail "no header: $(echo "$out" | head -n 1)"
# USER_MEMORY is capability 3 and every KVM has it, on both fds.
echo "$out" | grep -Eq "^ +3  USER_MEMORY +1 +1$" ||
	fail "USER_MEMORY missing: $out"
# Without --all, nothing reported as 0 on both fds is listed.
echo "$out" | tail -n +2 | grep -Eq " 0 +0$" && fail "zero rows listed"
all=$("$KVMU" caps --all) || fail "kvmu caps --all exits $?"
[ "$(echo "$all" | wc -l)" -gt "$(echo "$out" | wc -l)" ] ||
	fail "--all lists no more than the default"
echo "$all" | grep -Eq "^ +[0-9]+  [A-Z0-9_]+ +0 +0$" ||
	fail "--all shows no unsupported capability"
# The example in docs/cli.md: each of its rows is in the output.
sed -n '/^## `kvmu caps`/,/^## /p' docs/cli.md |
	grep -E '^ +[0-9]+  [A-Z0-9_]+ ' >"${TMPDIR:-/tmp}/kvmu-caps-doc.$$"
rows=$(wc -l <"${TMPDIR:-/tmp}/kvmu-caps-doc.$$")
while IFS= read -r row; do
	echo "$out" | grep -qxF "$row" || fail "docs/cli.md shows '$row'"
done <"${TMPDIR:-/tmp}/kvmu-caps-doc.$$"
rm -f "${TMPDIR:-/tmp}/kvmu-caps-doc.$$"
[ "$rows" -ge 2 ] || fail "no kvmu caps example in docs/cli.md"
"$KVMU" caps --arch x86_64 >/dev/null || fail "--arch x86_64"
"$KVMU" caps --arch nonsense >/dev/null 2>&1 && fail "--arch nonsense works"
"$KVMU" caps --bogus >/dev/null 2>&1 && fail "--bogus accepted"
echo "ok"
