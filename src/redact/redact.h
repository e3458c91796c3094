/* SPDX-License-Identifier: MIT */
/*
 * Secret redaction (DESIGN section 8): the rules table, the redactor that
 * applies it (each rule's PCRE2 pattern and validation; optionally a
 * Hyperscan pass over the rules' literal anchors first),
 * keyed fingerprints and the per-installation key file. docs/SECURITY.md.
 */
#ifndef ET_REDACT_REDACT_H
#define ET_REDACT_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "exectrail/error.h"
#include "base/buf.h"

#define ET_REDACT_KEY_LEN  32
#define ET_REDACT_FP_HEX   16 /* hex characters of the fingerprint kept */
#define ET_REDACT_KEY_FILE "redact.key"

/* Validation of a candidate secret (the pattern's secret group). */
typedef bool et_redact_valid_fn(const char *s, size_t len);

/*
 * One rule. Every match of pattern contains at least one of anchors (a
 * NULL-terminated list of literals, compared without case when
 * is_caseless), so a text without any anchor cannot match. The secret is
 * the group named "s" when the pattern has one, else the whole match.
 */
struct et_redact_rule {
    const char *kind;
    const char *pattern; /* PCRE2, UTF mode */
    const char *const *anchors;
    bool is_caseless;
    et_redact_valid_fn *validate; /* NULL: none */
    const char *validation;       /* what validate checks, for the docs */
};

extern const struct et_redact_rule et__redact_rules[];
extern const size_t et__n_redact_rules;

/* Validations (rules.c), public to the tests. */
bool et__redact_valid_jwt(const char *s, size_t len);
bool et__redact_valid_assignment(const char *s, size_t len);
bool et__redact_valid_json_secret(const char *s, size_t len);
bool et__redact_valid_token(const char *s, size_t len);
/* Shannon entropy of s in bits per byte. */
double et__redact_entropy(const char *s, size_t len);
/* Whether a JSON member name looks like it holds a secret. */
bool et__redact_secret_key_name(const char *name, size_t len);

enum et_redact_engine {
    ET_REDACT_PREFILTER = 0, /* Hyperscan anchors, then PCRE2; only when
                              * built with ET_HAVE_HYPERSCAN (else EINVAL) */
    ET_REDACT_PCRE2 = 1,     /* every rule's PCRE2 pattern (the default) */
};

struct et_redactor;

/*
 * Compile the rules. key (ET_REDACT_KEY_LEN bytes) is copied. *out is
 * caller-owned (et__redactor_free). ET_ENOMEM, or ET_EINTERNAL if a rule
 * does not compile (a bug, caught by the unit tests).
 */
ET_NODISCARD int et__redactor_new(const uint8_t *key,
                                  enum et_redact_engine engine,
                                  struct et_redactor **out,
                                  struct et_error *err);
void et__redactor_free(struct et_redactor *r);
/* Stop applying the rules of kind; ET_EINPUT for an unknown kind. */
ET_NODISCARD int et__redactor_disable(struct et_redactor *r, const char *kind,
                                      struct et_error *err);
/* Kinds switched off, in table order, comma separated ("" when none). */
void et__redactor_disabled(const struct et_redactor *r, char *out, size_t cap);
/*
 * Switch the passes for secrets split across lines or wrapped in base64
 * (on by default). Off is for the benchmark, which times both in one run,
 * and the tests; nothing else should turn them off.
 */
void et__redactor_set_passes(struct et_redactor *r, bool is_on);
/*
 * Run every rule's pattern over every text instead of only the rules whose
 * literal anchors occur in it (off by default). For the tests and the fuzz
 * target, which check that both find the same secrets.
 */
void et__redactor_set_all_rules(struct et_redactor *r, bool is_on);

/*
 * Redact s[0..len). When something is found, out (reset first) holds the
 * redacted text and *n_out the number of replacements; when nothing is
 * found *n_out is 0 and out is left alone.
 */
ET_NODISCARD int et__redact_text(struct et_redactor *r, const char *s,
                                 size_t len, struct et_buf *out, size_t *n_out,
                                 struct et_error *err);
/*
 * Redact every string value of the JSON tree o in place (and the whole
 * value of a member whose name looks secret, when it validates). *n_out
 * (may be NULL) counts the replacements.
 */
ET_NODISCARD int et__redact_json(struct et_redactor *r, struct json_object *o,
                                 size_t *n_out, struct et_error *err);

/* HMAC-SHA-256(key, s) as ET_REDACT_FP_HEX lower-case hex characters. */
void et__redact_fingerprint(const uint8_t *key, const char *s, size_t len,
                            char out[ET_REDACT_FP_HEX + 1]);

/* Each "[REDACTED:kind:fingerprint]" marker in s, in order. */
typedef int et_redact_marker_fn(void *ctx, const char *kind, size_t kind_len,
                                const char *fp);
ET_NODISCARD int et__redact_markers(const char *s, size_t len,
                                    et_redact_marker_fn *fn, void *ctx);

/*
 * Load <dir>/redact.key into key_out (ET_REDACT_KEY_LEN bytes); with
 * create, make it first when absent (random, mode 0600). ET_ENOTFOUND when
 * absent and not create; ET_EINTEGRITY when the file is malformed.
 */
ET_NODISCARD int et__redact_key_load(const char *dir, bool create,
                                     uint8_t *key_out, struct et_error *err);

#endif /* ET_REDACT_REDACT_H */
