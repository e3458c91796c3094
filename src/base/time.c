/* SPDX-License-Identifier: MIT */
/* RFC 3339 parsing and formatting; clocks. */
#include "base/setup.h"
#include "base/time.h"

#include <time.h>

int et_time_fixed_now(int64_t *ns_out)
{
    const char *s = getenv("EXECTRAIL_NOW");

    *ns_out = 0;
    if (!s || !*s)
        return 0;
    if (et_time_parse(s, strlen(s), true, ns_out) != ET_OK)
        return ET_EINPUT;
    return 1;
}

int64_t et_time_now_ns(void)
{
    struct timespec ts;
    int64_t fixed;

    if (et_time_fixed_now(&fixed) == 1)
        return fixed;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t et_time_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 for a proleptic Gregorian date (civil algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

int et_time_parse(const char *s, size_t len, bool allow_date, int64_t *ns_out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
    int64_t frac = 0, ns;
    size_t i;

    *ns_out = 0;
    if (len < 10 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d))
        return ET_EINPUT;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return ET_EINPUT;
    /* int64 nanoseconds cover 1677-09-21 .. 2262-04-11; stay well inside */
    if (y < 1678 || y > 2261)
        return ET_EINPUT;
    if (len == 10) {
        if (!allow_date)
            return ET_EINPUT;
        *ns_out = days_from_civil(y, mo, d) * 86400 * INT64_C(1000000000);
        return ET_OK;
    }
    if (len < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
        s[16] != ':' || !digits(s + 17, 2, &sec))
        return ET_EINPUT;
    if (h > 23 || mi > 59 || sec > 60)
        return ET_EINPUT;
    i = 19;
    if (s[i] == '.') {
        int nd = 0;

        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (nd < 9) {
                frac = frac * 10 + (s[i] - '0');
                nd++;
            }
            i++;
        }
        if (nd == 0)
            return ET_EINPUT;
        while (nd++ < 9)
            frac *= 10;
    }
    if (i >= len)
        return ET_EINPUT;
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        int sign = s[i] == '-' ? -1 : 1;

        if (len - i < 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
            !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
            return ET_EINPUT;
        oh *= sign;
        om *= sign;
        i += 6;
    } else {
        return ET_EINPUT;
    }
    if (i != len)
        return ET_EINPUT;
    if (sec == 60)
        sec = 59; /* leap second: clamp, as POSIX time cannot hold it */
    ns = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    ns -= (int64_t)oh * 3600 + (int64_t)om * 60;
    *ns_out = ns * INT64_C(1000000000) + frac;
    return ET_OK;
}

/* Inverse of days_from_civil (proleptic Gregorian). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t et_time_month(int64_t ns)
{
    int64_t secs = ns / 1000000000 - (ns % 1000000000 < 0);
    int64_t days = secs / 86400 - (secs % 86400 < 0);
    int y, mo, d;

    civil_from_days(days, &y, &mo, &d);
    return (int64_t)y * 12 + mo - 1;
}

void et_time_format(int64_t ns, char out[ET_RFC3339_MAX])
{
    /* computed here rather than with gmtime_r, which makes glibc read the
     * time zone database on first use: this runs on every hook call */
    int64_t secs = ns / 1000000000;
    int64_t rem = ns % 1000000000;
    int64_t days, sod;
    int y, mo, d;
    char tmp[128]; /* room for any int fields: no truncation */

    if (rem < 0) {
        rem += 1000000000;
        secs -= 1;
    }
    days = secs / 86400;
    sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days -= 1;
    }
    civil_from_days(days, &y, &mo, &d);
    if (y >= 0 && y <= 9999) {
        /* the common case by hand: this runs for every event and every
         * time field checked, and snprintf was most of its cost */
        int v[7] = {y, mo, d, (int)(sod / 3600), (int)(sod / 60 % 60),
                    (int)(sod % 60), (int)(rem / 1000000)};
        static const char sep[] = "--T::.Z";
        char *o = out;

        *o++ = (char)('0' + v[0] / 1000);
        *o++ = (char)('0' + v[0] / 100 % 10);
        *o++ = (char)('0' + v[0] / 10 % 10);
        *o++ = (char)('0' + v[0] % 10);
        for (int i = 1; i < 7; i++) {
            *o++ = sep[i - 1];
            if (i == 6)
                *o++ = (char)('0' + v[i] / 100);
            *o++ = (char)('0' + v[i] / 10 % 10);
            *o++ = (char)('0' + v[i] % 10);
        }
        *o++ = sep[6];
        *o = '\0';
        return;
    }
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo,
             d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
             (int)(rem / 1000000));
    snprintf(out, ET_RFC3339_MAX, "%.*s", ET_RFC3339_MAX - 1, tmp);
}
