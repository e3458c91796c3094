/* SPDX-License-Identifier: MIT */
/* SHA-256 by libcrypto for the bulk paths (sha_accel.c says why). */
#ifndef ET_LEDGER_SHA_ACCEL_H
#define ET_LEDGER_SHA_ACCEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* From how many events a bulk path loads libcrypto (below, libsodium's
 * portable SHA-256 takes less time than loading it). */
#define ET_SHA_ACCEL_MIN_EVENTS 4096

/* Load libcrypto once (thread safe); true when the leaf hashes of this
 * process now go through it. */
bool et__sha_accel(void);

/* SHA-256(prefix || data) by libcrypto into out: false when it is not
 * loaded (or failed), and the caller hashes with libsodium. */
bool et__sha_accel_leaf(uint8_t prefix, const void *data, size_t len,
                        uint8_t out[32]);

#endif /* ET_LEDGER_SHA_ACCEL_H */
