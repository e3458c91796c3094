/* SPDX-License-Identifier: MIT */
/*
 * The query compiler: a checked query tree (ast.h) to one parameterised
 * statement in a store's SQL dialect (store/sqlgen.h), and running it
 * through the store. docs/internals/STORE.md describes the split between
 * the compiler and the dialects.
 */
#ifndef ET_QUERY_COMPILE_H
#define ET_QUERY_COMPILE_H

#include "query/ast.h"
#include "store/sqlgen.h"
#include "store/store.h"

enum et_qcompile_flags {
    /* plan every free-text phrase as found in many events (the other
     * form of free text on a page; tests and the fuzzer) */
    ET_QC_DENSE = 1 << 0,
};

/*
 * The statement for q (NULL: every execution) under run (NULL: the
 * query's own limit and order, summary rows) in dialect d. *out is
 * initialised here and must be released with et__sqlstmt_release, also on
 * failure; its text parameters borrow from q and run. User values are only
 * ever parameters. Fails with ET_ENOMEM, or ET_EINTERNAL (naming the
 * column) for a tree the checker would not have produced.
 */
ET_NODISCARD int et__query_compile(const struct et_sql_dialect *d,
                                   const struct et_query *q,
                                   const struct et_qrun *run, unsigned flags,
                                   struct et_sqlstmt *out,
                                   struct et_error *err);
/* The WHERE condition of q alone (the dialect's true_sql for NULL or an
 * empty query), for the aggregates. As above for *out. */
ET_NODISCARD int et__query_compile_where(const struct et_sql_dialect *d,
                                         const struct et_query *q,
                                         struct et_sqlstmt *out,
                                         struct et_error *err);
/* et__query_compile for store st, asking it which phrases are found in
 * many events when the statement is a page of a probing dialect. */
ET_NODISCARD int et__query_plan(struct et_store *st, const struct et_query *q,
                                const struct et_qrun *run,
                                struct et_sqlstmt *out, struct et_error *err);
/* Plan and run q on st: fn once per matching execution, in order. */
ET_NODISCARD int et__query_store_run(struct et_store *st,
                                     const struct et_query *q,
                                     const struct et_qrun *run,
                                     et_exec_row_fn *fn, void *ctx,
                                     struct et_error *err);
/* Plan q on st and append the statement, its parameters and the plan. */
ET_NODISCARD int et__query_store_explain(struct et_store *st,
                                         const struct et_query *q,
                                         const struct et_qrun *run,
                                         struct et_buf *out,
                                         struct et_error *err);

#endif /* ET_QUERY_COMPILE_H */
