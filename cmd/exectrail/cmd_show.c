/* SPDX-License-Identifier: MIT */
/* exectrail show: one execution, for people or as the spec record. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail show [--format text|json] [--json [--compact]]\n"
    "                      [--width N] ID\n\n"
    "Show one execution. ID may be a unique prefix (4+ characters).\n"
    "The text form gives each action's input, output and error on one line\n"
    "each, cut at --width characters (default 100; 0 = whole).\n"
    "--json (--format json) prints exactly the spec's record\n"
    "(docs/RECORD.md): every spec field in the spec's order, absent values\n"
    "as null or [], extra fields kept. --compact prints it on one line.\n";

static size_t width = 100;

/* "  LABEL text" with the text on one line (newlines and tabs shown as
 * spaces) and cut at `width` characters, "..." marking the cut. */
static void clipped_w(const char *indent, int lw, const char *label,
                      const char *v)
{
    size_t n = 0;

    if (!v || !*v)
        return;
    printf("%s%-*s ", indent, lw, label);
    for (; *v && (!width || n < width); v++, n++)
        putchar(*v == '\n' || *v == '\r' || *v == '\t' ? ' ' : *v);
    /* never cut inside a UTF-8 sequence */
    while (*v && ((unsigned char)*v & 0xC0) == 0x80)
        putchar(*v++);
    printf("%s\n", *v ? "..." : "");
}

static void clipped(const char *indent, const char *label, const char *v)
{
    clipped_w(indent, 7, label, v);
}

static void line(const char *label, const char *value)
{
    clipped_w("  ", 14, label, value);
}


static void print_text(const struct et_record *r)
{
    char t0[32], t1[32];

    cli_time(r->timestamp_start_ns, t0);
    cli_time(r->timestamp_end_ns, t1);
    printf("execution %s\n", r->execution_id);
    line("session", r->session_id);
    line("agent", r->agent_metadata.name);
    line("version", r->agent_metadata.version);
    printf("  %-14s %s -> %s", "time", t0, t1);
    if (r->duration_ms >= 0)
        printf(" (%lld ms)", (long long)r->duration_ms);
    printf("\n");
    line("request", r->main_agent_context.user_request);
    line("why this agent", r->main_agent_context.main_agent_reasoning);
    line("expected", r->main_agent_context.expected_outcome);
    line("risks", r->main_agent_context.risk_assessment);
    if (r->delegation.prompt_sent)
        printf("  %-14s %lld characters\n", "prompt",
               (long long)r->delegation.prompt_length);
    printf("  actions (%zu):\n", r->execution.n_actions);
    for (size_t i = 0; i < r->execution.n_actions; i++) {
        const struct et_action *a = &r->execution.actions[i];

        printf("    %3lld %-4s %s%s%s\n", (long long)a->sequence,
               a->success == 0 ? "FAIL" : a->success == 1 ? "ok" : "?",
               a->tool ? a->tool : "-", a->action && *a->action ? ": " : "",
               a->action ? a->action : "");
        clipped("           ", "input", a->input);
        clipped("           ", "output", a->output);
        clipped("           ", "error", a->error);
    }
    if (r->output.raw_response)
        printf("  %-14s %.200s%s\n", "response", r->output.raw_response,
               strlen(r->output.raw_response) > 200 ? "..." : "");
    for (size_t i = 0; i < r->output.n_files_modified; i++)
        line(i ? "" : "files", r->output.files_modified[i]);
    for (size_t i = 0; i < r->output.n_commands_executed; i++)
        line(i ? "" : "commands", r->output.commands_executed[i]);
    for (size_t i = 0; i < r->output.n_api_calls_made; i++)
        line(i ? "" : "api calls", r->output.api_calls_made[i]);
    if (r->verification.status != ET_VERIFY_NONE) {
        printf("  %-14s %s", "verification",
               et_verification_status_name(r->verification.status));
        if (!isnan(r->verification.confidence_score))
            printf(" (confidence %.2f)", r->verification.confidence_score);
        printf("\n");
    }
    for (size_t i = 0; i < r->verification.n_success_criteria_met; i++)
        line(i ? "" : "criteria met", r->verification.success_criteria_met[i]);
    for (size_t i = 0; i < r->verification.n_success_criteria_failed; i++)
        line(i ? "" : "criteria FAIL",
             r->verification.success_criteria_failed[i]);
    if (r->quality_metrics.is_present)
        printf("  %-14s completeness %s, accuracy %s, efficiency %s\n",
               "quality", et_level_name(r->quality_metrics.completeness),
               et_level_name(r->quality_metrics.accuracy),
               et_level_name(r->quality_metrics.efficiency));
    for (size_t i = 0; i < r->n_issues; i++)
        printf("  issue %-8s %s\n", et_issue_type_name(r->issues[i].type),
               r->issues[i].description ? r->issues[i].description : "");
    for (size_t i = 0; i < r->learning.n_insights_gained; i++)
        line(i ? "" : "insights", r->learning.insights_gained[i]);
    if (r->learning.recommendation_for_future)
        line("recommendation", r->learning.recommendation_for_future);
}

/* The `feedback` extension key (docs/NOTES.md): the human score beside
 * the automatic one, then each score and note. */
static void print_feedback(const char *extra_json)
{
    struct json_object *x = extra_json ? json_tokener_parse(extra_json) : NULL;
    struct json_object *fb = NULL, *v = NULL, *arr = NULL;
    char buf[600];

    if (!x || !json_object_object_get_ex(x, "feedback", &fb) || !fb) {
        json_object_put(x);
        return;
    }
    if (json_object_object_get_ex(fb, "human_score", &v) && v) {
        struct json_object *q = NULL;

        json_object_object_get_ex(fb, "quality_score", &q);
        if (q)
            snprintf(buf, sizeof(buf), "%.2f (latest); automatic %.2f",
                     json_object_get_double(v), json_object_get_double(q));
        else
            snprintf(buf, sizeof(buf), "%.2f (latest); automatic none",
                     json_object_get_double(v));
        line("human score", buf);
    }
    json_object_object_get_ex(fb, "scores", &arr);
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        struct json_object *o = json_object_array_get_idx(arr, i), *s, *r, *w;

        json_object_object_get_ex(o, "score", &s);
        json_object_object_get_ex(o, "reason", &r);
        json_object_object_get_ex(o, "scorer", &w);
        snprintf(buf, sizeof(buf), "%.2f%s%s%s%s", json_object_get_double(s),
                 w ? " by " : "", w ? json_object_get_string(w) : "",
                 r ? ": " : "", r ? json_object_get_string(r) : "");
        line("score", buf);
    }
    arr = NULL;
    json_object_object_get_ex(fb, "notes", &arr);
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        struct json_object *o = json_object_array_get_idx(arr, i), *t, *a;

        json_object_object_get_ex(o, "text", &t);
        json_object_object_get_ex(o, "author", &a);
        snprintf(buf, sizeof(buf), "%s%s%s%s", a ? "(" : "",
                 a ? json_object_get_string(a) : "", a ? ") " : "",
                 t ? json_object_get_string(t) : "");
        line("note", buf);
    }
    json_object_put(x);
}

static const char *const text_json[] = {"text", "json", NULL};

int cmd_show(int argc, char **argv)
{
    int fi = 0;
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"json", no_argument, 0, 'j'},
                                         {"compact", no_argument, 0, 'c'},
                                         {"format", required_argument, 0, 'f'},
                                         {"width", required_argument, 0, 'w'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    bool json = false, compact = false;
    char *text = NULL;
    size_t len = 0;
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(help, stdout); return 0;
        case 'D': cli_db = optarg; break;
        case 'j': json = true; break;
        case 'c': compact = true; break;
        case 'f':
            if (cli_parse_format("show", optarg, text_json, &fi))
                return EXIT_USAGE;
            json = fi == 1;
            break;
        case 'w':
            if (cli_parse_count("show", "--width", optarg, true, &width))
                return EXIT_USAGE;
            break;
        default: return cli_usage_error("show", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("show", "give one execution id");
    rc = cli_open("show", false, &t);
    if (rc)
        return rc;
    rc = et_trail_show(t, argv[optind], compact ? 0 : ET_SHOW_PRETTY, &text,
                       &len, &err);
    et_trail_close(t);
    if (rc)
        return cli_fail("show", &err);
    if (json) {
        fwrite(text, 1, len, stdout);
        fputc('\n', stdout);
    } else {
        struct et_record *r = NULL;

        rc = et_record_parse(text, len, 0, &r, &err);
        if (rc) {
            et_trail_free_string(text);
            return cli_fail("show", &err);
        }
        print_text(r);
        print_feedback(r->extra_json);
        et_record_free(r);
    }
    et_trail_free_string(text);
    return 0;
}
