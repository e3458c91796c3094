/* SPDX-License-Identifier: MIT */
/*
 * Proving the trail: verify (recompute every leaf and the tree, compare with
 * the stored head and signed checkpoints, name the first bad event),
 * checkpoint (sign the tree head), proof (inclusion proofs for one
 * execution) and rebuild (projections from the ledger).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "ledger/sha_accel.h"
#include "trail/trail_int.h"
#include "trail/verified.h"

#include <sodium.h>

struct ckpt {
    uint64_t size;
    uint8_t root[ET_HASH_LEN];
    bool external;
};

struct vctx {
    struct et_trail *t;
    struct et_verify_report *rep;
    struct et_tree tree;
    uint64_t expect;
    struct ckpt *ck; /* sorted by size */
    size_t n_ck, next_ck;
    uint64_t last_good; /* largest size whose root matched a checkpoint */
    /* the first checkpoint that did not match, reported after the tree head
     * check (which can name a narrower range) */
    bool ck_bad;
    uint64_t ck_bad_size, ck_bad_from;
    bool ck_bad_external;
    /* erased payloads and the retention.erased events that cover them */
    uint64_t *erased, *covered;
    size_t n_erased, cap_erased, n_covered, cap_covered;
    /* the last retention.erased event written before erasures were signed
     * (honoured only under a signed checkpoint that covers it) */
    bool has_legacy;
    uint64_t legacy_seq;
    char *install_id;       /* meta.install_id, or NULL */
    uint64_t last_good_ext; /* largest given checkpoint that matched */
    struct et_error *err;
};

static int push_seq(uint64_t **v, size_t *n, size_t *cap, uint64_t seq)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 1024;
        uint64_t *p = et__realloc(*v, c * sizeof(*p));

        if (!p)
            return ET_ENOMEM;
        *v = p;
        *cap = c;
    }
    (*v)[(*n)++] = seq;
    return ET_OK;
}

static int fail_at(struct vctx *v, uint64_t seq, const char *exec_id,
                   const char *fmt, ...) ET_PRINTF(4, 5);

/* A retention.erased event: remember the seqs it covers, and describe the
 * first erasure for the report. */
static int note_erasure(struct vctx *v, const struct et_event_row *row)
{
    struct json_object *ev = NULL, *body, *seqs;
    int rc = ET_OK;

    if (et_json_parse(row->body, row->body_len, NULL, &ev, NULL) != ET_OK)
        return ET_OK; /* its hash was checked: not ours to judge further */
    body = et__jget(ev, "body");
    seqs = et__jget(body, "seqs");
    {
        char why[160];
        int a =
            et__erasure_check(v->t, row->execution_id, body, why, sizeof(why));

        if (a == ET_ENOTFOUND) {
            v->has_legacy = true;
            v->legacy_seq = row->seq;
        } else if (a) {
            json_object_put(ev);
            return fail_at(v, row->seq, row->execution_id,
                           "event %llu: a retention.erased event that is not "
                           "authorised: %s (a forged erasure?)",
                           (unsigned long long)row->seq, why);
        }
    }
    for (size_t i = 0; seqs && json_object_is_type(seqs, json_type_array) &&
                       !rc && i < json_object_array_length(seqs);
         i++)
        rc = push_seq(&v->covered, &v->n_covered, &v->cap_covered,
                      (uint64_t)json_object_get_int64(
                          json_object_array_get_idx(seqs, i)));
    if (!v->rep->erased_note[0]) {
        const char *rule = et__jstr(body, "rule");
        const char *ts = et__jstr(ev, "ts");

        snprintf(v->rep->erased_note, sizeof(v->rep->erased_note),
                 "execution %s erased by policy %s at %s (event %llu)",
                 row->execution_id ? row->execution_id : "?", rule ? rule : "?",
                 ts ? ts : "?", (unsigned long long)row->seq);
    }
    json_object_put(ev);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static int fail_at(struct vctx *v, uint64_t seq, const char *exec_id,
                   const char *fmt, ...)
{
    va_list ap;

    v->rep->bad_seq = (int64_t)seq;
    if (exec_id && *exec_id)
        snprintf(v->rep->bad_execution, sizeof(v->rep->bad_execution), "%s",
                 exec_id);
    else if (et_store_exec_for_seq(v->t->st, seq, v->rep->bad_execution,
                                   NULL) != ET_OK)
        v->rep->bad_execution[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(v->rep->problem, sizeof(v->rep->problem), fmt, ap);
    va_end(ap);
    return ET_EINTEGRITY;
}

/*
 * The event's own top-level "seq": the last `,"seq":` in the canonical
 * bytes. Keys are sorted, so only "ts", "type" and "v" (plain values) come
 * after it, and inside strings a quote is always escaped.
 */
static bool embedded_seq(const char *b, size_t len, uint64_t *out)
{
    static const char pat[] = ",\"seq\":";
    const size_t plen = sizeof(pat) - 1;
    uint64_t v = 0;

    if (len < plen)
        return false;
    for (size_t i = len - plen + 1; i-- > 0;) {
        if (b[i] != ',' || memcmp(b + i, pat, plen) != 0)
            continue;
        i += plen;
        if (i >= len || b[i] < '0' || b[i] > '9')
            return false;
        while (i < len && b[i] >= '0' && b[i] <= '9') {
            if (v > (UINT64_MAX - 9) / 10)
                return false;
            v = v * 10 + (uint64_t)(b[i++] - '0');
        }
        *out = v;
        return true;
    }
    return false;
}

static int check_checkpoints(struct vctx *v)
{
    uint8_t root[ET_HASH_LEN];

    while (v->next_ck < v->n_ck && v->ck[v->next_ck].size <= v->tree.size) {
        struct ckpt *c = &v->ck[v->next_ck++];

        if (c->size != v->tree.size)
            continue;
        et_tree_root(&v->tree, root);
        if (sodium_memcmp(root, c->root, ET_HASH_LEN) != 0) {
            if (!v->ck_bad) {
                v->ck_bad = true;
                v->ck_bad_size = c->size;
                /* stored checkpoints can be re-signed by whoever holds
                 * the key beside the store: a given one that disagrees
                 * is narrowed only by given ones */
                v->ck_bad_from = c->external ? v->last_good_ext : v->last_good;
                v->ck_bad_external = c->external;
            }
            continue;
        }
        if (!v->ck_bad) {
            v->last_good = c->size;
            if (c->external)
                v->last_good_ext = c->size;
        }
        v->rep->checkpoints += !c->external;
    }
    return ET_OK;
}

/*
 * The ledger's columns outside the hashed bytes (type, execution_id, ts_ns)
 * are indexes over the body: each must say what the hashed event says, or
 * an edit could move an event into another execution's proof unseen.
 * ts_ns is bound to the millisecond the hashed "ts" carries.
 */
/* A column's text equals a raw top-level string value (no escapes). */
static bool same_text(const char *col, const struct et_json_top *f)
{
    return col && strlen(col) == f->len && memcmp(col, f->val, f->len) == 0;
}

static int check_columns(struct vctx *v, const struct et_event_row *row)
{
    struct json_object *ev = NULL;
    const char *type, *id, *ts;
    char when[ET_RFC3339_MAX];
    const char *what = NULL;
    struct et_json_top f[3] = {{"type", NULL, 0, 0},
                               {"execution_id", NULL, 0, 0},
                               {"ts", NULL, 0, 0}};

    /* the fast path: the three members found by one scan, every column
     * the same (a tree is built only to name what differs) */
    et_time_format(row->ts_ns, when);
    if (et__json_top_strings(row->body, row->body_len, f, 3) == ET_OK &&
        f[0].state == ET_JSON_TOP_STRING && same_text(row->type, &f[0]) &&
        f[2].state == ET_JSON_TOP_STRING && same_text(when, &f[2]) &&
        ((f[1].state == ET_JSON_TOP_ABSENT &&
          (!row->execution_id || !*row->execution_id)) ||
         (f[1].state == ET_JSON_TOP_STRING &&
          same_text(row->execution_id, &f[1]))))
        return ET_OK;
    if (et_json_parse(row->body, row->body_len, NULL, &ev, NULL) != ET_OK)
        return fail_at(v, row->seq, row->execution_id,
                       "event %llu: the stored bytes are not JSON",
                       (unsigned long long)row->seq);
    type = et__jstr(ev, "type");
    id = et__jstr(ev, "execution_id");
    ts = et__jstr(ev, "ts");
    if (!type || !row->type || strcmp(type, row->type) != 0)
        what = "type";
    else if ((id == NULL) !=
                 (row->execution_id == NULL || !*row->execution_id) ||
             (id && strcmp(id, row->execution_id) != 0))
        what = "execution_id";
    else if (!ts || strcmp(ts, when) != 0)
        what = "ts_ns";
    if (what) {
        int rc = fail_at(v, row->seq, id,
                         "event %llu: the ledger's %s column (%.60s) differs "
                         "from the hashed event (%.60s) (altered)",
                         (unsigned long long)row->seq, what,
                         what[0] == 't' && what[1] == 'y' ? row->type
                         : what[0] == 'e'
                             ? (row->execution_id ? row->execution_id : "")
                             : when,
                         what[0] == 't' && what[1] == 'y' ? (type ? type : "")
                         : what[0] == 'e'                 ? (id ? id : "(none)")
                                                          : (ts ? ts : ""));

        json_object_put(ev);
        return rc;
    }
    json_object_put(ev);
    return ET_OK;
}

static int verify_row(void *ctx, const struct et_event_row *row)
{
    struct vctx *v = ctx;
    uint8_t leaf[ET_HASH_LEN];
    uint64_t own = 0;

    if (row->seq != v->expect)
        return fail_at(v, v->expect, NULL,
                       "event %llu is missing (the next stored event is "
                       "%llu)",
                       (unsigned long long)v->expect,
                       (unsigned long long)row->seq);
    if (row->body) {
        et_merkle_leaf_hash(row->body, row->body_len, leaf);
        if (sodium_memcmp(leaf, row->leaf, ET_HASH_LEN) != 0)
            return fail_at(v, row->seq, row->execution_id,
                           "event %llu: the stored bytes do not match its "
                           "leaf hash (altered)",
                           (unsigned long long)row->seq);
        if (!embedded_seq(row->body, row->body_len, &own) || own != row->seq)
            return fail_at(v, row->seq, row->execution_id,
                           "event %llu: the event says it is number %llu "
                           "(events were reordered or moved)",
                           (unsigned long long)row->seq,
                           (unsigned long long)own);
        if (check_columns(v, row) != ET_OK)
            return ET_EINTEGRITY;
        if (!strcmp(row->type, "retention.erased")) {
            int nrc = note_erasure(v, row);

            if (nrc)
                return nrc;
        }
    } else {
        v->rep->erased++;
        if (push_seq(&v->erased, &v->n_erased, &v->cap_erased, row->seq))
            return ET_ENOMEM;
    }
    et_tree_append(&v->tree, row->leaf);
    v->expect++;
    v->rep->events++;
    return check_checkpoints(v);
}

static int cmp_ckpt(const void *a, const void *b)
{
    const struct ckpt *x = a, *y = b;

    return x->size < y->size ? -1 : x->size > y->size;
}

struct ck_load {
    struct vctx *v;
    struct et_error *err;
    int rc;
};

static int load_ckpt(void *ctx, uint64_t size, const char *note)
{
    struct ck_load *cl = ctx;
    struct vctx *v = cl->v;
    struct et_checkpoint cp;
    struct et_error e = ET_ERROR_INIT;
    struct ckpt *c;

    if (!et_checkpoint_verify(note, strlen(note), &v->t->signer, &cp, &e) &&
        cp.size == size && v->install_id) {
        char want[160];

        snprintf(want, sizeof(want), "exectrail/%s", v->install_id);
        if (strcmp(cp.origin, want) != 0) {
            v->rep->bad_seq = (int64_t)size;
            snprintf(v->rep->problem, sizeof(v->rep->problem),
                     "stored checkpoint of size %llu names origin %.80s, "
                     "not this trail's %.80s (meta.install_id replaced?)",
                     (unsigned long long)size, cp.origin, want);
            return ET_EINTEGRITY;
        }
    }
    if (et_checkpoint_verify(note, strlen(note), &v->t->signer, &cp, &e) ||
        cp.size != size) {
        v->rep->bad_seq = (int64_t)size;
        snprintf(v->rep->problem, sizeof(v->rep->problem),
                 "stored checkpoint of size %llu does not verify: %.150s",
                 (unsigned long long)size, e.msg[0] ? e.msg : "size differs");
        return ET_EINTEGRITY;
    }
    c = et__realloc(v->ck, (v->n_ck + 1) * sizeof(*v->ck));
    if (!c)
        return ET_ENOMEM;
    v->ck = c;
    c[v->n_ck].size = cp.size;
    memcpy(c[v->n_ck].root, cp.root, ET_HASH_LEN);
    c[v->n_ck].external = false;
    v->n_ck++;
    return 0;
}

static int add_external(struct vctx *v, const char *note, size_t len,
                        struct et_error *err)
{
    struct et_checkpoint cp;
    struct ckpt *c;
    int rc = et_checkpoint_verify(note, len, &v->t->signer, &cp, err);

    if (rc)
        return et_error_prefix(err, "given checkpoint");
    c = et__realloc(v->ck, (v->n_ck + 1) * sizeof(*v->ck));
    if (!c)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    v->ck = c;
    c[v->n_ck].size = cp.size;
    memcpy(c[v->n_ck].root, cp.root, ET_HASH_LEN);
    c[v->n_ck].external = true;
    v->n_ck++;
    return ET_OK;
}

/* Every erased payload must be named by a later retention.erased event:
 * a payload removed any other way is tampering. */
static int check_erasures(struct vctx *v)
{
    if (v->n_erased && v->has_legacy && v->last_good <= v->legacy_seq)
        return fail_at(v, v->legacy_seq, NULL,
                       "event %llu: an unsigned retention.erased event that "
                       "no signed checkpoint covers: its erasure is not "
                       "authorised (a forged erasure?)",
                       (unsigned long long)v->legacy_seq);
    if (v->n_covered)
        qsort(v->covered, v->n_covered, sizeof(*v->covered), cmp_u64);
    for (size_t i = 0; i < v->n_erased; i++) {
        uint64_t s = v->erased[i];

        if (v->n_covered &&
            bsearch(&s, v->covered, v->n_covered, sizeof(*v->covered), cmp_u64))
            continue;
        return fail_at(v, s, NULL,
                       "event %llu: its payload is gone but no "
                       "retention.erased event names it (deleted, not "
                       "erased by policy)",
                       (unsigned long long)s);
    }
    return ET_OK;
}

/* After the pass: the stored tree head must equal what was recomputed. */
static int check_head(struct vctx *v, const struct et_tree *stored)
{
    uint64_t off = 0;

    if (stored->size > v->tree.size)
        return fail_at(v, v->tree.size, NULL,
                       "events %llu..%llu are missing: the tree head "
                       "records %llu events",
                       (unsigned long long)v->tree.size,
                       (unsigned long long)(stored->size - 1),
                       (unsigned long long)stored->size);
    if (stored->size < v->tree.size)
        return fail_at(v, stored->size, NULL,
                       "event %llu and later are not covered by the tree "
                       "head (%llu events)",
                       (unsigned long long)stored->size,
                       (unsigned long long)stored->size);
    /* equal sizes: the peaks cover the same ranges; name the first range
     * whose recomputed subtree differs */
    for (unsigned i = 0; i < stored->n_peaks; i++) {
        /* peak i covers the largest power of two left at off */
        uint64_t span = (uint64_t)1
                        << (63 - __builtin_clzll(stored->size - off));

        if (sodium_memcmp(stored->peaks[i], v->tree.peaks[i], ET_HASH_LEN))
            return fail_at(v, off, NULL,
                           "the tree head does not match the events: an "
                           "event in %llu..%llu was rewritten together "
                           "with its leaf hash%s",
                           (unsigned long long)off,
                           (unsigned long long)(off + span - 1),
                           !v->ck_bad ? ""
                           : v->ck_bad_external
                               ? " (nor does the given checkpoint)"
                               : " (nor does the stored signed checkpoint)");
        off += span;
    }
    return ET_OK;
}

/*
 * The trail's identity: exectrail.pub and meta.verifier_key must name the
 * key that verify uses, whose name carries the install id's first 8 hex
 * digits, and every stored checkpoint's origin must be
 * "exectrail/<install_id>". A replaced file or row is tampering.
 */
static int check_identity(struct vctx *v, const char *install_id)
{
    struct et_trail *t = v->t;
    char path[PATH_MAX + 32], pub[256];
    char *meta_key = NULL;
    FILE *f;

    snprintf(path, sizeof(path), "%s/exectrail.pub", t->dir);
    f = fopen(path, "rb");
    if (f) {
        size_t n = fread(pub, 1, sizeof(pub) - 1, f);

        fclose(f);
        pub[n] = '\0';
        while (n && (pub[n - 1] == '\n' || pub[n - 1] == '\r'))
            pub[--n] = '\0';
        if (strcmp(pub, t->verifier) != 0) {
            v->rep->bad_seq = -1;
            snprintf(v->rep->problem, sizeof(v->rep->problem),
                     "exectrail.pub (%.80s) is not the trail's key (%.80s): "
                     "replaced",
                     pub, t->verifier);
            return ET_EINTEGRITY;
        }
    }
    if (et_store_meta_get(t->st, "verifier_key", &meta_key, NULL) == ET_OK) {
        bool same = !strcmp(meta_key, t->verifier);

        if (!same)
            snprintf(v->rep->problem, sizeof(v->rep->problem),
                     "meta.verifier_key (%.80s) is not the trail's key "
                     "(%.80s): replaced",
                     meta_key, t->verifier);
        et__free(meta_key);
        if (!same)
            return ET_EINTEGRITY;
    }
    /* install_id is checked against the stored checkpoints' origin (a
     * key copied into a new store is legitimate: t0003) */
    (void)install_id;
    return ET_OK;
}

int et_trail_verify(struct et_trail *t, const char *note, size_t note_len,
                    struct et_verify_report *rep, struct et_error *err)
{
    struct vctx v;
    struct ck_load cl;
    struct et_tree stored;
    bool has_head = false;
    int rc;

    memset(rep, 0, sizeof(*rep));
    rep->bad_seq = -1;
    memset(&v, 0, sizeof(v));
    v.t = t;
    v.rep = rep;
    et_tree_init(&v.tree);
    rc = et__trail_signer(t, err);
    if (rc)
        return rc;
    rc = et_store_begin(t->st, false, err);
    if (rc)
        return rc;
    rc = et_store_head_load(t->st, &stored, err);
    if (rc)
        goto out;
    has_head = true;
    /* a large ledger: hash its leaves with libcrypto (its load costs a
     * few milliseconds, worth it from a few thousand events) */
    if (stored.size >= ET_SHA_ACCEL_MIN_EVENTS)
        (void)et__sha_accel();
    {
        char *iid = NULL;

        if (et_store_meta_get(t->st, "install_id", &iid, NULL) != ET_OK)
            iid = NULL;
        v.install_id = iid;
        rc = check_identity(&v, iid);
        if (rc)
            goto problem;
    }
    cl.v = &v;
    cl.err = err;
    cl.rc = 0;
    rc = et_store_checkpoint_each(t->st, load_ckpt, &cl, err);
    if (rc == ET_EINTEGRITY || rc == ET_ENOMEM)
        goto problem;
    if (rc)
        goto out;
    if (note) {
        rc = add_external(&v, note, note_len, err);
        if (rc)
            goto out;
    }
    if (v.n_ck)
        qsort(v.ck, v.n_ck, sizeof(*v.ck), cmp_ckpt);
    rc = check_checkpoints(&v); /* size-0 checkpoints */
    if (!rc)
        rc = et_store_read_range(t->st, 0, UINT64_MAX, verify_row, &v, err);
    if (!rc)
        rc = check_head(&v, &stored);
    if (!rc)
        rc = check_erasures(&v);
    if (!rc && v.ck_bad)
        rc = fail_at(&v, v.ck_bad_from, NULL,
                     "the tree of %llu events does not match the %s "
                     "checkpoint: an event in %llu..%llu was rewritten "
                     "together with its leaf hash",
                     (unsigned long long)v.ck_bad_size,
                     v.ck_bad_external ? "given" : "stored signed",
                     (unsigned long long)v.ck_bad_from,
                     (unsigned long long)(v.ck_bad_size - 1));
    if (!rc && v.next_ck < v.n_ck) {
        struct ckpt *c = &v.ck[v.next_ck];

        rc = fail_at(&v, v.tree.size, NULL,
                     "the trail has %llu events but the %s checkpoint "
                     "covers %llu: events were removed",
                     (unsigned long long)v.tree.size,
                     c->external ? "given" : "stored",
                     (unsigned long long)c->size);
    }
    et_tree_root(&v.tree, rep->root);
problem:
    if (rc == ET_EINTEGRITY) {
        rc = et_error_set(err, ET_EINTEGRITY, "%s", rep->problem);
    } else if (rc == ET_ENOMEM) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    }
out:
    et_store_rollback(t->st);
    et__free(v.ck);
    et__free(v.install_id);
    et__free(v.erased);
    et__free(v.covered);
    if (has_head && (rc == ET_OK || rc == ET_EINTEGRITY)) {
        uint8_t root[ET_HASH_LEN];

        /* what reports say about their figures (trail/verified.h) */
        et_tree_root(&stored, root);
        et__verified_note(t, stored.size, root,
                          rc ? ET_VPART_FAILED : ET_VPART_OK,
                          ET_VPART_UNCHECKED);
    }
    return rc;
}

static int sign_head(struct et_trail *t, const struct et_tree *tree,
                     char **note_out, struct et_error *err)
{
    struct et_checkpoint cp;
    char *origin = NULL;
    char *note;
    int rc;

    memset(&cp, 0, sizeof(cp));
    if (et_store_meta_get(t->st, "install_id", &origin, NULL) == ET_OK)
        snprintf(cp.origin, sizeof(cp.origin), "exectrail/%s", origin);
    else
        snprintf(cp.origin, sizeof(cp.origin), "exectrail");
    et__free(origin);
    cp.size = tree->size;
    et_tree_root(tree, cp.root);
    cp.time_ns = et_time_now_ns();
    note = et__malloc(4096);
    if (!note)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    rc = et_checkpoint_sign(&cp, &t->signer, note, 4096, err);
    if (!rc)
        rc = et_store_checkpoint_put(t->st, cp.size, cp.root, cp.time_ns, note,
                                     err);
    if (rc) {
        et__free(note);
        return rc;
    }
    *note_out = note;
    return ET_OK;
}

int et_trail_checkpoint(struct et_trail *t, char **note_out,
                        struct et_error *err)
{
    struct et_tree tree;
    int rc;

    *note_out = NULL;
    rc = et__trail_signer(t, err);
    if (rc)
        return rc;
    if (!t->signer.has_secret)
        return et_error_set(err, ET_ENOTFOUND,
                            "no signing key in %s: cannot sign", t->dir);
    rc = et_store_begin(t->st, true, err);
    if (rc)
        return rc;
    rc = et_store_head_load(t->st, &tree, err);
    if (!rc)
        rc = sign_head(t, &tree, note_out, err);
    if (!rc)
        rc = et_store_commit(t->st, err);
    else
        et_store_rollback(t->st);
    if (rc) {
        et__free(*note_out);
        *note_out = NULL;
    }
    return rc;
}

struct latest_ckpt {
    uint64_t size;
    char *note;
};

static int keep_latest(void *ctx, uint64_t size, const char *note)
{
    struct latest_ckpt *l = ctx;
    char *copy;

    if (l->note && size < l->size)
        return 0;
    copy = et__strdup(note);
    if (!copy)
        return ET_ENOMEM;
    et__free(l->note);
    l->note = copy;
    l->size = size;
    return 0;
}

int et_trail_latest_checkpoint(struct et_trail *t, char **note_out,
                               struct et_error *err)
{
    struct latest_ckpt l = {0, NULL};
    int rc;

    *note_out = NULL;
    rc = et_store_begin(t->st, false, err);
    if (rc)
        return rc;
    rc = et_store_checkpoint_each(t->st, keep_latest, &l, err);
    et_store_rollback(t->st);
    if (rc == ET_ENOMEM)
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (rc) {
        et__free(l.note);
        return rc;
    }
    *note_out = l.note;
    return ET_OK;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, b, n);
}

struct proof_ctx {
    struct json_object *ev;
};

static int grab_event(void *ctx, const struct et_event_row *row)
{
    struct proof_ctx *pc = ctx;

    pc->ev =
        row->body ? et__jnew_string_len(row->body, (int)row->body_len) : NULL;
    return 0;
}

static int proof_entries(struct et_trail *t, const char *id,
                         const uint8_t (*leaves)[ET_HASH_LEN], uint64_t size,
                         struct json_object *arr, struct et_error *err)
{
    uint8_t proof[ET_PROOF_MAX][ET_HASH_LEN];
    uint64_t *seqs = NULL;
    size_t n = 0, np;
    char h[ET_HASH_LEN * 2 + 1];
    int rc = et_store_exec_seqs(t->st, id, &seqs, &n, err);

    for (size_t i = 0; !rc && i < n; i++) {
        struct json_object *e = et__jnew_object(), *p;
        struct proof_ctx pc = {NULL};

        if (seqs[i] >= size)
            break;
        rc = et_merkle_inclusion_proof(leaves, size, seqs[i], proof, &np, err);
        if (!rc)
            rc = et_store_read_range(t->st, seqs[i], seqs[i] + 1, grab_event,
                                     &pc, err);
        if (rc) {
            json_object_put(e);
            break;
        }
        et__jadd(e, "seq", et__jnew_int64((int64_t)seqs[i]));
        hex(leaves[seqs[i]], ET_HASH_LEN, h);
        et__jadd(e, "leaf_hash", et__jnew_string(h));
        et__jadd(e, "event", pc.ev);
        p = et__jnew_array();
        for (size_t j = 0; j < np; j++) {
            hex(proof[j], ET_HASH_LEN, h);
            et__jappend(p, et__jnew_string(h));
        }
        et__jadd(e, "inclusion_proof", p);
        et__jappend(arr, e);
    }
    et__free(seqs);
    return rc;
}

int et_trail_proof(struct et_trail *t, const char *idp, char **json_out,
                   struct et_error *err)
{
    uint8_t(*leaves)[ET_HASH_LEN] = NULL;
    uint8_t root[ET_HASH_LEN];
    struct json_object *out = NULL, *arr;
    struct et_tree tree;
    struct et_buf b = ET_BUF_INIT;
    char id[37], h[ET_HASH_LEN * 2 + 1];
    char *note = NULL;
    int rc;

    *json_out = NULL;
    rc = et__trail_signer(t, err);
    if (rc)
        return rc;
    if (!t->signer.has_secret)
        return et_error_set(err, ET_ENOTFOUND,
                            "no signing key in %s: cannot sign", t->dir);
    rc = et_store_begin(t->st, true, err);
    if (rc)
        return rc;
    rc = et_store_exec_resolve(t->st, idp, id, err);
    if (!rc)
        rc = et_store_head_load(t->st, &tree, err);
    if (!rc)
        rc = sign_head(t, &tree, &note, err);
    if (!rc)
        rc = et_store_leaves(t->st, tree.size, &leaves, err);
    if (rc)
        goto out;
    et_merkle_root((const uint8_t(*)[ET_HASH_LEN])leaves, tree.size, root);
    out = et__jnew_object();
    arr = et__jnew_array();
    et__jadd(out, "execution_id", et__jnew_string(id));
    et__jadd(out, "tree_size", et__jnew_int64((int64_t)tree.size));
    hex(root, ET_HASH_LEN, h);
    et__jadd(out, "root_hash", et__jnew_string(h));
    et__jadd(out, "checkpoint", et__jnew_string(note));
    et__jadd(out, "verifier_key", et__jnew_string(t->verifier));
    et__jadd(out, "events", arr);
    rc = proof_entries(t, id, (const uint8_t(*)[ET_HASH_LEN])leaves, tree.size,
                       arr, err);
    if (!rc)
        rc = et_json_write(out, ET_JSON_PRETTY, &b);
    if (!rc)
        rc = et_store_commit(t->st, err);
    if (!rc)
        *json_out = et_buf_detach(&b, NULL);
out:
    et_store_rollback(t->st);
    et_buf_release(&b);
    json_object_put(out);
    et__free(leaves);
    et__free(note);
    return rc;
}

struct rebuild_ctx {
    struct et_trail *t;
    struct et_error *err;
    uint64_t n, seen, total;
    et_rebuild_progress_fn *on_progress;
    void *ctx;
};

#define REBUILD_PROGRESS_EVERY 10000

static int rebuild_row(void *ctx, const struct et_event_row *row)
{
    struct rebuild_ctx *rc_ = ctx;
    struct json_object *ev = NULL;
    int rc;

    if (++rc_->seen % REBUILD_PROGRESS_EVERY == 0 && rc_->on_progress)
        rc_->on_progress(rc_->ctx, rc_->seen, rc_->total);
    if (!row->body)
        return 0; /* erased by policy: nothing left to project */
    rc = et_json_parse(row->body, row->body_len, NULL, &ev, rc_->err);
    if (rc)
        return et_error_prefix(rc_->err, "event %llu",
                               (unsigned long long)row->seq);
    rc = et__project(rc_->t, row->seq, row->type, row->execution_id, row->ts_ns,
                     et__jget(ev, "body"), rc_->err);
    json_object_put(ev);
    rc_->n++;
    return rc;
}

int et_trail_rebuild(struct et_trail *t, uint64_t *events_out,
                     struct et_error *err)
{
    return et_trail_rebuild_progress(t, NULL, NULL, events_out, err);
}

int et_trail_rebuild_progress(struct et_trail *t,
                              et_rebuild_progress_fn *on_progress, void *pctx,
                              uint64_t *events_out, struct et_error *err)
{
    struct rebuild_ctx ctx = {t, err, 0, 0, 0, on_progress, pctx};
    struct et_tree tree;
    int rc;

    *events_out = 0;
    rc = et__unit_begin(t, err);
    if (rc)
        return rc;
    rc = et_store_head_load(t->st, &tree, err);
    ctx.total = rc ? 0 : tree.size;
    if (!rc)
        rc = et_store_projection_reset(t->st, err);
    if (!rc)
        rc = et_store_read_range(t->st, 0, UINT64_MAX, rebuild_row, &ctx, err);
    if (rc) {
        et__unit_abort(t);
        return rc;
    }
    rc = et__unit_commit(t, err);
    if (!rc)
        *events_out = ctx.n;
    if (!rc && on_progress)
        on_progress(pctx, ctx.seen, ctx.total);
    return rc;
}

/* Rebuild the projections from the ledger inside the caller's write
 * transaction (which the caller rolls back). */
static int scratch_rebuild(struct et_trail *t, struct et_error *err)
{
    struct rebuild_ctx ctx = {t, err, 0, 0, 0, NULL, NULL};
    int rc = et_store_projection_reset(t->st, err);

    if (!rc)
        rc = et_store_read_range(t->st, 0, UINT64_MAX, rebuild_row, &ctx, err);
    if (!rc)
        rc = et__ret_forget_flush(t, err);
    return rc;
}

/*
 * The fast path: a keyed digest of every projection table before and after
 * a scratch rebuild, no copies and no row-by-row comparison. *same_out
 * tells whether the tables hold exactly what the ledger gives.
 */
static int projections_same(struct et_trail *t, bool *same_out,
                            struct et_tree *head_out, struct et_error *err)
{
    uint8_t key[32], before[32], after[32];
    int rc;

    *same_out = false;
    randombytes_buf(key, sizeof(key));
    rc = et_store_projection_scratch(t->st, true, err);
    if (!rc)
        rc = et_store_begin(t->st, true, err);
    if (rc) {
        if (et_store_projection_scratch(t->st, false, NULL) != ET_OK)
            return rc; /* the first failure is the one to report */
        return rc;
    }
    t->in_ingest = true;
    rc = et_store_head_load(t->st, head_out, err);
    if (!rc)
        rc = et_store_projection_digest(t->st, key, false, before, err);
    if (!rc)
        rc = scratch_rebuild(t, err);
    if (!rc)
        rc = et_store_projection_digest(t->st, key, true, after, err);
    if (!rc)
        *same_out = sodium_memcmp(before, after, sizeof(before)) == 0;
    t->n_gone = 0;
    et_store_rollback(t->st);
    {
        int rc2 = et_store_projection_scratch(t->st, false, err);

        if (!rc)
            rc = rc2;
    }
    return rc;
}

/* The slow path, taken only when the digests differ: copy every table
 * aside, rebuild, and name the first row that differs. */
static int projections_diff(struct et_trail *t, struct et_error *err)
{
    char where[512];
    int rc = et_store_begin(t->st, true, err);

    if (rc)
        return rc;
    t->in_ingest = true;
    rc = et_store_projection_snapshot(t->st, err);
    if (!rc)
        rc = scratch_rebuild(t, err);
    if (!rc) {
        rc = et_store_projection_diff(t->st, where, sizeof(where), err);
        if (rc == ET_EINTEGRITY)
            rc = et_error_set(err, ET_EINTEGRITY,
                              "projections: %s (the ledger verifies; run "
                              "'exectrail rebuild' to recompute them)",
                              where);
    }
    t->n_gone = 0;
    et_store_rollback(t->st);
    return rc;
}

int et_trail_verify_projections(struct et_trail *t, struct et_error *err)
{
    bool was = t->in_ingest, same = false;
    struct et_tree head;
    int rc;

    rc = et__trail_security(t, false, err);
    if (rc)
        return rc;
    et_tree_init(&head);
    /* a scratch rebuild in a transaction that is never committed */
    rc = projections_same(t, &same, &head, err);
    if (rc == ET_EUNAVAIL) { /* a backend without digests: compare rows */
        rc = ET_OK;
        same = false;
    }
    /* digests compare types as well as values: a difference the row
     * comparison does not see is no difference (the slow path decides) */
    if (!rc && !same)
        rc = projections_diff(t, err);
    t->in_ingest = was;
    if (head.size && (rc == ET_OK || rc == ET_EINTEGRITY)) {
        uint8_t root[ET_HASH_LEN];

        /* over the ledger result verify recorded at this head */
        et_tree_root(&head, root);
        et__verified_note(t, head.size, root, ET_VPART_OK,
                          rc ? ET_VPART_FAILED : ET_VPART_OK);
    }
    return rc;
}
