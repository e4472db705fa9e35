/* SPDX-License-Identifier: MIT */
/* Handlers of exec_flow.c listed in x86_ops_sys (exec_sys.c). */
#ifndef KVMU_X86_EXEC_SYS_H
#define KVMU_X86_EXEC_SYS_H

#include "arch/x86/x86_int.h"

#define X86_FLOW_HANDLERS(X)						\
	X(INT, x86_h_int) X(INT3, x86_h_int3) X(INTO, x86_h_into)	\
	X(INT1, x86_h_int1) X(IRET, x86_h_iret) X(IRETD, x86_h_iret)	\
	X(IRETQ, x86_h_iret) X(PUSHF, x86_h_pushf)			\
	X(PUSHFD, x86_h_pushf) X(PUSHFQ, x86_h_pushf)			\
	X(POPF, x86_h_popf) X(POPFD, x86_h_popf) X(POPFQ, x86_h_popf)	\
	X(LDS, x86_h_lxs) X(LES, x86_h_lxs) X(LFS, x86_h_lxs)		\
	X(LGS, x86_h_lxs) X(LSS, x86_h_lxs)				\
	X(SYSCALL, x86_h_syscall) X(SYSRET, x86_h_sysret)		\
	X(SYSENTER, x86_h_sysenter) X(SYSEXIT, x86_h_sysexit)		\
	X(LAR, x86_h_lar) X(LSL, x86_h_lsl) X(VERR, x86_h_verr)		\
	X(VERW, x86_h_verw)

#define X86_FLOW_DECL(m, fn) \
	enum x86_status fn(struct x86_cpu *cpu, const struct x86_insn *in);
X86_FLOW_HANDLERS(X86_FLOW_DECL)
#undef X86_FLOW_DECL

#define X86_FLOW_ENTRY(m, fn) { ZYDIS_MNEMONIC_##m, fn },
#define X86_FLOW_OPS X86_FLOW_HANDLERS(X86_FLOW_ENTRY)

#endif
