/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the strict JSON parser on arbitrary bytes, with the
 * default limits and with tight ones, then both writers on what parses,
 * and the one-pass top-level scan (et__json_top_strings, what verify
 * uses) against the tree of what parses. Aborts when a documented promise
 * breaks (status set, message shape, the scan naming another value).
 */
#include "base/setup.h"
#include "codec/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_failure(int rc, const struct et_error *err,
                          const struct json_object *obj, size_t size)
{
    unsigned long long off;
    char *end;

    if (obj != NULL || err->code != rc || err->msg[0] == '\0')
        abort();
    if (rc == ET_ENOMEM)
        return;
    if (rc != ET_EINPUT && rc != ET_ETOOBIG)
        abort(); /* ET_EINTERNAL: the duplicate check lost a member */
    if (strncmp(err->msg, "document is ", 12) == 0)
        return;
    /* every other message names a byte inside the document (or its end) */
    if (strncmp(err->msg, "byte ", 5) != 0)
        abort();
    off = strtoull(err->msg + 5, &end, 10);
    if (end == err->msg + 5 || *end != ':' || off > size)
        abort();
}

/* Whatever parses as an object scans, and each member the scan calls a
 * plain string is that string in the tree. */
static void check_top(const char *buf, size_t size, struct json_object *obj)
{
    static const char *const keys[] = {"type", "execution_id", "ts", "a"};
    struct et_json_top f[4];

    for (size_t i = 0; i < 4; i++)
        f[i].key = keys[i];
    if (!json_object_is_type(obj, json_type_object)) {
        if (et__json_top_strings(buf, size, f, 4) == ET_OK)
            abort(); /* only an object scans */
        return;
    }
    if (et__json_top_strings(buf, size, f, 4) != ET_OK)
        abort();
    for (size_t i = 0; i < 4; i++) {
        struct json_object *v = NULL;
        bool has = json_object_object_get_ex(obj, keys[i], &v);

        if (f[i].state == ET_JSON_TOP_ABSENT && has)
            abort();
        if (f[i].state == ET_JSON_TOP_STRING &&
            (!has || !json_object_is_type(v, json_type_string) ||
             (size_t)json_object_get_string_len(v) != f[i].len ||
             memcmp(json_object_get_string(v), f[i].val, f[i].len) != 0))
            abort();
    }
}

static void parse_and_write(const char *buf, size_t size,
                            const struct et_json_limits *lim)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;
    struct et_buf out = ET_BUF_INIT;
    int rc = et_json_parse(buf, size, lim, &obj, &err);

    if (rc) {
        check_failure(rc, &err, obj, size);
        return;
    }
    check_top(buf, size, obj);
    if (et_json_canon(obj, &out) != ET_OK)
        abort();
    et_buf_reset(&out);
    if (et_json_write(obj, ET_JSON_PRETTY, &out) != ET_OK)
        abort();
    et_buf_release(&out);
    json_object_put(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct et_json_limits tight = {size / 2 + 1, 4, 16, 16};

    parse_and_write((const char *)data, size, NULL);
    parse_and_write((const char *)data, size, &tight);
    return 0;
}
