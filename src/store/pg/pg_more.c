/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL: analysis rows, report rollups, retention bookkeeping and
 * full-text search (tsvector + GIN; the same words as SQLite's unicode61
 * tokenizer: runs of letters and digits, lower case).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "store/pg/pg_int.h"

enum {
    M_ISSUES_DEL = ET_PG_MORE_FIRST,
    M_ISSUES_INS,
    M_HISTORY,
    M_SIGCOUNT,
    M_TOPSIG,
    M_ROLLUP_ADD,
    M_DURATION_ADD,
    M_DURATION_DAY_ADD,
    M_ISSUE_ROLLUP,
    M_ISSUE_DROP,
    M_RSTATE_PUT,
    M_RSTATE_DEL,
    M_RSTATE_GET,
    M_RSTATE_EACH,
    M_PAYLOAD_ERASE,
    M_PAYLOAD_RESTORE,
    M_EXEC_TEXTS,
    M_LAST
};

_Static_assert(M_LAST <= ET_PG_NOTE_PUT, "statement slots");

/* the words of user text, as the index holds them; ranks are ts_rank
 * divided by the event's length in words (normalization 2), as BM25 (SQLite's
 * rank) favours the short events that match */
#define WORDS(x) "regexp_replace(" x ", '[^[:alnum:]]+', ' ', 'g')"

int et__pg_issues_put(struct et_store *st, const char *id, const char *agent,
                      const struct et_store_issue_row *rows, size_t n,
                      struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    struct et_pgp p = {0};
    int rc;

    et__pgp_str(&p, id);
    rc = et__pg_run(s, M_ISSUES_DEL,
                    "DELETE FROM exec_issues WHERE execution_id = $1", &p, 0,
                    NULL, err, "issues");
    for (size_t i = 0; !rc && i < n; i++) {
        p.n = 0;
        et__pgp_str(&p, id);
        et__pgp_i64(&p, rows[i].seq);
        et__pgp_i64(&p, rows[i].ts_ns);
        et__pgp_str(&p, agent);
        et__pgp_str(&p, rows[i].type);
        et__pgp_str(&p, rows[i].signature);
        et__pgp_str(&p, rows[i].message);
        rc = et__pg_part_ensure(s, rows[i].ts_ns, err);
        if (!rc)
            rc = et__pg_run(s, M_ISSUES_INS,
                            "INSERT INTO exec_issues(execution_id, seq, "
                            "ts_ns, agent_name, type, signature, message) "
                            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            &p, 0, NULL, err, "issues");
    }
    return rc;
}

int et__pg_agent_history(struct et_store *st, const char *agent,
                         const char *exclude_id, int64_t since_ns, size_t limit,
                         et_store_history_fn *fn, void *ctx,
                         struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    et__pgp_str(&p, agent);
    et__pgp_i64(&p, since_ns);
    if (limit)
        et__pgp_i64(&p, 2 * (int64_t)limit);
    else
        et__pgp_str(&p, NULL);
    et__pgp_str(&p, exclude_id);
    if (limit)
        et__pgp_i64(&p, (int64_t)limit);
    else
        et__pgp_str(&p, NULL);
    rc = et__pg_run(et__pg(st), M_HISTORY,
                    "SELECT duration_ms, n_actions, verification, efficiency "
                    "FROM (SELECT duration_ms, n_actions, verification, "
                    "efficiency, execution_id, start_ns FROM executions "
                    "WHERE agent_name = $1 AND start_ns >= $2 ORDER BY "
                    "start_ns DESC LIMIT $3) h WHERE duration_ms IS NOT NULL "
                    "AND execution_id IS DISTINCT FROM $4 ORDER BY start_ns "
                    "DESC LIMIT $5",
                    &p, 0, &r, err, "agent history");
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_store_history_row h;

        h.duration_ms = et__pg_i64(r, i, 0, -1);
        h.n_actions = et__pg_i64(r, i, 1, 0);
        h.verification = et__pg_text(r, i, 2);
        h.efficiency = et__pg_text(r, i, 3);
        rc = fn(ctx, &h);
    }
    PQclear(r);
    return rc;
}

int et__pg_signature_count(struct et_store *st, const char *signature,
                           int64_t since_ns, const char *exclude_id,
                           int64_t cap, int64_t *count_out, int64_t *agents_out,
                           struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    *count_out = *agents_out = 0;
    et__pgp_str(&p, signature);
    et__pgp_i64(&p, since_ns);
    et__pgp_str(&p, exclude_id);
    if (cap >= 0)
        et__pgp_i64(&p, cap);
    else
        et__pgp_str(&p, NULL);
    rc = et__pg_run(et__pg(st), M_SIGCOUNT,
                    "SELECT count(*), count(DISTINCT agent_name) FROM "
                    "(SELECT agent_name FROM exec_issues WHERE signature = "
                    "$1 AND ts_ns >= $2 AND execution_id IS DISTINCT FROM $3 "
                    "LIMIT $4) c",
                    &p, 0, &r, err, "signature count");
    if (!rc && PQntuples(r) == 1) {
        *count_out = et__pg_i64(r, 0, 0, 0);
        *agents_out = et__pg_i64(r, 0, 1, 0);
    }
    PQclear(r);
    return rc;
}

int et__pg_top_signatures(struct et_store *st, const char *agent,
                          int64_t since_ns, const char *prefix, size_t limit,
                          et_store_signature_fn *fn, void *ctx,
                          struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    et__pgp_str(&p, agent);
    et__pgp_i64(&p, since_ns);
    et__pgp_str(&p, prefix);
    if (limit)
        et__pgp_i64(&p, (int64_t)limit);
    else
        et__pgp_str(&p, NULL);
    rc = et__pg_run(
        et__pg(st), M_TOPSIG,
        "SELECT signature, min(type COLLATE \"C\"), max(message COLLATE "
        "\"C\"), max(execution_id COLLATE \"C\"), count(*), count(DISTINCT "
        "execution_id) FROM exec_issues WHERE ($1::text IS NULL OR "
        "agent_name = $1) AND ts_ns >= $2 AND ($3::text IS NULL OR "
        "starts_with(signature, $3)) GROUP BY signature ORDER BY 5 DESC, "
        "signature COLLATE \"C\" LIMIT $4",
        &p, 0, &r, err, "signatures");
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_store_signature_row g;

        g.signature = et__pg_text(r, i, 0);
        g.type = et__pg_text(r, i, 1);
        g.message = et__pg_text(r, i, 2);
        g.example_id = et__pg_text(r, i, 3);
        g.count = et__pg_i64(r, i, 4, 0);
        g.executions = et__pg_i64(r, i, 5, 0);
        rc = fn(ctx, &g);
    }
    PQclear(r);
    return rc;
}

bool et__pg_has_word(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
            (c >= 'A' && c <= 'Z') || c >= 0x80)
            return true;
    }
    return false;
}

/* Hits are copied out of the result before fn runs (fn may use the
 * store). Columns: id, score, n_events, agent. */
static int emit_hits(PGresult *r, et_store_hit_fn *fn, void *ctx)
{
    int rc = ET_OK;

    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_store_hit h;

        h.execution_id = PQgetvalue(r, i, 0);
        h.score = strtod(PQgetvalue(r, i, 1), NULL);
        h.n_events = et__pg_i64(r, i, 2, 0);
        h.agent_name = et__pg_text(r, i, 3);
        rc = fn(ctx, &h);
    }
    return rc;
}

int et__pg_similar(struct et_store *st, const char *id, const char *words,
                   size_t limit, et_store_hit_fn *fn, void *ctx,
                   struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    if (!words || !et__pg_has_word(words, strlen(words)))
        return ET_OK;
    et__pgp_str(&p, words);
    et__pgp_str(&p, id);
    et__pgp_i64(&p, limit ? (int64_t)limit : 10);
    /* any of the words: the AND query's terms joined with OR */
    rc = et__pg_run(
        et__pg(st), -1,
        "WITH q AS (SELECT replace(plainto_tsquery('simple', " WORDS(
            "$1") ")::text, ' & ', ' | ')::tsquery AS q), b AS (SELECT f.execution_id "
                  "AS id, max(ts_rank(f.tsv, q.q, 2)) AS best FROM q, fts f JOIN ledger "
                  "l ON l.seq = f.seq WHERE f.tsv @@ q.q AND f.execution_id IS "
                  "NOT NULL AND f.execution_id IS DISTINCT FROM $2 AND l.type IN ('execution.started', "
                  "'execution.delegated', 'execution.recorded') GROUP BY "
                  "f.execution_id ORDER BY 2 DESC, f.execution_id COLLATE \"C\" LIMIT $3) SELECT "
                  "b.id, b.best, 0, e.agent_name FROM b LEFT JOIN executions e ON "
                  "e.execution_id = b.id ORDER BY b.best DESC, b.id COLLATE \"C\"",
        &p, 0, &r, err, "similar");
    if (!rc)
        rc = emit_hits(r, fn, ctx);
    PQclear(r);
    return rc;
}

int et__pg_search(struct et_store *st, const struct et_store_search *o,
                  et_store_hit_fn *fn, void *ctx, struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    if (!o->words || !et__pg_has_word(o->words, o->len))
        return et_error_set(err, ET_EINPUT,
                            "nothing to search for: give at least one word");
    et__pgp_bytes(&p, o->words, o->len);
    et__pgp_i64(&p, o->max_execs ? (int64_t)o->max_execs : 20);
    if (o->max_events)
        et__pgp_i64(&p, (int64_t)o->max_events);
    else
        et__pgp_str(&p, NULL);
    /* every word must occur; only the newest max_events matching events
     * are ranked (as SQLite's window, docs/QUERY.md) */
    rc = et__pg_run(
        et__pg(st), -1,
        "WITH q AS (SELECT plainto_tsquery('simple', " WORDS(
            "$1::text") ") AS q), m AS (SELECT f.seq, ts_rank(f.tsv, q.q, 2) AS rank FROM q, "
                        "fts f WHERE f.tsv @@ q.q ORDER BY f.seq DESC LIMIT $3), b AS "
                        "(SELECT f.execution_id, max(m.rank) AS best, count(*) AS n FROM m "
                        "JOIN fts f ON f.seq = m.seq WHERE f.execution_id IS NOT "
                        "NULL GROUP BY f.execution_id "
                        "ORDER BY 2 DESC, f.execution_id COLLATE \"C\" LIMIT $2) SELECT b.execution_id, "
                        "b.best, b.n, e.agent_name FROM b LEFT JOIN executions e ON "
                        "e.execution_id = b.execution_id ORDER BY b.best DESC, "
                        "b.execution_id COLLATE \"C\"",
        &p, 0, &r, err, "search");
    if (!rc)
        rc = emit_hits(r, fn, ctx);
    PQclear(r);
    return rc;
}

int et__pg_exec_texts(struct et_store *st, const char *id, et_store_text_fn *fn,
                      void *ctx, struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    et__pgp_str(&p, id);
    rc = et__pg_run(et__pg(st), M_EXEC_TEXTS,
                    "SELECT f.seq, f.body FROM fts f WHERE f.execution_id = "
                    "$1 ORDER BY f.seq",
                    &p, 0, &r, err, "read indexed text");
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = fn(ctx, (uint64_t)et__pg_i64(r, i, 0, 0), PQgetvalue(r, i, 1),
                (size_t)PQgetlength(r, i, 1));
    PQclear(r);
    return rc;
}

/* ---- report rollups ---- */

#define SLOTS_DAY ET_ROLLUP_SLOTS_DAY

static int64_t day_of_slot(int64_t slot)
{
    return slot >= 0 ? slot / SLOTS_DAY
                     : -((-slot + SLOTS_DAY - 1) / SLOTS_DAY);
}

int et__pg_rollup_add(struct et_store *st, const struct et_rollup_row *r,
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
    struct et_pg *s = et__pg(st);
    struct et_pgp p = {0};
    int rc;

    et__pgp_i64(&p, r->slot);
    et__pgp_str(&p, r->agent);
    for (size_t i = 0; i < ET_ARRAY_SIZE(v); i++)
        et__pgp_i64(&p, sign * v[i]);
    rc = et__pg_run(
        s, M_ROLLUP_ADD,
        "INSERT INTO report_slots AS t(slot, agent, n, completed, match, "
        "partial, mismatch, error, dur_n, dur_sum_ms, q_n, q_sum12, q_high, "
        "q_bin0, q_bin1, q_bin2, q_bin3, q_bin4, usage_n, tok_in, tok_out, "
        "tok_cache_read, tok_cache_write, cost_micro_usd) VALUES ($1, $2, "
        "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
        "$18, $19, $20, $21, $22, $23, $24) ON CONFLICT (slot, agent) DO "
        "UPDATE SET n = t.n + $3, completed = t.completed + $4, match = "
        "t.match + $5, partial = t.partial + $6, mismatch = t.mismatch + $7, "
        "error = t.error + $8, dur_n = t.dur_n + $9, dur_sum_ms = "
        "t.dur_sum_ms + $10, q_n = t.q_n + $11, q_sum12 = t.q_sum12 + $12, "
        "q_high = t.q_high + $13, q_bin0 = t.q_bin0 + $14, q_bin1 = "
        "t.q_bin1 + $15, q_bin2 = t.q_bin2 + $16, q_bin3 = t.q_bin3 + $17, "
        "q_bin4 = t.q_bin4 + $18, usage_n = t.usage_n + $19, tok_in = "
        "t.tok_in + $20, tok_out = t.tok_out + $21, tok_cache_read = "
        "t.tok_cache_read + $22, tok_cache_write = t.tok_cache_write + $23, "
        "cost_micro_usd = t.cost_micro_usd + $24",
        &p, 0, NULL, err, "write report rollup");
    if (rc || r->dur_bucket < 0)
        return rc;
    p.n = 0;
    et__pgp_str(&p, r->agent);
    et__pgp_i64(&p, r->slot);
    et__pgp_i64(&p, r->dur_bucket);
    et__pgp_i64(&p, sign);
    rc = et__pg_run(s, M_DURATION_ADD,
                    "INSERT INTO report_duration AS t(agent, slot, bucket, "
                    "n) VALUES ($1, $2, $3, $4) ON CONFLICT (agent, slot, "
                    "bucket) DO UPDATE SET n = t.n + $4",
                    &p, 0, NULL, err, "write duration rollup");
    if (rc)
        return rc;
    p.n = 0;
    et__pgp_str(&p, r->agent);
    et__pgp_i64(&p, day_of_slot(r->slot));
    et__pgp_i64(&p, r->dur_bucket);
    et__pgp_i64(&p, sign);
    return et__pg_run(s, M_DURATION_DAY_ADD,
                      "INSERT INTO report_duration_day AS t(agent, day, "
                      "bucket, n) VALUES ($1, $2, $3, $4) ON CONFLICT "
                      "(agent, day, bucket) DO UPDATE SET n = t.n + $4",
                      &p, 0, NULL, err, "write duration rollup");
}

int et__pg_rollup_read(struct et_store *st, const char *agent,
                       int64_t from_slot, int64_t to_slot, et_rollup_fn *fn,
                       void *ctx, struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    et__pgp_i64(&p, from_slot);
    et__pgp_i64(&p, to_slot);
    et__pgp_str(&p, agent);
    rc = et__pg_run(
        et__pg(st), -1,
        "SELECT slot, agent, n, completed, match, partial, mismatch, error, "
        "dur_n, dur_sum_ms, q_n, q_sum12, q_high, q_bin0, q_bin1, q_bin2, "
        "q_bin3, q_bin4, usage_n, tok_in, tok_out, tok_cache_read, "
        "tok_cache_write, cost_micro_usd FROM report_slots WHERE slot >= $1 "
        "AND slot < $2 AND ($3::text IS NULL OR agent = $3) ORDER BY slot, "
        "agent COLLATE \"C\"",
        &p, 0, &r, err, "read report rollup");
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_rollup_row w;
        int64_t *v[] = {&w.n,
                        &w.completed,
                        &w.match,
                        &w.partial,
                        &w.mismatch,
                        &w.error,
                        &w.dur_n,
                        &w.dur_sum_ms,
                        &w.q_n,
                        &w.q_sum12,
                        &w.q_high,
                        &w.q_bin[0],
                        &w.q_bin[1],
                        &w.q_bin[2],
                        &w.q_bin[3],
                        &w.q_bin[4],
                        &w.usage_n,
                        &w.tok_in,
                        &w.tok_out,
                        &w.tok_cache_read,
                        &w.tok_cache_write,
                        &w.cost_micro_usd};

        memset(&w, 0, sizeof(w));
        w.slot = et__pg_i64(r, i, 0, 0);
        w.agent = PQgetvalue(r, i, 1);
        for (size_t k = 0; k < ET_ARRAY_SIZE(v); k++)
            *v[k] = et__pg_i64(r, i, (int)k + 2, 0);
        w.dur_bucket = -1;
        rc = fn(ctx, &w);
    }
    PQclear(r);
    return rc;
}

int et__pg_rollup_hist(struct et_store *st, const char *agent,
                       int64_t from_slot, int64_t to_slot, et_bucket_fn *fn,
                       void *ctx, struct et_error *err)
{
    int64_t d0 = day_of_slot(from_slot + SLOTS_DAY - 1),
            d1 = day_of_slot(to_slot);
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    if (d0 >= d1) /* no whole day: all per slot */
        d0 = d1 = day_of_slot(to_slot + SLOTS_DAY - 1);
    et__pgp_i64(&p, from_slot);
    et__pgp_i64(&p, to_slot);
    et__pgp_str(&p, agent);
    et__pgp_i64(&p, d0);
    et__pgp_i64(&p, d1);
    /* whole UTC days from the daily histogram, the edges per slot */
    rc = et__pg_run(
        et__pg(st), -1,
        "SELECT bucket, sum(n) FROM (SELECT bucket, n FROM report_duration "
        "WHERE ($3::text IS NULL OR agent = $3) AND slot >= $1 AND slot < "
        "least($2, $4 * 96) UNION ALL SELECT bucket, n FROM report_duration "
        "WHERE ($3::text IS NULL OR agent = $3) AND slot >= greatest($1, $5 "
        "* 96) AND slot < $2 UNION ALL SELECT bucket, n FROM "
        "report_duration_day WHERE ($3::text IS NULL OR agent = $3) AND day "
        ">= $4 AND day < $5) u GROUP BY bucket HAVING sum(n) > 0 ORDER BY "
        "bucket",
        &p, 0, &r, err, "read duration rollup");
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = fn(ctx, (int)et__pg_i64(r, i, 0, 0), et__pg_i64(r, i, 1, 0));
    PQclear(r);
    return rc;
}

int et__pg_issue_rollup_add(struct et_store *st,
                            const struct et_issue_rollup *r,
                            struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    struct et_pgp p = {0};
    int rc;

    et__pgp_str(&p, r->agent);
    et__pgp_i64(&p, r->slot);
    et__pgp_str(&p, r->type);
    et__pgp_str(&p, r->signature);
    et__pgp_i64(&p, r->n);
    et__pgp_i64(&p, r->executions);
    et__pgp_str(&p, r->example);
    rc = et__pg_run(s, M_ISSUE_ROLLUP,
                    "INSERT INTO report_issues AS t(agent, slot, type, "
                    "signature, n, executions, example) VALUES ($1, $2, $3, "
                    "$4, $5, $6, $7) ON CONFLICT (agent, slot, signature, "
                    "type) DO UPDATE SET n = t.n + $5, executions = "
                    "t.executions + $6, example = CASE WHEN $5 > 0 THEN $7 "
                    "ELSE t.example END",
                    &p, 0, NULL, err, "write issue rollup");
    if (rc || r->n >= 0)
        return rc;
    p.n = 4; /* agent, slot, type, signature */
    return et__pg_run(s, M_ISSUE_DROP,
                      "DELETE FROM report_issues WHERE agent = $1 AND slot = "
                      "$2 AND type = $3 AND signature = $4 AND n <= 0",
                      &p, 0, NULL, err, "write issue rollup");
}

int et__pg_issues_top(struct et_store *st, const char *agent, int64_t from_slot,
                      int64_t to_slot, size_t limit, et_issue_group_fn *fn,
                      void *ctx, struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    et__pgp_i64(&p, from_slot);
    et__pgp_i64(&p, to_slot);
    et__pgp_str(&p, agent);
    if (limit)
        et__pgp_i64(&p, (int64_t)limit);
    else
        et__pgp_str(&p, NULL);
    /* the example: the newest slot's */
    rc = et__pg_run(
        et__pg(st), -1,
        "SELECT signature, type, sum(n), sum(executions), count(DISTINCT "
        "agent), (array_agg(example ORDER BY slot DESC))[1] FROM "
        "report_issues WHERE ($3::text IS NULL OR agent = $3) AND slot >= "
        "$1 AND slot < $2 GROUP BY signature, type ORDER BY 3 DESC, "
        "signature COLLATE \"C\", type COLLATE \"C\" LIMIT $4",
        &p, 0, &r, err, "read issues");
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_issue_group g;

        g.signature = PQgetvalue(r, i, 0);
        g.type = PQgetvalue(r, i, 1);
        g.count = et__pg_i64(r, i, 2, 0);
        g.executions = et__pg_i64(r, i, 3, 0);
        g.agents = et__pg_i64(r, i, 4, 0);
        g.example = et__pg_text(r, i, 5);
        rc = fn(ctx, &g);
    }
    PQclear(r);
    return rc;
}

/* ---- retention ---- */

int et__pg_ret_scan(struct et_store *st, et_store_ret_fn *fn, void *ctx,
                    struct et_error *err)
{
    PGresult *r = NULL;
    int rc = et__pg_run(
        et__pg(st), -1,
        "SELECT e.execution_id, e.state, e.verification, e.completeness, "
        "e.accuracy, e.efficiency, coalesce(e.end_ns, e.start_ns, (SELECT "
        "ts_ns FROM ledger l WHERE l.seq = e.first_seq)) AS ref, "
        "s.execution_id IS NOT NULL, h.value::jsonb ->> 'reason', "
        "h.value::jsonb ->> 'since_ns', e.start_ns FROM executions e LEFT "
        "JOIN "
        "retention_state h ON h.key = 'hold:' || e.execution_id LEFT JOIN "
        "security_relevant s ON s.execution_id = e.execution_id ORDER BY "
        "ref, e.execution_id COLLATE \"C\"",
        NULL, 0, &r, err, "scan");

    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_store_ret_row w;

        memset(&w, 0, sizeof(w));
        w.execution_id = PQgetvalue(r, i, 0);
        w.state = et__pg_text(r, i, 1);
        w.verification = et__pg_text(r, i, 2);
        w.completeness = et__pg_text(r, i, 3);
        w.accuracy = et__pg_text(r, i, 4);
        w.efficiency = et__pg_text(r, i, 5);
        w.ref_ns = et__pg_i64(r, i, 6, 0);
        w.is_security = PQgetvalue(r, i, 7)[0] == 't';
        w.hold_reason = et__pg_text(r, i, 8);
        w.hold_since_ns = et__pg_i64(r, i, 9, 0);
        w.start_ns = et__pg_i64(r, i, 10, 0);
        rc = fn(ctx, &w);
    }
    PQclear(r);
    return rc;
}

/*
 * Retention by partition: drop the month partitions of group ("fts" or
 * "rest") that hold nothing but rows the row-by-row delete would remove
 * (et_part_forget, schema_pg.h); the delete that follows takes the rest.
 * ET_PG_RETENTION=rows never drops (to measure, and to compare).
 */
static int forget_parts(struct et_pg *s, const char *group,
                        struct et_error *err)
{
    const char *how = getenv("ET_PG_RETENTION");
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    if (how && !strcmp(how, "rows"))
        return ET_OK;
    et__pgp_str(&p, group);
    rc = et__pg_run(s, -1, "SELECT et_part_forget($1)", &p, 0, &r, err,
                    "forget");
    if (!rc && PQntuples(r) > 0)
        s->n_months = 0; /* a month may have lost a partition */
    PQclear(r);
    return rc;
}

/* Every projection table with an execution_id column (not the ledger's),
 * partitioned ones as a whole (their partitions are not listed). */
static int forget_tables(struct et_pg *s, struct et_error *err)
{
    PGresult *r = NULL;
    int rc = et__pg_run(
        s, -1,
        "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid "
        "= c.oid WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE "
        "nspname = current_schema()) AND c.relkind IN ('r', 'p') AND NOT "
        "c.relispartition AND a.attname = 'execution_id' AND NOT "
        "a.attisdropped AND c.relname NOT IN ('ledger', 'event_index', "
        "'fts', 'sessions') ORDER BY 1",
        NULL, 0, &r, err, "schema");

    for (int i = 0; !rc && i < PQntuples(r); i++) {
        char *ident = PQescapeIdentifier(s->conn, PQgetvalue(r, i, 0),
                                         (size_t)PQgetlength(r, i, 0));
        char sql[256];

        if (!ident) {
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
            break;
        }
        snprintf(sql, sizeof(sql),
                 "DELETE FROM %s WHERE execution_id IN (SELECT id FROM "
                 "et_gone)",
                 ident);
        PQfreemem(ident);
        rc = et__pg_exec(s, sql, err, "forget");
    }
    PQclear(r);
    return rc;
}

int et__pg_exec_forget(struct et_store *st, const char *const *ids, size_t n,
                       struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    int rc = et__pg_exec(s,
                         "CREATE TEMP TABLE IF NOT EXISTS et_gone(id text "
                         "PRIMARY KEY); DELETE FROM et_gone",
                         err, "forget");

    for (size_t i = 0; !rc && i < n; i++) {
        struct et_pgp p = {0};

        et__pgp_str(&p, ids[i]);
        rc = et__pg_run(s, -1,
                        "INSERT INTO et_gone(id) VALUES ($1) ON CONFLICT DO "
                        "NOTHING",
                        &p, 0, NULL, err, "forget");
    }
    if (!rc)
        rc = forget_parts(s, "fts", err);
    if (!rc)
        rc = et__pg_exec(
            s,
            /* the text of what the executions own now: their own events
             * but those of their agents' actions another execution owns,
             * and the actions of their agents recorded unbound */
            "DELETE FROM fts WHERE seq IN (SELECT seq FROM ledger l WHERE "
            "execution_id IN (SELECT id FROM et_gone) AND NOT EXISTS "
            "(SELECT 1 FROM agent_actions a WHERE a.seq = l.seq AND "
            "a.execution_id IS DISTINCT FROM l.execution_id));"
            "DELETE FROM fts WHERE seq IN (SELECT seq FROM agent_actions "
            "WHERE execution_id IN (SELECT id FROM et_gone));"
            "UPDATE sessions SET n_executions = n_executions - (SELECT "
            "count(*) FROM executions e WHERE e.session_id = "
            "sessions.session_id AND e.execution_id IN (SELECT id FROM "
            "et_gone)) WHERE session_id IN (SELECT session_id FROM "
            "executions WHERE execution_id IN (SELECT id FROM et_gone));"
            "DELETE FROM sessions WHERE n_executions <= 0;"
            /* the bounds of a session that keeps executions are those of
             * the ones left, as a rebuild computes them (as SQLite's) */
            "UPDATE sessions SET "
            "first_ns = (SELECT min(e.start_ns) FROM executions e WHERE "
            "e.session_id = sessions.session_id AND e.execution_id NOT IN "
            "(SELECT id FROM et_gone)), "
            "last_ns = (SELECT max(e.start_ns) FROM executions e WHERE "
            "e.session_id = sessions.session_id AND e.execution_id NOT IN "
            "(SELECT id FROM et_gone)) "
            "WHERE session_id IN (SELECT session_id FROM executions WHERE "
            "execution_id IN (SELECT id FROM et_gone));",
            err, "forget");
    /* after the sessions' counts, which read the executions */
    if (!rc)
        rc = forget_parts(s, "rest", err);
    if (!rc)
        rc = forget_tables(s, err);
    if (!rc)
        rc = et__pg_exec(s, "DELETE FROM et_gone", err, "forget");
    return rc;
}

int et__pg_payload_set(struct et_store *st, uint64_t seq, const char *body,
                       size_t len, bool *changed, struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    et__pgp_i64(&p, (int64_t)seq);
    if (body)
        et__pgp_bytes(&p, body, len);
    rc = body ? et__pg_run(et__pg(st), M_PAYLOAD_RESTORE,
                           "UPDATE ledger SET body = $2 WHERE seq = $1 AND "
                           "body IS NULL",
                           &p, 0, &r, err, "store")
              : et__pg_run(et__pg(st), M_PAYLOAD_ERASE,
                           "UPDATE ledger SET body = NULL WHERE seq = $1", &p,
                           0, &r, err, "store");
    if (!rc && changed)
        *changed = strcmp(PQcmdTuples(r), "0") != 0;
    PQclear(r);
    return rc;
}

int et__pg_rstate_put(struct et_store *st, const char *key, const char *value,
                      uint64_t seq, struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_str(&p, key);
    et__pgp_str(&p, value);
    et__pgp_i64(&p, (int64_t)seq);
    return et__pg_run(et__pg(st), M_RSTATE_PUT,
                      "INSERT INTO retention_state(key, value, seq) VALUES "
                      "($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = "
                      "excluded.value, seq = excluded.seq",
                      &p, 0, NULL, err, "retention state");
}

int et__pg_rstate_del(struct et_store *st, const char *key,
                      struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_str(&p, key);
    return et__pg_run(et__pg(st), M_RSTATE_DEL,
                      "DELETE FROM retention_state WHERE key = $1", &p, 0, NULL,
                      err, "retention state");
}

int et__pg_rstate_get(struct et_store *st, const char *key, char **value,
                      struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    *value = NULL;
    et__pgp_str(&p, key);
    rc = et__pg_run(et__pg(st), M_RSTATE_GET,
                    "SELECT value FROM retention_state WHERE key = $1", &p, 0,
                    &r, err, "retention state");
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        *value = et__strdup(PQgetvalue(r, 0, 0));
        rc = *value ? ET_OK : et_error_set(err, ET_ENOMEM, "out of memory");
    } else {
        rc = et_error_set(err, ET_ENOTFOUND, "no %s", key);
    }
    PQclear(r);
    return rc;
}

int et__pg_rstate_each(struct et_store *st, const char *prefix,
                       et_store_kv_fn *fn, void *ctx, struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    et__pgp_str(&p, prefix ? prefix : "");
    rc = et__pg_run(et__pg(st), M_RSTATE_EACH,
                    "SELECT key, value FROM retention_state WHERE "
                    "starts_with(key, $1) ORDER BY key COLLATE \"C\"",
                    &p, 0, &r, err, "retention state");
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = fn(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    PQclear(r);
    return rc;
}
