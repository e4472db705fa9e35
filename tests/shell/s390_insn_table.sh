#!/bin/sh
# Every line of src/arch/s390/insn.def decodes, under GNU objdump, to the
# mnemonic it names: the opcode bytes of the table are checked against
# binutils' own s390 opcode table.  Skips (77) without s390x binutils.
command -v s390x-linux-gnu-as >/dev/null 2>&1 || { echo "no s390x binutils"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "no python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
python3 - "$T" <<'PY' || exit 1
import re, subprocess, sys
t = sys.argv[1]
b1 = {'E', 'RRE', 'RRF', 'S', 'SIL', 'SSE'}
n1 = {'RI', 'RIL', 'SSF'}
b5 = {'RXE', 'RXF', 'RXY', 'RSY', 'RSL', 'RIE', 'RIS', 'RRS', 'SIY'}
# extended mnemonics objdump prints, and what it does not know
alias = {'BCR': 'bhr', 'BC': 'nop', 'BRC': 'jh', 'BRCL': 'jgh'}
unknown = {'SERVC', 'CHSC', 'SPM', 'ESSA'}
# the AP instructions are not in binutils' table
unknown |= {'PQAP', 'NQAP', 'DQAP'}
# nor is the ultravisor call (B9A4, docs/s390-pv.md)
unknown |= {'UVC'}
rows = []
for line in open('src/arch/s390/insn.def'):
    m = re.match(r'INSN\((\w+),\s*0x(\w+),\s*0x(\w+),\s*F_(\w+),', line)
    if m:
        rows.append((m.group(1), int(m.group(2), 16), int(m.group(3), 16),
                     m.group(4)))
src = []
for name, op, op2, fmt in rows:
    n = 2 if op < 0x40 else 4 if op < 0xc0 else 6
    b = [0] * n
    b[0] = op
    if fmt in b1:
        b[1] = op2
    elif fmt in n1:
        b[1] = 0x20 | op2
    elif fmt in b5:
        b[5] = op2
    if fmt == 'RR':
        b[1] = 0x24
    src.append('.byte ' + ','.join(hex(x) for x in b) + '\n.balign 8, 0x07')
open(t + '/t.s', 'w').write('\n'.join(src) + '\n')
subprocess.run(['s390x-linux-gnu-as', t + '/t.s', '-o', t + '/t.o'],
               check=True)
d = subprocess.run(['s390x-linux-gnu-objdump', '-d', t + '/t.o'],
                   capture_output=True, text=True, check=True).stdout
at = {}
for l in d.splitlines():
    p = l.split('\t')
    if len(p) >= 3 and p[0].strip().endswith(':') and p[2].strip():
        at[int(p[0].strip()[:-1], 16)] = p[2].split()[0]
bad = 0
for i, (name, *_) in enumerate(rows):
    got = at.get(i * 8, '?')
    want = alias.get(name, name.lower())
    if name not in unknown and not got.startswith(want):
        print('%s: objdump says %s' % (name, got))
        bad += 1
print('%d instructions checked, %d wrong' % (len(rows), bad))
sys.exit(1 if bad else 0)
PY
