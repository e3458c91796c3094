/* SPDX-License-Identifier: MIT */
/* Internal Merkle tree helpers shared by merkle.c and proof.c. */
#ifndef ET_LEDGER_MERKLE_INT_H
#define ET_LEDGER_MERKLE_INT_H

#include <stdint.h>
#include "exectrail/ledger.h"

/* RFC 9162's k: the largest power of two smaller than n (n >= 2). */
uint64_t et__merkle_split(uint64_t n);

/* MTH(d[0..n)) for n >= 1 (recursion depth is at most 64). */
void et__merkle_mth(const uint8_t (*d)[ET_HASH_LEN], uint64_t n,
                    uint8_t out[ET_HASH_LEN]);

#endif /* ET_LEDGER_MERKLE_INT_H */
