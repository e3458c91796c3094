/* SPDX-License-Identifier: MIT */
/*
 * The type check: each comparison's operator must suit its field, and each
 * value must parse as the field's type (numbers, durations, times, enum
 * names, booleans). Values become typed (struct et_qval); text matches
 * become LIKE-style patterns; time comparisons become ranges, so that the
 * compiler only ever sees simple operators.
 */
#include "base/setup.h"
#include "base/time.h"
#include "query/query_int.h"

#include <math.h>
#include <strings.h>

#define NS_PER_MS  INT64_C(1000000)
#define NS_PER_SEC INT64_C(1000000000)
#define NS_PER_DAY (86400 * NS_PER_SEC)

/* What the user asked, before it is fitted to the field's type. */
enum want {
    W_EQ,
    W_NE,
    W_LT,
    W_LE,
    W_GT,
    W_GE,
    W_CONTAINS,
    W_NCONTAINS,
    W_ANY,  /* word form or field:value (unquoted * and ? are wildcards) */
    W_TRUE, /* a boolean alone */
};

struct checker {
    struct et_query *q;
    struct et_error *err;
};

static const char *op_text(int raw_op)
{
    switch (raw_op) {
    case ET_T_EQ:
        return "=";
    case ET_T_NE:
        return "!=";
    case ET_T_LT:
        return "<";
    case ET_T_LE:
        return "<=";
    case ET_T_GT:
        return ">";
    case ET_T_GE:
        return ">=";
    case ET_T_TILDE:
        return "~";
    case ET_T_NTILDE:
        return "!~";
    case ET_T_COLON:
        return ":";
    default:
        return "a list of values";
    }
}

static enum want want_of(int raw_op)
{
    switch (raw_op) {
    case ET_T_EQ:
        return W_EQ;
    case ET_T_NE:
        return W_NE;
    case ET_T_LT:
        return W_LT;
    case ET_T_LE:
        return W_LE;
    case ET_T_GT:
        return W_GT;
    case ET_T_GE:
        return W_GE;
    case ET_T_TILDE:
        return W_CONTAINS;
    case ET_T_NTILDE:
        return W_NCONTAINS;
    case ET_T_EOF:
        return W_TRUE;
    default:
        return W_ANY;
    }
}

static const char *name_of(const struct et_qnode *n)
{
    return n->json_path ? n->json_path + 2 : n->field->path;
}

static int bad_op(struct checker *c, const struct et_qnode *n, const char *why)
{
    return et_error_set(c->err, ET_EINPUT,
                        "operator %s at column %d does not apply to %s (%s)",
                        op_text(n->raw_op), n->op_col, name_of(n), why);
}

static int bad_value(struct checker *c, const struct et_qnode *n,
                     const struct et_qraw *r, const char *expected)
{
    return et_error_set(c->err, ET_EINPUT,
                        "bad value '%.60s' for %s at column %d (expected "
                        "%s)",
                        r->s, name_of(n), r->col, expected);
}

static struct et_qval *vals(struct checker *c, struct et_qnode *n, size_t count)
{
    n->vals = et__qalloc(c->q, sizeof(*n->vals) * (count ? count : 1));
    n->n_vals = 0;
    if (!n->vals)
        et_error_set(c->err, ET_ENOMEM, "out of memory");
    return n->vals;
}

static bool has_glob(const struct et_qraw *r)
{
    return !r->quoted &&
           (memchr(r->s, '*', r->len) || memchr(r->s, '?', r->len));
}

/* A LIKE pattern: '%' any run, '_' one character, '\' escapes. */
static int pattern(struct checker *c, const struct et_qraw *r, bool glob,
                   bool contains, struct et_qval *v)
{
    char *p = et__qalloc(c->q, r->len * 2 + 3);
    size_t n = 0;

    if (!p)
        return et_error_set(c->err, ET_ENOMEM, "out of memory");
    if (contains)
        p[n++] = '%';
    for (size_t i = 0; i < r->len; i++) {
        char ch = r->s[i];

        if (glob && ch == '*') {
            p[n++] = '%';
        } else if (glob && ch == '?') {
            p[n++] = '_';
        } else {
            if (ch == '%' || ch == '_' || ch == '\\')
                p[n++] = '\\';
            p[n++] = ch;
        }
    }
    if (contains)
        p[n++] = '%';
    p[n] = '\0';
    v->type = ET_QV_STR;
    v->s = p;
    v->len = n;
    return ET_OK;
}

static void str_val(const struct et_qraw *r, struct et_qval *v)
{
    v->type = ET_QV_STR;
    v->s = r->s;
    v->len = r->len;
}

/* ---- text, lists and enumerations ---- */

static int check_text(struct checker *c, struct et_qnode *n, enum want w)
{
    bool contains_kind = n->field->type != ET_QT_KEYWORD;
    bool any_glob = false;
    struct et_qval *v;
    int rc = ET_OK;

    if (w == W_LT || w == W_LE || w == W_GT || w == W_GE)
        return bad_op(c, n, "it is text: use =, !=, ~ or a value list");
    v = vals(c, n, n->n_raws);
    if (!v)
        return ET_ENOMEM;
    switch (w) {
    case W_EQ:
    case W_NE:
        n->op = w == W_EQ ? ET_QOP_EQ : ET_QOP_NE;
        str_val(&n->raws[0], &v[0]);
        n->n_vals = 1;
        return ET_OK;
    case W_CONTAINS:
    case W_NCONTAINS:
        n->op = w == W_CONTAINS ? ET_QOP_MATCH : ET_QOP_NMATCH;
        n->n_vals = 1;
        return pattern(c, &n->raws[0], false, true, &v[0]);
    default:
        break;
    }
    for (size_t i = 0; i < n->n_raws; i++)
        any_glob |= has_glob(&n->raws[i]);
    if (!any_glob && !contains_kind) {
        n->op = n->n_raws == 1 ? ET_QOP_EQ : ET_QOP_IN;
        for (size_t i = 0; i < n->n_raws; i++)
            str_val(&n->raws[i], &v[i]);
        n->n_vals = n->n_raws;
        return ET_OK;
    }
    n->op = ET_QOP_MATCH;
    for (size_t i = 0; !rc && i < n->n_raws; i++) {
        const struct et_qraw *r = &n->raws[i];

        rc = pattern(c, r, has_glob(r), contains_kind && !has_glob(r), &v[i]);
    }
    n->n_vals = n->n_raws;
    return rc;
}

static int enum_index(const struct et_qfield *f, const char *s, size_t len)
{
    for (int i = 0; f->enum_values[i]; i++) {
        if (strlen(f->enum_values[i]) == len &&
            !strncasecmp(f->enum_values[i], s, len))
            return i;
    }
    return -1;
}

static int enum_expected(const struct et_qfield *f, char *out, size_t cap)
{
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; f->enum_values[i]; i++) {
        int w = snprintf(out + used, cap - used, "%s%s",
                         i == 0                  ? ""
                         : f->enum_values[i + 1] ? ", "
                                                 : " or ",
                         f->enum_values[i]);

        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
    return 0;
}

static int check_enum(struct checker *c, struct et_qnode *n, enum want w)
{
    const struct et_qfield *f = n->field;
    struct et_qval *v;
    char expected[96];
    int idx[ET_QUERY_MAX_VALUES];

    if (w == W_CONTAINS || w == W_NCONTAINS)
        return bad_op(c, n, "it is an enumeration: use =, != or a list");
    for (size_t i = 0; i < n->n_raws; i++) {
        if (w == W_ANY && has_glob(&n->raws[i]))
            return check_text(c, n, w); /* status:MIS* */
        idx[i] = enum_index(f, n->raws[i].s, n->raws[i].len);
        if (idx[i] < 0) {
            enum_expected(f, expected, sizeof(expected));
            return bad_value(c, n, &n->raws[i], expected);
        }
    }
    v = vals(c, n, (size_t)4);
    if (!v)
        return ET_ENOMEM;
    if (w == W_LT || w == W_LE || w == W_GT || w == W_GE) {
        int k = idx[0];

        if (!(f->flags & ET_QF_ORDERED))
            return bad_op(c, n, "its values have no order");
        /* LOW < MEDIUM < HIGH: a comparison is a set of values */
        n->op = ET_QOP_IN;
        for (int i = 0; f->enum_values[i]; i++) {
            bool in = (w == W_LT && i < k) || (w == W_LE && i <= k) ||
                      (w == W_GT && i > k) || (w == W_GE && i >= k);

            if (in) {
                v[n->n_vals].type = ET_QV_STR;
                v[n->n_vals].s = f->enum_values[i];
                v[n->n_vals].len = strlen(f->enum_values[i]);
                n->n_vals++;
            }
        }
        return ET_OK;
    }
    v = vals(c, n, n->n_raws);
    if (!v)
        return ET_ENOMEM;
    for (size_t i = 0; i < n->n_raws; i++) {
        v[i].type = ET_QV_STR;
        v[i].s = f->enum_values[idx[i]];
        v[i].len = strlen(v[i].s);
    }
    n->n_vals = n->n_raws;
    n->op = w == W_NE ? ET_QOP_NE : n->n_vals == 1 ? ET_QOP_EQ : ET_QOP_IN;
    return ET_OK;
}

/* ---- numbers, booleans ---- */

static bool parse_int(const char *s, size_t len, int64_t *out)
{
    char *end;
    long long v;

    if (len == 0 || len > 20)
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end != s + len)
        return false;
    *out = v;
    return true;
}

static bool parse_real(const char *s, size_t len, double *out)
{
    char *end;
    double d;

    if (len == 0 || len > 64 ||
        !((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+' ||
          s[0] == '.'))
        return false;
    errno = 0;
    d = strtod(s, &end);
    if (errno || end != s + len || !isfinite(d))
        return false;
    *out = d;
    return true;
}

/* 300000, 1500ms, 90s, 5m, 2h, 1d, 1.5h -> milliseconds */
static bool parse_duration_ms(const char *s, size_t len, struct et_qval *v)
{
    static const struct {
        const char *unit;
        double ms;
    } units[] = {
        {"ms", 1}, {"s", 1e3}, {"m", 6e4}, {"h", 3.6e6}, {"d", 8.64e7}};
    double d;

    for (size_t u = 0; u < ET_ARRAY_SIZE(units); u++) {
        size_t ul = strlen(units[u].unit);

        if (len > ul && !strcmp(s + len - ul, units[u].unit) &&
            parse_real(s, len - ul, &d) && d >= 0 && d * units[u].ms < 9.2e18) {
            v->type = ET_QV_INT;
            v->i = (int64_t)llround(d * units[u].ms);
            return true;
        }
    }
    return false;
}

static bool parse_number(const struct et_qfield *f, const struct et_qraw *r,
                         struct et_qval *v)
{
    if (parse_int(r->s, r->len, &v->i)) {
        v->type = ET_QV_INT;
        return true;
    }
    if (parse_real(r->s, r->len, &v->d)) {
        v->type = ET_QV_REAL;
        return true;
    }
    return (f->flags & ET_QF_UNITS) && parse_duration_ms(r->s, r->len, v);
}

static bool parse_bool(const struct et_qraw *r, int64_t *out)
{
    static const char *const yes[] = {"true", "yes", "1"};
    static const char *const no[] = {"false", "no", "0"};

    for (size_t i = 0; i < ET_ARRAY_SIZE(yes); i++) {
        if (!strcasecmp(r->s, yes[i])) {
            *out = 1;
            return true;
        }
        if (!strcasecmp(r->s, no[i])) {
            *out = 0;
            return true;
        }
    }
    return false;
}

static enum et_qop simple_op(enum want w, size_t n_vals)
{
    switch (w) {
    case W_NE:
        return ET_QOP_NE;
    case W_LT:
        return ET_QOP_LT;
    case W_LE:
        return ET_QOP_LE;
    case W_GT:
        return ET_QOP_GT;
    case W_GE:
        return ET_QOP_GE;
    case W_TRUE:
        return ET_QOP_TRUE;
    case W_ANY:
        return n_vals == 1 ? ET_QOP_EQ : ET_QOP_IN;
    default:
        return ET_QOP_EQ;
    }
}

static int check_scalar(struct checker *c, struct et_qnode *n, enum want w)
{
    const struct et_qfield *f = n->field;
    bool is_bool = f->type == ET_QT_BOOL;
    struct et_qval *v;

    if (w == W_CONTAINS || w == W_NCONTAINS)
        return bad_op(c, n, is_bool ? "it is a boolean" : "it is a number");
    if (is_bool && w != W_EQ && w != W_NE && w != W_ANY && w != W_TRUE)
        return bad_op(c, n, "it is a boolean: use =, != or the name alone");
    v = vals(c, n, n->n_raws);
    if (!v)
        return ET_ENOMEM;
    for (size_t i = 0; i < n->n_raws; i++) {
        const struct et_qraw *r = &n->raws[i];
        bool ok = is_bool ? parse_bool(r, &v[i].i) : parse_number(f, r, &v[i]);

        if (is_bool)
            v[i].type = ET_QV_INT;
        if (!ok)
            return bad_value(c, n, r,
                             is_bool ? "true or false"
                             : f->flags & ET_QF_UNITS
                                 ? "milliseconds, or a duration like 90s, "
                                   "5m, 2h"
                             : f->type == ET_QT_INT ? "an integer"
                                                    : "a number");
    }
    n->n_vals = n->n_raws;
    n->op = simple_op(w, n->n_vals);
    return ET_OK;
}

/* Extension members: the value's spelling picks the comparison. */
static int check_dynamic(struct checker *c, struct et_qnode *n, enum want w)
{
    struct et_qval *v;
    bool any_glob = false;

    if (w == W_TRUE) {
        n->op = ET_QOP_TRUE;
        return ET_OK;
    }
    for (size_t i = 0; i < n->n_raws; i++)
        any_glob |= w == W_ANY && has_glob(&n->raws[i]);
    if (w == W_CONTAINS || w == W_NCONTAINS || any_glob)
        return check_text(c, n, w);
    v = vals(c, n, n->n_raws);
    if (!v)
        return ET_ENOMEM;
    for (size_t i = 0; i < n->n_raws; i++) {
        const struct et_qraw *r = &n->raws[i];

        if (!r->quoted && parse_int(r->s, r->len, &v[i].i))
            v[i].type = ET_QV_INT;
        else if (!r->quoted && parse_real(r->s, r->len, &v[i].d))
            v[i].type = ET_QV_REAL;
        else if (!r->quoted && parse_bool(r, &v[i].i))
            v[i].type = ET_QV_INT; /* JSON true reads back as 1 */
        else
            str_val(r, &v[i]);
    }
    n->n_vals = n->n_raws;
    n->op = simple_op(w, n->n_vals);
    return ET_OK;
}

/* ---- times ---- */

/*
 * A time value is a range [lo, hi): a date is its whole (UTC) day, an
 * instant is one nanosecond wide. "7d", "24h", "30m", "90s", "2w" mean that
 * long before now; "now" is now.
 */
static bool parse_time(struct checker *c, const struct et_qraw *r, int64_t *lo,
                       int64_t *hi)
{
    static const struct {
        char unit;
        int64_t ns;
    } units[] = {{'s', NS_PER_SEC},
                 {'m', 60 * NS_PER_SEC},
                 {'h', 3600 * NS_PER_SEC},
                 {'d', NS_PER_DAY},
                 {'w', 7 * NS_PER_DAY}};
    int64_t n;

    if (!strcasecmp(r->s, "now")) {
        c->q->uses_now = true;
        *lo = c->q->now_ns;
        *hi = *lo + 1;
        return true;
    }
    if (r->len == 10 && et_time_parse(r->s, r->len, true, lo) == ET_OK) {
        *hi = *lo + NS_PER_DAY;
        return true;
    }
    if (et_time_parse(r->s, r->len, false, lo) == ET_OK) {
        *hi = *lo + 1;
        return true;
    }
    for (size_t u = 0; r->len >= 2 && u < ET_ARRAY_SIZE(units); u++) {
        if (r->s[r->len - 1] != units[u].unit ||
            !parse_int(r->s, r->len - 1, &n) || n < 0 ||
            n > INT64_C(1000000000))
            continue;
        if (n > INT64_C(4000000000000000000) / units[u].ns)
            return false;
        c->q->uses_now = true;
        *lo = c->q->now_ns - n * units[u].ns;
        *hi = *lo + 1;
        return true;
    }
    return false;
}

static struct et_qnode *time_cmp(struct checker *c, const struct et_qnode *n,
                                 enum et_qop op, int64_t ns)
{
    struct et_qnode *k = et__qalloc(c->q, sizeof(*k));

    if (!k || !vals(c, k, 1)) {
        et_error_set(c->err, ET_ENOMEM, "out of memory");
        return NULL;
    }
    k->kind = ET_QN_CMP;
    k->col = n->col;
    k->field = n->field;
    k->raw_op = n->raw_op;
    k->op_col = n->op_col;
    k->op = op;
    k->vals[0].type = ET_QV_INT;
    k->vals[0].i = ns;
    k->n_vals = 1;
    return k;
}

/* lo <= x < hi as an AND node */
static struct et_qnode *time_within(struct checker *c, const struct et_qnode *n,
                                    int64_t lo, int64_t hi)
{
    struct et_qnode *a = et__qalloc(c->q, sizeof(*a));

    if (!a) {
        et_error_set(c->err, ET_ENOMEM, "out of memory");
        return NULL;
    }
    a->kind = ET_QN_AND;
    a->col = n->col;
    a->kids = time_cmp(c, n, ET_QOP_GE, lo);
    if (!a->kids)
        return NULL;
    a->kids->next = time_cmp(c, n, ET_QOP_LT, hi);
    return a->kids->next ? a : NULL;
}

static int check_time(struct checker *c, struct et_qnode *n, enum want w)
{
    struct et_qnode *head = NULL, *tail = NULL, *k = NULL;
    int64_t lo, hi;

    if (w == W_CONTAINS || w == W_NCONTAINS || w == W_TRUE)
        return bad_op(c, n, "it is a time: use =, <, >= ... or since:");
    for (size_t i = 0; i < n->n_raws; i++) {
        const struct et_qraw *r = &n->raws[i];

        if (!parse_time(c, r, &lo, &hi))
            return bad_value(c, n, r,
                             "a time: 2025-01-16, 2025-01-16T10:00:00Z, "
                             "7d (ago) or now");
        switch (w) {
        case W_LT:
            k = time_cmp(c, n, ET_QOP_LT, lo);
            break;
        case W_LE:
            k = time_cmp(c, n, ET_QOP_LT, hi);
            break;
        case W_GT:
            k = time_cmp(c, n, ET_QOP_GE, hi);
            break;
        case W_GE:
            k = time_cmp(c, n, ET_QOP_GE, lo);
            break;
        default:
            k = time_within(c, n, lo, hi);
            break;
        }
        if (!k)
            return ET_ENOMEM;
        if (tail)
            tail->next = k;
        else
            head = k;
        tail = k;
    }
    if (!head)
        return bad_op(c, n, "a value is missing");
    /* the node itself becomes the range (or an OR of ranges, or NOT) */
    if (head == tail && w != W_NE) {
        struct et_qnode *next = n->next;

        *n = *head;
        n->next = next;
        return ET_OK;
    }
    n->kind = head == tail ? ET_QN_NOT : ET_QN_OR;
    n->kids = head;
    return ET_OK;
}

static const struct et_qfield *timestamp_start(void)
{
    for (size_t i = 0; i < et__n_qfields; i++) {
        if (!strcmp(et__qfields[i].path, "timestamp_start"))
            return &et__qfields[i];
    }
    ET_BUG("timestamp_start is not in the field table");
}

/* since:7d -> timestamp_start >= 7d; until:D -> timestamp_start <= D */
static int check_since_until(struct checker *c, struct et_qnode *n)
{
    bool since = (n->field->flags & ET_QF_SINCE) != 0;

    if ((n->raw_op != ET_T_COLON && n->raw_op != ET_T_WORD) || n->n_raws != 1)
        return et_error_set(c->err, ET_EINPUT,
                            "%s at column %d takes one time, as %s:7d or "
                            "%s:2025-01-16",
                            n->field->path, n->col, n->field->path,
                            n->field->path);
    n->field = timestamp_start();
    return check_time(c, n, since ? W_GE : W_LE);
}

static int check_cmp(struct checker *c, struct et_qnode *n)
{
    enum want w = want_of(n->raw_op);

    if (n->field->flags & (ET_QF_SINCE | ET_QF_UNTIL))
        return check_since_until(c, n);
    if (w == W_TRUE && n->field->type != ET_QT_BOOL &&
        n->field->type != ET_QT_DYNAMIC)
        return bad_op(c, n, "a value is missing");
    switch (n->field->type) {
    case ET_QT_KEYWORD:
    case ET_QT_TEXT:
    case ET_QT_LIST:
        return check_text(c, n, w);
    case ET_QT_ENUM:
        return check_enum(c, n, w);
    case ET_QT_INT:
    case ET_QT_NUM:
    case ET_QT_BOOL:
        return check_scalar(c, n, w);
    case ET_QT_TIME:
        return check_time(c, n, w);
    case ET_QT_DYNAMIC:
        return check_dynamic(c, n, w);
    case ET_QT_OBJECT:
        break;
    }
    return et_error_set(c->err, ET_EINPUT, "'%s' at column %d is an object",
                        n->field->path, n->col);
}

static int check_text_node(struct checker *c, const struct et_qnode *n)
{
    for (size_t i = 0; i < n->text_len; i++) {
        unsigned char ch = (unsigned char)n->text[i];

        if ((ch >= '0' && ch <= '9') ||
            ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || ch >= 0x80)
            return ET_OK;
    }
    return et_error_set(c->err, ET_EINPUT,
                        "the text at column %d has no words to search for",
                        n->col);
}

static int check_node(struct checker *c, struct et_qnode *n)
{
    int rc = ET_OK;

    switch (n->kind) {
    case ET_QN_CMP:
        return check_cmp(c, n);
    case ET_QN_TEXT:
        return check_text_node(c, n);
    default:
        for (struct et_qnode *k = n->kids; !rc && k; k = k->next)
            rc = check_node(c, k);
        return rc;
    }
}

int et__query_check(struct et_query *q, struct et_error *err)
{
    struct checker c = {q, err};

    return q->where ? check_node(&c, q->where) : ET_OK;
}
