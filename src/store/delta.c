/* SPDX-License-Identifier: MIT */
/*
 * The projection delta: the write operations of a unit, kept in order as
 * typed operations (struct et_store_op) with copies of their bytes, and
 * handed to the backend in one `apply` call when the unit ends or before a
 * read that could see a table they change (store.h, "the projection
 * delta"). The bytes live in blocks that never move, so the kept
 * operations point into them directly.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "store/store_int.h"

#define BLOCK_MIN ((size_t)64 * 1024)
#define ALIGN ((size_t)16)

struct block {
    struct block *next;
    size_t cap, used;
    _Alignas(16) char data[];
};

struct et__delta {
    struct et_store_op *ops;
    size_t n, cap;
    size_t bytes;         /* copied since the last apply */
    struct block *blocks; /* the one in use first */
    /* st->late only: ops[0, mark) are the units' before the open
     * savepoint; ops[0, done) were applied inside it (a read or a write
     * that is not kept needed them), and are applied again if it is
     * rolled back to */
    size_t mark, done;
    /* the index of the execution row kept or looked up last, plus one
     * (0: none): a unit of one execution's events finds its row here
     * however far back (an updated row stays where it was first kept) */
    size_t exec_hint;
};

/* A unit that keeps more than this (a rebuild replaying a long run of
 * events that read nothing back) applies what it has so far: memory stays
 * bounded whatever the unit's size. */
#define KEEP_MAX_OPS ((size_t)8192)
#define KEEP_MAX_BYTES ((size_t)16 * 1024 * 1024)

static void *arena_alloc(struct et__delta *d, size_t len)
{
    struct block *b = d->blocks;
    size_t at;

    d->bytes += len;
    if (b) {
        at = (b->used + ALIGN - 1) & ~(ALIGN - 1);
        if (at <= b->cap && b->cap - at >= len) {
            b->used = at + len;
            return b->data + at;
        }
    }
    {
        size_t cap = len > BLOCK_MIN ? len : BLOCK_MIN;
        struct block *nb = et__malloc(sizeof(*nb) + cap);

        if (!nb)
            return NULL;
        nb->cap = cap;
        nb->used = len;
        nb->next = d->blocks;
        d->blocks = nb;
        return nb->data;
    }
}

/* A copy of s (len bytes, NUL added) in the arena; NULL stays NULL. */
static int dup(struct et__delta *d, const char **s, size_t len)
{
    char *p;

    if (!*s)
        return ET_OK;
    p = arena_alloc(d, len + 1);
    if (!p)
        return ET_ENOMEM;
    memcpy(p, *s, len);
    p[len] = '\0';
    *s = p;
    return ET_OK;
}

static int dups(struct et__delta *d, const char **s)
{
    return *s ? dup(d, s, strlen(*s)) : ET_OK;
}

/* The bytes of op, copied; op is the kept copy. */
static int copy_bytes(struct et__delta *d, struct et_store_op *op)
{
    int rc = ET_OK;

    switch (op->kind) {
    case ET_OP_APPEND: {
        struct et_event_row *e = &op->u.event;

        rc = dups(d, &e->type);
        if (!rc)
            rc = dups(d, &e->execution_id);
        if (!rc)
            rc = dup(d, &e->body, e->body_len);
        break;
    }
    case ET_OP_EXEC_PUT: {
        struct et_exec_row *r = &op->u.exec.row;
        const char **s[] = {&r->execution_id, &r->session_id,
                            &r->agent_name,   &r->agent_version,
                            &r->state,        &r->verification,
                            &r->completeness, &r->accuracy,
                            &r->efficiency};

        for (size_t i = 0; !rc && i < ET_ARRAY_SIZE(s); i++)
            rc = dups(d, s[i]);
        if (!rc)
            rc = dup(d, &r->doc, r->doc_len);
        break;
    }
    case ET_OP_ACTION_PUT: {
        struct et_action_row *r = &op->u.action;

        rc = dups(d, &r->execution_id);
        if (!rc)
            rc = dups(d, &r->tool);
        if (!rc)
            rc = dup(d, &r->doc, r->doc_len);
        break;
    }
    case ET_OP_AGENT_ACTION_PUT:
        rc = dups(d, &op->u.agent_action.session);
        if (!rc)
            rc = dups(d, &op->u.agent_action.agent);
        if (!rc)
            rc = dups(d, &op->u.agent_action.owner);
        break;
    case ET_OP_LIST_PUT:
        rc = dups(d, &op->u.list.id);
        if (!rc)
            rc = dups(d, &op->u.list.item);
        break;
    case ET_OP_CRED_PUT:
        rc = dups(d, &op->u.cred.id);
        if (!rc)
            rc = dups(d, &op->u.cred.kind);
        if (!rc)
            rc = dups(d, &op->u.cred.fingerprint);
        break;
    case ET_OP_SECURITY_ADD:
        rc = dups(d, &op->u.security.id);
        if (!rc)
            rc = dups(d, &op->u.security.reason);
        break;
    case ET_OP_FTS_PUT:
        rc = dups(d, &op->u.fts.id);
        if (!rc)
            rc = dup(d, &op->u.fts.text, op->u.fts.len);
        break;
    case ET_OP_SESSION_TOUCH:
        rc = dups(d, &op->u.session.session_id);
        break;
    case ET_OP_ISSUES_PUT: {
        size_t n = op->u.issues.n;
        struct et_store_issue_row *rows = NULL;

        rc = dups(d, &op->u.issues.id);
        if (!rc)
            rc = dups(d, &op->u.issues.agent);
        if (!rc && n) {
            rows = n <= SIZE_MAX / sizeof(*rows)
                       ? arena_alloc(d, n * sizeof(*rows))
                       : NULL;
            if (!rows)
                rc = ET_ENOMEM;
        }
        for (size_t i = 0; !rc && i < n; i++) {
            rows[i] = op->u.issues.rows[i];
            rc = dups(d, &rows[i].type);
            if (!rc)
                rc = dups(d, &rows[i].signature);
            if (!rc)
                rc = dups(d, &rows[i].message);
        }
        op->u.issues.rows = rows;
        break;
    }
    case ET_OP_ROLLUP_ADD:
        rc = dups(d, &op->u.rollup.row.agent);
        break;
    case ET_OP_ISSUE_ROLLUP_ADD: {
        struct et_issue_rollup *r = &op->u.issue_rollup;

        rc = dups(d, &r->agent);
        if (!rc)
            rc = dups(d, &r->type);
        if (!rc)
            rc = dups(d, &r->signature);
        if (!rc)
            rc = dups(d, &r->example);
        break;
    }
    case ET_OP_META_PUT:
        rc = dups(d, &op->u.meta.key);
        if (!rc)
            rc = dups(d, &op->u.meta.value);
        break;
    case ET_OP_HEAD_SAVE: {
        struct et_tree *t = arena_alloc(d, sizeof(*t));

        if (t)
            *t = *op->u.head;
        else
            rc = ET_ENOMEM;
        op->u.head = t;
        break;
    }
    case ET_OP_KIND_COUNT:
        ET_ASSERT(0);
        break;
    }
    return rc;
}

static const unsigned tables_of[ET_OP_KIND_COUNT] = {
    [ET_OP_APPEND] = ET__T_LEDGER,
    [ET_OP_EXEC_PUT] = ET__T_EXEC,
    [ET_OP_ACTION_PUT] = ET__T_ACTIONS,
    [ET_OP_AGENT_ACTION_PUT] = ET__T_AGENT,
    [ET_OP_LIST_PUT] = ET__T_LISTS,
    [ET_OP_CRED_PUT] = ET__T_CRED,
    [ET_OP_SECURITY_ADD] = ET__T_SECURITY,
    [ET_OP_FTS_PUT] = ET__T_FTS,
    [ET_OP_SESSION_TOUCH] = ET__T_SESSIONS,
    [ET_OP_ISSUES_PUT] = ET__T_ISSUES,
    [ET_OP_ROLLUP_ADD] = ET__T_ROLLUP,
    [ET_OP_ISSUE_ROLLUP_ADD] = ET__T_ROLLUP,
    [ET_OP_META_PUT] = ET__T_META,
    [ET_OP_HEAD_SAVE] = ET__T_HEAD,
};

/* Forget the kept operations; keep one block for the next unit. */
static void reset(struct et__delta *d)
{
    struct block *b = d->blocks;

    d->n = 0;
    d->bytes = 0;
    d->mark = 0;
    d->done = 0;
    d->exec_hint = 0;
    if (!b)
        return;
    while (b->next) {
        struct block *next = b->next->next;

        et__free(b->next);
        b->next = next;
    }
    if (b->cap > BLOCK_MIN * 16) { /* one huge event: give it back */
        et__free(b);
        d->blocks = NULL;
        return;
    }
    b->used = 0;
}

static int flush_late(struct et_store *st, struct et_error *err);

/*
 * The full-text rows wait for the commit: SQLite's FTS5 writes its
 * pending terms out as a new index segment at every savepoint once the
 * table has been written in the transaction, so rows added unit by unit
 * inside a batch's savepoints cost a segment (and its merging) each; added
 * after the last savepoint, they are indexed in memory and written once.
 */
static bool is_late(enum et_store_op_kind kind)
{
    return kind == ET_OP_FTS_PUT;
}

/*
 * How far back from the newest kept operation an execution's row is looked
 * for. A unit projecting many actions of one execution keeps about five
 * operations per action, so the row its previous action wrote is found
 * within a few; past this the delta is applied and the row read back (the
 * same answer, dearer).
 */
#define EXEC_LOOKBACK ((size_t)64)

static bool is_exec_of(const struct et_store_op *op, const char *id)
{
    return op->kind == ET_OP_EXEC_PUT && op->u.exec.row.execution_id &&
           !strcmp(op->u.exec.row.execution_id, id);
}

/*
 * The newest kept row of execution id, or NULL. The hint is the newest
 * when it names id: a row of id kept after it would have moved the hint.
 */
static struct et_store_op *kept_exec(struct et__delta *d, const char *id)
{
    size_t stop = d->n > EXEC_LOOKBACK ? d->n - EXEC_LOOKBACK : 0;

    if (d->exec_hint && d->exec_hint <= d->n &&
        is_exec_of(&d->ops[d->exec_hint - 1], id))
        return &d->ops[d->exec_hint - 1];
    for (size_t i = d->n; i-- > stop;) {
        if (is_exec_of(&d->ops[i], id)) {
            d->exec_hint = i + 1;
            return &d->ops[i];
        }
    }
    return NULL;
}

bool et__delta_exec_get(struct et_store *st, const char *id,
                        struct et_exec_row *row)
{
    struct et_store_op *op =
        st->delta && id ? kept_exec(st->delta, id) : NULL;

    if (!op)
        return false;
    *row = op->u.exec.row;
    st->stats.delta_reads++;
    return true;
}

/*
 * An update of a row kept earlier in the unit replaces that row where it
 * stands: one write of the row per unit instead of one per event. Only when
 * the start time is unchanged: the items of an execution's lists carry it
 * (a trigger follows a changed one), and the list rows kept in between were
 * made with the earlier row's.
 */
static int coalesce_exec(struct et__delta *d, const struct et_store_op *op,
                         bool *done)
{
    const struct et_exec_row *r = &op->u.exec.row;
    struct et_store_op *old;
    struct et_store_op copy;
    int rc;

    *done = false;
    if (op->u.exec.insert || !r->execution_id)
        return ET_OK;
    old = kept_exec(d, r->execution_id);
    if (!old || old->u.exec.row.start_ns != r->start_ns)
        return ET_OK;
    copy = *op;
    copy.u.exec.insert = old->u.exec.insert;
    rc = copy_bytes(d, &copy);
    if (rc)
        return rc;
    *old = copy;
    *done = true;
    return ET_OK;
}

int et__delta_keep(struct et_store *st, const struct et_store_op *op,
                   struct et_error *err)
{
    bool late = is_late(op->kind);
    struct et__delta **slot = late ? &st->late : &st->delta;
    struct et__delta *d = *slot;
    size_t at;
    int rc;

    ET_ASSERT((unsigned)op->kind < ET_OP_KIND_COUNT);
    if (d && op->kind == ET_OP_EXEC_PUT) {
        bool done;

        rc = coalesce_exec(d, op, &done);
        if (rc)
            return et_error_set(err, rc, "out of memory");
        if (done) {
            st->stats.kept++;
            st->stats.coalesced++;
            st->dirty |= ET__T_EXEC;
            return d->bytes >= KEEP_MAX_BYTES ? et__delta_flush_unit(st, err)
                                              : ET_OK;
        }
    }
    if (!d) {
        d = et__calloc(1, sizeof(*d));
        if (!d)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        *slot = d;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        struct et_store_op *p = et__realloc(d->ops, cap * sizeof(*p));

        if (!p)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        d->ops = p;
        d->cap = cap;
    }
    at = d->n;
    d->ops[at] = *op;
    rc = copy_bytes(d, &d->ops[at]);
    if (rc)
        return et_error_set(err, rc, "out of memory");
    d->n++;
    if (op->kind == ET_OP_EXEC_PUT)
        d->exec_hint = d->n;
    st->stats.kept++;
    if (late)
        return d->n - d->done >= KEEP_MAX_OPS || d->bytes >= KEEP_MAX_BYTES
                   ? flush_late(st, err)
                   : ET_OK;
    st->dirty |= tables_of[op->kind];
    if (d->n >= KEEP_MAX_OPS || d->bytes >= KEEP_MAX_BYTES)
        return et__delta_flush_unit(st, err);
    return ET_OK;
}

int et__store_apply_one(struct et_store *st, const struct et_store_op *op,
                        struct et_error *err)
{
    const struct et_store_ops *o = st->ops;

    switch (op->kind) {
    case ET_OP_APPEND:
        return o->append(st, &op->u.event, err);
    case ET_OP_EXEC_PUT:
        return o->exec_put(st, &op->u.exec.row, op->u.exec.insert, err);
    case ET_OP_ACTION_PUT:
        return o->action_put(st, &op->u.action, err);
    case ET_OP_AGENT_ACTION_PUT:
        return o->agent_action_put(st, op->u.agent_action.seq,
                                   op->u.agent_action.session,
                                   op->u.agent_action.agent,
                                   op->u.agent_action.owner, err);
    case ET_OP_LIST_PUT:
        return o->list_put(st, op->u.list.id, op->u.list.start_ns, op->u.list.kind,
                           op->u.list.item, err);
    case ET_OP_CRED_PUT:
        return o->cred_put(st, op->u.cred.id, op->u.cred.kind, op->u.cred.fingerprint,
                           op->u.cred.seq, err);
    case ET_OP_SECURITY_ADD:
        return o->security_add(st, op->u.security.id, op->u.security.reason, err);
    case ET_OP_FTS_PUT:
        return o->fts_put(st, op->u.fts.seq, op->u.fts.id, op->u.fts.text, op->u.fts.len,
                          err);
    case ET_OP_SESSION_TOUCH:
        return o->session_touch(st, op->u.session.session_id, op->u.session.ts_ns,
                                op->u.session.new_execution, err);
    case ET_OP_ISSUES_PUT:
        return o->issues_put(st, op->u.issues.id, op->u.issues.agent,
                             op->u.issues.rows, op->u.issues.n, err);
    case ET_OP_ROLLUP_ADD:
        return o->rollup_add(st, &op->u.rollup.row, op->u.rollup.sign, err);
    case ET_OP_ISSUE_ROLLUP_ADD:
        return o->issue_rollup_add(st, &op->u.issue_rollup, err);
    case ET_OP_META_PUT:
        return o->meta_put(st, op->u.meta.key, op->u.meta.value, err);
    case ET_OP_HEAD_SAVE:
        return o->head_save(st, op->u.head, err);
    case ET_OP_KIND_COUNT:
        break;
    }
    return et_error_set(err, ET_EINTERNAL, "unknown store operation %d",
                        (int)op->kind);
}

static int apply(struct et_store *st, struct et_store_op *ops, size_t n,
                 struct et_error *err)
{
    int rc = ET_OK;

    st->stats.applies++;
    if (st->ops->apply)
        return st->ops->apply(st, ops, n, err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = et__store_apply_one(st, &ops[i], err);
    return rc;
}

int et__delta_flush_unit(struct et_store *st, struct et_error *err)
{
    struct et__delta *d = st->delta;
    int rc;

    if (!d || !d->n)
        return ET_OK;
    rc = apply(st, d->ops, d->n, err);
    reset(d);
    st->dirty = 0;
    return rc;
}

/* Apply the full-text rows not yet applied. Inside a savepoint they are
 * kept (marked done) until it is released or rolled back to; on failure
 * they stay as they were, for the rollback that follows. */
static int flush_late(struct et_store *st, struct et_error *err)
{
    struct et__delta *d = st->late;
    int rc;

    if (!d || d->n == d->done)
        return ET_OK;
    rc = apply(st, d->ops + d->done, d->n - d->done, err);
    if (rc)
        return rc;
    if (st->in_unit)
        d->done = d->n;
    else
        reset(d);
    return ET_OK;
}

int et__delta_flush(struct et_store *st, unsigned tables,
                    struct et_error *err)
{
    int rc = ET_OK;

    if (st->delta && st->delta->n && (st->dirty & tables))
        rc = et__delta_flush_unit(st, err);
    if (!rc && (tables & ET__T_FTS))
        rc = flush_late(st, err);
    return rc;
}

void et__delta_savepoint(struct et_store *st)
{
    ET_ASSERT(!st->in_unit);
    st->in_unit = true;
    if (st->late) {
        ET_ASSERT(st->late->done == 0);
        st->late->mark = st->late->n;
    }
}

void et__delta_release(struct et_store *st)
{
    struct et__delta *d = st->late;

    st->in_unit = false;
    if (!d || !d->done)
        return;
    /* what was applied inside the savepoint is now the transaction's */
    memmove(d->ops, d->ops + d->done, (d->n - d->done) * sizeof(*d->ops));
    d->n -= d->done;
    d->done = 0;
    if (!d->n)
        reset(d);
}

void et__delta_rollback_to(struct et_store *st)
{
    struct et__delta *d = st->late;

    if (st->delta)
        reset(st->delta);
    st->dirty = 0;
    st->in_unit = false;
    if (!d)
        return;
    /* the unit's rows are gone; the earlier units' wait for the commit
     * again, whether or not they were applied inside the savepoint */
    d->n = d->mark;
    d->done = 0;
    if (!d->n)
        reset(d);
}

void et__delta_discard(struct et_store *st)
{
    if (st->delta)
        reset(st->delta);
    if (st->late)
        reset(st->late);
    st->dirty = 0;
    st->in_unit = false;
}

static void delta_free(struct et__delta *d)
{
    if (!d)
        return;
    while (d->blocks) {
        struct block *next = d->blocks->next;

        et__free(d->blocks);
        d->blocks = next;
    }
    et__free(d->ops);
    et__free(d);
}

void et__delta_free(struct et_store *st)
{
    delta_free(st->delta);
    delta_free(st->late);
    st->delta = NULL;
    st->late = NULL;
}
