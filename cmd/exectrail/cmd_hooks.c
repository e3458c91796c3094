/* SPDX-License-Identifier: MIT */
/*
 * exectrail hooks install|uninstall|status: add or remove the exectrail
 * command hook in Claude Code's settings.json, keeping every other setting
 * and hook; a backup first, then an atomic replace.
 */
#define _GNU_SOURCE 1
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exectrail/ingest.h"

static const char help[] =
    "usage: exectrail hooks install [--user|--project] [--fail-closed]\n"
    "                               [--settings PATH]\n"
    "       exectrail hooks uninstall [--user|--project] [--settings PATH]\n"
    "       exectrail hooks status [--user|--project] [--settings PATH]\n\n"
    "Edit Claude Code's settings.json (--user: ~/.claude/settings.json, the\n"
    "default; --project: .claude/settings.json here) so that every hook\n"
    "event (34 of the 35; PostToolBatch repeats PostToolUse) runs\n"
    "'exectrail --db STORE hook', STORE being the trail install was run\n"
    "against (--db, EXECTRAIL_DB, EXECTRAIL_HOME, else the default), as an\n"
    "absolute path. Other settings and hooks are kept; running install\n"
    "twice changes nothing; the previous file is saved as settings.json.bak.\n"
    "status shows what is installed and how many inputs wait in the spool\n"
    "and in quarantine.\n";

/* Every Claude Code hook event (the Agent SDK's HOOK_EVENTS, 35 of them)
 * but PostToolBatch, whose tool calls each arrive as PostToolUse too. The
 * tool events take a matcher ("*": every tool); the others run always. */
static const struct {
    const char *event;
    const char *matcher; /* NULL: the event takes no matcher */
} events[] = {{"PreToolUse", "*"},
              {"PostToolUse", "*"},
              {"PostToolUseFailure", "*"},
              {"PermissionRequest", "*"},
              {"PermissionDenied", "*"},
              {"SubagentStart", NULL},
              {"SubagentStop", NULL},
              {"Setup", NULL},
              {"SessionStart", NULL},
              {"SessionEnd", NULL},
              {"UserPromptSubmit", NULL},
              {"UserPromptExpansion", NULL},
              {"Stop", NULL},
              {"StopFailure", NULL},
              {"Interrupt", NULL},
              {"PreCompact", NULL},
              {"PostCompact", NULL},
              {"TeammateIdle", NULL},
              {"TaskCreated", NULL},
              {"TaskCompleted", NULL},
              {"PreModelSwitch", NULL},
              {"PostModelSwitch", NULL},
              {"Notification", NULL},
              {"Elicitation", NULL},
              {"ElicitationResult", NULL},
              {"ConfigChange", NULL},
              {"WorktreeCreate", NULL},
              {"WorktreeRemove", NULL},
              {"InstructionsLoaded", NULL},
              {"CwdChanged", NULL},
              {"FileChanged", NULL},
              {"DirectoryAdded", NULL},
              {"MessageDisplay", NULL},
              {"PreSkillShellCommand", NULL}};

/* Is this handler ours? ("... exectrail hook ...") */
static bool is_ours(struct json_object *h)
{
    struct json_object *c;
    const char *p;

    if (!json_object_object_get_ex(h, "command", &c) ||
        !json_object_is_type(c, json_type_string))
        return false;
    p = strstr(json_object_get_string(c), "exectrail");
    p = p ? strstr(p, " hook") : NULL;
    return p && (p[5] == '\0' || p[5] == ' ');
}

/* Remove our handlers from every event; drop groups and events emptied. */
static int remove_ours(struct json_object *hooks)
{
    int removed = 0;

    for (size_t e = 0; e < sizeof(events) / sizeof(events[0]); e++) {
        struct json_object *arr, *keep;

        if (!json_object_object_get_ex(hooks, events[e].event, &arr) ||
            !json_object_is_type(arr, json_type_array))
            continue;
        keep = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            struct json_object *g = json_object_array_get_idx(arr, i);
            struct json_object *hs, *nh;
            size_t before;

            if (!json_object_object_get_ex(g, "hooks", &hs) ||
                !json_object_is_type(hs, json_type_array)) {
                json_object_array_add(keep, json_object_get(g));
                continue;
            }
            before = json_object_array_length(hs);
            nh = json_object_new_array();
            for (size_t j = 0; j < before; j++) {
                struct json_object *h = json_object_array_get_idx(hs, j);

                if (is_ours(h))
                    removed++;
                else
                    json_object_array_add(nh, json_object_get(h));
            }
            if (json_object_array_length(nh) == before) {
                json_object_array_add(keep, json_object_get(g));
            } else if (json_object_array_length(nh) > 0) {
                json_object_object_add(g, "hooks", nh);
                nh = NULL;
                json_object_array_add(keep, json_object_get(g));
            }
            json_object_put(nh);
        }
        if (json_object_array_length(keep) > 0)
            json_object_object_add(hooks, events[e].event, keep);
        else {
            json_object_put(keep);
            json_object_object_del(hooks, events[e].event);
        }
    }
    return removed;
}

static void add_ours(struct json_object *hooks, const char *command)
{
    for (size_t e = 0; e < sizeof(events) / sizeof(events[0]); e++) {
        struct json_object *arr, *g = json_object_new_object();
        struct json_object *hs = json_object_new_array();
        struct json_object *h = json_object_new_object();

        if (!json_object_object_get_ex(hooks, events[e].event, &arr) ||
            !json_object_is_type(arr, json_type_array)) {
            arr = json_object_new_array();
            json_object_object_add(hooks, events[e].event, arr);
        }
        if (events[e].matcher)
            json_object_object_add(g, "matcher",
                                   json_object_new_string(events[e].matcher));
        json_object_object_add(h, "type", json_object_new_string("command"));
        json_object_object_add(h, "command", json_object_new_string(command));
        json_object_object_add(h, "timeout", json_object_new_int(10));
        json_object_array_add(hs, h);
        json_object_object_add(g, "hooks", hs);
        json_object_array_add(arr, g);
    }
}

static int settings_path(int where, const char *given, char out[PATH_MAX])
{
    const char *home = getenv("HOME");
    int n;

    if (given)
        n = snprintf(out, PATH_MAX, "%s", given);
    else if (where == 'p')
        n = snprintf(out, PATH_MAX, ".claude/settings.json");
    else if (home && *home)
        n = snprintf(out, PATH_MAX, "%s/.claude/settings.json", home);
    else
        return -1;
    return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* Load settings (an absent or empty file is {}); NULL on a parse error. */
static struct json_object *load(const char *path, char **raw, size_t *rawlen,
                                bool *exists)
{
    struct json_object *o = NULL;
    enum json_tokener_error jerr;

    *raw = NULL;
    *rawlen = 0;
    *exists = access(path, F_OK) == 0;
    if (!*exists)
        return json_object_new_object();
    if (cli_read_input("hooks", path, CLI_MAX_INPUT, raw, rawlen))
        return NULL;
    if (*rawlen == strspn(*raw, " \t\r\n"))
        return json_object_new_object();
    o = json_tokener_parse_verbose(*raw, &jerr);
    if (!o || !json_object_is_type(o, json_type_object)) {
        fprintf(stderr,
                "exectrail hooks: %s is not a JSON object (%s); left "
                "unchanged\n",
                path, o ? "not an object" : json_tokener_error_desc(jerr));
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* Backup, then write a temporary file beside it and rename it over. */
static int save(const char *path, const char *raw, size_t rawlen, bool exists,
                struct json_object *o)
{
    const char *text = json_object_to_json_string_ext(
        o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
               JSON_C_TO_STRING_NOSLASHESCAPE);

    return cli_save_file("hooks", path, raw, rawlen, exists, text, "\n");
}

static int status(const char *path, struct json_object *o)
{
    struct json_object *hooks = NULL;
    struct et_error err = ET_ERROR_INIT;
    char dir[PATH_MAX];
    uint64_t sp = 0, q = 0;

    printf("settings: %s\n", path);
    json_object_object_get_ex(o, "hooks", &hooks);
    for (size_t e = 0; e < sizeof(events) / sizeof(events[0]); e++) {
        struct json_object *arr;
        const char *cmd = NULL;

        if (hooks && json_object_object_get_ex(hooks, events[e].event, &arr))
            for (size_t i = 0; json_object_is_type(arr, json_type_array) &&
                               i < json_object_array_length(arr);
                 i++) {
                struct json_object *hs;

                if (!json_object_object_get_ex(
                        json_object_array_get_idx(arr, i), "hooks", &hs))
                    continue;
                for (size_t j = 0; json_object_is_type(hs, json_type_array) &&
                                   j < json_object_array_length(hs);
                     j++)
                    if (is_ours(json_object_array_get_idx(hs, j)))
                        cmd = json_object_get_string(json_object_object_get(
                            json_object_array_get_idx(hs, j), "command"));
            }
        printf("  %-19s %s\n", events[e].event, cmd ? cmd : "not installed");
    }
    if (et_ingest_data_dir(cli_db, dir, sizeof(dir), &err) == ET_OK &&
        et_ingest_spool_status(dir, &sp, &q, &err) == ET_OK)
        printf("spooled: %llu\nquarantined: %llu\n", (unsigned long long)sp,
               (unsigned long long)q);
    return 0;
}

/* Append s to out as one shell word in single quotes. */
static int shell_quote(char *out, size_t cap, size_t *len, const char *s)
{
    if (*len + 1 >= cap)
        return -1;
    out[(*len)++] = '\'';
    for (; *s; s++) {
        const char *piece = *s == '\'' ? "'\\''" : NULL;
        size_t n = piece ? strlen(piece) : 1;

        if (*len + n + 1 >= cap)
            return -1;
        memcpy(out + *len, piece ? piece : s, n);
        *len += n;
    }
    if (*len + 2 >= cap)
        return -1;
    out[(*len)++] = '\'';
    out[*len] = '\0';
    return 0;
}

/*
 * The hook's command: this binary, pinned to the store install was run
 * against (--db, EXECTRAIL_DB or EXECTRAIL_HOME then, else the default),
 * as an absolute path, so the hook writes where the user looked when they
 * installed it whatever Claude Code's environment and directory are.
 */
static int hook_command(bool fail_closed, char *out, size_t cap,
                        char store[PATH_MAX])
{
    struct et_error err = ET_ERROR_INIT;
    char exe[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    const char *slash;
    size_t len = 0;

    if (n <= 0)
        snprintf(exe, sizeof(exe), "exectrail");
    else
        exe[n] = '\0';
    if (et_trail_locate(cli_db, store, PATH_MAX, &err) != ET_OK) {
        fprintf(stderr, "exectrail hooks: %s\n", err.msg);
        return -1;
    }
    /* absolute: the directory may not exist yet (no trail until the first
     * event); resolve what exists */
    slash = strrchr(store, '/');
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - store) : 1,
             slash ? store : ".");
    if (slash && realpath(dir[0] ? dir : "/", real)) {
        char full[PATH_MAX];
        int w = snprintf(full, sizeof(full), "%s%s", real, slash);

        if (w > 0 && (size_t)w < sizeof(full))
            snprintf(store, PATH_MAX, "%s", full);
    } else if (!slash && getcwd(real, sizeof(real))) {
        char full[PATH_MAX];
        int w = snprintf(full, sizeof(full), "%s/%s", real, store);

        if (w > 0 && (size_t)w < sizeof(full))
            snprintf(store, PATH_MAX, "%s", full);
    }
    if (shell_quote(out, cap, &len, exe) || len + 6 >= cap)
        return -1;
    memcpy(out + len, " --db ", 7);
    len += 6;
    if (shell_quote(out, cap, &len, store))
        return -1;
    n = snprintf(out + len, cap - len, " hook%s",
                 fail_closed ? " --fail-closed" : "");
    return n < 0 || (size_t)n >= cap - len ? -1 : 0;
}

int cmd_hooks(int argc, char **argv)
{
    static const struct option opts[] = {
        {"user", no_argument, 0, 'u'},
        {"project", no_argument, 0, 'p'},
        {"fail-closed", no_argument, 0, 'f'},
        {"settings", required_argument, 0, 's'},
        {"db", required_argument, 0, 'D'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct json_object *o = NULL, *before = NULL, *hooks;
    const char *given = NULL, *sub;
    char path[PATH_MAX], cmd[PATH_MAX * 8 + 64], *raw = NULL;
    char store[PATH_MAX] = "";
    bool fail_closed = false, exists = false;
    size_t rawlen = 0;
    int c, where = 'u', ret = 0;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'u':
            where = 'u';
            break;
        case 'p':
            where = 'p';
            break;
        case 'f':
            fail_closed = true;
            break;
        case 's':
            given = optarg;
            break;
        case 'D':
            cli_db = optarg;
            break;
        default:
            return cli_usage_error("hooks", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("hooks",
                               "expected 'install', 'uninstall' or 'status'");
    sub = argv[optind];
    if (strcmp(sub, "install") && strcmp(sub, "uninstall") &&
        strcmp(sub, "status"))
        return cli_usage_error("hooks", "unknown subcommand '%s'", sub);
    if (settings_path(where, given, path) != 0)
        return cli_usage_error("hooks", "no settings path (set HOME or use "
                                        "--settings)");
    o = load(path, &raw, &rawlen, &exists);
    if (!o) {
        free(raw);
        return EXIT_INPUT;
    }
    if (!strcmp(sub, "status")) {
        ret = status(path, o);
        goto out;
    }
    before = json_tokener_parse(json_object_to_json_string(o));
    if (!json_object_object_get_ex(o, "hooks", &hooks) ||
        !json_object_is_type(hooks, json_type_object)) {
        if (!strcmp(sub, "uninstall"))
            goto unchanged;
        hooks = json_object_new_object();
        json_object_object_add(o, "hooks", hooks);
    }
    remove_ours(hooks);
    if (!strcmp(sub, "install")) {
        if (hook_command(fail_closed, cmd, sizeof(cmd), store) != 0) {
            ret = cli_usage_error("hooks", "cannot name the store or the "
                                           "binary (path too long?)");
            goto out;
        }
        add_ours(hooks, cmd);
    }
    if (json_object_equal(before, o))
        goto unchanged;
    ret = save(path, raw, rawlen, exists, o);
    if (!ret && !cli_quiet && !strcmp(sub, "install"))
        fprintf(stderr,
                "exectrail: installed the hooks in %s: %zu events run\n"
                "  %s\n"
                "exectrail: events go to %s%s\n",
                path, sizeof(events) / sizeof(events[0]), cmd, store,
                exists ? " (the previous file is settings.json.bak)" : "");
    else if (!ret && !cli_quiet)
        fprintf(stderr, "exectrail: removed the hooks from %s\n", path);
    goto out;
unchanged:
    if (!cli_quiet)
        fprintf(stderr, "exectrail: %s already %s\n", path,
                !strcmp(sub, "install") ? "has the hooks" : "has no hooks");
out:
    json_object_put(o);
    json_object_put(before);
    free(raw);
    return ret;
}
