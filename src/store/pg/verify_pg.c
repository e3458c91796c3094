/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL: the projection check of verify (docs/LEDGER.md,
 * "Projections"), as SQLite's verify_sqlite.c: every derived table is
 * copied into a TEMP table, the caller rebuilds the projections from the
 * ledger in the same transaction (rolled back afterwards), and each table
 * is compared both ways with EXCEPT ALL (rows and their counts).
 */
#include "base/setup.h"
#include "store/pg/pg_int.h"

#include <sodium.h>

/* name, and the SELECT whose rows are compared */
static const char *const tabs[][2] = {
    {"sessions", "SELECT * FROM sessions"},
    {"executions", "SELECT * FROM executions"},
    {"actions", "SELECT * FROM actions"},
    {"exec_lists", "SELECT * FROM exec_lists"},
    {"fts", "SELECT seq, execution_id, body FROM fts"},
    {"security_relevant", "SELECT * FROM security_relevant"},
    {"exec_issues", "SELECT * FROM exec_issues"},
    {"exec_credentials", "SELECT * FROM exec_credentials"},
    /* rollup rows whose counters went back to zero are kept by the
     * incremental update, never made by a rebuild: compared without them */
    {"report_slots",
     "SELECT * FROM report_slots WHERE NOT (n = 0 AND completed = 0 AND "
     "match = 0 AND partial = 0 AND mismatch = 0 AND error = 0 AND dur_n = "
     "0 AND dur_sum_ms = 0 AND q_n = 0 AND q_sum12 = 0 AND q_high = 0 AND "
     "q_bin0 = 0 AND q_bin1 = 0 AND q_bin2 = 0 AND q_bin3 = 0 AND q_bin4 = "
     "0 AND usage_n = 0 AND tok_in = 0 AND tok_out = 0 AND tok_cache_read = "
     "0 AND tok_cache_write = 0 AND cost_micro_usd = 0)"},
    {"report_duration", "SELECT * FROM report_duration WHERE n <> 0"},
    {"report_duration_day", "SELECT * FROM report_duration_day WHERE n <> 0"},
    {"report_issues",
     "SELECT * FROM report_issues WHERE n <> 0 OR executions <> 0"},
    {"retention_state", "SELECT * FROM retention_state"},
    {"agent_bindings", "SELECT * FROM agent_bindings"},
    {"agent_actions", "SELECT * FROM agent_actions"},
    {"notes", "SELECT * FROM notes"},
};

#define N_TABS (sizeof(tabs) / sizeof(tabs[0]))

int et__pg_projection_snapshot(struct et_store *st, struct et_error *err)
{
    char sql[1400];
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < N_TABS; i++) {
        snprintf(sql, sizeof(sql),
                 "CREATE TEMP TABLE IF NOT EXISTS et_snap_%zu AS %s WITH NO "
                 "DATA; DELETE FROM et_snap_%zu; INSERT INTO et_snap_%zu %s",
                 i, tabs[i][1], i, i, tabs[i][1]);
        rc = et__pg_exec(et__pg(st), sql, err, "verify");
    }
    return rc;
}

/* The first row of sql as "col=value, ..." into out; false when none
 * (or on an error, with rc set). */
static bool first_row(struct et_pg *s, const char *sql, char *out, size_t cap,
                      int *rc, struct et_error *err)
{
    PGresult *r = NULL;
    bool found = false;
    size_t len = 0;

    out[0] = '\0';
    *rc = et__pg_run(s, -1, sql, NULL, 0, &r, err, "verify");
    if (*rc)
        return false;
    if (PQntuples(r) > 0) {
        found = true;
        for (int c = 0; c < PQnfields(r) && len + 1 < cap; c++) {
            const char *v = et__pg_text(r, 0, c);
            int n = snprintf(out + len, cap - len, "%s%s=%.60s", c ? ", " : "",
                             PQfname(r, c), v ? v : "NULL");

            if (n < 0)
                break;
            len += (size_t)n < cap - len ? (size_t)n : cap - len - 1;
        }
    }
    PQclear(r);
    return found;
}

/*
 * For the first stored row not in the rebuilt table: a rebuilt row with the
 * same first column (the key) and the first column that differs, as
 * "row <key col>=<v>: <col> is 'x', the ledger gives 'y'" (as SQLite's).
 */
static bool column_diff(struct et_pg *s, size_t i, char *out, size_t cap)
{
    char sql[1600];
    PGresult *a = NULL, *b = NULL;
    struct et_pgp p = {0};
    bool found = false;
    char *col = NULL;

    snprintf(sql, sizeof(sql),
             "SELECT * FROM et_snap_%zu EXCEPT ALL (%s) LIMIT 1", i,
             tabs[i][1]);
    if (et__pg_run(s, -1, sql, NULL, 0, &a, NULL, "verify") ||
        PQntuples(a) != 1)
        goto out;
    col = PQescapeIdentifier(s->conn, PQfname(a, 0), strlen(PQfname(a, 0)));
    if (!col)
        goto out;
    snprintf(sql, sizeof(sql),
             "SELECT * FROM (%s) n WHERE n.%s::text IS NOT DISTINCT FROM "
             "$1::text",
             tabs[i][1], col);
    et__pgp_str(&p, et__pg_text(a, 0, 0));
    if (et__pg_run(s, -1, sql, &p, 0, &b, NULL, "verify"))
        goto out;
    for (int r = 0; !found && r < PQntuples(b); r++) {
        for (int c = 1; c < PQnfields(a) && c < PQnfields(b); c++) {
            const char *x = et__pg_text(a, 0, c), *y = et__pg_text(b, r, c);

            if ((x == NULL) == (y == NULL) && (!x || !strcmp(x, y)))
                continue;
            snprintf(out, cap,
                     "row %s=%.40s: %s is '%.40s', the ledger gives '%.40s'",
                     PQfname(a, 0), PQgetvalue(a, 0, 0), PQfname(a, c),
                     x ? x : "NULL", y ? y : "NULL");
            found = true;
            break;
        }
    }
out:
    PQfreemem(col);
    PQclear(a);
    PQclear(b);
    return found;
}

int et__pg_projection_diff(struct et_store *st, char *where, size_t cap,
                           struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    char sql[1600], row[400];
    int rc = ET_OK;

    where[0] = '\0';
    /* event_index is written with each append, never rebuilt */
    if (first_row(s,
                  "(SELECT seq, execution_id FROM event_index EXCEPT ALL "
                  "SELECT seq, execution_id FROM ledger WHERE execution_id "
                  "IS NOT NULL) UNION ALL (SELECT seq, execution_id FROM "
                  "ledger WHERE execution_id IS NOT NULL EXCEPT ALL SELECT "
                  "seq, execution_id FROM event_index) LIMIT 1",
                  row, sizeof(row), &rc, err))
        snprintf(where, cap,
                 "table event_index: row (%s) differs from "
                 "the ledger",
                 row);
    for (size_t i = 0; !rc && !where[0] && i < N_TABS; i++) {
        snprintf(sql, sizeof(sql),
                 "SELECT * FROM et_snap_%zu EXCEPT ALL (%s) LIMIT 1", i,
                 tabs[i][1]);
        if (first_row(s, sql, row, sizeof(row), &rc, err)) {
            char col[200];

            if (column_diff(s, i, col, sizeof(col)))
                snprintf(where, cap, "table %s: %s", tabs[i][0], col);
            else
                snprintf(where, cap,
                         "table %s: stored row (%.300s) is not what the "
                         "ledger gives",
                         tabs[i][0], row);
            break;
        }
        snprintf(sql, sizeof(sql),
                 "(%s) EXCEPT ALL SELECT * FROM et_snap_%zu LIMIT 1",
                 tabs[i][1], i);
        if (!rc && first_row(s, sql, row, sizeof(row), &rc, err))
            snprintf(where, cap,
                     "table %s: the ledger gives row (%.300s), which is "
                     "missing or altered",
                     tabs[i][0], row);
    }
    if (!rc && where[0])
        rc = ET_EINTEGRITY;
    return rc;
}

/*
 * The tables the reports read (pg_more.c), rows in key order: one unkeyed
 * hash, so that a stored digest can be compared later (src/trail/
 * verified.c). The server hashes each table (SHA-256 of its rows' text
 * forms, one per line); the four hashes are hashed here.
 */
int et__pg_report_digest(struct et_store *st, uint8_t out[32],
                         struct et_error *err)
{
    static const char sql[] =
        "SELECT sha256(convert_to(coalesce(string_agg(t::text, E'\\n' "
        "ORDER BY slot, agent COLLATE \"C\"), ''), 'UTF8')) FROM "
        "report_slots t UNION ALL SELECT sha256(convert_to(coalesce("
        "string_agg(t::text, E'\\n' ORDER BY agent COLLATE \"C\", slot, "
        "bucket), ''), 'UTF8')) FROM report_duration t UNION ALL SELECT "
        "sha256(convert_to(coalesce(string_agg(t::text, E'\\n' ORDER BY "
        "agent COLLATE \"C\", day, bucket), ''), 'UTF8')) FROM "
        "report_duration_day t UNION ALL SELECT sha256(convert_to(coalesce("
        "string_agg(t::text, E'\\n' ORDER BY agent COLLATE \"C\", slot, "
        "signature COLLATE \"C\", type COLLATE \"C\"), ''), 'UTF8')) FROM "
        "report_issues t";
    crypto_generichash_state h;
    PGresult *r = NULL;
    int rc = et__pg_run(et__pg(st), ET_PG_REPORT_DIGEST, sql, NULL, 1, &r, err,
                        "report digest");

    memset(out, 0, 32);
    if (rc)
        return rc;
    if (PQntuples(r) != 4) {
        int n = PQntuples(r);

        PQclear(r);
        return et_error_set(err, ET_EIO, "report digest: %d rows, want 4", n);
    }
    crypto_generichash_init(&h, NULL, 0, 32);
    for (int i = 0; i < 4; i++)
        crypto_generichash_update(&h, (const uint8_t *)PQgetvalue(r, i, 0),
                                  (unsigned long long)PQgetlength(r, i, 0));
    PQclear(r);
    crypto_generichash_final(&h, out, 32);
    return ET_OK;
}
