/* SPDX-License-Identifier: MIT */
/*
 * The dashboard of `exectrail serve` (docs/DASHBOARD.md): server-rendered
 * HTML pages over the same public library calls as the REST handlers, the
 * Server-Sent Events feed of the list page, and the browser sign-in by
 * cookie. Private to src/http.
 */
#ifndef ET_HTTP_DASH_INT_H
#define ET_HTTP_DASH_INT_H

#include "base/buf.h"
#include "http/http_int.h"

/* an HTML page being written: the first failed append sticks in rc */
struct et_html {
    struct et_buf b;
    int rc;
};

/* the cookie that carries a token given once as ?token= */
#define ET_DASH_COOKIE "exectrail_token"

/* ---- writing HTML (dash.c) ---- */
void et__html_raw(struct et_html *h, const char *s);
void et__html_printf(struct et_html *h, const char *fmt, ...) ET_PRINTF(2, 3);
/* text, escaped for element content and quoted attribute values */
void et__html_esc(struct et_html *h, const char *s);
void et__html_escn(struct et_html *h, const char *s, size_t n);
/* stored text: escaped, with [REDACTED:kind:fp] markers made visible */
void et__html_text(struct et_html *h, const char *s);
/* a query-string value, %-encoded */
void et__html_url(struct et_html *h, const char *s);
/* 1.2 s, 340 ms, 3m 05s, or an em dash for < 0 */
void et__html_duration(char *out, size_t cap, int64_t ms);

enum et_dash_nav {
    ET_NAV_LIST,
    ET_NAV_AGENTS,
    ET_NAV_DAILY,
    ET_NAV_LEDGER,
    ET_NAV_NONE
};
void et__dash_head(struct et_html *h, const char *title, enum et_dash_nav nav);
void et__dash_foot(struct et_html *h);
/* send the page (status) with the dashboard's security headers (a strict
 * Content-Security-Policy: no inline script or style at all) */
void et__dash_send(struct et_http_ctx *c, int status, struct et_html *h);
/* one more response header line, "Name: value" */
void et__dash_header(struct et_http_ctx *c, const char *fmt, ...)
    ET_PRINTF(2, 3);
/* an HTML error page */
void et__dash_fail(struct et_http_ctx *c, int status, const char *title,
                   const char *msg);
/* the library's error as an HTML page (404 for ET_ENOTFOUND...) */
void et__dash_fail_lib(struct et_http_ctx *c, const struct et_error *err);

/* ---- authentication and routing (dash.c) ---- */
bool et__dash_is_ui(enum et_http_route_id id);
/* Loopback servers answer pages only for a loopback Host (DNS rebinding):
 * 0, or -1 after a 421 reply. */
int et__dash_check_host(struct et_http_ctx *c);
/* A token for a page sent without Authorization: from ?token= (returns 1)
 * or the cookie (2) into out; 0 when none. */
int et__dash_token(struct et_http_ctx *c, char *out, size_t cap);
/* after a good ?token=: set the cookie, redirect to the URL without it */
void et__dash_login(struct et_http_ctx *c);
/* turn a 401/403 of a page into an HTML answer (clears a bad cookie) */
void et__dash_auth_failed(struct et_http_ctx *c);
et__http_handler *et__dash_handler_for(enum et_http_route_id id,
                                       bool *is_write);

/* ---- pages (dash_pages.c, dash_exec.c) ---- */
void et__dash_agents(struct et_http_ctx *c);
void et__dash_daily(struct et_http_ctx *c);
void et__dash_ledger(struct et_http_ctx *c);
void et__dash_exec(struct et_http_ctx *c);
void et__dash_proof(struct et_http_ctx *c);

/* ---- static assets (dash_assets.c): pieces, NULL-terminated (C11
 * compilers need not take string literals over 4095 bytes) ---- */
extern const char *const et__dash_css[];
extern const char *const et__dash_js[];

#endif
