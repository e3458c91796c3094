/* SPDX-License-Identifier: MIT */
/*
 * The backend operations table. A backend embeds struct et_store first in
 * its own struct and fills one static struct et_store_ops. store.c holds the
 * registry (indexed by enum et_backend) and the checking wrappers.
 */
#ifndef ET_STORE_STORE_INT_H
#define ET_STORE_STORE_INT_H

#include "store/sqlgen.h"
#include "store/store.h"

#define ET_STORE_ABI 1

struct et_store_ops {
    const char *name;
    int abi;
    /* the projections are partitioned by month of the executions' start,
     * so that retention forgets whole months at once when it can (see
     * et_store_time_parts) */
    bool time_parts;
    int (*open)(const char *target, unsigned flags, struct et_store **out,
                int *created_out, struct et_error *err);
    void (*close)(struct et_store *st);
    int (*begin)(struct et_store *st, bool write, struct et_error *err);
    int (*commit)(struct et_store *st, struct et_error *err);
    void (*rollback)(struct et_store *st);
    /* nested units inside a write transaction (SQL savepoints) */
    int (*savepoint)(struct et_store *st, struct et_error *err);
    int (*release)(struct et_store *st, struct et_error *err);
    /* fails when the unit cannot be undone: the transaction is gone */
    int (*rollback_to)(struct et_store *st);
    int (*head_load)(struct et_store *st, struct et_tree *t,
                     struct et_error *err);
    int (*head_save)(struct et_store *st, const struct et_tree *t,
                     struct et_error *err);
    int (*append)(struct et_store *st, const struct et_event_row *ev,
                  struct et_error *err);
    int (*read_range)(struct et_store *st, uint64_t from, uint64_t to,
                      et_row_fn *fn, void *ctx, struct et_error *err);
    int (*exec_seqs)(struct et_store *st, const char *id, uint64_t **seqs,
                     size_t *n, struct et_error *err);
    int (*exec_for_seq)(struct et_store *st, uint64_t seq, char id_out[37],
                        struct et_error *err);
    int (*leaves)(struct et_store *st, uint64_t n,
                  uint8_t (**leaves)[ET_HASH_LEN], struct et_error *err);
    int (*exec_resolve)(struct et_store *st, const char *prefix,
                        char id_out[37], struct et_error *err);
    int (*exec_get)(struct et_store *st, const char *id,
                    struct et_exec_row *row, struct et_error *err);
    /* found[i] = whether ids[i] has a row, for all n in one call */
    int (*exec_exists)(struct et_store *st, const char *const *ids, size_t n,
                       bool *found, struct et_error *err);
    int (*exec_put)(struct et_store *st, const struct et_exec_row *row,
                    bool insert, struct et_error *err);
    int (*action_put)(struct et_store *st, const struct et_action_row *row,
                      struct et_error *err);
    int (*actions_get)(struct et_store *st, const char *id, et_text_fn *fn,
                       void *ctx, struct et_error *err);
    int (*action_last)(struct et_store *st, const char *id, int64_t *last_out,
                       struct et_error *err);
    int (*list_put)(struct et_store *st, const char *id, int64_t start_ns,
                    enum et_list_kind kind, const char *item,
                    struct et_error *err);
    int (*agent_action_put)(struct et_store *st, uint64_t seq,
                            const char *session, const char *agent,
                            const char *owner, struct et_error *err);
    int (*agent_binding)(struct et_store *st, const char *session,
                         const char *agent, char owner_out[37],
                         struct et_error *err);
    int (*agent_bind)(struct et_store *st, const char *session,
                      const char *agent, const char *owner,
                      struct et_store_moved **moved, size_t *n_moved,
                      struct et_error *err);
    int (*lists_clear)(struct et_store *st, const char *id,
                       struct et_error *err);
    int (*cred_put)(struct et_store *st, const char *id, const char *kind,
                    const char *fingerprint, uint64_t seq,
                    struct et_error *err);
    int (*security_add)(struct et_store *st, const char *id,
                        const char *reason, struct et_error *err);
    int (*fts_put)(struct et_store *st, uint64_t seq, const char *id,
                   const char *text, size_t len, struct et_error *err);
    int (*session_touch)(struct et_store *st, const char *session_id,
                         int64_t ts_ns, bool new_execution,
                         struct et_error *err);
    int (*exec_list)(struct et_store *st, size_t limit, et_exec_row_fn *fn,
                     void *ctx, struct et_error *err);
    int (*projection_reset)(struct et_store *st, struct et_error *err);
    /* verify --projections (optional: NULL when a backend has none) */
    int (*projection_snapshot)(struct et_store *st, struct et_error *err);
    int (*projection_diff)(struct et_store *st, char *where, size_t cap,
                           struct et_error *err);
    int (*report_digest)(struct et_store *st, uint8_t out[32],
                         struct et_error *err);
    int (*projection_scratch)(struct et_store *st, bool on,
                              struct et_error *err);
    int (*projection_digest)(struct et_store *st, const uint8_t key[32],
                             bool rebuilt, uint8_t out[32],
                             struct et_error *err);
    int (*checkpoint_put)(struct et_store *st, uint64_t size,
                          const uint8_t root[ET_HASH_LEN], int64_t ts_ns,
                          const char *note, struct et_error *err);
    int (*checkpoint_each)(struct et_store *st, et_checkpoint_fn *fn,
                           void *ctx, struct et_error *err);
    int (*meta_get)(struct et_store *st, const char *key, char **value,
                    struct et_error *err);
    int (*meta_put)(struct et_store *st, const char *key, const char *value,
                    struct et_error *err);
    /* the query language: the dialect the compiler writes in, and the
     * statements it wrote (src/store/<backend>/query_*.c) */
    const struct et_sql_dialect *dialect;
    /* optional (NULL: no phrase is dense) */
    int (*text_dense)(struct et_store *st, const char *text, size_t len,
                      bool *dense, struct et_error *err);
    int (*query_run)(struct et_store *st, const struct et_sqlstmt *s,
                     et_exec_row_fn *fn, void *ctx, struct et_error *err);
    int (*query_explain)(struct et_store *st, const struct et_sqlstmt *s,
                         struct et_buf *out, struct et_error *err);
    int (*search)(struct et_store *st, const struct et_store_search *s,
                  et_store_hit_fn *fn, void *ctx, struct et_error *err);
    int (*agent_stats)(struct et_store *st, const struct et_sqlstmt *where,
                       et_store_agent_fn *fn, void *ctx, struct et_error *err);
    int (*failures)(struct et_store *st, const struct et_sqlstmt *where,
                    et_store_failure_fn *fn, void *ctx, struct et_error *err);
    int (*exec_texts)(struct et_store *st, const char *id,
                      et_store_text_fn *fn, void *ctx, struct et_error *err);
    /* analysis (src/store/sqlite/analysis_sqlite.c) */
    int (*issues_put)(struct et_store *st, const char *id, const char *agent,
                      const struct et_store_issue_row *rows, size_t n,
                      struct et_error *err);
    int (*agent_history)(struct et_store *st, const char *agent,
                         const char *exclude_id, int64_t since_ns,
                         size_t limit, et_store_history_fn *fn, void *ctx,
                         struct et_error *err);
    int (*signature_count)(struct et_store *st, const char *signature,
                           int64_t since_ns, const char *exclude_id,
                           int64_t cap, int64_t *count_out,
                           int64_t *agents_out, struct et_error *err);
    int (*top_signatures)(struct et_store *st, const char *agent,
                          int64_t since_ns, const char *prefix, size_t limit,
                          et_store_signature_fn *fn, void *ctx,
                          struct et_error *err);
    int (*similar)(struct et_store *st, const char *id, const char *words,
                   size_t limit, et_store_hit_fn *fn, void *ctx,
                   struct et_error *err);
    /* report rollups and issues (src/store/<backend>/report_*.c) */
    int (*rollup_add)(struct et_store *st, const struct et_rollup_row *r,
                      int sign, struct et_error *err);
    int (*rollup_read)(struct et_store *st, const char *agent,
                       int64_t from_slot, int64_t to_slot, et_rollup_fn *fn,
                       void *ctx, struct et_error *err);
    int (*rollup_hist)(struct et_store *st, const char *agent,
                       int64_t from_slot, int64_t to_slot, et_bucket_fn *fn,
                       void *ctx, struct et_error *err);
    int (*issue_rollup_add)(struct et_store *st,
                            const struct et_issue_rollup *r,
                            struct et_error *err);
    int (*issues_top)(struct et_store *st, const char *agent, int64_t from_slot,
                      int64_t to_slot, size_t limit, et_issue_group_fn *fn,
                      void *ctx, struct et_error *err);
    /* retention (src/store/<backend>/retention_*.c) */
    int (*ret_scan)(struct et_store *st, et_store_ret_fn *fn, void *ctx,
                    struct et_error *err);
    int (*exec_forget)(struct et_store *st, const char *const *ids, size_t n,
                       struct et_error *err);
    int (*payload_set)(struct et_store *st, uint64_t seq, const char *body,
                       size_t len, bool *changed, struct et_error *err);
    int (*rstate_put)(struct et_store *st, const char *key, const char *value,
                      uint64_t seq, struct et_error *err);
    int (*rstate_del)(struct et_store *st, const char *key,
                      struct et_error *err);
    int (*rstate_get)(struct et_store *st, const char *key, char **value,
                      struct et_error *err);
    int (*rstate_each)(struct et_store *st, const char *prefix,
                       et_store_kv_fn *fn, void *ctx, struct et_error *err);
    /* notes and human scores (src/store/<backend>/note_*.c) */
    int (*note_put)(struct et_store *st, const struct et_store_note_row *r,
                    struct et_error *err);
    int (*note_each)(struct et_store *st, const struct et_store_note_filter *f,
                     et_store_note_fn *fn, void *ctx, struct et_error *err);
    /* the kept write operations of a unit, in order (optional: NULL runs
     * them one by one through the operations above; src/store/delta.c) */
    int (*apply)(struct et_store *st, const struct et_store_op *ops, size_t n,
                 struct et_error *err);
};

struct et__delta;

struct et_store {
    const struct et_store_ops *ops;
    int in_txn;   /* 0 none, 1 read, 2 write */
    struct et__delta *delta; /* kept write operations (delta.c) */
    unsigned dirty;          /* ET__T_* tables they change */
    /* kept full-text rows: applied when the transaction commits, after
     * the units' savepoints, not when each unit ends (delta.c) */
    struct et__delta *late;
    bool in_unit; /* a unit's savepoint is open */
    bool trace;              /* ET_STORE_STATS=trace: name every call */
    struct et_store_stats stats;
};

/* The tables kept operations change, and reads look at (delta.c). */
#define ET__T_LEDGER 0x001u /* ledger rows and the event index */
#define ET__T_EXEC 0x002u
#define ET__T_ACTIONS 0x004u
#define ET__T_AGENT 0x008u
#define ET__T_LISTS 0x010u
#define ET__T_CRED 0x020u
#define ET__T_SECURITY 0x040u
#define ET__T_FTS 0x080u
#define ET__T_SESSIONS 0x100u
#define ET__T_ISSUES 0x200u
#define ET__T_ROLLUP 0x400u
#define ET__T_META 0x800u
#define ET__T_HEAD 0x1000u
#define ET__T_NONE 0u
#define ET__T_ALL 0xffffffffu

/* Keep op (its strings and rows copied); ET_ENOMEM when it cannot. */
int et__delta_keep(struct et_store *st, const struct et_store_op *op,
                   struct et_error *err);
/* Apply the kept operations when they change any of tables; then none is
 * kept. On failure none is kept either (the caller rolls back). */
int et__delta_flush(struct et_store *st, unsigned tables,
                    struct et_error *err);
/* The newest row of execution id among the kept operations (its strings
 * in the delta, valid until it is applied or dropped): what reading the
 * table after applying them would give; false when none is kept near the
 * end (the caller applies them and reads). */
bool et__delta_exec_get(struct et_store *st, const char *id,
                        struct et_exec_row *row);
/* Apply the unit's kept operations, but not the full-text rows kept for
 * the commit (a unit's end, a savepoint, its release). */
int et__delta_flush_unit(struct et_store *st, struct et_error *err);
/* A unit's savepoint opens, is released, or is rolled back to: the
 * full-text rows kept for the commit follow it. */
void et__delta_savepoint(struct et_store *st);
void et__delta_release(struct et_store *st);
void et__delta_rollback_to(struct et_store *st);
/* Drop the kept operations (rollback). */
void et__delta_discard(struct et_store *st);
void et__delta_free(struct et_store *st);
/* One kept operation through the backend's single operations. */
int et__store_apply_one(struct et_store *st, const struct et_store_op *op,
                        struct et_error *err);

extern const struct et_store_ops et__sqlite_ops;
#ifdef ET_HAVE_POSTGRES
extern const struct et_store_ops et__pg_ops;
#endif

#endif /* ET_STORE_STORE_INT_H */
