/* SPDX-License-Identifier: MIT */
/* The YAML loader and the config file: types, positions, refusals. */
#include "base/setup.h"
#include "config/config.h"
#include "t.h"

#include <stdio.h>
#include <unistd.h>

static struct et_yaml_doc *load(const char *text, struct et_error *err)
{
    struct et_yaml_doc *d = NULL;

    if (et_yaml_load_mem(text, strlen(text), "t.yaml", &d, err) != ET_OK)
        return NULL;
    return d;
}

static struct json_object *path(struct json_object *o, const char *k1,
                                const char *k2)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(o, k1, &v))
        return NULL;
    if (k2 && !json_object_object_get_ex(v, k2, &v))
        return NULL;
    return v;
}

T_TEST(spec_retention_policy)
{
    /* the spec's own YAML, verbatim */
    static const char text[] =
        "RETENTION_POLICY:\n"
        "  execution_tracking:\n"
        "    successful_executions: 90_days\n"
        "    failed_executions: 180_days\n"
        "    high_quality_executions: 365_days\n"
        "    security_relevant: 2_years\n"
        "\n"
        "  cleanup_schedule:\n"
        "    daily: remove_temp_logs\n"
        "    weekly: archive_old_executions\n"
        "    monthly: generate_summary_reports\n"
        "    quarterly: full_audit_review\n";
    struct et_error err = ET_ERROR_INIT;
    struct et_yaml_doc *d = load(text, &err);
    struct json_object *p, *v;
    unsigned line = 0, col = 0;

    T_ASSERT(d != NULL);
    p = path(et_yaml_root(d), "RETENTION_POLICY", "execution_tracking");
    T_ASSERT(p != NULL);
    v = path(p, "security_relevant", NULL);
    T_ASSERT(json_object_is_type(v, json_type_string));
    T_ASSERT_STR_EQ(json_object_get_string(v), "2_years");
    T_ASSERT(et_yaml_pos(d, v, &line, &col));
    T_ASSERT_INT_EQ(line, 6);
    T_ASSERT_INT_EQ(col, 24);
    v = path(path(et_yaml_root(d), "RETENTION_POLICY", "cleanup_schedule"),
             "quarterly", NULL);
    T_ASSERT_STR_EQ(json_object_get_string(v), "full_audit_review");
    T_ASSERT_INT_EQ(et_yaml_error(d, v, &err, "bad %s", "thing"), ET_EINPUT);
    T_ASSERT_STR_EQ(err.msg, "t.yaml:12:16: bad thing");
    et_yaml_free(d);
}

T_TEST(scalar_types)
{
    static const char text[] = "i: 42\n"
                               "neg: -7\n"
                               "big: 9223372036854775807\n"
                               "huge: 9223372036854775808\n"
                               "f: 0.25\n"
                               "t: true\n"
                               "F: False\n"
                               "n: ~\n"
                               "e:\n"
                               "q: \"42\"\n"
                               "s: '-'\n"
                               "w: 90_days\n"
                               "tagged: !!str 12\n"
                               "list: [a, 1, {k: v}]\n";
    struct et_error err = ET_ERROR_INIT;
    struct et_yaml_doc *d = load(text, &err);
    struct json_object *r, *v;

    T_ASSERT(d != NULL);
    r = et_yaml_root(d);
    T_ASSERT(json_object_is_type(path(r, "i", NULL), json_type_int));
    T_ASSERT_INT_EQ(json_object_get_int64(path(r, "i", NULL)), 42);
    T_ASSERT_INT_EQ(json_object_get_int64(path(r, "neg", NULL)), -7);
    T_ASSERT(json_object_get_int64(path(r, "big", NULL)) == INT64_MAX);
    /* beyond int64: a double, never a silently clamped integer */
    T_ASSERT(json_object_is_type(path(r, "huge", NULL), json_type_double));
    T_ASSERT(json_object_get_double(path(r, "f", NULL)) == 0.25);
    T_ASSERT(json_object_get_boolean(path(r, "t", NULL)));
    T_ASSERT(json_object_is_type(path(r, "F", NULL), json_type_boolean));
    T_ASSERT(!json_object_get_boolean(path(r, "F", NULL)));
    T_ASSERT(json_object_object_get_ex(r, "n", &v) && v == NULL);
    T_ASSERT(json_object_object_get_ex(r, "e", &v) && v == NULL);
    T_ASSERT(json_object_is_type(path(r, "q", NULL), json_type_string));
    T_ASSERT_STR_EQ(json_object_get_string(path(r, "s", NULL)), "-");
    T_ASSERT_STR_EQ(json_object_get_string(path(r, "w", NULL)), "90_days");
    T_ASSERT(json_object_is_type(path(r, "tagged", NULL), json_type_string));
    v = path(r, "list", NULL);
    T_ASSERT(json_object_is_type(v, json_type_array));
    T_ASSERT_INT_EQ(json_object_array_length(v), 3);
    T_ASSERT(json_object_is_type(json_object_array_get_idx(v, 1),
                                 json_type_int));
    et_yaml_free(d);
}

static void refused(const char *text, const char *want)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_yaml_doc *d = load(text, &err);

    if (d) {
        et_yaml_free(d);
        t_fail(__FILE__, __LINE__, "accepted: %s", text);
        return;
    }
    T_ASSERT_INT_EQ(err.code, ET_EINPUT);
    if (!strstr(err.msg, want))
        t_fail(__FILE__, __LINE__, "'%s' lacks '%s'", err.msg, want);
}

T_TEST(refusals_name_the_place)
{
    refused("a: 1\na: 2\n", "t.yaml:2:1: duplicate key 'a'");
    refused("a: &x 1\nb: *x\n", "t.yaml:2:4: aliases");
    refused("a: !custom 1\n", "t.yaml:1:4: unsupported tag");
    refused("a: !!python/object:os.system 1\n", "t.yaml:1:4: unsupported tag");
    refused("a: !!python/object/apply:os.system [ls]\n",
            "t.yaml:1:4: unsupported tag");
    refused("a: !!binary aGVsbG8=\n", "t.yaml:1:4: unsupported tag");
    refused("--- 1\n--- 2\n", "more than one YAML document");
    refused("? [a, b]\n: 1\n", "a mapping key must be a scalar");
    refused("a: [1, 2\n", "t.yaml:");
    refused("a:\n  b: 1\n c: 2\n", "t.yaml:3:");
    refused("a: \"\\x\"\n", "t.yaml:1:");
}

T_TEST(deep_nesting_refused)
{
    char text[400];
    struct et_error err = ET_ERROR_INIT;
    struct et_yaml_doc *d;
    size_t i;

    for (i = 0; i < 100; i++)
        text[i] = '[';
    text[i] = '\0';
    d = load(text, &err);
    T_ASSERT(d == NULL);
    T_ASSERT(strstr(err.msg, "nested too deeply") != NULL);
}

T_TEST(config_file)
{
    char dir[] = "/tmp/et-config-XXXXXX";
    char file[64];
    struct et_error err = ET_ERROR_INIT;
    struct et_yaml_doc *d = NULL;
    struct json_object *sec;
    FILE *f;

    T_ASSERT(mkdtemp(dir) != NULL);
    /* missing file: an empty mapping */
    T_ASSERT_OK(et_config_load(dir, &d, &err));
    T_ASSERT(et_config_section(d, "security") == NULL);
    T_ASSERT_OK(et_config_section_checked(d, "security", &sec, &err));
    T_ASSERT(sec == NULL);
    et_yaml_free(d);
    snprintf(file, sizeof(file), "%s/config.yaml", dir);
    f = fopen(file, "w");
    T_ASSERT(f != NULL);
    fputs("security:\n  redaction: {}\nanalysis: 3\n", f);
    fclose(f);
    T_ASSERT_OK(et_config_load(dir, &d, &err));
    T_ASSERT_OK(et_config_section_checked(d, "security", &sec, &err));
    T_ASSERT(json_object_is_type(sec, json_type_object));
    T_ASSERT_RC(et_config_section_checked(d, "analysis", &sec, &err),
                ET_EINPUT);
    T_ASSERT(strstr(err.msg, "config.yaml:3:11: analysis: expected a "
                             "mapping") != NULL);
    et_yaml_free(d);
    /* a syntax error names the file, line and column */
    f = fopen(file, "w");
    T_ASSERT(f != NULL);
    fputs("security:\n  - a\n  b: c\n", f);
    fclose(f);
    T_ASSERT_RC(et_config_load(dir, &d, &err), ET_EINPUT);
    T_ASSERT(d == NULL);
    T_ASSERT(strstr(err.msg, "config.yaml:3:") != NULL);
    unlink(file);
    rmdir(dir);
}

T_TEST(positions_of_many_values)
{
    /* every value's own line and column, also when the allocator reuses
     * the address of a key scalar freed earlier (release builds) */
    char text[4096];
    size_t off = 0;
    struct et_error err = ET_ERROR_INIT;
    struct et_yaml_doc *d;

    for (int i = 0; i < 100; i++)
        off += (size_t)snprintf(text + off, sizeof(text) - off,
                                "k%02d: v%d\n", i, i);
    d = load(text, &err);
    T_ASSERT(d != NULL);
    for (int i = 0; i < 100; i++) {
        char key[8];
        struct json_object *v = NULL;
        unsigned line = 0, col = 0;

        snprintf(key, sizeof(key), "k%02d", i);
        T_ASSERT(json_object_object_get_ex(et_yaml_root(d), key, &v));
        T_ASSERT(et_yaml_pos(d, v, &line, &col));
        T_ASSERT_INT_EQ(line, i + 1);
        T_ASSERT_INT_EQ(col, 6);
    }
    et_yaml_free(d);
}

T_MAIN("config", T_CASE(spec_retention_policy), T_CASE(scalar_types),
       T_CASE(refusals_name_the_place), T_CASE(deep_nesting_refused),
       T_CASE(config_file), T_CASE(positions_of_many_values))
