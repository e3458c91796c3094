/* SPDX-License-Identifier: MIT */
/*
 * Write units and batches: the transactions every writer's events go
 * into (the ingest pipeline, src/ingest/pipeline.c, opens them; rebuild
 * opens one to replay the ledger). A unit is one write transaction, or a
 * savepoint with the tree head inside a batch.
 */
#include "base/setup.h"
#include "trail/trail_int.h"

/* Begin a write transaction and load the tree head into t->tree. */
static int write_txn(struct et_trail *t, struct et_error *err)
{
    int rc = et_store_begin(t->st, true, err);

    if (rc)
        return rc;
    rc = et_store_head_load(t->st, &t->tree, err);
    if (rc)
        et_store_rollback(t->st);
    return rc;
}

int et__batch_begin(struct et_trail *t, struct et_error *err)
{
    int rc;

    ET_ASSERT(!t->in_ingest && !t->in_batch);
    rc = write_txn(t, err);
    if (!rc)
        t->in_batch = true;
    return rc;
}

void et__batch_abort(struct et_trail *t)
{
    if (t->in_batch) {
        et_store_rollback(t->st);
        t->in_batch = false;
        t->in_ingest = false;
    }
}

int et__batch_commit(struct et_trail *t, struct et_error *err)
{
    int rc;

    ET_ASSERT(t->in_batch && !t->in_ingest);
    rc = et_store_head_save(t->st, &t->tree, err);
    if (rc) {
        et__batch_abort(t);
        return rc;
    }
    t->in_batch = false;
    return et_store_commit(t->st, err);
}

int et__unit_begin(struct et_trail *t, struct et_error *err)
{
    int rc;

    ET_ASSERT(!t->in_ingest);
    if (t->in_batch) {
        rc = et_store_savepoint(t->st, err);
        if (rc)
            return rc;
        t->unit_tree = t->tree;
    } else {
        rc = write_txn(t, err);
        if (rc)
            return rc;
    }
    t->in_ingest = true;
    return ET_OK;
}

void et__unit_abort(struct et_trail *t)
{
    t->n_gone = 0;
    if (t->in_ingest && t->in_batch) {
        t->in_ingest = false;
        t->tree = t->unit_tree;
        /* a unit that cannot be undone takes its batch with it: the store
         * lost the transaction (SQLite rolls it back by itself after some
         * I/O errors), and a later unit must not open a new one in its
         * place, as if the earlier units were still there */
        if (et_store_rollback_to(t->st) != ET_OK)
            et__batch_abort(t);
        return;
    }
    if (t->in_ingest) {
        et_store_rollback(t->st);
        t->in_ingest = false;
    }
}

int et__unit_commit(struct et_trail *t, struct et_error *err)
{
    int rc;

    ET_ASSERT(t->in_ingest);
    rc = et__ret_forget_flush(t, err);
    /* the unit's kept writes (src/store/delta.c) go to the store now, so a
     * failure among them is this unit's, not the batch's */
    if (!rc)
        rc = et_store_flush(t->st, err);
    if (rc) {
        et__unit_abort(t);
        return rc;
    }
    if (t->in_batch) {
        t->in_ingest = false;
        rc = et_store_release(t->st, err);
        if (rc)
            et__batch_abort(t);
        return rc;
    }
    rc = et_store_head_save(t->st, &t->tree, err);
    if (rc) {
        et__unit_abort(t);
        return rc;
    }
    t->in_ingest = false;
    return et_store_commit(t->st, err);
}

/* ---- the public face of batches (include/exectrail/trail.h) ---- */

int et_trail_batch_begin(struct et_trail *t, struct et_error *err)
{
    if (t->in_batch || t->in_ingest)
        return et_error_set(err, ET_ESTATE, "a batch is already open");
    return et__batch_begin(t, err);
}

int et_trail_batch_commit(struct et_trail *t, struct et_error *err)
{
    if (!t->in_batch)
        return et_error_set(err, ET_EIO,
                            "the batch was rolled back by a failed write");
    return et__batch_commit(t, err);
}

void et_trail_batch_abort(struct et_trail *t)
{
    et__batch_abort(t);
}

bool et_trail_in_batch(const struct et_trail *t)
{
    return t->in_batch;
}
