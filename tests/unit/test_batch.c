/* SPDX-License-Identifier: MIT */
/*
 * Batches (one durable commit for many ingest units): a unit undone inside
 * a batch leaves no event, no projection and no trace in the tree head;
 * the units kept are committed together; abandoning the batch keeps
 * nothing; verify passes after each.
 */
#include "base/setup.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"
#include "t.h"

#include <stdio.h>

static struct et_trail *open_fresh(const char *name)
{
    char path[512];
    struct et_trail *t = NULL;
    struct et_error err = ET_ERROR_INIT;

    snprintf(path, sizeof(path), "%s/%s/trail.db", t_tmpdir(), name);
    if (et_trail_open(path, ET_OPEN_CREATE, &t, NULL, &err) != ET_OK) {
        printf("# open: %s\n", err.msg);
        return NULL;
    }
    return t;
}

/* one unit: an execution.started event for id */
static int unit(struct et_trail *t, const char *id, bool keep)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *body = json_object_new_object();
    int rc;

    json_object_object_add(body, "execution_id", json_object_new_string(id));
    json_object_object_add(body, "session_id", json_object_new_string("s"));
    json_object_object_add(body, "timestamp_start",
                           json_object_new_string("2025-01-16T10:30:00Z"));
    rc = et__ingest_begin(t, &err);
    if (!rc)
        rc = et__ingest_event(t, "execution.started", id, body, NULL, &err);
    json_object_put(body);
    if (rc) {
        printf("# unit: %s\n", err.msg);
        et__unit_abort(t);
        return rc;
    }
    if (!keep) {
        et__unit_abort(t);
        return ET_OK;
    }
    return et__unit_commit(t, &err);
}

static uint64_t verified(struct et_trail *t)
{
    struct et_verify_report rep;
    struct et_error err = ET_ERROR_INIT;

    if (et_trail_verify(t, NULL, 0, &rep, &err) != ET_OK) {
        printf("# verify: %s (%s)\n", err.msg, rep.problem);
        return UINT64_MAX;
    }
    return rep.events;
}

static bool exists(struct et_trail *t, const char *id)
{
    struct et_exec_row row;
    struct et_error err = ET_ERROR_INIT;

    memset(&row, 0, sizeof(row));
    return et_store_exec_get(t->st, id, &row, &err) == ET_OK;
}

#define ID(n) "00000000-0000-4000-8000-00000000000" #n

T_TEST(units_undone_inside_a_batch_leave_nothing)
{
    struct et_trail *t = open_fresh("batch");
    struct et_error err = ET_ERROR_INIT;

    T_ASSERT(t != NULL);
    T_ASSERT_OK(unit(t, ID(1), true)); /* outside a batch: own commit */
    T_ASSERT_OK(et__batch_begin(t, &err));
    T_ASSERT_OK(unit(t, ID(2), true));
    T_ASSERT_OK(unit(t, ID(3), false)); /* undone */
    T_ASSERT_OK(unit(t, ID(4), true));
    T_ASSERT_OK(et__batch_commit(t, &err));
    T_ASSERT_INT_EQ(verified(t), 3);
    T_ASSERT(exists(t, ID(2)));
    T_ASSERT(!exists(t, ID(3)));
    T_ASSERT(exists(t, ID(4)));
    /* an abandoned batch keeps nothing, kept units included */
    T_ASSERT_OK(et__batch_begin(t, &err));
    T_ASSERT_OK(unit(t, ID(5), true));
    et__batch_abort(t);
    T_ASSERT(!exists(t, ID(5)));
    T_ASSERT_INT_EQ(verified(t), 3);
    /* and the trail goes on appending where it was */
    T_ASSERT_OK(unit(t, ID(6), true));
    T_ASSERT_INT_EQ(verified(t), 4);
    et_trail_close(t);
}

T_MAIN("batch", T_CASE(units_undone_inside_a_batch_leave_nothing))
