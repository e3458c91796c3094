/* SPDX-License-Identifier: MIT */
/*
 * The per-query arena (every node, token and value of a query is freed with
 * it) and the S-expression form of a checked query, used by the tests and by
 * `exectrail query --explain`.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "query/query_int.h"

#define CHUNK_SIZE ((size_t)16384)

struct et_qarena_chunk {
    struct et_qarena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

void *et__qalloc(struct et_query *q, size_t size)
{
    struct et_qarena_chunk *c = q->arena;
    size_t need = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    void *p;

    if (size == 0 || need < size)
        need = sizeof(max_align_t);
    if (!c || c->cap - c->used < need) {
        size_t cap = need > CHUNK_SIZE ? need : CHUNK_SIZE;

        c = et__malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = q->arena;
        q->arena = c;
    }
    p = (char *)c->data + c->used;
    c->used += need;
    memset(p, 0, size);
    return p;
}

char *et__qstrndup(struct et_query *q, const char *s, size_t len)
{
    char *p = et__qalloc(q, len + 1);

    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void et__qarena_free(struct et_query *q)
{
    while (q->arena) {
        struct et_qarena_chunk *next = q->arena->next;

        et__free(q->arena);
        q->arena = next;
    }
}

const char *et__qop_name(enum et_qop op)
{
    static const char *const names[] = {
        [ET_QOP_EQ] = "eq",         [ET_QOP_NE] = "ne",
        [ET_QOP_LT] = "lt",         [ET_QOP_LE] = "le",
        [ET_QOP_GT] = "gt",         [ET_QOP_GE] = "ge",
        [ET_QOP_IN] = "in",         [ET_QOP_MATCH] = "match",
        [ET_QOP_NMATCH] = "nmatch", [ET_QOP_TRUE] = "true",
    };

    return (size_t)op < ET_ARRAY_SIZE(names) ? names[op] : "?";
}

static int dump_str(struct et_buf *out, const char *s, size_t len)
{
    int rc = et_buf_addch(out, '"');

    for (size_t i = 0; !rc && i < len; i++) {
        if (s[i] == '"' || s[i] == '\\')
            rc = et_buf_addch(out, '\\');
        if (!rc)
            rc = et_buf_addch(out, s[i]);
    }
    return rc ? rc : et_buf_addch(out, '"');
}

static int dump_val(struct et_buf *out, const struct et_qval *v)
{
    switch (v->type) {
    case ET_QV_STR:
        return dump_str(out, v->s, v->len);
    case ET_QV_INT:
        return et_buf_printf(out, "%lld", (long long)v->i);
    case ET_QV_REAL:
        return et_buf_printf(out, "%.17g", v->d);
    }
    return ET_EINVAL;
}

static const char *field_name(const struct et_qfield *f, const char *jp)
{
    return jp ? jp + 2 : f->path; /* "$.usage.cost" -> "usage.cost" */
}

static int dump_node(const struct et_qnode *n, struct et_buf *out)
{
    static const char *const kinds[] = {[ET_QN_AND] = "and",
                                        [ET_QN_OR] = "or",
                                        [ET_QN_NOT] = "not",
                                        [ET_QN_ACTION] = "action"};
    int rc;

    switch (n->kind) {
    case ET_QN_CMP:
        rc = et_buf_printf(out, "(%s %s", et__qop_name(n->op),
                           field_name(n->field, n->json_path));
        for (size_t i = 0; !rc && i < n->n_vals; i++) {
            rc = et_buf_addch(out, ' ');
            if (!rc)
                rc = dump_val(out, &n->vals[i]);
        }
        return rc ? rc : et_buf_addch(out, ')');
    case ET_QN_TEXT:
        rc = et_buf_addstr(out, "(text ");
        if (!rc)
            rc = dump_str(out, n->text, n->text_len);
        return rc ? rc : et_buf_addch(out, ')');
    default:
        rc = et_buf_printf(out, "(%s", kinds[n->kind]);
        for (const struct et_qnode *k = n->kids; !rc && k; k = k->next) {
            rc = et_buf_addch(out, ' ');
            if (!rc)
                rc = dump_node(k, out);
        }
        return rc ? rc : et_buf_addch(out, ')');
    }
}

int et__query_dump(const struct et_query *q, struct et_buf *out)
{
    int rc = q->where ? dump_node(q->where, out) : et_buf_addstr(out, "(all)");

    for (size_t i = 0; !rc && i < q->n_order; i++)
        rc = et_buf_printf(out, " (order %s %s)",
                           field_name(q->order[i].field, q->order[i].json_path),
                           q->order[i].desc ? "desc" : "asc");
    if (!rc && q->limit >= 0)
        rc = et_buf_printf(out, " (limit %lld)", (long long)q->limit);
    return rc;
}
