/* SPDX-License-Identifier: MIT */
/*
 * The store front door: backend registry and checking wrappers. Test builds
 * can make a named operation fail (ET_TEST_FAIL_STORE=append:3 fails the
 * third append with ET_EIO) to exercise rollback paths.
 */
#include "base/setup.h"
#include "store/store_int.h"

static const struct et_store_ops *const backends[ET_BACKEND_COUNT] = {
    [ET_BACKEND_SQLITE] = &et__sqlite_ops,
#ifdef ET_HAVE_POSTGRES
    [ET_BACKEND_POSTGRES] = &et__pg_ops,
#endif
};

static int fault(const char *op, struct et_error *err)
{
    static char last[64];
    static long count;
    const char *spec = getenv("ET_TEST_FAIL_STORE");
    const char *colon;
    size_t oplen = strlen(op);

    if (!spec || !*spec)
        return ET_OK;
    if (strncmp(spec, last, sizeof(last)) != 0) {
        /* a new failure plan: count from zero */
        snprintf(last, sizeof(last), "%s", spec);
        count = 0;
    }
    colon = strchr(spec, ':');
    if (!colon || (size_t)(colon - spec) != oplen ||
        memcmp(spec, op, oplen) != 0)
        return ET_OK;
    if (++count != strtol(colon + 1, NULL, 10))
        return ET_OK;
    return et_error_set(err, ET_EIO, "injected failure in store %s", op);
}

/*
 * Every operation but the kept writes: the kept operations (delta.c) that
 * change a table it reads go to the backend first; writes that are not
 * kept and reads of many tables send them all (ET__T_ALL).
 */
#define FRONT(st, tables)                                                      \
    do {                                                                       \
        int front_rc_;                                                         \
        (st)->stats.front_calls++;                                             \
        if ((st)->trace)                                                       \
            fprintf(stderr, "exectrail: store %s\n", __func__);                \
        front_rc_ = et__delta_flush((st), (tables), err);                      \
        if (front_rc_)                                                         \
            return front_rc_;                                                  \
    } while (0)

/* A write kept for the unit's apply; an injected failure (fault_op) fails
 * it here, where the caller made it. */
static int keep(struct et_store *st, const char *fault_op,
                const struct et_store_op *op, struct et_error *err)
{
    int rc = fault_op ? fault(fault_op, err) : ET_OK;

    ET_ASSERT(st->in_txn == 2);
    st->stats.front_calls++;
    if (st->trace)
        fprintf(stderr, "exectrail: store kept %s\n", fault_op ? fault_op : "");
    return rc ? rc : et__delta_keep(st, op, err);
}

enum et_backend et_store_backend_for(const char *target)
{
    if (target && (!strncmp(target, "postgresql://", 13) ||
                   !strncmp(target, "postgres://", 11)))
        return ET_BACKEND_POSTGRES;
    return ET_BACKEND_SQLITE;
}

int et_store_open(const char *target, unsigned flags, struct et_store **out,
                  int *created_out, struct et_error *err)
{
    const struct et_store_ops *ops = backends[et_store_backend_for(target)];
    int created = 0;
    int rc;

    *out = NULL;
    if (created_out)
        *created_out = 0;
    if (!ops && et_store_backend_for(target) == ET_BACKEND_POSTGRES)
        return et_error_set(err, ET_EUNAVAIL,
                            "this exectrail was built without PostgreSQL "
                            "support (libpq); use a file path");
    if (!ops || ops->abi != ET_STORE_ABI)
        return et_error_set(err, ET_EINTERNAL, "no store backend");
    rc = ops->open(target, flags, out, &created, err);
    if (rc)
        return rc;
    (*out)->ops = ops;
    (*out)->in_txn = 0;
    (*out)->delta = NULL;
    (*out)->dirty = 0;
    (*out)->late = NULL;
    (*out)->in_unit = false;
    (*out)->trace = getenv("ET_STORE_STATS") &&
                    !strcmp(getenv("ET_STORE_STATS"), "trace");
    memset(&(*out)->stats, 0, sizeof((*out)->stats));
    if (created_out)
        *created_out = created;
    return ET_OK;
}

static void print_stats(const struct et_store *st)
{
    struct et_store_stats x;
    const char *v = getenv("ET_STORE_STATS");

    if (!v || !*v || !strcmp(v, "0"))
        return;
    et_store_stats_get(st, &x);
    fprintf(stderr,
            "exectrail: store %s: %llu operations, %llu backend calls "
            "(%llu applies of %llu kept writes, %llu execution rows "
            "folded into the one kept before, %llu read from the kept "
            "ones)\n",
            st->ops->name, (unsigned long long)x.front_calls,
            (unsigned long long)x.backend_calls,
            (unsigned long long)x.applies, (unsigned long long)x.kept,
            (unsigned long long)x.coalesced,
            (unsigned long long)x.delta_reads);
}

void et_store_stats_get(const struct et_store *st, struct et_store_stats *out)
{
    *out = st->stats;
    /* every operation reached the backend but the kept writes, which
     * reached it in applies, and the rows read from the kept ones */
    out->backend_calls = st->stats.front_calls - st->stats.kept -
                         st->stats.delta_reads + st->stats.applies;
}

void et_store_close(struct et_store *st)
{
    if (!st)
        return;
    print_stats(st);
    et__delta_free(st);
    if (st->in_txn)
        st->ops->rollback(st);
    st->ops->close(st);
}

int et_store_begin(struct et_store *st, bool write, struct et_error *err)
{
    int rc;

    ET_ASSERT(!st->in_txn && !st->dirty);
    st->stats.front_calls++;
    rc = st->ops->begin(st, write, err);
    if (!rc)
        st->in_txn = write ? 2 : 1;
    return rc;
}

int et_store_flush(struct et_store *st, struct et_error *err)
{
    return et__delta_flush_unit(st, err);
}

int et_store_commit(struct et_store *st, struct et_error *err)
{
    int rc;

    ET_ASSERT(st->in_txn);
    st->stats.front_calls++;
    rc = et__delta_flush(st, ET__T_ALL, err);
    if (!rc)
        rc = fault("commit", err);
    if (rc) {
        et_store_rollback(st);
        return rc;
    }
    rc = st->ops->commit(st, err);
    if (rc)
        et_store_rollback(st);
    st->in_txn = 0;
    return rc;
}

/* A unit's savepoint opens or is released: the unit's kept writes go
 * first, the full-text rows kept for the commit do not (delta.c) */
static int unit_edge(struct et_store *st, const char *name,
                     int (*op)(struct et_store *, struct et_error *),
                     void (*after)(struct et_store *), struct et_error *err)
{
    int rc;

    ET_ASSERT(st->in_txn == 2);
    st->stats.front_calls++;
    if (st->trace)
        fprintf(stderr, "exectrail: store %s\n", name);
    rc = et__delta_flush_unit(st, err);
    if (!rc)
        rc = op(st, err);
    if (!rc)
        after(st);
    return rc;
}

int et_store_savepoint(struct et_store *st, struct et_error *err)
{
    return unit_edge(st, __func__, st->ops->savepoint, et__delta_savepoint,
                     err);
}

int et_store_release(struct et_store *st, struct et_error *err)
{
    return unit_edge(st, __func__, st->ops->release, et__delta_release, err);
}

int et_store_rollback_to(struct et_store *st)
{
    ET_ASSERT(st->in_txn == 2);
    st->stats.front_calls++;
    et__delta_rollback_to(st);
    return st->ops->rollback_to(st);
}

void et_store_rollback(struct et_store *st)
{
    if (st && st->in_txn) {
        st->stats.front_calls++;
        et__delta_discard(st);
        st->ops->rollback(st);
        st->in_txn = 0;
    }
}

int et_store_head_load(struct et_store *st, struct et_tree *t,
                       struct et_error *err)
{
    FRONT(st, ET__T_HEAD);
    return st->ops->head_load(st, t, err);
}

int et_store_head_save(struct et_store *st, const struct et_tree *t,
                       struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_HEAD_SAVE, .u.head = t};

    return keep(st, NULL, &op, err);
}

int et_store_append(struct et_store *st, const struct et_event_row *ev,
                    struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_APPEND, .u.event = *ev};

    return keep(st, "append", &op, err);
}

int et_store_read_range(struct et_store *st, uint64_t from, uint64_t to,
                        et_row_fn *fn, void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_LEDGER);
    return st->ops->read_range(st, from, to, fn, ctx, err);
}

int et_store_exec_seqs(struct et_store *st, const char *id, uint64_t **seqs,
                       size_t *n, struct et_error *err)
{
    FRONT(st, ET__T_LEDGER);
    return st->ops->exec_seqs(st, id, seqs, n, err);
}

int et_store_exec_for_seq(struct et_store *st, uint64_t seq, char id_out[37],
                          struct et_error *err)
{
    FRONT(st, ET__T_LEDGER | ET__T_EXEC);
    return st->ops->exec_for_seq(st, seq, id_out, err);
}

int et_store_leaves(struct et_store *st, uint64_t n,
                    uint8_t (**leaves)[ET_HASH_LEN], struct et_error *err)
{
    FRONT(st, ET__T_LEDGER);
    return st->ops->leaves(st, n, leaves, err);
}

int et_store_exec_resolve(struct et_store *st, const char *prefix,
                          char id_out[37], struct et_error *err)
{
    FRONT(st, ET__T_EXEC);
    return st->ops->exec_resolve(st, prefix, id_out, err);
}

int et_store_exec_get(struct et_store *st, const char *id,
                      struct et_exec_row *row, struct et_error *err)
{
    /* a row this unit wrote: the kept copy, without applying the delta */
    if (et__delta_exec_get(st, id, row)) {
        st->stats.front_calls++;
        return ET_OK;
    }
    FRONT(st, ET__T_EXEC);
    return st->ops->exec_get(st, id, row, err);
}

int et_store_exec_exists(struct et_store *st, const char *const *ids,
                         size_t n, bool *found_out, struct et_error *err)
{
    int rc;

    for (size_t i = 0; i < n; i++)
        found_out[i] = false;
    if (!n)
        return ET_OK;
    /* the rows this transaction kept are applied first, so that the
     * backend's answer counts them (no lookup in the kept ones: the ids
     * are many, and one apply goes with the read on PostgreSQL anyway) */
    FRONT(st, ET__T_EXEC);
    rc = fault("exists", err);
    return rc ? rc : st->ops->exec_exists(st, ids, n, found_out, err);
}

int et_store_exec_put(struct et_store *st, const struct et_exec_row *row,
                      bool insert, struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_EXEC_PUT,
                             .u.exec = {.row = *row, .insert = insert}};

    return keep(st, "project", &op, err);
}

int et_store_action_put(struct et_store *st, const struct et_action_row *row,
                        struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_ACTION_PUT, .u.action = *row};

    return keep(st, NULL, &op, err);
}

int et_store_actions_get(struct et_store *st, const char *id, et_text_fn *fn,
                         void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_ACTIONS);
    return st->ops->actions_get(st, id, fn, ctx, err);
}

int et_store_action_last(struct et_store *st, const char *id, int64_t *last_out,
                         struct et_error *err)
{
    FRONT(st, ET__T_ACTIONS);
    return st->ops->action_last(st, id, last_out, err);
}

int et_store_agent_action_put(struct et_store *st, uint64_t seq,
                              const char *session, const char *agent,
                              const char *owner, struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_AGENT_ACTION_PUT,
                             .u.agent_action = {seq, session, agent, owner}};

    return keep(st, NULL, &op, err);
}

int et_store_agent_binding(struct et_store *st, const char *session,
                           const char *agent, char owner_out[37],
                           struct et_error *err)
{
    owner_out[0] = '\0';
    FRONT(st, ET__T_AGENT);
    return st->ops->agent_binding(st, session, agent, owner_out, err);
}

int et_store_agent_bind(struct et_store *st, const char *session,
                        const char *agent, const char *owner,
                        struct et_store_moved **moved, size_t *n_moved,
                        struct et_error *err)
{
    ET_ASSERT(st->in_txn == 2);
    *moved = NULL;
    *n_moved = 0;
    FRONT(st, ET__T_ALL);
    return st->ops->agent_bind(st, session, agent, owner, moved, n_moved, err);
}

int et_store_lists_clear(struct et_store *st, const char *id,
                         struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    ET_ASSERT(st->in_txn == 2);
    return st->ops->lists_clear(st, id, err);
}

int et_store_cred_put(struct et_store *st, const char *id, const char *kind,
                      const char *fingerprint, uint64_t seq,
                      struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_CRED_PUT,
                             .u.cred = {id, kind, fingerprint, seq}};

    return keep(st, NULL, &op, err);
}

int et_store_security_add(struct et_store *st, const char *id,
                          const char *reason, struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_SECURITY_ADD,
                             .u.security = {id, reason}};

    return keep(st, NULL, &op, err);
}

int et_store_list_put(struct et_store *st, const char *id, int64_t start_ns,
                      enum et_list_kind kind, const char *item,
                      struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_LIST_PUT,
                             .u.list = {id, start_ns, kind, item}};

    return keep(st, NULL, &op, err);
}

int et_store_fts_put(struct et_store *st, uint64_t seq, const char *id,
                     const char *text, size_t len, struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_FTS_PUT,
                             .u.fts = {seq, id, text, len}};

    return keep(st, NULL, &op, err);
}

int et_store_session_touch(struct et_store *st, const char *session_id,
                           int64_t ts_ns, bool new_execution,
                           struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_SESSION_TOUCH,
                             .u.session = {session_id, ts_ns, new_execution}};

    return keep(st, NULL, &op, err);
}

int et_store_exec_list(struct et_store *st, size_t limit, et_exec_row_fn *fn,
                       void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_EXEC);
    return st->ops->exec_list(st, limit, fn, ctx, err);
}

int et_store_projection_reset(struct et_store *st, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    ET_ASSERT(st->in_txn == 2);
    return st->ops->projection_reset(st, err);
}

int et_store_projection_snapshot(struct et_store *st, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    ET_ASSERT(st->in_txn == 2);
    if (!st->ops->projection_snapshot)
        return et_error_set(err, ET_EUNAVAIL,
                            "this store cannot compare projections");
    return st->ops->projection_snapshot(st, err);
}

int et_store_report_digest(struct et_store *st, uint8_t out[32],
                           struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    ET_ASSERT(st->in_txn);
    if (!st->ops->report_digest)
        return et_error_set(err, ET_EUNAVAIL,
                            "this store cannot digest its report tables");
    return st->ops->report_digest(st, out, err);
}

int et_store_projection_scratch(struct et_store *st, bool on,
                                struct et_error *err)
{
    ET_ASSERT(st->in_txn == 0);
    if (!st->ops->projection_scratch)
        return ET_OK;
    return st->ops->projection_scratch(st, on, err);
}

int et_store_projection_digest(struct et_store *st, const uint8_t key[32],
                               bool rebuilt, uint8_t out[32],
                               struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    ET_ASSERT(st->in_txn == 2);
    if (!st->ops->projection_digest)
        return et_error_set(err, ET_EUNAVAIL,
                            "this store cannot compare projections");
    return st->ops->projection_digest(st, key, rebuilt, out, err);
}

int et_store_projection_diff(struct et_store *st, char *where, size_t cap,
                             struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    ET_ASSERT(st->in_txn == 2);
    if (!st->ops->projection_diff)
        return et_error_set(err, ET_EUNAVAIL,
                            "this store cannot compare projections");
    return st->ops->projection_diff(st, where, cap, err);
}

int et_store_checkpoint_put(struct et_store *st, uint64_t size,
                            const uint8_t root[ET_HASH_LEN], int64_t ts_ns,
                            const char *note, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    return st->ops->checkpoint_put(st, size, root, ts_ns, note, err);
}

int et_store_checkpoint_each(struct et_store *st, et_checkpoint_fn *fn,
                             void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_NONE);
    return st->ops->checkpoint_each(st, fn, ctx, err);
}

int et_store_meta_get(struct et_store *st, const char *key, char **value,
                      struct et_error *err)
{
    FRONT(st, ET__T_META);
    return st->ops->meta_get(st, key, value, err);
}

int et_store_meta_put(struct et_store *st, const char *key, const char *value,
                      struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_META_PUT, .u.meta = {key, value}};

    if (st->in_txn == 2)
        return keep(st, NULL, &op, err);
    FRONT(st, ET__T_ALL);
    return st->ops->meta_put(st, key, value, err);
}

bool et_store_time_parts(const struct et_store *st)
{
    return st->ops->time_parts;
}

const struct et_sql_dialect *et_store_dialect(struct et_store *st)
{
    return st->ops->dialect;
}

const struct et_sql_dialect *et_store_dialect_of(enum et_backend b)
{
    return (unsigned)b < ET_BACKEND_COUNT && backends[b] ? backends[b]->dialect
                                                         : NULL;
}

int et_store_text_dense(struct et_store *st, const char *text, size_t len,
                        bool *dense_out, struct et_error *err)
{
    *dense_out = false;
    FRONT(st, ET__T_ALL);
    return st->ops->text_dense
               ? st->ops->text_dense(st, text, len, dense_out, err)
               : ET_OK;
}

int et_store_query_run(struct et_store *st, const struct et_sqlstmt *s,
                       et_exec_row_fn *fn, void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    int rc = fault("query", err);

    ET_ASSERT(s->dialect == st->ops->dialect && !s->rc);
    return rc ? rc : st->ops->query_run(st, s, fn, ctx, err);
}

int et_store_query_explain(struct et_store *st, const struct et_sqlstmt *s,
                           struct et_buf *out, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    ET_ASSERT(s->dialect == st->ops->dialect && !s->rc);
    return st->ops->query_explain(st, s, out, err);
}

int et_store_search(struct et_store *st, const struct et_store_search *s,
                    et_store_hit_fn *fn, void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    int rc = fault("search", err);

    return rc ? rc : st->ops->search(st, s, fn, ctx, err);
}

int et_store_agent_stats(struct et_store *st, const struct et_sqlstmt *where,
                         et_store_agent_fn *fn, void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    ET_ASSERT(where->dialect == st->ops->dialect && !where->rc);
    return st->ops->agent_stats(st, where, fn, ctx, err);
}

int et_store_failures(struct et_store *st, const struct et_sqlstmt *where,
                      et_store_failure_fn *fn, void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    ET_ASSERT(where->dialect == st->ops->dialect && !where->rc);
    return st->ops->failures(st, where, fn, ctx, err);
}

int et_store_exec_texts(struct et_store *st, const char *id,
                        et_store_text_fn *fn, void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    return st->ops->exec_texts(st, id, fn, ctx, err);
}

int et_store_issues_put(struct et_store *st, const char *id, const char *agent,
                        const struct et_store_issue_row *rows, size_t n,
                        struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_ISSUES_PUT,
                             .u.issues = {id, agent, rows, n}};

    return keep(st, "issues", &op, err);
}

int et_store_agent_history(struct et_store *st, const char *agent,
                           const char *exclude_id, int64_t since_ns,
                           size_t limit, et_store_history_fn *fn, void *ctx,
                           struct et_error *err)
{
    FRONT(st, ET__T_EXEC);
    return st->ops->agent_history(st, agent, exclude_id, since_ns, limit, fn,
                                  ctx, err);
}

int et_store_signature_count(struct et_store *st, const char *signature,
                             int64_t since_ns, const char *exclude_id,
                             int64_t cap, int64_t *count_out,
                             int64_t *agents_out, struct et_error *err)
{
    FRONT(st, ET__T_ISSUES);
    return st->ops->signature_count(st, signature, since_ns, exclude_id, cap,
                                    count_out, agents_out, err);
}

int et_store_top_signatures(struct et_store *st, const char *agent,
                            int64_t since_ns, const char *prefix, size_t limit,
                            et_store_signature_fn *fn, void *ctx,
                            struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    return st->ops->top_signatures(st, agent, since_ns, prefix, limit, fn, ctx,
                                   err);
}

int et_store_similar(struct et_store *st, const char *id, const char *words,
                     size_t limit, et_store_hit_fn *fn, void *ctx,
                     struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    int rc = fault("search", err);

    return rc ? rc : st->ops->similar(st, id, words, limit, fn, ctx, err);
}

int et_store_rollup_add(struct et_store *st, const struct et_rollup_row *r,
                        int sign, struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_ROLLUP_ADD,
                             .u.rollup = {.row = *r, .sign = sign}};

    return keep(st, "rollup_add", &op, err);
}

int et_store_rollup_read(struct et_store *st, const char *agent,
                         int64_t from_slot, int64_t to_slot, et_rollup_fn *fn,
                         void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    return st->ops->rollup_read(st, agent, from_slot, to_slot, fn, ctx, err);
}

int et_store_rollup_hist(struct et_store *st, const char *agent,
                         int64_t from_slot, int64_t to_slot, et_bucket_fn *fn,
                         void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    return st->ops->rollup_hist(st, agent, from_slot, to_slot, fn, ctx, err);
}

int et_store_issue_rollup_add(struct et_store *st,
                              const struct et_issue_rollup *r,
                              struct et_error *err)
{
    struct et_store_op op = {.kind = ET_OP_ISSUE_ROLLUP_ADD,
                             .u.issue_rollup = *r};

    return keep(st, NULL, &op, err);
}

int et_store_issues_top(struct et_store *st, const char *agent,
                        int64_t from_slot, int64_t to_slot, size_t limit,
                        et_issue_group_fn *fn, void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    return st->ops->issues_top(st, agent, from_slot, to_slot, limit, fn, ctx,
                               err);
}

int et_store_ret_scan(struct et_store *st, et_store_ret_fn *fn, void *ctx,
                      struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    return st->ops->ret_scan(st, fn, ctx, err);
}

int et_store_exec_forget(struct et_store *st, const char *const *ids, size_t n,
                         struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    int rc = fault("forget", err);

    return rc ? rc : st->ops->exec_forget(st, ids, n, err);
}

int et_store_payload_set(struct et_store *st, uint64_t seq, const char *body,
                         size_t len, bool *changed_out, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    int rc = fault("payload", err);

    if (changed_out)
        *changed_out = false;
    return rc ? rc : st->ops->payload_set(st, seq, body, len, changed_out, err);
}

int et_store_rstate_put(struct et_store *st, const char *key, const char *value,
                        uint64_t seq, struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    return st->ops->rstate_put(st, key, value, seq, err);
}

int et_store_rstate_del(struct et_store *st, const char *key,
                        struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    return st->ops->rstate_del(st, key, err);
}

int et_store_rstate_get(struct et_store *st, const char *key, char **value_out,
                        struct et_error *err)
{
    FRONT(st, ET__T_NONE);
    return st->ops->rstate_get(st, key, value_out, err);
}

int et_store_rstate_each(struct et_store *st, const char *prefix,
                         et_store_kv_fn *fn, void *ctx, struct et_error *err)
{
    FRONT(st, ET__T_NONE);
    return st->ops->rstate_each(st, prefix, fn, ctx, err);
}

int et_store_note_put(struct et_store *st, const struct et_store_note_row *r,
                      struct et_error *err)
{
    FRONT(st, ET__T_ALL);
    int rc = fault("note", err);

    if (!rc && !st->ops->note_put)
        return et_error_set(err, ET_EUNAVAIL,
                            "notes are not supported by the %s store yet",
                            st->ops->name);
    return rc ? rc : st->ops->note_put(st, r, err);
}

int et_store_note_each(struct et_store *st,
                       const struct et_store_note_filter *f,
                       et_store_note_fn *fn, void *ctx, struct et_error *err)
{
    /* notes are written directly (et_store_note_put), never kept: only a
     * search by words reads a kept table (the full text). The analysis
     * reads an execution's notes at each completion, where sending every
     * kept write first was 3 % of a transcript import */
    FRONT(st, f->words ? ET__T_FTS : ET__T_NONE);
    int rc = fault("search", err);

    if (!rc && !st->ops->note_each)
        return ET_OK; /* a store without notes has none */
    return rc ? rc : st->ops->note_each(st, f, fn, ctx, err);
}
