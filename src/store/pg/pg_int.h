/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL backend's shared pieces: the connection struct, bound
 * parameters and the statement runner used by pg.c, pg_more.c and the
 * query dialect (query_pg.c).
 */
#ifndef ET_STORE_PG_PG_INT_H
#define ET_STORE_PG_PG_INT_H

#include "store/pg/pq_dl.h"
#include "store/store_int.h"

#define ET_PG_MAXP  72 /* parameters per statement (notes: 64 groups) */
#define ET_PG_NSTMT 96 /* named (prepared) statement slots */

/* One statement sent into an apply's pipeline (pg_apply.c), so that a
 * failure read later is named as the operation would name it. */
struct et_pg_sent {
    int stmt;         /* statement slot; -1: the apply's own SAVEPOINT ... */
    bool is_prepare;  /* the PQsendPrepare of slot stmt */
    size_t op;        /* index of the operation that sent it */
    const char *what; /* the operation's word for it (a literal) */
};
/* What names an operation in its error message (pg_apply.c). */
struct et_pg_opinfo {
    char id[40]; /* the execution id, "" if none */
    int64_t num; /* the ledger seq (append), the sequence (action) */
};

struct et_pg {
    struct et_store base; /* must be first */
    PGconn *conn;
    PGresult *held; /* result whose strings are on loan (exec_get) */
    bool readonly;
    bool prepared[ET_PG_NSTMT];
    /* inside pg_apply (pg_apply.c): et__pg_run sends writes into the
     * pipeline instead of running them; n_sent counts the results due */
    bool pipe;
    size_t n_sent;
    bool pipe_prepared[ET_PG_NSTMT]; /* prepared inside this pipeline */
    struct et_pg_sent *sent;         /* n_sent of them while in a pipeline */
    size_t sent_cap;
    struct et_pg_opinfo *opi; /* one per operation of the apply */
    size_t opi_cap, cur_op;
    /* a deferred apply: its pipeline is synced but its results (pending
     * statements' and the sync's) are read with the next statement's,
     * one round trip for both (et__pg_settle) */
    size_t pending;
    /* the months whose partitions this write transaction made sure of */
    int64_t months[32];
    size_t n_months;
    /* et__pq_round_trips when opened (ET_STORE_STATS prints the rest) */
    unsigned long long rt_open;
};

/* times beyond this many ns from 1970 (about 2261) have no month
 * partition: their rows go to the DEFAULT one */
#define ET_PG_PART_MAX_NS INT64_C(9200000000000000000)
/* Make sure the month partitions of time ns exist (0: no time). */
ET_NODISCARD int et__pg_part_ensure(struct et_pg *s, int64_t ns,
                                    struct et_error *err);

/* Parameters of one statement: text format, except bytes (binary). */
struct et_pgp {
    int n;
    const char *v[ET_PG_MAXP];
    int len[ET_PG_MAXP];
    int fmt[ET_PG_MAXP];
    char num[ET_PG_MAXP][24];
};

void et__pgp_str(struct et_pgp *p, const char *s);
void et__pgp_bytes(struct et_pgp *p, const void *b, size_t len);
void et__pgp_i64(struct et_pgp *p, int64_t v);
void et__pgp_i64_or_null(struct et_pgp *p, int64_t v, int64_t null_value);

static inline struct et_pg *et__pg(struct et_store *st)
{
    return (struct et_pg *)st;
}

/*
 * Run sql with p: as the named prepared statement slot id (prepared on
 * first use on this connection), or unnamed when id < 0. rfmt 1 asks for
 * binary results. *out (caller frees with PQclear) only when out != NULL.
 */
ET_NODISCARD int et__pg_run(struct et_pg *s, int id, const char *sql,
                            const struct et_pgp *p, int rfmt, PGresult **out,
                            struct et_error *err, const char *what);
/* A simple-protocol command (may hold several statements, no params). */
ET_NODISCARD int et__pg_exec(struct et_pg *s, const char *sql,
                             struct et_error *err, const char *what);
int et__pg_fail(struct et_pg *s, const PGresult *r, struct et_error *err,
                const char *what);

/* text-format result helpers */
const char *et__pg_text(const PGresult *r, int row, int col); /* NULL */
int64_t et__pg_i64(const PGresult *r, int row, int col, int64_t null_value);
/* bytea in hex text form ("\x0a1b...") into out (cap bytes); length or -1 */
long et__pg_bytea(const PGresult *r, int row, int col, uint8_t *out,
                  size_t cap);

/* The kept writes of a unit in one round trip (pg_apply.c). */
int et__pg_apply(struct et_store *st, const struct et_store_op *ops, size_t n,
                 struct et_error *err);
/* Read a deferred apply's results (a round trip) before anything else
 * talks to the server; its failure, named as the operation would name it.
 * Nothing to do (ET_OK) when none is pending. */
int et__pg_settle(struct et_pg *s, struct et_error *err);
/* et__pg_run while an apply is deferred: the statement goes into the same
 * pipeline, so that both are answered in one round trip. */
int et__pg_run_after(struct et_pg *s, int id, const char *name, const char *sql,
                     const struct et_pgp *p, int rfmt, PGresult **out,
                     struct et_error *err, const char *what);
/* Record a statement sent into a pipeline (s->n_sent is its index). */
int et__pg_sent_add(struct et_pg *s, int stmt, bool is_prepare,
                    const char *what, struct et_error *err);
/* The error of a statement of an apply's pipeline (r), as the operation
 * that sent it (x, o) would have given it run alone (pg.c). */
int et__pg_sent_error(struct et_pg *s, const PGresult *r,
                      const struct et_pg_sent *x, const struct et_pg_opinfo *o,
                      struct et_error *err);

/* statement slot ranges: pg.c 0..47, pg_more.c 48..79, note_pg.c 80.. */
#define ET_PG_MORE_FIRST    48
#define ET_PG_NOTE_PUT      80
#define ET_PG_REPORT_DIGEST 81

/* ops of pg_more.c */
int et__pg_issues_put(struct et_store *st, const char *id, const char *agent,
                      const struct et_store_issue_row *rows, size_t n,
                      struct et_error *err);
int et__pg_agent_history(struct et_store *st, const char *agent,
                         const char *exclude_id, int64_t since_ns, size_t limit,
                         et_store_history_fn *fn, void *ctx,
                         struct et_error *err);
int et__pg_signature_count(struct et_store *st, const char *signature,
                           int64_t since_ns, const char *exclude_id,
                           int64_t cap, int64_t *count_out, int64_t *agents_out,
                           struct et_error *err);
int et__pg_top_signatures(struct et_store *st, const char *agent,
                          int64_t since_ns, const char *prefix, size_t limit,
                          et_store_signature_fn *fn, void *ctx,
                          struct et_error *err);
int et__pg_similar(struct et_store *st, const char *id, const char *words,
                   size_t limit, et_store_hit_fn *fn, void *ctx,
                   struct et_error *err);
int et__pg_rollup_add(struct et_store *st, const struct et_rollup_row *r,
                      int sign, struct et_error *err);
int et__pg_rollup_read(struct et_store *st, const char *agent,
                       int64_t from_slot, int64_t to_slot, et_rollup_fn *fn,
                       void *ctx, struct et_error *err);
int et__pg_rollup_hist(struct et_store *st, const char *agent,
                       int64_t from_slot, int64_t to_slot, et_bucket_fn *fn,
                       void *ctx, struct et_error *err);
int et__pg_issue_rollup_add(struct et_store *st,
                            const struct et_issue_rollup *r,
                            struct et_error *err);
int et__pg_issues_top(struct et_store *st, const char *agent, int64_t from_slot,
                      int64_t to_slot, size_t limit, et_issue_group_fn *fn,
                      void *ctx, struct et_error *err);
int et__pg_ret_scan(struct et_store *st, et_store_ret_fn *fn, void *ctx,
                    struct et_error *err);
int et__pg_exec_forget(struct et_store *st, const char *const *ids, size_t n,
                       struct et_error *err);
int et__pg_payload_set(struct et_store *st, uint64_t seq, const char *body,
                       size_t len, bool *changed, struct et_error *err);
int et__pg_rstate_put(struct et_store *st, const char *key, const char *value,
                      uint64_t seq, struct et_error *err);
int et__pg_rstate_del(struct et_store *st, const char *key,
                      struct et_error *err);
int et__pg_rstate_get(struct et_store *st, const char *key, char **value,
                      struct et_error *err);
int et__pg_rstate_each(struct et_store *st, const char *prefix,
                       et_store_kv_fn *fn, void *ctx, struct et_error *err);
int et__pg_search(struct et_store *st, const struct et_store_search *s,
                  et_store_hit_fn *fn, void *ctx, struct et_error *err);
int et__pg_exec_texts(struct et_store *st, const char *id, et_store_text_fn *fn,
                      void *ctx, struct et_error *err);

/* some letter or digit in s (else nothing a text search could match) */
bool et__pg_has_word(const char *s, size_t len);

/* notes (note_pg.c) */
int et__pg_note_put(struct et_store *st, const struct et_store_note_row *r,
                    struct et_error *err);
int et__pg_note_each(struct et_store *st, const struct et_store_note_filter *f,
                     et_store_note_fn *fn, void *ctx, struct et_error *err);

/* verify --projections and the reports' record of it (verify_pg.c) */
int et__pg_report_digest(struct et_store *st, uint8_t out[32],
                         struct et_error *err);
int et__pg_projection_snapshot(struct et_store *st, struct et_error *err);
int et__pg_projection_diff(struct et_store *st, char *where, size_t cap,
                           struct et_error *err);

/* the query dialect (query_pg.c) */
extern const struct et_sql_dialect et__pg_dialect;
int et__pg_query_run(struct et_store *st, const struct et_sqlstmt *s,
                     et_exec_row_fn *fn, void *ctx, struct et_error *err);
int et__pg_query_explain(struct et_store *st, const struct et_sqlstmt *s,
                         struct et_buf *out, struct et_error *err);
int et__pg_agent_stats(struct et_store *st, const struct et_sqlstmt *where,
                       et_store_agent_fn *fn, void *ctx, struct et_error *err);
int et__pg_failures(struct et_store *st, const struct et_sqlstmt *where,
                    et_store_failure_fn *fn, void *ctx, struct et_error *err);
/* exec row columns in the order of et__pg_row_from */
#define ET_PG_EXEC_COLS                                                 \
 "execution_id, session_id, agent_name, agent_version, state, "         \
 "verification, completeness, accuracy, efficiency, start_ns, end_ns, " \
 "duration_ms, n_actions, n_failed_actions, first_seq, last_seq"
void et__pg_row_from(const PGresult *r, int row, int col0,
                     struct et_exec_row *out);

#endif /* ET_STORE_PG_PG_INT_H */
