/* SPDX-License-Identifier: MIT */
/* exectrail respond: phase 4, the subagent's complete output. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail respond ID [options]\n\n"
    "Phase 4 (response): capture the complete, unfiltered subagent output.\n\n"
    "  --response TEXT         output.raw_response\n"
    "  --response-file FILE|-  read raw_response from a file, verbatim\n"
    "  --structured JSON       output.structured_data (any JSON value)\n"
    "  --file PATH             a file modified (repeat for more)\n"
    "  --command CMD           a command executed (repeat)\n"
    "  --api CALL              an external API call made (repeat)\n"
    "  --json FILE|-           the output object as JSON (flags win)\n";

static void push(struct json_object *o, const char *key, const char *v)
{
    struct json_object *arr = NULL;

    if (!json_object_object_get_ex(o, key, &arr)) {
        arr = json_object_new_array();
        json_object_object_add(o, key, arr);
    }
    json_object_array_add(arr, json_object_new_string(v));
}

int cmd_respond(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"response", required_argument, 0, 'r'},
        {"response-file", required_argument, 0, 'R'},
        {"structured", required_argument, 0, 's'},
        {"file", required_argument, 0, 'f'},
        {"command", required_argument, 0, 'c'},
        {"api", required_argument, 0, 'a'},
        {"json", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct json_object *o = json_object_new_object();
    const char *json_path = NULL;
    char *resp = NULL;
    size_t len;
    int c, rc = 0;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            json_object_put(o);
            return 0;
        case 'D': cli_db = optarg; break;
        case 'r': cli_set_str(o, "raw_response", optarg); break;
        case 'R':
            free(resp);
            rc = cli_read_input("respond", optarg, CLI_MAX_INPUT, &resp,
                                &len);
            if (rc)
                goto out;
            json_object_object_add(o, "raw_response",
                                   json_object_new_string_len(resp,
                                                              (int)len));
            break;
        case 's': {
            struct json_object *v = json_tokener_parse(optarg);

            json_object_object_add(o, "structured_data",
                                   v ? v : json_object_new_string(optarg));
            break;
        }
        case 'f': push(o, "files_modified", optarg); break;
        case 'c': push(o, "commands_executed", optarg); break;
        case 'a': push(o, "api_calls_made", optarg); break;
        case 'j': json_path = optarg; break;
        default:
            rc = cli_usage_error("respond", "unknown option");
            goto out;
        }
    }
    rc = cli_run_phase("respond", argc, argv, optind, o, json_path, et_trail_respond);
out:
    free(resp);
    json_object_put(o);
    return rc;
}
