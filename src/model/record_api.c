/* SPDX-License-Identifier: MIT */
/*
 * struct et_record <-> JSON, driven by the schema tables (each descriptor
 * knows its member's offset), and the public record API on top.
 */
#include "base/setup.h"

#include <math.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "base/uuid.h"
#include "codec/json.h"
#include "model/record.h"
#include "model/schema_int.h"

_Static_assert((int)ET_RECORD_COMPLETE == (int)ET_CHECK_COMPLETE,
               "public and internal completeness flags must agree");
_Static_assert(sizeof(enum et_verification_status) == sizeof(int) &&
                   sizeof(enum et_level) == sizeof(int) &&
                   sizeof(enum et_issue_type) == sizeof(int),
               "enum members are stored as int");
_Static_assert(ET_RECORD_ID_LEN == ET_UUID_STRLEN, "UUID length");

#define AT(base, off)  ((char *)(base) + (off))
#define CAT(base, off) ((const char *)(base) + (off))

/* ---- defaults and release ---- */

/* Set the "unknown" values of a zeroed struct of level lv. */
static void init_level(const struct et__level *lv, void *base)
{
    for (size_t i = 0; i < lv->n_fields; i++) {
        const struct et__field *f = &lv->fields[i];
        void *p;

        /* an extension field's offset is NONE: no pointer is made from it
         * (found by fuzz_record_parse: pointer overflow) */
        if (f->flags & ET__F_EXTENSION)
            continue;
        p = AT(base, f->offset);
        switch (f->kind) {
        case ET__K_COUNT:
        case ET__K_SEQ:
            *(int64_t *)p = -1;
            break;
        case ET__K_BOOL:
            *(int *)p = -1;
            break;
        case ET__K_SCORE:
            *(double *)p = NAN;
            break;
        case ET__K_OBJECT:
            init_level(f->sub, p);
            break;
        default:
            break;
        }
    }
}

static void free_strings(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        et__free(list[i]);
    et__free(list);
}

/* Release the members of a struct of level lv (not the struct itself). */
static void release_level(const struct et__level *lv, void *base)
{
    for (size_t i = 0; i < lv->n_fields; i++) {
        const struct et__field *f = &lv->fields[i];
        void *p;

        /* an extension field's offset is NONE: no pointer is made from it
         * (found by fuzz_record_parse: pointer overflow) */
        if (f->flags & ET__F_EXTENSION)
            continue;
        p = AT(base, f->offset);
        switch (f->kind) {
        case ET__K_TEXT:
        case ET__K_ID:
        case ET__K_ANY:
        case ET__K_MEASURE:
            et__free(*(char **)p);
            break;
        case ET__K_TEXT_LIST:
            free_strings(*(char ***)p, *(size_t *)AT(base, f->count_offset));
            break;
        case ET__K_OBJECT:
            release_level(f->sub, p);
            break;
        case ET__K_OBJ_LIST: {
            char *items = *(char **)p;
            size_t n = *(size_t *)AT(base, f->count_offset);

            for (size_t j = 0; j < n; j++)
                release_level(f->sub, items + j * f->sub->struct_size);
            et__free(items);
            break;
        }
        default:
            break;
        }
    }
    et__free(*(char **)AT(base, lv->extra_offset));
}

void et_record_free(struct et_record *r)
{
    if (!r)
        return;
    release_level(&et__level_record, r);
    et__free(r);
}

void et_record_free_string(char *s)
{
    et__free(s);
}

/* ---- decode: checked JSON -> struct ---- */

static int decode_level(const struct et__level *lv, struct json_object *obj,
                        void *base);

static char *dup_string(struct json_object *v)
{
    return et__strndup(json_object_get_string(v),
                       (size_t)json_object_get_string_len(v));
}

/* Compact JSON text of v, or NULL on ENOMEM. */
static char *json_text(struct json_object *v)
{
    struct et_buf b = ET_BUF_INIT;

    if (et_json_write(v, 0, &b) != ET_OK) {
        et_buf_release(&b);
        return NULL;
    }
    return et_buf_detach(&b, NULL);
}

static int decode_text_list(const struct et__field *f, struct json_object *v,
                            void *base)
{
    size_t n = json_object_array_length(v);
    char **list = et__calloc(n, sizeof(*list));

    if (!list)
        return ET_ENOMEM;
    *(char ***)AT(base, f->offset) = list;
    for (size_t i = 0; i < n; i++) {
        list[i] = dup_string(json_object_array_get_idx(v, i));
        if (!list[i])
            return ET_ENOMEM;
        *(size_t *)AT(base, f->count_offset) = i + 1;
    }
    return ET_OK;
}

static int decode_obj_list(const struct et__field *f, struct json_object *v,
                           void *base)
{
    size_t n = json_object_array_length(v), size = f->sub->struct_size;
    char *items = et__calloc(n, size);

    if (!items)
        return ET_ENOMEM;
    for (size_t i = 0; i < n; i++)
        init_level(f->sub, items + i * size);
    *(char **)AT(base, f->offset) = items;
    *(size_t *)AT(base, f->count_offset) = n;
    for (size_t i = 0; i < n; i++) {
        int rc = decode_level(f->sub, json_object_array_get_idx(v, i),
                              items + i * size);
        if (rc)
            return rc;
    }
    return ET_OK;
}

static int enum_value(const struct et__enum_def *def, const char *name)
{
    for (size_t i = 0; i < def->n_items; i++) {
        if (strcmp(def->items[i].name, name) == 0)
            return def->items[i].value;
    }
    return 0;
}

/* v is a checked, non-null value of field f; p its member. */
static int decode_value(const struct et__field *f, struct json_object *v,
                        void *base)
{
    void *p = AT(base, f->offset);
    int e;

    switch (f->kind) {
    case ET__K_TEXT:
    case ET__K_ID:
        *(char **)p = dup_string(v);
        return *(char **)p ? ET_OK : ET_ENOMEM;
    case ET__K_UUID:
        et_uuid_normalize(json_object_get_string(v), p);
        return ET_OK;
    case ET__K_TIME:
        if (et_time_parse(json_object_get_string(v),
                          (size_t)json_object_get_string_len(v), false,
                          (int64_t *)p) != ET_OK)
            return ET_EINTERNAL; /* checked before: cannot happen */
        return ET_OK;
    case ET__K_COUNT:
    case ET__K_SEQ:
        *(int64_t *)p = json_object_get_int64(v);
        return ET_OK;
    case ET__K_BOOL:
        *(int *)p = json_object_get_boolean(v) ? 1 : 0;
        return ET_OK;
    case ET__K_SCORE:
        *(double *)p = json_object_get_double(v);
        return ET_OK;
    case ET__K_ENUM:
        e = enum_value(f->enum_def, json_object_get_string(v));
        memcpy(p, &e, sizeof(e));
        return ET_OK;
    case ET__K_TEXT_LIST:
        return decode_text_list(f, v, base);
    case ET__K_ANY:
    case ET__K_MEASURE:
        *(char **)p = json_text(v);
        return *(char **)p ? ET_OK : ET_ENOMEM;
    case ET__K_OBJECT:
        return decode_level(f->sub, v, p);
    case ET__K_OBJ_LIST:
        return decode_obj_list(f, v, base);
    }
    ET_BUG("unknown field kind");
}

/* The keys of obj that are not spec keys of lv, as compact JSON object
 * text in *out (NULL when there are none). */
static int decode_extra(const struct et__level *lv, struct json_object *obj,
                        char **out)
{
    struct json_object_iterator it = json_object_iter_begin(obj);
    struct json_object_iterator end = json_object_iter_end(obj);
    struct json_object *extra = NULL;
    int rc = ET_ENOMEM;

    *out = NULL;
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        const char *key = json_object_iter_peek_name(&it);
        struct json_object *v = json_object_iter_peek_value(&it);

        if (et__level_is_spec_key(lv, key))
            continue;
        if (!extra && !(extra = et__jnew_object()))
            goto out;
        /* shared, not copied: extra only lives until it is written */
        if (et__jadd(extra, key, json_object_get(v)) < 0) {
            json_object_put(v);
            goto out;
        }
    }
    rc = ET_OK;
    if (extra) {
        *out = json_text(extra);
        rc = *out ? ET_OK : ET_ENOMEM;
    }
out:
    json_object_put(extra);
    return rc;
}

static int decode_level(const struct et__level *lv, struct json_object *obj,
                        void *base)
{
    for (size_t i = 0; i < lv->n_fields; i++) {
        const struct et__field *f = &lv->fields[i];
        struct json_object *v = NULL;
        int rc;

        if (f->flags & ET__F_EXTENSION)
            continue;
        json_object_object_get_ex(obj, f->name, &v);
        if (!v)
            continue;
        rc = decode_value(f, v, base);
        if (rc)
            return rc;
    }
    if (lv->present_offset != SIZE_MAX)
        *(bool *)AT(base, lv->present_offset) = true;
    return decode_extra(lv, obj, (char **)AT(base, lv->extra_offset));
}

/* doc has passed et__record_check(doc, "", ...). */
static int decode_checked(struct json_object *doc, struct et_record **out,
                          struct et_error *err)
{
    struct et_record *r = et__calloc(1, sizeof(*r));
    int rc;

    *out = NULL;
    if (!r)
        return et_error_set(err, ET_ENOMEM, "out of memory decoding a record");
    init_level(&et__level_record, r);
    rc = decode_level(&et__level_record, doc, r);
    if (rc) {
        et_record_free(r);
        if (rc == ET_ENOMEM)
            return et_error_set(err, rc, "out of memory decoding a record");
        return et_error_set(err, rc, "record decoding failed");
    }
    *out = r;
    return ET_OK;
}

int et__record_decode(struct json_object *doc, struct et_record **out,
                      struct et_error *err)
{
    int rc;

    *out = NULL;
    rc = et__record_check(doc, "", 0, err);
    if (rc)
        return rc;
    return decode_checked(doc, out, err);
}

/* ---- encode: struct -> JSON ---- */

struct enc {
    struct et__path path;
    struct et_error *err;
};

static int encode_level(struct enc *e, const struct et__level *lv,
                        const void *base, struct json_object **out);

static int enc_fail(struct enc *e, int code, const char *what)
{
    return et_error_set(e->err, code, "%s: %s", et__path_str(&e->path), what);
}

/* A new string, or *out NULL for s NULL; ENOMEM distinguishable. */
static int new_string(const char *s, struct json_object **out)
{
    *out = s ? et__jnew_string(s) : NULL;
    return s && !*out ? ET_ENOMEM : ET_OK;
}

static int encode_text_list(struct enc *e, const struct et__field *f,
                            const void *base, struct json_object **out)
{
    char **list = *(char **const *)CAT(base, f->offset);
    size_t n = *(const size_t *)CAT(base, f->count_offset);
    struct json_object *arr = et__jnew_array(), *v;

    *out = NULL;
    if (!arr)
        return enc_fail(e, ET_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (new_string(list[i], &v) || et__jappend(arr, v) < 0) {
            json_object_put(v);
            json_object_put(arr);
            return enc_fail(e, ET_ENOMEM, "out of memory");
        }
    }
    *out = arr;
    return ET_OK;
}

static int encode_obj_list(struct enc *e, const struct et__field *f,
                           const void *base, struct json_object **out)
{
    const char *items = *(char *const *)CAT(base, f->offset);
    size_t n = *(const size_t *)CAT(base, f->count_offset);
    struct json_object *arr = et__jnew_array(), *v;

    *out = NULL;
    if (!arr)
        return enc_fail(e, ET_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t mark = et__path_index(&e->path, i);
        int rc = encode_level(e, f->sub, items + i * f->sub->struct_size, &v);

        et__path_pop(&e->path, mark);
        if (!rc && et__jappend(arr, v) < 0) {
            json_object_put(v);
            rc = enc_fail(e, ET_ENOMEM, "out of memory");
        }
        if (rc) {
            json_object_put(arr);
            return rc;
        }
    }
    *out = arr;
    return ET_OK;
}

static int encode_json_text(struct enc *e, const char *text,
                            struct json_object **out)
{
    struct et_error perr = ET_ERROR_INIT;
    int rc;

    *out = NULL;
    if (!text)
        return ET_OK;
    rc = et_json_parse(text, strlen(text), NULL, out, &perr);
    if (rc == ET_ENOMEM)
        return enc_fail(e, rc, "out of memory");
    if (rc)
        return et_error_set(e->err, ET_EINVAL, "%s: not valid JSON text: %s",
                            et__path_str(&e->path), perr.msg);
    return ET_OK;
}

static int encode_enum(struct enc *e, const struct et__enum_def *def,
                       const void *p, struct json_object **out)
{
    int value;

    memcpy(&value, p, sizeof(value));
    *out = NULL;
    if (value == 0)
        return ET_OK;
    for (size_t i = 0; i < def->n_items; i++) {
        if (def->items[i].value == value)
            return new_string(def->items[i].name, out)
                       ? enc_fail(e, ET_ENOMEM, "out of memory")
                       : ET_OK;
    }
    return et_error_set(e->err, ET_EINVAL, "%s: invalid enum value %d",
                        et__path_str(&e->path), value);
}

/* True when every member of obj is null or an empty array. */
static bool is_blank(struct json_object *obj)
{
    struct json_object_iterator it = json_object_iter_begin(obj);
    struct json_object_iterator end = json_object_iter_end(obj);

    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        struct json_object *v = json_object_iter_peek_value(&it);

        if (v && !(json_object_is_type(v, json_type_array) &&
                   json_object_array_length(v) == 0))
            return false;
    }
    return true;
}

static int encode_object(struct enc *e, const struct et__field *f,
                         const void *p, struct json_object **out)
{
    const struct et__level *sub = f->sub;
    int rc = encode_level(e, sub, p, out);

    if (rc == ET_OK && !*(const bool *)CAT(p, sub->present_offset) &&
        is_blank(*out)) {
        json_object_put(*out);
        *out = NULL;
    }
    return rc;
}

static int encode_value(struct enc *e, const struct et__field *f,
                        const void *base, struct json_object **out)
{
    const void *p = CAT(base, f->offset);
    char ts[ET_RFC3339_MAX];
    int64_t n;
    int b, rc = ET_OK;
    double d;

    *out = NULL;
    switch (f->kind) {
    case ET__K_TEXT:
    case ET__K_ID:
        rc = new_string(*(char *const *)p, out);
        break;
    case ET__K_UUID:
        rc = new_string(*(const char *)p ? p : NULL, out);
        break;
    case ET__K_TIME:
        n = *(const int64_t *)p;
        if (n != 0) {
            et_time_format(n, ts);
            rc = new_string(ts, out);
        }
        break;
    case ET__K_COUNT:
    case ET__K_SEQ:
        n = *(const int64_t *)p;
        if (n != -1 && !(*out = et__jnew_int64(n)))
            rc = ET_ENOMEM;
        break;
    case ET__K_BOOL:
        b = *(const int *)p;
        if (b >= 0 && !(*out = et__jnew_boolean(b > 0)))
            rc = ET_ENOMEM;
        break;
    case ET__K_SCORE:
        d = *(const double *)p;
        if (!isnan(d) && !(*out = et__jnew_double(d)))
            rc = ET_ENOMEM;
        break;
    case ET__K_ENUM:
        return encode_enum(e, f->enum_def, p, out);
    case ET__K_TEXT_LIST:
        return encode_text_list(e, f, base, out);
    case ET__K_ANY:
    case ET__K_MEASURE:
        return encode_json_text(e, *(char *const *)p, out);
    case ET__K_OBJECT:
        return encode_object(e, f, p, out);
    case ET__K_OBJ_LIST:
        return encode_obj_list(e, f, base, out);
    }
    return rc ? enc_fail(e, rc, "out of memory") : ET_OK;
}

/* Append the members of the JSON object text extra to obj. */
static int encode_extra(struct enc *e, const struct et__level *lv,
                        const char *extra, struct json_object *obj)
{
    struct json_object *x = NULL;
    struct json_object_iterator it, end;
    size_t mark = et__path_key(&e->path, "extra_json");
    int rc = encode_json_text(e, extra, &x);

    if (rc || !x)
        goto out;
    if (!json_object_is_type(x, json_type_object)) {
        rc = enc_fail(e, ET_EINVAL, "not a JSON object");
        goto out;
    }
    it = json_object_iter_begin(x);
    end = json_object_iter_end(x);
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        const char *key = json_object_iter_peek_name(&it);
        struct json_object *v = json_object_iter_peek_value(&it);

        if (et__level_is_spec_key(lv, key)) {
            rc = et_error_set(e->err, ET_EINVAL,
                              "%s: key \"%s\" is a spec field",
                              et__path_str(&e->path), key);
            goto out;
        }
        if (et__jadd(obj, key, json_object_get(v)) < 0) {
            json_object_put(v);
            rc = enc_fail(e, ET_ENOMEM, "out of memory");
            goto out;
        }
    }
out:
    et__path_pop(&e->path, mark);
    json_object_put(x);
    return rc;
}

static int encode_level(struct enc *e, const struct et__level *lv,
                        const void *base, struct json_object **out)
{
    struct json_object *obj = et__jnew_object(), *v;
    int rc = ET_OK;

    *out = NULL;
    if (!obj)
        return enc_fail(e, ET_ENOMEM, "out of memory");
    for (size_t i = 0; i < lv->n_fields && rc == ET_OK; i++) {
        const struct et__field *f = &lv->fields[i];
        size_t mark;

        if (f->flags & ET__F_EXTENSION)
            continue;
        mark = et__path_key(&e->path, f->name);
        rc = encode_value(e, f, base, &v);
        if (rc == ET_OK && et__jadd(obj, f->name, v) < 0) {
            json_object_put(v);
            rc = enc_fail(e, ET_ENOMEM, "out of memory");
        }
        et__path_pop(&e->path, mark);
    }
    if (rc == ET_OK)
        rc = encode_extra(e, lv, *(char *const *)CAT(base, lv->extra_offset),
                          obj);
    if (rc) {
        json_object_put(obj);
        return rc;
    }
    *out = obj;
    return ET_OK;
}

int et__record_encode_err(const struct et_record *r, struct json_object **out,
                          struct et_error *err)
{
    struct enc e;
    int rc;

    *out = NULL;
    if (!r)
        return et_error_set(err, ET_EINVAL, "no record");
    e.err = err;
    et__path_init(&e.path, NULL);
    rc = encode_level(&e, &et__level_record, r, out);
    if (rc == ET_OK)
        rc = et__record_check(*out, "", 0, err);
    if (rc) {
        json_object_put(*out);
        *out = NULL;
    }
    return rc;
}

struct json_object *et__record_encode(const struct et_record *r)
{
    struct json_object *out;

    if (et__record_encode_err(r, &out, NULL) != ET_OK)
        return NULL;
    return out;
}

/* ---- public API ---- */

int et_record_parse(const char *json, size_t len, unsigned flags,
                    struct et_record **out, struct et_error *err)
{
    struct json_object *doc = NULL;
    int rc;

    if (out)
        *out = NULL;
    if (!json || !out)
        return et_error_set(err, ET_EINVAL, "no JSON text or no output");
    rc = et_json_parse(json, len, NULL, &doc, err);
    if (rc == ET_OK)
        rc = et__record_check(doc, "", flags & ET_CHECK_COMPLETE, err);
    if (rc == ET_OK)
        rc = decode_checked(doc, out, err);
    json_object_put(doc);
    return rc;
}

int et_record_to_json(const struct et_record *r, unsigned flags, char **out,
                      size_t *len_out, struct et_error *err)
{
    struct et_buf b = ET_BUF_INIT;
    struct json_object *obj = NULL;
    int rc;

    if (out)
        *out = NULL;
    if (len_out)
        *len_out = 0;
    if (!r || !out)
        return et_error_set(err, ET_EINVAL, "no record or no output");
    rc = et__record_encode_err(r, &obj, err);
    if (rc)
        return rc;
    rc = et_json_write(obj, flags & ET_RECORD_PRETTY ? ET_JSON_PRETTY : 0, &b);
    json_object_put(obj);
    if (rc) {
        et_buf_release(&b);
        return et_error_set(err, rc, "writing the record: %s",
                            et_status_str(rc));
    }
    *out = et_buf_detach(&b, len_out);
    return ET_OK;
}

static const char *enum_name(const struct et__enum_def *def, int value)
{
    for (size_t i = 0; i < def->n_items; i++) {
        if (def->items[i].value == value)
            return def->items[i].name;
    }
    return NULL;
}

const char *et_verification_status_name(enum et_verification_status s)
{
    return enum_name(&et__enum_verify, (int)s);
}

const char *et_level_name(enum et_level l)
{
    return enum_name(&et__enum_level, (int)l);
}

const char *et_issue_type_name(enum et_issue_type t)
{
    return enum_name(&et__enum_issue, (int)t);
}
