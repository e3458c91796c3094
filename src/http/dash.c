/* SPDX-License-Identifier: MIT */
/*
 * The dashboard's frame (docs/DASHBOARD.md): HTML writing and escaping, the
 * page shell and its security headers, the browser sign-in (a token given
 * once as ?token= becomes an HttpOnly cookie), the executions list with its
 * query box and filters, and the Server-Sent Events feed that updates it.
 */
#include "base/setup.h"
#include "http/dash_int.h"

#include <stdarg.h>

#include "base/alloc.h"
#include "base/time.h"
#include "exectrail/query.h"
#include "http/params.h"

#define LIST_PAGE     50
#define EVENTS_IDS    50   /* executions announced per SSE answer */
#define EVENTS_BEHIND 5000 /* a client further behind skips ahead */
#define SSE_RETRY_MS  1500

/* ---- writing HTML ---- */

void et__html_raw(struct et_html *h, const char *s)
{
    if (!h->rc)
        h->rc = et_buf_addstr(&h->b, s);
}

void et__html_printf(struct et_html *h, const char *fmt, ...)
{
    va_list ap;

    if (h->rc)
        return;
    va_start(ap, fmt);
    h->rc = et_buf_vprintf(&h->b, fmt, ap);
    va_end(ap);
}

void et__html_escn(struct et_html *h, const char *s, size_t n)
{
    size_t i, run = 0;

    for (i = 0; i < n && !h->rc; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '&':
            rep = "&amp;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            break;
        }
        if (!rep)
            continue;
        if (i > run)
            h->rc = et_buf_add(&h->b, s + run, i - run);
        if (!h->rc)
            h->rc = et_buf_addstr(&h->b, rep);
        run = i + 1;
    }
    if (!h->rc && n > run)
        h->rc = et_buf_add(&h->b, s + run, n - run);
}

void et__html_esc(struct et_html *h, const char *s)
{
    if (s)
        et__html_escn(h, s, strlen(s));
}

void et__html_text(struct et_html *h, const char *s)
{
    static const char mark[] = "[REDACTED:";
    const char *p, *end;

    if (!s)
        return;
    while ((p = strstr(s, mark)) != NULL &&
           (end = strchr(p + sizeof(mark) - 1, ']')) != NULL && end - p < 200) {
        et__html_escn(h, s, (size_t)(p - s));
        et__html_raw(h, "<mark class=\"redacted\" title=\"a secret, redacted "
                        "before it was stored\">");
        et__html_escn(h, p, (size_t)(end + 1 - p));
        et__html_raw(h, "</mark>");
        s = end + 1;
    }
    et__html_esc(h, s);
}

void et__html_url(struct et_html *h, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; s && *s && !h->rc; s++) {
        unsigned char ch = (unsigned char)*s;
        char enc[4];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
            ch == '~') {
            h->rc = et_buf_addch(&h->b, (char)ch);
            continue;
        }
        enc[0] = '%';
        enc[1] = hex[ch >> 4];
        enc[2] = hex[ch & 15];
        enc[3] = '\0';
        h->rc = et_buf_addstr(&h->b, enc);
    }
}

void et__html_duration(char *out, size_t cap, int64_t ms)
{
    if (ms < 0)
        snprintf(out, cap, "\xe2\x80\x94"); /* em dash */
    else if (ms < 1000)
        snprintf(out, cap, "%lld ms", (long long)ms);
    else if (ms < 60000)
        snprintf(out, cap, "%.1f s", (double)ms / 1000.0);
    else if (ms < 3600000)
        snprintf(out, cap, "%lldm %02llds", (long long)(ms / 60000),
                 (long long)(ms / 1000 % 60));
    else
        snprintf(out, cap, "%lldh %02lldm", (long long)(ms / 3600000),
                 (long long)(ms / 60000 % 60));
}

/* ---- the page shell ---- */

void et__dash_head(struct et_html *h, const char *title, enum et_dash_nav nav)
{
    static const char *const items[][2] = {
        {"/", "Executions"},
        {"/ui/agents", "Agents"},
        {"/ui/reports/daily", "Daily report"},
        {"/ui/ledger", "Ledger"},
    };

    et__html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
                    "content=\"width=device-width, initial-scale=1\">\n"
                    "<title>");
    et__html_esc(h, title);
    et__html_raw(h, " \xe2\x80\x94 exectrail</title>\n"
                    "<link rel=\"stylesheet\" href=\"/ui/dash.css\">\n"
                    "<script src=\"/ui/dash.js\" defer></script>\n"
                    "</head>\n<body>\n"
                    "<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
                    "<header><nav aria-label=\"dashboard\"><span "
                    "class=\"brand\">exectrail</span><ul>");
    for (size_t i = 0; i < ET_ARRAY_SIZE(items); i++)
        et__html_printf(h, "<li><a href=\"%s\"%s>%s</a></li>", items[i][0],
                        (size_t)nav == i ? " aria-current=\"page\"" : "",
                        items[i][1]);
    et__html_raw(h, "</ul></nav></header>\n<main id=\"main\">\n");
}

void et__dash_foot(struct et_html *h)
{
    et__html_printf(h,
                    "</main>\n<footer>exectrail %s \xc2\xb7 "
                    "<a href=\"/v1/executions\">JSON API</a></footer>\n"
                    "</body>\n</html>\n",
                    et_version());
}

void et__dash_header(struct et_http_ctx *c, const char *fmt, ...)
{
    struct et_buf b = ET_BUF_INIT;
    va_list ap;
    int rc = 0;

    if (c->res->headers)
        rc = et_buf_addstr(&b, c->res->headers);
    va_start(ap, fmt);
    if (!rc)
        rc = et_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (!rc)
        rc = et_buf_addch(&b, '\n');
    if (rc) {
        et_buf_release(&b);
        return;
    }
    et__free(c->res->headers);
    c->res->headers = et_buf_detach(&b, NULL);
}

static void security_headers(struct et_http_ctx *c)
{
    /* no inline script anywhere: the only script is /ui/dash.js */
    et__dash_header(
        c, "Content-Security-Policy: default-src 'none'; "
           "script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "connect-src 'self'; form-action 'self'; "
           "frame-ancestors 'none'; base-uri 'none'");
    et__dash_header(c, "Referrer-Policy: no-referrer");
    et__dash_header(c, "X-Frame-Options: DENY");
}

void et__dash_send(struct et_http_ctx *c, int status, struct et_html *h)
{
    size_t len = 0;
    char *p;

    if (h->rc) {
        et_buf_release(&h->b);
        et__http_reply_err(c, 500, "internal", "cannot write the page", NULL,
                           -1);
        return;
    }
    p = et_buf_detach(&h->b, &len);
    et__http_reply_owned(c, status, "text/html; charset=utf-8", p, len);
    security_headers(c);
}

void et__dash_fail(struct et_http_ctx *c, int status, const char *title,
                   const char *msg)
{
    struct et_html h = {ET_BUF_INIT, 0};

    et__dash_head(&h, title, ET_NAV_NONE);
    et__html_raw(&h, "<h1>");
    et__html_esc(&h, title);
    et__html_raw(&h, "</h1>\n<p class=\"error\" role=\"alert\">");
    et__html_esc(&h, msg);
    et__html_raw(&h, "</p>\n<p><a href=\"/\">Back to the executions</a></p>\n");
    et__dash_foot(&h);
    et__dash_send(c, status, &h);
}

void et__dash_fail_lib(struct et_http_ctx *c, const struct et_error *err)
{
    const char *msg = err->msg[0] ? err->msg : et_status_str(err->code);

    switch (err->code) {
    case ET_ENOTFOUND:
        et__dash_fail(c, 404, "Not found", msg);
        break;
    case ET_EINPUT:
    case ET_EINVAL:
        et__dash_fail(c, 400, "Bad request", msg);
        break;
    case ET_EBUSY:
    case ET_EUNAVAIL:
        et__dash_fail(c, 503, "Store unavailable", msg);
        c->res->retry_after_s = 1;
        break;
    default:
        et__dash_fail(c, 500, "Server error", msg);
        break;
    }
}

/* ---- authentication ---- */

bool et__dash_is_ui(enum et_http_route_id id)
{
    return id >= ET_ROUTE_UI_LIST && id <= ET_ROUTE_UI_ASSET;
}

static bool host_is_loopback(const char *host)
{
    size_t n;

    if (!host)
        return true; /* HTTP/1.0 */
    if (host[0] == '[')
        return strncmp(host, "[::1]", 5) == 0 &&
               (host[5] == '\0' || host[5] == ':');
    n = strcspn(host, ":");
    if (host[n] == ':' &&
        strspn(host + n + 1, "0123456789") != strlen(host + n + 1))
        return false;
    if (n == 9 && strncasecmp(host, "localhost", 9) == 0)
        return true;
    if (n >= 7 && strncmp(host, "127.", 4) == 0)
        return strspn(host, "0123456789.") == n;
    return false;
}

int et__dash_check_host(struct et_http_ctx *c)
{
    if (!c->h->is_loopback || host_is_loopback(c->req->host))
        return 0;
    et__dash_fail(c, 421, "Misdirected request",
                  "this server listens on loopback and answers its pages "
                  "only for a loopback Host (localhost, 127.0.0.1 or [::1]): "
                  "another name may be a DNS rebinding attack");
    return -1;
}

/* the value of cookie `name` in a Cookie header, into out */
static bool cookie_value(const char *hdr, const char *name, char *out,
                         size_t cap)
{
    size_t nl = strlen(name);

    while (hdr && *hdr) {
        size_t vl;
        while (*hdr == ' ' || *hdr == ';')
            hdr++;
        vl = strcspn(hdr, ";");
        if (vl > nl && strncmp(hdr, name, nl) == 0 && hdr[nl] == '=') {
            vl -= nl + 1;
            if (vl == 0 || vl >= cap)
                return false;
            memcpy(out, hdr + nl + 1, vl);
            out[vl] = '\0';
            return true;
        }
        hdr += vl;
    }
    return false;
}

int et__dash_token(struct et_http_ctx *c, char *out, size_t cap)
{
    if (c->query &&
        et__http_param(c->query, c->query_len, "token", out, cap, NULL) == 1 &&
        out[0])
        return 1;
    if (cookie_value(c->req->cookie, ET_DASH_COOKIE, out, cap))
        return 2;
    out[0] = '\0';
    return 0;
}

void et__dash_login(struct et_http_ctx *c)
{
    struct et_buf loc = ET_BUF_INIT;
    char tok[ET_TOKEN_LEN + 8];
    const char *q = c->query, *end = q + c->query_len;
    bool first = true;
    int rc;

    et__dash_token(c, tok, sizeof(tok));
    /* the same URL without the token, so it leaves the address bar */
    rc = et_buf_add(&loc, c->req->target, c->route.path_len);
    while (!rc && q && q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        size_t n = amp ? (size_t)(amp - q) : (size_t)(end - q);
        if (n && !(n >= 5 && strncmp(q, "token", 5) == 0 &&
                   (n == 5 || q[5] == '='))) {
            rc = et_buf_addch(&loc, first ? '?' : '&');
            if (!rc)
                rc = et_buf_add(&loc, q, n);
            first = false;
        }
        q += n + 1;
    }
    if (rc) {
        et_buf_release(&loc);
        et__http_reply_err(c, 500, "internal", "out of memory", NULL, -1);
        return;
    }
    et__http_reply(c, 303, "text/plain; charset=utf-8", "signed in\n", 10);
    et__dash_header(c, "Location: %s", et_buf_str(&loc));
    et__dash_header(c,
                    "Set-Cookie: " ET_DASH_COOKIE
                    "=%s; Path=/; HttpOnly; SameSite=Strict",
                    tok);
    et__dash_header(c, "Referrer-Policy: no-referrer");
    et_buf_release(&loc);
}

void et__dash_auth_failed(struct et_http_ctx *c)
{
    char tok[ET_TOKEN_LEN + 8];
    int st = c->res->status;
    bool is_cookie =
        !c->req->authorization && et__dash_token(c, tok, sizeof(tok)) == 2;

    if (st == 403)
        et__dash_fail(c, 403, "Forbidden",
                      "this token may not read the trail: the dashboard "
                      "needs a token of the read or admin scope");
    else
        et__dash_fail(c, st ? st : 401, "Sign in",
                      "this server needs an API token of the read (or admin) "
                      "scope: open this page once with ?token=TOKEN added to "
                      "its address (it is kept in an HttpOnly cookie and "
                      "removed from the address), or send Authorization: "
                      "Bearer TOKEN. The token given is unknown, revoked or "
                      "expired if you sent one.");
    if (is_cookie)
        et__dash_header(c, "Set-Cookie: " ET_DASH_COOKIE
                           "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

/* ---- the executions list ---- */

/* the offset of a top-level ORDER BY or LIMIT in query text, else its end */
static size_t tail_start(const char *s)
{
    int depth = 0;
    char quote = 0;

    for (size_t i = 0; s[i]; i++) {
        char ch = s[i];
        if (quote) {
            if (ch == '\\' && s[i + 1])
                i++;
            else if (ch == quote)
                quote = 0;
            continue;
        }
        if (ch == '"' || ch == '\'')
            quote = ch;
        else if (ch == '(')
            depth++;
        else if (ch == ')')
            depth--;
        else if (depth == 0 &&
                 (i == 0 || s[i - 1] == ' ' || s[i - 1] == ')' ||
                  s[i - 1] == '\t') &&
                 (strncasecmp(s + i, "ORDER ", 6) == 0 ||
                  strncasecmp(s + i, "LIMIT ", 6) == 0))
            return i;
    }
    return strlen(s);
}

struct list_args {
    char q[ET_HTTP_VALUE_MAX], agent[256], state[16], since[8];
    uint64_t skip;
};

/* the query text the list runs: the filters AND the user's query */
static int compose(const struct list_args *a, struct et_buf *out)
{
    size_t cut = tail_start(a->q);
    int rc = 0;
    bool any = false;

    if (a->agent[0]) {
        rc |= et_buf_addstr(out, "agent = \"");
        for (const char *p = a->agent; *p; p++) {
            if (*p == '"' || *p == '\\')
                rc |= et_buf_addch(out, '\\');
            rc |= et_buf_addch(out, *p);
        }
        rc |= et_buf_addstr(out, "\"");
        any = true;
    }
    if (a->state[0]) {
        rc |= et_buf_printf(out, "%sstate = %s", any ? " AND " : "", a->state);
        any = true;
    }
    if (a->since[0]) {
        rc |= et_buf_printf(out, "%ssince:%s", any ? " AND " : "", a->since);
        any = true;
    }
    if (strspn(a->q, " \t") < cut)
        rc |=
            et_buf_printf(out, "%s(%.*s)", any ? " AND " : "", (int)cut, a->q);
    if (a->q[cut])
        rc |= et_buf_printf(out, " %s", a->q + cut);
    return rc ? ET_ENOMEM : 0;
}

static const char *const states[] = {"started", "delegated", "running",
                                     "responded", "completed"};
static const char *const sinces[] = {"1h", "24h", "7d", "30d"};

static bool one_of(const char *v, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v, set[i]) == 0)
            return true;
    return false;
}

struct list_page {
    struct et_html *h;
    uint64_t skip, seen;
};

static void badge(struct et_html *h, const char *verification)
{
    const char *v = verification ? verification : "UNVERIFIED";
    char cls[16];
    size_t i;

    for (i = 0; v[i] && i < sizeof(cls) - 1; i++)
        cls[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i]);
    cls[i] = '\0';
    et__html_raw(h, "<span class=\"badge v-");
    et__html_esc(h, cls);
    et__html_raw(h, "\">");
    et__html_esc(h, v);
    et__html_raw(h, "</span>");
}

static int list_row(void *ctx, const struct et_exec_summary *s)
{
    struct list_page *p = ctx;
    struct et_html *h = p->h;
    char ts[ET_RFC3339_MAX], dur[32];

    if (p->seen++ < p->skip || p->seen > p->skip + LIST_PAGE)
        return 0;
    if (s->start_ns)
        et_time_format(s->start_ns, ts);
    else
        snprintf(ts, sizeof(ts), "\xe2\x80\x94");
    et__html_duration(dur, sizeof(dur), s->duration_ms);
    et__html_printf(h,
                    "<tr id=\"x-%s\"><td><a href=\"/ui/executions/%s\" "
                    "title=\"%s\"><code>%.8s</code></a></td><td>",
                    s->execution_id, s->execution_id, s->execution_id,
                    s->execution_id);
    et__html_esc(h, ts);
    et__html_raw(h, "</td><td>");
    et__html_esc(h, s->agent_name ? s->agent_name : "");
    et__html_raw(h, "</td><td>");
    et__html_esc(h, s->state);
    et__html_raw(h, "</td><td>");
    badge(h, s->verification);
    et__html_printf(h, "</td><td class=\"num\">%s</td><td class=\"num\">%lld",
                    dur, (long long)s->n_actions);
    if (s->n_failed_actions)
        et__html_printf(h, " <span class=\"fail\">(%lld failed)</span>",
                        (long long)s->n_failed_actions);
    et__html_raw(h, "</td></tr>\n");
    return 0;
}

static void select_opts(struct et_html *h, const char *name, const char *label,
                        const char *const *set, size_t n, const char *cur)
{
    et__html_printf(h,
                    "<label>%s <select name=\"%s\"><option value=\"\">any"
                    "</option>",
                    label, name);
    for (size_t i = 0; i < n; i++)
        et__html_printf(h, "<option%s>%s</option>",
                        strcmp(cur, set[i]) == 0 ? " selected" : "", set[i]);
    et__html_raw(h, "</select></label>\n");
}

/* the link to another page of the same list */
static void page_link(struct et_html *h, const struct list_args *a,
                      uint64_t skip, const char *label)
{
    et__html_raw(h, "<a href=\"/?q=");
    et__html_url(h, a->q);
    et__html_raw(h, "&amp;agent=");
    et__html_url(h, a->agent);
    et__html_printf(h, "&amp;state=%s&amp;since=%s&amp;cursor=%llu\">%s</a>",
                    a->state, a->since, (unsigned long long)skip, label);
}

static void list_form(struct et_html *h, const struct list_args *a, bool is_bad)
{
    et__html_raw(h, "<h1>Executions</h1>\n<form class=\"filters\" "
                    "method=\"get\" action=\"/\" role=\"search\">\n"
                    "<label class=\"wide\">Query <input id=\"q\" name=\"q\" "
                    "type=\"search\" autocomplete=\"off\" spellcheck=\"false\" "
                    "placeholder=\"verification status ERROR MISMATCH\" "
                    "aria-describedby=\"qhelp");
    et__html_raw(h, is_bad ? " qerr\" aria-invalid=\"true" : "");
    et__html_raw(h, "\" value=\"");
    et__html_esc(h, a->q);
    et__html_raw(h, "\"></label>\n<label>Agent <input name=\"agent\" "
                    "value=\"");
    et__html_esc(h, a->agent);
    et__html_raw(h, "\"></label>\n");
    select_opts(h, "state", "State", states, ET_ARRAY_SIZE(states), a->state);
    select_opts(h, "since", "Since", sinces, ET_ARRAY_SIZE(sinces), a->since);
    et__html_raw(h, "<button type=\"submit\">Search</button>\n"
                    "<a href=\"/\">Clear</a>\n</form>\n<p id=\"qhelp\" "
                    "class=\"hint\">The query language of <code>exectrail "
                    "query</code> (docs/QUERY.md), e.g. <code>duration_ms &gt; "
                    "5m</code>, <code>action(tool = Bash AND NOT success)"
                    "</code>. Press <kbd>/</kbd> to type a query.</p>\n");
}

/* the message of a query error, with a caret under its column */
static void query_error(struct et_html *h, const char *q, const char *msg)
{
    const char *col = strstr(msg, "at column ");
    long n = col ? strtol(col + 10, NULL, 10) : 0;

    et__html_raw(h, "<div id=\"qerr\" class=\"error\" role=\"alert\"><p>"
                    "Bad query: ");
    et__html_esc(h, msg);
    et__html_raw(h, "</p>");
    if (n > 0 && (size_t)n <= strlen(q) + 1) {
        size_t i = 0, chars = 0;
        et__html_raw(h, "<pre class=\"caret\">");
        et__html_esc(h, q);
        et__html_raw(h, "\n");
        /* columns count characters: skip UTF-8 continuation bytes */
        for (; q[i] && chars + 1 < (size_t)n; i++)
            if (((unsigned char)q[i] & 0xC0) != 0x80)
                chars++;
        for (size_t k = 0; k < chars; k++)
            et__html_raw(h, " ");
        et__html_raw(h, "<span class=\"fail\">^</span></pre>");
    }
    et__html_raw(h, "</div>\n");
}

static int list_args_get(struct et_http_ctx *c, struct list_args *a)
{
    static const char *const args[] = {"q",      "agent", "state", "since",
                                       "cursor", "token", NULL};
    size_t bad = 0;
    bool unknown = false;
    uint64_t skip = 0;

    memset(a, 0, sizeof(*a));
    if (et__http_params_check(c->query, c->query_len, args, &bad, &unknown) ||
        et__http_param(c->query, c->query_len, "q", a->q, sizeof(a->q), NULL) <
            0 ||
        et__http_param(c->query, c->query_len, "agent", a->agent,
                       sizeof(a->agent), NULL) < 0 ||
        et__http_param(c->query, c->query_len, "state", a->state,
                       sizeof(a->state), NULL) < 0 ||
        et__http_param(c->query, c->query_len, "since", a->since,
                       sizeof(a->since), NULL) < 0) {
        et__dash_fail(c, 400, "Bad request",
                      "malformed or unknown query parameter");
        return -1;
    }
    if ((a->state[0] && !one_of(a->state, states, ET_ARRAY_SIZE(states))) ||
        (a->since[0] && !one_of(a->since, sinces, ET_ARRAY_SIZE(sinces)))) {
        et__dash_fail(c, 400, "Bad request",
                      "state or since: not one of the offered values");
        return -1;
    }
    if (et__http_arg_u64(c, "cursor", 0, 0, (uint64_t)1 << 40, &skip) < 0) {
        et__dash_fail(c, 400, "Bad request", "cursor: not a page offset");
        return -1;
    }
    a->skip = skip;
    return 0;
}

static void h_list(struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_html h = {ET_BUF_INIT, 0};
    struct et_buf text = ET_BUF_INIT;
    struct et_query *q = NULL;
    struct list_args a;
    struct list_page p = {&h, 0, 0};
    uint64_t size = 0;
    int rc;

    if (list_args_get(c, &a))
        return;
    p.skip = a.skip;
    et__dash_head(&h, "Executions", ET_NAV_LIST);
    /* the user's query alone first, so an error names its own column */
    rc = et_query_parse(a.q, strlen(a.q), 0, &q, &err);
    et_query_free(q);
    q = NULL;
    if (!rc && compose(&a, &text) != 0)
        rc = et_error_set(&err, ET_ENOMEM, "out of memory");
    if (!rc)
        rc = et_query_parse(et_buf_str(&text), text.len, 0, &q, &err);
    list_form(&h, &a, rc == ET_EINPUT);
    if (rc == ET_EINPUT) {
        query_error(&h, a.q, err.msg);
        et__dash_foot(&h);
        et_buf_release(&text);
        et__dash_send(c, 400, &h);
        return;
    }
    if (!rc)
        rc = et_trail_size(c->t, &size, &err);
    if (rc) {
        et_query_free(q);
        et_buf_release(&text);
        et_buf_release(&h.b);
        et__dash_fail_lib(c, &err);
        return;
    }
    et__html_raw(&h, "<div class=\"live\"><span id=\"live\" role=\"status\">"
                     "</span></div>\n<div class=\"scroll\"><table "
                     "class=\"list\">\n<caption class=\"sr\">Executions, newest"
                     " first</caption>\n<thead><tr><th scope=\"col\">ID</th>"
                     "<th scope=\"col\">Started</th><th scope=\"col\">Agent"
                     "</th><th scope=\"col\">State</th><th scope=\"col\">"
                     "Verification</th><th scope=\"col\">Duration</th>"
                     "<th scope=\"col\">Actions</th></tr></thead>\n"
                     "<tbody id=\"rows\" data-events=\"/ui/events?q=");
    et__html_url(&h, et_buf_str(&text));
    et__html_printf(&h, "&amp;from=%llu\">\n", (unsigned long long)size);
    rc = et_query_run(c->t, q, (size_t)(a.skip + LIST_PAGE + 1), list_row, &p,
                      &err);
    et_query_free(q);
    et_buf_release(&text);
    if (rc) {
        et_buf_release(&h.b);
        et__dash_fail_lib(c, &err);
        return;
    }
    if (p.seen <= p.skip)
        et__html_raw(&h, "<tr class=\"empty\"><td colspan=\"7\">No "
                         "executions match.</td></tr>\n");
    et__html_raw(&h, "</tbody></table></div>\n<nav class=\"pages\" "
                     "aria-label=\"pages\">");
    if (a.skip)
        page_link(&h, &a, a.skip > LIST_PAGE ? a.skip - LIST_PAGE : 0,
                  "\xe2\x86\x90 Newer");
    if (p.seen > a.skip + LIST_PAGE)
        page_link(&h, &a, a.skip + LIST_PAGE, "Older \xe2\x86\x92");
    et__html_raw(&h, "</nav>\n");
    et__dash_foot(&h);
    et__dash_send(c, 200, &h);
}

/* ---- Server-Sent Events: executions new or changed since a seq ---- */

struct feed {
    char ids[EVENTS_IDS][37];
    size_t n;
    uint64_t next;
};

static int feed_event(void *ctx, const struct et_event *ev)
{
    struct feed *f = ctx;
    size_t i;

    if (!ev->execution_id) {
        f->next = ev->seq + 1;
        return 0;
    }
    for (i = 0; i < f->n; i++)
        if (strcmp(f->ids[i], ev->execution_id) == 0)
            break;
    if (i == f->n) {
        if (f->n == EVENTS_IDS)
            return 1; /* the rest on the next answer */
        snprintf(f->ids[f->n++], sizeof(f->ids[0]), "%s", ev->execution_id);
    }
    f->next = ev->seq + 1;
    return 0;
}

static void json_str(struct et_buf *b, int *rc, const char *k, const char *v)
{
    *rc |= et_buf_printf(b, "\"%s\":\"", k);
    for (; v && *v; v++) {
        unsigned char ch = (unsigned char)*v;
        if (ch == '"' || ch == '\\')
            *rc |= et_buf_printf(b, "\\%c", ch);
        else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&')
            *rc |= et_buf_printf(b, "\\u%04x", ch);
        else
            *rc |= et_buf_addch(b, (char)ch);
    }
    *rc |= et_buf_addch(b, '"');
}

struct sse {
    struct et_buf *b;
    uint64_t id;
    int rc;
};

static int sse_row(void *ctx, const struct et_exec_summary *s)
{
    struct sse *x = ctx;
    char ts[ET_RFC3339_MAX] = "", dur[32];

    if (s->start_ns)
        et_time_format(s->start_ns, ts);
    et__html_duration(dur, sizeof(dur), s->duration_ms);
    x->rc |= et_buf_addstr(x->b, "event: execution\ndata: {");
    json_str(x->b, &x->rc, "execution_id", s->execution_id);
    x->rc |= et_buf_addch(x->b, ',');
    json_str(x->b, &x->rc, "start", ts);
    x->rc |= et_buf_addch(x->b, ',');
    json_str(x->b, &x->rc, "agent", s->agent_name);
    x->rc |= et_buf_addch(x->b, ',');
    json_str(x->b, &x->rc, "state", s->state);
    x->rc |= et_buf_addch(x->b, ',');
    json_str(x->b, &x->rc, "verification",
             s->verification ? s->verification : "UNVERIFIED");
    x->rc |= et_buf_addch(x->b, ',');
    json_str(x->b, &x->rc, "duration", dur);
    x->rc |=
        et_buf_printf(x->b, ",\"actions\":%lld,\"failed\":%lld}\n\n",
                      (long long)s->n_actions, (long long)s->n_failed_actions);
    return 0;
}

/* one execution's summary line, if it matches the page's query */
static int announce(struct et_http_ctx *c, const struct et_query *filter,
                    const char *id, struct sse *x, struct et_error *err)
{
    char text[64];
    struct et_query *q = NULL;
    bool match = true;
    int rc;

    if (filter) {
        rc = et_query_match(c->t, filter, id, &match, err);
        if (rc == ET_ENOTFOUND)
            return 0; /* erased since */
        if (rc || !match)
            return rc;
    }
    snprintf(text, sizeof(text), "execution_id = \"%s\"", id);
    rc = et_query_parse(text, strlen(text), 0, &q, err);
    if (!rc)
        rc = et_query_run(c->t, q, 1, sse_row, x, err);
    et_query_free(q);
    return rc;
}

static void h_events(struct et_http_ctx *c)
{
    static const char *const args[] = {"q", "from", NULL};
    struct et_error err = ET_ERROR_INIT;
    struct et_buf b = ET_BUF_INIT;
    struct et_query *filter = NULL;
    struct feed *f = NULL;
    struct sse x = {&b, 0, 0};
    char text[ET_HTTP_VALUE_MAX];
    uint64_t from = 0, size = 0;
    size_t bad = 0;
    bool unknown = false;
    int rc, r = 0;

    if (et__http_params_check(c->query, c->query_len, args, &bad, &unknown) ||
        et__http_param(c->query, c->query_len, "q", text, sizeof(text), NULL) <
            0 ||
        (r = et__http_arg_u64(c, "from", 0, 0, UINT64_MAX / 2, &from)) < 0) {
        if (!c->res->content_type)
            et__http_reply_err(c, 400, "invalid_input",
                               "malformed or unknown query parameter", "query",
                               (long long)bad);
        return;
    }
    if (c->req->last_event_id && c->req->last_event_id[0]) {
        char *end = NULL;
        errno = 0;
        from = strtoull(c->req->last_event_id, &end, 10);
        r = *end || errno ? 0 : 1;
    }
    rc = et_trail_size(c->t, &size, &err);
    if (!rc && text[0])
        rc = et_query_parse(text, strlen(text), 0, &filter, &err);
    f = et__calloc(1, sizeof(*f));
    if (!f && !rc)
        rc = et_error_set(&err, ET_ENOMEM, "out of memory");
    if (rc) {
        et_query_free(filter);
        et__free(f);
        et__http_reply_lib(c, &err);
        return;
    }
    /* first contact, or a client from another trail or far behind */
    if (r <= 0 || from > size)
        from = size;
    if (size - from > EVENTS_BEHIND)
        from = size - EVENTS_BEHIND;
    f->next = from;
    rc = et_query_follow(c->t, NULL, from, feed_event, f, &size, &err);
    if (rc == 1)
        rc = 0;
    /* the client reconnects after `retry`, sending the id as Last-Event-ID:
     * each answer is short, so no worker is held and shutdown never waits */
    x.rc |= et_buf_printf(&b, "retry: %d\n", SSE_RETRY_MS);
    for (size_t i = 0; !rc && i < f->n; i++)
        rc = announce(c, filter, f->ids[i], &x, &err);
    x.rc |= et_buf_printf(&b, "id: %llu\ndata: {}\n\n",
                          (unsigned long long)f->next);
    et_query_free(filter);
    et__free(f);
    if (rc || x.rc) {
        et_buf_release(&b);
        if (rc)
            et__http_reply_lib(c, &err);
        else
            et__http_reply_err(c, 500, "internal", "out of memory", NULL, -1);
        return;
    }
    {
        size_t len = 0;
        char *p = et_buf_detach(&b, &len);
        et__http_reply_owned(c, 200, "text/event-stream; charset=utf-8", p,
                             len);
    }
}

/* ---- static assets ---- */

static void h_asset(struct et_http_ctx *c)
{
    bool is_js = c->route.path_len > 3 &&
                 strncmp(c->req->target + c->route.path_len - 3, ".js", 3) == 0;
    const char *const *s = is_js ? et__dash_js : et__dash_css;
    struct et_buf b = ET_BUF_INIT;
    size_t len = 0;
    int rc = 0;

    for (; *s; s++)
        rc |= et_buf_addstr(&b, *s);
    if (rc) {
        et_buf_release(&b);
        et__http_reply_err(c, 500, "internal", "out of memory", NULL, -1);
        return;
    }
    {
        char *p = et_buf_detach(&b, &len);
        et__http_reply_owned(c, 200,
                             is_js ? "text/javascript; charset=utf-8"
                                   : "text/css; charset=utf-8",
                             p, len);
    }
}

et__http_handler *et__dash_handler_for(enum et_http_route_id id, bool *is_write)
{
    *is_write = false;
    switch (id) {
    case ET_ROUTE_UI_LIST:
        return h_list;
    case ET_ROUTE_UI_EXEC:
        return et__dash_exec;
    case ET_ROUTE_UI_PROOF:
        *is_write = true; /* it signs a fresh checkpoint */
        return et__dash_proof;
    case ET_ROUTE_UI_AGENTS:
        return et__dash_agents;
    case ET_ROUTE_UI_DAILY:
        return et__dash_daily;
    case ET_ROUTE_UI_LEDGER:
        return et__dash_ledger;
    case ET_ROUTE_UI_EVENTS:
        return h_events;
    case ET_ROUTE_UI_ASSET:
        return h_asset;
    default:
        return NULL;
    }
}
