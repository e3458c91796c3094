/* SPDX-License-Identifier: MIT */
/*
 * SQLite: the report rollups (per slot of start, a quarter of an hour
 * UTC, and agent, with a
 * duration histogram) kept up to date by the projection, the issue rows,
 * and the reads behind `exectrail report` (docs/REPORTS.md).
 */
#include "base/setup.h"
#include "store/sqlite/query_sqlite.h"

enum {
    R_ROLLUP_ADD,
    R_DURATION_ADD,
    R_ISSUE_ROLLUP,
    R_ISSUE_DROP,
    R_DURATION_DAY_ADD
};

static const char *const report_sql[] = {
    [R_ROLLUP_ADD] =
        "INSERT INTO report_slots(slot, agent, n, completed, match, "
        "partial, mismatch, error, dur_n, dur_sum_ms, q_n, q_sum12, q_high, "
        "q_bin0, q_bin1, q_bin2, q_bin3, q_bin4, usage_n, tok_in, tok_out, "
        "tok_cache_read, tok_cache_write, cost_micro_usd) VALUES (?1, ?2, "
        "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?19, ?20, ?21, ?22, ?23, ?24) ON CONFLICT(slot, agent) DO "
        "UPDATE SET n = n + ?3, completed = completed + ?4, match = match + "
        "?5, partial = partial + ?6, mismatch = mismatch + ?7, error = "
        "error + ?8, dur_n = dur_n + ?9, dur_sum_ms = dur_sum_ms + ?10, q_n "
        "= q_n + ?11, q_sum12 = q_sum12 + ?12, q_high = q_high + ?13, "
        "q_bin0 = q_bin0 + ?14, q_bin1 = q_bin1 + ?15, q_bin2 = q_bin2 + "
        "?16, q_bin3 = q_bin3 + ?17, q_bin4 = q_bin4 + ?18, usage_n = "
        "usage_n + ?19, tok_in = tok_in + ?20, tok_out = tok_out + ?21, "
        "tok_cache_read = tok_cache_read + ?22, tok_cache_write = "
        "tok_cache_write + ?23, cost_micro_usd = cost_micro_usd + ?24",
    [R_DURATION_ADD] = "INSERT INTO report_duration(agent, slot, bucket, n) "
                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(agent, slot, "
                       "bucket) DO UPDATE SET n = n + ?4",
    [R_DURATION_DAY_ADD] =
        "INSERT INTO report_duration_day(agent, day, bucket, n) VALUES (?1, "
        "?2, ?3, ?4) ON CONFLICT(agent, day, bucket) DO UPDATE SET n = n + "
        "?4",
    [R_ISSUE_ROLLUP] = "INSERT INTO report_issues(agent, slot, type, "
                       "signature, n, executions, example) VALUES (?1, ?2, "
                       "?3, ?4, ?5, ?6, ?7) ON CONFLICT(agent, slot, "
                       "signature, type) DO UPDATE SET n = n + ?5, "
                       "executions = executions + ?6, example = CASE WHEN "
                       "?5 > 0 THEN ?7 ELSE example END",
    /* an execution's issues taken out (replaced, erased): a group that
     * no execution has any more goes, with its example message */
    [R_ISSUE_DROP] = "DELETE FROM report_issues WHERE agent = ?1 AND "
                     "slot = ?2 AND type = ?3 AND signature = ?4 AND n <= 0",
};

_Static_assert(sizeof(report_sql) / sizeof(report_sql[0]) <=
                   ET_SQLITE_REPORT_STMTS,
               "report statements need slots in sqlite.c");

static int cached(struct et_store *st, int id, sqlite3_stmt **out,
                  struct et_error *err)
{
    return et__sqlite_cached(st, id, report_sql[id], out, err);
}

static int run_done(struct et_store *st, sqlite3_stmt *q, struct et_error *err,
                    const char *what)
{
    int rc = sqlite3_step(q);

    sqlite3_reset(q);
    return rc == SQLITE_DONE
               ? ET_OK
               : et__sqlite_fail(et__sqlite_db(st), rc, err, what);
}

#define SLOTS_DAY ET_ROLLUP_SLOTS_DAY

/* The UTC day of a slot (floor, also before 1970). */
static int64_t day_of_slot(int64_t slot)
{
    return slot >= 0 ? slot / SLOTS_DAY
                     : -((-slot + SLOTS_DAY - 1) / SLOTS_DAY);
}

int et__sqlite_rollup_add(struct et_store *st, const struct et_rollup_row *r,
                          int sign, struct et_error *err)
{
    const int64_t v[] = {r->n,
                         r->completed,
                         r->match,
                         r->partial,
                         r->mismatch,
                         r->error,
                         r->dur_n,
                         r->dur_sum_ms,
                         r->q_n,
                         r->q_sum12,
                         r->q_high,
                         r->q_bin[0],
                         r->q_bin[1],
                         r->q_bin[2],
                         r->q_bin[3],
                         r->q_bin[4],
                         r->usage_n,
                         r->tok_in,
                         r->tok_out,
                         r->tok_cache_read,
                         r->tok_cache_write,
                         r->cost_micro_usd};
    sqlite3_stmt *q;
    int rc = cached(st, R_ROLLUP_ADD, &q, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, r->slot);
    sqlite3_bind_text(q, 2, r->agent, -1, SQLITE_STATIC);
    for (size_t i = 0; i < ET_ARRAY_SIZE(v); i++)
        sqlite3_bind_int64(q, (int)i + 3, sign * v[i]);
    rc = run_done(st, q, err, "write report rollup");
    if (rc || r->dur_bucket < 0)
        return rc;
    rc = cached(st, R_DURATION_ADD, &q, err);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, r->agent, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, r->slot);
    sqlite3_bind_int(q, 3, r->dur_bucket);
    sqlite3_bind_int(q, 4, sign);
    rc = run_done(st, q, err, "write duration rollup");
    if (!rc)
        rc = cached(st, R_DURATION_DAY_ADD, &q, err);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, r->agent, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, day_of_slot(r->slot));
    sqlite3_bind_int(q, 3, r->dur_bucket);
    sqlite3_bind_int(q, 4, sign);
    return run_done(st, q, err, "write duration rollup");
}

static int prepare(struct et_store *st, const char *sql, sqlite3_stmt **out,
                   struct et_error *err)
{
    int rc = sqlite3_prepare_v2(et__sqlite_db(st), sql, -1, out, NULL);

    return rc == SQLITE_OK
               ? ET_OK
               : et__sqlite_fail(et__sqlite_db(st), rc, err, "prepare");
}

/* Prepare a read over the slots [?1, ?2) of agent ?3 (NULL: all, and ?3
 * unbound) and bind those; further parameters are the caller's. */
static int prepare_window(struct et_store *st, const char *sql,
                          const char *agent, int64_t from_slot,
                          int64_t to_slot, sqlite3_stmt **q,
                          struct et_error *err)
{
    int rc = prepare(st, sql, q, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(*q, 1, from_slot);
    sqlite3_bind_int64(*q, 2, to_slot);
    if (agent)
        sqlite3_bind_text(*q, 3, agent, -1, SQLITE_STATIC);
    return ET_OK;
}

int et__sqlite_rollup_read(struct et_store *st, const char *agent,
                           int64_t from_slot, int64_t to_slot, et_rollup_fn *fn,
                           void *ctx, struct et_error *err)
{
    static const char cols[] =
        "SELECT slot, agent, n, completed, match, partial, mismatch, error, "
        "dur_n, dur_sum_ms, q_n, q_sum12, q_high, q_bin0, q_bin1, q_bin2, "
        "q_bin3, q_bin4, usage_n, tok_in, tok_out, tok_cache_read, "
        "tok_cache_write, cost_micro_usd FROM report_slots ";
    char sql[sizeof(cols) + 128];
    sqlite3_stmt *q = NULL;
    int rc, s = SQLITE_DONE;

    snprintf(sql, sizeof(sql), "%s%s", cols,
             agent ? "WHERE agent = ?3 AND slot >= ?1 AND slot < ?2 "
                     "ORDER BY slot"
                   : "WHERE slot >= ?1 AND slot < ?2 ORDER BY slot, agent");
    rc = prepare_window(st, sql, agent, from_slot, to_slot, &q, err);
    if (rc)
        return rc;
    while (!rc && (s = sqlite3_step(q)) == SQLITE_ROW) {
        struct et_rollup_row r;
        int64_t *v[] = {&r.n,
                        &r.completed,
                        &r.match,
                        &r.partial,
                        &r.mismatch,
                        &r.error,
                        &r.dur_n,
                        &r.dur_sum_ms,
                        &r.q_n,
                        &r.q_sum12,
                        &r.q_high,
                        &r.q_bin[0],
                        &r.q_bin[1],
                        &r.q_bin[2],
                        &r.q_bin[3],
                        &r.q_bin[4],
                        &r.usage_n,
                        &r.tok_in,
                        &r.tok_out,
                        &r.tok_cache_read,
                        &r.tok_cache_write,
                        &r.cost_micro_usd};

        memset(&r, 0, sizeof(r));
        r.slot = sqlite3_column_int64(q, 0);
        r.agent = (const char *)sqlite3_column_text(q, 1);
        for (size_t i = 0; i < ET_ARRAY_SIZE(v); i++)
            *v[i] = sqlite3_column_int64(q, (int)i + 2);
        r.dur_bucket = -1;
        rc = fn(ctx, &r);
    }
    if (!rc && s != SQLITE_DONE)
        rc = et__sqlite_fail(et__sqlite_db(st), s, err, "read report rollup");
    sqlite3_finalize(q);
    return rc;
}

int et__sqlite_rollup_hist(struct et_store *st, const char *agent,
                           int64_t from_slot, int64_t to_slot, et_bucket_fn *fn,
                           void *ctx, struct et_error *err)
{
    /* whole UTC days from the daily histogram, the slots at either edge
     * from the per-slot one; all agents: one primary-key range per agent
     * seen in the window */
#define AGENTS(a)                                                        \
 (a ? "agent = ?3"                                                       \
    : "agent IN (SELECT DISTINCT agent FROM report_slots WHERE slot >= " \
      "?1 AND slot < ?2)")
    char sql[1024];
    int64_t d0 = day_of_slot(from_slot + SLOTS_DAY - 1),
            d1 = day_of_slot(to_slot);
    sqlite3_stmt *q = NULL;
    int rc, s = SQLITE_DONE;

    if (d0 >= d1) /* no whole day: all per slot */
        d0 = d1 = day_of_slot(to_slot + SLOTS_DAY - 1);
    snprintf(sql, sizeof(sql),
             "SELECT bucket, sum(n) FROM (SELECT bucket, n FROM "
             "report_duration WHERE %s AND slot >= ?1 AND slot < min(?2, "
             "?4 * %d) UNION ALL SELECT bucket, n FROM report_duration WHERE "
             "%s AND slot >= max(?1, ?5 * %d) AND slot < ?2 UNION ALL SELECT "
             "bucket, n FROM report_duration_day WHERE %s AND day >= ?4 AND "
             "day < ?5) GROUP BY bucket HAVING sum(n) > 0 ORDER BY bucket",
             AGENTS(agent), SLOTS_DAY, AGENTS(agent), SLOTS_DAY, AGENTS(agent));
#undef AGENTS
    rc = prepare_window(st, sql, agent, from_slot, to_slot, &q, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(q, 4, d0);
    sqlite3_bind_int64(q, 5, d1);
    while (!rc && (s = sqlite3_step(q)) == SQLITE_ROW)
        rc = fn(ctx, sqlite3_column_int(q, 0), sqlite3_column_int64(q, 1));
    if (!rc && s != SQLITE_DONE)
        rc = et__sqlite_fail(et__sqlite_db(st), s, err,
                             "read duration rollup");
    sqlite3_finalize(q);
    return rc;
}

int et__sqlite_issue_rollup_add(struct et_store *st,
                                const struct et_issue_rollup *r,
                                struct et_error *err)
{
    sqlite3_stmt *q;
    int rc = cached(st, R_ISSUE_ROLLUP, &q, err);

    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, r->agent, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, r->slot);
    sqlite3_bind_text(q, 3, r->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, r->signature, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, r->n);
    sqlite3_bind_int64(q, 6, r->executions);
    sqlite3_bind_text(q, 7, r->example, -1, SQLITE_STATIC);
    rc = run_done(st, q, err, "write issue rollup");
    if (rc || r->n >= 0)
        return rc;
    rc = cached(st, R_ISSUE_DROP, &q, err);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, r->agent, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, r->slot);
    sqlite3_bind_text(q, 3, r->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, r->signature, -1, SQLITE_STATIC);
    return run_done(st, q, err, "write issue rollup");
}

int et__sqlite_issues_top(struct et_store *st, const char *agent,
                          int64_t from_slot, int64_t to_slot, size_t limit,
                          et_issue_group_fn *fn, void *ctx,
                          struct et_error *err)
{
    /* the bare `example` column takes the row of max(slot) (SQLite); all
     * agents: one primary-key range per agent seen in the slots */
    const char *sql =
        agent ? "SELECT signature, type, sum(n), sum(executions), 1, "
                "max(slot), example FROM report_issues WHERE agent = ?3 AND "
                "slot >= ?1 AND slot < ?2 GROUP BY signature, type ORDER BY "
                "3 DESC, 1, 2 LIMIT ?4"
              : "SELECT signature, type, sum(n), sum(executions), "
                "count(DISTINCT agent), max(slot), example FROM "
                "report_issues WHERE agent IN (SELECT DISTINCT agent FROM "
                "report_slots WHERE slot >= ?1 AND slot < ?2) AND slot >= "
                "?1 AND slot < ?2 GROUP BY signature, type ORDER BY 3 DESC, "
                "1, 2 LIMIT ?4";
    sqlite3_stmt *q = NULL;
    int rc, s = SQLITE_DONE;

    rc = prepare_window(st, sql, agent, from_slot, to_slot, &q, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(q, 4, limit ? (int64_t)limit : -1);
    while (!rc && (s = sqlite3_step(q)) == SQLITE_ROW) {
        struct et_issue_group g;

        g.signature = (const char *)sqlite3_column_text(q, 0);
        g.type = (const char *)sqlite3_column_text(q, 1);
        g.count = sqlite3_column_int64(q, 2);
        g.executions = sqlite3_column_int64(q, 3);
        g.agents = sqlite3_column_int64(q, 4);
        g.example = (const char *)sqlite3_column_text(q, 6);
        rc = fn(ctx, &g);
    }
    if (!rc && s != SQLITE_DONE)
        rc = et__sqlite_fail(et__sqlite_db(st), s, err, "read issues");
    sqlite3_finalize(q);
    return rc;
}
