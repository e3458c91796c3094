/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the strict JSON parser on arbitrary bytes, with the
 * default limits and with tight ones, then both writers on what parses.
 * Aborts when a documented promise breaks (status set, message shape).
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
