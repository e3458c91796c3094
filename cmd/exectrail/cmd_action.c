/* SPDX-License-Identifier: MIT */
/* exectrail action: phase 3, one action of the subagent (or many). */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail action ID --tool NAME [options]\n"
    "       exectrail action ID --json FILE|-   (an action object or an "
    "array)\n\n"
    "Phase 3 (execution): record what the subagent did, in order. sequence\n"
    "numbers follow the last recorded one unless given; timestamp defaults\n"
    "to now. Without flags and with JSON on standard input, reads that.\n\n"
    "  --tool NAME      the tool used (required)\n"
    "  --action TEXT    what it did\n"
    "  --input TEXT     tool input\n"
    "  --output TEXT    tool output\n"
    "  --ok | --failed  success (default --ok unless --error is given)\n"
    "  --error TEXT     the error message\n"
    "  --timestamp T    RFC 3339 time of the action\n"
    "  --json FILE|-    action object(s) as JSON\n";

int cmd_action(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"tool", required_argument, 0, 't'},
        {"action", required_argument, 0, 'a'},
        {"input", required_argument, 0, 'i'},
        {"output", required_argument, 0, 'o'},
        {"ok", no_argument, 0, 'k'},
        {"failed", no_argument, 0, 'f'},
        {"error", required_argument, 0, 'e'},
        {"timestamp", required_argument, 0, 'T'},
        {"json", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct json_object *a = json_object_new_object();
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    const char *json_path = NULL, *text;
    char *raw = NULL;
    int success = -1;
    uint64_t n = 0;
    size_t len;
    int c, rc = 0;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            json_object_put(a);
            return 0;
        case 'D': cli_db = optarg; break;
        case 't': cli_set_str(a, "tool", optarg); break;
        case 'a': cli_set_str(a, "action", optarg); break;
        case 'i': cli_set_str(a, "input", optarg); break;
        case 'o': cli_set_str(a, "output", optarg); break;
        case 'k': success = 1; break;
        case 'f': success = 0; break;
        case 'e': cli_set_str(a, "error", optarg); break;
        case 'T': cli_set_str(a, "timestamp", optarg); break;
        case 'j': json_path = optarg; break;
        default:
            rc = cli_usage_error("action", "unknown option");
            goto out;
        }
    }
    if (optind + 1 != argc) {
        rc = cli_usage_error("action", "give the execution id");
        goto out;
    }
    if (!json_path && json_object_object_length(a) == 0 &&
        !cli_is_tty(stdin))
        json_path = "-";
    if (json_path) {
        if (json_object_object_length(a)) {
            rc = cli_usage_error("action", "give --json or flags, not "
                                           "both");
            goto out;
        }
        rc = cli_read_input("action", json_path, CLI_MAX_INPUT, &raw, &len);
        if (rc)
            goto out;
        text = raw;
    } else {
        struct json_object *e = NULL;

        if (success < 0)
            success = !json_object_object_get_ex(a, "error", &e);
        json_object_object_add(a, "success",
                               json_object_new_boolean(success));
        if (!json_object_object_get_ex(a, "error", NULL))
            json_object_object_add(a, "error", NULL);
        text = cli_json_text(a, &len);
    }
    rc = cli_open("action", true, &t);
    if (rc)
        goto out;
    rc = et_trail_action(t, argv[optind], text, len, &n, &err);
    et_trail_close(t);
    if (rc) {
        rc = cli_fail("action", &err);
        goto out;
    }
    if (!cli_quiet && n > 1)
        fprintf(stderr, "recorded %llu actions\n", (unsigned long long)n);
out:
    free(raw);
    json_object_put(a);
    return rc;
}
