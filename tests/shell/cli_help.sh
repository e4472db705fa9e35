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
"$KVMU" >/dev/null 2>&1 && fail "kvmu without a command succeeds"
err=$("$KVMU" frobnicate 2>&1) && fail "unknown command succeeds"
echo "$err" | grep -q "unknown command 'frobnicate'" ||
	fail "unknown command message: $err"
echo "ok"
