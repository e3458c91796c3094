/* SPDX-License-Identifier: MIT */
/*
 * The spec record's schema as data: one table of field descriptors per
 * object level (schema.c), read by the validator (check.c) and by the
 * JSON <-> struct et_record conversions (record_api.c).
 */
#ifndef ET_MODEL_SCHEMA_INT_H
#define ET_MODEL_SCHEMA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "exectrail/error.h"

/* What a field holds in JSON and, in brackets, in its C struct. */
enum et__kind {
    ET__K_TEXT,  /* string [char *] */
    ET__K_ID,    /* non-empty string [char *] */
    ET__K_UUID,  /* RFC 4122 UUID, lower-cased [char[37]] */
    ET__K_TIME,  /* RFC 3339, normalised to UTC ms [int64_t ns, 0 unknown] */
    ET__K_COUNT, /* integer >= 0 [int64_t, -1 unknown] */
    ET__K_SEQ,   /* integer >= 1 [int64_t, -1 unknown] */
    ET__K_BOOL,  /* boolean [int 1/0, -1 unknown] */
    ET__K_SCORE, /* number in [0, 1] [double, NaN unknown] */
    ET__K_ENUM,  /* one string of enum_def [enum, 0 unknown] */
    ET__K_TEXT_LIST, /* array of strings [char **, size_t at count_offset] */
    ET__K_ANY,       /* any JSON, not inspected [char * JSON text] */
    ET__K_MEASURE,   /* string, number or object [char * JSON text] */
    ET__K_OBJECT,    /* object of level sub [embedded struct] */
    ET__K_OBJ_LIST,  /* array of objects of level sub [ptr + size_t count] */
};

enum et__field_flags {
    ET__F_MANDATORY = 1 << 0, /* required with ET_CHECK_COMPLETE */
    ET__F_EXTENSION = 1 << 1, /* not a spec key: checked, kept as extra */
};

struct et__enum_item {
    const char *name;
    int value;
};

struct et__enum_def {
    const struct et__enum_item *items; /* in the spec's order */
    size_t n_items;
};

struct et__level;
struct et__check;

struct et__field {
    const char *name;
    enum et__kind kind;
    unsigned flags;
    size_t offset;       /* member in the level's struct */
    size_t count_offset; /* lists: the size_t count member */
    const struct et__enum_def *enum_def;
    const struct et__level *sub;
};

/* A rule that spans fields of one level, run after its fields are checked
 * (so their types are known to be right). obj is the level's object. */
typedef int et__rule_fn(struct et__check *c, struct json_object *obj);

struct et__level {
    const char *name; /* for messages: "agent_metadata", "action", ... */
    const struct et__field *fields;
    size_t n_fields;
    size_t struct_size;
    size_t extra_offset;   /* char *extra_json */
    size_t present_offset; /* bool is_present; SIZE_MAX when none */
    et__rule_fn *rule;     /* NULL when none */
};

/* The spec's enums, mapped to enum et_verification_status, enum et_level
 * and enum et_issue_type. */
extern const struct et__enum_def et__enum_verify;
extern const struct et__enum_def et__enum_level;
extern const struct et__enum_def et__enum_issue;

extern const struct et__level et__level_record;
extern const struct et__level et__level_action;
extern const struct et__level et__level_issue;

/* A fragment path accepted by et__record_check. */
struct et__fragment {
    const char *path;
    const struct et__level *level;
};

extern const struct et__fragment et__fragments[];
extern const size_t et__n_fragments;

/* ---- JSON paths for messages ---- */

#define ET__PATH_MAX 200

struct et__path {
    char buf[ET__PATH_MAX];
    size_t len;
};

void et__path_init(struct et__path *p, const char *prefix);
/* Append ".key" (or "key" at the start); returns the length to pop back to. */
size_t et__path_key(struct et__path *p, const char *key);
/* Append "[i]". */
size_t et__path_index(struct et__path *p, size_t i);
void et__path_pop(struct et__path *p, size_t len);
/* "record" for the empty root path. */
const char *et__path_str(const struct et__path *p);

/* ---- the validator's state, shared with the rules ---- */

struct et__check {
    unsigned flags;
    bool is_whole; /* checking the whole record, not a fragment */
    struct et__path path;
    struct et_error *err;
};

/* ET_EINPUT "<path>: <fmt...>". */
int et__check_fail(struct et__check *c, const char *fmt, ...) ET_PRINTF(2, 3);
/* ET_ENOMEM "<path>: out of memory". */
int et__check_nomem(struct et__check *c);
/* Render v for a message: strings quoted, escaped and shortened; numbers as
 * written; other values by type name. */
void et__describe(struct json_object *v, char *out, size_t cap);

/* A field of level lv by name, or NULL. */
const struct et__field *et__level_field(const struct et__level *lv,
                                        const char *name);
/* True when name is a spec key of lv (an extension key is not). */
bool et__level_is_spec_key(const struct et__level *lv, const char *name);

#endif /* ET_MODEL_SCHEMA_INT_H */
