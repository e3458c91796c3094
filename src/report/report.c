/* SPDX-License-Identifier: MIT */
/*
 * Reports: read the rollups (per quarter hour), the duration histogram and
 * the issue
 * table inside one read transaction together with the ledger's tree head,
 * and compute the report model, a JSON document (the schema of
 * docs/REPORTS.md) that every renderer reads.
 */
#include "base/setup.h"
#include "codec/json.h"
#include "base/alloc.h"
#include "base/time.h"
#include "exectrail/report.h"
#include "report/figures.h"
#include "report/report_int.h"
#include "report/window.h"
#include "trail/trail_int.h"
#include "trail/verified.h"

#include <sodium.h>

#define MAX_DAYS 366

static int add_agent_row(struct et__period *p, const char *name,
                         const struct et_rollup_row *r, int day)
{
    struct et__agent_sum *a = NULL;

    for (size_t i = 0; i < p->n_agents; i++) {
        if (!strcmp(p->agents[i].name, name)) {
            a = &p->agents[i];
            break;
        }
    }
    if (!a) {
        if (p->n_agents == p->cap_agents) {
            size_t cap = p->cap_agents ? p->cap_agents * 2 : 16;
            struct et__agent_sum *v = et__realloc(p->agents, cap * sizeof(*v));

            if (!v)
                return ET_ENOMEM;
            p->agents = v;
            p->cap_agents = cap;
        }
        a = &p->agents[p->n_agents];
        memset(a, 0, sizeof(*a));
        a->name = et__strdup(name);
        a->day_match = et__calloc((size_t)p->n_days, sizeof(int64_t));
        a->day_verified = et__calloc((size_t)p->n_days, sizeof(int64_t));
        if (!a->name || !a->day_match || !a->day_verified) {
            et__free(a->name);
            et__free(a->day_match);
            et__free(a->day_verified);
            return ET_ENOMEM;
        }
        p->n_agents++;
    }
    et__rollup_sum(&a->sum, r, 1);
    a->day_match[day] += r->match;
    a->day_verified[day] += r->match + r->partial + r->mismatch + r->error;
    return ET_OK;
}

/* Which day of the period holds this slot (-1: none). */
static int day_of(const struct et__period *p, int64_t slot)
{
    int64_t ns = slot * ET_ROLLUP_SLOT_NS;
    int lo = 0, hi = p->n_days;

    if (ns < p->bound[0] || ns >= p->bound[p->n_days])
        return -1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;

        if (ns >= p->bound[mid])
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static int on_rollup(void *ctx, const struct et_rollup_row *r)
{
    struct et__period *p = ctx;
    int d = day_of(p, r->slot);

    if (d < 0)
        return 0;
    et__rollup_sum(&p->day[d], r, 1);
    if (d < p->focus_from)
        return 0;
    et__rollup_sum(&p->total, r, 1);
    return add_agent_row(p, r->agent, r, d);
}

void et__period_release(struct et__period *p)
{
    for (size_t i = 0; i < p->n_agents; i++) {
        et__free(p->agents[i].name);
        et__free(p->agents[i].day_match);
        et__free(p->agents[i].day_verified);
    }
    et__free(p->agents);
    et__free(p->day);
    et__free(p->bound);
    et__free(p->labels);
    memset(p, 0, sizeof(*p));
}

/*
 * The days [first, first + n) in the zone; the report's own window is the
 * days from focus_from on (the others are for comparison).
 */
static int period_load(struct et_trail *t, const struct et_zone *z,
                       struct et_day first, int n, int focus_from,
                       const char *agent, struct et__period *p,
                       struct et_error *err)
{
    struct et_day d = first;
    int rc = ET_OK;

    memset(p, 0, sizeof(*p));
    p->n_days = n;
    p->focus_from = focus_from;
    p->day = et__calloc((size_t)n, sizeof(*p->day));
    p->bound = et__calloc((size_t)n + 1, sizeof(*p->bound));
    p->labels = et__calloc((size_t)n, sizeof(*p->labels));
    if (!p->day || !p->bound || !p->labels)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    for (int i = 0; !rc && i <= n; i++) {
        rc = et__zone_midnight(z, &d, &p->bound[i], err);
        if (i < n)
            et__day_format(&d, p->labels[i]);
        et__day_add(&d, 1);
    }
    if (rc)
        return rc;
    rc = et_store_rollup_read(t->st, agent, et_rollup_slot(p->bound[0]),
                              et_rollup_slot(p->bound[n]), on_rollup, p, err);
    if (rc == ET_ENOMEM)
        et_error_set(err, rc, "out of memory");
    return rc;
}

/* ---- the histogram ---- */

static int on_bucket(void *ctx, int bucket, int64_t n)
{
    struct et__hist *h = ctx;

    if (h->n == ET_ARRAY_SIZE(h->bucket))
        return 0;
    h->bucket[h->n] = bucket;
    h->count[h->n] = n;
    h->total += n;
    h->n++;
    return 0;
}

int et__hist_load(struct et_trail *t, const struct et__period *p,
                  const char *agent, struct et__hist *h, struct et_error *err)
{
    memset(h, 0, sizeof(*h));
    return et_store_rollup_hist(
        t->st, agent, et_rollup_slot(p->bound[p->focus_from]),
        et_rollup_slot(p->bound[p->n_days]), on_bucket, h, err);
}

/* ---- the checkpoint ---- */

static struct json_object *checkpoint_of(struct et_trail *t,
                                         struct et_error *err)
{
    struct et_tree tree;
    struct et_checkpoint cp;
    struct json_object *o;
    char hexroot[ET_HASH_LEN * 2 + 1], note[4096];
    char *origin = NULL;
    bool signed_ = false;

    if (et_store_head_load(t->st, &tree, err))
        return NULL;
    memset(&cp, 0, sizeof(cp));
    cp.size = tree.size;
    et_tree_root(&tree, cp.root);
    cp.time_ns = et_time_now_ns();
    sodium_bin2hex(hexroot, sizeof(hexroot), cp.root, ET_HASH_LEN);
    /* signed when the key is here: `exectrail verify --checkpoint` then
     * proves the trail still extends what the report covered */
    if (et__trail_signer(t, NULL) == ET_OK && t->signer.has_secret) {
        if (et_store_meta_get(t->st, "install_id", &origin, NULL) == ET_OK)
            snprintf(cp.origin, sizeof(cp.origin), "exectrail/%s", origin);
        else
            snprintf(cp.origin, sizeof(cp.origin), "exectrail");
        et__free(origin);
        signed_ = et_checkpoint_sign(&cp, &t->signer, note, sizeof(note),
                                     NULL) == ET_OK;
    }
    o = et__jnew_object();
    et__jadd(o, "tree_size", et__jnew_int64((int64_t)cp.size));
    et__jadd(o, "root", et__jnew_string(hexroot));
    et__jadd(o, "signed_note", signed_ ? et__jnew_string(note) : NULL);
    return o;
}

/* Whether `exectrail verify` checked the figures' tree head (and the
 * report tables have not changed since): trail/verified.h. */
static struct json_object *verification_of(struct et_trail *t,
                                           struct et_error *err)
{
    struct et__vstatus vs;
    struct et_tree tree;
    struct json_object *o;

    if (et_store_head_load(t->st, &tree, err) ||
        et__verified_status(t, &tree, &vs, err))
        return NULL;
    o = et__jnew_object();
    et__jadd(o, "status", et__jnew_string(vs.status));
    et__jadd(o, "message", et__jnew_string(vs.message));
    et__jadd(o, "checked_at",
             vs.checked_at[0] ? et__jnew_string(vs.checked_at) : NULL);
    et__jadd(o, "checked_tree_size",
             vs.checked_at[0] ? et__jnew_int64((int64_t)vs.size) : NULL);
    return o;
}

/* ---- the reports ---- */

static int64_t now_of(const struct et_report_opts *o)
{
    return o->now_ns ? o->now_ns : et_time_now_ns();
}

static struct json_object *header(struct et_trail *t, const char *kind,
                                  const struct et_report_opts *o,
                                  const struct et__period *p,
                                  const struct et_zone *z, struct et_error *err)
{
    struct json_object *m = et__jnew_object();
    struct json_object *cp = checkpoint_of(t, err);
    struct json_object *ver = cp ? verification_of(t, err) : NULL;
    struct json_object *per = et__jnew_object();
    char ts[ET_RFC3339_MAX];

    if (!cp || !ver) {
        json_object_put(m);
        json_object_put(cp);
        json_object_put(per);
        return NULL;
    }
    et__jadd(m, "schema", et__jnew_string(ET_REPORT_SCHEMA));
    et__jadd(m, "kind", et__jnew_string(kind));
    et_time_format(now_of(o), ts);
    et__jadd(m, "generated_at", et__jnew_string(ts));
    et__jadd(m, "checkpoint", cp);
    et__jadd(m, "ledger_verification", ver);
    et__jadd(per, "tz", et__jnew_string(z->name));
    et__jadd(per, "from", et__jnew_string(p->labels[p->focus_from]));
    et__jadd(per, "to", et__jnew_string(p->labels[p->n_days - 1]));
    et__jadd(per, "days", et__jnew_int(p->n_days - p->focus_from));
    et_time_format(p->bound[p->focus_from], ts);
    et__jadd(per, "start", et__jnew_string(ts));
    et_time_format(p->bound[p->n_days], ts);
    et__jadd(per, "end", et__jnew_string(ts));
    et__jadd(m, "period", per);
    return m;
}

static int report_daily(struct et_trail *t, const struct et_report_opts *o,
                        const struct et_zone *z, struct json_object **out,
                        struct et_error *err)
{
    struct et_day day, first;
    struct et__period p;
    struct et__hist h;
    struct json_object *m = NULL;
    int rc;

    if (o->date)
        rc = et__day_parse(o->date, &day, err);
    else {
        et__zone_today(z, now_of(o), &day);
        rc = ET_OK;
    }
    if (rc)
        return rc;
    first = day;
    et__day_add(&first, -ET_REPORT_COMPARE_DAYS);
    rc = period_load(t, z, first, ET_REPORT_COMPARE_DAYS + 1,
                     ET_REPORT_COMPARE_DAYS, NULL, &p, err);
    if (!rc)
        rc = et__hist_load(t, &p, NULL, &h, err);
    if (!rc) {
        m = header(t, "daily", o, &p, z, err);
        rc = m ? ET_OK : err && err->code ? err->code : ET_ENOMEM;
    }
    if (!rc)
        rc = et__fig_daily(t, o, &p, &h, m, err);
    et__period_release(&p);
    if (rc) {
        json_object_put(m);
        return rc;
    }
    *out = m;
    return ET_OK;
}

static bool same_day(const struct et_day *a, const struct et_day *b)
{
    return a->y == b->y && a->m == b->m && a->d == b->d;
}

/* An absolute --since (o->date of an agent or agents report): the period
 * runs from that day to today in the zone, both included. */
static int since_days(const char *date, const struct et_zone *z, int64_t now_ns,
                      int64_t *days_out, struct et_error *err)
{
    struct et_day day, today;
    int64_t n = 1;

    if (et__day_parse(date, &day, NULL) != ET_OK)
        return et_error_set(err, ET_EINPUT,
                            "--since: a date YYYY-MM-DD or N, Nd, Nw, "
                            "not '%s'",
                            date);
    et__zone_today(z, now_ns, &today);
    if (day.y > today.y ||
        (day.y == today.y &&
         (day.m > today.m || (day.m == today.m && day.d > today.d))))
        return et_error_set(err, ET_EINPUT,
                            "--since %s: after today (%04lld-%02d-%02d in "
                            "the zone)",
                            date, (long long)today.y, today.m, today.d);
    while (!same_day(&day, &today)) {
        if (n > MAX_DAYS)
            return et_error_set(err, ET_EINPUT,
                                "--since %s: today (%04lld-%02d-%02d in the "
                                "zone) must be at most %d days later",
                                date, (long long)today.y, today.m, today.d,
                                MAX_DAYS);
        et__day_add(&day, 1);
        n++;
    }
    *days_out = n;
    return ET_OK;
}

static int report_period(struct et_trail *t, const struct et_report_opts *o,
                         const struct et_zone *z, struct json_object **out,
                         struct et_error *err)
{
    int64_t days = o->days ? o->days : ET_REPORT_DEFAULT_DAYS;
    bool one = o->kind == ET_REPORT_AGENT;
    struct et_day first;
    struct et__period p;
    struct et__hist h;
    struct json_object *m = NULL;
    int rc;

    if (o->date) {
        rc = since_days(o->date, z, now_of(o), &days, err);
        if (rc)
            return rc;
    }
    if (days < 1 || days > MAX_DAYS)
        return et_error_set(err, ET_EINPUT, "--since: between 1 and %d days",
                            MAX_DAYS);
    if (one && (!o->agent || !*o->agent))
        return et_error_set(err, ET_EINPUT, "agent: a name is needed");
    et__zone_today(z, now_of(o), &first);
    et__day_add(&first, 1 - days);
    rc = period_load(t, z, first, (int)days, 0, one ? o->agent : NULL, &p, err);
    if (!rc && one && p.total.n == 0)
        rc = et_error_set(err, ET_ENOTFOUND,
                          "no executions of agent '%s' from %s to %s", o->agent,
                          p.labels[0], p.labels[p.n_days - 1]);
    if (!rc)
        rc = et__hist_load(t, &p, one ? o->agent : NULL, &h, err);
    if (!rc) {
        m = header(t, one ? "agent" : "agents", o, &p, z, err);
        rc = m ? ET_OK : err && err->code ? err->code : ET_ENOMEM;
    }
    if (!rc)
        rc = one ? et__fig_agent(t, o, &p, &h, m, err)
                 : et__fig_agents(t, o, &p, &h, m, err);
    et__period_release(&p);
    if (rc) {
        json_object_put(m);
        return rc;
    }
    *out = m;
    return ET_OK;
}

static int render(struct json_object *m, const struct et_report_opts *o,
                  enum et_report_format f, struct et_buf *b)
{
    struct et_report_style st = {o->color, o->width ? o->width : 80};

    switch (f) {
    case ET_REPORT_TEXT:
        return et__report_text(m, &st, b);
    case ET_REPORT_MD:
        return et__report_md(m, b);
    case ET_REPORT_HTML:
        return et__report_html(m, b);
    case ET_REPORT_JSON:
    default:
        return et_buf_printf(b, "%s\n",
                             json_object_to_json_string_ext(
                                 m, JSON_C_TO_STRING_PRETTY |
                                        JSON_C_TO_STRING_SPACED |
                                        JSON_C_TO_STRING_NOSLASHESCAPE));
    }
}

int et_report(struct et_trail *t, const struct et_report_opts *o,
              enum et_report_format f, char **out, size_t *len_out,
              struct et_error *err)
{
    struct et_zone z;
    struct json_object *m = NULL;
    struct et_buf b = ET_BUF_INIT;
    int rc;

    *out = NULL;
    if (len_out)
        *len_out = 0;
    rc = et__zone_open(&z, o->tz, err);
    if (rc) {
        et__zone_close(&z);
        return rc;
    }
    /* one read transaction: the figures and the checkpoint agree */
    rc = et_store_begin(t->st, false, err);
    if (!rc) {
        char *stale = NULL;

        if (et_store_meta_get(t->st, "rollups_stale", &stale, NULL) == ET_OK)
            rc = et_error_set(err, ET_ESTATE,
                              "this trail's report rollups predate its "
                              "executions (it was made before reports "
                              "existed): run 'exectrail rebuild' once");
        et__free(stale);
        if (!rc)
            rc = o->kind == ET_REPORT_DAILY ? report_daily(t, o, &z, &m, err)
                                            : report_period(t, o, &z, &m, err);
        et_store_rollback(t->st);
    }
    et__zone_close(&z);
    if (!rc) {
        rc = render(m, o, f, &b);
        if (rc)
            rc = et_error_set(err, rc, "cannot render the report");
    }
    json_object_put(m);
    if (rc) {
        et_buf_release(&b);
        return rc;
    }
    *out = et_buf_detach(&b, len_out);
    return ET_OK;
}
