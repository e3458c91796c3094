/* SPDX-License-Identifier: MIT */
/*
 * SQLite: ranked full-text search (FTS5, BM25, snippet()) grouped by
 * execution, and the aggregates behind `exectrail stats` (per agent, failure
 * rows). Filters are conditions the query compiler wrote, so user values
 * stay bound parameters here too.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "store/sqlite/query_sqlite.h"

static bool is_word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           c >= 0x80;
}

int et__sqlite_fts_words(const char *words, size_t len, struct et_buf *out,
                         struct et_error *err)
{
    size_t i = 0, n = 0;
    int rc = ET_OK;

    while (!rc && i < len) {
        size_t start, end;
        bool has_word = false;

        while (i < len && (words[i] == ' ' || words[i] == '\t' ||
                           words[i] == '\n' || words[i] == '\r'))
            i++;
        start = i;
        while (i < len && words[i] != ' ' && words[i] != '\t' &&
               words[i] != '\n' && words[i] != '\r') {
            has_word |= is_word_byte((unsigned char)words[i]);
            i++;
        }
        end = i;
        if (!has_word)
            continue; /* punctuation alone: nothing FTS5 would index */
        if (n++)
            rc = et_buf_addch(out, ' ');
        /* each word one quoted FTS5 string: no operators, no columns */
        if (!rc)
            rc = et_buf_addch(out, '"');
        for (size_t k = start; !rc && k < end; k++) {
            if (words[k] == '"')
                rc = et_buf_addch(out, '"');
            if (!rc)
                rc = et_buf_addch(out, words[k]);
        }
        if (!rc)
            rc = et_buf_addch(out, '"');
    }
    if (rc)
        return et_error_set(err, rc, "out of memory");
    if (n == 0)
        return et_error_set(err, ET_EINPUT,
                            "nothing to search for: give "
                            "at least one word");
    return ET_OK;
}

struct exec_hit {
    char id[37];
    char agent[128];
    bool has_agent;
    double score;
    int64_t n_events;
};

static int sql_text(struct et_buf *b, const char *s, struct et_error *err)
{
    int rc = et_buf_addstr(b, s);

    return rc ? et_error_set(err, rc, "out of memory") : ET_OK;
}

/*
 * Searches whose words are in very many events rank only the newest
 * window matching events (docs/QUERY.md): scoring every match of
 * a word found in every execution would take seconds at a million
 * executions, and the newest matches are what such a search is for. The
 * cut-off is the rowid (= ledger seq) of the first event past the window,
 * found by walking the doclist newest first without scoring; *cutoff is 0
 * when every match is ranked.
 */
static int search_cutoff(sqlite3 *db, const struct et_sqlparams *p,
                         size_t window, int64_t *cutoff, struct et_error *err)
{
    struct et_buf sql = ET_BUF_INIT;
    sqlite3_stmt *st = NULL;
    char text[128];
    int rc, s;

    *cutoff = 0;
    snprintf(text, sizeof(text),
             "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid DESC "
             "LIMIT 1 OFFSET %zu",
             window);
    rc = sql_text(&sql, text, err);
    if (!rc)
        rc = et__sqlite_prepare(db, &sql, p, &st, err);
    if (!rc) {
        s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            *cutoff = sqlite3_column_int64(st, 0) + 1;
        else if (s != SQLITE_DONE)
            rc = et__sqlite_fail(db, s, err, "search");
    }
    sqlite3_finalize(st);
    et_buf_release(&sql);
    return rc;
}

/* The best executions: id, best score, number of matching events. */
static int best_executions(sqlite3 *db, const struct et_sqlparams *p,
                           size_t max_events, struct exec_hit **out,
                           size_t *n_out, struct et_error *err)
{
    struct et_buf sql = ET_BUF_INIT;
    sqlite3_stmt *st = NULL;
    size_t cap = (size_t)p->v[1].i, n = 0;
    struct exec_hit *hits = et__calloc(cap ? cap : 1, sizeof(*hits));
    struct et_sqlparams one = {p->v, 1, 1};
    int64_t cutoff;
    char window[64] = "";
    int rc, s;

    *out = NULL;
    *n_out = 0;
    if (!hits)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    rc = search_cutoff(db, &one, max_events, &cutoff, err);
    if (!rc && cutoff > 0)
        snprintf(window, sizeof(window), " AND f.rowid >= %lld",
                 (long long)cutoff);
    /* the execution of each matching event from event_index (a small
     * row per event), not from the full-text table's own copy of the
     * column, which reads the event's whole text: 260 -> 150 ms for 50,000
     * matching events at 1M executions; a subagent's action belongs to the
     * execution its agent is bound to now (agent_actions), which a binding
     * correction may have changed since the event named another */
    if (!rc)
        rc = sql_text(&sql,
                      "WITH b AS (SELECT CASE WHEN a.seq IS NULL THEN "
                      "ei.execution_id ELSE a.execution_id END AS "
                      "execution_id, min(f.rank) AS best, count(*) AS n FROM "
                      "fts f JOIN event_index ei ON ei.seq = f.rowid LEFT "
                      "JOIN agent_actions a ON a.seq = f.rowid WHERE fts "
                      "MATCH ?",
                      err);
    if (!rc)
        rc = sql_text(&sql, window, err);
    if (!rc)
        rc = sql_text(&sql,
                      " GROUP BY 1 ORDER BY 2, 1 LIMIT ?) SELECT "
                      "b.execution_id, b.best, b.n, e.agent_name FROM b "
                      "LEFT JOIN executions e ON e.execution_id = "
                      "b.execution_id ORDER BY b.best, b.execution_id",
                      err);
    if (!rc)
        rc = et__sqlite_prepare(db, &sql, p, &st, err);
    while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
        const char *id = (const char *)sqlite3_column_text(st, 0);

        snprintf(hits[n].id, sizeof(hits[n].id), "%s", id ? id : "");
        hits[n].score = -sqlite3_column_double(st, 1);
        hits[n].n_events = sqlite3_column_int64(st, 2);
        hits[n].has_agent = sqlite3_column_type(st, 3) != SQLITE_NULL;
        snprintf(hits[n].agent, sizeof(hits[n].agent), "%s",
                 hits[n].has_agent ? (const char *)sqlite3_column_text(st, 3)
                                   : "");
        n++;
    }
    if (!rc && s != SQLITE_DONE && s != SQLITE_ROW)
        rc = et__sqlite_fail(db, s, err, "search");
    sqlite3_finalize(st);
    et_buf_release(&sql);
    if (rc) {
        et__free(hits);
        return rc;
    }
    *out = hits;
    *n_out = n;
    return ET_OK;
}

int et__sqlite_search(struct et_store *st, const struct et_store_search *o,
                      et_store_hit_fn *fn, void *ctx, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    struct et_buf match = ET_BUF_INIT;
    struct et_sqlparam v[2];
    struct et_sqlparams p = {v, 2, 2};
    struct exec_hit *hits = NULL;
    size_t n = 0;
    int rc = et__sqlite_fts_words(o->words, o->len, &match, err);

    if (rc)
        return rc;
    memset(v, 0, sizeof(v));
    v[0].s = match.ptr;
    v[0].len = match.len;
    v[1].type = ET_SQL_INT;
    v[1].i = (int64_t)o->max_execs;
    rc = best_executions(db, &p, o->max_events, &hits, &n, err);
    /* the statement is done: fn may read the store */
    for (size_t i = 0; !rc && i < n; i++) {
        struct et_store_hit hit;

        hit.execution_id = hits[i].id;
        hit.agent_name = hits[i].has_agent ? hits[i].agent : NULL;
        hit.score = hits[i].score;
        hit.n_events = hits[i].n_events;
        rc = fn(ctx, &hit);
    }
    et__free(hits);
    et_buf_release(&match);
    return rc;
}

int et__sqlite_exec_texts(struct et_store *st, const char *id,
                          et_store_text_fn *fn, void *ctx, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    struct et_buf sql = ET_BUF_INIT;
    struct et_sqlparam v[1];
    struct et_sqlparams p = {v, 1, 1};
    sqlite3_stmt *stmt = NULL;
    int rc, s = SQLITE_DONE;

    memset(v, 0, sizeof(v));
    v[0].s = id;
    v[0].len = strlen(id);
    /* rowid lookups in the index's own content, no MATCH to evaluate */
    rc = sql_text(&sql,
                  "SELECT rowid, body FROM fts WHERE rowid IN (SELECT seq "
                  "FROM ledger l WHERE execution_id = ?1 AND NOT EXISTS "
                  "(SELECT 1 FROM agent_actions a WHERE a.seq = l.seq AND "
                  "a.execution_id IS NOT ?1) UNION SELECT seq FROM "
                  "agent_actions WHERE execution_id = ?1) ORDER BY rowid",
                  err);
    if (!rc)
        rc = et__sqlite_prepare(db, &sql, &p, &stmt, err);
    while (!rc && (s = sqlite3_step(stmt)) == SQLITE_ROW)
        rc = fn(ctx, (uint64_t)sqlite3_column_int64(stmt, 0),
                (const char *)sqlite3_column_text(stmt, 1),
                (size_t)sqlite3_column_bytes(stmt, 1));
    if (!rc && s != SQLITE_DONE)
        rc = et__sqlite_fail(db, s, err, "read indexed text");
    sqlite3_finalize(stmt);
    et_buf_release(&sql);
    return rc;
}

/* ---- aggregates ---- */

/* head + the WHERE condition (its parameters are where's) + tail */
static int filtered(const char *head, const struct et_sqlstmt *where,
                    const char *tail, struct et_buf *sql, struct et_error *err)
{
    int rc = sql_text(sql, head, err);

    if (!rc && et_buf_add(sql, where->sql.ptr, where->sql.len))
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (!rc)
        rc = sql_text(sql, tail, err);
    return rc;
}

int et__sqlite_agent_stats(struct et_store *st, const struct et_sqlstmt *where,
                           et_store_agent_fn *fn, void *ctx,
                           struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    struct et_buf sql = ET_BUF_INIT;
    sqlite3_stmt *stmt = NULL;
    int rc, s = SQLITE_DONE;

    rc =
        filtered("SELECT e.agent_name, count(*), "
                 "sum(e.state = 'completed'), "
                 "sum(e.verification = 'MATCH'), "
                 "sum(e.verification = 'PARTIAL'), "
                 "sum(e.verification = 'MISMATCH'), "
                 "sum(e.verification = 'ERROR'), "
                 "sum(e.verification IS NULL), sum(e.n_actions), "
                 "sum(e.n_failed_actions), max(e.duration_ms), "
                 "avg(e.duration_ms) FROM executions e WHERE ",
                 where, " GROUP BY e.agent_name ORDER BY 2 DESC, 1", &sql, err);
    if (!rc)
        rc = et__sqlite_prepare(db, &sql, &where->params, &stmt, err);
    while (!rc && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct et_store_agent_row r;

        r.agent_name = (const char *)sqlite3_column_text(stmt, 0);
        r.executions = sqlite3_column_int64(stmt, 1);
        r.completed = sqlite3_column_int64(stmt, 2);
        r.match = sqlite3_column_int64(stmt, 3);
        r.partial = sqlite3_column_int64(stmt, 4);
        r.mismatch = sqlite3_column_int64(stmt, 5);
        r.error = sqlite3_column_int64(stmt, 6);
        r.unverified = sqlite3_column_int64(stmt, 7);
        r.actions = sqlite3_column_int64(stmt, 8);
        r.failed_actions = sqlite3_column_int64(stmt, 9);
        r.max_duration_ms = et__sqlite_col_i64(stmt, 10, -1);
        r.avg_duration_ms = sqlite3_column_type(stmt, 11) == SQLITE_NULL
                                ? -1
                                : sqlite3_column_double(stmt, 11);
        rc = fn(ctx, &r);
    }
    if (!rc && s != SQLITE_DONE)
        rc = et__sqlite_fail(db, s, err, "agent statistics");
    sqlite3_finalize(stmt);
    et_buf_release(&sql);
    return rc;
}

int et__sqlite_failures(struct et_store *st, const struct et_sqlstmt *where,
                        et_store_failure_fn *fn, void *ctx,
                        struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    struct et_buf sql = ET_BUF_INIT;
    sqlite3_stmt *stmt = NULL;
    int rc, s = SQLITE_DONE;

    /* a failed action: success false, or no success and an error (as the
     * projection counts n_failed_actions) */
    rc = filtered(
        "SELECT e.execution_id, e.agent_name, e.verification, fa.tool, "
        "json_extract(fa.doc, '$.error'), (SELECT json_extract(j.value, "
        "'$.description') FROM json_each(e.doc, '$.issues') j WHERE "
        "json_extract(j.value, '$.type') = 'ERROR' LIMIT 1) "
        "FROM executions e LEFT JOIN actions fa ON fa.execution_id = "
        "e.execution_id AND fa.sequence = (SELECT min(a2.sequence) FROM "
        "actions a2 WHERE a2.execution_id = e.execution_id AND "
        "(a2.success = 0 OR (a2.success IS NULL AND json_extract(a2.doc, "
        "'$.error') IS NOT NULL))) WHERE (e.verification IN ('MISMATCH', "
        "'ERROR') OR e.n_failed_actions > 0) AND ",
        where, " ORDER BY e.start_ns DESC, e.execution_id DESC", &sql, err);
    if (!rc)
        rc = et__sqlite_prepare(db, &sql, &where->params, &stmt, err);
    while (!rc && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct et_store_failure_row r;

        r.execution_id = (const char *)sqlite3_column_text(stmt, 0);
        r.agent_name = (const char *)sqlite3_column_text(stmt, 1);
        r.verification = (const char *)sqlite3_column_text(stmt, 2);
        r.tool = (const char *)sqlite3_column_text(stmt, 3);
        r.error = (const char *)sqlite3_column_text(stmt, 4);
        r.issue = (const char *)sqlite3_column_text(stmt, 5);
        rc = fn(ctx, &r);
    }
    if (!rc && s != SQLITE_DONE)
        rc = et__sqlite_fail(db, s, err, "failure patterns");
    sqlite3_finalize(stmt);
    et_buf_release(&sql);
    return rc;
}
