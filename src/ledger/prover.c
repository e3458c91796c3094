/* SPDX-License-Identifier: MIT */
/*
 * Batched inclusion proofs. In RFC 9162's recursive PATH, every left part
 * is a perfect subtree aligned to its size, and every right part is either
 * perfect and aligned too or a suffix of the whole tree; level[k][i] holds
 * the perfect subtree of 2^k leaves starting at leaf i * 2^k.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "ledger/merkle_int.h"
#include "ledger/prover.h"

struct et_prover {
    uint64_t n;
    unsigned levels;
    const uint8_t (*leaves)[ET_HASH_LEN];
    uint8_t (*level[64])[ET_HASH_LEN]; /* level[0] unused (leaves) */
};

void et_prover_free(struct et_prover *p)
{
    if (!p)
        return;
    for (unsigned k = 1; k < p->levels; k++)
        et__free(p->level[k]);
    et__free(p);
}

int et_prover_new(const uint8_t (*leaves)[ET_HASH_LEN], uint64_t n,
                  struct et_prover **out, struct et_error *err)
{
    struct et_prover *p = et__calloc(1, sizeof(*p));

    *out = NULL;
    if (!p)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    p->n = n;
    p->leaves = leaves;
    p->levels = 1;
    for (uint64_t w = n / 2; w > 0; w /= 2) {
        const uint8_t(*below)[ET_HASH_LEN] =
            p->levels == 1
                ? leaves
                : (const uint8_t(*)[ET_HASH_LEN])p->level[p->levels - 1];
        uint8_t(*cur)[ET_HASH_LEN] = et__malloc((size_t)w * ET_HASH_LEN);

        if (!cur) {
            et_prover_free(p);
            return et_error_set(err, ET_ENOMEM, "out of memory");
        }
        for (uint64_t i = 0; i < w; i++)
            et_merkle_node_hash(below[2 * i], below[2 * i + 1], cur[i]);
        p->level[p->levels++] = cur;
    }
    *out = p;
    return ET_OK;
}

/* MTH of leaves [start, start + len). */
static void mth(const struct et_prover *p, uint64_t start, uint64_t len,
                uint8_t out[ET_HASH_LEN])
{
    uint8_t l[ET_HASH_LEN], r[ET_HASH_LEN];
    uint64_t k;

    if ((len & (len - 1)) == 0 && start % len == 0) {
        unsigned lv = (unsigned)__builtin_ctzll(len);

        memcpy(out, lv == 0 ? p->leaves[start] : p->level[lv][start >> lv],
               ET_HASH_LEN);
        return;
    }
    k = et__merkle_split(len);
    mth(p, start, k, l);
    mth(p, start + k, len - k, r);
    et_merkle_node_hash(l, r, out);
}

static void path(const struct et_prover *p, uint64_t start, uint64_t n,
                 uint64_t m, uint8_t (*proof)[ET_HASH_LEN], size_t *count)
{
    uint64_t k;

    if (n == 1)
        return;
    k = et__merkle_split(n);
    if (m < k) {
        path(p, start, k, m, proof, count);
        mth(p, start + k, n - k, proof[(*count)++]);
    } else {
        path(p, start + k, n - k, m - k, proof, count);
        mth(p, start, k, proof[(*count)++]);
    }
}

int et_prover_inclusion(const struct et_prover *p, uint64_t index,
                        uint8_t (*proof)[ET_HASH_LEN], size_t *n_out,
                        struct et_error *err)
{
    *n_out = 0;
    if (index >= p->n)
        return et_error_set(err, ET_EINVAL,
                            "inclusion proof: leaf index %llu is not below "
                            "tree size %llu",
                            (unsigned long long)index,
                            (unsigned long long)p->n);
    path(p, 0, p->n, index, proof, n_out);
    return ET_OK;
}
