/* SPDX-License-Identifier: MIT */
/*
 * Authorised erasure (docs/LEDGER.md, "Erasure"): a retention.erased event
 * carries an Ed25519 signature, by the trail's key, over what it erases:
 * the execution, the rule, the run and each erased event's sequence number
 * and leaf hash. verify honours an erased payload only when such a
 * signature checks (or, for an event written before signatures, when a
 * signed checkpoint covers the erasure event), so nulling a payload and
 * appending a made-up erasure without the key is reported as tampering.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "codec/json.h"
#include "trail/trail_int.h"

#include <sodium.h>

#define ERASURE_DOMAIN "exectrail retention.erased v1\n"

/* The signed message; ET_EINPUT when seqs and leaves do not pair up. */
static int message(const char *id, const char *rule, const char *run,
                   struct json_object *seqs, struct json_object *leaves,
                   struct et_buf *m)
{
    size_t n;
    int rc;

    if (!json_object_is_type(seqs, json_type_array) ||
        !json_object_is_type(leaves, json_type_array) ||
        json_object_array_length(seqs) != json_object_array_length(leaves))
        return ET_EINPUT;
    n = json_object_array_length(seqs);
    rc = et_buf_printf(m, "%sexecution %s\nrule %s\nrun %s\n", ERASURE_DOMAIN,
                       id ? id : "", rule ? rule : "", run ? run : "");
    for (size_t i = 0; !rc && i < n; i++) {
        const char *h =
            json_object_get_string(json_object_array_get_idx(leaves, i));

        rc = et_buf_printf(m, "%lld %s\n",
                           (long long)json_object_get_int64(
                               json_object_array_get_idx(seqs, i)),
                           h ? h : "");
    }
    return rc;
}

int et__erasure_sign(struct et_trail *t, const char *id,
                     struct json_object *body, struct json_object *leaves,
                     struct et_error *err)
{
    struct et_buf m = ET_BUF_INIT;
    uint8_t sig[crypto_sign_BYTES];
    char hex[crypto_sign_BYTES * 2 + 1], kid[9];
    struct json_object *auth = NULL, *v;
    int rc = et__trail_signer(t, err);

    if (rc)
        return rc;
    if (!t->signer.has_secret)
        return et_error_set(err, ET_ENOTFOUND,
                            "no signing key in %s: cannot authorise an "
                            "erasure",
                            t->dir);
    rc = message(id, et__jstr(body, "rule"), et__jstr(body, "run"),
                 et__jget(body, "seqs"), leaves, &m);
    if (rc) {
        et_buf_release(&m);
        return et_error_set(err, rc, "cannot describe the erasure");
    }
    crypto_sign_detached(sig, NULL, (const uint8_t *)m.ptr, m.len,
                         t->signer.sk);
    et_buf_release(&m);
    sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
    snprintf(kid, sizeof(kid), "%08x", (unsigned)t->signer.key_id);
    auth = et__jnew_object();
    rc = auth ? ET_OK : ET_ENOMEM;
    if (!rc && et__jadd(auth, "leaves", json_object_get(leaves)))
        rc = ET_ENOMEM;
    if (!rc && (!(v = et__jnew_string(kid)) || et__jadd(auth, "key_id", v)))
        rc = ET_ENOMEM;
    if (!rc && (!(v = et__jnew_string(hex)) || et__jadd(auth, "sig", v)))
        rc = ET_ENOMEM;
    if (!rc && et__jadd(body, "auth", auth))
        rc = ET_ENOMEM;
    else if (!rc)
        auth = NULL;
    json_object_put(auth);
    return rc ? et_error_set(err, rc, "out of memory") : ET_OK;
}

int et__erasure_check(struct et_trail *t, const char *id,
                      struct json_object *body, char *why, size_t cap)
{
    struct json_object *auth = et__jget(body, "auth");
    struct et_buf m = ET_BUF_INIT;
    uint8_t sig[crypto_sign_BYTES];
    const char *hex = et__jstr(auth, "sig");
    size_t n = 0;
    int rc;

    if (!auth)
        return ET_ENOTFOUND;
    if (!hex ||
        sodium_hex2bin(sig, sizeof(sig), hex, strlen(hex), NULL, &n, NULL) !=
            0 ||
        n != sizeof(sig)) {
        snprintf(why, cap, "its signature is malformed");
        return ET_EINTEGRITY;
    }
    rc = message(id, et__jstr(body, "rule"), et__jstr(body, "run"),
                 et__jget(body, "seqs"), et__jget(auth, "leaves"), &m);
    if (rc) {
        et_buf_release(&m);
        snprintf(why, cap, "its seqs and leaves do not pair up");
        return ET_EINTEGRITY;
    }
    rc = crypto_sign_verify_detached(sig, (const uint8_t *)m.ptr, m.len,
                                     t->signer.pk) == 0
             ? ET_OK
             : ET_EINTEGRITY;
    et_buf_release(&m);
    if (rc)
        snprintf(why, cap,
                 "its signature does not verify with the trail's "
                 "key");
    return rc;
}
