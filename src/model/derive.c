/* SPDX-License-Identifier: MIT */
/*
 * Derived output lists: what an action's tool and input say it changed, ran
 * or called. The tables below are the documented rules (docs/RECORD.md).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "codec/json.h"
#include "model/derive.h"

#define PATH_MAX_LEN 4096 /* a plain-text input longer than this is no path */
#define WORDS_MAX    24   /* words of one Bash command segment looked at */

/* Tools that write a file, and the input field that names it. */
static const struct {
    const char *tool;
    const char *field;
} writers[] = {{"Write", "file_path"},
               {"Edit", "file_path"},
               {"MultiEdit", "file_path"},
               {"NotebookEdit", "notebook_path"},
               {"str_replace_based_edit_tool", "path"},
               {"apply_patch", "path"}};

/* Programs in a Bash command that reach a network service. The URL ones
 * are recorded with their first URL, the others with their first two
 * non-option words (`aws s3 ls`, `gh pr create`). */
static const char *const url_tools[] = {"curl",  "wget", "http",
                                        "https", "xh",   "httpie"};
static const char *const cli_tools[] = {
    "gh",      "aws",    "gcloud", "gsutil",   "bq",     "az",
    "kubectl", "helm",   "doctl",  "heroku",   "vercel", "netlify",
    "fly",     "flyctl", "stripe", "firebase", "glab",   "hub"};
/* Words that run the next word as the command. */
static const char *const prefixes[] = {"sudo", "env",     "time", "nohup",
                                       "exec", "command", "nice", "timeout"};

const char *et__derived_key(enum et__derived kind)
{
    static const char *const keys[] = {"files_modified", "commands_executed",
                                       "api_calls_made"};

    return keys[kind];
}

static bool in_list(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(w, list[i]))
            return true;
    return false;
}

/* ---- Bash command segments ---- */

struct words {
    struct et_buf text; /* words, each NUL-terminated */
    size_t at[WORDS_MAX];
    size_t n;
};

/* Split one segment [s, e) into shell words (quotes removed, escapes
 * honoured; no expansion). */
static int split_words(const char *s, const char *e, struct words *w)
{
    bool in_word = false;
    char quote = 0;
    int rc = ET_OK;

    et_buf_reset(&w->text);
    w->n = 0;
    for (; !rc && s < e; s++) {
        char c = *s;

        if (!quote && (c == ' ' || c == '\t')) {
            if (in_word)
                rc = et_buf_addch(&w->text, '\0');
            in_word = false;
            continue;
        }
        if (!in_word) {
            if (w->n == WORDS_MAX)
                break;
            w->at[w->n++] = w->text.len;
            in_word = true;
        }
        if (quote && c == quote) {
            quote = 0;
        } else if (!quote && (c == '\'' || c == '"')) {
            quote = c;
        } else if (c == '\\' && quote != '\'' && s + 1 < e) {
            rc = et_buf_addch(&w->text, *++s);
        } else {
            rc = et_buf_addch(&w->text, c);
        }
    }
    if (!rc && in_word)
        rc = et_buf_addch(&w->text, '\0');
    return rc;
}

static const char *word(const struct words *w, size_t i)
{
    return w->text.ptr + w->at[i];
}

static const char *base_name(const char *p)
{
    const char *slash = strrchr(p, '/');

    return slash ? slash + 1 : p;
}

/* The API call one segment makes, if its program is a network tool. */
static int segment_call(const struct words *w, struct et_buf *item,
                        et__derived_fn *fn, void *ctx)
{
    size_t i = 0, taken = 0;
    const char *prog;
    bool is_url;
    int rc;

    /* skip VAR=value assignments and wrappers such as sudo, with options */
    while (i < w->n &&
           (strchr(word(w, i), '=') || word(w, i)[0] == '-' ||
            in_list(base_name(word(w, i)), prefixes, ET_ARRAY_SIZE(prefixes))))
        i++;
    if (i == w->n)
        return 0;
    prog = base_name(word(w, i));
    is_url = in_list(prog, url_tools, ET_ARRAY_SIZE(url_tools));
    if (!is_url && !in_list(prog, cli_tools, ET_ARRAY_SIZE(cli_tools)))
        return 0;
    et_buf_reset(item);
    rc = et_buf_addstr(item, prog);
    for (size_t j = i + 1; !rc && j < w->n; j++) {
        const char *a = word(w, j);

        if (is_url ? !strstr(a, "://") : (a[0] == '-' || taken == 2))
            continue;
        rc = et_buf_printf(item, " %s", a);
        taken++;
        if (is_url)
            break;
    }
    if (rc)
        return rc;
    return fn(ctx, ET__DERIVED_API_CALLS, item->ptr, item->len);
}

/* Every network call in a Bash command: segments split at ; & | and
 * newlines outside quotes. */
static int bash_calls(const char *cmd, et__derived_fn *fn, void *ctx)
{
    struct words w;
    struct et_buf item = ET_BUF_INIT;
    const char *seg = cmd, *p;
    char quote = 0;
    int rc = 0;

    memset(&w, 0, sizeof(w));
    for (p = cmd; !rc; p++) {
        char c = *p;

        if (c && quote) {
            if (c == quote)
                quote = 0;
            else if (c == '\\' && quote == '"' && p[1])
                p++;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            continue;
        }
        if (c == '\\' && p[1]) {
            p++;
            continue;
        }
        if (c && c != ';' && c != '&' && c != '|' && c != '\n' && c != '(' &&
            c != ')')
            continue;
        if (p > seg) {
            rc = split_words(seg, p, &w);
            if (!rc)
                rc = segment_call(&w, &item, fn, ctx);
        }
        if (!c)
            break;
        seg = p + 1;
    }
    et_buf_release(&w.text);
    et_buf_release(&item);
    return rc;
}

/* ---- one action ---- */

static int emit_str(et__derived_fn *fn, void *ctx, enum et__derived kind,
                    const char *s)
{
    size_t n = s ? strlen(s) : 0;

    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        n--;
    return n ? fn(ctx, kind, s, n) : 0;
}

static int emit_prefixed(et__derived_fn *fn, void *ctx, const char *tool,
                         const char *what)
{
    struct et_buf b = ET_BUF_INIT;
    int rc;

    if (!what || !*what)
        return 0;
    rc = et_buf_printf(&b, "%s %s", tool, what);
    if (!rc)
        rc = fn(ctx, ET__DERIVED_API_CALLS, b.ptr, b.len);
    et_buf_release(&b);
    return rc;
}

/* mcp__<server>__<tool> -> "<server>.<tool>" */
static int mcp_call(const char *tool, et__derived_fn *fn, void *ctx)
{
    const char *server = tool + 5, *sep = strstr(server, "__");
    struct et_buf b = ET_BUF_INIT;
    int rc;

    if (!sep || sep == server || !sep[2])
        return 0;
    rc = et_buf_printf(&b, "%.*s.%s", (int)(sep - server), server, sep + 2);
    if (!rc)
        rc = fn(ctx, ET__DERIVED_API_CALLS, b.ptr, b.len);
    et_buf_release(&b);
    return rc;
}

static int by_tool(const char *tool, struct json_object *in, const char *plain,
                   et__derived_fn *fn, void *ctx)
{
    for (size_t i = 0; i < ET_ARRAY_SIZE(writers); i++) {
        if (strcmp(tool, writers[i].tool) != 0)
            continue;
        if (in)
            return emit_str(
                fn, ctx, ET__DERIVED_FILES,
                json_object_get_string(et__jget(in, writers[i].field)));
        if (plain && !strchr(plain, '\n') && strlen(plain) <= PATH_MAX_LEN)
            return emit_str(fn, ctx, ET__DERIVED_FILES, plain);
        return 0;
    }
    if (!strcmp(tool, "Bash")) {
        const char *cmd =
            in ? json_object_get_string(et__jget(in, "command")) : plain;
        int rc = emit_str(fn, ctx, ET__DERIVED_COMMANDS, cmd);

        return rc || !cmd ? rc : bash_calls(cmd, fn, ctx);
    }
    if (!strcmp(tool, "WebFetch"))
        return emit_prefixed(fn, ctx, tool,
                             in ? json_object_get_string(et__jget(in, "url"))
                                : plain);
    if (!strcmp(tool, "WebSearch"))
        return emit_prefixed(fn, ctx, tool,
                             in ? json_object_get_string(et__jget(in, "query"))
                                : plain);
    if (!strncmp(tool, "mcp__", 5))
        return mcp_call(tool, fn, ctx);
    return 0;
}

int et__derive_action(struct json_object *action, et__derived_fn *fn, void *ctx)
{
    struct json_object *in = et__jget(action, "input"), *parsed = NULL;
    const char *tool = json_object_get_string(et__jget(action, "tool"));
    const char *plain = NULL;
    int rc;

    if (!tool ||
        !json_object_is_type(et__jget(action, "tool"), json_type_string))
        return 0;
    if (in && json_object_is_type(in, json_type_string)) {
        const char *s = json_object_get_string(in);
        size_t skip = strspn(s, " \t\r\n");

        if (s[skip] == '{') {
            rc = et_json_parse(s, strlen(s), NULL, &parsed, NULL);
            if (rc == ET_ENOMEM)
                return rc;
            if (!rc && !json_object_is_type(parsed, json_type_object)) {
                json_object_put(parsed);
                parsed = NULL;
            }
        }
        in = parsed;
        if (!parsed)
            plain = s;
    } else if (in && !json_object_is_type(in, json_type_object)) {
        in = NULL;
    }
    rc = by_tool(tool, in, plain, fn, ctx);
    json_object_put(parsed);
    return rc;
}

/* ---- completing a record ---- */

struct completion {
    struct json_object *lists[3]; /* NULL: kept as given */
    /* a set of the items added so far, per list: FNV-1a hashes with
     * linear probing; a hash hit is confirmed against the list */
    uint64_t *slots[3];
    size_t cap[3], n[3];
};

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

static int set_grow(struct completion *c, enum et__derived k)
{
    size_t cap = c->cap[k] ? c->cap[k] * 2 : 64;
    uint64_t *slots = et__calloc(cap, sizeof(*slots));

    if (!slots)
        return ET_ENOMEM;
    for (size_t i = 0; i < c->cap[k]; i++) {
        uint64_t h = c->slots[k][i];

        if (h) {
            size_t j = (size_t)(h % cap);

            while (slots[j])
                j = (j + 1) % cap;
            slots[j] = h;
        }
    }
    et__free(c->slots[k]);
    c->slots[k] = slots;
    c->cap[k] = cap;
    return 0;
}

static bool listed(struct json_object *list, const char *item, size_t len)
{
    size_t n = json_object_array_length(list);

    for (size_t i = 0; i < n; i++) {
        struct json_object *v = json_object_array_get_idx(list, i);

        if ((size_t)json_object_get_string_len(v) == len &&
            !memcmp(json_object_get_string(v), item, len))
            return true;
    }
    return false;
}

/* Look item up in list k's set: *slot_out is the free slot to remember it
 * in, or SIZE_MAX when the list holds it already. */
static int find_slot(struct completion *c, enum et__derived k, const char *item,
                     size_t len, uint64_t h, size_t *slot_out)
{
    size_t j;

    if ((c->n[k] + 1) * 2 > c->cap[k] && set_grow(c, k))
        return ET_ENOMEM;
    for (j = (size_t)(h % c->cap[k]); c->slots[k][j]; j = (j + 1) % c->cap[k])
        if (c->slots[k][j] == h && listed(c->lists[k], item, len)) {
            *slot_out = SIZE_MAX;
            return 0;
        }
    *slot_out = j;
    return 0;
}

/* A given item, already appended to the list as given (duplicates too):
 * remember it so that derived items do not repeat it. */
static int remember(struct completion *c, enum et__derived k, const char *item,
                    size_t len)
{
    uint64_t h = fnv1a(item, len);
    size_t j;
    int rc;

    c->n[k]++;
    rc = find_slot(c, k, item, len, h, &j);
    if (!rc && j != SIZE_MAX)
        c->slots[k][j] = h;
    return rc;
}

static int add_item(void *ctx, enum et__derived k, const char *item, size_t len)
{
    struct completion *c = ctx;
    struct json_object *s;
    uint64_t h = fnv1a(item, len);
    size_t j;
    int rc = find_slot(c, k, item, len, h, &j);

    if (rc || j == SIZE_MAX)
        return rc;
    s = json_object_new_string_len(item, (int)len);
    if (!s || json_object_array_add(c->lists[k], s)) {
        json_object_put(s);
        return ET_ENOMEM;
    }
    c->slots[k][j] = h;
    c->n[k]++;
    return 0;
}

int et__derive_complete(struct json_object *rec)
{
    struct json_object *out = et__jget(rec, "output");
    struct json_object *acts =
        et__jget(et__jget(rec, "execution"), "actions_taken");
    struct completion c;
    size_t n = acts && json_object_is_type(acts, json_type_array)
                   ? json_object_array_length(acts)
                   : 0;
    int rc = 0;

    memset(&c, 0, sizeof(c));
    if (!n)
        return 0;
    if (out && !json_object_is_type(out, json_type_object))
        return 0; /* a malformed output is shown as stored */
    for (int k = 0; !rc && k < 3; k++) {
        struct json_object *g =
            et__jget(out, et__derived_key((enum et__derived)k));

        c.lists[k] = json_object_new_array();
        if (!c.lists[k]) {
            rc = ET_ENOMEM;
            break;
        }
        /* the given items first, in their order (and in the set) */
        for (size_t i = 0;
             !rc && g && json_object_is_type(g, json_type_array) &&
             i < json_object_array_length(g);
             i++) {
            struct json_object *v = json_object_array_get_idx(g, i);

            if (json_object_array_add(c.lists[k], json_object_get(v))) {
                json_object_put(v);
                rc = ET_ENOMEM;
            } else if (json_object_is_type(v, json_type_string)) {
                rc =
                    remember(&c, (enum et__derived)k, json_object_get_string(v),
                             (size_t)json_object_get_string_len(v));
            }
        }
    }
    for (size_t i = 0; !rc && i < n; i++)
        rc =
            et__derive_action(json_object_array_get_idx(acts, i), add_item, &c);
    if (!rc && !out) {
        bool any = false;

        for (int k = 0; k < 3; k++)
            any = any || (c.lists[k] && json_object_array_length(c.lists[k]));
        out = any ? json_object_new_object() : NULL;
        if (any && (!out || json_object_object_add(rec, "output", out))) {
            json_object_put(out);
            rc = ET_ENOMEM;
        }
    }
    for (int k = 0; k < 3; k++) {
        if (!rc && c.lists[k] && json_object_array_length(c.lists[k])) {
            if (json_object_object_add(
                    out, et__derived_key((enum et__derived)k), c.lists[k]))
                rc = ET_ENOMEM;
            else
                c.lists[k] = NULL;
        }
        json_object_put(c.lists[k]);
        et__free(c.slots[k]);
    }
    return rc;
}
