/* SPDX-License-Identifier: MIT */
/*
 * The projection check of verify (docs/LEDGER.md, "Projections"). Fast
 * path: a keyed digest of every table's multiset of rows, taken before and
 * after the caller rebuilds the projections from the ledger in the same
 * transaction. Slow path, only when the digests differ: every table is
 * copied into a TEMP table, rebuilt, and compared both ways (rows and
 * counts) to name the first row that differs. event_index is compared with
 * the ledger's own execution_id column.
 */
#include "base/setup.h"
#include "store/sqlite/query_sqlite.h"
#include "store/sqlite/verify_sqlite.h"

#include <sodium.h>
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

/* Hash one row (column count, then per column its type and value). */
static void hash_row(sqlite3_stmt *q, crypto_generichash_state *h)
{
    uint8_t hdr[9];
    int nc = sqlite3_column_count(q);

    for (int c = 0; c < nc; c++) {
        int ty = sqlite3_column_type(q, c);
        uint64_t v = 0;
        const void *p = NULL;

        hdr[0] = (uint8_t)ty;
        if (ty == SQLITE_INTEGER) {
            v = (uint64_t)sqlite3_column_int64(q, c);
        } else if (ty == SQLITE_FLOAT) {
            double d = sqlite3_column_double(q, c);

            memcpy(&v, &d, sizeof(v));
        } else if (ty == SQLITE_TEXT || ty == SQLITE_BLOB) {
            p = ty == SQLITE_TEXT ? (const void *)sqlite3_column_text(q, c)
                                  : sqlite3_column_blob(q, c);
            v = (uint64_t)sqlite3_column_bytes(q, c);
        }
        for (int i = 0; i < 8; i++)
            hdr[1 + i] = (uint8_t)(v >> (8 * i));
        crypto_generichash_update(h, hdr, sizeof(hdr));
        if (p && v)
            crypto_generichash_update(h, p, (size_t)v);
    }
}

/*
 * The multiset of rows of sel: each row hashed with the verification's
 * random key (column count, then per column its type and value), and the
 * row hashes added modulo 2^256, so the order of rows does not matter but
 * a changed, missing or duplicated row changes the sum. The key is drawn
 * per run, so nobody who edits the tables can aim at a collision.
 */
static int rows_digest(sqlite3 *db, const char *sel,
                       const crypto_generichash_state *keyed,
                       crypto_generichash_state *all, struct et_error *err)
{
    sqlite3_stmt *q = NULL;
    uint64_t sum[4] = {0, 0, 0, 0}, n = 0;
    uint8_t le[40];
    int rc = sqlite3_prepare_v2(db, sel, -1, &q, NULL);

    if (rc != SQLITE_OK)
        return et__sqlite_fail(db, rc, err, "verify");
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        crypto_generichash_state h = *keyed; /* the key block is hashed once */
        uint8_t rh[32];

        hash_row(q, &h);
        crypto_generichash_final(&h, rh, sizeof(rh));
        for (int w = 0, carry = 0; w < 4; w++) {
            uint64_t x = 0, s0;

            for (int i = 0; i < 8; i++)
                x |= (uint64_t)rh[w * 8 + i] << (8 * i);
            s0 = sum[w] + x;
            sum[w] = s0 + (uint64_t)carry;
            carry = s0 < x || sum[w] < s0;
        }
        n++;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return et__sqlite_fail(db, rc, err, "verify");
    for (int w = 0; w < 4; w++)
        for (int i = 0; i < 8; i++)
            le[w * 8 + i] = (uint8_t)(sum[w] >> (8 * i));
    for (int i = 0; i < 8; i++)
        le[32 + i] = (uint8_t)(n >> (8 * i));
    crypto_generichash_update(all, le, sizeof(le));
    return ET_OK;
}

/*
 * Empty TEMP copies of every projection table (with its indexes and
 * triggers; the full-text table as a plain table of its content), which
 * unqualified names in the store's statements resolve to before the main
 * ones: the scratch rebuild then writes them instead of deleting and
 * rewriting the stored tables. The transaction's rollback drops them, and
 * SQLite re-prepares every statement on both schema changes.
 */
static int make_shadows(sqlite3 *db, struct et_error *err)
{
    sqlite3_stmt *q = NULL;
    char sql[4096];
    int rc = run(db, "CREATE TEMP TABLE fts(execution_id, body)", err);

    if (rc)
        return rc;
    if (sqlite3_prepare_v2(db,
                           "SELECT type, sql FROM main.sqlite_master WHERE "
                           "tbl_name = ?1 AND sql IS NOT NULL ORDER BY "
                           "type = 'table' DESC, type = 'index' DESC",
                           -1, &q, NULL) != SQLITE_OK)
        return et__sqlite_fail(db, sqlite3_errcode(db), err, "verify");
    for (size_t i = 0; !rc && i < N_TABS; i++) {
        if (!strcmp(tabs[i][0], "fts"))
            continue;
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, tabs[i][0], -1, SQLITE_STATIC);
        while (!rc && sqlite3_step(q) == SQLITE_ROW) {
            const char *ty = (const char *)sqlite3_column_text(q, 0);
            const char *def = (const char *)sqlite3_column_text(q, 1);
            const char *idx = strstr(def, "INDEX ");

            if (!strcmp(ty, "index") && idx)
                snprintf(sql, sizeof(sql), "%.*stemp.%s", (int)(idx + 6 - def),
                         def, idx + 6);
            else if (!strncmp(def, "CREATE ", 7))
                snprintf(sql, sizeof(sql), "CREATE TEMP %s", def + 7);
            else
                continue;
            rc = run(db, sql, err);
        }
    }
    sqlite3_finalize(q);
    return rc;
}

int et__sqlite_projection_scratch(struct et_store *st, bool on,
                                  struct et_error *err)
{
    /* the TEMP copies go to a temporary file past 32 MiB of cache, so a
     * big store is verified in bounded memory (its rollback journal stays
     * in memory: on disk it cost a third of the check's time); writers
     * keep their statement journals in memory (sqlite.c) */
    sqlite3 *db = et__sqlite_db(st);

    /* a statement left stepping on a TEMP copy (a row on loan) would keep
     * the temporary database in a read transaction, and SQLite refuses to
     * change temp_store then; the verification is over, nothing borrows
     * from them any more */
    for (sqlite3_stmt *q = NULL; (q = sqlite3_next_stmt(db, q));)
        sqlite3_reset(q);
    return run(db,
               on ? "PRAGMA temp_store = FILE; "
                    "PRAGMA temp.cache_size = -32768; "
                    "PRAGMA temp.journal_mode = MEMORY"
                  : "PRAGMA temp_store = MEMORY",
               err);
}

int et__sqlite_projection_digest(struct et_store *st, const uint8_t key[32],
                                 bool rebuilt, uint8_t out[32],
                                 struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    crypto_generichash_state all, keyed;
    int rc;

    crypto_generichash_init(&all, key, 32, 32);
    crypto_generichash_init(&keyed, key, 32, 32);
    /* event_index is written with each append and never rebuilt: stored,
     * it must hold what the ledger's own column gives */
    rc = rows_digest(db,
                     rebuilt ? "SELECT seq, execution_id FROM main.ledger "
                               "WHERE execution_id IS NOT NULL"
                             : "SELECT seq, execution_id FROM "
                               "main.event_index",
                     &keyed, &all, err);
    for (size_t i = 0; !rc && i < N_TABS; i++) {
        char sel[1400];
        const char *m = strstr(tabs[i][1], "main.");

        /* the rebuilt rows are in the TEMP copies */
        if (rebuilt && m)
            snprintf(sel, sizeof(sel), "%.*stemp.%s", (int)(m - tabs[i][1]),
                     tabs[i][1], m + 5);
        else
            snprintf(sel, sizeof(sel), "%s", tabs[i][1]);
        rc = rows_digest(db, sel, &keyed, &all, err);
    }
    if (!rc && !rebuilt)
        rc = make_shadows(db, err);
    crypto_generichash_final(&all, out, 32);
    return rc;
}

int et__sqlite_report_digest(struct et_store *st, uint8_t out[32],
                             struct et_error *err)
{
    /* the tables the reports read (report_sqlite.c), rows in key order:
     * one unkeyed hash, so that a stored digest can be compared later */
    static const char *const sel[] = {
        "SELECT * FROM main.report_slots ORDER BY slot, agent",
        "SELECT * FROM main.report_duration ORDER BY agent, slot, bucket",
        "SELECT * FROM main.report_duration_day ORDER BY agent, day, bucket",
        "SELECT * FROM main.report_issues ORDER BY agent, slot, signature, "
        "type",
    };
    sqlite3 *db = et__sqlite_db(st);
    crypto_generichash_state h;
    int rc = ET_OK;

    crypto_generichash_init(&h, NULL, 0, 32);
    for (size_t i = 0; !rc && i < sizeof(sel) / sizeof(sel[0]); i++) {
        sqlite3_stmt *q = NULL;
        int src = sqlite3_prepare_v2(db, sel[i], -1, &q, NULL);
        uint8_t tag = (uint8_t)(0xf0 | i);

        crypto_generichash_update(&h, &tag, 1);
        if (src == SQLITE_OK) {
            while ((src = sqlite3_step(q)) == SQLITE_ROW) {
                static const uint8_t row = 0xee;

                crypto_generichash_update(&h, &row, 1);
                hash_row(q, &h);
            }
        }
        sqlite3_finalize(q);
        if (src != SQLITE_DONE)
            rc = et__sqlite_fail(db, src, err, "report digest");
    }
    crypto_generichash_final(&h, out, 32);
    return rc;
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
