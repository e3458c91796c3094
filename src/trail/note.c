/* SPDX-License-Identifier: MIT */
/*
 * Notes and human scores (docs/NOTES.md): et_trail_note and et_trail_score
 * append execution.note / execution.scored events through the one ingest
 * pipeline; their projection (the notes table and the full-text index) and
 * the `feedback` key show adds to a record live here too, in one place.
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

/* ---- writing ---- */

/* s is UTF-8 of at most max bytes; one line unless multiline. */
static int check_str(const char *field, const char *s, size_t max,
                     bool multiline, struct et_error *err)
{
    size_t len = strlen(s);

    if (len > max)
        return et_error_set(err, ET_EINPUT, "%s: longer than %zu bytes", field,
                            max);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t n;

        if (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
            return et_error_set(err, ET_EINPUT,
                                "%s: control character at byte %zu", field, i);
        if (c < 0x80)
            continue;
        n = et__json_utf8_len((const unsigned char *)s + i, len - i);
        if (!n)
            return et_error_set(err, ET_EINPUT, "%s: invalid UTF-8 at byte %zu",
                                field, i);
        i += n - 1;
    }
    return ET_OK;
}

/* body[key] = s when s is set (checked first, named field). */
static int put_str(struct json_object *body, const char *key, const char *s,
                   bool multiline, struct et_error *err)
{
    struct json_object *v;
    int rc;

    if (!s)
        return ET_OK;
    rc = check_str(key, s, multiline ? ET_NOTE_TEXT_MAX : ET_NOTE_FIELD_MAX,
                   multiline, err);
    if (rc)
        return rc;
    v = json_object_new_string(s);
    if (!v || json_object_object_add(body, key, v)) {
        json_object_put(v);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    return ET_OK;
}

static int put_tags(struct json_object *body, const char *const *tags, size_t n,
                    struct et_error *err)
{
    struct json_object *arr;
    char field[32];
    int rc = ET_OK;

    if (!n)
        return ET_OK;
    if (n > ET_NOTE_TAGS_MAX)
        return et_error_set(err, ET_EINPUT, "tags: more than %d",
                            ET_NOTE_TAGS_MAX);
    arr = json_object_new_array();
    if (!arr || json_object_object_add(body, "tags", arr)) {
        json_object_put(arr);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    for (size_t i = 0; !rc && i < n; i++) {
        snprintf(field, sizeof(field), "tags[%zu]", i);
        if (!tags[i] || !*tags[i])
            return et_error_set(err, ET_EINPUT, "%s: must not be empty", field);
        rc = check_str(field, tags[i], ET_NOTE_FIELD_MAX, false, err);
        if (!rc && json_object_array_add(arr, json_object_new_string(tags[i])))
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
    }
    return rc;
}

/* The uuid of the new note into body.uuid and out: the caller's (a UUID is
 * lower-cased) or a new one. */
static int put_uuid(struct json_object *body, const char *given, char *out,
                    size_t cap, struct et_error *err)
{
    char buf[ET_NOTE_FIELD_MAX];
    int rc;

    if (given && !*given)
        return et_error_set(err, ET_EINPUT, "uuid: must not be empty");
    if (!given) {
        rc = et_uuid_v4(buf);
        if (rc)
            return et_error_set(err, rc, "cannot make a uuid");
    } else if (et_uuid_valid(given, strlen(given))) {
        et_uuid_normalize(given, buf);
    } else {
        rc = check_str("uuid", given, ET_NOTE_FIELD_MAX - 1, false, err);
        if (rc)
            return rc;
        snprintf(buf, sizeof(buf), "%s", given);
    }
    snprintf(out, cap, "%s", buf);
    return put_str(body, "uuid", buf, false, err);
}

static int uuid_taken(void *ctx, const struct et_store_note_row *r)
{
    (void)ctx;
    (void)r;
    return 1;
}

/*
 * One durable transaction: resolve the execution (idp may be NULL), refuse
 * a uuid already used, append the event. body is borrowed.
 */
static int append(struct et_trail *t, const char *type, const char *idp,
                  struct json_object *body, const char *uuid,
                  struct et_error *err)
{
    struct et_store_note_filter f;
    char id[37];
    int rc = et__ingest_begin(t, err);

    if (rc)
        return rc;
    if (idp)
        rc = et_store_exec_resolve(t->st, idp, id, err);
    memset(&f, 0, sizeof(f));
    f.uuid = uuid;
    f.limit = 1;
    if (!rc) {
        rc = et_store_note_each(t->st, &f, uuid_taken, NULL, err);
        if (rc == 1)
            rc =
                et_error_set(err, ET_EEXIST,
                             "uuid: a note '%.200s' is already recorded", uuid);
    }
    if (!rc)
        rc = et__ingest_event(t, type, idp ? id : NULL, body, NULL, err);
    if (rc) {
        et__ingest_abort(t);
        return et__scrub_error(t, rc, err);
    }
    return et__ingest_commit(t, err);
}

int et_trail_note(struct et_trail *t, const struct et_note *n, char *uuid_out,
                  struct et_error *err)
{
    char uuid[ET_NOTE_FIELD_MAX];
    struct json_object *body = json_object_new_object();
    int rc = body ? ET_OK : et_error_set(err, ET_ENOMEM, "out of memory");

    if (uuid_out)
        uuid_out[0] = '\0';
    if (!rc && (!n->text || !*n->text))
        rc = et_error_set(err, ET_EINPUT, "text: must not be empty");
    if (!rc)
        rc = put_str(body, "text", n->text, true, err);
    if (!rc)
        rc = put_str(body, "author", n->author, false, err);
    if (!rc)
        rc = put_tags(body, n->tags, n->n_tags, err);
    if (!rc)
        rc = put_str(body, "source", n->source ? n->source : "api", false, err);
    if (!rc)
        rc = put_str(body, "group_id", n->group_id, false, err);
    if (!rc)
        rc = put_str(body, "name", n->name, false, err);
    if (!rc)
        rc = put_str(body, "source_description", n->source_description, true,
                     err);
    if (!rc)
        rc = put_uuid(body, n->uuid, uuid, sizeof(uuid), err);
    if (!rc)
        rc = append(t, ET_EV_NOTE, n->execution_id, body, uuid, err);
    if (!rc && uuid_out)
        snprintf(uuid_out, ET_NOTE_FIELD_MAX, "%s", uuid);
    json_object_put(body);
    return rc;
}

int et_trail_score(struct et_trail *t, const struct et_score *s, char *uuid_out,
                   struct et_error *err)
{
    char uuid[ET_NOTE_FIELD_MAX];
    struct json_object *body = json_object_new_object(), *v = NULL;
    int rc = body ? ET_OK : et_error_set(err, ET_ENOMEM, "out of memory");

    if (uuid_out)
        uuid_out[0] = '\0';
    if (!rc && (!s->execution_id || !*s->execution_id))
        rc = et_error_set(err, ET_EINPUT,
                          "execution_id: a score needs an execution");
    if (!rc && (!isfinite(s->score) || s->score < 0 || s->score > 1))
        rc = et_error_set(err, ET_EINPUT,
                          "score: expected a number in [0, 1], got %g",
                          s->score);
    if (!rc) {
        v = json_object_new_double(s->score);
        if (!v || json_object_object_add(body, "score", v)) {
            json_object_put(v);
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
        }
    }
    if (!rc)
        rc = put_str(body, "reason", s->reason, true, err);
    if (!rc)
        rc = put_str(body, "scorer", s->scorer, false, err);
    if (!rc)
        rc = put_str(body, "source", s->source ? s->source : "api", false, err);
    if (!rc)
        rc = put_uuid(body, s->uuid, uuid, sizeof(uuid), err);
    if (!rc)
        rc = append(t, ET_EV_SCORED, s->execution_id, body, uuid, err);
    if (!rc && uuid_out)
        snprintf(uuid_out, ET_NOTE_FIELD_MAX, "%s", uuid);
    json_object_put(body);
    return rc;
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
    struct json_object *o = json_object_new_object();
    char when[ET_RFC3339_MAX];

    if (!o)
        return NULL;
    et_time_format(r->ts_ns, when);
    json_object_object_add(o, "uuid", json_object_new_string(r->uuid));
    for (size_t i = 0; i < ET_ARRAY_SIZE(keys); i++)
        if (et__jget(body, keys[i]))
            json_object_object_add(o, keys[i],
                                   json_object_get(et__jget(body, keys[i])));
    json_object_object_add(o, "at", json_object_new_string(when));
    json_object_object_add(o, "seq", json_object_new_int64((int64_t)r->seq));
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
    if (!o || json_object_array_add(
                  strcmp(r->kind, "score") ? a->notes : a->scores, o)) {
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
    struct json_object *out = json_object_new_array_ext((int)(n ? n : 1));

    for (size_t i = n; out && i > 0; i--)
        if (json_object_array_add(
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
    struct json_object *fb = json_object_new_object(), *latest;
    double q = quality_score(rec);

    *out = fb;
    if (!fb)
        return ET_ENOMEM;
    latest = json_object_array_length(a->scores)
                 ? json_object_array_get_idx(a->scores, 0)
                 : NULL;
    json_object_object_add(fb, "human_score",
                           latest ? json_object_get(et__jget(latest, "score"))
                                  : NULL);
    json_object_object_add(fb, "quality_score",
                           q < 0 ? NULL : json_object_new_double(q));
    json_object_object_add(fb, "notes", oldest_first(a->notes));
    json_object_object_add(fb, "scores", oldest_first(a->scores));
    a->notes = a->scores = NULL;
    if (!et__jget(fb, "notes") || !et__jget(fb, "scores"))
        return ET_ENOMEM;
    return ET_OK;
}

int et__note_attach(struct et_trail *t, const char *id, struct json_object *rec,
                    struct et_error *err)
{
    struct et_store_note_filter f;
    struct attach a = {json_object_new_array(), json_object_new_array(), false};
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
    if (!rc && json_object_object_add(rec, "feedback", fb))
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
