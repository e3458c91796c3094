/* SPDX-License-Identifier: MIT */
/*
 * Private parts of the query module: tokens, the per-query arena, the field
 * table and the lex -> parse -> check stages (docs/QUERY.md has the
 * language; ast.h the checked tree the compiler reads).
 */
#ifndef ET_QUERY_QUERY_INT_H
#define ET_QUERY_QUERY_INT_H

#include "exectrail/error.h"
#include "query/ast.h"

/* Limits: a query is typed by a person or built by a program, never big. */
#define ET_QUERY_MAX_TEXT   16384 /* bytes of query text */
#define ET_QUERY_MAX_TOKENS 2048
#define ET_QUERY_MAX_DEPTH  32  /* nesting of ( ), NOT and action( ) */
#define ET_QUERY_MAX_VALUES 256 /* values of one predicate */
#define ET_QUERY_MAX_LIMIT  INT64_C(1000000000)

enum et_tok {
    ET_T_EOF,
    ET_T_WORD,
    ET_T_STRING,
    ET_T_LPAREN,
    ET_T_RPAREN,
    ET_T_COMMA,
    ET_T_COLON,
    ET_T_EQ,
    ET_T_NE,
    ET_T_LT,
    ET_T_LE,
    ET_T_GT,
    ET_T_GE,
    ET_T_TILDE,
    ET_T_NTILDE,
};

/* Keywords are words; the parser recognises them in any letter case. */
enum et_kw {
    ET_KW_NONE,
    ET_KW_AND,
    ET_KW_OR,
    ET_KW_NOT,
    ET_KW_ORDER,
    ET_KW_BY,
    ET_KW_ASC,
    ET_KW_DESC,
    ET_KW_LIMIT,
};

struct et_token {
    enum et_tok kind;
    enum et_kw kw; /* for ET_T_WORD */
    const char *s; /* ET_T_WORD/ET_T_STRING: unescaped, NUL-terminated */
    size_t len;
    int col; /* 1-based, in code points */
};

/* ---- arena: every allocation of a query is freed with it ---- */
void *et__qalloc(struct et_query *q, size_t size);
char *et__qstrndup(struct et_query *q, const char *s, size_t len);
void et__qarena_free(struct et_query *q);

/* ---- lexer ---- */
/* Tokenise q->text into *toks_out (arena memory), ending with ET_T_EOF. */
int et__query_lex(struct et_query *q, struct et_token **toks_out, size_t *n_out,
                  struct et_error *err);
/* "')'", "end of query", "'foo'" for messages. */
void et__token_describe(const struct et_token *t, char *out, size_t cap);
/* The column (1-based code points) of byte offset off in text. */
int et__query_column(const char *text, size_t off);

/* ---- fields (fields.c) ---- */
extern const struct et_qfield et__qfields[];
extern const size_t et__n_qfields;
extern const struct et_qfield et__qaction_fields[];
extern const size_t et__n_qaction_fields;

enum et_resolve {
    ET_RES_UNKNOWN,
    ET_RES_FIELD,     /* *field_out is a leaf */
    ET_RES_OBJECT,    /* *field_out is an ET_QT_OBJECT prefix */
    ET_RES_ACTION,    /* an action field through "action." */
    ET_RES_AMBIGUOUS, /* a bare name that ends several paths */
};

/*
 * Resolve a field name as written (dotted path, bare leaf name, alias). In
 * the action scope only action members resolve. For ET_QT_DYNAMIC leaves
 * *json_path_out receives "$.<path>" in arena memory.
 */
enum et_resolve et__qfield_resolve(struct et_query *q, const char *name,
                                   size_t len, bool action_scope,
                                   const struct et_qfield **field_out,
                                   const char **json_path_out);
/* The member `name` of object prefix obj (e.g. "status" in verification),
 * or NULL. Dynamic prefixes accept any identifier (json path as above). */
const struct et_qfield *et__qfield_child(struct et_query *q,
                                         const struct et_qfield *obj,
                                         const char *name, size_t len,
                                         const char **json_path_out);
/* Closest known field name to name (for "did you mean"), or NULL. */
const char *et__qfield_suggest(const char *name, size_t len, bool action_scope);
/* True for objects whose members are not listed (usage, security, ...). */
bool et__qfield_is_open(const struct et_qfield *obj);
/* The field's members as "a, b or c" (for an object prefix). */
void et__qfield_members(const struct et_qfield *obj, char *out, size_t cap);
const char *et__qtype_name(enum et_qtype t);

/* ---- parser and checker ---- */
int et__query_parse(struct et_query *q, const struct et_token *toks, size_t n,
                    struct et_error *err);
int et__query_check(struct et_query *q, struct et_error *err);

/* ---- printing (ast.c) ---- */
struct et_buf;
/* The checked tree as an S-expression (tests, --explain). */
int et__query_dump(const struct et_query *q, struct et_buf *out);
const char *et__qop_name(enum et_qop op);

struct et_buf;
#endif /* ET_QUERY_QUERY_INT_H */
