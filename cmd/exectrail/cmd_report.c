/* SPDX-License-Identifier: MIT */
/*
 * exectrail report: the daily execution summary, one agent's performance,
 * and the leaderboard of all agents (docs/REPORTS.md), as text, Markdown,
 * JSON or a self-contained HTML page.
 */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "usage: exectrail report daily [--date YYYY-MM-DD] [--tz ZONE]\n"
    "       exectrail report agent NAME [--since 30d] [--tz ZONE]\n"
    "       exectrail report agents [--since 30d] [--tz ZONE]\n"
    "         [--format text|md|json|html] [--top N] [--output FILE]\n\n"
    "daily   one day: executions, success rate, durations (average, p50,\n"
    "        p95, p99), agents used, quality, top issues, token usage and\n"
    "        cost, improvement opportunities, and the 7 days before\n"
    "agent   one agent over a period: success rate, quality, failure\n"
    "        modes, trend (with the days it rests on), recommendations\n"
    "agents  every agent over a period, best success rate first\n\n"
    "--date D       the day (default: today in ZONE)\n"
    "--tz ZONE      an IANA time zone for the days (default UTC), any\n"
    "               zone a whole number of quarter hours from UTC\n"
    "--since N[d|w] the period: the last N days (or weeks) up to and\n"
    "               including today (default 30d); or a date YYYY-MM-DD:\n"
    "               from that day to today (at most 366 days)\n"
    "--format       text (default; colour on a terminal unless NO_COLOR),\n"
    "               md, json (schema in docs/REPORTS.md) or html\n"
    "--top N        issues or failure modes listed (default 10)\n"
    "--output FILE  write the report to FILE instead of standard output\n"
    "               (a new file renamed over FILE; a symbolic link at FILE\n"
    "               is refused: exit status 1)\n\n"
    "Every report names the ledger checkpoint (tree size and root) it was\n"
    "computed from; with the signing key it is a signed note that\n"
    "`exectrail verify --checkpoint FILE` checks later.\n";

static int parse_since(const char *s, int64_t *days_out)
{
    char *end = NULL;
    long long v;

    errno = 0;
    if (!s || *s < '0' || *s > '9')
        return -1;
    v = strtoll(s, &end, 10);
    if (errno || v < 1 || v > 366)
        return -1;
    if (*end == 'w' && !end[1])
        v *= 7;
    else if (!(*end == '\0' || (*end == 'd' && !end[1])))
        return -1;
    if (v > 366)
        return -1;
    *days_out = v;
    return 0;
}

static int parse_format(const char *s, enum et_report_format *out)
{
    static const char *const names[] = {"text", "md", "json", "html"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcmp(s, names[i])) {
            *out = (enum et_report_format)i;
            return 0;
        }
    }
    return -1;
}

static int write_fd(int fd, const char *text, size_t len)
{
    while (len) {
        ssize_t w = write(fd, text, len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        text += w;
        len -= (size_t)w;
    }
    return fsync(fd);
}

/*
 * --output FILE: never through a symbolic link (one planted at FILE, even
 * dangling, is refused), never anything but a regular file; the report goes
 * to a new file beside it (O_CREAT|O_EXCL|O_NOFOLLOW), fsynced and renamed
 * over FILE, so a reader sees the old report or the new one, and a link
 * planted between the check and the rename is replaced, not followed.
 */
static int write_file(const char *path, const char *text, size_t len)
{
    char tmp[PATH_MAX];
    const char *slash = strrchr(path, '/');
    struct stat sb;
    int fd = -1, e;

    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
        fprintf(stderr,
                "exectrail report: --output %s is a symbolic link: refusing "
                "to write through it (remove it or name the target)\n",
                path);
        return EXIT_FAILURE_;
    }
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        fprintf(stderr, "exectrail report: --output %s is not a regular file\n",
                path);
        return EXIT_FAILURE_;
    }
    for (unsigned i = 0; fd < 0 && i < 100; i++) {
        uint32_t r = (uint32_t)getpid() * 2654435761u ^ (uint32_t)time(NULL) ^
                     (i * 40503u);

        if (snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp.%08x",
                     slash ? (int)(slash - path + 1) : 0, path,
                     slash ? slash + 1 : path, r) >= (int)sizeof(tmp)) {
            errno = ENAMETOOLONG;
            break;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0)
        goto fail;
    if (write_fd(fd, text, len) != 0 || close(fd) != 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        errno = e;
        goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "exectrail report: cannot write %s: %s\n", path,
            strerror(errno));
    return EXIT_FAILURE_;
}

static int write_out(const char *path, const char *text, size_t len)
{
    if (path)
        return write_file(path, text, len);
    if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr,
                "exectrail report: cannot write standard output: "
                "%s\n",
                strerror(errno));
        return EXIT_FAILURE_;
    }
    return 0;
}

static int run(struct et_report_opts *o, enum et_report_format f,
               const char *output)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = cli_open("report", false, &t);

    if (rc)
        return rc;
    o->color = f == ET_REPORT_TEXT && !output && cli_is_tty(stdout) &&
               !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
    rc = et_report(t, o, f, &text, &len, &err);
    if (rc == ET_EINPUT) {
        /* every input of a report is an option */
        fprintf(stderr, "exectrail report: %s\n", err.msg);
        rc = EXIT_USAGE;
    } else if (rc) {
        rc = cli_fail("report", &err);
    } else {
        rc = write_out(output, text, len);
    }
    et_trail_free_string(text);
    et_trail_close(t);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"date", required_argument, 0, 'd'},
                                         {"tz", required_argument, 0, 'z'},
                                         {"since", required_argument, 0, 's'},
                                         {"format", required_argument, 0, 'f'},
                                         {"top", required_argument, 0, 'n'},
                                         {"output", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_report_opts o;
    enum et_report_format f = ET_REPORT_TEXT;
    const char *output = NULL, *what;
    bool has_since = false, has_date = false;
    const char *since_date = NULL;
    size_t top;
    int c;

    memset(&o, 0, sizeof(o));
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'd':
            o.date = optarg;
            has_date = true;
            break;
        case 'z':
            o.tz = optarg;
            break;
        case 's':
            since_date = NULL;
            if (optarg[0] >= '0' && optarg[0] <= '9' && strlen(optarg) == 10 &&
                optarg[4] == '-')
                since_date = optarg; /* YYYY-MM-DD, checked by et_report */
            else if (parse_since(optarg, &o.days))
                return cli_usage_error("report",
                                       "--since: N, Nd or Nw (at most "
                                       "366 days) or a date YYYY-MM-DD, "
                                       "not '%s'",
                                       optarg);
            has_since = true;
            break;
        case 'f':
            if (parse_format(optarg, &f))
                return cli_usage_error("report",
                                       "--format: text, md, json or html");
            break;
        case 'n':
            if (cli_parse_count("report", "--top", optarg, false, &top))
                return EXIT_USAGE;
            o.top = top;
            break;
        case 'o':
            output = optarg;
            break;
        default:
            return cli_usage_error("report", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("report", "daily, agent NAME or agents?");
    what = argv[optind++];
    if (!strcmp(what, "daily")) {
        o.kind = ET_REPORT_DAILY;
        if (has_since)
            return cli_usage_error("report", "daily takes --date, not "
                                             "--since");
    } else if (!strcmp(what, "agent") || !strcmp(what, "agents")) {
        o.kind = what[5] ? ET_REPORT_AGENTS : ET_REPORT_AGENT;
        if (has_date)
            return cli_usage_error("report", "%s takes --since, not --date",
                                   what);
        o.date = since_date; /* an absolute --since: the first day */
        if (o.kind == ET_REPORT_AGENT) {
            if (optind >= argc)
                return cli_usage_error("report", "agent: which agent?");
            o.agent = argv[optind++];
        }
    } else {
        return cli_usage_error("report", "'%s': daily, agent NAME or agents",
                               what);
    }
    if (optind < argc)
        return cli_usage_error("report", "unexpected argument '%s'",
                               argv[optind]);
    return run(&o, f, output);
}
