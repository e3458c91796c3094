/* SPDX-License-Identifier: MIT */
/*
 * Text and Markdown renderers of a report model (report.c): text is aligned
 * for a terminal of `width` columns (80 by default), with ANSI colour only
 * when asked; Markdown uses headings, lists and tables.
 */
#include "base/setup.h"
#include "report/render.h"

#include <math.h>

/* ---- value formatting shared with the HTML renderer ---- */

struct json_object *et__rj(struct json_object *o, const char *path)
{
    char key[64];

    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);

        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_is_type(o, json_type_object)
                ? json_object_object_get(o, key)
                : NULL;
        path += n + (dot ? 1 : 0);
    }
    return o;
}

const char *et__rs(struct json_object *o, const char *path)
{
    struct json_object *v = et__rj(o, path);

    return v && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

bool et__rnum(struct json_object *o, const char *path, double *out)
{
    struct json_object *v = et__rj(o, path);

    if (!v || !(json_object_is_type(v, json_type_int) ||
                json_object_is_type(v, json_type_double)))
        return false;
    *out = json_object_get_double(v);
    return true;
}

int64_t et__rint(struct json_object *o, const char *path)
{
    double v = 0;

    return et__rnum(o, path, &v) ? (int64_t)v : 0;
}

void et__fmt_rate(struct json_object *o, const char *path, char out[24])
{
    double v;

    if (et__rnum(o, path, &v))
        snprintf(out, 24, "%.1f%%", 100 * v);
    else
        snprintf(out, 24, "-");
}

void et__fmt_ms(struct json_object *o, const char *path, char out[24])
{
    double v;

    if (!et__rnum(o, path, &v))
        snprintf(out, 24, "-");
    else if (fabs(v) < 1000)
        snprintf(out, 24, "%.0fms", v);
    else if (fabs(v) < 600000)
        snprintf(out, 24, "%.1fs", v / 1000);
    else
        snprintf(out, 24, "%.1fmin", v / 60000);
}

void et__fmt_num(struct json_object *o, const char *path, int decimals,
                 char out[24])
{
    double v;

    if (et__rnum(o, path, &v))
        snprintf(out, 24, "%.*f", decimals, v);
    else
        snprintf(out, 24, "-");
}

const char *et__agent_shown(struct json_object *o, const char *path)
{
    const char *s = et__rs(o, path);

    return s ? s : "(none)";
}

void et__trend_text(struct json_object *tr, char *out, size_t cap)
{
    const char *dir = et__rs(tr, "direction");
    int64_t days = et__rint(tr, "days");
    double slope = 0, change = 0;

    if (!dir || !et__rnum(tr, "slope_per_day", &slope)) {
        snprintf(out, cap,
                 "not enough data (rests on %lld day%s with a "
                 "verdict; 3 needed)",
                 (long long)days, days == 1 ? "" : "s");
        return;
    }
    et__rnum(tr, "change", &change);
    snprintf(out, cap,
             "%s: %+.1f points a day, %+.1f points over the period "
             "(rests on %lld days)",
             dir, 100 * slope, 100 * change, (long long)days);
}

/* ---- text ---- */

struct tw {
    struct et_buf *b;
    const struct et_report_style *st;
    int rc;
};

static void tp(struct tw *w, const char *fmt, ...) ET_PRINTF(2, 3);

static void tp(struct tw *w, const char *fmt, ...)
{
    va_list ap;

    if (w->rc)
        return;
    va_start(ap, fmt);
    w->rc = et_buf_vprintf(w->b, fmt, ap);
    va_end(ap);
}

static const char *sgr(const struct tw *w, const char *code)
{
    return w->st->color ? code : "";
}

static void heading(struct tw *w, const char *title)
{
    tp(w, "\n%s%s%s\n", sgr(w, "\x1b[1m"), title, sgr(w, "\x1b[0m"));
}

/* The colour of a success rate: green >= 80%, yellow >= 50%, red below. */
static const char *rate_color(const struct tw *w, struct json_object *o,
                              const char *path)
{
    double v;

    if (!w->st->color || !et__rnum(o, path, &v))
        return "";
    return v >= 0.8 ? "\x1b[32m" : v >= 0.5 ? "\x1b[33m" : "\x1b[31m";
}

/* Word-wrap text to the width, each line indented. */
static void wrapped(struct tw *w, const char *first, const char *indent,
                    const char *text)
{
    size_t width = w->st->width - 1, col = strlen(first);
    const char *p = text;

    tp(w, "%s", first);
    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);

        if (col > strlen(indent) && col + 1 + n > width) {
            tp(w, "\n%s", indent);
            col = strlen(indent);
        } else if (col > strlen(first) || p != text) {
            if (p != text) {
                tp(w, " ");
                col++;
            }
        }
        tp(w, "%.*s", (int)n, p);
        col += n;
        p += n;
        while (*p == ' ')
            p++;
    }
    tp(w, "\n");
}

/* What the checkpoint proves and how to check it, in one sentence
 * (docs/REPORTS.md, "The checkpoint"). */
const char *et__checkpoint_sentence(struct json_object *m)
{
    return et__rs(m, "checkpoint.signed_note")
               ? "These figures count exactly the first events of the ledger "
                 "up to this root; keep the signed note (--format json, "
                 "checkpoint.signed_note) and 'exectrail verify --checkpoint "
                 "NOTE' proves later that the trail still holds those events "
                 "unaltered."
               : "These figures count exactly the first events of the ledger "
                 "up to this root; 'exectrail verify' recomputes the root and "
                 "proves the trail holds those events unaltered (no signing "
                 "key here, so no signed note to keep).";
}

static void text_checkpoint(struct tw *w, struct json_object *m)
{
    tp(w, "Checkpoint: %lld events, %s\n  root %s\n",
       (long long)et__rint(m, "checkpoint.tree_size"),
       et__rs(m, "checkpoint.signed_note") ? "signed (note: --format json)"
                                           : "unsigned (no signing key)",
       et__rs(m, "checkpoint.root"));
    wrapped(w, "  ", "  ", et__checkpoint_sentence(m));
    wrapped(w, "Verification: ", "  ",
            et__rs(m, "ledger_verification.message"));
}

static void text_title(struct tw *w, struct json_object *m)
{
    const char *kind = et__rs(m, "kind");

    tp(w, "%s", sgr(w, "\x1b[1m"));
    if (!strcmp(kind, "daily"))
        tp(w, "Daily report %s (%s)", et__rs(m, "date"),
           et__rs(m, "period.tz"));
    else if (!strcmp(kind, "agent"))
        tp(w, "Agent %s, %s to %s (%s)", et__rs(m, "agent"),
           et__rs(m, "period.from"), et__rs(m, "period.to"),
           et__rs(m, "period.tz"));
    else
        tp(w, "Agents, %s to %s (%s)", et__rs(m, "period.from"),
           et__rs(m, "period.to"), et__rs(m, "period.tz"));
    tp(w, "%s\n", sgr(w, "\x1b[0m"));
    text_checkpoint(w, m);
}

static void text_summary(struct tw *w, struct json_object *m)
{
    char r[24], a[24], p50[24], p95[24], p99[24];

    et__fmt_rate(m, "success_rate", r);
    tp(w, "\nExecutions    %lld (completed %lld, without a verdict %lld)\n",
       (long long)et__rint(m, "executions.total"),
       (long long)et__rint(m, "executions.completed"),
       (long long)et__rint(m, "executions.unverified"));
    tp(w, "Success rate  %s%s%s (%lld MATCH of %lld verified)\n",
       rate_color(w, m, "success_rate"), r, sgr(w, "\x1b[0m"),
       (long long)et__rint(m, "executions.match"),
       (long long)et__rint(m, "executions.verified"));
    tp(w, "Other         %lld PARTIAL, %lld MISMATCH, %lld ERROR\n",
       (long long)et__rint(m, "executions.partial"),
       (long long)et__rint(m, "executions.mismatch"),
       (long long)et__rint(m, "executions.error"));
    et__fmt_ms(m, "duration_ms.avg", a);
    et__fmt_ms(m, "duration_ms.p50", p50);
    et__fmt_ms(m, "duration_ms.p95", p95);
    et__fmt_ms(m, "duration_ms.p99", p99);
    tp(w, "Duration      avg %s  p50 %s  p95 %s  p99 %s\n", a, p50, p95, p99);
}

static void text_quality(struct tw *w, struct json_object *m)
{
    struct json_object *d = et__rj(m, "quality.distribution");
    size_t n = d ? json_object_array_length(d) : 0;
    int64_t max = 1;
    char avg[24];

    et__fmt_num(m, "quality.average_score", 2, avg);
    tp(w, "Quality       average score %s (%lld scored, %lld high quality)\n",
       avg, (long long)et__rint(m, "quality.scored"),
       (long long)et__rint(m, "quality.high_quality"));
    for (size_t i = 0; i < n; i++)
        max = et__rint(json_object_array_get_idx(d, i), "count") > max
                  ? et__rint(json_object_array_get_idx(d, i), "count")
                  : max;
    for (size_t i = 0; i < n; i++) {
        struct json_object *b = json_object_array_get_idx(d, i);
        int64_t c = et__rint(b, "count");
        int len = (int)(c * 40 / max);
        double lo = 0, hi = 0;

        et__rnum(b, "from", &lo);
        et__rnum(b, "to", &hi);
        tp(w, "  %.1f-%.1f  ", lo, hi);
        for (int k = 0; k < len; k++)
            tp(w, "#");
        tp(w, "%*s %lld\n", 40 - len, "", (long long)c);
    }
}

static void text_usage(struct tw *w, struct json_object *m)
{
    int64_t n = et__rint(m, "usage.executions_with_usage");
    double cost = 0;

    if (!n) {
        tp(w, "Tokens        not recorded\n");
        return;
    }
    et__rnum(m, "usage.cost_usd", &cost);
    tp(w,
       "Tokens        in %lld, out %lld, cache read %lld, cache write "
       "%lld\n",
       (long long)et__rint(m, "usage.input_tokens"),
       (long long)et__rint(m, "usage.output_tokens"),
       (long long)et__rint(m, "usage.cache_read_tokens"),
       (long long)et__rint(m, "usage.cache_write_tokens"));
    tp(w, "Cost          $%.2f (recorded for %lld executions)\n", cost,
       (long long)n);
}

static void text_issues(struct tw *w, struct json_object *m, const char *key,
                        const char *title)
{
    struct json_object *a = et__rj(m, key);
    size_t n = a ? json_object_array_length(a) : 0;
    int sw = (int)w->st->width - 24;

    heading(w, title);
    if (!n) {
        tp(w, "  (none)\n");
        return;
    }
    tp(w, "  %6s %5s  %-7s  %s\n", "COUNT", "EXECS", "TYPE", "SIGNATURE");
    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(a, i);

        tp(w, "  %6lld %5lld  %-7.7s  %.*s\n", (long long)et__rint(g, "count"),
           (long long)et__rint(g, "executions"), et__rs(g, "type"),
           sw > 10 ? sw : 10, et__rs(g, "signature"));
    }
}

static void text_advice(struct tw *w, struct json_object *m, const char *key,
                        const char *title)
{
    struct json_object *a = et__rj(m, key);
    size_t n = a ? json_object_array_length(a) : 0;

    heading(w, title);
    if (!n)
        tp(w, "  (none)\n");
    for (size_t i = 0; i < n; i++)
        wrapped(w, "  - ", "    ",
                et__rs(json_object_array_get_idx(a, i), "message"));
}

static void text_agents_used(struct tw *w, struct json_object *m)
{
    struct json_object *a = et__rj(m, "agents_used");
    size_t n = a ? json_object_array_length(a) : 0;

    heading(w, "Agents used");
    if (!n) {
        tp(w, "  (none)\n");
        return;
    }
    tp(w, "  %-40s %6s %7s %8s\n", "AGENT", "RUNS", "SHARE", "SUCCESS");
    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(a, i);
        char share[24], rate[24];

        et__fmt_rate(g, "share", share);
        et__fmt_rate(g, "success_rate", rate);
        tp(w, "  %-40.40s %6lld %7s %s%8s%s\n", et__agent_shown(g, "name"),
           (long long)et__rint(g, "executions"), share,
           rate_color(w, g, "success_rate"), rate, sgr(w, "\x1b[0m"));
    }
}

static void text_compare(struct tw *w, struct json_object *m)
{
    char per[24], rate[24], avg[24], d_exec[24], d_rate[24], d_avg[24];
    char line[512];

    heading(w, "Compared with the 7 days before");
    et__fmt_num(m, "comparison.executions_per_day", 1, per);
    et__fmt_rate(m, "comparison.success_rate", rate);
    et__fmt_ms(m, "comparison.avg_duration_ms", avg);
    et__fmt_num(m, "comparison.change.executions", 1, d_exec);
    et__fmt_num(m, "comparison.change.success_rate_points", 1, d_rate);
    et__fmt_ms(m, "comparison.change.avg_duration_ms", d_avg);
    snprintf(line, sizeof(line),
             "%s executions a day (this day %s%s), success rate %s (this "
             "day %s%s points), average duration %s (this day %s%s); %lld "
             "of %lld days had executions",
             per, d_exec[0] == '-' ? "" : "+", d_exec, rate,
             d_rate[0] == '-' ? "" : "+", d_rate, avg,
             d_avg[0] == '-' ? "" : "+", d_avg,
             (long long)et__rint(m, "comparison.days_with_executions"),
             (long long)et__rint(m, "comparison.previous_days"));
    wrapped(w, "  ", "  ", line);
}

static void text_leaderboard(struct tw *w, struct json_object *m)
{
    struct json_object *a = et__rj(m, "leaderboard");
    size_t n = a ? json_object_array_length(a) : 0;

    heading(w, "Leaderboard (best success rate first)");
    if (!n) {
        tp(w, "  (no executions)\n");
        return;
    }
    tp(w, "  %2s %-24s %6s %8s %7s %8s %8s  %s\n", "#", "AGENT", "RUNS",
       "SUCCESS", "QUALITY", "AVG", "P95", "TREND");
    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(a, i);
        char rate[24], q[24], avg[24], p95[24];
        const char *dir = et__rs(g, "trend.direction");

        et__fmt_rate(g, "success_rate", rate);
        et__fmt_num(g, "average_quality_score", 2, q);
        et__fmt_ms(g, "avg_duration_ms", avg);
        et__fmt_ms(g, "p95_duration_ms", p95);
        tp(w, "  %2lld %-24.24s %6lld %s%8s%s %7s %8s %8s  %s\n",
           (long long)et__rint(g, "rank"), et__agent_shown(g, "name"),
           (long long)et__rint(g, "executions"),
           rate_color(w, g, "success_rate"), rate, sgr(w, "\x1b[0m"), q, avg,
           p95, dir ? dir : "-");
    }
}

int et__report_text(struct json_object *m, const struct et_report_style *st,
                    struct et_buf *out)
{
    struct tw w = {out, st, 0};
    const char *kind = et__rs(m, "kind");
    char trend[256];

    text_title(&w, m);
    if (!strcmp(kind, "agents")) {
        text_leaderboard(&w, m);
        text_summary(&w, m);
        return w.rc;
    }
    text_summary(&w, m);
    text_quality(&w, m);
    text_usage(&w, m);
    if (!strcmp(kind, "daily")) {
        text_agents_used(&w, m);
        text_issues(&w, m, "top_issues", "Top issues");
        text_compare(&w, m);
        text_advice(&w, m, "improvement_opportunities",
                    "Improvement opportunities");
    } else {
        heading(&w, "Performance trend (daily success rate)");
        et__trend_text(et__rj(m, "performance_trend"), trend, sizeof(trend));
        wrapped(&w, "  ", "  ", trend);
        text_issues(&w, m, "common_failure_modes", "Common failure modes");
        text_advice(&w, m, "recommendations", "Recommendations");
    }
    return w.rc;
}

/* ---- Markdown ---- */

static void md_escape(struct tw *w, const char *s)
{
    for (; s && *s && !w->rc; s++) {
        if (strchr("|\\`*_[]<>#", *s))
            tp(w, "\\%c", *s);
        else if (*s == '\n')
            tp(w, " ");
        else
            tp(w, "%c", *s);
    }
}

static void md_issues(struct tw *w, struct json_object *m, const char *key,
                      const char *title)
{
    struct json_object *a = et__rj(m, key);
    size_t n = a ? json_object_array_length(a) : 0;

    tp(w, "\n## %s\n\n", title);
    if (!n) {
        tp(w, "None.\n");
        return;
    }
    tp(w, "| Count | Executions | Type | Signature |\n|---:|---:|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(a, i);

        tp(w, "| %lld | %lld | %s | ", (long long)et__rint(g, "count"),
           (long long)et__rint(g, "executions"), et__rs(g, "type"));
        md_escape(w, et__rs(g, "signature"));
        tp(w, " |\n");
    }
}

static void md_advice(struct tw *w, struct json_object *m, const char *key,
                      const char *title)
{
    struct json_object *a = et__rj(m, key);
    size_t n = a ? json_object_array_length(a) : 0;

    tp(w, "\n## %s\n\n", title);
    if (!n)
        tp(w, "None.\n");
    for (size_t i = 0; i < n; i++) {
        tp(w, "- ");
        md_escape(w, et__rs(json_object_array_get_idx(a, i), "message"));
        tp(w, "\n");
    }
}

static void md_summary(struct tw *w, struct json_object *m)
{
    char r[24], a[24], p50[24], p95[24], p99[24], q[24];

    et__fmt_rate(m, "success_rate", r);
    et__fmt_ms(m, "duration_ms.avg", a);
    et__fmt_ms(m, "duration_ms.p50", p50);
    et__fmt_ms(m, "duration_ms.p95", p95);
    et__fmt_ms(m, "duration_ms.p99", p99);
    et__fmt_num(m, "quality.average_score", 2, q);
    tp(w, "\n| Figure | Value |\n|---|---|\n");
    tp(w, "| Executions | %lld |\n",
       (long long)et__rint(m, "executions.total"));
    tp(w, "| Success rate | %s (%lld MATCH of %lld verified) |\n", r,
       (long long)et__rint(m, "executions.match"),
       (long long)et__rint(m, "executions.verified"));
    tp(w,
       "| PARTIAL / MISMATCH / ERROR / no verdict | %lld / %lld / %lld / "
       "%lld |\n",
       (long long)et__rint(m, "executions.partial"),
       (long long)et__rint(m, "executions.mismatch"),
       (long long)et__rint(m, "executions.error"),
       (long long)et__rint(m, "executions.unverified"));
    tp(w, "| Duration avg / p50 / p95 / p99 | %s / %s / %s / %s |\n", a, p50,
       p95, p99);
    tp(w, "| Average quality score | %s (%lld scored, %lld high quality) |\n",
       q, (long long)et__rint(m, "quality.scored"),
       (long long)et__rint(m, "quality.high_quality"));
    if (et__rint(m, "usage.executions_with_usage")) {
        double cost = 0;

        et__rnum(m, "usage.cost_usd", &cost);
        tp(w, "| Tokens in / out | %lld / %lld |\n| Cost | $%.2f |\n",
           (long long)et__rint(m, "usage.input_tokens"),
           (long long)et__rint(m, "usage.output_tokens"), cost);
    }
}

static void md_agents_table(struct tw *w, struct json_object *m)
{
    bool board = !strcmp(et__rs(m, "kind"), "agents");
    struct json_object *a = et__rj(m, board ? "leaderboard" : "agents_used");
    size_t n = a ? json_object_array_length(a) : 0;

    tp(w, "\n## %s\n\n", board ? "Leaderboard" : "Agents used");
    tp(w, board ? "| # | Agent | Runs | Success | Quality | Avg | p95 | "
                  "Trend |\n|---:|---|---:|---:|---:|---:|---:|---|\n"
                : "| Agent | Runs | Share | Success |\n|---|---:|---:|---:|\n");
    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(a, i);
        char rate[24], x[24], y[24], z[24];

        et__fmt_rate(g, "success_rate", rate);
        if (board)
            tp(w, "| %lld ", (long long)et__rint(g, "rank"));
        tp(w, "| ");
        md_escape(w, et__agent_shown(g, "name"));
        if (board) {
            et__fmt_num(g, "average_quality_score", 2, x);
            et__fmt_ms(g, "avg_duration_ms", y);
            et__fmt_ms(g, "p95_duration_ms", z);
            tp(w, " | %lld | %s | %s | %s | %s | %s |\n",
               (long long)et__rint(g, "executions"), rate, x, y, z,
               et__rs(g, "trend.direction"));
        } else {
            et__fmt_rate(g, "share", x);
            tp(w, " | %lld | %s | %s |\n", (long long)et__rint(g, "executions"),
               x, rate);
        }
    }
}

int et__report_md(struct json_object *m, struct et_buf *out)
{
    struct et_report_style st = {false, 80};
    struct tw w = {out, &st, 0};
    const char *kind = et__rs(m, "kind");
    char trend[256];

    if (!strcmp(kind, "daily"))
        tp(&w, "# Daily report %s (%s)\n", et__rs(m, "date"),
           et__rs(m, "period.tz"));
    else
        tp(&w, "# %s%s, %s to %s (%s)\n",
           strcmp(kind, "agent") ? "Agents" : "Agent ",
           strcmp(kind, "agent") ? "" : et__rs(m, "agent"),
           et__rs(m, "period.from"), et__rs(m, "period.to"),
           et__rs(m, "period.tz"));
    tp(&w, "\nComputed from ledger checkpoint: %lld events, root `%s`. %s\n",
       (long long)et__rint(m, "checkpoint.tree_size"),
       et__rs(m, "checkpoint.root"), et__checkpoint_sentence(m));
    tp(&w, "\nVerification: %s.\n", et__rs(m, "ledger_verification.message"));
    md_summary(&w, m);
    if (!strcmp(kind, "agent")) {
        et__trend_text(et__rj(m, "performance_trend"), trend, sizeof(trend));
        tp(&w, "\n## Performance trend\n\n%s\n", trend);
        md_issues(&w, m, "common_failure_modes", "Common failure modes");
        md_advice(&w, m, "recommendations", "Recommendations");
    } else {
        md_agents_table(&w, m);
    }
    if (!strcmp(kind, "daily")) {
        md_issues(&w, m, "top_issues", "Top issues");
        md_advice(&w, m, "improvement_opportunities",
                  "Improvement opportunities");
    }
    return w.rc;
}
