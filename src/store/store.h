/* SPDX-License-Identifier: MIT */
/*
 * The store front door: backend-neutral operations on the ledger and the
 * projection tables. Each backend implements struct et_store_ops
 * (store_int.h); these wrappers add checks and fault injection. SQL is
 * written here, except the query language's statements, which the query
 * compiler (src/query/compile.c) writes in the backend's dialect.
 */
#ifndef ET_STORE_STORE_H
#define ET_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"
#include "exectrail/ledger.h"

struct et_store;

enum et_backend {
    ET_BACKEND_SQLITE = 0,
    ET_BACKEND_POSTGRES = 1, /* a postgresql: or postgres: URL */
    ET_BACKEND_COUNT
};

enum et_store_open_flags {
    ET_STORE_CREATE = 1 << 0,
    ET_STORE_READONLY = 1 << 1,
};

/* One ledger row: an event as stored. body NULL = payload erased. */
struct et_event_row {
    uint64_t seq;
    const char *type;
    const char *execution_id; /* may be NULL */
    int64_t ts_ns;
    uint8_t leaf[ET_HASH_LEN];
    const char *body;
    size_t body_len;
};

/* Projection row of one execution. Strings borrowed from the caller. */
struct et_exec_row {
    const char *execution_id;
    const char *session_id;
    const char *agent_name;
    const char *agent_version;
    const char *state;
    const char *verification;
    const char *completeness;
    const char *accuracy;
    const char *efficiency;
    int64_t start_ns;  /* 0 = unknown */
    int64_t end_ns;    /* 0 = unknown */
    int64_t duration_ms; /* -1 = unknown */
    int64_t n_actions;
    int64_t n_failed_actions;
    uint64_t first_seq;
    uint64_t last_seq;
    const char *doc;   /* canonical JSON of the record without actions */
    size_t doc_len;
};

struct et_action_row {
    const char *execution_id;
    int64_t sequence;
    const char *tool;
    int64_t ts_ns;
    int success; /* 1, 0, -1 unknown */
    uint64_t seq; /* ledger seq of the event that recorded it */
    const char *doc;
    size_t doc_len;
};

enum et_list_kind {
    ET_LIST_FILES = 0,
    ET_LIST_COMMANDS = 1,
    ET_LIST_API_CALLS = 2,
};

typedef int et_row_fn(void *ctx, const struct et_event_row *row);
/* For reading text rows (action docs, ...). */
typedef int et_text_fn(void *ctx, const char *text, size_t len);

/* Which backend a target string selects ("postgresql://..." or a path). */
enum et_backend et_store_backend_for(const char *target);

ET_NODISCARD int et_store_open(const char *target, unsigned flags,
                               struct et_store **out, int *created_out,
                               struct et_error *err);
void et_store_close(struct et_store *st);

/* Write transactions take the single-writer lock (BEGIN IMMEDIATE). */
ET_NODISCARD int et_store_begin(struct et_store *st, bool write,
                                struct et_error *err);
ET_NODISCARD int et_store_commit(struct et_store *st, struct et_error *err);
void et_store_rollback(struct et_store *st);
/*
 * A nested unit inside a write transaction: savepoint, then release (keep
 * its changes in the transaction) or rollback_to (undo them, the
 * transaction goes on). Not nestable further.
 */
ET_NODISCARD int et_store_savepoint(struct et_store *st,
                                    struct et_error *err);
ET_NODISCARD int et_store_release(struct et_store *st, struct et_error *err);
/* ET_OK, or ET_EIO when the unit could not be undone: the backend lost the
 * whole transaction (SQLite rolls it back by itself after some I/O errors),
 * which the caller must then treat as rolled back. */
ET_NODISCARD int et_store_rollback_to(struct et_store *st);

/* Tree head (size and compact range). Empty tree when none stored. */
ET_NODISCARD int et_store_head_load(struct et_store *st, struct et_tree *t,
                                    struct et_error *err);
ET_NODISCARD int et_store_head_save(struct et_store *st,
                                    const struct et_tree *t,
                                    struct et_error *err);
ET_NODISCARD int et_store_append(struct et_store *st,
                                 const struct et_event_row *ev,
                                 struct et_error *err);
/* Rows with from <= seq < to in order (to = UINT64_MAX: to the end). */
ET_NODISCARD int et_store_read_range(struct et_store *st, uint64_t from,
                                     uint64_t to, et_row_fn *fn, void *ctx,
                                     struct et_error *err);
/* Seqs of the events of one execution, ascending. */
ET_NODISCARD int et_store_exec_seqs(struct et_store *st, const char *id,
                                    uint64_t **seqs_out, size_t *n_out,
                                    struct et_error *err);
/* The execution an event belongs to, from the projections (for naming a
 * missing event); ET_ENOTFOUND when unknown. */
ET_NODISCARD int et_store_exec_for_seq(struct et_store *st, uint64_t seq,
                                       char id_out[37], struct et_error *err);
/* Read leaf hashes [0, n) into a caller-owned array (et__free). */
ET_NODISCARD int et_store_leaves(struct et_store *st, uint64_t n,
                                 uint8_t (**leaves_out)[ET_HASH_LEN],
                                 struct et_error *err);

/* ---- projections ---- */
/* Full id from a unique prefix (>= 4 chars); ET_ENOTFOUND, or ET_EINPUT
 * when the prefix is ambiguous. */
ET_NODISCARD int et_store_exec_resolve(struct et_store *st, const char *prefix,
                                       char id_out[37], struct et_error *err);
/* Load the row for id; strings in *row point into store-owned memory valid
 * until the next store call. ET_ENOTFOUND when absent. */
ET_NODISCARD int et_store_exec_get(struct et_store *st, const char *id,
                                   struct et_exec_row *row,
                                   struct et_error *err);
/*
 * Which of the executions ids[0..n) are recorded: found_out[i] (n of them,
 * caller-owned) is true when ids[i] has a row, its own writes of the
 * transaction included (the kept ones are applied first). In one backend
 * call, whatever n: one round trip on PostgreSQL, where an exec_get per id
 * is one each (import checks a batch's ids so, src/ingest/record.c). Ids
 * may repeat; n = 0 asks nothing.
 */
ET_NODISCARD int et_store_exec_exists(struct et_store *st,
                                      const char *const *ids, size_t n,
                                      bool *found_out, struct et_error *err);
ET_NODISCARD int et_store_exec_put(struct et_store *st,
                                   const struct et_exec_row *row, bool insert,
                                   struct et_error *err);
ET_NODISCARD int et_store_action_put(struct et_store *st,
                                     const struct et_action_row *row,
                                     struct et_error *err);
/* Action docs of one execution in sequence order. */
ET_NODISCARD int et_store_actions_get(struct et_store *st, const char *id,
                                      et_text_fn *fn, void *ctx,
                                      struct et_error *err);
/* The largest action sequence of execution id (0: no action yet), read
 * from the end of the action key, not by reading the actions. */
ET_NODISCARD int et_store_action_last(struct et_store *st, const char *id,
                                      int64_t *last_out, struct et_error *err);
/* One list item of execution id, with the execution's start time (0 =
 * unknown), which the list index carries (docs/QUERY.md). An item already
 * listed for the execution under that kind is not added again. */
ET_NODISCARD int et_store_list_put(struct et_store *st, const char *id,
                                   int64_t start_ns, enum et_list_kind kind,
                                   const char *item, struct et_error *err);
/*
 * Subagent actions and their agent's binding (docs/INTEGRATIONS.md,
 * "Bindings"). An action of agent (session, agent) is ledger event seq;
 * its owner is the execution the agent is bound to, or none yet (owner
 * NULL). et_store_agent_binding gives the current binding (ET_ENOTFOUND:
 * none). et_store_agent_bind binds the agent to owner and gives owner
 * every action of the agent: *moved (caller-owned, et__free) lists the
 * actions that had another owner or none, with that owner ("" = none);
 * their action rows, text index rows and credential rows are gone (the
 * caller projects each event again under the new owner).
 * et_store_lists_clear drops every list item and the security reasons of
 * execution id, to be recomputed.
 */
struct et_store_moved {
    uint64_t seq;
    char from[37];
};
ET_NODISCARD int et_store_agent_action_put(struct et_store *st, uint64_t seq,
                                           const char *session,
                                           const char *agent,
                                           const char *owner,
                                           struct et_error *err);
ET_NODISCARD int et_store_agent_binding(struct et_store *st,
                                        const char *session, const char *agent,
                                        char owner_out[37],
                                        struct et_error *err);
ET_NODISCARD int et_store_agent_bind(struct et_store *st, const char *session,
                                     const char *agent, const char *owner,
                                     struct et_store_moved **moved,
                                     size_t *n_moved, struct et_error *err);
ET_NODISCARD int et_store_lists_clear(struct et_store *st, const char *id,
                                      struct et_error *err);
/* A credential (redaction marker) seen in event seq of execution id. */
ET_NODISCARD int et_store_cred_put(struct et_store *st, const char *id,
                                   const char *kind, const char *fingerprint,
                                   uint64_t seq, struct et_error *err);
/* Mark id security-relevant for reason (kept once per execution). */
ET_NODISCARD int et_store_security_add(struct et_store *st, const char *id,
                                       const char *reason,
                                       struct et_error *err);
/* Full-text row for the text of one event (rowid = seq). */
ET_NODISCARD int et_store_fts_put(struct et_store *st, uint64_t seq,
                                  const char *id, const char *text,
                                  size_t len, struct et_error *err);
ET_NODISCARD int et_store_session_touch(struct et_store *st,
                                        const char *session_id, int64_t ts_ns,
                                        bool new_execution,
                                        struct et_error *err);
/* Executions newest first (limit 0 = all); rows valid during the call. */
typedef int et_exec_row_fn(void *ctx, const struct et_exec_row *row);
ET_NODISCARD int et_store_exec_list(struct et_store *st, size_t limit,
                                    et_exec_row_fn *fn, void *ctx,
                                    struct et_error *err);
/* Delete every projection row (for rebuild), inside a write transaction. */
ET_NODISCARD int et_store_projection_reset(struct et_store *st,
                                           struct et_error *err);
/*
 * verify --projections, inside a write transaction the caller rolls back:
 * snapshot copies every projection table aside; after the projections are
 * rebuilt from the ledger, diff compares them with the snapshot and fails
 * with ET_EINTEGRITY, naming the first differing table and row in where.
 * ET_EUNAVAIL when the backend cannot compare.
 */
ET_NODISCARD int et_store_projection_snapshot(struct et_store *st,
                                              struct et_error *err);
/*
 * The fast path of the same check: a digest, keyed with key (32 random
 * bytes per verification), of the multiset of rows of every projection
 * table, plus event_index (rebuilt false) or the ledger's execution_id
 * column (rebuilt true). Equal digests before and after the rebuild mean
 * equal tables; when they differ, snapshot and diff name the row.
 * ET_EUNAVAIL when the backend cannot compare.
 */
/* A hash of the tables the reports read (the rollups), rows in key order,
 * unkeyed: equal later means the report tables were not changed since.
 * ET_EUNAVAIL when the backend has none. */
ET_NODISCARD int et_store_report_digest(struct et_store *st,
                                        uint8_t out[32],
                                        struct et_error *err);
/* Outside a transaction, around the fast path: on sets the backend up for
 * a scratch rebuild of the size of the projections (bounded memory), off
 * restores the writers' settings. A backend without it does nothing. */
ET_NODISCARD int et_store_projection_scratch(struct et_store *st, bool on,
                                             struct et_error *err);
ET_NODISCARD int et_store_projection_digest(struct et_store *st,
                                            const uint8_t key[32],
                                            bool rebuilt, uint8_t out[32],
                                            struct et_error *err);
ET_NODISCARD int et_store_projection_diff(struct et_store *st, char *where,
                                          size_t cap, struct et_error *err);

/* ---- checkpoints and metadata ---- */
ET_NODISCARD int et_store_checkpoint_put(struct et_store *st, uint64_t size,
                                         const uint8_t root[ET_HASH_LEN],
                                         int64_t ts_ns, const char *note,
                                         struct et_error *err);
typedef int et_checkpoint_fn(void *ctx, uint64_t size, const char *note);
ET_NODISCARD int et_store_checkpoint_each(struct et_store *st,
                                          et_checkpoint_fn *fn, void *ctx,
                                          struct et_error *err);
/* *value_out is caller-owned (et__free); ET_ENOTFOUND when unset. */
ET_NODISCARD int et_store_meta_get(struct et_store *st, const char *key,
                                   char **value_out, struct et_error *err);
ET_NODISCARD int et_store_meta_put(struct et_store *st, const char *key,
                                   const char *value, struct et_error *err);

/* ---- queries: statements the query compiler (src/query/compile.c) wrote
 * in the backend's dialect (sqlgen.h); the store never sees a query tree */
struct et_sql_dialect;
struct et_sqlstmt;
struct et_buf;

/* The SQL dialect of st's backend (static data, never NULL). */
const struct et_sql_dialect *et_store_dialect(struct et_store *st);
/* The dialect of backend b without a store (tests, the fuzzer), or NULL
 * when this build does not have it. */
const struct et_sql_dialect *et_store_dialect_of(enum et_backend b);
/*
 * A planning hint for ET_SQLD_PROBE dialects: whether free text (a phrase
 * of the query language, user text) is found in many of the trail's
 * events, so that a page tests it per execution rather than collecting
 * its matches. false where the backend has no such hint.
 */
ET_NODISCARD int et_store_text_dense(struct et_store *st, const char *text,
                                     size_t len, bool *dense_out,
                                     struct et_error *err);
/* Run the statement s (borrowed) and call fn for each execution, in its
 * order; rows as for et_store_exec_list (doc not loaded), only the id with
 * s->ids_only. Only a single read-only statement runs. */
ET_NODISCARD int et_store_query_run(struct et_store *st,
                                    const struct et_sqlstmt *s,
                                    et_exec_row_fn *fn, void *ctx,
                                    struct et_error *err);
/* Append the SQL of s, its parameters and the database's plan to out. */
ET_NODISCARD int et_store_query_explain(struct et_store *st,
                                        const struct et_sqlstmt *s,
                                        struct et_buf *out,
                                        struct et_error *err);

/* Ranked full-text search: the best executions first (fn once each,
 * after the search statement has finished, so fn may use the store). */
struct et_store_search {
    const char *words; /* user text: every word must occur (bound, quoted) */
    size_t len;
    size_t max_execs;
    size_t max_events; /* rank only the newest this many matching events */
};
struct et_store_hit {
    const char *execution_id;
    const char *agent_name; /* may be NULL */
    double score;           /* higher is better */
    int64_t n_events;       /* events of the execution that match */
};
typedef int et_store_hit_fn(void *ctx, const struct et_store_hit *h);
ET_NODISCARD int et_store_search(struct et_store *st,
                                 const struct et_store_search *s,
                                 et_store_hit_fn *fn, void *ctx,
                                 struct et_error *err);
/* The full-text index's text of each event of execution id, in order. */
typedef int et_store_text_fn(void *ctx, uint64_t seq, const char *text,
                             size_t len);
ET_NODISCARD int et_store_exec_texts(struct et_store *st, const char *id,
                                     et_store_text_fn *fn, void *ctx,
                                     struct et_error *err);

/* Aggregates over the executions e matching the condition where (a
 * statement of et__query_compile_where, borrowed). */
struct et_store_agent_row {
    const char *agent_name;
    int64_t executions, completed;
    int64_t match, partial, mismatch, error, unverified;
    int64_t actions, failed_actions;
    int64_t max_duration_ms; /* -1 unknown */
    double avg_duration_ms;  /* -1 unknown */
};
typedef int et_store_agent_fn(void *ctx, const struct et_store_agent_row *r);
ET_NODISCARD int et_store_agent_stats(struct et_store *st,
                                      const struct et_sqlstmt *where,
                                      et_store_agent_fn *fn, void *ctx,
                                      struct et_error *err);
/* Failing executions (verification MISMATCH/ERROR or a failed action),
 * newest first, with their first failed action and first ERROR issue. */
struct et_store_failure_row {
    const char *execution_id;
    const char *agent_name;
    const char *verification;
    const char *tool;  /* of the first failed action, or NULL */
    const char *error; /* its error, or NULL */
    const char *issue; /* description of the first ERROR issue, or NULL */
};
typedef int et_store_failure_fn(void *ctx,
                                const struct et_store_failure_row *r);
ET_NODISCARD int et_store_failures(struct et_store *st,
                                   const struct et_sqlstmt *where,
                                   et_store_failure_fn *fn, void *ctx,
                                   struct et_error *err);

/* ---- analysis (src/analysis/): issues, agent history, similarity ---- */
struct et_store_issue_row {
    int64_t seq;         /* position in the execution's issues[] */
    int64_t ts_ns;       /* when the analysis ran */
    const char *type;    /* ERROR, WARNING, INFO */
    const char *signature;
    const char *message;
};
/* Replace the exec_issues rows of execution id (agent may be NULL). */
ET_NODISCARD int et_store_issues_put(struct et_store *st, const char *id,
                                     const char *agent,
                                     const struct et_store_issue_row *rows,
                                     size_t n, struct et_error *err);
struct et_store_history_row {
    int64_t duration_ms; /* -1 unknown */
    int64_t n_actions;
    const char *verification; /* may be NULL */
    const char *efficiency;   /* may be NULL */
};
typedef int et_store_history_fn(void *ctx,
                                const struct et_store_history_row *r);
/* Of the agent's 2 x limit newest executions started at or after since_ns,
 * the finished ones (known duration) other than exclude_id (may be NULL),
 * newest first; at most limit (0 = no bound). */
ET_NODISCARD int et_store_agent_history(struct et_store *st,
                                        const char *agent,
                                        const char *exclude_id,
                                        int64_t since_ns, size_t limit,
                                        et_store_history_fn *fn, void *ctx,
                                        struct et_error *err);
/* Issues with this signature since since_ns in other executions than
 * exclude_id: how many (counting stops at cap) and in how many agents. */
ET_NODISCARD int et_store_signature_count(struct et_store *st,
                                          const char *signature,
                                          int64_t since_ns,
                                          const char *exclude_id, int64_t cap,
                                          int64_t *count_out,
                                          int64_t *agents_out,
                                          struct et_error *err);
struct et_store_signature_row {
    const char *signature;
    const char *type;    /* the worst type seen */
    const char *message; /* one example message */
    const char *example_id;
    int64_t count;
    int64_t executions;
};
typedef int et_store_signature_fn(void *ctx,
                                  const struct et_store_signature_row *r);
/* The most frequent signatures of agent (NULL = all) since since_ns whose
 * signature starts with prefix (NULL = any), most frequent first. */
ET_NODISCARD int et_store_top_signatures(struct et_store *st,
                                         const char *agent, int64_t since_ns,
                                         const char *prefix, size_t limit,
                                         et_store_signature_fn *fn, void *ctx,
                                         struct et_error *err);
/* Executions whose request or prompt text matches any of words (space
 * separated; each bound as one quoted FTS5 string), best BM25 first, id
 * excluded; at most limit. fn runs after the statement has finished. */
ET_NODISCARD int et_store_similar(struct et_store *st, const char *id,
                                  const char *words, size_t limit,
                                  et_store_hit_fn *fn, void *ctx,
                                  struct et_error *err);
/* ---- report rollups (src/report/, docs/REPORTS.md): per slot of start
 * (a quarter of an hour, UTC: every zone in use is a whole number of
 * quarter hours from UTC) and agent ("" when none), maintained on
 * write ---- */
#define ET_ROLLUP_QBINS 5
#define ET_ROLLUP_SLOT_NS   (INT64_C(900) * 1000000000)
#define ET_ROLLUP_SLOTS_DAY 96
/* The slot of a time (floor, also before 1970). */
static inline int64_t et_rollup_slot(int64_t ns)
{
    return ns >= 0 ? ns / ET_ROLLUP_SLOT_NS
                   : -((-ns + ET_ROLLUP_SLOT_NS - 1) / ET_ROLLUP_SLOT_NS);
}
struct et_rollup_row {
    int64_t slot;      /* et_rollup_slot(start_ns) */
    const char *agent; /* "" for executions without an agent */
    int64_t n, completed, match, partial, mismatch, error;
    int64_t dur_n, dur_sum_ms;
    int64_t q_n, q_sum12, q_high; /* quality score x 12 (exact integer) */
    int64_t q_bin[ET_ROLLUP_QBINS];
    int64_t usage_n, tok_in, tok_out, tok_cache_read, tok_cache_write;
    int64_t cost_micro_usd;
    int dur_bucket; /* duration histogram bucket, -1 none (rollup_add) */
};
/* Add sign (+1 or -1) times r's counts to its (slot, agent) rollup and its
 * duration bucket. */
ET_NODISCARD int et_store_rollup_add(struct et_store *st,
                                     const struct et_rollup_row *r, int sign,
                                     struct et_error *err);
typedef int et_rollup_fn(void *ctx, const struct et_rollup_row *r);
/* Rollup rows with from_slot <= slot < to_slot, of agent (NULL = all),
 * in (slot, agent) order; dur_bucket is -1. */
ET_NODISCARD int et_store_rollup_read(struct et_store *st, const char *agent,
                                      int64_t from_slot, int64_t to_slot,
                                      et_rollup_fn *fn, void *ctx,
                                      struct et_error *err);
typedef int et_bucket_fn(void *ctx, int bucket, int64_t n);
/* The duration histogram over the slots [from_slot, to_slot) of agent
 * (NULL = all), ascending buckets with n > 0. */
ET_NODISCARD int et_store_rollup_hist(struct et_store *st, const char *agent,
                                      int64_t from_slot, int64_t to_slot,
                                      et_bucket_fn *fn, void *ctx,
                                      struct et_error *err);
/* Add n entries of (type, signature), seen in `executions` executions, to
 * the issue rollup of (agent, slot); example becomes its newest message. */
struct et_issue_rollup {
    const char *agent; /* "" for none */
    int64_t slot;
    const char *type;
    const char *signature;
    int64_t n, executions;
    const char *example;
};
ET_NODISCARD int et_store_issue_rollup_add(struct et_store *st,
                                           const struct et_issue_rollup *r,
                                           struct et_error *err);
/* Issue signatures over the slots [from_slot, to_slot) of agent (NULL =
 * all) from the issue rollup, most frequent first, at most limit. */
struct et_issue_group {
    const char *signature;
    const char *type;    /* the most frequent type seen with it */
    const char *example; /* one message (the newest) */
    int64_t count;       /* issue entries */
    int64_t executions;  /* distinct executions */
    int64_t agents;      /* distinct agents */
};
typedef int et_issue_group_fn(void *ctx, const struct et_issue_group *g);
ET_NODISCARD int et_store_issues_top(struct et_store *st, const char *agent,
                                     int64_t from_slot, int64_t to_slot,
                                     size_t limit, et_issue_group_fn *fn,
                                     void *ctx, struct et_error *err);

/* ---- retention (src/store/<backend>/retention_*.c) ---- */
/* One execution as the retention planner sees it. Strings valid during the
 * callback. ref_ns: timestamp_end, else timestamp_start, else the time of
 * its first event. */
struct et_store_ret_row {
    const char *execution_id;
    const char *state;
    const char *verification; /* may be NULL */
    const char *completeness, *accuracy, *efficiency; /* may be NULL */
    int64_t ref_ns;
    bool is_security;          /* a row in security_relevant */
    const char *hold_reason;   /* non-NULL when on legal hold */
    int64_t hold_since_ns;
    int64_t start_ns; /* the execution's start, 0 when unknown */
};
typedef int et_store_ret_fn(void *ctx, const struct et_store_ret_row *r);
/*
 * Whether the backend partitions its projections by the month (UTC) of the
 * executions' start (PostgreSQL): retention then forgets the executions
 * that start in one month in one transaction, so that a month whose every
 * execution expires leaves by whole partitions (docs/POSTGRES.md).
 */
bool et_store_time_parts(const struct et_store *st);
/* Every execution, oldest reference time first. */
ET_NODISCARD int et_store_ret_scan(struct et_store *st, et_store_ret_fn *fn,
                                   void *ctx, struct et_error *err);
/* Remove executions ids[0..n) from every projection table (executions,
 * actions, lists, full-text, sessions' counts, and any other table with an
 * execution_id column), inside a write transaction. The ledger and
 * event_index keep their rows. */
ET_NODISCARD int et_store_exec_forget(struct et_store *st,
                                      const char *const *ids, size_t n,
                                      struct et_error *err);
/* Set the payload of ledger row seq: body NULL erases it; a body is only
 * written where the payload is erased (*changed_out tells, may be NULL). */
ET_NODISCARD int et_store_payload_set(struct et_store *st, uint64_t seq,
                                      const char *body, size_t len,
                                      bool *changed_out,
                                      struct et_error *err);
/* Retention bookkeeping (legal holds "hold:<id>" with {"reason","since_ns"},
 * runs, the schedule): key -> JSON text, projected from retention events. get: ET_ENOTFOUND when absent; *value_out caller-owned
 * (et__free). each: keys starting with prefix, in key order. */
ET_NODISCARD int et_store_rstate_put(struct et_store *st, const char *key,
                                     const char *value, uint64_t seq,
                                     struct et_error *err);
ET_NODISCARD int et_store_rstate_del(struct et_store *st, const char *key,
                                     struct et_error *err);
ET_NODISCARD int et_store_rstate_get(struct et_store *st, const char *key,
                                     char **value_out, struct et_error *err);
typedef int et_store_kv_fn(void *ctx, const char *key, const char *value);
ET_NODISCARD int et_store_rstate_each(struct et_store *st, const char *prefix,
                                      et_store_kv_fn *fn, void *ctx,
                                      struct et_error *err);

/* ---- notes and human scores (written by src/ingest/note_write.c,
 * projected by src/trail/note.c; docs/NOTES.md): one row per
 * execution.note / execution.scored event ---- */
struct et_store_note_row {
    uint64_t seq; /* the event's ledger seq */
    const char *uuid;
    const char *kind;         /* "note" or "score" */
    const char *execution_id; /* NULL: a free-form note */
    const char *group_id;     /* may be NULL */
    int64_t ts_ns;
    const char *doc; /* canonical JSON of the event body */
    size_t doc_len;
    const char *snippet; /* note_each with words: the match, marked */
};
struct et_store_note_filter {
    const char *execution_id;  /* only this execution's (NULL: any) */
    const char *uuid;          /* only this uuid (NULL: any) */
    const char *const *groups; /* only these groups (n_groups 0: any) */
    size_t n_groups;
    const char *kind;  /* "note" or "score" (NULL: both) */
    bool is_free_only; /* only notes of no execution */
    const char *words; /* every word must occur (bound, quoted) */
    size_t words_len;
    const char *mark_open, *mark_close; /* snippet marks (words only) */
    size_t limit;                       /* 0 = no bound */
};
typedef int et_store_note_fn(void *ctx, const struct et_store_note_row *r);
ET_NODISCARD int et_store_note_put(struct et_store *st,
                                   const struct et_store_note_row *r,
                                   struct et_error *err);
/* Matching rows, newest first (best match first with words); rows valid
 * during the call; fn must not use the store. */
ET_NODISCARD int et_store_note_each(struct et_store *st,
                                    const struct et_store_note_filter *f,
                                    et_store_note_fn *fn, void *ctx,
                                    struct et_error *err);

/* ---- the projection delta (src/store/delta.c, docs/internals/STORE.md) --
 * The write operations of a unit (the ledger append, the tree head, the
 * metadata and the projection rows: et_store_append, head_save, meta_put,
 * exec_put, action_put, agent_action_put, list_put, cred_put,
 * security_add, fts_put, session_touch, issues_put, rollup_add,
 * issue_rollup_add, inside a write transaction) are not run when called: the front door keeps them, in
 * order, as typed operations with copies of their bytes, and hands them to
 * the backend in one call, `apply`, when the unit ends (et_store_flush,
 * which the write units call before they commit or release) or before a
 * read that could see a table they change. A backend without `apply` gets
 * them one by one. A unit that is rolled back drops its kept operations. */
enum et_store_op_kind {
    ET_OP_APPEND = 0,
    ET_OP_EXEC_PUT,
    ET_OP_ACTION_PUT,
    ET_OP_AGENT_ACTION_PUT,
    ET_OP_LIST_PUT,
    ET_OP_CRED_PUT,
    ET_OP_SECURITY_ADD,
    ET_OP_FTS_PUT,
    ET_OP_SESSION_TOUCH,
    ET_OP_ISSUES_PUT,
    ET_OP_ROLLUP_ADD,
    ET_OP_ISSUE_ROLLUP_ADD,
    ET_OP_META_PUT,
    ET_OP_HEAD_SAVE,
    ET_OP_KIND_COUNT
};
struct et_store_op {
    enum et_store_op_kind kind;
    union {
        struct et_event_row event; /* APPEND */
        struct {
            struct et_exec_row row;
            bool insert;
        } exec;
        struct et_action_row action;
        struct {
            uint64_t seq;
            const char *session, *agent, *owner;
        } agent_action;
        struct {
            const char *id;
            int64_t start_ns;
            enum et_list_kind kind;
            const char *item;
        } list;
        struct {
            const char *id, *kind, *fingerprint;
            uint64_t seq;
        } cred;
        struct {
            const char *id, *reason;
        } security;
        struct {
            uint64_t seq;
            const char *id, *text;
            size_t len;
        } fts;
        struct {
            const char *session_id;
            int64_t ts_ns;
            bool new_execution;
        } session;
        struct {
            const char *id, *agent;
            const struct et_store_issue_row *rows;
            size_t n;
        } issues;
        struct {
            struct et_rollup_row row;
            int sign;
        } rollup;
        struct et_issue_rollup issue_rollup;
        struct {
            const char *key, *value;
        } meta;
        const struct et_tree *head;
    } u;
};
/* Run the kept operations now (inside the write transaction). A failure
 * leaves the unit to be rolled back by the caller. */
ET_NODISCARD int et_store_flush(struct et_store *st, struct et_error *err);
/* Counters for calls-per-event measurements (ET_STORE_STATS=1 prints them
 * on stderr when the store closes). */
struct et_store_stats {
    uint64_t front_calls;   /* operations called on the front door */
    uint64_t backend_calls; /* calls that reached the backend (apply = 1) */
    uint64_t applies;       /* apply calls */
    uint64_t kept;          /* write operations kept (then applied, or
                             * dropped with their unit) */
    uint64_t coalesced;     /* of them, execution rows that replaced the
                             * row kept earlier in the unit */
    uint64_t delta_reads;   /* execution rows read from the kept ones */
};
void et_store_stats_get(const struct et_store *st, struct et_store_stats *out);

#endif /* ET_STORE_STORE_H */
