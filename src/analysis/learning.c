/* SPDX-License-Identifier: MIT */
/*
 * Learning across executions: similar executions (BM25 over the words of
 * the request and prompt, same agent first) and per-agent insights with
 * recommendations (docs/ANALYSIS.md, "Similar executions", "Insights").
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "exectrail/query.h"
#include "trail/trail_int.h"
#include "analysis/analysis_int.h"

#define MAX_WORDS 32
#define POOL_MIN  100

/* ---- similar ---- */

static const char *const stopwords[] = {
    "the",      "and",    "for",    "with", "that",   "this",  "from", "are",
    "was",      "were",   "you",    "your", "not",    "but",   "all",  "any",
    "can",      "has",    "have",   "into", "its",    "our",   "out",  "use",
    "using",    "will",   "should", "must", "please", "then",  "than", "there",
    "their",    "them",   "they",   "what", "when",   "which", "who",  "how",
    "about",    "also",   "each",   "make", "made",   "does",  "did",  "done",
    "criteria", "success"};

static bool is_stop(const char *w, size_t n)
{
    for (size_t i = 0; i < ET_ARRAY_SIZE(stopwords); i++)
        if (strlen(stopwords[i]) == n && !memcmp(stopwords[i], w, n))
            return true;
    return false;
}

static bool word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           c >= 0x80;
}

/* Up to MAX_WORDS distinct words (3+ bytes, not stop words), lower case,
 * space separated, in order of first occurrence. */
static int pick_words(const char *s, struct et_buf *out, size_t *n_out)
{
    size_t i = 0, len = s ? strlen(s) : 0;
    int rc = ET_OK;

    while (!rc && i < len && *n_out < MAX_WORDS) {
        char w[64];
        size_t n = 0;

        while (i < len && !word_byte((unsigned char)s[i]))
            i++;
        while (i < len && word_byte((unsigned char)s[i])) {
            if (n + 1 < sizeof(w))
                w[n++] =
                    (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] | 0x20 : s[i]);
            i++;
        }
        w[n] = '\0';
        if (n < 3 || is_stop(w, n))
            continue;
        {
            char pad[68];

            snprintf(pad, sizeof(pad), " %s ", w);
            if (out->len) {
                struct et_buf tmp = ET_BUF_INIT;
                bool dup;

                rc = et_buf_printf(&tmp, " %s ", et_buf_str(out));
                dup = !rc && strstr(et_buf_str(&tmp), pad);
                et_buf_release(&tmp);
                if (rc || dup)
                    continue;
                rc = et_buf_addch(out, ' ');
            }
            if (!rc)
                rc = et_buf_addstr(out, w);
            (*n_out)++;
        }
    }
    return rc;
}

struct cand {
    char id[37];
    char *agent;
    char *verification;
    double score;
    bool same;
};

struct cands {
    struct cand *v;
    size_t n, cap;
};

static int cand_hit(void *ctx, const struct et_store_hit *h)
{
    struct cands *c = ctx;

    if (c->n == c->cap)
        return 0;
    snprintf(c->v[c->n].id, sizeof(c->v[c->n].id), "%s", h->execution_id);
    c->v[c->n].agent = h->agent_name ? et__strdup(h->agent_name) : NULL;
    c->v[c->n].score = h->score;
    c->n++;
    return 0;
}

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;

    if (x->same != y->same)
        return x->same ? -1 : 1;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int similar_words(struct et_trail *t, const char *id,
                         struct et_buf *words, char agent[256],
                         struct et_error *err)
{
    struct et_exec_row row;
    struct json_object *doc = NULL;
    size_t n = 0;
    int rc = et_store_exec_get(t->st, id, &row, err);

    if (rc)
        return rc;
    snprintf(agent, 256, "%s", row.agent_name ? row.agent_name : "");
    rc = et_json_parse(row.doc, row.doc_len, NULL, &doc, err);
    if (rc) {
        et_error_prefix(err, "stored document of %s", id);
        return rc;
    }
    rc = pick_words(
        et__jstr(et__jget(doc, "main_agent_context"), "user_request"), words,
        &n);
    if (!rc)
        rc = pick_words(et__jstr(et__jget(doc, "delegation"), "prompt_sent"),
                        words, &n);
    json_object_put(doc);
    return rc ? et_error_set(err, rc, "out of memory") : ET_OK;
}

int et_similar(struct et_trail *t, const char *idp, size_t limit,
               et_similar_fn *fn, void *ctx, struct et_error *err)
{
    struct et_buf words = ET_BUF_INIT;
    struct cands c = {NULL, 0, 0};
    char id[37], agent[256] = "";
    int rc;

    if (!limit)
        limit = 10;
    c.cap = limit * 10 > POOL_MIN ? limit * 10 : POOL_MIN;
    rc = et_store_begin(t->st, false, err);
    if (rc)
        return rc;
    rc = et_store_exec_resolve(t->st, idp, id, err);
    if (!rc)
        rc = similar_words(t, id, &words, agent, err);
    if (!rc && words.len) {
        c.v = et__calloc(c.cap, sizeof(*c.v));
        rc = c.v ? et_store_similar(t->st, id, words.ptr, c.cap, cand_hit, &c,
                                    err)
                 : et_error_set(err, ET_ENOMEM, "out of memory");
    }
    for (size_t i = 0; !rc && i < c.n; i++) {
        struct et_exec_row row;

        c.v[i].same = agent[0] && c.v[i].agent && !strcmp(agent, c.v[i].agent);
        if (et_store_exec_get(t->st, c.v[i].id, &row, NULL) == ET_OK &&
            row.verification)
            c.v[i].verification = et__strdup(row.verification);
    }
    et_store_rollback(t->st);
    if (!rc && c.n)
        qsort(c.v, c.n, sizeof(*c.v), cand_cmp);
    for (size_t i = 0; !rc && i < c.n && i < limit; i++) {
        struct et_similar_hit h = {c.v[i].id, c.v[i].agent, c.v[i].verification,
                                   c.v[i].same, c.v[i].score};

        rc = fn(ctx, &h);
    }
    for (size_t i = 0; i < c.n; i++) {
        et__free(c.v[i].agent);
        et__free(c.v[i].verification);
    }
    et__free(c.v);
    et_buf_release(&words);
    return rc;
}

/* ---- insights ---- */

struct agent_acc {
    struct json_object *arr;
    const char *only;
};

static int agent_row(void *ctx, const struct et_agent_stats *s)
{
    struct agent_acc *a = ctx;
    struct json_object *o;

    if (a->only && (!s->agent_name || strcmp(a->only, s->agent_name)))
        return 0;
    o = et__jnew_object();
    if (!o)
        return ET_ENOMEM;
    et__jadd(o, "agent", s->agent_name ? et__jnew_string(s->agent_name) : NULL);
    et__jadd(o, "executions", et__jnew_int64(s->executions));
    et__jadd(o, "completed", et__jnew_int64(s->completed));
    et__jadd(o, "match", et__jnew_int64(s->match));
    et__jadd(o, "partial", et__jnew_int64(s->partial));
    et__jadd(o, "mismatch", et__jnew_int64(s->mismatch));
    et__jadd(o, "error", et__jnew_int64(s->error));
    et__jadd(o, "unverified", et__jnew_int64(s->unverified));
    if (s->success_rate >= 0)
        et__jadd(o, "success_rate",
                 et__jnew_double(
                     (double)(int64_t)(s->success_rate * 1000 + 0.5) / 1000));
    et__jadd(o, "failed_actions", et__jnew_int64(s->failed_actions));
    et__jappend(a->arr, o);
    return 0;
}

struct med_acc {
    double *dur, *act;
    size_t n_dur, n, cap;
    int64_t low;
};

static int med_row(void *ctx, const struct et_store_history_row *r)
{
    struct med_acc *m = ctx;

    if (m->n >= m->cap)
        return 0;
    if (r->duration_ms >= 0)
        m->dur[m->n_dur++] = (double)r->duration_ms;
    m->act[m->n++] = (double)r->n_actions;
    m->low += r->efficiency && !strcmp(r->efficiency, "LOW");
    return 0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double med(double *v, size_t n)
{
    if (!n)
        return -1;
    qsort(v, n, sizeof(*v), cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct sig_acc {
    struct json_object *arr;
    bool criteria;
};

static int sig_row(void *ctx, const struct et_store_signature_row *r)
{
    struct sig_acc *s = ctx;
    bool is_crit = !strncmp(r->signature, "criterion ", 10);
    struct json_object *o;

    if (is_crit != s->criteria || json_object_array_length(s->arr) >= 5)
        return 0;
    o = et__jnew_object();
    if (!o)
        return ET_ENOMEM;
    et__jadd(o, s->criteria ? "criterion" : "signature",
             et__jnew_string(s->criteria ? r->signature + 18 : r->signature));
    et__jadd(o, "type", et__jnew_string(r->type));
    et__jadd(o, "count", et__jnew_int64(r->count));
    et__jadd(o, "executions", et__jnew_int64(r->executions));
    et__jadd(o, "example_id", et__jnew_string(r->example_id));
    et__jappend(s->arr, o);
    return 0;
}

static int64_t iget(struct json_object *o, const char *k)
{
    struct json_object *v = et__jget(o, k);

    return v ? json_object_get_int64(v) : 0;
}

static void recommend(struct json_object *o, struct json_object *fails,
                      struct json_object *crits, int64_t low)
{
    struct json_object *r = et__jnew_array();
    int64_t verified = iget(o, "match") + iget(o, "partial") +
                       iget(o, "mismatch") + iget(o, "error");
    int64_t execs = iget(o, "executions"), done = iget(o, "completed");
    char buf[512];

    if (verified >= 5 && iget(o, "match") * 2 < verified) {
        snprintf(
            buf, sizeof(buf),
            "success rate %.0f%% over %lld verified executions: review "
            "the agent's instructions%s%s%s",
            100.0 * (double)iget(o, "match") / (double)verified,
            (long long)verified,
            json_object_array_length(fails) ? "; the most common failure is '"
                                            : "",
            json_object_array_length(fails)
                ? et__jstr(json_object_array_get_idx(fails, 0), "signature")
                : "",
            json_object_array_length(fails) ? "'" : "");
        et__jappend(r, et__jnew_string(buf));
    }
    for (size_t i = 0; i < json_object_array_length(fails); i++) {
        struct json_object *f = json_object_array_get_idx(fails, i);

        if (iget(f, "count") < 3)
            continue;
        snprintf(buf, sizeof(buf),
                 "recurring failure '%s' (%lld times in %lld executions): fix "
                 "its cause (example %s)",
                 et__jstr(f, "signature"), (long long)iget(f, "count"),
                 (long long)iget(f, "executions"), et__jstr(f, "example_id"));
        et__jappend(r, et__jnew_string(buf));
    }
    for (size_t i = 0; i < json_object_array_length(crits); i++) {
        struct json_object *f = json_object_array_get_idx(crits, i);

        if (iget(f, "count") < 3)
            continue;
        snprintf(buf, sizeof(buf),
                 "criterion '%s' failed %lld times: state it in the prompt, "
                 "or check that it is realistic",
                 et__jstr(f, "criterion"), (long long)iget(f, "count"));
        et__jappend(r, et__jnew_string(buf));
    }
    if (execs >= 5 && iget(o, "unverified") * 2 >= execs) {
        snprintf(buf, sizeof(buf),
                 "%lld of %lld executions have no verdict: complete them, or "
                 "give success criteria",
                 (long long)iget(o, "unverified"), (long long)execs);
        et__jappend(r, et__jnew_string(buf));
    }
    if (done >= 5 && low * 5 >= done) {
        snprintf(buf, sizeof(buf),
                 "%lld of %lld recent runs took far more time or actions "
                 "than usual: look for loops or repeated work",
                 (long long)low, (long long)done);
        et__jappend(r, et__jnew_string(buf));
    }
    if (!json_object_array_length(r)) {
        /* never "no problem" beside failures the rules were too few to
         * judge (they need 5 verified executions) */
        struct json_object *m;

        if (verified > iget(o, "match"))
            snprintf(buf, sizeof(buf),
                     "%lld of %lld verified executions did not MATCH (success "
                     "rate %.0f%%), too few for a pattern: read them (show ID)",
                     (long long)(verified - iget(o, "match")),
                     (long long)verified,
                     100.0 * (double)iget(o, "match") / (double)verified);
        else if (verified < 5)
            snprintf(buf, sizeof(buf),
                     "no problem seen yet in %lld verified execution(s); the "
                     "rules need 5 to find a pattern",
                     (long long)verified);
        else
            snprintf(buf, sizeof(buf), "no change: no rule found a problem");
        m = et__jnew_string(buf);
        if (!m || et__jappend(r, m))
            json_object_put(m);
    }
    et__jadd(o, "recommendations", r);
}

static int enrich(struct et_trail *t, struct json_object *o, int64_t since_ns,
                  struct et_error *err)
{
    const char *agent = et__jstr(o, "agent");
    struct med_acc m = {et__calloc(1000, sizeof(double)),
                        et__calloc(1000, sizeof(double)),
                        0,
                        0,
                        1000,
                        0};
    struct sig_acc fails = {et__jnew_array(), false};
    struct sig_acc crits = {et__jnew_array(), true};
    int rc = ET_OK;

    if (!m.dur || !m.act || !fails.arr || !crits.arr)
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (!rc && agent)
        rc = et_store_agent_history(t->st, agent, NULL, since_ns, m.cap,
                                    med_row, &m, err);
    if (!rc && agent)
        rc = et_store_top_signatures(t->st, agent, since_ns, NULL, 100, sig_row,
                                     &fails, err);
    if (!rc && agent)
        rc = et_store_top_signatures(t->st, agent, since_ns,
                                     "criterion failed: ", 5, sig_row, &crits,
                                     err);
    if (!rc) {
        double d = med(m.dur, m.n_dur), a = med(m.act, m.n);

        if (d >= 0)
            et__jadd(o, "median_duration_ms", et__jnew_double(d));
        if (a >= 0)
            et__jadd(o, "median_actions", et__jnew_double(a));
        et__jadd(o, "low_efficiency", et__jnew_int64(m.low));
        et__jadd(o, "top_failures", json_object_get(fails.arr));
        et__jadd(o, "failing_criteria", json_object_get(crits.arr));
        recommend(o, fails.arr, crits.arr, m.low);
    }
    et__free(m.dur);
    et__free(m.act);
    json_object_put(fails.arr);
    json_object_put(crits.arr);
    return rc;
}

/* agent = "NAME" (quoted, escaped) AND timestamp_start >= SINCE, as a
 * compiled query; NULL when neither is asked for. */
static int insights_filter(const char *agent, int64_t since_ns,
                           struct et_query **out, struct et_error *err)
{
    struct et_buf q = ET_BUF_INIT;
    int rc = ET_OK;

    *out = NULL;
    if (agent) {
        rc = et_buf_addstr(&q, "agent = \"");
        for (const char *p = agent; !rc && *p; p++) {
            if (*p == '"' || *p == '\\')
                rc = et_buf_addch(&q, '\\');
            if (!rc)
                rc = et_buf_addch(&q, *p);
        }
        if (!rc)
            rc = et_buf_addch(&q, '"');
    }
    if (!rc && since_ns) {
        char when[ET_RFC3339_MAX];

        et_time_format(since_ns, when);
        rc = et_buf_printf(&q, "%stimestamp_start >= %s", agent ? " AND " : "",
                           when);
    }
    if (rc)
        rc = et_error_set(err, rc, "out of memory");
    else if (q.len)
        rc = et_query_parse(q.ptr, q.len, 0, out, err);
    et_buf_release(&q);
    return rc;
}

int et_insights(struct et_trail *t, const char *agent, int64_t since_ns,
                char **json_out, struct et_error *err)
{
    struct agent_acc acc = {et__jnew_array(), agent};
    struct et_query *filter = NULL;
    struct et_buf out = ET_BUF_INIT;
    int rc;

    *json_out = NULL;
    if (!acc.arr)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    if (since_ns < 0) /* relative to now (EXECTRAIL_NOW in tests) */
        since_ns = et_time_now_ns() + since_ns;
    rc = insights_filter(agent, since_ns, &filter, err);
    if (rc)
        goto out;
    rc = et_store_begin(t->st, false, err);
    if (rc)
        goto out;
    rc = et_stats_agents(t, filter, agent_row, &acc, err);
    if (rc == ET_ENOMEM)
        et_error_set(err, rc, "out of memory");
    for (size_t i = 0; !rc && i < json_object_array_length(acc.arr); i++)
        rc = enrich(t, json_object_array_get_idx(acc.arr, i), since_ns, err);
    et_store_rollback(t->st);
    if (!rc && agent && json_object_array_length(acc.arr) == 0)
        rc = et_error_set(err, ET_ENOTFOUND, "no executions of agent '%s'",
                          agent);
    if (!rc && et_json_write(acc.arr, ET_JSON_PRETTY, &out) != ET_OK)
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (!rc)
        *json_out = et_buf_detach(&out, NULL);
out:
    et_query_free(filter);
    et_buf_release(&out);
    json_object_put(acc.arr);
    return rc;
}
