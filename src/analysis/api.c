/* SPDX-License-Identifier: MIT */
/*
 * The analysis entry points on a trail: et_trail_open, which registers the
 * analysis as the trail's completion hook (writers below never call the
 * analysis themselves), the switch that turns it off, and verify-outcome (a
 * new analysis with new criteria, appended as a new event).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "config/config.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"
#include "analysis/analysis_int.h"

#include <stdio.h>

void et_trail_set_analysis(struct et_trail *t, bool enabled)
{
    t->is_analysis_off = !enabled;
}

#define ANALYSIS_WARNING_META "config_warning_analysis"

/* Record the config.yaml error the analysis defaults replaced, once per
 * distinct message, as a config.warning event (inside a write unit). */
static int analysis_warning_event(struct et_trail *t, const char *msg,
                                  struct et_error *err)
{
    struct json_object *body = et__jnew_object();
    char *stored = NULL;
    bool same;
    int rc;

    same = et_store_meta_get(t->st, ANALYSIS_WARNING_META, &stored, NULL) ==
               ET_OK &&
           !strcmp(stored, msg);
    et__free(stored);
    if (same || !body) {
        json_object_put(body);
        return same ? ET_OK : et_error_set(err, ET_ENOMEM, "out of memory");
    }
    et__jadd(body, "file", et__jnew_string(ET_CONFIG_FILE));
    et__jadd(body, "section", et__jnew_string("analysis"));
    et__jadd(body, "message", et__jnew_string(msg));
    et__jadd(body, "effect", et__jnew_string("defaults used"));
    rc = et__ingest_event(t, "config.warning", NULL, body, NULL, err);
    json_object_put(body);
    if (!rc)
        rc = et_store_meta_put(t->st, ANALYSIS_WARNING_META, msg, err);
    return rc;
}

int et__acfg_of(struct et_trail *t, struct et__acfg **out, struct et_error *err)
{
    struct et_error cerr = ET_ERROR_INIT;
    const char *msg;
    int rc = ET_OK;

    if (!t->acfg) {
        rc = et__acfg_load(t->dir, &t->acfg, &cerr);
        if (rc == ET_EINPUT) {
            /* like security: a config mistake never stops a write; the
             * defaults are used and the first write records the warning
             * (docs/RELIABILITY.md) */
            fprintf(stderr, "exectrail: warning: %s (using the defaults)\n",
                    cerr.msg);
            rc = et__acfg_defaults(cerr.msg, &t->acfg);
            if (rc)
                rc = et_error_set(err, rc, "out of memory");
        } else if (rc && err) {
            *err = cerr;
        }
        t->acfg_free = et__acfg_free;
    }
    *out = t->acfg;
    /* checked against the store on each write: an event rolled back with
     * its unit is recorded again by the next one */
    msg = rc ? NULL : et__acfg_warning(t->acfg);
    if (msg && t->in_ingest)
        rc = analysis_warning_event(t, msg, err);
    return rc;
}

/* The completion hook (et__ingest_completed) of every trail the library
 * opens. */
static int analyse_completed(struct et_trail *t, const char *id,
                             const char *trigger, struct et_error *err)
{
    struct et__analyse_opts o = {NULL, false, trigger};
    struct et__acfg *c;
    int rc;

    if (t->is_analysis_off)
        return ET_OK;
    rc = et__acfg_of(t, &c, err);
    if (rc == ET_EINPUT &&
        (!strcmp(trigger, "hook") || !strcmp(trigger, "rebind")))
        return ET_OK; /* capture never depends on the config file */
    if (rc)
        return rc;
    if (!et__acfg_enabled(c))
        return ET_OK;
    return et__analyse(t, id, &o, NULL, err);
}

int et_trail_open(const char *db, unsigned flags, struct et_trail **out,
                  int *created_out, struct et_error *err)
{
    int rc = et__trail_open(db, flags, out, created_out, err);

    if (!rc)
        (*out)->on_complete = analyse_completed;
    return rc;
}

int et_trail_verify_outcome(struct et_trail *t, const char *idp,
                            const char *const *criteria, unsigned flags,
                            char **json_out, struct et_error *err)
{
    struct et__analyse_opts o = {criteria, (flags & ET_VERIFY_ONLY_GIVEN) != 0,
                                 "verify-outcome"};
    struct json_object *res = NULL;
    struct et_exec_row row;
    struct et_buf out = ET_BUF_INIT;
    char id[37];
    int rc;

    if (json_out)
        *json_out = NULL;
    for (size_t i = 0; criteria && criteria[i]; i++) {
        rc = et_criterion_check(criteria[i], strlen(criteria[i]), err);
        if (rc) {
            et_error_prefix(err, "criterion %zu", i + 1);
            return rc;
        }
    }
    if (o.only_given && (!criteria || !criteria[0]))
        return et_error_set(err, ET_EINPUT,
                            "no criteria given to verify against");
    rc = et_store_exec_resolve(t->st, idp, id, err);
    if (rc)
        return rc;
    rc = et__ingest_begin(t, err);
    if (rc)
        return rc;
    rc = et_store_exec_get(t->st, id, &row, err);
    if (!rc && (!row.state || strcmp(row.state, "completed") != 0))
        rc = et_error_set(err, ET_ESTATE,
                          "cannot verify execution %s: it is %s, not "
                          "completed",
                          id, row.state ? row.state : "in no state");
    if (!rc)
        rc = et__analyse(t, id, &o, &res, err);
    if (rc) {
        et__unit_abort(t);
        goto out;
    }
    rc = et__unit_commit(t, err);
    if (!rc && json_out) {
        rc = et_json_write(res, ET_JSON_PRETTY, &out);
        if (rc)
            rc = et_error_set(err, rc, "cannot write the analysis");
        else
            *json_out = et_buf_detach(&out, NULL);
    }
out:
    et_buf_release(&out);
    json_object_put(res);
    return rc;
}
