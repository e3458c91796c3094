/* SPDX-License-Identifier: MIT */
/* Wall-clock time as int64 nanoseconds since the Unix epoch, and RFC 3339. */
#ifndef ET_BASE_TIME_H
#define ET_BASE_TIME_H

#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"

#define ET_RFC3339_MAX 32 /* "2025-01-16T10:30:00.000Z" + NUL fits */

/*
 * Current UTC time in nanoseconds (CLOCK_REALTIME), or the fixed instant in
 * the environment variable EXECTRAIL_NOW (RFC 3339 or YYYY-MM-DD) when it is
 * set: tests and reproducible reports use it. An unparseable value is
 * ignored here; the CLI refuses it at start (see et_time_fixed_now).
 */
int64_t et_time_now_ns(void);
/*
 * EXECTRAIL_NOW: 1 and *ns_out when set and valid, 0 when unset or empty,
 * ET_EINPUT when set but not a valid time.
 */
int et_time_fixed_now(int64_t *ns_out);
/* Monotonic clock in nanoseconds, for durations. */
int64_t et_time_mono_ns(void);

/*
 * Parse an RFC 3339 date-time (any offset: Z, +hh:mm, -hh:mm; any number of
 * fraction digits, kept to nanoseconds) into UTC nanoseconds. Also accepts a
 * plain date "YYYY-MM-DD" (midnight UTC) when allow_date is true.
 * Years 1678..2261 only (the range of int64 nanoseconds).
 * Returns ET_OK or ET_EINPUT.
 */
ET_NODISCARD int et_time_parse(const char *s, size_t len, bool allow_date,
                               int64_t *ns_out);

/* Format as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, milliseconds). */
void et_time_format(int64_t ns, char out[ET_RFC3339_MAX]);
/* The UTC calendar month of ns, as year * 12 + month - 1 (January 0). */
int64_t et_time_month(int64_t ns);

#endif /* ET_BASE_TIME_H */
