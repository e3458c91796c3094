/* SPDX-License-Identifier: MIT */
/*
 * Notes and human scores (docs/NOTES.md): their projection (the notes
 * table and the full-text index), reading them back, and the `feedback`
 * key show adds to a record. Writing them (et_trail_note, et_trail_score)
 * is an adapter of the ingest pipeline: src/ingest/note_write.c.
 */
#include "base/setup.h"
#include "base/time.h"
#include "base/uuid.h"
#include "codec/json.h"
#include "codec/json_int.h"
#include "trail/note.h"
#include "trail/trail_int.h"
#include "exectrail/note.h"

#include <math.h>

bool et__note_type(const char *type)
{
    return !strcmp(type, ET_EV_NOTE) || !strcmp(type, ET_EV_SCORED);
}

/* ---- projection ---- */

static int add_line(struct et_buf *b, const char *s)
{
    int rc = ET_OK;

    if (!s || !*s)
        return ET_OK;
    if (b->len)
        rc = et_buf_addch(b, '\n');
    return rc ? rc : et_buf_addstr(b, s);
}

/* The indexed text of a note: its text or reason, name, tags, author. */
static int note_text(struct json_object *body, struct et_buf *b)
{
    static const char *const keys[] = {
        "text", "reason", "name", "author", "scorer", "source_description"};
    struct json_object *tags = et__jget(body, "tags");
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < ET_ARRAY_SIZE(keys); i++)
        rc = add_line(b, et__jstr(body, keys[i]));
    if (tags && json_object_is_type(tags, json_type_array))
        for (size_t i = 0; !rc && i < json_object_array_length(tags); i++)
            rc = add_line(
                b, json_object_get_string(json_object_array_get_idx(tags, i)));
    return rc;
}

int et__note_project(struct et_trail *t, uint64_t seq, const char *type,
                     const char *execution_id, int64_t ts_ns,
                     struct json_object *body, struct et_error *err)
{
    struct et_store_note_row r;
    struct et_buf doc = ET_BUF_INIT, text = ET_BUF_INIT;
    const char *uuid = et__jstr(body, "uuid");
    int rc;

    memset(&r, 0, sizeof(r));
    r.seq = seq;
    r.uuid = uuid ? uuid : "";
    r.kind = strcmp(type, ET_EV_SCORED) ? "note" : "score";
    r.execution_id = execution_id;
    r.group_id = et__jstr(body, "group_id");
    r.ts_ns = ts_ns;
    rc = et_json_canon(body, &doc);
    if (!rc)
        rc = note_text(body, &text);
    if (rc) {
        rc = et_error_set(err, rc, "cannot encode note");
        goto out;
    }
    r.doc = doc.ptr;
    r.doc_len = doc.len;
    rc = et_store_note_put(t->st, &r, err);
    if (!rc && text.len)
        rc =
            et_store_fts_put(t->st, seq, execution_id, text.ptr, text.len, err);
    if (!rc && execution_id)
        rc = et__security_project(t, seq, type, execution_id, body, err);
out:
    et_buf_release(&doc);
    et_buf_release(&text);
    return rc;
}

/* ---- reading ---- */

struct read_ctx {
    et_note_fn *fn;
    void *ctx;
    struct et_error *err;
};

static int read_row(void *ctx, const struct et_store_note_row *r)
{
    struct read_ctx *rc_ = ctx;
    struct et_note_info n;
    struct json_object *body = NULL, *v;
    bool score;
    int rc;

    if (et_json_parse(r->doc, r->doc_len, NULL, &body, NULL))
        return et_error_set(rc_->err, ET_EINTEGRITY,
                            "stored note at seq %llu is damaged",
                            (unsigned long long)r->seq);
    score = !strcmp(r->kind, "score");
    memset(&n, 0, sizeof(n));
    n.seq = r->seq;
    n.ts_ns = r->ts_ns;
    n.kind = score ? ET_NOTE_SCORE : ET_NOTE_TEXT;
    n.uuid = r->uuid;
    n.execution_id = r->execution_id;
    n.group_id = r->group_id;
    n.name = et__jstr(body, "name");
    n.source = et__jstr(body, "source");
    n.source_description = et__jstr(body, "source_description");
    n.text = et__jstr(body, score ? "reason" : "text");
    n.author = et__jstr(body, score ? "scorer" : "author");
    v = et__jget(body, "score");
    n.score = score && v ? json_object_get_double(v) : -1;
    n.snippet = r->snippet;
    n.json = r->doc;
    n.json_len = r->doc_len;
    rc = rc_->fn(rc_->ctx, &n);
    json_object_put(body);
    return rc;
}

int et_trail_notes(struct et_trail *t, const struct et_note_query *q,
                   et_note_fn *fn, void *ctx, struct et_error *err)
{
    struct et_store_note_filter f;
    struct read_ctx r = {fn, ctx, err};
    int rc;

    memset(&f, 0, sizeof(f));
    f.execution_id = q->execution_id;
    f.uuid = q->uuid;
    f.groups = q->groups;
    f.n_groups = q->n_groups;
    f.kind = q->kind == ET_NOTE_TEXT    ? "note"
             : q->kind == ET_NOTE_SCORE ? "score"
                                        : NULL;
    f.is_free_only = q->is_free_only;
    f.words = q->words;
    f.words_len =
        q->words ? (q->words_len ? q->words_len : strlen(q->words)) : 0;
    f.mark_open = q->mark_open;
    f.mark_close = q->mark_close;
    f.limit = q->limit;
    rc = et_store_begin(t->st, false, err);
    if (rc)
        return rc;
    rc = et_store_note_each(t->st, &f, read_row, &r, err);
    et_store_rollback(t->st); /* read transaction: nothing to keep */
    return rc;
}

/* ---- show: the feedback key ---- */

struct attach {
    struct json_object *notes, *scores; /* newest first */
    bool oom;
};

static struct json_object *entry(const struct et_store_note_row *r,
                                 struct json_object *body)
{
    static const char *const keys[] = {"text",   "score", "reason", "author",
                                       "scorer", "tags",  "source"};
    struct json_object *o = et__jnew_object();
    char when[ET_RFC3339_MAX];

    if (!o)
        return NULL;
    et_time_format(r->ts_ns, when);
    et__jadd(o, "uuid", et__jnew_string(r->uuid));
    for (size_t i = 0; i < ET_ARRAY_SIZE(keys); i++)
        if (et__jget(body, keys[i]))
            et__jadd(o, keys[i], json_object_get(et__jget(body, keys[i])));
    et__jadd(o, "at", et__jnew_string(when));
    et__jadd(o, "seq", et__jnew_int64((int64_t)r->seq));
    return o;
}

static int attach_row(void *ctx, const struct et_store_note_row *r)
{
    struct attach *a = ctx;
    struct json_object *body = NULL, *o;

    if (et_json_parse(r->doc, r->doc_len, NULL, &body, NULL))
        return 0; /* verify --projections reports a damaged row */
    o = entry(r, body);
    json_object_put(body);
    if (!o || et__jappend(strcmp(r->kind, "score") ? a->notes : a->scores, o)) {
        json_object_put(o);
        a->oom = true;
        return 1;
    }
    return 0;
}

/* The automatic quality score: HIGH 1, MEDIUM 0.5, LOW 0, the mean of the
 * levels present (docs/ANALYSIS.md); -1 when none. */
static double quality_score(struct json_object *rec)
{
    static const char *const keys[] = {"completeness", "accuracy",
                                       "efficiency"};
    struct json_object *qm = et__jget(rec, "quality_metrics");
    double sum = 0;
    int n = 0;

    for (size_t i = 0; i < ET_ARRAY_SIZE(keys); i++) {
        const char *l = et__jstr(qm, keys[i]);

        if (!l)
            continue;
        if (!strcmp(l, "HIGH") || !strcmp(l, "MEDIUM") || !strcmp(l, "LOW")) {
            sum += !strcmp(l, "HIGH") ? 1 : !strcmp(l, "MEDIUM") ? 0.5 : 0;
            n++;
        }
    }
    return n ? sum / n : -1;
}

/* arr (newest first) in time order, consumed. */
static struct json_object *oldest_first(struct json_object *arr)
{
    size_t n = json_object_array_length(arr);
    struct json_object *out = et__jnew_array_ext((int)(n ? n : 1));

    for (size_t i = n; out && i > 0; i--)
        if (et__jappend(
                out, json_object_get(json_object_array_get_idx(arr, i - 1)))) {
            json_object_put(out);
            out = NULL;
        }
    json_object_put(arr);
    return out;
}

static int feedback(struct attach *a, struct json_object *rec,
                    struct json_object **out)
{
    struct json_object *fb = et__jnew_object(), *latest;
    double q = quality_score(rec);

    *out = fb;
    if (!fb)
        return ET_ENOMEM;
    latest = json_object_array_length(a->scores)
                 ? json_object_array_get_idx(a->scores, 0)
                 : NULL;
    et__jadd(fb, "human_score",
             latest ? json_object_get(et__jget(latest, "score")) : NULL);
    et__jadd(fb, "quality_score", q < 0 ? NULL : et__jnew_double(q));
    et__jadd(fb, "notes", oldest_first(a->notes));
    et__jadd(fb, "scores", oldest_first(a->scores));
    a->notes = a->scores = NULL;
    if (!et__jget(fb, "notes") || !et__jget(fb, "scores"))
        return ET_ENOMEM;
    return ET_OK;
}

int et__note_attach(struct et_trail *t, const char *id, struct json_object *rec,
                    struct et_error *err)
{
    struct et_store_note_filter f;
    struct attach a = {et__jnew_array(), et__jnew_array(), false};
    struct json_object *fb = NULL;
    int rc;

    memset(&f, 0, sizeof(f));
    f.execution_id = id;
    if (!a.notes || !a.scores) {
        rc = ET_ENOMEM;
        goto out;
    }
    rc = et_store_note_each(t->st, &f, attach_row, &a, err);
    if (rc == 1 || (!rc && a.oom))
        rc = ET_ENOMEM;
    if (rc || (!json_object_array_length(a.notes) &&
               !json_object_array_length(a.scores)))
        goto out;
    rc = feedback(&a, rec, &fb);
    if (!rc && et__jadd(rec, "feedback", fb))
        rc = ET_ENOMEM;
    if (!rc)
        fb = NULL;
out:
    json_object_put(fb);
    json_object_put(a.notes);
    json_object_put(a.scores);
    if (rc == ET_ENOMEM)
        return et_error_set(err, rc, "out of memory");
    return rc;
}
