/* SPDX-License-Identifier: MIT */
/*
 * The `analysis:` section of config.yaml (docs/ANALYSIS.md,
 * "Configuration"): on/off, criteria for every agent and per agent, and
 * the quality thresholds. Checked whole when loaded, so a mistake is
 * reported with its file, line and column before anything is stored.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "config/config.h"
#include "analysis/analysis_int.h"

struct et__acfg {
    bool is_enabled;
    struct et__thresholds th;
    struct et_yaml_doc *doc;
    struct json_object *all;    /* criteria for every agent, or NULL */
    struct json_object *agents; /* name -> {criteria: [...]}, or NULL */
    char warning[256]; /* the config.yaml error the defaults replaced */
    struct et__qcache *qc; /* compiled criteria, made on first use */
};

struct num_key {
    const char *name;
    bool is_ratio; /* a double; else a positive integer */
    size_t off;
};

#define TH(f, ratio)                            \
 {                                              \
#  f, ratio, offsetof(struct et__thresholds, f) \
 }

static const struct num_key num_keys[] = {
    TH(accuracy_high, true),
    TH(accuracy_medium, true),
    TH(efficiency_high, true),
    TH(efficiency_medium, true),
    TH(new_agent_min_history, false),
    {"new_agent_duration_high_ms", false,
     offsetof(struct et__thresholds, default_duration_high_ms)},
    {"new_agent_duration_medium_ms", false,
     offsetof(struct et__thresholds, default_duration_medium_ms)},
    {"new_agent_actions_high", false,
     offsetof(struct et__thresholds, default_actions_high)},
    {"new_agent_actions_medium", false,
     offsetof(struct et__thresholds, default_actions_medium)},
    TH(timeout_ms, false),
    TH(history_window, false),
    TH(recurring_days, false),
};

static int thresholds(const struct et_yaml_doc *d, struct json_object *o,
                      struct et__thresholds *th, struct et_error *err)
{
    if (!json_object_is_type(o, json_type_object))
        return et_yaml_error(d, o, err,
                             "analysis.thresholds: expected a mapping");
    json_object_object_foreach(o, k, v)
    {
        const struct num_key *nk = NULL;
        char *base = (char *)th;

        for (size_t i = 0; i < ET_ARRAY_SIZE(num_keys); i++)
            if (!strcmp(num_keys[i].name, k))
                nk = &num_keys[i];
        if (!nk)
            return et_yaml_error(
                d, v, err, "analysis.thresholds.%s: unknown threshold", k);
        if (nk->is_ratio) {
            double x;

            if (!json_object_is_type(v, json_type_double) &&
                !json_object_is_type(v, json_type_int))
                return et_yaml_error(d, v, err,
                                     "analysis.thresholds.%s: expected a "
                                     "number",
                                     k);
            x = json_object_get_double(v);
            if (x < 0 || x > 1000)
                return et_yaml_error(d, v, err,
                                     "analysis.thresholds.%s: out of range", k);
            memcpy(base + nk->off, &x, sizeof(x));
        } else {
            int64_t x;

            if (!json_object_is_type(v, json_type_int) ||
                (x = json_object_get_int64(v)) <= 0)
                return et_yaml_error(d, v, err,
                                     "analysis.thresholds.%s: expected a "
                                     "positive integer",
                                     k);
            if (!strcmp(k, "history_window") && x > 10000)
                return et_yaml_error(d, v, err,
                                     "analysis.thresholds.history_window: at "
                                     "most 10000");
            memcpy(base + nk->off, &x, sizeof(x));
        }
    }
    return ET_OK;
}

static int criteria_list(const struct et_yaml_doc *d, struct json_object *a,
                         const char *where, struct et_error *err)
{
    if (!json_object_is_type(a, json_type_array))
        return et_yaml_error(d, a, err, "%s: expected a list of criteria",
                             where);
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        struct json_object *c = json_object_array_get_idx(a, i);
        struct et_error cerr = ET_ERROR_INIT;

        if (!json_object_is_type(c, json_type_string))
            return et_yaml_error(d, c, err, "%s[%zu]: expected a string", where,
                                 i);
        if (et_criterion_check(json_object_get_string(c),
                               (size_t)json_object_get_string_len(c),
                               &cerr) != ET_OK)
            return et_yaml_error(d, c, err, "%s[%zu]: %s", where, i, cerr.msg);
    }
    return ET_OK;
}

static int agents(const struct et_yaml_doc *d, struct json_object *o,
                  struct et_error *err)
{
    char where[192];
    int rc = ET_OK;

    if (!json_object_is_type(o, json_type_object))
        return et_yaml_error(d, o, err,
                             "analysis.agents: expected a mapping "
                             "of agent names");
    json_object_object_foreach(o, name, a)
    {
        if (!json_object_is_type(a, json_type_object))
            return et_yaml_error(
                d, a, err, "analysis.agents.%s: expected a mapping", name);
        json_object_object_foreach(a, k, v)
        {
            snprintf(where, sizeof(where), "analysis.agents.%.64s.%.32s", name,
                     k);
            if (strcmp(k, "criteria") != 0)
                return et_yaml_error(d, v, err,
                                     "%s: unknown key (expected "
                                     "criteria)",
                                     where);
            rc = criteria_list(d, v, where, err);
            if (rc)
                return rc;
        }
    }
    return ET_OK;
}

static int check_section(struct et__acfg *c, struct json_object *sec,
                         struct et_error *err)
{
    int rc = ET_OK;

    json_object_object_foreach(sec, k, v)
    {
        if (!strcmp(k, "enabled")) {
            if (!json_object_is_type(v, json_type_boolean))
                return et_yaml_error(c->doc, v, err,
                                     "analysis.enabled: expected true or "
                                     "false");
            c->is_enabled = json_object_get_boolean(v);
        } else if (!strcmp(k, "criteria")) {
            rc = criteria_list(c->doc, v, "analysis.criteria", err);
            c->all = v;
        } else if (!strcmp(k, "agents")) {
            rc = agents(c->doc, v, err);
            c->agents = v;
        } else if (!strcmp(k, "thresholds")) {
            rc = thresholds(c->doc, v, &c->th, err);
        } else {
            return et_yaml_error(c->doc, v, err,
                                 "analysis.%s: unknown key (expected enabled, "
                                 "criteria, agents or thresholds)",
                                 k);
        }
        if (rc)
            return rc;
    }
    return ET_OK;
}

void et__acfg_free(struct et__acfg *c)
{
    if (!c)
        return;
    et_yaml_free(c->doc);
    et__qcache_free(c->qc);
    et__free(c);
}

int et__acfg_load(const char *dir, struct et__acfg **out, struct et_error *err)
{
    struct et__acfg *c = et__calloc(1, sizeof(*c));
    struct json_object *sec = NULL;
    int rc;

    *out = NULL;
    if (!c)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    c->is_enabled = true;
    et__thresholds_default(&c->th);
    rc = et_config_load(dir, &c->doc, err);
    if (!rc)
        rc = et_config_section_checked(c->doc, "analysis", &sec, err);
    if (!rc && sec)
        rc = check_section(c, sec, err);
    if (rc) {
        et__acfg_free(c);
        return rc;
    }
    *out = c;
    return ET_OK;
}

int et__acfg_defaults(const char *why, struct et__acfg **out)
{
    struct et__acfg *c = et__calloc(1, sizeof(*c));

    *out = c;
    if (!c)
        return ET_ENOMEM;
    c->is_enabled = true;
    et__thresholds_default(&c->th);
    snprintf(c->warning, sizeof(c->warning), "%s", why ? why : "");
    return ET_OK;
}

const char *et__acfg_warning(const struct et__acfg *c)
{
    return c && c->warning[0] ? c->warning : NULL;
}

bool et__acfg_enabled(const struct et__acfg *c)
{
    return !c || c->is_enabled;
}

const struct et__thresholds *et__acfg_thresholds(const struct et__acfg *c)
{
    return &c->th;
}

static int add_list(struct et__criteria *out, struct json_object *a)
{
    int rc = ET_OK;

    for (size_t i = 0; !rc && a && i < json_object_array_length(a); i++)
        rc = et__criteria_add(
            out, json_object_get_string(json_object_array_get_idx(a, i)),
            ET_SRC_CONFIG);
    return rc;
}

int et__acfg_criteria(const struct et__acfg *c, const char *agent,
                      struct et__criteria *out)
{
    struct json_object *a = NULL, *crit = NULL;
    int rc = ET_OK;

    if (!c)
        return ET_OK;
    if (agent && c->agents && json_object_object_get_ex(c->agents, agent, &a) &&
        json_object_object_get_ex(a, "criteria", &crit))
        rc = add_list(out, crit);
    if (!rc)
        rc = add_list(out, c->all);
    return rc;
}

struct et__qcache *et__acfg_qcache(struct et__acfg *c)
{
    if (c && !c->qc)
        c->qc = et__qcache_new(); /* NULL (no memory): compiled each time */
    return c ? c->qc : NULL;
}
