/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the canonical form is a fixed point. For any input that
 * parses, canon(parse(canon(x))) == canon(x) byte for byte, and the pretty
 * display form reads back to the same canonical bytes. Aborts otherwise.
 */
#include "base/setup.h"
#include "codec/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* canon(parse(buf)) into out; false if buf does not parse. */
static bool canon_of(const char *buf, size_t len, struct et_buf *out)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;
    int rc = et_json_parse(buf, len, NULL, &obj, &err);

    if (rc)
        return false;
    rc = et_json_canon(obj, out);
    json_object_put(obj);
    if (rc)
        abort(); /* whatever parses must have a canonical form */
    return true;
}

static void same_or_abort(const struct et_buf *a, const struct et_buf *b)
{
    if (a->len != b->len || memcmp(et_buf_str(a), et_buf_str(b), a->len))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct et_buf c1 = ET_BUF_INIT, c2 = ET_BUF_INIT, pretty = ET_BUF_INIT;
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;

    if (!canon_of((const char *)data, size, &c1))
        return 0;
    /* the canonical bytes parse (NUL-free, in limits) and are a fixed point */
    if (!canon_of(et_buf_str(&c1), c1.len, &c2))
        abort();
    same_or_abort(&c1, &c2);
    /* the display form describes the same value */
    if (et_json_parse((const char *)data, size, NULL, &obj, &err) ||
        et_json_write(obj, ET_JSON_PRETTY, &pretty))
        abort();
    json_object_put(obj);
    et_buf_reset(&c2);
    if (!canon_of(et_buf_str(&pretty), pretty.len, &c2))
        abort();
    same_or_abort(&c1, &c2);
    et_buf_release(&c1);
    et_buf_release(&c2);
    et_buf_release(&pretty);
    return 0;
}
