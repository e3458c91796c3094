/* SPDX-License-Identifier: MIT */
/* exectrail delegate: phase 2, the exact prompt sent to the subagent. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail delegate ID (--prompt TEXT | --prompt-file FILE|-) "
    "[options]\n\n"
    "Phase 2 (delegation): log the exact prompt sent to the subagent.\n"
    "prompt_length is derived (Unicode code points) unless given.\n\n"
    "  --prompt TEXT         delegation.prompt_sent\n"
    "  --prompt-file FILE|-  read prompt_sent from a file, verbatim\n"
    "  --context TEXT        delegation.context_provided\n"
    "  --instructions TEXT   delegation.instructions\n"
    "  --json FILE|-         the delegation object as JSON (flags win)\n";

int cmd_delegate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"prompt", required_argument, 0, 'p'},
        {"prompt-file", required_argument, 0, 'P'},
        {"context", required_argument, 0, 'c'},
        {"instructions", required_argument, 0, 'i'},
        {"json", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct json_object *d = json_object_new_object();
    const char *json_path = NULL;
    char *prompt = NULL;
    size_t len;
    int c, rc = 0;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            json_object_put(d);
            return 0;
        case 'D': cli_db = optarg; break;
        case 'p': cli_set_str(d, "prompt_sent", optarg); break;
        case 'P':
            free(prompt);
            rc = cli_read_input("delegate", optarg, CLI_MAX_INPUT, &prompt,
                                &len);
            if (rc)
                goto out;
            json_object_object_add(d, "prompt_sent",
                                   json_object_new_string_len(prompt,
                                                              (int)len));
            break;
        case 'c': cli_set_str(d, "context_provided", optarg); break;
        case 'i': cli_set_str(d, "instructions", optarg); break;
        case 'j': json_path = optarg; break;
        default:
            rc = cli_usage_error("delegate", "unknown option");
            goto out;
        }
    }
    rc = cli_run_phase("delegate", argc, argv, optind, d, json_path, et_trail_delegate);
out:
    free(prompt);
    json_object_put(d);
    return rc;
}
