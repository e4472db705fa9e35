#!/bin/sh
# One thread per vCPU through the LD_PRELOAD shim: kicks by signal while
# running (KVM_SET_SIGNAL_MASK, and a handler setting immediate_exit), HLT,
# a memory slot added and deleted while vCPUs run (tests/shim/threads.c).
. tests/shim/lib.sh
bin=$(shim_prog threads) || exit 1
env LD_PRELOAD="$SHIM_PRELOAD" "$bin"
