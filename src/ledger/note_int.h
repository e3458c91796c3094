/* SPDX-License-Identifier: MIT */
/*
 * Text building blocks shared by signing keys (signer.c) and checkpoints
 * (checkpoint.c): the signed-note key id, key-name rules, canonical base64
 * and lazy libsodium start-up.
 */
#ifndef ET_LEDGER_NOTE_INT_H
#define ET_LEDGER_NOTE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exectrail/ledger.h"

#define ET_NOTE_NAME_MAX    63 /* bytes in a key name (struct et_signer) */
#define ET_NOTE_ALG_ED25519 ET_KEY_ED25519 /* signed-note algorithm bytes */
#define ET_NOTE_ALG_COSIG   ET_KEY_COSIGNATURE_V1

/* The algorithm byte of key s (0 in a zeroed struct means Ed25519). */
#define ET_NOTE_ALG(s) ((s)->alg == ET_KEY_COSIGNATURE_V1 ? ET_NOTE_ALG_COSIG \
                                                          : ET_NOTE_ALG_ED25519)

/* Start libsodium if needed. Thread safe and cheap after the first call. */
int et__note_crypto_init(void);

/*
 * A key name: 1..ET_NOTE_NAME_MAX bytes of printable ASCII without space or
 * '+'.
 */
bool et__note_name_valid(const char *name, size_t len);

/* First 4 bytes (big-endian) of SHA-256(name || "\n" || alg || pk): alg
 * 0x01 for a log's Ed25519 key, 0x04 for a witness's cosignature/v1 key. */
uint32_t et__note_key_id(const char *name, size_t len, int alg,
                         const uint8_t pk[32]);

/*
 * Standard base64 with padding of bin[0..len) into out (NUL-terminated).
 * Returns the text length, or 0 when cap is too small.
 */
size_t et__note_b64_encode(const uint8_t *bin, size_t len, char *out,
                           size_t cap);

/*
 * Decode s[0..len) as canonical standard base64 (padding required, no
 * whitespace, zero unused bits) into out (room for cap bytes). Returns
 * ET_OK and the byte count in *n_out, or ET_EINPUT.
 */
int et__note_b64_decode(const char *s, size_t len, uint8_t *out, size_t cap,
                        size_t *n_out);

/* Big-endian helpers. */
void et__note_put_be32(uint8_t out[4], uint32_t v);
uint32_t et__note_get_be32(const uint8_t in[4]);

#endif /* ET_LEDGER_NOTE_INT_H */
