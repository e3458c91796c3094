/* SPDX-License-Identifier: MIT */
/*
 * Success criteria evaluated in memory against one execution: the checked
 * query tree (src/query/ast.h) walked over the spec record, with three
 * results (passed, failed, not evaluable) and a sentence of evidence naming
 * the action or text that decided it. Same meaning as the SQL dialect
 * (docs/QUERY.md), without a database scan.
 */
#include "base/setup.h"
#include "base/time.h"
#include "codec/json.h"
#include "query/query_int.h"
#include "analysis/analysis_int.h"

#define R_FAIL    ET_CRITERION_FAILED
#define R_PASS    ET_CRITERION_PASSED
#define R_UNKNOWN ET_CRITERION_UNKNOWN
#define EXCERPT   60

struct ev {
    const struct et__subject *s;
    struct json_object *action; /* inside action(...) */
    long action_no;
};

static struct json_object *get(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;

    if (!o || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, k, &v) ||
        json_object_is_type(v, json_type_null))
        return NULL;
    return v;
}

/* The value at a dotted path ("output.raw_response", "$.usage.cost"). */
static struct json_object *at_path(struct json_object *o, const char *path)
{
    char seg[80];

    if (path[0] == '$' && path[1] == '.')
        path += 2;
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);

        if (n >= sizeof(seg))
            return NULL;
        memcpy(seg, path, n);
        seg[n] = '\0';
        o = get(o, seg);
        path += n + (dot ? 1 : 0);
    }
    return o;
}

bool et__action_failed(struct json_object *a)
{
    struct json_object *ok = get(a, "success");

    if (ok && json_object_is_type(ok, json_type_boolean))
        return !json_object_get_boolean(ok);
    return get(a, "error") != NULL;
}

static struct json_object *actions_of(const struct et__subject *s)
{
    struct json_object *a = at_path(s->rec, "execution.actions_taken");

    return a && json_object_is_type(a, json_type_array) ? a : NULL;
}

/* ---- LIKE patterns built by the checker: % _ and \ escapes, ASCII
 * case-insensitive, _ is one UTF-8 character ---- */

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

static size_t utf8_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;

    for (size_t i = 1; i < n; i++)
        if (!s[i])
            return i;
    return n;
}

static bool like(const char *p, const char *s)
{
    while (*p) {
        if (*p == '%') {
            while (*p == '%')
                p++;
            if (!*p)
                return true;
            for (; *s; s += utf8_len(s))
                if (like(p, s))
                    return true;
            return like(p, s);
        }
        if (!*s)
            return false;
        if (*p == '_') {
            p++;
            s += utf8_len(s);
            continue;
        }
        if (*p == '\\' && p[1])
            p++;
        if (lower((unsigned char)*p) != lower((unsigned char)*s))
            return false;
        p++;
        s++;
    }
    return !*s;
}

/* ---- evidence ---- */

static void say(struct et_buf *b, const char *fmt, ...) ET_PRINTF(2, 3);

static void say(struct et_buf *b, const char *fmt, ...)
{
    va_list ap;

    if (!b)
        return;
    va_start(ap, fmt);
    (void)!et_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

/* "text" shortened to about EXCERPT bytes around byte offset at. */
static void say_excerpt(struct et_buf *b, const char *s, size_t at)
{
    size_t len = strlen(s), from = 0, to = len;

    if (!b)
        return;
    if (len > EXCERPT) {
        from = at > EXCERPT / 3 ? at - EXCERPT / 3 : 0;
        to = from + EXCERPT < len ? from + EXCERPT : len;
        while (from > 0 && ((unsigned char)s[from] & 0xC0) == 0x80)
            from--;
        while (to < len && ((unsigned char)s[to] & 0xC0) == 0x80)
            to++;
    }
    say(b, "\"%s", from ? "..." : "");
    for (size_t i = from; i < to; i++) {
        char c = s[i];

        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
        if (c == '"')
            say(b, "\\\"");
        else
            (void)!et_buf_addch(b, c);
    }
    say(b, "%s\"", to < len ? "..." : "");
}

/* Where a LIKE pattern's first literal run occurs in s (for excerpts). */
static size_t match_offset(const char *pat, const char *s)
{
    char lit[64];
    size_t n = 0;

    while (*pat == '%' || *pat == '_')
        pat++;
    while (*pat && *pat != '%' && *pat != '_' && n + 1 < sizeof(lit)) {
        if (*pat == '\\' && pat[1])
            pat++;
        lit[n++] = (char)lower((unsigned char)*pat++);
    }
    lit[n] = '\0';
    for (size_t i = 0; n && s[i]; i++) {
        size_t k = 0;

        while (k < n && s[i + k] &&
               lower((unsigned char)s[i + k]) == (unsigned char)lit[k])
            k++;
        if (k == n)
            return i;
    }
    return 0;
}

/* ---- scalar comparisons ---- */

static const char *text_of(struct json_object *v)
{
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static bool num_of(const struct et_qfield *f, struct json_object *v,
                   double *out)
{
    if (f->type == ET_QT_TIME) {
        int64_t ns;
        const char *s;

        if (!json_object_is_type(v, json_type_string))
            return false;
        s = json_object_get_string(v);
        if (et_time_parse(s, strlen(s), false, &ns) != ET_OK)
            return false;
        *out = (double)ns;
        return true;
    }
    if (json_object_is_type(v, json_type_int) ||
        json_object_is_type(v, json_type_double)) {
        *out = json_object_get_double(v);
        return true;
    }
    if (json_object_is_type(v, json_type_boolean)) {
        *out = json_object_get_boolean(v) ? 1 : 0;
        return true;
    }
    return false;
}

static double qnum(const struct et_qval *q)
{
    return q->type == ET_QV_REAL ? q->d : (double)q->i;
}

static bool numeric(const struct et_qnode *n)
{
    enum et_qtype t = n->field->type;

    if (t == ET_QT_INT || t == ET_QT_NUM || t == ET_QT_TIME || t == ET_QT_BOOL)
        return true;
    return t == ET_QT_DYNAMIC && n->n_vals && n->vals[0].type != ET_QV_STR;
}

/* Does one present value v satisfy the positive form of n's operator?
 * (NE is EQ negated, NMATCH is MATCH negated, by the caller.) */
static bool holds(const struct et_qnode *n, struct json_object *v,
                  size_t *at_out)
{
    *at_out = 0;
    if (n->op == ET_QOP_TRUE)
        return json_object_is_type(v, json_type_boolean)
                   ? json_object_get_boolean(v)
                   : json_object_get_int64(v) != 0;
    if (numeric(n)) {
        double x;

        if (!num_of(n->field, v, &x))
            return false;
        for (size_t i = 0; i < n->n_vals; i++) {
            double y = qnum(&n->vals[i]);

            switch (n->op) {
            case ET_QOP_LT:
                return x < y;
            case ET_QOP_LE:
                return x <= y;
            case ET_QOP_GT:
                return x > y;
            case ET_QOP_GE:
                return x >= y;
            default:
                if (x == y)
                    return true;
            }
        }
        return false;
    }
    {
        const char *s = text_of(v);

        for (size_t i = 0; s && i < n->n_vals; i++) {
            /* a value that is not text (a number or a boolean against a
             * text field, which the checker lets through) never equals
             * or matches text */
            if (!n->vals[i].s)
                continue;
            if (n->op == ET_QOP_MATCH || n->op == ET_QOP_NMATCH) {
                if (like(n->vals[i].s, s)) {
                    *at_out = match_offset(n->vals[i].s, s);
                    return true;
                }
            } else if (!strcmp(s, n->vals[i].s)) {
                return true;
            }
        }
    }
    return false;
}

static bool negative(const struct et_qnode *n)
{
    return n->op == ET_QOP_NE || n->op == ET_QOP_NMATCH;
}

static const char *field_name(const struct et_qnode *n)
{
    return n->json_path ? n->json_path + 2 : n->field->path;
}

static void say_value(struct et_buf *b, const char *name, struct json_object *v,
                      size_t at)
{
    if (!b)
        return;
    say(b, "%s is ", name);
    if (json_object_is_type(v, json_type_string))
        say_excerpt(b, json_object_get_string(v), at);
    else
        say(b, "%s", text_of(v));
}

/* A list (array of values, or of objects with member key): some item. */
static int cmp_list(const struct et_qnode *n, struct json_object *arr,
                    const char *key, const char *name, struct et_buf *b)
{
    size_t len = arr ? json_object_array_length(arr) : 0;
    bool neg = negative(n);

    for (size_t i = 0; i < len; i++) {
        struct json_object *it = json_object_array_get_idx(arr, i);
        size_t at;

        if (key)
            it = get(it, key);
        if (it && holds(n, it, &at)) {
            if (b) {
                say(b, "%s[%zu] is ", name, i);
                if (json_object_is_type(it, json_type_string))
                    say_excerpt(b, json_object_get_string(it), at);
                else
                    say(b, "%s", text_of(it));
            }
            return neg ? R_FAIL : R_PASS;
        }
    }
    if (len == 0)
        say(b, "%s is empty", name);
    else
        say(b, "none of the %zu items of %s matches", len, name);
    return neg ? R_PASS : R_FAIL;
}

/* Fields that only the analysis itself fills: not evaluable. */
static bool is_derived(const char *path)
{
    return !strncmp(path, "verification.", 13) ||
           !strncmp(path, "quality_metrics.", 16) ||
           !strncmp(path, "learning.", 9);
}

/* A missing value whose whole phase is missing is not evaluable. */
static bool phase_missing(const struct et__subject *s, const char *path)
{
    static const char *const phases[] = {"output.", "delegation."};

    for (size_t i = 0; i < ET_ARRAY_SIZE(phases); i++) {
        size_t n = strlen(phases[i]);

        if (!strncmp(path, phases[i], n)) {
            char top[16];

            memcpy(top, phases[i], n - 1);
            top[n - 1] = '\0';
            return get(s->rec, top) == NULL;
        }
    }
    return !strcmp(path, "timestamp_end") || !strcmp(path, "duration_ms");
}

static int counted(const struct et_qnode *n, const struct ev *e,
                   struct et_buf *b)
{
    struct json_object *acts = actions_of(e->s);
    size_t len = acts ? json_object_array_length(acts) : 0, k = 0;
    struct json_object *v;
    size_t at;
    int r;

    if (!strcmp(n->field->path, "n_actions")) {
        k = len;
    } else {
        for (size_t i = 0; i < len; i++)
            k += et__action_failed(json_object_array_get_idx(acts, i));
    }
    v = et__jnew_int64((int64_t)k);
    if (!v)
        return R_UNKNOWN;
    r = holds(n, v, &at) != negative(n) ? R_PASS : R_FAIL;
    say(b, "%s is %zu", n->field->path, k);
    json_object_put(v);
    return r;
}

static int cmp_state(const struct et_qnode *n, const struct ev *e,
                     struct et_buf *b)
{
    struct json_object *v =
        et__jnew_string(e->s->state ? e->s->state : "completed");
    size_t at;
    int r;

    if (!v)
        return R_UNKNOWN;
    r = holds(n, v, &at) != negative(n) ? R_PASS : R_FAIL;
    say(b, "state is %s", json_object_get_string(v));
    json_object_put(v);
    return r;
}

static int eval_cmp(const struct et_qnode *n, const struct ev *e,
                    struct et_buf *b)
{
    const struct et_qfield *f = n->field;
    const char *name = field_name(n);
    struct json_object *v;
    size_t at;

    if (f->place == ET_QP_ACTION) {
        const char *key = strrchr(f->path, '.');

        key = key ? key + 1 : f->path;
        v = get(e->action, key);
        name = key;
    } else if (f->place == ET_QP_ISSUE) {
        return cmp_list(n, get(e->s->rec, "issues"), strrchr(f->path, '.') + 1,
                        f->path, b);
    } else if (!strcmp(f->path, "state")) {
        return cmp_state(n, e, b);
    } else if (!strcmp(f->path, "n_actions") ||
               !strcmp(f->path, "n_failed_actions")) {
        return counted(n, e, b);
    } else {
        if (is_derived(name)) {
            say(b, "%s is what the analysis decides: not a criterion", name);
            return R_UNKNOWN;
        }
        v = at_path(e->s->rec, n->json_path ? n->json_path : f->path);
        if (!v && phase_missing(e->s, name)) {
            say(b, "%s is not recorded", name);
            return R_UNKNOWN;
        }
        if (f->type == ET_QT_LIST)
            return cmp_list(
                n, v && json_object_is_type(v, json_type_array) ? v : NULL,
                NULL, name, b);
    }
    if (!v) {
        say(b, "%s is missing", name);
        return negative(n) ? R_PASS : R_FAIL;
    }
    {
        bool ok = holds(n, v, &at);

        say_value(b, name, v, at);
        return ok != negative(n) ? R_PASS : R_FAIL;
    }
}

/* ---- free text: the phrase's words in order, like FTS5 unicode61 ---- */

static bool word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           c >= 0x80;
}

/* " w1 w2 ... " lower case */
static int words(const char *s, size_t len, struct et_buf *out)
{
    bool in = false;
    int rc = et_buf_addch(out, ' ');

    for (size_t i = 0; !rc && i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (word_byte(c)) {
            rc = et_buf_addch(out, (char)lower(c));
            in = true;
        } else if (in) {
            rc = et_buf_addch(out, ' ');
            in = false;
        }
    }
    if (!rc && in)
        rc = et_buf_addch(out, ' ');
    return rc;
}

static bool text_has(struct json_object *v, const char *phrase)
{
    struct et_buf w = ET_BUF_INIT;
    const char *s;
    bool found;

    if (!v)
        return false;
    if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(v); i++)
            if (text_has(json_object_array_get_idx(v, i), phrase))
                return true;
        return false;
    }
    s = text_of(v);
    found = s && !words(s, strlen(s), &w) && strstr(et_buf_str(&w), phrase);
    et_buf_release(&w);
    return found;
}

static int eval_text(const struct et_qnode *n, const struct ev *e,
                     struct et_buf *b)
{
    static const char *const paths[] = {
        "main_agent_context.user_request",
        "main_agent_context.main_agent_reasoning",
        "main_agent_context.expected_outcome",
        "main_agent_context.risk_assessment",
        "delegation.prompt_sent",
        "delegation.context_provided",
        "delegation.instructions",
        "output.raw_response",
        "output.files_modified",
        "output.commands_executed",
        "output.api_calls_made"};
    static const char *const akeys[] = {"tool", "action", "input", "output",
                                        "error"};
    struct et_buf p = ET_BUF_INIT;
    struct json_object *acts = actions_of(e->s);
    int r = R_FAIL;

    if (words(n->text, n->text_len, &p))
        return R_UNKNOWN;
    for (size_t i = 0; r == R_FAIL && i < ET_ARRAY_SIZE(paths); i++) {
        if (text_has(at_path(e->s->rec, paths[i]), et_buf_str(&p))) {
            say(b, "\"%.*s\" occurs in %s", (int)n->text_len, n->text,
                paths[i]);
            r = R_PASS;
        }
    }
    for (size_t i = 0;
         r == R_FAIL && acts && i < json_object_array_length(acts); i++) {
        struct json_object *a = json_object_array_get_idx(acts, i);

        for (size_t k = 0; r == R_FAIL && k < ET_ARRAY_SIZE(akeys); k++) {
            if (text_has(get(a, akeys[k]), et_buf_str(&p))) {
                say(b, "\"%.*s\" occurs in action #%zu (%s) %s",
                    (int)n->text_len, n->text, i + 1,
                    json_object_get_string(get(a, "tool")), akeys[k]);
                r = R_PASS;
            }
        }
    }
    if (r == R_FAIL)
        say(b, "\"%.*s\" occurs nowhere in the execution", (int)n->text_len,
            n->text);
    et_buf_release(&p);
    return r;
}

/* ---- composition (Kleene logic: unknown stays unknown) ---- */

static int eval(const struct et_qnode *n, struct ev *e, struct et_buf *b);

static int eval_action(const struct et_qnode *n, struct ev *e, struct et_buf *b)
{
    struct json_object *acts = actions_of(e->s);
    size_t len = acts ? json_object_array_length(acts) : 0;
    struct et_buf tmp = ET_BUF_INIT;
    int r = R_FAIL;

    for (size_t i = 0; i < len && r != R_PASS; i++) {
        struct json_object *a = json_object_array_get_idx(acts, i);
        struct json_object *sq = get(a, "sequence");
        struct ev sub = {e->s, a,
                         sq ? (long)json_object_get_int64(sq) : (long)i + 1};
        int k;

        et_buf_reset(&tmp);
        k = eval(n->kids, &sub, &tmp);
        if (k == R_PASS) {
            say(b, "action #%ld (%s): %s", sub.action_no,
                json_object_get_string(get(a, "tool")), et_buf_str(&tmp));
            r = R_PASS;
        } else if (k == R_UNKNOWN) {
            r = R_UNKNOWN;
        }
    }
    if (r != R_PASS)
        say(b, len ? "no action of %zu matches" : "no actions were recorded",
            len);
    et_buf_release(&tmp);
    return r;
}

static int eval_bool(const struct et_qnode *n, struct ev *e, struct et_buf *b)
{
    bool is_and = n->kind == ET_QN_AND;
    /* the result that decides at once, and the one that needs all kids */
    int decisive = is_and ? R_FAIL : R_PASS;
    int all = is_and ? R_PASS : R_FAIL;
    struct et_buf kid = ET_BUF_INIT, joined = ET_BUF_INIT;
    int r = all;

    for (const struct et_qnode *k = n->kids; k; k = k->next) {
        int x;

        et_buf_reset(&kid);
        x = eval(k, e, &kid);
        if (x == decisive) {
            say(b, "%s", et_buf_str(&kid));
            r = decisive;
            goto out;
        }
        if (x == R_UNKNOWN && r != R_UNKNOWN) {
            r = R_UNKNOWN;
            et_buf_reset(&joined);
            say(&joined, "%s", et_buf_str(&kid));
        } else if (r != R_UNKNOWN) {
            say(&joined, "%s%s", joined.len ? "; " : "", et_buf_str(&kid));
        }
    }
    say(b, "%s", et_buf_str(&joined));
out:
    et_buf_release(&kid);
    et_buf_release(&joined);
    return r;
}

static int eval(const struct et_qnode *n, struct ev *e, struct et_buf *b)
{
    int r;

    switch (n->kind) {
    case ET_QN_AND:
    case ET_QN_OR:
        return eval_bool(n, e, b);
    case ET_QN_NOT:
        r = eval(n->kids, e, b);
        return r == R_UNKNOWN ? r : r == R_PASS ? R_FAIL : R_PASS;
    case ET_QN_CMP:
        return eval_cmp(n, e, b);
    case ET_QN_TEXT:
        return eval_text(n, e, b);
    case ET_QN_ACTION:
        return eval_action(n, e, b);
    }
    return R_UNKNOWN;
}

enum et_criterion_result et__criterion_eval(const struct et_query *q,
                                            const struct et__subject *s,
                                            struct et_buf *evidence)
{
    struct ev e = {s, NULL, 0};

    if (!q->where) {
        say(evidence, "an empty criterion holds for every execution");
        return ET_CRITERION_PASSED;
    }
    return (enum et_criterion_result)eval(q->where, &e, evidence);
}
