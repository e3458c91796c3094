/* SPDX-License-Identifier: MIT */
/*
 * The figures of the daily, agent and agents reports, computed from the
 * period's rollups into the report model (docs/REPORTS.md defines each:
 * success rate, percentiles from the duration histogram, quality score,
 * trend by least squares, improvement rules).
 */
#include "base/setup.h"
#include "codec/json.h"
#include "base/alloc.h"
#include "report/figures.h"
#include "report/report_int.h"
#include "trail/trail_int.h"

#include <math.h>

/* A number with at most `decimals` digits after the point, printed so. */
static struct json_object *num(double v, int decimals)
{
    char s[64];
    size_t n;

    snprintf(s, sizeof(s), "%.*f", decimals, v);
    if (strchr(s, '.')) {
        n = strlen(s);
        while (n > 1 && s[n - 1] == '0')
            s[--n] = '\0';
        if (s[n - 1] == '.')
            s[--n] = '\0';
    }
    if (!strcmp(s, "-0"))
        snprintf(s, sizeof(s), "0");
    return et__jnew_double_s(strtod(s, NULL), s);
}

static struct json_object *ratio(int64_t a, int64_t b)
{
    return b > 0 ? num((double)a / (double)b, 4) : NULL;
}

static int64_t verified_of(const struct et_rollup_row *r)
{
    return r->match + r->partial + r->mismatch + r->error;
}

static void add_i(struct json_object *o, const char *k, int64_t v)
{
    et__jadd(o, k, et__jnew_int64(v));
}

static struct json_object *counts_json(const struct et_rollup_row *r)
{
    struct json_object *o = et__jnew_object();

    add_i(o, "total", r->n);
    add_i(o, "completed", r->completed);
    add_i(o, "verified", verified_of(r));
    add_i(o, "match", r->match);
    add_i(o, "partial", r->partial);
    add_i(o, "mismatch", r->mismatch);
    add_i(o, "error", r->error);
    add_i(o, "unverified", r->n - verified_of(r));
    return o;
}

static void rates(struct json_object *m, const struct et_rollup_row *r)
{
    et__jadd(m, "success_rate", ratio(r->match, verified_of(r)));
    et__jadd(m, "failure_rate", ratio(r->mismatch + r->error, verified_of(r)));
}

/* Nearest rank: the smallest value with at least p of the values at or
 * below it, reported as its bucket's middle. With one sample (r->dur_n 1)
 * every percentile is that sample, exactly (a bucket's middle could lie
 * above it). */
static struct json_object *percentile(const struct et__hist *h,
                                      const struct et_rollup_row *r, double p)
{
    int64_t rank, seen = 0;

    if (!h->total)
        return NULL;
    if (r->dur_n == 1 && h->total == 1)
        return et__jnew_int64(r->dur_sum_ms);
    rank = (int64_t)ceil(p * (double)h->total);
    if (rank < 1)
        rank = 1;
    for (size_t i = 0; i < h->n; i++) {
        seen += h->count[i];
        if (seen >= rank)
            return et__jnew_int64(llround(et__dur_bucket_mid(h->bucket[i])));
    }
    return NULL;
}

static struct json_object *duration_json(const struct et_rollup_row *r,
                                         const struct et__hist *h)
{
    struct json_object *o = et__jnew_object();

    add_i(o, "count", r->dur_n);
    et__jadd(o, "avg",
             r->dur_n ? num((double)r->dur_sum_ms / (double)r->dur_n, 1)
                      : NULL);
    et__jadd(o, "p50", percentile(h, r, 0.50));
    et__jadd(o, "p95", percentile(h, r, 0.95));
    et__jadd(o, "p99", percentile(h, r, 0.99));
    et__jadd(o, "percentile_precision",
             num(exp2(0.5 / ET_DUR_BUCKETS_PER_OCTAVE) - 1, 4));
    return o;
}

static struct json_object *hist_json(const struct et__hist *h)
{
    struct json_object *a = et__jnew_array();

    for (size_t i = 0; i < h->n; i++) {
        struct json_object *o = et__jnew_object();

        add_i(o, "bucket", h->bucket[i]);
        et__jadd(o, "from_ms", num(et__dur_bucket_lo(h->bucket[i]), 1));
        et__jadd(o, "to_ms", num(et__dur_bucket_hi(h->bucket[i]), 1));
        add_i(o, "count", h->count[i]);
        et__jappend(a, o);
    }
    return a;
}

static struct json_object *avg_quality(const struct et_rollup_row *r)
{
    return r->q_n ? num((double)r->q_sum12 / 12.0 / (double)r->q_n, 4) : NULL;
}

static struct json_object *quality_json(const struct et_rollup_row *r)
{
    struct json_object *o = et__jnew_object();
    struct json_object *a = et__jnew_array();

    add_i(o, "scored", r->q_n);
    et__jadd(o, "average_score", avg_quality(r));
    add_i(o, "high_quality", r->q_high);
    for (int i = 0; i < ET_ROLLUP_QBINS; i++) {
        struct json_object *b = et__jnew_object();

        et__jadd(b, "from", num(i * 0.2, 1));
        et__jadd(b, "to", num((i + 1) * 0.2, 1));
        add_i(b, "count", r->q_bin[i]);
        et__jappend(a, b);
    }
    et__jadd(o, "distribution", a);
    return o;
}

static struct json_object *usage_json(const struct et_rollup_row *r)
{
    struct json_object *o = et__jnew_object();

    add_i(o, "executions_with_usage", r->usage_n);
    add_i(o, "input_tokens", r->tok_in);
    add_i(o, "output_tokens", r->tok_out);
    add_i(o, "cache_read_tokens", r->tok_cache_read);
    add_i(o, "cache_write_tokens", r->tok_cache_write);
    et__jadd(o, "cost_usd", num((double)r->cost_micro_usd / 1e6, 6));
    return o;
}

static struct json_object *day_json(const struct et__period *p, int i)
{
    const struct et_rollup_row *r = &p->day[i];
    struct json_object *o = et__jnew_object();

    et__jadd(o, "date", et__jnew_string(p->labels[i]));
    add_i(o, "executions", r->n);
    add_i(o, "verified", verified_of(r));
    add_i(o, "match", r->match);
    et__jadd(o, "success_rate", ratio(r->match, verified_of(r)));
    et__jadd(o, "avg_duration_ms",
             r->dur_n ? num((double)r->dur_sum_ms / (double)r->dur_n, 1)
                      : NULL);
    et__jadd(o, "average_quality", avg_quality(r));
    return o;
}

static struct json_object *days_json(const struct et__period *p)
{
    struct json_object *a = et__jnew_array();

    for (int i = 0; i < p->n_days; i++)
        et__jappend(a, day_json(p, i));
    return a;
}

/* ---- issues ---- */

static int on_issue(void *ctx, const struct et_issue_group *g)
{
    struct json_object *o = et__jnew_object();

    et__jadd(o, "signature", et__jnew_string(g->signature));
    et__jadd(o, "type", et__jnew_string(g->type));
    add_i(o, "count", g->count);
    add_i(o, "executions", g->executions);
    add_i(o, "agents", g->agents);
    et__jadd(o, "example", et__jnew_string(g->example ? g->example : ""));
    et__jappend(ctx, o);
    return 0;
}

static int issues_json(struct et_trail *t, const struct et_report_opts *o,
                       const struct et__period *p, const char *agent,
                       struct json_object **out, struct et_error *err)
{
    struct json_object *a = et__jnew_array();
    int rc = et_store_issues_top(t->st, agent,
                                 et_rollup_slot(p->bound[p->focus_from]),
                                 et_rollup_slot(p->bound[p->n_days]),
                                 o->top ? o->top : 10, on_issue, a, err);

    if (rc) {
        json_object_put(a);
        return rc;
    }
    *out = a;
    return ET_OK;
}

/* ---- trend ---- */

/*
 * Least-squares slope of the daily success rate over the days that have a
 * verdict (x = day index), with the number of days it rests on.
 */
static struct json_object *trend_json(const int64_t *match,
                                      const int64_t *verified, int n_days)
{
    struct json_object *o = et__jnew_object();
    double sx = 0, sy = 0, sxx = 0, sxy = 0, slope = 0;
    int n = 0, first = -1, last = -1;
    const char *dir;

    for (int i = 0; i < n_days; i++) {
        double y;

        if (!verified[i])
            continue;
        y = (double)match[i] / (double)verified[i];
        sx += i;
        sy += y;
        sxx += (double)i * i;
        sxy += i * y;
        n++;
        if (first < 0)
            first = i;
        last = i;
    }
    add_i(o, "days", n);
    if (n < ET_TREND_MIN_DAYS) {
        et__jadd(o, "direction", et__jnew_string("not enough data"));
        et__jadd(o, "slope_per_day", NULL);
        et__jadd(o, "change", NULL);
        return o;
    }
    slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    dir = fabs(slope) < ET_TREND_STABLE_PER_DAY ? "stable"
          : slope > 0                           ? "improving"
                                                : "declining";
    et__jadd(o, "direction", et__jnew_string(dir));
    et__jadd(o, "slope_per_day", num(slope, 4));
    /* the fitted change from the first to the last day with a verdict */
    et__jadd(o, "change", num(slope * (last - first), 4));
    return o;
}

/* ---- improvement opportunities and recommendations ---- */

static void advise(struct json_object *a, const char *rule, const char *subject,
                   const char *fmt, ...) ET_PRINTF(4, 5);

static void advise(struct json_object *a, const char *rule, const char *subject,
                   const char *fmt, ...)
{
    struct json_object *o = et__jnew_object();
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    et__jadd(o, "rule", et__jnew_string(rule));
    et__jadd(o, "subject", subject ? et__jnew_string(subject) : NULL);
    et__jadd(o, "message", et__jnew_string(msg));
    et__jappend(a, o);
}

static const char *shown(const char *agent)
{
    return agent && *agent ? agent : "(none)";
}

/* The rules that judge one agent's figures. */
static void agent_rules(struct json_object *a, const char *name,
                        const struct et_rollup_row *r, double all_avg_ms)
{
    int64_t v = verified_of(r);
    double avg_ms = r->dur_n ? (double)r->dur_sum_ms / (double)r->dur_n : 0;

    if (v >= ET_RULE_MIN_RUNS &&
        (double)r->match / (double)v < ET_RULE_LOW_SUCCESS)
        advise(a, "low_success_rate", name,
               "%s succeeded in %.0f%% of %lld verified runs (below %.0f%%):"
               " review its failure modes",
               shown(name), 100.0 * (double)r->match / (double)v, (long long)v,
               100 * ET_RULE_LOW_SUCCESS);
    if (r->q_n >= ET_RULE_MIN_RUNS &&
        (double)r->q_sum12 / 12.0 / (double)r->q_n < ET_RULE_LOW_QUALITY)
        advise(a, "low_quality", name,
               "%s's average quality score is %.2f over %lld scored runs "
               "(below %.2f): tighten its instructions or criteria",
               shown(name), (double)r->q_sum12 / 12.0 / (double)r->q_n,
               (long long)r->q_n, ET_RULE_LOW_QUALITY);
    if (r->dur_n >= ET_RULE_MIN_RUNS && all_avg_ms > 0 &&
        avg_ms > ET_RULE_SLOW_FACTOR * all_avg_ms)
        advise(a, "slow_agent", name,
               "%s takes %.1fs on average, %.1fx the %.1fs of all agents: "
               "look at what makes it slow",
               shown(name), avg_ms / 1000, avg_ms / all_avg_ms,
               all_avg_ms / 1000);
}

static void issue_rules(struct json_object *a, struct json_object *issues)
{
    size_t n = json_object_array_length(issues);

    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(issues, i);
        int64_t c = json_object_get_int64(json_object_object_get(g, "count"));
        int64_t e =
            json_object_get_int64(json_object_object_get(g, "executions"));
        const char *sig =
            json_object_get_string(json_object_object_get(g, "signature"));

        if (c >= ET_RULE_RECURRING)
            advise(a, "recurring_issue", sig,
                   "'%.200s' recurred %lld times in %lld executions: fix "
                   "the cause once",
                   sig, (long long)c, (long long)e);
    }
}

static void unverified_rule(struct json_object *a,
                            const struct et_rollup_row *r)
{
    int64_t u = r->n - verified_of(r);

    if (r->n >= ET_RULE_MIN_RUNS &&
        (double)u / (double)r->n > ET_RULE_UNVERIFIED)
        advise(a, "unverified", NULL,
               "%lld of %lld executions (%.0f%%) have no verification "
               "status: give them success criteria",
               (long long)u, (long long)r->n, 100.0 * (double)u / (double)r->n);
}

/*
 * The one place where the analysis module's learned recommendations join
 * the report's own rules. TODO(lead): call the analysis branch's library
 * function (src/analyze/) here when it lands, appending to `a`.
 */
static int learning_recommendations(struct et_trail *t, const char *agent,
                                    const struct et__period *p,
                                    struct json_object *a, struct et_error *err)
{
    ET_UNUSED(t);
    ET_UNUSED(agent);
    ET_UNUSED(p);
    ET_UNUSED(a);
    ET_UNUSED(err);
    return ET_OK;
}

/* A spec key with an integer value (the spec's flat names, beside the
 * richer objects): -1 when out of memory. */
static int spec_key_i(struct json_object *o, const char *k, int64_t v)
{
    struct json_object *n = et__jnew_int64(v);

    if (!n)
        return -1;
    if (et__jadd(o, k, n)) {
        json_object_put(n);
        return -1;
    }
    return 0;
}

static double all_avg_ms(const struct et_rollup_row *r)
{
    return r->dur_n ? (double)r->dur_sum_ms / (double)r->dur_n : 0;
}

/* ---- the three reports ---- */

static int by_runs(const void *a, const void *b)
{
    const struct et__agent_sum *x = *(const struct et__agent_sum *const *)a;
    const struct et__agent_sum *y = *(const struct et__agent_sum *const *)b;

    if (x->sum.n != y->sum.n)
        return x->sum.n > y->sum.n ? -1 : 1;
    return strcmp(x->name, y->name);
}

static double rate_or(const struct et_rollup_row *r, double none)
{
    int64_t v = verified_of(r);

    return v ? (double)r->match / (double)v : none;
}

static int by_rank(const void *a, const void *b)
{
    const struct et__agent_sum *x = *(const struct et__agent_sum *const *)a;
    const struct et__agent_sum *y = *(const struct et__agent_sum *const *)b;
    double rx = rate_or(&x->sum, -1), ry = rate_or(&y->sum, -1);

    if (rx != ry)
        return rx > ry ? -1 : 1;
    return by_runs(a, b);
}

static const struct et__agent_sum **
sorted(const struct et__period *p, int (*cmp)(const void *, const void *))
{
    const struct et__agent_sum **v = et__calloc(p->n_agents + 1, sizeof(*v));

    if (!v)
        return NULL;
    for (size_t i = 0; i < p->n_agents; i++)
        v[i] = &p->agents[i];
    qsort(v, p->n_agents, sizeof(*v), cmp);
    return v;
}

static struct json_object *name_json(const char *name)
{
    return *name ? et__jnew_string(name) : NULL;
}

int et__fig_daily(struct et_trail *t, const struct et_report_opts *o,
                  const struct et__period *p, const struct et__hist *h,
                  struct json_object *m, struct et_error *err)
{
    const struct et_rollup_row *r = &p->total;
    const struct et__agent_sum **ag = sorted(p, by_runs);
    struct json_object *agents, *issues = NULL, *ops;
    int rc;

    if (!ag)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    et__jadd(m, "date", et__jnew_string(p->labels[p->n_days - 1]));
    et__jadd(m, "executions", counts_json(r));
    rates(m, r);
    et__jadd(m, "duration_ms", duration_json(r, h));
    if (spec_key_i(m, "total_executions", r->n) ||
        et__jadd(m, "average_duration",
                 r->dur_n ? num(all_avg_ms(r), 1) : NULL) ||
        et__jadd(m, "quality_scores", quality_json(r))) {
        et__free(ag);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    agents = et__jnew_array();
    for (size_t i = 0; i < p->n_agents; i++) {
        struct json_object *a = et__jnew_object();

        et__jadd(a, "name", name_json(ag[i]->name));
        add_i(a, "executions", ag[i]->sum.n);
        et__jadd(a, "share", ratio(ag[i]->sum.n, r->n));
        et__jadd(a, "success_rate",
                 ratio(ag[i]->sum.match, verified_of(&ag[i]->sum)));
        et__jappend(agents, a);
    }
    et__jadd(m, "agents_used", agents);
    et__jadd(m, "quality", quality_json(r));
    rc = issues_json(t, o, p, NULL, &issues, err);
    if (!rc) {
        et__jadd(m, "top_issues", issues);
        et__jadd(m, "usage", usage_json(r));
        et__jadd(m, "comparison", et__fig_compare(p));
        et__jadd(m, "days", days_json(p));
        et__jadd(m, "duration_histogram", hist_json(h));
        ops = et__jnew_array();
        for (size_t i = 0; i < p->n_agents; i++)
            agent_rules(ops, ag[i]->name, &ag[i]->sum, all_avg_ms(r));
        issue_rules(ops, issues);
        unverified_rule(ops, r);
        et__jadd(m, "improvement_opportunities", ops);
        rc = learning_recommendations(t, NULL, p, ops, err);
    }
    et__free(ag);
    return rc;
}

int et__fig_agent(struct et_trail *t, const struct et_report_opts *o,
                  const struct et__period *p, const struct et__hist *h,
                  struct json_object *m, struct et_error *err)
{
    const struct et_rollup_row *r = &p->total;
    struct json_object *issues = NULL, *recs, *trend;
    const struct et__agent_sum *a = p->n_agents ? &p->agents[0] : NULL;
    int rc;

    et__jadd(m, "agent", et__jnew_string(o->agent));
    et__jadd(m, "executions", counts_json(r));
    if (spec_key_i(m, "execution_count", r->n))
        return et_error_set(err, ET_ENOMEM, "out of memory");
    rates(m, r);
    et__jadd(m, "average_quality_score", avg_quality(r));
    et__jadd(m, "duration_ms", duration_json(r, h));
    et__jadd(m, "quality", quality_json(r));
    rc = issues_json(t, o, p, o->agent, &issues, err);
    if (rc)
        return rc;
    et__jadd(m, "common_failure_modes", issues);
    trend = a ? trend_json(a->day_match, a->day_verified, p->n_days)
              : trend_json(NULL, NULL, 0);
    et__jadd(m, "performance_trend", trend);
    et__jadd(m, "usage", usage_json(r));
    et__jadd(m, "days", days_json(p));
    et__jadd(m, "duration_histogram", hist_json(h));
    recs = et__jnew_array();
    agent_rules(recs, o->agent, r, 0);
    issue_rules(recs, issues);
    unverified_rule(recs, r);
    if (!strcmp(
            json_object_get_string(json_object_object_get(trend, "direction")),
            "declining"))
        advise(recs, "declining_trend", o->agent,
               "success rate is declining by %.1f points a day over %d "
               "days: compare recent failures with earlier runs",
               -100 * json_object_get_double(
                          json_object_object_get(trend, "slope_per_day")),
               json_object_get_int(json_object_object_get(trend, "days")));
    et__jadd(m, "recommendations", recs);
    return learning_recommendations(t, o->agent, p, recs, err);
}

int et__fig_agents(struct et_trail *t, const struct et_report_opts *o,
                   const struct et__period *p, const struct et__hist *h,
                   struct json_object *m, struct et_error *err)
{
    const struct et_rollup_row *r = &p->total;
    const struct et__agent_sum **ag = sorted(p, by_rank);
    struct json_object *board;
    int rc = ET_OK;

    ET_UNUSED(o);
    if (!ag)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    board = et__jnew_array();
    et__jadd(m, "leaderboard", board);
    for (size_t i = 0; !rc && i < p->n_agents; i++) {
        const struct et_rollup_row *s = &ag[i]->sum;
        struct json_object *a = et__jnew_object();
        struct et__hist ah;
        struct json_object *tr;

        rc = et__hist_load(t, p, ag[i]->name, &ah, err);
        if (rc) {
            json_object_put(a);
            break;
        }
        add_i(a, "rank", (int64_t)i + 1);
        et__jadd(a, "name", name_json(ag[i]->name));
        add_i(a, "executions", s->n);
        add_i(a, "verified", verified_of(s));
        et__jadd(a, "success_rate", ratio(s->match, verified_of(s)));
        et__jadd(a, "average_quality_score", avg_quality(s));
        et__jadd(a, "avg_duration_ms",
                 s->dur_n ? num((double)s->dur_sum_ms / (double)s->dur_n, 1)
                          : NULL);
        et__jadd(a, "p95_duration_ms", percentile(&ah, s, 0.95));
        tr = trend_json(ag[i]->day_match, ag[i]->day_verified, p->n_days);
        et__jadd(a, "trend", tr);
        et__jappend(board, a);
    }
    et__free(ag);
    if (rc)
        return rc;
    et__jadd(m, "executions", counts_json(r));
    rates(m, r);
    et__jadd(m, "duration_ms", duration_json(r, h));
    et__jadd(m, "quality", quality_json(r));
    et__jadd(m, "days", days_json(p));
    et__jadd(m, "duration_histogram", hist_json(h));
    return ET_OK;
}

/* The daily report's comparison with the days before it. */
struct json_object *et__fig_compare(const struct et__period *p)
{
    struct json_object *o = et__jnew_object();
    struct json_object *d = et__jnew_object();
    struct et_rollup_row prev;
    const struct et_rollup_row *today = &p->total;
    int k = p->focus_from, with = 0;
    double per_day, sr_today, sr_prev;

    memset(&prev, 0, sizeof(prev));
    for (int i = 0; i < k; i++) {
        et__rollup_sum(&prev, &p->day[i], 1);
        with += p->day[i].n > 0;
    }
    per_day = k ? (double)prev.n / k : 0;
    add_i(o, "previous_days", k);
    add_i(o, "days_with_executions", with);
    et__jadd(o, "executions_per_day", num(per_day, 2));
    et__jadd(o, "success_rate", ratio(prev.match, verified_of(&prev)));
    et__jadd(o, "avg_duration_ms",
             prev.dur_n ? num((double)prev.dur_sum_ms / (double)prev.dur_n, 1)
                        : NULL);
    et__jadd(o, "average_quality_score", avg_quality(&prev));
    et__jadd(d, "executions", num((double)today->n - per_day, 2));
    sr_today = rate_or(today, -1);
    sr_prev = rate_or(&prev, -1);
    et__jadd(d, "success_rate_points",
             sr_today >= 0 && sr_prev >= 0 ? num(100 * (sr_today - sr_prev), 2)
                                           : NULL);
    et__jadd(d, "avg_duration_ms",
             today->dur_n && prev.dur_n
                 ? num(all_avg_ms(today) - all_avg_ms(&prev), 1)
                 : NULL);
    et__jadd(o, "change", d);
    return o;
}
