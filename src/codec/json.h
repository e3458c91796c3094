/* SPDX-License-Identifier: MIT */
/*
 * JSON glue over json-c: a strict, limited parser that reports byte offsets,
 * and one writer for both the canonical byte form (compact, keys sorted,
 * shortest round-trip numbers; the ledger hashes these bytes) and the
 * display form (insertion order, optionally pretty).
 */
#ifndef ET_CODEC_JSON_H
#define ET_CODEC_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "exectrail/error.h"
#include "base/buf.h"

/*
 * A zero field means its default. max_depth is capped at 1024 (json-c frees
 * trees recursively) and max_bytes at INT_MAX - 1 (json-c takes an int);
 * a negative max_depth is ET_EINVAL.
 */
struct et_json_limits {
    size_t max_bytes;   /* whole document */
    int max_depth;      /* nesting of arrays/objects */
    size_t max_string;  /* bytes in one string after unescaping (keys too) */
    size_t max_members; /* total object members + array elements */
};

/* 16 MiB, depth 64, 8 MiB strings, 1M members. */
#define ET_JSON_LIMITS_DEFAULT                           \
 {                                                       \
  (size_t)16 << 20, 64, (size_t)8 << 20, (size_t)1000000 \
 }

/*
 * Parse exactly one JSON text from buf[0..len) (leading/trailing whitespace
 * allowed). Strict RFC 8259: valid UTF-8 only, no raw control characters in
 * strings, no NUL bytes anywhere (neither raw nor as \u0000), no duplicate
 * keys in an object, no trailing data. lim may be NULL for the defaults.
 *
 * Numbers: integers must fit int64 or uint64, others must be finite as a
 * double; the number grammar is RFC 8259's (no "01", "1.", NaN, ...).
 * Strings: no unpaired surrogate escapes; no byte order mark.
 *
 * On success *out is a new json-c object (caller-owned: json_object_put);
 * the JSON text "null" gives *out == NULL, as json-c represents null.
 * On failure *out is NULL and the return is ET_EINPUT or ET_ETOOBIG with
 * err->msg like "byte 17: unexpected character" or
 * "byte 40: duplicate key \"name\" in $.agent_metadata" (the byte is a
 * 0-based offset into buf); when several rules are broken, the error
 * earliest in buf is reported, duplicate keys last. ET_ENOMEM when memory
 * runs out, ET_EINVAL for bad arguments. Thread-safe (no shared state).
 * docs/internals/CODEC.md has the rules in full.
 */
ET_NODISCARD int et_json_parse(const char *buf, size_t len,
                               const struct et_json_limits *lim,
                               struct json_object **out, struct et_error *err);

/*
 * Top-level string members of the JSON object buf[0..len) in one pass,
 * without a tree: for each f[i].key, state ET_JSON_TOP_STRING with the raw
 * value (between the quotes) in val/len, ET_JSON_TOP_ABSENT, or
 * ET_JSON_TOP_OTHER (not a string, a string with escapes, or a key that
 * occurs twice: ask et_json_parse). ET_EINPUT when buf is not an object
 * as far as this scan sees (nested values are only skipped, so ET_OK does
 * not mean the text is valid JSON). Keys with escapes never match; when
 * the object has one, the keys not found are ET_JSON_TOP_OTHER.
 */
enum { ET_JSON_TOP_ABSENT = 0, ET_JSON_TOP_STRING = 1, ET_JSON_TOP_OTHER = -1 };
struct et_json_top {
    const char *key;
    const char *val;
    size_t len;
    int state;
};
ET_NODISCARD int et__json_top_strings(const char *buf, size_t len,
                                      struct et_json_top *f, size_t n);

enum et_json_write_flags {
    ET_JSON_SORTED = 1 << 0, /* keys in byte order (canonical form) */
    ET_JSON_PRETTY = 1 << 1, /* 2-space indent, newline after each member */
};

/*
 * Append the JSON text of obj (NULL writes "null") to out. Compact unless
 * ET_JSON_PRETTY. Strings: only '"', '\\' and control characters are
 * escaped (\b \f \n \r \t, else \u00xx, lower-case hex); other UTF-8 is
 * written as is. Numbers: int64/uint64 in decimal; doubles in the shortest
 * form that reads back to the same double ("0.95", "1e+300", integral
 * doubles below 2^53 as "1", -0 as "0"); NaN and infinities are ET_EINVAL.
 * Pretty output has no final newline. Returns ET_OK, ET_ENOMEM, ET_ETOOBIG
 * (out's ceiling, or nesting deeper than 1024) or ET_EINVAL (NaN/inf,
 * invalid UTF-8 in a string or key, unknown flags). On failure out is
 * released, as et_buf does at its ceiling, so a partial document is never
 * used. obj is borrowed. The exact bytes: docs/internals/CODEC.md.
 */
ET_NODISCARD int et_json_write(struct json_object *obj, unsigned flags,
                               struct et_buf *out);

/* et_json_write(obj, ET_JSON_SORTED, out): the canonical byte form. */
ET_NODISCARD int et_json_canon(struct json_object *obj, struct et_buf *out);

/* A short name for obj's type: "null", "boolean", "integer", "number",
 * "string", "array", "object". */
const char *et_json_type_name(struct json_object *obj);

/*
 * Member lookups that tolerate NULL and wrong types: et__jget returns the
 * member key of object o (borrowed) or NULL; et__jstr its string value or
 * NULL when absent or not a string.
 */
struct json_object *et__jget(struct json_object *o, const char *key);

/*
 * json-c's constructors and container inserts, with every allocation
 * failure remembered: each behaves exactly like the json-c call it wraps
 * (NULL, or -1 with val not consumed, on failure) and also sets a sticky
 * per-thread flag. The ingest pipeline takes the flag before it encodes an
 * event (et__json_oom_take), so an event is never hashed into the ledger
 * with a member silently missing because an allocation failed, whether or
 * not the code that built it checked each result. A NULL container (its
 * own allocation failed) takes nothing and returns -1 where json-c would
 * assert. Constructors honour the test fault injection
 * (ET_TEST_FAIL_ALLOC, base/alloc.h).
 */
struct json_object *et__jnew_object(void);
struct json_object *et__jnew_array(void);
struct json_object *et__jnew_array_ext(int initial_size);
struct json_object *et__jnew_string(const char *s);
struct json_object *et__jnew_string_len(const char *s, int len);
struct json_object *et__jnew_int(int32_t v);
struct json_object *et__jnew_int64(int64_t v);
struct json_object *et__jnew_double(double v);
/* v written as text (the exact digits given; text is copied). */
struct json_object *et__jnew_double_s(double v, const char *text);
struct json_object *et__jnew_boolean(int v);
int et__jadd(struct json_object *o, const char *key, struct json_object *val);
int et__jappend(struct json_object *a, struct json_object *val);
/* Add another reference to val (shared, not copied) under key of o; on
 * failure the reference is dropped again, so nothing leaks. */
int et__jadd_ref(struct json_object *o, const char *key,
                 struct json_object *val);
/* Add the string v under key k of o when v is not NULL (nothing when it
 * is); a failure is remembered like the calls above. */
void et__jput_str(struct json_object *o, const char *k, const char *v);
/* Whether an allocation failed in this thread since the last call. */
bool et__json_oom_take(void);
/*
 * How many of the calls above have failed in this thread so far (never
 * reset, not changed by et__json_oom_take). A boundary that answers for
 * a whole piece of work (an HTTP request, an MCP message) notes the count
 * when the work starts and refuses to answer a success when it changed,
 * whatever took the flag in between.
 */
uint64_t et__json_oom_count(void);
const char *et__jstr(struct json_object *o, const char *key);

#endif /* ET_CODEC_JSON_H */
