/* SPDX-License-Identifier: MIT */
/*
 * Redaction and security classification inside the one ingest pipeline
 * (DESIGN section 8, docs/SECURITY.md): the trail's redactor (key file and
 * the `security:` section of config.yaml), the config.changed event that
 * records a change of the redaction settings, and the projection of
 * credentials and security-relevance reasons from each event.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "model/derive.h"
#include "config/config.h"
#include "redact/redact.h"
#include "trail/trail_int.h"

#include <ctype.h>
#include <fnmatch.h>
#include <sodium.h>

#define SETTINGS_META "redaction_settings"
#define WARNING_META  "config_warning"
#define MAX_LIST      256

/* Lower-case globs matched against the lower-cased path (no FNM_PATHNAME:
 * `*` crosses `/`; a leading "**" + "/" also matches at the top). */
static const char *const default_paths[] = {"**/.env*",
                                            "*secret*",
                                            "*auth*",
                                            "*credential*",
                                            "*config*",
                                            "*password*",
                                            "*.pem",
                                            "*.key",
                                            "*.p12",
                                            "*.pfx",
                                            "*.keystore",
                                            "**/id_rsa*",
                                            "**/id_ecdsa*",
                                            "**/id_ed25519*",
                                            "**/.ssh/*",
                                            "**/.aws/*",
                                            "**/.config/gcloud/*",
                                            "**/.azure/*",
                                            "**/.kube/config",
                                            "**/.docker/config.json",
                                            "**/.netrc",
                                            "**/.npmrc",
                                            "**/.pypirc",
                                            "**/.git-credentials",
                                            "**/.github/workflows/*",
                                            "**/.gitlab-ci.yml",
                                            "*.tfvars",
                                            "*.tfstate",
                                            NULL};
static const char *const default_apis[] = {
    "github", "gitlab", "aws",    "amazonaws", "gcp",   "googleapis",
    "azure",  "stripe", "openai", "anthropic", "slack", NULL};

struct et__security {
    struct et_redactor *redactor;
    uint8_t key[ET_REDACT_KEY_LEN];
    bool has_key;
    char *paths[MAX_LIST];
    char *apis[MAX_LIST];
    size_t n_paths, n_apis;
    char settings[512]; /* effective redaction settings, for the ledger */
    char warning[512];  /* config.yaml error the defaults replaced, or "" */
};

void et__security_free(struct et__security *s)
{
    if (!s)
        return;
    et__redactor_free(s->redactor);
    for (size_t i = 0; i < s->n_paths; i++)
        et__free(s->paths[i]);
    for (size_t i = 0; i < s->n_apis; i++)
        et__free(s->apis[i]);
    memset(s->key, 0, sizeof(s->key));
    et__free(s);
}

static char *lower_dup(const char *s)
{
    char *d = et__strdup(s);

    for (char *p = d; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

static int add_item(char **list, size_t *n, const char *s)
{
    if (*n == MAX_LIST)
        return ET_ETOOBIG;
    list[*n] = lower_dup(s);
    if (!list[*n])
        return ET_ENOMEM;
    (*n)++;
    return ET_OK;
}

/* A sequence of strings at sec.name, appended to list. */
static int config_list(const struct et_yaml_doc *d, struct json_object *sec,
                       const char *name, char **list, size_t *n,
                       struct et_error *err)
{
    struct json_object *a = et__jget(sec, name);

    if (!a || json_object_is_type(a, json_type_null))
        return ET_OK;
    if (!json_object_is_type(a, json_type_array))
        return et_yaml_error(d, a, err, "security.%s: expected a list", name);
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        struct json_object *v = json_object_array_get_idx(a, i);
        int rc;

        if (!json_object_is_type(v, json_type_string) ||
            !json_object_get_string_len(v))
            return et_yaml_error(
                d, v, err, "security.%s: expected a non-empty string", name);
        rc = add_item(list, n, json_object_get_string(v));
        if (rc)
            return et_yaml_error(d, v, err, "security.%s: %s", name,
                                 rc == ET_ETOOBIG ? "too many entries"
                                                  : "out of memory");
    }
    return ET_OK;
}

static int config_redaction(const struct et_yaml_doc *d,
                            struct json_object *sec, struct et__security *s,
                            struct et_error *err)
{
    struct json_object *red = et__jget(sec, "redaction"), *kinds;

    if (!red || json_object_is_type(red, json_type_null))
        return ET_OK;
    if (!json_object_is_type(red, json_type_object))
        return et_yaml_error(d, red, err,
                             "security.redaction: expected a mapping");
    json_object_object_foreach(red, k, v)
    {
        if (strcmp(k, "disabled_kinds") != 0)
            return et_yaml_error(d, v, err,
                                 "security.redaction: unknown setting '%s' "
                                 "(known: disabled_kinds)",
                                 k);
    }
    kinds = et__jget(red, "disabled_kinds");
    if (!kinds || json_object_is_type(kinds, json_type_null))
        return ET_OK;
    if (!json_object_is_type(kinds, json_type_array))
        return et_yaml_error(d, kinds, err,
                             "security.redaction.disabled_kinds: expected a "
                             "list of kinds");
    for (size_t i = 0; i < json_object_array_length(kinds); i++) {
        struct json_object *kv = json_object_array_get_idx(kinds, i);
        struct et_error e2 = ET_ERROR_INIT;

        if (!json_object_is_type(kv, json_type_string) ||
            et__redactor_disable(s->redactor, json_object_get_string(kv), &e2))
            return et_yaml_error(d, kv, err,
                                 "security.redaction.disabled_kinds: unknown "
                                 "kind '%s' (docs/SECURITY.md lists them)",
                                 json_object_get_string(kv));
    }
    return ET_OK;
}

static int load_config(struct et_trail *t, struct et__security *s,
                       struct et_error *err)
{
    struct et_yaml_doc *d = NULL;
    struct json_object *sec = NULL;
    int rc = et_config_load(t->dir, &d, err);

    if (!rc)
        rc = et_config_section_checked(d, "security", &sec, err);
    if (!rc && sec) {
        json_object_object_foreach(sec, k, v)
        {
            if (strcmp(k, "sensitive_paths") && strcmp(k, "apis") &&
                strcmp(k, "redaction")) {
                rc = et_yaml_error(d, v, err,
                                   "security: unknown setting '%s' (known: "
                                   "sensitive_paths, apis, redaction)",
                                   k);
                break;
            }
        }
    }
    if (!rc && sec)
        rc = config_list(d, sec, "sensitive_paths", s->paths, &s->n_paths, err);
    if (!rc && sec)
        rc = config_list(d, sec, "apis", s->apis, &s->n_apis, err);
    if (!rc && sec)
        rc = config_redaction(d, sec, s, err);
    et_yaml_free(d);
    return rc;
}

/* The defaults, plus config.yaml's security: section when use_config. */
static int security_new(struct et_trail *t, bool write, bool use_config,
                        struct et__security **out, struct et_error *err)
{
    struct et__security *s;
    int rc = ET_OK;

    *out = NULL;
    s = et__calloc(1, sizeof(*s));
    if (!s)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && default_paths[i]; i++)
        rc = add_item(s->paths, &s->n_paths, default_paths[i]);
    for (size_t i = 0; !rc && default_apis[i]; i++)
        rc = add_item(s->apis, &s->n_apis, default_apis[i]);
    if (rc) {
        et__security_free(s);
        return et_error_set(err, rc, "out of memory");
    }
    /* the key is made on the first write to a store older than redaction;
     * readers (rebuild included) never need it */
    rc = et__redact_key_load(t->dir, write, s->key, err);
    s->has_key = rc == ET_OK;
    if (rc == ET_ENOTFOUND && !write)
        rc = ET_OK;
    if (!rc)
        rc = et__redactor_new(s->key, ET_REDACT_PCRE2, &s->redactor, err);
    if (!rc && use_config)
        rc = load_config(t, s, err);
    if (rc) {
        et__security_free(s);
        return rc;
    }
    *out = s;
    return ET_OK;
}

int et__trail_security(struct et_trail *t, bool write, struct et_error *err)
{
    struct et__security *s = NULL;
    struct et_error cerr = ET_ERROR_INIT;
    char disabled[400];
    int rc;

    if (t->sec)
        return ET_OK;
    rc = security_new(t, write, true, &s, &cerr);
    if (rc == ET_EINPUT) {
        /* a config mistake never costs an event: every rule stays on (the
         * strictest setting) and the first write records the warning
         * (docs/RELIABILITY.md) */
        rc = security_new(t, write, false, &s, err);
        if (!rc) {
            snprintf(s->warning, sizeof(s->warning), "%s", cerr.msg);
            fprintf(stderr, "exectrail: warning: %s (using the defaults)\n",
                    cerr.msg);
        }
    } else if (rc && err) {
        *err = cerr;
    }
    if (rc)
        return rc;
    et__redactor_disabled(s->redactor, disabled, sizeof(disabled));
    snprintf(s->settings, sizeof(s->settings), "disabled_kinds=%s", disabled);
    t->sec = s;
    return ET_OK;
}

/* Record the effective redaction settings when they changed (never
 * silently off); the defaults on a new store are no change. */
static int settings_event(struct et_trail *t, et__emit_fn *emit,
                          struct et_error *err)
{
    char *stored = NULL, disabled[400];
    struct json_object *body, *kinds;
    int rc = et_store_meta_get(t->st, SETTINGS_META, &stored, NULL);
    bool same = rc == ET_OK && !strcmp(stored, t->sec->settings);
    bool is_default = !strcmp(t->sec->settings, "disabled_kinds=");

    et__free(stored);
    if (same)
        return ET_OK;
    if (rc == ET_ENOTFOUND && is_default)
        return et_store_meta_put(t->st, SETTINGS_META, t->sec->settings, err);
    body = et__jnew_object();
    kinds = et__jnew_array();
    if (!body || !kinds) {
        json_object_put(body);
        json_object_put(kinds);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    et__redactor_disabled(t->sec->redactor, disabled, sizeof(disabled));
    for (char *p = disabled, *tok; *p; p = tok) {
        tok = strchr(p, ',');
        et__jappend(kinds, et__jnew_string_len(p, tok ? (int)(tok - p)
                                                      : (int)strlen(p)));
        tok = tok ? tok + 1 : p + strlen(p);
    }
    et__jadd(body, "section", et__jnew_string("security.redaction"));
    et__jadd(body, "disabled_kinds", kinds);
    et__jadd(body, "rules", et__jnew_int64((int64_t)et__n_redact_rules));
    rc = emit(t, "config.changed", body, err);
    json_object_put(body);
    if (!rc)
        rc = et_store_meta_put(t->st, SETTINGS_META, t->sec->settings, err);
    return rc;
}

/* Record a config.yaml error that the defaults replaced, once per distinct
 * message (meta config_warning), as a config.warning event. */
static int warning_event(struct et_trail *t, et__emit_fn *emit,
                         struct et_error *err)
{
    struct json_object *body;
    char *stored = NULL;
    int rc;
    bool same;

    if (!t->sec->warning[0])
        return ET_OK;
    rc = et_store_meta_get(t->st, WARNING_META, &stored, NULL);
    same = rc == ET_OK && !strcmp(stored, t->sec->warning);
    et__free(stored);
    if (same)
        return ET_OK;
    body = et__jnew_object();
    for (size_t i = 0; body && i < 4; i++) {
        static const char *const keys[] = {"file", "section", "message",
                                           "effect"};
        const char *vals[] = {ET_CONFIG_FILE, "security", t->sec->warning,
                              "defaults used"};
        struct json_object *v = et__jnew_string(vals[i]);

        if (!v || et__jadd(body, keys[i], v)) {
            json_object_put(v);
            json_object_put(body);
            body = NULL;
        }
    }
    if (!body)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    rc = emit(t, "config.warning", body, err);
    json_object_put(body);
    if (!rc)
        rc = et_store_meta_put(t->st, WARNING_META, t->sec->warning, err);
    return rc;
}

int et__security_begin(struct et_trail *t, et__emit_fn *emit,
                       struct et_error *err)
{
    int rc = et__trail_security(t, true, err);

    if (!rc)
        rc = warning_event(t, emit, err);
    return rc ? rc : settings_event(t, emit, err);
}

int et__security_redact(struct et_trail *t, struct json_object *body,
                        struct et_error *err)
{
    size_t n = 0;
    int rc = et__trail_security(t, true, err);

    if (!rc)
        rc = et__redact_json(t->sec->redactor, body, &n, err);
    return rc;
}

/* ---- classification (projection) ---- */

struct cls {
    struct et_trail *t;
    const char *id;
    uint64_t seq;
    struct et_error *err;
};

static int reason(struct cls *c, const char *what, const char *s, size_t len)
{
    char r[256];

    snprintf(r, sizeof(r), "%s:%.*s", what, (int)(len > 200 ? 200 : len), s);
    return et_store_security_add(c->t->st, c->id, r, c->err);
}

static int on_marker(void *ctx, const char *kind, size_t kind_len,
                     const char *fp)
{
    struct cls *c = ctx;
    char k[48];
    int rc;

    snprintf(k, sizeof(k), "%.*s", (int)kind_len, kind);
    rc = et_store_cred_put(c->t->st, c->id, k, fp, c->seq, c->err);
    return rc ? rc : reason(c, "credential", k, strlen(k));
}

static int markers(struct cls *c, struct json_object *o)
{
    int rc = ET_OK;

    switch (json_object_get_type(o)) {
    case json_type_string:
        return et__redact_markers(json_object_get_string(o),
                                  (size_t)json_object_get_string_len(o),
                                  on_marker, c);
    case json_type_object: {
        json_object_object_foreach(o, k, v)
        {
            ET_UNUSED(k);
            rc = markers(c, v);
            if (rc)
                return rc;
        }
        return ET_OK;
    }
    case json_type_array:
        for (size_t i = 0; !rc && i < json_object_array_length(o); i++)
            rc = markers(c, json_object_array_get_idx(o, i));
        return rc;
    default:
        return ET_OK;
    }
}

static bool path_matches(const struct et__security *s, const char *path)
{
    char *low = lower_dup(path);
    bool hit = false;

    if (!low)
        return false;
    for (size_t i = 0; !hit && i < s->n_paths; i++) {
        const char *g = s->paths[i];

        hit = fnmatch(g, low, 0) == 0 ||
              (!strncmp(g, "**/", 3) && fnmatch(g + 3, low, 0) == 0);
    }
    et__free(low);
    return hit;
}

/* One list item: a sensitive path, or a call to a configured API. */
static int classify_item(struct cls *c, enum et__derived kind, const char *item)
{
    const struct et__security *s = c->t->sec;
    char *low;
    int rc = ET_OK;

    if (kind == ET__DERIVED_FILES)
        return path_matches(s, item) ? reason(c, "path", item, strlen(item))
                                     : ET_OK;
    if (kind != ET__DERIVED_API_CALLS)
        return ET_OK;
    low = lower_dup(item);
    for (size_t j = 0; !rc && low && j < s->n_apis; j++)
        if (strstr(low, s->apis[j]))
            rc = reason(c, "api", s->apis[j], strlen(s->apis[j]));
    et__free(low);
    return rc;
}

static int lists(struct cls *c, struct json_object *output)
{
    static const enum et__derived kinds[] = {ET__DERIVED_FILES,
                                             ET__DERIVED_API_CALLS};
    int rc = ET_OK;

    for (size_t k = 0; !rc && k < ET_ARRAY_SIZE(kinds); k++) {
        struct json_object *a = et__jget(output, et__derived_key(kinds[k]));

        for (size_t i = 0;
             !rc && a && json_object_is_type(a, json_type_array) &&
             i < json_object_array_length(a);
             i++) {
            const char *v =
                json_object_get_string(json_object_array_get_idx(a, i));

            if (v)
                rc = classify_item(c, kinds[k], v);
        }
    }
    return rc;
}

/* The items an action implies (src/model/derive.c): the files a writing
 * tool changed, the APIs it called. */
static int derived_fn(void *ctx, enum et__derived kind, const char *item,
                      size_t len)
{
    struct cls *c = ctx;
    char *s;
    int rc;

    if (kind == ET__DERIVED_COMMANDS)
        return ET_OK;
    s = et__malloc(len + 1);
    if (!s)
        return et_error_set(c->err, ET_ENOMEM, "out of memory");
    memcpy(s, item, len);
    s[len] = '\0';
    rc = classify_item(c, kind, s);
    et__free(s);
    return rc;
}

static int action_path(struct cls *c, struct json_object *a)
{
    int rc = et__derive_action_with(et__trail_capture(c->t), a, derived_fn, c);

    return rc == ET_ENOMEM ? et_error_set(c->err, rc, "out of memory") : rc;
}

static int actions(struct cls *c, const char *type, struct json_object *body)
{
    struct json_object *list =
        et__jget(et__jget(body, "execution"), "actions_taken");
    int rc = ET_OK;

    if (!strcmp(type, "action.recorded"))
        return action_path(c, body);
    for (size_t i = 0;
         !rc && list && json_object_is_type(list, json_type_array) &&
         i < json_object_array_length(list);
         i++)
        rc = action_path(c, json_object_array_get_idx(list, i));
    return rc;
}

int et__security_project(struct et_trail *t, uint64_t seq, const char *type,
                         const char *id, struct json_object *body,
                         struct et_error *err)
{
    struct cls c = {t, id, seq, err};
    int rc = et__trail_security(t, false, err);

    if (!rc)
        rc = markers(&c, body);
    if (!rc)
        rc = lists(&c, et__jget(body, "output"));
    if (!rc)
        rc = actions(&c, type, body);
    return rc;
}

/* ---- creds find ---- */

struct fp_cb {
    et_fingerprint_fn *fn;
    void *ctx;
};

static int fp_marker(void *ctx, const char *kind, size_t kind_len,
                     const char *fp)
{
    struct fp_cb *c = ctx;
    char k[48];

    snprintf(k, sizeof(k), "%.*s", (int)kind_len, kind);
    return c->fn(c->ctx, k, fp);
}

int et_trail_fingerprints(struct et_trail *t, const char *text, size_t len,
                          et_fingerprint_fn *fn, void *ctx,
                          struct et_error *err)
{
    struct et_buf out = ET_BUF_INIT;
    struct fp_cb c = {fn, ctx};
    char fp[ET_REDACT_FP_HEX + 1];
    size_t n = 0;
    int rc = et__trail_security(t, false, err);

    if (rc)
        return rc;
    if (!t->sec->has_key)
        return et_error_set(err, ET_ENOTFOUND,
                            "no redaction key %s/" ET_REDACT_KEY_FILE
                            " (fingerprints need the key of the "
                            "installation that recorded them)",
                            t->dir);
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        len--;
    if (!len)
        return et_error_set(err, ET_EINPUT, "the secret is empty");
    et__redact_fingerprint(t->sec->key, text, len, fp);
    rc = fn(ctx, "input", fp);
    if (!rc)
        rc = et__redact_text(t->sec->redactor, text, len, &out, &n, err);
    if (!rc && n)
        rc = et__redact_markers(out.ptr, out.len, fp_marker, &c);
    et_buf_release(&out);
    return rc;
}

void et__keyed_id(struct et_trail *t, const char *s,
                  char out[ET_KEYED_ID_HEX + 1])
{
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    size_t len = s ? strlen(s) : 0;

    if (t->sec && t->sec->has_key)
        crypto_auth_hmacsha256(mac, (const unsigned char *)(s ? s : ""), len,
                               t->sec->key);
    else
        et_hash_sha256(s ? s : "", len, mac);
    for (size_t i = 0; i < ET_KEYED_ID_HEX / 2; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

int et__scrub_error(struct et_trail *t, int rc, struct et_error *err)
{
    struct et_buf out = ET_BUF_INIT;
    size_t n = 0;

    if (!rc || !err || !err->msg[0] || et__trail_security(t, true, NULL))
        return rc;
    if (et__redact_text(t->sec->redactor, err->msg, strlen(err->msg), &out, &n,
                        NULL) == ET_OK &&
        n)
        snprintf(err->msg, sizeof(err->msg), "%s", et_buf_str(&out));
    et_buf_release(&out);
    return rc;
}
