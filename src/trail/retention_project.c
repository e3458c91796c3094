/* SPDX-License-Identifier: MIT */
/*
 * How retention events change the projections (docs/RETENTION.md): holds,
 * runs and schedule bookkeeping in the retention state table; an erased
 * execution leaves every projection; a restored one is projected again from
 * its ledger events. Used on append and by rebuild alike.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "trail/rollup.h"
#include "trail/trail_int.h"

/* Take an execution out of the reports' rollups (its counts and its
 * issues), as it is about to leave the projections. */
static int unroll(struct et_trail *t, const char *id, struct et_error *err)
{
    struct et_exec_row r;
    struct json_object *doc = NULL;
    struct et__rollup old;
    int rc = et_store_exec_get(t->st, id, &r, err);

    if (rc == ET_ENOTFOUND)
        return ET_OK; /* never projected (or already gone) */
    if (rc)
        return rc;
    rc = et_json_parse(r.doc, r.doc_len, NULL, &doc, err);
    if (rc)
        return et_error_prefix(err, "stored document of %s", id);
    et__rollup_of(&r, doc, &old);
    rc = et__rollup_update(t, &old, NULL, err);
    if (!rc)
        rc = et__issues_rollup(t, &r, et__jget(doc, "issues"), -1, err);
    json_object_put(doc);
    return rc;
}

int et__ret_forget_flush(struct et_trail *t, struct et_error *err)
{
    const char **ids;
    int rc;

    if (!t->n_gone)
        return ET_OK;
    for (size_t i = 0; i < t->n_gone; i++) {
        rc = unroll(t, t->gone[i], err);
        if (rc)
            return rc;
    }
    ids = et__malloc(t->n_gone * sizeof(*ids));
    if (!ids)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->n_gone; i++)
        ids[i] = t->gone[i];
    rc = et_store_exec_forget(t->st, ids, t->n_gone, err);
    et__free(ids);
    t->n_gone = 0;
    return rc;
}

static int forget_later(struct et_trail *t, const char *id,
                        struct et_error *err)
{
    if (t->n_gone == t->cap_gone) {
        size_t cap = t->cap_gone ? t->cap_gone * 2 : 256;
        char(*p)[37] = et__realloc(t->gone, cap * sizeof(*p));

        if (!p)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        t->gone = p;
        t->cap_gone = cap;
    }
    snprintf(t->gone[t->n_gone++], 37, "%s", id);
    /* bound the batch: forget every few thousand */
    return t->n_gone >= 4096 && !t->gone_whole ? et__ret_forget_flush(t, err)
                                               : ET_OK;
}

struct reproject {
    struct et_trail *t;
    struct et_error *err;
};

static int reproject_row(void *ctx, const struct et_event_row *row)
{
    struct reproject *rp = ctx;
    struct json_object *ev = NULL;
    int rc;

    if (!row->body || !strncmp(row->type, "retention.", 10))
        return 0;
    rc = et_json_parse(row->body, row->body_len, NULL, &ev, rp->err);
    if (rc)
        return et_error_prefix(rp->err, "event %llu",
                               (unsigned long long)row->seq);
    rc = et__project(rp->t, row->seq, row->type, row->execution_id, row->ts_ns,
                     json_object_object_get(ev, "body"), rp->err);
    json_object_put(ev);
    return rc;
}

/* Project the execution's events before seq again (their payloads were
 * refilled from an archive). */
static int restored(struct et_trail *t, uint64_t seq, const char *id,
                    struct et_error *err)
{
    struct reproject rp = {t, err};
    uint64_t *seqs = NULL;
    size_t n = 0;
    int rc = et__ret_forget_flush(t, err);

    if (!rc)
        rc = et_store_exec_seqs(t->st, id, &seqs, &n, err);
    for (size_t i = 0; !rc && i < n && seqs[i] < seq; i++)
        rc = et_store_read_range(t->st, seqs[i], seqs[i] + 1, reproject_row,
                                 &rp, err);
    et__free(seqs);
    return rc;
}

static int put_json(struct et_trail *t, const char *key, struct json_object *v,
                    uint64_t seq, struct et_error *err)
{
    struct et_buf b = ET_BUF_INIT;
    int rc = et_json_canon(v, &b);

    if (rc)
        rc = et_error_set(err, rc, "cannot encode retention state");
    else
        rc = et_store_rstate_put(t->st, key, b.ptr, seq, err);
    et_buf_release(&b);
    return rc;
}

int et__project_retention(struct et_trail *t, uint64_t seq, const char *type,
                          const char *execution_id, int64_t ts_ns,
                          struct json_object *body, struct et_error *err)
{
    struct json_object *v;
    const char *s;
    char key[128];
    int rc;

    if (!strcmp(type, "retention.erased") && execution_id)
        return forget_later(t, execution_id, err);
    rc = et__ret_forget_flush(t, err);
    if (rc)
        return rc;
    if (!strcmp(type, "retention.restored") && execution_id)
        return restored(t, seq, execution_id, err);
    if (!strcmp(type, "retention.hold") && execution_id) {
        snprintf(key, sizeof(key), "hold:%s", execution_id);
        v = et__jnew_object();
        s = et__jstr(body, "reason");
        et__jadd(v, "reason", et__jnew_string(s ? s : ""));
        et__jadd(v, "since_ns", et__jnew_int64(ts_ns));
        et__jadd(v, "seq", et__jnew_int64((int64_t)seq));
        rc = put_json(t, key, v, seq, err);
        json_object_put(v);
        return rc;
    }
    if (!strcmp(type, "retention.unhold") && execution_id) {
        snprintf(key, sizeof(key), "hold:%s", execution_id);
        return et_store_rstate_del(t->st, key, err);
    }
    /* runs ("run:<id>") and schedule tasks ("task:<period>"): the latest
     * event's body, with its time */
    s = et__jstr(body, "key");
    if (s &&
        (!strcmp(type, "retention.run") || !strcmp(type, "retention.task"))) {
        snprintf(key, sizeof(key), "%.120s", s);
        v = et__jnew_object();
        et__jadd(v, "event", json_object_get(body));
        et__jadd(v, "ts_ns", et__jnew_int64(ts_ns));
        rc = put_json(t, key, v, seq, err);
        json_object_put(v);
        return rc;
    }
    return ET_OK; /* other retention events are kept, not projected */
}
