#!/bin/sh
# s390 Protected Virtualization end to end (docs/s390-pv.md): `kvmu host
# hostkey` gives the machine's host-key document, `kvmu pvimg create`
# encrypts the pv_secret guest for it, `kvmu run --arch s390x` boots the
# image through diag 308 subcodes 8 and 10 into a protected guest that
# prints its secret; the RAM the VMM maps never holds the guest's
# plaintext; re-IPL from inside the protected guest is refused.  An image for another machine, and images tampered in every
# field (header, key slot, component, digest, tweak, tweak order), fail
# with the Ultravisor's documented codes, reported by stage3a.
# Under ASan it took 264 s (nice, load 17.5) of the runner's default 600 s:
# run.sh timeout: 1200
BUILD=${BUILD:-build}
KVMU=$BUILD/kvmu
G=$BUILD/guests/s390x
[ -x "$KVMU" ] || { echo "no $KVMU"; exit 1; }
command -v s390x-linux-gnu-gcc >/dev/null || { echo "no s390x gcc"; exit 77; }
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
sh tests/guests/s390x/build.sh "$G" || { echo "guest build failed"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
KVMU_HOST_DIR=$T/host
export KVMU_HOST_DIR
SECRET=7f3a-guest-only-plaintext-91c4
CANARY=5d1e-never-leaves-the-guest

# The stage3a bytes in the tree are those of its source.
sh scripts/gen-stage3a.sh > "$T/s3a.c" || fail "gen-stage3a.sh"
cmp -s "$T/s3a.c" src/cli/pvimg_stage3a.c ||
	fail "src/cli/pvimg_stage3a.c is stale: run scripts/gen-stage3a.sh"

"$KVMU" host hostkey > "$T/hk.crt" || fail "kvmu host hostkey"
grep -q '^-----BEGIN CERTIFICATE-----$' "$T/hk.crt" || fail "no certificate"
if command -v openssl >/dev/null; then
	openssl x509 -in "$T/hk.crt" -noout -text 2>/dev/null |
		grep -q 'NIST CURVE: P-521' || fail "host key is not P-521"
fi
"$KVMU" host hostkey | cmp -s - "$T/hk.crt" || fail "host key not durable"
"$KVMU" pvimg create -i "$G/pv_secret.elf" -k "$T/hk.crt" -o "$T/img" \
	--cmdline "console=kvmu $SECRET-cmdline" || fail "pvimg create"
grep -q "$SECRET\|$CANARY" "$T/img" && fail "plaintext in the image"
grep -q "$CANARY" "$G/pv_secret.elf" || fail "the canary is not in the guest"

# Boot: the guest prints its secret and the command line component.
"$KVMU" run --arch s390x --mem 4M --dump-ram "$T/ram" "$T/img" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || fail "boot: status $rc ($(cat "$T/err"))"
grep -q "^guest: pv-secret: $SECRET\$" "$T/out" || fail "no secret: $(cat "$T/out")"
grep -q "^cmdline: console=kvmu $SECRET-cmdline\$" "$T/out" ||
	fail "no cmdline: $(cat "$T/out")"
# What the VMM can read: no secret, no canary, no guest code in clear.
grep -q "$SECRET\|$CANARY" "$T/ram" && fail "plaintext in the VMM's RAM"
python3 - "$G/pv_secret.elf" "$T/ram" <<'PY' || fail "guest text in clear"
import sys
elf = open(sys.argv[1], 'rb').read()
ram = open(sys.argv[2], 'rb').read()
# the first 64 bytes of the guest's code (.text at 0x100000)
off = elf.find(ram[0x100000:0x100040])
sys.exit(1 if off >= 0 else 0)
PY

# Inside a protected guest, DIAGNOSE X'308' subcode 8 (re-IPL into PV) is
# a specification exception; the guest's own handler reports it.
"$KVMU" pvimg create -i "$G/pv_secret.elf" -k "$T/hk.crt" -o "$T/reipl" \
	--cmdline reipl || fail "pvimg create reipl"
"$KVMU" run --arch s390x --mem 4M "$T/reipl" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 11 ] || fail "reipl: status $rc ($(cat "$T/out" "$T/err"))"
grep -q '^reipl: program interruption 0006$' "$T/out" ||
	fail "reipl: $(cat "$T/out")"

# The same ELF booted unprotected: UVC is an operation exception.
"$KVMU" run --arch s390x --mem 4M "$G/pv_secret.elf" >"$T/out" 2>"$T/err"
[ $? = 4 ] || fail "unprotected: status, $(cat "$T/err")"
grep -q 'program interruption 0x1 (operation)' "$T/err" ||
	fail "unprotected: $(cat "$T/err")"

# expect_pv IMAGE RESPONSE: stage3a reports the response the VMM put in R1+1.
expect_pv() {
	"$KVMU" run --arch s390x --mem 4M --dump-ram "$T/ram2" "$1" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 3 ] || fail "$1: status $rc, want 3 ($(cat "$T/out" "$T/err"))"
	grep -q "^stage3a: protected boot failed, response $2\$" "$T/out" ||
		fail "$1 ${CASE:-}: want response $2, got: $(cat "$T/out" "$T/err")"
	grep -q "guest:" "$T/out" && fail "$1: the guest ran"
	grep -q "$SECRET\|$CANARY" "$T/ram2" && fail "$1: plaintext in RAM"
	return 0
}

# Another machine's key: no key slot matches (0x0108/0x0005).
KVMU_HOST_DIR=$T/other "$KVMU" host hostkey > "$T/other.crt"
"$KVMU" pvimg create -i "$G/pv_secret.elf" -k "$T/other.crt" -o "$T/img2"
expect_pv "$T/img2" 0002000501080a02
# ...with both keys it boots on either machine.
"$KVMU" pvimg create -i "$G/pv_secret.elf" -k "$T/other.crt" \
	-k "$T/hk.crt" -o "$T/img3"
"$KVMU" run --arch s390x --mem 4M "$T/img3" | grep -q "$SECRET" ||
	fail "two key slots: no boot"
KVMU_HOST_DIR=$T/other "$KVMU" run --arch s390x --mem 4M --mem 4M "$T/img3" |
	grep -q "$SECRET" || fail "two key slots: no boot on the other host"

# tamper WHAT OFFSET-EXPR: flip one byte (or apply an edit) of a copy.
tamper() {
	python3 - "$T/img" "$T/bad" "$1" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
hdr, = struct.unpack('>Q', b[0xc008:0xc010])
ipib, = struct.unpack('>Q', b[0xc014:0xc01c])
comp = lambda i: ipib + 0x88 + 24 * i
what = sys.argv[3]
def flip(o): b[o] ^= 0x01
def put64(o, v): b[o:o + 8] = struct.pack('>Q', v)
def get64(o): return struct.unpack('>Q', b[o:o + 8])[0]
edits = {
    'magic': lambda: flip(hdr + 0), 'version': lambda: flip(hdr + 0xa),
    'sehs': lambda: flip(hdr + 0xf), 'iv': lambda: flip(hdr + 0x10),
    'nks': lambda: put64(hdr + 0x20, 0), 'sea': lambda: flip(hdr + 0x2f),
    'nep': lambda: flip(hdr + 0x37), 'pcf': lambda: flip(hdr + 0x3c),
    'custkey': lambda: flip(hdr + 0x60), 'pld': lambda: flip(hdr + 0xe0),
    'ald': lambda: flip(hdr + 0x120), 'tld': lambda: flip(hdr + 0x160),
    'slot-hash': lambda: flip(hdr + 0x1a0),
    'slot-key': lambda: flip(hdr + 0x1c0),
    'slot-tag': lambda: flip(hdr + 0x1e8),
    'encrypted': lambda: flip(hdr + 0x1f0 + 0x20),
    'tag': lambda: flip(hdr + 0x27f),
    'component': lambda: flip(get64(comp(0) + 8) + 0x123),
    'cmdline': lambda: flip(get64(comp(1) + 8) + 5),
    'address': lambda: put64(comp(1) + 8, get64(comp(1) + 8) + 0x1000),
    'tweak': lambda: put64(comp(1), get64(comp(1)) + 1),
    'tweak-order': lambda: (lambda a, c: (put64(comp(0), c),
                                          put64(comp(1), a)))(
        get64(comp(0)), get64(comp(1))),
    'length': lambda: put64(comp(0) + 16, get64(comp(0) + 16) - 0x1000),
    'pbt': lambda: flip(ipib + 0xc),
    'hdr-size': lambda: put64(ipib + 0x80, 0x3000),
}
edits[what]()
open(sys.argv[2], 'wb').write(b)
PY
}

# RC 0x0104 version, 0x010a corrupt header (0x31 length, 0x32 GCM tag,
# 0x39 encrypted-area size, 0x40 no key slots), 0x0106 PCF, 0x0108 host key
# (0x05 no slot, 0x0b customer key), 0x0102 verify (0x1a ALD, 0x1b PLD,
# 0x1c TLD, 0x1d page count); 0x0402 from diag 308 subcode 8 (QEMU's
# IPL-block checks).  The response is cmd << 48 | rrc << 32 | rc << 16.
for c in magic:0002000101040a02 version:0002000101040a02 \
	 sehs:00020031010a0a02 iv:00020032010a0a02 nks:00020040010a0a02 \
	 sea:00020039010a0a02 nep:00020032010a0a02 pcf:0002003001060a02 \
	 custkey:0002000b01080a02 pld:00020032010a0a02 \
	 ald:00020032010a0a02 tld:00020032010a0a02 \
	 slot-hash:0002000501080a02 slot-key:0002000b01080a02 \
	 slot-tag:0002000b01080a02 encrypted:00020032010a0a02 \
	 tag:00020032010a0a02 component:0004001b01020a02 \
	 cmdline:0004001b01020a02 address:0004001a01020a02 \
	 tweak:0004001c01020a02 length:0004001d01020a02 \
	 tweak-order:0000000000000402 pbt:0000000000000402 \
	 hdr-size:0000000000000402; do
	CASE=${c%%:*}
	tamper "${c%%:*}" || fail "tamper ${c%%:*}"
	expect_pv "$T/bad" "${c#*:}"
done
echo ok
