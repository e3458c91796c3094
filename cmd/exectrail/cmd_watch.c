/* SPDX-License-Identifier: MIT */
/*
 * exectrail watch: follow the ledger like `tail -f` and print executions as
 * they start, each action, and each completion with its verdict, for the
 * executions matching a query. Idle cost: one small read of the tree head
 * per poll, polls backing off from 200 ms to 1 s.
 */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/query.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "usage: exectrail watch [--format text|jsonl] [--from SEQ|--all]\n"
    "                       [--exit-after SECONDS] [QUERY...]\n\n"
    "Follow the trail and print each event of the executions matching\n"
    "QUERY (docs/QUERY.md; default: all) as it is recorded: starts,\n"
    "delegations, actions, responses, completions with their verdict.\n"
    "A live view of running subagents; stop it with Ctrl-C.\n\n"
    "--format jsonl  one JSON object per event, for programs\n"
    "--all           begin with the first event (default: new events only)\n"
    "--from SEQ      begin at ledger sequence number SEQ\n"
    "--exit-after S  stop after S seconds (for scripts)\n";

#define POLL_MIN_MS 200
#define POLL_MAX_MS 1000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* The last state seen per execution, so that each event is labelled with
 * the state it left its execution in (a small ring: recent executions). */
#define SEEN_MAX 256
struct seen {
    char id[37];
    char state[16];
};

struct ui {
    bool jsonl;
    struct et_trail *t;
    struct seen seen[SEEN_MAX];
    size_t n_seen, next_seen;
};

/* The table's label of an event type (NULL: shown by its type). */
static const char *label_of(const char *type)
{
    static const char *const map[][2] = {
        {"execution.started", "START"},
        {"execution.delegated", "DELEGATE"},
        {"action.recorded", "ACTION"},
        {"execution.responded", "RESPOND"},
        {"execution.completed", "COMPLETE"},
        {"execution.recorded", "RECORDED"},
        {"execution.analysed", "ANALYSED"},
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(type, map[i][0]))
            return map[i][1];
    return NULL;
}

static struct seen *seen_find(struct ui *ui, const char *id)
{
    for (size_t i = 0; i < ui->n_seen; i++)
        if (!strcmp(ui->seen[i].id, id))
            return &ui->seen[i];
    return NULL;
}

/*
 * The execution's state right after this event, by the projection's own
 * transitions (docs/QUERY.md, state): an action moves started or
 * delegated to running and leaves a later state alone; a completion, a
 * whole record or the analysis mean completed. NULL when the event does
 * not change the state and none was seen before.
 */
static const char *state_at(struct ui *ui, const struct et_event *ev,
                            const char *now_state)
{
    struct seen *s = ev->execution_id ? seen_find(ui, ev->execution_id) : NULL;
    const char *prev = s ? s->state : NULL, *st = prev;
    const char *type = ev->type;

    if (!ev->execution_id)
        return NULL;
    if (!strcmp(type, "execution.started"))
        st = "started";
    else if (!strcmp(type, "execution.delegated"))
        st = "delegated";
    else if (!strcmp(type, "action.recorded"))
        st = !prev || !strcmp(prev, "started") || !strcmp(prev, "delegated")
                 ? "running"
                 : prev;
    else if (!strcmp(type, "execution.responded"))
        st = "responded";
    else if (!strcmp(type, "execution.completed") ||
             !strcmp(type, "execution.recorded") ||
             !strcmp(type, "execution.analysed"))
        st = "completed";
    else if (!st)
        st = now_state;
    if (!st)
        return NULL;
    if (!s) {
        s = &ui->seen[ui->next_seen];
        ui->next_seen = (ui->next_seen + 1) % SEEN_MAX;
        if (ui->n_seen < SEEN_MAX)
            ui->n_seen++;
        snprintf(s->id, sizeof(s->id), "%s", ev->execution_id);
    }
    if (s->state != st)
        snprintf(s->state, sizeof(s->state), "%s", st);
    return s->state;
}

/* The execution's current summary (agent, state, verdict). */
struct lookup {
    bool found;
    struct et_exec_summary s;
    char agent[128];
    char state[16];
    char verdict[16];
};

static int keep_summary(void *ctx, const struct et_exec_summary *s)
{
    struct lookup *l = ctx;

    l->found = true;
    l->s = *s;
    snprintf(l->agent, sizeof(l->agent), "%s",
             s->agent_name ? s->agent_name : "-");
    snprintf(l->state, sizeof(l->state), "%s", s->state ? s->state : "-");
    snprintf(l->verdict, sizeof(l->verdict), "%s",
             s->verification ? s->verification : "unverified");
    return 0;
}

static void summary_of(struct et_trail *t, const char *id, struct lookup *l)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_query *q = NULL;
    char text[64];

    memset(l, 0, sizeof(*l));
    snprintf(l->agent, sizeof(l->agent), "-");
    snprintf(l->verdict, sizeof(l->verdict), "unverified");
    if (!id)
        return;
    /* a lookup by primary key; a failure leaves the defaults */
    snprintf(text, sizeof(text), "execution_id = \"%.36s\"", id);
    if (et_query_parse(text, strlen(text), 0, &q, &err) == ET_OK &&
        et_query_run(t, q, 1, keep_summary, l, &err) != ET_OK)
        l->found = false;
    et_query_free(q);
}

static const char *jstr(struct json_object *o, const char *k1, const char *k2)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(o, k1, &v))
        return NULL;
    if (k2 && !json_object_object_get_ex(v, k2, &v))
        return NULL;
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                    : NULL;
}

/* at most n characters of s on one line */
static void clip(const char *s, int n)
{
    for (int i = 0; s && s[i] && i < n; i++)
        putchar(s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
    if (s && (int)strlen(s) > n)
        fputs("...", stdout);
}

static void print_text(const struct et_event *ev, struct json_object *body,
                       const struct lookup *l)
{
    char when[40];
    const char *kind = label_of(ev->type) ? label_of(ev->type) : ev->type;
    struct json_object *v = NULL;

    cli_time(ev->ts_ns, when);
    printf("%s  %-8s  %.8s  %-18.18s  ", when, kind,
           ev->execution_id ? ev->execution_id : "-", l->agent);
    if (!strcmp(kind, "START")) {
        clip(jstr(body, "main_agent_context", "user_request"), 60);
    } else if (!strcmp(kind, "DELEGATE")) {
        clip(jstr(body, "delegation", "prompt_sent"), 60);
    } else if (!strcmp(kind, "ACTION")) {
        bool fail = json_object_object_get_ex(body, "success", &v) &&
                    json_object_is_type(v, json_type_boolean) &&
                    !json_object_get_boolean(v);

        printf("%-8s %-4s ",
               jstr(body, "tool", NULL) ? jstr(body, "tool", NULL) : "-",
               fail ? "FAIL" : "ok");
        clip(jstr(body, fail ? "error" : "input", NULL), 50);
    } else if (!strcmp(kind, "RESPOND")) {
        clip(jstr(body, "output", "raw_response"), 60);
    } else if (!strcmp(kind, "ANALYSED")) {
        printf("verdict %s  quality %s/%s/%s", l->verdict,
               jstr(body, "quality_metrics", "completeness")
                   ? jstr(body, "quality_metrics", "completeness")
                   : "-",
               jstr(body, "quality_metrics", "accuracy")
                   ? jstr(body, "quality_metrics", "accuracy")
                   : "-",
               jstr(body, "quality_metrics", "efficiency")
                   ? jstr(body, "quality_metrics", "efficiency")
                   : "-");
    } else if (!strcmp(kind, "COMPLETE") || !strcmp(kind, "RECORDED")) {
        printf("verdict %s", l->verdict);
        if (l->found && l->s.duration_ms >= 0)
            printf("  %.1fs", (double)l->s.duration_ms / 1000);
        if (l->found)
            printf("  %lld action%s, %lld failed", (long long)l->s.n_actions,
                   l->s.n_actions == 1 ? "" : "s",
                   (long long)l->s.n_failed_actions);
    }
    putchar('\n');
}

static int on_event(void *ctx, const struct et_event *ev)
{
    struct ui *ui = ctx;
    struct json_object *event = NULL, *body = NULL;
    struct lookup l;
    const char *at;

    summary_of(ui->t, ev->execution_id, &l);
    at = state_at(ui, ev, l.found ? l.state : NULL);
    if (ev->json)
        event = json_tokener_parse(ev->json);
    if (event)
        json_object_object_get_ex(event, "body", &body);
    if (ui->jsonl) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "seq",
                               json_object_new_int64((int64_t)ev->seq));
        cli_set_str(o, "type", ev->type);
        cli_set_str(o, "execution_id", ev->execution_id);
        json_object_object_add(o, "ts_ns", json_object_new_int64(ev->ts_ns));
        cli_set_str(o, "agent", l.found && l.s.agent_name ? l.agent : NULL);
        cli_set_str(o, "label",
                    label_of(ev->type) ? label_of(ev->type) : ev->type);
        cli_set_str(o, "state_at_event", at);
        cli_set_str(o, "state", l.found ? l.state : NULL);
        cli_set_str(o, "verification",
                    l.found && l.s.verification ? l.verdict : NULL);
        json_object_object_add(o, "body", json_object_get(body));
        printf("%s\n", cli_json_text(o, NULL));
        json_object_put(o);
    } else {
        print_text(ev, body, &l);
    }
    json_object_put(event);
    fflush(stdout);
    return ferror(stdout) ? ET_EIO : 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !stop)
        ;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int follow(struct et_trail *t, const struct et_query *q, uint64_t pos,
                  double exit_after, bool jsonl)
{
    struct et_error err = ET_ERROR_INIT;
    struct ui ui = {.jsonl = jsonl, .t = t};
    double t0 = now_s();
    long wait = POLL_MIN_MS;
    uint64_t next;
    int rc;

    while (!stop && (exit_after <= 0 || now_s() - t0 < exit_after)) {
        rc = et_query_follow(t, q, pos, on_event, &ui, &next, &err);
        if (rc == ET_EBUSY) {
            next = pos; /* a writer holds the lock: try again later */
        } else if (rc) {
            return cli_fail("watch", &err);
        }
        if (next != pos) {
            pos = next;
            wait = POLL_MIN_MS;
            continue; /* there may be more */
        }
        sleep_ms(wait);
        wait = wait * 2 > POLL_MAX_MS ? POLL_MAX_MS : wait * 2;
    }
    return 0;
}

static const char *const text_jsonl[] = {"text", "jsonl", NULL};

int cmd_watch(int argc, char **argv)
{
    int fi = 0;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"format", required_argument, 0, 'f'},
        {"from", required_argument, 0, 's'},
        {"all", no_argument, 0, 'a'},
        {"exit-after", required_argument, 0, 'x'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct et_query *q = NULL;
    bool jsonl = false, from_set = false;
    double exit_after = 0;
    uint64_t pos = 0;
    size_t len = 0;
    char *text = NULL, *end;
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'a':
            from_set = true;
            pos = 0;
            break;
        case 's':
            errno = 0;
            pos = strtoull(optarg, &end, 10);
            if (errno || *end || *optarg == '-' || !*optarg)
                return cli_usage_error("watch", "--from takes a sequence "
                                                "number");
            from_set = true;
            break;
        case 'x':
            exit_after = strtod(optarg, &end);
            if (*end || exit_after <= 0)
                return cli_usage_error("watch", "--exit-after takes "
                                                "seconds");
            break;
        case 'f':
            if (cli_parse_format("watch", optarg, text_jsonl, &fi))
                return EXIT_USAGE;
            jsonl = fi == 1;
            break;
        default:
            return cli_usage_error("watch", "unknown option");
        }
    }
    for (int i = optind; i < argc; i++)
        len += strlen(argv[i]) + 1;
    text = malloc(len + 1);
    if (!text)
        return EXIT_FAILURE_;
    len = 0;
    for (int i = optind; i < argc; i++) {
        size_t n = strlen(argv[i]);

        if (i > optind)
            text[len++] = ' ';
        memcpy(text + len, argv[i], n);
        len += n;
    }
    text[len] = '\0';
    if (len && et_query_parse(text, len, 0, &q, &err)) {
        free(text);
        return cli_fail("watch", &err);
    }
    free(text);
    rc = cli_open("watch", false, &t);
    if (!rc && !from_set && et_trail_size(t, &pos, &err))
        rc = cli_fail("watch", &err);
    if (!rc) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        setvbuf(stdout, NULL, _IOLBF, 0);
        rc = follow(t, q, pos, exit_after, jsonl);
    }
    et_trail_close(t);
    et_query_free(q);
    return rc;
}
