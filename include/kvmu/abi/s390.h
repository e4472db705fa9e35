/* SPDX-License-Identifier: MIT */
/*
 * The s390 KVM ABI, declared for any host.  The host's <linux/kvm.h> gives
 * the arch-neutral s390 structs (kvm_s390_mem_op, kvm_s390_irq, ...) but its
 * asm/kvm.h is the host's, so the s390 kvm_run, kvm_regs, kvm_sregs,
 * kvm_fpu and kvm_sync_regs are declared here under kvmu_s390_ names, and
 * the ioctl numbers that embed their sizes are computed over them.  Layouts
 * follow arch/s390/include/uapi/asm/kvm.h and include/uapi/linux/kvm.h
 * (see docs/s390x.md); the asserts pin every offset a VMM relies on.
 *
 * Byte order: kvm_run and the ioctl structs are read by the VMM on this
 * host, so their fields are in host order.  Guest storage is big-endian.
 */
#ifndef KVMU_ABI_S390_H
#define KVMU_ABI_S390_H

#include <linux/kvm.h>
#include <stddef.h>

struct kvmu_s390_regs {
	__u64 gprs[16];
};

struct kvmu_s390_sregs {
	__u32 acrs[16];
	__u64 crs[16];
};

struct kvmu_s390_fpu {
	__u32 fpc;
	__u64 fprs[16];
};

/* The sync-regs area at kvm_run.s (KVM_CAP_SYNC_REGS). */
struct kvmu_s390_sync_regs {
	__u64 prefix;
	__u64 gprs[16];
	__u32 acrs[16];
	__u64 crs[16];
	__u64 todpr;
	__u64 cputm;
	__u64 ckc;
	__u64 pp;
	__u64 gbea;
	__u64 pft;
	__u64 pfs;
	__u64 pfc;
	union {
		__u64 vrs[32][2];
		__u64 fprs[16];
	};
	__u8 reserved[512];
	__u32 fpc;
	__u8 bpbc;		/* bit 0 (MSB): breaking-predictor mode */
	__u8 padding1[51];
	__u8 riccb[64];
	__u64 diag318;
	__u8 padding2[184];
	__u64 sdnx_reserved1[2];
	__u64 gscb[4];
	__u64 etoken;
	__u64 etoken_extension;
	__u8 sdnx_rest[256 - 64];
};

/* The exit payloads of the s390 kvm_run union. */
struct kvmu_s390_sieic {
	__u8 icptcode;
	__u8 pad;
	__u16 ipa;
	__u32 ipb;
};

struct kvmu_s390_stsi_exit {
	__u64 addr;
	__u8 ar;
	__u8 reserved;
	__u8 fc;
	__u8 sel1;
	__u16 sel2;
};

struct kvmu_s390_tsch_exit {
	__u16 subchannel_id;
	__u16 subchannel_nr;
	__u32 io_int_parm;
	__u32 io_int_word;
	__u32 ipb;
	__u8 dequeued;
};

struct kvmu_s390_run {
	__u8 request_interrupt_window;
	__u8 immediate_exit;
	__u8 padding1[6];
	__u32 exit_reason;
	__u8 ready_for_interrupt_injection;
	__u8 if_flag;
	__u16 flags;
	__u64 cr8;		/* unused on s390 */
	__u64 apic_base;	/* unused on s390 */
	__u64 psw_mask;
	__u64 psw_addr;
	union {
		struct kvmu_s390_sieic s390_sieic;
		__u64 s390_reset_flags;
		struct kvmu_s390_stsi_exit s390_stsi;
		struct kvmu_s390_tsch_exit s390_tsch;
		struct {
			__u32 suberror;
			__u32 ndata;
			__u64 data[16];
		} internal;
		char padding[256];
	};
	__u64 kvm_valid_regs;
	__u64 kvm_dirty_regs;
	union {
		struct kvmu_s390_sync_regs regs;
		char padding[2048];
	} s;
};

_Static_assert(sizeof(struct kvmu_s390_regs) == 128, "s390 kvm_regs");
_Static_assert(sizeof(struct kvmu_s390_sregs) == 192, "s390 kvm_sregs");
_Static_assert(sizeof(struct kvmu_s390_fpu) == 136, "s390 kvm_fpu");
_Static_assert(offsetof(struct kvmu_s390_sync_regs, vrs) == 392, "sync");
_Static_assert(offsetof(struct kvmu_s390_sync_regs, fpc) == 1416, "sync");
_Static_assert(offsetof(struct kvmu_s390_sync_regs, riccb) == 1472, "sync");
_Static_assert(offsetof(struct kvmu_s390_sync_regs, diag318) == 1536, "sync");
_Static_assert(offsetof(struct kvmu_s390_sync_regs, gscb) == 1744, "sync");
_Static_assert(sizeof(struct kvmu_s390_sync_regs) == 1984, "sync");
_Static_assert(offsetof(struct kvmu_s390_run, psw_mask) == 32, "run");
_Static_assert(offsetof(struct kvmu_s390_run, psw_addr) == 40, "run");
_Static_assert(offsetof(struct kvmu_s390_run, s390_sieic) == 48, "run");
_Static_assert(offsetof(struct kvmu_s390_run, kvm_valid_regs) == 304, "run");
_Static_assert(offsetof(struct kvmu_s390_run, s) == 320, "run");
_Static_assert(sizeof(struct kvmu_s390_run) == 2368, "run");

/* ioctls whose number embeds an s390 struct size. */
#define KVMU_S390_GET_REGS	_IOR(KVMIO, 0x81, struct kvmu_s390_regs)
#define KVMU_S390_SET_REGS	_IOW(KVMIO, 0x82, struct kvmu_s390_regs)
#define KVMU_S390_GET_SREGS	_IOR(KVMIO, 0x83, struct kvmu_s390_sregs)
#define KVMU_S390_SET_SREGS	_IOW(KVMIO, 0x84, struct kvmu_s390_sregs)
#define KVMU_S390_GET_FPU	_IOR(KVMIO, 0x8c, struct kvmu_s390_fpu)
#define KVMU_S390_SET_FPU	_IOW(KVMIO, 0x8d, struct kvmu_s390_fpu)
_Static_assert(KVMU_S390_GET_REGS == 0x8080ae81, "ioctl number");
_Static_assert(KVMU_S390_SET_SREGS == 0x40c0ae84, "ioctl number");
_Static_assert(KVMU_S390_GET_FPU == 0x8088ae8c, "ioctl number");

/* s390 ioctls newer than, or missing from, Debian 12's <linux/kvm.h>. */
#ifndef KVM_S390_CLEAR_RESET
#define KVM_S390_CLEAR_RESET	_IO(KVMIO, 0xc4)
#endif
#ifndef KVM_S390_NORMAL_RESET
#define KVM_S390_NORMAL_RESET	_IO(KVMIO, 0xc3)
#endif

/* kvm_sync_regs validity and dirty bits (kvm_run.kvm_*_regs). */
#define KVMU_SYNC_PREFIX	(1ULL << 0)
#define KVMU_SYNC_GPRS		(1ULL << 1)
#define KVMU_SYNC_ACRS		(1ULL << 2)
#define KVMU_SYNC_CRS		(1ULL << 3)
#define KVMU_SYNC_ARCH0		(1ULL << 4)
#define KVMU_SYNC_PFAULT	(1ULL << 5)
#define KVMU_SYNC_VRS		(1ULL << 6)
#define KVMU_SYNC_RICCB		(1ULL << 7)
#define KVMU_SYNC_FPRS		(1ULL << 8)
#define KVMU_SYNC_GSCB		(1ULL << 9)
#define KVMU_SYNC_BPBC		(1ULL << 10)
#define KVMU_SYNC_ETOKEN	(1ULL << 11)
#define KVMU_SYNC_DIAG318	(1ULL << 12)
#define KVMU_SYNC_VALID_FIELDS	0x1fffULL

/* ONE_REG ids (KVM_REG_S390 | size | index). */
#define KVMU_REG_S390_TODPR	(KVM_REG_S390 | KVM_REG_SIZE_U32 | 0x1)
#define KVMU_REG_S390_EPOCHDIFF	(KVM_REG_S390 | KVM_REG_SIZE_U64 | 0x2)
#define KVMU_REG_S390_CPU_TIMER	(KVM_REG_S390 | KVM_REG_SIZE_U64 | 0x3)
#define KVMU_REG_S390_CLOCK_COMP (KVM_REG_S390 | KVM_REG_SIZE_U64 | 0x4)
#define KVMU_REG_S390_PFTOKEN	(KVM_REG_S390 | KVM_REG_SIZE_U64 | 0x5)
#define KVMU_REG_S390_PFCOMPARE	(KVM_REG_S390 | KVM_REG_SIZE_U64 | 0x6)
#define KVMU_REG_S390_PFSELECT	(KVM_REG_S390 | KVM_REG_SIZE_U64 | 0x7)
#define KVMU_REG_S390_PP	(KVM_REG_S390 | KVM_REG_SIZE_U64 | 0x8)
#define KVMU_REG_S390_GBEA	(KVM_REG_S390 | KVM_REG_SIZE_U64 | 0x9)

/* Interception codes user space sees in s390_sieic.icptcode. */
#define KVMU_S390_ICPT_INST	0x04
#define KVMU_S390_ICPT_PROGI	0x08
#define KVMU_S390_ICPT_WAIT	0x1c
#define KVMU_S390_ICPT_STOP	0x28
#define KVMU_S390_ICPT_OPEREXC	0x2c
#define KVMU_S390_ICPT_PV_INSTR	0x68	/* protected: instruction */
#define KVMU_S390_ICPT_PV_NOTIFY 0x6c	/* protected: notification */
#define KVMU_S390_ICPT_PV_PREF	0x70	/* protected: prefix page */

/* KVM_S390_PV_COMMAND commands newer than Debian 12's <linux/kvm.h>. */
#define KVMU_PV_ASYNC_CLEANUP_PREPARE	9
#define KVMU_PV_ASYNC_CLEANUP_PERFORM	10
#ifndef KVM_CAP_S390_PROTECTED_ASYNC_DISABLE
#define KVM_CAP_S390_PROTECTED_ASYNC_DISABLE 224
#endif
_Static_assert(sizeof(struct kvm_pv_cmd) == 32, "kvm_pv_cmd");
_Static_assert(sizeof(struct kvm_s390_pv_info) == 80, "kvm_s390_pv_info");
_Static_assert(sizeof(struct kvm_s390_pv_dmp) == 64, "kvm_s390_pv_dmp");
_Static_assert(KVM_S390_PV_COMMAND == 0xC020AEC5, "PV_COMMAND");
_Static_assert(KVM_S390_PV_CPU_COMMAND == 0xC020AED0, "PV_CPU_COMMAND");

/*
 * VM attributes (KVM_SET/GET/HAS_DEVICE_ATTR on the VM fd), as
 * arch/s390/include/uapi/asm/kvm.h; kvm_device_attr is the host's.
 */
#define KVMU_S390_VM_MEM_CTRL		0
#define KVMU_S390_VM_TOD		1
#define KVMU_S390_VM_CRYPTO		2
#define KVMU_S390_VM_CPU_MODEL		3
#define KVMU_S390_VM_MIGRATION		4
#define KVMU_S390_VM_CPU_TOPOLOGY	5

#define KVMU_S390_VM_MEM_ENABLE_CMMA	0
#define KVMU_S390_VM_MEM_CLR_CMMA	1
#define KVMU_S390_VM_MEM_LIMIT_SIZE	2
#define KVMU_S390_NO_MEM_LIMIT		(~0ULL)

#define KVMU_S390_VM_TOD_LOW		0
#define KVMU_S390_VM_TOD_HIGH		1
#define KVMU_S390_VM_TOD_EXT		2

struct kvmu_s390_vm_tod_clock {
	__u8 epoch_idx;
	__u64 tod;
};

#define KVMU_S390_VM_CRYPTO_ENABLE_AES_KW	0
#define KVMU_S390_VM_CRYPTO_ENABLE_DEA_KW	1
#define KVMU_S390_VM_CRYPTO_DISABLE_AES_KW	2
#define KVMU_S390_VM_CRYPTO_DISABLE_DEA_KW	3
#define KVMU_S390_VM_CRYPTO_ENABLE_APIE		4
#define KVMU_S390_VM_CRYPTO_DISABLE_APIE	5

#define KVMU_S390_VM_CPU_PROCESSOR		0
#define KVMU_S390_VM_CPU_MACHINE		1
#define KVMU_S390_VM_CPU_PROCESSOR_FEAT		2
#define KVMU_S390_VM_CPU_MACHINE_FEAT		3
#define KVMU_S390_VM_CPU_PROCESSOR_SUBFUNC	4
#define KVMU_S390_VM_CPU_MACHINE_SUBFUNC	5
#define KVMU_S390_VM_CPU_PROCESSOR_UV_FEAT_GUEST 6
#define KVMU_S390_VM_CPU_MACHINE_UV_FEAT_GUEST	7

#define KVMU_S390_FAC_LIST_U64		256
struct kvmu_s390_vm_cpu_processor {
	__u64 cpuid;
	__u16 ibc;
	__u8 pad[6];
	__u64 fac_list[KVMU_S390_FAC_LIST_U64];
};

struct kvmu_s390_vm_cpu_machine {
	__u64 cpuid;
	__u32 ibc;
	__u8 pad[4];
	__u64 fac_mask[KVMU_S390_FAC_LIST_U64];
	__u64 fac_list[KVMU_S390_FAC_LIST_U64];
};

/* CPU features, MSB-0 bit numbers in feat[] */
#define KVMU_S390_VM_CPU_FEAT_NR_BITS	1024
#define KVMU_S390_VM_CPU_FEAT_ESOP	0
#define KVMU_S390_VM_CPU_FEAT_SIEF2	1
#define KVMU_S390_VM_CPU_FEAT_64BSCAO	2
#define KVMU_S390_VM_CPU_FEAT_SIIF	3
#define KVMU_S390_VM_CPU_FEAT_GPERE	4
#define KVMU_S390_VM_CPU_FEAT_GSLS	5
#define KVMU_S390_VM_CPU_FEAT_IB	6
#define KVMU_S390_VM_CPU_FEAT_CEI	7
#define KVMU_S390_VM_CPU_FEAT_IBS	8
#define KVMU_S390_VM_CPU_FEAT_SKEY	9
#define KVMU_S390_VM_CPU_FEAT_CMMA	10
#define KVMU_S390_VM_CPU_FEAT_PFMFI	11
#define KVMU_S390_VM_CPU_FEAT_SIGPIF	12
#define KVMU_S390_VM_CPU_FEAT_KSS	13
struct kvmu_s390_vm_cpu_feat {
	__u64 feat[16];
};

/* Query results, one block per instruction (MSB-0 function codes). */
struct kvmu_s390_vm_cpu_subfunc {
	__u8 plo[32];
	__u8 ptff[16];
	__u8 kmac[16];
	__u8 kmc[16];
	__u8 km[16];
	__u8 kimd[16];
	__u8 klmd[16];
	__u8 pckmo[16];
	__u8 kmctr[16];
	__u8 kmf[16];
	__u8 kmo[16];
	__u8 pcc[16];
	__u8 ppno[16];
	__u8 kma[16];
	__u8 kdsa[16];
	__u8 sortl[32];
	__u8 dfltcc[32];
	__u8 pfcr[16];
	__u8 reserved[1712];
};

/* Ultravisor features a protected guest may use (MSB-0 in feat). */
#define KVMU_S390_VM_CPU_UV_FEAT_NR_BITS	64
#define KVMU_S390_VM_CPU_UV_FEAT_AP		4
#define KVMU_S390_VM_CPU_UV_FEAT_AP_INTR	5
struct kvmu_s390_vm_cpu_uv_feat {
	__u64 feat;
};

#define KVMU_S390_VM_MIGRATION_STOP	0
#define KVMU_S390_VM_MIGRATION_START	1
#define KVMU_S390_VM_MIGRATION_STATUS	2

_Static_assert(sizeof(struct kvmu_s390_vm_tod_clock) == 16, "tod");
_Static_assert(sizeof(struct kvmu_s390_vm_cpu_processor) == 2064, "proc");
_Static_assert(offsetof(struct kvmu_s390_vm_cpu_machine, fac_list) == 2064,
	       "machine");
_Static_assert(sizeof(struct kvmu_s390_vm_cpu_machine) == 4112, "machine");
_Static_assert(sizeof(struct kvmu_s390_vm_cpu_feat) == 128, "feat");
_Static_assert(offsetof(struct kvmu_s390_vm_cpu_subfunc, pckmo) == 128,
	       "subfunc");
_Static_assert(offsetof(struct kvmu_s390_vm_cpu_subfunc, pfcr) == 320,
	       "subfunc");
_Static_assert(sizeof(struct kvmu_s390_vm_cpu_subfunc) == 2048, "subfunc");

#endif /* KVMU_ABI_S390_H */
