/* SPDX-License-Identifier: MIT */
/*
 * Secure Execution images as `kvmu pvimg create` writes them and
 * `kvmu run --arch s390x` boots them (docs/s390-pv.md): the file maps
 * 1:1 onto guest absolute storage from 0.
 */
#ifndef KVMU_CLI_PVIMG_H
#define KVMU_CLI_PVIMG_H

#include <stddef.h>
#include <stdint.h>

#define SE_IMG_META		0xc000	/* "SeImgLnx", hdr off, 1, IPIB off */
#define SE_IMG_MAGIC		"SeImgLnx"
#define SE_IMG_META_LEN		28
#define SE_IMG_STAGE3A		0x11000	/* stage3a entry (short PSW) */
#define SE_IMG_COMP_MIN		0x20000	/* secure components start here */
#define SE_COMP_KERNEL		40	/* component IDs (tweak bytes 0-1) */
#define SE_COMP_CMDLINE		60

/* IPL parameter block, type 5 (PV), big-endian. */
#define IPIB_PBT_PV		5
#define IPIB_OFF_COMPS		0x88
#define IPIB_COMP_LEN		24
#define IPIB_MIN_PV_LEN		148	/* QEMU's S390_IPLB_MIN_PV_LEN */
#define IPIB_MAX_LEN		4096

extern const uint8_t pvimg_stage3a[];
extern const size_t pvimg_stage3a_len;

#endif
