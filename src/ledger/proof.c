/* SPDX-License-Identifier: MIT */
/*
 * Inclusion and consistency proofs (RFC 9162 sections 2.1.3 and 2.1.4).
 * Generation follows the recursive PATH and SUBPROOF definitions; the
 * verifiers are the RFC's iterative algorithms, step by step, so that they
 * can be checked against the text.
 */
#include "base/setup.h"
#include "exectrail/ledger.h"
#include "ledger/merkle_int.h"

#include <sodium.h>

/* PATH(m, D[n]) of RFC 9162 section 2.1.3.1, appended to proof. */
static void path(const uint8_t (*d)[ET_HASH_LEN], uint64_t n, uint64_t m,
                 uint8_t (*proof)[ET_HASH_LEN], size_t *count)
{
    uint64_t k;

    if (n == 1)
        return;
    k = et__merkle_split(n);
    if (m < k) {
        path(d, k, m, proof, count);
        et__merkle_mth(d + k, n - k, proof[(*count)++]);
    } else {
        path(d + k, n - k, m - k, proof, count);
        et__merkle_mth(d, k, proof[(*count)++]);
    }
}

/* SUBPROOF(m, D[n], b) of RFC 9162 section 2.1.4.1, appended to proof. */
static void subproof(const uint8_t (*d)[ET_HASH_LEN], uint64_t n, uint64_t m,
                     bool b, uint8_t (*proof)[ET_HASH_LEN], size_t *count)
{
    uint64_t k;

    if (m == n) {
        if (!b)
            et__merkle_mth(d, n, proof[(*count)++]);
        return;
    }
    k = et__merkle_split(n);
    if (m <= k) {
        subproof(d, k, m, b, proof, count);
        et__merkle_mth(d + k, n - k, proof[(*count)++]);
    } else {
        subproof(d + k, n - k, m - k, false, proof, count);
        et__merkle_mth(d, k, proof[(*count)++]);
    }
}

int et_merkle_inclusion_proof(const uint8_t (*leaves)[ET_HASH_LEN], uint64_t n,
                              uint64_t index, uint8_t (*proof)[ET_HASH_LEN],
                              size_t *n_out, struct et_error *err)
{
    if (n_out)
        *n_out = 0;
    if (!leaves || !proof || !n_out)
        return et_error_set(err, ET_EINVAL, "inclusion proof: null argument");
    if (index >= n)
        return et_error_set(err, ET_EINVAL,
                            "inclusion proof: leaf index %llu is not below "
                            "tree size %llu",
                            (unsigned long long)index, (unsigned long long)n);
    path(leaves, n, index, proof, n_out);
    return ET_OK;
}

int et_merkle_consistency_proof(const uint8_t (*leaves)[ET_HASH_LEN],
                                uint64_t n, uint64_t m,
                                uint8_t (*proof)[ET_HASH_LEN], size_t *n_out,
                                struct et_error *err)
{
    if (n_out)
        *n_out = 0;
    if (!leaves || !proof || !n_out)
        return et_error_set(err, ET_EINVAL, "consistency proof: null argument");
    if (m == 0 || m > n)
        return et_error_set(err, ET_EINVAL,
                            "consistency proof: sizes %llu and %llu are not "
                            "0 < first <= second",
                            (unsigned long long)m, (unsigned long long)n);
    /* PROOF(m, D[n]) = SUBPROOF(m, D[n], true); empty when m == n. */
    subproof(leaves, n, m, true, proof, n_out);
    return ET_OK;
}

static bool hash_eq(const uint8_t a[ET_HASH_LEN], const uint8_t b[ET_HASH_LEN])
{
    return sodium_memcmp(a, b, ET_HASH_LEN) == 0;
}

int et_merkle_inclusion_verify(uint64_t index, uint64_t size,
                               const uint8_t leaf[ET_HASH_LEN],
                               const uint8_t (*proof)[ET_HASH_LEN],
                               size_t n_proof, const uint8_t root[ET_HASH_LEN],
                               struct et_error *err)
{
    uint8_t r[ET_HASH_LEN];
    uint64_t fn, sn;

    if (!leaf || !root || (n_proof > 0 && !proof))
        return et_error_set(err, ET_EINVAL, "inclusion proof: null argument");
    /* 1. leaf_index >= tree_size fails. */
    if (index >= size)
        return et_error_set(err, ET_EINTEGRITY,
                            "inclusion proof: leaf index %llu is not below "
                            "tree size %llu",
                            (unsigned long long)index,
                            (unsigned long long)size);
    if (n_proof > ET_TREE_MAX_PEAK)
        return et_error_set(err, ET_EINTEGRITY,
                            "inclusion proof: %zu hashes is too many", n_proof);
    /* 2. and 3. */
    fn = index;
    sn = size - 1;
    memcpy(r, leaf, ET_HASH_LEN);
    /* 4. */
    for (size_t i = 0; i < n_proof; i++) {
        if (sn == 0)
            return et_error_set(err, ET_EINTEGRITY,
                                "inclusion proof: too many hashes for leaf "
                                "%llu in tree size %llu",
                                (unsigned long long)index,
                                (unsigned long long)size);
        if ((fn & 1) || fn == sn) {
            et_merkle_node_hash(proof[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            et_merkle_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    /* 5. */
    if (sn != 0)
        return et_error_set(err, ET_EINTEGRITY,
                            "inclusion proof: too few hashes for leaf %llu "
                            "in tree size %llu",
                            (unsigned long long)index,
                            (unsigned long long)size);
    if (!hash_eq(r, root))
        return et_error_set(err, ET_EINTEGRITY,
                            "inclusion proof: leaf %llu does not lead to the "
                            "root of tree size %llu",
                            (unsigned long long)index,
                            (unsigned long long)size);
    return ET_OK;
}

/* RFC 9162 section 2.1.4.2 for 0 < m < n. */
static int consistency_rfc(uint64_t m, uint64_t n,
                           const uint8_t root_m[ET_HASH_LEN],
                           const uint8_t root_n[ET_HASH_LEN],
                           const uint8_t (*proof)[ET_HASH_LEN], size_t n_proof,
                           struct et_error *err)
{
    uint8_t fr[ET_HASH_LEN], sr[ET_HASH_LEN];
    uint64_t fn, sn;
    size_t i;

    /* 1. An empty consistency_path fails. */
    if (n_proof == 0)
        return et_error_set(err, ET_EINTEGRITY,
                            "consistency proof: empty proof for sizes %llu "
                            "and %llu",
                            (unsigned long long)m, (unsigned long long)n);
    if (n_proof > ET_PROOF_MAX)
        return et_error_set(err, ET_EINTEGRITY,
                            "consistency proof: %zu hashes is too many",
                            n_proof);
    /*
     * 2. and 5. When first is a power of two, first_hash is prepended to
     * the path: it is the starting value and every proof hash follows it.
     */
    if ((m & (m - 1)) == 0) {
        memcpy(fr, root_m, ET_HASH_LEN);
        i = 0;
    } else {
        memcpy(fr, proof[0], ET_HASH_LEN);
        i = 1;
    }
    memcpy(sr, fr, ET_HASH_LEN);
    /* 3. */
    fn = m - 1;
    sn = n - 1;
    /* 4. */
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    /* 6. */
    for (; i < n_proof; i++) {
        if (sn == 0)
            return et_error_set(err, ET_EINTEGRITY,
                                "consistency proof: too many hashes for "
                                "sizes %llu and %llu",
                                (unsigned long long)m, (unsigned long long)n);
        if ((fn & 1) || fn == sn) {
            et_merkle_node_hash(proof[i], fr, fr);
            et_merkle_node_hash(proof[i], sr, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            et_merkle_node_hash(sr, proof[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    /* 7. */
    if (sn != 0)
        return et_error_set(err, ET_EINTEGRITY,
                            "consistency proof: too few hashes for sizes "
                            "%llu and %llu",
                            (unsigned long long)m, (unsigned long long)n);
    if (!hash_eq(fr, root_m))
        return et_error_set(err, ET_EINTEGRITY,
                            "consistency proof: does not lead to the root of "
                            "tree size %llu",
                            (unsigned long long)m);
    if (!hash_eq(sr, root_n))
        return et_error_set(err, ET_EINTEGRITY,
                            "consistency proof: does not lead to the root of "
                            "tree size %llu",
                            (unsigned long long)n);
    return ET_OK;
}

int et_merkle_consistency_verify(uint64_t m, uint64_t n,
                                 const uint8_t root_m[ET_HASH_LEN],
                                 const uint8_t root_n[ET_HASH_LEN],
                                 const uint8_t (*proof)[ET_HASH_LEN],
                                 size_t n_proof, struct et_error *err)
{
    if (!root_m || !root_n || (n_proof > 0 && !proof))
        return et_error_set(err, ET_EINVAL, "consistency proof: null argument");
    if (m == 0)
        return et_error_set(err, ET_EINVAL,
                            "consistency proof: first tree size must be at "
                            "least 1");
    if (m > n)
        return et_error_set(err, ET_EINTEGRITY,
                            "consistency proof: tree size %llu is smaller "
                            "than earlier size %llu",
                            (unsigned long long)n, (unsigned long long)m);
    if (m == n) {
        /* Nothing to prove: the proof is empty and the heads are equal. */
        if (n_proof != 0)
            return et_error_set(err, ET_EINTEGRITY,
                                "consistency proof: must be empty for equal "
                                "tree sizes");
        if (!hash_eq(root_m, root_n))
            return et_error_set(err, ET_EINTEGRITY,
                                "consistency proof: two different roots for "
                                "tree size %llu",
                                (unsigned long long)n);
        return ET_OK;
    }
    return consistency_rfc(m, n, root_m, root_n, proof, n_proof, err);
}
