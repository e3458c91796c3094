/* SPDX-License-Identifier: MIT */
/*
 * Tests for src/codec/json: the strict parser (every error class with its
 * byte offset, limits, duplicate keys) and the writer (canonical bytes,
 * numbers, escaping, pretty form, stability).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "t.h"

#include <locale.h>
#include <pthread.h>
#include <math.h>
#include <stdarg.h>
#include <time.h>

/* ---- helpers ---- */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parse buf[0..len) and expect failure with code and exactly msg. */
static void check_err(const char *buf, size_t len,
                      const struct et_json_limits *lim, int code,
                      const char *msg, const char *file, int line)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = (struct json_object *)&err; /* must be reset */
    int rc = et_json_parse(buf, len, lim, &obj, &err);

    if (rc != code || strcmp(err.msg, msg) != 0 || err.code != code)
        t_fail(file, line, "got %s \"%s\", want %s \"%s\"", t_status_name(rc),
               err.msg, t_status_name(code), msg);
    else if (obj != NULL)
        t_fail(file, line, "*out not NULL after a failure");
    if (rc == 0)
        json_object_put(obj);
}

#define ERR_LIM(lit, lim, code, msg)                                           \
 do {                                                                          \
  check_err((lit), sizeof(lit) - 1, (lim), (code), (msg), __FILE__, __LINE__); \
  if (t_stopped())                                                             \
   return;                                                                     \
 } while (0)
#define ERR(lit, msg) ERR_LIM(lit, NULL, ET_EINPUT, msg)

/* Parse buf[0..len), write it with flags, compare with want. */
static void check_write(const char *buf, size_t len, unsigned flags,
                        const char *want, const char *file, int line)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;
    struct et_buf out = ET_BUF_INIT;
    int rc = et_json_parse(buf, len, NULL, &obj, &err);

    if (rc) {
        t_fail(file, line, "parse failed: %s %s", t_status_name(rc), err.msg);
        return;
    }
    rc = et_json_write(obj, flags, &out);
    if (rc)
        t_fail(file, line, "write failed: %s", t_status_name(rc));
    else if (strcmp(et_buf_str(&out), want) != 0)
        t_fail(file, line, "wrote '%s', want '%s'", et_buf_str(&out), want);
    et_buf_release(&out);
    json_object_put(obj);
}

#define WRITE(lit, flags, want)                                             \
 do {                                                                       \
  check_write((lit), sizeof(lit) - 1, (flags), (want), __FILE__, __LINE__); \
  if (t_stopped())                                                          \
   return;                                                                  \
 } while (0)
#define CANON(lit, want) WRITE(lit, ET_JSON_SORTED, want)

/* A buffer of n copies of c between prefix and suffix (caller frees). */
static char *repeat(const char *prefix, char c, size_t n, const char *suffix,
                    size_t *len_out)
{
    size_t a = strlen(prefix), b = strlen(suffix);
    char *s = et__malloc(a + n + b + 1);

    if (!s)
        return NULL;
    memcpy(s, prefix, a);
    memset(s + a, c, n);
    memcpy(s + a + n, suffix, b + 1);
    *len_out = a + n + b;
    return s;
}

/* ---- parsing: the happy path ---- */

T_TEST(parse_object)
{
    static const char doc[] =
        " {\"name\":\"x\",\"n\":-12,\"d\":0.5,\"ok\":true,"
        "\"no\":false,\"nil\":null,\"a\":[1,[],{}]}\n";
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL, *v = NULL;

    T_ASSERT_OK(et_json_parse(doc, sizeof(doc) - 1, NULL, &obj, &err));
    T_ASSERT(json_object_is_type(obj, json_type_object));
    T_ASSERT_INT_EQ(json_object_object_length(obj), 7);
    T_ASSERT(json_object_object_get_ex(obj, "name", &v));
    T_ASSERT_STR_EQ(json_object_get_string(v), "x");
    T_ASSERT(json_object_object_get_ex(obj, "n", &v));
    T_ASSERT_INT_EQ(json_object_get_int64(v), -12);
    T_ASSERT(json_object_object_get_ex(obj, "nil", &v));
    T_ASSERT(v == NULL);
    T_ASSERT(json_object_object_get_ex(obj, "a", &v));
    T_ASSERT_INT_EQ(json_object_array_length(v), 3);
    json_object_put(obj);
}

T_TEST(parse_scalar_roots)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = (struct json_object *)&err;

    /* JSON null is a NULL json-c object, and a success */
    T_ASSERT_OK(et_json_parse("null", 4, NULL, &obj, &err));
    T_ASSERT(obj == NULL);
    T_ASSERT_OK(et_json_parse(" 42 ", 4, NULL, &obj, &err));
    T_ASSERT_INT_EQ(json_object_get_int64(obj), 42);
    json_object_put(obj);
    T_ASSERT_OK(et_json_parse("\"s\"", 3, NULL, &obj, &err));
    T_ASSERT_STR_EQ(json_object_get_string(obj), "s");
    json_object_put(obj);
    T_ASSERT_OK(et_json_parse("\t\r\nfalse", 8, NULL, &obj, &err));
    T_ASSERT(json_object_is_type(obj, json_type_boolean));
    json_object_put(obj);
    T_ASSERT_OK(et_json_parse("-1.5E+2", 7, NULL, &obj, &err));
    T_ASSERT(json_object_get_double(obj) == -150.0);
    json_object_put(obj);
}

T_TEST(parse_strings_decoded)
{
    static const char doc[] =
        "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"\\u00e9\\u20AC\","
        "\"\\ud83d\\ude00\",\"\xf4\x8f\xbf\xbf\",\"\x7f\"]";
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;

    T_ASSERT_OK(et_json_parse(doc, sizeof(doc) - 1, NULL, &obj, &err));
    T_ASSERT_STR_EQ(json_object_get_string(json_object_array_get_idx(obj, 0)),
                    "\"\\/\b\f\n\r\t");
    T_ASSERT_STR_EQ(json_object_get_string(json_object_array_get_idx(obj, 1)),
                    "\xc3\xa9\xe2\x82\xac");
    T_ASSERT_STR_EQ(json_object_get_string(json_object_array_get_idx(obj, 2)),
                    "\xf0\x9f\x98\x80");
    T_ASSERT_STR_EQ(json_object_get_string(json_object_array_get_idx(obj, 3)),
                    "\xf4\x8f\xbf\xbf");
    T_ASSERT_STR_EQ(json_object_get_string(json_object_array_get_idx(obj, 4)),
                    "\x7f");
    json_object_put(obj);
}

T_TEST(parse_bad_arguments)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;
    struct et_json_limits lim = {0, -1, 0, 0};

    T_ASSERT_RC(et_json_parse("1", 1, NULL, NULL, &err), ET_EINVAL);
    T_ASSERT_RC(et_json_parse(NULL, 3, NULL, &obj, &err), ET_EINVAL);
    T_ASSERT_RC(et_json_parse("1", 1, &lim, &obj, &err), ET_EINVAL);
    /* no buffer and no bytes: an empty document */
    check_err(NULL, 0, NULL, ET_EINPUT, "byte 0: unexpected end of data",
              __FILE__, __LINE__);
    /* err may be NULL */
    T_ASSERT_RC(et_json_parse("[", 1, NULL, &obj, NULL), ET_EINPUT);
    T_ASSERT_OK(et_json_parse("[]", 2, NULL, &obj, NULL));
    json_object_put(obj);
}

/* ---- parsing: syntax errors (json-c's, with our byte offsets) ---- */

T_TEST(err_truncated)
{
    ERR("", "byte 0: unexpected end of data");
    ERR("   ", "byte 3: unexpected end of data");
    ERR("[1,2", "byte 4: unexpected end of data");
    ERR("{\"a\":", "byte 5: unexpected end of data");
    ERR("{\"a\"", "byte 4: unexpected end of data");
    ERR("\"abc", "byte 4: unexpected end of data");
    ERR("\"ab\\", "byte 4: unexpected end of data");
    ERR("\"\\u12", "byte 1: invalid \\u escape");
    ERR("tru", "byte 3: unexpected end of data");
    ERR("-", "byte 0: invalid number");
    ERR("1.", "byte 0: invalid number");
    ERR("1e", "byte 0: invalid number");
}

T_TEST(err_trailing)
{
    ERR("{\"a\":1} x", "byte 8: unexpected character 'x'");
    ERR("1 2", "byte 2: unexpected character");
    ERR("{}{}", "byte 2: unexpected character");
    ERR("[] ,", "byte 3: unexpected character");
    ERR("\"a\" \"b\"", "byte 4: unexpected character");
    ERR("null null", "byte 5: unexpected character");
}

T_TEST(err_syntax)
{
    ERR("[1,]", "byte 3: unexpected character");
    ERR("[1 2]", "byte 3: array value separator ',' expected");
    ERR("{\"a\" 1}", "byte 5: object property name separator ':' expected");
    ERR("{\"a\":1,}", "byte 7: unexpected character");
    ERR("{a:1}", "byte 1: quoted object property name expected");
    ERR("{'a':1}", "byte 1: unexpected character '''");
    ERR("/*c*/1", "byte 0: unexpected character '/'");
    ERR("TRUE", "byte 0: unexpected character 'T'");
    ERR("nan", "byte 1: null expected");
    ERR("[1:2]", "byte 2: number expected");
    ERR("\x0c"
        "1",
        "byte 0: unexpected byte 0x0c");
    ERR("[\xc3\xa9]", "byte 1: unexpected byte 0xc3");
}

T_TEST(err_first_error_wins)
{
    /* json-c's syntax error comes before the scan's NUL */
    ERR("[1 2, \"\x00\"]", "byte 3: array value separator ',' expected");
    /* the scan's error comes first */
    ERR("[\"\xff\", 1 2]", "byte 2: invalid UTF-8");
    ERR("[1, 1.e5, ]", "byte 4: invalid number");
}

/* ---- parsing: NUL, control characters, UTF-8 ---- */

T_TEST(err_raw_nul)
{
    ERR("\x00", "byte 0: NUL byte");
    ERR("[1,\x00]", "byte 3: NUL byte");
    ERR("\"a\x00"
        "b\"",
        "byte 2: NUL byte");
    ERR("{}\x00", "byte 2: NUL byte");
    ERR("1\x00", "byte 1: NUL byte");
}

T_TEST(err_nul_escape)
{
    ERR("\"\\u0000\"", "byte 1: \\u0000 escape in the string at $");
    ERR("{\"\\u0000\":1}", "byte 2: \\u0000 escape in a key of $");
    ERR("[[\"\\u0000", "byte 3: \\u0000 escape in the string at $[0][0]");
    ERR("{\"a\":{\"b\":[1,2,\"x\\u0000\"]}}",
        "byte 17: \\u0000 escape in the string at $.a.b[2]");
    ERR("{\"a\":{\"b\\u0000\":1}}", "byte 8: \\u0000 escape in a key of $.a");
    ERR("[{\"k\":1},{\"a b\":[\"\\u0000\"]}]",
        "byte 18: \\u0000 escape in the string at $[1][\"a b\"][0]");
    ERR("{\"x\":{},\"y\":\"ab\\n\\u0000\"}",
        "byte 17: \\u0000 escape in the string at $.y");
}

T_TEST(err_control_characters)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;

    ERR("\"a\tb\"", "byte 2: unescaped control character 0x09 in string");
    ERR("[\"\n\"]", "byte 2: unescaped control character 0x0a in string");
    ERR("{\"\x1f\":1}", "byte 2: unescaped control character 0x1f in string");
    /* DEL is not a JSON control character */
    T_ASSERT_OK(et_json_parse("\"\x7f\"", 3, NULL, &obj, &err));
    json_object_put(obj);
}

T_TEST(err_invalid_utf8)
{
    ERR("\"\x80\"", "byte 1: invalid UTF-8");             /* continuation */
    ERR("\"\xc0\xaf\"", "byte 1: invalid UTF-8");         /* overlong '/' */
    ERR("\"\xc1\xbf\"", "byte 1: invalid UTF-8");         /* overlong */
    ERR("\"\xe0\x80\xaf\"", "byte 1: invalid UTF-8");     /* overlong */
    ERR("\"\xf0\x80\x80\xaf\"", "byte 1: invalid UTF-8"); /* overlong */
    ERR("\"x\xed\xa0\x80\"", "byte 2: invalid UTF-8");    /* U+D800 */
    ERR("\"\xed\xbf\xbf\"", "byte 1: invalid UTF-8");     /* U+DFFF */
    ERR("\"\xf4\x90\x80\x80\"", "byte 1: invalid UTF-8"); /* > U+10FFFF */
    ERR("\"\xf5\x80\x80\x80\"", "byte 1: invalid UTF-8");
    ERR("\"\xff\"", "byte 1: invalid UTF-8");
    ERR("\"\xe2\x82\"", "byte 1: invalid UTF-8"); /* cut short */
    ERR("\"\xe2\x82x\"", "byte 1: invalid UTF-8");
    ERR("\"\xf0\x9f\x98\"", "byte 1: invalid UTF-8");
    ERR("\"\xc3", "byte 1: invalid UTF-8");        /* at the end */
    ERR("{\"k\xc3\":1}", "byte 3: invalid UTF-8"); /* in a key */
    ERR("\xef\xbb\xbf{}", "byte 0: byte order mark not allowed");
    ERR(" \xef\xbb\xbf{}", "byte 1: unexpected byte 0xef");
}

T_TEST(valid_utf8_edges)
{
    static const char doc[] =
        "[\"\xc2\x80\",\"\xdf\xbf\",\"\xe0\xa0\x80\","
        "\"\xed\x9f\xbf\",\"\xee\x80\x80\",\"\xef\xbf\xbf\","
        "\"\xf0\x90\x80\x80\",\"\xf4\x8f\xbf\xbf\"]";
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;

    T_ASSERT_OK(et_json_parse(doc, sizeof(doc) - 1, NULL, &obj, &err));
    T_ASSERT_INT_EQ(json_object_array_length(obj), 8);
    json_object_put(obj);
}

T_TEST(err_escapes)
{
    ERR("\"\\ud800\"", "byte 1: unpaired surrogate \\ud800");
    ERR("\"\\udc00x\"", "byte 1: unpaired surrogate \\udc00");
    ERR("\"ab\\ud800\\u0041\"", "byte 3: unpaired surrogate \\ud800");
    ERR("\"\\ud800\\ud800\"", "byte 1: unpaired surrogate \\ud800");
    ERR("\"\\uDBFF\"", "byte 1: unpaired surrogate \\udbff");
    ERR("\"\\x41\"", "byte 1: invalid escape '\\x'");
    ERR("\"\\'\"", "byte 1: invalid escape '\\''");
    ERR("\"\\u12G4\"", "byte 1: invalid \\u escape");
    ERR("\"\\U0041\"", "byte 1: invalid escape '\\U'");
}

/* ---- parsing: numbers ---- */

T_TEST(err_number_grammar)
{
    ERR("[00]", "byte 1: invalid number");
    ERR("[01]", "byte 1: invalid number");
    ERR("[-01]", "byte 1: invalid number");
    ERR("[1.]", "byte 1: invalid number");
    ERR("[.5]", "byte 1: unexpected character '.'");
    ERR("[-.5]", "byte 1: invalid number");
    ERR("[1.e5]", "byte 1: invalid number");
    ERR("[1e+]", "byte 1: invalid number");
    ERR("[+1]", "byte 1: unexpected character '+'");
    ERR("[--1]", "byte 1: invalid number");
    ERR("[1-2]", "byte 1: invalid number");
    ERR("[1e5.5]", "byte 1: invalid number");
    ERR("[0x10]", "byte 2: unexpected character 'x'");
    ERR("NaN", "byte 0: unexpected character 'N'");
    ERR("[Infinity]", "byte 1: unexpected character 'I'");
    ERR("[-Infinity]", "byte 1: invalid number");
}

T_TEST(integer_range)
{
    ERR("18446744073709551616", "byte 0: integer out of range");
    ERR("[99999999999999999999]", "byte 1: integer out of range");
    ERR("-9223372036854775809", "byte 0: integer out of range");
    ERR("[-18446744073709551615]", "byte 1: integer out of range");
    ERR("123456789012345678901234567890", "byte 0: integer out of range");
    CANON("[9223372036854775807,9223372036854775808,18446744073709551615]",
          "[9223372036854775807,9223372036854775808,18446744073709551615]");
    CANON("[-9223372036854775808,-0,0]", "[-9223372036854775808,0,0]");
    CANON("123456789012345678", "123456789012345678");
}

T_TEST(double_range)
{
    ERR("1e309", "byte 0: number out of range");
    ERR("[-1e400]", "byte 1: number out of range");
    ERR("[1e99999999999999999999]", "byte 1: number out of range");
    ERR("1.7976931348623159e308", "byte 0: number out of range");
    ERR("17976931348623159e292", "byte 0: number out of range");
    ERR("0.0001e313", "byte 0: number out of range");
    CANON("1.7976931348623157e308", "1.7976931348623157e+308");
    CANON("17976931348623158e292", "1.7976931348623157e+308");
    CANON("10e307", "1e+308");
    CANON("0.0e99999", "0");
    CANON("1e-400", "0");
    CANON("[1e-99999999999999999999]", "[0]");
}

/* ---- parsing: limits ---- */

T_TEST(limit_bytes)
{
    struct et_json_limits lim = {10, 0, 0, 0};
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;

    ERR_LIM("[1,2,3,4,5,6]", &lim, ET_ETOOBIG,
            "document is 13 bytes, limit is 10");
    T_ASSERT_OK(et_json_parse("[1,2,3,45]", 10, &lim, &obj, &err));
    json_object_put(obj);
    ERR_LIM("[1,2,3,4", &lim, ET_EINPUT, "byte 8: unexpected end of data");
}

T_TEST(limit_depth)
{
    struct et_json_limits lim = {0, 3, 0, 0};
    struct et_json_limits big = {(size_t)1 << 24, 100000, 0, 0};
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;
    struct et_buf out = ET_BUF_INIT;
    char inner[129];
    size_t n = 100000;
    char *deep = et__malloc(2 * n);
    double t0;

    T_ASSERT(deep);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    /* exactly the default 64 levels parse */
    T_ASSERT_OK(et_json_parse(deep + n - 64, 128, NULL, &obj, &err));
    json_object_put(obj);
    check_err(deep + n - 65, 130, NULL, ET_ETOOBIG,
              "byte 64: nesting deeper than 64", __FILE__, __LINE__);
    /* a scalar in the innermost container is not a level (json-c counts
     * one, so it gets max_depth + 1) */
    memset(inner, '[', 64);
    inner[64] = '1';
    memset(inner + 65, ']', 64);
    T_ASSERT_OK(et_json_parse(inner, sizeof(inner), NULL, &obj, &err));
    json_object_put(obj);
    T_ASSERT_OK(et_json_parse("[{\"a\":[1]}]", 11, &lim, &obj, &err));
    json_object_put(obj);
    ERR_LIM("[{\"a\":[{}]}]", &lim, ET_ETOOBIG,
            "byte 7: nesting deeper than 3");
    /* 100k levels: a clean error, quickly */
    t0 = now_s();
    check_err(deep, 2 * n, NULL, ET_ETOOBIG, "byte 64: nesting deeper than 64",
              __FILE__, __LINE__);
    /* a limit above the hard cap (1024) is capped */
    check_err(deep, 2 * n, &big, ET_ETOOBIG,
              "byte 1024: nesting deeper than 1024", __FILE__, __LINE__);
    T_ASSERT(now_s() - t0 < 2.0);
    /* what parses at the cap, the writer writes */
    deep[n + 1] = '"';
    deep[n] = '"';
    T_ASSERT_OK(et_json_parse(deep + n - 1024, 2050, &big, &obj, &err));
    T_ASSERT_OK(et_json_canon(obj, &out));
    T_ASSERT_INT_EQ(out.len, 2050);
    json_object_put(obj);
    et_buf_release(&out);
    deep[n] = deep[n + 1] = ']';
    /* unclosed nesting */
    check_err(deep, 10, NULL, ET_EINPUT, "byte 10: unexpected end of data",
              __FILE__, __LINE__);
    et__free(deep);
}

T_TEST(limit_string)
{
    struct et_json_limits lim = {0, 0, 4, 0};
    struct et_json_limits big = {(size_t)64 << 20, 0, 0, 0};
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;
    size_t len = 0;
    char *s;
    double t0;

    /* decoded bytes count: \u00e9 is 2 bytes, a surrogate pair 4 */
    T_ASSERT_OK(et_json_parse("[\"\\u00e9\\u00e9\"]", 16, &lim, &obj, &err));
    json_object_put(obj);
    T_ASSERT_OK(et_json_parse("\"\\ud83d\\ude00\"", 14, &lim, &obj, &err));
    json_object_put(obj);
    ERR_LIM("[\"abcde\"]", &lim, ET_ETOOBIG,
            "byte 1: string longer than 4 bytes");
    ERR_LIM("[\"\\u00e9\\u00e9x\"]", &lim, ET_ETOOBIG,
            "byte 1: string longer than 4 bytes");
    ERR_LIM("{\"abcd\":1,\"abcde\":2}", &lim, ET_ETOOBIG,
            "byte 10: string longer than 4 bytes");
    /* 50 MB in one string: refused early, without copying it */
    s = repeat("[1,\"", 'a', (size_t)50 << 20, "\"]", &len);
    T_ASSERT(s);
    t0 = now_s();
    check_err(s, len, &big, ET_ETOOBIG,
              "byte 3: string longer than 8388608 bytes", __FILE__, __LINE__);
    T_ASSERT(now_s() - t0 < 2.0);
    et__free(s);
}

T_TEST(limit_members)
{
    struct et_json_limits lim = {0, 0, 0, 4};
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;

    T_ASSERT_OK(et_json_parse("[1,2,3,4]", 9, &lim, &obj, &err));
    json_object_put(obj);
    T_ASSERT_OK(
        et_json_parse("{\"a\":[1],\"b\":{\"c\":1}}", 21, &lim, &obj, &err));
    json_object_put(obj);
    ERR_LIM("[1,2,3,4,5]", &lim, ET_ETOOBIG, "byte 8: more than 4 members");
    ERR_LIM("[[1,2],[3]]", &lim, ET_ETOOBIG, "byte 8: more than 4 members");
    ERR_LIM("{\"a\":[1,2],\"b\":3,\"c\":4}", &lim, ET_ETOOBIG,
            "byte 16: more than 4 members");
    /* ':' and ',' inside strings do not count */
    T_ASSERT_OK(et_json_parse("[\",,,,:::\"]", 11, &lim, &obj, &err));
    json_object_put(obj);
}

/* ---- parsing: duplicate keys ---- */

T_TEST(dup_simple)
{
    ERR("{\"a\":1,\"a\":2}", "byte 7: duplicate key \"a\" in $");
    ERR("{\"agent_metadata\":{\"name\":\"x\",\"id\":1,\"name\":\"y\"}}",
        "byte 37: duplicate key \"name\" in $.agent_metadata");
    ERR("{\"a\":1,\"b\":2,\"a\":{\"c\":1}}",
        "byte 13: duplicate key \"a\" in $");
    ERR("{\"\":1,\"\":2}", "byte 6: duplicate key \"\" in $");
}

T_TEST(dup_after_unescaping)
{
    ERR("{\"ab\":1,\"a\\u0062\":2}", "byte 8: duplicate key \"ab\" in $");
    ERR("{\"a\\u0062\":1,\"ab\":2}", "byte 13: duplicate key \"ab\" in $");
    ERR("{\"\\u00e9\":1,\"\xc3\xa9\":2}",
        "byte 12: duplicate key \"\xc3\xa9\" in $");
    ERR("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}",
        "byte 18: duplicate key \"\xf0\x9f\x98\x80\" in $");
    ERR("{\"a/b\":1,\"a\\/b\":2}", "byte 9: duplicate key \"a/b\" in $");
    ERR("{\"\\n\":1,\"\\u000a\":2}", "byte 8: duplicate key \"\\n\" in $");
    ERR("{\"\\u0041\":1,\"\\u0041\":2}", "byte 12: duplicate key \"A\" in $");
}

T_TEST(dup_nested_and_in_arrays)
{
    ERR("[{\"k\":[0,{\"a b\":{\"q\":1,\"q\":1}}]}]",
        "byte 23: duplicate key \"q\" in $[0].k[1][\"a b\"]");
    ERR("{\"x\":[1,{\"y\":2,\"y\":3}]}",
        "byte 15: duplicate key \"y\" in $.x[1]");
    /* the first duplicate in document order wins, even if nested */
    ERR("{\"a\":{\"b\":1,\"b\":2},\"a\":3}",
        "byte 12: duplicate key \"b\" in $.a");
    ERR("{\"1x\":{\"k\":1,\"k\":1}}",
        "byte 13: duplicate key \"k\" in $[\"1x\"]");
}

T_TEST(dup_false_positives)
{
    static const char *const ok[] = {
        "{\"a\":{\"a\":1},\"b\":{\"a\":2}}",
        "[{\"a\":1},{\"a\":1}]",
        "{\"a:b\":1,\"c\":\"x:y\",\"d\":[\":\"]}",
        "{\"a\\\"\":1,\"a\":2}",
        "{\"a\\\\\":1,\"a\":2}",
        "{\"a\":\"\\\\\",\"b\":\"\\\"\",\"c\":\"\\\\\\\"\"}",
        "{\"A\":1,\"a\":2,\"\\u00c9\":3,\"\\u00e9\":4}",
        "{\"ab\":1,\"a\\u0063\":2}",
    };
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;

    for (size_t i = 0; i < ET_ARRAY_SIZE(ok); i++) {
        int rc = et_json_parse(ok[i], strlen(ok[i]), NULL, &obj, &err);

        if (rc)
            t_fail(__FILE__, __LINE__, "%s: %s", ok[i], err.msg);
        T_ASSERT_OK(rc);
        json_object_put(obj);
    }
    ERR("{\"a\\\\\":1,\"a\\\\\":2}", "byte 9: duplicate key \"a\\\\\" in $");
    ERR("{\"a\\\"\":1,\"a\\\"\":2}", "byte 9: duplicate key \"a\\\"\" in $");
}

T_TEST(dup_in_large_object)
{
    struct et_buf doc = ET_BUF_INIT;
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;
    char want[128];
    size_t off;

    T_ASSERT_OK(et_buf_addch(&doc, '{'));
    for (int i = 0; i < 20000; i++)
        T_ASSERT_OK(et_buf_printf(&doc, "\"key%d\":%d,", i, i));
    off = doc.len;
    T_ASSERT_OK(et_buf_addstr(&doc, "\"key19999\":0}"));
    snprintf(want, sizeof(want), "byte %zu: duplicate key \"key19999\" in $",
             off);
    check_err(doc.ptr, doc.len, NULL, ET_EINPUT, want, __FILE__, __LINE__);
    /* without the duplicate it parses */
    doc.ptr[off - 1] = '}';
    T_ASSERT_OK(et_json_parse(doc.ptr, off, NULL, &obj, &err));
    T_ASSERT_INT_EQ(json_object_object_length(obj), 20000);
    json_object_put(obj);
    et_buf_release(&doc);
}

T_TEST(dup_message_is_clipped)
{
    struct et_buf doc = ET_BUF_INIT;
    struct et_error err = ET_ERROR_INIT;
    struct json_object *obj = NULL;

    T_ASSERT_OK(et_buf_addstr(&doc, "{\"k\":{"));
    for (int i = 0; i < 2; i++) {
        T_ASSERT_OK(et_buf_addstr(&doc, i ? ",\"" : "\""));
        for (int j = 0; j < 300; j++)
            T_ASSERT_OK(et_buf_addstr(&doc, "\xc3\xa9"));
        T_ASSERT_OK(et_buf_addstr(&doc, "\":1"));
    }
    T_ASSERT_OK(et_buf_addstr(&doc, "}}"));
    T_ASSERT_RC(et_json_parse(doc.ptr, doc.len, NULL, &obj, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "byte 611: duplicate key \"\xc3\xa9");
    T_ASSERT_STR_CONTAINS(err.msg, "\xc3\xa9...");
    T_ASSERT_STR_CONTAINS(err.msg, " in $.k");
    et_buf_release(&doc);
}

/* ---- writing ---- */

T_TEST(canon_sorts_by_utf8_bytes)
{
    CANON(
        "{\"b\":1,\"a\":2,\"\":3,\"ab\":4,\"A\":5,\"\\u00e9\":6,\"\\u007f\":7}",
        "{\"\":3,\"A\":5,\"a\":2,\"ab\":4,\"b\":1,\"\x7f\":7,\"\xc3\xa9\":6}");
    /* UTF-8 byte order, not UTF-16 order: U+FF61 (ef bd a1) sorts before
     * U+1F600 (f0 9f 98 80), though its UTF-16 unit is larger */
    CANON("{\"\\ud83d\\ude00\":1,\"\\uff61\":2}",
          "{\"\xef\xbd\xa1\":2,\"\xf0\x9f\x98\x80\":1}");
    CANON("{\"z\":{\"y\":[{\"b\":1,\"a\":2}],\"x\":null}}",
          "{\"z\":{\"x\":null,\"y\":[{\"a\":2,\"b\":1}]}}");
    CANON(" [ 1 , { } , [ ] , \"\" , true , false , null ] ",
          "[1,{},[],\"\",true,false,null]");
}

T_TEST(display_keeps_insertion_order)
{
    WRITE("{\"b\":1,\"a\":{\"d\":1,\"c\":2}}", 0,
          "{\"b\":1,\"a\":{\"d\":1,\"c\":2}}");
}

T_TEST(pretty_shape)
{
    WRITE("{\"b\":[1,{\"x\":null}],\"a\":{},\"c\":[],\"d\":\"s\"}",
          ET_JSON_PRETTY,
          "{\n"
          "  \"b\": [\n"
          "    1,\n"
          "    {\n"
          "      \"x\": null\n"
          "    }\n"
          "  ],\n"
          "  \"a\": {},\n"
          "  \"c\": [],\n"
          "  \"d\": \"s\"\n"
          "}");
    WRITE("{\"b\":1,\"a\":[true]}", ET_JSON_PRETTY | ET_JSON_SORTED,
          "{\n  \"a\": [\n    true\n  ],\n  \"b\": 1\n}");
    /* the example in docs/internals/CODEC.md */
    WRITE("{\"b\":[1,{}],\"a\":null}", ET_JSON_PRETTY,
          "{\n  \"b\": [\n    1,\n    {}\n  ],\n  \"a\": null\n}");
    WRITE("7", ET_JSON_PRETTY, "7");
    WRITE("[]", ET_JSON_PRETTY, "[]");
}

T_TEST(canon_numbers)
{
    CANON("0.1", "0.1");
    CANON("0.95", "0.95");
    CANON("1e300", "1e+300");
    CANON("-0.0", "0");
    CANON("-0", "0");
    CANON("0.0", "0");
    CANON("5e-324", "5e-324");
    CANON("4.9e-324", "5e-324");
    CANON("2.2250738585072014e-308", "2.2250738585072014e-308");
    CANON("1.0", "1");
    CANON("100.0", "100");
    CANON("1e2", "100");
    CANON("-1.5", "-1.5");
    CANON("123.456", "123.456");
    CANON("12345.678e-3", "12.345678");
    CANON("0.30000000000000004", "0.30000000000000004");
    CANON("0.000001", "0.000001");
    CANON("-1.25e-5", "-0.0000125");
    CANON("1e-7", "1e-7");
    CANON("1.5e-7", "1.5e-7");
    CANON("9007199254740991.0", "9007199254740991");
    CANON("9007199254740992.0", "9.007199254740992e+15");
    CANON("1e16", "1e+16");
    CANON("123456789012345678.0", "1.2345678901234568e+17");
    CANON("72057594037927936.0", "7.205759403792794e+16");
    CANON("1e21", "1e+21");
    CANON("-2.5E+20", "-2.5e+20");
    CANON("9223372036854775808.0", "9.223372036854776e+18");
    CANON("18446744073709551615.0", "1.8446744073709552e+19");
}

T_TEST(write_programmatic_numbers)
{
    struct json_object *arr = json_object_new_array();
    struct et_buf out = ET_BUF_INIT;

    T_ASSERT(arr);
    json_object_array_add(arr, json_object_new_int64(INT64_MIN));
    json_object_array_add(arr, json_object_new_int64(INT64_MAX));
    json_object_array_add(arr, json_object_new_uint64(UINT64_MAX));
    json_object_array_add(arr, json_object_new_uint64((uint64_t)1 << 63));
    json_object_array_add(arr, json_object_new_int(-7));
    json_object_array_add(arr, json_object_new_double(0.1 + 0.2));
    json_object_array_add(arr, json_object_new_double(-0.0));
    T_ASSERT_OK(et_json_canon(arr, &out));
    T_ASSERT_STR_EQ(et_buf_str(&out),
                    "[-9223372036854775808,9223372036854775807,"
                    "18446744073709551615,9223372036854775808,-7,"
                    "0.30000000000000004,0]");
    et_buf_release(&out);
    json_object_put(arr);
}

T_TEST(write_rejects_nan_inf)
{
    double bad[] = {NAN, INFINITY, -INFINITY};

    for (size_t i = 0; i < ET_ARRAY_SIZE(bad); i++) {
        struct json_object *arr = json_object_new_array();
        struct et_buf out = ET_BUF_INIT;

        T_ASSERT(arr);
        T_ASSERT_OK(et_buf_addstr(&out, "prefix"));
        json_object_array_add(arr, json_object_new_double(bad[i]));
        T_ASSERT_RC(et_json_canon(arr, &out), ET_EINVAL);
        /* never a half-written document */
        T_ASSERT(out.ptr == NULL && out.len == 0);
        json_object_put(arr);
    }
}

T_TEST(write_escaping)
{
    struct json_object *s;
    struct et_buf out = ET_BUF_INIT;
    char raw[40];

    for (int i = 0; i < 32; i++)
        raw[i] = (char)i;
    memcpy(raw + 32, "\"\\/\x7f\xc3\xa9", 7);
    s = json_object_new_string_len(raw, 38);
    T_ASSERT(s);
    T_ASSERT_OK(et_json_canon(s, &out));
    T_ASSERT_STR_EQ(
        et_buf_str(&out),
        "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
        "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012"
        "\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a"
        "\\u001b\\u001c\\u001d\\u001e\\u001f\\\"\\\\/\x7f\xc3\xa9\"");
    et_buf_release(&out);
    json_object_put(s);
    CANON("{\"k\\u0001\\\"\":\"\\u001F\\/\"}",
          "{\"k\\u0001\\\"\":\"\\u001f/\"}");
    /* every printable ASCII byte and DEL: only '"' and '\\' are escaped,
     * and the parser takes them all raw */
    {
        char all[96], want[100 + 3];
        struct json_object *back = NULL;
        struct et_error err = ET_ERROR_INIT;
        size_t k = 0;

        want[k++] = '"';
        for (int i = 0; i < 96; i++) {
            all[i] = (char)(0x20 + i);
            if (all[i] == '"' || all[i] == '\\')
                want[k++] = '\\';
            want[k++] = all[i];
        }
        want[k++] = '"';
        want[k] = '\0';
        s = json_object_new_string_len(all, 96);
        T_ASSERT(s);
        T_ASSERT_OK(et_json_canon(s, &out));
        T_ASSERT_STR_EQ(et_buf_str(&out), want);
        json_object_put(s);
        T_ASSERT_OK(et_json_parse(out.ptr, out.len, NULL, &back, &err));
        T_ASSERT_INT_EQ(json_object_get_string_len(back), 96);
        T_ASSERT_MEM_EQ(json_object_get_string(back), all, 96);
        json_object_put(back);
        et_buf_release(&out);
    }
}

T_TEST(write_rejects_invalid_utf8)
{
    struct json_object *obj = json_object_new_object();
    struct et_buf out = ET_BUF_INIT;

    T_ASSERT(obj);
    json_object_object_add(obj, "k", json_object_new_string("a\xc0\xaf"));
    T_ASSERT_RC(et_json_canon(obj, &out), ET_EINVAL);
    T_ASSERT(out.ptr == NULL);
    json_object_put(obj);
    obj = json_object_new_object();
    T_ASSERT(obj);
    json_object_object_add(obj, "\xed\xa0\x80", NULL);
    T_ASSERT_RC(et_json_write(obj, 0, &out), ET_EINVAL);
    json_object_put(obj);
}

T_TEST(write_arguments_and_depth)
{
    struct json_object *root = json_object_new_array(), *cur = root;
    struct et_buf out = ET_BUF_INIT;

    T_ASSERT_OK(et_json_write(NULL, 0, &out));
    T_ASSERT_STR_EQ(et_buf_str(&out), "null");
    et_buf_release(&out);
    T_ASSERT_RC(et_json_write(NULL, 1u << 5, &out), ET_EINVAL);
    T_ASSERT_RC(et_json_write(NULL, 0, NULL), ET_EINVAL);
    /* deeper than the cap: refused rather than risking the stack */
    for (int i = 0; i < 1100; i++) {
        struct json_object *next = json_object_new_array();

        json_object_array_add(cur, next);
        cur = next;
    }
    T_ASSERT_RC(et_json_write(root, 0, &out), ET_ETOOBIG);
    json_object_put(root);
}

T_TEST(write_buffer_ceiling)
{
    struct json_object *obj = NULL;
    struct et_error err = ET_ERROR_INIT;
    struct et_buf out;

    T_ASSERT_OK(
        et_json_parse("[\"0123456789\",\"0123456789\"]", 27, NULL, &obj, &err));
    et_buf_init(&out, 20);
    T_ASSERT_RC(et_json_canon(obj, &out), ET_ETOOBIG);
    T_ASSERT(out.ptr == NULL);
    et_buf_init(&out, 27);
    T_ASSERT_OK(et_json_canon(obj, &out));
    et_buf_release(&out);
    json_object_put(obj);
}

T_TEST(canon_stable)
{
    static const char *const docs[] = {
        "{\"z\":[0.1,1e300,-0.0,5e-324,1e-7,100.0,2.5e20],\"a\":\"\\u0001\"}",
        "[123456789012345678,9223372036854775808,18446744073709551615,-1]",
        "{\"\\u00e9\":{\"b\":[{},[],\"\\ud83d\\ude00\\n\\t\\\\\"]},\"e\":null}",
        "[0.30000000000000004,1.7976931348623157e308,2.2250738585072014e-308]",
        "[72057594037927936.0,9007199254740993,4.35,1e-6,0.000123]",
    };

    for (size_t i = 0; i < ET_ARRAY_SIZE(docs); i++) {
        struct json_object *a = NULL, *b = NULL;
        struct et_error err = ET_ERROR_INIT;
        struct et_buf c1 = ET_BUF_INIT, c2 = ET_BUF_INIT, p = ET_BUF_INIT;

        T_ASSERT_OK(et_json_parse(docs[i], strlen(docs[i]), NULL, &a, &err));
        T_ASSERT_OK(et_json_canon(a, &c1));
        T_ASSERT_OK(et_json_parse(c1.ptr, c1.len, NULL, &b, &err));
        T_ASSERT_OK(et_json_canon(b, &c2));
        T_ASSERT_STR_EQ(c2.ptr, c1.ptr);
        json_object_put(b);
        /* the pretty form reads back to the same canonical bytes */
        T_ASSERT_OK(et_json_write(a, ET_JSON_PRETTY, &p));
        T_ASSERT_OK(et_json_parse(p.ptr, p.len, NULL, &b, &err));
        et_buf_reset(&c2);
        T_ASSERT_OK(et_json_canon(b, &c2));
        T_ASSERT_STR_EQ(c2.ptr, c1.ptr);
        json_object_put(a);
        json_object_put(b);
        et_buf_release(&c1);
        et_buf_release(&c2);
        et_buf_release(&p);
    }
}

T_TEST(canon_locale_independent)
{
    static const char *const names[] = {"de_DE.UTF-8", "fr_FR.UTF-8",
                                        "de_DE.utf8", "ru_RU.UTF-8"};
    const char *set = NULL;

    for (size_t i = 0; i < ET_ARRAY_SIZE(names) && !set; i++)
        set = setlocale(LC_NUMERIC, names[i]);
    if (!set)
        T_SKIP("no locale with a decimal comma installed");
    CANON("[0.5,1.25e-7,1e300]", "[0.5,1.25e-7,1e+300]");
    ERR("1.7976931348623159e308", "byte 0: number out of range");
    setlocale(LC_NUMERIC, "C");
}

T_TEST(type_names)
{
    struct json_object *o[] = {
        json_object_new_boolean(1),  json_object_new_int64(1),
        json_object_new_double(1.5), json_object_new_string("s"),
        json_object_new_array(),     json_object_new_object()};
    static const char *const want[] = {"boolean", "integer", "number",
                                       "string",  "array",   "object"};

    T_ASSERT_STR_EQ(et_json_type_name(NULL), "null");
    for (size_t i = 0; i < ET_ARRAY_SIZE(o); i++) {
        T_ASSERT_STR_EQ(et_json_type_name(o[i]), want[i]);
        json_object_put(o[i]);
    }
}

/* et__json_top_strings against what the full parser says */
static void top3(const char *doc, int rc_want, const char *type_want,
                 int type_state, const char *id_want, int id_state)
{
    struct et_json_top f[2] = {{"type", NULL, 0, 0},
                               {"execution_id", NULL, 0, 0}};
    int rc = et__json_top_strings(doc, strlen(doc), f, 2);

    T_ASSERT_RC(rc, rc_want);
    if (rc)
        return;
    T_ASSERT_INT_EQ(f[0].state, type_state);
    T_ASSERT_INT_EQ(f[1].state, id_state);
    if (type_want) {
        T_ASSERT_INT_EQ(f[0].len, strlen(type_want));
        T_ASSERT(memcmp(f[0].val, type_want, f[0].len) == 0);
    }
    if (id_want) {
        T_ASSERT_INT_EQ(f[1].len, strlen(id_want));
        T_ASSERT(memcmp(f[1].val, id_want, f[1].len) == 0);
    }
}

T_TEST(top_strings)
{
    enum { S = ET_JSON_TOP_STRING, A = ET_JSON_TOP_ABSENT,
           O = ET_JSON_TOP_OTHER };

    top3("{\"type\":\"a.b\",\"execution_id\":\"x-1\"}", ET_OK, "a.b", S,
         "x-1", S);
    top3(" { \"body\" : {\"type\":\"inner\",\"s\":\"}]\\\"{\"} , "
         "\"type\" : \"outer\" } ", ET_OK, "outer", S, NULL, A);
    top3("{\"body\":[1,{\"execution_id\":\"no\"},\"]\"],\"type\":\"t\"}", ET_OK,
         "t", S, NULL, A);
    top3("{\"type\":\"a\\\"b\"}", ET_OK, NULL, O, NULL, A);   /* escape */
    top3("{\"type\":1,\"execution_id\":null}", ET_OK, NULL, O, NULL, O);
    top3("{\"type\":\"a\",\"type\":\"b\"}", ET_OK, NULL, O, NULL, A);
    top3("{\"typ\\u0065\":\"a\"}", ET_OK, NULL, O, NULL, O);   /* key escape */
    top3("{\"s\":\"\\\\\",\"type\":\"t\"}", ET_OK, "t", S, NULL, A);
    top3("{}", ET_OK, NULL, A, NULL, A);
    top3("[]", ET_EINPUT, NULL, A, NULL, A);
    top3("", ET_EINPUT, NULL, A, NULL, A);
    top3("{\"type\":\"a\"", ET_EINPUT, NULL, A, NULL, A);
    top3("{\"type\":\"a}", ET_EINPUT, NULL, A, NULL, A);
    top3("{\"type\" \"a\"}", ET_EINPUT, NULL, A, NULL, A);
    top3("{\"a\":{\"b\":1}", ET_EINPUT, NULL, A, NULL, A);
    top3("{\"type\":\"a\"} x", ET_EINPUT, NULL, A, NULL, A);
    top3("{\"type\":\"a\",}", ET_EINPUT, NULL, A, NULL, A);
    top3("{\"type\":}", ET_EINPUT, NULL, A, NULL, A);
}

/* A thread's parses share one tokener (json.c): a failed parse, a deeper
 * or shallower limit and a parse after them each start clean, and threads
 * parsing at once each get right answers */
static const char deep6[] = "[[[[[[1]]]]]]";

static int parse_rc(const char *s, int max_depth, struct json_object **out)
{
    struct et_json_limits lim = ET_JSON_LIMITS_DEFAULT;
    struct et_error err = ET_ERROR_INIT;

    if (max_depth)
        lim.max_depth = max_depth;
    return et_json_parse(s, strlen(s), &lim, out, &err);
}

T_TEST(parse_reuses_tokener_cleanly)
{
    struct json_object *o = NULL;

    /* a syntax error half-way, then a good document */
    T_ASSERT_RC(parse_rc("{\"a\": [1, 2", 0, &o), ET_EINPUT);
    T_ASSERT(o == NULL);
    T_ASSERT_OK(parse_rc("{\"b\": 2}", 0, &o));
    T_ASSERT_INT_EQ(json_object_get_int(json_object_object_get(o, "b")), 2);
    json_object_put(o);
    /* a number left open at the end, then another */
    T_ASSERT_OK(parse_rc("12", 0, &o));
    T_ASSERT_INT_EQ(json_object_get_int(o), 12);
    json_object_put(o);
    T_ASSERT_OK(parse_rc("[3]", 0, &o));
    T_ASSERT_INT_EQ(json_object_get_int(json_object_array_get_idx(o, 0)), 3);
    json_object_put(o);
    /* limits: too deep for 5, fine for the default, too deep again */
    T_ASSERT_RC(parse_rc(deep6, 5, &o), ET_ETOOBIG);
    T_ASSERT_OK(parse_rc(deep6, 0, &o));
    json_object_put(o);
    T_ASSERT_RC(parse_rc(deep6, 5, &o), ET_ETOOBIG);
    T_ASSERT_OK(parse_rc(deep6, 6, &o));
    json_object_put(o);
}

struct parse_job {
    int id, ok;
};

static void *parse_many(void *arg)
{
    struct parse_job *j = arg;
    char buf[64];

    for (int i = 0; i < 2000; i++) {
        struct json_object *o = NULL;

        snprintf(buf, sizeof(buf), "{\"t\": %d, \"i\": [%d]}", j->id, i);
        if (parse_rc(buf, 0, &o) == ET_OK &&
            json_object_get_int(json_object_object_get(o, "t")) == j->id &&
            json_object_get_int(json_object_array_get_idx(
                json_object_object_get(o, "i"), 0)) == i)
            j->ok++;
        json_object_put(o);
        if (i % 100 == 0 && parse_rc("{\"x\": tru", 0, &o) == ET_OK)
            j->ok = -100000; /* a bad document must never parse */
    }
    return NULL;
}

T_TEST(parse_threads_each_their_own)
{
    pthread_t th[4];
    struct parse_job jobs[4];

    for (int k = 0; k < 4; k++) {
        jobs[k] = (struct parse_job){k + 1, 0};
        T_ASSERT(pthread_create(&th[k], NULL, parse_many, &jobs[k]) == 0);
    }
    for (int k = 0; k < 4; k++) {
        T_ASSERT(pthread_join(th[k], NULL) == 0);
        T_ASSERT_INT_EQ(jobs[k].ok, 2000);
    }
}

T_MAIN("codec", T_CASE(parse_reuses_tokener_cleanly),
       T_CASE(parse_threads_each_their_own), T_CASE(top_strings), T_CASE(parse_object), T_CASE(parse_scalar_roots),
       T_CASE(parse_strings_decoded), T_CASE(parse_bad_arguments),
       T_CASE(err_truncated), T_CASE(err_trailing), T_CASE(err_syntax),
       T_CASE(err_first_error_wins), T_CASE(err_raw_nul),
       T_CASE(err_nul_escape), T_CASE(err_control_characters),
       T_CASE(err_invalid_utf8), T_CASE(valid_utf8_edges), T_CASE(err_escapes),
       T_CASE(err_number_grammar), T_CASE(integer_range), T_CASE(double_range),
       T_CASE(limit_bytes), T_CASE(limit_depth), T_CASE(limit_string),
       T_CASE(limit_members), T_CASE(dup_simple), T_CASE(dup_after_unescaping),
       T_CASE(dup_nested_and_in_arrays), T_CASE(dup_false_positives),
       T_CASE(dup_in_large_object), T_CASE(dup_message_is_clipped),
       T_CASE(canon_sorts_by_utf8_bytes), T_CASE(display_keeps_insertion_order),
       T_CASE(pretty_shape), T_CASE(canon_numbers),
       T_CASE(write_programmatic_numbers), T_CASE(write_rejects_nan_inf),
       T_CASE(write_escaping), T_CASE(write_rejects_invalid_utf8),
       T_CASE(write_arguments_and_depth), T_CASE(write_buffer_ceiling),
       T_CASE(canon_stable), T_CASE(canon_locale_independent),
       T_CASE(type_names))
