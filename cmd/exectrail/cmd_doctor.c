/* SPDX-License-Identifier: MIT */
/*
 * exectrail doctor: is this trail in order? Checks the data directory, the
 * signing key's permissions, the store's integrity, the hook spool and the
 * Claude Code hook installation, and says how to fix each problem.
 */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/ingest.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char help[] =
    "usage: exectrail doctor [--settings PATH] [--format text|json]\n\n"
    "Check that this trail is in order, one line per check:\n"
    "  data       the data directory exists and is writable\n"
    "  key        the signing key exists and only its owner can read it\n"
    "  store      the store opens and 'verify' passes\n"
    "  spool      no hook inputs wait in the spool or quarantine\n"
    "  hooks      Claude Code's settings.json runs an exectrail that exists\n"
    "Each problem comes with the command that fixes it. Hooks that are not\n"
    "installed are a note, not a problem.\n\n"
    "--settings PATH  the settings.json to check (default: "
    "~/.claude/settings.json,\n"
    "                 then .claude/settings.json here)\n"
    "--format         text (default) or json (an array of checks)\n\n"
    "Exit status: 0 all checks pass, 1 a problem was found, 4 the store\n"
    "fails verification, 5 no trail at the path.\n";

enum level { L_OK, L_NOTE, L_PROBLEM };

struct doctor {
    bool json;
    int problems;
    struct json_object *arr;
};

static void report(struct doctor *d, enum level lv, const char *check,
                   const char *what, const char *fix)
{
    static const char *const names[] = {"ok", "note", "problem"};

    if (lv == L_PROBLEM)
        d->problems++;
    if (d->json) {
        struct json_object *o = json_object_new_object();

        if (!o || json_object_array_add(d->arr, o)) {
            json_object_put(o);
            d->problems++; /* out of memory: never claim all is well */
            return;
        }
        if (!cli_set_str(o, "check", check) ||
            !cli_set_str(o, "status", names[lv]) ||
            !cli_set_str(o, "detail", what) || !cli_set_str(o, "fix", fix))
            d->problems++;
        return;
    }
    printf("%-7s %-6s %s\n", names[lv], check, what);
    if (fix)
        printf("               fix: %s\n", fix);
}

/* The data directory: exists, a directory, writable. */
static bool check_dir(struct doctor *d, const char *dir)
{
    struct stat st;
    char what[PATH_MAX + 64], fix[PATH_MAX + 64];

    if (stat(dir, &st) != 0) {
        snprintf(what, sizeof(what), "%s: %s", dir, strerror(errno));
        report(d, L_PROBLEM, "data", what,
               "exectrail init (or point --db / EXECTRAIL_HOME at the "
               "trail)");
        return false;
    }
    if (!S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0) {
        snprintf(what, sizeof(what), "%s is not a writable directory", dir);
        snprintf(fix, sizeof(fix), "chown/chmod u+rwx %s", dir);
        report(d, L_PROBLEM, "data", what, fix);
        return false;
    }
    snprintf(what, sizeof(what), "%s", dir);
    report(d, L_OK, "data", what, NULL);
    return true;
}

static void check_key(struct doctor *d, const char *dir)
{
    struct stat st;
    char path[PATH_MAX + 32], what[PATH_MAX + 96], fix[PATH_MAX + 64];

    snprintf(path, sizeof(path), "%s/exectrail.key", dir);
    if (stat(path, &st) != 0) {
        snprintf(what, sizeof(what), "%s: %s (this trail cannot sign)", path,
                 strerror(errno));
        report(d, L_PROBLEM, "key", what,
               "restore the key from your backup; a verify-only copy of a "
               "trail needs only exectrail.pub");
        return;
    }
    if (st.st_mode & 077) {
        snprintf(what, sizeof(what),
                 "%s has mode %03o: others can read the signing key", path,
                 (unsigned)(st.st_mode & 0777));
        snprintf(fix, sizeof(fix), "chmod 600 %s", path);
        report(d, L_PROBLEM, "key", what, fix);
        return;
    }
    if (st.st_uid != geteuid()) {
        snprintf(what, sizeof(what), "%s belongs to uid %u, not to you",
                 path, (unsigned)st.st_uid);
        snprintf(fix, sizeof(fix), "chown %u %s", (unsigned)geteuid(), path);
        report(d, L_PROBLEM, "key", what, fix);
        return;
    }
    snprintf(what, sizeof(what), "%s (mode 600)", path);
    report(d, L_OK, "key", what, NULL);
}

/* The store opens read-only and verifies; returns the exit status to use. */
static int check_store(struct doctor *d)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_verify_report rep;
    struct et_trail *t = NULL;
    char what[512];
    int rc = et_trail_open(cli_db, ET_OPEN_READONLY, &t, NULL, &err);

    if (rc) {
        report(d, L_PROBLEM, "store", err.msg,
               "exectrail init creates a trail; --db / EXECTRAIL_DB / "
               "EXECTRAIL_HOME choose one");
        return EXIT_UNAVAIL;
    }
    memset(&rep, 0, sizeof(rep));
    rc = et_trail_verify(t, NULL, 0, &rep, &err);
    if (rc) {
        snprintf(what, sizeof(what), "%s: %s", et_trail_path(t), err.msg);
        report(d, L_PROBLEM, "store", what,
               rc == ET_EINTEGRITY
                   ? "exectrail verify names the first bad event; restore "
                     "the store from a backup or an archive bundle"
                   : "exectrail verify shows the error");
        et_trail_close(t);
        return rc == ET_EINTEGRITY ? EXIT_INTEGRITY : cli_exit_for(rc);
    }
    snprintf(what, sizeof(what), "%s: %llu events verified, %llu signed "
                                 "checkpoint(s) match",
             et_trail_path(t), (unsigned long long)rep.events,
             (unsigned long long)rep.checkpoints);
    report(d, L_OK, "store", what, NULL);
    et_trail_close(t);
    return 0;
}

static void check_spool(struct doctor *d, const char *dir)
{
    struct et_error err = ET_ERROR_INIT;
    uint64_t sp = 0, q = 0;
    char what[256];

    if (et_ingest_spool_status(dir, &sp, &q, &err) != ET_OK) {
        report(d, L_PROBLEM, "spool", err.msg,
               "check the data directory's permissions");
        return;
    }
    if (sp) {
        snprintf(what, sizeof(what),
                 "%llu hook input(s) wait in the spool (the store was busy)",
                 (unsigned long long)sp);
        report(d, L_PROBLEM, "spool", what, "exectrail spool replay");
    }
    if (q) {
        snprintf(what, sizeof(what),
                 "%llu hook input(s) quarantined (not valid hook JSON)",
                 (unsigned long long)q);
        report(d, L_PROBLEM, "spool", what,
               "read <data dir>/hook-quarantine.log (exectrail spool "
               "status), then remove it");
    }
    if (!sp && !q)
        report(d, L_OK, "spool", "empty", NULL);
}

/* The first exectrail hook command in a settings file, or NULL. */
static char *hook_command(struct json_object *o)
{
    struct json_object *hooks;

    if (!json_object_object_get_ex(o, "hooks", &hooks) ||
        !json_object_is_type(hooks, json_type_object))
        return NULL;
    json_object_object_foreach(hooks, ev, arr)
    {
        (void)ev;
        for (size_t i = 0; json_object_is_type(arr, json_type_array) &&
                           i < json_object_array_length(arr);
             i++) {
            struct json_object *hs = NULL;

            if (!json_object_object_get_ex(json_object_array_get_idx(arr, i),
                                           "hooks", &hs) ||
                !json_object_is_type(hs, json_type_array))
                continue;
            for (size_t j = 0; j < json_object_array_length(hs); j++) {
                const char *c = json_object_get_string(json_object_object_get(
                    json_object_array_get_idx(hs, j), "command"));

                if (c && strstr(c, "exectrail") && strstr(c, " hook"))
                    return strdup(c);
            }
        }
    }
    return NULL;
}

static void check_hooks(struct doctor *d, const char *given)
{
    char path[PATH_MAX], what[PATH_MAX + 160], fix[PATH_MAX + 64];
    const char *home = getenv("HOME");
    struct json_object *o;
    char *cmd, *sp, *prog;

    if (given)
        snprintf(path, sizeof(path), "%s", given);
    else if (home && *home)
        snprintf(path, sizeof(path), "%s/.claude/settings.json", home);
    else
        snprintf(path, sizeof(path), ".claude/settings.json");
    if (!given && access(path, F_OK) != 0 &&
        access(".claude/settings.json", F_OK) == 0)
        snprintf(path, sizeof(path), ".claude/settings.json");
    if (access(path, F_OK) != 0) {
        snprintf(what, sizeof(what), "%s does not exist: no hooks installed",
                 path);
        report(d, L_NOTE, "hooks", what,
               "exectrail hooks install --user (to record Claude Code "
               "subagents)");
        return;
    }
    o = json_object_from_file(path);
    if (!o || !json_object_is_type(o, json_type_object)) {
        snprintf(what, sizeof(what), "%s is not a JSON object", path);
        report(d, L_PROBLEM, "hooks", what,
               "repair the file (Claude Code ignores it as it is)");
        json_object_put(o);
        return;
    }
    cmd = hook_command(o);
    json_object_put(o);
    if (!cmd) {
        snprintf(what, sizeof(what), "%s: no exectrail hooks", path);
        snprintf(fix, sizeof(fix), "exectrail hooks install --settings %s",
                 path);
        report(d, L_NOTE, "hooks", what, fix);
        return;
    }
    /* the program: the first word, or a quoted first word */
    prog = cmd;
    if (*prog == '"' || *prog == '\'') {
        sp = strchr(prog + 1, *prog);
        prog++;
    } else {
        sp = strchr(prog, ' ');
    }
    if (sp)
        *sp = '\0';
    if (strchr(prog, '/') && access(prog, X_OK) != 0) {
        snprintf(what, sizeof(what),
                 "%s runs %s, which is not an executable file", path, prog);
        snprintf(fix, sizeof(fix), "exectrail hooks install --settings %s",
                 path);
        report(d, L_PROBLEM, "hooks", what, fix);
    } else {
        snprintf(what, sizeof(what), "%s runs %s", path, prog);
        report(d, L_OK, "hooks", what, NULL);
    }
    free(cmd);
}

static const char *const text_json[] = {"text", "json", NULL};

int cmd_doctor(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"settings", required_argument, 0, 's'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct doctor d = {false, 0, NULL};
    const char *settings = NULL;
    char dir[PATH_MAX];
    int c, fi = 0, rc = 0;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(help, stdout); return 0;
        case 'D': cli_db = optarg; break;
        case 's': settings = optarg; break;
        case 'f':
            if (cli_parse_format("doctor", optarg, text_json, &fi))
                return EXIT_USAGE;
            d.json = fi == 1;
            break;
        default: return cli_usage_error("doctor", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("doctor", "unexpected argument '%s'",
                               argv[optind]);
    if (et_ingest_data_dir(cli_db, dir, sizeof(dir), &err) != ET_OK)
        return cli_fail("doctor", &err);
    if (d.json && !(d.arr = json_object_new_array())) {
        fprintf(stderr, "exectrail doctor: out of memory\n");
        return EXIT_FAILURE_;
    }
    if (check_dir(&d, dir)) {
        check_key(&d, dir);
        rc = check_store(&d);
        check_spool(&d, dir);
    } else {
        rc = EXIT_UNAVAIL;
    }
    check_hooks(&d, settings);
    if (d.json) {
        printf("%s\n", json_object_to_json_string_ext(
                           d.arr, JSON_C_TO_STRING_PRETTY |
                                      JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(d.arr);
    } else if (!cli_quiet) {
        fprintf(stderr, d.problems ? "%d problem(s) found\n"
                                   : "no problems found\n",
                d.problems);
    }
    if (rc)
        return rc;
    return d.problems ? EXIT_FAILURE_ : 0;
}
