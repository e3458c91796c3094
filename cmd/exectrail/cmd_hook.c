/* SPDX-License-Identifier: MIT */
/*
 * exectrail hook: a Claude Code command hook. Reads one hook input on
 * stdin and records it; never blocks or breaks the agent (exit 0, no
 * stdout) unless --fail-closed refuses an unaudited PreToolUse.
 */
#define _GNU_SOURCE 1
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exectrail/ingest.h"

static const char help[] =
    "usage: exectrail hook [--fail-closed]\n\n"
    "Claude Code command hook: reads one hook input (JSON) on stdin and\n"
    "records it (docs/INTEGRATIONS.md). Prints nothing and exits 0 whatever\n"
    "happens: when the store is busy, read-only or full the input goes to\n"
    "the spool (replayed later), malformed input to the quarantine file.\n"
    "With --fail-closed, a PreToolUse that cannot be recorded exits 2,\n"
    "which makes Claude Code refuse the tool call.\n"
    "$EXECTRAIL_BUSY_TIMEOUT_MS sets how long to wait for a busy store\n"
    "(default 200 here).\n";

/* Read stdin; NULL on failure (message printed). */
static char *read_stdin(size_t *len_out)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);

    while (buf) {
        ssize_t n;

        if (len == cap) {
            char *nb = cap < CLI_MAX_INPUT ? realloc(buf, cap * 2 + 1) : NULL;

            if (!nb) {
                fprintf(stderr, "exectrail hook: input too large\n");
                break;
            }
            buf = nb;
            cap *= 2;
        }
        n = read(0, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "exectrail hook: cannot read stdin: %s\n",
                    strerror(errno));
            break;
        }
        if (n == 0) {
            buf[len] = '\0';
            *len_out = len;
            return buf;
        }
        len += (size_t)n;
    }
    free(buf);
    return NULL;
}

static bool is_pre_tool_use(const char *json, size_t len)
{
    struct json_tokener *tok = json_tokener_new();
    struct json_object *o = NULL, *e = NULL;
    bool pre = false;

    if (!tok)
        return false;
    o = json_tokener_parse_ex(tok, json, (int)(len > INT_MAX ? INT_MAX : len));
    if (o && json_object_object_get_ex(o, "hook_event_name", &e))
        pre = !strcmp(json_object_get_string(e), "PreToolUse");
    json_object_put(o);
    json_tokener_free(tok);
    return pre;
}

/* The store did not take the input: spool it, or refuse the tool. */
static int cannot_write(const char *dir, const char *in, size_t len,
                        bool fail_closed, const struct et_error *why)
{
    struct et_error err = ET_ERROR_INIT;

    if (fail_closed && is_pre_tool_use(in, len)) {
        fprintf(stderr,
                "exectrail: audit trail unavailable (%s); tool call refused "
                "(--fail-closed)\n",
                why->msg);
        return 2;
    }
    if (et_ingest_spool_append(dir, in, len, &err))
        fprintf(stderr, "exectrail hook: cannot spool the event: %s\n",
                err.msg);
    return 0;
}

int cmd_hook(int argc, char **argv)
{
    static const struct option opts[] = {{"fail-closed", no_argument, 0, 'f'},
                                         {"db", required_argument, 0, 'D'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    char dir[PATH_MAX], *in = NULL;
    bool fail_closed = false;
    size_t len = 0;
    int c, rc, ret = 0;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'f':
            fail_closed = true;
            break;
        case 'D':
            cli_db = optarg;
            break;
        default:
            break; /* never break the agent over a flag */
        }
    }
    setenv("EXECTRAIL_BUSY_TIMEOUT_MS", "200", 0);
    in = read_stdin(&len);
    if (!in)
        return 0;
    if (et_ingest_data_dir(cli_db, dir, sizeof(dir), &err)) {
        fprintf(stderr, "exectrail hook: %s\n", err.msg);
        ret = fail_closed && is_pre_tool_use(in, len) ? 2 : 0;
        goto out;
    }
    if (et_json_check(in, len, &err)) {
        if (et_ingest_quarantine(dir, in, len, err.msg, &err))
            fprintf(stderr, "exectrail hook: %s\n", err.msg);
        goto out;
    }
    rc = et_trail_open(cli_db, ET_OPEN_CREATE, &t, NULL, &err);
    if (rc) {
        ret = cannot_write(dir, in, len, fail_closed, &err);
        goto out;
    }
    /* earlier inputs first; when the store refuses them, it would refuse
     * this one too: spool it behind them without waiting again */
    rc = et_ingest_spool_replay(t, dir, false, NULL, &err);
    if (rc == ET_EBUSY || rc == ET_EUNAVAIL || rc == ET_EIO) {
        ret = cannot_write(dir, in, len, fail_closed, &err);
        goto out;
    }
    rc = et_ingest_claude_hook(t, in, len, 0, NULL, &err);
    if (rc == ET_EINPUT || rc == ET_ETOOBIG) {
        struct et_error qerr = ET_ERROR_INIT;

        if (et_ingest_quarantine(dir, in, len, err.msg, &qerr))
            fprintf(stderr, "exectrail hook: %s\n", qerr.msg);
    } else if (rc) {
        ret = cannot_write(dir, in, len, fail_closed, &err);
    }
out:
    et_trail_close(t);
    free(in);
    return ret;
}
