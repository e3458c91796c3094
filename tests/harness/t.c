/* SPDX-License-Identifier: MIT */
/* The in-house test runner: TAP output and the closing summary line. */
#define _GNU_SOURCE 1
#include "t.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <ftw.h>

#include "exectrail/error.h"

static int failed_now;
static int skipped_now;
static char skip_why[256];
static char tmpdir[256];

const char *t_status_name(int code)
{
    return et_status_name(code);
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stdout, "# %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    failed_now = 1;
}

void t_skip(const char *why)
{
    skipped_now = 1;
    snprintf(skip_why, sizeof(skip_why), "%s", why);
}

bool t_stopped(void)
{
    return failed_now || skipped_now;
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    if (tmpdir[0] && !getenv("T_KEEP"))
        nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *t_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");

        snprintf(tmpdir, sizeof(tmpdir), "%s/et-test-XXXXXX",
                 base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(cleanup);
    }
    return tmpdir;
}

int t_run(const char *suite, const struct t_case *cases, size_t n)
{
    const char *only = getenv("T_ONLY");
    int pass = 0, fail = 0, skip = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("1..%zu\n", n);
    for (size_t i = 0; i < n; i++) {
        if (only && !strstr(cases[i].name, only)) {
            printf("ok %zu - %s/%s # SKIP not selected\n", i + 1, suite,
                   cases[i].name);
            skip++;
            continue;
        }
        failed_now = 0;
        skipped_now = 0;
        cases[i].fn();
        if (failed_now) {
            printf("not ok %zu - %s/%s\n", i + 1, suite, cases[i].name);
            fail++;
        } else if (skipped_now) {
            printf("ok %zu - %s/%s # SKIP %s\n", i + 1, suite, cases[i].name,
                   skip_why);
            skip++;
        } else {
            printf("ok %zu - %s/%s\n", i + 1, suite, cases[i].name);
            pass++;
        }
    }
    printf("%d passed, %d failed, %d skipped\n", pass, fail, skip);
    return fail ? 1 : 0;
}
