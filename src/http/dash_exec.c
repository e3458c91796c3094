/* SPDX-License-Identifier: MIT */
/*
 * The execution page of the dashboard (docs/DASHBOARD.md): the spec record
 * of `exectrail show --json` laid out as the spec's seven phases, with an
 * action timeline (a waterfall of durations, failures marked), the verdict
 * with its evidence per criterion, the files, commands and API calls, and
 * redaction markers shown as such. Also its inclusion proof as a download.
 */
#include "base/setup.h"
#include "http/dash_int.h"

#include "base/time.h"
#include "codec/json.h"

#define WF_WIDTH   1000 /* the waterfall's viewBox width */
#define INLINE_MAX 160  /* longer or multi-line text goes in a block */

static bool strings_only(struct json_object *a)
{
    size_t n = json_object_array_length(a);

    for (size_t i = 0; i < n; i++)
        if (!json_object_is_type(json_object_array_get_idx(a, i),
                                 json_type_string))
            return false;
    return n > 0;
}

/* any JSON value: a string as text, a list of strings as a list, anything
 * else as pretty JSON */
static void value(struct et_html *h, struct json_object *v)
{
    const char *s;

    if (!v) {
        et__html_raw(h, "<span class=\"none\">\xe2\x80\x94</span>");
        return;
    }
    if (json_object_is_type(v, json_type_string)) {
        s = json_object_get_string(v);
        if (strlen(s) > INLINE_MAX || strchr(s, '\n')) {
            et__html_raw(h, "<pre class=\"text\">");
            et__html_text(h, s);
            et__html_raw(h, "</pre>");
        } else {
            et__html_text(h, s);
        }
        return;
    }
    if (json_object_is_type(v, json_type_array) &&
        json_object_array_length(v) == 0) {
        et__html_raw(h, "<span class=\"none\">none</span>");
        return;
    }
    if (json_object_is_type(v, json_type_array) && strings_only(v)) {
        et__html_raw(h, "<ul class=\"items\">");
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            et__html_raw(h, "<li>");
            et__html_text(
                h, json_object_get_string(json_object_array_get_idx(v, i)));
            et__html_raw(h, "</li>");
        }
        et__html_raw(h, "</ul>");
        return;
    }
    s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PRETTY |
                                              JSON_C_TO_STRING_NOSLASHESCAPE);
    if (json_object_is_type(v, json_type_object) ||
        json_object_is_type(v, json_type_array))
        et__html_raw(h, "<pre class=\"text\">");
    et__html_text(h, s);
    if (json_object_is_type(v, json_type_object) ||
        json_object_is_type(v, json_type_array))
        et__html_raw(h, "</pre>");
}

/* a <dt>/<dd> pair per key of o that is present */
static void fields(struct et_html *h, struct json_object *o,
                   const char *const (*keys)[2], size_t n)
{
    size_t shown = 0;

    et__html_raw(h, "<dl class=\"kv\">");
    for (size_t i = 0; i < n; i++) {
        struct json_object *v = et__jget(o, keys[i][0]);
        if (!v)
            continue;
        shown++;
        et__html_printf(h, "<dt>%s</dt><dd>", keys[i][1]);
        value(h, v);
        et__html_raw(h, "</dd>");
    }
    if (!shown)
        et__html_raw(h, "<dt>Recorded</dt><dd class=\"none\">nothing for "
                        "this phase</dd>");
    et__html_raw(h, "</dl>\n");
}

/* a list of strings under a heading, or nothing when empty */
static void list(struct et_html *h, struct json_object *o, const char *k,
                 const char *title, bool is_code)
{
    struct json_object *a = et__jget(o, k);
    size_t n = a && json_object_is_type(a, json_type_array)
                   ? json_object_array_length(a)
                   : 0;

    et__html_printf(h, "<h3>%s <span class=\"count\">(%zu)</span></h3>\n",
                    title, n);
    if (!n) {
        et__html_raw(h, "<p class=\"none\">none</p>\n");
        return;
    }
    et__html_raw(h, "<ul class=\"items\">");
    for (size_t i = 0; i < n; i++) {
        et__html_raw(h, is_code ? "<li><code>" : "<li>");
        value(h, json_object_array_get_idx(a, i));
        et__html_raw(h, is_code ? "</code></li>" : "</li>");
    }
    et__html_raw(h, "</ul>\n");
}

static int64_t time_of(struct json_object *o, const char *k)
{
    const char *s = et__jstr(o, k);
    int64_t ns = 0;

    if (!s || et_time_parse(s, strlen(s), false, &ns) != ET_OK)
        return 0;
    return ns;
}

static void badge(struct et_html *h, const char *status)
{
    const char *v = status ? status : "UNVERIFIED";

    et__html_raw(h, "<span class=\"badge v-");
    for (const char *p = v; *p; p++)
        et__html_printf(h, "%c", *p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    et__html_raw(h, "\">");
    et__html_esc(h, v);
    et__html_raw(h, "</span>");
}

/* ---- phase 3: the action timeline ---- */

struct span {
    int64_t start_ns, dur_ns; /* dur_ns < 0: unknown */
};

static void waterfall_row(struct et_html *h, struct json_object *a,
                          const struct span *sp, int64_t t0, int64_t span_ns)
{
    struct json_object *ok = et__jget(a, "success");
    bool is_fail = (ok && json_object_is_type(ok, json_type_boolean) &&
                    !json_object_get_boolean(ok)) ||
                   et__jstr(a, "error");
    struct json_object *seq = et__jget(a, "sequence");
    const char *what =
        et__jstr(a, "action") ? et__jstr(a, "action") : et__jstr(a, "input");
    char dur[32];

    et__html_duration(dur, sizeof(dur),
                      sp->dur_ns < 0 ? -1 : sp->dur_ns / 1000000);
    et__html_printf(h, "<tr%s><td class=\"num\">%lld</td><td><code>",
                    is_fail ? " class=\"failed\"" : "",
                    seq ? (long long)json_object_get_int64(seq) : 0LL);
    et__html_esc(h, et__jstr(a, "tool"));
    et__html_raw(h, "</code></td><td class=\"what\"><details><summary>");
    if (what && strlen(what) > 90) {
        /* cut at a character boundary */
        size_t n = 90;
        while (n > 0 && ((unsigned char)what[n] & 0xC0) == 0x80)
            n--;
        et__html_escn(h, what, n);
        et__html_raw(h, "\xe2\x80\xa6");
    } else {
        et__html_esc(h, what ? what : "(no input)");
    }
    et__html_raw(h, "</summary>");
    {
        static const char *const keys[][2] = {
            {"action", "Action"}, {"input", "Input"},    {"output", "Output"},
            {"error", "Error"},   {"timestamp", "Time"},
        };
        fields(h, a, keys, ET_ARRAY_SIZE(keys));
    }
    et__html_printf(h, "</details></td><td class=\"num\">%s</td><td>%s", dur,
                    is_fail ? "<span class=\"badge v-error\">failed</span>"
                    : ok    ? "ok"
                            : "");
    if (et__jstr(a, "error")) {
        et__html_raw(h, " <span class=\"fail\">");
        et__html_text(h, et__jstr(a, "error"));
        et__html_raw(h, "</span>");
    }
    et__html_raw(h, "</td><td class=\"wf\">");
    if (sp->start_ns && span_ns > 0) {
        int64_t x = (sp->start_ns - t0) * WF_WIDTH / span_ns;
        int64_t w = sp->dur_ns > 0 ? sp->dur_ns * WF_WIDTH / span_ns : 0;
        if (x < 0)
            x = 0;
        if (x > WF_WIDTH - 4)
            x = WF_WIDTH - 4;
        if (w < 4)
            w = 4;
        if (x + w > WF_WIDTH)
            w = WF_WIDTH - x;
        et__html_printf(
            h,
            "<svg viewBox=\"0 0 %d 10\" preserveAspectRatio=\"none\" "
            "aria-hidden=\"true\"><rect class=\"wf-bar%s\" "
            "x=\"%lld\" y=\"0\" width=\"%lld\" height=\"10\"/>"
            "</svg>",
            WF_WIDTH, is_fail ? " fail" : "", (long long)x, (long long)w);
    }
    et__html_raw(h, "</td></tr>\n");
}

static void timeline(struct et_html *h, struct json_object *rec)
{
    struct json_object *ex = et__jget(rec, "execution");
    struct json_object *acts = et__jget(ex, "actions_taken");
    size_t n = acts && json_object_is_type(acts, json_type_array)
                   ? json_object_array_length(acts)
                   : 0;
    int64_t t0 = time_of(rec, "timestamp_start"),
            t1 = time_of(rec, "timestamp_end");
    struct span sp[1];
    int64_t first = 0, last = 0;
    size_t failed = 0;

    et__html_printf(h,
                    "<h3>Action timeline <span class=\"count\">(%zu "
                    "actions)</span></h3>\n",
                    n);
    if (!n) {
        et__html_raw(h, "<p class=\"none\">no actions recorded</p>\n");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t ts = time_of(json_object_array_get_idx(acts, i), "timestamp");
        if (ts && (!first || ts < first))
            first = ts;
        if (ts > last)
            last = ts;
    }
    if (!t0 || (first && first < t0))
        t0 = first;
    if (t1 < last)
        t1 = last;
    et__html_raw(h, "<div class=\"scroll\"><table class=\"timeline\" "
                    "id=\"timeline\"><caption class=\"sr\">Actions in order, "
                    "with their durations</caption><thead><tr><th "
                    "scope=\"col\">#</th><th scope=\"col\">Tool</th><th "
                    "scope=\"col\">What</th><th scope=\"col\">Duration</th>"
                    "<th scope=\"col\">Result</th><th scope=\"col\" "
                    "class=\"wf\">Waterfall</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        struct json_object *a = json_object_array_get_idx(acts, i);
        struct json_object *d = et__jget(a, "duration_ms");
        int64_t next = 0;

        sp[0].start_ns = time_of(a, "timestamp");
        sp[0].dur_ns = -1;
        for (size_t j = i + 1; j < n && !next; j++)
            next = time_of(json_object_array_get_idx(acts, j), "timestamp");
        if (d && json_object_is_type(d, json_type_int))
            sp[0].dur_ns = json_object_get_int64(d) * 1000000;
        else if (sp[0].start_ns && next >= sp[0].start_ns)
            sp[0].dur_ns = next - sp[0].start_ns; /* until the next one */
        else if (sp[0].start_ns && t1 >= sp[0].start_ns)
            sp[0].dur_ns = t1 - sp[0].start_ns;
        if (et__jstr(a, "error") ||
            (et__jget(a, "success") &&
             !json_object_get_boolean(et__jget(a, "success"))))
            failed++;
        waterfall_row(h, a, sp, t0, t1 > t0 ? t1 - t0 : 0);
    }
    et__html_raw(h, "</tbody></table></div>\n");
    if (failed)
        et__html_printf(h, "<p class=\"fail\">%zu failed action%s</p>\n",
                        failed, failed == 1 ? "" : "s");
    et__html_raw(h, "<p class=\"hint\">A duration is the action's own "
                    "<code>duration_ms</code> when recorded, else the time "
                    "until the next action (or the end).</p>\n");
}

/* ---- phase 5: the verdict and its evidence ---- */

static void verdict(struct et_html *h, struct json_object *rec)
{
    static const char *const vkeys[][2] = {
        {"confidence_score", "Confidence"},
        {"manual_verification_required", "Manual check needed"},
        {"expected_vs_actual", "Expected vs actual"},
    };
    static const char *const qkeys[][2] = {
        {"completeness", "Completeness"},
        {"accuracy", "Accuracy"},
        {"efficiency", "Efficiency"},
        {"adherence_to_standards", "Adherence to standards"},
    };
    struct json_object *v = et__jget(rec, "verification");
    struct json_object *cr = et__jget(v, "criteria");
    struct json_object *iss = et__jget(rec, "issues");
    size_t n = cr && json_object_is_type(cr, json_type_array)
                   ? json_object_array_length(cr)
                   : 0;

    et__html_raw(h, "<p>Verdict: ");
    badge(h, et__jstr(v, "status"));
    et__html_raw(h, "</p>\n");
    fields(h, v, vkeys, ET_ARRAY_SIZE(vkeys));
    et__html_printf(h,
                    "<h3>Evidence per criterion <span class=\"count\">"
                    "(%zu)</span></h3>\n",
                    n);
    if (n) {
        et__html_raw(h, "<div class=\"scroll\"><table class=\"evidence\" "
                        "id=\"evidence\"><thead><tr><th scope=\"col\">"
                        "Criterion</th><th scope=\"col\">Source</th><th "
                        "scope=\"col\">Result</th><th scope=\"col\">Evidence"
                        "</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < n; i++) {
            struct json_object *c = json_object_array_get_idx(cr, i);
            const char *res = et__jstr(c, "result");
            et__html_raw(h, "<tr><td><code>");
            et__html_text(h, et__jstr(c, "criterion"));
            et__html_raw(h, "</code></td><td>");
            et__html_esc(h, et__jstr(c, "source"));
            et__html_printf(h, "</td><td><span class=\"badge r-%s\">",
                            res && !strcmp(res, "passed")   ? "passed"
                            : res && !strcmp(res, "failed") ? "failed"
                                                            : "other");
            et__html_esc(h, res);
            et__html_raw(h, "</span></td><td>");
            et__html_text(h, et__jstr(c, "evidence"));
            et__html_raw(h, "</td></tr>\n");
        }
        et__html_raw(h, "</tbody></table></div>\n");
    } else {
        list(h, v, "success_criteria_met", "Criteria met", true);
        list(h, v, "success_criteria_failed", "Criteria failed", true);
    }
    et__html_raw(h, "<h3>Quality</h3>\n");
    fields(h, et__jget(rec, "quality_metrics"), qkeys, ET_ARRAY_SIZE(qkeys));
    n = iss && json_object_is_type(iss, json_type_array)
            ? json_object_array_length(iss)
            : 0;
    et__html_printf(h, "<h3>Issues <span class=\"count\">(%zu)</span></h3>\n",
                    n);
    for (size_t i = 0; i < n; i++) {
        static const char *const ikeys[][2] = {
            {"description", "Description"}, {"impact", "Impact"},
            {"resolution", "Resolution"},   {"prevention", "Prevention"},
            {"signature", "Signature"},
        };
        struct json_object *it = json_object_array_get_idx(iss, i);
        et__html_raw(h, "<div class=\"issue\"><p>");
        badge(h, et__jstr(it, "type"));
        et__html_raw(h, "</p>");
        fields(h, it, ikeys, ET_ARRAY_SIZE(ikeys));
        et__html_raw(h, "</div>\n");
    }
}

/* ---- the page ---- */

static void phase(struct et_html *h, int n, const char *title)
{
    et__html_printf(h,
                    "<section id=\"phase-%d\" aria-labelledby=\"ph-%d\">"
                    "<h2 id=\"ph-%d\">%d. %s</h2>\n",
                    n, n, n, n, title);
}

static void summary(struct et_html *h, struct json_object *rec, const char *id)
{
    static const char *const keys[][2] = {
        {"session_id", "Session"},
        {"parent_execution_id", "Parent execution"},
        {"timestamp_start", "Started"},
        {"timestamp_end", "Ended"},
    };
    struct json_object *am = et__jget(rec, "agent_metadata");
    struct json_object *d = et__jget(rec, "duration_ms");
    char dur[32];

    et__html_duration(dur, sizeof(dur),
                      d && json_object_is_type(d, json_type_int)
                          ? json_object_get_int64(d)
                          : -1);
    et__html_raw(h, "<h1>Execution <code class=\"id\">");
    et__html_esc(h, id);
    et__html_raw(h, "</code></h1>\n<p class=\"meta\">");
    et__html_esc(h, et__jstr(am, "name") ? et__jstr(am, "name")
                                         : "(no agent name)");
    if (et__jstr(am, "version")) {
        et__html_raw(h, " ");
        et__html_esc(h, et__jstr(am, "version"));
    }
    et__html_printf(h, " \xc2\xb7 %s \xc2\xb7 ", dur);
    badge(h, et__jstr(et__jget(rec, "verification"), "status"));
    et__html_raw(h, "</p>\n");
    fields(h, rec, keys, ET_ARRAY_SIZE(keys));
    et__html_raw(h, "<nav class=\"phases\" aria-label=\"phases\"><ol>"
                    "<li><a href=\"#phase-1\">Pre-delegation</a></li>"
                    "<li><a href=\"#phase-2\">Delegation</a></li>"
                    "<li><a href=\"#phase-3\">Execution</a></li>"
                    "<li><a href=\"#phase-4\">Response</a></li>"
                    "<li><a href=\"#phase-5\">Verification</a></li>"
                    "<li><a href=\"#phase-6\">Storage</a></li>"
                    "<li><a href=\"#phase-7\">Learning</a></li></ol></nav>\n");
}

static void render(struct et_html *h, struct json_object *rec, const char *id)
{
    static const char *const ctx_keys[][2] = {
        {"user_request", "User request"},
        {"main_agent_reasoning", "Why this agent"},
        {"expected_outcome", "Expected outcome"},
        {"risk_assessment", "Risks"},
        {"success_criteria", "Success criteria"},
    };
    static const char *const agent_keys[][2] = {
        {"tools_available", "Tools available"},
        {"configuration", "Configuration"},
    };
    static const char *const del_keys[][2] = {
        {"prompt_sent", "Prompt sent"},
        {"prompt_length", "Prompt length"},
        {"context_provided", "Context provided"},
        {"instructions", "Instructions"},
    };
    static const char *const ex_keys[][2] = {
        {"real_time_status", "Status updates"},
        {"resource_usage", "Resource usage"},
    };
    static const char *const out_keys[][2] = {
        {"raw_response", "Response"},
        {"structured_data", "Structured data"},
    };
    static const char *const learn_keys[][2] = {
        {"agent_performance", "Agent performance"},
        {"recommendation_for_future", "Recommendation"},
    };
    struct json_object *out = et__jget(rec, "output");
    struct json_object *learn = et__jget(rec, "learning");

    summary(h, rec, id);
    phase(h, 1, "Pre-delegation");
    fields(h, et__jget(rec, "main_agent_context"), ctx_keys,
           ET_ARRAY_SIZE(ctx_keys));
    fields(h, et__jget(rec, "agent_metadata"), agent_keys,
           ET_ARRAY_SIZE(agent_keys));
    et__html_raw(h, "</section>\n");
    phase(h, 2, "Delegation");
    fields(h, et__jget(rec, "delegation"), del_keys, ET_ARRAY_SIZE(del_keys));
    et__html_raw(h, "</section>\n");
    phase(h, 3, "Execution");
    timeline(h, rec);
    fields(h, et__jget(rec, "execution"), ex_keys, ET_ARRAY_SIZE(ex_keys));
    et__html_raw(h, "</section>\n");
    phase(h, 4, "Response");
    fields(h, out, out_keys, ET_ARRAY_SIZE(out_keys));
    list(h, out, "files_modified", "Files modified", true);
    list(h, out, "commands_executed", "Commands executed", true);
    list(h, out, "api_calls_made", "API calls made", true);
    et__html_raw(h, "</section>\n");
    phase(h, 5, "Verification");
    verdict(h, rec);
    et__html_raw(h, "</section>\n");
    phase(h, 6, "Storage");
    et__html_raw(h, "<p>Every phase above is an event of the tamper-evident "
                    "ledger (docs/LEDGER.md). <a id=\"proof\" "
                    "download=\"proof-");
    et__html_esc(h, id);
    et__html_raw(h, ".json\" href=\"/ui/executions/");
    et__html_esc(h, id);
    et__html_raw(h, "/proof\">Download its inclusion proof (JSON)</a> "
                    "against a freshly signed checkpoint, or see the "
                    "<a href=\"/ui/ledger\">ledger</a>. The record as JSON: "
                    "<a href=\"/v1/executions/");
    et__html_esc(h, id);
    et__html_raw(h, "\">/v1/executions/");
    et__html_esc(h, id);
    et__html_raw(h, "</a>.</p>\n</section>\n");
    phase(h, 7, "Learning");
    list(h, learn, "insights_gained", "Insights gained", false);
    list(h, learn, "process_improvements", "Process improvements", false);
    fields(h, learn, learn_keys, ET_ARRAY_SIZE(learn_keys));
    et__html_raw(h, "</section>\n");
}

static int no_args(struct et_http_ctx *c)
{
    /* only the sign-in token may come along */
    const char *q = c->query;

    if (!q || c->query_len == 0 ||
        (c->query_len >= 5 && strncmp(q, "token", 5) == 0 &&
         !memchr(q, '&', c->query_len)))
        return 0;
    et__dash_fail(c, 400, "Bad request", "this page takes no parameters");
    return -1;
}

void et__dash_exec(struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_html h = {ET_BUF_INIT, 0};
    struct json_object *rec = NULL;
    char *json = NULL;
    const char *id;
    size_t len = 0;
    int rc;

    if (no_args(c))
        return;
    rc = et_trail_show(c->t, c->route.param, 0, &json, &len, &err);
    if (!rc)
        rc = et_json_parse(json, len, NULL, &rec, &err);
    et_trail_free_string(json);
    if (rc) {
        et__dash_fail_lib(c, &err);
        return;
    }
    id = et__jstr(rec, "execution_id") ? et__jstr(rec, "execution_id")
                                       : c->route.param;
    et__dash_head(&h, id, ET_NAV_NONE);
    render(&h, rec, id);
    et__dash_foot(&h);
    json_object_put(rec);
    et__dash_send(c, 200, &h);
}

void et__dash_proof(struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT;
    char *json = NULL;

    if (no_args(c))
        return;
    if (et_trail_proof(c->t, c->route.param, &json, &err)) {
        et__dash_fail_lib(c, &err);
        return;
    }
    et__http_reply(c, 200, "application/json", json, strlen(json));
    et_trail_free_string(json);
    et__dash_header(c,
                    "Content-Disposition: attachment; "
                    "filename=\"proof-%s.json\"",
                    c->route.param);
}
