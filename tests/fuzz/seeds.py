#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the hand-made seeds of tests/fuzz/corpus/.

Each seed is a program for fuzz_ioctl.c: one byte picks an operation
(index into its ops[] table), the following bytes are that operation's
arguments, consumed in the order the C code reads them.  Keep this file
in step with fuzz_ioctl.c; KVMU_FUZZ_TRACE=1 build-fuzz/fuzz_ioctl SEED
shows what a seed does.
"""
import os
import struct
import sys

SETUP, CREATE, MEMSLOT, STATE, BADPTR, MSRS, CPUID, SYS, VM, COALESCED, \
    DIRTY, VCPU_MISC, CODE, RUN, RAW, CLOSE, DUP, SCRIBBLE = range(18)
S390_PV = 20            # fz_s390.c: an s390 VM through Protected Virtualization
PLANES = 25             # fz_planes.c: VM planes and memory attributes
REAL, PROT32, LONG = range(3)
KEEP_MASK = 3           # set_run_sigmask: leave the mask alone
CODE_GPA = 0x8000


def setup(mode, dirty=False):
    # vm pick, slot flags, vCPU id, mode, IDT limit
    return bytes([SETUP, 0, 1 if dirty else 0, 0, mode, 1])


def code(insns):
    assert 1 <= len(insns) <= 64
    return bytes([CODE, len(insns) - 1, 1]) + insns


def run(steps):
    """steps: list of bytes answering each exit (b'' when none is read)."""
    out = bytes([RUN, 0, len(steps) - 1])
    for answer in steps:
        out += bytes([KEEP_MASK, 1, 1]) + answer
    return out


def state(pair, how=2, edits=()):
    """GET, then SET; how 2 applies edits [(offset, bytes)], 1 random."""
    out = bytes([STATE, 0, pair, how])
    if how >= 2:
        out += bytes([len(edits) - 1])
        for off, data in edits:
            out += struct.pack('<H', off) + bytes([len(data) - 1, 1]) + data
    return out


REAL_IO = bytes.fromhex(
    'baf803'        # mov dx, 0x3f8
    'b041'          # mov al, 'A'
    'ee'            # out dx, al
    'ec'            # in al, dx
    'b80030'        # mov ax, 0x3000
    '8ed8'          # mov ds, ax
    'c606000055'    # mov byte [0], 0x55   (MMIO write)
    'a00100'        # mov al, [1]          (MMIO read)
    'f4')           # hlt

PROT_STRING = bytes.fromhex(
    'bf00900000'    # mov edi, 0x9000
    'b900010000'    # mov ecx, 0x100
    'b878563412'    # mov eax, 0x12345678
    'f3ab'          # rep stosd
    'be00900000'    # mov esi, 0x9000
    'bf00000300'    # mov edi, 0x30000
    'b904000000'    # mov ecx, 4
    'f3a4'          # rep movsb            (MMIO writes)
    '66ba8000'      # mov dx, 0x80
    'bf00910000'    # mov edi, 0x9100
    'b903000000'    # mov ecx, 3
    'f36c'          # rep insb
    'f4')           # hlt

LONG_MEM = bytes.fromhex(
    '488b042500100000'  # mov rax, [0x1000]
    '4889042500001000'  # mov [0x100000], rax  (MMIO write)
    '488b1c2508001000'  # mov rbx, [0x100008]  (MMIO read)
    'bae9000000'        # mov edx, 0xe9
    'ee'                # out dx, al
    '31c9'              # xor ecx, ecx
    'f7f1'              # div ecx              (#DE, bad IDT)
    'f4')

LOOP = bytes.fromhex('ebfe')    # jmp $: ends by the timer's signal


def raw(target, index, req_choice, arg_kind, payload=b''):
    """target kind and index, raw_reqs index, argument kind (raw_arg())."""
    out = bytes([RAW, target, index, req_choice, 7, arg_kind])
    if arg_kind == 8:   # a small number
        out += bytes([0])
    if arg_kind > 8:    # arena filled: size choice, offset choice
        out += bytes([0]) + payload[:256].ljust(256, b'\0') + bytes([1])
    return out


SEEDS = {
    'real_io': setup(REAL) + code(REAL_IO) +
    run([b'', b'\x5a', b'', b'\xa5', b'']),
    'prot32_string': setup(PROT32) + code(PROT_STRING) +
    run([b''] * 4 + [b'abc', b'']),
    'long_mmio': setup(LONG) + code(LONG_MEM) +
    run([b'', b'\x11' * 8, b'', b'', b'']),
    'loop_timer': setup(REAL) + code(LOOP) + run([b'', b'']),
    'state_edits': setup(LONG) +
    state(0, 2, [(0x80, b'\x00\x90')]) +        # regs: rip
    state(1, 2, [(0xd8, b'\x00\x00\x00\x00')]) +  # sregs: cr0 low bits
    state(8, 2, [(0, b'\x01\x0e\x01\x01')]) +   # events: exception
    state(3, 1) + state(9, 2, [(0, b'\x03')]) + run([b'']),
    'dirty_log': setup(REAL, dirty=True) +
    code(bytes.fromhex('c606009001f4')) +      # mov byte [0x9000], 1; hlt
    run([b'']) + bytes([DIRTY, 0, 9, 0, 0, 1]) +
    bytes([DIRTY, 0, 9, 0, 0, 0, 0, 5]),
    'memslots': setup(PROT32) +
    bytes([MEMSLOT, 0, 0, 1, 0, 3, 2, 7, 3]) +     # slot 1 at 1M
    bytes([MEMSLOT, 0, 4, 1, 2, 3, 2, 7, 3]) +     # log dirty, region2
    bytes([MEMSLOT, 0, 0, 1, 0, 3, 5, 7, 3]) +     # delete it
    bytes([MEMSLOT, 0, 0, 1, 0, 3, 2, 7, 3]) +     # and again
    bytes([MEMSLOT, 0, 0, 2, 3, 10, 11, 0]) +      # read-only at 0xc0000
    code(bytes.fromhex('a100000c00a300000c00a100001000f4')) +
    run([b'', b'']),
    'msrs_cpuid': setup(LONG) +
    bytes([MSRS, 4, 0, 0, 1, 1, 19, 0, 0, 0, 14, 0, 29, 0]) +
    bytes([MSRS, 2, 1, 0, 1, 1, 14, 3, 19, 0]) +
    bytes([CPUID, 0, 0, 0, 7, 1, 0, 0, 0, 0, 1, 0, 1, 1]),
    'raw': setup(REAL) + raw(5, 0, 18, 9, b'\x01' * 64) +
    raw(0, 0, 4, 9, b'\x10\0\0\0') + raw(3, 0, 0, 1) +
    raw(4, 0, 17, 3) + raw(1, 0, 11, 9) + raw(5, 0, 17, 8),
    'coalesced': setup(REAL) + bytes([COALESCED, 0, 9, 1, 0, 14, 1, 1]) +
    code(REAL_IO[:6]) + run([b'', b'']),
    'close_reuse': setup(REAL) + bytes([CLOSE, 0, 1]) + run([b'']) +
    bytes([CLOSE, 0, 2, 1, 0]) + setup(REAL) + run([b'']),
    # no guest code, 16 steps: ENABLE (cmd 0, flags 0, data 0, good arg),
    # INFO, then vCPU operations and more commands
    # a real-mode guest looping on OUT; plane 1 with vCPU 0's plane vCPU,
    # no-write on the code page for plane 1, CHECK_EXTENSION(PLANES),
    # SIGNAL_MSI; KVM_RUN on the plane vCPU fd, then of plane 1
    'planes': setup(REAL) + code(bytes.fromhex('e610ebfc')) +
    bytes([PLANES, 0, 0, 0, 1, 1, 0, 3,     # vm, good ptrs, vcpu, plane 1
           3, 3,                            # CREATE_VCPU_PLANE(vcpu)
           2, 1, 1, 1, 0, 1, 2, 1,          # attributes NW at CODE_GPA
           0, 1, 0,                         # CHECK_EXTENSION(239)
           1]) + bytes(32) +                # SIGNAL_MSI (zeroes)
    bytes([19, 0, 1, 0, 0] * 4 +            # plane vCPU: KVM_RUN (EINVAL)
          [1, 0, 1, 1, 1, 1]),              # KVM_RUN of plane 1
    's390_pv': bytes([S390_PV, 0, 15]) +
    bytes([1, 0, 1]) + bytes(8) + bytes([1]) +
    bytes([1, 7, 1, 0, 1, 0]) + bytes(8) + bytes([1, 0, 5, 1, 2, 3, 1, 4,
                                                  1, 1, 5, 1]) + bytes(9),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(__file__), 'corpus')
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
