/* SPDX-License-Identifier: MIT */
/*
 * Ed25519 signing keys in the signed-note text format:
 *   secret:   PRIVATE+KEY+<name>+<key id hex8>+<base64(alg || seed32)>
 *   verifier: <name>+<key id hex8>+<base64(alg || pk32)>
 * alg is 0x01 for a log's key and 0x04 for a witness's cosignature/v1 key.
 * Parsing checks every field, including that the key id matches.
 */
#include "base/setup.h"
#include "base/uuid.h"
#include "exectrail/ledger.h"
#include "ledger/note_int.h"

#include <inttypes.h>
#include <sodium.h>

#define SECRET_PREFIX     "PRIVATE+KEY+"
#define SECRET_PREFIX_LEN (sizeof(SECRET_PREFIX) - 1)
#define KEY_BLOB_LEN      33 /* algorithm byte + 32 key bytes */
#define KEY_TEXT_MAX      255

/* Fill s from a name and a 32-byte seed. */
static void from_seed(struct et_signer *s, const char *name, size_t len,
                      int alg, const uint8_t seed[32])
{
    memcpy(s->name, name, len);
    s->name[len] = '\0';
    crypto_sign_seed_keypair(s->pk, s->sk, seed);
    s->alg = alg;
    s->key_id = et__note_key_id(name, len, alg, s->pk);
    s->has_secret = 1;
}

static int generate(const char *name, int alg, struct et_signer *out,
                    struct et_error *err)
{
    uint8_t seed[32];
    size_t len;
    int ret;

    if (!out)
        return et_error_set(err, ET_EINVAL, "signer: null argument");
    memset(out, 0, sizeof(*out));
    if (!name)
        return et_error_set(err, ET_EINVAL, "signer: null argument");
    len = strnlen(name, ET_NOTE_NAME_MAX + 1);
    if (!et__note_name_valid(name, len))
        return et_error_set(err, ET_EINVAL,
                            "invalid key name: want 1-%d printable ASCII "
                            "bytes without spaces or '+'",
                            ET_NOTE_NAME_MAX);
    ret = et__note_crypto_init();
    if (ret)
        return et_error_set(err, ret, "cannot initialise libsodium");
    if (et_random_bytes(seed, sizeof(seed)) != ET_OK)
        return et_error_set(err, ET_EIO, "no randomness for a new key");
    from_seed(out, name, len, alg, seed);
    sodium_memzero(seed, sizeof(seed));
    return ET_OK;
}

int et_signer_generate(const char *name, struct et_signer *out,
                       struct et_error *err)
{
    return generate(name, ET_NOTE_ALG_ED25519, out, err);
}

int et_cosigner_generate(const char *name, struct et_signer *out,
                         struct et_error *err)
{
    return generate(name, ET_NOTE_ALG_COSIG, out, err);
}

/* name+<id>+<base64(alg || key32)> after an optional prefix. */
static int format_key(const struct et_signer *s, const char *prefix,
                      const uint8_t key[32], char *out, size_t cap)
{
    uint8_t blob[KEY_BLOB_LEN];
    char b64[64];
    size_t len;
    int n;

    if (!out || cap == 0)
        return ET_EINVAL;
    out[0] = '\0';
    len = strnlen(s->name, sizeof(s->name));
    if (!et__note_name_valid(s->name, len))
        return ET_EINVAL;
    blob[0] = (uint8_t)ET_NOTE_ALG(s);
    memcpy(blob + 1, key, 32);
    et__note_b64_encode(blob, sizeof(blob), b64, sizeof(b64));
    n = snprintf(out, cap, "%s%s+%08" PRIx32 "+%s", prefix, s->name,
                 et__note_key_id(s->name, len, ET_NOTE_ALG(s), s->pk), b64);
    sodium_memzero(blob, sizeof(blob));
    sodium_memzero(b64, sizeof(b64));
    if (n < 0 || (size_t)n >= cap) {
        sodium_memzero(out, cap);
        return ET_EINVAL;
    }
    return ET_OK;
}

int et_signer_format_secret(const struct et_signer *s, char *out, size_t cap)
{
    if (out && cap > 0)
        out[0] = '\0';
    if (!s)
        return ET_EINVAL;
    if (!s->has_secret)
        return ET_ESTATE;
    /* libsodium's secret key is seed || public key. */
    return format_key(s, SECRET_PREFIX, s->sk, out, cap);
}

int et_signer_format_verifier(const struct et_signer *s, char *out, size_t cap)
{
    if (out && cap > 0)
        out[0] = '\0';
    if (!s)
        return ET_EINVAL;
    return format_key(s, "", s->pk, out, cap);
}

/* Split off the text before the next '+'; false when there is none. */
static bool next_field(const char **p, const char *end, const char **field,
                       size_t *len)
{
    const char *plus = memchr(*p, '+', (size_t)(end - *p));

    if (!plus)
        return false;
    *field = *p;
    *len = (size_t)(plus - *p);
    *p = plus + 1;
    return true;
}

static bool parse_hex8(const char *s, size_t len, uint32_t *out)
{
    uint32_t v = 0;

    if (len != 8)
        return false;
    for (size_t i = 0; i < 8; i++) {
        char c = s[i];

        if (c >= '0' && c <= '9')
            v = v << 4 | (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v << 4 | (uint32_t)(c - 'a' + 10);
        else
            return false;
    }
    *out = v;
    return true;
}

static int parse_key(const char *text, size_t len, int alg,
                     struct et_signer *out, struct et_error *err)
{
    struct et_signer s;
    uint8_t blob[KEY_BLOB_LEN + 1];
    const char *p, *end, *name, *id_hex;
    size_t name_len, id_len, blob_len;
    uint32_t id;
    bool is_secret;
    int ret;

    if (!out)
        return et_error_set(err, ET_EINVAL, "key: null argument");
    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    if (!text)
        return et_error_set(err, ET_EINVAL, "key: null argument");
    if (len > KEY_TEXT_MAX)
        return et_error_set(err, ET_EINPUT, "key: text is too long");
    ret = et__note_crypto_init();
    if (ret)
        return et_error_set(err, ret, "cannot initialise libsodium");
    p = text;
    end = text + len;
    is_secret = len >= SECRET_PREFIX_LEN &&
                memcmp(text, SECRET_PREFIX, SECRET_PREFIX_LEN) == 0;
    if (is_secret)
        p += SECRET_PREFIX_LEN;
    if (!next_field(&p, end, &name, &name_len) ||
        !next_field(&p, end, &id_hex, &id_len))
        return et_error_set(err, ET_EINPUT,
                            "key: want name+keyid+base64 fields");
    if (!et__note_name_valid(name, name_len))
        return et_error_set(err, ET_EINPUT, "key: invalid key name");
    if (!parse_hex8(id_hex, id_len, &id))
        return et_error_set(err, ET_EINPUT,
                            "key: key id is not 8 lower-case hex digits");
    /* The rest is base64, which may itself contain '+'. */
    if (et__note_b64_decode(p, (size_t)(end - p), blob, sizeof(blob),
                            &blob_len) != ET_OK ||
        blob_len != KEY_BLOB_LEN) {
        ret = et_error_set(err, ET_EINPUT, "key: bad base64 key data");
        goto out;
    }
    if (blob[0] != alg) {
        ret = et_error_set(
            err, ET_EINPUT, "key: algorithm %u is not %s (%d)%s",
            (unsigned)blob[0],
            alg == ET_NOTE_ALG_COSIG ? "a witness's cosignature/v1" : "Ed25519",
            alg,
            blob[0] == ET_NOTE_ALG_COSIG ? ": this is a witness key"
            : blob[0] == ET_NOTE_ALG_ED25519 ? ": this is a log's key"
                                             : "");
        goto out;
    }
    if (is_secret) {
        from_seed(&s, name, name_len, alg, blob + 1);
    } else {
        if (!crypto_core_ed25519_is_valid_point(blob + 1)) {
            ret = et_error_set(err, ET_EINPUT,
                               "key: not a valid Ed25519 public key");
            goto out;
        }
        memcpy(s.name, name, name_len);
        s.name[name_len] = '\0';
        memcpy(s.pk, blob + 1, ET_ED25519_PK_LEN);
        s.alg = alg;
        s.key_id = et__note_key_id(name, name_len, alg, s.pk);
    }
    if (s.key_id != id) {
        ret = et_error_set(err, ET_EINPUT, "key: key id does not match");
        goto out;
    }
    *out = s;
    ret = ET_OK;
out:
    sodium_memzero(blob, sizeof(blob));
    sodium_memzero(&s, sizeof(s));
    return ret;
}

int et_signer_parse(const char *text, size_t len, struct et_signer *out,
                    struct et_error *err)
{
    return parse_key(text, len, ET_NOTE_ALG_ED25519, out, err);
}

int et_cosigner_parse(const char *text, size_t len, struct et_signer *out,
                      struct et_error *err)
{
    return parse_key(text, len, ET_NOTE_ALG_COSIG, out, err);
}

void et_signer_wipe(struct et_signer *s)
{
    if (!s)
        return;
    sodium_memzero(s->sk, sizeof(s->sk));
    s->has_secret = 0;
}
