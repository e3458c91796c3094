/* SPDX-License-Identifier: MIT */
/*
 * Signed-note text building blocks: key ids, key names and canonical base64.
 * Strict on input so that every note and key has exactly one accepted
 * spelling.
 */
#include "base/setup.h"
#include "ledger/note_int.h"

#include <sodium.h>

/* Longest base64 text this module decodes (callers bound their inputs). */
#define B64_TEXT_MAX 1024

int et__note_crypto_init(void)
{
    /* sodium_init() takes a lock and returns 1 once already initialised. */
    return sodium_init() < 0 ? ET_ECRYPTO : ET_OK;
}

bool et__note_name_valid(const char *name, size_t len)
{
    if (!name || len == 0 || len > ET_NOTE_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c <= ' ' || c >= 0x7f || c == '+')
            return false;
    }
    return true;
}

uint32_t et__note_key_id(const char *name, size_t len, int alg,
                         const uint8_t pk[32])
{
    const uint8_t sep[2] = {'\n', (uint8_t)alg};
    crypto_hash_sha256_state st;
    uint8_t h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)name, len);
    crypto_hash_sha256_update(&st, sep, sizeof(sep));
    crypto_hash_sha256_update(&st, pk, 32);
    crypto_hash_sha256_final(&st, h);
    return et__note_get_be32(h);
}

size_t et__note_b64_encode(const uint8_t *bin, size_t len, char *out,
                           size_t cap)
{
    size_t need =
        sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);

    if (cap < need) {
        if (cap > 0)
            out[0] = '\0';
        return 0;
    }
    sodium_bin2base64(out, cap, bin, len, sodium_base64_VARIANT_ORIGINAL);
    return need - 1;
}

int et__note_b64_decode(const char *s, size_t len, uint8_t *out, size_t cap,
                        size_t *n_out)
{
    char again[B64_TEXT_MAX + 1];
    const char *end = NULL;
    size_t n = 0;

    *n_out = 0;
    if (len == 0 || len > B64_TEXT_MAX || len % 4 != 0)
        return ET_EINPUT;
    if (sodium_base642bin(out, cap, s, len, NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != s + len)
        return ET_EINPUT;
    /*
     * libsodium already refuses non-zero unused bits and wrong padding;
     * re-encoding makes "one spelling only" independent of that detail.
     */
    if (et__note_b64_encode(out, n, again, sizeof(again)) != len ||
        memcmp(again, s, len) != 0)
        return ET_EINPUT;
    *n_out = n;
    return ET_OK;
}

void et__note_put_be32(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

uint32_t et__note_get_be32(const uint8_t in[4])
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 |
           (uint32_t)in[2] << 8 | (uint32_t)in[3];
}
