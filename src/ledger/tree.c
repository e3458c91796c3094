/* SPDX-License-Identifier: MIT */
/*
 * The incremental tree head: the roots of the perfect subtrees ("peaks") that
 * make up a tree of `size` leaves, largest first, one per set bit of size.
 * Appending a leaf merges equal-sized peaks like a binary carry.
 */
#include "base/setup.h"
#include "exectrail/ledger.h"

static unsigned popcount64(uint64_t v)
{
    unsigned n = 0;

    while (v) {
        v &= v - 1;
        n++;
    }
    return n;
}

void et_tree_init(struct et_tree *t)
{
    memset(t, 0, sizeof(*t));
}

void et_tree_append(struct et_tree *t, const uint8_t leaf[ET_HASH_LEN])
{
    uint8_t h[ET_HASH_LEN];
    uint64_t s = t->size;

    if (s == UINT64_MAX)
        ET_BUG("merkle tree is full");
    if (t->n_peaks != popcount64(s))
        ET_BUG("merkle tree state is inconsistent");
    memcpy(h, leaf, ET_HASH_LEN);
    /* Each trailing 1 bit of size is a peak of the new leaf's height. */
    while (s & 1) {
        t->n_peaks--;
        et_merkle_node_hash(t->peaks[t->n_peaks], h, h);
        s >>= 1;
    }
    memcpy(t->peaks[t->n_peaks], h, ET_HASH_LEN);
    t->n_peaks++;
    t->size++;
}

void et_tree_root(const struct et_tree *t, uint8_t out[ET_HASH_LEN])
{
    uint8_t r[ET_HASH_LEN];
    unsigned i;

    if (t->n_peaks == 0) {
        et_hash_sha256(NULL, 0, out);
        return;
    }
    /* Fold from the right: the smallest peak is the deepest right child. */
    i = t->n_peaks - 1;
    memcpy(r, t->peaks[i], ET_HASH_LEN);
    while (i-- > 0)
        et_merkle_node_hash(t->peaks[i], r, r);
    memcpy(out, r, ET_HASH_LEN);
}

size_t et_tree_encode(const struct et_tree *t, uint8_t *out)
{
    for (unsigned i = 0; i < 8; i++)
        out[i] = (uint8_t)(t->size >> (56 - 8 * i));
    memcpy(out + 8, t->peaks, (size_t)t->n_peaks * ET_HASH_LEN);
    return 8 + (size_t)t->n_peaks * ET_HASH_LEN;
}

int et_tree_decode(const uint8_t *in, size_t len, struct et_tree *t)
{
    uint64_t size = 0;
    size_t n;

    et_tree_init(t);
    if (!in || len < 8 || (len - 8) % ET_HASH_LEN != 0)
        return ET_EINPUT;
    n = (len - 8) / ET_HASH_LEN;
    for (unsigned i = 0; i < 8; i++)
        size = size << 8 | in[i];
    if (n != popcount64(size))
        return ET_EINPUT;
    t->size = size;
    t->n_peaks = (unsigned)n;
    memcpy(t->peaks, in + 8, n * ET_HASH_LEN);
    return ET_OK;
}
