/* SPDX-License-Identifier: MIT */
/* UUIDs: version 4 from the OS CSPRNG, and validation of any RFC 4122 UUID. */
#ifndef ET_BASE_UUID_H
#define ET_BASE_UUID_H

#include <stdbool.h>
#include <stddef.h>
#include "exectrail/error.h"

#define ET_UUID_STRLEN 36

/* Fill out with a new lower-case UUID v4 and a NUL. ET_EIO if no entropy. */
ET_NODISCARD int et_uuid_v4(char out[ET_UUID_STRLEN + 1]);
/* True if s[0..len) is an 8-4-4-4-12 hex UUID (any version, any case). */
bool et_uuid_valid(const char *s, size_t len);
/* Copy a valid UUID into out, lower-cased. */
void et_uuid_normalize(const char *s, char out[ET_UUID_STRLEN + 1]);
/* Fill buf with n random bytes from getrandom(2). */
ET_NODISCARD int et_random_bytes(void *buf, size_t n);

#endif /* ET_BASE_UUID_H */
