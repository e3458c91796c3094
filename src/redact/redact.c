/* SPDX-License-Identifier: MIT */
/*
 * The redactor: every rule's PCRE2 pattern (JIT) runs over the text and its
 * matches are validated. Built with ET_HAVE_HYPERSCAN (the benchmark and
 * tests only: Hyperscan's C++ runtime costs every process ~9 ms to load), a
 * Hyperscan pass over the rules' literal anchors can first pick the rules
 * worth running (docs/PERFORMANCE.md).
 * Overlapping secrets are merged into one replacement so that no byte of
 * any match survives. docs/SECURITY.md, docs/PERFORMANCE.md.
 */
#include "base/setup.h"
#include "codec/json.h"
#include "base/alloc.h"
#include "redact/redact.h"
#include "redact/scan.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#ifdef ET_HAVE_HYPERSCAN
# include <hs/hs.h>
#endif
#include <pcre2.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RULES 64
/* JIT compiling every rule costs ~0.8 ms: worth it only once a process has
 * scanned this much (import, rebuild), not for one hook input */
#define JIT_AFTER_BYTES (256 * 1024)
#define MATCH_LIMIT     2000000u
#define MARKER_PREFIX   "[REDACTED:"
#define UNSCANNABLE     "unscannable"

struct hit {
    size_t start, end;
    size_t rule; /* SIZE_MAX: the whole text could not be scanned */
};

/* Window bytes from off on are the original text's from orig on. */
struct seg {
    size_t orig, off;
};

struct et_redactor {
    uint8_t key[ET_REDACT_KEY_LEN];
    enum et_redact_engine engine;
    pcre2_code *code[MAX_RULES];
    uint32_t group[MAX_RULES]; /* the secret's group number */
    bool is_disabled[MAX_RULES];
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit;
#ifdef ET_HAVE_HYPERSCAN
    hs_database_t *db;
    hs_scratch_t *scratch;
#endif
    struct hit *hits;
    size_t n_hits, cap_hits;
    size_t scanned;
    bool is_jit;
    bool is_no_passes; /* et__redactor_set_passes(r, false) */
    bool is_all_rules; /* et__redactor_set_all_rules(r, true) */
    struct et_buf tmp;
    /* the passes' scratch, kept from one text to the next */
    char *win; /* a joined window, or a run's base64 characters */
    size_t n_win;
    unsigned char *bin; /* a run decoded */
    uint64_t *masks;    /* the text classified (et__redact_classify) */
    size_t cap;         /* of win and bin (masks: their bits) */
    struct seg *seg;
    size_t n_seg, cap_seg;
    size_t n_plain; /* hits of the rules on the unsplit text */
};

/* ---- markers ---- */

static pcre2_code *marker_code;
static pthread_once_t marker_once = PTHREAD_ONCE_INIT;

static void marker_compile(void)
{
    int e;
    PCRE2_SIZE off;

    marker_code = pcre2_compile(
        (PCRE2_SPTR) "\\[REDACTED:([a-z0-9_]{1,40}):([0-9a-f]{16})\\]",
        PCRE2_ZERO_TERMINATED, 0, &e, &off, NULL);
    if (marker_code)
        (void)pcre2_jit_compile(marker_code, PCRE2_JIT_COMPLETE);
}

int et__redact_markers(const char *s, size_t len, et_redact_marker_fn *fn,
                       void *ctx)
{
    pcre2_match_data *md;
    PCRE2_SIZE off = 0;
    int rc = ET_OK;

    if (!memchr(s, '[', len))
        return ET_OK;
    pthread_once(&marker_once, marker_compile);
    if (!marker_code)
        return ET_EINTERNAL;
    md = pcre2_match_data_create_from_pattern(marker_code, NULL);
    if (!md)
        return ET_ENOMEM;
    while (!rc && off < len &&
           pcre2_match(marker_code, (PCRE2_SPTR)s, len, off, 0, md, NULL) > 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        char fp[ET_REDACT_FP_HEX + 1];

        memcpy(fp, s + ov[4], ET_REDACT_FP_HEX);
        fp[ET_REDACT_FP_HEX] = '\0';
        rc = fn(ctx, s + ov[2], ov[3] - ov[2], fp);
        off = ov[1];
    }
    pcre2_match_data_free(md);
    return rc;
}

/* Whether s is exactly one marker (already redacted: leave it). */
static bool is_marker(const char *s, size_t len)
{
    pcre2_match_data *md;
    int n;

    if (len < sizeof(MARKER_PREFIX) ||
        memcmp(s, MARKER_PREFIX, sizeof(MARKER_PREFIX) - 1) != 0)
        return false;
    pthread_once(&marker_once, marker_compile);
    if (!marker_code)
        return false;
    md = pcre2_match_data_create_from_pattern(marker_code, NULL);
    if (!md)
        return false;
    n = pcre2_match(marker_code, (PCRE2_SPTR)s, len, 0,
                    PCRE2_ANCHORED | PCRE2_ENDANCHORED, md, NULL);
    pcre2_match_data_free(md);
    return n > 0;
}

/* ---- fingerprints ---- */

void et__redact_fingerprint(const uint8_t *key, const char *s, size_t len,
                            char out[ET_REDACT_FP_HEX + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256(mac, (const unsigned char *)s, len, key);
    sodium_bin2hex(out, ET_REDACT_FP_HEX + 1, mac, ET_REDACT_FP_HEX / 2);
}

/* ---- compiling ---- */

#ifdef ET_HAVE_HYPERSCAN
static int add_anchor(struct et_buf *b, const char *lit)
{
    int rc = ET_OK;

    for (const char *p = lit; !rc && *p; p++)
        rc = et_buf_printf(b, "\\x%02x", (unsigned)(unsigned char)*p);
    return rc ? rc : et_buf_addch(b, '\0');
}

static int compile_anchors(struct et_redactor *r, struct et_error *err)
{
    const char *expr[256];
    unsigned flags[256], ids[256];
    size_t offs[256], n = 0;
    struct et_buf b = ET_BUF_INIT;
    hs_compile_error_t *ce = NULL;
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < et__n_redact_rules; i++) {
        const struct et_redact_rule *ru = &et__redact_rules[i];

        for (size_t j = 0; !rc && ru->anchors[j]; j++) {
            if (n == ET_ARRAY_SIZE(expr))
                ET_BUG("too many redaction anchors");
            offs[n] = b.len;
            flags[n] =
                HS_FLAG_SINGLEMATCH | (ru->is_caseless ? HS_FLAG_CASELESS : 0);
            ids[n++] = (unsigned)i;
            rc = add_anchor(&b, ru->anchors[j]);
        }
    }
    if (rc) {
        et_buf_release(&b);
        return et_error_set(err, rc, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        expr[i] = b.ptr + offs[i];
    if (hs_compile_multi(expr, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL,
                         &r->db, &ce) != HS_SUCCESS) {
        rc = et_error_set(err, ET_EINTERNAL, "redaction anchors: %s",
                          ce ? ce->message : "hyperscan failed");
        hs_free_compile_error(ce);
    } else if (hs_alloc_scratch(r->db, &r->scratch) != HS_SUCCESS) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    }
    et_buf_release(&b);
    return rc;
}

#endif

static int compile_rules(struct et_redactor *r, struct et_error *err)
{
    uint32_t max_groups = 1;

    for (size_t i = 0; i < et__n_redact_rules; i++) {
        const struct et_redact_rule *ru = &et__redact_rules[i];
        PCRE2_SIZE off;
        int e, g;
        uint32_t ng = 0;

        r->code[i] =
            pcre2_compile((PCRE2_SPTR)ru->pattern, PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &e, &off, NULL);
        if (!r->code[i]) {
            PCRE2_UCHAR msg[120];

            pcre2_get_error_message(e, msg, sizeof(msg));
            return et_error_set(err, ET_EINTERNAL,
                                "redaction rule %zu (%s) at %zu: %s", i,
                                ru->kind, (size_t)off, (const char *)msg);
        }
        g = pcre2_substring_number_from_name(r->code[i], (PCRE2_SPTR) "s");
        r->group[i] = g > 0 ? (uint32_t)g : 0;
        pcre2_pattern_info(r->code[i], PCRE2_INFO_CAPTURECOUNT, &ng);
        if (ng + 1 > max_groups)
            max_groups = ng + 1;
    }
    r->md = pcre2_match_data_create(max_groups, NULL);
    r->mctx = pcre2_match_context_create(NULL);
    r->jit = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    if (!r->md || !r->mctx || !r->jit)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    pcre2_jit_stack_assign(r->mctx, NULL, r->jit);
    pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
    return ET_OK;
}

int et__redactor_new(const uint8_t *key, enum et_redact_engine engine,
                     struct et_redactor **out, struct et_error *err)
{
    struct et_redactor *r;
    int rc;

    *out = NULL;
    if (et__n_redact_rules > MAX_RULES)
        ET_BUG("too many redaction rules");
    if (sodium_init() < 0)
        return et_error_set(err, ET_ECRYPTO, "libsodium failed to start");
    r = et__calloc(1, sizeof(*r));
    if (!r)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    memcpy(r->key, key, ET_REDACT_KEY_LEN);
    r->engine = engine;
    et_buf_init(&r->tmp, 0);
    rc = compile_rules(r, err);
#ifdef ET_HAVE_HYPERSCAN
    if (!rc && engine == ET_REDACT_PREFILTER)
        rc = compile_anchors(r, err);
#else
    if (!rc && engine == ET_REDACT_PREFILTER)
        rc = et_error_set(err, ET_EINVAL,
                          "the Hyperscan prefilter is not built in");
#endif
    if (rc) {
        et__redactor_free(r);
        return rc;
    }
    *out = r;
    return ET_OK;
}

void et__redactor_free(struct et_redactor *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < et__n_redact_rules; i++)
        pcre2_code_free(r->code[i]);
    pcre2_match_data_free(r->md);
    pcre2_match_context_free(r->mctx);
    pcre2_jit_stack_free(r->jit);
#ifdef ET_HAVE_HYPERSCAN
    hs_free_scratch(r->scratch);
    hs_free_database(r->db);
#endif
    et__free(r->hits);
    et_buf_release(&r->tmp);
    et__free(r->win);
    et__free(r->bin);
    et__free(r->masks);
    et__free(r->seg);
    sodium_memzero(r->key, sizeof(r->key));
    et__free(r);
}

int et__redactor_disable(struct et_redactor *r, const char *kind,
                         struct et_error *err)
{
    bool found = false;

    for (size_t i = 0; i < et__n_redact_rules; i++) {
        if (!strcmp(et__redact_rules[i].kind, kind)) {
            r->is_disabled[i] = true;
            found = true;
        }
    }
    if (!found)
        return et_error_set(err, ET_EINPUT, "unknown redaction kind '%s'",
                            kind);
    return ET_OK;
}

void et__redactor_disabled(const struct et_redactor *r, char *out, size_t cap)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < et__n_redact_rules; i++) {
        const char *k = et__redact_rules[i].kind;
        int w;

        if (!r->is_disabled[i] || (i && r->is_disabled[i - 1] &&
                                   !strcmp(et__redact_rules[i - 1].kind, k)))
            continue;
        w = snprintf(out + used, cap - used, "%s%s", used ? "," : "", k);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

void et__redactor_set_passes(struct et_redactor *r, bool is_on)
{
    r->is_no_passes = !is_on;
}

void et__redactor_set_all_rules(struct et_redactor *r, bool is_on)
{
    r->is_all_rules = is_on;
}

/* ---- scanning ---- */

static int push_hit(struct et_redactor *r, size_t start, size_t end,
                    size_t rule)
{
    if (r->n_hits == r->cap_hits) {
        size_t cap = r->cap_hits ? r->cap_hits * 2 : 16;
        struct hit *h = et__realloc(r->hits, cap * sizeof(*h));

        if (!h)
            return ET_ENOMEM;
        r->hits = h;
        r->cap_hits = cap;
    }
    r->hits[r->n_hits].start = start;
    r->hits[r->n_hits].end = end;
    r->hits[r->n_hits].rule = rule;
    r->n_hits++;
    return ET_OK;
}

#ifdef ET_HAVE_HYPERSCAN
static int on_anchor(unsigned int id, unsigned long long from,
                     unsigned long long to, unsigned int flags, void *ctx)
{
    uint64_t *mask = ctx;

    ET_UNUSED(from);
    ET_UNUSED(to);
    ET_UNUSED(flags);
    *mask |= (uint64_t)1 << id;
    return 0;
}

#endif

/* Run rule i over s from offset from (what comes before is context);
 * push its valid secrets. */
static int run_rule(struct et_redactor *r, size_t i, const char *s, size_t len,
                    size_t from)
{
    const struct et_redact_rule *ru = &et__redact_rules[i];
    PCRE2_SIZE off = from;

    while (off < len) {
        PCRE2_SIZE *ov;
        size_t a, b;
        int n =
            pcre2_match(r->code[i], (PCRE2_SPTR)s, len, off, 0, r->md, r->mctx);

        if (n == PCRE2_ERROR_NOMATCH)
            return ET_OK;
        if (n < 0)
            return push_hit(r, 0, len, SIZE_MAX); /* fail closed */
        ov = pcre2_get_ovector_pointer(r->md);
        a = ov[2 * r->group[i]];
        b = ov[2 * r->group[i] + 1];
        if (ov[1] <= off)
            ET_BUG("redaction rule matched the empty string");
        off = ov[1];
        if (a == PCRE2_UNSET || b <= a || is_marker(s + a, b - a))
            continue;
        if (ru->validate && !ru->validate(s + a, b - a))
            continue;
        if (push_hit(r, a, b, i))
            return ET_ENOMEM;
    }
    return ET_OK;
}

static int hit_cmp(const void *pa, const void *pb)
{
    const struct hit *a = pa, *b = pb;

    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->rule != b->rule)
        return a->rule < b->rule ? -1 : 1;
    return 0;
}

static void jit_compile(struct et_redactor *r)
{
    /* without JIT (unsupported CPU, no memory) the interpreter runs */
    for (size_t i = 0; i < et__n_redact_rules; i++)
        (void)pcre2_jit_compile(r->code[i], PCRE2_JIT_COMPLETE);
    r->is_jit = true;
}

static int passes(struct et_redactor *r, const char *s, size_t len);

static int collect(struct et_redactor *r, const char *s, size_t len)
{
    uint64_t mask = 0;
    int rc = ET_OK;

    r->n_hits = 0;
    r->scanned += len;
    if (!r->is_jit && r->scanned > JIT_AFTER_BYTES)
        jit_compile(r);
    /* only the rules one of whose literal anchors occurs (every match of
     * a rule contains one, rules.c): one pass of the anchor table over the
     * text instead of a PCRE2 scan per rule. Most texts hold no anchor and
     * meet no pattern at all; bench_redact: about 200 -> 400 MB/s, the
     * same secrets found. The table leaves out json_secret, the last rule
     * (its anchors are words of a member name, too common alone): it runs
     * when the text can hold a JSON member, which its match begins with a
     * quote of. (The Hyperscan engine picks the rules below.) */
    if (r->is_all_rules) {
        mask = ~(uint64_t)0;
    } else if (r->engine == ET_REDACT_PCRE2) {
        mask = et__redact_anchor_rules(s, len);
        if (memchr(s, '"', len))
            mask |= (uint64_t)1 << (et__n_redact_rules - 1);
    }
#ifdef ET_HAVE_HYPERSCAN
    if (r->engine == ET_REDACT_PREFILTER) {
        mask = 0;
        if (len > UINT32_MAX)
            return push_hit(r, 0, len, SIZE_MAX);
        if (hs_scan(r->db, s, (unsigned)len, 0, r->scratch, on_anchor, &mask) !=
            HS_SUCCESS)
            return push_hit(r, 0, len, SIZE_MAX);
    }
#endif
    for (size_t i = 0; !rc && i < et__n_redact_rules; i++)
        if ((mask >> i) & 1 && !r->is_disabled[i])
            rc = run_rule(r, i, s, len, 0);
    r->n_plain = r->n_hits;
    if (!rc && !r->is_no_passes)
        rc = passes(r, s, len);
    return rc;
}

/* ---- secrets split across lines, and wrapped in base64 ---- */

#define SPLIT_MIN_LEFT 12 /* base64 characters before a break worth joining */
/* same-line text kept before the broken run, for a rule's prefix
 * ("aws_secret_access_key = ", "Authorization: Basic ") */
#define SPLIT_BEFORE 96
/* text kept after the last joined run, up to a space or quote */
#define SPLIT_AFTER 256
/* windows cut before a later break are scanned up to this length */
#define SPLIT_CUT_MAX  512
#define B64_MIN        24 /* base64 characters: 18 bytes, shorter than any key */
#define B64_MIN_BROKEN 16 /* ... and the first line of a wrapped run */

static bool is_b64(char c)
{
    return et__redact_is_b64(c);
}

/* Length of the line break at s[i] ("\n", "\r\n", or the two characters
 * backslash n of an escaped newline in JSON text), followed by the next
 * line's indentation; 0 when there is none. */
static size_t break_at(const char *s, size_t len, size_t i)
{
    size_t j = i;

    if (j + 1 < len && s[j] == '\\' && s[j + 1] == 'r')
        j += 2;
    else if (j < len && s[j] == '\r')
        j++;
    if (j < len && s[j] == '\n')
        j++;
    else if (j + 1 < len && s[j] == '\\' && s[j + 1] == 'n')
        j += 2;
    else
        return 0;
    while (j < len && (s[j] == ' ' || s[j] == '\t'))
        j++;
    return j - i;
}

/* The break at s[e] (the end of a run) when a run goes on after it. */
static size_t join_at(const char *s, size_t len, size_t e)
{
    size_t b = break_at(s, len, e);

    return b && e + b < len && is_b64(s[e + b]) ? b : 0;
}

/* Whether the 8 characters at u all are base64: no branch per character,
 * which ordinary text would make the processor mispredict. */
static inline bool all_b64(const unsigned char *u)
{
    const uint8_t *c = et__redact_b64_class;

    return c[u[0]] & c[u[1]] & c[u[2]] & c[u[3]] & c[u[4]] & c[u[5]] & c[u[6]] &
           c[u[7]];
}

/* The end of the run of base64 characters at s[i]: 8 at a time first. */
static size_t run_end(const char *s, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;

    while (i + 8 <= len && all_b64(u + i))
        i += 8;
    while (i < len && is_b64(s[i]))
        i++;
    return i;
}

/* The text as bits (et__redact_classify): base64 characters, and where a
 * line break may start. */
struct bits {
    const uint64_t *b64, *brk;
    size_t len, n_words;
};

static int ctz64(uint64_t x)
{
    return __builtin_ctzll(x);
}

static int clz64(uint64_t x)
{
    return __builtin_clzll(x);
}

/* Bit k set when bits k .. k + min - 1 of m all are (1 <= min <= 64). */
static uint64_t runs_in(uint64_t m, size_t min)
{
    size_t have = 1;

    while (have * 2 <= min) {
        m &= m >> have;
        have *= 2;
    }
    return have < min ? m & (m >> (min - have)) : m;
}

/* Word w of m shifted up by k (1..63), the bits of word w - 1 coming in:
 * bit j is the bit of position 64 w + j - k. */
static uint64_t shifted(const uint64_t *m, size_t w, unsigned k)
{
    return m[w] << k | (w ? m[w - 1] >> (64 - k) : 0);
}

/* The first position from i on that is not base64 (len when none). */
static size_t bits_run_end(const struct bits *b, size_t i)
{
    size_t w = i >> 6;
    uint64_t x;

    if (i >= b->len)
        return b->len;
    x = ~b->b64[w] & (~(uint64_t)0 << (i & 63));
    while (!x) {
        if (++w == b->n_words)
            return b->len;
        x = ~b->b64[w];
    }
    i = (w << 6) + (size_t)ctz64(x);
    return i < b->len ? i : b->len;
}

/* The start of the run of base64 characters that ends at i, no further
 * back than from. */
static size_t bits_run_start(const struct bits *b, size_t from, size_t i)
{
    size_t w, j;
    uint64_t x;

    if (i <= from)
        return i;
    w = (i - 1) >> 6;
    x = ~b->b64[w];
    if (((i - 1) & 63) != 63)
        x &= ((uint64_t)1 << (((i - 1) & 63) + 1)) - 1;
    while (!x) {
        if (!w || (w << 6) <= from)
            return from;
        x = ~b->b64[--w];
    }
    j = (w << 6) + 63 - (size_t)clz64(x); /* the last one that is not */
    return j + 1 > from ? j + 1 : from;
}

/*
 * The next run of at least B64_MIN base64 characters from i on, as
 * [*a_out, *e_out); i is 0 or follows a character that is not base64.
 * Runs are found 64 characters at a time with shifts (runs_in), not a
 * branch per character, which the processor mispredicts in ordinary text;
 * carry counts the base64 characters that end the previous word.
 */
static bool next_run(const struct bits *b, size_t i, size_t *a_out,
                     size_t *e_out)
{
    size_t carry = 0, p;

    for (size_t w = i >> 6; w < b->n_words; w++) {
        uint64_t m = b->b64[w], x;
        size_t lead;

        if (w == i >> 6)
            m &= ~(uint64_t)0 << (i & 63);
        lead = ~m ? (size_t)ctz64(~m) : 64;
        if (carry && carry + lead >= B64_MIN) {
            p = (w << 6) - carry;
            goto found;
        }
        x = runs_in(m, B64_MIN);
        if (x) {
            p = (w << 6) + (size_t)ctz64(x);
            goto found;
        }
        /* the base64 characters that end this word, at most B64_MIN */
        carry = ~m ? (size_t)clz64(~m) : carry + 64;
        if (carry > B64_MIN)
            carry = B64_MIN;
    }
    return false;
found:
    *a_out = bits_run_start(b, i, p);
    *e_out = bits_run_end(b, p);
    return true;
}

/* The rules worth running over t: an anchor occurs, enabled, and not the
 * last one (json_secret needs a JSON member name, not plain text). */
static uint64_t rules_for(const struct et_redactor *r, const char *t,
                          size_t len)
{
    uint64_t mask = et__redact_anchor_rules(t, len);

    mask &= ((uint64_t)1 << (et__n_redact_rules - 1)) - 1;
    for (size_t i = 0; mask && i < et__n_redact_rules; i++)
        if (r->is_disabled[i])
            mask &= ~((uint64_t)1 << i);
    return mask;
}

/* Append s[from..to) to the window (which has room: windows are never
 * longer than the text + 1); a new segment unless it goes on the last
 * one's text. */
static int win_add(struct et_redactor *r, const char *s, size_t from, size_t to,
                   bool is_new_seg)
{
    if (is_new_seg) {
        if (r->n_seg == r->cap_seg) {
            size_t cap = r->cap_seg ? r->cap_seg * 2 : 16;
            struct seg *p = et__realloc(r->seg, cap * sizeof(*p));

            if (!p)
                return ET_ENOMEM;
            r->seg = p;
            r->cap_seg = cap;
        }
        r->seg[r->n_seg].orig = from;
        r->seg[r->n_seg].off = r->n_win;
        r->n_seg++;
    }
    memcpy(r->win + r->n_win, s + from, to - from);
    r->n_win += to - from;
    return ET_OK;
}

/* The window segment holding window offset off. */
static size_t seg_of(const struct et_redactor *r, size_t off)
{
    size_t k = 0;

    while (k + 1 < r->n_seg && r->seg[k + 1].off <= off)
        k++;
    return k;
}

static size_t win_orig(const struct et_redactor *r, size_t off)
{
    const struct seg *g = &r->seg[seg_of(r, off)];

    return g->orig + (off - g->off);
}

/* Whether a secret the rules found on the unsplit text (the first
 * r->n_plain hits) ends at the break at end and starts no later than
 * start: the secret was whole on its line. */
static bool whole_before(const struct et_redactor *r, size_t start, size_t end)
{
    for (size_t k = 0; k < r->n_plain; k++)
        if (r->hits[k].end == end && r->hits[k].start <= start &&
            r->hits[k].rule != SIZE_MAX)
            return true;
    return false;
}

/* Whether the run at s[i] (after a break) fills the rest of its line, but
 * for '=' padding and a closing quote: the rest of a wrapped token, not
 * the first word of a line of text. */
static bool fills_line(const char *s, size_t len, size_t i)
{
    i = run_end(s, len, i);
    while (i < len && s[i] == '=')
        i++;
    if (i < len && (s[i] == '"' || s[i] == '\''))
        i++;
    return i == len || s[i] == '\n' || s[i] == '\r' || break_at(s, len, i);
}

/*
 * Keep the hits from n0 on that span a removed break, in the original
 * text's offsets: a hit inside one line is the plain scan's. A hit whose
 * text before its first break is already inside a secret found on that
 * line and ending there is dropped unless the next line is only the rest
 * of a token: else the next line's first word would be glued onto a whole
 * secret ("AKIA...EXAMPLE" + "running terraform plan"), and the marker's
 * fingerprint would no longer be the secret's.
 */
static void keep_joined(struct et_redactor *r, const char *s, size_t len,
                        size_t n0, size_t start, size_t end)
{
    size_t w = n0;

    for (size_t k = n0; k < r->n_hits; k++) {
        struct hit h = r->hits[k];
        size_t g = seg_of(r, h.start);

        if (h.rule == SIZE_MAX) {
            h.start = start, h.end = end;
        } else if (g != seg_of(r, h.end - 1)) {
            size_t brk = win_orig(r, r->seg[g + 1].off - 1) + 1;

            h.start = win_orig(r, h.start);
            h.end = win_orig(r, h.end - 1) + 1;
            if (whole_before(r, h.start, brk) &&
                !fills_line(s, len, r->seg[g + 1].orig))
                continue;
        } else {
            continue;
        }
        r->hits[w++] = h;
    }
    r->n_hits = w;
}

/* Where the text after a joined run stops: a secret holds none of these. */
static bool ends_tail(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"' ||
           c == '\'' || c == '\\' || c == '<' || c == '>' || c == '`';
}

/*
 * A secret broken over lines ("ghp_AkJi...\n  ...GvVv", or a JSON "\n"
 * escape in the middle): the run s[a..e) of at least SPLIT_MIN_LEFT
 * characters is cut at e by a line break and goes on after it. A window
 * is copied without the break (and without the breaks of the lines after
 * that go on the same way): up to SPLIT_BEFORE characters of the same line
 * before the run, so that a prefix rule still sees its prefix, the joined
 * runs, and what follows up to a space or quote. Only the rules whose
 * anchors occur in the window run over it, and only their hits that span
 * a removed break are kept. *done_out is the end of the last joined run.
 */
static int split_window(struct et_redactor *r, const char *s, size_t len,
                        size_t a, size_t e, size_t *done_out)
{
    size_t ws = a, pre, tail, n0 = r->n_hits;
    uint64_t mask;
    int rc;

    {
        size_t lim = a > SPLIT_BEFORE ? a - SPLIT_BEFORE : 0;
        const char *nl = memrchr(s + lim, '\n', a - lim);

        ws = nl ? (size_t)(nl - s) + 1 : lim;
    }
    /* one more character, so that \b, ^ and look-behinds see the text */
    pre = ws > 0;
    r->n_win = 0;
    r->n_seg = 0;
    rc = win_add(r, s, ws - pre, e, true);
    for (size_t b; !rc && (b = join_at(s, len, e));) {
        size_t from = e + b;

        e = run_end(s, len, from);
        rc = win_add(r, s, from, e, true);
    }
    *done_out = e;
    for (tail = e; tail < len && tail - e < SPLIT_AFTER && !ends_tail(s[tail]);)
        tail++;
    if (!rc)
        rc = win_add(r, s, e, tail < len ? tail + 1 : tail, false);
    if (rc)
        return rc;
    mask = rules_for(r, r->win, r->n_win);
    for (size_t i = 0; !rc && i < et__n_redact_rules && mask >> i; i++)
        if ((mask >> i) & 1)
            rc = run_rule(r, i, r->win, r->n_win, pre);
    /* the next line may start with a word that glues onto the secret
     * ("...EXAMPLEKEY" + "region = ..."): the window cut before each
     * later break, while short enough to hold one secret, too */
    for (size_t k = 2;
         !rc && mask && k < r->n_seg && r->seg[k].off <= SPLIT_CUT_MAX; k++)
        for (size_t i = 0; !rc && i < et__n_redact_rules && mask >> i; i++)
            if ((mask >> i) & 1)
                rc = run_rule(r, i, r->win, r->seg[k].off, pre);
    keep_joined(r, s, len, n0, ws, tail);
    return rc;
}

/*
 * A secret wrapped in base64 (a Kubernetes Secret's data, a JSON blob, a
 * PEM key inside a base64 env var), possibly broken over lines: the run
 * s[a..e) of base64 characters, with the lines after it that go on the
 * same way once it has B64_MIN_BROKEN characters, is decoded (standard or
 * URL-safe) and, when it reads as text, the rules whose anchors occur in
 * it run over it; a secret inside redacts the whole run. *done_out is the
 * run's end.
 */
static int b64_run(struct et_redactor *r, const char *s, size_t len, size_t a,
                   size_t e, size_t *done_out)
{
    size_t n_bin = 0, rule = SIZE_MAX;
    bool is_found = false;
    uint64_t mask;
    int rc = ET_OK;

    memcpy(r->win, s + a, e - a);
    r->n_win = e - a;
    for (size_t b; r->n_win >= B64_MIN_BROKEN && (b = join_at(s, len, e));) {
        size_t from = e + b;

        e = run_end(s, len, from);
        memcpy(r->win + r->n_win, s + from, e - from);
        r->n_win += e - from;
    }
    for (int pad = 0; pad < 2 && e < len && s[e] == '='; pad++)
        e++;
    *done_out = e;
    if (r->n_win < B64_MIN)
        return ET_OK;
    if (!et__redact_b64_text(r->win, r->n_win, r->bin, &n_bin))
        return ET_OK;
    mask = rules_for(r, (const char *)r->bin, n_bin);
    for (size_t i = 0; !rc && mask && !is_found; i++, mask >>= 1) {
        size_t n0 = r->n_hits;

        if (!(mask & 1))
            continue;
        rc = run_rule(r, i, (const char *)r->bin, n_bin, 0);
        is_found = r->n_hits > n0;
        if (is_found)
            rule = r->hits[n0].rule; /* SIZE_MAX: unscannable, fail closed */
        r->n_hits = n0;
    }
    if (!rc && is_found)
        rc = push_hit(r, a, e, rule);
    return rc;
}

/* Where the next line break is looked for: the candidates left in word
 * w, a break where the two characters 1 and SPLIT_MIN_LEFT before it are
 * base64 (with masks, not a branch per line). */
struct breaks {
    const struct bits *b;
    size_t w;
    uint64_t cand;
};

static uint64_t break_cands(const struct bits *b, size_t w)
{
    return b->brk[w] & shifted(b->b64, w, 1) &
           shifted(b->b64, w, SPLIT_MIN_LEFT);
}

/* The next run of at least SPLIT_MIN_LEFT base64 characters cut by a line
 * break after which a run goes on, as [*a_out, *e_out). */
static bool next_broken_run(const char *s, struct breaks *br, size_t *a_out,
                            size_t *e_out)
{
    const struct bits *b = br->b;

    for (;;) {
        size_t e, a;

        while (!br->cand) {
            if (++br->w >= b->n_words)
                return false;
            br->cand = break_cands(b, br->w);
        }
        e = (br->w << 6) + (size_t)ctz64(br->cand);
        br->cand &= br->cand - 1;
        if (!join_at(s, b->len, e))
            continue;
        a = bits_run_start(b, 0, e);
        if (e - a < SPLIT_MIN_LEFT)
            continue;
        *a_out = a;
        *e_out = e;
        return true;
    }
}

/*
 * Both passes, in the order of the runs they start at: the runs cut by a
 * line break (from a memchr over the breaks) for both, and the runs of at
 * least B64_MIN characters (next_run) for the base64 pass. A run already
 * joined into an earlier window, or decoded with an earlier run, is not
 * looked at again.
 */
static int passes(struct et_redactor *r, const char *s, size_t len)
{
    size_t n_words = (len + 63) / 64;
    size_t la = 0, le = 0, ba = 0, be = 0, split_done = 0, b64_done = 0;
    struct bits bits;
    struct breaks br;
    bool has_long, has_broken;
    int rc = ET_OK;

    if (r->cap < len + 2) {
        size_t nw = (len + 2 + 63) / 64;
        char *w = et__realloc(r->win, len + 2);
        unsigned char *b = w ? et__realloc(r->bin, len + 2) : NULL;
        uint64_t *m = b ? et__realloc(r->masks, 2 * nw * sizeof(*m)) : NULL;

        if (w)
            r->win = w;
        if (b)
            r->bin = b;
        if (!m)
            return ET_ENOMEM;
        r->masks = m;
        r->cap = len + 2;
    }
    et__redact_classify(s, len, r->masks, r->masks + n_words);
    bits.b64 = r->masks;
    bits.brk = r->masks + n_words;
    bits.len = len;
    bits.n_words = n_words;
    br.b = &bits;
    br.w = 0;
    br.cand = n_words ? break_cands(&bits, 0) : 0;
    has_long = next_run(&bits, 0, &la, &le);
    has_broken = next_broken_run(s, &br, &ba, &be);
    while (!rc && (has_long || has_broken)) {
        bool is_broken = has_broken && (!has_long || ba <= la);
        bool is_long = has_long && (!has_broken || la <= ba);
        size_t a = is_broken ? ba : la, e = is_broken ? be : le;

        if (is_broken && a >= split_done)
            rc = split_window(r, s, len, a, e, &split_done);
        if (!rc && a >= b64_done &&
            (is_long || (is_broken && e - a >= B64_MIN_BROKEN)))
            rc = b64_run(r, s, len, a, e, &b64_done);
        if (is_broken)
            has_broken = next_broken_run(s, &br, &ba, &be);
        if (is_long)
            has_long = next_run(&bits, le + 1, &la, &le);
    }
    return rc;
}

static int put_marker(struct et_redactor *r, struct et_buf *out,
                      const char *kind, const char *s, size_t len)
{
    char fp[ET_REDACT_FP_HEX + 1];

    et__redact_fingerprint(r->key, s, len, fp);
    return et_buf_printf(out, MARKER_PREFIX "%s:%s]", kind, fp);
}

int et__redact_text(struct et_redactor *r, const char *s, size_t len,
                    struct et_buf *out, size_t *n_out, struct et_error *err)
{
    size_t pos = 0, n = 0;
    int rc;

    *n_out = 0;
    rc = collect(r, s, len);
    if (rc)
        return et_error_set(err, rc, "out of memory");
    if (!r->n_hits)
        return ET_OK;
    qsort(r->hits, r->n_hits, sizeof(*r->hits), hit_cmp);
    et_buf_reset(out);
    for (size_t i = 0; !rc && i < r->n_hits;) {
        struct hit cur = r->hits[i++];
        const char *kind;

        while (i < r->n_hits && r->hits[i].start < cur.end) {
            if (r->hits[i].end > cur.end)
                cur.end = r->hits[i].end;
            if (r->hits[i].rule == SIZE_MAX)
                cur.rule = SIZE_MAX;
            i++;
        }
        kind = cur.rule == SIZE_MAX ? UNSCANNABLE
                                    : et__redact_rules[cur.rule].kind;
        rc = et_buf_add(out, s + pos, cur.start - pos);
        if (!rc)
            rc = put_marker(r, out, kind, s + cur.start, cur.end - cur.start);
        pos = cur.end;
        n++;
    }
    if (!rc)
        rc = et_buf_add(out, s + pos, len - pos);
    if (rc)
        return et_error_set(err, rc, "cannot build the redacted text");
    *n_out = n;
    return ET_OK;
}

static int redact_string(struct et_redactor *r, struct json_object *v,
                         const char *key, size_t *n, struct et_error *err)
{
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v), found = 0;
    size_t json_rule = et__n_redact_rules - 1;
    int rc;

    if (strcmp(et__redact_rules[json_rule].kind, "json_secret") != 0)
        ET_BUG("json_secret must be the last redaction rule");

    if (key && !r->is_disabled[json_rule] &&
        et__redact_secret_key_name(key, strlen(key)) &&
        et__redact_valid_json_secret(s, len) && !is_marker(s, len)) {
        et_buf_reset(&r->tmp);
        rc = put_marker(r, &r->tmp, et__redact_rules[json_rule].kind, s, len);
        found = 1;
    } else {
        rc = et__redact_text(r, s, len, &r->tmp, &found, err);
    }
    if (rc)
        return rc;
    if (!found)
        return ET_OK;
    *n += found;
    if (json_object_set_string_len(v, r->tmp.ptr, (int)r->tmp.len) != 1)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    return ET_OK;
}

static int redact_keys(struct et_redactor *r, struct json_object *o, size_t *n,
                       struct et_error *err);

static int walk(struct et_redactor *r, struct json_object *o, const char *key,
                size_t *n, struct et_error *err)
{
    int rc = ET_OK;

    switch (json_object_get_type(o)) {
    case json_type_string:
        return redact_string(r, o, key, n, err);
    case json_type_object: {
        json_object_object_foreach(o, k, v)
        {
            rc = walk(r, v, k, n, err);
            if (rc)
                return rc;
        }
        return redact_keys(r, o, n, err);
    }
    case json_type_array:
        for (size_t i = 0; !rc && i < json_object_array_length(o); i++)
            rc = walk(r, json_object_array_get_idx(o, i), NULL, n, err);
        return rc;
    default:
        return ET_OK;
    }
}

/* A secret used as a member name (e.g. {"ghp_...": 1}): the member is
 * renamed to the redacted name, its value kept. */
static int redact_keys(struct et_redactor *r, struct json_object *o, size_t *n,
                       struct et_error *err)
{
    struct et_buf out = ET_BUF_INIT;
    int rc = ET_OK;
    bool again = true;

    /* one rename per pass: a json-c object cannot change while iterated */
    while (!rc && again) {
        char *old = NULL;
        size_t cnt = 0;

        again = false;
        json_object_object_foreach(o, k, v)
        {
            ET_UNUSED(v);
            et_buf_reset(&out);
            rc = et__redact_text(r, k, strlen(k), &out, &cnt, err);
            if (rc || cnt)
                break;
        }
        if (rc || !cnt)
            break;
        /* find the key again: the loop variable is gone */
        json_object_object_foreach(o, k2, v2)
        {
            ET_UNUSED(v2);
            et_buf_reset(&out);
            cnt = 0;
            if (et__redact_text(r, k2, strlen(k2), &out, &cnt, NULL) == ET_OK &&
                cnt) {
                old = et__strdup(k2);
                break;
            }
        }
        if (!old) {
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
            break;
        }
        {
            struct json_object *val = NULL;
            const char *nk = et_buf_str(&out);

            if (!nk || json_object_object_get_ex(o, nk, NULL)) {
                /* the redacted name is taken: drop the member's name */
                json_object_object_del(o, old);
            } else {
                json_object_object_get_ex(o, old, &val);
                json_object_get(val);
                json_object_object_del(o, old);
                if (et__jadd(o, nk, val)) {
                    json_object_put(val);
                    rc = et_error_set(err, ET_ENOMEM, "out of memory");
                }
            }
            *n += cnt;
            again = true;
        }
        et__free(old);
    }
    et_buf_release(&out);
    return rc;
}

int et__redact_json(struct et_redactor *r, struct json_object *o, size_t *n_out,
                    struct et_error *err)
{
    size_t n = 0;
    int rc = walk(r, o, NULL, &n, err);

    if (n_out)
        *n_out = n;
    return rc;
}
