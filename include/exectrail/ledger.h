/* SPDX-License-Identifier: MIT */
/*
 * The ledger's public primitives: RFC 9162 Merkle tree hashing, inclusion and
 * consistency proofs, and signed checkpoints in the C2SP signed-note style.
 * These are what a third party needs to check an export or a proof without
 * the store. See docs/LEDGER.md for the formats and test vectors.
 */
#ifndef ET_EXECTRAIL_LEDGER_H
#define ET_EXECTRAIL_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ET_HASH_LEN      32
#define ET_TREE_MAX_PEAK 64 /* a tree of up to 2^64-1 leaves */

/* SHA-256(data). */
ET_API void et_hash_sha256(const void *data, size_t len,
                           uint8_t out[ET_HASH_LEN]);
/* Leaf hash: SHA-256(0x00 || data). */
ET_API void et_merkle_leaf_hash(const void *data, size_t len,
                                uint8_t out[ET_HASH_LEN]);
/* Interior node hash: SHA-256(0x01 || left || right). */
ET_API void et_merkle_node_hash(const uint8_t left[ET_HASH_LEN],
                                const uint8_t right[ET_HASH_LEN],
                                uint8_t out[ET_HASH_LEN]);

/*
 * Incremental tree head (the "compact range" of RFC 9162 logs): the roots of
 * the perfect subtrees that make up a tree of `size` leaves, largest first.
 * There are popcount(size) of them. Append is O(log n); value type, no heap.
 */
struct et_tree {
    uint64_t size;
    unsigned n_peaks;
    uint8_t peaks[ET_TREE_MAX_PEAK][ET_HASH_LEN];
};

ET_API void et_tree_init(struct et_tree *t);
/* Add a leaf hash at index t->size. */
ET_API void et_tree_append(struct et_tree *t, const uint8_t leaf[ET_HASH_LEN]);
/* Root hash (MTH); for an empty tree, SHA-256 of the empty string. */
ET_API void et_tree_root(const struct et_tree *t, uint8_t out[ET_HASH_LEN]);
/*
 * Serialised state for storage: 8-byte big-endian size then the peaks.
 * et_tree_encode writes 8 + 32*n_peaks bytes into out (room for
 * 8 + 32*ET_TREE_MAX_PEAK) and returns that length. et_tree_decode returns
 * ET_EINPUT when the bytes are not a consistent state.
 */
ET_API size_t et_tree_encode(const struct et_tree *t, uint8_t *out);
ET_API ET_NODISCARD int et_tree_decode(const uint8_t *in, size_t len,
                                       struct et_tree *t);

/*
 * Proofs over an array of leaf hashes leaves[0..n). The proof arrays hold
 * at most ET_TREE_MAX_PEAK * 2 hashes; *n_out is set to the count.
 * RFC 9162 section 2.1.3 (inclusion) and 2.1.4 (consistency).
 * Generation returns ET_EINVAL when index >= n, or unless 0 < m <= n (the
 * proof for m == n is empty). Verification returns ET_EINTEGRITY when the
 * proof does not prove the claim (including index >= size, m > n and
 * over-long proofs) and ET_EINVAL for m == 0. Pure functions, thread safe.
 */
#define ET_PROOF_MAX (ET_TREE_MAX_PEAK * 2)
/*
 * C11 does not convert uint8_t (*)[N] to const uint8_t (*)[N] implicitly
 * (-Wpedantic errors): wrap a non-const hash array, e.g.
 * et_merkle_root(ET_HASHES(leaves), n, root).
 */
#define ET_HASHES(p) ((const uint8_t(*)[ET_HASH_LEN])(p))
ET_API void et_merkle_root(const uint8_t (*leaves)[ET_HASH_LEN], uint64_t n,
                           uint8_t out[ET_HASH_LEN]);
ET_API ET_NODISCARD int
et_merkle_inclusion_proof(const uint8_t (*leaves)[ET_HASH_LEN], uint64_t n,
                          uint64_t index, uint8_t (*proof)[ET_HASH_LEN],
                          size_t *n_out, struct et_error *err);
ET_API ET_NODISCARD int
et_merkle_consistency_proof(const uint8_t (*leaves)[ET_HASH_LEN], uint64_t n,
                            uint64_t m, uint8_t (*proof)[ET_HASH_LEN],
                            size_t *n_out, struct et_error *err);
/* ET_OK when the proof shows leaf at index in a tree of size with root. */
ET_API ET_NODISCARD int et_merkle_inclusion_verify(
    uint64_t index, uint64_t size, const uint8_t leaf[ET_HASH_LEN],
    const uint8_t (*proof)[ET_HASH_LEN], size_t n_proof,
    const uint8_t root[ET_HASH_LEN], struct et_error *err);
/* ET_OK when the proof shows tree (m, root_m) is a prefix of (n, root_n). */
ET_API ET_NODISCARD int et_merkle_consistency_verify(
    uint64_t m, uint64_t n, const uint8_t root_m[ET_HASH_LEN],
    const uint8_t root_n[ET_HASH_LEN], const uint8_t (*proof)[ET_HASH_LEN],
    size_t n_proof, struct et_error *err);

/* ---- signing keys and checkpoints ---- */

#define ET_ED25519_SK_LEN 64 /* libsodium secret key (seed || public key) */
#define ET_ED25519_PK_LEN 32

/* Key types (the signed-note algorithm byte): a log's checkpoint key, and a
 * witness's cosignature key (C2SP tlog-cosignature, "cosignature/v1"). */
#define ET_KEY_ED25519        1
#define ET_KEY_COSIGNATURE_V1 4

struct et_signer {
    char name[64];                 /* key name, e.g. "exectrail-<host>-<id>" */
    uint8_t sk[ET_ED25519_SK_LEN]; /* zero for a verifier-only key */
    uint8_t pk[ET_ED25519_PK_LEN];
    uint32_t key_id; /* first 4 bytes of SHA-256(name "\n" alg pk) */
    int has_secret;
    int alg; /* ET_KEY_ED25519 (0 means the same) or ET_KEY_COSIGNATURE_V1 */
};

/* New random Ed25519 key named name. */
ET_API ET_NODISCARD int et_signer_generate(const char *name,
                                           struct et_signer *out,
                                           struct et_error *err);
/*
 * Text forms (the note/sumdb key format):
 *   secret:   "PRIVATE+KEY+<name>+<key id hex8>+<base64(0x01 || seed32)>"
 *   verifier: "<name>+<key id hex8>+<base64(0x01 || pk32)>"
 * et_signer_parse accepts either (a verifier leaves has_secret = 0), with
 * no trailing newline; it checks every field and returns ET_EINPUT, e.g.
 * "key id does not match". The format functions return ET_EINVAL when the
 * buffer is too small (the output buffers need 256 bytes) and
 * et_signer_format_secret returns ET_ESTATE for a verifier-only key.
 */
ET_API ET_NODISCARD int et_signer_format_secret(const struct et_signer *s,
                                                char *out, size_t cap);
ET_API ET_NODISCARD int et_signer_format_verifier(const struct et_signer *s,
                                                  char *out, size_t cap);
ET_API ET_NODISCARD int et_signer_parse(const char *text, size_t len,
                                        struct et_signer *out,
                                        struct et_error *err);
/* Overwrite the secret key material. */
ET_API void et_signer_wipe(struct et_signer *s);

/*
 * Witness keys: the same text forms with algorithm byte 0x04
 * (cosignature/v1) in the base64 blob and the key id; the format functions
 * above write them too (they follow s->alg). et_cosigner_parse accepts
 * only witness keys, et_signer_parse only log keys.
 */
ET_API ET_NODISCARD int et_cosigner_generate(const char *name,
                                             struct et_signer *out,
                                             struct et_error *err);
ET_API ET_NODISCARD int et_cosigner_parse(const char *text, size_t len,
                                          struct et_signer *out,
                                          struct et_error *err);

struct et_checkpoint {
    char origin[128]; /* first line, e.g. "exectrail.local/<id>" */
    uint64_t size;
    uint8_t root[ET_HASH_LEN];
    int64_t time_ns; /* extension line "time <RFC 3339>" (0 = none) */
};

/*
 * Signed note text:
 *   <origin>\n<size>\n<base64 root>\n[time <RFC 3339 ms>\n]\n
 *   \u2014 <name> <base64(key id BE32 || signature64)>\n
 * The signature is Ed25519 over the body (every line before the blank line,
 * each with its newline). out receives the whole note (NUL-terminated).
 */
ET_API ET_NODISCARD int et_checkpoint_sign(const struct et_checkpoint *cp,
                                           const struct et_signer *s, char *out,
                                           size_t cap, struct et_error *err);
/*
 * Parse a note and verify that one of its signature lines is by `s` (name
 * and key id match, signature valid). ET_EINPUT for a malformed note
 * (including one longer than ET_NOTE_MAX bytes or with extension lines
 * other than one "time" line), ET_EINTEGRITY for a missing or bad
 * signature. Signature lines by other keys are ignored; every line by `s`
 * must verify. *out is filled only on success (zeroed otherwise).
 */
#define ET_NOTE_MAX 16384
ET_API ET_NODISCARD int et_checkpoint_verify(const char *note, size_t len,
                                             const struct et_signer *s,
                                             struct et_checkpoint *out,
                                             struct et_error *err);

/*
 * Witness cosignatures (C2SP tlog-cosignature, cosignature/v1, Ed25519):
 * a signature line by witness key w whose blob is key id (4 bytes) ||
 * time (8 bytes, big-endian seconds since 1970) || Ed25519 signature of
 *   "cosignature/v1\ntime <time>\n" || the checkpoint body.
 * et_checkpoint_cosign parses note (a checkpoint, its own signatures are
 * not checked here) and writes the line, with its newline, to line.
 * et_checkpoint_verify_cosigned checks that note carries a valid
 * cosignature by w (errors as et_checkpoint_verify) and gives the newest
 * cosignature time of w's lines in *time_out (may be NULL). A witness key
 * given to et_checkpoint_verify works the same way.
 */
#define ET_COSIG_LINE_MAX 256
ET_API ET_NODISCARD int et_checkpoint_cosign(const char *note, size_t len,
                                             const struct et_signer *w,
                                             uint64_t time_s, char *line,
                                             size_t cap, struct et_error *err);
ET_API ET_NODISCARD int
et_checkpoint_verify_cosigned(const char *note, size_t len,
                              const struct et_signer *w,
                              struct et_checkpoint *out, uint64_t *time_out,
                              struct et_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_LEDGER_H */
