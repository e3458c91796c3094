/* SPDX-License-Identifier: MIT */
/* UUID v4 generation (getrandom) and validation. */
#include "base/setup.h"
#include "base/uuid.h"

#include <ctype.h>
#include <sys/random.h>

int et_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;

    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);

        if (r < 0) {
            if (errno == EINTR)
                continue;
            return ET_EIO;
        }
        p += r;
        n -= (size_t)r;
    }
    return ET_OK;
}

int et_uuid_v4(char out[ET_UUID_STRLEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    size_t o = 0;

    if (et_random_bytes(b, sizeof(b))) {
        out[0] = '\0';
        return ET_EIO;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
    return ET_OK;
}

bool et_uuid_valid(const char *s, size_t len)
{
    if (len != ET_UUID_STRLEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

void et_uuid_normalize(const char *s, char out[ET_UUID_STRLEN + 1])
{
    for (size_t i = 0; i < ET_UUID_STRLEN; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[ET_UUID_STRLEN] = '\0';
}
