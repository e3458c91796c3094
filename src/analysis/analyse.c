/* SPDX-License-Identifier: MIT */
/*
 * The analysis that runs when an execution completes (and on
 * verify-outcome): load the execution as it stands inside the write
 * transaction, verify it against its criteria, assess quality, list the
 * issues with their signatures, derive learning from the agent's history,
 * and append it all as one `execution.analysed` event.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"
#include "analysis/analysis_int.h"

#define NS_PER_DAY (INT64_C(86400) * 1000000000)
/* counting a signature stops here: a bound on what every completion costs
 * (the count was 1,000 and cost a server taking one agent run per OTLP
 * request 6 % of its writer thread; docs/PERFORMANCE.md, "OTLP ingest");
 * a count that reached it is shown as "100+" */
#define SIG_CAP    100

static struct json_object *get(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;

    if (!o || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, k, &v) ||
        json_object_is_type(v, json_type_null))
        return NULL;
    return v;
}

static const char *str(struct json_object *o, const char *k)
{
    struct json_object *v = get(o, k);

    return v && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

/* ---- history ---- */

struct hist_acc {
    double *dur, *act;
    size_t n_dur, n, cap;
    size_t verified, matched;
};

static int hist_row(void *ctx, const struct et_store_history_row *r)
{
    struct hist_acc *h = ctx;

    if (h->n >= h->cap)
        return 0;
    if (r->duration_ms >= 0)
        h->dur[h->n_dur++] = (double)r->duration_ms;
    h->act[h->n++] = (double)r->n_actions;
    if (r->verification) {
        h->verified++;
        h->matched += !strcmp(r->verification, "MATCH");
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    if (!n)
        return -1;
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int history(struct et_trail *t, const char *agent, const char *id,
                   const struct et__thresholds *th, struct et__history *out,
                   struct et_error *err)
{
    size_t cap = (size_t)th->history_window;
    struct hist_acc h = {et__calloc(cap, sizeof(double)),
                         et__calloc(cap, sizeof(double)),
                         0,
                         0,
                         cap,
                         0,
                         0};
    int rc = ET_OK;

    memset(out, 0, sizeof(*out));
    out->median_duration_ms = out->median_actions = -1;
    if (!h.dur || !h.act)
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (!rc && agent)
        rc =
            et_store_agent_history(t->st, agent, id, 0, cap, hist_row, &h, err);
    if (!rc) {
        out->n = h.n;
        out->median_duration_ms = median(h.dur, h.n_dur);
        out->median_actions = median(h.act, h.n);
        out->verified = h.verified;
        out->matched = h.matched;
    }
    et__free(h.dur);
    et__free(h.act);
    return rc;
}

/* ---- issues ---- */

struct issues {
    struct json_object *arr; /* the record's issues[] after analysis */
    struct et_trail *t;
    const char *id;
    int64_t since_ns;
    struct json_object *insights, *improvements;
};

static bool has_word(const char *s, const char *w)
{
    size_t n = strlen(w);

    for (; s && *s; s++)
        if (!strncasecmp(s, w, n))
            return true;
    return false;
}

static bool is_timeout(const char *msg)
{
    return has_word(msg, "timed out") || has_word(msg, "timeout") ||
           has_word(msg, "deadline exceeded");
}

static void add_str(struct json_object *arr, const char *fmt, ...)
    ET_PRINTF(2, 3);

static void add_str(struct json_object *arr, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < json_object_array_length(arr); i++)
        if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)),
                    buf))
            return;
    et__jappend(arr, et__jnew_string(buf));
}

/* How often the signature occurred elsewhere lately (learning). */
static int recurring(struct issues *is, const char *sig, int64_t *count,
                     int64_t *agents, struct et_error *err)
{
    return et_store_signature_count(is->t->st, sig, is->since_ns, is->id,
                                    SIG_CAP, count, agents, err);
}

/* n (the count, or the agents counted) as the text shows it: "100+"
 * once the count stopped at SIG_CAP (the agents are then those of the
 * first SIG_CAP issues only) */
static const char *count_str(char buf[24], int64_t n, int64_t count)
{
    snprintf(buf, 24, "%lld%s", (long long)n, count >= SIG_CAP ? "+" : "");
    return buf;
}

static int add_issue(struct issues *is, const char *type, const char *desc,
                     const char *impact, const char *resolution,
                     const char *prevention, const char *sig)
{
    struct json_object *o = et__jnew_object();

    if (!o)
        return ET_ENOMEM;
    et__jadd(o, "type", et__jnew_string(type));
    et__jadd(o, "description", et__jnew_string(desc));
    if (impact)
        et__jadd(o, "impact", et__jnew_string(impact));
    if (resolution)
        et__jadd(o, "resolution", et__jnew_string(resolution));
    if (prevention)
        et__jadd(o, "prevention", et__jnew_string(prevention));
    et__jadd(o, "signature", et__jnew_string(sig));
    et__jadd(o, "source", et__jnew_string("analysis"));
    et__jappend(is->arr, o);
    return ET_OK;
}

static int action_issues(struct issues *is, struct json_object *acts,
                         struct et_error *err)
{
    size_t n = acts ? json_object_array_length(acts) : 0;
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < n; i++) {
        struct json_object *a = json_object_array_get_idx(acts, i);
        const char *tool = str(a, "tool"), *msg = str(a, "error");
        char sig[ET_SIGNATURE_MAX], desc[512], impact[160], res[160];
        char prev[256];
        long later = -1;
        int64_t count = 0, agents = 0;
        char nb[24], ab[24];

        if (!et__action_failed(a))
            continue;
        for (size_t k = i + 1; later < 0 && k < n; k++) {
            struct json_object *b = json_object_array_get_idx(acts, k);

            if (!et__action_failed(b) && tool && str(b, "tool") &&
                !strcmp(tool, str(b, "tool")))
                later = (long)k;
        }
        if (!msg)
            msg = "no error message";
        et_signature(tool, msg, strlen(msg), sig, sizeof(sig));
        rc = recurring(is, sig, &count, &agents, err);
        if (rc)
            break;
        snprintf(desc, sizeof(desc), "%s%s action #%zu failed: %.400s",
                 is_timeout(msg) ? "timeout: " : "", tool ? tool : "?", i + 1,
                 msg);
        if (later >= 0) {
            snprintf(impact, sizeof(impact),
                     "recovered: a later %s action succeeded", tool);
            snprintf(res, sizeof(res), "action #%ld (%s) succeeded", later + 1,
                     tool);
        } else {
            snprintf(impact, sizeof(impact),
                     "unhandled: no later %s action succeeded",
                     tool ? tool : "");
        }
        prev[0] = '\0';
        if (is_timeout(msg))
            snprintf(prev, sizeof(prev),
                     "raise the tool's time limit or split the work");
        else if (count)
            snprintf(prev, sizeof(prev),
                     "recurring failure (%s times in %s agents lately): "
                     "fix its cause once",
                     count_str(nb, count, count),
                     count_str(ab, agents, count));
        rc = add_issue(is, later >= 0 ? "WARNING" : "ERROR", desc, impact,
                       later >= 0 ? res : NULL, prev[0] ? prev : NULL, sig);
        if (!rc && count)
            add_str(is->insights,
                    "failure '%s' seen %s times in the last days across "
                    "%s agent%s",
                    sig, count_str(nb, count, count),
                    count_str(ab, agents, count),
                    agents == 1 && count < SIG_CAP ? "" : "s");
        if (!rc && later < 0)
            add_str(is->improvements,
                    "handle failures of %s: the run did not recover from "
                    "action #%zu",
                    tool ? tool : "its tools", i + 1);
        if (!rc && count >= 2)
            add_str(is->improvements, "fix the recurring failure '%s'", sig);
    }
    return rc ? (rc == ET_ENOMEM ? et_error_set(err, rc, "out of memory") : rc)
              : ET_OK;
}

static int criteria_issues(struct issues *is, struct json_object *vo,
                           const char *status, struct et_error *err)
{
    struct json_object *cr = get(vo, "criteria");
    size_t n = cr ? json_object_array_length(cr) : 0;
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < n; i++) {
        struct json_object *c = json_object_array_get_idx(cr, i);
        const char *res = str(c, "result"), *text = str(c, "criterion");
        const char *evidence = str(c, "evidence");
        bool failed = !strcmp(res, "failed");
        char sig[ET_SIGNATURE_MAX], desc[640], impact[64];
        int64_t count = 0, agents = 0;
        char nb[24];

        if (!strcmp(res, "passed"))
            continue;
        snprintf(sig, sizeof(sig), "criterion %s: %s",
                 failed ? "failed" : "not evaluable", text);
        snprintf(desc, sizeof(desc), "criterion %s: %s (%s)",
                 failed ? "failed" : "not evaluable", text, evidence);
        snprintf(impact, sizeof(impact), "verification %s", status);
        rc = recurring(is, sig, &count, &agents, err);
        if (!rc)
            rc = add_issue(is,
                           !failed                       ? "INFO"
                           : !strcmp(status, "MISMATCH") ? "ERROR"
                                                         : "WARNING",
                           desc, impact, NULL, NULL, sig);
        if (!rc && count)
            add_str(is->insights,
                    "criterion '%s' was also %s %s times in the last days",
                    text, failed ? "failed" : "not evaluable",
                    count_str(nb, count, count));
        if (!rc && failed)
            add_str(is->improvements,
                    "make the prompt state the requirement "
                    "'%s'",
                    text);
    }
    return rc;
}

/* The caller's own issues stay; earlier analysis issues are replaced. */
static int keep_given_issues(struct issues *is, struct json_object *rec)
{
    struct json_object *old = get(rec, "issues");

    for (size_t i = 0; old && i < json_object_array_length(old); i++) {
        struct json_object *o = json_object_array_get_idx(old, i);
        const char *src = str(o, "source");

        if (!src || strcmp(src, "analysis") != 0)
            et__jappend(is->arr, json_object_get(o));
    }
    return ET_OK;
}

/* ---- learning ---- */

static struct json_object *
learning(const struct et__subject *s, const struct et__verdict *v,
         struct json_object *q, const struct et__history *h, struct issues *is)
{
    struct json_object *l = et__jnew_object();
    struct json_object *d = get(s->rec, "duration_ms");
    struct json_object *acts = get(get(s->rec, "execution"), "actions_taken");
    const char *agent = str(get(s->rec, "agent_metadata"), "name");
    size_t nact = acts ? json_object_array_length(acts) : 0;
    struct json_object *insights = et__jnew_array();
    char perf[512], rate[96] = "";

    if (!l || !insights) {
        json_object_put(l);
        json_object_put(insights);
        return NULL;
    }
    if (h->n == 0) {
        add_str(insights,
                "first completed execution of %s: no history to compare with",
                agent ? agent : "this agent");
    } else {
        if (d && h->median_duration_ms > 0)
            add_str(insights,
                    "duration %.1fx the agent's median (%.0f ms over its "
                    "last %zu completed executions)",
                    json_object_get_double(d) / h->median_duration_ms,
                    h->median_duration_ms, h->n);
        if (h->median_actions >= 0)
            add_str(insights, "%zu actions against a median of %.1f", nact,
                    h->median_actions);
        if (h->verified) {
            snprintf(rate, sizeof(rate),
                     "; agent MATCH rate %.0f%% (%zu of its last %zu "
                     "verified)",
                     100.0 * (double)h->matched / (double)h->verified,
                     h->matched, h->verified);
            add_str(insights,
                    "agent MATCH rate %.0f%% over its last %zu "
                    "verified executions",
                    100.0 * (double)h->matched / (double)h->verified,
                    h->verified);
        }
    }
    for (size_t i = 0; i < json_object_array_length(is->insights); i++)
        et__jappend(insights, json_object_get(
                                  json_object_array_get_idx(is->insights, i)));
    if (v->only_defaults)
        add_str(is->improvements,
                "state success criteria (start --expect or a "
                "success-criteria block in the prompt) so the outcome can "
                "be verified");
    if (str(q, "efficiency") && !strcmp(str(q, "efficiency"), "LOW"))
        add_str(is->improvements,
                "the run took far more time or actions than usual: look for "
                "loops or repeated work");
    snprintf(perf, sizeof(perf),
             "%s (%zu of %zu criteria passed); completeness %s, accuracy %s, "
             "efficiency %s%s",
             v->status, v->passed, v->passed + v->failed + v->unknown,
             str(q, "completeness") ? str(q, "completeness") : "-",
             str(q, "accuracy") ? str(q, "accuracy") : "-",
             str(q, "efficiency") ? str(q, "efficiency") : "-", rate);
    et__jadd(l, "insights_gained", insights);
    et__jadd(l, "process_improvements", json_object_get(is->improvements));
    et__jadd(l, "agent_performance", et__jnew_string(perf));
    et__jadd(l, "recommendation_for_future",
             et__jnew_string(
                 json_object_array_length(is->improvements)
                     ? json_object_get_string(
                           json_object_array_get_idx(is->improvements, 0))
                     : "no change: the run met its criteria within the agent's "
                       "usual effort"));
    return l;
}

/* ---- loading the execution ---- */

static bool list_empty(struct json_object *a)
{
    return !a || !json_object_is_type(a, json_type_array) ||
           json_object_array_length(a) == 0;
}

/*
 * The caller gave a verification block (complete --status): their status,
 * confidence and words stay, but the criteria the analysis checked still
 * say which were met and which failed, unless the caller listed them.
 * Adds the completed block to body when a list was filled.
 */
static int fill_criteria_lists(struct json_object *body,
                               struct json_object *given,
                               struct json_object *vo)
{
    static const char *const keys[] = {"success_criteria_met",
                                       "success_criteria_failed"};
    struct json_object *merged = NULL;

    for (size_t i = 0; i < ET_ARRAY_SIZE(keys); i++) {
        struct json_object *mine = get(vo, keys[i]);

        if (!list_empty(get(given, keys[i])) || list_empty(mine))
            continue;
        if (!merged && json_object_deep_copy(given, &merged, NULL))
            return ET_ENOMEM;
        if (et__jadd(merged, keys[i], json_object_get(mine))) {
            json_object_put(merged);
            return ET_ENOMEM;
        }
    }
    if (merged && et__jadd(body, "verification", merged)) {
        json_object_put(merged);
        return ET_ENOMEM;
    }
    return ET_OK;
}

static int load(struct et_trail *t, const char *id, struct json_object **rec,
                char state[16], char agent[256], struct et_error *err)
{
    struct et__record_meta meta;
    int rc = et__record_load(t, id, rec, &meta, err);

    if (!rc) {
        memcpy(state, meta.state, sizeof(meta.state));
        memcpy(agent, meta.agent, sizeof(meta.agent));
    }
    return rc;
}

static int gather(struct et__criteria *c, struct json_object *rec,
                  const struct et__acfg *cfg, const char *agent,
                  const struct et__analyse_opts *o, struct et_error *err)
{
    int rc = ET_OK;

    for (size_t i = 0; !rc && o->given && o->given[i]; i++)
        rc = et__criteria_add(c, o->given[i], ET_SRC_GIVEN);
    if (!rc && !o->only_given)
        rc = et__criteria_of_record(c, rec);
    if (!rc && !o->only_given)
        rc = et__acfg_criteria(cfg, agent, c);
    if (!rc && c->n == 0)
        rc = et__criteria_defaults(c);
    if (rc == ET_ETOOBIG)
        return et_error_set(err, rc, "more than 64 success criteria");
    return rc ? et_error_set(err, rc, "out of memory") : ET_OK;
}

int et__analyse(struct et_trail *t, const char *id,
                const struct et__analyse_opts *o, struct json_object **out,
                struct et_error *err)
{
    struct json_object *rec = NULL, *vo = NULL, *q = NULL, *lo = NULL;
    struct json_object *body = NULL, *meta = NULL;
    struct et__criteria c = {0};
    struct et__thresholds th;
    struct et__acfg *cfg = NULL;
    struct et__history h;
    struct et__verdict v;
    struct et__subject s;
    struct issues is = {0};
    bool fresh = strcmp(o->trigger, "verify-outcome") != 0;
    char state[16], agent[256];
    int64_t now = et_time_now_ns();
    int rc;

    if (out)
        *out = NULL;
    rc = et__acfg_of(t, &cfg, err);
    if (rc)
        return rc;
    th = *et__acfg_thresholds(cfg);
    rc = load(t, id, &rec, state, agent, err);
    if (!rc)
        rc = gather(&c, rec, cfg, agent[0] ? agent : NULL, o, err);
    if (rc)
        goto out;
    s.rec = rec;
    s.state = state;
    rc = et__verify(et__acfg_qcache(cfg), &s, &c, now, &vo, &v, err);
    if (!rc)
        rc = history(t, agent[0] ? agent : NULL, id, &th, &h, err);
    if (rc)
        goto out;
    q = et__quality(&s, &v, &h, &th);
    is.arr = et__jnew_array();
    is.insights = et__jnew_array();
    is.improvements = et__jnew_array();
    body = et__jnew_object();
    meta = et__jnew_object();
    if (!q || !is.arr || !is.insights || !is.improvements || !body || !meta) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    is.t = t;
    is.id = id;
    is.since_ns = now - th.recurring_days * NS_PER_DAY;
    rc = keep_given_issues(&is, rec);
    if (!rc && v.errored)
        rc = add_issue(&is, "ERROR", "the execution errored",
                       "verification "
                       "ERROR",
                       NULL, NULL, "execution errored");
    if (!rc)
        rc = action_issues(&is, get(get(rec, "execution"), "actions_taken"),
                           err);
    if (!rc)
        rc = criteria_issues(&is, vo, v.status, err);
    if (!rc && get(rec, "duration_ms") &&
        json_object_get_int64(get(rec, "duration_ms")) > th.timeout_ms) {
        char desc[128];

        snprintf(
            desc, sizeof(desc),
            "timeout: ran for %lld min, over the limit of %lld min",
            (long long)(json_object_get_int64(get(rec, "duration_ms")) / 60000),
            (long long)(th.timeout_ms / 60000));
        rc = add_issue(&is, "WARNING", desc, "slow", NULL,
                       "split the task or give the agent a narrower goal",
                       "execution over time limit");
    }
    if (rc)
        goto out;
    lo = learning(&s, &v, q, &h, &is);
    if (!lo) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    /* on complete the caller's own blocks win (their empty criteria lists
     * filled); verify-outcome replaces;
     * a re-analysis (its actions changed: trigger "rebind") replaces the
     * blocks an earlier analysis wrote (analysis.wrote), not the caller's */
    {
        struct json_object *blocks[4] = {vo, q, lo, is.arr};
        static const char *const keys[4] = {"verification", "quality_metrics",
                                            "learning", "issues"};
        struct json_object *prev = get(get(rec, "analysis"), "wrote");
        struct json_object *wrote = et__jnew_array();
        bool rebind = !strcmp(o->trigger, "rebind");

        if (!wrote || et__jadd(meta, "wrote", wrote)) {
            json_object_put(wrote);
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < 4; i++) {
            bool ours = false;

            for (size_t j = 0;
                 rebind && prev && json_object_is_type(prev, json_type_array) &&
                 j < json_object_array_length(prev);
                 j++)
                ours |= !strcmp(
                    json_object_get_string(json_object_array_get_idx(prev, j)),
                    keys[i]);
            if (fresh && get(rec, keys[i]) && !ours) {
                /* the caller's verdict stays; its criteria lists are
                 * filled from what the analysis checked */
                if (i == 0 &&
                    (rc = fill_criteria_lists(body, get(rec, keys[i]), vo)))
                    goto out;
                continue;
            }
            if (et__jadd(body, keys[i], json_object_get(blocks[i])) ||
                et__jappend(wrote, et__jnew_string(keys[i]))) {
                rc = et_error_set(err, ET_ENOMEM, "out of memory");
                goto out;
            }
        }
    }
    if (!json_object_object_length(body))
        goto out; /* the caller gave every block: nothing to add */
    et__jadd(meta, "trigger", et__jnew_string(o->trigger));
    et__jadd(meta, "history_executions", et__jnew_int64((int64_t)h.n));
    if (h.median_duration_ms >= 0)
        et__jadd(meta, "median_duration_ms",
                 et__jnew_double(h.median_duration_ms));
    if (h.median_actions >= 0)
        et__jadd(meta, "median_actions", et__jnew_double(h.median_actions));
    et__jadd(body, "analysis", json_object_get(meta));
    rc = et__ingest_event(t, "execution.analysed", id, body, NULL, err);
    if (!rc && out)
        *out = json_object_get(body);
out:
    json_object_put(rec);
    json_object_put(vo);
    json_object_put(q);
    json_object_put(lo);
    json_object_put(body);
    json_object_put(meta);
    json_object_put(is.arr);
    json_object_put(is.insights);
    json_object_put(is.improvements);
    et__criteria_release(&c);
    return rc;
}
