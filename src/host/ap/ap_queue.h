/* SPDX-License-Identifier: MIT */
/*
 * Private interface of the AP queue model (queue.c) and of the adapters'
 * request processing (crypto.c).
 */
#ifndef KVMU_HOST_AP_QUEUE_H
#define KVMU_HOST_AP_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "kvmu/host.h"

/* The largest reply an adapter gives here: type 80 for a 4096-bit key. */
#define AP_REPLY_MAX	(16 + 512)

/* Reply message types and the type-82 reply codes we produce. */
#define AP_TYPE80	0x80
#define AP_TYPE82	0x82
#define REP82_MESSAGE_TYPE	0x20	/* request type the card cannot take */
#define REP82_INVALID_MSG_LEN	0x23	/* length field vs. actual length */
#define REP82_RESERVED_FIELD	0x24	/* a reserved field is not zero */
#define REP82_FORMAT_FIELD	0x29	/* unknown key block format */
#define REP82_OPERAND_INVALID	0x82	/* message >= modulus, zero operand */
#define REP82_EVEN_MOD_IN_OPND	0x85	/* even modulus or prime */
#define REP82_FILTERED		0x8B	/* "filtered by hypervisor" */

/*
 * Run one request on an adapter of mode (enum ap_mode) and write the
 * reply to reply[AP_REPLY_MAX].  Returns the reply length (> 0) or
 * -ENOMEM; malformed requests get an error reply, never an error return.
 */
int ap_crypto_request(unsigned int mode, const uint8_t *msg, size_t len,
		      uint8_t *reply);

/* The queues of an mdev's guest: gated by its live guest matrix. */
int ap_queues_new_mdev(struct kvmu_host *host, const char *uuid,
		       struct kvmu_ap **out);
/* ZAPQ of every queue (mdev reset and release). */
void ap_queues_zeroize(struct kvmu_ap *ap);
void ap_queues_free(struct kvmu_ap *ap);

#endif
