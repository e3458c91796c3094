/* SPDX-License-Identifier: MIT */
/*
 * Tests for the ledger primitives: RFC 6962/9162 reference vectors, proofs
 * for every small tree, the incremental tree head, signing keys, checkpoints
 * and the published vectors in tests/data/ledger-vectors.json.
 */
#include "base/setup.h"
#include "base/time.h"
#include "exectrail/ledger.h"
#include "ledger/sha_accel.h"
#include "t.h"

#include <sodium.h>

#include <json-c/json.h>

#define N_MAX     64  /* exhaustive proof tests cover sizes 1..N_MAX */
#define TREE_MAX  300 /* the tree head is compared for sizes 0..TREE_MAX */
#define SHAPE_MAX 160

/*
 * The fixed test key of tests/data/ledger-vectors.json and docs/LEDGER.md:
 * seed = SHA-256("exectrail ledger test vector key"), name "exectrail-test".
 * The key texts and the note were reproduced with an independent Python
 * implementation (hashlib, base64 and the cryptography package's Ed25519).
 */
static const char test_secret[] =
    "PRIVATE+KEY+exectrail-test+831f11cf+"
    "AXBzZf+tLJy21YteeyCjbBq8GFbZdwBXp0YRhKtiiI77";
static const char test_verifier[] =
    "exectrail-test+831f11cf+AUxWoSAC2gu09Y6bI0iEoPB+uAKbEvRTSdfPaG8Lyh7Z";
static const char test_note[] =
    "exectrail.test/ledger-vectors\n"
    "8\n"
    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    "time 2025-01-16T10:30:00.000Z\n"
    "\n"
    "\xe2\x80\x94 exectrail-test "
    "gx8Rz3aT1QG6rVFmVJvvzWmIEAbD+KANbJ5+OWsOeqcMDgw4oLdrOjklSJDgTnZsRc2sai"
    "hdP/Zc6K8XAk5dCpF+3gw=\n";
#define TEST_TIME_NS INT64_C(1737023400000000000) /* 2025-01-16T10:30:00Z */

/*
 * The RFC 6962 reference vectors used by the certificate-transparency
 * projects, copied from transparency-dev/merkle proof/verify_test.go
 * (same values in google/certificate-transparency-go). The leaf hashes are
 * not in that file; they were computed with Python's hashlib and are also
 * the size-1 root and proof elements below.
 */
static const struct {
    const char *data;
    const char *leaf_hash;
} rfc_leaves[8] = {
    {"", "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
    {"00", "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"},
    {"10", "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"},
    {"2021",
     "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"},
    {"3031",
     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"},
    {"40414243",
     "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"},
    {"5051525354555657",
     "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"},
    {"606162636465666768696a6b6c6d6e6f",
     "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"},
};

static const char *const rfc_empty_root =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/* rfc_roots[n - 1] is the root of the first n leaves. */
static const char *const rfc_roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct rfc_proof {
    uint64_t a, b; /* (index, size) or (first, second) */
    size_t n;
    const char *hashes[4];
};

/* verify_test.go lists leaf numbers from 1; these are 0-based indexes. */
static const struct rfc_proof rfc_inclusion[] = {
    {0, 1, 0, {NULL}},
    {0,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     3,
     1,
     {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const struct rfc_proof rfc_consistency[] = {
    {1, 1, 0, {NULL}},
    {1,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     2,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

/* ---- helpers ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decode lower-case hex; returns the byte count or -1. */
static long unhex(const char *s, uint8_t *out, size_t cap)
{
    size_t len = strlen(s);

    if (len % 2 != 0 || len / 2 > cap)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)(len / 2);
}

static bool hash_is(const uint8_t h[ET_HASH_LEN], const char *hex)
{
    uint8_t want[ET_HASH_LEN];

    return unhex(hex, want, sizeof(want)) == ET_HASH_LEN &&
           memcmp(h, want, ET_HASH_LEN) == 0;
}

/* The 8 reference leaf hashes. */
static bool rfc_leaf_hashes(uint8_t (*leaves)[ET_HASH_LEN])
{
    for (size_t i = 0; i < 8; i++) {
        uint8_t data[16];
        long n = unhex(rfc_leaves[i].data, data, sizeof(data));

        if (n < 0)
            return false;
        et_merkle_leaf_hash(data, (size_t)n, leaves[i]);
    }
    return true;
}

/* Distinct leaf hashes: the leaf hash of the 8-byte big-endian index. */
static void make_leaves(uint8_t (*leaves)[ET_HASH_LEN], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t data[8];

        for (int b = 0; b < 8; b++)
            data[b] = (uint8_t)((uint64_t)i >> (56 - 8 * b));
        et_merkle_leaf_hash(data, sizeof(data), leaves[i]);
    }
}

static void append_ch(char *s, char c)
{
    size_t n = strlen(s);

    if (n + 1 < SHAPE_MAX) {
        s[n] = c;
        s[n + 1] = '\0';
    }
}

static uint64_t split_of(uint64_t n)
{
    uint64_t k = 1;

    while (k * 2 < n)
        k *= 2;
    return k;
}

/*
 * Test oracles derived from the recursive definitions (not the iterative
 * verifiers). path_shape: the side of the leaf's subtree at each level, leaf
 * up. consistency_shape: 'F' (start from first_hash) or 'P' (start from a
 * proof hash), then per proof hash 'r' (right of the new tree's path only)
 * or 'l' (left of both). A verifier given a proof made for other sizes
 * computes the same thing exactly when the shapes are equal, so it must
 * accept then and reject otherwise.
 */
static void path_shape(uint64_t m, uint64_t n, char *out)
{
    uint64_t k;

    if (n == 1)
        return;
    k = split_of(n);
    if (m < k) {
        path_shape(m, k, out);
        append_ch(out, 'L');
    } else {
        path_shape(m - k, n - k, out);
        append_ch(out, 'R');
    }
}

static void consistency_shape(uint64_t m, uint64_t n, bool b, char *out)
{
    uint64_t k;

    if (m == n) {
        append_ch(out, b ? 'F' : 'P');
        return;
    }
    k = split_of(n);
    if (m <= k) {
        consistency_shape(m, k, b, out);
        append_ch(out, 'r');
    } else {
        consistency_shape(m - k, n - k, false, out);
        append_ch(out, 'l');
    }
}

static bool same_path_shape(uint64_t i, uint64_t n1, uint64_t n2)
{
    char a[SHAPE_MAX] = "", b[SHAPE_MAX] = "";

    path_shape(i, n1, a);
    path_shape(i, n2, b);
    return strcmp(a, b) == 0;
}

static bool same_consistency_shape(uint64_t m1, uint64_t n1, uint64_t m2,
                                   uint64_t n2)
{
    char a[SHAPE_MAX] = "", b[SHAPE_MAX] = "";

    consistency_shape(m1, n1, true, a);
    consistency_shape(m2, n2, true, b);
    return strcmp(a, b) == 0;
}

/* ---- Merkle tree: reference vectors ---- */

T_TEST(rfc6962_leaf_hashes_and_roots)
{
    uint8_t leaves[8][ET_HASH_LEN], root[ET_HASH_LEN];
    struct et_tree t;

    T_ASSERT(rfc_leaf_hashes(leaves));
    for (size_t i = 0; i < 8; i++)
        T_ASSERT(hash_is(leaves[i], rfc_leaves[i].leaf_hash));
    et_merkle_root(NULL, 0, root);
    T_ASSERT(hash_is(root, rfc_empty_root));
    et_hash_sha256("", 0, root);
    T_ASSERT(hash_is(root, rfc_empty_root));
    et_tree_init(&t);
    et_tree_root(&t, root);
    T_ASSERT(hash_is(root, rfc_empty_root));
    for (uint64_t n = 1; n <= 8; n++) {
        et_merkle_root(ET_HASHES(leaves), n, root);
        T_ASSERT(hash_is(root, rfc_roots[n - 1]));
        et_tree_append(&t, leaves[n - 1]);
        et_tree_root(&t, root);
        T_ASSERT(hash_is(root, rfc_roots[n - 1]));
    }
    /* The node hash of the first two leaves is the size-2 root. */
    et_merkle_node_hash(leaves[0], leaves[1], root);
    T_ASSERT(hash_is(root, rfc_roots[1]));
}

T_TEST(rfc6962_inclusion_proofs)
{
    uint8_t leaves[8][ET_HASH_LEN], root[ET_HASH_LEN];
    uint8_t proof[ET_PROOF_MAX][ET_HASH_LEN];
    struct et_error err = ET_ERROR_INIT;
    size_t n;

    T_ASSERT(rfc_leaf_hashes(leaves));
    for (size_t v = 0; v < ET_ARRAY_SIZE(rfc_inclusion); v++) {
        const struct rfc_proof *p = &rfc_inclusion[v];

        T_ASSERT_OK(et_merkle_inclusion_proof(ET_HASHES(leaves), p->b, p->a,
                                              proof, &n, &err));
        T_ASSERT_INT_EQ(n, p->n);
        for (size_t i = 0; i < n; i++)
            T_ASSERT(hash_is(proof[i], p->hashes[i]));
        et_merkle_root(ET_HASHES(leaves), p->b, root);
        T_ASSERT(hash_is(root, rfc_roots[p->b - 1]));
        T_ASSERT_OK(et_merkle_inclusion_verify(
            p->a, p->b, leaves[p->a], ET_HASHES(proof), n, root, &err));
    }
}

T_TEST(rfc6962_consistency_proofs)
{
    uint8_t leaves[8][ET_HASH_LEN], r1[ET_HASH_LEN], r2[ET_HASH_LEN];
    uint8_t proof[ET_PROOF_MAX][ET_HASH_LEN];
    struct et_error err = ET_ERROR_INIT;
    size_t n;

    T_ASSERT(rfc_leaf_hashes(leaves));
    for (size_t v = 0; v < ET_ARRAY_SIZE(rfc_consistency); v++) {
        const struct rfc_proof *p = &rfc_consistency[v];

        T_ASSERT_OK(et_merkle_consistency_proof(ET_HASHES(leaves), p->b, p->a,
                                                proof, &n, &err));
        T_ASSERT_INT_EQ(n, p->n);
        for (size_t i = 0; i < n; i++)
            T_ASSERT(hash_is(proof[i], p->hashes[i]));
        T_ASSERT(unhex(rfc_roots[p->a - 1], r1, sizeof(r1)) == ET_HASH_LEN);
        T_ASSERT(unhex(rfc_roots[p->b - 1], r2, sizeof(r2)) == ET_HASH_LEN);
        T_ASSERT_OK(et_merkle_consistency_verify(p->a, p->b, r1, r2,
                                                 ET_HASHES(proof), n, &err));
    }
}

/* ---- Merkle tree: every proof of every small tree ---- */

T_TEST(inclusion_every_size_and_index)
{
    static uint8_t leaves[2 * N_MAX][ET_HASH_LEN];
    static uint8_t roots[2 * N_MAX + 1][ET_HASH_LEN];
    uint8_t proof[ET_PROOF_MAX][ET_HASH_LEN], leaf[ET_HASH_LEN];
    struct et_error err = ET_ERROR_INIT;
    size_t np;

    make_leaves(leaves, 2 * N_MAX);
    for (uint64_t n = 0; n <= 2 * N_MAX; n++)
        et_merkle_root(ET_HASHES(leaves), n, roots[n]);
    for (uint64_t n = 1; n <= N_MAX; n++) {
        for (uint64_t i = 0; i < n; i++) {
            T_ASSERT_OK(et_merkle_inclusion_proof(ET_HASHES(leaves), n, i,
                                                  proof, &np, &err));
            T_ASSERT_OK(et_merkle_inclusion_verify(
                i, n, leaves[i], ET_HASHES(proof), np, roots[n], &err));
            /* Every bit of every proof hash matters. */
            for (size_t e = 0; e < np; e++) {
                for (unsigned bit = 0; bit < 8 * ET_HASH_LEN; bit++) {
                    proof[e][bit / 8] ^= (uint8_t)(1u << (bit % 8));
                    T_ASSERT_RC(et_merkle_inclusion_verify(i, n, leaves[i],
                                                           ET_HASHES(proof), np,
                                                           roots[n], NULL),
                                ET_EINTEGRITY);
                    proof[e][bit / 8] ^= (uint8_t)(1u << (bit % 8));
                }
            }
            /* So does the leaf, and so does the root. */
            memcpy(leaf, leaves[i], ET_HASH_LEN);
            leaf[i % ET_HASH_LEN] ^= 0x40;
            T_ASSERT_RC(et_merkle_inclusion_verify(i, n, leaf, ET_HASHES(proof),
                                                   np, roots[n], NULL),
                        ET_EINTEGRITY);
            if (n > 1)
                T_ASSERT_RC(et_merkle_inclusion_verify(i, n, leaves[i],
                                                       ET_HASHES(proof), np,
                                                       roots[n - 1], NULL),
                            ET_EINTEGRITY);
            /* Every other index in the tree fails. */
            for (uint64_t j = 0; j < n; j++) {
                if (j != i)
                    T_ASSERT_RC(et_merkle_inclusion_verify(j, n, leaves[i],
                                                           ET_HASHES(proof), np,
                                                           roots[n], NULL),
                                ET_EINTEGRITY);
            }
            /*
             * Another size fails unless the leaf's path has the same shape
             * there (then the same hashes give the same root: what binds
             * the size is the signed checkpoint, not the proof).
             */
            for (uint64_t m = 0; m <= 2 * N_MAX; m++) {
                int want;

                if (m == n)
                    continue;
                want =
                    i < m && same_path_shape(i, n, m) ? ET_OK : ET_EINTEGRITY;
                T_ASSERT_RC(et_merkle_inclusion_verify(i, m, leaves[i],
                                                       ET_HASHES(proof), np,
                                                       roots[n], NULL),
                            want);
            }
            T_ASSERT(!same_path_shape(i, n, 2 * n));
            /* A missing or an extra hash fails. */
            if (np > 0)
                T_ASSERT_RC(et_merkle_inclusion_verify(i, n, leaves[i],
                                                       ET_HASHES(proof), np - 1,
                                                       roots[n], NULL),
                            ET_EINTEGRITY);
            memcpy(proof[np], roots[n], ET_HASH_LEN);
            T_ASSERT_RC(et_merkle_inclusion_verify(i, n, leaves[i],
                                                   ET_HASHES(proof), np + 1,
                                                   roots[n], NULL),
                        ET_EINTEGRITY);
        }
    }
}

T_TEST(consistency_every_pair_of_sizes)
{
    static uint8_t leaves[2 * N_MAX][ET_HASH_LEN];
    static uint8_t roots[2 * N_MAX + 1][ET_HASH_LEN];
    uint8_t proof[ET_PROOF_MAX][ET_HASH_LEN];
    struct et_error err = ET_ERROR_INIT;
    size_t np;

    make_leaves(leaves, 2 * N_MAX);
    for (uint64_t n = 0; n <= 2 * N_MAX; n++)
        et_merkle_root(ET_HASHES(leaves), n, roots[n]);
    for (uint64_t n = 1; n <= N_MAX; n++) {
        for (uint64_t m = 1; m <= n; m++) {
            T_ASSERT_OK(et_merkle_consistency_proof(ET_HASHES(leaves), n, m,
                                                    proof, &np, &err));
            T_ASSERT_OK(et_merkle_consistency_verify(
                m, n, roots[m], roots[n], ET_HASHES(proof), np, &err));
            if (m == n) {
                T_ASSERT_INT_EQ(np, 0);
                continue;
            }
            T_ASSERT(np > 0);
            for (size_t e = 0; e < np; e++) {
                for (unsigned bit = 0; bit < 8 * ET_HASH_LEN; bit++) {
                    proof[e][bit / 8] ^= (uint8_t)(1u << (bit % 8));
                    T_ASSERT_RC(et_merkle_consistency_verify(
                                    m, n, roots[m], roots[n], ET_HASHES(proof),
                                    np, NULL),
                                ET_EINTEGRITY);
                    proof[e][bit / 8] ^= (uint8_t)(1u << (bit % 8));
                }
            }
            /* Wrong or swapped roots. */
            T_ASSERT_RC(et_merkle_consistency_verify(m, n, roots[m - 1],
                                                     roots[n], ET_HASHES(proof),
                                                     np, NULL),
                        ET_EINTEGRITY);
            T_ASSERT_RC(
                et_merkle_consistency_verify(m, n, roots[m], roots[n - 1],
                                             ET_HASHES(proof), np, NULL),
                ET_EINTEGRITY);
            T_ASSERT_RC(et_merkle_consistency_verify(m, n, roots[n], roots[m],
                                                     ET_HASHES(proof), np,
                                                     NULL),
                        ET_EINTEGRITY);
            /* Missing, extra or no hashes. */
            T_ASSERT_RC(et_merkle_consistency_verify(m, n, roots[m], roots[n],
                                                     ET_HASHES(proof), np - 1,
                                                     NULL),
                        ET_EINTEGRITY);
            memcpy(proof[np], roots[n], ET_HASH_LEN);
            T_ASSERT_RC(et_merkle_consistency_verify(m, n, roots[m], roots[n],
                                                     ET_HASHES(proof), np + 1,
                                                     NULL),
                        ET_EINTEGRITY);
            /* Other first sizes with the same roots and proof. */
            for (uint64_t m2 = 1; m2 <= 2 * N_MAX; m2++) {
                int want;

                if (m2 == m)
                    continue;
                want = m2 <= n && same_consistency_shape(m, n, m2, n)
                           ? ET_OK
                           : ET_EINTEGRITY;
                T_ASSERT_RC(
                    et_merkle_consistency_verify(m2, n, roots[m], roots[n],
                                                 ET_HASHES(proof), np, NULL),
                    want);
            }
            /* Other second sizes. */
            for (uint64_t n2 = m; n2 <= 2 * N_MAX; n2++) {
                int want;

                if (n2 == n)
                    continue;
                want =
                    same_consistency_shape(m, n, m, n2) ? ET_OK : ET_EINTEGRITY;
                T_ASSERT_RC(
                    et_merkle_consistency_verify(m, n2, roots[m], roots[n],
                                                 ET_HASHES(proof), np, NULL),
                    want);
            }
            T_ASSERT(!same_consistency_shape(m, n, m, 2 * n));
        }
    }
}

T_TEST(proof_edge_cases)
{
    uint8_t leaves[8][ET_HASH_LEN], root[ET_HASH_LEN], other[ET_HASH_LEN];
    uint8_t proof[ET_PROOF_MAX][ET_HASH_LEN];
    struct et_error err = ET_ERROR_INIT;
    size_t np = 99;

    make_leaves(leaves, 8);
    et_merkle_root(ET_HASHES(leaves), 8, root);
    et_merkle_root(ET_HASHES(leaves), 7, other);
    /* Generation: index >= size, m == 0 and m > n are caller errors. */
    T_ASSERT_RC(
        et_merkle_inclusion_proof(ET_HASHES(leaves), 8, 8, proof, &np, &err),
        ET_EINVAL);
    T_ASSERT_INT_EQ(np, 0);
    T_ASSERT_STR_CONTAINS(err.msg, "not below tree size");
    T_ASSERT_RC(
        et_merkle_inclusion_proof(ET_HASHES(leaves), 0, 0, proof, &np, NULL),
        ET_EINVAL);
    T_ASSERT_RC(
        et_merkle_consistency_proof(ET_HASHES(leaves), 8, 0, proof, &np, NULL),
        ET_EINVAL);
    T_ASSERT_RC(
        et_merkle_consistency_proof(ET_HASHES(leaves), 8, 9, proof, &np, NULL),
        ET_EINVAL);
    T_ASSERT_OK(
        et_merkle_consistency_proof(ET_HASHES(leaves), 8, 8, proof, &np, &err));
    T_ASSERT_INT_EQ(np, 0);
    T_ASSERT_OK(
        et_merkle_inclusion_proof(ET_HASHES(leaves), 1, 0, proof, &np, &err));
    T_ASSERT_INT_EQ(np, 0);

    /* Verification. */
    T_ASSERT_RC(et_merkle_inclusion_verify(8, 8, leaves[0], ET_HASHES(proof), 0,
                                           root, &err),
                ET_EINTEGRITY);
    T_ASSERT_RC(et_merkle_inclusion_verify(0, 0, leaves[0], ET_HASHES(proof), 0,
                                           root, NULL),
                ET_EINTEGRITY);
    T_ASSERT_OK(
        et_merkle_inclusion_verify(0, 1, leaves[0], NULL, 0, leaves[0], &err));
    T_ASSERT_RC(
        et_merkle_inclusion_verify(0, 1, leaves[0], NULL, 0, leaves[1], NULL),
        ET_EINTEGRITY);
    T_ASSERT_RC(et_merkle_inclusion_verify(UINT64_MAX - 1, UINT64_MAX,
                                           leaves[0], ET_HASHES(proof), 0, root,
                                           NULL),
                ET_EINTEGRITY);
    T_ASSERT_RC(et_merkle_consistency_verify(0, 8, root, root, NULL, 0, &err),
                ET_EINVAL);
    T_ASSERT_STR_CONTAINS(err.msg, "at least 1");
    T_ASSERT_RC(et_merkle_consistency_verify(9, 8, root, root, NULL, 0, &err),
                ET_EINTEGRITY);
    /* m == n: the empty proof, and only with equal roots. */
    T_ASSERT_OK(et_merkle_consistency_verify(8, 8, root, root, NULL, 0, &err));
    T_ASSERT_RC(et_merkle_consistency_verify(8, 8, root, other, NULL, 0, NULL),
                ET_EINTEGRITY);
    memcpy(proof[0], root, ET_HASH_LEN);
    T_ASSERT_RC(et_merkle_consistency_verify(8, 8, root, root, ET_HASHES(proof),
                                             1, NULL),
                ET_EINTEGRITY);
    T_ASSERT_RC(et_merkle_consistency_verify(7, 8, other, root, NULL, 0, &err),
                ET_EINTEGRITY);
    T_ASSERT_STR_CONTAINS(err.msg, "empty proof");
    /* Over-long proofs are refused before any hashing. */
    T_ASSERT_RC(et_merkle_inclusion_verify(0, 8, leaves[0], ET_HASHES(proof),
                                           ET_TREE_MAX_PEAK + 1, root, NULL),
                ET_EINTEGRITY);
    T_ASSERT_RC(et_merkle_consistency_verify(7, 8, other, root,
                                             ET_HASHES(proof), ET_PROOF_MAX + 1,
                                             NULL),
                ET_EINTEGRITY);
}

/* ---- incremental tree head ---- */

T_TEST(tree_head_matches_root)
{
    static uint8_t leaves[TREE_MAX][ET_HASH_LEN];
    uint8_t a[ET_HASH_LEN], b[ET_HASH_LEN];
    uint8_t enc[8 + ET_TREE_MAX_PEAK * ET_HASH_LEN];
    struct et_tree t, u;
    size_t len;

    make_leaves(leaves, TREE_MAX);
    et_tree_init(&t);
    for (uint64_t n = 0; n <= TREE_MAX; n++) {
        uint64_t bits = 0;

        for (uint64_t v = n; v; v &= v - 1)
            bits++;
        T_ASSERT_INT_EQ(t.size, n);
        T_ASSERT_INT_EQ(t.n_peaks, bits);
        et_tree_root(&t, a);
        et_merkle_root(ET_HASHES(leaves), n, b);
        T_ASSERT_MEM_EQ(a, b, ET_HASH_LEN);
        /* Each peak is the root of its perfect subtree, largest first. */
        for (unsigned p = 0, bit = 64, start = 0; p < t.n_peaks; p++) {
            bit--;
            while (!((n >> bit) & 1))
                bit--;
            et_merkle_root(ET_HASHES(leaves + start), (uint64_t)1 << bit, a);
            T_ASSERT_MEM_EQ(t.peaks[p], a, ET_HASH_LEN);
            start += 1u << bit;
        }
        len = et_tree_encode(&t, enc);
        T_ASSERT_INT_EQ(len, 8 + 32 * (size_t)bits);
        T_ASSERT_OK(et_tree_decode(enc, len, &u));
        T_ASSERT_INT_EQ(u.size, t.size);
        T_ASSERT_INT_EQ(u.n_peaks, t.n_peaks);
        T_ASSERT_MEM_EQ(u.peaks, t.peaks, (size_t)t.n_peaks * ET_HASH_LEN);
        et_tree_root(&u, a);
        T_ASSERT_MEM_EQ(a, b, ET_HASH_LEN);
        if (n < TREE_MAX)
            et_tree_append(&t, leaves[n]);
    }
}

T_TEST(tree_decode_rejects_bad_state)
{
    static uint8_t leaves[13][ET_HASH_LEN];
    uint8_t enc[8 + (ET_TREE_MAX_PEAK + 1) * ET_HASH_LEN];
    struct et_tree t, u;
    size_t len;

    make_leaves(leaves, 13);
    et_tree_init(&t);
    for (size_t i = 0; i < 13; i++)
        et_tree_append(&t, leaves[i]);
    len = et_tree_encode(&t, enc); /* 13 = 1101b: three peaks */
    T_ASSERT_INT_EQ(len, 8 + 3 * ET_HASH_LEN);
    T_ASSERT_OK(et_tree_decode(enc, len, &u));
    /* Truncated, padded, or shorter than the size field. */
    for (size_t l = 0; l < len; l++)
        T_ASSERT_RC(et_tree_decode(enc, l, &u), ET_EINPUT);
    T_ASSERT_RC(et_tree_decode(enc, len + 1, &u), ET_EINPUT);
    T_ASSERT_RC(et_tree_decode(enc, len + ET_HASH_LEN, &u), ET_EINPUT);
    T_ASSERT_INT_EQ(u.size, 0);
    T_ASSERT_INT_EQ(u.n_peaks, 0);
    T_ASSERT_RC(et_tree_decode(NULL, 0, &u), ET_EINPUT);
    /* A size whose popcount differs from the number of peaks. */
    enc[7] = 12; /* 1100b: two peaks */
    T_ASSERT_RC(et_tree_decode(enc, len, &u), ET_EINPUT);
    enc[7] = 14; /* 1110b: three peaks, accepted (hashes are opaque) */
    T_ASSERT_OK(et_tree_decode(enc, len, &u));
    enc[7] = 13;
    enc[0] = 0x80; /* 2^63 + 13: four peaks */
    T_ASSERT_RC(et_tree_decode(enc, len, &u), ET_EINPUT);
    /* The empty tree is just the size. */
    memset(enc, 0, 8);
    T_ASSERT_OK(et_tree_decode(enc, 8, &u));
    T_ASSERT_INT_EQ(u.n_peaks, 0);
    /* The largest tree: 2^64 - 1 leaves, 64 peaks. */
    memset(enc, 0xff, 8);
    memset(enc + 8, 0x5a, ET_TREE_MAX_PEAK * ET_HASH_LEN);
    T_ASSERT_OK(et_tree_decode(enc, 8 + ET_TREE_MAX_PEAK * ET_HASH_LEN, &u));
    T_ASSERT_INT_EQ(u.n_peaks, ET_TREE_MAX_PEAK);
    T_ASSERT_INT_EQ(et_tree_encode(&u, enc),
                    8 + ET_TREE_MAX_PEAK * ET_HASH_LEN);
    T_ASSERT_RC(
        et_tree_decode(enc, 8 + (ET_TREE_MAX_PEAK + 1) * ET_HASH_LEN, &u),
        ET_EINPUT);
}

/* ---- signing keys ---- */

T_TEST(signer_generate_format_parse)
{
    struct et_signer s, p, v;
    struct et_error err = ET_ERROR_INIT;
    char secret[256], verifier[256], again[256];

    T_ASSERT_OK(et_signer_generate("exectrail-host-1", &s, &err));
    T_ASSERT(s.has_secret);
    T_ASSERT_STR_EQ(s.name, "exectrail-host-1");
    T_ASSERT_OK(et_signer_format_secret(&s, secret, sizeof(secret)));
    T_ASSERT_OK(et_signer_format_verifier(&s, verifier, sizeof(verifier)));
    T_ASSERT(strncmp(secret, "PRIVATE+KEY+exectrail-host-1+", 29) == 0);
    T_ASSERT(strncmp(verifier, "exectrail-host-1+", 17) == 0);

    T_ASSERT_OK(et_signer_parse(secret, strlen(secret), &p, &err));
    T_ASSERT(p.has_secret);
    T_ASSERT_STR_EQ(p.name, s.name);
    T_ASSERT_INT_EQ(p.key_id, s.key_id);
    T_ASSERT_MEM_EQ(p.sk, s.sk, sizeof(s.sk));
    T_ASSERT_MEM_EQ(p.pk, s.pk, sizeof(s.pk));

    T_ASSERT_OK(et_signer_parse(verifier, strlen(verifier), &v, &err));
    T_ASSERT(!v.has_secret);
    T_ASSERT_STR_EQ(v.name, s.name);
    T_ASSERT_INT_EQ(v.key_id, s.key_id);
    T_ASSERT_MEM_EQ(v.pk, s.pk, sizeof(s.pk));
    T_ASSERT_RC(et_signer_format_secret(&v, again, sizeof(again)), ET_ESTATE);
    T_ASSERT_OK(et_signer_format_verifier(&v, again, sizeof(again)));
    T_ASSERT_STR_EQ(again, verifier);

    /* Small buffers fail without writing past the end. */
    T_ASSERT_RC(et_signer_format_secret(&s, again, strlen(secret)), ET_EINVAL);
    T_ASSERT_OK(et_signer_format_secret(&s, again, strlen(secret) + 1));
    T_ASSERT_STR_EQ(again, secret);

    /* Two new keys differ. */
    T_ASSERT_OK(et_signer_generate("exectrail-host-1", &v, &err));
    T_ASSERT(memcmp(v.pk, s.pk, sizeof(s.pk)) != 0);

    et_signer_wipe(&s);
    T_ASSERT(!s.has_secret);
    for (size_t i = 0; i < sizeof(s.sk); i++)
        T_ASSERT_INT_EQ(s.sk[i], 0);
    T_ASSERT_RC(et_signer_format_secret(&s, again, sizeof(again)), ET_ESTATE);
}

T_TEST(signer_test_key_vector)
{
    struct et_signer s, v;
    struct et_error err = ET_ERROR_INIT;
    char buf[256];

    T_ASSERT_OK(et_signer_parse(test_secret, strlen(test_secret), &s, &err));
    T_ASSERT_INT_EQ(s.key_id, 0x831f11cf);
    T_ASSERT_OK(et_signer_format_verifier(&s, buf, sizeof(buf)));
    T_ASSERT_STR_EQ(buf, test_verifier);
    T_ASSERT_OK(et_signer_format_secret(&s, buf, sizeof(buf)));
    T_ASSERT_STR_EQ(buf, test_secret);
    T_ASSERT_OK(
        et_signer_parse(test_verifier, strlen(test_verifier), &v, &err));
    T_ASSERT_MEM_EQ(v.pk, s.pk, sizeof(s.pk));
}

T_TEST(signer_names)
{
    static const char *const bad[] = {
        "",
        "a+b",
        "a b",
        "tab\there",
        "new\nline",
        "caf\xc3\xa9",
        "del\x7f",
        "0123456789012345678901234567890123456789012345678901234567890123",
    };
    struct et_signer s;
    struct et_error err = ET_ERROR_INIT;

    for (size_t i = 0; i < ET_ARRAY_SIZE(bad); i++) {
        T_ASSERT_RC(et_signer_generate(bad[i], &s, &err), ET_EINVAL);
        T_ASSERT_STR_CONTAINS(err.msg, "invalid key name");
    }
    T_ASSERT_OK(et_signer_generate(
        "012345678901234567890123456789012345678901234567890123456789012", &s,
        &err));
    T_ASSERT_OK(et_signer_generate("!~a.b/c@d", &s, &err));
}

/* Every text in texts[] must fail to parse. */
static int parse_fails(const char *text, size_t len)
{
    struct et_signer s;

    return et_signer_parse(text, len, &s, NULL) != ET_OK && !s.has_secret &&
           s.name[0] == '\0';
}

T_TEST(signer_tampered_text)
{
    const char *const texts[] = {test_secret, test_verifier};
    struct et_signer s;
    struct et_error err = ET_ERROR_INIT;
    char buf[256];

    for (size_t t = 0; t < ET_ARRAY_SIZE(texts); t++) {
        size_t len = strlen(texts[t]);

        /* Every single-byte change, every truncation, an extra byte. */
        for (size_t i = 0; i < len; i++) {
            for (int c = 0; c < 256; c++) {
                if (c == (unsigned char)texts[t][i])
                    continue;
                memcpy(buf, texts[t], len);
                buf[i] = (char)c;
                if (!parse_fails(buf, len)) {
                    t_fail(__FILE__, __LINE__,
                           "key text %zu accepted with byte %zu = 0x%02x", t, i,
                           c);
                    return;
                }
            }
            T_ASSERT(parse_fails(texts[t], i));
            memcpy(buf, texts[t], i);
            memcpy(buf + i, texts[t] + i + 1, len - i - 1);
            T_ASSERT(parse_fails(buf, len - 1));
        }
        memcpy(buf, texts[t], len);
        buf[len] = '\n';
        T_ASSERT(parse_fails(buf, len + 1));
    }
    /* A well-formed key whose id is wrong says so. */
    snprintf(buf, sizeof(buf), "%s", test_verifier);
    memcpy(buf + strlen("exectrail-test+"), "831f11ce", 8);
    T_ASSERT_RC(et_signer_parse(buf, strlen(buf), &s, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "key id does not match");
    /* The same key under another name has another id. */
    snprintf(buf, sizeof(buf), "exectrail-tesT%s",
             test_verifier + strlen("exectrail-test"));
    T_ASSERT_RC(et_signer_parse(buf, strlen(buf), &s, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "key id does not match");
    /* Upper-case hex, other algorithms, a 31-byte key. */
    snprintf(buf, sizeof(buf), "exectrail-test+831F11CF+%s",
             test_verifier + strlen("exectrail-test+831f11cf+"));
    T_ASSERT_RC(et_signer_parse(buf, strlen(buf), &s, &err), ET_EINPUT);
    snprintf(buf, sizeof(buf),
             "exectrail-test+831f11cf+"
             "AkxWoSAC2gu09Y6bI0iEoPB+uAKbEvRTSdfPaG8Lyh7Z");
    T_ASSERT_RC(et_signer_parse(buf, strlen(buf), &s, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "not Ed25519");
    snprintf(buf, sizeof(buf),
             "exectrail-test+831f11cf+"
             "AUxWoSAC2gu09Y6bI0iEoPB+uAKbEvRTSdfPaG8Lyh4=");
    T_ASSERT_RC(et_signer_parse(buf, strlen(buf), &s, &err), ET_EINPUT);
    T_ASSERT_RC(et_signer_parse(NULL, 0, &s, &err), ET_EINVAL);
    T_ASSERT_RC(et_signer_parse("", 0, &s, &err), ET_EINPUT);
}

/* ---- checkpoints ---- */

static int verify_note(const char *note, size_t len, const struct et_signer *s)
{
    struct et_checkpoint cp;

    return et_checkpoint_verify(note, len, s, &cp, NULL);
}

T_TEST(checkpoint_sign_verify)
{
    struct et_signer s, v;
    struct et_checkpoint cp, got;
    struct et_error err = ET_ERROR_INIT;
    char note[1024];

    T_ASSERT_OK(et_signer_parse(test_secret, strlen(test_secret), &s, &err));
    T_ASSERT_OK(
        et_signer_parse(test_verifier, strlen(test_verifier), &v, &err));
    memset(&cp, 0, sizeof(cp));
    snprintf(cp.origin, sizeof(cp.origin), "exectrail.test/ledger-vectors");
    cp.size = 8;
    T_ASSERT(unhex(rfc_roots[7], cp.root, sizeof(cp.root)) == ET_HASH_LEN);
    cp.time_ns = TEST_TIME_NS;
    /* Ed25519 is deterministic: the published note, byte for byte. */
    T_ASSERT_OK(et_checkpoint_sign(&cp, &s, note, sizeof(note), &err));
    T_ASSERT_STR_EQ(note, test_note);
    T_ASSERT_OK(et_checkpoint_verify(note, strlen(note), &v, &got, &err));
    T_ASSERT_STR_EQ(got.origin, cp.origin);
    T_ASSERT_INT_EQ(got.size, 8);
    T_ASSERT_MEM_EQ(got.root, cp.root, ET_HASH_LEN);
    T_ASSERT_INT_EQ(got.time_ns, TEST_TIME_NS);
    /* The signing key verifies too. */
    T_ASSERT_OK(et_checkpoint_verify(note, strlen(note), &s, &got, &err));

    /* Without a time; sub-millisecond time is cut to milliseconds. */
    cp.time_ns = 0;
    cp.size = 0;
    T_ASSERT_OK(et_checkpoint_sign(&cp, &s, note, sizeof(note), &err));
    T_ASSERT(strstr(note, "time ") == NULL);
    T_ASSERT(strncmp(note, "exectrail.test/ledger-vectors\n0\n", 32) == 0);
    T_ASSERT_OK(et_checkpoint_verify(note, strlen(note), &v, &got, &err));
    T_ASSERT_INT_EQ(got.time_ns, 0);
    T_ASSERT_INT_EQ(got.size, 0);
    cp.time_ns = TEST_TIME_NS + 123456789;
    cp.size = UINT64_MAX;
    T_ASSERT_OK(et_checkpoint_sign(&cp, &s, note, sizeof(note), &err));
    T_ASSERT_STR_CONTAINS(note, "\n18446744073709551615\n");
    T_ASSERT_STR_CONTAINS(note, "time 2025-01-16T10:30:00.123Z\n");
    T_ASSERT_OK(et_checkpoint_verify(note, strlen(note), &v, &got, &err));
    T_ASSERT_INT_EQ(got.time_ns, TEST_TIME_NS + 123000000);
    T_ASSERT_INT_EQ(got.size, UINT64_MAX);

    /* Refusals when signing. */
    T_ASSERT_RC(et_checkpoint_sign(&cp, &v, note, sizeof(note), &err),
                ET_ESTATE);
    T_ASSERT_RC(et_checkpoint_sign(&cp, &s, note, 100, &err), ET_EINVAL);
    T_ASSERT_STR_EQ(note, "");
    cp.origin[0] = '\0';
    T_ASSERT_RC(et_checkpoint_sign(&cp, &s, note, sizeof(note), &err),
                ET_EINVAL);
    snprintf(cp.origin, sizeof(cp.origin), "two\nlines");
    T_ASSERT_RC(et_checkpoint_sign(&cp, &s, note, sizeof(note), &err),
                ET_EINVAL);
    memset(cp.origin, 'o', sizeof(cp.origin)); /* not terminated */
    T_ASSERT_RC(et_checkpoint_sign(&cp, &s, note, sizeof(note), &err),
                ET_EINVAL);
    memset(cp.origin, 'o', sizeof(cp.origin) - 1);
    cp.origin[sizeof(cp.origin) - 1] = '\0'; /* 127 bytes: the longest */
    T_ASSERT_OK(et_checkpoint_sign(&cp, &s, note, sizeof(note), &err));
    T_ASSERT_OK(et_checkpoint_verify(note, strlen(note), &v, &got, &err));
    T_ASSERT_STR_EQ(got.origin, cp.origin);
    cp.time_ns = -1;
    T_ASSERT_RC(et_checkpoint_sign(&cp, &s, note, sizeof(note), &err),
                ET_EINVAL);
}

/* libcrypto's SHA-256 (the bulk paths) gives libsodium's leaf and node
 * hashes, byte for byte; last in this binary: it stays loaded. */
T_TEST(sha_accel_same_hashes)
{
    uint8_t data[5000], want[ET_HASH_LEN], got[ET_HASH_LEN];
    uint8_t node_in[1 + 2 * ET_HASH_LEN];
    crypto_hash_sha256_state st;
    static const size_t lens[] = {0, 1, 31, 55, 56, 63, 64, 65, 119, 120,
                                  127, 128, 1000, 4096, 5000};

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 131 + 7);
    if (!et__sha_accel()) {
        t_skip("libcrypto (libssl3) cannot be loaded here");
        return;
    }
    for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
        static const uint8_t zero = 0;

        crypto_hash_sha256_init(&st);
        crypto_hash_sha256_update(&st, &zero, 1);
        crypto_hash_sha256_update(&st, data, lens[k]);
        crypto_hash_sha256_final(&st, want);
        et_merkle_leaf_hash(data, lens[k], got);
        T_ASSERT_MEM_EQ(got, want, ET_HASH_LEN);
    }
    node_in[0] = 0x01;
    memcpy(node_in + 1, data, 2 * ET_HASH_LEN);
    crypto_hash_sha256(want, node_in, sizeof(node_in));
    et_merkle_node_hash(data, data + ET_HASH_LEN, got);
    T_ASSERT_MEM_EQ(got, want, ET_HASH_LEN);
    /* out may alias an input */
    memcpy(got, data, ET_HASH_LEN);
    et_merkle_node_hash(got, data + ET_HASH_LEN, got);
    T_ASSERT_MEM_EQ(got, want, ET_HASH_LEN);
}

/* Witness keys and cosignature/v1 lines (C2SP tlog-cosignature). */
T_TEST(witness_cosignature)
{
    struct et_signer log, w, wv, other;
    struct et_checkpoint got;
    struct et_error err = ET_ERROR_INIT;
    char text[256], vtext[256], line[ET_COSIG_LINE_MAX], note[2048];
    size_t base;
    uint64_t t = 0;

    T_ASSERT_OK(et_signer_parse(test_secret, strlen(test_secret), &log, &err));
    T_ASSERT_OK(et_cosigner_generate("witness.test/w1", &w, &err));
    T_ASSERT_INT_EQ(w.alg, ET_KEY_COSIGNATURE_V1);
    /* text forms round-trip, with 0x04 in the blob; each parser takes
     * only its own kind */
    T_ASSERT_OK(et_signer_format_secret(&w, text, sizeof(text)));
    T_ASSERT_OK(et_signer_format_verifier(&w, vtext, sizeof(vtext)));
    T_ASSERT_OK(et_cosigner_parse(vtext, strlen(vtext), &wv, &err));
    T_ASSERT_INT_EQ(wv.key_id, w.key_id);
    T_ASSERT_INT_EQ(wv.has_secret, 0);
    T_ASSERT_OK(et_cosigner_parse(text, strlen(text), &other, &err));
    T_ASSERT_MEM_EQ(other.pk, w.pk, ET_ED25519_PK_LEN);
    T_ASSERT_RC(et_signer_parse(vtext, strlen(vtext), &other, &err),
                ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "witness key");
    T_ASSERT_RC(et_cosigner_parse(test_verifier, strlen(test_verifier),
                                  &other, &err),
                ET_EINPUT);
    /* the same name and public key under 0x01 has another key id */
    other = w;
    other.alg = ET_KEY_ED25519;
    T_ASSERT_OK(et_signer_format_verifier(&other, text, sizeof(text)));
    T_ASSERT(strcmp(text, vtext) != 0);

    /* cosign the published note, then verify */
    T_ASSERT_OK(et_checkpoint_cosign(test_note, strlen(test_note), &w,
                                     1790000000, line, sizeof(line), &err));
    T_ASSERT(strncmp(line, "\xe2\x80\x94 witness.test/w1 ", 20) == 0);
    snprintf(note, sizeof(note), "%s%s", test_note, line);
    T_ASSERT_OK(et_checkpoint_verify_cosigned(note, strlen(note), &wv, &got,
                                              &t, &err));
    T_ASSERT_INT_EQ(t, 1790000000);
    T_ASSERT_INT_EQ(got.size, 8);
    /* the log's own signature still verifies beside it */
    T_ASSERT_OK(et_checkpoint_verify(note, strlen(note), &log, &got, &err));
    /* the plain note is not cosigned; a log key is not a witness key */
    T_ASSERT_RC(et_checkpoint_verify_cosigned(test_note, strlen(test_note),
                                              &wv, &got, &t, &err),
                ET_EINTEGRITY);
    T_ASSERT_STR_CONTAINS(err.msg, "not cosigned");
    T_ASSERT_RC(et_checkpoint_verify_cosigned(note, strlen(note), &log, &got,
                                              &t, &err),
                ET_EINVAL);
    /* every byte of the cosignature's base64 matters */
    base = strlen(test_note) + strlen("\xe2\x80\x94 witness.test/w1 ");
    for (size_t i = base; i + 1 < strlen(note); i++) {
        char saved = note[i];

        note[i] = saved == 'A' ? 'B' : 'A';
        T_ASSERT(et_checkpoint_verify_cosigned(note, strlen(note), &wv, &got,
                                               &t, NULL) != ET_OK);
        note[i] = saved;
    }
    /* a cosignature over another body does not carry over */
    T_ASSERT_OK(et_checkpoint_verify_cosigned(note, strlen(note), &wv, &got,
                                              &t, &err));
    note[strlen("exectrail.test/ledger-vectors\n")] = '9';
    T_ASSERT(et_checkpoint_verify_cosigned(note, strlen(note), &wv, &got, &t,
                                           NULL) != ET_OK);
    /* refusals */
    T_ASSERT_RC(et_checkpoint_cosign(test_note, strlen(test_note), &w, 0, line,
                                     sizeof(line), &err),
                ET_EINVAL);
    T_ASSERT_RC(et_checkpoint_cosign(test_note, strlen(test_note), &log, 1,
                                     line, sizeof(line), &err),
                ET_EINVAL);
    T_ASSERT_RC(et_checkpoint_cosign(test_note, strlen(test_note), &wv, 1,
                                     line, sizeof(line), &err),
                ET_EINVAL);
    T_ASSERT_RC(et_checkpoint_cosign("no blank line\n", 14, &w, 1, line,
                                     sizeof(line), &err),
                ET_EINPUT);
    T_ASSERT_RC(et_checkpoint_cosign(test_note, strlen(test_note), &w, 1, line,
                                     20, &err),
                ET_EINVAL);
    {
        struct et_checkpoint cp;

        memset(&cp, 0, sizeof(cp));
        snprintf(cp.origin, sizeof(cp.origin), "x");
        T_ASSERT_RC(et_checkpoint_sign(&cp, &w, note, sizeof(note), &err),
                    ET_EINVAL);
        T_ASSERT_STR_CONTAINS(err.msg, "witness key");
    }
    et_signer_wipe(&w);
    et_signer_wipe(&log);
}

T_TEST(checkpoint_every_byte_modified)
{
    struct et_signer v;
    char note[sizeof(test_note) + 1];
    size_t len = strlen(test_note);

    T_ASSERT_OK(
        et_signer_parse(test_verifier, strlen(test_verifier), &v, NULL));
    T_ASSERT_OK(verify_note(test_note, len, &v));
    for (size_t i = 0; i < len; i++) {
        for (int c = 0; c < 256; c++) {
            int rc;

            if (c == (unsigned char)test_note[i])
                continue;
            memcpy(note, test_note, len);
            note[i] = (char)c;
            rc = verify_note(note, len, &v);
            if (rc != ET_EINPUT && rc != ET_EINTEGRITY) {
                t_fail(__FILE__, __LINE__, "note with byte %zu = 0x%02x: %s", i,
                       c, t_status_name(rc));
                return;
            }
        }
        /* Truncated at i, or with byte i removed. */
        T_ASSERT(verify_note(test_note, i, &v) != ET_OK);
        memcpy(note, test_note, i);
        memcpy(note + i, test_note + i + 1, len - i - 1);
        T_ASSERT(verify_note(note, len - 1, &v) != ET_OK);
    }
}

T_TEST(checkpoint_wrong_key)
{
    struct et_signer s, other, renamed;
    struct et_checkpoint cp, got;
    struct et_error err = ET_ERROR_INIT;
    char note[1024], both[2048], *sig;

    T_ASSERT_OK(et_signer_parse(test_secret, strlen(test_secret), &s, &err));
    /* Another key with the same name: the key id tells them apart. */
    T_ASSERT_OK(et_signer_generate("exectrail-test", &other, &err));
    T_ASSERT_RC(
        et_checkpoint_verify(test_note, strlen(test_note), &other, &got, &err),
        ET_EINTEGRITY);
    T_ASSERT_STR_CONTAINS(err.msg, "different key named 'exectrail-test'");
    T_ASSERT_INT_EQ(got.size, 0);
    /* The right key under another name. */
    renamed = s;
    snprintf(renamed.name, sizeof(renamed.name), "exectrail-other");
    T_ASSERT_RC(et_checkpoint_verify(test_note, strlen(test_note), &renamed,
                                     &got, &err),
                ET_EINTEGRITY);
    T_ASSERT_STR_CONTAINS(err.msg, "not signed by key 'exectrail-other'");
    /* A note signed by another key only. */
    memset(&cp, 0, sizeof(cp));
    snprintf(cp.origin, sizeof(cp.origin), "exectrail.test/ledger-vectors");
    cp.size = 8;
    T_ASSERT(unhex(rfc_roots[7], cp.root, sizeof(cp.root)) == ET_HASH_LEN);
    cp.time_ns = TEST_TIME_NS;
    T_ASSERT_OK(et_checkpoint_sign(&cp, &other, note, sizeof(note), &err));
    T_ASSERT_RC(et_checkpoint_verify(note, strlen(note), &s, &got, &err),
                ET_EINTEGRITY);
    /* The other key's signature line added to ours: ignored. */
    snprintf(both, sizeof(both), "%s%s", test_note, strstr(note, "\n\n") + 2);
    T_ASSERT_OK(et_checkpoint_verify(both, strlen(both), &s, &got, &err));
    T_ASSERT_OK(et_checkpoint_verify(both, strlen(both), &other, &got, &err));
    snprintf(both, sizeof(both), "%s%s", note, strstr(test_note, "\n\n") + 2);
    T_ASSERT_OK(et_checkpoint_verify(both, strlen(both), &s, &got, &err));
    /* Our name and key id, but the body no longer matches the signature. */
    snprintf(both, sizeof(both), "%s", test_note);
    T_ASSERT(both[30] == '8');
    both[30] = '9';
    T_ASSERT_RC(et_checkpoint_verify(both, strlen(both), &s, &got, &err),
                ET_EINTEGRITY);
    T_ASSERT_STR_CONTAINS(err.msg, "does not verify");
    /* ... even when another line by the same key does verify. */
    snprintf(both, sizeof(both), "%s%s", test_note,
             strstr(test_note, "\n\n") + 2);
    T_ASSERT_OK(et_checkpoint_verify(both, strlen(both), &s, &got, &err));
    /* Characters 8..11 of the base64 are signature bytes 6..8. */
    sig = strstr(both, "\n\n") + 2 + strlen("\xe2\x80\x94 exectrail-test ");
    T_ASSERT(memcmp(sig + 8, "1QG6", 4) == 0);
    memcpy(sig + 8, "AAAA", 4);
    T_ASSERT_RC(et_checkpoint_verify(both, strlen(both), &s, &got, &err),
                ET_EINTEGRITY);
    T_ASSERT_STR_CONTAINS(err.msg, "does not verify");
}

/* A note made of body lines and our real signature line. */
static int verify_text(const struct et_signer *v, const char *text,
                       struct et_error *err)
{
    struct et_checkpoint cp;

    return et_checkpoint_verify(text, strlen(text), v, &cp, err);
}

T_TEST(checkpoint_malformed)
{
    static const struct {
        const char *note;
        const char *msg;
    } bad[] = {
        {"", "no blank line"},
        {"exectrail.test/ledger-vectors\n8\n", "no blank line"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n",
         "no signature lines"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
         "\xe2\x80\x94 exectrail-test gx8R",
         "no newline"},
        {"exectrail.test/ledger-vectors\n+8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "not a decimal"},
        {"exectrail.test/ledger-vectors\n08\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "not a decimal"},
        {"exectrail.test/ledger-vectors\n18446744073709551616\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "not a decimal"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw==\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "32 bytes"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "32 bytes"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "32 bytes"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7Zoqudgjq_L0lgz-Nw7/RgQyg=\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "32 bytes"},
        {"\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "origin"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\nother 1\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "extension line"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
         "time 2025-01-16T10:30:00Z\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "extension line"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
         "time 9999-12-31T23:59:59.999Z\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "extension line"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
         "time 2025-01-16T10:30:00.000Z\ntime 2025-01-16T10:30:00.000Z\n\n"
         "\xe2\x80\x94 x AAAAAAAA\n",
         "after the time"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
         "- x AAAAAAAA\n",
         "em dash"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
         "\xe2\x80\x94 x AAAA\n",
         "base64"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
         "\xe2\x80\x94 xAAAAAAAA\n",
         "no signature"},
        {"exectrail.test/ledger-vectors\n8\n"
         "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n"
         "\xe2\x80\x94 a+b AAAAAAAA\n",
         "signer name"},
    };
    struct et_signer v;
    struct et_error err = ET_ERROR_INIT;
    static char big[ET_NOTE_MAX + 2];
    size_t hdr;

    T_ASSERT_OK(
        et_signer_parse(test_verifier, strlen(test_verifier), &v, NULL));
    for (size_t i = 0; i < ET_ARRAY_SIZE(bad); i++) {
        int rc = verify_text(&v, bad[i].note, &err);

        if (rc != ET_EINPUT || !strstr(err.msg, bad[i].msg)) {
            t_fail(__FILE__, __LINE__, "case %zu: %s: %s", i, t_status_name(rc),
                   err.msg);
            return;
        }
    }
    /* A NUL byte, and notes over the size limit (filled with other
     * signers' lines, which would otherwise be fine). */
    T_ASSERT_RC(et_checkpoint_verify("a\0b\n\n", 5, &v, NULL, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "NUL");
    hdr = strlen(test_note);
    memcpy(big, test_note, hdr);
    memset(big + hdr, '\n', sizeof(big) - hdr);
    T_ASSERT_RC(et_checkpoint_verify(big, ET_NOTE_MAX + 1, &v, NULL, &err),
                ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "longer than");
    /* Up to 100 signature lines; more are refused. */
    for (int lines = 99; lines <= 100; lines++) {
        size_t len = hdr;

        for (int i = 0; i < lines; i++) {
            static const char other[] = "\xe2\x80\x94 someone-else AAAAAAAA\n";
            memcpy(big + len, other, sizeof(other) - 1);
            len += sizeof(other) - 1;
        }
        T_ASSERT(len <= ET_NOTE_MAX);
        T_ASSERT_RC(et_checkpoint_verify(big, len, &v, NULL, &err),
                    lines < 100 ? ET_OK : ET_EINPUT);
    }
    T_ASSERT_RC(et_checkpoint_verify(NULL, 0, &v, NULL, &err), ET_EINVAL);
}

/* ---- tests/data/ledger-vectors.json ---- */

static const char *jstr(struct json_object *o, const char *key)
{
    struct json_object *v;

    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static struct json_object *jget(struct json_object *o, const char *key,
                                enum json_type type)
{
    struct json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
        return NULL;
    return v;
}

static uint64_t juint(struct json_object *o, const char *key)
{
    struct json_object *v = jget(o, key, json_type_int);

    return v ? (uint64_t)json_object_get_int64(v) : UINT64_MAX;
}

/* Load the proof array at o[key]; -1 on a malformed entry. */
static long jproof(struct json_object *o, uint8_t (*proof)[ET_HASH_LEN])
{
    struct json_object *a = jget(o, "proof", json_type_array);
    size_t n;

    if (!a)
        return -1;
    n = json_object_array_length(a);
    if (n > ET_PROOF_MAX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct json_object *h = json_object_array_get_idx(a, i);

        if (!json_object_is_type(h, json_type_string) ||
            unhex(json_object_get_string(h), proof[i], ET_HASH_LEN) !=
                ET_HASH_LEN)
            return -1;
    }
    return (long)n;
}

static void check_json_merkle(struct json_object *root_obj)
{
    static uint8_t leaves[64][ET_HASH_LEN];
    uint8_t root[ET_HASH_LEN], want[ET_PROOF_MAX][ET_HASH_LEN];
    uint8_t proof[ET_PROOF_MAX][ET_HASH_LEN], r1[ET_HASH_LEN];
    struct json_object *a;
    struct et_error err = ET_ERROR_INIT;
    size_t n_leaves, np;

    a = jget(root_obj, "leaves", json_type_array);
    T_ASSERT(a != NULL);
    n_leaves = json_object_array_length(a);
    T_ASSERT(n_leaves >= 1 && n_leaves <= 64);
    for (size_t i = 0; i < n_leaves; i++) {
        struct json_object *l = json_object_array_get_idx(a, i);
        const char *data = jstr(l, "data"), *lh = jstr(l, "leaf_hash");
        uint8_t bytes[256];
        long len;

        T_ASSERT(data && lh);
        len = unhex(data, bytes, sizeof(bytes));
        T_ASSERT(len >= 0);
        et_merkle_leaf_hash(bytes, (size_t)len, leaves[i]);
        T_ASSERT(hash_is(leaves[i], lh));
    }
    T_ASSERT(jstr(root_obj, "empty_root"));
    et_merkle_root(ET_HASHES(leaves), 0, root);
    T_ASSERT(hash_is(root, jstr(root_obj, "empty_root")));

    a = jget(root_obj, "roots", json_type_array);
    T_ASSERT(a != NULL && json_object_array_length(a) > 0);
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        struct json_object *r = json_object_array_get_idx(a, i);
        uint64_t size = juint(r, "size");
        struct et_tree t;

        T_ASSERT(size >= 1 && size <= n_leaves && jstr(r, "root"));
        et_merkle_root(ET_HASHES(leaves), size, root);
        T_ASSERT(hash_is(root, jstr(r, "root")));
        et_tree_init(&t);
        for (size_t j = 0; j < size; j++)
            et_tree_append(&t, leaves[j]);
        et_tree_root(&t, root);
        T_ASSERT(hash_is(root, jstr(r, "root")));
    }

    a = jget(root_obj, "inclusion", json_type_array);
    T_ASSERT(a != NULL && json_object_array_length(a) > 0);
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        struct json_object *v = json_object_array_get_idx(a, i);
        uint64_t index = juint(v, "index"), size = juint(v, "size");
        long nw = jproof(v, want);

        T_ASSERT(size <= n_leaves && index < size && nw >= 0);
        T_ASSERT_OK(et_merkle_inclusion_proof(ET_HASHES(leaves), size, index,
                                              proof, &np, &err));
        T_ASSERT_INT_EQ(np, nw);
        T_ASSERT_MEM_EQ(proof, want, np * ET_HASH_LEN);
        et_merkle_root(ET_HASHES(leaves), size, root);
        T_ASSERT_OK(et_merkle_inclusion_verify(
            index, size, leaves[index], ET_HASHES(want), np, root, &err));
    }

    a = jget(root_obj, "consistency", json_type_array);
    T_ASSERT(a != NULL && json_object_array_length(a) > 0);
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        struct json_object *v = json_object_array_get_idx(a, i);
        uint64_t m = juint(v, "first"), n = juint(v, "second");
        long nw = jproof(v, want);

        T_ASSERT(m >= 1 && m <= n && n <= n_leaves && nw >= 0);
        T_ASSERT_OK(et_merkle_consistency_proof(ET_HASHES(leaves), n, m, proof,
                                                &np, &err));
        T_ASSERT_INT_EQ(np, nw);
        T_ASSERT_MEM_EQ(proof, want, np * ET_HASH_LEN);
        et_merkle_root(ET_HASHES(leaves), m, r1);
        et_merkle_root(ET_HASHES(leaves), n, root);
        T_ASSERT_OK(et_merkle_consistency_verify(m, n, r1, root,
                                                 ET_HASHES(want), np, &err));
    }
}

static void check_json_checkpoint(struct json_object *root_obj)
{
    struct json_object *c = jget(root_obj, "checkpoint", json_type_object);
    const char *secret, *verifier, *note, *origin, *root_hex, *when, *id;
    struct et_signer s, v;
    struct et_checkpoint cp, got;
    struct et_error err = ET_ERROR_INIT;
    uint8_t pk[ET_ED25519_PK_LEN];
    char buf[1024];

    T_ASSERT(c != NULL);
    secret = jstr(c, "secret_key");
    verifier = jstr(c, "verifier_key");
    note = jstr(c, "note");
    origin = jstr(c, "origin");
    root_hex = jstr(c, "root");
    when = jstr(c, "time");
    id = jstr(c, "key_id");
    T_ASSERT(secret && verifier && note && origin && root_hex && when && id);
    T_ASSERT(jstr(c, "public_key") &&
             unhex(jstr(c, "public_key"), pk, sizeof(pk)) == sizeof(pk));

    T_ASSERT_OK(et_signer_parse(secret, strlen(secret), &s, &err));
    T_ASSERT_OK(et_signer_parse(verifier, strlen(verifier), &v, &err));
    T_ASSERT_MEM_EQ(s.pk, pk, sizeof(pk));
    T_ASSERT_MEM_EQ(v.pk, pk, sizeof(pk));
    snprintf(buf, sizeof(buf), "%08x", (unsigned)v.key_id);
    T_ASSERT_STR_EQ(buf, id);
    T_ASSERT_OK(et_signer_format_verifier(&s, buf, sizeof(buf)));
    T_ASSERT_STR_EQ(buf, verifier);

    memset(&cp, 0, sizeof(cp));
    T_ASSERT(strlen(origin) < sizeof(cp.origin));
    snprintf(cp.origin, sizeof(cp.origin), "%s", origin);
    cp.size = juint(c, "size");
    T_ASSERT(unhex(root_hex, cp.root, sizeof(cp.root)) == ET_HASH_LEN);
    T_ASSERT_OK(et_time_parse(when, strlen(when), false, &cp.time_ns));
    T_ASSERT_OK(et_checkpoint_sign(&cp, &s, buf, sizeof(buf), &err));
    T_ASSERT_STR_EQ(buf, note);
    T_ASSERT_OK(et_checkpoint_verify(note, strlen(note), &v, &got, &err));
    T_ASSERT_STR_EQ(got.origin, cp.origin);
    T_ASSERT_INT_EQ(got.size, cp.size);
    T_ASSERT_MEM_EQ(got.root, cp.root, ET_HASH_LEN);
    T_ASSERT_INT_EQ(got.time_ns, cp.time_ns);
}

T_TEST(vectors_json)
{
    const char *dir = getenv("ET_SOURCE_DIR");
    struct json_object *root_obj;
    char path[4096];

    if (!dir || !*dir)
        T_SKIP("ET_SOURCE_DIR is not set");
    snprintf(path, sizeof(path), "%s/tests/data/ledger-vectors.json", dir);
    root_obj = json_object_from_file(path);
    T_ASSERT(root_obj != NULL);
    check_json_merkle(root_obj);
    if (!t_stopped())
        check_json_checkpoint(root_obj);
    json_object_put(root_obj);
}

T_MAIN("ledger", T_CASE(rfc6962_leaf_hashes_and_roots),
       T_CASE(rfc6962_inclusion_proofs), T_CASE(rfc6962_consistency_proofs),
       T_CASE(inclusion_every_size_and_index),
       T_CASE(consistency_every_pair_of_sizes), T_CASE(proof_edge_cases),
       T_CASE(tree_head_matches_root), T_CASE(tree_decode_rejects_bad_state),
       T_CASE(signer_generate_format_parse), T_CASE(signer_test_key_vector),
       T_CASE(signer_names), T_CASE(signer_tampered_text),
       T_CASE(checkpoint_sign_verify), T_CASE(checkpoint_every_byte_modified),
       T_CASE(checkpoint_wrong_key), T_CASE(checkpoint_malformed),
       T_CASE(witness_cosignature),
       T_CASE(vectors_json), T_CASE(sha_accel_same_hashes))
