/* SPDX-License-Identifier: MIT */
/* The base layer: RFC 3339 time, UUIDs, growable buffers, error text. */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "t.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "base/uuid.h"

/* every formatted time agrees with the C library and parses back */
T_TEST(time_format_matches_gmtime)
{
    char a[ET_RFC3339_MAX], b[64];
    int64_t back;

    for (int64_t s = -INT64_C(86400) * 365 * 200;
         s < INT64_C(86400) * 365 * 230; s += 86399 * 7 + 13) {
        time_t tt = (time_t)s;
        struct tm tm;

        /* every millisecond value in turn; what is below one is cut */
        int ms = (int)(((s % 1000) + 1000) % 1000);

        T_ASSERT(gmtime_r(&tt, &tm) != NULL);
        snprintf(b, sizeof(b), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, ms);
        et_time_format(s * 1000000000 + ms * 1000000 + 999999, a);
        T_ASSERT_STR_EQ(a, b);
        T_ASSERT_OK(et_time_parse(a, strlen(a), false, &back));
        T_ASSERT_INT_EQ(back, s * 1000000000 + ms * 1000000);
    }
}

T_TEST(time_parse_offsets_and_errors)
{
    int64_t a, b;
    char out[ET_RFC3339_MAX];
    static const char *const bad[] = {
        "timestamp", "2025-01-16", "2025-13-01T00:00:00Z",
        "2025-02-29T00:00:00Z", "2025-01-16T24:00:00Z",
        "2025-01-16T10:30:00", "2025-01-16T10:30:00.Z",
        "2025-01-16T10:30:00+2:00", "2025-01-16T10:30:00Zjunk",
        "1600-01-01T00:00:00Z", "2300-01-01T00:00:00Z"};

    T_ASSERT_OK(et_time_parse("2025-01-16T12:30:00.5+02:00", 27, false, &a));
    T_ASSERT_OK(et_time_parse("2025-01-16T10:30:00.500Z", 24, false, &b));
    T_ASSERT_INT_EQ(a, b);
    et_time_format(a, out);
    T_ASSERT_STR_EQ(out, "2025-01-16T10:30:00.500Z");
    T_ASSERT_OK(et_time_parse("2025-01-16T10:30:00.123456789Z", 30, false,
                              &a));
    T_ASSERT_INT_EQ(a % 1000000000, 123456789);
    T_ASSERT_OK(et_time_parse("2024-02-29", 10, true, &a));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        T_ASSERT_RC(et_time_parse(bad[i], strlen(bad[i]), false, &a),
                    ET_EINPUT);
}

T_TEST(uuid_v4_shape)
{
    char a[ET_UUID_STRLEN + 1], b[ET_UUID_STRLEN + 1];

    T_ASSERT_OK(et_uuid_v4(a));
    T_ASSERT_OK(et_uuid_v4(b));
    T_ASSERT(et_uuid_valid(a, strlen(a)));
    T_ASSERT(strcmp(a, b) != 0);
    T_ASSERT_INT_EQ(a[14], '4');
    T_ASSERT(strchr("89ab", a[19]) != NULL);
    T_ASSERT(!et_uuid_valid("uuid-v4", 7));
    T_ASSERT(!et_uuid_valid("3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6g", 36));
    T_ASSERT(et_uuid_valid("3F2B8C1E-7D4A-4E9B-A6C5-1D2E3F4A5B6C", 36));
}

T_TEST(buf_ceiling_frees)
{
    struct et_buf b;

    et_buf_init(&b, 16);
    T_ASSERT_OK(et_buf_addstr(&b, "0123456789"));
    T_ASSERT_STR_EQ(et_buf_str(&b), "0123456789");
    T_ASSERT_RC(et_buf_addstr(&b, "0123456789"), ET_ETOOBIG);
    T_ASSERT(b.ptr == NULL);
    T_ASSERT_INT_EQ(b.len, 0);
    T_ASSERT_OK(et_buf_printf(&b, "%d-%s", 42, "x"));
    T_ASSERT_STR_EQ(et_buf_str(&b), "42-x");
    et_buf_release(&b);
}

T_TEST(error_prefix_fits)
{
    struct et_error e = ET_ERROR_INIT;
    char longs[400];

    memset(longs, 'x', sizeof(longs) - 1);
    longs[sizeof(longs) - 1] = '\0';
    T_ASSERT_INT_EQ(et_error_set(&e, ET_EINPUT, "%s", longs), ET_EINPUT);
    T_ASSERT_INT_EQ(et_error_prefix(&e, "line %d", 7), ET_EINPUT);
    T_ASSERT(strncmp(e.msg, "line 7: xxx", 11) == 0);
    T_ASSERT_INT_EQ(strlen(e.msg), sizeof(e.msg) - 1);
    T_ASSERT_STR_EQ(et_status_name(ET_EINTEGRITY), "EINTEGRITY");
    T_ASSERT_STR_EQ(et_status_name(12345), "UNKNOWN");
}

/* big scratch arrays: 2 MiB-aligned, at least what was asked for, and
 * their contents survive growth (which maps anew and copies) */
T_TEST(big_arrays_grow_and_keep_contents)
{
    size_t cap = 0, old_cap;
    unsigned char *p = et__big_grow(NULL, &cap, 100);
    bool same = true;

    T_ASSERT(p != NULL);
    T_ASSERT_INT_EQ((uintptr_t)p % ((size_t)2 << 20), 0);
    T_ASSERT(cap >= 100);
    for (size_t i = 0; i < cap; i++)
        p[i] = (unsigned char)(i * 7);
    T_ASSERT(et__big_grow(p, &cap, cap) == p); /* fits: no move */
    old_cap = cap;
    p = et__big_grow(p, &cap, old_cap + 1);
    T_ASSERT(p != NULL);
    T_ASSERT(cap >= old_cap + 1);
    T_ASSERT_INT_EQ((uintptr_t)p % ((size_t)2 << 20), 0);
    for (size_t i = 0; i < old_cap; i++)
        same = same && p[i] == (unsigned char)(i * 7);
    T_ASSERT(same);
    p[cap - 1] = 1; /* all of it is writable */
    et__big_free(p, cap);
    et__big_free(NULL, 0);
}

T_MAIN("base", T_CASE(time_format_matches_gmtime),
       T_CASE(time_parse_offsets_and_errors), T_CASE(uuid_v4_shape),
       T_CASE(buf_ceiling_frees), T_CASE(error_prefix_fits),
       T_CASE(big_arrays_grow_and_keep_contents))
