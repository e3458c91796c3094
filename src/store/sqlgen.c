/* SPDX-License-Identifier: MIT */
/*
 * Building generated statements (sqlgen.h): text, parameters and the
 * dialect's placeholders, with the first failure kept in the statement.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "store/sqlgen.h"

void et__sqlparams_release(struct et_sqlparams *p)
{
    for (size_t i = 0; i < p->n; i++)
        et__free(p->v[i].own);
    et__free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}

void et__sqlstmt_init(struct et_sqlstmt *s, const struct et_sql_dialect *d)
{
    memset(s, 0, sizeof(*s));
    s->dialect = d;
    s->limit = -1;
}

void et__sqlstmt_release(struct et_sqlstmt *s)
{
    et_buf_release(&s->sql);
    et__sqlparams_release(&s->params);
}

size_t et__sqlstmt_param(struct et_sqlstmt *s, const struct et_sqlparam *v)
{
    struct et_sqlparams *p = &s->params;

    if (s->rc) {
        et__free(v->own);
        return 0;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct et_sqlparam *nv = et__realloc(p->v, cap * sizeof(*nv));

        if (!nv) {
            et__free(v->own);
            s->rc = ET_ENOMEM;
            return 0;
        }
        p->v = nv;
        p->cap = cap;
    }
    p->v[p->n++] = *v;
    return p->n;
}

void et__sqlstmt_bind(struct et_sqlstmt *s, const struct et_sqlparam *v)
{
    size_t n = et__sqlstmt_param(s, v);

    if (n)
        s->dialect->placeholder(s, n, &s->params.v[n - 1]);
}

void et__sqlstmt_bind_text(struct et_sqlstmt *s, const char *text, size_t len)
{
    struct et_sqlparam v = {ET_SQL_TEXT, text, len, 0, 0, NULL};

    et__sqlstmt_bind(s, &v);
}

void et__sqlstmt_bind_int(struct et_sqlstmt *s, int64_t i)
{
    struct et_sqlparam v = {ET_SQL_INT, NULL, 0, i, 0, NULL};

    et__sqlstmt_bind(s, &v);
}
