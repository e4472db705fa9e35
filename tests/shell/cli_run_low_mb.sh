#!/bin/sh
# kvmu run loads a multiboot ELF32 image below 1 MiB, as QEMU's -kernel
# does (kvm-unit-tests' realmode.flat is linked at 0x8000): a segment at
# 0x8000 that checks the multiboot magic, prints a message it addresses
# absolutely (so it must sit where it was linked; it lies at 0x9000, where
# the multiboot memory map goes unless the image covers it) and exits
# with 0x15.
BUILD=${BUILD:-build}
KVMU=$BUILD/kvmu
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; echo "$out"; exit 1; }

python3 - "$tmp/low.elf" <<'PY'
import struct, sys
base, msg = 0x8000, b"multiboot image at 0x8000\n"
hdr = struct.pack("<3I", 0x1BADB002, 0, (-0x1BADB002) & 0xffffffff)
code_at = base + len(hdr)
def code(msg_at):
    c = b"\x3d" + struct.pack("<I", 0x2BADB002)      # cmp $magic,%eax
    c += b"\x75\x15"                                  # jne bad
    c += b"\xbe" + struct.pack("<I", msg_at)          # mov $msg,%esi
    c += b"\xb9" + struct.pack("<I", len(msg))        # mov $len,%ecx
    c += b"\x66\xba\xe9\x00\xfc\xf3\x6e"              # 0xE9; rep outsb
    c += b"\xb8\x15\x00\x00\x00\xeb\x05"              # mov $0x15; jmp out
    c += b"\xb8\x16\x00\x00\x00"                      # bad: mov $0x16
    c += b"\x66\xba\xf4\x00\xef\xf4"                  # out: 0xF4; hlt
    return c
# the message lies at 0x9000, over the multiboot memory map: as with
# QEMU's option ROM, the image must win there
seg = (hdr + code(0x9000)).ljust(0x1000, b"\x90") + msg
eh = b"\x7fELF\x01\x01\x01" + bytes(9)
eh += struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, code_at, 52, 0, 0, 52, 32, 1,
                  40, 0, 0)
ph = struct.pack("<8I", 1, 0x100, base, base, len(seg), len(seg), 5, 4)
img = (eh + ph).ljust(0x100, b"\0") + seg
open(sys.argv[1], "wb").write(img)
PY

out=$("$KVMU" run "$tmp/low.elf" 2>&1); rc=$?
[ $rc = 43 ] || fail "status $rc, want 43"
[ "$out" = "multiboot image at 0x8000" ] || fail "output"

# below the boot GDT page is still refused, with the reason
python3 - "$tmp/low.elf" "$tmp/zero.elf" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[52 + 8:52 + 16] = (0x1000).to_bytes(4, "little") * 2   # p_vaddr/p_paddr
open(sys.argv[2], "wb").write(d)
PY
out=$("$KVMU" run "$tmp/zero.elf" 2>&1); rc=$?
[ $rc != 0 ] || fail "a segment over the boot GDT was accepted"
echo "$out" | grep -q "outside the loadable range" || fail "no reason"
echo "ok"
