#!/bin/sh
# kvmu --help and every subcommand's --help print usage and exit 0;
# unknown commands fail with a message.
KVMU=${BUILD:-build}/kvmu
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

out=$("$KVMU" --help) || fail "kvmu --help exits $?"
for c in run caps pvimg; do
	echo "$out" | grep -q "^  $c " || fail "kvmu --help lacks $c"
	"$KVMU" $c --help | grep -q "^usage: kvmu $c" ||
		fail "kvmu $c --help"
done
"$KVMU" run --help | grep -q "0xF4" || fail "run --help lacks the ports"
# The help offers an architecture exactly when this build runs it; exec
# refuses the others at once (2) and for the ones it runs looks for the
# program (127: no such program; nothing is preloaded).
caps_help=$("$KVMU" caps --help | grep -- --arch)
exec_help=$("$KVMU" exec --help | grep -A1 -- --arch)
for a in x86_64 s390x arm64; do
	if "$KVMU" caps --arch $a >/dev/null 2>&1; then
		echo "$caps_help" | grep -q "$a" || fail "caps --help lacks $a"
		"$KVMU" exec --arch $a -- /nonexistent 2>/dev/null
		[ $? = 127 ] || fail "exec --arch $a"
		echo "$exec_help" | grep -q "$a" || fail "exec --help lacks $a"
	else
		echo "$caps_help" | grep -q "$a" && fail "caps --help offers $a"
		"$KVMU" exec --arch $a -- /nonexistent 2>/dev/null
		[ $? = 2 ] || fail "exec --arch $a accepted"
		echo "$exec_help" | grep -q "$a" && fail "exec --help offers $a"
	fi
done
"$KVMU" >/dev/null 2>&1 && fail "kvmu without a command succeeds"
err=$("$KVMU" frobnicate 2>&1) && fail "unknown command succeeds"
echo "$err" | grep -q "unknown command 'frobnicate'" ||
	fail "unknown command message: $err"
echo "ok"
