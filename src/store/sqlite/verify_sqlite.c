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
#include <string.h>

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
    /* rollup rows whose counters went back to zero (an execution erased
     * or moved) are kept by the incremental update, never made by a
     * rebuild, and add nothing to a report: compared without them */
    {"report_slots",
     "SELECT * FROM main.report_slots WHERE n OR completed OR match OR "
     "partial OR mismatch OR error OR dur_n OR dur_sum_ms OR q_n OR q_sum12 "
     "OR q_high OR q_bin0 OR q_bin1 OR q_bin2 OR q_bin3 OR q_bin4 OR usage_n "
     "OR tok_in OR tok_out OR tok_cache_read OR tok_cache_write OR "
     "cost_micro_usd"},
    {"report_duration", "SELECT * FROM main.report_duration WHERE n"},
    {"report_duration_day", "SELECT * FROM main.report_duration_day WHERE n"},
    {"report_issues", "SELECT * FROM main.report_issues WHERE n OR executions"},
    {"retention_state", "SELECT * FROM main.retention_state"},
    {"agent_bindings", "SELECT * FROM main.agent_bindings"},
    {"agent_actions", "SELECT * FROM main.agent_actions"},
    {"notes", "SELECT * FROM main.notes"},
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
    char sql[1400];
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
            int n = snprintf(out + len, cap - len, "%s%s=%.60s", c ? ", " : "",
                             sqlite3_column_name(q, c), v ? v : "NULL");

            if (n < 0)
                break;
            len += (size_t)n < cap - len ? (size_t)n : cap - len - 1;
        }
    }
    sqlite3_finalize(q);
    return found;
}

/*
 * For the first stored row not in the rebuilt table: the rebuilt row with
 * the same first column (the key), and the first column that differs, as
 * "row <key col>=<v>: <col> is 'x', the ledger gives 'y'".
 */
static bool column_diff(sqlite3 *db, const char *snap, const char *now,
                        char *out, size_t cap)
{
    char sql[1024];
    sqlite3_stmt *a = NULL, *b = NULL;
    bool found = false;

    snprintf(sql, sizeof(sql), "SELECT * FROM (%s EXCEPT %s) LIMIT 1", snap,
             now);
    if (sqlite3_prepare_v2(db, sql, -1, &a, NULL) != SQLITE_OK ||
        sqlite3_step(a) != SQLITE_ROW)
        goto out;
    snprintf(sql, sizeof(sql), "SELECT * FROM (%s) WHERE \"%s\" IS ?1", now,
             sqlite3_column_name(a, 0));
    if (sqlite3_prepare_v2(db, sql, -1, &b, NULL) != SQLITE_OK)
        goto out;
    sqlite3_bind_value(b, 1, sqlite3_column_value(a, 0));
    while (!found && sqlite3_step(b) == SQLITE_ROW) {
        for (int c = 1; c < sqlite3_column_count(a); c++) {
            const char *x = (const char *)sqlite3_column_text(a, c);
            const char *y = (const char *)sqlite3_column_text(b, c);

            if ((x == NULL) == (y == NULL) && (!x || !strcmp(x, y)))
                continue;
            snprintf(out, cap,
                     "row %s=%.40s: %s is '%.40s', the ledger "
                     "gives '%.40s'",
                     sqlite3_column_name(a, 0),
                     (const char *)sqlite3_column_text(a, 0),
                     sqlite3_column_name(a, c), x ? x : "NULL", y ? y : "NULL");
            found = true;
            break;
        }
    }
out:
    sqlite3_finalize(a);
    sqlite3_finalize(b);
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
    char sql[1024], row[400];
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
        char now[400], snap[64];
        int64_t a, b;

        snprintf(now, sizeof(now), "%s", tabs[i][1]);
        snprintf(snap, sizeof(snap), "SELECT * FROM temp.et_snap_%zu", i);
        snprintf(sql, sizeof(sql), "SELECT * FROM (%s EXCEPT %s) LIMIT 1", snap,
                 now);
        if (first_row(db, sql, row, sizeof(row))) {
            char col[200];

            if (column_diff(db, snap, now, col, sizeof(col)))
                snprintf(where, cap, "table %s: %s", tabs[i][0], col);
            else
                snprintf(where, cap,
                         "table %s: stored row (%.300s) is not what the "
                         "ledger gives",
                         tabs[i][0], row);
            break;
        }
        snprintf(sql, sizeof(sql), "SELECT * FROM (%s EXCEPT %s) LIMIT 1", now,
                 snap);
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
