/* SPDX-License-Identifier: MIT */
/*
 * The spec's analytics over query results: success rate per agent, failure
 * patterns (status + normalised first error, so the same failure groups
 * across executions), slowest executions.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "exectrail/analysis.h"
#include "exectrail/query.h"
#include "model/signature.h"
#include "query/compile.h"
#include "query/query_int.h"
#include "trail/trail_int.h"

struct agents_ctx {
    et_agent_stats_fn *fn;
    void *ctx;
};

static int agent_row(void *ctx, const struct et_store_agent_row *r)
{
    struct agents_ctx *ac = ctx;
    struct et_agent_stats s;
    int64_t verified = r->match + r->partial + r->mismatch + r->error;

    memset(&s, 0, sizeof(s));
    s.agent_name = r->agent_name;
    s.executions = r->executions;
    s.completed = r->completed;
    s.match = r->match;
    s.partial = r->partial;
    s.mismatch = r->mismatch;
    s.error = r->error;
    s.unverified = r->unverified;
    s.success_rate = verified ? (double)r->match / (double)verified : -1;
    s.avg_duration_ms = r->avg_duration_ms;
    s.max_duration_ms = r->max_duration_ms;
    s.actions = r->actions;
    s.failed_actions = r->failed_actions;
    return ac->fn(ac->ctx, &s);
}

int et_stats_agents(struct et_trail *t, const struct et_query *filter,
                    et_agent_stats_fn *fn, void *ctx, struct et_error *err)
{
    struct agents_ctx ac = {fn, ctx};
    struct et_sqlstmt where;
    int rc =
        et__query_compile_where(et_store_dialect(t->st), filter, &where, err);

    if (!rc)
        rc = et_store_agent_stats(t->st, &where, agent_row, &ac, err);
    et__sqlstmt_release(&where);
    return rc;
}

int et_stats_slowest(struct et_trail *t, const struct et_query *filter,
                     size_t limit, et_exec_fn *fn, void *ctx,
                     struct et_error *err)
{
    static const struct et_qfield *duration;
    struct et_query q;

    if (!duration) {
        for (size_t i = 0; i < et__n_qfields; i++)
            if (!strcmp(et__qfields[i].path, "duration_ms"))
                duration = &et__qfields[i];
    }
    memset(&q, 0, sizeof(q));
    if (filter)
        q = *filter; /* same conditions, our order (the arena stays its) */
    q.arena = NULL;
    q.n_order = 1;
    q.order[0].field = duration;
    q.order[0].json_path = NULL;
    q.order[0].desc = true;
    q.limit = -1;
    /* executions without a duration sort last (DESC puts NULL last) */
    return et_query_run(t, &q, limit ? limit : 10, fn, ctx, err);
}

/* ---- failure patterns ---- */

#define MAX_AGENTS 5

struct pattern {
    char *key; /* status '\n' signature */
    int64_t count;
    size_t n_agents;
    char *agents[MAX_AGENTS];
    bool more_agents;
    char example[37];
};

struct patterns {
    struct pattern *v;
    size_t n, cap;
    size_t *slots; /* open addressing: index + 1, 0 = empty */
    size_t n_slots;
    struct et_buf sig;
};

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static int grow_slots(struct patterns *ps)
{
    size_t n = ps->n_slots ? ps->n_slots * 2 : 256;
    size_t *slots = et__calloc(n, sizeof(*slots));

    if (!slots)
        return ET_ENOMEM;
    for (size_t i = 0; i < ps->n; i++) {
        size_t h = hash(ps->v[i].key) & (n - 1);

        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = i + 1;
    }
    et__free(ps->slots);
    ps->slots = slots;
    ps->n_slots = n;
    return ET_OK;
}

static struct pattern *find_or_add(struct patterns *ps, const char *key)
{
    size_t h;
    struct pattern *p;

    if ((ps->n + 1) * 2 > ps->n_slots && grow_slots(ps))
        return NULL;
    h = hash(key) & (ps->n_slots - 1);
    while (ps->slots[h]) {
        p = &ps->v[ps->slots[h] - 1];
        if (!strcmp(p->key, key))
            return p;
        h = (h + 1) & (ps->n_slots - 1);
    }
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 64;
        struct pattern *nv = et__realloc(ps->v, cap * sizeof(*nv));

        if (!nv)
            return NULL;
        ps->v = nv;
        ps->cap = cap;
    }
    p = &ps->v[ps->n];
    memset(p, 0, sizeof(*p));
    p->key = et__strdup(key);
    if (!p->key)
        return NULL;
    ps->slots[h] = ++ps->n;
    return p;
}

static void add_agent(struct pattern *p, const char *agent)
{
    const char *a = agent ? agent : "(none)";

    for (size_t i = 0; i < p->n_agents; i++)
        if (!strcmp(p->agents[i], a))
            return;
    if (p->n_agents == MAX_AGENTS) {
        p->more_agents = true;
        return;
    }
    p->agents[p->n_agents] = et__strdup(a);
    if (p->agents[p->n_agents])
        p->n_agents++;
}

static int failure_row(void *ctx, const struct et_store_failure_row *r)
{
    struct patterns *ps = ctx;
    struct pattern *p;
    const char *msg = r->error ? r->error : r->issue ? r->issue : NULL;
    int rc;

    et_buf_reset(&ps->sig);
    rc = msg ? et__failure_signature(&ps->sig, r->error ? r->tool : NULL, msg)
             : et_buf_addstr(&ps->sig, "(no error recorded)");
    if (!rc)
        rc = et_buf_printf(&ps->sig, "\n%s",
                           r->verification ? r->verification : "UNVERIFIED");
    if (rc)
        return rc;
    p = find_or_add(ps, ps->sig.ptr);
    if (!p)
        return ET_ENOMEM;
    if (p->count++ == 0)
        snprintf(p->example, sizeof(p->example), "%s",
                 r->execution_id ? r->execution_id : "");
    add_agent(p, r->agent_name);
    return 0;
}

static int by_count(const void *a, const void *b)
{
    const struct pattern *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

static int report_patterns(struct patterns *ps, size_t limit, et_failure_fn *fn,
                           void *ctx)
{
    int rc = 0;

    if (ps->n) /* qsort(NULL, 0, ...) is undefined */
        qsort(ps->v, ps->n, sizeof(*ps->v), by_count);
    for (size_t i = 0; !rc && i < ps->n && (!limit || i < limit); i++) {
        struct pattern *p = &ps->v[i];
        char *nl = strrchr(p->key, '\n');
        char agents[MAX_AGENTS * 40 + 8];
        size_t used = 0;
        struct et_failure_pattern fp;

        agents[0] = '\0';
        for (size_t k = 0; k < p->n_agents; k++) {
            int w = snprintf(agents + used, sizeof(agents) - used, "%s%.36s",
                             k ? ", " : "", p->agents[k]);

            if (w > 0 && (size_t)w < sizeof(agents) - used)
                used += (size_t)w;
        }
        if (p->more_agents && used + 6 < sizeof(agents))
            snprintf(agents + used, sizeof(agents) - used, ", ...");
        *nl = '\0';
        fp.status = nl + 1;
        fp.signature = p->key;
        fp.count = p->count;
        fp.n_agents = p->n_agents + (p->more_agents ? 1 : 0);
        fp.agents = agents;
        fp.example_id = p->example;
        rc = fn(ctx, &fp);
        *nl = '\n';
    }
    return rc;
}

int et_stats_failures(struct et_trail *t, const struct et_query *filter,
                      size_t limit, et_failure_fn *fn, void *ctx,
                      struct et_error *err)
{
    struct patterns ps;
    struct et_sqlstmt where;
    int rc =
        et__query_compile_where(et_store_dialect(t->st), filter, &where, err);

    memset(&ps, 0, sizeof(ps));
    if (!rc) {
        rc = et_store_failures(t->st, &where, failure_row, &ps, err);
        if (rc == ET_ENOMEM || rc == ET_ETOOBIG)
            et_error_set(err, rc, "out of memory grouping failures");
    }
    et__sqlstmt_release(&where);
    if (!rc)
        rc = report_patterns(&ps, limit, fn, ctx);
    for (size_t i = 0; i < ps.n; i++) {
        et__free(ps.v[i].key);
        for (size_t k = 0; k < ps.v[i].n_agents; k++)
            et__free(ps.v[i].agents[k]);
    }
    et__free(ps.v);
    et__free(ps.slots);
    et_buf_release(&ps.sig);
    return rc;
}
