/* SPDX-License-Identifier: MIT */
/*
 * The retention policy: the spec's RETENTION_POLICY YAML (retention.yaml in
 * the data directory), validated key by key with line and column in every
 * message; the spec's values are the defaults.
 */
#include "base/setup.h"
#include "base/time.h"
#include "config/yaml.h"
#include "retention/retention_int.h"

#include <sys/stat.h>

#define DAY_NS (INT64_C(86400) * 1000000000)

static const char *const class_names[ET_RET_CLASS_COUNT] = {
    "successful_executions", "failed_executions", "high_quality_executions",
    "security_relevant"};
static const char *const default_keep[ET_RET_CLASS_COUNT] = {
    "90_days", "180_days", "365_days", "2_years"};
static const char *const period_names[ET_RET_PERIOD_COUNT] = {
    "daily", "weekly", "monthly", "quarterly"};
static const char *const default_task[ET_RET_PERIOD_COUNT] = {
    "remove_temp_logs", "archive_old_executions", "generate_summary_reports",
    "full_audit_review"};

const char *et_ret_class_name(enum et_ret_class c)
{
    return (unsigned)c < ET_RET_CLASS_COUNT ? class_names[c] : "?";
}

const char *et_ret_period_name(enum et_ret_period p)
{
    return (unsigned)p < ET_RET_PERIOD_COUNT ? period_names[p] : "?";
}

bool et__ret_task_known(const char *task)
{
    for (size_t i = 0; i < ET_RET_PERIOD_COUNT; i++)
        if (!strcmp(task, default_task[i]))
            return true;
    return !strcmp(task, "none");
}

/*
 * "<N>_<unit>" with unit day(s), week(s), month(s) (30 days) or year(s)
 * (365 days), N from 1 to 100000 days' worth. ET_EINPUT with a message.
 */
int et__ret_duration_parse(const char *s, int64_t *ns_out, char *why,
                           size_t why_cap)
{
    static const struct {
        const char *name;
        int64_t days;
    } units[] = {{"day", 1}, {"week", 7}, {"month", 30}, {"year", 365}};
    const char *p = s;
    int64_t n = 0;

    while (*p >= '0' && *p <= '9' && n <= 100000)
        n = n * 10 + (*p++ - '0');
    if (p == s || *p != '_' || n == 0 || n > 100000) {
        snprintf(why, why_cap,
                 "'%s' is not a duration: write N_days, N_weeks, N_months "
                 "or N_years with N from 1 (e.g. 90_days)",
                 s);
        return ET_EINPUT;
    }
    p++;
    for (size_t i = 0; i < ET_ARRAY_SIZE(units); i++) {
        size_t ul = strlen(units[i].name);

        if (strncmp(p, units[i].name, ul) != 0 ||
            (p[ul] != '\0' && strcmp(p + ul, "s") != 0))
            continue;
        if (n * units[i].days > 100000) {
            snprintf(why, why_cap, "'%s' is longer than 100000 days", s);
            return ET_EINPUT;
        }
        *ns_out = n * units[i].days * DAY_NS;
        return ET_OK;
    }
    snprintf(why, why_cap,
             "'%s': unknown unit (expected days, weeks, months or years)", s);
    return ET_EINPUT;
}

void et_ret_policy_defaults(struct et_ret_policy *p)
{
    char why[8];

    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < ET_RET_CLASS_COUNT; i++) {
        snprintf(p->keep_text[i], sizeof(p->keep_text[i]), "%s",
                 default_keep[i]);
        if (et__ret_duration_parse(default_keep[i], &p->keep_ns[i], why,
                                   sizeof(why)))
            ET_BUG("bad default duration");
    }
    for (size_t i = 0; i < ET_RET_PERIOD_COUNT; i++)
        snprintf(p->task[i], sizeof(p->task[i]), "%s", default_task[i]);
    p->temp_max_age_ns = 7 * DAY_NS;
    snprintf(p->source, sizeof(p->source), "defaults");
}

static int want_object(struct et_yaml_doc *d, struct json_object *o,
                       const char *path, struct et_error *err)
{
    if (o && json_object_is_type(o, json_type_object))
        return ET_OK;
    return et_yaml_error(d, o, err, "%s: expected a mapping", path);
}

static int duration_value(struct et_yaml_doc *d, struct json_object *v,
                          const char *path, int64_t *ns, char *text,
                          size_t text_cap, struct et_error *err)
{
    char why[160];

    if (!v || !json_object_is_type(v, json_type_string))
        return et_yaml_error(d, v, err, "%s: expected a duration like 90_days",
                             path);
    if (et__ret_duration_parse(json_object_get_string(v), ns, why, sizeof(why)))
        return et_yaml_error(d, v, err, "%s: %s", path, why);
    snprintf(text, text_cap, "%s", json_object_get_string(v));
    return ET_OK;
}

static int parse_classes(struct et_yaml_doc *d, struct json_object *o,
                         struct et_ret_policy *p, struct et_error *err)
{
    int rc = want_object(d, o, "RETENTION_POLICY.execution_tracking", err);

    if (rc)
        return rc;
    json_object_object_foreach(o, k, v)
    {
        char path[128];
        size_t i;

        snprintf(path, sizeof(path),
                 "RETENTION_POLICY.execution_tracking.%.60s", k);
        for (i = 0; i < ET_RET_CLASS_COUNT; i++)
            if (!strcmp(k, class_names[i]))
                break;
        if (i == ET_RET_CLASS_COUNT)
            return et_yaml_error(d, v, err,
                                 "%s: unknown class (expected "
                                 "successful_executions, failed_executions, "
                                 "high_quality_executions or "
                                 "security_relevant)",
                                 path);
        rc = duration_value(d, v, path, &p->keep_ns[i], p->keep_text[i],
                            sizeof(p->keep_text[i]), err);
        if (rc)
            return rc;
    }
    return ET_OK;
}

static int parse_schedule(struct et_yaml_doc *d, struct json_object *o,
                          struct et_ret_policy *p, struct et_error *err)
{
    int rc = want_object(d, o, "RETENTION_POLICY.cleanup_schedule", err);

    if (rc)
        return rc;
    json_object_object_foreach(o, k, v)
    {
        char path[128];
        const char *task;
        size_t i;

        snprintf(path, sizeof(path), "RETENTION_POLICY.cleanup_schedule.%.60s",
                 k);
        for (i = 0; i < ET_RET_PERIOD_COUNT; i++)
            if (!strcmp(k, period_names[i]))
                break;
        if (i == ET_RET_PERIOD_COUNT)
            return et_yaml_error(d, v, err,
                                 "%s: unknown period (expected daily, "
                                 "weekly, monthly or quarterly)",
                                 path);
        if (!v || !json_object_is_type(v, json_type_string))
            return et_yaml_error(d, v, err, "%s: expected a task name", path);
        task = json_object_get_string(v);
        if (!et__ret_task_known(task))
            return et_yaml_error(d, v, err,
                                 "%s: unknown task '%.60s' (expected "
                                 "remove_temp_logs, archive_old_executions, "
                                 "generate_summary_reports, "
                                 "full_audit_review or none)",
                                 path, task);
        snprintf(p->task[i], sizeof(p->task[i]), "%s",
                 strcmp(task, "none") ? task : "");
    }
    return ET_OK;
}

static int parse_doc(struct et_yaml_doc *d, struct et_ret_policy *p,
                     struct et_error *err)
{
    struct json_object *root = et_yaml_root(d), *pol;
    int rc = want_object(d, root, "the document", err);

    if (rc)
        return rc;
    json_object_object_foreach(root, rk, rv)
    {
        if (strcmp(rk, "RETENTION_POLICY") != 0)
            return et_yaml_error(d, rv, err,
                                 "%.60s: unknown key (expected "
                                 "RETENTION_POLICY)",
                                 rk);
    }
    pol = json_object_object_get(root, "RETENTION_POLICY");
    if (!pol)
        return et_yaml_error(d, root, err, "RETENTION_POLICY is missing");
    rc = want_object(d, pol, "RETENTION_POLICY", err);
    if (rc)
        return rc;
    json_object_object_foreach(pol, k, v)
    {
        if (!strcmp(k, "execution_tracking"))
            rc = parse_classes(d, v, p, err);
        else if (!strcmp(k, "cleanup_schedule"))
            rc = parse_schedule(d, v, p, err);
        else if (!strcmp(k, "temp_files_max_age"))
            rc = duration_value(d, v, "RETENTION_POLICY.temp_files_max_age",
                                &p->temp_max_age_ns, (char[24]){0}, 24, err);
        else
            rc = et_yaml_error(d, v, err,
                               "RETENTION_POLICY.%.60s: unknown key "
                               "(expected execution_tracking, "
                               "cleanup_schedule or temp_files_max_age)",
                               k);
        if (rc)
            return rc;
    }
    return ET_OK;
}

int et_ret_policy_parse(const char *yaml, size_t len, const char *name,
                        struct et_ret_policy *out, struct et_error *err)
{
    struct et_yaml_doc *d = NULL;
    struct et_ret_policy p;
    int rc;

    et_ret_policy_defaults(&p);
    rc = et_yaml_load_mem(yaml, len, name, &d, err);
    if (!rc)
        rc = parse_doc(d, &p, err);
    et_yaml_free(d);
    if (rc)
        return rc;
    p.from_file = true;
    snprintf(p.source, sizeof(p.source), "%.250s", name);
    *out = p;
    return ET_OK;
}

int et_ret_policy_load(struct et_trail *t, struct et_ret_policy *out,
                       struct et_error *err)
{
    struct et_yaml_doc *d = NULL;
    struct et_ret_policy p;
    char path[PATH_MAX + 32];
    struct stat sb;
    int rc;

    et_ret_policy_defaults(&p);
    snprintf(path, sizeof(path), "%s/retention.yaml", t->dir);
    if (stat(path, &sb) != 0 && errno == ENOENT) {
        *out = p;
        return ET_OK;
    }
    rc = et_yaml_load_file(path, &d, err);
    if (!rc)
        rc = parse_doc(d, &p, err);
    et_yaml_free(d);
    if (rc)
        return rc;
    p.from_file = true;
    snprintf(p.source, sizeof(p.source), "%.250s", path);
    *out = p;
    return ET_OK;
}

int et_ret_parse_time(const char *s, int64_t *ns_out, struct et_error *err)
{
    if (et_time_parse(s, strlen(s), true, ns_out) != ET_OK)
        return et_error_set(err, ET_EINPUT,
                            "'%.60s' is not a time: give RFC 3339 "
                            "(2025-01-17T10:00:00Z) or a date (2025-01-17)",
                            s);
    return ET_OK;
}

const char *et_trail_dir(const struct et_trail *t)
{
    return t->dir;
}
