/* SPDX-License-Identifier: MIT */
/*
 * Verification: each criterion passes, fails or is not evaluable; the
 * verdict (MATCH, PARTIAL, MISMATCH, ERROR), the confidence, the met and
 * failed lists and a sentence comparing expected with actual
 * (docs/ANALYSIS.md, "Verification").
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "exectrail/query.h"
#include "analysis/analysis_int.h"

static const char *const source_names[] = {"verify-outcome", "start", "prompt",
                                           "config", "default"};

static struct json_object *get(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;

    if (!o || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, k, &v) ||
        json_object_is_type(v, json_type_null))
        return NULL;
    return v;
}

/* Why the execution itself counts as errored, or NULL. */
static const char *errored(struct json_object *rec)
{
    struct json_object *out = get(rec, "output");
    struct json_object *st = get(out, "status");
    struct json_object *resp = get(out, "raw_response");
    struct json_object *acts = get(get(rec, "execution"), "actions_taken");
    size_t n = acts ? json_object_array_length(acts) : 0;
    size_t failed = 0;

    if (st && json_object_is_type(st, json_type_string)) {
        const char *s = json_object_get_string(st);

        if (!strcmp(s, "error") || !strcmp(s, "failed") ||
            !strcmp(s, "interrupted"))
            return "the subagent reported it did not finish";
    }
    if (get(out, "error") ||
        (get(out, "is_interrupt") &&
         json_object_get_boolean(get(out, "is_interrupt"))))
        return "the subagent failed or was interrupted";
    for (size_t i = 0; i < n; i++)
        failed += et__action_failed(json_object_array_get_idx(acts, i));
    if (!resp && failed)
        return "an action failed and no response was recorded";
    return NULL;
}

static double round2(double x)
{
    return (double)(int64_t)(x * 100 + 0.5) / 100;
}

static int add_result(struct json_object *arr, const struct et__criterion *c,
                      const char *result, const char *evidence)
{
    struct json_object *o = et__jnew_object();

    if (!o)
        return ET_ENOMEM;
    et__jadd(o, "criterion", et__jnew_string(c->text));
    et__jadd(o, "source", et__jnew_string(source_names[c->source]));
    et__jadd(o, "result", et__jnew_string(result));
    et__jadd(o, "evidence", et__jnew_string(evidence));
    et__jappend(arr, o);
    return ET_OK;
}

static const char *status_of(const struct et__verdict *v)
{
    if (v->errored || v->broken || v->passed + v->failed == 0)
        return "ERROR";
    if (v->failed == 0)
        return v->unknown ? "PARTIAL" : "MATCH";
    return v->passed ? "PARTIAL" : "MISMATCH";
}

static int summary(struct et_buf *b, struct json_object *rec,
                   struct json_object *results, const struct et__verdict *v,
                   const char *why_errored)
{
    const char *expected = json_object_get_string(
        get(get(rec, "main_agent_context"), "expected_outcome"));
    size_t n = json_object_array_length(results);
    int rc = ET_OK;

    if (expected && *expected)
        rc = et_buf_printf(b, "Expected: %s. ", expected);
    if (!rc)
        rc = et_buf_printf(b,
                           "%zu criteri%s%s: %zu passed, %zu failed, %zu not "
                           "evaluable.",
                           n, n == 1 ? "on" : "a",
                           v->only_defaults ? " (built-in defaults)" : "",
                           v->passed, v->failed, v->unknown + v->broken);
    if (!rc && why_errored)
        rc = et_buf_printf(b, " The execution errored: %s.", why_errored);
    for (size_t i = 0; !rc && i < n; i++) {
        struct json_object *r = json_object_array_get_idx(results, i);
        const char *res = json_object_get_string(get(r, "result"));

        if (strcmp(res, "passed") != 0)
            rc = et_buf_printf(b, " %s: %s (%s).",
                               !strcmp(res, "failed") ? "Failed"
                                                      : "Not evaluable",
                               json_object_get_string(get(r, "criterion")),
                               json_object_get_string(get(r, "evidence")));
    }
    return rc;
}

int et__verify(struct et__qcache *qc, const struct et__subject *s,
               const struct et__criteria *c, int64_t now_ns,
               struct json_object **out, struct et__verdict *v,
               struct et_error *err)
{
    struct json_object *vo = et__jnew_object();
    struct json_object *met = et__jnew_array();
    struct json_object *failed = et__jnew_array();
    struct json_object *results = et__jnew_array();
    struct et_buf ev = ET_BUF_INIT, text = ET_BUF_INIT;
    const char *why = errored(s->rec);
    int rc = ET_OK;

    *out = NULL;
    memset(v, 0, sizeof(*v));
    if (!vo || !met || !failed || !results) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    v->errored = why != NULL;
    v->only_defaults = c->n > 0;
    for (size_t i = 0; !rc && i < c->n; i++) {
        struct et_query *q = NULL;
        struct et_error cerr = ET_ERROR_INIT;
        const char *res;
        bool is_cached = false;

        v->only_defaults &= c->v[i].source == ET_SRC_DEFAULT;
        et_buf_reset(&ev);
        if (et__criterion_get(qc, c->v[i].text, now_ns, &q, &is_cached,
                              &cerr) != ET_OK) {
            v->broken++;
            rc = add_result(results, &c->v[i], "not_evaluable", cerr.msg);
            continue;
        }
        switch (et__criterion_eval(q, s, &ev)) {
        case ET_CRITERION_PASSED:
            v->passed++;
            res = "passed";
            et__jappend(met, et__jnew_string(c->v[i].text));
            break;
        case ET_CRITERION_FAILED:
            v->failed++;
            res = "failed";
            et__jappend(failed, et__jnew_string(c->v[i].text));
            break;
        default:
            v->unknown++;
            res = "not_evaluable";
        }
        if (!is_cached)
            et_query_free(q);
        rc = add_result(results, &c->v[i], res, et_buf_str(&ev));
    }
    if (rc) {
        rc = et_error_set(err, rc, "out of memory");
        goto out;
    }
    v->status = status_of(v);
    v->pass_rate = v->passed + v->failed
                       ? (double)v->passed / (double)(v->passed + v->failed)
                       : -1;
    if (summary(&text, s->rec, results, v, why)) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    et__jadd(vo, "status", et__jnew_string(v->status));
    et__jadd(vo, "expected_vs_actual", et__jnew_string(et_buf_str(&text)));
    et__jadd(vo, "success_criteria_met", json_object_get(met));
    et__jadd(vo, "success_criteria_failed", json_object_get(failed));
    et__jadd(vo, "confidence_score",
             et__jnew_double(v->pass_rate < 0 ? 0 : round2(v->pass_rate)));
    et__jadd(vo, "manual_verification_required",
             et__jnew_boolean(v->unknown || v->broken || v->only_defaults ||
                              c->n == 0));
    et__jadd(vo, "criteria", json_object_get(results));
    *out = vo;
    vo = NULL;
out:
    json_object_put(vo);
    json_object_put(met);
    json_object_put(failed);
    json_object_put(results);
    et_buf_release(&ev);
    et_buf_release(&text);
    return rc;
}

/* ---- the pure entry points of analysis.h ---- */

static int parse_record(const char *record, size_t len,
                        struct json_object **out, struct et_error *err)
{
    int rc = et_json_parse(record, len, NULL, out, err);

    if (rc) {
        et_error_prefix(err, "record");
        return rc;
    }
    if (!json_object_is_type(*out, json_type_object)) {
        json_object_put(*out);
        *out = NULL;
        return et_error_set(err, ET_EINPUT, "record: expected an object");
    }
    return ET_OK;
}

static char *detach_string(const char *s)
{
    size_t n = strlen(s);
    char *p = et__malloc(n + 1);

    if (p)
        memcpy(p, s, n + 1);
    return p;
}

int et_criterion_eval(const char *criterion, size_t clen, const char *record,
                      size_t rlen, enum et_criterion_result *result_out,
                      char **evidence_out, struct et_error *err)
{
    struct json_object *rec = NULL;
    struct et_query *q = NULL;
    struct et_buf ev = ET_BUF_INIT;
    struct et__subject s;
    int rc;

    *result_out = ET_CRITERION_UNKNOWN;
    if (evidence_out)
        *evidence_out = NULL;
    rc = et__criterion_compile(criterion, clen, 0, &q, err);
    if (!rc)
        rc = parse_record(record, rlen, &rec, err);
    if (rc)
        goto out;
    s.rec = rec;
    s.state = NULL;
    *result_out = et__criterion_eval(q, &s, &ev);
    if (evidence_out && !(*evidence_out = detach_string(et_buf_str(&ev))))
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
out:
    et_buf_release(&ev);
    et_query_free(q);
    json_object_put(rec);
    return rc;
}

int et_verify_record(const char *record, size_t len,
                     const char *const *criteria, char **json_out,
                     struct et_error *err)
{
    struct json_object *rec = NULL, *vo = NULL;
    struct et__criteria c = {0};
    struct et__verdict v;
    struct et__subject s;
    struct et_buf out = ET_BUF_INIT;
    int rc;

    *json_out = NULL;
    rc = parse_record(record, len, &rec, err);
    if (rc)
        return rc;
    for (size_t i = 0; !rc && criteria && criteria[i]; i++)
        rc = et__criteria_add(&c, criteria[i], ET_SRC_GIVEN);
    if (!rc && c.n == 0)
        rc = et__criteria_of_record(&c, rec);
    if (!rc && c.n == 0)
        rc = et__criteria_defaults(&c);
    if (rc) {
        rc = et_error_set(err, rc, "too many criteria (or out of memory)");
        goto out;
    }
    s.rec = rec;
    s.state = NULL;
    rc = et__verify(NULL, &s, &c, 0, &vo, &v, err);
    if (!rc && et_json_canon(vo, &out) != ET_OK)
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (!rc)
        *json_out = et_buf_detach(&out, NULL);
out:
    et_buf_release(&out);
    et__criteria_release(&c);
    json_object_put(vo);
    json_object_put(rec);
    return rc;
}
