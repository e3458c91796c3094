/* SPDX-License-Identifier: MIT */
/*
 * The parser's slow path, run only to word an error: a walk over text that
 * is known to be valid (or a valid prefix) which keeps the JSON path and
 * finds the first duplicate key. See docs/internals/CODEC.md section 1.5.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "codec/json_int.h"

struct frame {
    bool is_object;
    bool want_key;  /* object: the next string is a key */
    size_t index;   /* array: the current element */
    size_t key_off; /* object: raw bytes of the current key */
    size_t key_len;
    struct json_object *seen; /* object, duplicate search: decoded keys */
};

struct locate {
    size_t target; /* opening quote to stop at, or SIZE_MAX: first dup */
    bool found;
    bool is_key;        /* the string found is an object key */
    size_t off;         /* its opening quote */
    struct et_buf key;  /* duplicate: the decoded key */
    struct et_buf path; /* the path of the value, or of the key's object */
};

/* Index just past the string whose opening quote is at i. */
static size_t string_end(const char *buf, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (buf[i] == '\\')
            i++;
        else if (buf[i] == '"')
            return i + 1;
    }
    return len;
}

static void put_utf8(struct et_buf *out, unsigned long cp, int *rc)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    if (!*rc)
        *rc = et_buf_add(out, u, n);
}

/* Decode the raw string body s[0..n) (already checked by the scan). */
static int decode_string(const char *s, size_t n, struct et_buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    int rc;

    et_buf_reset(out);
    rc = et_buf_grow(out, n);
    while (!rc && i + 1 < n) {
        long cp, lo;
        char c;

        if (p[i] != '\\') {
            i++;
            continue;
        }
        rc = et_buf_add(out, s + run, i - run);
        c = s[i + 1];
        i += 2;
        switch (c) {
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        case 'u':
            cp = et__json_hex4(p, n, i);
            i += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                lo = et__json_hex4(p, n, i + 2);
                if (lo >= 0xdc00 && lo <= 0xdfff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                }
            }
            put_utf8(out, (unsigned long)(cp > 0 ? cp : 0xfffd), &rc);
            run = i;
            continue;
        default:
            break;
        }
        if (!rc)
            rc = et_buf_addch(out, c);
        run = i;
    }
    /* also NUL-terminates when s is empty */
    if (!rc)
        rc = et_buf_add(out, s + run, run < n ? n - run : 0);
    return rc;
}

static bool is_identifier(const char *s, size_t n)
{
    if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Shorten b to at most max bytes (at a UTF-8 boundary), ending in "...". */
static void clip(struct et_buf *b, size_t max)
{
    size_t cut;

    if (b->len <= max || max < 3)
        return;
    cut = max - 3;
    while (cut > 0 && ((unsigned char)b->ptr[cut] & 0xc0) == 0x80)
        cut--;
    memcpy(b->ptr + cut, "...", 4);
    b->len = cut + 3;
}

/* "$" then .name, ["other key"] or [index] for frames[0..n). */
static int format_path(const char *buf, const struct frame *f, int n,
                       struct et_buf *out)
{
    struct et_buf key = ET_BUF_INIT;
    int rc = et_buf_addch(out, '$');

    for (int k = 0; k < n && !rc; k++) {
        if (!f[k].is_object) {
            rc = et_buf_printf(out, "[%zu]", f[k].index);
            continue;
        }
        rc = decode_string(buf + f[k].key_off, f[k].key_len, &key);
        if (!rc && is_identifier(key.ptr, key.len)) {
            rc = et_buf_addch(out, '.');
            if (!rc)
                rc = et_buf_add(out, key.ptr, key.len);
        } else if (!rc) {
            rc = et_buf_addch(out, '[');
            if (!rc)
                rc = et__json_add_string(out, key.ptr, key.len);
            if (!rc)
                rc = et_buf_addch(out, ']');
        }
    }
    et_buf_release(&key);
    if (!rc)
        clip(out, 120);
    return rc;
}

/* A key string at [s, e) in the object frame f: is it a repeat? */
static int check_key(const char *buf, size_t s, size_t e, struct frame *f,
                     struct locate *lc, bool *dup)
{
    int rc = decode_string(buf + s + 1, e - s - 2, &lc->key);

    *dup = false;
    if (rc)
        return rc;
    if (!f->seen) {
        f->seen = et__jnew_object();
        if (!f->seen)
            return ET_ENOMEM;
    }
    if (json_object_object_get_ex(f->seen, lc->key.ptr, NULL)) {
        *dup = true;
        return ET_OK;
    }
    return et__jadd(f->seen, lc->key.ptr, NULL) ? ET_ENOMEM : ET_OK;
}

/*
 * Walk buf[0..len) (valid JSON, or a valid prefix of it) keeping the path,
 * until the string at lc->target or, if that is SIZE_MAX, the first key
 * that repeats an earlier key of its object.
 */
static int locate(const char *buf, size_t len, int max_depth, struct locate *lc)
{
    struct frame *fr = et__calloc((size_t)max_depth + 1, sizeof(*fr));
    int d = 0, rc = ET_OK;
    size_t i = 0;

    if (!fr)
        return ET_ENOMEM;
    while (i < len && !rc && !lc->found) {
        struct frame *top = d ? &fr[d - 1] : NULL;
        size_t e;
        bool dup = false;

        switch (buf[i]) {
        case '{':
        case '[':
            if (d > max_depth)
                goto out;
            memset(&fr[d], 0, sizeof(fr[d]));
            fr[d].is_object = fr[d].want_key = buf[i] == '{';
            d++;
            break;
        case '}':
        case ']':
            if (top) {
                json_object_put(top->seen);
                top->seen = NULL;
                d--;
            }
            break;
        case ',':
            if (top && top->is_object)
                top->want_key = true;
            else if (top)
                top->index++;
            break;
        case '"':
            /* at least i + 2 even when the walk stops inside the string */
            e = string_end(buf, len, i);
            if (e < i + 2)
                e = i + 2;
            lc->is_key = top && top->is_object && top->want_key;
            if (lc->is_key) {
                top->want_key = false;
                top->key_off = i + 1;
                top->key_len = e - i - 2;
            }
            if (i == lc->target) {
                lc->found = true;
            } else if (lc->is_key && lc->target == SIZE_MAX) {
                rc = check_key(buf, i, e, top, lc, &dup);
                lc->found = dup;
            }
            if (lc->found) {
                lc->off = i;
                rc = format_path(buf, fr, lc->is_key ? d - 1 : d, &lc->path);
            }
            i = e;
            continue;
        default:
            break;
        }
        i++;
    }
out:
    while (d > 0)
        json_object_put(fr[--d].seen);
    et__free(fr);
    return rc;
}

/* The first repeated key in buf[0..len) (a document json-c accepted). */
int et__json_report_duplicate(const char *buf, size_t len, int max_depth,
                              struct et_error *err)
{
    struct locate lc = {SIZE_MAX, false, false, 0, ET_BUF_INIT, ET_BUF_INIT};
    struct et_buf quoted = ET_BUF_INIT;
    int rc = locate(buf, len, max_depth, &lc);

    if (!rc && lc.found)
        rc = et__json_add_string(&quoted, lc.key.ptr, lc.key.len);
    if (!rc && lc.found) {
        clip(&quoted, 64);
        rc = et_error_set(err, ET_EINPUT, "byte %zu: duplicate key %s in %s",
                          lc.off, quoted.ptr, et_buf_str(&lc.path));
    } else if (!rc) {
        /* json-c dropped a member the locator cannot account for */
        rc = et_error_set(err, ET_EINTERNAL,
                          "duplicate key check found no duplicate");
    } else {
        rc = et_error_set(err, rc, "out of memory");
    }
    et_buf_release(&quoted);
    et_buf_release(&lc.path);
    et_buf_release(&lc.key);
    return rc;
}

int et__json_report_nul_escape(const char *buf, size_t off, size_t str_off,
                               int max_depth, struct et_error *err)
{
    struct locate lc = {str_off, false, false, 0, ET_BUF_INIT, ET_BUF_INIT};
    int rc = locate(buf, off, max_depth, &lc);

    if (!rc && lc.found)
        rc = et_error_set(err, ET_EINPUT, "byte %zu: \\u0000 escape in %s %s",
                          off, lc.is_key ? "a key of" : "the string at",
                          et_buf_str(&lc.path));
    else if (!rc)
        rc = et_error_set(err, ET_EINPUT, "byte %zu: \\u0000 escape", off);
    else
        rc = et_error_set(err, rc, "out of memory");
    et_buf_release(&lc.path);
    et_buf_release(&lc.key);
    return rc;
}
