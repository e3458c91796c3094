/* SPDX-License-Identifier: MIT */
/*
 * The projection check of verify (docs/LEDGER.md, "Projections"): every
 * table derived from the ledger is copied into a TEMP table, the caller
 * rebuilds the projections from the ledger in the same transaction, and
 * each table is compared both ways (rows and counts). event_index is
 * compared with the ledger's own execution_id column.
 */
#include "base/setup.h"
#include "store/sqlite/query_sqlite.h"
#include "store/sqlite/verify_sqlite.h"

#include <sqlite3.h>
#include <stdio.h>

/* name, and the SELECT whose rows are compared */
static const char *const tabs[][2] = {
    {"sessions", "SELECT * FROM main.sessions"},
    {"executions", "SELECT * FROM main.executions"},
    {"actions", "SELECT * FROM main.actions"},
    {"exec_lists", "SELECT * FROM main.exec_lists"},
    {"list_vocab", "SELECT * FROM main.list_vocab"},
    {"fts", "SELECT rowid AS rid, execution_id, body FROM main.fts"},
    {"security_relevant", "SELECT * FROM main.security_relevant"},
    {"exec_issues", "SELECT * FROM main.exec_issues"},
    {"exec_credentials", "SELECT * FROM main.exec_credentials"},
    {"report_slots", "SELECT * FROM main.report_slots"},
    {"report_duration", "SELECT * FROM main.report_duration"},
    {"report_duration_day", "SELECT * FROM main.report_duration_day"},
    {"report_issues", "SELECT * FROM main.report_issues"},
    {"retention_state", "SELECT * FROM main.retention_state"},
};
#define N_TABS (sizeof(tabs) / sizeof(tabs[0]))

static int run(sqlite3 *db, const char *sql, struct et_error *err)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? ET_OK : et__sqlite_fail(db, rc, err, "verify");
}

int et__sqlite_projection_snapshot(struct et_store *st, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    char sql[512];
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < N_TABS; i++) {
        snprintf(sql, sizeof(sql),
                 "CREATE TEMP TABLE IF NOT EXISTS et_snap_%zu AS %s; "
                 "DELETE FROM temp.et_snap_%zu; "
                 "INSERT INTO temp.et_snap_%zu %s",
                 i, tabs[i][1], i, i, tabs[i][1]);
        rc = run(db, sql, err);
    }
    return rc;
}

/* The first row of sql as "col=value, ..." into out; false when none. */
static bool first_row(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *q = NULL;
    bool found = false;
    size_t len = 0;

    out[0] = '\0';
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return false;
    if (sqlite3_step(q) == SQLITE_ROW) {
        found = true;
        for (int c = 0; c < sqlite3_column_count(q) && len + 1 < cap; c++) {
            const char *v = (const char *)sqlite3_column_text(q, c);
            int n = snprintf(out + len, cap - len, "%s%s=%.60s",
                             c ? ", " : "", sqlite3_column_name(q, c),
                             v ? v : "NULL");

            if (n < 0)
                break;
            len += (size_t)n < cap - len ? (size_t)n : cap - len - 1;
        }
    }
    sqlite3_finalize(q);
    return found;
}

static int64_t count_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    int64_t n = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

int et__sqlite_projection_diff(struct et_store *st, char *where, size_t cap,
                               struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    char sql[512], row[400];
    int rc = ET_OK;

    where[0] = '\0';
    /* event_index is written with each append, never rebuilt */
    if (first_row(db,
                  "SELECT * FROM (SELECT seq, execution_id FROM event_index "
                  "EXCEPT SELECT seq, execution_id FROM ledger) LIMIT 1",
                  row, sizeof(row)) ||
        first_row(db,
                  "SELECT * FROM (SELECT seq, execution_id FROM ledger WHERE "
                  "execution_id IS NOT NULL EXCEPT SELECT seq, execution_id "
                  "FROM event_index) LIMIT 1",
                  row, sizeof(row))) {
        snprintf(where, cap,
                 "table event_index: row (%s) differs from the ledger", row);
        return ET_EINTEGRITY;
    }
    for (size_t i = 0; i < N_TABS && !where[0]; i++) {
        char now[200], snap[64];
        int64_t a, b;

        snprintf(now, sizeof(now), "%s", tabs[i][1]);
        snprintf(snap, sizeof(snap), "SELECT * FROM temp.et_snap_%zu", i);
        snprintf(sql, sizeof(sql), "SELECT * FROM (%s EXCEPT %s) LIMIT 1",
                 snap, now);
        if (first_row(db, sql, row, sizeof(row))) {
            snprintf(where, cap,
                     "table %s: stored row (%s) is not what the ledger "
                     "gives",
                     tabs[i][0], row);
            break;
        }
        snprintf(sql, sizeof(sql), "SELECT * FROM (%s EXCEPT %s) LIMIT 1",
                 now, snap);
        if (first_row(db, sql, row, sizeof(row))) {
            snprintf(where, cap,
                     "table %s: the ledger gives row (%s), which is missing "
                     "or altered",
                     tabs[i][0], row);
            break;
        }
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM (%s)", snap);
        a = count_of(db, sql);
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM (%s)", now);
        b = count_of(db, sql);
        if (a != b)
            snprintf(where, cap,
                     "table %s: %lld stored rows, the ledger gives %lld "
                     "(duplicated or missing rows)",
                     tabs[i][0], (long long)a, (long long)b);
    }
    for (size_t i = 0; !rc && i < N_TABS; i++) {
        snprintf(sql, sizeof(sql), "DELETE FROM temp.et_snap_%zu", i);
        rc = run(db, sql, err);
    }
    if (!rc && where[0])
        rc = ET_EINTEGRITY;
    return rc;
}
