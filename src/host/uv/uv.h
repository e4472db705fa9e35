/* SPDX-License-Identifier: MIT */
/*
 * The simulated Ultravisor (docs/s390-pv.md): the firmware entity that owns
 * Protected Virtualization guests.  KVM (src/arch/s390/pv.c) talks to it
 * with UV calls on big-endian UV control blocks, as the kernel does with
 * the UVC instruction; the SIE side (the s390 CPU's storage path) asks it
 * for the plaintext of a secure page and makes it export pages when the
 * host may look.  The machine's host key lives with the host model's
 * durable state ($KVMU_HOST_DIR/uv/).
 */
#ifndef KVMU_HOST_UV_H
#define KVMU_HOST_UV_H

#include <stddef.h>
#include <stdint.h>

/* UV command codes (arch/s390/include/asm/uv.h numbering). */
enum {
	UVC_CMD_QUI = 0x0001, UVC_CMD_INIT_UV = 0x000f,
	UVC_CMD_CREATE_SEC_CONF = 0x0100, UVC_CMD_DESTROY_SEC_CONF = 0x0101,
	UVC_CMD_DESTROY_SEC_CONF_FAST = 0x0102,
	UVC_CMD_CREATE_SEC_CPU = 0x0120, UVC_CMD_DESTROY_SEC_CPU = 0x0121,
	UVC_CMD_CONV_TO_SEC_STOR = 0x0200, UVC_CMD_CONV_FROM_SEC_STOR = 0x0201,
	UVC_CMD_DESTR_SEC_STOR = 0x0202,
	UVC_CMD_SET_SEC_CONF_PARAMS = 0x0300, UVC_CMD_UNPACK_IMG = 0x0301,
	UVC_CMD_VERIFY_IMG = 0x0302,
	UVC_CMD_CPU_RESET = 0x0310, UVC_CMD_CPU_RESET_INITIAL = 0x0311,
	UVC_CMD_PREPARE_RESET = 0x0320, UVC_CMD_CPU_RESET_CLEAR = 0x0321,
	UVC_CMD_CPU_SET_STATE = 0x0330, UVC_CMD_SET_UNSHARE_ALL = 0x0340,
	UVC_CMD_PIN_PAGE_SHARED = 0x0341, UVC_CMD_UNPIN_PAGE_SHARED = 0x0342,
	UVC_CMD_DUMP_INIT = 0x0400, UVC_CMD_DUMP_CONF_STOR_STATE = 0x0401,
	UVC_CMD_DUMP_CPU = 0x0402, UVC_CMD_DUMP_COMPLETE = 0x0403,
	UVC_CMD_SET_SHARED_ACCESS = 0x1000,
	UVC_CMD_REMOVE_SHARED_ACCESS = 0x1001,
};

/* Return codes in the UVCB header. */
enum {
	UVC_RC_EXECUTED = 0x0001, UVC_RC_INV_CMD = 0x0002,
	UVC_RC_INV_STATE = 0x0003, UVC_RC_INV_LEN = 0x0005,
	UVC_RC_NO_RESUME = 0x0007, UVC_RC_INV_GHANDLE = 0x0020,
	UVC_RC_INV_CHANDLE = 0x0021, UVC_RC_INV_ADDR = 0x0022,
	UVC_RC_MORE_DATA = 0x0100,
	UVC_RC_IMG_MISMATCH = 0x0102,	/* verify: RRC below */
	UVC_RC_HDR_VERSION = 0x0104, UVC_RC_PCF = 0x0106,
	UVC_RC_HOSTKEY = 0x0108, UVC_RC_SCF = 0x0109,
	UVC_RC_HDR_CORRUPT = 0x010a,
	UVC_RC_PAGE_INTEGRITY = 0x0110,	/* kvmu: tampered exported page */
	UVC_RC_NEED_DESTROY = 0x8000,
};

/* Reason codes (s390-tools stage3a.c names; docs/s390-pv.md). */
enum {
	UVC_RRC_ALD = 0x001a, UVC_RRC_PLD = 0x001b, UVC_RRC_TLD = 0x001c,
	UVC_RRC_NEP = 0x001d, UVC_RRC_VERSION = 0x0001,
	UVC_RRC_PCF = 0x0030, UVC_RRC_NO_SLOT = 0x0005,
	UVC_RRC_CUST_KEY = 0x000b, UVC_RRC_HDR_LEN = 0x0031,
	UVC_RRC_SEA = 0x0039, UVC_RRC_NO_KEYSLOTS = 0x0040,
	UVC_RRC_HDR_TAG = 0x0032,	/* kvmu: header AES-GCM tag mismatch */
};

/* CPU states of UVC_CMD_CPU_SET_STATE. */
enum {
	UV_CPU_OPERATING = 1, UV_CPU_STOPPED = 2, UV_CPU_CHECK_STOP = 3,
	UV_CPU_OPERATING_LOAD = 5,
};

#define UV_HDR_MAX		8192	/* the largest SE header */
#define UV_CPU_DUMP_LEN		0x1000	/* dump-CPU buffer */
#define UV_DUMP_STOR_PER_1M	0x1000	/* dump storage state per MiB */
#define UV_DUMP_FINAL_LEN	0x100	/* dump-complete buffer */
#define UV_MAX_CPUS		248
#define UV_MAX_GUESTS		64

/*
 * Execute one UV call on the big-endian UVCB at uvcb (its length field
 * says how many bytes are valid); rc and rrc are written into it.
 * Returns the condition code: 0 executed, 1 error.  Host addresses in the
 * UVCB (header origin, dump buffers, "physical" page addresses) are
 * pointers in this process.  Never crashes on any content.
 */
int kvmu_uv_call(void *uvcb);

/* How the UV reaches guest storage: the gmap of a configuration. */
struct kvmu_uv_mem {
	/* host address of the 4 KiB slot page at gaddr, or NULL */
	uint8_t *(*host_page)(void *opaque, uint64_t gaddr);
	void *opaque;
};

/* Attach the gmap to the configuration handle (after create). */
int kvmu_uv_set_mem(uint64_t handle, const struct kvmu_uv_mem *mem);

/*
 * SIE storage access of the secure guest to the page at gaddr: *out gets
 * the page the guest sees (the UV's plaintext, or the slot page when the
 * guest shares it).  An exported page is imported first, checking its
 * integrity.  0, -ENXIO (no storage there) or -EFAULT (integrity failure;
 * the page stays exported).
 */
int kvmu_uv_guest_page(uint64_t handle, uint64_t gaddr, uint8_t **out);

/*
 * Export every secure page the guest has used since the last export: its
 * slot page then holds AES-GCM ciphertext.  Called when no vCPU runs.
 */
void kvmu_uv_export_all(uint64_t handle);

/*
 * The guest's own UVC instruction (set/remove shared access) for the
 * configuration handle: cb is the guest's UVCB copy of len bytes; rc/rrc
 * are written into it.  Returns the condition code.
 */
int kvmu_uv_guest_call(uint64_t handle, uint8_t *cb, size_t len);

/*
 * A CPU set to operating after operating-load starts at the PSW of the
 * verified SE header: 1 with mask and addr set (once), 0 when nothing is
 * pending, -ENOENT for a bad CPU handle.
 */
int kvmu_uv_cpu_take_load(uint64_t cpu_handle, uint64_t *mask,
			  uint64_t *addr);

/* Counters for tests and `kvmu host uv`: pages exported, imported, bad. */
struct kvmu_uv_stats {
	uint64_t exports, imports, integrity_failures, secure_pages;
};
int kvmu_uv_stats(uint64_t handle, struct kvmu_uv_stats *st);

/* ---- the machine's host key (hostkey.c) ---- */

/*
 * The host-key document (self-signed X.509 certificate, PEM) of the host
 * directory dir (NULL: $KVMU_HOST_DIR, else /var/lib/kvmu/), creating the
 * P-521 key pair on first use under an exclusive flock.  *pem is
 * malloc'd.  0 or -errno.
 */
int kvmu_uv_hostkey_document(const char *dir, char **pem, size_t *len);

/* Replace the host key (a new machine); 0 or -errno. */
int kvmu_uv_hostkey_regenerate(const char *dir);

#endif /* KVMU_HOST_UV_H */
