/* SPDX-License-Identifier: MIT */
/*
 * Whole spec records: `record` (one, one durable transaction) and `import`
 * (JSONL, batched transactions, streaming with bounded memory: lines are
 * read ahead a batch at a time, so that their execution ids are checked in
 * one store call).
 */
#include "base/setup.h"
#include "ledger/sha_accel.h"
#include "base/alloc.h"
#include "base/uuid.h"
#include "codec/json.h"
#include "model/record.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"

/* Parse, validate and normalise one record; fill in a missing id (gen
 * when given, else a new one). */
static int prepare(const char *json, size_t len, const char *gen,
                   struct json_object **out, char id[37],
                   struct et_error *err)
{
    struct json_object *doc = NULL, *v;
    const char *s;
    int rc;

    *out = NULL;
    rc = et_json_parse(json, len, NULL, &doc, err);
    if (rc)
        return rc;
    if (!json_object_is_type(doc, json_type_object)) {
        rc = et_error_set(err, ET_EINPUT, "$: expected object, got %s",
                          et_json_type_name(doc));
        goto fail;
    }
    rc = et__record_check(doc, "", ET_CHECK_COMPLETE, err);
    if (rc)
        goto fail;
    v = et__jget(doc, "execution_id");
    if (!v || json_object_is_type(v, json_type_null)) {
        rc = gen ? ET_OK : et_uuid_v4(id);
        if (gen)
            memcpy(id, gen, 37);
        if (rc) {
            rc = et_error_set(err, rc, "no entropy for an execution_id");
            goto fail;
        }
        et__jadd(doc, "execution_id", et__jnew_string(id));
    } else {
        s = json_object_get_string(v);
        snprintf(id, 37, "%s", s);
    }
    *out = doc;
    return ET_OK;
fail:
    json_object_put(doc);
    return rc;
}

static int already(const char *id, struct et_error *err)
{
    return et_error_set(err, ET_EEXIST, "execution_id: %s is already recorded",
                        id);
}

/* ET_EEXIST when id is already recorded (checked before anything is
 * appended, so a rejected record leaves the transaction untouched). */
static int check_new(struct et_trail *t, const char *id, struct et_error *err)
{
    struct et_exec_row row;
    struct et_error e = ET_ERROR_INIT;
    int rc = et_store_exec_get(t->st, id, &row, &e);

    if (rc == ET_OK)
        return already(id, err);
    /* the read's own failure: asking again would only report what the
     * first one left (on PostgreSQL, an aborted transaction) */
    if (rc != ET_ENOTFOUND) {
        if (err)
            *err = e;
        return rc;
    }
    return ET_OK;
}

static int trail_record_(struct et_trail *t, const char *json, size_t len,
                         char id_out[37], struct et_error *err)
{
    struct json_object *doc = NULL;
    char id[37] = "";
    int rc;

    id_out[0] = '\0';
    rc = prepare(json, len, NULL, &doc, id, err);
    if (rc)
        return rc;
    rc = et__ingest_begin(t, err);
    if (!rc) {
        rc = check_new(t, id, err);
        if (!rc)
            rc = et__ingest_event(t, "execution.recorded", id, doc, NULL, err);
        if (rc)
            et__unit_abort(t);
        else
            rc = et__unit_commit(t, err);
    }
    json_object_put(doc);
    if (!rc)
        memcpy(id_out, id, 37);
    return rc;
}

/* ---- import ---- */

/*
 * Lines are read ahead, as many as the batch has room for records, and
 * their execution ids are checked in one store call (et_store_exec_exists:
 * one round trip on PostgreSQL, where a check per record was one each).
 * The lines read ahead stop at the batch's room so that they never span a
 * commit (the answer holds for the transaction it was asked in, which the
 * writer's lock keeps to itself), and past AHEAD_BYTES of text or
 * AHEAD_LINES lines so that memory stays bounded whatever the records'
 * size and the batch's: a batch of 1,000 records of 2 KB takes one check,
 * of 5.6 KB (bench_gen's, ten actions) three. More text ahead costs SQLite
 * time (measured: 8 MiB took 4 % more CPU than none, the lines are cold
 * when parsed; 2 MiB no more than none), and saves a round trip per
 * AHEAD_BYTES of records, which take about 0.2 s to store on PostgreSQL.
 */
#define AHEAD_BYTES ((size_t)2 << 20)
/* and lines (a large --batch of short lines) */
#define AHEAD_LINES ((size_t)16384)

/* One line read ahead. */
struct ahead_line {
    uint64_t lineno;
    uint64_t offset; /* input bytes before it */
    size_t raw;      /* its bytes, newline included */
    size_t at, len;  /* its text in the ahead's (a NUL after it) */
    int read_rc;     /* read_line's: 1, ET_ETOOBIG, ET_EIO or ET_ENOMEM */
    /* the execution id its record will have as far as a scan of the line
     * tells ("": it cannot tell), or a new one made for it (is_gen) */
    char id[37];
    bool is_gen;
};

struct ahead {
    char *text; /* the lines' text */
    size_t len, cap;
    struct ahead_line *lines;
    size_t n, lines_cap;
    uint64_t lineno, bytes; /* lines and bytes read, blank ones too */
    bool is_end;            /* nothing more to read (end, or a read failed) */
    /* the lines' ids, sorted, each once, and whether each is recorded:
     * the store's answer, then the records imported since */
    const char **ids;
    bool *found;
    size_t n_ids, ids_cap;
    bool is_checked;
};

/* Room in a's text for need bytes and a NUL; it doubles, to no more than
 * cap_max (> need). false when memory ran out: the text read stays. */
static bool text_room(struct ahead *a, size_t need, size_t cap_max)
{
    size_t cap = a->cap ? a->cap : 4096;
    char *p;

    if (need < a->cap)
        return true;
    while (cap <= need)
        cap *= 2;
    if (cap > cap_max)
        cap = cap_max;
    p = et__realloc(a->text, cap);
    if (!p)
        return false;
    a->text = p;
    a->cap = cap;
    return true;
}

/*
 * Read one line onto the end of a's text, at most max bytes (without the
 * newline), a NUL after it. Returns 1 for a line, 0 at end of input,
 * ET_ETOOBIG for an over-long line (the rest of it is consumed), ET_EIO on
 * a read error, ET_ENOMEM. The text's pointer and length are kept in
 * locals: a store through a char pointer could alias a's fields, which
 * would be read again for every byte.
 */
static int read_line(FILE *in, struct ahead *a, size_t max, size_t *raw_len)
{
    size_t start = a->len, len = a->len, raw = 0;
    size_t cap_max = AHEAD_BYTES + max + 2;
    bool too_big = false;
    char *text;
    int c, rc = 1;

    *raw_len = 0;
    if (!text_room(a, len, cap_max))
        return ET_ENOMEM;
    text = a->text;
    while ((c = getc_unlocked(in)) != EOF) {
        raw++;
        if (c == '\n')
            break;
        if (too_big)
            continue;
        if (len - start >= max) {
            too_big = true;
            continue;
        }
        if (len + 1 >= a->cap) {
            a->len = len;
            if (!text_room(a, len + 1, cap_max)) {
                rc = ET_ENOMEM;
                break;
            }
            text = a->text;
        }
        text[len++] = (char)c;
    }
    a->len = len;
    text[len] = '\0';
    *raw_len = raw;
    if (rc != 1)
        return rc;
    if (c == EOF && ferror(in))
        return ET_EIO;
    if (too_big)
        return ET_ETOOBIG;
    return raw ? 1 : 0;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/*
 * The execution id of line ln's record as far as a scan of its top-level
 * members tells, without parsing it: a plain UUID string (normalised as
 * the record check will), or, when it has none or the scan cannot read it
 * (null, escapes), a new one for the record to take if it has none. A
 * line that is not an object gets nothing: it is refused before any
 * check.
 */
static void scan_id(struct ahead *a, struct ahead_line *ln)
{
    struct et_json_top f = {.key = "execution_id"};

    ln->id[0] = '\0';
    ln->is_gen = false;
    if (et__json_top_strings(a->text + ln->at, ln->len, &f, 1) != ET_OK)
        return;
    if (f.state == ET_JSON_TOP_STRING) {
        if (et_uuid_valid(f.val, f.len))
            et_uuid_normalize(f.val, ln->id);
        return;
    }
    /* no entropy now: prepare makes its own, and says so if it cannot */
    ln->is_gen = et_uuid_v4(ln->id) == ET_OK;
    if (!ln->is_gen)
        ln->id[0] = '\0';
}

/*
 * Read lines ahead: up to room of them (blank ones not counted), ending
 * early past AHEAD_BYTES of text, at the end of input or at a line that
 * could not be read (kept, with its read_rc, as the last). ET_ENOMEM only
 * when not even one line could be kept.
 */
static int ahead_fill(struct ahead *a, FILE *in, size_t room, size_t max)
{
    a->n = 0;
    a->len = 0;
    a->is_checked = false;
    while (!a->is_end && a->n < room && a->n < AHEAD_LINES &&
           a->len < AHEAD_BYTES) {
        struct ahead_line *ln;
        size_t raw, start = a->len;
        int r;

        if (a->n == a->lines_cap) {
            size_t cap = a->lines_cap ? a->lines_cap * 2 : 64;
            struct ahead_line *p = et__realloc(a->lines, cap * sizeof(*p));

            if (!p)
                return a->n ? ET_OK : ET_ENOMEM;
            a->lines = p;
            a->lines_cap = cap;
        }
        r = read_line(in, a, max, &raw);
        if (r == 0) {
            a->is_end = true;
            break;
        }
        a->lineno++;
        a->bytes += raw;
        if (r == 1 && blank(a->text + start, a->len - start)) {
            a->len = start;
            continue;
        }
        ln = &a->lines[a->n++];
        *ln = (struct ahead_line){.lineno = a->lineno,
                                  .offset = a->bytes - raw,
                                  .raw = raw,
                                  .at = start,
                                  .len = r == 1 ? a->len - start : 0,
                                  .read_rc = r};
        if (r == 1) {
            scan_id(a, ln);
            a->len++; /* past its NUL */
        } else {
            a->len = start;
            a->is_end = r != ET_ETOOBIG;
        }
    }
    return ET_OK;
}

static int cmp_id(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Ask the store which of the lines' ids are recorded, in one call. */
static int ahead_check(struct ahead *a, struct et_store *st,
                       struct et_error *err)
{
    size_t n = 0;
    int rc;

    if (a->n > a->ids_cap) {
        const char **ids = et__realloc(a->ids, a->n * sizeof(*ids));
        bool *found = ids ? et__realloc(a->found, a->n * sizeof(*found))
                          : NULL;

        if (ids)
            a->ids = ids;
        if (found)
            a->found = found;
        if (!ids || !found)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        a->ids_cap = a->n;
    }
    for (size_t i = 0; i < a->n; i++)
        if (a->lines[i].id[0])
            a->ids[n++] = a->lines[i].id;
    qsort(a->ids, n, sizeof(*a->ids), cmp_id);
    a->n_ids = 0;
    for (size_t i = 0; i < n; i++)
        if (!a->n_ids || strcmp(a->ids[a->n_ids - 1], a->ids[i]) != 0)
            a->ids[a->n_ids++] = a->ids[i];
    rc = et_store_exec_exists(st, a->ids, a->n_ids, a->found, err);
    a->is_checked = rc == ET_OK;
    return rc;
}

/* Whether id is recorded by the check's answer: 1 or 0, -1 when it was not
 * asked about (the scan could not tell the line's id). */
static int ahead_known(const struct ahead *a, const char *id)
{
    const char *const *p = a->is_checked ? bsearch(&id, a->ids, a->n_ids,
                                                   sizeof(*a->ids), cmp_id)
                                         : NULL;

    return p ? a->found[p - a->ids] : -1;
}

/* id has just been recorded: a later line of it is a duplicate. */
static void ahead_mark(struct ahead *a, const char *id)
{
    const char **p = a->is_checked ? bsearch(&id, a->ids, a->n_ids,
                                             sizeof(*a->ids), cmp_id)
                                   : NULL;

    if (p)
        a->found[p - a->ids] = true;
}

static void ahead_release(struct ahead *a)
{
    et__free(a->text);
    et__free(a->lines);
    et__free(a->ids);
    et__free(a->found);
}

/*
 * One line. Input errors are found before anything is appended; an error
 * after the append has started is returned as *fatal_out (the batch must be
 * rolled back).
 */
static int import_one(struct et_trail *t, struct ahead *a,
                      const struct ahead_line *ln, uint64_t *actions,
                      bool *fatal_out, struct et_error *err)
{
    struct json_object *doc = NULL, *acts;
    char id[37];
    int rc = prepare(a->text + ln->at, ln->len, ln->is_gen ? ln->id : NULL,
                     &doc, id, err);
    int known;

    *fatal_out = false;
    if (rc)
        return rc;
    /* the lines' check answers for the ids it was asked; an id the scan
     * could not tell (written with escapes) is asked alone */
    known = ahead_known(a, id);
    if (known > 0)
        rc = already(id, err);
    else if (known < 0)
        rc = check_new(t, id, err);
    if (!rc) {
        rc = et__ingest_event(t, "execution.recorded", id, doc, NULL, err);
        *fatal_out = rc != ET_OK;
    }
    if (!rc)
        ahead_mark(a, id);
    acts = et__jget(et__jget(doc, "execution"), "actions_taken");
    if (!rc && acts && json_object_is_type(acts, json_type_array))
        *actions += json_object_array_length(acts);
    json_object_put(doc);
    return rc;
}

static bool is_input_error(int rc)
{
    return rc == ET_EINPUT || rc == ET_ETOOBIG || rc == ET_EEXIST;
}

struct importer {
    struct et_trail *t;
    const struct et_import_opts *opts;
    struct et_import_stats *stats;
    struct ahead a;
    size_t batch, in_batch;
    uint64_t batch_actions; /* of the records in_batch */
    uint64_t first, lineno; /* the batch's first line, the current one */
    size_t max_bytes;
};

/* The batch is rolled back: its records and actions are not stored. */
static void batch_lost(struct importer *im)
{
    im->stats->recorded -= im->in_batch;
    im->stats->actions -= im->batch_actions;
    im->in_batch = 0;
    im->batch_actions = 0;
}

/*
 * Commit the batch. When that fails nothing of it is stored, and the
 * message says which lines: its writes reach the store in applies of many
 * records (the last at the commit), so a row the store refuses there is
 * not the line's being read when it fails.
 */
static int batch_commit(struct importer *im, struct et_error *err)
{
    char msg[sizeof(err->msg)];
    int rc = et__unit_commit(im->t, err);

    if (!rc) {
        im->in_batch = 0;
        im->batch_actions = 0;
        /* the ids' check held for the transaction just committed */
        im->a.is_checked = false;
        return ET_OK;
    }
    batch_lost(im);
    if (!err)
        return rc;
    snprintf(msg, sizeof(msg), "%s", err->msg);
    if (im->first == im->lineno)
        return et_error_set(err, rc, "line %llu: %s",
                            (unsigned long long)im->lineno, msg);
    return et_error_set(err, rc, "lines %llu-%llu: %s",
                        (unsigned long long)im->first,
                        (unsigned long long)im->lineno, msg);
}

/*
 * The line ln of the lines read ahead, as the import goes on: ET_OK to go
 * on, else the import stops with that status and err (the batch rolled
 * back when the line failed after its append had started).
 */
static int import_line(struct importer *im, const struct ahead_line *ln,
                       struct et_error *err)
{
    struct et_trail *t = im->t;
    struct et_import_stats *stats = im->stats;
    struct et_error lerr = ET_ERROR_INIT;
    uint64_t actions = stats->actions;
    bool fatal = false;
    int rc, r = ln->read_rc;

    im->lineno = ln->lineno;
    stats->bytes = ln->offset + ln->raw;
    if (r == ET_ENOMEM || r == ET_EIO)
        return et_error_set(err, r, "line %llu: %s",
                            (unsigned long long)im->lineno,
                            r == ET_EIO ? "read error" : "out of memory");
    stats->lines++;
    if (stats->lines == ET_SHA_ACCEL_MIN_EVENTS)
        (void)et__sha_accel(); /* a large import: libcrypto hashes */
    if (!t->in_ingest) {
        rc = et__ingest_begin(t, err);
        if (rc)
            return rc;
        im->first = im->lineno;
    }
    if (r == ET_ETOOBIG)
        r = et_error_set(&lerr, ET_ETOOBIG,
                         "byte %llu: line is longer than %zu bytes "
                         "(skipped whole)",
                         (unsigned long long)ln->offset, im->max_bytes);
    else
        r = ET_OK;
    if (!r && !im->a.is_checked) {
        /* the store's failure, not the line's: the batch goes */
        r = ahead_check(&im->a, t->st, &lerr);
        fatal = r != ET_OK;
    }
    if (!r)
        r = import_one(t, &im->a, ln, &stats->actions, &fatal, &lerr);
    if (r && !fatal && is_input_error(r)) {
        r = et__scrub_error(t, r, &lerr);
        stats->rejected++;
        if (im->opts->on_reject)
            im->opts->on_reject(im->opts->ctx, im->lineno, &lerr);
        if (im->opts->on_error == ET_ON_ERROR_SKIP)
            return ET_OK;
        return et_error_set(err, r, "line %llu: %s",
                            (unsigned long long)im->lineno, lerr.msg);
    }
    if (r) {
        rc = et_error_set(err, r, "line %llu: %s",
                          (unsigned long long)im->lineno, lerr.msg);
        et__unit_abort(t);
        batch_lost(im);
        return rc;
    }
    stats->recorded++;
    im->batch_actions += stats->actions - actions;
    if (++im->in_batch < im->batch)
        return ET_OK;
    rc = batch_commit(im, err);
    if (!rc && im->opts->on_progress)
        im->opts->on_progress(im->opts->ctx, im->lineno, stats->bytes);
    return rc;
}

int et_trail_import(struct et_trail *t, FILE *in,
                    const struct et_import_opts *opts,
                    struct et_import_stats *stats, struct et_error *err)
{
    struct et_json_limits lim = ET_JSON_LIMITS_DEFAULT;
    struct et_import_opts def = {ET_ON_ERROR_ABORT, 0, NULL, NULL, NULL};
    struct importer im = {.t = t, .stats = stats};
    int rc = ET_OK;

    im.opts = opts ? opts : &def;
    im.batch = im.opts->batch_records ? im.opts->batch_records : 1000;
    im.max_bytes = lim.max_bytes;
    memset(stats, 0, sizeof(*stats));
    while (!rc) {
        rc = ahead_fill(&im.a, in, im.batch - im.in_batch, lim.max_bytes);
        if (rc) {
            rc = et_error_set(err, rc, "line %llu: out of memory",
                              (unsigned long long)im.a.lineno + 1);
            break;
        }
        for (size_t i = 0; !rc && i < im.a.n; i++)
            rc = import_line(&im, &im.a.lines[i], err);
        if (!im.a.n)
            break;
    }
    if (t->in_ingest) {
        /* input errors stop the import, but what came before stays */
        int crc = batch_commit(&im, rc ? NULL : err);

        if (!rc)
            rc = crc;
    }
    if (!rc) {
        /* the blank lines after the last record were read too */
        stats->bytes = im.a.bytes;
        if (im.opts->on_progress)
            im.opts->on_progress(im.opts->ctx, im.a.lineno, stats->bytes);
    }
    ahead_release(&im.a);
    return rc;
}

/* The public entry: error messages never quote a secret from the input. */
int et_trail_record(struct et_trail *t, const char *json, size_t len,
                    char id_out[37], struct et_error *err)
{
    return et__scrub_error(t, trail_record_(t, json, len, id_out, err), err);
}
