/* SPDX-License-Identifier: MIT */
/*
 * Report periods: calendar days in a time zone, as UTC instants. The zone
 * comes from the system's tz database (TZ set while computing, then
 * restored); day boundaries must fall on whole quarter hours of UTC, the
 * rollups' slots (docs/REPORTS.md): every zone in use today is a whole
 * number of quarter hours from UTC (+05:30 India, +05:45 Nepal, +08:45
 * Eucla, -03:30 Newfoundland), historic local mean times are not.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "report/window.h"
#include "store/store.h"

#include <sys/stat.h>
#include <time.h>

#define NS_PER_S    INT64_C(1000000000)
#define NS_PER_HOUR (INT64_C(3600) * NS_PER_S)

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, struct et_day *out)
{
    int64_t era, doe, yoe, y, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    out->d = (int)(doy - (153 * mp + 2) / 5 + 1);
    out->m = (int)(mp < 10 ? mp + 3 : mp - 9);
    out->y = y + (out->m <= 2);
}

static bool zone_exists(const char *tz)
{
    const char *dir = getenv("TZDIR");
    char path[1024];
    struct stat sb;

    if (!strcmp(tz, "UTC"))
        return true;
    if (!*tz || tz[0] == '/' || strstr(tz, ".."))
        return false;
    for (const char *p = tz; *p; p++) {
        char c = *p;

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' ||
              c == '+'))
            return false;
    }
    snprintf(path, sizeof(path), "%s/%s",
             dir && *dir ? dir : "/usr/share/zoneinfo", tz);
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int et__zone_open(struct et_zone *z, const char *tz, struct et_error *err)
{
    const char *cur = getenv("TZ");

    memset(z, 0, sizeof(z[0]));
    if (!tz)
        tz = "UTC";
    if (!zone_exists(tz))
        return et_error_set(err, ET_EINPUT,
                            "--tz: unknown time zone '%s' (an IANA name "
                            "such as Europe/Paris, or UTC)",
                            tz);
    snprintf(z->name, sizeof(z->name), "%s", tz);
    z->is_utc = !strcmp(tz, "UTC");
    if (z->is_utc)
        return ET_OK;
    if (cur) {
        z->saved = et__strdup(cur);
        if (!z->saved)
            return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    z->had_tz = cur != NULL;
    if (setenv("TZ", tz, 1) != 0)
        return et_error_sys(err, ET_EIO, errno, "cannot set TZ");
    tzset();
    return ET_OK;
}

void et__zone_close(struct et_zone *z)
{
    if (!z->is_utc && z->name[0]) {
        if (z->had_tz)
            setenv("TZ", z->saved ? z->saved : "", 1);
        else
            unsetenv("TZ");
        tzset();
    }
    et__free(z->saved);
    z->saved = NULL;
}

int et__zone_midnight(const struct et_zone *z, const struct et_day *day,
                      int64_t *ns_out, struct et_error *err)
{
    int64_t days = days_from_civil(day->y, day->m, day->d);
    struct tm tm;
    time_t t;

    if (z->is_utc) {
        *ns_out = days * 24 * NS_PER_HOUR;
        return ET_OK;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = (int)(day->y - 1900);
    tm.tm_mon = day->m - 1;
    tm.tm_mday = day->d;
    tm.tm_isdst = -1;
    t = mktime(&tm);
    if (t == (time_t)-1)
        return et_error_set(err, ET_EINPUT,
                            "--tz %s: no midnight on %04lld-%02d-%02d", z->name,
                            (long long)day->y, day->m, day->d);
    *ns_out = (int64_t)t * NS_PER_S;
    if (*ns_out % ET_ROLLUP_SLOT_NS != 0)
        return et_error_set(err, ET_EINPUT,
                            "--tz %s: on %04lld-%02d-%02d the zone is not a "
                            "whole number of quarter hours from UTC; reports "
                            "are computed from quarter-hour rollups",
                            z->name, (long long)day->y, day->m, day->d);
    return ET_OK;
}

void et__zone_today(const struct et_zone *z, int64_t now_ns, struct et_day *out)
{
    time_t s = (time_t)(now_ns / NS_PER_S);
    struct tm tm;

    if (z->is_utc || !localtime_r(&s, &tm)) {
        civil_from_days(now_ns / (24 * NS_PER_HOUR), out);
        return;
    }
    out->y = tm.tm_year + 1900;
    out->m = tm.tm_mon + 1;
    out->d = tm.tm_mday;
}

void et__day_add(struct et_day *day, int64_t n)
{
    civil_from_days(days_from_civil(day->y, day->m, day->d) + n, day);
}

int et__day_parse(const char *s, struct et_day *out, struct et_error *err)
{
    int64_t ns = 0;

    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        et_time_parse(s, 10, true, &ns) != ET_OK)
        return et_error_set(err, ET_EINPUT,
                            "--date: '%s' is not a date (YYYY-MM-DD)",
                            s ? s : "");
    civil_from_days(ns / (24 * NS_PER_HOUR), out);
    return ET_OK;
}

void et__day_format(const struct et_day *day, char out[16])
{
    snprintf(out, 16, "%04lld-%02d-%02d", (long long)day->y, day->m, day->d);
}
