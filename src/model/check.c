/* SPDX-License-Identifier: MIT */
/*
 * The record validator and shaper: walk a JSON record (or fragment) along
 * the schema tables of schema.c, check types and values, normalise in place,
 * and report the first problem by its JSON path.
 */
#include "base/setup.h"

#include <inttypes.h>
#include <stdarg.h>

#include "base/time.h"
#include "base/uuid.h"
#include "codec/json.h"
#include "model/record.h"
#include "model/schema_int.h"

/* et_time_parse works in int64 nanoseconds: keep clear of its range
 * (1677-09-21 .. 2262-04-11) with a margin for the offset. */
#define YEAR_MIN 1678
#define YEAR_MAX 2261

#define DESCRIBE_MAX 64 /* bytes of a string value quoted in a message */

/* ---- paths ---- */

void et__path_init(struct et__path *p, const char *prefix)
{
    p->len = 0;
    p->buf[0] = '\0';
    if (prefix)
        p->len = (size_t)snprintf(p->buf, sizeof(p->buf), "%s", prefix);
    if (p->len >= sizeof(p->buf))
        p->len = sizeof(p->buf) - 1;
}

static size_t path_append(struct et__path *p, const char *fmt, ...)
    ET_PRINTF(2, 3);

static size_t path_append(struct et__path *p, const char *fmt, ...)
{
    size_t old = p->len, room = sizeof(p->buf) - p->len;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(p->buf + p->len, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        p->len += (size_t)n < room ? (size_t)n : room - 1;
    return old;
}

/* Called for every field checked, error or not: a copy, not a format
 * (vsnprintf was a few per cent of an action's ingest). Truncated as
 * path_append truncates. */
size_t et__path_key(struct et__path *p, const char *key)
{
    size_t old = p->len, room = sizeof(p->buf) - 1 - p->len;
    size_t n = strlen(key);

    if (old && room) {
        p->buf[p->len++] = '.';
        room--;
    }
    if (n > room)
        n = room;
    memcpy(p->buf + p->len, key, n);
    p->len += n;
    p->buf[p->len] = '\0';
    return old;
}

size_t et__path_index(struct et__path *p, size_t i)
{
    return path_append(p, "[%zu]", i);
}

void et__path_pop(struct et__path *p, size_t len)
{
    p->len = len;
    p->buf[len] = '\0';
}

const char *et__path_str(const struct et__path *p)
{
    return p->len ? p->buf : "record";
}

/* ---- messages ---- */

int et__check_fail(struct et__check *c, const char *fmt, ...)
{
    char detail[sizeof(c->err->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    return et_error_set(c->err, ET_EINPUT, "%s: %s", et__path_str(&c->path),
                        detail);
}

/* s[0..len) as a JSON string literal, cut after about DESCRIBE_MAX bytes at
 * a character boundary ("..." follows the closing quote then). */
static void describe_string(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0, i;

    if (cap < 8) {
        if (cap)
            out[0] = '\0';
        return;
    }
    out[o++] = '"';
    for (i = 0; i < len && o + 8 < cap && i < DESCRIBE_MAX; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch == '"' || ch == '\\') {
            out[o++] = '\\';
            out[o++] = (char)ch;
        } else if (ch < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
        } else {
            out[o++] = (char)ch;
        }
    }
    while (i < len && o > 1 && ((unsigned char)s[i] & 0xC0) == 0x80) {
        /* do not end inside a UTF-8 sequence: drop its first bytes */
        i--;
        o--;
    }
    out[o++] = '"';
    out[o] = '\0';
    if (i < len && o + 3 < cap)
        snprintf(out + o, cap - o, "...");
}

static void describe_double(double d, char *out, size_t cap)
{
    /* the shortest form that reads back to the same double */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

static bool is_big_uint(struct json_object *v)
{
    return json_object_get_int64(v) == INT64_MAX &&
           json_object_get_uint64(v) > (uint64_t)INT64_MAX;
}

void et__describe(struct json_object *v, char *out, size_t cap)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
        describe_string(json_object_get_string(v),
                        (size_t)json_object_get_string_len(v), out, cap);
        break;
    case json_type_int:
        if (is_big_uint(v))
            snprintf(out, cap, "%" PRIu64, json_object_get_uint64(v));
        else
            snprintf(out, cap, "%" PRId64, json_object_get_int64(v));
        break;
    case json_type_double:
        describe_double(json_object_get_double(v), out, cap);
        break;
    case json_type_boolean:
        snprintf(out, cap, "%s", json_object_get_boolean(v) ? "true" : "false");
        break;
    default:
        snprintf(out, cap, "%s", et_json_type_name(v));
        break;
    }
}

/* What a kind expects, for "expected X, got <type>". */
static const char *kind_type(enum et__kind k)
{
    switch (k) {
    case ET__K_UUID:
        return "a UUID string";
    case ET__K_TIME:
        return "an RFC 3339 date-time string";
    case ET__K_COUNT:
    case ET__K_SEQ:
        return "integer";
    case ET__K_BOOL:
        return "boolean";
    case ET__K_SCORE:
        return "number";
    case ET__K_TEXT_LIST:
    case ET__K_OBJ_LIST:
        return "array";
    case ET__K_MEASURE:
        return "string, number or object";
    case ET__K_OBJECT:
        return "object";
    case ET__K_ANY:
        return "any JSON value";
    case ET__K_TEXT:
    case ET__K_ID:
    case ET__K_ENUM:
    default:
        return "string";
    }
}

static int type_fail(struct et__check *c, const char *want,
                     struct json_object *v)
{
    return et__check_fail(c, "expected %s, got %s", want, et_json_type_name(v));
}

static int value_fail(struct et__check *c, const char *want,
                      struct json_object *v)
{
    char got[DESCRIBE_MAX * 6 + 16];

    et__describe(v, got, sizeof(got));
    return et__check_fail(c, "expected %s, got %s", want, got);
}

int et__check_nomem(struct et__check *c)
{
    return et_error_set(c->err, ET_ENOMEM, "%s: out of memory",
                        et__path_str(&c->path));
}

/* ---- one value per kind ---- */

static int check_level(struct et__check *c, const struct et__level *lv,
                       struct json_object *obj);

static int check_id(struct et__check *c, struct json_object *v)
{
    if (!json_object_is_type(v, json_type_string))
        return type_fail(c, "string", v);
    if (json_object_get_string_len(v) == 0)
        return value_fail(c, "a non-empty string", v);
    return ET_OK;
}

static int check_uuid(struct et__check *c, struct json_object *v)
{
    char norm[ET_UUID_STRLEN + 1];
    const char *s;

    if (!json_object_is_type(v, json_type_string))
        return type_fail(c, kind_type(ET__K_UUID), v);
    s = json_object_get_string(v);
    if (!et_uuid_valid(s, (size_t)json_object_get_string_len(v)))
        return value_fail(c, "a UUID (8-4-4-4-12 hex digits)", v);
    et_uuid_normalize(s, norm);
    if (strcmp(norm, s) != 0 && !json_object_set_string(v, norm))
        return et__check_nomem(c);
    return ET_OK;
}

/* The 4-digit year of s[0..len), or -1. */
static int year_of(const char *s, size_t len)
{
    int y = 0;

    if (len < 4)
        return -1;
    for (size_t i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        y = y * 10 + (s[i] - '0');
    }
    return y;
}

static int check_time(struct et__check *c, struct json_object *v)
{
    char norm[ET_RFC3339_MAX];
    const char *s;
    size_t len;
    int64_t ns;
    int year;

    if (!json_object_is_type(v, json_type_string))
        return type_fail(c, kind_type(ET__K_TIME), v);
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    year = year_of(s, len);
    if (year >= 0 && (year < YEAR_MIN || year > YEAR_MAX))
        return value_fail(c, "an RFC 3339 date-time in the years 1678 to 2261",
                          v);
    if (year < 0 || et_time_parse(s, len, false, &ns) != ET_OK)
        return value_fail(c, "an RFC 3339 date-time", v);
    et_time_format(ns, norm);
    if (strcmp(norm, s) != 0 && !json_object_set_string(v, norm))
        return et__check_nomem(c);
    return ET_OK;
}

static int check_int(struct et__check *c, struct json_object *v, int64_t min)
{
    int64_t n;

    if (!json_object_is_type(v, json_type_int))
        return type_fail(c, "integer", v);
    if (is_big_uint(v))
        return value_fail(c, "integer <= 9223372036854775807", v);
    n = json_object_get_int64(v);
    if (n < min)
        return value_fail(c, min ? "integer >= 1" : "integer >= 0", v);
    return ET_OK;
}

static int check_score(struct et__check *c, struct json_object *v)
{
    double d;

    if (!json_object_is_type(v, json_type_int) &&
        !json_object_is_type(v, json_type_double))
        return type_fail(c, "number", v);
    d = json_object_get_double(v);
    if (!(d >= 0.0 && d <= 1.0))
        return value_fail(c, "number in [0, 1]", v);
    return ET_OK;
}

static int check_enum(struct et__check *c, const struct et__enum_def *def,
                      struct json_object *v)
{
    char want[128];
    size_t o;

    if (!json_object_is_type(v, json_type_string))
        return type_fail(c, "string", v);
    for (size_t i = 0; i < def->n_items; i++) {
        if (strcmp(json_object_get_string(v), def->items[i].name) == 0)
            return ET_OK;
    }
    o = (size_t)snprintf(want, sizeof(want), "one of");
    for (size_t i = 0; i < def->n_items && o < sizeof(want); i++)
        o += (size_t)snprintf(want + o, sizeof(want) - o, "%s %s", i ? "," : "",
                              def->items[i].name);
    return value_fail(c, want, v);
}

static int check_text_list(struct et__check *c, struct json_object *v)
{
    size_t n;

    if (!json_object_is_type(v, json_type_array))
        return type_fail(c, "array", v);
    n = json_object_array_length(v);
    for (size_t i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(v, i);

        if (!json_object_is_type(item, json_type_string)) {
            size_t mark = et__path_index(&c->path, i);
            int rc = type_fail(c, "string", item);

            et__path_pop(&c->path, mark);
            return rc;
        }
    }
    return ET_OK;
}

static int check_measure(struct et__check *c, struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_string:
    case json_type_int:
    case json_type_double:
    case json_type_object:
        return ET_OK;
    default:
        return type_fail(c, kind_type(ET__K_MEASURE), v);
    }
}

static int check_obj_list(struct et__check *c, const struct et__level *sub,
                          struct json_object *v)
{
    size_t n;

    if (!json_object_is_type(v, json_type_array))
        return type_fail(c, "array", v);
    n = json_object_array_length(v);
    for (size_t i = 0; i < n; i++) {
        size_t mark = et__path_index(&c->path, i);
        int rc = check_level(c, sub, json_object_array_get_idx(v, i));

        et__path_pop(&c->path, mark);
        if (rc)
            return rc;
    }
    return ET_OK;
}

/* v is not NULL (JSON null is handled by the caller). */
static int check_value(struct et__check *c, const struct et__field *f,
                       struct json_object *v)
{
    switch (f->kind) {
    case ET__K_TEXT:
        if (!json_object_is_type(v, json_type_string))
            return type_fail(c, "string", v);
        return ET_OK;
    case ET__K_ID:
        return check_id(c, v);
    case ET__K_UUID:
        return check_uuid(c, v);
    case ET__K_TIME:
        return check_time(c, v);
    case ET__K_COUNT:
        return check_int(c, v, 0);
    case ET__K_SEQ:
        return check_int(c, v, 1);
    case ET__K_BOOL:
        if (!json_object_is_type(v, json_type_boolean))
            return type_fail(c, "boolean", v);
        return ET_OK;
    case ET__K_SCORE:
        return check_score(c, v);
    case ET__K_ENUM:
        return check_enum(c, f->enum_def, v);
    case ET__K_TEXT_LIST:
        return check_text_list(c, v);
    case ET__K_ANY:
        return ET_OK;
    case ET__K_MEASURE:
        return check_measure(c, v);
    case ET__K_OBJECT:
        return check_level(c, f->sub, v);
    case ET__K_OBJ_LIST:
        return check_obj_list(c, f->sub, v);
    }
    ET_BUG("unknown field kind");
}

/* A mandatory field is absent: name the innermost one that is missing
 * (agent_metadata absent -> "agent_metadata.name"). */
static int missing(struct et__check *c, const struct et__field *f)
{
    if (f->kind == ET__K_OBJECT) {
        for (size_t i = 0; i < f->sub->n_fields; i++) {
            const struct et__field *g = &f->sub->fields[i];

            if (g->flags & ET__F_MANDATORY) {
                size_t mark = et__path_key(&c->path, g->name);
                int rc = missing(c, g);

                et__path_pop(&c->path, mark);
                return rc;
            }
        }
    }
    return et__check_fail(c, "missing mandatory field");
}

static int check_level(struct et__check *c, const struct et__level *lv,
                       struct json_object *obj)
{
    bool complete = (c->flags & ET_CHECK_COMPLETE) != 0;

    if (!json_object_is_type(obj, json_type_object))
        return type_fail(c, "object", obj);
    for (size_t i = 0; i < lv->n_fields; i++) {
        const struct et__field *f = &lv->fields[i];
        struct json_object *v = NULL;
        bool has = json_object_object_get_ex(obj, f->name, &v);
        size_t mark = et__path_key(&c->path, f->name);
        int rc = ET_OK;

        if (v)
            rc = check_value(c, f, v);
        else if (complete && (f->flags & ET__F_MANDATORY))
            rc = has ? type_fail(c, kind_type(f->kind), v) : missing(c, f);
        et__path_pop(&c->path, mark);
        if (rc)
            return rc;
    }
    return lv->rule ? lv->rule(c, obj) : ET_OK;
}

int et__record_check(struct json_object *frag, const char *path, unsigned flags,
                     struct et_error *err)
{
    struct et__check c;

    if (!path)
        return et_error_set(err, ET_EINVAL, "no record path");
    for (size_t i = 0; i < et__n_fragments; i++) {
        if (strcmp(et__fragments[i].path, path) != 0)
            continue;
        c.flags = flags;
        c.is_whole = path[0] == '\0';
        c.err = err;
        et__path_init(&c.path, path);
        return check_level(&c, et__fragments[i].level, frag);
    }
    return et_error_set(err, ET_EINVAL, "unknown record path \"%s\"", path);
}

/* ---- shape ---- */

static struct json_object *shape_level(const struct et__level *lv,
                                       struct json_object *obj);

static int copy_value(struct json_object *v, struct json_object **out)
{
    *out = NULL;
    if (!v)
        return ET_OK;
    if (json_object_deep_copy(v, out, NULL) != 0) {
        *out = NULL;
        return ET_ENOMEM;
    }
    return ET_OK;
}

static int add_member(struct json_object *obj, const char *key,
                      struct json_object *v)
{
    if (et__jadd(obj, key, v) < 0) {
        json_object_put(v);
        return ET_ENOMEM;
    }
    return ET_OK;
}

static int shape_list(const struct et__level *sub, struct json_object *v,
                      struct json_object **out)
{
    size_t n = json_object_array_length(v);
    struct json_object *list = et__jnew_array();

    *out = NULL;
    if (!list)
        return ET_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(v, i), *copy;

        if (json_object_is_type(item, json_type_object)) {
            copy = shape_level(sub, item);
            if (!copy)
                goto fail;
        } else if (copy_value(item, &copy)) {
            goto fail;
        }
        if (et__jappend(list, copy) < 0) {
            json_object_put(copy);
            goto fail;
        }
    }
    *out = list;
    return ET_OK;
fail:
    json_object_put(list);
    return ET_ENOMEM;
}

/* The shaped copy of the value v (may be NULL) of field f. */
static int shape_value(const struct et__field *f, struct json_object *v,
                       struct json_object **out)
{
    bool is_list = f->kind == ET__K_TEXT_LIST || f->kind == ET__K_OBJ_LIST;

    *out = NULL;
    if (!v && is_list) {
        *out = et__jnew_array();
        return *out ? ET_OK : ET_ENOMEM;
    }
    if (f->kind == ET__K_OBJECT && json_object_is_type(v, json_type_object)) {
        *out = shape_level(f->sub, v);
        return *out ? ET_OK : ET_ENOMEM;
    }
    if (f->kind == ET__K_OBJ_LIST && json_object_is_type(v, json_type_array))
        return shape_list(f->sub, v, out);
    return copy_value(v, out);
}

static struct json_object *shape_level(const struct et__level *lv,
                                       struct json_object *obj)
{
    struct json_object *out = et__jnew_object(), *v;
    struct json_object_iterator it, end;

    if (!out)
        return NULL;
    for (size_t i = 0; i < lv->n_fields; i++) {
        const struct et__field *f = &lv->fields[i];

        if (f->flags & ET__F_EXTENSION)
            continue;
        v = NULL;
        json_object_object_get_ex(obj, f->name, &v);
        if (shape_value(f, v, &v) || add_member(out, f->name, v))
            goto fail;
    }
    it = json_object_iter_begin(obj);
    end = json_object_iter_end(obj);
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        const char *key = json_object_iter_peek_name(&it);

        if (et__level_is_spec_key(lv, key))
            continue;
        if (copy_value(json_object_iter_peek_value(&it), &v) ||
            add_member(out, key, v))
            goto fail;
    }
    return out;
fail:
    json_object_put(out);
    return NULL;
}

struct json_object *et__record_shape(struct json_object *doc)
{
    struct json_object *empty = NULL, *out;

    if (json_object_is_type(doc, json_type_object))
        return shape_level(&et__level_record, doc);
    /* not a record: the shape of {} */
    empty = et__jnew_object();
    if (!empty)
        return NULL;
    out = shape_level(&et__level_record, empty);
    json_object_put(empty);
    return out;
}
