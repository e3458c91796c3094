/* SPDX-License-Identifier: MIT */
/*
 * Quality metrics: completeness (phases present), accuracy (criteria pass
 * rate), efficiency (duration and action count against the agent's rolling
 * median, or fixed defaults for a new agent) and adherence to standards
 * (policy checks). Thresholds: docs/ANALYSIS.md, "Quality".
 */
#include "base/setup.h"
#include "codec/json.h"
#include "analysis/analysis_int.h"

void et__thresholds_default(struct et__thresholds *th)
{
    th->accuracy_high = 0.9;
    th->accuracy_medium = 0.5;
    th->efficiency_high = 1.5;
    th->efficiency_medium = 3.0;
    th->new_agent_min_history = 5;
    th->default_duration_high_ms = 5 * 60 * 1000;
    th->default_duration_medium_ms = 30 * 60 * 1000;
    th->default_actions_high = 50;
    th->default_actions_medium = 200;
    th->timeout_ms = 60 * 60 * 1000;
    th->history_window = 50;
    th->recurring_days = 7;
}

double et__level_score(const char *level)
{
    if (!level)
        return -1;
    if (!strcmp(level, "HIGH"))
        return 1.0;
    if (!strcmp(level, "MEDIUM"))
        return 0.5;
    if (!strcmp(level, "LOW"))
        return 0.0;
    return -1;
}

static struct json_object *get(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;

    if (!o || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, k, &v) ||
        json_object_is_type(v, json_type_null))
        return NULL;
    return v;
}

static bool has_text(struct json_object *v)
{
    return v && (!json_object_is_type(v, json_type_string) ||
                 json_object_get_string_len(v) > 0);
}

static const char *completeness(struct json_object *rec,
                                struct json_object *missing)
{
    static const char *const parts[] = {"request", "prompt", "actions",
                                        "response", "end"};
    struct json_object *acts = get(get(rec, "execution"), "actions_taken");
    bool present[5];
    size_t n = 0;

    present[0] = has_text(get(get(rec, "main_agent_context"), "user_request"));
    present[1] = has_text(get(get(rec, "delegation"), "prompt_sent"));
    present[2] = acts && json_object_array_length(acts) > 0;
    present[3] = has_text(get(get(rec, "output"), "raw_response"));
    present[4] = get(rec, "timestamp_end") != NULL;
    for (size_t i = 0; i < ET_ARRAY_SIZE(parts); i++) {
        if (present[i])
            n++;
        else
            et__jappend(missing, et__jnew_string(parts[i]));
    }
    return n == 5 ? "HIGH" : n >= 3 ? "MEDIUM" : "LOW";
}

static const char *level_of(double x, double high, double medium)
{
    return x <= high ? "HIGH" : x <= medium ? "MEDIUM" : "LOW";
}

static const char *efficiency(struct json_object *rec,
                              const struct et__history *h,
                              const struct et__thresholds *th,
                              struct json_object *details)
{
    struct json_object *d = get(rec, "duration_ms");
    struct json_object *acts = get(get(rec, "execution"), "actions_taken");
    double dur = d ? json_object_get_double(d) : -1;
    double nact = acts ? (double)json_object_array_length(acts) : 0;
    double ratio = -1;

    if ((int64_t)h->n >= th->new_agent_min_history) {
        if (dur >= 0 && h->median_duration_ms > 0) {
            double r = dur / h->median_duration_ms;

            et__jadd(details, "duration_ratio",
                     et__jnew_double((double)(int64_t)(r * 100) / 100));
            ratio = r;
        }
        if (h->median_actions > 0) {
            double r = nact / h->median_actions;

            et__jadd(details, "actions_ratio",
                     et__jnew_double((double)(int64_t)(r * 100) / 100));
            ratio = r > ratio ? r : ratio;
        }
        et__jadd(details, "baseline", et__jnew_string("agent median"));
        if (ratio < 0)
            return NULL;
        return level_of(ratio, th->efficiency_high, th->efficiency_medium);
    }
    et__jadd(details, "baseline", et__jnew_string("new-agent defaults"));
    if (dur < 0)
        return NULL;
    if (dur <= (double)th->default_duration_high_ms &&
        nact <= (double)th->default_actions_high)
        return "HIGH";
    if (dur <= (double)th->default_duration_medium_ms &&
        nact <= (double)th->default_actions_medium)
        return "MEDIUM";
    return "LOW";
}

/* ---- policy checks ---- */

static bool alnum_run(const char *s, size_t min, bool upper_only)
{
    size_t n = 0;

    while (s[n] &&
           ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'A' && s[n] <= 'Z') ||
            (!upper_only &&
             ((s[n] >= 'a' && s[n] <= 'z') || s[n] == '_' || s[n] == '-'))))
        n++;
    return n >= min;
}

/* A few unmistakable credential shapes (the redaction module has the full
 * detectors): AWS key ids, private key blocks, GitHub, Slack and OpenAI
 * style tokens. */
static const char *secret_in(const char *s)
{
    for (const char *p = s; p && *p; p++) {
        if (!strncmp(p, "AKIA", 4) && alnum_run(p + 4, 16, true))
            return "an AWS access key id";
        if (!strncmp(p, "-----BEGIN ", 11) && strstr(p, "PRIVATE KEY-----"))
            return "a private key";
        if ((!strncmp(p, "ghp_", 4) || !strncmp(p, "gho_", 4)) &&
            alnum_run(p + 4, 36, false))
            return "a GitHub token";
        if (!strncmp(p, "xox", 3) && p[3] && p[4] == '-' &&
            alnum_run(p + 5, 10, false))
            return "a Slack token";
        if (!strncmp(p, "sk-", 3) && alnum_run(p + 3, 32, false))
            return "an API secret key";
    }
    return NULL;
}

static bool sensitive_path(const char *p)
{
    static const char *const names[] = {".env",        "id_rsa", "id_ed25519",
                                        "credentials", ".netrc", ".pgpass"};
    const char *base = strrchr(p, '/');
    size_t len;

    base = base ? base + 1 : p;
    len = strlen(base);
    for (size_t i = 0; i < ET_ARRAY_SIZE(names); i++)
        if (!strncmp(base, names[i], strlen(names[i])))
            return true;
    if (len > 4 &&
        (!strcmp(base + len - 4, ".pem") || !strcmp(base + len - 4, ".key")))
        return true;
    return strstr(p, "/.ssh/") != NULL || !strncmp(p, ".ssh/", 5);
}

static void check(struct json_object *arr, const char *name, bool passed,
                  const char *detail, size_t *n_passed)
{
    struct json_object *o = et__jnew_object();

    et__jadd(o, "check", et__jnew_string(name));
    et__jadd(o, "passed", et__jnew_boolean(passed));
    if (detail)
        et__jadd(o, "detail", et__jnew_string(detail));
    et__jappend(arr, o);
    *n_passed += passed;
}

/* The first failed action with no later success of the same tool, or -1. */
static long unhandled_failure(struct json_object *acts)
{
    size_t n = acts ? json_object_array_length(acts) : 0;

    for (size_t i = 0; i < n; i++) {
        struct json_object *a = json_object_array_get_idx(acts, i);
        const char *tool = json_object_get_string(get(a, "tool"));
        bool handled = false;

        if (!et__action_failed(a))
            continue;
        for (size_t k = i + 1; !handled && k < n; k++) {
            struct json_object *b = json_object_array_get_idx(acts, k);
            const char *t2 = json_object_get_string(get(b, "tool"));

            handled = !et__action_failed(b) && tool && t2 && !strcmp(tool, t2);
        }
        if (!handled)
            return (long)i;
    }
    return -1;
}

static void policy(struct json_object *rec, struct json_object *arr,
                   size_t *n_passed)
{
    struct json_object *out = get(rec, "output");
    struct json_object *acts = get(get(rec, "execution"), "actions_taken");
    struct json_object *files = get(out, "files_modified");
    const char *what = NULL, *path = NULL;
    char detail[256];
    long bad;

    what = secret_in(json_object_get_string(get(out, "raw_response")));
    for (size_t i = 0; !what && acts && i < json_object_array_length(acts); i++)
        what = secret_in(json_object_get_string(
            get(json_object_array_get_idx(acts, i), "output")));
    snprintf(detail, sizeof(detail), "the output contains %s",
             what ? what : "");
    check(arr, "no secrets in output", !what, what ? detail : NULL, n_passed);
    for (size_t i = 0; !path && files && i < json_object_array_length(files);
         i++) {
        const char *p =
            json_object_get_string(json_object_array_get_idx(files, i));

        if (p && sensitive_path(p))
            path = p;
    }
    snprintf(detail, sizeof(detail), "modified %s", path ? path : "");
    check(arr, "no sensitive files modified", !path, path ? detail : NULL,
          n_passed);
    bad = unhandled_failure(acts);
    snprintf(detail, sizeof(detail),
             "action #%ld failed and no later action of its tool succeeded",
             bad + 1);
    check(arr, "no failed action left unhandled", bad < 0,
          bad >= 0 ? detail : NULL, n_passed);
}

struct json_object *et__quality(const struct et__subject *s,
                                const struct et__verdict *v,
                                const struct et__history *h,
                                const struct et__thresholds *th)
{
    struct json_object *q = et__jnew_object();
    struct json_object *details = et__jnew_object();
    struct json_object *missing = et__jnew_array();
    struct json_object *checks = et__jnew_array();
    const char *eff;
    size_t n_passed = 0;
    char text[64];

    if (!q || !details || !missing || !checks) {
        json_object_put(q);
        json_object_put(details);
        json_object_put(missing);
        json_object_put(checks);
        return NULL;
    }
    et__jadd(q, "completeness", et__jnew_string(completeness(s->rec, missing)));
    if (v->errored)
        et__jadd(q, "accuracy", et__jnew_string("LOW"));
    else if (v->pass_rate >= 0)
        et__jadd(q, "accuracy",
                 et__jnew_string(v->pass_rate >= th->accuracy_high ? "HIGH"
                                 : v->pass_rate >= th->accuracy_medium
                                     ? "MEDIUM"
                                     : "LOW"));
    eff = efficiency(s->rec, h, th, details);
    if (eff)
        et__jadd(q, "efficiency", et__jnew_string(eff));
    policy(s->rec, checks, &n_passed);
    snprintf(text, sizeof(text), "%zu/%zu policy checks passed", n_passed,
             json_object_array_length(checks));
    et__jadd(q, "adherence_to_standards", et__jnew_string(text));
    et__jadd(details, "missing", missing);
    et__jadd(details, "policy_checks", checks);
    et__jadd(q, "details", details);
    return q;
}
