/* SPDX-License-Identifier: MIT */
/*
 * The query parser: recursive descent over the tokens, bounded depth. Field
 * names are resolved here (the word form "verification status ERROR" needs
 * to know which words are fields); values stay raw until et__query_check.
 * Grammar: docs/QUERY.md.
 */
#include "base/setup.h"
#include "query/query_int.h"

#include <strings.h>

struct parser {
    struct et_query *q;
    const struct et_token *t;
    size_t pos, n;
    int depth;
    bool in_action;
    struct et_error *err;
};

static const struct et_token *peek(const struct parser *p)
{
    return &p->t[p->pos];
}

static const struct et_token *peek_at(const struct parser *p, size_t ahead)
{
    size_t i = p->pos + ahead;

    return &p->t[i < p->n ? i : p->n - 1];
}

static const struct et_token *advance(struct parser *p)
{
    const struct et_token *t = &p->t[p->pos];

    if (p->pos + 1 < p->n)
        p->pos++;
    return t;
}

static int unexpected(struct parser *p, const struct et_token *t,
                      const char *hint)
{
    char what[64];

    et__token_describe(t, what, sizeof(what));
    return et_error_set(p->err, ET_EINPUT, "unexpected %s at column %d%s%s",
                        what, t->col, hint ? ": " : "", hint ? hint : "");
}

static bool is_op(enum et_tok k)
{
    return k == ET_T_EQ || k == ET_T_NE || k == ET_T_LT || k == ET_T_LE ||
           k == ET_T_GT || k == ET_T_GE || k == ET_T_TILDE || k == ET_T_NTILDE;
}

static bool is_action_call(const struct parser *p, size_t ahead)
{
    const struct et_token *t = peek_at(p, ahead);

    return t->kind == ET_T_WORD &&
           (!strcasecmp(t->s, "action") || !strcasecmp(t->s, "actions")) &&
           peek_at(p, ahead + 1)->kind == ET_T_LPAREN;
}

static struct et_qnode *node(struct parser *p, enum et_qkind kind, int col)
{
    struct et_qnode *n = et__qalloc(p->q, sizeof(*n));

    if (!n) {
        et_error_set(p->err, ET_ENOMEM, "out of memory");
        return NULL;
    }
    n->kind = kind;
    n->col = col;
    return n;
}

/* kids of a list node are kept in order; *tail points at the last */
static void append_kid(struct et_qnode *parent, struct et_qnode **tail,
                       struct et_qnode *kid)
{
    if (*tail)
        (*tail)->next = kid;
    else
        parent->kids = kid;
    *tail = kid;
}

static int enter(struct parser *p, int col)
{
    if (++p->depth > ET_QUERY_MAX_DEPTH)
        return et_error_set(p->err, ET_EINPUT,
                            "query nests deeper than %d levels at column %d",
                            ET_QUERY_MAX_DEPTH, col);
    return ET_OK;
}

static int parse_or(struct parser *p, struct et_qnode **out);

/* ---- predicates ---- */

/*
 * Can the token `ahead` be a value of a word-form list? Not when it starts
 * the next predicate: a keyword, a word followed by an operator or ':', an
 * action( call, a field name, or (inside "quality_metrics completeness LOW
 * accuracy LOW") another member of the same object.
 */
static bool is_list_value(struct parser *p, const struct et_qfield *prefix)
{
    const struct et_token *t = peek(p);
    enum et_tok next = peek_at(p, 1)->kind;
    const struct et_qfield *f;
    const char *jp;

    if (t->kind == ET_T_STRING)
        return true;
    if (t->kind != ET_T_WORD)
        return false;
    if (t->kw != ET_KW_NONE && t->kw != ET_KW_BY && t->kw != ET_KW_ASC &&
        t->kw != ET_KW_DESC)
        return false;
    if (is_op(next) || next == ET_T_COLON || is_action_call(p, 0))
        return false;
    if (prefix && et__qfield_child(p->q, prefix, t->s, t->len, &jp))
        return false;
    /* a field name starts the next predicate (quote such a value) */
    return et__qfield_resolve(p->q, t->s, t->len, p->in_action, &f, &jp) ==
           ET_RES_UNKNOWN;
}

static int add_raw(struct parser *p, struct et_qnode *n,
                   const struct et_token *t)
{
    struct et_qraw *r;

    if (n->n_raws == ET_QUERY_MAX_VALUES)
        return et_error_set(p->err, ET_EINPUT,
                            "more than %d values at column %d",
                            ET_QUERY_MAX_VALUES, t->col);
    if (!n->raws) {
        n->raws = et__qalloc(p->q, sizeof(*n->raws) * ET_QUERY_MAX_VALUES);
        if (!n->raws)
            return et_error_set(p->err, ET_ENOMEM, "out of memory");
    }
    r = &n->raws[n->n_raws++];
    r->s = t->s;
    r->len = t->len;
    r->quoted = t->kind == ET_T_STRING;
    r->col = t->col;
    return ET_OK;
}

static int one_value(struct parser *p, struct et_qnode *n)
{
    const struct et_token *t = peek(p);

    if (t->kind != ET_T_WORD && t->kind != ET_T_STRING)
        return unexpected(p, t, "expected a value");
    return add_raw(p, n, advance(p));
}

/* field:value, field:v1,v2 and field:>value */
static int colon_values(struct parser *p, struct et_qnode *n)
{
    int rc;

    if (is_op(peek(p)->kind)) {
        n->raw_op = (int)peek(p)->kind;
        n->op_col = advance(p)->col;
        return one_value(p, n);
    }
    do {
        rc = one_value(p, n);
    } while (!rc && peek(p)->kind == ET_T_COMMA && advance(p));
    return rc;
}

/*
 * The predicate after a field name: "op value", ":value", a word-form list
 * of values, or nothing at all for a boolean ("NOT success").
 */
static int parse_predicate(struct parser *p, const struct et_qfield *f,
                           const char *json_path,
                           const struct et_qfield *prefix, int col,
                           struct et_qnode **out)
{
    const struct et_token *t = peek(p);
    struct et_qnode *n = node(p, ET_QN_CMP, col);
    int rc = ET_OK;

    *out = NULL;
    if (!n)
        return ET_ENOMEM;
    n->field = f;
    n->json_path = json_path;
    n->raw_op = (int)t->kind;
    n->op_col = t->col;
    if (is_op(t->kind)) {
        advance(p);
        rc = one_value(p, n);
    } else if (t->kind == ET_T_COLON) {
        advance(p);
        rc = colon_values(p, n);
    } else {
        n->raw_op = ET_T_WORD;
        while (!rc && is_list_value(p, prefix))
            rc = add_raw(p, n, advance(p));
        if (!rc && n->n_raws == 0) {
            if (f->type != ET_QT_BOOL && f->type != ET_QT_DYNAMIC)
                return unexpected(p, peek(p),
                                  "expected an operator or a "
                                  "value");
            n->raw_op = ET_T_EOF; /* a boolean on its own: it is true */
        }
    }
    if (!rc)
        *out = n;
    return rc;
}

static int unknown_field(struct parser *p, const struct et_token *t,
                         enum et_resolve res)
{
    const char *hint;

    if (res == ET_RES_AMBIGUOUS)
        return et_error_set(p->err, ET_EINPUT,
                            "ambiguous field '%.60s' at column %d: write "
                            "its full path",
                            t->s, t->col);
    hint = et__qfield_suggest(t->s, t->len, p->in_action);
    if (hint)
        return et_error_set(p->err, ET_EINPUT,
                            "unknown field '%.60s' at column %d (did you "
                            "mean '%s'?)",
                            t->s, t->col, hint);
    if (p->in_action)
        return et_error_set(p->err, ET_EINPUT,
                            "unknown field '%.60s' at column %d (an action "
                            "has sequence, tool, action, input, output, "
                            "timestamp, success, error)",
                            t->s, t->col);
    return et_error_set(p->err, ET_EINPUT,
                        "unknown field '%.60s' at column %d (to search "
                        "the text, quote it: \"%.60s\")",
                        t->s, t->col, t->s);
}

/* "verification status ERROR MISMATCH", "quality_metrics completeness LOW
 * accuracy LOW": member/value pairs of one object, all of which hold. */
static int parse_members(struct parser *p, const struct et_qfield *obj,
                         const struct et_token *name, struct et_qnode **out)
{
    struct et_qnode *all = NULL, *tail = NULL, *one;
    const struct et_qfield *f;
    const struct et_qfield *stop = obj;
    const char *jp;
    char members[200];
    int rc;

    *out = NULL;
    if (et__qfield_is_open(obj))
        stop = NULL; /* open objects: every word could be a member */
    do {
        const struct et_token *t = peek(p);

        if (t->kind != ET_T_WORD || t->kw != ET_KW_NONE) {
            et__qfield_members(obj, members, sizeof(members));
            if (is_op(t->kind) || t->kind == ET_T_COLON)
                return et_error_set(p->err, ET_EINPUT,
                                    "'%s' at column %d is an object: name "
                                    "one of its fields (%s)",
                                    obj->path, name->col, members);
            return unexpected(p, t, "expected a field of the object");
        }
        f = et__qfield_child(p->q, obj, t->s, t->len, &jp);
        if (!f) {
            et__qfield_members(obj, members, sizeof(members));
            return et_error_set(p->err, ET_EINPUT,
                                "unknown field '%s.%.60s' at column %d "
                                "(%s has %s)",
                                obj->path, t->s, t->col, obj->path, members);
        }
        advance(p);
        rc = parse_predicate(p, f, jp, stop, t->col, &one);
        if (rc)
            return rc;
        if (!*out) {
            *out = one;
        } else {
            if (!all) {
                all = node(p, ET_QN_AND, name->col);
                if (!all)
                    return ET_ENOMEM;
                append_kid(all, &tail, *out);
                *out = all;
            }
            append_kid(all, &tail, one);
        }
    } while (stop && peek(p)->kind == ET_T_WORD && peek(p)->kw == ET_KW_NONE &&
             et__qfield_child(p->q, obj, peek(p)->s, peek(p)->len, &jp));
    return ET_OK;
}

static int wrap_action(struct parser *p, struct et_qnode *pred, int col,
                       struct et_qnode **out)
{
    struct et_qnode *a = node(p, ET_QN_ACTION, col);

    *out = NULL;
    if (!a)
        return ET_ENOMEM;
    a->kids = pred;
    *out = a;
    return ET_OK;
}

static int parse_field(struct parser *p, struct et_qnode **out)
{
    const struct et_token *t = advance(p);
    const struct et_qfield *f;
    const char *jp;
    struct et_qnode *pred;
    enum et_resolve res;
    int rc;

    res = et__qfield_resolve(p->q, t->s, t->len, p->in_action, &f, &jp);
    switch (res) {
    case ET_RES_FIELD:
        return parse_predicate(p, f, jp, NULL, t->col, out);
    case ET_RES_OBJECT:
        return parse_members(p, f, t, out);
    case ET_RES_ACTION:
        rc = parse_predicate(p, f, NULL, NULL, t->col, &pred);
        return rc ? rc : wrap_action(p, pred, t->col, out);
    default:
        return unknown_field(p, t, res);
    }
}

static int parse_action_call(struct parser *p, struct et_qnode **out)
{
    const struct et_token *name = advance(p);
    const struct et_token *open = advance(p);
    struct et_qnode *a, *inner = NULL;
    int rc;

    *out = NULL;
    if (p->in_action)
        return et_error_set(p->err, ET_EINPUT,
                            "action(...) inside action(...) at column %d",
                            name->col);
    rc = enter(p, name->col);
    if (rc)
        return rc;
    p->in_action = true;
    if (peek(p)->kind == ET_T_RPAREN)
        return unexpected(p, peek(p), "expected a condition on the action");
    rc = parse_or(p, &inner);
    p->in_action = false;
    if (rc)
        return rc;
    if (peek(p)->kind != ET_T_RPAREN)
        return et_error_set(p->err, ET_EINPUT,
                            "expected ')' at column %d to close the '(' "
                            "at column %d",
                            peek(p)->col, open->col);
    advance(p);
    p->depth--;
    a = node(p, ET_QN_ACTION, name->col);
    if (!a)
        return ET_ENOMEM;
    a->kids = inner;
    *out = a;
    return ET_OK;
}

static int parse_primary(struct parser *p, struct et_qnode **out)
{
    const struct et_token *t = peek(p);
    struct et_qnode *n;
    int rc;

    *out = NULL;
    switch (t->kind) {
    case ET_T_LPAREN:
        rc = enter(p, t->col);
        if (rc)
            return rc;
        advance(p);
        if (peek(p)->kind == ET_T_RPAREN)
            return unexpected(p, peek(p), "expected a condition");
        rc = parse_or(p, out);
        if (rc)
            return rc;
        if (peek(p)->kind != ET_T_RPAREN)
            return et_error_set(p->err, ET_EINPUT,
                                "expected ')' at column %d to close the '(' "
                                "at column %d",
                                peek(p)->col, t->col);
        advance(p);
        p->depth--;
        return ET_OK;
    case ET_T_STRING:
        if (p->in_action)
            return et_error_set(p->err, ET_EINPUT,
                                "free text at column %d inside action(...): "
                                "compare a field, e.g. input ~ \"%.40s\"",
                                t->col, t->s);
        n = node(p, ET_QN_TEXT, t->col);
        if (!n)
            return ET_ENOMEM;
        n->text = t->s;
        n->text_len = t->len;
        advance(p);
        *out = n;
        return ET_OK;
    case ET_T_WORD:
        if (t->kw == ET_KW_NONE || t->kw == ET_KW_BY || t->kw == ET_KW_ASC ||
            t->kw == ET_KW_DESC) {
            if (is_action_call(p, 0))
                return parse_action_call(p, out);
            return parse_field(p, out);
        }
        return unexpected(p, t, "expected a condition");
    case ET_T_EOF:
        return unexpected(p, t, "expected a condition");
    default:
        return unexpected(p, t, NULL);
    }
}

static int parse_unary(struct parser *p, struct et_qnode **out)
{
    const struct et_token *t = peek(p);
    struct et_qnode *n, *kid;
    int rc;

    if (t->kind != ET_T_WORD || t->kw != ET_KW_NOT)
        return parse_primary(p, out);
    *out = NULL;
    rc = enter(p, t->col);
    if (rc)
        return rc;
    advance(p);
    rc = parse_unary(p, &kid);
    if (rc)
        return rc;
    p->depth--;
    n = node(p, ET_QN_NOT, t->col);
    if (!n)
        return ET_ENOMEM;
    n->kids = kid;
    *out = n;
    return ET_OK;
}

static bool starts_condition(const struct et_token *t)
{
    if (t->kind == ET_T_LPAREN || t->kind == ET_T_STRING)
        return true;
    return t->kind == ET_T_WORD && t->kw != ET_KW_AND && t->kw != ET_KW_OR &&
           t->kw != ET_KW_ORDER && t->kw != ET_KW_LIMIT;
}

/* and := unary { [AND] unary }: juxtaposition means AND */
static int parse_and(struct parser *p, struct et_qnode **out)
{
    struct et_qnode *all = NULL, *tail = NULL, *kid;
    int col = peek(p)->col;
    int rc = parse_unary(p, out);

    while (!rc) {
        const struct et_token *t = peek(p);

        if (t->kind == ET_T_WORD && t->kw == ET_KW_AND)
            advance(p);
        else if (!starts_condition(t))
            break;
        rc = parse_unary(p, &kid);
        if (rc)
            break;
        if (!all) {
            all = node(p, ET_QN_AND, col);
            if (!all)
                return ET_ENOMEM;
            append_kid(all, &tail, *out);
            *out = all;
        }
        append_kid(all, &tail, kid);
    }
    return rc;
}

static int parse_or(struct parser *p, struct et_qnode **out)
{
    struct et_qnode *any = NULL, *tail = NULL, *kid;
    int col = peek(p)->col;
    int rc = parse_and(p, out);

    while (!rc && peek(p)->kind == ET_T_WORD && peek(p)->kw == ET_KW_OR) {
        advance(p);
        rc = parse_and(p, &kid);
        if (rc)
            break;
        if (!any) {
            any = node(p, ET_QN_OR, col);
            if (!any)
                return ET_ENOMEM;
            append_kid(any, &tail, *out);
            *out = any;
        }
        append_kid(any, &tail, kid);
    }
    return rc;
}

/* ---- ORDER BY, LIMIT ---- */

static int parse_order(struct parser *p)
{
    const struct et_token *t;
    const struct et_qfield *f;
    const char *jp;
    enum et_resolve res;

    advance(p); /* ORDER */
    if (peek(p)->kind != ET_T_WORD || peek(p)->kw != ET_KW_BY)
        return unexpected(p, peek(p), "expected BY after ORDER");
    advance(p);
    do {
        t = peek(p);
        if (t->kind != ET_T_WORD || t->kw != ET_KW_NONE)
            return unexpected(p, t, "expected a field to order by");
        if (p->q->n_order == ET_QUERY_MAX_ORDER)
            return et_error_set(p->err, ET_EINPUT,
                                "more than %d ORDER BY fields at column %d",
                                ET_QUERY_MAX_ORDER, t->col);
        res = et__qfield_resolve(p->q, t->s, t->len, false, &f, &jp);
        if (res != ET_RES_FIELD && res != ET_RES_OBJECT && res != ET_RES_ACTION)
            return unknown_field(p, t, res);
        if (res != ET_RES_FIELD || f->place != ET_QP_EXEC ||
            !(f->flags & ET_QF_SORTABLE))
            return et_error_set(p->err, ET_EINPUT,
                                "cannot order by '%.60s' at column %d (a "
                                "%s): use a single-valued field such as "
                                "duration_ms or timestamp_start",
                                t->s, t->col,
                                res == ET_RES_FIELD    ? et__qtype_name(f->type)
                                : res == ET_RES_ACTION ? "field of an "
                                                         "action"
                                                       : "object");
        advance(p);
        p->q->order[p->q->n_order].field = f;
        p->q->order[p->q->n_order].json_path = jp;
        p->q->order[p->q->n_order].desc = false;
        t = peek(p);
        if (t->kind == ET_T_WORD &&
            (t->kw == ET_KW_ASC || t->kw == ET_KW_DESC)) {
            p->q->order[p->q->n_order].desc = t->kw == ET_KW_DESC;
            advance(p);
        }
        p->q->n_order++;
    } while (peek(p)->kind == ET_T_COMMA && advance(p));
    return ET_OK;
}

static int parse_limit(struct parser *p)
{
    const struct et_token *t;
    int64_t v = 0;

    advance(p); /* LIMIT */
    t = peek(p);
    if (t->kind != ET_T_WORD || t->len == 0 || t->len > 10)
        return unexpected(p, t, "LIMIT takes a whole number");
    for (size_t i = 0; i < t->len; i++) {
        if (t->s[i] < '0' || t->s[i] > '9')
            return et_error_set(p->err, ET_EINPUT,
                                "LIMIT takes a whole number, got '%.20s' at "
                                "column %d",
                                t->s, t->col);
        v = v * 10 + (t->s[i] - '0');
    }
    if (v > ET_QUERY_MAX_LIMIT)
        return et_error_set(p->err, ET_EINPUT,
                            "LIMIT %lld at column %d is too large",
                            (long long)v, t->col);
    p->q->limit = v;
    advance(p);
    return ET_OK;
}

int et__query_parse(struct et_query *q, const struct et_token *toks, size_t n,
                    struct et_error *err)
{
    struct parser p = {q, toks, 0, n, 0, false, err};
    const struct et_token *t;
    int rc = ET_OK;

    q->where = NULL;
    q->n_order = 0;
    q->limit = -1;
    t = peek(&p);
    if (t->kind != ET_T_EOF &&
        !(t->kind == ET_T_WORD &&
          (t->kw == ET_KW_ORDER || t->kw == ET_KW_LIMIT)))
        rc = parse_or(&p, &q->where);
    t = peek(&p);
    if (!rc && t->kind == ET_T_WORD && t->kw == ET_KW_ORDER)
        rc = parse_order(&p);
    t = peek(&p);
    if (!rc && t->kind == ET_T_WORD && t->kw == ET_KW_LIMIT)
        rc = parse_limit(&p);
    if (!rc && peek(&p)->kind != ET_T_EOF)
        rc = unexpected(&p, peek(&p), NULL);
    return rc;
}
