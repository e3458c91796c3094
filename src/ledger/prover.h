/* SPDX-License-Identifier: MIT */
/*
 * Many inclusion proofs against one tree: the perfect subtrees' hashes are
 * computed once, level by level, so each proof costs O(log^2 n) hashes
 * instead of the O(n) of et_merkle_inclusion_proof (same proofs).
 */
#ifndef ET_LEDGER_PROVER_H
#define ET_LEDGER_PROVER_H

#include <stddef.h>
#include <stdint.h>
#include "exectrail/ledger.h"

struct et_prover;

/* leaves[0..n) is borrowed until et_prover_free. */
ET_NODISCARD int et_prover_new(const uint8_t (*leaves)[ET_HASH_LEN], uint64_t n,
                               struct et_prover **out, struct et_error *err);
void et_prover_free(struct et_prover *p);
/* As et_merkle_inclusion_proof(leaves, n, index, ...). */
ET_NODISCARD int et_prover_inclusion(const struct et_prover *p, uint64_t index,
                                     uint8_t (*proof)[ET_HASH_LEN],
                                     size_t *n_out, struct et_error *err);

#endif /* ET_LEDGER_PROVER_H */
