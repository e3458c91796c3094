/* SPDX-License-Identifier: MIT */
/*
 * Signed checkpoints: a C2SP tlog-checkpoint body (origin, size, root and an
 * optional "time" extension line) in a C2SP signed note with Ed25519
 * signature lines, and witnesses' C2SP tlog-cosignature lines
 * (cosignature/v1) on them. Verification parses strictly and needs a valid
 * signature by the given key; signature lines by other keys are ignored.
 */
#include "base/setup.h"
#include "base/time.h"
#include "exectrail/ledger.h"
#include "ledger/note_int.h"

#include <inttypes.h>
#include <sodium.h>

#define EM_DASH        "\xe2\x80\x94" /* U+2014, starts a signature line */
#define SIG_PREFIX     EM_DASH " "
#define SIG_PREFIX_LEN (sizeof(SIG_PREFIX) - 1)
#define TIME_PREFIX    "time "
#define TIME_TEXT_LEN  24  /* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
#define ROOT_B64_LEN   44  /* base64 of 32 bytes */
#define BODY_MAX       256 /* origin (< 128) + size + root + time */
#define SIG_NAME_MAX   255 /* names of other signers */
#define SIG_BLOB_MAX   512 /* decoded signature data of other signers */
#define SIG_LINES_MAX  100
#define SIG_LEN        (4 + crypto_sign_BYTES)
#define COSIG_LEN      (4 + 8 + crypto_sign_BYTES)
#define COSIG_PREFIX   "cosignature/v1\ntime "
#define COSIG_MSG_MAX  (sizeof(COSIG_PREFIX) + 21 + BODY_MAX)

static bool origin_valid(const char *s, size_t len)
{
    if (len == 0 || len >= sizeof(((struct et_checkpoint *)0)->origin))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < ' ' || c >= 0x7f)
            return false;
    }
    return true;
}

/* The signed body; returns its length, or 0 if it would not fit. */
static size_t format_body(const struct et_checkpoint *cp, size_t origin_len,
                          char body[BODY_MAX])
{
    char root[ROOT_B64_LEN + 1];
    char when[ET_RFC3339_MAX];
    int n;

    et__note_b64_encode(cp->root, ET_HASH_LEN, root, sizeof(root));
    if (cp->time_ns != 0) {
        et_time_format(cp->time_ns, when);
        n = snprintf(body, BODY_MAX,
                     "%.*s\n%" PRIu64 "\n%s\n" TIME_PREFIX "%s\n",
                     (int)origin_len, cp->origin, cp->size, root, when);
    } else {
        n = snprintf(body, BODY_MAX, "%.*s\n%" PRIu64 "\n%s\n", (int)origin_len,
                     cp->origin, cp->size, root);
    }
    if (n < 0 || n >= BODY_MAX)
        return 0;
    return (size_t)n;
}

int et_checkpoint_sign(const struct et_checkpoint *cp,
                       const struct et_signer *s, char *out, size_t cap,
                       struct et_error *err)
{
    char body[BODY_MAX];
    uint8_t sig[SIG_LEN];
    char sig_b64[sodium_base64_ENCODED_LEN(SIG_LEN,
                                           sodium_base64_VARIANT_ORIGINAL)];
    size_t origin_len, name_len, body_len;
    uint32_t key_id;
    int n, ret;

    if (out && cap > 0)
        out[0] = '\0';
    if (!cp || !s || !out)
        return et_error_set(err, ET_EINVAL, "checkpoint: null argument");
    origin_len = strnlen(cp->origin, sizeof(cp->origin));
    if (!origin_valid(cp->origin, origin_len))
        return et_error_set(err, ET_EINVAL,
                            "checkpoint: origin must be 1-127 printable "
                            "ASCII bytes");
    if (cp->time_ns < 0)
        return et_error_set(err, ET_EINVAL, "checkpoint: time is before 1970");
    name_len = strnlen(s->name, sizeof(s->name));
    if (!et__note_name_valid(s->name, name_len))
        return et_error_set(err, ET_EINVAL, "checkpoint: invalid key name");
    if (!s->has_secret)
        return et_error_set(err, ET_ESTATE,
                            "checkpoint: key '%s' has no secret part", s->name);
    if (ET_NOTE_ALG(s) != ET_NOTE_ALG_ED25519)
        return et_error_set(err, ET_EINVAL,
                            "checkpoint: '%s' is a witness key: it cosigns "
                            "checkpoints, it does not sign them",
                            s->name);
    if (memcmp(s->sk + 32, s->pk, ET_ED25519_PK_LEN) != 0)
        return et_error_set(err, ET_EINVAL,
                            "checkpoint: public and secret key of '%s' do "
                            "not belong together",
                            s->name);
    ret = et__note_crypto_init();
    if (ret)
        return et_error_set(err, ret, "cannot initialise libsodium");
    body_len = format_body(cp, origin_len, body);
    if (body_len == 0)
        return et_error_set(err, ET_EINTERNAL, "checkpoint: body too long");
    key_id = et__note_key_id(s->name, name_len, ET_NOTE_ALG_ED25519, s->pk);
    et__note_put_be32(sig, key_id);
    if (crypto_sign_detached(sig + 4, NULL, (const unsigned char *)body,
                             body_len, s->sk) != 0)
        return et_error_set(err, ET_ECRYPTO, "checkpoint: signing failed");
    et__note_b64_encode(sig, sizeof(sig), sig_b64, sizeof(sig_b64));
    n = snprintf(out, cap, "%s\n" SIG_PREFIX "%s %s\n", body, s->name, sig_b64);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return et_error_set(err, ET_EINVAL,
                            "checkpoint: output buffer too small (need %d "
                            "bytes)",
                            n + 1);
    }
    return ET_OK;
}

/* A line [*p, nl) ending in '\n' before end; advances *p past it. */
static bool next_line(const char **p, const char *end, const char **line,
                      size_t *len)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));

    if (!nl)
        return false;
    *line = *p;
    *len = (size_t)(nl - *p);
    *p = nl + 1;
    return true;
}

/* Decimal without sign or leading zeros, fitting uint64. */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned d;

        if (s[i] < '0' || s[i] > '9')
            return false;
        d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/*
 * "time YYYY-MM-DDTHH:MM:SS.mmmZ", exactly as et_time_format writes it.
 * The year is checked first: et_time_parse works in int64 nanoseconds,
 * which end in 2262.
 */
static bool parse_time(const char *s, size_t len, int64_t *ns_out)
{
    const size_t plen = sizeof(TIME_PREFIX) - 1;
    char again[ET_RFC3339_MAX];
    int year = 0;

    if (len != plen + TIME_TEXT_LEN || memcmp(s, TIME_PREFIX, plen) != 0)
        return false;
    s += plen;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        year = year * 10 + (s[i] - '0');
    }
    if (year < 1970 || year > 2261)
        return false;
    if (et_time_parse(s, TIME_TEXT_LEN, false, ns_out) != ET_OK || *ns_out <= 0)
        return false;
    et_time_format(*ns_out, again);
    return memcmp(again, s, TIME_TEXT_LEN) == 0 && again[TIME_TEXT_LEN] == 0;
}

/* Parse the body lines of a checkpoint (text ends with '\n'). */
static int parse_body(const char *text, size_t len, struct et_checkpoint *cp,
                      struct et_error *err)
{
    const char *p = text, *end = text + len, *line;
    size_t n, root_len;

    if (!next_line(&p, end, &line, &n) || !origin_valid(line, n))
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: bad origin line (want 1-127 "
                            "printable ASCII bytes)");
    memcpy(cp->origin, line, n);
    cp->origin[n] = '\0';
    if (!next_line(&p, end, &line, &n) || !parse_u64(line, n, &cp->size))
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: tree size is not a decimal number");
    if (!next_line(&p, end, &line, &n) ||
        et__note_b64_decode(line, n, cp->root, sizeof(cp->root), &root_len) !=
            ET_OK ||
        root_len != ET_HASH_LEN)
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: root is not base64 of 32 bytes");
    if (p == end)
        return ET_OK;
    if (!next_line(&p, end, &line, &n) || !parse_time(line, n, &cp->time_ns))
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: unknown extension line (only "
                            "'time <RFC 3339 UTC ms>' is known)");
    if (p != end)
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: unexpected line after the time");
    return ET_OK;
}

struct sig_result {
    int n_ours;      /* lines with our name and key id */
    int n_bad;       /* ... whose signature does not verify */
    int n_same_name; /* lines with our name but another key id */
    uint64_t time;   /* the newest time of our valid cosignatures */
};

static uint64_t get_be64(const uint8_t in[8])
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | in[i];
    return v;
}

/* "cosignature/v1\ntime <t>\n" || body: the message a witness signs. */
static size_t cosig_message(uint64_t t, const char *body, size_t body_len,
                            char msg[COSIG_MSG_MAX])
{
    int n;

    if (body_len >= BODY_MAX)
        return 0;
    n = snprintf(msg, COSIG_MSG_MAX, COSIG_PREFIX "%" PRIu64 "\n%.*s", t,
                 (int)body_len, body);
    if (n < 0 || (size_t)n >= COSIG_MSG_MAX)
        return 0;
    return (size_t)n;
}

/* Whether blob[0..len) is a valid signature by s of body (a cosignature
 * when s is a witness key; its time then raises res->time). */
static bool sig_valid(const uint8_t *blob, size_t len, const char *body,
                      size_t body_len, const struct et_signer *s,
                      struct sig_result *res)
{
    char msg[COSIG_MSG_MAX];
    size_t msg_len;
    uint64_t t;

    if (ET_NOTE_ALG(s) == ET_NOTE_ALG_ED25519)
        return len == SIG_LEN &&
               crypto_sign_verify_detached(blob + 4,
                                           (const unsigned char *)body,
                                           body_len, s->pk) == 0;
    if (len != COSIG_LEN)
        return false;
    t = get_be64(blob + 4);
    msg_len = cosig_message(t, body, body_len, msg);
    if (t == 0 || msg_len == 0 ||
        crypto_sign_verify_detached(blob + 12, (const unsigned char *)msg,
                                    msg_len, s->pk) != 0)
        return false;
    if (t > res->time)
        res->time = t;
    return true;
}

/* One signature line: "— <name> <base64(key id || signature)>". */
static int check_sig_line(const char *line, size_t len, const char *body,
                          size_t body_len, const struct et_signer *s,
                          size_t name_len, uint32_t key_id,
                          struct sig_result *res, struct et_error *err)
{
    uint8_t blob[SIG_BLOB_MAX];
    const char *name, *sp;
    size_t n, blob_len;

    if (len < SIG_PREFIX_LEN || memcmp(line, SIG_PREFIX, SIG_PREFIX_LEN) != 0)
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: signature line does not start with "
                            "an em dash and a space");
    name = line + SIG_PREFIX_LEN;
    sp = memchr(name, ' ', len - SIG_PREFIX_LEN);
    if (!sp)
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: signature line has no signature");
    n = (size_t)(sp - name);
    if (n == 0 || n > SIG_NAME_MAX)
        return et_error_set(err, ET_EINPUT, "checkpoint: bad signer name");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c <= ' ' || c >= 0x7f || c == '+')
            return et_error_set(err, ET_EINPUT, "checkpoint: bad signer name");
    }
    sp++;
    if (et__note_b64_decode(sp, len - (size_t)(sp - line), blob, sizeof(blob),
                            &blob_len) != ET_OK ||
        blob_len < 5)
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: signature is not valid base64");
    if (n != name_len || memcmp(name, s->name, n) != 0)
        return ET_OK; /* another signer: ignored */
    if (et__note_get_be32(blob) != key_id) {
        res->n_same_name++;
        return ET_OK;
    }
    res->n_ours++;
    if (!sig_valid(blob, blob_len, body, body_len, s, res))
        res->n_bad++;
    return ET_OK;
}

/* Check every signature line in [p, end) and tally those by s. */
static int check_sigs(const char *p, const char *end, const char *body,
                      size_t body_len, const struct et_signer *s,
                      size_t name_len, struct sig_result *res,
                      struct et_error *err)
{
    uint32_t key_id = et__note_key_id(s->name, name_len, ET_NOTE_ALG(s), s->pk);
    const char *line;
    size_t n;
    int lines = 0, ret;

    if (p == end)
        return et_error_set(err, ET_EINPUT, "checkpoint: no signature lines");
    while (p < end) {
        if (!next_line(&p, end, &line, &n))
            return et_error_set(err, ET_EINPUT,
                                "checkpoint: last line has no newline");
        if (++lines > SIG_LINES_MAX)
            return et_error_set(err, ET_EINPUT,
                                "checkpoint: more than %d signatures",
                                SIG_LINES_MAX);
        ret = check_sig_line(line, n, body, body_len, s, name_len, key_id, res,
                             err);
        if (ret)
            return ret;
    }
    return ET_OK;
}

/*
 * The body is everything before the last blank line, with its final
 * newline (signature lines are never empty). 0 when there is none.
 */
static size_t body_length(const char *note, size_t len)
{
    for (size_t i = len; i >= 2; i--) {
        if (note[i - 1] == '\n' && note[i - 2] == '\n')
            return i - 1;
    }
    return 0;
}

/*
 * The checks every note gets before its signatures: size, no NUL, a blank
 * line; then its body parsed into *cp. *body_len is the body's length
 * (with its last newline).
 */
static int open_note(const char *note, size_t len, struct et_checkpoint *cp,
                     size_t *body_len, struct et_error *err)
{
    int ret;

    if (len > ET_NOTE_MAX)
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: note is longer than %d bytes",
                            ET_NOTE_MAX);
    if (memchr(note, '\0', len))
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: note contains a NUL byte");
    ret = et__note_crypto_init();
    if (ret)
        return et_error_set(err, ret, "cannot initialise libsodium");
    *body_len = body_length(note, len);
    if (*body_len == 0)
        return et_error_set(err, ET_EINPUT,
                            "checkpoint: no blank line before the "
                            "signatures");
    memset(cp, 0, sizeof(*cp));
    return parse_body(note, *body_len, cp, err);
}

static int verify_note(const char *note, size_t len, const struct et_signer *s,
                       struct et_checkpoint *out, uint64_t *time_out,
                       struct et_error *err)
{
    struct et_checkpoint cp;
    struct sig_result res = {0, 0, 0, 0};
    size_t body_len, name_len;
    int ret;

    if (out)
        memset(out, 0, sizeof(*out));
    memset(&cp, 0, sizeof(cp));
    if (!note || !s)
        return et_error_set(err, ET_EINVAL, "checkpoint: null argument");
    name_len = strnlen(s->name, sizeof(s->name));
    if (!et__note_name_valid(s->name, name_len))
        return et_error_set(err, ET_EINVAL, "checkpoint: invalid key name");
    ret = open_note(note, len, &cp, &body_len, err);
    if (!ret)
        ret = check_sigs(note + body_len + 1, note + len, note, body_len, s,
                         name_len, &res, err);
    if (ret)
        return ret;
    if (res.n_bad > 0)
        return et_error_set(err, ET_EINTEGRITY,
                            "checkpoint: %s by key '%s' does not verify",
                            ET_NOTE_ALG(s) == ET_NOTE_ALG_COSIG
                                ? "cosignature"
                                : "signature",
                            s->name);
    if (res.n_ours == 0 && res.n_same_name > 0)
        return et_error_set(err, ET_EINTEGRITY,
                            "checkpoint: signed by a different key named "
                            "'%s' (key id differs)",
                            s->name);
    if (res.n_ours == 0)
        return et_error_set(err, ET_EINTEGRITY, "checkpoint: not %s by key '%s'",
                            ET_NOTE_ALG(s) == ET_NOTE_ALG_COSIG ? "cosigned"
                                                                : "signed",
                            s->name);
    if (out)
        *out = cp;
    if (time_out)
        *time_out = res.time;
    return ET_OK;
}

int et_checkpoint_verify(const char *note, size_t len,
                         const struct et_signer *s, struct et_checkpoint *out,
                         struct et_error *err)
{
    return verify_note(note, len, s, out, NULL, err);
}

int et_checkpoint_verify_cosigned(const char *note, size_t len,
                                  const struct et_signer *w,
                                  struct et_checkpoint *out,
                                  uint64_t *time_out, struct et_error *err)
{
    if (time_out)
        *time_out = 0;
    if (w && ET_NOTE_ALG(w) != ET_NOTE_ALG_COSIG)
        return et_error_set(err, ET_EINVAL,
                            "checkpoint: '%s' is not a witness key", w->name);
    return verify_note(note, len, w, out, time_out, err);
}

int et_checkpoint_cosign(const char *note, size_t len,
                         const struct et_signer *w, uint64_t time_s, char *line,
                         size_t cap, struct et_error *err)
{
    struct et_checkpoint cp;
    uint8_t blob[COSIG_LEN];
    char msg[COSIG_MSG_MAX];
    char b64[sodium_base64_ENCODED_LEN(COSIG_LEN,
                                       sodium_base64_VARIANT_ORIGINAL)];
    size_t body_len, msg_len, name_len;
    int n, ret;

    if (line && cap > 0)
        line[0] = '\0';
    if (!note || !w || !line)
        return et_error_set(err, ET_EINVAL, "cosign: null argument");
    name_len = strnlen(w->name, sizeof(w->name));
    if (ET_NOTE_ALG(w) != ET_NOTE_ALG_COSIG || !w->has_secret ||
        !et__note_name_valid(w->name, name_len))
        return et_error_set(err, ET_EINVAL,
                            "cosign: want a witness key with its secret part");
    if (time_s == 0)
        return et_error_set(err, ET_EINVAL, "cosign: time must not be zero");
    ret = open_note(note, len, &cp, &body_len, err);
    if (ret)
        return ret;
    msg_len = cosig_message(time_s, note, body_len, msg);
    if (msg_len == 0)
        return et_error_set(err, ET_EINPUT, "checkpoint: body too long");
    et__note_put_be32(blob,
                      et__note_key_id(w->name, name_len, ET_NOTE_ALG_COSIG,
                                      w->pk));
    for (int i = 0; i < 8; i++)
        blob[4 + i] = (uint8_t)(time_s >> (56 - 8 * i));
    if (crypto_sign_detached(blob + 12, NULL, (const unsigned char *)msg,
                             msg_len, w->sk) != 0)
        return et_error_set(err, ET_ECRYPTO, "cosign: signing failed");
    et__note_b64_encode(blob, sizeof(blob), b64, sizeof(b64));
    n = snprintf(line, cap, SIG_PREFIX "%s %s\n", w->name, b64);
    if (n < 0 || (size_t)n >= cap) {
        line[0] = '\0';
        return et_error_set(err, ET_EINVAL,
                            "cosign: output buffer too small");
    }
    return ET_OK;
}
