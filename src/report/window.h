/* SPDX-License-Identifier: MIT */
/*
 * Calendar days in a time zone, for report periods (window.c).
 */
#ifndef ET_REPORT_WINDOW_H
#define ET_REPORT_WINDOW_H

#include <stdbool.h>
#include <stdint.h>
#include "exectrail/error.h"

struct et_day {
    int64_t y;
    int m, d;
};

struct et_zone {
    char name[128];
    bool is_utc;
    bool had_tz;
    char *saved; /* the previous TZ value */
};

/* Select zone tz (NULL = UTC) until et__zone_close; ET_EINPUT when the
 * tz database does not know it. */
ET_NODISCARD int et__zone_open(struct et_zone *z, const char *tz,
                               struct et_error *err);
void et__zone_close(struct et_zone *z);
/* The UTC instant of the start of day in the zone. ET_EINPUT when it is
 * not on a whole quarter hour of UTC (the rollup slots). */
ET_NODISCARD int et__zone_midnight(const struct et_zone *z,
                                   const struct et_day *day, int64_t *ns_out,
                                   struct et_error *err);
void et__zone_today(const struct et_zone *z, int64_t now_ns,
                    struct et_day *out);
void et__day_add(struct et_day *day, int64_t n);
/* "YYYY-MM-DD" (a real date) or ET_EINPUT naming --date. */
ET_NODISCARD int et__day_parse(const char *s, struct et_day *out,
                               struct et_error *err);
void et__day_format(const struct et_day *day, char out[16]);

#endif /* ET_REPORT_WINDOW_H */
