/* SPDX-License-Identifier: MIT */
/*
 * exectrail note / exectrail score: human feedback appended to the ledger
 * (docs/NOTES.md): a free-form note, alone or on an execution, and a human
 * score of an execution kept beside the automatic quality score.
 */
#define _GNU_SOURCE 1
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char note_help[] =
    "usage: exectrail note [ID] TEXT|- [--author NAME] [--tag TAG]...\n"
    "                      [--group G] [--name TITLE] [--source S]\n"
    "                      [--format text|json]\n\n"
    "Append a note to the ledger: on execution ID (an id or a unique\n"
    "prefix) when given, else a free-form note. TEXT '-' reads standard\n"
    "input. Notes are append-only, hashed like every event, found by\n"
    "'exectrail search' and shown by 'exectrail show'. Prints the note's\n"
    "uuid.\n\n"
    "--author NAME  who wrote it\n"
    "--tag TAG      a tag (repeat for more)\n"
    "--group G      a group (graphiti's group_id)\n"
    "--name TITLE   a title\n"
    "--source S     where it came from (default cli)\n"
    "--format       text (default: the uuid) or json\n\n"
    "exit status: 3 bad text or tag (the field is named; nothing stored),\n"
    "6 no such execution\n";

static const char score_help[] =
    "usage: exectrail score ID SCORE [--reason TEXT] [--scorer NAME]\n"
    "                       [--format text|json]\n\n"
    "Record a human score of execution ID. SCORE is a number in [0, 1]\n"
    "(the scale of the automatic quality score: HIGH 1, MEDIUM 0.5, LOW 0),\n"
    "or a fraction N/M such as 7/10. The automatic quality_metrics are\n"
    "never changed: 'exectrail show' gives the latest human score beside\n"
    "the automatic one, and every score stays in the ledger. Prints the\n"
    "score's uuid.\n\n"
    "--reason TEXT  why\n"
    "--scorer NAME  who scored it\n"
    "--format       text (default: the uuid) or json\n\n"
    "exit status: 3 a score that is not a number in [0, 1] (nothing\n"
    "stored), 6 no such execution\n";

static const char *const text_json[] = {"text", "json", NULL};

static int print_result(bool json, const char *uuid, const char *kind)
{
    struct json_object *o;

    if (!json) {
        printf("%s\n", uuid);
        return 0;
    }
    o = json_object_new_object();
    cli_set_str(o, "uuid", uuid);
    cli_set_str(o, "kind", kind);
    printf("%s\n", cli_json_text(o, NULL));
    json_object_put(o);
    return 0;
}

/* TEXT, or standard input for "-" (one final newline dropped). */
static int note_text(const char *arg, char **out)
{
    size_t len = 0;
    int rc;

    if (strcmp(arg, "-")) {
        *out = strdup(arg);
        return *out ? 0 : EXIT_FAILURE_;
    }
    rc = cli_read_input("note", "-", CLI_MAX_INPUT, out, &len);
    if (!rc && len && (*out)[len - 1] == '\n')
        (*out)[--len] = '\0';
    return rc;
}

int cmd_note(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"author", required_argument, 0, 'a'},
                                         {"tag", required_argument, 0, 't'},
                                         {"group", required_argument, 0, 'g'},
                                         {"name", required_argument, 0, 'n'},
                                         {"source", required_argument, 0, 's'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_note n;
    struct et_trail *t = NULL;
    const char **tags = NULL;
    char uuid[ET_NOTE_FIELD_MAX], *text = NULL;
    bool json = false;
    int c, fi = 0, rc;

    memset(&n, 0, sizeof(n));
    n.source = "cli";
    tags = calloc((size_t)argc + 1, sizeof(*tags));
    if (!tags)
        return EXIT_FAILURE_;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(note_help, stdout);
            free(tags);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'a':
            n.author = optarg;
            break;
        case 't':
            tags[n.n_tags++] = optarg;
            break;
        case 'g':
            n.group_id = optarg;
            break;
        case 'n':
            n.name = optarg;
            break;
        case 's':
            n.source = optarg;
            break;
        case 'f':
            if (cli_parse_format("note", optarg, text_json, &fi)) {
                free(tags);
                return EXIT_USAGE;
            }
            json = fi == 1;
            break;
        default:
            free(tags);
            return cli_usage_error("note", "unknown option");
        }
    }
    if (argc - optind != 1 && argc - optind != 2) {
        free(tags);
        return cli_usage_error("note", "give the text, or an id and the text");
    }
    n.tags = tags;
    n.execution_id = argc - optind == 2 ? argv[optind] : NULL;
    rc = note_text(argv[argc - 1], &text);
    n.text = text;
    if (!rc)
        rc = cli_open("note", !n.execution_id, &t);
    if (!rc) {
        rc = et_trail_note(t, &n, uuid, &err);
        rc = rc ? cli_fail("note", &err) : print_result(json, uuid, "note");
        et_trail_close(t);
    }
    free(text);
    free(tags);
    return rc;
}

/* "0.7", "7/10" or "70%": *out, or false. */
static bool parse_score(const char *s, double *out)
{
    char *end = NULL;
    double a, b;

    errno = 0;
    a = strtod(s, &end);
    if (end == s || errno || !isfinite(a))
        return false;
    if (*end == '%' && !end[1]) {
        *out = a / 100;
        return true;
    }
    if (*end == '/') {
        const char *d = end + 1;

        b = strtod(d, &end);
        if (end == d || *end || errno || !isfinite(b) || b <= 0)
            return false;
        *out = a / b;
        return true;
    }
    *out = a;
    return !*end;
}

int cmd_score(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"reason", required_argument, 0, 'r'},
                                         {"scorer", required_argument, 0, 's'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_score s;
    struct et_trail *t = NULL;
    char uuid[ET_NOTE_FIELD_MAX];
    bool json = false;
    int c, fi = 0, rc;

    memset(&s, 0, sizeof(s));
    s.source = "cli";
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(score_help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'r':
            s.reason = optarg;
            break;
        case 's':
            s.scorer = optarg;
            break;
        case 'f':
            if (cli_parse_format("score", optarg, text_json, &fi))
                return EXIT_USAGE;
            json = fi == 1;
            break;
        default:
            return cli_usage_error("score", "unknown option");
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("score", "give an execution id and a score");
    s.execution_id = argv[optind];
    /* checked before the trail is opened: nothing is stored */
    if (!parse_score(argv[optind + 1], &s.score) || s.score < 0 ||
        s.score > 1) {
        fprintf(stderr,
                "exectrail score: score: expected a number in [0, 1] or a "
                "fraction N/M, got '%.40s'\n",
                argv[optind + 1]);
        return EXIT_INPUT;
    }
    rc = cli_open("score", false, &t); /* an execution must exist */
    if (rc)
        return rc;
    rc = et_trail_score(t, &s, uuid, &err);
    rc = rc ? cli_fail("score", &err) : print_result(json, uuid, "score");
    et_trail_close(t);
    return rc;
}
