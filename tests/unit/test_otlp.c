/* SPDX-License-Identifier: MIT */
/*
 * OTLP ingest through the library (et_otlp_ingest) on the checked-in
 * samples in tests/data/otlp: protobuf bytes made by the OpenTelemetry JS
 * SDK's own serializer, OTLP/JSON, gzip; the failure paths (truncated
 * protobuf, ids that are not hex, wrong types, unsupported content types
 * and encodings: a message naming the field or offset, nothing stored);
 * the pure span mapping; spans that arrive before their agent.
 */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exectrail/exectrail.h"
#include "exectrail/otlp.h"
#include "ingest/otlp_int.h"
#include "t.h"

static const char *const JSON = "application/json";
static const char *const PB = "application/x-protobuf";

static struct et_trail *open_fresh(const char *name)
{
    char path[512];
    struct et_trail *t = NULL;
    struct et_error err = ET_ERROR_INIT;

    snprintf(path, sizeof(path), "%s/%s/trail.db", t_tmpdir(), name);
    if (et_trail_open(path, ET_OPEN_CREATE, &t, NULL, &err) != ET_OK) {
        fprintf(stdout, "# open: %s\n", err.msg);
        return NULL;
    }
    return t;
}

/* tests/data/otlp/<name> into a malloc'd buffer. */
static char *slurp(const char *name, size_t *len)
{
    const char *src = getenv("ET_SOURCE_DIR");
    char path[1024];
    char *buf = NULL;
    long n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/tests/data/otlp/%s", src ? src : ".",
             name);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        if (buf)
            buf[n] = '\0';
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

static int count_one(void *ctx, const struct et_exec_summary *s)
{
    (void)s;
    (*(int *)ctx)++;
    return 0;
}

static int n_execs(struct et_trail *t)
{
    int n = 0;
    struct et_error err = ET_ERROR_INIT;

    if (et_trail_list(t, 1000, count_one, &n, &err) != ET_OK)
        return -1;
    return n;
}

/* ingest a sample; the status */
static int ingest_file(struct et_trail *t, enum et_otlp_signal sig,
                       const char *name, const char *ct, const char *enc,
                       struct et_otlp_result *r, struct et_error *err)
{
    size_t len = 0;
    char *buf = slurp(name, &len);
    int rc;

    if (!buf)
        return et_error_set(err, ET_EIO, "cannot read %s", name);
    rc = et_otlp_ingest(t, sig, ct, enc, buf, len, r, err);
    free(buf);
    return rc;
}

T_TEST(json_sample_maps_and_rejects_one)
{
    struct et_trail *t = open_fresh("json");
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;

    T_ASSERT(t != NULL);
    T_ASSERT_OK(ingest_file(t, ET_OTLP_TRACES, "genai-trace.json",
                            "application/json; charset=utf-8", NULL, &r, &err));
    T_ASSERT_INT_EQ(r.accepted, 6);
    T_ASSERT_INT_EQ(r.rejected, 1);
    T_ASSERT_INT_EQ(r.executions, 2);
    T_ASSERT_INT_EQ(r.actions, 2);
    T_ASSERT_INT_EQ(r.raw, 2);
    T_ASSERT_STR_EQ(r.message, "resourceSpans[0].scopeSpans[0].spans[6]: "
                               "endTimeUnixNano: before startTimeUnixNano");
    T_ASSERT_STR_EQ(r.response_type, JSON);
    T_ASSERT(r.response != NULL);
    T_ASSERT_STR_CONTAINS(r.response,
                          "\"partialSuccess\":{\"rejectedSpans\":\"1\"");
    T_ASSERT_INT_EQ(n_execs(t), 2);
    et_otlp_result_release(&r);
    /* the same request again (an exporter's retry): nothing new */
    T_ASSERT_OK(ingest_file(t, ET_OTLP_TRACES, "genai-trace.json", JSON, NULL,
                            &r, &err));
    T_ASSERT_INT_EQ(r.duplicates, 6);
    T_ASSERT_INT_EQ(r.events, 0);
    et_otlp_result_release(&r);
    /* gzip of the same bytes: the same spans, so duplicates too */
    T_ASSERT_OK(ingest_file(t, ET_OTLP_TRACES, "genai-trace.json.gz", JSON,
                            "gzip", &r, &err));
    T_ASSERT_INT_EQ(r.duplicates, 6);
    T_ASSERT_INT_EQ(r.rejected, 1);
    et_otlp_result_release(&r);
    T_ASSERT_INT_EQ(n_execs(t), 2);
    et_trail_close(t);
}

T_TEST(sdk_protobuf_traces)
{
    struct et_trail *t = open_fresh("pb");
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;

    T_ASSERT(t != NULL);
    T_ASSERT_OK(
        ingest_file(t, ET_OTLP_TRACES, "sdk-traces.pb", PB, NULL, &r, &err));
    T_ASSERT_INT_EQ(r.accepted, 6);
    T_ASSERT_INT_EQ(r.rejected, 0);
    T_ASSERT_INT_EQ(r.executions, 2);
    T_ASSERT_INT_EQ(r.actions, 2);
    T_ASSERT_STR_EQ(r.response_type, PB);
    T_ASSERT_INT_EQ(r.response_len, 0); /* an empty response message */
    et_otlp_result_release(&r);
    T_ASSERT_INT_EQ(n_execs(t), 2);
    /* a NULL content type means protobuf */
    T_ASSERT_OK(
        ingest_file(t, ET_OTLP_TRACES, "sdk-traces.pb", NULL, "", &r, &err));
    T_ASSERT_INT_EQ(r.duplicates, 6);
    et_otlp_result_release(&r);
    et_trail_close(t);
}

T_TEST(protobuf_partial_success_response)
{
    struct et_trail *t = open_fresh("pbresp");
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;
    /* ExportTraceServiceRequest{resource_spans(1){scope_spans(2){spans(2){
     * trace_id(1)=010203 (3 bytes), span_id(2)=0102..08, name(5)="x",
     * start_time_unix_nano(7, fixed64)=1, end_time_unix_nano(8)=2}}}} */
    static const unsigned char req[] = {
        0x0a, 40, 0x12, 38, 0x12, 36,   0x0a, 3,    1, 2,   3,    0x12, 8, 1,
        2,    3,  4,    5,  6,    7,    8,    0x2a, 1, 'x', 0x39, 1,    0, 0,
        0,    0,  0,    0,  0,    0x41, 2,    0,    0, 0,   0,    0,    0, 0};

    T_ASSERT(t != NULL);
    T_ASSERT_OK(et_otlp_ingest(t, ET_OTLP_TRACES, PB, NULL, req, sizeof(req),
                               &r, &err));
    T_ASSERT_INT_EQ(r.rejected, 1);
    T_ASSERT_STR_CONTAINS(r.message, "traceId: 3 bytes, expected 16");
    /* ExportTraceServiceResponse{partial_success(1){rejected_spans(1)=1,
     * error_message(2)=...}} */
    T_ASSERT(r.response_len > 4);
    T_ASSERT_INT_EQ((unsigned char)r.response[0], 0x0a);
    T_ASSERT_INT_EQ((unsigned char)r.response[2], 0x08);
    T_ASSERT_INT_EQ((unsigned char)r.response[3], 0x01);
    et_otlp_result_release(&r);
    T_ASSERT_INT_EQ(n_execs(t), 0);
    et_trail_close(t);
}

/* Each bad body: the status, words the message must hold, nothing stored. */
T_TEST(bad_bodies_store_nothing)
{
    static const struct {
        const char *ct, *enc, *body;
        int rc;
        const char *msg;
    } cases[] = {
        {"text/plain", NULL, "{}", ET_EINPUT,
         "Content-Type: unsupported \"text/plain\""},
        {"application/json", "br", "{}", ET_EINPUT,
         "Content-Encoding: unsupported \"br\""},
        {"application/json", "gzip", "not gzip at all", ET_EINPUT, "gzip: "},
        {"application/json", NULL, "{\"resourceSpans\":[", ET_EINPUT,
         "OTLP/JSON: byte 18"},
        {"application/json", NULL, "[]", ET_EINPUT,
         "expected an ExportTraceServiceRequest object, got array"},
        {"application/json", NULL, "{\"resourceSpans\":{}}", ET_EINPUT,
         "resourceSpans: expected array, got object"},
        {"application/json", NULL,
         "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":"
         "\"5b8zfff798038103d269b633813fc60c\"}]}]}]}",
         ET_EINPUT,
         "resourceSpans[0].scopeSpans[0].spans[0].traceId: not hex: "
         "character 3 is 'z'"},
        {"application/json", NULL,
         "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"spanId\":"
         "\"AAECAwQFBgc=\"}]}]}]}",
         ET_EINPUT, "spans[0].spanId: not hex: character 5 is 'w'"},
        {"application/json", NULL,
         "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":"
         "\"SPAN_KIND_SERVER\"}]}]}]}",
         ET_EINPUT,
         "spans[0].kind: expected an integer enum value, got string"},
        {"application/json", NULL,
         "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{"
         "\"startTimeUnixNano\":\"12x\"}]}]}]}",
         ET_EINPUT,
         "spans[0].startTimeUnixNano: expected a decimal integer, got "
         "\"12x\""},
        {"application/json", NULL,
         "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":"
         "[{\"key\":\"a\",\"value\":{\"intValue\":true}}]}]}]}]}",
         ET_EINPUT, "spans[0].attributes[0].value.intValue: expected integer"},
        {NULL, NULL, "\x0a\x05\x12\x03\x12\x01", ET_EINPUT,
         "not an ExportTraceServiceRequest (truncated or malformed"},
    };
    struct et_trail *t = open_fresh("bad");

    T_ASSERT(t != NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct et_otlp_result r;
        struct et_error err = ET_ERROR_INIT;
        int rc = et_otlp_ingest(t, ET_OTLP_TRACES, cases[i].ct, cases[i].enc,
                                cases[i].body, strlen(cases[i].body), &r, &err);

        printf("# case %zu: %s\n", i, err.msg);
        T_ASSERT_INT_EQ(rc, cases[i].rc);
        T_ASSERT_INT_EQ(et_otlp_http_status(rc), 400);
        T_ASSERT_STR_CONTAINS(err.msg, cases[i].msg);
        T_ASSERT(r.response == NULL);
        T_ASSERT_INT_EQ(r.events, 0);
    }
    T_ASSERT_INT_EQ(n_execs(t), 0);
    et_trail_close(t);
}

/* et_otlp_decode on a thread of its own, the body freed before the
 * ingest (as the server does: the receiving thread decodes, the writer
 * stores): the same result as et_otlp_ingest; a body that does not decode
 * carries its failure to et_otlp_ingest_request, nothing stored */
struct decode_job {
    char *body;
    size_t len;
    const char *ct, *enc;
    struct et_otlp_request *rq;
    int rc;
    struct et_error err;
};

static void *decode_thread(void *arg)
{
    struct decode_job *j = arg;

    j->rc = et_otlp_decode(ET_OTLP_TRACES, j->ct, j->enc, j->body, j->len,
                           &j->rq, &j->err);
    free(j->body);
    j->body = NULL;
    return NULL;
}

T_TEST(decode_apart_then_ingest)
{
    struct et_trail *t = open_fresh("apart");
    struct decode_job j = {0};
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;
    pthread_t th;

    T_ASSERT(t != NULL);
    j.body = slurp("genai-trace.json.gz", &j.len);
    j.ct = JSON;
    j.enc = "gzip";
    T_ASSERT(j.body != NULL);
    T_ASSERT_INT_EQ(pthread_create(&th, NULL, decode_thread, &j), 0);
    T_ASSERT_INT_EQ(pthread_join(th, NULL), 0);
    T_ASSERT_OK(j.rc);
    T_ASSERT(j.rq != NULL);
    T_ASSERT_OK(et_otlp_ingest_request(t, j.rq, &r, &err));
    T_ASSERT_RC(et_otlp_ingest_request(t, j.rq, NULL, &err), ET_EINVAL);
    T_ASSERT_STR_CONTAINS(err.msg, "ingested already");
    et_otlp_request_free(j.rq);
    T_ASSERT_INT_EQ(r.accepted, 6);
    T_ASSERT_INT_EQ(r.rejected, 1);
    T_ASSERT_INT_EQ(r.executions, 2);
    T_ASSERT_INT_EQ(r.actions, 2);
    T_ASSERT_STR_CONTAINS(r.response,
                          "\"partialSuccess\":{\"rejectedSpans\":\"1\"");
    et_otlp_result_release(&r);
    T_ASSERT_INT_EQ(n_execs(t), 2);

    /* a failure travels with the request */
    memset(&j, 0, sizeof(j));
    j.body = strdup("{\"resourceSpans\":{}}");
    j.len = strlen(j.body);
    j.ct = JSON;
    T_ASSERT_INT_EQ(pthread_create(&th, NULL, decode_thread, &j), 0);
    T_ASSERT_INT_EQ(pthread_join(th, NULL), 0);
    T_ASSERT_INT_EQ(j.rc, ET_EINPUT);
    T_ASSERT_STR_CONTAINS(j.err.msg, "resourceSpans: expected array");
    T_ASSERT(j.rq != NULL);
    T_ASSERT_RC(et_otlp_ingest_request(t, j.rq, &r, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "resourceSpans: expected array, got object");
    T_ASSERT(r.response == NULL);
    T_ASSERT_INT_EQ(r.events, 0);
    et_otlp_request_free(j.rq);
    /* an unsupported content type too; bad arguments have no request */
    T_ASSERT_RC(et_otlp_decode(ET_OTLP_LOGS, "text/plain", NULL, "{}", 2,
                               &j.rq, &err),
                ET_EINPUT);
    T_ASSERT(j.rq != NULL);
    T_ASSERT_RC(et_otlp_ingest_request(t, j.rq, &r, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "Content-Type: unsupported \"text/plain\"");
    et_otlp_request_free(j.rq);
    T_ASSERT_RC(et_otlp_decode(ET_OTLP_TRACES, JSON, NULL, NULL, 3, &j.rq,
                               &err),
                ET_EINVAL);
    T_ASSERT(j.rq == NULL);
    T_ASSERT_RC(et_otlp_ingest_request(t, NULL, &r, &err), ET_EINVAL);
    /* and et_otlp_ingest, which decodes through et_otlp_decode */
    T_ASSERT_RC(et_otlp_ingest(t, ET_OTLP_TRACES, JSON, NULL, NULL, 3, &r,
                               &err),
                ET_EINVAL);
    T_ASSERT(r.response == NULL);
    T_ASSERT_RC(et_otlp_ingest(t, (enum et_otlp_signal)7, JSON, NULL, "{}",
                               2, &r, &err),
                ET_EINVAL);
    T_ASSERT_RC(et_otlp_ingest(NULL, ET_OTLP_TRACES, JSON, NULL, "{}", 2, &r,
                               &err),
                ET_EINVAL);
    T_ASSERT_INT_EQ(n_execs(t), 2);
    et_trail_close(t);
}

T_TEST(truncated_sdk_protobuf)
{
    struct et_trail *t = open_fresh("trunc");
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;
    size_t len = 0;
    char *buf = slurp("sdk-traces.pb", &len);

    T_ASSERT(t != NULL && buf != NULL);
    for (size_t cut = 1; cut < len; cut += 97) {
        int rc = et_otlp_ingest(t, ET_OTLP_TRACES, PB, NULL, buf, len - cut, &r,
                                &err);

        /* a cut can land between whole messages: then it decodes */
        if (rc) {
            T_ASSERT_INT_EQ(rc, ET_EINPUT);
            T_ASSERT_STR_CONTAINS(err.msg, "protobuf: ");
        }
        et_otlp_result_release(&r);
    }
    free(buf);
    et_trail_close(t);
}

T_TEST(mapping_is_pure)
{
    size_t len = 0;
    char *buf = slurp("genai-trace.json", &len);
    struct json_object *spans = NULL;
    struct et__otlp_plan p;
    struct et_error err = ET_ERROR_INIT;
    const char *parent = NULL, *child_parent = NULL;
    int recorded = 0, raw = 0;

    T_ASSERT(buf != NULL);
    T_ASSERT_OK(et__otlp_decode_json(ET_OTLP_TRACES, buf, len, &spans, &err));
    free(buf);
    T_ASSERT_INT_EQ(json_object_array_length(spans), 7);
    et__otlp_plan_init(&p);
    T_ASSERT_OK(et__otlp_map_spans(spans, NULL, NULL, &p, &err));
    for (size_t i = 0; i < p.n_ev; i++) {
        struct json_object *b = p.ev[i].body, *v;

        if (!strcmp(p.ev[i].type, "execution.recorded")) {
            recorded++;
            if (json_object_object_get_ex(b, "parent_execution_id", &v))
                child_parent = json_object_get_string(v);
            else
                parent = p.ev[i].id;
        } else {
            T_ASSERT_STR_EQ(p.ev[i].type, "otlp.span");
            T_ASSERT_STR_EQ(p.ev[i].id, "");
            raw++;
        }
    }
    T_ASSERT_INT_EQ(recorded, 2);
    T_ASSERT_INT_EQ(raw, 2);
    T_ASSERT(parent != NULL && child_parent != NULL);
    T_ASSERT_STR_EQ(child_parent, parent);
    /* upper-case hex in the request, lower case in the index */
    T_ASSERT(json_object_object_get_ex(
        p.index, "otlp:span:4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7",
        NULL));
    T_ASSERT_INT_EQ(p.rejected, 1);
    et__otlp_plan_release(&p);
    json_object_put(spans);
}

static int find_agent(void *ctx, const struct et_exec_summary *s)
{
    if (s->agent_name && !strcmp(s->agent_name, "general-purpose"))
        memcpy(ctx, s->execution_id, 37);
    return 0;
}

T_TEST(tools_before_their_agent)
{
    static const char *const parts[] = {
        "split-1-tools.json", "split-2-chat.json", "split-3-agents.json"};
    struct et_trail *t = open_fresh("split");
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;
    char id[37] = "", *doc = NULL;
    size_t len;

    T_ASSERT(t != NULL);
    for (size_t i = 0; i < 3; i++) {
        T_ASSERT_OK(
            ingest_file(t, ET_OTLP_TRACES, parts[i], JSON, NULL, &r, &err));
        et_otlp_result_release(&r);
        T_ASSERT_INT_EQ(n_execs(t), i < 2 ? 0 : 2);
    }
    T_ASSERT_OK(et_trail_list(t, 10, find_agent, id, &err));
    T_ASSERT_OK(et_trail_show(t, id, ET_SHOW_PRETTY, &doc, &len, &err));
    T_ASSERT_STR_CONTAINS(doc, "\"tool\": \"Read\"");
    T_ASSERT_STR_CONTAINS(doc, "\"tool\": \"Bash\"");
    T_ASSERT_STR_CONTAINS(doc, "\"error\": \"make: *** [test] Error 2\"");
    T_ASSERT_STR_CONTAINS(doc, "\"parent_execution_id\": \"");
    et_trail_free_string(doc);
    et_trail_close(t);
}

T_TEST(claude_code_logs)
{
    struct et_trail *t = open_fresh("logs");
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;

    T_ASSERT(t != NULL);
    T_ASSERT_OK(
        ingest_file(t, ET_OTLP_LOGS, "sdk-logs.pb", PB, NULL, &r, &err));
    T_ASSERT_INT_EQ(r.accepted, 3);
    T_ASSERT_INT_EQ(r.raw, 3);
    T_ASSERT_INT_EQ(r.events, 3);
    T_ASSERT_INT_EQ(r.response_len, 0);
    et_otlp_result_release(&r);
    /* the same records in OTLP/JSON decode to the same thing */
    T_ASSERT_OK(
        ingest_file(t, ET_OTLP_LOGS, "sdk-logs.json", JSON, NULL, &r, &err));
    T_ASSERT_INT_EQ(r.duplicates, 3);
    T_ASSERT_INT_EQ(r.events, 0);
    T_ASSERT_STR_EQ(r.response, "{}");
    et_otlp_result_release(&r);
    /* a traces body sent as logs is not a logs request: nothing in it */
    T_ASSERT_OK(
        ingest_file(t, ET_OTLP_LOGS, "genai-trace.json", JSON, NULL, &r, &err));
    T_ASSERT_INT_EQ(r.accepted, 0);
    et_otlp_result_release(&r);
    et_trail_close(t);
}

/* Write a varint ending just before *end (building backwards). */
static void put_varint_back(unsigned char **end, size_t v)
{
    unsigned char tmp[10];
    size_t n = 0;

    do {
        tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    for (size_t i = n; i > 0; i--)
        *--(*end) = tmp[i - 1];
}

/* Wrap [*end, stop) in a length-delimited field with tag byte tag. */
static void wrap_back(unsigned char **end, unsigned char *stop,
                      unsigned char tag)
{
    put_varint_back(end, (size_t)(stop - *end));
    *--(*end) = tag;
}

/* The subagent's spans come in a request before the planner's: it is
 * recorded at once, and linked to its parent when the planner arrives. */
T_TEST(subagent_before_its_parent)
{
    struct et_trail *t = open_fresh("nested");
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;
    char id[37] = "", *doc = NULL;
    size_t len;

    T_ASSERT(t != NULL);
    T_ASSERT_OK(ingest_file(t, ET_OTLP_TRACES, "nested-1-subagent.json", JSON,
                            NULL, &r, &err));
    T_ASSERT_INT_EQ(r.executions, 1);
    T_ASSERT_INT_EQ(r.actions, 2);
    et_otlp_result_release(&r);
    T_ASSERT_OK(et_trail_list(t, 10, find_agent, id, &err));
    T_ASSERT_OK(et_trail_show(t, id, ET_SHOW_PRETTY, &doc, &len, &err));
    T_ASSERT(strstr(doc, "\"parent_execution_id\"") == NULL);
    et_trail_free_string(doc);
    T_ASSERT_OK(ingest_file(t, ET_OTLP_TRACES, "nested-2-planner.json", JSON,
                            NULL, &r, &err));
    T_ASSERT_INT_EQ(r.executions, 1);
    T_ASSERT_INT_EQ(r.events, 3); /* planner, its raw span, the link */
    et_otlp_result_release(&r);
    T_ASSERT_OK(et_trail_show(t, id, ET_SHOW_PRETTY, &doc, &len, &err));
    /* the planner's id: the name-based UUID of its trace and span */
    T_ASSERT_STR_CONTAINS(
        doc,
        "\"parent_execution_id\": \"c9fb0084-5bf5-581b-9337-5de3f0363ee0\"");
    T_ASSERT_STR_CONTAINS(doc, "\"tool\": \"Bash\"");
    et_trail_free_string(doc);
    /* the link is in the ledger: the projections rebuild to the same */
    T_ASSERT_OK(et_trail_verify_projections(t, &err));
    et_trail_close(t);
}

/* protobuf-c unpacks recursively: a small body nesting AnyValues 200000
 * deep must be refused before it overflows the stack. */
T_TEST(deep_protobuf_nesting_refused)
{
    size_t cap = 4u << 20;
    unsigned char *buf = malloc(cap), *stop, *p;
    struct et_trail *t = open_fresh("deep");
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;

    T_ASSERT(buf != NULL && t != NULL);
    stop = p = buf + cap;
    *--p = 'x';
    *--p = 1;
    *--p = 0x0a; /* AnyValue{string_value: "x"} */
    for (int i = 0; i < 200000; i++) {
        wrap_back(&p, stop, 0x0a); /* ArrayValue.values */
        wrap_back(&p, stop, 0x2a); /* AnyValue.array_value */
    }
    wrap_back(&p, stop, 0x12); /* KeyValue.value */
    *--p = 'k';
    *--p = 1;
    *--p = 0x0a;               /* KeyValue.key */
    wrap_back(&p, stop, 0x4a); /* Span.attributes */
    wrap_back(&p, stop, 0x12); /* ScopeSpans.spans */
    wrap_back(&p, stop, 0x12); /* ResourceSpans.scope_spans */
    wrap_back(&p, stop, 0x0a); /* request.resource_spans */
    T_ASSERT_RC(et_otlp_ingest(t, ET_OTLP_TRACES, PB, NULL, p,
                               (size_t)(stop - p), &r, &err),
                ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "protobuf: messages nested deeper than 100");
    free(buf);
    et_trail_close(t);
}

T_MAIN("otlp", T_CASE(json_sample_maps_and_rejects_one),
       T_CASE(sdk_protobuf_traces), T_CASE(protobuf_partial_success_response),
       T_CASE(bad_bodies_store_nothing), T_CASE(truncated_sdk_protobuf),
       T_CASE(mapping_is_pure), T_CASE(tools_before_their_agent),
       T_CASE(claude_code_logs), T_CASE(deep_protobuf_nesting_refused),
       T_CASE(subagent_before_its_parent), T_CASE(decode_apart_then_ingest))
