#!/bin/sh
# The CPUID table of docs/x86-cpu.md says what KVM_GET_SUPPORTED_CPUID
# reports: every "yes" bit is set, every "no" bit clear, every "=V" value
# exact, in what the ioctl returns (tests/docs/supported_cpuid.c).
set -u
. tests/shell/lib/link.sh
fail() { echo "FAIL: $*"; exit 1; }

# shellcheck disable=SC2046,SC2086
cc $SANFLAGS -o "$T/cpuid" tests/docs/supported_cpuid.c \
	$(pkg-config --cflags --libs kvmu) || fail "building the printer"
"$T/cpuid" >"$T/out" || fail "KVM_GET_SUPPORTED_CPUID"
# The table's rows: | leaf | register | bit or =value | feature | yes/no |
sed -n '/^### CPUID bits of the floating-point unit/,/^###/p' \
	docs/x86-cpu.md | grep -E '^\| (0x)?[0-9A-Fa-f.]+ \|' |
	awk -F'|' '{ for (i = 2; i <= 6; i++) gsub(/^ +| +$/, "", $i);
		     print $2, $3, $4, $6, $5 }' >"$T/rows"
[ "$(wc -l <"$T/rows")" -gt 10 ] || fail "table not found in docs/x86-cpu.md"
n=0
while read -r leaf reg bit rep feature; do
	fn=${leaf%%.*}
	case $leaf in *.*) idx=${leaf#*.} ;; *) idx=0 ;; esac
	line=$(while read -r f i a b c d; do
		[ $((f)) = $((fn)) ] && [ $((i)) = $((idx)) ] &&
			echo "$a $b $c $d"
	done <"$T/out")
	[ -n "$line" ] || { [ "$rep" = no ] && continue; fail "no leaf $leaf"; }
	# shellcheck disable=SC2086
	set -- $line
	case $reg in EAX) v=$1 ;; EBX) v=$2 ;; ECX) v=$3 ;; EDX) v=$4 ;; esac
	case $bit in
	=*) [ $((v)) = $((${bit#=})) ] ||
		fail "$leaf $reg is $v, the table says $bit ($feature)" ;;
	*) set=$(( (v >> bit) & 1 ))
	   case $rep in
	   yes) [ $set = 1 ] || fail "$leaf $reg bit $bit ($feature) is clear" ;;
	   no) [ $set = 0 ] || fail "$leaf $reg bit $bit ($feature) is set" ;;
	   *) fail "row $leaf $reg $bit: reported '$rep'" ;;
	   esac ;;
	esac
	n=$((n + 1))
done <"$T/rows"
echo "docs/x86-cpu.md: $n CPUID rows agree with KVM_GET_SUPPORTED_CPUID"
