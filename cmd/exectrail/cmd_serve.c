/* SPDX-License-Identifier: MIT */
/*
 * exectrail serve: the HTTP API (docs/API.md) and the MCP endpoint /mcp
 * (docs/MCP.md) over libmicrohttpd. This file is only the transport:
 * sockets, limits, request bodies and signals; every request is answered
 * by the library's et_http_handle.
 */
#define _GNU_SOURCE 1
#include "cli.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>

#include "exectrail/http.h"

static const char help[] =
    "usage: exectrail serve [--listen HOST:PORT] [--db PATH] [options]\n\n"
    "Serve the HTTP API (docs/API.md; OpenAPI: docs/openapi.yaml) over the "
    "trail:\nrecord and follow executions, query, search, reports, "
    "insights, checkpoints and\nproofs, /healthz and Prometheus "
    "/metrics; and the MCP server of `exectrail mcp`\nat /mcp (Streamable "
    "HTTP, docs/MCP.md). Stops cleanly on SIGINT or SIGTERM\n(requests in "
    "progress finish first).\n\n"
    "  --listen HOST:PORT   where to listen (default 127.0.0.1:7411; port 0 "
    "picks a\n                       free port). Any address other than "
    "loopback needs API\n                       tokens (exectrail token "
    "create) and then every request\n                       must send "
    "Authorization: Bearer TOKEN\n"
    "  --port-file FILE     write the port listened on to FILE once ready\n"
    "  --require-token      a token on every request, on loopback too "
    "(without it,\n                       loopback requests may omit the "
    "token; one that is sent\n                       is always checked)\n"
    "  --threads N          worker threads (default 4)\n"
    "  --max-body BYTES     largest request body (default 16777216, 16 MiB;"
    "\n                       larger: 413)\n"
    "  --max-connections N  open connections at once (default 256)\n"
    "  --timeout SECONDS    close a connection idle that long (default 30)"
    "\n  --group-commit-ms MS the longest a group commit stays open while "
    "writes keep\n                       coming (default 50; docs/API.md, "
    "\"Group commit\")"
    "\n  --witness            also be a C2SP tlog witness at POST\n"
    "                       /witness/add-checkpoint, with the key and trusted "
    "logs of\n                       `exectrail witness` (docs/SECURITY.md, "
    "\"Witnesses\"); open to\n                       all: the protocol "
    "authenticates by the logs' signatures\n"
    "  --witness-dir DIR    the same with that witness directory"
    "\n\nexit status: 0 stopped by a signal, 1 failure, 2 usage (including a "
    "non-loopback\naddress without tokens), 5 store unavailable\n";

/*
 * libmicrohttpd is loaded when `serve` runs, not linked: linking it (and
 * through it GnuTLS and eight more libraries) into the binary would add
 * their loading to every `exectrail hook` process start, the path with the
 * tightest latency budget (docs/PERFORMANCE.md). Its header still gives
 * the types, checked by the compiler; only these calls go through the
 * table.
 */
#define MHD_SONAME "libmicrohttpd.so.12"

static struct {
    __typeof__(MHD_start_daemon) *start_daemon;
    __typeof__(MHD_stop_daemon) *stop_daemon;
    __typeof__(MHD_is_feature_supported) *is_feature_supported;
    __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
    __typeof__(MHD_get_connection_values) *get_connection_values;
    __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
    __typeof__(MHD_add_response_header) *add_response_header;
    __typeof__(MHD_queue_response) *queue_response;
    __typeof__(MHD_destroy_response) *destroy_response;
    __typeof__(MHD_suspend_connection) *suspend_connection;
    __typeof__(MHD_resume_connection) *resume_connection;
} mhd;

static int mhd_load(void)
{
    static const char *const names[] = {
        "MHD_start_daemon",          "MHD_stop_daemon",
        "MHD_is_feature_supported",  "MHD_lookup_connection_value",
        "MHD_get_connection_values", "MHD_create_response_from_buffer",
        "MHD_add_response_header",   "MHD_queue_response",
        "MHD_destroy_response",      "MHD_suspend_connection",
        "MHD_resume_connection",
    };
    void **slots = (void **)(void *)&mhd;
    void *lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);

    if (!lib) {
        fprintf(stderr,
                "exectrail serve: cannot load %s (Debian package "
                "libmicrohttpd12): %s\n",
                MHD_SONAME, dlerror());
        return -1;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        slots[i] = dlsym(lib, names[i]);
        if (!slots[i]) {
            fprintf(stderr, "exectrail serve: %s lacks %s\n", MHD_SONAME,
                    names[i]);
            return -1;
        }
    }
    return 0;
}

#define MHD_start_daemon                mhd.start_daemon
#define MHD_stop_daemon                 mhd.stop_daemon
#define MHD_is_feature_supported        mhd.is_feature_supported
#define MHD_lookup_connection_value     mhd.lookup_connection_value
#define MHD_get_connection_values       mhd.get_connection_values
#define MHD_create_response_from_buffer mhd.create_response_from_buffer
#define MHD_add_response_header         mhd.add_response_header
#define MHD_queue_response              mhd.queue_response
#define MHD_destroy_response            mhd.destroy_response
#define MHD_suspend_connection          mhd.suspend_connection
#define MHD_resume_connection           mhd.resume_connection

/* request headers up to about half of this; larger: 431 */
#define CONN_MEMORY (64u * 1024u)

struct serve_cfg {
    const char *listen;
    const char *port_file;
    bool require_token;
    unsigned threads;
    size_t max_body;
    unsigned max_conn;
    unsigned timeout_s;
    unsigned group_ms;
    const char *witness_dir; /* --witness[-dir] */
    char witness_buf[4096];
};

/*
 * Per-request state kept by libmicrohttpd between calls. A write waits
 * for its group commit with its connection suspended, not its thread:
 * the request and the answer stay here until the core resumes it.
 */
struct req {
    char *body;
    size_t len, cap;
    bool is_too_big;
    bool is_pending; /* suspended until the core's answer is final */
    struct MHD_Connection *conn;
    struct et_http_waiter waiter;
    struct et_http_request hreq;
    struct et_http_response res;
    char target[4200];
};

struct server {
    struct et_http *h;
    size_t max_body;
};

static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s); /* the library decodes path and query itself */
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    struct req *r = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (r) {
        et_http_response_release(&r->res);
        free(r->body);
        free(r);
        *con_cls = NULL;
    }
}

/* the core's waiter callbacks (a write in a group commit) */
static void on_suspend(void *ctx)
{
    struct req *r = ctx;

    MHD_suspend_connection(r->conn);
}

static void on_resume(void *ctx)
{
    struct req *r = ctx;

    MHD_resume_connection(r->conn);
}

/* the core's extra header lines, "Name: value\n" each (dashboard pages) */
static void add_headers(struct MHD_Response *mr, const char *lines)
{
    char name[64], value[1024];

    while (lines && *lines) {
        size_t n = strcspn(lines, "\n");
        const char *colon = memchr(lines, ':', n);
        if (colon && (size_t)(colon - lines) < sizeof(name) &&
            n - (size_t)(colon - lines) < sizeof(value)) {
            size_t nl = (size_t)(colon - lines);
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            memcpy(name, lines, nl);
            name[nl] = '\0';
            memcpy(value, v, n - (size_t)(v - lines));
            value[n - (size_t)(v - lines)] = '\0';
            MHD_add_response_header(mr, name, value);
        }
        lines += n + (lines[n] == '\n');
    }
}

static enum MHD_Result send_response(struct MHD_Connection *conn,
                                     struct et_http_response *res)
{
    struct MHD_Response *mr;
    enum MHD_Result ok;
    char ra[16];

    if (res->body_len)
        mr = MHD_create_response_from_buffer(res->body_len, res->body,
                                             MHD_RESPMEM_MUST_COPY);
    else /* 202 Accepted (an MCP notification) has no body */
        mr = MHD_create_response_from_buffer(0, (void *)(uintptr_t) "",
                                             MHD_RESPMEM_PERSISTENT);
    if (!mr)
        return MHD_NO;
    if (res->content_type)
        MHD_add_response_header(mr, "Content-Type", res->content_type);
    MHD_add_response_header(mr, "Cache-Control", "no-store");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    if (res->allow)
        MHD_add_response_header(mr, "Allow", res->allow);
    if (res->is_unauthorized)
        MHD_add_response_header(mr, "WWW-Authenticate",
                                "Bearer realm=\"exectrail\"");
    if (res->retry_after_s) {
        snprintf(ra, sizeof(ra), "%u", res->retry_after_s);
        MHD_add_response_header(mr, "Retry-After", ra);
    }
    add_headers(mr, res->headers);
    ok = MHD_queue_response(conn, (unsigned)res->status, mr);
    MHD_destroy_response(mr);
    return ok;
}

static enum MHD_Result transport_error(struct server *s,
                                       struct MHD_Connection *conn, int status,
                                       const char *code, const char *msg)
{
    struct et_http_response res;
    enum MHD_Result ok;

    et_http_error(s->h, status, code, msg, &res);
    ok = send_response(conn, &res);
    et_http_response_release(&res);
    return ok;
}

struct target {
    char *p;
    size_t len, cap;
    bool is_first, is_overflow;
};

static void target_add(struct target *t, const char *s, size_t n)
{
    if (t->is_overflow || t->len + n + 1 > t->cap) {
        t->is_overflow = true;
        return;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    struct target *t = cls;

    (void)kind;
    target_add(t, t->is_first ? "?" : "&", 1);
    t->is_first = false;
    target_add(t, key, strlen(key));
    if (value) {
        target_add(t, "=", 1);
        target_add(t, value, strlen(value));
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct server *s = cls;
    struct req *r = *con_cls;
    struct et_http_request *req;
    struct target t;
    enum MHD_Result ok;

    (void)version;
    if (!r) {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     "Content-Length");
        /* the target buffer is written before it is read: only the
         * fields before it are cleared (4 KiB less to zero per request) */
        r = malloc(sizeof(*r));
        if (!r)
            return MHD_NO;
        memset(r, 0, offsetof(struct req, target));
        *con_cls = r;
        if (cl && strtoull(cl, NULL, 10) > s->max_body)
            return transport_error(s, conn, 413, "too_large",
                                   "body: larger than the server's limit "
                                   "(--max-body)");
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->is_too_big || r->len + n > s->max_body) {
            r->is_too_big = true;
            return MHD_YES; /* drain it; answer 413 at the end */
        }
        if (r->len + n + 1 > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            char *p;
            while (cap < r->len + n + 1)
                cap *= 2;
            p = realloc(r->body, cap);
            if (!p)
                return MHD_NO;
            r->body = p;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload, n);
        r->len += n;
        r->body[r->len] = '\0';
        return MHD_YES;
    }
    if (r->is_pending) {
        /* resumed: the write's group commit is over, the answer final */
        r->is_pending = false;
        ok = send_response(conn, &r->res);
        et_http_response_release(&r->res);
        return ok;
    }
    if (r->is_too_big)
        return transport_error(s, conn, 413, "too_large",
                               "body: larger than the server's limit "
                               "(--max-body)");
    memset(&t, 0, sizeof(t));
    t.p = r->target;
    t.cap = sizeof(r->target);
    t.is_first = true;
    target_add(&t, url, strlen(url));
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &t);
    req = &r->hreq;
    memset(req, 0, sizeof(*req));
    req->method = method;
    req->target = t.p;
    /* a target too long to rebuild is longer than the router's limit */
    req->target_len = t.is_overflow ? sizeof(r->target) : t.len;
    req->authorization =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    req->content_type =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
    req->content_encoding =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Encoding");
    req->accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");
    req->origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    req->host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    req->mcp_protocol_version = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, "MCP-Protocol-Version");
    req->mcp_method =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Mcp-Method");
    req->mcp_name =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Mcp-Name");
    req->body = r->body;
    req->body_len = r->len;
    req->cookie = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Cookie");
    req->last_event_id =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Last-Event-ID");
    r->conn = conn;
    r->waiter.suspend = on_suspend;
    r->waiter.resume = on_resume;
    r->waiter.ctx = r;
    if (et_http_handle_async(s->h, req, &r->res, &r->waiter)) {
        r->is_pending = true; /* suspended; on_resume brings it back */
        return MHD_YES;
    }
    ok = send_response(conn, &r->res);
    et_http_response_release(&r->res);
    return ok;
}

/* ---- options and the listening socket ---- */

static int parse_uint(const char *opt, const char *arg, unsigned long long lo,
                      unsigned long long hi, unsigned long long *out)
{
    char *end = NULL;

    errno = 0;
    *out = strtoull(arg, &end, 10);
    if (!*arg || *arg == '-' || *end || errno || *out < lo || *out > hi)
        return cli_usage_error("serve", "%s takes a number from %llu to %llu",
                               opt, lo, hi);
    return 0;
}

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in =
            (const struct sockaddr_in *)(const void *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 =
            (const struct sockaddr_in6 *)(const void *)sa;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return false;
}

/* split "HOST:PORT" or "[V6]:PORT" */
static int split_listen(const char *s, char *host, size_t cap, char *port,
                        size_t pcap)
{
    const char *colon;
    size_t hl;

    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':')
            return -1;
        hl = (size_t)(end - s - 1);
        s++;
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        hl = (size_t)(colon - s);
    }
    if (hl == 0 || hl >= cap || strlen(colon + 1) == 0 ||
        strlen(colon + 1) >= pcap ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1))
        return -1;
    memcpy(host, s, hl);
    host[hl] = '\0';
    snprintf(port, pcap, "%s", colon + 1);
    return 0;
}

static int check_tokens(const char *listen_on, bool is_lo, bool required);

/* a bound, listening socket (*is_lo: is it loopback), or -1 with the exit
 * status in *rc_out (the error printed) */
static int open_listener(const char *listen_on, bool require_token, bool *is_lo,
                         int *port_out, int *rc_out)
{
    struct addrinfo hints, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char host[256], port[16];
    int fd = -1, one = 1, e;

    *rc_out = EXIT_USAGE;
    if (split_listen(listen_on, host, sizeof(host), port, sizeof(port))) {
        cli_usage_error("serve",
                        "--listen takes HOST:PORT or [IPV6]:PORT, got '%s'",
                        listen_on);
        return -1;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    e = getaddrinfo(host, port, &hints, &ai);
    if (e) {
        fprintf(stderr, "exectrail serve: cannot resolve '%s': %s\n", host,
                gai_strerror(e));
        return -1;
    }
    *is_lo = is_loopback(ai->ai_addr);
    *rc_out = check_tokens(listen_on, *is_lo, require_token);
    if (*rc_out) {
        freeaddrinfo(ai);
        return -1;
    }
    *rc_out = EXIT_FAILURE_;
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 512) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        fprintf(stderr, "exectrail serve: cannot listen on %s: %s\n", listen_on,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    *port_out = ss.ss_family == AF_INET6
                    ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                    : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

static int write_port_file(const char *path, int port)
{
    char tmp[4096];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 ||
        rename(tmp, path) != 0) {
        fprintf(stderr, "exectrail serve: cannot write %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* refuse a non-loopback address (or --require-token) unless tokens exist */
static int check_tokens(const char *listen_on, bool is_lo, bool required)
{
    struct et_error err = ET_ERROR_INIT;
    size_t n = 0;

    if (et_token_count(cli_db, &n, &err))
        return cli_fail("serve", &err);
    if (required && n == 0) {
        fprintf(stderr, "exectrail serve: --require-token, but there are no "
                        "API tokens: create one with `exectrail token "
                        "create`\n");
        return EXIT_USAGE;
    }
    if (!is_lo && n == 0) {
        fprintf(stderr,
                "exectrail serve: refusing to listen on %s, which is not a "
                "loopback address, without API tokens: create one with "
                "`exectrail token create --scope ingest|read|admin` "
                "(every request must then send it)\n",
                listen_on);
        return EXIT_USAGE;
    }
    return 0;
}

static int parse_args(int argc, char **argv, struct serve_cfg *c)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"listen", required_argument, 0, 'l'},
        {"port-file", required_argument, 0, 'p'},
        {"require-token", no_argument, 0, 'r'},
        {"threads", required_argument, 0, 't'},
        {"max-body", required_argument, 0, 'b'},
        {"max-connections", required_argument, 0, 'c'},
        {"timeout", required_argument, 0, 'T'},
        {"group-commit-ms", required_argument, 0, 'g'},
        {"witness", no_argument, 0, 'W'},
        {"witness-dir", required_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    unsigned long long v;
    int ch;

    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            fputs(help, stdout);
            return -1;
        case 'D':
            cli_db = optarg;
            break;
        case 'l':
            c->listen = optarg;
            break;
        case 'p':
            c->port_file = optarg;
            break;
        case 'r':
            c->require_token = true;
            break;
        case 't':
            if (parse_uint("--threads", optarg, 1, 64, &v))
                return EXIT_USAGE;
            c->threads = (unsigned)v;
            break;
        case 'b':
            if (parse_uint("--max-body", optarg, 1024, (size_t)1 << 30, &v))
                return EXIT_USAGE;
            c->max_body = (size_t)v;
            break;
        case 'c':
            if (parse_uint("--max-connections", optarg, 1, 65536, &v))
                return EXIT_USAGE;
            c->max_conn = (unsigned)v;
            break;
        case 'T':
            if (parse_uint("--timeout", optarg, 1, 3600, &v))
                return EXIT_USAGE;
            c->timeout_s = (unsigned)v;
            break;
        case 'g':
            if (parse_uint("--group-commit-ms", optarg, 1, 600000, &v))
                return EXIT_USAGE;
            c->group_ms = (unsigned)v;
            break;
        case 'W':
            if (cli_witness_dir("serve", NULL, c->witness_buf,
                                sizeof(c->witness_buf)))
                return EXIT_USAGE;
            c->witness_dir = c->witness_buf;
            break;
        case 'w':
            c->witness_dir = optarg;
            break;
        default:
            return cli_usage_error("serve", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("serve", "unexpected argument '%s'",
                               argv[optind]);
    return 0;
}

static int run(const struct serve_cfg *c, int fd, bool is_lo, int port)
{
    struct et_http_opts ho;
    struct et_error err = ET_ERROR_INIT;
    struct server s;
    struct MHD_Daemon *d;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    sigset_t set;
    int sig = 0;

    memset(&ho, 0, sizeof(ho));
    ho.db = cli_db;
    ho.n_handles = c->threads;
    ho.is_loopback = is_lo;
    ho.require_token = c->require_token;
    ho.max_body = c->max_body;
    ho.group_max_ms = c->group_ms;
    ho.witness_dir = c->witness_dir;
    s.max_body = c->max_body;
    if (mhd_load()) {
        close(fd);
        return EXIT_FAILURE_;
    }
    if (et_http_new(&ho, &s.h, &err)) {
        close(fd);
        return cli_fail("serve", &err);
    }
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL;
    /* the workers inherit this mask: only the main thread takes signals */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, c->threads, MHD_OPTION_CONNECTION_LIMIT,
        c->max_conn, MHD_OPTION_CONNECTION_TIMEOUT, c->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "exectrail serve: cannot start the HTTP server\n");
        close(fd);
        et_http_free(s.h);
        return EXIT_FAILURE_;
    }
    if (c->port_file && write_port_file(c->port_file, port)) {
        MHD_stop_daemon(d);
        close(fd);
        et_http_free(s.h);
        return EXIT_FAILURE_;
    }
    if (!cli_quiet)
        fprintf(stderr,
                "exectrail serve: listening on %s (port %d)%s; Ctrl-C stops "
                "it\n",
                c->listen, port,
                is_lo && !c->require_token ? "" : ", API token required");
    while (sigwait(&set, &sig) != 0)
        ;
    if (!cli_quiet)
        fprintf(stderr, "exectrail serve: %s: stopping\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    /* the writes waiting for a group commit are answered first: a
     * suspended connection must not outlive the daemon */
    et_http_quiesce(s.h);
    MHD_stop_daemon(d); /* lets the requests in progress finish */
    close(fd);
    et_http_free(s.h);
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    struct serve_cfg c = {.listen = "127.0.0.1:7411",
                          .threads = 4,
                          .max_body = ET_HTTP_MAX_BODY_DEFAULT,
                          .max_conn = 256,
                          .timeout_s = 30};
    bool is_lo = false;
    int rc, fd, port = 0;

    rc = parse_args(argc, argv, &c);
    if (rc)
        return rc < 0 ? 0 : rc;
    fd = open_listener(c.listen, c.require_token, &is_lo, &port, &rc);
    if (fd < 0)
        return rc;
    return run(&c, fd, is_lo, port);
}
