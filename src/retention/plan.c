/* SPDX-License-Identifier: MIT */
/*
 * The retention planner and legal holds. An execution belongs to every class
 * whose definition it meets (docs/RETENTION.md); the longest duration among
 * them applies; a legal hold keeps it whatever the policy says.
 */
#include "base/setup.h"
#include "codec/json.h"
#include "base/alloc.h"
#include "base/time.h"
#include "retention/retention_int.h"

static bool is(const char *s, const char *v)
{
    return s && !strcmp(s, v);
}

void et__ret_classify(const struct et_ret_policy *p,
                      const struct et_store_ret_row *r, int64_t at_ns,
                      struct et_ret_item *it)
{
    char when[ET_RFC3339_MAX];
    unsigned c = 0;

    memset(it, 0, sizeof(*it));
    snprintf(it->execution_id, sizeof(it->execution_id), "%s",
             r->execution_id ? r->execution_id : "");
    /* success is verification MATCH; everything else (MISMATCH, ERROR,
     * PARTIAL, no verdict yet) is kept as long as a failure */
    c |= is(r->verification, "MATCH") ? 1u << ET_RET_SUCCESSFUL
                                      : 1u << ET_RET_FAILED;
    if (is(r->completeness, "HIGH") && is(r->accuracy, "HIGH") &&
        !is(r->efficiency, "LOW"))
        c |= 1u << ET_RET_HIGH_QUALITY;
    if (r->is_security)
        c |= 1u << ET_RET_SECURITY;
    it->classes = c;
    it->rule = is(r->verification, "MATCH") ? ET_RET_SUCCESSFUL : ET_RET_FAILED;
    for (unsigned i = 0; i < ET_RET_CLASS_COUNT; i++)
        if ((c & (1u << i)) && p->keep_ns[i] > p->keep_ns[it->rule])
            it->rule = (enum et_ret_class)i;
    it->ref_ns = r->ref_ns;
    it->start_ns = r->start_ns;
    it->expires_ns = r->ref_ns > INT64_MAX - p->keep_ns[it->rule]
                         ? INT64_MAX
                         : r->ref_ns + p->keep_ns[it->rule];
    et_time_format(it->expires_ns, when);
    if (r->hold_reason) {
        it->action = ET_RET_HOLD;
        it->hold_reason = r->hold_reason;
        snprintf(it->why, sizeof(it->why), "legal hold: %.100s",
                 r->hold_reason);
    } else if (at_ns >= it->expires_ns) {
        it->action = ET_RET_EXPIRE;
        snprintf(it->why, sizeof(it->why), "%s (%s) expired at %s",
                 et_ret_class_name(it->rule), p->keep_text[it->rule], when);
    } else {
        it->action = ET_RET_KEEP;
        snprintf(it->why, sizeof(it->why), "%s (%s) until %s",
                 et_ret_class_name(it->rule), p->keep_text[it->rule], when);
    }
}

struct plan_ctx {
    const struct et_ret_policy *p;
    int64_t at_ns;
    et_ret_item_fn *fn;
    void *ctx;
    struct et_ret_counts *counts;
};

static int plan_row(void *ctx, const struct et_store_ret_row *r)
{
    struct plan_ctx *pc = ctx;
    struct et_ret_item it;

    et__ret_classify(pc->p, r, pc->at_ns, &it);
    pc->counts->executions++;
    pc->counts->keep += it.action == ET_RET_KEEP;
    pc->counts->hold += it.action == ET_RET_HOLD;
    pc->counts->expire += it.action == ET_RET_EXPIRE;
    return pc->fn ? pc->fn(pc->ctx, &it) : 0;
}

int et_ret_plan(struct et_trail *t, const struct et_ret_policy *p,
                int64_t at_ns, et_ret_item_fn *fn, void *ctx,
                struct et_ret_counts *out, struct et_error *err)
{
    struct et_ret_counts counts;
    struct plan_ctx pc = {p, at_ns ? at_ns : et_time_now_ns(), fn, ctx,
                          &counts};
    int rc;

    memset(&counts, 0, sizeof(counts));
    rc = et_store_begin(t->st, false, err);
    if (rc)
        return rc;
    rc = et_store_ret_scan(t->st, plan_row, &pc, err);
    et_store_rollback(t->st);
    if (out)
        *out = counts;
    return rc;
}

static int hold_event(struct et_trail *t, const char *type, const char *idp,
                      const char *reason, char id_out[37], struct et_error *err)
{
    struct json_object *body = et__jnew_object();
    char *cur = NULL;
    char key[64];
    int rc;

    id_out[0] = '\0';
    if (!body)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    if (reason)
        et__jadd(body, "reason", et__jnew_string(reason));
    rc = et__ingest_begin(t, err);
    if (rc)
        goto out;
    rc = et_store_exec_resolve(t->st, idp, id_out, err);
    if (!rc) {
        snprintf(key, sizeof(key), "hold:%s", id_out);
        /* the hold table is read through the planner's scan; a held
         * execution has a row there */
        rc = et_store_rstate_get(t->st, key, &cur, NULL);
        if (rc == ET_ENOTFOUND && !strcmp(type, "retention.unhold"))
            rc = et_error_set(err, ET_ESTATE, "%s is not on hold", id_out);
        else
            rc = ET_OK;
    }
    if (!rc)
        rc = et__ingest_event(t, type, id_out, body, NULL, err);
    if (!rc)
        rc = et__unit_commit(t, err);
    else
        et__unit_abort(t);
out:
    et__free(cur);
    json_object_put(body);
    return rc;
}

int et_ret_hold(struct et_trail *t, const char *id, const char *reason,
                char id_out[37], struct et_error *err)
{
    if (!reason || !*reason)
        return et_error_set(err, ET_EUSAGE, "a hold needs a reason");
    return hold_event(t, "retention.hold", id, reason, id_out, err);
}

int et_ret_unhold(struct et_trail *t, const char *id, const char *reason,
                  char id_out[37], struct et_error *err)
{
    return hold_event(t, "retention.unhold", id, reason, id_out, err);
}
