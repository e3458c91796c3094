/* SPDX-License-Identifier: MIT */
/*
 * OTLP request decoders: protobuf through the protobuf-c code generated
 * from the official .proto files, and OTLP/JSON (proto3 JSON with hex ids,
 * integer enums, 64-bit integers as strings). Both give the normalised
 * form of otlp_int.h, so the mapping sees one shape.
 */
#include "base/setup.h"

#include <errno.h>
#include <inttypes.h>

#include <opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h>
#include <opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "codec/json.h"
#include "ingest/otlp_int.h"

/* attribute values nest (arrays, key-value lists); deeper is refused */
#define MAX_VALUE_DEPTH 32

typedef Opentelemetry__Proto__Common__V1__AnyValue pb_any;
typedef Opentelemetry__Proto__Common__V1__KeyValue pb_kv;

static int oom(struct et_error *err)
{
    return et_error_set(err, ET_ENOMEM, "out of memory");
}

/* Add v to o under k; false (v freed) when out of memory. */
static bool put(struct json_object *o, const char *k, struct json_object *v)
{
    if (!v)
        return false;
    if (et__jadd(o, k, v)) {
        json_object_put(v);
        return false;
    }
    return true;
}

static bool push(struct json_object *a, struct json_object *v)
{
    if (!v)
        return false;
    if (et__jappend(a, v)) {
        json_object_put(v);
        return false;
    }
    return true;
}

static struct json_object *hex_of(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char buf[129];

    if (n > 64)
        n = 64; /* ids are 8 or 16 bytes; the mapping rejects others */
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = digits[p[i] >> 4];
        buf[2 * i + 1] = digits[p[i] & 15];
    }
    return et__jnew_string_len(buf, (int)(2 * n));
}

static struct json_object *base64_of(const uint8_t *p, size_t n)
{
    static const char t[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    struct et_buf b = ET_BUF_INIT;
    struct json_object *s = NULL;
    bool ok = true;

    for (size_t i = 0; ok && i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        char q[4];

        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        q[0] = t[(v >> 18) & 63];
        q[1] = t[(v >> 12) & 63];
        q[2] = i + 1 < n ? t[(v >> 6) & 63] : '=';
        q[3] = i + 2 < n ? t[v & 63] : '=';
        ok = et_buf_add(&b, q, 4) == ET_OK;
    }
    if (ok)
        s = et__jnew_string_len(b.ptr ? b.ptr : "", (int)b.len);
    et_buf_release(&b);
    return s;
}

/* ---- protobuf ---- */

static void *pb_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return et__malloc(n ? n : 1);
}

static void pb_free(void *ctx, void *p)
{
    (void)ctx;
    et__free(p);
}

static ProtobufCAllocator pb_allocator = {pb_alloc, pb_free, NULL};

static struct json_object *pb_attrs(pb_kv **kv, size_t n, int depth);

static struct json_object *pb_value(const pb_any *v, int depth)
{
    struct json_object *a;

    if (!v || depth > MAX_VALUE_DEPTH)
        return NULL;
    switch (v->value_case) {
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE:
        return et__jnew_string(v->string_value ? v->string_value : "");
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE:
        return et__jnew_boolean(v->bool_value != 0);
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE:
        return et__jnew_int64(v->int_value);
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE:
        /* JSON has no NaN or infinities: kept as text */
        if (v->double_value != v->double_value ||
            v->double_value > 1.7976931348623157e308 ||
            v->double_value < -1.7976931348623157e308)
            return et__jnew_string(v->double_value != v->double_value ? "NaN"
                                   : v->double_value > 0 ? "Infinity"
                                                         : "-Infinity");
        return et__jnew_double(v->double_value);
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE:
        a = et__jnew_array();
        for (size_t i = 0; a && v->array_value && i < v->array_value->n_values;
             i++) {
            struct json_object *e =
                pb_value(v->array_value->values[i], depth + 1);

            if (!e && v->array_value->values[i] &&
                v->array_value->values[i]->value_case !=
                    OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE__NOT_SET) {
                json_object_put(a);
                return NULL;
            }
            if (et__jappend(a, e)) {
                json_object_put(e);
                json_object_put(a);
                return NULL;
            }
        }
        return a;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_KVLIST_VALUE:
        if (!v->kvlist_value)
            return et__jnew_object();
        return pb_attrs(v->kvlist_value->values, v->kvlist_value->n_values,
                        depth + 1);
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BYTES_VALUE:
        return base64_of(v->bytes_value.data, v->bytes_value.len);
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE_STRINDEX:
        return et__jnew_int64(v->string_value_strindex);
    default:
        return NULL;
    }
}

/* Attributes as an object; an empty value is null. NULL: OOM or too deep. */
static struct json_object *pb_attrs(pb_kv **kv, size_t n, int depth)
{
    struct json_object *o = et__jnew_object();

    if (depth > MAX_VALUE_DEPTH) {
        json_object_put(o);
        return NULL;
    }
    for (size_t i = 0; o && i < n; i++) {
        const pb_any *v = kv[i] ? kv[i]->value : NULL;
        struct json_object *jv = NULL;

        if (!kv[i] || !kv[i]->key)
            continue;
        if (v &&
            v->value_case !=
                OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE__NOT_SET) {
            jv = pb_value(v, depth + 1);
            if (!jv) {
                json_object_put(o);
                return NULL;
            }
        }
        if (et__jadd(o, kv[i]->key, jv)) {
            json_object_put(jv);
            json_object_put(o);
            return NULL;
        }
    }
    return o;
}

static bool
pb_resource(struct json_object *item,
            const Opentelemetry__Proto__Resource__V1__Resource *r,
            const Opentelemetry__Proto__Common__V1__InstrumentationScope *sc)
{
    struct json_object *s = et__jnew_object();

    if (!put(item, "resource",
             r ? pb_attrs(r->attributes, r->n_attributes, 0)
               : et__jnew_object()) ||
        !put(item, "scope", s))
        return false;
    if (sc && sc->name && *sc->name &&
        !put(s, "name", et__jnew_string(sc->name)))
        return false;
    if (sc && sc->version && *sc->version &&
        !put(s, "version", et__jnew_string(sc->version)))
        return false;
    return true;
}

static bool pb_time(struct json_object *o, const char *k, uint64_t ns)
{
    /* past INT64_MAX (year 2262) is kept as the largest value */
    return put(o, k, et__jnew_int64(ns > INT64_MAX ? INT64_MAX : (int64_t)ns));
}

static struct json_object *
pb_span(const Opentelemetry__Proto__Trace__V1__Span *sp, const char *path)
{
    struct json_object *o = et__jnew_object();
    struct json_object *st = et__jnew_object();
    struct json_object *evs = et__jnew_array();
    bool ok = o && st && evs;

    if (!ok) {
        json_object_put(o);
        json_object_put(st);
        json_object_put(evs);
        return NULL;
    }
    ok =
        put(o, "status", st) && put(o, "events", evs) &&
        put(o, "path", et__jnew_string(path)) &&
        put(o, "trace_id", hex_of(sp->trace_id.data, sp->trace_id.len)) &&
        put(o, "span_id", hex_of(sp->span_id.data, sp->span_id.len)) &&
        (!sp->parent_span_id.len ||
         put(o, "parent_span_id",
             hex_of(sp->parent_span_id.data, sp->parent_span_id.len))) &&
        put(o, "name", et__jnew_string(sp->name ? sp->name : "")) &&
        put(o, "kind", et__jnew_int((int)sp->kind)) &&
        pb_time(o, "start_ns", sp->start_time_unix_nano) &&
        pb_time(o, "end_ns", sp->end_time_unix_nano) &&
        put(o, "attributes", pb_attrs(sp->attributes, sp->n_attributes, 0)) &&
        put(st, "code", et__jnew_int(sp->status ? (int)sp->status->code : 0)) &&
        put(st, "message",
            et__jnew_string(
                sp->status && sp->status->message ? sp->status->message : ""));
    for (size_t i = 0; ok && i < sp->n_events; i++) {
        const Opentelemetry__Proto__Trace__V1__Span__Event *e = sp->events[i];
        struct json_object *je = et__jnew_object();

        ok = push(evs, je) &&
             put(je, "name", et__jnew_string(e->name ? e->name : "")) &&
             pb_time(je, "time_ns", e->time_unix_nano) &&
             put(je, "attributes", pb_attrs(e->attributes, e->n_attributes, 0));
    }
    if (!ok) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static struct json_object *
pb_log(const Opentelemetry__Proto__Logs__V1__LogRecord *lr, const char *path)
{
    struct json_object *o = et__jnew_object();
    bool ok = o != NULL;

    ok = ok && put(o, "path", et__jnew_string(path)) &&
         pb_time(o, "time_ns", lr->time_unix_nano) &&
         pb_time(o, "observed_ns", lr->observed_time_unix_nano) &&
         put(o, "severity_number", et__jnew_int((int)lr->severity_number)) &&
         put(o, "severity_text",
             et__jnew_string(lr->severity_text ? lr->severity_text : "")) &&
         put(o, "event_name",
             et__jnew_string(lr->event_name ? lr->event_name : "")) &&
         put(o, "attributes", pb_attrs(lr->attributes, lr->n_attributes, 0)) &&
         (!lr->trace_id.len ||
          put(o, "trace_id", hex_of(lr->trace_id.data, lr->trace_id.len))) &&
         (!lr->span_id.len ||
          put(o, "span_id", hex_of(lr->span_id.data, lr->span_id.len)));
    if (ok && lr->body &&
        lr->body->value_case !=
            OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE__NOT_SET)
        ok = put(o, "body", pb_value(lr->body, 0));
    if (!ok) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/*
 * protobuf-c unpacks nested messages recursively with no depth limit, so a
 * small body of deeply nested AnyValues would overflow the stack. Before
 * unpacking, this walks the wire format guided by the generated
 * descriptors only to measure how deep messages nest (it decodes no
 * values); anything malformed is left for protobuf-c to refuse. Returns
 * the byte offset of the first message past max_depth, or -1.
 */
#define MAX_MESSAGE_DEPTH 100

static bool wire_varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64 && *i < len; shift += 7) {
        uint8_t b = p[(*i)++];

        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

static long too_deep_at(const ProtobufCMessageDescriptor *d, const uint8_t *p,
                        size_t len, size_t base, int depth)
{
    size_t i = 0;

    if (depth > MAX_MESSAGE_DEPTH)
        return (long)base;
    while (i < len) {
        uint64_t key, n;
        const ProtobufCFieldDescriptor *f;

        if (!wire_varint(p, len, &i, &key))
            return -1;
        switch (key & 7) {
        case 0:
            if (!wire_varint(p, len, &i, &n))
                return -1;
            break;
        case 1:
            i += 8;
            break;
        case 5:
            i += 4;
            break;
        case 2:
            if (!wire_varint(p, len, &i, &n) || n > len - i)
                return -1;
            f = key >> 3 <= UINT32_MAX
                    ? protobuf_c_message_descriptor_get_field(
                          d, (unsigned)(key >> 3))
                    : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                long at = too_deep_at(f->descriptor, p + i, (size_t)n, base + i,
                                      depth + 1);

                if (at >= 0)
                    return at;
            }
            i += (size_t)n;
            break;
        default:
            return -1; /* groups and bad wire types: protobuf-c refuses */
        }
    }
    return -1;
}

static int pb_depth_check(const ProtobufCMessageDescriptor *d, const void *buf,
                          size_t len, struct et_error *err)
{
    long at = too_deep_at(d, buf, len, 0, 0);

    if (at >= 0)
        return et_error_set(err, ET_EINPUT,
                            "protobuf: messages nested deeper than %d at byte "
                            "%ld",
                            MAX_MESSAGE_DEPTH, at);
    return ET_OK;
}

static int pb_traces(const void *buf, size_t len, struct json_object *items,
                     struct et_error *err)
{
    Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest *rq;
    char path[128];
    int rc = pb_depth_check(
        &opentelemetry__proto__collector__trace__v1__export_trace_service_request__descriptor,
        buf, len, err);

    if (rc)
        return rc;
    rq =
        opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
            &pb_allocator, len, buf);
    if (!rq)
        return et_error_set(err, ET_EINPUT,
                            "protobuf: %zu bytes are not an "
                            "ExportTraceServiceRequest (truncated or "
                            "malformed message)",
                            len);
    for (size_t i = 0; !rc && i < rq->n_resource_spans; i++) {
        const Opentelemetry__Proto__Trace__V1__ResourceSpans *rs =
            rq->resource_spans[i];

        for (size_t j = 0; !rc && j < rs->n_scope_spans; j++) {
            const Opentelemetry__Proto__Trace__V1__ScopeSpans *ss =
                rs->scope_spans[j];

            for (size_t k = 0; !rc && k < ss->n_spans; k++) {
                struct json_object *o;

                snprintf(path, sizeof(path),
                         "resourceSpans[%zu].scopeSpans[%zu].spans[%zu]", i, j,
                         k);
                o = pb_span(ss->spans[k], path);
                if (!o || !pb_resource(o, rs->resource, ss->scope) ||
                    !push(items, o))
                    rc = et_error_set(err, ET_EINPUT,
                                      "%s: attribute values nested deeper "
                                      "than %d, or out of memory",
                                      path, MAX_VALUE_DEPTH);
            }
        }
    }
    opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(
        rq, &pb_allocator);
    return rc;
}

static int pb_logs(const void *buf, size_t len, struct json_object *items,
                   struct et_error *err)
{
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceRequest *rq;
    char path[128];
    int rc = pb_depth_check(
        &opentelemetry__proto__collector__logs__v1__export_logs_service_request__descriptor,
        buf, len, err);

    if (rc)
        return rc;
    rq =
        opentelemetry__proto__collector__logs__v1__export_logs_service_request__unpack(
            &pb_allocator, len, buf);
    if (!rq)
        return et_error_set(err, ET_EINPUT,
                            "protobuf: %zu bytes are not an "
                            "ExportLogsServiceRequest (truncated or "
                            "malformed message)",
                            len);
    for (size_t i = 0; !rc && i < rq->n_resource_logs; i++) {
        const Opentelemetry__Proto__Logs__V1__ResourceLogs *rl =
            rq->resource_logs[i];

        for (size_t j = 0; !rc && j < rl->n_scope_logs; j++) {
            const Opentelemetry__Proto__Logs__V1__ScopeLogs *sl =
                rl->scope_logs[j];

            for (size_t k = 0; !rc && k < sl->n_log_records; k++) {
                struct json_object *o;

                snprintf(path, sizeof(path),
                         "resourceLogs[%zu].scopeLogs[%zu].logRecords[%zu]", i,
                         j, k);
                o = pb_log(sl->log_records[k], path);
                if (!o || !pb_resource(o, rl->resource, sl->scope) ||
                    !push(items, o))
                    rc = et_error_set(err, ET_EINPUT,
                                      "%s: attribute values nested deeper "
                                      "than %d, or out of memory",
                                      path, MAX_VALUE_DEPTH);
            }
        }
    }
    opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(
        rq, &pb_allocator);
    return rc;
}

int et__otlp_decode_pb(enum et_otlp_signal sig, const void *buf, size_t len,
                       struct json_object **items_out, struct et_error *err)
{
    struct json_object *items = et__jnew_array();
    int rc;

    *items_out = NULL;
    if (!items)
        return oom(err);
    rc = sig == ET_OTLP_LOGS ? pb_logs(buf, len, items, err)
                             : pb_traces(buf, len, items, err);
    if (rc) {
        json_object_put(items);
        return rc;
    }
    *items_out = items;
    return ET_OK;
}

/* ---- OTLP/JSON ---- */

struct jd {
    struct et_error *err;
    char path[256];
};

/* Member by its lowerCamelCase name, or the proto field name. */
static struct json_object *jf(struct json_object *o, const char *camel,
                              const char *snake)
{
    struct json_object *v = et__jget(o, camel);

    if (!v && snake)
        v = et__jget(o, snake);
    return v;
}

static int jbad(struct jd *d, const char *field, const char *fmt,
                struct json_object *v)
{
    return et_error_set(d->err, ET_EINPUT, "%s%s%s: %s, got %s", d->path,
                        *d->path && field ? "." : "", field ? field : "", fmt,
                        et_json_type_name(v));
}

/* An optional array member; *out NULL when absent or null. */
static int jarray(struct jd *d, struct json_object *o, const char *camel,
                  const char *snake, struct json_object **out)
{
    struct json_object *v = jf(o, camel, snake);

    *out = NULL;
    if (!v)
        return ET_OK;
    if (!json_object_is_type(v, json_type_array))
        return jbad(d, camel, "expected array", v);
    *out = v;
    return ET_OK;
}

static int jobject(struct jd *d, struct json_object *o, const char *camel,
                   const char *snake, struct json_object **out)
{
    struct json_object *v = jf(o, camel, snake);

    *out = NULL;
    if (!v)
        return ET_OK;
    if (!json_object_is_type(v, json_type_object))
        return jbad(d, camel, "expected object", v);
    *out = v;
    return ET_OK;
}

static int jstring(struct jd *d, struct json_object *o, const char *camel,
                   const char *snake, const char **out)
{
    struct json_object *v = jf(o, camel, snake);

    *out = "";
    if (!v)
        return ET_OK;
    if (!json_object_is_type(v, json_type_string))
        return jbad(d, camel, "expected string", v);
    *out = json_object_get_string(v);
    return ET_OK;
}

/* A 64-bit integer: a decimal string or a JSON integer. */
static int jint64(struct jd *d, struct json_object *o, const char *camel,
                  const char *snake, bool is_unsigned, int64_t *out)
{
    struct json_object *v = jf(o, camel, snake);
    const char *s;
    char *end;

    *out = 0;
    if (!v)
        return ET_OK;
    if (json_object_is_type(v, json_type_int)) {
        errno = 0;
        *out = json_object_get_int64(v);
        if (errno || (is_unsigned && *out < 0))
            return jbad(d, camel, "integer out of range", v);
        return ET_OK;
    }
    if (!json_object_is_type(v, json_type_string))
        return jbad(d, camel, "expected integer or decimal string", v);
    s = json_object_get_string(v);
    errno = 0;
    if (!*s || !((*s >= '0' && *s <= '9') || (*s == '-' && !is_unsigned)))
        return et_error_set(d->err, ET_EINPUT,
                            "%s.%s: expected a decimal integer, got \"%.40s\"",
                            d->path, camel, s);
    *out = (int64_t)strtoll(s, &end, 10);
    if (errno == ERANGE && is_unsigned) { /* fixed64 past INT64_MAX */
        errno = 0;
        (void)strtoull(s, &end, 10);
        *out = INT64_MAX;
    }
    if (errno || *end)
        return et_error_set(d->err, ET_EINPUT,
                            "%s.%s: expected a decimal integer, got \"%.40s\"",
                            d->path, camel, s);
    return ET_OK;
}

/* An enum: integers only (OTLP/JSON). */
static int jenum(struct jd *d, struct json_object *o, const char *camel,
                 const char *snake, int *out)
{
    struct json_object *v = jf(o, camel, snake);
    int64_t n;

    *out = 0;
    if (!v)
        return ET_OK;
    if (!json_object_is_type(v, json_type_int))
        return jbad(d, camel, "expected an integer enum value", v);
    n = json_object_get_int64(v);
    if (n < INT32_MIN || n > INT32_MAX)
        return jbad(d, camel, "enum value out of range", v);
    *out = (int)n;
    return ET_OK;
}

/* Hex id -> lower-case hex in a new string (absent or "" -> *out NULL). */
static int jhex(struct jd *d, struct json_object *o, const char *camel,
                const char *snake, struct json_object **out)
{
    const char *s;
    char buf[129];
    size_t n;
    int rc = jstring(d, o, camel, snake, &s);

    *out = NULL;
    if (rc || !*s)
        return rc;
    n = strlen(s);
    if (n % 2 || n > 128)
        return et_error_set(d->err, ET_EINPUT,
                            "%s.%s: expected hex (16 or 32 digits), got %zu "
                            "characters",
                            d->path, camel, n);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return et_error_set(d->err, ET_EINPUT,
                                "%s.%s: not hex: character %zu is '%c' "
                                "(ids are hex in OTLP/JSON, not base64)",
                                d->path, camel, i,
                                (s[i] >= 32 && s[i] < 127) ? s[i] : '?');
        buf[i] = c;
    }
    *out = et__jnew_string_len(buf, (int)n);
    return *out ? ET_OK : oom(d->err);
}

static int jattrs(struct jd *d, struct json_object *list, int depth,
                  struct json_object **out);

static int jvalue(struct jd *d, struct json_object *v, int depth,
                  struct json_object **out)
{
    struct json_object *x;
    int64_t n;
    int rc;

    *out = NULL;
    if (depth > MAX_VALUE_DEPTH)
        return et_error_set(d->err, ET_EINPUT,
                            "%s: values nested deeper than %d", d->path,
                            MAX_VALUE_DEPTH);
    if (!v)
        return ET_OK;
    if (!json_object_is_type(v, json_type_object))
        return jbad(d, NULL, "expected an AnyValue object", v);
    if ((x = jf(v, "stringValue", "string_value")) != NULL) {
        if (!json_object_is_type(x, json_type_string))
            return jbad(d, "stringValue", "expected string", x);
        *out = json_object_get(x);
    } else if ((x = jf(v, "boolValue", "bool_value")) != NULL) {
        if (!json_object_is_type(x, json_type_boolean))
            return jbad(d, "boolValue", "expected boolean", x);
        *out = json_object_get(x);
    } else if (jf(v, "intValue", "int_value")) {
        rc = jint64(d, v, "intValue", "int_value", false, &n);
        if (rc)
            return rc;
        *out = et__jnew_int64(n);
    } else if ((x = jf(v, "doubleValue", "double_value")) != NULL) {
        if (json_object_is_type(x, json_type_string)) /* "NaN", "Infinity" */
            *out = json_object_get(x);
        else if (json_object_is_type(x, json_type_double) ||
                 json_object_is_type(x, json_type_int))
            *out = et__jnew_double(json_object_get_double(x));
        else
            return jbad(d, "doubleValue", "expected number", x);
    } else if ((x = jf(v, "arrayValue", "array_value")) != NULL) {
        struct json_object *vals = NULL, *a;

        if (!json_object_is_type(x, json_type_object))
            return jbad(d, "arrayValue", "expected object", x);
        rc = jarray(d, x, "values", NULL, &vals);
        if (rc)
            return rc;
        a = et__jnew_array();
        if (!a)
            return oom(d->err);
        for (size_t i = 0; vals && i < json_object_array_length(vals); i++) {
            struct json_object *e = NULL;

            rc = jvalue(d, json_object_array_get_idx(vals, i), depth + 1, &e);
            if (!rc && et__jappend(a, e)) {
                json_object_put(e);
                rc = oom(d->err);
            }
            if (rc) {
                json_object_put(a);
                return rc;
            }
        }
        *out = a;
        return ET_OK;
    } else if ((x = jf(v, "kvlistValue", "kvlist_value")) != NULL) {
        struct json_object *vals = NULL;

        if (!json_object_is_type(x, json_type_object))
            return jbad(d, "kvlistValue", "expected object", x);
        rc = jarray(d, x, "values", NULL, &vals);
        if (rc)
            return rc;
        return jattrs(d, vals, depth + 1, out);
    } else if ((x = jf(v, "bytesValue", "bytes_value")) != NULL) {
        if (!json_object_is_type(x, json_type_string))
            return jbad(d, "bytesValue", "expected base64 string", x);
        *out = json_object_get(x);
    } else {
        return ET_OK; /* an empty AnyValue: null */
    }
    return *out ? ET_OK : oom(d->err);
}

/* A KeyValue list (may be NULL) -> object. */
static int jattrs(struct jd *d, struct json_object *list, int depth,
                  struct json_object **out)
{
    struct json_object *o = et__jnew_object();
    size_t plen = strlen(d->path);
    int rc = ET_OK;

    *out = NULL;
    if (!o)
        return oom(d->err);
    for (size_t i = 0; !rc && list && i < json_object_array_length(list); i++) {
        struct json_object *kv = json_object_array_get_idx(list, i), *v = NULL;
        const char *key;

        snprintf(d->path + plen, sizeof(d->path) - plen, "[%zu]", i);
        if (!json_object_is_type(kv, json_type_object)) {
            rc = jbad(d, NULL, "expected a KeyValue object", kv);
            break;
        }
        rc = jstring(d, kv, "key", NULL, &key);
        if (!rc) {
            size_t l2 = strlen(d->path);

            snprintf(d->path + l2, sizeof(d->path) - l2, ".value");
            rc = jvalue(d, et__jget(kv, "value"), depth, &v);
            d->path[l2] = '\0';
        }
        if (!rc && et__jadd(o, key, v)) {
            json_object_put(v);
            rc = oom(d->err);
        }
    }
    d->path[plen] = '\0';
    if (rc) {
        json_object_put(o);
        return rc;
    }
    *out = o;
    return ET_OK;
}

/* Attributes member `camel` of o into item[key]. */
static int jattrs_into(struct jd *d, struct json_object *o, const char *camel,
                       struct json_object *item, const char *key)
{
    struct json_object *list = NULL, *a = NULL;
    size_t plen = strlen(d->path);
    int rc = jarray(d, o, camel, NULL, &list);

    if (rc)
        return rc;
    snprintf(d->path + plen, sizeof(d->path) - plen, "%s%s",
             *d->path ? "." : "", camel);
    rc = jattrs(d, list, 0, &a);
    d->path[plen] = '\0';
    if (!rc && !put(item, key, a))
        rc = oom(d->err);
    return rc;
}

static int jtime(struct jd *d, struct json_object *o, const char *camel,
                 const char *snake, struct json_object *item, const char *key)
{
    int64_t ns;
    int rc = jint64(d, o, camel, snake, true, &ns);

    if (!rc && !put(item, key, et__jnew_int64(ns)))
        rc = oom(d->err);
    return rc;
}

static int jhex_into(struct jd *d, struct json_object *o, const char *camel,
                     const char *snake, struct json_object *item,
                     const char *key)
{
    struct json_object *h = NULL;
    int rc = jhex(d, o, camel, snake, &h);

    if (!rc && h && !put(item, key, h))
        rc = oom(d->err);
    return rc;
}

static int jspan(struct jd *d, struct json_object *sp, struct json_object *item)
{
    struct json_object *st = NULL, *evs = NULL, *jst, *jevs;
    const char *name, *msg = "";
    int kind = 0, code = 0, rc;

    if (!json_object_is_type(sp, json_type_object))
        return jbad(d, NULL, "expected a Span object", sp);
    rc = jhex_into(d, sp, "traceId", "trace_id", item, "trace_id");
    if (!rc)
        rc = jhex_into(d, sp, "spanId", "span_id", item, "span_id");
    if (!rc)
        rc = jhex_into(d, sp, "parentSpanId", "parent_span_id", item,
                       "parent_span_id");
    if (!rc)
        rc = jstring(d, sp, "name", NULL, &name);
    if (!rc)
        rc = jenum(d, sp, "kind", NULL, &kind);
    if (!rc)
        rc = jtime(d, sp, "startTimeUnixNano", "start_time_unix_nano", item,
                   "start_ns");
    if (!rc)
        rc = jtime(d, sp, "endTimeUnixNano", "end_time_unix_nano", item,
                   "end_ns");
    if (!rc)
        rc = jattrs_into(d, sp, "attributes", item, "attributes");
    if (!rc)
        rc = jobject(d, sp, "status", NULL, &st);
    if (!rc && st) {
        size_t plen = strlen(d->path);

        snprintf(d->path + plen, sizeof(d->path) - plen, ".status");
        rc = jstring(d, st, "message", NULL, &msg);
        if (!rc)
            rc = jenum(d, st, "code", NULL, &code);
        d->path[plen] = '\0';
    }
    if (rc)
        return rc;
    jst = et__jnew_object();
    if (!put(item, "name", et__jnew_string(name)) ||
        !put(item, "kind", et__jnew_int(kind)) || !put(item, "status", jst) ||
        !put(jst, "code", et__jnew_int(code)) ||
        !put(jst, "message", et__jnew_string(msg)))
        return oom(d->err);
    rc = jarray(d, sp, "events", NULL, &evs);
    if (rc)
        return rc; /* (found by fuzz_otlp_json: the array leaked here) */
    jevs = et__jnew_array();
    if (!put(item, "events", jevs))
        return oom(d->err);
    for (size_t i = 0; !rc && evs && i < json_object_array_length(evs); i++) {
        struct json_object *e = json_object_array_get_idx(evs, i);
        struct json_object *je = et__jnew_object();
        size_t plen = strlen(d->path);
        const char *en;

        if (!push(jevs, je))
            return oom(d->err);
        snprintf(d->path + plen, sizeof(d->path) - plen, ".events[%zu]", i);
        if (!json_object_is_type(e, json_type_object))
            rc = jbad(d, NULL, "expected an Event object", e);
        if (!rc)
            rc = jstring(d, e, "name", NULL, &en);
        if (!rc && !put(je, "name", et__jnew_string(en)))
            rc = oom(d->err);
        if (!rc)
            rc = jtime(d, e, "timeUnixNano", "time_unix_nano", je, "time_ns");
        if (!rc)
            rc = jattrs_into(d, e, "attributes", je, "attributes");
        if (!rc)
            d->path[plen] = '\0';
    }
    return rc;
}

static int jlog(struct jd *d, struct json_object *lr, struct json_object *item)
{
    const char *sev_text, *ev_name;
    struct json_object *body = NULL;
    int sev = 0, rc;

    if (!json_object_is_type(lr, json_type_object))
        return jbad(d, NULL, "expected a LogRecord object", lr);
    rc = jtime(d, lr, "timeUnixNano", "time_unix_nano", item, "time_ns");
    if (!rc)
        rc = jtime(d, lr, "observedTimeUnixNano", "observed_time_unix_nano",
                   item, "observed_ns");
    if (!rc)
        rc = jenum(d, lr, "severityNumber", "severity_number", &sev);
    if (!rc)
        rc = jstring(d, lr, "severityText", "severity_text", &sev_text);
    if (!rc)
        rc = jstring(d, lr, "eventName", "event_name", &ev_name);
    if (!rc)
        rc = jhex_into(d, lr, "traceId", "trace_id", item, "trace_id");
    if (!rc)
        rc = jhex_into(d, lr, "spanId", "span_id", item, "span_id");
    if (!rc)
        rc = jattrs_into(d, lr, "attributes", item, "attributes");
    if (!rc && jf(lr, "body", NULL)) {
        size_t plen = strlen(d->path);

        snprintf(d->path + plen, sizeof(d->path) - plen, ".body");
        rc = jvalue(d, jf(lr, "body", NULL), 0, &body);
        d->path[plen] = '\0';
        if (!rc && body && !put(item, "body", body))
            rc = oom(d->err);
    }
    if (rc)
        return rc;
    if (!put(item, "severity_number", et__jnew_int(sev)) ||
        !put(item, "severity_text", et__jnew_string(sev_text)) ||
        !put(item, "event_name", et__jnew_string(ev_name)))
        return oom(d->err);
    return ET_OK;
}

/* resource + scope of one group into item. */
static int jgroup(struct jd *d, struct json_object *res, struct json_object *sc,
                  struct json_object *item)
{
    struct json_object *s = et__jnew_object();
    const char *name = "", *ver = "";
    char save[256];
    int rc;

    if (!put(item, "scope", s))
        return oom(d->err);
    memcpy(save, d->path, sizeof(save));
    rc = jattrs_into(d, res, "attributes", item, "resource");
    if (!rc && sc)
        rc = jstring(d, sc, "name", NULL, &name);
    if (!rc && sc)
        rc = jstring(d, sc, "version", NULL, &ver);
    memcpy(d->path, save, sizeof(save));
    if (!rc && *name && !put(s, "name", et__jnew_string(name)))
        rc = oom(d->err);
    if (!rc && *ver && !put(s, "version", et__jnew_string(ver)))
        rc = oom(d->err);
    return rc;
}

struct jnames {
    const char *top, *top_s, *mid, *mid_s, *leaf, *leaf_s;
};

static int jwalk(struct jd *d, struct json_object *root, bool logs,
                 struct json_object *items)
{
    static const struct jnames tn = {"resourceSpans", "resource_spans",
                                     "scopeSpans",    "scope_spans",
                                     "spans",         NULL};
    static const struct jnames ln = {"resourceLogs", "resource_logs",
                                     "scopeLogs",    "scope_logs",
                                     "logRecords",   "log_records"};
    const struct jnames *nm = logs ? &ln : &tn;
    struct json_object *top = NULL;
    int rc = jarray(d, root, nm->top, nm->top_s, &top);

    for (size_t i = 0; !rc && top && i < json_object_array_length(top); i++) {
        struct json_object *r = json_object_array_get_idx(top, i);
        struct json_object *res = NULL, *mid = NULL;

        snprintf(d->path, sizeof(d->path), "%s[%zu]", nm->top, i);
        if (!json_object_is_type(r, json_type_object))
            return jbad(d, NULL, "expected object", r);
        rc = jobject(d, r, "resource", NULL, &res);
        if (!rc)
            rc = jarray(d, r, nm->mid, nm->mid_s, &mid);
        for (size_t j = 0; !rc && mid && j < json_object_array_length(mid);
             j++) {
            struct json_object *s = json_object_array_get_idx(mid, j);
            struct json_object *sc = NULL, *leaves = NULL;

            snprintf(d->path, sizeof(d->path), "%s[%zu].%s[%zu]", nm->top, i,
                     nm->mid, j);
            if (!json_object_is_type(s, json_type_object))
                return jbad(d, NULL, "expected object", s);
            rc = jobject(d, s, "scope", NULL, &sc);
            if (!rc)
                rc = jarray(d, s, nm->leaf, nm->leaf_s, &leaves);
            for (size_t k = 0;
                 !rc && leaves && k < json_object_array_length(leaves); k++) {
                struct json_object *item = et__jnew_object();

                snprintf(d->path, sizeof(d->path), "%s[%zu].%s[%zu].%s[%zu]",
                         nm->top, i, nm->mid, j, nm->leaf, k);
                if (!push(items, item) ||
                    !put(item, "path", et__jnew_string(d->path)))
                    return oom(d->err);
                rc = logs
                         ? jlog(d, json_object_array_get_idx(leaves, k), item)
                         : jspan(d, json_object_array_get_idx(leaves, k), item);
                if (!rc)
                    rc = jgroup(d, res, sc, item);
            }
        }
    }
    return rc;
}

int et__otlp_decode_json(enum et_otlp_signal sig, const char *buf, size_t len,
                         struct json_object **items_out, struct et_error *err)
{
    struct et_json_limits lim = ET_JSON_LIMITS_DEFAULT;
    struct json_object *root = NULL, *items = NULL;
    struct jd d;
    int rc;

    *items_out = NULL;
    lim.max_bytes = ET_OTLP_MAX_BODY;
    lim.max_members = 4000000;
    rc = et_json_parse(buf, len, &lim, &root, err);
    if (rc)
        return et_error_prefix(err, "OTLP/JSON");
    memset(&d, 0, sizeof(d));
    d.err = err;
    if (!json_object_is_type(root, json_type_object)) {
        rc = et_error_set(err, ET_EINPUT,
                          "OTLP/JSON: expected an Export%sServiceRequest "
                          "object, got %s",
                          sig == ET_OTLP_LOGS ? "Logs" : "Trace",
                          et_json_type_name(root));
        goto out;
    }
    items = et__jnew_array();
    if (!items) {
        rc = oom(err);
        goto out;
    }
    rc = jwalk(&d, root, sig == ET_OTLP_LOGS, items);
out:
    json_object_put(root);
    if (rc)
        json_object_put(items);
    else
        *items_out = items;
    return rc;
}
