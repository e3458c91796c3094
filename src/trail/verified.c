/* SPDX-License-Identifier: MIT */
/*
 * The verification record: `exectrail verify` leaves in meta.verified what
 * it found (ledger, projections) at which tree head, with a hash of the
 * report tables, signed by the trail's key. Reports compare it with their
 * own tree head and report tables, which costs a read of the rollups, not
 * a verification.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "trail/verified.h"

#include <sodium.h>

#define VERIFIED_META "verified"
#define VERIFIED_HEAD "exectrail verified v1\n"

struct vrec {
    uint64_t size;
    uint8_t root[ET_HASH_LEN];
    enum et__vpart ledger, projections;
    uint8_t reports[32];
    int64_t time_ns;
};

static const char *const part_names[] = {"failed", "ok", "unchecked"};

static void hex(const uint8_t *b, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, b, n);
}

/* The signed part of the record. */
static int body_of(const char *origin, const struct vrec *r, struct et_buf *b)
{
    char root[ET_HASH_LEN * 2 + 1], rep[65];

    hex(r->root, ET_HASH_LEN, root);
    hex(r->reports, 32, rep);
    return et_buf_printf(b,
                         VERIFIED_HEAD "origin %s\nsize %llu\nroot %s\n"
                                       "ledger %s\nprojections %s\n"
                                       "reports %s\ntime %lld\n",
                         origin, (unsigned long long)r->size, root,
                         part_names[r->ledger], part_names[r->projections], rep,
                         (long long)r->time_ns);
}

static int part_of(const char *s, size_t n, enum et__vpart *out)
{
    for (int i = 0; i < 3; i++) {
        if (strlen(part_names[i]) == n && !memcmp(s, part_names[i], n)) {
            *out = (enum et__vpart)i;
            return 0;
        }
    }
    return -1;
}

/* Parse text and check its signature with the trail's key: 0, or -1 for
 * a record that is malformed or not signed by this trail. */
static int parse(struct et_trail *t, const char *text, struct vrec *r)
{
    const char *sig = strstr(text, "\nsig ");
    const char *fields = strstr(text, "\nsize ");
    char root[ET_HASH_LEN * 2 + 1], rep[65], ledger[16], proj[16];
    char sighex[crypto_sign_BYTES * 2 + 1];
    uint8_t s[crypto_sign_BYTES];
    unsigned long long size;
    long long tns;
    unsigned kid;

    memset(r, 0, sizeof(*r));
    if (!sig || !fields ||
        strncmp(text, VERIFIED_HEAD, strlen(VERIFIED_HEAD)) != 0)
        return -1;
    if (sscanf(fields,
               "\nsize %llu\nroot %64s\nledger "
               "%15s\nprojections %15s\nreports "
               "%64s\ntime %lld",
               &size, root, ledger, proj, rep, &tns) != 6 ||
        sscanf(sig, "\nsig %8x %128s", &kid, sighex) != 2)
        return -1;
    if (kid != t->signer.key_id ||
        sodium_hex2bin(s, sizeof(s), sighex, strlen(sighex), NULL, NULL,
                       NULL) != 0 ||
        crypto_sign_verify_detached(s, (const uint8_t *)text,
                                    (size_t)(sig - text) + 1,
                                    t->signer.pk) != 0)
        return -1;
    if (sodium_hex2bin(r->root, ET_HASH_LEN, root, strlen(root), NULL, NULL,
                       NULL) != 0 ||
        sodium_hex2bin(r->reports, 32, rep, strlen(rep), NULL, NULL, NULL) !=
            0 ||
        part_of(ledger, strlen(ledger), &r->ledger) ||
        part_of(proj, strlen(proj), &r->projections))
        return -1;
    r->size = size;
    r->time_ns = tns;
    return 0;
}

static int load(struct et_trail *t, struct vrec *r, bool *found_out)
{
    char *text = NULL;
    int rc;

    *found_out = false;
    rc = et_store_meta_get(t->st, VERIFIED_META, &text, NULL);
    if (rc)
        return rc == ET_ENOTFOUND ? 0 : -1;
    *found_out = true;
    rc = parse(t, text, r);
    et__free(text);
    return rc;
}

static int save(struct et_trail *t, const struct vrec *r)
{
    struct et_buf b = ET_BUF_INIT;
    uint8_t sig[crypto_sign_BYTES];
    char sighex[crypto_sign_BYTES * 2 + 1];
    char *origin = NULL;
    int rc;

    if (et_store_meta_get(t->st, "install_id", &origin, NULL) != ET_OK)
        origin = NULL;
    rc = body_of(origin ? origin : "-", r, &b);
    et__free(origin);
    if (!rc) {
        crypto_sign_detached(sig, NULL, (const uint8_t *)b.ptr, b.len,
                             t->signer.sk);
        hex(sig, sizeof(sig), sighex);
        rc = et_buf_printf(&b, "sig %08x %s\n", (unsigned)t->signer.key_id,
                           sighex);
    }
    if (!rc)
        rc = et_store_meta_put(t->st, VERIFIED_META, b.ptr, NULL);
    et_buf_release(&b);
    return rc;
}

void et__verified_note(struct et_trail *t, uint64_t size,
                       const uint8_t root[ET_HASH_LEN], enum et__vpart ledger,
                       enum et__vpart projections)
{
    struct vrec r, old;
    struct et_tree head;
    uint8_t now[ET_HASH_LEN];
    bool found, same_head;

    if (et__trail_signer(t, NULL) != ET_OK || !t->signer.has_secret)
        return; /* a verifier-only install records nothing */
    if (et_store_begin(t->st, true, NULL) != ET_OK)
        return;
    memset(&r, 0, sizeof(r));
    if (et_store_head_load(t->st, &head, NULL) != ET_OK)
        goto out;
    et_tree_root(&head, now);
    /* a writer came in since verify read the trail: not what was checked */
    if (head.size != size || sodium_memcmp(now, root, ET_HASH_LEN) != 0)
        goto out;
    r.size = size;
    memcpy(r.root, root, ET_HASH_LEN);
    r.ledger = ledger;
    r.projections = ET_VPART_UNCHECKED;
    same_head = load(t, &old, &found) == 0 && found && old.size == size &&
                sodium_memcmp(old.root, root, ET_HASH_LEN) == 0;
    if (projections != ET_VPART_UNCHECKED) {
        /* over the ledger result at the same head only */
        if (!same_head)
            goto out;
        r.ledger = old.ledger;
        r.projections = projections;
    } else if (same_head && old.ledger == ledger) {
        /* a ledger-only check confirms what is recorded; the projections'
         * result at this head stands (the report tables' hash decides) */
        r.projections = old.projections;
    }
    if (et_store_report_digest(t->st, r.reports, NULL) != ET_OK)
        goto out;
    /* nothing new: the store is left byte for byte as it was (a check
     * that runs twice changes nothing) */
    if (same_head && old.ledger == r.ledger &&
        old.projections == r.projections &&
        sodium_memcmp(old.reports, r.reports, sizeof(r.reports)) == 0)
        goto out;
    r.time_ns = et_time_now_ns();
    if (save(t, &r) != ET_OK)
        goto out;
    if (et_store_commit(t->st, NULL) == ET_OK)
        return;
out:
    et_store_rollback(t->st);
}

static void say(struct et__vstatus *out, const char *status, const char *fmt,
                ...) ET_PRINTF(3, 4);

static void say(struct et__vstatus *out, const char *status, const char *fmt,
                ...)
{
    va_list ap;

    out->status = status;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof(out->message), fmt, ap);
    va_end(ap);
}

int et__verified_status(struct et_trail *t, const struct et_tree *head,
                        struct et__vstatus *out, struct et_error *err)
{
    struct vrec r;
    uint8_t root[ET_HASH_LEN], rep[32];
    bool found;
    int rc;

    memset(out, 0, sizeof(*out));
    if (et__trail_signer(t, NULL) != ET_OK) {
        say(out, "not_checked",
            "not verified: no key here to check a verification record");
        return ET_OK;
    }
    if (load(t, &r, &found) != 0) {
        say(out, "invalid",
            "NOT verified: the verification record is not signed by this "
            "trail's key (altered?)");
        return ET_OK;
    }
    if (!found) {
        say(out, "not_checked",
            "not verified: 'exectrail verify' has not checked this trail");
        return ET_OK;
    }
    et_time_format(r.time_ns, out->checked_at);
    out->size = r.size;
    et_tree_root(head, root);
    if (r.size != head->size || sodium_memcmp(r.root, root, ET_HASH_LEN) != 0) {
        say(out, "stale",
            "not verified at this tree head: 'exectrail verify' last "
            "checked %llu events (%s)",
            (unsigned long long)r.size, out->checked_at);
        return ET_OK;
    }
    if (r.ledger == ET_VPART_FAILED || r.projections == ET_VPART_FAILED) {
        say(out, "failed",
            "NOT verified: 'exectrail verify' found %s altered at this "
            "tree head (%s)",
            r.ledger == ET_VPART_FAILED ? "the ledger" : "the projections",
            out->checked_at);
        return ET_OK;
    }
    rc = et_store_report_digest(t->st, rep, err);
    if (rc)
        return rc;
    if (sodium_memcmp(rep, r.reports, sizeof(rep)) != 0) {
        say(out, "altered",
            "NOT verified: the report tables changed after 'exectrail "
            "verify' checked this tree head (%s)",
            out->checked_at);
        return ET_OK;
    }
    if (r.projections == ET_VPART_UNCHECKED)
        say(out, "ledger_verified",
            "the ledger verified at this tree head (%s); the projections "
            "the figures come from were not checked",
            out->checked_at);
    else
        say(out, "verified",
            "verified: 'exectrail verify' checked the ledger and every "
            "projection at this tree head (%s)",
            out->checked_at);
    return ET_OK;
}
