/* SPDX-License-Identifier: MIT */
/*
 * Retention's SQL. Forgetting an execution deletes its rows from every
 * projection table that has an execution_id column (found in the schema, so
 * tables added later are covered too), the full-text rows of its events by
 * rowid, and its share of the session counts; the ledger keeps its rows.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "store/sqlite/query_sqlite.h"
#include "store/sqlite/retention_sqlite.h"

#include <sqlite3.h>

static int run(sqlite3 *db, const char *sql, struct et_error *err)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? ET_OK : et__sqlite_fail(db, rc, err, "store");
}

static int prep(sqlite3 *db, const char *sql, sqlite3_stmt **q,
                struct et_error *err)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, q, NULL);

    return rc == SQLITE_OK ? ET_OK : et__sqlite_fail(db, rc, err, "prepare");
}

static int step_once(sqlite3 *db, sqlite3_stmt *q, struct et_error *err)
{
    int rc = sqlite3_step(q);

    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ET_OK : et__sqlite_fail(db, rc, err, "store");
}

static bool has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *q = NULL;
    bool found = false;

    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                           "AND name = ?",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return found;
}

static const char *text(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

int et__sqlite_ret_scan(struct et_store *st, et_store_ret_fn *fn, void *ctx,
                        struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    bool sec = has_table(db, "security_relevant");
    sqlite3_stmt *q = NULL;
    char sql[1024];
    int rc;

    snprintf(sql, sizeof(sql),
             "SELECT e.execution_id, e.state, e.verification, "
             "e.completeness, e.accuracy, e.efficiency, "
             "coalesce(e.end_ns, e.start_ns, (SELECT ts_ns FROM ledger l "
             "WHERE l.seq = e.first_seq)) AS ref, %s, "
             "json_extract(h.value, '$.reason'), "
             "json_extract(h.value, '$.since_ns'), e.start_ns "
             "FROM executions e LEFT JOIN retention_state h "
             "ON h.key = 'hold:' || e.execution_id %s "
             "ORDER BY ref, e.execution_id",
             sec ? "s.execution_id IS NOT NULL" : "0",
             sec ? "LEFT JOIN security_relevant s "
                   "ON s.execution_id = e.execution_id"
                 : "");
    rc = prep(db, sql, &q, err);
    if (rc)
        return rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct et_store_ret_row r;

        memset(&r, 0, sizeof(r));
        r.execution_id = text(q, 0);
        r.state = text(q, 1);
        r.verification = text(q, 2);
        r.completeness = text(q, 3);
        r.accuracy = text(q, 4);
        r.efficiency = text(q, 5);
        r.ref_ns = sqlite3_column_int64(q, 6);
        r.is_security = sqlite3_column_int(q, 7) != 0;
        r.hold_reason = text(q, 8);
        r.hold_since_ns = sqlite3_column_int64(q, 9);
        r.start_ns = sqlite3_column_int64(q, 10);
        rc = fn(ctx, &r);
        if (rc) {
            sqlite3_finalize(q);
            return rc;
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? ET_OK : et__sqlite_fail(db, rc, err, "scan");
}

/* The projection tables with an execution_id column, other than the
 * ledger's own and the session table (handled by counts). */
static int forget_tables(sqlite3 *db, struct et_error *err)
{
    static const char sql[] =
        "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c "
        "WHERE m.type = 'table' AND c.name = 'execution_id' "
        "AND m.name NOT IN ('ledger', 'event_index', 'fts', 'sessions') "
        "AND m.name NOT LIKE 'fts_%' AND m.name NOT LIKE 'sqlite_%' "
        "ORDER BY m.name";
    sqlite3_stmt *q = NULL;
    char del[256];
    int src = SQLITE_DONE;
    int rc = prep(db, sql, &q, err);

    while (!rc && (src = sqlite3_step(q)) == SQLITE_ROW) {
        snprintf(del, sizeof(del),
                 "DELETE FROM \"%s\" WHERE execution_id IN "
                 "(SELECT id FROM temp.et_gone)",
                 text(q, 0));
        rc = run(db, del, err);
    }
    if (!rc && src != SQLITE_DONE)
        rc = et__sqlite_fail(db, src, err, "schema");
    sqlite3_finalize(q);
    return rc;
}

int et__sqlite_exec_forget(struct et_store *st, const char *const *ids,
                           size_t n, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *q = NULL;
    int rc;

    rc = run(db,
             "CREATE TEMP TABLE IF NOT EXISTS et_gone(id TEXT PRIMARY KEY) "
             "WITHOUT ROWID; DELETE FROM temp.et_gone;",
             err);
    if (!rc)
        rc = prep(db, "INSERT OR IGNORE INTO temp.et_gone(id) VALUES (?)", &q,
                  err);
    for (size_t i = 0; !rc && i < n; i++) {
        sqlite3_bind_text(q, 1, ids[i], -1, SQLITE_STATIC);
        rc = step_once(db, q, err);
    }
    sqlite3_finalize(q);
    if (!rc)
        rc = run(db,
                 "DELETE FROM fts WHERE rowid IN (SELECT seq FROM ledger l "
                 "WHERE execution_id IN (SELECT id FROM temp.et_gone) AND "
                 "NOT EXISTS (SELECT 1 FROM agent_actions a WHERE a.seq = "
                 "l.seq AND a.execution_id IS NOT l.execution_id));"
                 "DELETE FROM fts WHERE rowid IN (SELECT seq FROM "
                 "agent_actions WHERE execution_id IN (SELECT id FROM "
                 "temp.et_gone));"
                 "UPDATE sessions SET n_executions = n_executions - "
                 "(SELECT count(*) FROM executions e WHERE e.session_id = "
                 "sessions.session_id AND e.execution_id IN "
                 "(SELECT id FROM temp.et_gone)) WHERE session_id IN "
                 "(SELECT session_id FROM executions WHERE execution_id IN "
                 "(SELECT id FROM temp.et_gone));"
                 "DELETE FROM sessions WHERE n_executions <= 0;"
                 /* the bounds of a session that keeps executions are
                  * those of the ones left, as a rebuild computes them */
                 "UPDATE sessions SET "
                 "first_ns = (SELECT min(e.start_ns) FROM executions e "
                 "WHERE e.session_id = sessions.session_id AND "
                 "e.execution_id NOT IN (SELECT id FROM temp.et_gone)), "
                 "last_ns = (SELECT max(e.start_ns) FROM executions e "
                 "WHERE e.session_id = sessions.session_id AND "
                 "e.execution_id NOT IN (SELECT id FROM temp.et_gone)) "
                 "WHERE session_id IN (SELECT session_id FROM executions "
                 "WHERE execution_id IN (SELECT id FROM temp.et_gone));",
                 err);
    if (!rc)
        rc = forget_tables(db, err);
    if (!rc)
        rc = run(db, "DELETE FROM temp.et_gone", err);
    return rc;
}

int et__sqlite_payload_set(struct et_store *st, uint64_t seq, const char *body,
                           size_t len, bool *changed, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *q = NULL;
    int rc = prep(db,
                  body ? "UPDATE ledger SET body = ?2 WHERE seq = ?1 "
                         "AND body IS NULL"
                       : "UPDATE ledger SET body = NULL WHERE seq = ?1",
                  &q, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)seq);
    if (body)
        sqlite3_bind_text64(q, 2, body, len, SQLITE_STATIC, SQLITE_UTF8);
    rc = step_once(db, q, err);
    sqlite3_finalize(q);
    if (!rc && changed)
        *changed = sqlite3_changes(db) > 0;
    return rc;
}

static int delete_key(sqlite3 *db, const char *sql, const char *key,
                      struct et_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc = prep(db, sql, &q, err);

    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    rc = step_once(db, q, err);
    sqlite3_finalize(q);
    return rc;
}

int et__sqlite_rstate_put(struct et_store *st, const char *key,
                          const char *value, uint64_t seq, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *q = NULL;
    int rc = prep(db,
                  "INSERT INTO retention_state(key, value, seq) VALUES "
                  "(?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                  "excluded.value, seq = excluded.seq",
                  &q, err);

    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)seq);
    rc = step_once(db, q, err);
    sqlite3_finalize(q);
    return rc;
}

int et__sqlite_rstate_del(struct et_store *st, const char *key,
                          struct et_error *err)
{
    return delete_key(et__sqlite_db(st),
                      "DELETE FROM retention_state WHERE key = ?", key, err);
}

int et__sqlite_rstate_get(struct et_store *st, const char *key, char **value,
                          struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *q = NULL;
    int rc =
        prep(db, "SELECT value FROM retention_state WHERE key = ?", &q, err);

    *value = NULL;
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *value = et__strdup(text(q, 0));
        rc = *value ? ET_OK : et_error_set(err, ET_ENOMEM, "out of memory");
    } else if (rc == SQLITE_DONE) {
        rc = et_error_set(err, ET_ENOTFOUND, "no %s", key);
    } else {
        rc = et__sqlite_fail(db, rc, err, "retention state");
    }
    sqlite3_finalize(q);
    return rc;
}

int et__sqlite_rstate_each(struct et_store *st, const char *prefix,
                           et_store_kv_fn *fn, void *ctx, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *q = NULL;
    int rc = prep(db,
                  "SELECT key, value FROM retention_state WHERE "
                  "substr(key, 1, length(?1)) = ?1 ORDER BY key",
                  &q, err);

    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, prefix, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        rc = fn(ctx, text(q, 0), text(q, 1));
        if (rc) {
            sqlite3_finalize(q);
            return rc;
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? ET_OK
                             : et__sqlite_fail(db, rc, err, "retention state");
}
