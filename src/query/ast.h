/* SPDX-License-Identifier: MIT */
/*
 * The checked query: a backend-neutral tree that the query compiler
 * (compile.c) turns into SQL in a store's dialect. Data only: the parser and
 * checker that build it live in src/query/.
 */
#ifndef ET_QUERY_AST_H
#define ET_QUERY_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a field holds, as far as the language is concerned. */
enum et_qtype {
    ET_QT_OBJECT,  /* a prefix only (verification, quality_metrics, ...) */
    ET_QT_KEYWORD, /* short text compared whole (names, ids, tools) */
    ET_QT_TEXT,    /* prose: a bare value means "contains" */
    ET_QT_ENUM,    /* one of enum_values (upper case) */
    ET_QT_INT,
    ET_QT_NUM,
    ET_QT_TIME, /* nanoseconds since the epoch */
    ET_QT_BOOL,
    ET_QT_LIST,    /* array of strings: a predicate holds for any item */
    ET_QT_DYNAMIC, /* extension object member: typed by the value given */
};

/* Where a field lives, so that the compiler knows how to reach it. */
enum et_qplace {
    ET_QP_NONE,      /* objects and pseudo fields (rewritten by the checker) */
    ET_QP_EXEC,      /* a scalar of the execution record */
    ET_QP_EXEC_LIST, /* output lists kept in their own table (list_kind) */
    ET_QP_JSON_LIST, /* another array of strings inside the record */
    ET_QP_ISSUE,     /* a member of an issues[] entry */
    ET_QP_ACTION,    /* a member of an execution.actions_taken[] entry */
    ET_QP_CRED,      /* a member of a credential (exec_credentials) */
    ET_QP_SECURITY,  /* security.relevant: a security_relevant row exists */
    ET_QP_SEC_REASON, /* an item of security_relevant.reasons */
};

enum et_qfield_flags {
    ET_QF_ORDERED = 1 << 0,  /* enum values are listed low to high */
    ET_QF_SORTABLE = 1 << 1, /* may appear in ORDER BY */
    ET_QF_SINCE = 1 << 2,    /* pseudo field since: (timestamp_start >=) */
    ET_QF_UNTIL = 1 << 3,    /* pseudo field until: (timestamp_start <=) */
    ET_QF_UNITS = 1 << 4,    /* integer milliseconds: 5m, 2h accepted */
};

struct et_qfield {
    const char *path; /* spec path: "verification.status"; for ET_QP_ACTION
                       * and ET_QP_ISSUE the member name inside the entry */
    enum et_qtype type;
    enum et_qplace place;
    int list_kind;                  /* ET_QP_EXEC_LIST: enum et_list_kind */
    const char *const *enum_values; /* NULL-terminated */
    unsigned flags;
    const char *doc; /* one line: what the field holds */
};

enum et_qkind {
    ET_QN_AND,    /* all kids */
    ET_QN_OR,     /* any kid */
    ET_QN_NOT,    /* the one kid does not hold */
    ET_QN_CMP,    /* field op values */
    ET_QN_TEXT,   /* free text (a phrase) in the full-text index */
    ET_QN_ACTION, /* some action of the execution satisfies the kid */
};

/*
 * Operators after checking. Strings compare exactly (EQ, NE, IN); MATCH and
 * NMATCH take LIKE-style patterns already built by the checker ('%' any
 * run, '_' one character, '\' escapes; case-insensitive for ASCII). On a
 * list field EQ/IN/MATCH hold when some item does, NE/NMATCH when none
 * does. NE and NMATCH hold for a missing field.
 */
enum et_qop {
    ET_QOP_EQ,
    ET_QOP_NE,
    ET_QOP_LT,
    ET_QOP_LE,
    ET_QOP_GT,
    ET_QOP_GE,
    ET_QOP_IN,     /* equal to one of the values */
    ET_QOP_MATCH,  /* matches one of the patterns */
    ET_QOP_NMATCH, /* matches none of the patterns */
    ET_QOP_TRUE,   /* a boolean field is true */
};

enum et_qvtype { ET_QV_STR, ET_QV_INT, ET_QV_REAL };

struct et_qval {
    enum et_qvtype type;
    const char *s; /* ET_QV_STR: NUL-terminated, len bytes */
    size_t len;
    int64_t i;
    double d;
};

/* A value as written, before checking. */
struct et_qraw {
    const char *s; /* unescaped text, NUL-terminated */
    size_t len;
    bool quoted;
    int col; /* 1-based column of the token */
};

struct et_qnode {
    enum et_qkind kind;
    int col;               /* where it starts in the query text */
    struct et_qnode *kids; /* AND, OR, NOT, ACTION */
    struct et_qnode *next; /* sibling */
    /* ET_QN_CMP */
    const struct et_qfield *field;
    const char *json_path; /* ET_QT_DYNAMIC: "$.usage.cost" (validated) */
    int raw_op;            /* token kind of the operator as written */
    int op_col;
    struct et_qraw *raws;
    size_t n_raws;
    enum et_qop op; /* set by the checker */
    struct et_qval *vals;
    size_t n_vals;
    /* ET_QN_TEXT */
    const char *text;
    size_t text_len;
};

struct et_qorder {
    const struct et_qfield *field;
    const char *json_path;
    bool desc;
};

#define ET_QUERY_MAX_ORDER 4

struct et_qarena_chunk;

/* A compiled query (opaque in the public API: include/exectrail/query.h). */
struct et_query {
    char *text;
    size_t len;
    int64_t now_ns;
    bool uses_now;          /* a time was relative to now_ns */
    struct et_qnode *where; /* NULL: every execution */
    struct et_qorder order[ET_QUERY_MAX_ORDER];
    size_t n_order;
    int64_t limit; /* -1 when the query has no LIMIT */
    struct et_qarena_chunk *arena;
};

/* Options of one run, chosen by the caller rather than the query text. */
struct et_qrun {
    int64_t limit;       /* -1: the query's own (or none) */
    const char *only_id; /* restrict to this execution (criteria, watch) */
    bool ids_only;       /* rows carry execution_id only (index-only scans) */
};

#endif /* ET_QUERY_AST_H */
