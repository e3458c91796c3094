/* SPDX-License-Identifier: MIT */
/*
 * Dashboard pages over the reports and the ledger (docs/DASHBOARD.md): the
 * agents (leaderboard with trends, or one agent), the daily report (the
 * HTML report renderer's body, embedded), and the ledger (tree size, the
 * latest signed checkpoint, verification on request, proofs).
 */
#include "base/setup.h"
#include "http/dash_int.h"

#include "base/alloc.h"
#include "base/time.h"
#include "exectrail/query.h"
#include "exectrail/report.h"
#include "http/params.h"

/* query parameters of a page: 0, or -1 after an HTML 400 */
static int page_args(struct et_http_ctx *c, const char *const *known)
{
    size_t bad = 0;
    bool unknown = false;

    if (et__http_params_check(c->query, c->query_len, known, &bad, &unknown) ==
        0)
        return 0;
    et__dash_fail(c, 400, "Bad request",
                  unknown ? "unknown query parameter"
                          : "malformed query string");
    return -1;
}

static int arg(struct et_http_ctx *c, const char *name, char *out, size_t cap)
{
    int r = et__http_param(c->query, c->query_len, name, out, cap, NULL);

    if (r < 0) {
        out[0] = '\0';
        et__dash_fail(c, 400, "Bad request", "malformed query parameter");
    }
    return r;
}

/*
 * The body of a report rendered by the HTML renderer, without its own
 * document and style sheet (dash.css styles .report the same way), so the
 * page keeps one strict Content-Security-Policy.
 */
static void embed_report(struct et_html *h, const char *html)
{
    const char *b = strstr(html, "<body>");
    const char *e = b ? strstr(b, "</body>") : NULL;

    if (!b || !e) {
        et__html_raw(h, "<p class=\"error\">the report could not be "
                        "embedded</p>\n");
        return;
    }
    b += 6;
    et__html_raw(h, "<div class=\"report\">\n");
    if (!h->rc)
        h->rc = et_buf_add(&h->b, b, (size_t)(e - b));
    et__html_raw(h, "</div>\n");
}

static int run_report(struct et_http_ctx *c, const struct et_report_opts *o,
                      char **html, struct et_error *err)
{
    size_t len = 0;
    int rc;

    pthread_mutex_lock(&c->h->report_mu);
    rc = et_report(c->t, o, ET_REPORT_HTML, html, &len, err);
    pthread_mutex_unlock(&c->h->report_mu);
    return rc;
}

/* ---- agents ---- */

struct agent_rows {
    struct et_html *h;
    size_t n;
};

static int agent_row(void *ctx, const struct et_agent_stats *s)
{
    struct agent_rows *a = ctx;
    struct et_html *h = a->h;
    char dur[32];
    const char *name = s->agent_name ? s->agent_name : "";

    a->n++;
    et__html_duration(dur, sizeof(dur),
                      s->avg_duration_ms < 0 ? -1
                                             : (int64_t)s->avg_duration_ms);
    et__html_raw(h, "<tr><td><a href=\"/ui/agents?name=");
    et__html_url(h, name);
    et__html_raw(h, "\">");
    et__html_esc(h, s->agent_name ? name : "(no name)");
    et__html_printf(h, "</a></td><td class=\"num\">%lld</td>",
                    (long long)s->executions);
    if (s->success_rate < 0)
        et__html_raw(h, "<td class=\"num\">\xe2\x80\x94</td>");
    else
        et__html_printf(h, "<td class=\"num\">%.0f%%</td>",
                        s->success_rate * 100);
    et__html_printf(h,
                    "<td class=\"num\">%lld / %lld / %lld / %lld</td>"
                    "<td class=\"num\">%s</td><td class=\"num\">%lld",
                    (long long)s->match, (long long)s->partial,
                    (long long)s->mismatch, (long long)s->error, dur,
                    (long long)s->actions);
    if (s->failed_actions)
        et__html_printf(h, " <span class=\"fail\">(%lld failed)</span>",
                        (long long)s->failed_actions);
    et__html_raw(h, "</td><td><a href=\"/?agent=");
    et__html_url(h, name);
    et__html_raw(h, "\">executions</a></td></tr>\n");
    return 0;
}

void et__dash_agents(struct et_http_ctx *c)
{
    static const char *const known[] = {"name", "days", "token", NULL};
    struct et_error err = ET_ERROR_INIT;
    struct et_html h = {ET_BUF_INIT, 0};
    struct et_report_opts o;
    struct agent_rows rows = {&h, 0};
    char name[256] = "", *html = NULL;
    uint64_t days = 30;
    int rc;

    if (page_args(c, known) || arg(c, "name", name, sizeof(name)) < 0)
        return;
    if (et__http_arg_u64(c, "days", 30, 1, 366, &days) < 0) {
        et__dash_fail(c, 400, "Bad request", "days: a number from 1 to 366");
        return;
    }
    memset(&o, 0, sizeof(o));
    o.kind = name[0] ? ET_REPORT_AGENT : ET_REPORT_AGENTS;
    o.agent = name[0] ? name : NULL;
    o.days = (int64_t)days;
    et__dash_head(&h, name[0] ? name : "Agents", ET_NAV_AGENTS);
    et__html_raw(&h, "<h1>Agents</h1>\n<form class=\"filters\" method=\"get\" "
                     "action=\"/ui/agents\"><label>Agent <input name=\"name\" "
                     "value=\"");
    et__html_esc(&h, name);
    et__html_printf(&h,
                    "\"></label><label>Days <input name=\"days\" "
                    "type=\"number\" min=\"1\" max=\"366\" value=\"%llu\">"
                    "</label><button type=\"submit\">Show</button></form>\n",
                    (unsigned long long)days);
    et__html_raw(&h, "<div class=\"scroll\"><table class=\"list\"><caption>"
                     "Every agent, all time</caption><thead><tr><th "
                     "scope=\"col\">Agent</th><th scope=\"col\">Executions</th>"
                     "<th scope=\"col\">Success</th><th scope=\"col\">MATCH / "
                     "PARTIAL / MISMATCH / ERROR</th><th scope=\"col\">Average "
                     "duration</th><th scope=\"col\">Actions</th><th "
                     "scope=\"col\"></th></tr></thead><tbody>\n");
    rc = et_stats_agents(c->t, NULL, agent_row, &rows, &err);
    if (!rc && rows.n == 0)
        et__html_raw(&h, "<tr class=\"empty\"><td colspan=\"7\">No "
                         "executions yet.</td></tr>\n");
    et__html_raw(&h, "</tbody></table></div>\n");
    if (!rc) {
        rc = run_report(c, &o, &html, &err);
        if (rc == ET_ENOTFOUND && name[0]) {
            et__html_raw(&h, "<p class=\"error\" role=\"alert\">");
            et__html_esc(&h, err.msg);
            et__html_raw(&h, "</p>\n");
            rc = 0;
        } else if (!rc) {
            embed_report(&h, html);
        }
    }
    et_trail_free_string(html);
    if (rc) {
        et_buf_release(&h.b);
        et__dash_fail_lib(c, &err);
        return;
    }
    et__dash_foot(&h);
    et__dash_send(c, 200, &h);
}

/* ---- the daily report ---- */

void et__dash_daily(struct et_http_ctx *c)
{
    static const char *const known[] = {"date", "token", NULL};
    struct et_error err = ET_ERROR_INIT;
    struct et_html h = {ET_BUF_INIT, 0};
    struct et_report_opts o;
    char date[32] = "", *html = NULL;
    int rc;

    if (page_args(c, known) || arg(c, "date", date, sizeof(date)) < 0)
        return;
    memset(&o, 0, sizeof(o));
    o.kind = ET_REPORT_DAILY;
    o.date = date[0] ? date : NULL;
    rc = run_report(c, &o, &html, &err);
    if (rc) {
        et__dash_fail_lib(c, &err);
        return;
    }
    et__dash_head(&h, "Daily report", ET_NAV_DAILY);
    et__html_raw(&h, "<form class=\"filters\" method=\"get\" "
                     "action=\"/ui/reports/daily\"><label>Day (UTC) <input "
                     "name=\"date\" type=\"date\" value=\"");
    et__html_esc(&h, date);
    et__html_raw(&h, "\"></label><button type=\"submit\">Show</button> "
                     "<a href=\"/v1/reports/daily?format=json\">JSON</a>"
                     "</form>\n");
    embed_report(&h, html);
    et_trail_free_string(html);
    et__dash_foot(&h);
    et__dash_send(c, 200, &h);
}

/* ---- the ledger ---- */

static void hex(struct et_html *h, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        et__html_printf(h, "%02x", b[i]);
}

static void checkpoint_box(struct et_http_ctx *c, struct et_html *h)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_signer s;
    struct et_checkpoint cp;
    const char *key = et_trail_verifier_key(c->t);
    char *note = NULL;
    int rc;

    et__html_raw(h, "<h2>Latest signed checkpoint</h2>\n");
    rc = et_trail_latest_checkpoint(c->t, &note, &err);
    if (rc || !note) {
        et__html_raw(h, "<p>");
        et__html_esc(h, rc ? err.msg
                           : "none signed yet (exectrail checkpoint, or "
                             "any proof, signs one)");
        et__html_raw(h, "</p>\n");
        return;
    }
    memset(&s, 0, sizeof(s));
    rc = key ? et_signer_parse(key, strlen(key), &s, &err)
             : et_error_set(&err, ET_ENOTFOUND, "no verifier key");
    if (!rc)
        rc = et_checkpoint_verify(note, strlen(note), &s, &cp, &err);
    if (!rc) {
        char ts[ET_RFC3339_MAX] = "";
        if (cp.time_ns)
            et_time_format(cp.time_ns, ts);
        et__html_printf(h,
                        "<dl class=\"kv\"><dt>Tree size</dt><dd>%llu</dd>"
                        "<dt>Root</dt><dd><code>",
                        (unsigned long long)cp.size);
        hex(h, cp.root, sizeof(cp.root));
        et__html_raw(h, "</code></dd><dt>Signed at</dt><dd>");
        et__html_esc(h, ts);
        et__html_raw(h, "</dd><dt>Signature</dt><dd><span class=\"badge "
                        "v-match\">valid</span> for this trail's key</dd>"
                        "</dl>\n");
    } else {
        et__html_raw(h, "<p class=\"error\">Signature: ");
        et__html_esc(h, err.msg);
        et__html_raw(h, "</p>\n");
    }
    et__html_raw(h, "<pre class=\"text\">");
    et__html_esc(h, note);
    et__html_raw(h, "</pre>\n");
    et_trail_free_string(note);
}

static void verify_box(struct et_http_ctx *c, struct et_html *h)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_verify_report rep;
    int rc;

    memset(&rep, 0, sizeof(rep));
    rc = et_trail_verify(c->t, NULL, 0, &rep, &err);
    et__html_raw(h, "<div id=\"verify-result\" role=\"status\" class=\"");
    if (rc == ET_OK) {
        et__html_printf(h,
                        "ok\"><p><span class=\"badge v-match\">verified"
                        "</span> %llu events and %llu stored checkpoints "
                        "check: every leaf hash recomputed from the stored "
                        "bytes, the tree rebuilt, every signature checked. "
                        "Root <code>",
                        (unsigned long long)rep.events,
                        (unsigned long long)rep.checkpoints);
        hex(h, rep.root, sizeof(rep.root));
        et__html_raw(h, "</code>.</p>");
        if (rep.erased_note[0]) {
            et__html_printf(h, "<p>%llu events erased by policy; the first: ",
                            (unsigned long long)rep.erased);
            et__html_esc(h, rep.erased_note);
            et__html_raw(h, "</p>");
        }
    } else if (rc == ET_EINTEGRITY) {
        et__html_printf(h,
                        "error\"><p><span class=\"badge v-error\">FAILED"
                        "</span> at event %lld",
                        (long long)rep.bad_seq);
        if (rep.bad_execution[0]) {
            et__html_raw(h, " (execution <a href=\"/ui/executions/");
            et__html_esc(h, rep.bad_execution);
            et__html_raw(h, "\">");
            et__html_esc(h, rep.bad_execution);
            et__html_raw(h, "</a>)");
        }
        et__html_raw(h, ": ");
        et__html_esc(h, rep.problem[0] ? rep.problem : err.msg);
        et__html_raw(h, "</p>");
    } else {
        et__html_raw(h, "error\"><p>Cannot verify: ");
        et__html_esc(h, err.msg);
        et__html_raw(h, "</p>");
    }
    et__html_raw(h, "</div>\n");
}

void et__dash_ledger(struct et_http_ctx *c)
{
    static const char *const known[] = {"verify", "execution", "token", NULL};
    struct et_error err = ET_ERROR_INIT;
    struct et_html h = {ET_BUF_INIT, 0};
    char verify[8] = "", exec[64] = "";
    const char *key;
    uint64_t size = 0;
    int rc;

    if (page_args(c, known) || arg(c, "verify", verify, sizeof(verify)) < 0 ||
        arg(c, "execution", exec, sizeof(exec)) < 0)
        return;
    rc = et_trail_size(c->t, &size, &err);
    if (rc) {
        et__dash_fail_lib(c, &err);
        return;
    }
    key = et_trail_verifier_key(c->t);
    et__dash_head(&h, "Ledger", ET_NAV_LEDGER);
    et__html_printf(&h,
                    "<h1>Ledger</h1>\n<dl class=\"kv\"><dt>Tree size</dt>"
                    "<dd id=\"tree-size\">%llu events</dd><dt>Verifier key"
                    "</dt><dd><code>",
                    (unsigned long long)size);
    et__html_esc(&h, key ? key : "(none yet)");
    et__html_raw(&h, "</code></dd></dl>\n");
    checkpoint_box(c, &h);
    et__html_raw(&h, "<h2>Verify</h2>\n<form method=\"get\" "
                     "action=\"/ui/ledger\"><input type=\"hidden\" "
                     "name=\"verify\" value=\"1\"><button type=\"submit\" "
                     "id=\"verify\">Verify the whole ledger now</button> "
                     "<span class=\"hint\">as <code>exectrail verify</code>: "
                     "reads every event</span></form>\n");
    if (strcmp(verify, "1") == 0)
        verify_box(c, &h);
    et__html_raw(&h, "<h2>Inclusion proof</h2>\n<form method=\"get\" "
                     "action=\"/ui/ledger\"><label>Execution id <input "
                     "name=\"execution\" value=\"");
    et__html_esc(&h, exec);
    et__html_raw(&h, "\"></label><button type=\"submit\">Get the proof"
                     "</button></form>\n");
    if (exec[0]) {
        bool ok = strspn(exec, "0123456789abcdefABCDEF-_") == strlen(exec);
        if (ok) {
            et__html_raw(&h, "<p><a download=\"proof-");
            et__html_esc(&h, exec);
            et__html_raw(&h, ".json\" href=\"/ui/executions/");
            et__html_esc(&h, exec);
            et__html_raw(&h, "/proof\">Download the inclusion proof of ");
            et__html_esc(&h, exec);
            et__html_raw(&h, " (JSON)</a>: every event of the execution "
                             "against a freshly signed checkpoint, to check "
                             "as docs/LEDGER.md shows.</p>\n");
        } else {
            et__html_raw(&h, "<p class=\"error\">not an execution id</p>\n");
        }
    }
    et__dash_foot(&h);
    et__dash_send(c, 200, &h);
}
