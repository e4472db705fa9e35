# Sourced by the `kvmu run` shell tests: needs KVMU and fail().
# expect STATUS PATTERN ARGS...: `kvmu run ARGS` exits with STATUS and
# prints a message matching PATTERN on stderr.
expect() {
	want=$1 pat=$2
	shift 2
	err=$("$KVMU" run "$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc = "$want" ] || fail "run $*: status $rc, want $want ($err)"
	echo "$err" | grep -q -e "$pat" || fail "run $*: message '$err'"
}
