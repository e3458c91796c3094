/* SPDX-License-Identifier: MIT */
/*
 * Rollup maintenance: what one execution adds to the report rollups (per
 * slot of start, a quarter of an hour UTC, and agent: verdicts, durations
 * and their histogram,
 * quality, token usage), applied as a difference each time the projection
 * rewrites the execution, so the rollups always equal a pass over the
 * executions table. Also the issue projection into exec_issues.
 */
#include "base/setup.h"
#include "base/buf.h"
#include "model/signature.h"
#include "trail/rollup.h"
#include "trail/trail_int.h"

#include <math.h>
#include <stddef.h>

int et__dur_bucket(int64_t duration_ms)
{
    double b;

    if (duration_ms < 0)
        return -1;
    b = floor(ET_DUR_BUCKETS_PER_OCTAVE * log2((double)duration_ms + 1));
    return b > 1000 ? 1000 : (int)b;
}

double et__dur_bucket_lo(int bucket)
{
    return exp2((double)bucket / ET_DUR_BUCKETS_PER_OCTAVE) - 1;
}

double et__dur_bucket_hi(int bucket)
{
    return exp2((double)(bucket + 1) / ET_DUR_BUCKETS_PER_OCTAVE) - 1;
}

double et__dur_bucket_mid(int bucket)
{
    return exp2(((double)bucket + 0.5) / ET_DUR_BUCKETS_PER_OCTAVE) - 1;
}

/* HIGH, MEDIUM, LOW in halves (2, 1, 0); -1 for anything else. */
static int level_halves(const char *s)
{
    if (!s)
        return -1;
    if (!strcmp(s, "HIGH"))
        return 2;
    if (!strcmp(s, "MEDIUM"))
        return 1;
    if (!strcmp(s, "LOW"))
        return 0;
    return -1;
}

static void quality_of(const struct et_exec_row *row, struct et_rollup_row *r)
{
    int lv[3] = {level_halves(row->completeness), level_halves(row->accuracy),
                 level_halves(row->efficiency)};
    int sum = 0, k = 0;

    for (int i = 0; i < 3; i++) {
        if (lv[i] >= 0) {
            sum += lv[i];
            k++;
        }
    }
    if (!k)
        return;
    /* score = sum / (2k); x12 is an integer for k = 1, 2, 3 */
    r->q_n = 1;
    r->q_sum12 = 6 * sum / k;
    r->q_bin[r->q_sum12 * 5 / 12 > 4 ? 4 : r->q_sum12 * 5 / 12] = 1;
    r->q_high = lv[0] == 2 && lv[1] == 2 && lv[2] != 0;
}

static bool num_of(struct json_object *o, const char *k1, const char *k2,
                   double *out)
{
    struct json_object *v = et__jget(o, k1);

    if (!v && k2)
        v = et__jget(o, k2);
    if (!v || !(json_object_is_type(v, json_type_int) ||
                json_object_is_type(v, json_type_double)))
        return false;
    *out = json_object_get_double(v);
    return *out >= 0 && *out < 1e15;
}

/* Token usage and cost: the record's `usage`, else `output.usage` (what
 * the Claude Code hook stores). */
static void usage_of(struct json_object *doc, struct et_rollup_row *r)
{
    struct json_object *u = et__jget(doc, "usage");
    double v;
    bool any = false;

    if (!u || !json_object_is_type(u, json_type_object))
        u = et__jget(et__jget(doc, "output"), "usage");
    if (!u || !json_object_is_type(u, json_type_object))
        return;
    static const struct {
        const char *key, *alt;
        size_t off;
    } keys[] = {
        {"input_tokens", NULL, offsetof(struct et_rollup_row, tok_in)},
        {"output_tokens", NULL, offsetof(struct et_rollup_row, tok_out)},
        {"cache_read_input_tokens", "cache_read_tokens",
         offsetof(struct et_rollup_row, tok_cache_read)},
        {"cache_creation_input_tokens", "cache_write_tokens",
         offsetof(struct et_rollup_row, tok_cache_write)},
    };
    for (size_t i = 0; i < ET_ARRAY_SIZE(keys); i++) {
        if (num_of(u, keys[i].key, keys[i].alt, &v)) {
            *(int64_t *)(void *)((char *)r + keys[i].off) = (int64_t)v;
            any = true;
        }
    }
    if (num_of(u, "cost_usd", "total_cost_usd", &v)) {
        r->cost_micro_usd = (int64_t)llround(v * 1e6);
        any = true;
    }
    r->usage_n = any;
}

void et__rollup_of(const struct et_exec_row *row, struct json_object *doc,
                   struct et__rollup *out)
{
    struct et_rollup_row *r = &out->r;
    const char *v = row->verification;

    memset(out, 0, sizeof(*out));
    r->dur_bucket = -1;
    r->agent = out->agent;
    if (row->start_ns <= 0)
        return;
    out->has = true;
    r->slot = et_rollup_slot(row->start_ns);
    snprintf(out->agent, sizeof(out->agent), "%s",
             row->agent_name ? row->agent_name : "");
    r->n = 1;
    r->completed = row->state && !strcmp(row->state, "completed");
    r->match = v && !strcmp(v, "MATCH");
    r->partial = v && !strcmp(v, "PARTIAL");
    r->mismatch = v && !strcmp(v, "MISMATCH");
    r->error = v && !strcmp(v, "ERROR");
    if (row->duration_ms >= 0) {
        r->dur_n = 1;
        r->dur_sum_ms = row->duration_ms;
        r->dur_bucket = et__dur_bucket(row->duration_ms);
    }
    quality_of(row, r);
    usage_of(doc, r);
}

#define C(f) offsetof(struct et_rollup_row, f)
/* every counter of struct et_rollup_row */
static const size_t counters[] = {C(n),
                                  C(completed),
                                  C(match),
                                  C(partial),
                                  C(mismatch),
                                  C(error),
                                  C(dur_n),
                                  C(dur_sum_ms),
                                  C(q_n),
                                  C(q_sum12),
                                  C(q_high),
                                  C(q_bin[0]),
                                  C(q_bin[1]),
                                  C(q_bin[2]),
                                  C(q_bin[3]),
                                  C(q_bin[4]),
                                  C(usage_n),
                                  C(tok_in),
                                  C(tok_out),
                                  C(tok_cache_read),
                                  C(tok_cache_write),
                                  C(cost_micro_usd)};
#undef C

bool et__rollup_sum(struct et_rollup_row *dst, const struct et_rollup_row *src,
                    int sign)
{
    bool any = false;

    for (size_t i = 0; i < ET_ARRAY_SIZE(counters); i++) {
        int64_t *d = (int64_t *)(void *)((char *)dst + counters[i]);
        const int64_t *s =
            (const int64_t *)(const void *)((const char *)src + counters[i]);

        *d += sign * *s;
        any |= *d != 0;
    }
    return any;
}

static bool same_cell(const struct et__rollup *a, const struct et__rollup *b)
{
    return a->r.slot == b->r.slot && a->r.dur_bucket == b->r.dur_bucket &&
           !strcmp(a->agent, b->agent);
}

int et__rollup_update(struct et_trail *t, const struct et__rollup *old,
                      const struct et__rollup *new_, struct et_error *err)
{
    int rc = ET_OK;

    if (old && !old->has)
        old = NULL;
    if (new_ && !new_->has)
        new_ = NULL;
    if (old && new_ && same_cell(old, new_)) {
        /* the usual case (a phase event): one row, only what changed */
        struct et_rollup_row d = new_->r;

        d.dur_bucket = -1;
        return et__rollup_sum(&d, &old->r, -1)
                   ? et_store_rollup_add(t->st, &d, 1, err)
                   : ET_OK;
    }
    if (old)
        rc = et_store_rollup_add(t->st, &old->r, -1, err);
    if (!rc && new_)
        rc = et_store_rollup_add(t->st, &new_->r, 1, err);
    return rc;
}

/* The signature of issue i (into sig), its type and message. */
static int issue_at(struct json_object *issues, size_t i, struct et_buf *sig,
                    const char **type_out, const char **msg_out)
{
    struct json_object *is = json_object_array_get_idx(issues, i);
    const char *type = et__jstr(is, "type");
    const char *msg = et__jstr(is, "description");

    const char *given = et__jstr(is, "signature");

    *type_out = type ? type : "UNKNOWN";
    *msg_out = msg ? msg : "";
    /* the signature exec_issues holds: the analysis's own, else the one
     * rule (et_signature via et__failure_signature) */
    if (given) {
        et_buf_reset(sig);
        return et_buf_add(sig, given, strlen(given));
    }
    return et__failure_signature(sig, NULL, *msg_out);
}

static const char *sig_or(const struct et_buf *sig)
{
    return sig->len ? sig->ptr : "(no description)";
}

/* Issue i's rollup, once per execution and (type, signature): the later
 * issues of the same kind only add to its count. */
static int issue_rollup(struct et_trail *t, const struct et_exec_row *row,
                        struct json_object *issues, size_t i, int sign,
                        struct et_buf *sig, struct et_buf *other,
                        struct et_error *err)
{
    struct et_issue_rollup ir;
    const char *type, *msg, *t2, *m2;
    size_t n = json_object_array_length(issues);
    int rc = issue_at(issues, i, sig, &type, &msg);

    for (size_t k = 0; !rc && k < i; k++) {
        rc = issue_at(issues, k, other, &t2, &m2);
        if (!rc && !strcmp(t2, type) && !strcmp(sig_or(other), sig_or(sig)))
            return ET_OK; /* counted with the first of its kind */
    }
    memset(&ir, 0, sizeof(ir));
    ir.agent = row->agent_name ? row->agent_name : "";
    ir.slot = et_rollup_slot(row->start_ns);
    ir.type = type;
    ir.executions = sign;
    ir.example = msg;
    for (size_t k = i; !rc && k < n; k++) {
        rc = issue_at(issues, k, other, &t2, &m2);
        if (!rc && !strcmp(t2, type) && !strcmp(sig_or(other), sig_or(sig))) {
            ir.n += sign;
            ir.example = m2; /* the last of its kind */
        }
    }
    ir.signature = sig_or(sig);
    return rc ? rc : et_store_issue_rollup_add(t->st, &ir, err);
}

int et__issues_rollup(struct et_trail *t, const struct et_exec_row *row,
                      struct json_object *issues, int sign,
                      struct et_error *err)
{
    struct et_buf sig = ET_BUF_INIT, other = ET_BUF_INIT;
    size_t n = issues && json_object_is_type(issues, json_type_array)
                   ? json_object_array_length(issues)
                   : 0;
    int rc = ET_OK;

    if (row->start_ns <= 0)
        return ET_OK; /* reports window issues by start: none, no slot */
    for (size_t i = 0; !rc && i < n; i++) {
        rc = issue_rollup(t, row, issues, i, sign, &sig, &other, err);
        if (rc == ET_ENOMEM || rc == ET_ETOOBIG)
            rc = et_error_set(err, rc, "cannot normalise issue %zu", i);
    }
    et_buf_release(&sig);
    et_buf_release(&other);
    return rc;
}
