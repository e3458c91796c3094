/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the query language: arbitrary bytes are compiled
 * (lex, parse, check), described, and planned to SQLite SQL by the query
 * compiler (src/query/compile.c); every planned statement must prepare
 * against the real schema as one read-only statement and run (on empty
 * tables) without error.
 */
#include "base/setup.h"
#include "base/buf.h"
#include "exectrail/query.h"
#include "query/compile.h"
#include "store/sqlite/query_sqlite.h"
#include "store/sqlite/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3 *db;

static void open_db(void)
{
    if (db)
        return;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        ET_BUG("cannot open an in-memory database");
    for (size_t i = 0; i < ET_ARRAY_SIZE(et_sqlite_migrations); i++)
        if (sqlite3_exec(db, et_sqlite_migrations[i], NULL, NULL, NULL) !=
            SQLITE_OK)
            ET_BUG("schema does not apply");
}

/* mode picks the plan's shape: whole answer, a page, or one execution;
 * and (mode & 2) plans free text as found in many events */
static void plan_and_run(const struct et_query *q, size_t mode)
{
    struct et_sqlstmt s;
    struct et_qrun run = {mode % 3 == 0 ? -1 : 7,
                          mode % 3 == 2 ? "00000000-0000-4000-8000-"
                                          "000000000000"
                                        : NULL,
                          (mode & 1) != 0};
    struct et_error err = ET_ERROR_INIT;
    sqlite3_stmt *st = NULL;
    int rc;

    if (et__query_compile(&et__sqlite_dialect, q, &run,
                          mode & 2 ? ET_QC_DENSE : 0, &s, &err) != ET_OK) {
        if (err.code != ET_ENOMEM)
            ET_BUG("the compiler refused a checked query");
        goto out; /* only out of memory */
    }
    rc = et__sqlite_prepare(db, &s.sql, &s.params, &st, &err);
    if (rc != ET_OK) {
        fprintf(stderr, "planned SQL does not prepare: %s\n%s\n", err.msg,
                s.sql.ptr);
        ET_BUG("the dialect produced bad SQL");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "planned SQL fails: %s\n%s\n", sqlite3_errmsg(db),
                s.sql.ptr);
        ET_BUG("the dialect produced SQL that fails");
    }
out:
    sqlite3_finalize(st);
    et__sqlstmt_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_query *q = NULL;
    char *text = NULL;

    open_db();
    if (et_query_parse((const char *)data, size,
                       INT64_C(1737086400) * 1000000000, &q, &err) != ET_OK) {
        if (err.code != ET_EINPUT && err.code != ET_ENOMEM)
            ET_BUG("a query error that is not EINPUT");
        if (!err.msg[0])
            ET_BUG("a query error without a message");
        return 0;
    }
    if (et_query_describe(q, &text, &err) == ET_OK)
        et_trail_free_string(text);
    plan_and_run(q, size);
    et_query_free(q);
    return 0;
}
