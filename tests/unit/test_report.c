/* SPDX-License-Identifier: MIT */
/*
 * Report internals: the duration histogram's buckets and precision, days
 * in time zones (daylight saving, fractional offsets, unknown zones, TZ
 * restored), dates, and one execution's rollup contribution (quality score,
 * high quality, usage).
 */
#include "base/setup.h"
#include "report/report_int.h"
#include "report/window.h"
#include "t.h"

#include <math.h>

T_TEST(duration_buckets_hold_and_bound)
{
    static const int64_t ds[] = {
        0,    1,    2,     3,      7,      99,      100,      1000,
        1023, 1024, 65535, 123456, 999999, 3600000, 86400000, INT64_C(1) << 40};

    for (size_t i = 0; i < ET_ARRAY_SIZE(ds); i++) {
        int b = et__dur_bucket(ds[i]);
        double d = (double)ds[i];

        T_ASSERT(b >= 0);
        T_ASSERT(et__dur_bucket_lo(b) <= d * (1 + 1e-12) + 1e-9);
        T_ASSERT(d < et__dur_bucket_hi(b));
        /* the documented precision: 2^(1/16) - 1 of d + 1 */
        T_ASSERT(fabs(et__dur_bucket_mid(b) - d) <= 0.0443 * (d + 1));
    }
    T_ASSERT_INT_EQ(et__dur_bucket(-1), -1);
    T_ASSERT_INT_EQ(et__dur_bucket(0), 0);
    T_ASSERT_INT_EQ(et__dur_bucket(1), 8);  /* log2(2) = 1 */
    T_ASSERT_INT_EQ(et__dur_bucket(3), 16); /* log2(4) = 2 */
}

static int64_t midnight(const char *tz, int64_t y, int m, int d, int *rc)
{
    struct et_zone z;
    struct et_day day = {y, m, d};
    int64_t ns = 0;

    *rc = et__zone_open(&z, tz, NULL);
    if (!*rc)
        *rc = et__zone_midnight(&z, &day, &ns, NULL);
    et__zone_close(&z);
    return ns;
}

#define H (INT64_C(3600) * 1000000000)

T_TEST(zone_midnights)
{
    int rc;
    /* 2025-01-17T00:00:00Z = 1737072000 s */
    int64_t utc = INT64_C(1737072000) * 1000000000;

    T_ASSERT_INT_EQ(midnight("UTC", 2025, 1, 17, &rc), utc);
    T_ASSERT_OK(rc);
    T_ASSERT_INT_EQ(midnight(NULL, 2025, 1, 17, &rc), utc);
    T_ASSERT_INT_EQ(midnight("America/New_York", 2025, 1, 17, &rc),
                    utc + 5 * H);
    T_ASSERT_OK(rc);
    T_ASSERT_INT_EQ(midnight("Asia/Tokyo", 2025, 1, 17, &rc), utc - 9 * H);
    /* Paris: CET on 2025-03-30 at midnight, CEST the next midnight */
    T_ASSERT_INT_EQ(midnight("Europe/Paris", 2025, 3, 30, &rc),
                    utc + 72 * 24 * H - 1 * H);
    T_ASSERT_INT_EQ(midnight("Europe/Paris", 2025, 3, 31, &rc),
                    utc + 73 * 24 * H - 2 * H);
    /* a half and three quarters of an hour from UTC: quarter-hour slots */
    T_ASSERT_INT_EQ(midnight("Asia/Kolkata", 2025, 1, 17, &rc),
                    utc - 5 * H - H / 2);
    T_ASSERT_OK(rc);
    T_ASSERT_INT_EQ(midnight("Asia/Kathmandu", 2025, 1, 17, &rc),
                    utc - 5 * H - 3 * H / 4);
    T_ASSERT_OK(rc);
    T_ASSERT_INT_EQ(midnight("America/St_Johns", 2025, 1, 17, &rc),
                    utc + 3 * H + H / 2);
    T_ASSERT_OK(rc);
    /* Kathmandu kept local mean time (+05:41:16) until 1920 */
    midnight("Asia/Kathmandu", 1910, 1, 1, &rc);
    T_ASSERT_INT_EQ(rc, ET_EINPUT);
    midnight("Nowhere/Atlantis", 2025, 1, 17, &rc);
    T_ASSERT_INT_EQ(rc, ET_EINPUT);
    midnight("../../etc/passwd", 2025, 1, 17, &rc);
    T_ASSERT_INT_EQ(rc, ET_EINPUT);
}

T_TEST(zone_restores_tz)
{
    struct et_zone z;

    setenv("TZ", "Asia/Tokyo", 1);
    T_ASSERT_OK(et__zone_open(&z, "Europe/Paris", NULL));
    T_ASSERT_STR_EQ(getenv("TZ"), "Europe/Paris");
    et__zone_close(&z);
    T_ASSERT_STR_EQ(getenv("TZ"), "Asia/Tokyo");
    unsetenv("TZ");
    T_ASSERT_OK(et__zone_open(&z, "Europe/Paris", NULL));
    et__zone_close(&z);
    T_ASSERT(getenv("TZ") == NULL);
}

T_TEST(dates)
{
    struct et_day d;
    char s[16];

    T_ASSERT_OK(et__day_parse("2024-02-29", &d, NULL));
    et__day_add(&d, 1);
    et__day_format(&d, s);
    T_ASSERT_STR_EQ(s, "2024-03-01");
    et__day_add(&d, -366);
    et__day_format(&d, s);
    T_ASSERT_STR_EQ(s, "2023-03-01");
    T_ASSERT_OK(et__day_parse("2025-01-01", &d, NULL));
    et__day_add(&d, -1);
    et__day_format(&d, s);
    T_ASSERT_STR_EQ(s, "2024-12-31");
    T_ASSERT_RC(et__day_parse("2025-02-29", &d, NULL), ET_EINPUT);
    T_ASSERT_RC(et__day_parse("2025-1-01", &d, NULL), ET_EINPUT);
    T_ASSERT_RC(et__day_parse("2025-01-01T00:00:00Z", &d, NULL), ET_EINPUT);
}

static void contribution(const char *c, const char *a, const char *e,
                         struct et__rollup *out)
{
    struct et_exec_row r;

    memset(&r, 0, sizeof(r));
    r.execution_id = "x";
    r.agent_name = "agent";
    r.state = "completed";
    r.verification = "MATCH";
    r.completeness = c;
    r.accuracy = a;
    r.efficiency = e;
    r.start_ns = 5 * H + 1;
    r.duration_ms = 1000;
    et__rollup_of(&r, NULL, out);
}

T_TEST(rollup_contribution)
{
    struct et__rollup ru;
    struct json_object *doc = json_tokener_parse(
        "{\"output\":{\"usage\":{\"input_tokens\":10,\"output_tokens\":3,"
        "\"cache_read_input_tokens\":7,\"total_cost_usd\":0.125}}}");
    struct et_exec_row r;

    contribution("HIGH", "MEDIUM", NULL, &ru); /* (1 + 0.5) / 2 = 0.75 */
    T_ASSERT(ru.has);
    T_ASSERT_INT_EQ(ru.r.slot, 20); /* 5 h + 1 ns: the 21st quarter hour */
    T_ASSERT_STR_EQ(ru.r.agent, "agent");
    T_ASSERT_INT_EQ(ru.r.q_n, 1);
    T_ASSERT_INT_EQ(ru.r.q_sum12, 9);
    T_ASSERT_INT_EQ(ru.r.q_bin[3], 1);
    T_ASSERT_INT_EQ(ru.r.q_high, 0);
    T_ASSERT_INT_EQ(ru.r.match, 1);
    T_ASSERT_INT_EQ(ru.r.dur_bucket, et__dur_bucket(1000));
    contribution("HIGH", "HIGH", "MEDIUM", &ru); /* 2.5 / 3, high */
    T_ASSERT_INT_EQ(ru.r.q_sum12, 10);
    T_ASSERT_INT_EQ(ru.r.q_bin[4], 1);
    T_ASSERT_INT_EQ(ru.r.q_high, 1);
    contribution("HIGH", "HIGH", "LOW", &ru); /* 2 / 3, not high */
    T_ASSERT_INT_EQ(ru.r.q_sum12, 8);
    T_ASSERT_INT_EQ(ru.r.q_bin[3], 1);
    T_ASSERT_INT_EQ(ru.r.q_high, 0);
    contribution("LOW", NULL, "bogus", &ru); /* 0 / 1 */
    T_ASSERT_INT_EQ(ru.r.q_n, 1);
    T_ASSERT_INT_EQ(ru.r.q_sum12, 0);
    T_ASSERT_INT_EQ(ru.r.q_bin[0], 1);
    contribution(NULL, NULL, NULL, &ru); /* not scored */
    T_ASSERT_INT_EQ(ru.r.q_n, 0);
    /* usage from output.usage, cost in micro-USD */
    memset(&r, 0, sizeof(r));
    r.start_ns = H;
    r.duration_ms = -1;
    et__rollup_of(&r, doc, &ru);
    T_ASSERT_INT_EQ(ru.r.usage_n, 1);
    T_ASSERT_INT_EQ(ru.r.tok_in, 10);
    T_ASSERT_INT_EQ(ru.r.tok_out, 3);
    T_ASSERT_INT_EQ(ru.r.tok_cache_read, 7);
    T_ASSERT_INT_EQ(ru.r.cost_micro_usd, 125000);
    T_ASSERT_INT_EQ(ru.r.dur_n, 0);
    T_ASSERT_INT_EQ(ru.r.dur_bucket, -1);
    T_ASSERT_STR_EQ(ru.r.agent, "");
    /* no start time: in no report */
    r.start_ns = 0;
    et__rollup_of(&r, doc, &ru);
    T_ASSERT(!ru.has);
    json_object_put(doc);
}

T_TEST(rollup_sum_is_a_difference)
{
    struct et__rollup a, b;
    struct et_rollup_row d;

    contribution("HIGH", "HIGH", "HIGH", &a);
    contribution("LOW", "LOW", "LOW", &b);
    d = b.r;
    T_ASSERT(et__rollup_sum(&d, &a.r, -1));
    T_ASSERT_INT_EQ(d.n, 0);
    T_ASSERT_INT_EQ(d.q_sum12, -12);
    T_ASSERT_INT_EQ(d.q_bin[4], -1);
    T_ASSERT_INT_EQ(d.q_bin[0], 1);
    d = a.r;
    T_ASSERT(!et__rollup_sum(&d, &a.r, -1));
}

T_MAIN("report", T_CASE(duration_buckets_hold_and_bound),
       T_CASE(zone_midnights), T_CASE(zone_restores_tz), T_CASE(dates),
       T_CASE(rollup_contribution), T_CASE(rollup_sum_is_a_difference))
