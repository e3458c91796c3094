/* SPDX-License-Identifier: MIT */
/*
 * The Streamable HTTP rules of the MCP core that need the message itself
 * (docs/MCP.md, "Over HTTP"): the MCP-Protocol-Version header against the
 * versions the server speaks and against the body's _meta, and under
 * 2026-07-28 the Mcp-Method and Mcp-Name headers against the body. The
 * rest of the transport (Origin, Accept, tokens, status codes) is in
 * src/http/.
 */
#include "base/setup.h"
#include "mcp/mcp_int.h"

#include <sodium.h>

#define META_VERSION "io.modelcontextprotocol/protocolVersion"
#define B64_PREFIX   "=?base64?"
#define B64_SUFFIX   "?="
#define NAME_MAX_    512 /* longest decoded Mcp-Name compared */

/* params._meta[META_VERSION] of msg when it is a string, else NULL */
static const char *body_version(struct json_object *msg)
{
    struct json_object *params, *meta, *v;

    if (!json_object_object_get_ex(msg, "params", &params) ||
        !json_object_is_type(params, json_type_object) ||
        !json_object_object_get_ex(params, "_meta", &meta) ||
        !json_object_is_type(meta, json_type_object) ||
        !json_object_object_get_ex(meta, META_VERSION, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* a header value: visible ASCII, spaces and tabs only (RFC 9110) */
static bool header_ok(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c > 0x7e)
            return false;
    }
    return true;
}

/* Does the Mcp-Name value hv (plain, or =?base64?...?=) equal want? */
static bool name_matches(const char *hv, const char *want)
{
    size_t n = strlen(hv), pl = sizeof(B64_PREFIX) - 1,
           sl = sizeof(B64_SUFFIX) - 1, got = 0;
    unsigned char bin[NAME_MAX_];

    if (n < pl + sl || strncmp(hv, B64_PREFIX, pl) != 0 ||
        strcmp(hv + n - sl, B64_SUFFIX) != 0)
        return strcmp(hv, want) == 0;
    if (sodium_base642bin(bin, sizeof(bin), hv + pl, n - pl - sl, NULL, &got,
                          NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    return got == strlen(want) && memcmp(bin, want, got) == 0;
}

/* the 2026-07-28 request headers Mcp-Method and Mcp-Name against the body */
static int check_modern(const struct et_mcp_http *h, struct json_object *msg,
                        char *why, size_t cap)
{
    struct json_object *v, *params;
    const char *method, *name = NULL;

    if (!json_object_object_get_ex(msg, "method", &v) ||
        !json_object_object_get_ex(msg, "id", NULL))
        return 0; /* a notification: this revision sets no header rules */
    method = json_object_get_string(v);
    if (!h->method) {
        snprintf(why, cap, "Header mismatch: the Mcp-Method header is missing");
        return ET_MCP_HEADER_MISMATCH;
    }
    if (strcmp(h->method, method) != 0) {
        snprintf(why, cap,
                 "Header mismatch: Mcp-Method header value '%.64s' does not "
                 "match body value '%.64s'",
                 h->method, method);
        return ET_MCP_HEADER_MISMATCH;
    }
    if (strcmp(method, "tools/call") != 0)
        return 0;
    if (json_object_object_get_ex(msg, "params", &params) &&
        json_object_object_get_ex(params, "name", &v) &&
        json_object_is_type(v, json_type_string))
        name = json_object_get_string(v);
    if (!name)
        return 0; /* the dispatcher answers the malformed call */
    if (!h->name) {
        snprintf(why, cap, "Header mismatch: the Mcp-Name header is missing");
        return ET_MCP_HEADER_MISMATCH;
    }
    if (!header_ok(h->name) || !name_matches(h->name, name)) {
        snprintf(why, cap,
                 "Header mismatch: Mcp-Name header value '%.64s' does not "
                 "match body value '%.64s'",
                 header_ok(h->name) ? h->name : "(invalid characters)", name);
        return ET_MCP_HEADER_MISMATCH;
    }
    return 0;
}

int et__mcp_http_check(struct et_mcp *m, const struct et_mcp_http *h,
                       struct json_object *msg, char *why, size_t cap,
                       struct json_object **data)
{
    const char *hv = h->protocol_version, *bv = body_version(msg);
    bool is_request = json_object_object_get_ex(msg, "method", NULL) &&
                      json_object_object_get_ex(msg, "id", NULL);

    *data = NULL;
    why[0] = '\0';
    if (!hv) {
        /* no header: a client of 2025-03-26 or older, or an initialize
         * (the version is not known yet); a 2026-07-28 request must send
         * it */
        if (is_request && bv && !strcmp(bv, ET_MCP_MODERN)) {
            snprintf(why, cap,
                     "Header mismatch: the MCP-Protocol-Version header is "
                     "missing");
            return ET_MCP_HEADER_MISMATCH;
        }
        return 0;
    }
    if (!header_ok(hv) || !et__mcp_version_supported(hv)) {
        struct json_object *d = et__jnew_object();
        if (!et__mcp_put(d, "supported", et__mcp_versions_array()) ||
            !et__mcp_put_str(d, "requested", header_ok(hv) ? hv : "")) {
            json_object_put(d);
            d = NULL;
        }
        *data = d;
        snprintf(why, cap, "Unsupported protocol version");
        return ET_MCP_UNSUPPORTED_VERSION;
    }
    if (bv && strcmp(bv, hv) != 0) {
        snprintf(why, cap,
                 "Header mismatch: MCP-Protocol-Version header value '%.32s' "
                 "does not match body value '%.32s'",
                 hv, bv);
        return ET_MCP_HEADER_MISMATCH;
    }
    if (!strcmp(hv, ET_MCP_MODERN)) {
        if (is_request && !bv) {
            snprintf(why, cap,
                     "Header mismatch: MCP-Protocol-Version is %s but the "
                     "body has no _meta \"" META_VERSION "\"",
                     ET_MCP_MODERN);
            return ET_MCP_HEADER_MISMATCH;
        }
        return check_modern(h, msg, why, cap);
    }
    /* a legacy version, negotiated by an initialize this stateless server
     * does not remember: behave as after it */
    snprintf(m->version, sizeof(m->version), "%s", hv);
    m->initialized = true;
    return 0;
}
