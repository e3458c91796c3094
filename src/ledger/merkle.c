/* SPDX-License-Identifier: MIT */
/*
 * RFC 9162 section 2.1 Merkle tree hashing: the leaf and interior node
 * hashes (domain-separated by a 0x00 / 0x01 prefix) and the Merkle Tree Hash
 * of an array of leaf hashes. SHA-256 comes from libsodium, or for the
 * leaves of the bulk paths from libcrypto (sha_accel.c).
 */
#include "base/setup.h"
#include "exectrail/ledger.h"
#include "ledger/merkle_int.h"
#include "ledger/sha_accel.h"

#include <sodium.h>

void et_hash_sha256(const void *data, size_t len, uint8_t out[ET_HASH_LEN])
{
    static const unsigned char empty[1] = {0};

    /* libsodium wants a valid pointer even for zero bytes. */
    crypto_hash_sha256(out, data ? data : empty, len);
}

void et_merkle_leaf_hash(const void *data, size_t len, uint8_t out[ET_HASH_LEN])
{
    static const uint8_t prefix[1] = {0x00};
    crypto_hash_sha256_state st;

    if (et__sha_accel_leaf(0x00, data, len, out))
        return;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, prefix, 1);
    if (len > 0)
        crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

void et_merkle_node_hash(const uint8_t left[ET_HASH_LEN],
                         const uint8_t right[ET_HASH_LEN],
                         uint8_t out[ET_HASH_LEN])
{
    uint8_t buf[1 + 2 * ET_HASH_LEN];

    /* Copy first: out may alias left or right. */
    buf[0] = 0x01;
    memcpy(buf + 1, left, ET_HASH_LEN);
    memcpy(buf + 1 + ET_HASH_LEN, right, ET_HASH_LEN);
    if (et__sha_accel_leaf(0x01, buf + 1, 2 * ET_HASH_LEN, out))
        return;
    crypto_hash_sha256(out, buf, sizeof(buf));
}

uint64_t et__merkle_split(uint64_t n)
{
    uint64_t k = 1;

    ET_ASSERT(n >= 2);
    /* k < n - k is 2k < n without overflowing at k = 2^63. */
    while (k < n - k)
        k <<= 1;
    return k;
}

void et__merkle_mth(const uint8_t (*d)[ET_HASH_LEN], uint64_t n,
                    uint8_t out[ET_HASH_LEN])
{
    uint8_t left[ET_HASH_LEN], right[ET_HASH_LEN];
    uint64_t k;

    if (n == 1) {
        memcpy(out, d[0], ET_HASH_LEN);
        return;
    }
    k = et__merkle_split(n);
    et__merkle_mth(d, k, left);
    et__merkle_mth(d + k, n - k, right);
    et_merkle_node_hash(left, right, out);
}

void et_merkle_root(const uint8_t (*leaves)[ET_HASH_LEN], uint64_t n,
                    uint8_t out[ET_HASH_LEN])
{
    if (n == 0) {
        et_hash_sha256(NULL, 0, out);
        return;
    }
    ET_ASSERT(leaves != NULL);
    et__merkle_mth(leaves, n, out);
}
