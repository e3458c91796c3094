/* SPDX-License-Identifier: MIT */
/*
 * The SQLite dialect of the query language: the spelling the query compiler
 * (src/query/compile.c) writes in (`?` parameters, json_extract/json_each,
 * LIKE, FTS5 phrases), the planning hint for free text, and running the
 * statements it wrote: only a single read-only statement runs, and a whole
 * answer is sorted here, in memory.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "store/sqlite/query_sqlite.h"

#define SUMMARY_COLUMNS                                                    \
 "e.execution_id, e.session_id, e.agent_name, e.agent_version, e.state, "  \
 "e.verification, e.completeness, e.accuracy, e.efficiency, e.start_ns, "  \
 "e.end_ns, e.duration_ms, e.n_actions, e.n_failed_actions, e.first_seq, " \
 "e.last_seq"

/* ---- the dialect ---- */

static void placeholder(struct et_sqlstmt *s, size_t n,
                        const struct et_sqlparam *v)
{
    ET_UNUSED(n);
    ET_UNUSED(v);
    et__sqlstmt_put(s, "?");
}

/* json_extract(doc, '$.path'), or with a user path json_extract(doc, ?);
 * SQLite's LIKE reads any value as text */
static void json_get(struct et_sqlstmt *s, const char *doc, bool is_item,
                     const char *path, const char *user_path, bool as_text)
{
    ET_UNUSED(is_item);
    ET_UNUSED(as_text);
    et__sqlstmt_put(s, "json_extract(");
    et__sqlstmt_put(s, doc);
    if (path) {
        et__sqlstmt_put(s, ", '$.");
        et__sqlstmt_put(s, path);
        et__sqlstmt_put(s, "')");
        return;
    }
    et__sqlstmt_put(s, ", ");
    et__sqlstmt_bind_text(s, user_path, strlen(user_path));
    et__sqlstmt_put(s, ")");
}

static void json_items(struct et_sqlstmt *s, const char *doc, const char *path,
                       bool objects)
{
    ET_UNUSED(objects);
    et__sqlstmt_put(s, "json_each(");
    et__sqlstmt_put(s, doc);
    if (path) {
        et__sqlstmt_put(s, ", '$.");
        et__sqlstmt_put(s, path);
        et__sqlstmt_put(s, "'");
    }
    et__sqlstmt_put(s, ") j");
}

/*
 * Free text is one FTS5 phrase: the whole text inside double quotes, inner
 * quotes doubled. Inside a string FTS5 has no operators, so user text can
 * only ever be words to look for.
 */
static int fts_phrase(struct et_buf *out, const char *s, size_t len)
{
    int rc = et_buf_addch(out, '"');

    for (size_t i = 0; !rc && i < len; i++) {
        if (s[i] == '"')
            rc = et_buf_addch(out, '"');
        if (!rc)
            rc = et_buf_addch(out, s[i]);
    }
    return rc ? rc : et_buf_addch(out, '"');
}

static void text_match(struct et_sqlstmt *s, const char *text, size_t len,
                       bool probe)
{
    struct et_buf b = ET_BUF_INIT;
    struct et_sqlparam p = {ET_SQL_TEXT, NULL, 0, 0, 0, NULL};
    int rc;

    if (s->rc)
        return;
    rc = fts_phrase(&b, text, len);
    if (rc) {
        et_buf_release(&b);
        s->rc = rc;
        return;
    }
    p.own = et_buf_detach(&b, &p.len);
    p.s = p.own;
    /* a subagent's action counts for the execution its agent is bound to
     * now (agent_actions), which a binding correction may have changed
     * since the ledger event named another (docs/INTEGRATIONS.md) */
    if (probe) {
        /* a phrase in many events, on a page: test each execution met on
         * the newest-first walk through its own events (ledger_exec, then
         * an FTS5 rowid lookup), instead of collecting every match */
        struct et_sqlparam q = p;

        q.own = et__strndup(p.own, p.len);
        q.s = q.own;
        if (!q.own) {
            et__free(p.own);
            s->rc = ET_ENOMEM;
            return;
        }
        et__sqlstmt_put(s, "(EXISTS (SELECT 1 FROM ledger l JOIN fts f ON "
                           "f.rowid = l.seq WHERE l.execution_id = "
                           "e.execution_id AND NOT EXISTS (SELECT 1 FROM "
                           "agent_actions a WHERE a.seq = l.seq AND "
                           "a.execution_id IS NOT l.execution_id) AND fts "
                           "MATCH ");
        et__sqlstmt_bind(s, &p); /* p.own handed over */
        et__sqlstmt_put(s, ") OR EXISTS (SELECT 1 FROM agent_actions a JOIN "
                           "fts f ON f.rowid = a.seq WHERE a.execution_id = "
                           "e.execution_id AND fts MATCH ");
        et__sqlstmt_bind(s, &q);
        et__sqlstmt_put(s, "))");
        return;
    }
    /* each matching event's execution from event_index (a small row per
     * event), not from the full-text table's own column, which reads the
     * event's whole text: 148 s -> 1.6 s for a word in all of 1M events */
    et__sqlstmt_put(s, "e.execution_id IN (SELECT CASE WHEN a.seq IS NULL "
                       "THEN ei.execution_id ELSE a.execution_id END FROM "
                       "fts f JOIN event_index ei ON ei.seq = f.rowid LEFT "
                       "JOIN agent_actions a ON a.seq = f.rowid WHERE fts "
                       "MATCH ");
    et__sqlstmt_bind(s, &p); /* p.own handed over */
    et__sqlstmt_put(s, ")");
}

/* LIMIT -1 is no limit: one statement text for both */
static void limit(struct et_sqlstmt *s, int64_t n)
{
    et__sqlstmt_put(s, " LIMIT ");
    et__sqlstmt_bind_int(s, n);
}

/*
 * SQLite cannot tell how selective a bound value is, so the dialect asks
 * the compiler for shaped plans: a page walks the time index newest first
 * and tests each execution (+column keeps the indexes of columns with few
 * distinct values out; lists and actions are correlated EXISTS probes); a
 * whole answer selects (start_ns, execution_id) through the filter's
 * indexes, unordered, and query_run sorts the matches in memory.
 */
const struct et_sql_dialect et__sqlite_dialect = {
    .name = "sqlite",
    .flags = ET_SQLD_PROBE | ET_SQLD_WHOLE | ET_SQLD_VOCAB,
    .false_sql = "0",
    .true_sql = "1",
    .ne = " IS NOT ",
    .like = " LIKE ",
    .text_cast = "",
    .json_true = " = 1", /* json_extract reads JSON true as 1 */
    .noindex = "+",
    .asc = " ASC NULLS LAST",
    .desc = " DESC", /* NULL is the smallest value: last */
    .binary = "",    /* text compares by bytes */
    .placeholder = placeholder,
    .json_get = json_get,
    .json_arg = NULL,
    .json_items = json_items,
    .text_match = text_match,
    .limit = limit,
};

/*
 * Whether a phrase is dense: found in at least 5 % of the trail's events
 * (counted with a LIMIT, so a word in every event costs no more than
 * that). On a page those are cheaper to test per execution met than to
 * collect; a rarer phrase is collected (one event_index row per match),
 * since testing would walk many executions without a match.
 */
int et__sqlite_text_dense(struct et_store *st, const char *text, size_t len,
                          bool *dense, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    struct et_buf phrase = ET_BUF_INIT;
    sqlite3_stmt *q = NULL;
    int64_t events = 0, cap, found = 0;
    int rc = ET_OK;

    *dense = false;
    if (sqlite3_prepare_v2(db, "SELECT max(seq) FROM ledger", -1, &q, NULL) !=
        SQLITE_OK)
        return et__sqlite_fail(db, sqlite3_errcode(db), err, "plan query");
    if (sqlite3_step(q) == SQLITE_ROW)
        events = sqlite3_column_int64(q, 0) + 1;
    sqlite3_finalize(q);
    q = NULL;
    cap = events / 20 > 1000 ? events / 20 : 1000;
    if (fts_phrase(&phrase, text, len)) {
        et_buf_release(&phrase);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM (SELECT 1 FROM fts WHERE "
                           "fts MATCH ?1 LIMIT ?2)",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = et__sqlite_fail(db, sqlite3_errcode(db), err, "plan query");
    } else {
        sqlite3_bind_text(q, 1, phrase.ptr, (int)phrase.len, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, cap);
        if (sqlite3_step(q) == SQLITE_ROW)
            found = sqlite3_column_int64(q, 0);
        else
            rc = et__sqlite_fail(db, sqlite3_errcode(db), err, "plan query");
    }
    sqlite3_finalize(q);
    et_buf_release(&phrase);
    *dense = !rc && found >= cap;
    return rc;
}

/* ---- running statements ---- */

int et__sqlite_fail(sqlite3 *db, int rc, struct et_error *err, const char *what)
{
    int code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED
                   ? ET_EBUSY
               : (rc & 0xff) == SQLITE_NOMEM   ? ET_ENOMEM
               : (rc & 0xff) == SQLITE_CORRUPT ? ET_EINTEGRITY
                                               : ET_EIO;

    return et_error_set(err, code, "%s: %s", what, sqlite3_errmsg(db));
}

/*
 * Prepare a generated statement and bind its parameters. It must be one
 * statement and read-only: a query can never change the trail.
 */
int et__sqlite_prepare(sqlite3 *db, const struct et_buf *sql,
                       const struct et_sqlparams *p, sqlite3_stmt **out,
                       struct et_error *err)
{
    const char *tail = NULL;
    int rc;

    *out = NULL;
    rc = sqlite3_prepare_v3(db, sql->ptr, (int)sql->len, 0, out, &tail);
    if (rc != SQLITE_OK)
        return et__sqlite_fail(db, rc, err, "prepare query");
    if (!*out || (tail && *tail) || !sqlite3_stmt_readonly(*out)) {
        sqlite3_finalize(*out);
        *out = NULL;
        return et_error_set(err, ET_EINTERNAL,
                            "refusing to run a query statement that is not "
                            "a single read-only statement");
    }
    for (size_t i = 0; i < p->n; i++) {
        const struct et_sqlparam *v = &p->v[i];
        int idx = (int)i + 1;

        if (v->type == ET_SQL_TEXT)
            rc = sqlite3_bind_text64(*out, idx, v->s, v->len, SQLITE_STATIC,
                                     SQLITE_UTF8);
        else if (v->type == ET_SQL_INT)
            rc = sqlite3_bind_int64(*out, idx, v->i);
        else
            rc = sqlite3_bind_double(*out, idx, v->d);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(*out);
            *out = NULL;
            return et__sqlite_fail(db, rc, err, "bind query parameter");
        }
    }
    return ET_OK;
}

int64_t et__sqlite_col_i64(sqlite3_stmt *q, int i, int64_t null_value)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL
               ? null_value
               : sqlite3_column_int64(q, i);
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

static void summary_row(sqlite3_stmt *q, struct et_exec_row *r)
{
    memset(r, 0, sizeof(*r));
    r->execution_id = col_text(q, 0);
    r->session_id = col_text(q, 1);
    r->agent_name = col_text(q, 2);
    r->agent_version = col_text(q, 3);
    r->state = col_text(q, 4);
    r->verification = col_text(q, 5);
    r->completeness = col_text(q, 6);
    r->accuracy = col_text(q, 7);
    r->efficiency = col_text(q, 8);
    r->start_ns = et__sqlite_col_i64(q, 9, 0);
    r->end_ns = et__sqlite_col_i64(q, 10, 0);
    r->duration_ms = et__sqlite_col_i64(q, 11, -1);
    r->n_actions = et__sqlite_col_i64(q, 12, 0);
    r->n_failed_actions = et__sqlite_col_i64(q, 13, 0);
    r->first_seq = (uint64_t)et__sqlite_col_i64(q, 14, 0);
    r->last_seq = (uint64_t)et__sqlite_col_i64(q, 15, 0);
}

/* ---- whole mode: sort the matches in memory ---- */

struct match {
    uint64_t key; /* the start time, as an order key (see start_key) */
    union {
        size_t off;      /* of the id in the arena while it grows */
        const char *ids; /* then its address */
    } id;
};

/* in memory from et__big_grow (huge pages, see base/alloc.h) */
struct matches {
    struct match *v, *tmp;
    size_t n, v_cap, tmp_cap;
    char *ids; /* the ids, NUL-terminated, back to back */
    size_t ids_len, ids_cap;
};

/* Ascending keys are newest first; an unknown start (NULL) sorts last. */
static uint64_t start_key(sqlite3_stmt *q, int i)
{
    if (sqlite3_column_type(q, i) == SQLITE_NULL)
        return UINT64_MAX;
    return ~((uint64_t)sqlite3_column_int64(q, i) ^ (UINT64_C(1) << 63));
}

/* within one start time: ids descending */
static int id_cmp(const void *pa, const void *pb)
{
    const struct match *a = pa, *b = pb;

    return -strcmp(a->id.ids, b->id.ids);
}

static int collect(sqlite3 *db, sqlite3_stmt *stmt, struct matches *m,
                   struct et_error *err)
{
    int s;

    while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *id = col_text(stmt, 1);
        int len = sqlite3_column_bytes(stmt, 1);

        if (!id)
            continue;
        if ((m->n + 1) * sizeof(*m->v) > m->v_cap) {
            struct match *nv =
                et__big_grow(m->v, &m->v_cap, (m->n + 1) * sizeof(*m->v));

            if (!nv)
                return et_error_set(err, ET_ENOMEM, "out of memory");
            m->v = nv;
        }
        if (m->ids_len + (size_t)len + 1 > m->ids_cap) {
            char *ni =
                et__big_grow(m->ids, &m->ids_cap, m->ids_len + (size_t)len + 1);

            if (!ni)
                return et_error_set(err, ET_ENOMEM, "out of memory");
            m->ids = ni;
        }
        m->v[m->n].key = start_key(stmt, 0);
        m->v[m->n].id.off = m->ids_len;
        m->n++;
        memcpy(m->ids + m->ids_len, id, (size_t)len);
        m->ids[m->ids_len + (size_t)len] = '\0';
        m->ids_len += (size_t)len + 1;
    }
    return s == SQLITE_DONE ? ET_OK : et__sqlite_fail(db, s, err, "run query");
}

/*
 * Newest first, ties by id descending (the order of a page), each
 * execution once (a list filter finds it once per matching item). A
 * least-significant-byte radix sort on the key, skipping the bytes all
 * keys share, then the ids within each run of one start time.
 */
static int order_matches(struct matches *m, struct et_error *err)
{
    size_t k = 0;

    for (size_t i = 0; i < m->n; i++)
        m->v[i].id.ids = m->ids + m->v[i].id.off;
    if (m->n > 1) {
        m->tmp = et__big_grow(NULL, &m->tmp_cap, m->n * sizeof(*m->tmp));
        if (!m->tmp)
            return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    for (int shift = 0; m->n > 1 && shift < 64; shift += 8) {
        size_t count[257] = {0};
        struct match *swap;

        for (size_t i = 0; i < m->n; i++)
            count[((m->v[i].key >> shift) & 0xff) + 1]++;
        if (count[((m->v[0].key >> shift) & 0xff) + 1] == m->n)
            continue; /* every key has this byte */
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < m->n; i++)
            m->tmp[count[(m->v[i].key >> shift) & 0xff]++] = m->v[i];
        swap = m->v;
        m->v = m->tmp;
        m->tmp = swap;
    }
    for (size_t i = 0, j; i < m->n; i = j) {
        for (j = i + 1; j < m->n && m->v[j].key == m->v[i].key; j++)
            ;
        if (j - i > 1)
            qsort(m->v + i, j - i, sizeof(*m->v), id_cmp);
    }
    for (size_t i = 0; i < m->n; i++) /* one execution has one start */
        if (!k || m->v[k - 1].key != m->v[i].key ||
            strcmp(m->v[k - 1].id.ids, m->v[i].id.ids))
            m->v[k++] = m->v[i];
    m->n = k;
    return ET_OK;
}

static int whole_run(sqlite3 *db, sqlite3_stmt *stmt, int64_t limit,
                     bool ids_only, et_exec_row_fn *fn, void *ctx,
                     struct et_error *err)
{
    static const char one[] =
        "SELECT " SUMMARY_COLUMNS " FROM executions e WHERE "
        "e.execution_id = ?";
    struct matches m = {NULL, NULL, 0, 0, 0, NULL, 0, 0};
    sqlite3_stmt *row_stmt = NULL;
    size_t n;
    int rc = collect(db, stmt, &m, err);

    if (!rc)
        rc = order_matches(&m, err);
    n = limit >= 0 && (uint64_t)limit < m.n ? (size_t)limit : m.n;
    if (!rc && !ids_only &&
        sqlite3_prepare_v3(db, one, -1, 0, &row_stmt, NULL) != SQLITE_OK)
        rc = et__sqlite_fail(db, sqlite3_errcode(db), err, "prepare query");
    for (size_t i = 0; !rc && i < n; i++) {
        struct et_exec_row row;
        int s;

        if (ids_only) {
            memset(&row, 0, sizeof(row));
            row.execution_id = m.v[i].id.ids;
            rc = fn(ctx, &row);
            continue;
        }
        sqlite3_reset(row_stmt);
        sqlite3_bind_text(row_stmt, 1, m.v[i].id.ids, -1, SQLITE_STATIC);
        s = sqlite3_step(row_stmt);

        if (s == SQLITE_ROW) {
            summary_row(row_stmt, &row);
            rc = fn(ctx, &row);
        } else if (s != SQLITE_DONE) {
            rc = et__sqlite_fail(db, s, err, "run query");
        }
    }
    sqlite3_finalize(row_stmt);
    et__big_free(m.v, m.v_cap);
    et__big_free(m.tmp, m.tmp_cap);
    et__big_free(m.ids, m.ids_cap);
    return rc;
}

int et__sqlite_query_run(struct et_store *st, const struct et_sqlstmt *s,
                         et_exec_row_fn *fn, void *ctx, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *stmt = NULL;
    int rc = et__sqlite_prepare(db, &s->sql, &s->params, &stmt, err);

    if (!rc && s->whole)
        rc = whole_run(db, stmt, s->limit, s->ids_only, fn, ctx, err);
    while (!rc && !s->whole) {
        struct et_exec_row row;
        int step = sqlite3_step(stmt);

        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = et__sqlite_fail(db, step, err, "run query");
            break;
        }
        if (s->ids_only) {
            memset(&row, 0, sizeof(row));
            row.execution_id = col_text(stmt, 0);
        } else {
            summary_row(stmt, &row);
        }
        rc = fn(ctx, &row);
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int explain_params(const struct et_sqlparams *p, struct et_buf *out)
{
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < p->n; i++) {
        const struct et_sqlparam *v = &p->v[i];

        if (v->type == ET_SQL_TEXT) {
            rc = et_buf_printf(out, "  ?%zu = '", i + 1);
            /* shown as an SQL literal would be, for reading only */
            for (size_t k = 0; !rc && k < v->len; k++)
                rc = v->s[k] == '\'' ? et_buf_add(out, "''", 2)
                                     : et_buf_addch(out, v->s[k]);
            if (!rc)
                rc = et_buf_addstr(out, "'\n");
        } else if (v->type == ET_SQL_INT) {
            rc = et_buf_printf(out, "  ?%zu = %lld\n", i + 1, (long long)v->i);
        } else {
            rc = et_buf_printf(out, "  ?%zu = %.17g\n", i + 1, v->d);
        }
    }
    return rc;
}

/* EXPLAIN QUERY PLAN rows: id, parent, detail; indented by depth. */
static int explain_plan(sqlite3 *db, const struct et_buf *sql,
                        const struct et_sqlparams *p, struct et_buf *out,
                        struct et_error *err)
{
    struct et_buf eq = ET_BUF_INIT;
    sqlite3_stmt *stmt = NULL;
    int ids[64], depth[64], n = 0, s;
    int rc = et_buf_addstr(&eq, "EXPLAIN QUERY PLAN ");

    if (!rc)
        rc = et_buf_add(&eq, sql->ptr, sql->len);
    if (rc) {
        et_buf_release(&eq);
        return et_error_set(err, rc, "out of memory");
    }
    rc = sqlite3_prepare_v3(db, eq.ptr, (int)eq.len, 0, &stmt, NULL);
    if (rc != SQLITE_OK) {
        et_buf_release(&eq);
        return et__sqlite_fail(db, rc, err, "explain query");
    }
    for (size_t i = 0; i < p->n && rc == SQLITE_OK; i++) {
        const struct et_sqlparam *v = &p->v[i];

        rc = v->type == ET_SQL_TEXT
                 ? sqlite3_bind_text64(stmt, (int)i + 1, v->s, v->len,
                                       SQLITE_STATIC, SQLITE_UTF8)
             : v->type == ET_SQL_INT
                 ? sqlite3_bind_int64(stmt, (int)i + 1, v->i)
                 : sqlite3_bind_double(stmt, (int)i + 1, v->d);
    }
    rc = ET_OK;
    while (!rc && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        int id = sqlite3_column_int(stmt, 0),
            parent = sqlite3_column_int(stmt, 1);
        int d = 0;

        for (int i = 0; i < n; i++)
            if (ids[i] == parent)
                d = depth[i] + 1;
        if (n < (int)ET_ARRAY_SIZE(ids)) {
            ids[n] = id;
            depth[n++] = d;
        }
        rc = et_buf_printf(out, "  %*s%s\n", d * 2, "",
                           col_text(stmt, 3) ? col_text(stmt, 3) : "");
    }
    sqlite3_finalize(stmt);
    et_buf_release(&eq);
    return rc ? et_error_set(err, rc, "out of memory") : ET_OK;
}

int et__sqlite_query_explain(struct et_store *st, const struct et_sqlstmt *s,
                             struct et_buf *out, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *stmt = NULL;
    /* prepared: the read-only check */
    int rc = et__sqlite_prepare(db, &s->sql, &s->params, &stmt, err);

    sqlite3_finalize(stmt);
    if (!rc) {
        rc = et_buf_printf(out, "sql (read-only): %s\n", et_buf_str(&s->sql));
        if (!rc && s->whole)
            rc = et_buf_addstr(out, "then: the matches sorted newest first "
                                    "in memory, each execution once\n");
        if (!rc)
            rc = et_buf_addstr(out, "parameters:\n");
        if (!rc)
            rc = explain_params(&s->params, out);
        if (!rc)
            rc = et_buf_addstr(out, "plan:\n");
        if (rc)
            rc = et_error_set(err, rc, "out of memory");
    }
    if (!rc)
        rc = explain_plan(db, &s->sql, &s->params, out, err);
    return rc;
}
