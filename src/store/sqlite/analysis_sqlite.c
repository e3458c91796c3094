/* SPDX-License-Identifier: MIT */
/*
 * SQLite: what the analysis reads and writes (src/analysis/): the
 * exec_issues projection, an agent's recent completed executions (through
 * the executions_agent index), signature counts (exec_issues_signature)
 * and similar executions (FTS5 BM25 over the request and prompt events).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "store/sqlite/query_sqlite.h"

/* this file's slots among the connection's cached statements */
enum {
    A_ISSUES_DEL = ET_SQLITE_REPORT_STMTS,
    A_ISSUES_INS,
    A_SIGNATURE_COUNT,
    A_AGENT_HISTORY,
    A_END
};
_Static_assert(A_END <= ET_SQLITE_CACHED_STMTS,
               "analysis statements need slots in sqlite.c");

static int prep(sqlite3 *db, const char *sql, sqlite3_stmt **out,
                struct et_error *err)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, out, NULL);

    return rc == SQLITE_OK ? ET_OK : et__sqlite_fail(db, rc, err, "prepare");
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

static const char *col(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

int et__sqlite_issues_put(struct et_store *st, const char *id,
                          const char *agent,
                          const struct et_store_issue_row *rows, size_t n,
                          struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *del = NULL, *ins = NULL;
    int rc, s = SQLITE_DONE;

    /* prepared once per connection: these run for every analysed
     * execution (a fresh prepare was 5 % of an OTLP ingest) */
    rc = et__sqlite_cached(st, A_ISSUES_DEL,
                           "DELETE FROM exec_issues WHERE execution_id = ?",
                           &del, err);
    if (!rc) {
        bind_text(del, 1, id);
        s = sqlite3_step(del);
        if (s != SQLITE_DONE)
            rc = et__sqlite_fail(db, s, err, "issues");
    }
    if (!rc && n)
        rc = et__sqlite_cached(st, A_ISSUES_INS,
                               "INSERT INTO exec_issues(execution_id, seq, "
                               "ts_ns, agent_name, type, signature, message) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)",
                               &ins, err);
    for (size_t i = 0; !rc && i < n; i++) {
        sqlite3_reset(ins);
        bind_text(ins, 1, id);
        sqlite3_bind_int64(ins, 2, rows[i].seq);
        sqlite3_bind_int64(ins, 3, rows[i].ts_ns);
        bind_text(ins, 4, agent);
        bind_text(ins, 5, rows[i].type);
        bind_text(ins, 6, rows[i].signature);
        bind_text(ins, 7, rows[i].message);
        s = sqlite3_step(ins);
        if (s != SQLITE_DONE)
            rc = et__sqlite_fail(db, s, err, "issues");
    }
    if (del)
        sqlite3_reset(del);
    if (ins)
        sqlite3_reset(ins);
    return rc;
}

int et__sqlite_agent_history(struct et_store *st, const char *agent,
                             const char *exclude_id, int64_t since_ns,
                             size_t limit, et_store_history_fn *fn, void *ctx,
                             struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *q = NULL;
    int rc, s = SQLITE_DONE;

    /* the executions_agent index, newest first, looking at no more than
     * 2 x limit of the agent's executions: of those, the finished ones
     * (a known duration), at most limit */
    /* prepared once per connection: it runs at every completion (a
     * prepare each time was 2 % of a transcript import) */
    rc = et__sqlite_cached(
        st, A_AGENT_HISTORY,
        "SELECT duration_ms, n_actions, verification, efficiency "
        "FROM (SELECT duration_ms, n_actions, verification, efficiency, "
        "state, execution_id FROM executions WHERE agent_name = ? AND "
        "start_ns >= ? ORDER BY start_ns DESC LIMIT ?) WHERE "
        "duration_ms IS NOT NULL AND execution_id IS NOT ? LIMIT ?",
        &q, err);
    if (rc)
        return rc;
    bind_text(q, 1, agent);
    sqlite3_bind_int64(q, 2, since_ns);
    sqlite3_bind_int64(q, 3, limit ? 2 * (sqlite3_int64)limit + 1 : -1);
    bind_text(q, 4, exclude_id);
    sqlite3_bind_int64(q, 5, limit ? (sqlite3_int64)limit : -1);
    while (!rc && (s = sqlite3_step(q)) == SQLITE_ROW) {
        struct et_store_history_row r;

        r.duration_ms = et__sqlite_col_i64(q, 0, -1);
        r.n_actions = sqlite3_column_int64(q, 1);
        r.verification = col(q, 2);
        r.efficiency = col(q, 3);
        rc = fn(ctx, &r);
    }
    if (!rc && s != SQLITE_DONE && s != SQLITE_ROW)
        rc = et__sqlite_fail(db, s, err, "agent history");
    sqlite3_reset(q);
    return rc;
}

int et__sqlite_signature_count(struct et_store *st, const char *signature,
                               int64_t since_ns, const char *exclude_id,
                               int64_t cap, int64_t *count_out,
                               int64_t *agents_out, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *q = NULL;
    int rc, s;

    *count_out = *agents_out = 0;
    rc = et__sqlite_cached(st, A_SIGNATURE_COUNT,
                           "SELECT count(*), count(DISTINCT agent_name) FROM "
                           "(SELECT agent_name FROM exec_issues WHERE "
                           "signature = ? AND ts_ns >= ? AND execution_id IS "
                           "NOT ? LIMIT ?)",
                           &q, err);
    if (rc)
        return rc;
    bind_text(q, 1, signature);
    sqlite3_bind_int64(q, 2, since_ns);
    bind_text(q, 3, exclude_id);
    sqlite3_bind_int64(q, 4, cap > 0 ? cap : -1);
    s = sqlite3_step(q);
    if (s == SQLITE_ROW) {
        *count_out = sqlite3_column_int64(q, 0);
        *agents_out = sqlite3_column_int64(q, 1);
    } else {
        rc = et__sqlite_fail(db, s, err, "signature count");
    }
    sqlite3_reset(q);
    return rc;
}

int et__sqlite_top_signatures(struct et_store *st, const char *agent,
                              int64_t since_ns, const char *prefix,
                              size_t limit, et_store_signature_fn *fn,
                              void *ctx, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *q = NULL;
    int rc, s = SQLITE_DONE;

    /* type: ERROR sorts before WARNING before INFO, so min() is the worst */
    rc = prep(db,
              "SELECT signature, min(type), max(message), max(execution_id), "
              "count(*), count(DISTINCT execution_id) FROM exec_issues "
              "WHERE (?1 IS NULL OR agent_name = ?1) AND ts_ns >= ?2 AND "
              "(?3 IS NULL OR substr(signature, 1, length(?3)) = ?3) "
              "GROUP BY signature ORDER BY 5 DESC, 1 LIMIT ?4",
              &q, err);
    if (rc)
        return rc;
    bind_text(q, 1, agent);
    sqlite3_bind_int64(q, 2, since_ns);
    bind_text(q, 3, prefix);
    sqlite3_bind_int64(q, 4, limit ? (sqlite3_int64)limit : -1);
    while (!rc && (s = sqlite3_step(q)) == SQLITE_ROW) {
        struct et_store_signature_row r;

        r.signature = col(q, 0);
        r.type = col(q, 1);
        r.message = col(q, 2);
        r.example_id = col(q, 3);
        r.count = sqlite3_column_int64(q, 4);
        r.executions = sqlite3_column_int64(q, 5);
        rc = fn(ctx, &r);
    }
    if (!rc && s != SQLITE_DONE && s != SQLITE_ROW)
        rc = et__sqlite_fail(db, s, err, "signatures");
    sqlite3_finalize(q);
    return rc;
}

/* "w1" OR "w2" ...: every word one quoted FTS5 string */
static int or_words(const char *words, struct et_buf *out)
{
    const char *p = words;
    int rc = ET_OK;

    while (!rc && *p) {
        size_t n;

        while (*p == ' ')
            p++;
        n = strcspn(p, " ");
        if (!n)
            break;
        if (out->len)
            rc = et_buf_addstr(out, " OR ");
        if (!rc)
            rc = et_buf_addch(out, '"');
        for (size_t i = 0; !rc && i < n; i++) {
            if (p[i] == '"')
                rc = et_buf_addch(out, '"');
            if (!rc)
                rc = et_buf_addch(out, p[i]);
        }
        if (!rc)
            rc = et_buf_addch(out, '"');
        p += n;
    }
    return rc;
}

struct sim {
    char id[37];
    char *agent;
    double score;
};

int et__sqlite_similar(struct et_store *st, const char *id, const char *words,
                       size_t limit, et_store_hit_fn *fn, void *ctx,
                       struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    struct et_buf m = ET_BUF_INIT;
    sqlite3_stmt *q = NULL;
    struct sim *v = NULL;
    size_t n = 0;
    int rc, s = SQLITE_DONE;

    if (or_words(words, &m))
        return et_error_set(err, ET_ENOMEM, "out of memory");
    if (!m.len) {
        et_buf_release(&m);
        return ET_OK;
    }
    v = et__calloc(limit ? limit : 1, sizeof(*v));
    if (!v) {
        et_buf_release(&m);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    /* only the events that carry a request or a prompt (the started,
     * delegated and whole-record events) */
    rc = prep(db,
              "WITH b AS (SELECT f.execution_id AS id, min(f.rank) AS best "
              "FROM fts f JOIN ledger l ON l.seq = f.rowid WHERE fts MATCH ? "
              "AND f.execution_id IS NOT ? AND l.type IN "
              "('execution.started', 'execution.delegated', "
              "'execution.recorded') GROUP BY f.execution_id ORDER BY 2, 1 "
              "LIMIT ?) SELECT b.id, b.best, e.agent_name "
              "FROM b LEFT JOIN executions e ON e.execution_id = b.id "
              "ORDER BY b.best, b.id",
              &q, err);
    if (!rc) {
        sqlite3_bind_text(q, 1, m.ptr, (int)m.len, SQLITE_STATIC);
        bind_text(q, 2, id);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)limit);
    }
    while (!rc && n < limit && (s = sqlite3_step(q)) == SQLITE_ROW) {
        const char *a = col(q, 2);

        snprintf(v[n].id, sizeof(v[n].id), "%s", col(q, 0) ? col(q, 0) : "");
        v[n].score = -sqlite3_column_double(q, 1);
        v[n].agent = a ? et__strdup(a) : NULL;
        n++;
    }
    if (!rc && s != SQLITE_DONE && s != SQLITE_ROW)
        rc = et__sqlite_fail(db, s, err, "similar");
    sqlite3_finalize(q);
    for (size_t i = 0; !rc && i < n; i++) {
        struct et_store_hit h = {v[i].id, v[i].agent, v[i].score, 0};

        rc = fn(ctx, &h);
    }
    for (size_t i = 0; i < n; i++) {
        et__free(v[i].agent);
    }
    et__free(v);
    et_buf_release(&m);
    return rc;
}
