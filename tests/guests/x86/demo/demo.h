/* SPDX-License-Identifier: MIT */
#ifndef DEMO_H
#define DEMO_H

#include "guest.h"

void sha256(const void *data, size_t len, uint8_t out[32]);
unsigned int count_primes(unsigned int below);

#endif
