/* SPDX-License-Identifier: MIT */
/*
 * Baseline for `exectrail import`: the same JSONL parsed with json-c and
 * the same rows (one per execution, one per action) inserted into plain
 * SQLite tables with prepared statements, 1000 records per transaction,
 * WAL + synchronous=FULL. No validation, ledger, hashing or text index.
 * usage: bench_raw_insert DB < records.jsonl   (prints actions and seconds)
 */
#define _GNU_SOURCE 1
#include <json-c/json.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *jstr(struct json_object *o, const char *k)
{
    struct json_object *v;

    return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v)
                                               : NULL;
}

int main(int argc, char **argv)
{
    sqlite3 *db;
    sqlite3_stmt *ex, *ac;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long recs = 0, actions = 0;
    double t0;

    if (argc < 2 || sqlite3_open(argv[1], &db) != SQLITE_OK)
        return 2;
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE executions(execution_id TEXT PRIMARY KEY,"
                     " agent TEXT, start TEXT, doc TEXT) WITHOUT ROWID;"
                     "CREATE TABLE actions(execution_id TEXT, sequence INT,"
                     " tool TEXT, doc TEXT, PRIMARY KEY(execution_id,"
                     " sequence)) WITHOUT ROWID;",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO executions VALUES (?,?,?,?)", -1, &ex,
                       NULL);
    sqlite3_prepare_v2(db, "INSERT INTO actions VALUES (?,?,?,?)", -1, &ac,
                       NULL);
    t0 = now_s();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    while ((len = getline(&line, &cap, stdin)) > 0) {
        struct json_object *o = json_tokener_parse(line), *e, *a;
        const char *id;

        if (!o)
            return 3;
        id = jstr(o, "execution_id");
        sqlite3_bind_text(ex, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ex, 2, jstr(json_object_object_get(o,
                                      "agent_metadata"), "name"), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(ex, 3, jstr(o, "timestamp_start"), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(ex, 4, line, (int)len, SQLITE_STATIC);
        if (sqlite3_step(ex) != SQLITE_DONE)
            return 4;
        sqlite3_reset(ex);
        if (json_object_object_get_ex(o, "execution", &e) &&
            json_object_object_get_ex(e, "actions_taken", &a)) {
            size_t n = json_object_array_length(a);

            for (size_t i = 0; i < n; i++) {
                struct json_object *x = json_object_array_get_idx(a, i);

                sqlite3_bind_text(ac, 1, id, -1, SQLITE_STATIC);
                sqlite3_bind_int64(ac, 2, (long long)i + 1);
                sqlite3_bind_text(ac, 3, jstr(x, "tool"), -1, SQLITE_STATIC);
                sqlite3_bind_text(ac, 4, json_object_to_json_string(x), -1,
                                  SQLITE_TRANSIENT);
                if (sqlite3_step(ac) != SQLITE_DONE)
                    return 5;
                sqlite3_reset(ac);
                actions++;
            }
        }
        json_object_put(o);
        if (++recs % 1000 == 0) {
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
            sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
        }
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    printf("records=%ld actions=%ld seconds=%.3f\n", recs, actions,
           now_s() - t0);
    sqlite3_finalize(ex);
    sqlite3_finalize(ac);
    sqlite3_close(db);
    free(line);
    return 0;
}
