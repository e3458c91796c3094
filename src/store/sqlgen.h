/* SPDX-License-Identifier: MIT */
/*
 * Generated SQL: a statement's text with placeholders, its bound parameters,
 * and the SQL dialect each backend exports so that the query compiler
 * (src/query/compile.c) writes one statement shape for every backend while
 * the backend supplies only its own spelling. Nothing here knows the query
 * language: the store sees statements, never query trees.
 */
#ifndef ET_STORE_SQLGEN_H
#define ET_STORE_SQLGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

enum et_sqltype { ET_SQL_TEXT, ET_SQL_INT, ET_SQL_REAL };

/* One bound parameter. s is borrowed (from the query, valid while the
 * statement is used) unless own is set: then s == own and the statement
 * frees it. */
struct et_sqlparam {
    enum et_sqltype type;
    const char *s; /* ET_SQL_TEXT: len bytes */
    size_t len;
    int64_t i;
    double d;
    char *own;
};

struct et_sqlparams {
    struct et_sqlparam *v;
    size_t n, cap;
};

/* Frees the owned strings and the array; p can be reused. */
void et__sqlparams_release(struct et_sqlparams *p);

struct et_sql_dialect;

/*
 * A generated statement, and how its rows come back. Built with the
 * helpers below: each records the first failure in rc and does nothing
 * once it is set, so a builder checks rc once at the end.
 */
struct et_sqlstmt {
    const struct et_sql_dialect *dialect;
    struct et_buf sql;
    struct et_sqlparams params;
    int rc;        /* the first failure while building (ET_ENOMEM, ...) */
    bool ids_only; /* rows carry execution_id only */
    bool whole;    /* rows are (start_ns, execution_id) of every match,
                    * unordered: the store sorts them newest first, ties
                    * by id descending, each execution once, and keeps
                    * the first `limit` (ET_SQLD_WHOLE) */
    int64_t limit; /* whole: the cap after sorting; -1 none */
};

void et__sqlstmt_init(struct et_sqlstmt *s, const struct et_sql_dialect *d);
/* Frees the text and the parameters; s can be reused after init. */
void et__sqlstmt_release(struct et_sqlstmt *s);
/* Append SQL text (names and keywords only, never a user value). Inline:
 * a statement is built from many short pieces. */
static inline void et__sqlstmt_put(struct et_sqlstmt *s, const char *sql)
{
    if (!s->rc && *sql)
        s->rc = et_buf_addstr(&s->sql, sql);
}
/* Append parameter v without writing its placeholder: its number (from
 * 1), or 0 after a failure. v->own is transferred, even on failure. */
size_t et__sqlstmt_param(struct et_sqlstmt *s, const struct et_sqlparam *v);
/* Append v and write the dialect's placeholder for it. */
void et__sqlstmt_bind(struct et_sqlstmt *s, const struct et_sqlparam *v);
void et__sqlstmt_bind_text(struct et_sqlstmt *s, const char *text, size_t len);
void et__sqlstmt_bind_int(struct et_sqlstmt *s, int64_t i);

enum et_sql_dialect_flags {
    /* Pages (a small LIMIT in the default order, or one execution) test
     * each execution met on the newest-first walk of the time index:
     * lists, credentials and actions are correlated EXISTS probes and
     * columns with few distinct values carry the noindex prefix. Free
     * text found in many events (et_store_text_dense) is probed too. */
    ET_SQLD_PROBE = 1 << 0,
    /* Filtered answers in the default order without a small limit select
     * (start_ns, execution_id) unordered for the store to sort
     * (et_sqlstmt.whole); positive list filters read exec_lists alone. */
    ET_SQLD_WHOLE = 1 << 1,
    /* Substring and glob predicates on output lists match the distinct
     * items of list_vocab(kind, item) first. */
    ET_SQLD_VOCAB = 1 << 2,
};

/*
 * A backend's SQL spelling. The compiler writes the statement's shape (the
 * tables executions e, actions a, exec_lists l, list_vocab v,
 * exec_credentials c, security_relevant s and a JSON array's items j with
 * the item j.value) and asks the dialect for the rest. Hooks write to s
 * with the helpers above; field-table paths are plain identifier paths
 * ([a-z_.], checked by the compiler), user paths are bound.
 */
struct et_sql_dialect {
    const char *name;
    unsigned flags;        /* enum et_sql_dialect_flags */
    const char *false_sql; /* a false condition: "0" */
    const char *true_sql;  /* a true condition: "1" */
    const char *ne;        /* not equal, NULL-safe: " IS NOT " */
    const char *like;      /* case-insensitive (ASCII) LIKE: " LIKE " */
    const char *text_cast; /* a column as text, appended: "" */
    const char *json_true; /* appended to a JSON value that must be true */
    const char *noindex;   /* ET_SQLD_PROBE: a column prefix: "+" */
    const char *asc;       /* ORDER BY directions, unknown values last */
    const char *desc;
    const char *binary; /* appended to a text key to order by bytes */
    /* the placeholder of parameter number n (from 1) */
    void (*placeholder)(struct et_sqlstmt *s, size_t n,
                        const struct et_sqlparam *v);
    /*
     * The value at a path of a JSON document: doc is a column holding
     * JSON text ("e.doc", "a.doc"), or with is_item a JSON value from
     * json_items ("j.value"). path is "a.b" from the field table, or
     * NULL and user_path a validated "$.a.b" from the query, which must
     * be bound. as_text: the value as text (for LIKE).
     */
    void (*json_get)(struct et_sqlstmt *s, const char *doc, bool is_item,
                     const char *path, const char *user_path, bool as_text);
    /* v as a value to compare with json_get's (NULL: bound as is) */
    void (*json_arg)(struct et_sqlstmt *s, const struct et_sqlparam *v);
    /* A FROM item: the items of the JSON array at path of the JSON text
     * column doc (path NULL: doc is the array) as `j`, with j.value the
     * item as text, or with objects the item as JSON (for json_get). */
    void (*json_items)(struct et_sqlstmt *s, const char *doc, const char *path,
                       bool objects);
    /* A condition on e: some indexed event text of the execution holds
     * the phrase text (its words in order, any case, user text: bound).
     * probe (ET_SQLD_PROBE, on a page): the phrase is in many events. */
    void (*text_match)(struct et_sqlstmt *s, const char *text, size_t len,
                       bool probe);
    /* " LIMIT n" (limit -1: no limit) */
    void (*limit)(struct et_sqlstmt *s, int64_t limit);
};

#endif /* ET_STORE_SQLGEN_H */
