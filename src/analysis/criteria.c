/* SPDX-License-Identifier: MIT */
/*
 * Success criteria: compiling one (a query-language predicate), finding the
 * fenced success-criteria blocks of a prompt, and gathering an execution's
 * criteria from its sources (docs/ANALYSIS.md, "Criteria").
 */
#include "base/setup.h"
#include "codec/json.h"
#include "base/alloc.h"
#include "query/query_int.h"
#include "exectrail/query.h"
#include "analysis/analysis_int.h"

#define MAX_CRITERIA 64

int et__criterion_compile(const char *text, size_t len, int64_t now_ns,
                          struct et_query **out, struct et_error *err)
{
    struct et_query *q = NULL;
    size_t i = 0;
    int rc;

    *out = NULL;
    while (i < len && (text[i] == ' ' || text[i] == '\t'))
        i++;
    if (i == len)
        return et_error_set(err, ET_EINPUT, "empty success criterion");
    rc = et_query_parse(text, len, now_ns, &q, err);
    if (rc)
        return rc;
    if (q->n_order || q->limit >= 0) {
        et_query_free(q);
        return et_error_set(err, ET_EINPUT,
                            "ORDER BY and LIMIT have no meaning in a "
                            "success criterion");
    }
    *out = q;
    return ET_OK;
}

#define QCACHE_SLOTS 16

struct et__qcache {
    struct {
        char *text;
        struct et_query *q;
    } v[QCACHE_SLOTS];
    size_t n, next; /* filled slots; the one replaced next when full */
};

struct et__qcache *et__qcache_new(void)
{
    return et__calloc(1, sizeof(struct et__qcache));
}

void et__qcache_free(struct et__qcache *qc)
{
    if (!qc)
        return;
    for (size_t i = 0; i < qc->n; i++) {
        et__free(qc->v[i].text);
        et_query_free(qc->v[i].q);
    }
    et__free(qc);
}

int et__criterion_get(struct et__qcache *qc, const char *text, int64_t now_ns,
                      struct et_query **q, bool *is_cached,
                      struct et_error *err)
{
    size_t i;
    char *copy;
    int rc;

    *is_cached = false;
    for (i = 0; qc && i < qc->n; i++) {
        if (!strcmp(qc->v[i].text, text)) {
            *q = qc->v[i].q;
            *is_cached = true;
            return ET_OK;
        }
    }
    rc = et__criterion_compile(text, strlen(text), now_ns, q, err);
    if (rc || !qc || (*q)->uses_now)
        return rc;
    copy = et__strdup(text);
    if (!copy)
        return ET_OK; /* not kept: the caller frees it */
    i = qc->n < QCACHE_SLOTS ? qc->n++ : qc->next++ % QCACHE_SLOTS;
    if (qc->v[i].text) {
        et__free(qc->v[i].text);
        et_query_free(qc->v[i].q);
    }
    qc->v[i].text = copy;
    qc->v[i].q = *q;
    *is_cached = true;
    return ET_OK;
}

int et_criterion_check(const char *text, size_t len, struct et_error *err)
{
    struct et_query *q = NULL;
    int rc = et__criterion_compile(text, len, 0, &q, err);

    et_query_free(q);
    return rc;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Is line[0..n) a fence (``` or ~~~, 3 or more), and its info word? */
static bool fence(const char *line, size_t n, char *ch_out, const char **info,
                  size_t *info_len)
{
    size_t i = 0, k;

    while (i < n && i < 3 && line[i] == ' ')
        i++;
    if (i + 3 > n || (line[i] != '`' && line[i] != '~'))
        return false;
    *ch_out = line[i];
    for (k = i; k < n && line[k] == *ch_out; k++)
        ;
    if (k - i < 3)
        return false;
    while (k < n && is_blank(line[k]))
        k++;
    *info = line + k;
    *info_len = 0;
    while (k + *info_len < n && !is_blank(line[k + *info_len]))
        (*info_len)++;
    return true;
}

int et_criteria_from_prompt(const char *prompt, size_t len, et_criterion_fn *fn,
                            void *ctx)
{
    size_t pos = 0;
    unsigned line_no = 0;
    bool in_block = false, in_other = false;
    char open_ch = 0;

    while (pos < len) {
        const char *line = prompt + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos, a = 0, b;
        const char *info;
        size_t info_len;
        char ch;

        pos += n + (nl ? 1 : 0);
        line_no++;
        if (fence(line, n, &ch, &info, &info_len)) {
            if (in_block || in_other) {
                if (ch == open_ch && info_len == 0)
                    in_block = in_other = false;
                else if (in_block)
                    goto criterion; /* a line of the block after all */
                continue;
            }
            open_ch = ch;
            if (info_len == 16 && !memcmp(info, "success-criteria", 16))
                in_block = true;
            else
                in_other = true;
            continue;
        }
        if (!in_block)
            continue;
criterion:
        while (a < n && is_blank(line[a]))
            a++;
        b = n;
        while (b > a && is_blank(line[b - 1]))
            b--;
        if (a == b || line[a] == '#')
            continue;
        {
            int rc = fn(ctx, line + a, b - a, line_no);

            if (rc)
                return rc;
        }
    }
    return ET_OK;
}

/* ---- the criteria of one execution ---- */

void et__criteria_release(struct et__criteria *c)
{
    et__free(c->v);
    json_object_put(c->own);
    c->own = NULL;
    c->v = NULL;
    c->n = c->cap = 0;
}

int et__criteria_add(struct et__criteria *c, const char *text,
                     enum et__source src)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].text, text))
            return ET_OK;
    if (c->n >= MAX_CRITERIA)
        return ET_ETOOBIG;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        struct et__criterion *v = et__realloc(c->v, cap * sizeof(*v));

        if (!v)
            return ET_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n].text = text;
    c->v[c->n].source = src;
    c->n++;
    return ET_OK;
}

static int prompt_line(void *ctx, const char *text, size_t len, unsigned line)
{
    struct et__criteria *c = ctx;
    struct json_object *s = et__jnew_string_len(text, (int)len);

    ET_UNUSED(line);
    if (!s)
        return ET_ENOMEM;
    if (!c->own && !(c->own = et__jnew_array())) {
        json_object_put(s);
        return ET_ENOMEM;
    }
    et__jappend(c->own, s);
    return et__criteria_add(c, json_object_get_string(s), ET_SRC_PROMPT);
}

int et__criteria_of_record(struct et__criteria *c, struct json_object *rec)
{
    struct json_object *mac = NULL, *list = NULL, *deleg = NULL, *p = NULL;
    int rc = ET_OK;

    if (json_object_object_get_ex(rec, "main_agent_context", &mac) &&
        json_object_object_get_ex(mac, "success_criteria", &list) &&
        json_object_is_type(list, json_type_array)) {
        for (size_t i = 0; !rc && i < json_object_array_length(list); i++) {
            struct json_object *s = json_object_array_get_idx(list, i);

            if (json_object_is_type(s, json_type_string))
                rc = et__criteria_add(c, json_object_get_string(s),
                                      ET_SRC_START);
        }
    }
    if (!rc && json_object_object_get_ex(rec, "delegation", &deleg) &&
        json_object_object_get_ex(deleg, "prompt_sent", &p) &&
        json_object_is_type(p, json_type_string)) {
        rc = et_criteria_from_prompt(json_object_get_string(p),
                                     (size_t)json_object_get_string_len(p),
                                     prompt_line, c);
    }
    return rc;
}

int et__criteria_defaults(struct et__criteria *c)
{
    /* docs/ANALYSIS.md, "Built-in criteria" */
    static const char *const defaults[] = {
        "output.raw_response:?*",
        "n_failed_actions = 0",
    };
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < ET_ARRAY_SIZE(defaults); i++)
        rc = et__criteria_add(c, defaults[i], ET_SRC_DEFAULT);
    return rc;
}
