/* SPDX-License-Identifier: MIT */
/*
 * Consistency proofs of the trail (RFC 9162 section 2.1.4): that the
 * current log, as a freshly signed checkpoint shows it, extends the log of
 * an earlier size unchanged (docs/LEDGER.md).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "codec/json.h"
#include "trail/trail_int.h"

#include <sodium.h>

static void add_hex(struct json_object *o, const char *key, const uint8_t *b)
{
    char h[ET_HASH_LEN * 2 + 1];

    sodium_bin2hex(h, sizeof(h), b, ET_HASH_LEN);
    et__jadd(o, key, et__jnew_string(h));
}

static int proof_json(struct et_trail *t, const char *note, uint64_t m,
                      uint64_t n, const uint8_t (*leaves)[ET_HASH_LEN],
                      char **json_out, struct et_error *err)
{
    uint8_t proof[ET_PROOF_MAX][ET_HASH_LEN], root_m[ET_HASH_LEN],
        root_n[ET_HASH_LEN];
    struct json_object *out = et__jnew_object(), *arr;
    struct et_buf b = ET_BUF_INIT;
    size_t np = 0;
    int rc;

    rc = et_merkle_consistency_proof(leaves, n, m, proof, &np, err);
    if (rc)
        goto out;
    et_merkle_root(leaves, m, root_m);
    et_merkle_root(leaves, n, root_n);
    arr = et__jnew_array();
    for (size_t i = 0; i < np; i++) {
        char h[ET_HASH_LEN * 2 + 1];
        sodium_bin2hex(h, sizeof(h), proof[i], ET_HASH_LEN);
        et__jappend(arr, et__jnew_string(h));
    }
    et__jadd(out, "old_size", et__jnew_int64((int64_t)m));
    add_hex(out, "old_root", root_m);
    et__jadd(out, "tree_size", et__jnew_int64((int64_t)n));
    add_hex(out, "root_hash", root_n);
    et__jadd(out, "consistency_proof", arr);
    et__jadd(out, "checkpoint", et__jnew_string(note));
    et__jadd(out, "verifier_key", et__jnew_string(t->verifier));
    rc = et_json_write(out, ET_JSON_PRETTY, &b);
    if (!rc)
        *json_out = et_buf_detach(&b, NULL);
    else
        rc = et_error_set(err, rc, "cannot write the proof");
out:
    json_object_put(out);
    et_buf_release(&b);
    return rc;
}

/* Sign and store a checkpoint of the current head (*note, its parsed form
 * in *cp) and read the leaves below it (*leaves, et__free). */
static int signed_leaves(struct et_trail *t, char **note,
                         struct et_checkpoint *cp,
                         uint8_t (**leaves)[ET_HASH_LEN], struct et_error *err)
{
    int rc;

    *note = NULL;
    *leaves = NULL;
    /* sign first: the leaves below the signed size never change, so they
     * can be read after the signature whatever is appended meanwhile */
    rc = et_trail_checkpoint(t, note, err);
    if (rc)
        return rc;
    rc = et_checkpoint_verify(*note, strlen(*note), &t->signer, cp, err);
    if (!rc)
        rc = et_store_begin(t->st, false, err);
    if (!rc) {
        rc = et_store_leaves(t->st, cp->size, leaves, err);
        et_store_rollback(t->st);
    }
    if (rc) {
        et__free(*note);
        *note = NULL;
    }
    return rc;
}

static int too_large(uint64_t old_size, uint64_t size, struct et_error *err)
{
    return et_error_set(err, ET_EINPUT,
                        "old_size: %llu is larger than the log (%llu events)",
                        (unsigned long long)old_size,
                        (unsigned long long)size);
}

int et_trail_consistency_proof(struct et_trail *t, uint64_t old_size,
                               char **json_out, struct et_error *err)
{
    uint8_t(*leaves)[ET_HASH_LEN] = NULL;
    struct et_checkpoint cp;
    char *note = NULL;
    int rc;

    *json_out = NULL;
    if (old_size == 0)
        return et_error_set(err, ET_EINPUT, "old_size: must be at least 1");
    rc = signed_leaves(t, &note, &cp, &leaves, err);
    if (!rc && old_size > cp.size)
        rc = too_large(old_size, cp.size, err);
    if (!rc)
        rc = proof_json(t, note, old_size, cp.size,
                        (const uint8_t(*)[ET_HASH_LEN])leaves, json_out, err);
    et__free(leaves);
    et__free(note);
    return rc;
}

int et_trail_consistency_hashes(struct et_trail *t, uint64_t m, uint64_t n,
                                uint8_t (*proof)[ET_HASH_LEN], size_t *n_proof,
                                struct et_error *err)
{
    uint8_t(*leaves)[ET_HASH_LEN] = NULL;
    int rc;

    *n_proof = 0;
    if (m > n)
        return too_large(m, n, err);
    if (m == 0 || m == n)
        return ET_OK;
    rc = et_store_begin(t->st, false, err);
    if (rc)
        return rc;
    rc = et_store_leaves(t->st, n, &leaves, err);
    et_store_rollback(t->st);
    if (!rc)
        rc = et_merkle_consistency_proof((const uint8_t(*)[ET_HASH_LEN])leaves,
                                         n, m, proof, n_proof, err);
    et__free(leaves);
    return rc;
}
