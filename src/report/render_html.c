/* SPDX-License-Identifier: MIT */
/*
 * HTML renderer of a report model: one self-contained page (inline CSS, no
 * scripts, no external resources) with inline SVG charts: executions per
 * day, success rate over time, duration distribution, quality
 * distribution. Every mark carries its value in a data-value attribute so
 * that a test can count marks against the data.
 */
#include "base/setup.h"
#include "codec/json.h"
#include "report/render.h"

#define CW  640 /* chart width and height, in SVG units */
#define CH  200
#define PAD 30

struct hw {
    struct et_buf *b;
    int rc;
};

static void hp(struct hw *w, const char *fmt, ...) ET_PRINTF(2, 3);

static void hp(struct hw *w, const char *fmt, ...)
{
    va_list ap;

    if (w->rc)
        return;
    va_start(ap, fmt);
    w->rc = et_buf_vprintf(w->b, fmt, ap);
    va_end(ap);
}

static void esc(struct hw *w, const char *s)
{
    for (; s && *s && !w->rc; s++) {
        switch (*s) {
        case '&':
            hp(w, "&amp;");
            break;
        case '<':
            hp(w, "&lt;");
            break;
        case '>':
            hp(w, "&gt;");
            break;
        case '"':
            hp(w, "&quot;");
            break;
        case '\'':
            hp(w, "&#39;");
            break;
        default:
            hp(w, "%c", *s);
        }
    }
}

static const char css[] =
    "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:"
    "720px;color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:"
    "1.6em}table{border-collapse:collapse;margin:.5em 0}td,th{padding:"
    "2px 10px;border-bottom:1px solid #ddd;text-align:left}td.n{text-"
    "align:right}pre{background:#f4f4f4;padding:8px;font-size:.8em;"
    "white-space:pre-wrap;word-break:break-all}svg.chart{background:"
    "#fafafa;border:1px solid #ddd}.bar{fill:#4a78b0}.point{fill:#2a8a4a}"
    ".line{fill:none;stroke:#2a8a4a;stroke-width:2}.axis{stroke:#999}"
    "text{font-size:10px;fill:#555}";

/* A bar chart of (label, value) pairs. */
static void bars(struct hw *w, const char *id, const char *title,
                 struct json_object *a, const char *label_key,
                 const char *label_key2, const char *value_key)
{
    size_t n = a ? json_object_array_length(a) : 0;
    double max = 0, bw;

    for (size_t i = 0; i < n; i++) {
        double v = 0;

        et__rnum(json_object_array_get_idx(a, i), value_key, &v);
        max = v > max ? v : max;
    }
    hp(w,
       "<h2>%s</h2>\n<svg class=\"chart\" id=\"%s\" width=\"%d\" "
       "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
       title, id, CW, CH, CW, CH);
    hp(w, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
       PAD, CH - PAD, CW - 10, CH - PAD);
    hp(w, "<text x=\"2\" y=\"%d\">%.0f</text>\n", PAD, max);
    bw = n ? (double)(CW - PAD - 10) / (double)n : 0;
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(a, i);
        double v = 0, h, x = PAD + bw * (double)i;
        char lab[64];

        et__rnum(o, value_key, &v);
        h = max > 0 ? v / max * (CH - 2 * PAD) : 0;
        if (label_key2) {
            double lo = 0, hi = 0;

            et__rnum(o, label_key, &lo);
            et__rnum(o, label_key2, &hi);
            snprintf(lab, sizeof(lab), "%g-%g", lo, hi);
        } else {
            snprintf(lab, sizeof(lab), "%s",
                     et__rs(o, label_key) ? et__rs(o, label_key) : "");
        }
        hp(w,
           "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
           "height=\"%.1f\" data-label=\"",
           x + 1, CH - PAD - h, bw > 2 ? bw - 2 : bw, h);
        esc(w, lab);
        hp(w, "\" data-value=\"%g\"><title>", v);
        esc(w, lab);
        hp(w, ": %g</title></rect>\n", v);
        if (n <= 12) {
            hp(w, "<text x=\"%.1f\" y=\"%d\">", x + 2, CH - PAD + 12);
            esc(w, lab + (label_key2 ? 0 : (strlen(lab) > 5 ? 5 : 0)));
            hp(w, "</text>\n");
        }
    }
    hp(w, "</svg>\n");
}

/* Success rate per day: a line through a point per day with a verdict. */
static void rate_chart(struct hw *w, struct json_object *days)
{
    size_t n = days ? json_object_array_length(days) : 0;
    double step = n > 1 ? (double)(CW - PAD - 20) / (double)(n - 1) : 0;
    struct et_buf pts = ET_BUF_INIT;

    hp(w,
       "<h2>Success rate over time</h2>\n<svg class=\"chart\" "
       "id=\"chart-success\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
       "%d\" role=\"img\">\n",
       CW, CH, CW, CH);
    hp(w,
       "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
       "<text x=\"2\" y=\"%d\">100%%</text><text x=\"2\" y=\"%d\">0%%"
       "</text>\n",
       PAD, CH - PAD, CW - 10, CH - PAD, PAD, CH - PAD);
    for (size_t i = 0; i < n && !w->rc; i++) {
        struct json_object *d = json_object_array_get_idx(days, i);
        double v, x = PAD + 10 + step * (double)i, y;

        if (!et__rnum(d, "success_rate", &v))
            continue;
        y = CH - PAD - v * (CH - 2 * PAD);
        w->rc = et_buf_printf(&pts, "%s%.1f,%.1f", pts.len ? " " : "", x, y);
        hp(w,
           "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
           "data-label=\"%s\" data-value=\"%g\"><title>%s: %.1f%%</title>"
           "</circle>\n",
           x, y, et__rs(d, "date"), v, et__rs(d, "date"), 100 * v);
    }
    if (pts.len)
        hp(w, "<polyline class=\"line\" points=\"%s\"/>\n", pts.ptr);
    et_buf_release(&pts);
    hp(w, "</svg>\n");
}

/* The histogram with its empty buckets between the first and the last
 * filled in, so that the bars show the distribution's true shape. */
static struct json_object *filled(struct json_object *h)
{
    size_t n = h ? json_object_array_length(h) : 0;
    struct json_object *a = et__jnew_array();
    int64_t next = 0;

    for (size_t i = 0; a && i < n; i++) {
        struct json_object *o = json_object_array_get_idx(h, i);
        int64_t b = et__rint(o, "bucket");

        for (; i > 0 && next < b; next++) {
            struct json_object *z = et__jnew_object();
            char lo[32], hi[32];

            snprintf(lo, sizeof(lo), "%.1f", et__dur_bucket_lo((int)next));
            snprintf(hi, sizeof(hi), "%.1f", et__dur_bucket_hi((int)next));
            et__jadd(z, "from_ms", et__jnew_double_s(strtod(lo, NULL), lo));
            et__jadd(z, "to_ms", et__jnew_double_s(strtod(hi, NULL), hi));
            et__jadd(z, "count", et__jnew_int(0));
            et__jappend(a, z);
        }
        et__jappend(a, json_object_get(o));
        next = b + 1;
    }
    return a;
}

static void row(struct hw *w, const char *k, const char *v)
{
    hp(w, "<tr><th>%s</th><td>", k);
    esc(w, v);
    hp(w, "</td></tr>\n");
}

static void summary(struct hw *w, struct json_object *m)
{
    char a[24], b[24], c[24], d[24], line[160];

    hp(w, "<table id=\"summary\">\n");
    snprintf(line, sizeof(line), "%lld",
             (long long)et__rint(m, "executions.total"));
    row(w, "Executions", line);
    et__fmt_rate(m, "success_rate", a);
    snprintf(line, sizeof(line), "%s (%lld MATCH of %lld verified)", a,
             (long long)et__rint(m, "executions.match"),
             (long long)et__rint(m, "executions.verified"));
    row(w, "Success rate", line);
    et__fmt_ms(m, "duration_ms.avg", a);
    et__fmt_ms(m, "duration_ms.p50", b);
    et__fmt_ms(m, "duration_ms.p95", c);
    et__fmt_ms(m, "duration_ms.p99", d);
    snprintf(line, sizeof(line), "avg %s, p50 %s, p95 %s, p99 %s", a, b, c, d);
    row(w, "Duration", line);
    et__fmt_num(m, "quality.average_score", 2, a);
    snprintf(line, sizeof(line), "%s (%lld scored)", a,
             (long long)et__rint(m, "quality.scored"));
    row(w, "Average quality score", line);
    hp(w, "</table>\n");
}

static void list(struct hw *w, struct json_object *m, const char *key,
                 const char *title, const char *field)
{
    struct json_object *a = et__rj(m, key);
    size_t n = a ? json_object_array_length(a) : 0;

    if (!a)
        return;
    hp(w, "<h2>%s</h2>\n<ul>\n", title);
    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(a, i);

        hp(w, "<li>");
        if (et__rj(g, "count"))
            hp(w, "%lld &times; ", (long long)et__rint(g, "count"));
        esc(w, et__rs(g, field));
        hp(w, "</li>\n");
    }
    if (!n)
        hp(w, "<li>none</li>\n");
    hp(w, "</ul>\n");
}

static void agents_table(struct hw *w, struct json_object *m)
{
    struct json_object *a = et__rj(m, "leaderboard");
    size_t n;

    if (!a)
        a = et__rj(m, "agents_used");
    if (!a)
        return;
    n = json_object_array_length(a);
    hp(w, "<h2>Agents</h2>\n<table id=\"agents\"><tr><th>Agent</th>"
          "<th>Runs</th><th>Success</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(a, i);
        char r[24];

        et__fmt_rate(g, "success_rate", r);
        hp(w, "<tr><td>");
        esc(w, et__agent_shown(g, "name"));
        hp(w, "</td><td class=\"n\">%lld</td><td class=\"n\">%s</td></tr>\n",
           (long long)et__rint(g, "executions"), r);
    }
    hp(w, "</table>\n");
}

static void title(struct hw *w, struct json_object *m)
{
    const char *kind = et__rs(m, "kind");

    hp(w, "<title>exectrail ");
    if (!strcmp(kind, "daily"))
        hp(w, "daily report %s", et__rs(m, "date"));
    else if (!strcmp(kind, "agent"))
        esc(w, et__rs(m, "agent"));
    else
        hp(w, "agents");
    hp(w, "</title>\n");
}

int et__report_html(struct json_object *m, struct et_buf *out)
{
    struct hw w = {out, 0};
    const char *kind = et__rs(m, "kind");
    struct json_object *hist;
    char trend[256];

    hp(&w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset="
           "\"utf-8\">\n");
    title(&w, m);
    hp(&w, "<style>%s</style>\n</head>\n<body>\n<h1>", css);
    if (!strcmp(kind, "daily"))
        hp(&w, "Daily report %s", et__rs(m, "date"));
    else if (!strcmp(kind, "agent")) {
        hp(&w, "Agent ");
        esc(&w, et__rs(m, "agent"));
    } else
        hp(&w, "Agents");
    hp(&w, " <small>(%s to %s, %s)</small></h1>\n", et__rs(m, "period.from"),
       et__rs(m, "period.to"), et__rs(m, "period.tz"));
    hp(&w,
       "<p id=\"checkpoint\">Computed from ledger checkpoint: %lld "
       "events, root <code>%s</code>. ",
       (long long)et__rint(m, "checkpoint.tree_size"),
       et__rs(m, "checkpoint.root"));
    esc(&w, et__checkpoint_sentence(m));
    hp(&w, "</p>\n");
    hp(&w, "<p id=\"verification\" data-status=\"%s\">Verification: ",
       et__rs(m, "ledger_verification.status"));
    esc(&w, et__rs(m, "ledger_verification.message"));
    hp(&w, "</p>\n");
    if (et__rs(m, "checkpoint.signed_note")) {
        hp(&w, "<pre id=\"signed-note\">");
        esc(&w, et__rs(m, "checkpoint.signed_note"));
        hp(&w, "</pre>\n");
    }
    summary(&w, m);
    if (!strcmp(kind, "agent")) {
        et__trend_text(et__rj(m, "performance_trend"), trend, sizeof(trend));
        hp(&w, "<h2>Performance trend</h2>\n<p id=\"trend\">");
        esc(&w, trend);
        hp(&w, "</p>\n");
    }
    bars(&w, "chart-executions", "Executions per day", et__rj(m, "days"),
         "date", NULL, "executions");
    rate_chart(&w, et__rj(m, "days"));
    hist = filled(et__rj(m, "duration_histogram"));
    bars(&w, "chart-duration", "Duration distribution (ms, log scale)", hist,
         "from_ms", "to_ms", "count");
    json_object_put(hist);
    bars(&w, "chart-quality", "Quality score distribution",
         et__rj(m, "quality.distribution"), "from", "to", "count");
    agents_table(&w, m);
    list(&w, m, "top_issues", "Top issues", "signature");
    list(&w, m, "common_failure_modes", "Common failure modes", "signature");
    list(&w, m, "improvement_opportunities", "Improvement opportunities",
         "message");
    list(&w, m, "recommendations", "Recommendations", "message");
    hp(&w, "</body>\n</html>\n");
    return w.rc;
}
