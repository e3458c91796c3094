/* SPDX-License-Identifier: MIT */
/*
 * Baseline for `exectrail record`: a process that opens a WAL SQLite file,
 * inserts one ~4 KB row with synchronous=FULL in BEGIN IMMEDIATE, commits
 * and exits. usage: bench_commit DB < record.json
 */
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    static char buf[1 << 20];
    size_t n = 0;
    ssize_t r;
    sqlite3 *db;
    sqlite3_stmt *st;

    if (argc < 2)
        return 2;
    while ((r = read(0, buf + n, sizeof(buf) - 1 - n)) > 0)
        n += (size_t)r;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK)
        return 3;
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                     "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, "
                     "body TEXT)",
                 NULL, NULL, NULL);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return 4;
    sqlite3_prepare_v2(db, "INSERT INTO t(body) VALUES (?)", -1, &st, NULL);
    sqlite3_bind_text(st, 1, buf, (int)n, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return 5;
    sqlite3_finalize(st);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return 6;
    sqlite3_close(db);
    return 0;
}
