/* SPDX-License-Identifier: MIT */
/*
 * Whole spec records: `record` (one, one durable transaction) and `import`
 * (JSONL, batched transactions, streaming with bounded memory).
 */
#include "base/setup.h"
#include "ledger/sha_accel.h"
#include "base/alloc.h"
#include "base/uuid.h"
#include "codec/json.h"
#include "model/record.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"

/* Parse, validate and normalise one record; fill in a missing id. */
static int prepare(const char *json, size_t len, struct json_object **out,
                   char id[37], struct et_error *err)
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
        rc = et_uuid_v4(id);
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

/* ET_EEXIST when id is already recorded (checked before anything is
 * appended, so a rejected record leaves the transaction untouched). */
static int check_new(struct et_trail *t, const char *id, struct et_error *err)
{
    struct et_exec_row row;
    struct et_error e = ET_ERROR_INIT;
    int rc = et_store_exec_get(t->st, id, &row, &e);

    if (rc == ET_OK)
        return et_error_set(err, ET_EEXIST,
                            "execution_id: %s is already recorded", id);
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
    rc = prepare(json, len, &doc, id, err);
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

/*
 * Read one line into b, at most max bytes (without the newline). Returns
 * 1 for a line, 0 at end of input, ET_ETOOBIG for an over-long line (the
 * rest of it is consumed), ET_EIO on a read error.
 */
static int read_line(FILE *in, struct et_buf *b, size_t max, size_t *raw_len)
{
    int c;
    bool too_big = false;

    et_buf_reset(b);
    *raw_len = 0;
    while ((c = getc_unlocked(in)) != EOF) {
        (*raw_len)++;
        if (c == '\n')
            return too_big ? ET_ETOOBIG : 1;
        if (too_big)
            continue;
        if (b->len >= max) {
            too_big = true;
            continue;
        }
        if (b->len + 1 >= b->cap) {
            /* double, but never past max: the buffer's own limit is
             * max + 1, and a line at the limit is too big, not ENOMEM */
            size_t extra = b->cap ? b->cap : 4096;

            if (extra > max - b->len)
                extra = max - b->len;
            if (et_buf_grow(b, extra))
                return ET_ENOMEM;
        }
        b->ptr[b->len++] = (char)c;
        b->ptr[b->len] = '\0';
    }
    if (ferror(in))
        return ET_EIO;
    if (too_big)
        return ET_ETOOBIG;
    return *raw_len ? 1 : 0;
}

static bool blank(const struct et_buf *b)
{
    for (size_t i = 0; i < b->len; i++)
        if (b->ptr[i] != ' ' && b->ptr[i] != '\t' && b->ptr[i] != '\r')
            return false;
    return true;
}

/*
 * One line. Input errors are found before anything is appended; an error
 * after the append has started is returned as *fatal_out (the batch must be
 * rolled back).
 */
static int import_one(struct et_trail *t, const struct et_buf *line,
                      uint64_t *actions, bool *fatal_out, struct et_error *err)
{
    struct json_object *doc = NULL, *acts;
    char id[37];
    int rc = prepare(line->ptr, line->len, &doc, id, err);

    *fatal_out = false;
    if (rc)
        return rc;
    rc = check_new(t, id, err);
    if (!rc) {
        rc = et__ingest_event(t, "execution.recorded", id, doc, NULL, err);
        *fatal_out = rc != ET_OK;
    }
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

int et_trail_import(struct et_trail *t, FILE *in,
                    const struct et_import_opts *opts,
                    struct et_import_stats *stats, struct et_error *err)
{
    struct et_json_limits lim = ET_JSON_LIMITS_DEFAULT;
    struct et_import_opts def = {ET_ON_ERROR_ABORT, 0, NULL, NULL, NULL};
    struct et_buf line = ET_BUF_INIT;
    struct et_error lerr = ET_ERROR_INIT;
    size_t batch, in_batch = 0, raw;
    uint64_t lineno = 0;
    bool fatal;
    int rc = ET_OK, r;

    if (!opts)
        opts = &def;
    batch = opts->batch_records ? opts->batch_records : 1000;
    memset(stats, 0, sizeof(*stats));
    et_buf_init(&line, lim.max_bytes + 1);
    while ((r = read_line(in, &line, lim.max_bytes, &raw)) != 0) {
        uint64_t offset = stats->bytes;

        lineno++;
        stats->bytes += raw;
        if (r == ET_ENOMEM || r == ET_EIO) {
            rc = et_error_set(err, r, "line %llu: %s",
                              (unsigned long long)lineno,
                              r == ET_EIO ? "read error" : "out of memory");
            break;
        }
        if (r == 1 && blank(&line))
            continue;
        stats->lines++;
        if (stats->lines == ET_SHA_ACCEL_MIN_EVENTS)
            (void)et__sha_accel(); /* a large import: libcrypto hashes */
        if (!t->in_ingest) {
            rc = et__ingest_begin(t, err);
            if (rc)
                break;
        }
        fatal = false;
        if (r == ET_ETOOBIG)
            r = et_error_set(&lerr, ET_ETOOBIG,
                             "byte %llu: line is longer than %zu bytes "
                             "(skipped whole)",
                             (unsigned long long)offset, lim.max_bytes);
        else
            r = import_one(t, &line, &stats->actions, &fatal, &lerr);
        if (r && !fatal && is_input_error(r)) {
            r = et__scrub_error(t, r, &lerr);
            stats->rejected++;
            if (opts->on_reject)
                opts->on_reject(opts->ctx, lineno, &lerr);
            if (opts->on_error == ET_ON_ERROR_SKIP)
                continue;
            rc = et_error_set(err, r, "line %llu: %s",
                              (unsigned long long)lineno, lerr.msg);
            break;
        }
        if (r) {
            rc = et_error_set(err, r, "line %llu: %s",
                              (unsigned long long)lineno, lerr.msg);
            et__unit_abort(t);
            stats->recorded -= in_batch;
            in_batch = 0;
            break;
        }
        stats->recorded++;
        if (++in_batch >= batch) {
            rc = et__unit_commit(t, err);
            if (rc) {
                stats->recorded -= in_batch;
                break;
            }
            in_batch = 0;
            if (opts->on_progress)
                opts->on_progress(opts->ctx, lineno, stats->bytes);
        }
    }
    if (t->in_ingest) {
        /* input errors stop the import, but what came before stays */
        int crc = et__unit_commit(t, rc ? NULL : err);

        if (crc) {
            stats->recorded -= in_batch;
            if (!rc)
                rc = crc;
        }
    }
    if (opts->on_progress && !rc)
        opts->on_progress(opts->ctx, lineno, stats->bytes);
    et_buf_release(&line);
    return rc;
}

/* The public entry: error messages never quote a secret from the input. */
int et_trail_record(struct et_trail *t, const char *json, size_t len,
                    char id_out[37], struct et_error *err)
{
    return et__scrub_error(t, trail_record_(t, json, len, id_out, err), err);
}
