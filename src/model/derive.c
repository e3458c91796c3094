/* SPDX-License-Identifier: MIT */
/*
 * Derived output lists: what an action's tool and input say it changed, ran
 * or called. The tables below are the documented rules (docs/RECORD.md).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "codec/json.h"
#include "config/yaml.h"
#include "model/derive.h"

#define PATH_MAX_LEN 4096 /* a plain-text input longer than this is no path */
#define WORDS_MAX    24   /* words of one Bash command segment looked at */

/* One rule: a tool (or program) name and the input field (or recording
 * style) it maps to. Strings are static or owned by the table. */
struct rule {
    const char *name;
    const char *field;
};

/* The built-in table (docs/RECORD.md "Derived lists"). */

/* Tools that write a file, and the input field that names it. */
static const struct rule builtin_files[] = {
    {"Write", "file_path"},
    {"Edit", "file_path"},
    {"MultiEdit", "file_path"},
    {"NotebookEdit", "notebook_path"},
    {"str_replace_based_edit_tool", "path"},
    {"apply_patch", "path"}};
/* Tools that run a shell command, and the input field that holds it. */
static const struct rule builtin_commands[] = {{"Bash", "command"}};
/* Tools that call an external service: recorded as "<tool> <field value>". */
static const struct rule builtin_apis[] = {{"WebFetch", "url"},
                                           {"WebSearch", "query"}};
/* Programs in a shell command that reach a network service: "url" ones are
 * recorded with their first URL, "subcommand" ones with their first two
 * non-option words (`aws s3 ls`, `gh pr create`). */
static const struct rule builtin_net[] = {{"curl", "url"},
                                          {"wget", "url"},
                                          {"http", "url"},
                                          {"https", "url"},
                                          {"xh", "url"},
                                          {"httpie", "url"},
                                          {"gh", "subcommand"},
                                          {"aws", "subcommand"},
                                          {"gcloud", "subcommand"},
                                          {"gsutil", "subcommand"},
                                          {"bq", "subcommand"},
                                          {"az", "subcommand"},
                                          {"kubectl", "subcommand"},
                                          {"helm", "subcommand"},
                                          {"doctl", "subcommand"},
                                          {"heroku", "subcommand"},
                                          {"vercel", "subcommand"},
                                          {"netlify", "subcommand"},
                                          {"fly", "subcommand"},
                                          {"flyctl", "subcommand"},
                                          {"stripe", "subcommand"},
                                          {"firebase", "subcommand"},
                                          {"glab", "subcommand"},
                                          {"hub", "subcommand"}};
/* Words that run the next word as the command. */
static const char *const prefixes[] = {"sudo", "env",     "time", "nohup",
                                       "exec", "command", "nice", "timeout"};
/* Options of the network CLIs that take the next word as their value, so
 * that `kubectl -n prod get pods` is "kubectl get pods". */
static const char *const value_opts[] = {"-n",
                                         "--namespace",
                                         "--context",
                                         "--kubeconfig",
                                         "--cluster",
                                         "--profile",
                                         "--region",
                                         "--project",
                                         "--account",
                                         "--repo",
                                         "-R",
                                         "--subscription",
                                         "--endpoint-url",
                                         "--zone",
                                         "--app",
                                         "-a",
                                         "--team",
                                         "--scope",
                                         "--configuration"};

enum { L_FILES, L_COMMANDS, L_APIS, L_NET, L_COUNT };

struct et__derive_table {
    struct rule *rules[L_COUNT];
    size_t n[L_COUNT];
    char **owned; /* strings the table allocated */
    size_t n_owned;
};

/* The lists a table (NULL: the built-in one) holds. */
static const struct rule *rules_of(const struct et__derive_table *tab, int l,
                                   size_t *n_out)
{
    static const struct {
        const struct rule *r;
        size_t n;
    } builtin[L_COUNT] = {{builtin_files, ET_ARRAY_SIZE(builtin_files)},
                          {builtin_commands, ET_ARRAY_SIZE(builtin_commands)},
                          {builtin_apis, ET_ARRAY_SIZE(builtin_apis)},
                          {builtin_net, ET_ARRAY_SIZE(builtin_net)}};

    if (tab) {
        *n_out = tab->n[l];
        return tab->rules[l];
    }
    *n_out = builtin[l].n;
    return builtin[l].r;
}

static const struct rule *find_rule(const struct et__derive_table *tab, int l,
                                    const char *name)
{
    size_t n;
    const struct rule *r = rules_of(tab, l, &n);

    for (size_t i = 0; i < n; i++)
        if (!strcmp(r[i].name, name))
            return &r[i];
    return NULL;
}

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
static bool has_url(const struct words *w, size_t from)
{
    for (size_t j = from; j < w->n; j++)
        if (strstr(word(w, j), "://"))
            return true;
    return false;
}

static int segment_call(const struct et__derive_table *tab,
                        const struct words *w, struct et_buf *item,
                        et__derived_fn *fn, void *ctx)
{
    size_t i = 0, taken = 0;
    const struct rule *r;
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
    r = find_rule(tab, L_NET, prog);
    if (!r)
        return 0;
    is_url = !strcmp(r->field, "url") ||
             (!strcmp(r->field, "auto") && has_url(w, i + 1));
    et_buf_reset(item);
    rc = et_buf_addstr(item, prog);
    for (size_t j = i + 1; !rc && j < w->n && taken < 2; j++) {
        const char *a = word(w, j);

        if (is_url && !strstr(a, "://"))
            continue;
        if (!is_url && a[0] == '-') {
            /* an option's value is no subcommand */
            if (!strchr(a, '=') &&
                in_list(a, value_opts, ET_ARRAY_SIZE(value_opts)))
                j++;
            continue;
        }
        rc = et_buf_printf(item, " %s", a);
        taken += is_url ? 2 : 1;
    }
    if (rc)
        return rc;
    return fn(ctx, ET__DERIVED_API_CALLS, item->ptr, item->len);
}

/* Every network call in a Bash command: segments split at ; & | and
 * newlines outside quotes. */
static int bash_calls(const struct et__derive_table *tab, const char *cmd,
                      et__derived_fn *fn, void *ctx)
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
                rc = segment_call(tab, &w, &item, fn, ctx);
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

/* The value of a rule's input field, or the plain-text input. */
static const char *field_of(struct json_object *in, const char *plain,
                            const struct rule *r)
{
    return in ? json_object_get_string(et__jget(in, r->field)) : plain;
}

static int by_tool(const struct et__derive_table *tab, const char *tool,
                   struct json_object *in, const char *plain,
                   et__derived_fn *fn, void *ctx)
{
    const struct rule *r;

    if ((r = find_rule(tab, L_FILES, tool))) {
        if (in)
            return emit_str(fn, ctx, ET__DERIVED_FILES, field_of(in, NULL, r));
        if (plain && !strchr(plain, '\n') && strlen(plain) <= PATH_MAX_LEN)
            return emit_str(fn, ctx, ET__DERIVED_FILES, plain);
        return 0;
    }
    if ((r = find_rule(tab, L_COMMANDS, tool))) {
        const char *cmd = field_of(in, plain, r);
        int rc = emit_str(fn, ctx, ET__DERIVED_COMMANDS, cmd);

        return rc || !cmd ? rc : bash_calls(tab, cmd, fn, ctx);
    }
    if ((r = find_rule(tab, L_APIS, tool)))
        return emit_prefixed(fn, ctx, tool, field_of(in, plain, r));
    if (!strncmp(tool, "mcp__", 5))
        return mcp_call(tool, fn, ctx);
    return 0;
}

int et__derive_action_with(const struct et__derive_table *tab,
                           struct json_object *action, et__derived_fn *fn,
                           void *ctx)
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
    rc = by_tool(tab, tool, in, plain, fn, ctx);
    json_object_put(parsed);
    return rc;
}

int et__derive_action(struct json_object *action, et__derived_fn *fn, void *ctx)
{
    return et__derive_action_with(NULL, action, fn, ctx);
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
    s = et__jnew_string_len(item, (int)len);
    if (!s || et__jappend(c->lists[k], s)) {
        json_object_put(s);
        return ET_ENOMEM;
    }
    c->slots[k][j] = h;
    c->n[k]++;
    return 0;
}

int et__derive_complete(struct json_object *rec)
{
    return et__derive_complete_with(NULL, rec);
}

int et__derive_complete_with(const struct et__derive_table *tab,
                             struct json_object *rec)
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

        c.lists[k] = et__jnew_array();
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

            if (et__jappend(c.lists[k], json_object_get(v))) {
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
        rc = et__derive_action_with(tab, json_object_array_get_idx(acts, i),
                                    add_item, &c);
    if (!rc && !out) {
        bool any = false;

        for (int k = 0; k < 3; k++)
            any = any || (c.lists[k] && json_object_array_length(c.lists[k]));
        out = any ? et__jnew_object() : NULL;
        if (any && (!out || et__jadd(rec, "output", out))) {
            json_object_put(out);
            rc = ET_ENOMEM;
        }
    }
    for (int k = 0; k < 3; k++) {
        if (!rc && c.lists[k] && json_object_array_length(c.lists[k])) {
            if (et__jadd(out, et__derived_key((enum et__derived)k), c.lists[k]))
                rc = ET_ENOMEM;
            else
                c.lists[k] = NULL;
        }
        json_object_put(c.lists[k]);
        et__free(c.slots[k]);
    }
    return rc;
}

/* ---- models used ---- */

static int model_add(struct json_object *set, struct json_object *v)
{
    if (!v || !json_object_is_type(v, json_type_string) ||
        !json_object_get_string_len(v) ||
        json_object_object_get_ex(set, json_object_get_string(v), NULL))
        return 0;
    return et__jadd(set, json_object_get_string(v), NULL) ? ET_ENOMEM : 0;
}

static int model_cmp(const void *a, const void *b)
{
    return strcmp(json_object_get_string(*(struct json_object *const *)a),
                  json_object_get_string(*(struct json_object *const *)b));
}

int et__derive_models(struct json_object *rec)
{
    struct json_object *meta = et__jget(rec, "agent_metadata");
    struct json_object *usage = et__jget(et__jget(rec, "output"), "usage");
    struct json_object *acts =
        et__jget(et__jget(rec, "execution"), "actions_taken");
    struct json_object *set, *list, *given = et__jget(meta, "models_used");
    int rc = 0;

    if (!meta || !json_object_is_type(meta, json_type_object) ||
        (given && !json_object_is_type(given, json_type_array)))
        return 0; /* shown as stored */
    set = et__jnew_object();
    if (!set)
        return ET_ENOMEM;
    for (size_t i = 0; !rc && given && i < json_object_array_length(given); i++)
        rc = model_add(set, json_object_array_get_idx(given, i));
    if (usage && json_object_is_type(usage, json_type_object)) {
        struct json_object *u = et__jget(usage, "models_used");

        for (size_t i = 0;
             !rc && u && json_object_is_type(u, json_type_array) &&
             i < json_object_array_length(u);
             i++)
            rc = model_add(set, json_object_array_get_idx(u, i));
        if (!rc)
            rc = model_add(set, et__jget(usage, "resolved_model"));
    }
    {
        /* the models of Claude Code's api_request telemetry */
        struct json_object *tm =
            et__jget(et__jget(meta, "telemetry_usage"), "models");

        if (tm && json_object_is_type(tm, json_type_object)) {
            json_object_object_foreach(tm, mk, mv)
            {
                (void)mv;
                if (!rc && *mk && strcmp(mk, "unknown") != 0 &&
                    !json_object_object_get_ex(set, mk, NULL))
                    rc = et__jadd(set, mk, NULL) ? ET_ENOMEM : 0;
            }
        }
    }
    for (size_t i = 0;
         !rc && acts && json_object_is_type(acts, json_type_array) &&
         i < json_object_array_length(acts);
         i++)
        rc = model_add(set,
                       et__jget(json_object_array_get_idx(acts, i), "model"));
    if (rc || !json_object_object_length(set)) {
        json_object_put(set);
        return rc;
    }
    list = et__jnew_array_ext((int)json_object_object_length(set));
    if (!list) {
        json_object_put(set);
        return ET_ENOMEM;
    }
    json_object_object_foreach(set, k, v)
    {
        struct json_object *m = rc ? NULL : et__jnew_string(k);

        (void)v;
        if (!rc && (!m || et__jappend(list, m))) {
            json_object_put(m);
            rc = ET_ENOMEM;
        }
    }
    json_object_put(set);
    if (!rc) {
        json_object_array_sort(list, model_cmp);
        rc = et__jadd(meta, "models_used", list) ? ET_ENOMEM : 0;
        if (!rc)
            return 0;
    }
    json_object_put(list);
    return rc;
}

/* ---- the table from config.yaml's capture: section ---- */

#define RULES_MAX    256 /* entries per list, built-in ones included */
#define NAME_MAX_LEN 256

void et__derive_table_free(struct et__derive_table *tab)
{
    if (!tab)
        return;
    for (int l = 0; l < L_COUNT; l++)
        et__free(tab->rules[l]);
    for (size_t i = 0; i < tab->n_owned; i++)
        et__free(tab->owned[i]);
    et__free(tab->owned);
    et__free(tab);
}

static const char *own(struct et__derive_table *tab, const char *s)
{
    char **o, *d;

    o = et__realloc(tab->owned, (tab->n_owned + 1) * sizeof(*o));
    if (!o)
        return NULL;
    tab->owned = o;
    d = et__strdup(s);
    if (d)
        tab->owned[tab->n_owned++] = d;
    return d;
}

/* Set (field non-NULL) or remove (field NULL) list l's rule for name. */
static int put_rule(struct et__derive_table *tab, int l, const char *name,
                    const char *field)
{
    struct rule *r = tab->rules[l];
    size_t i;

    for (i = 0; i < tab->n[l] && strcmp(r[i].name, name); i++)
        ;
    if (!field) {
        if (i < tab->n[l]) {
            memmove(&r[i], &r[i + 1], (tab->n[l] - i - 1) * sizeof(*r));
            tab->n[l]--;
        }
        return ET_OK;
    }
    if (i == tab->n[l]) {
        if (tab->n[l] == RULES_MAX)
            return ET_ETOOBIG;
        r = et__realloc(r, (tab->n[l] + 1) * sizeof(*r));
        if (!r)
            return ET_ENOMEM;
        tab->rules[l] = r;
        r[i].name = own(tab, name);
        if (!r[i].name)
            return ET_ENOMEM;
        tab->n[l]++;
    }
    r[i].field = own(tab, field);
    return r[i].field ? ET_OK : ET_ENOMEM;
}

/* A tool or program name: printable, no spaces, not too long. */
static bool good_name(const char *s, bool is_program)
{
    size_t n = strlen(s);

    if (!n || n > NAME_MAX_LEN)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= ' ' || c == 0x7f || (is_program && c == '/'))
            return false;
    }
    return true;
}

static const char *const list_keys[L_COUNT] = {"file_tools", "command_tools",
                                               "api_tools", "network_commands"};

static int load_entry(struct et__derive_table *tab, int l,
                      const struct et_yaml_doc *d, struct json_object *node,
                      const char *name, struct json_object *v,
                      struct et_error *err)
{
    const char *key = list_keys[l];
    const char *field = NULL;
    int rc;

    if (!good_name(name, l == L_NET))
        return et_yaml_error(d, node, err, "capture.%s: '%s' is not a %s name",
                             key, name, l == L_NET ? "program" : "tool");
    if (v && !json_object_is_type(v, json_type_null)) {
        if (!json_object_is_type(v, json_type_string) ||
            !good_name(json_object_get_string(v), false))
            return et_yaml_error(
                d, v, err, "capture.%s.%s: expected %s or null (to remove it)",
                key, name,
                l == L_NET ? "url, subcommand or auto" : "an input field name");
        field = json_object_get_string(v);
        if (l == L_NET && strcmp(field, "url") && strcmp(field, "subcommand") &&
            strcmp(field, "auto"))
            return et_yaml_error(d, v, err,
                                 "capture.%s.%s: unknown style '%s' (known: "
                                 "url, subcommand, auto)",
                                 key, name, field);
    }
    rc = put_rule(tab, l, name, field);
    if (rc == ET_ETOOBIG)
        return et_yaml_error(d, node, err, "capture.%s: more than %d entries",
                             key, RULES_MAX);
    if (rc)
        return et_error_set(err, rc, "out of memory");
    return ET_OK;
}

static int load_list(struct et__derive_table *tab, int l,
                     const struct et_yaml_doc *d, struct json_object *v,
                     struct et_error *err)
{
    int rc = ET_OK;

    if (!v || json_object_is_type(v, json_type_null))
        return ET_OK;
    if (json_object_is_type(v, json_type_object)) {
        json_object_object_foreach(v, name, val)
        {
            rc = load_entry(tab, l, d, val ? val : v, name, val, err);
            if (rc)
                return rc;
        }
        return ET_OK;
    }
    if (l == L_NET && json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; !rc && i < json_object_array_length(v); i++) {
            struct json_object *e = json_object_array_get_idx(v, i);

            if (!json_object_is_type(e, json_type_string))
                return et_yaml_error(d, e, err,
                                     "capture.%s: expected a program name",
                                     list_keys[l]);
            if (!good_name(json_object_get_string(e), true))
                return et_yaml_error(d, e, err,
                                     "capture.%s: '%s' is not a program name",
                                     list_keys[l], json_object_get_string(e));
            rc = put_rule(tab, l, json_object_get_string(e), "auto");
            if (rc == ET_ETOOBIG)
                return et_yaml_error(d, e, err,
                                     "capture.%s: more than %d entries",
                                     list_keys[l], RULES_MAX);
            if (rc)
                return et_error_set(err, rc, "out of memory");
        }
        return ET_OK;
    }
    return et_yaml_error(d, v, err, "capture.%s: expected a mapping%s",
                         list_keys[l],
                         l == L_NET ? " or a list of program names" : "");
}

int et__derive_table_load(const struct et_yaml_doc *d,
                          struct json_object *capture,
                          struct et__derive_table **out, struct et_error *err)
{
    struct et__derive_table *tab;
    int rc = ET_OK;

    *out = NULL;
    if (capture && !json_object_is_type(capture, json_type_null) &&
        !json_object_is_type(capture, json_type_object))
        return et_yaml_error(d, capture, err, "capture: expected a mapping");
    tab = et__calloc(1, sizeof(*tab));
    if (!tab)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    for (int l = 0; !rc && l < L_COUNT; l++) {
        size_t n;
        const struct rule *b = rules_of(NULL, l, &n);

        tab->rules[l] = et__calloc(n, sizeof(*b));
        if (!tab->rules[l])
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
        else
            memcpy(tab->rules[l], b, n * sizeof(*b));
        tab->n[l] = n;
    }
    if (!rc && capture && json_object_is_type(capture, json_type_object)) {
        json_object_object_foreach(capture, k, v)
        {
            int l = 0;

            while (l < L_COUNT && strcmp(k, list_keys[l]))
                l++;
            if (l == L_COUNT) {
                rc = et_yaml_error(d, v ? v : capture, err,
                                   "capture: unknown setting '%s' (known: "
                                   "file_tools, command_tools, api_tools, "
                                   "network_commands)",
                                   k);
                break;
            }
            rc = load_list(tab, l, d, v, err);
            if (rc)
                break;
        }
    }
    if (rc) {
        et__derive_table_free(tab);
        return rc;
    }
    *out = tab;
    return ET_OK;
}
