/* SPDX-License-Identifier: MIT */
/*
 * The JSON writer: one recursive walk that produces both the canonical byte
 * form (compact, keys in byte order) and the display form (insertion order,
 * optionally indented). docs/internals/CODEC.md specifies the bytes.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "codec/json_int.h"

#include <inttypes.h>
#include <math.h>

#define ALL_FLAGS (ET_JSON_SORTED | ET_JSON_PRETTY)

static int add_escape(struct et_buf *out, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', 0, 0};

    switch (c) {
    case '"':
        return et_buf_add(out, "\\\"", 2);
    case '\\':
        return et_buf_add(out, "\\\\", 2);
    case '\b':
        return et_buf_add(out, "\\b", 2);
    case '\f':
        return et_buf_add(out, "\\f", 2);
    case '\n':
        return et_buf_add(out, "\\n", 2);
    case '\r':
        return et_buf_add(out, "\\r", 2);
    case '\t':
        return et_buf_add(out, "\\t", 2);
    default:
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 0xf];
        return et_buf_add(out, esc, sizeof(esc));
    }
}

int et__json_add_string(struct et_buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    int rc;

    /* one growth for the common case of nothing to escape */
    rc = et_buf_grow(out, len + 2);
    if (!rc)
        rc = et_buf_addch(out, '"');
    while (!rc && i < len) {
        size_t n;

        if (et__json_is_plain(p[i])) {
            i++;
            continue;
        }
        if (p[i] >= 0x80) {
            n = et__json_utf8_len(p + i, len - i);
            if (!n)
                return ET_EINVAL;
            i += n;
            continue;
        }
        rc = et_buf_add(out, s + run, i - run);
        if (!rc)
            rc = add_escape(out, p[i]);
        run = ++i;
    }
    if (!rc)
        rc = et_buf_add(out, s + run, len - run);
    if (!rc)
        rc = et_buf_addch(out, '"');
    return rc;
}

/*
 * The shortest decimal that reads back as d: for p = 1..17, the correctly
 * rounded p-digit "%.*e"; the first that strtod maps back to d wins. Its
 * digits go to digits[] (no trailing zeros) and the exponent of the first
 * digit to *exp10_out. Parsing the printf output in the current locale
 * keeps this right whatever the radix character is.
 */
static size_t shortest_digits(double d, char digits[18], int *exp10_out)
{
    char tmp[48];
    const char *e = NULL;
    size_t n = 0;

    for (int prec = 0; prec < 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    for (const char *q = tmp; *q && !e; q++) {
        if (*q >= '0' && *q <= '9' && n < 17)
            digits[n++] = *q;
        else if (*q == 'e')
            e = q + 1;
    }
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10_out = e ? (int)strtol(e, NULL, 10) : 0;
    return n;
}

/*
 * A finite double in the canonical number form (CODEC.md "Numbers"):
 * plain notation for 1e-6 <= |d| < 2^53 (integral values without a
 * fraction), else d.ddde+X / d.ddde-X. Zero, including -0, is "0".
 */
static int add_double(struct et_buf *out, double d)
{
    char digits[18], text[48];
    size_t n, k = 0;
    int x;

    if (!isfinite(d))
        return ET_EINVAL;
    if (d == 0)
        return et_buf_addch(out, '0');
    n = shortest_digits(d, digits, &x);
    if (d < 0)
        text[k++] = '-';
    if (x < -6 || fabs(d) >= 9007199254740992.0) {
        text[k++] = digits[0];
        if (n > 1) {
            text[k++] = '.';
            memcpy(text + k, digits + 1, n - 1);
            k += n - 1;
        }
        k += (size_t)snprintf(text + k, sizeof(text) - k, "e%c%d",
                              x < 0 ? '-' : '+', x < 0 ? -x : x);
    } else if (x < 0) {
        text[k++] = '0';
        text[k++] = '.';
        for (int z = -1; z > x; z--)
            text[k++] = '0';
        memcpy(text + k, digits, n);
        k += n;
    } else {
        size_t int_digits = (size_t)x + 1;

        for (size_t i = 0; i < int_digits; i++)
            text[k++] = i < n ? digits[i] : '0';
        if (n > int_digits) {
            text[k++] = '.';
            memcpy(text + k, digits + int_digits, n - int_digits);
            k += n - int_digits;
        }
    }
    return et_buf_add(out, text, k);
}

static int add_int(struct et_buf *out, struct json_object *obj)
{
    int64_t i = json_object_get_int64(obj);

    /* json-c saturates get_int64 for values stored as uint64 */
    if (i == INT64_MAX)
        return et_buf_printf(out, "%" PRIu64, json_object_get_uint64(obj));
    return et_buf_printf(out, "%" PRId64, i);
}

static int add_newline(struct et_buf *out, unsigned flags, int depth)
{
    int rc;

    if (!(flags & ET_JSON_PRETTY))
        return ET_OK;
    rc = et_buf_grow(out, 1 + 2 * (size_t)depth);
    if (rc)
        return rc;
    out->ptr[out->len++] = '\n';
    memset(out->ptr + out->len, ' ', 2 * (size_t)depth);
    out->len += 2 * (size_t)depth;
    out->ptr[out->len] = '\0';
    return ET_OK;
}

static int write_value(struct json_object *obj, unsigned flags, int depth,
                       struct et_buf *out);

static int write_array(struct json_object *arr, unsigned flags, int depth,
                       struct et_buf *out)
{
    size_t n = json_object_array_length(arr);
    int rc = et_buf_addch(out, '[');

    for (size_t i = 0; !rc && i < n; i++) {
        if (i)
            rc = et_buf_addch(out, ',');
        if (!rc)
            rc = add_newline(out, flags, depth + 1);
        if (!rc)
            rc = write_value(json_object_array_get_idx(arr, i), flags,
                             depth + 1, out);
    }
    if (!rc && n)
        rc = add_newline(out, flags, depth);
    if (!rc)
        rc = et_buf_addch(out, ']');
    return rc;
}

struct member {
    const char *key;
    struct json_object *val;
};

/* Byte order of the UTF-8 keys: strcmp compares as unsigned char, and a
 * json-c key cannot contain NUL, so a prefix sorts first. */
static int member_cmp(const void *a, const void *b)
{
    return strcmp(((const struct member *)a)->key,
                  ((const struct member *)b)->key);
}

static int write_object(struct json_object *obj, unsigned flags, int depth,
                        struct et_buf *out)
{
    struct lh_table *t = json_object_get_object(obj);
    size_t n = (size_t)json_object_object_length(obj), i = 0;
    struct member *m = NULL;
    int rc;

    if (n == 0)
        return et_buf_add(out, "{}", 2);
    m = et__malloc(n * sizeof(*m));
    if (!m)
        return ET_ENOMEM;
    for (struct lh_entry *e = lh_table_head(t); e && i < n;
         e = lh_entry_next(e)) {
        m[i].key = lh_entry_k(e);
        m[i].val = lh_entry_v(e);
        i++;
    }
    n = i;
    if (flags & ET_JSON_SORTED)
        qsort(m, n, sizeof(*m), member_cmp);
    rc = et_buf_addch(out, '{');
    for (i = 0; !rc && i < n; i++) {
        if (i)
            rc = et_buf_addch(out, ',');
        if (!rc)
            rc = add_newline(out, flags, depth + 1);
        if (!rc)
            rc = et__json_add_string(out, m[i].key, strlen(m[i].key));
        if (!rc)
            rc = et_buf_add(out, ": ", flags & ET_JSON_PRETTY ? 2 : 1);
        if (!rc)
            rc = write_value(m[i].val, flags, depth + 1, out);
    }
    if (!rc)
        rc = add_newline(out, flags, depth);
    if (!rc)
        rc = et_buf_addch(out, '}');
    et__free(m);
    return rc;
}

static int write_value(struct json_object *obj, unsigned flags, int depth,
                       struct et_buf *out)
{
    if (depth > ET__JSON_DEPTH_CAP)
        return ET_ETOOBIG;
    switch (json_object_get_type(obj)) {
    case json_type_null:
        return et_buf_add(out, "null", 4);
    case json_type_boolean:
        return json_object_get_boolean(obj) ? et_buf_add(out, "true", 4)
                                            : et_buf_add(out, "false", 5);
    case json_type_int:
        return add_int(out, obj);
    case json_type_double:
        return add_double(out, json_object_get_double(obj));
    case json_type_string:
        return et__json_add_string(out, json_object_get_string(obj),
                                   (size_t)json_object_get_string_len(obj));
    case json_type_array:
        return write_array(obj, flags, depth, out);
    case json_type_object:
        return write_object(obj, flags, depth, out);
    }
    return ET_EINVAL;
}

int et_json_write(struct json_object *obj, unsigned flags, struct et_buf *out)
{
    int rc = ET_EINVAL;

    if (!out)
        return ET_EINVAL;
    if (!(flags & ~(unsigned)ALL_FLAGS))
        rc = write_value(obj, flags, 0, out);
    /* never leave a half-written document behind (like et_buf itself) */
    if (rc)
        et_buf_release(out);
    return rc;
}

int et_json_canon(struct json_object *obj, struct et_buf *out)
{
    return et_json_write(obj, ET_JSON_SORTED, out);
}

const char *et_json_type_name(struct json_object *obj)
{
    switch (json_object_get_type(obj)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "boolean";
    case json_type_int:
        return "integer";
    case json_type_double:
        return "number";
    case json_type_string:
        return "string";
    case json_type_array:
        return "array";
    case json_type_object:
        return "object";
    }
    return "unknown";
}
