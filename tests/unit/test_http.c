/* SPDX-License-Identifier: MIT */
/*
 * The HTTP API core without a transport: query-string decoding, hashed
 * tokens, and et_http_handle over a real trail (routing, authentication by
 * scope, JSON errors naming the field or byte offset, nothing stored on
 * refusal), and the MCP endpoint (statuses, DNS-rebinding guard, scopes per
 * tool).
 */
#include "base/setup.h"

#include "t.h"
#include "exectrail/http.h"
#include "exectrail/query.h"
#include "exectrail/trail.h"
#include "http/http_int.h"
#include "http/params.h"
#include "http/token.h"

static int param(const char *q, const char *name, char *out, size_t cap)
{
    return et__http_param(q, strlen(q), name, out, cap, NULL);
}

T_TEST(query_string_decoding)
{
    char v[32];
    size_t bad = 0;
    bool unknown = false;
    static const char *const known[] = {"q", "limit", NULL};

    T_ASSERT_INT_EQ(param("q=a+b%20c%2B&limit=5", "q", v, sizeof(v)), 1);
    T_ASSERT_STR_EQ(v, "a b c+");
    T_ASSERT_INT_EQ(param("q=a&limit=5", "limit", v, sizeof(v)), 1);
    T_ASSERT_STR_EQ(v, "5");
    T_ASSERT_INT_EQ(param("q=1&q=2", "q", v, sizeof(v)), 1);
    T_ASSERT_STR_EQ(v, "1");
    T_ASSERT_INT_EQ(param("flag&x=1", "flag", v, sizeof(v)), 1);
    T_ASSERT_STR_EQ(v, "");
    T_ASSERT_INT_EQ(param("x=1", "q", v, sizeof(v)), 0);
    T_ASSERT_INT_EQ(param("", "q", v, sizeof(v)), 0);
    T_ASSERT_INT_EQ(et__http_param("q=%zz", 5, "q", v, sizeof(v), &bad), -1);
    T_ASSERT_INT_EQ(bad, 2);
    T_ASSERT_INT_EQ(param("q=%00", "q", v, sizeof(v)), -1);
    T_ASSERT_INT_EQ(param("q=%4", "q", v, sizeof(v)), -1);
    T_ASSERT_INT_EQ(param("q=0123456789", "q", v, 8), -1);
    T_ASSERT_INT_EQ(
        et__http_params_check("q=1&limit=2", 11, known, &bad, &unknown), 0);
    T_ASSERT_INT_EQ(
        et__http_params_check("q=1&colour=red", 14, known, &bad, &unknown), -1);
    T_ASSERT(unknown);
    T_ASSERT_INT_EQ(bad, 4);
    T_ASSERT_INT_EQ(et__http_params_check("q=%", 3, known, &bad, &unknown), -1);
    T_ASSERT(!unknown);
}

static char db[4096];

static void fresh_db(const char *name)
{
    snprintf(db, sizeof(db), "%s/%s/trail.db", t_tmpdir(), name);
}

T_TEST(tokens_hashed_checked_revoked)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_token_set set;
    char tok[ET_TOKEN_LEN], id[ET_TOKEN_ID_LEN], path[4096];
    char *text = NULL;
    size_t n = 0;
    FILE *f;
    long sz;

    memset(&set, 0, sizeof(set));
    fresh_db("tok");
    T_ASSERT_OK(et_token_count(db, &n, &err));
    T_ASSERT_INT_EQ(n, 0);
    T_ASSERT_RC(et_token_create(db, "root", NULL, 0, tok, id, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "scope");
    T_ASSERT_OK(et_token_create(db, "read", "dash", 0, tok, id, &err));
    T_ASSERT(strncmp(tok, "etk_", 4) == 0);
    T_ASSERT_OK(et_token_count(db, &n, &err));
    T_ASSERT_INT_EQ(n, 1);
    T_ASSERT_OK(et__token_path(db, path, &err));
    f = fopen(path, "rb");
    T_ASSERT(f != NULL);
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    rewind(f);
    text = calloc(1, (size_t)sz + 1);
    T_ASSERT(fread(text, 1, (size_t)sz, f) == (size_t)sz);
    fclose(f);
    /* the secret part is nowhere in the file */
    T_ASSERT(strstr(text, tok + 21) == NULL);
    free(text);
    T_ASSERT_OK(et__token_refresh(path, &set, &err));
    T_ASSERT_INT_EQ(et__token_check(&set, tok, strlen(tok), 1), ET_TOKEN_READ);
    tok[strlen(tok) - 1] ^= 1;
    T_ASSERT_INT_EQ(et__token_check(&set, tok, strlen(tok), 1), ET_TOKEN_NONE);
    tok[strlen(tok) - 1] ^= 1;
    T_ASSERT_INT_EQ(et__token_check(&set, tok, strlen(tok) - 1, 1),
                    ET_TOKEN_NONE);
    T_ASSERT_OK(et_token_revoke(db, id, &err));
    T_ASSERT_RC(et_token_revoke(db, id, &err), ET_ENOTFOUND);
    T_ASSERT_OK(et__token_refresh(path, &set, &err));
    T_ASSERT_INT_EQ(et__token_check(&set, tok, strlen(tok), 1), ET_TOKEN_NONE);
    et__token_set_release(&set);
}

static int call(struct et_http *h, const char *method, const char *target,
                const char *auth, const char *body,
                struct et_http_response *res)
{
    struct et_http_request rq;

    memset(&rq, 0, sizeof(rq));
    rq.method = method;
    rq.target = target;
    rq.target_len = strlen(target);
    rq.authorization = auth;
    rq.content_type = body ? "application/json" : NULL;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    et_http_handle(h, &rq, res);
    return res->status;
}

T_TEST(handle_without_transport)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_http_opts o;
    struct et_http *h = NULL;
    struct et_http_response res;
    char tok[ET_TOKEN_LEN], id[ET_TOKEN_ID_LEN], auth[128];
    struct et_trail *t = NULL;
    uint64_t size = 0;

    fresh_db("handle");
    memset(&o, 0, sizeof(o));
    o.db = db;
    o.n_handles = 2;
    o.is_loopback = false; /* as if bound beyond loopback */
    T_ASSERT_OK(et_http_new(&o, &h, &err));
    T_ASSERT_INT_EQ(call(h, "GET", "/healthz", NULL, NULL, &res), 200);
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(call(h, "GET", "/v1/executions", NULL, NULL, &res), 401);
    T_ASSERT(res.is_unauthorized);
    et_http_response_release(&res);
    T_ASSERT_OK(et_token_create(db, "ingest", NULL, 0, tok, id, &err));
    snprintf(auth, sizeof(auth), "Bearer %s", tok);
    T_ASSERT_INT_EQ(call(h, "GET", "/v1/executions", auth, NULL, &res), 403);
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(call(h, "POST", "/v1/executions/start", auth,
                         "{\"session_id\": 7}", &res),
                    400);
    T_ASSERT_STR_CONTAINS(res.body, "\"field\":\"session_id\"");
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(
        call(h, "POST", "/v1/executions", auth, "{\"a\": [1,", &res), 400);
    T_ASSERT_STR_CONTAINS(res.body, "\"offset\":9");
    et_http_response_release(&res);
    T_ASSERT_OK(et_trail_open(db, 0, &t, NULL, &err));
    T_ASSERT_OK(et_trail_size(t, &size, &err));
    T_ASSERT_INT_EQ(size, 0); /* nothing stored */
    T_ASSERT_INT_EQ(call(h, "POST", "/v1/executions/start", auth,
                         "{\"session_id\":\"s\",\"agent_metadata\":{\"name\":"
                         "\"a\"}}",
                         &res),
                    201);
    T_ASSERT_STR_CONTAINS(res.body, "execution_id");
    et_http_response_release(&res);
    T_ASSERT_OK(et_trail_size(t, &size, &err));
    T_ASSERT_INT_EQ(size, 1);
    et_trail_close(t);
    T_ASSERT_INT_EQ(call(h, "PUT", "/v1/executions", auth, NULL, &res), 405);
    T_ASSERT(res.allow != NULL);
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(call(h, "GET", "/v1/../x", auth, NULL, &res), 400);
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(call(h, "GET", "/metrics", NULL, NULL, &res), 401);
    et_http_response_release(&res);
    et_http_free(h);
}

/* POST /mcp with the given headers; the status */
static int mcp(struct et_http *h, const char *auth, const char *origin,
               const char *version, const char *body,
               struct et_http_response *res)
{
    struct et_http_request rq;

    memset(&rq, 0, sizeof(rq));
    rq.method = "POST";
    rq.target = "/mcp";
    rq.target_len = 4;
    rq.authorization = auth;
    rq.content_type = "application/json";
    rq.accept = "application/json, text/event-stream";
    rq.origin = origin;
    rq.host = "127.0.0.1:7411";
    rq.mcp_protocol_version = version;
    rq.body = body;
    rq.body_len = strlen(body);
    et_http_handle(h, &rq, res);
    return res->status;
}

T_TEST(mcp_endpoint)
{
    static const char start[] =
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\","
        "\"params\":{\"name\":\"execution_start\",\"arguments\":{"
        "\"session_id\":\"s\",\"agent_metadata\":{\"name\":\"a\"}}}}";
    static const char verify[] =
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
        "\"params\":{\"name\":\"verify_ledger\"}}";
    struct et_error err = ET_ERROR_INIT;
    struct et_http_opts o;
    struct et_http *h = NULL;
    struct et_http_response res;
    char tok[ET_TOKEN_LEN], id[ET_TOKEN_ID_LEN], rd[128], in[128];

    fresh_db("mcp");
    memset(&o, 0, sizeof(o));
    o.db = db;
    o.n_handles = 1;
    o.is_loopback = true;
    T_ASSERT_OK(et_http_new(&o, &h, &err));
    T_ASSERT_OK(et_token_create(db, "read", NULL, 0, tok, id, &err));
    snprintf(rd, sizeof(rd), "Bearer %s", tok);
    T_ASSERT_OK(et_token_create(db, "ingest", NULL, 0, tok, id, &err));
    snprintf(in, sizeof(in), "Bearer %s", tok);

    /* a request: its response, alone; a notification: 202, no body */
    T_ASSERT_INT_EQ(mcp(h, NULL, NULL, NULL,
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
                        &res),
                    200);
    T_ASSERT_STR_EQ(res.content_type, "application/json");
    T_ASSERT_STR_EQ(res.body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n");
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(mcp(h, NULL, NULL, "2025-11-25",
                        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
                        "initialized\"}",
                        &res),
                    202);
    T_ASSERT(res.content_type == NULL && res.body_len == 0);
    et_http_response_release(&res);
    /* a failed tool call logs a warning first (2025-11-25): JSON keeps
     * only the response */
    T_ASSERT_INT_EQ(mcp(h, NULL, NULL, "2025-11-25",
                        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/"
                        "call\",\"params\":{\"name\":\"get_execution\"}}",
                        &res),
                    200);
    T_ASSERT(strncmp(res.body, "{\"jsonrpc\":\"2.0\",\"id\":2,", 22) == 0);
    T_ASSERT_STR_CONTAINS(res.body, "\"isError\":true");
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(mcp(h, NULL, NULL, NULL, "{nope", &res), 400);
    T_ASSERT_STR_CONTAINS(res.body, "-32700");
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(mcp(h, NULL, NULL, "2024-01-01", verify, &res), 400);
    T_ASSERT_STR_CONTAINS(res.body, "-32022");
    et_http_response_release(&res);

    /* DNS rebinding: a foreign Origin, or Host on a loopback listener */
    T_ASSERT_INT_EQ(mcp(h, NULL, "http://evil.example", NULL, verify, &res),
                    403);
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(mcp(h, NULL, "http://[::1]:3000", NULL, verify, &res), 200);
    et_http_response_release(&res);
    T_ASSERT(et__http_origin_ok("https://127.1.2.3"));
    T_ASSERT(et__http_origin_ok("http://LOCALHOST:8080"));
    T_ASSERT(!et__http_origin_ok("null"));
    T_ASSERT(!et__http_origin_ok("http://localhost.evil.example"));
    T_ASSERT(!et__http_origin_ok("http://127.0.0.1:80x"));
    T_ASSERT(!et__http_origin_ok("http://128.0.0.1"));
    T_ASSERT(!et__http_origin_ok("ftp://localhost"));
    T_ASSERT(et__http_host_ok("[::1]"));
    T_ASSERT(!et__http_host_ok("evil.example:7411"));

    /* scopes, per tool: read reads, ingest writes */
    T_ASSERT_INT_EQ(mcp(h, rd, NULL, NULL, start, &res), 403);
    T_ASSERT_STR_CONTAINS(res.body, "ingest scope");
    T_ASSERT_STR_CONTAINS(res.body, "\"id\":4");
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(mcp(h, rd, NULL, NULL, verify, &res), 200);
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(mcp(h, in, NULL, NULL, verify, &res), 403);
    T_ASSERT_STR_CONTAINS(res.body, "read scope");
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(mcp(h, in, NULL, NULL, start, &res), 200);
    T_ASSERT_STR_CONTAINS(res.body, "execution_id");
    et_http_response_release(&res);
    T_ASSERT_INT_EQ(call(h, "GET", "/mcp", NULL, NULL, &res), 405);
    T_ASSERT_STR_EQ(res.allow, "POST");
    et_http_response_release(&res);
    et_http_free(h);
}

T_MAIN("http", T_CASE(query_string_decoding),
       T_CASE(tokens_hashed_checked_revoked), T_CASE(handle_without_transport),
       T_CASE(mcp_endpoint))
