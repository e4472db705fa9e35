#!/bin/sh
# kvmu run ends on SIGINT and SIGTERM with status 128 + signo, whatever
# the guest is doing: spinning in a loop, stuck retrying an MMIO read (a
# string read over MMIO: every KVM_RUN completes one access and exits
# again), polling a port, or (s390x) idling in an enabled wait inside
# KVM_RUN.  Each guest prints a line first, so the signal arrives while
# it runs; a run still alive 10 s after the signal fails the test.
set -u
BUILD=${BUILD:-build}
KVMU=$BUILD/kvmu
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
T=$(mktemp -d /tmp/kvmu-signals.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Long-mode flat images (loaded at 1 MiB): each writes "X\n" to debugcon
# (mov al,X; out 0xe9,al; mov al,10; out 0xe9,al), then loops.
img() {
	printf "\\260\\$2\\346\\351\\260\\012\\346\\351$3" >"$T/$1.bin"
}
img spin 163 '\353\376'					# jmp $
# 1: mov esi,0xf0000000; mov edi,0x200000; mov ecx,16; rep movsb; jmp 1b
img mmio 155 '\276\0\0\0\360\277\0\0\040\0\271\020\0\0\0\363\244\353\355'
# mov dx,0x3fd; 1: in al,dx; jmp 1b
img pio 160 '\146\272\375\003\354\353\375'

# stop NAME SIGNAL ARGS...: start kvmu run ARGS, wait for the guest's
# first line, send SIGNAL, expect status 128 + its number.
stop() {
	name=$1 sig=$2
	shift 2
	rm -f "$T/out" "$T/err"
	"$KVMU" run "$@" >"$T/out" 2>"$T/err" &
	PID=$!
	i=0
	until [ -s "$T/out" ]; do
		i=$((i + 1))
		kill -0 $PID 2>/dev/null || fail "$name: ended early ($(cat "$T/err"))"
		[ $i -lt 300 ] || fail "$name: no output in 30 s"
		sleep 0.1
	done
	kill -s "$sig" $PID
	i=0
	while kill -0 $PID 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "$name: still running 10 s after SIG$sig"
		sleep 0.1
	done
	wait $PID
	rc=$?
	PID=
	case $sig in INT) want=130 ;; TERM) want=143 ;; esac
	[ $rc = $want ] || fail "$name, SIG$sig: status $rc, want $want"
	grep -q "^kvmu run: interrupted by SIG$sig$" "$T/err" ||
		fail "$name, SIG$sig: stderr '$(cat "$T/err")'"
	echo "$name: SIG$sig -> status $rc"
}

for what in spin mmio pio; do
	stop "$what" INT --mode long "$T/$what.bin"
	stop "$what" TERM --mode long "$T/$what.bin"
done
if command -v s390x-linux-gnu-gcc >/dev/null; then
	G=$BUILD/guests/s390x
	sh tests/guests/s390x/build.sh "$G" || fail "s390x guest build"
	stop "s390x enabled wait" INT --arch s390x "$G/wait.elf"
	stop "s390x enabled wait" TERM --arch s390x "$G/wait.elf"
else
	echo "s390x enabled wait: not tried, no s390x-linux-gnu-gcc"
fi
echo ok
