/* SPDX-License-Identifier: MIT */
/*
 * The derived-list table of a trail: the built-in rules with config.yaml's
 * `capture:` section merged over them (src/model/derive.c, docs/CONFIG.md),
 * loaded on first use. A bad section never costs an event: the built-in
 * table is used, stderr says so, and the first write records a
 * config.warning event (once per distinct message); a change of the
 * effective section is recorded as a config.changed event, so the ledger
 * says under which rules the derived lists were computed.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "config/config.h"
#include "model/derive.h"
#include "trail/trail_int.h"

#define WARNING_META  "config_warning.capture"
#define SETTINGS_META "capture_settings"

void et__capture_free(struct et_trail *t)
{
    et__derive_table_free(t->capture);
    t->capture = NULL;
    et__free(t->capture_settings);
    t->capture_settings = NULL;
    t->is_capture_loaded = false;
}

/* The section as compact JSON ("" when absent or null). */
static int settings_of(struct json_object *sec, char **out)
{
    const char *s = "";

    if (sec && !json_object_is_type(sec, json_type_null))
        s = json_object_to_json_string_ext(sec, JSON_C_TO_STRING_PLAIN);
    *out = et__strdup(s ? s : "");
    return *out ? ET_OK : ET_ENOMEM;
}

static void load(struct et_trail *t)
{
    struct et_yaml_doc *d = NULL;
    struct json_object *sec = NULL;
    struct et_error err = ET_ERROR_INIT;
    int rc = et_config_load(t->dir, &d, &err);

    t->is_capture_loaded = true;
    t->capture_warning[0] = '\0';
    if (!rc) {
        sec = et_config_section(d, "capture");
        rc = et__derive_table_load(d, sec, &t->capture, &err);
    }
    if (!rc)
        rc = settings_of(sec, &t->capture_settings);
    et_yaml_free(d);
    if (rc == ET_EINPUT) {
        snprintf(t->capture_warning, sizeof(t->capture_warning), "%s", err.msg);
        fprintf(stderr,
                "exectrail: warning: %s (using the built-in capture "
                "table)\n",
                err.msg);
    }
    if (rc) { /* the built-in table (NULL), which needs no memory */
        et__derive_table_free(t->capture);
        t->capture = NULL;
        et__free(t->capture_settings);
        t->capture_settings = NULL;
    }
}

const struct et__derive_table *et__trail_capture(struct et_trail *t)
{
    if (!t->is_capture_loaded)
        load(t);
    return t->capture;
}

/* Record body once per distinct value under meta key (meta stores value). */
static int event_once(struct et_trail *t, et__emit_fn *emit, const char *type,
                      const char *meta, const char *value,
                      struct json_object *body, struct et_error *err)
{
    char *stored = NULL;
    int rc = et_store_meta_get(t->st, meta, &stored, NULL);
    bool same = rc == ET_OK && !strcmp(stored, value);

    et__free(stored);
    if (same)
        return ET_OK;
    if (rc == ET_ENOTFOUND && !strcmp(type, "config.changed") && !value[0])
        return et_store_meta_put(t->st, meta, value, err); /* the default */
    rc = emit(t, type, body, err);
    return rc ? rc : et_store_meta_put(t->st, meta, value, err);
}

int et__capture_begin(struct et_trail *t, et__emit_fn *emit,
                      struct et_error *err)
{
    struct json_object *body = NULL, *sec = NULL;
    int rc = ET_OK;

    (void)et__trail_capture(t);
    if (t->capture_warning[0]) {
        body = et__jnew_object();
        if (!body)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        et__jadd(body, "file", et__jnew_string(ET_CONFIG_FILE));
        et__jadd(body, "section", et__jnew_string("capture"));
        et__jadd(body, "message", et__jnew_string(t->capture_warning));
        et__jadd(body, "effect", et__jnew_string("built-in table used"));
        rc = event_once(t, emit, "config.warning", WARNING_META,
                        t->capture_warning, body, err);
        json_object_put(body);
        return rc;
    }
    if (!t->capture_settings)
        return ET_OK;
    body = et__jnew_object();
    if (t->capture_settings[0] &&
        et_json_parse(t->capture_settings, strlen(t->capture_settings), NULL,
                      &sec, NULL) != ET_OK)
        sec = NULL;
    if (!body) {
        json_object_put(sec);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    et__jadd(body, "section", et__jnew_string("capture"));
    et__jadd(body, "capture", sec);
    rc = event_once(t, emit, "config.changed", SETTINGS_META,
                    t->capture_settings, body, err);
    json_object_put(body);
    return rc;
}
