/* SPDX-License-Identifier: MIT */
/* YAML -> json-c with source positions, over libyaml's event parser. */
#include "base/setup.h"
#include "base/alloc.h"
#include "config/yaml.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <yaml.h>

/*
 * json-c's constructors, each result checked where it is used (this file
 * may not use codec/json.h's wrappers: config is codec's peer, rank 1 in
 * docs/internals/LAYERS.md). The tests' fault injection (base/alloc.h)
 * reaches them through NEW.
 */
#define NEW(call) (et__alloc_inject() ? NULL : (call))

#define YAML_MAX_BYTES (1u << 20)
#define YAML_MAX_DEPTH 64
#define TAG_PREFIX "tag:yaml.org,2002:"

/* YAML's core schema only: `!!python/object` and every other tag that
 * would ask a loader to build something is refused (docs/CONFIG.md) */
static bool core_tag(const char *tag)
{
    static const char *const core[] = {"str", "int",  "float", "bool",
                                       "null", "map", "seq",   NULL};

    if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) != 0)
        return false;
    for (size_t i = 0; core[i]; i++)
        if (!strcmp(tag + strlen(TAG_PREFIX), core[i]))
            return true;
    return false;
}

struct yaml_pos {
    const struct json_object *node;
    unsigned line, col;
};

struct et_yaml_doc {
    char *name;
    struct json_object *root;
    struct yaml_pos *pos;
    size_t n_pos, cap_pos;
};

struct frame {
    struct json_object *node; /* object or array */
    char *key;                /* pending key of a mapping, owned */
    unsigned key_line, key_col;
};

struct builder {
    struct et_yaml_doc *d;
    struct frame stack[YAML_MAX_DEPTH];
    int depth;
    int docs;
};

static int fail_at(struct et_yaml_doc *d, yaml_mark_t m, struct et_error *err,
                   const char *what)
{
    return et_error_set(err, ET_EINPUT, "%s:%zu:%zu: %s", d->name,
                        m.line + 1, m.column + 1, what);
}

static int remember(struct et_yaml_doc *d, const struct json_object *node,
                    yaml_mark_t m, struct et_error *err)
{
    if (!node)
        return ET_OK;
    if (d->n_pos == d->cap_pos) {
        size_t cap = d->cap_pos ? d->cap_pos * 2 : 32;
        struct yaml_pos *p = et__realloc(d->pos, cap * sizeof(*p));

        if (!p)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        d->pos = p;
        d->cap_pos = cap;
    }
    d->pos[d->n_pos].node = node;
    d->pos[d->n_pos].line = (unsigned)m.line + 1;
    d->pos[d->n_pos].col = (unsigned)m.column + 1;
    d->n_pos++;
    return ET_OK;
}

static bool word_in(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (!strcmp(s, *words))
            return true;
    return false;
}

static bool is_decimal_int(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool is_decimal_float(const char *s)
{
    bool digits = false;

    if (*s == '-' || *s == '+')
        s++;
    for (; *s >= '0' && *s <= '9'; s++)
        digits = true;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            digits = true;
    if (!digits)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* The json-c value of a scalar event; *is_null set for null. */
static int scalar_value(struct et_yaml_doc *d, const yaml_event_t *ev,
                        struct json_object **out, struct et_error *err)
{
    static const char *const nulls[] = {"null", "Null", "NULL", "~", "", 0};
    static const char *const trues[] = {"true", "True", "TRUE", 0};
    static const char *const falses[] = {"false", "False", "FALSE", 0};
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

    *out = NULL;
    if (tag && !core_tag(tag))
        return fail_at(d, ev->start_mark, err,
                       "unsupported tag (YAML core tags only)");
    if (tag && !strcmp(tag + strlen(TAG_PREFIX), "str"))
        plain = false;
    if (plain && memchr(v, '\0', len) == NULL) {
        if (word_in(v, nulls))
            return ET_OK;
        if (word_in(v, trues) || word_in(v, falses)) {
            *out = NEW(json_object_new_boolean(word_in(v, trues)));
            goto made;
        }
        if (is_decimal_int(v)) {
            char *end;
            long long n;

            errno = 0;
            n = strtoll(v, &end, 10);
            if (errno == 0 && *end == '\0') {
                *out = NEW(json_object_new_int64(n));
                goto made;
            }
        }
        if (is_decimal_float(v)) {
            *out = NEW(json_object_new_double(strtod(v, NULL)));
            goto made;
        }
    }
    if (len > INT_MAX)
        return fail_at(d, ev->start_mark, err, "scalar too long");
    *out = NEW(json_object_new_string_len(v, (int)len));
made:
    if (!*out)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    return remember(d, *out, ev->start_mark, err);
}

/* Attach node to the current container (or make it the root). Takes node. */
static int attach(struct builder *b, struct json_object *node,
                  yaml_mark_t m, struct et_error *err)
{
    struct frame *f;

    if (b->depth == 0) {
        b->d->root = node;
        return ET_OK;
    }
    f = &b->stack[b->depth - 1];
    if (json_object_is_type(f->node, json_type_array)) {
        if (json_object_array_add(f->node, node) != 0) {
            json_object_put(node);
            return et_error_set(err, ET_ENOMEM, "out of memory");
        }
        return ET_OK;
    }
    if (!f->key) {
        /* a key: must be a non-null scalar without NUL bytes */
        const char *k;

        if (!node || !json_object_is_type(node, json_type_string)) {
            if (node && (json_object_is_type(node, json_type_object) ||
                         json_object_is_type(node, json_type_array))) {
                json_object_put(node);
                return fail_at(b->d, m, err, "a mapping key must be a "
                                             "scalar");
            }
        }
        k = node ? json_object_get_string(node) : "";
        if (node && json_object_is_type(node, json_type_string) &&
            strlen(k) != (size_t)json_object_get_string_len(node)) {
            json_object_put(node);
            return fail_at(b->d, m, err, "a mapping key contains a NUL");
        }
        if (json_object_object_get_ex(f->node, k, NULL)) {
            char msg[200];

            snprintf(msg, sizeof(msg), "duplicate key '%.100s'", k);
            json_object_put(node);
            return fail_at(b->d, m, err, msg);
        }
        f->key = et__strdup(k);
        f->key_line = (unsigned)m.line + 1;
        f->key_col = (unsigned)m.column + 1;
        json_object_put(node);
        if (!f->key)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        return ET_OK;
    }
    if (json_object_object_add(f->node, f->key, node) != 0) {
        json_object_put(node);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    et__free(f->key);
    f->key = NULL;
    return ET_OK;
}

static int push(struct builder *b, struct json_object *node, yaml_mark_t m,
                struct et_error *err)
{
    int rc;

    if (!node)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    if (b->depth == YAML_MAX_DEPTH) {
        json_object_put(node);
        return fail_at(b->d, m, err, "nested too deeply");
    }
    rc = remember(b->d, node, m, err);
    if (rc) {
        json_object_put(node);
        return rc;
    }
    /* attach first (the container owns it), then descend */
    json_object_get(node);
    rc = attach(b, node, m, err);
    if (rc) {
        json_object_put(node);
        return rc;
    }
    b->stack[b->depth].node = node;
    b->stack[b->depth].key = NULL;
    b->depth++;
    return ET_OK;
}

static void pop(struct builder *b)
{
    struct frame *f = &b->stack[--b->depth];

    et__free(f->key);
    f->key = NULL;
    json_object_put(f->node);
}

static int on_event(struct builder *b, const yaml_event_t *ev,
                    struct et_error *err)
{
    struct json_object *node;
    int rc;

    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->docs > 1)
            return fail_at(b->d, ev->start_mark, err,
                           "more than one YAML document");
        return ET_OK;
    case YAML_ALIAS_EVENT:
        return fail_at(b->d, ev->start_mark, err,
                       "aliases (*name) are not supported");
    case YAML_SCALAR_EVENT:
        rc = scalar_value(b->d, ev, &node, err);
        if (rc)
            return rc;
        return attach(b, node, ev->start_mark, err);
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
        const char *tag = ev->type == YAML_MAPPING_START_EVENT
                              ? (const char *)ev->data.mapping_start.tag
                              : (const char *)ev->data.sequence_start.tag;

        if (tag && !core_tag(tag))
            return fail_at(b->d, ev->start_mark, err,
                           "unsupported tag (YAML core tags only)");
        if (b->depth > 0 &&
            json_object_is_type(b->stack[b->depth - 1].node,
                                json_type_object) &&
            !b->stack[b->depth - 1].key)
            return fail_at(b->d, ev->start_mark, err,
                           "a mapping key must be a scalar");
        node = ev->type == YAML_MAPPING_START_EVENT
                   ? NEW(json_object_new_object())
                   : NEW(json_object_new_array());
        return push(b, node, ev->start_mark, err);
    }
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        pop(b);
        return ET_OK;
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_END_EVENT:
        return ET_OK;
    }
    return ET_OK;
}

void et_yaml_free(struct et_yaml_doc *d)
{
    if (!d)
        return;
    json_object_put(d->root);
    et__free(d->pos);
    et__free(d->name);
    et__free(d);
}

int et_yaml_load_mem(const char *buf, size_t len, const char *name,
                     struct et_yaml_doc **out, struct et_error *err)
{
    struct builder b;
    yaml_parser_t parser;
    yaml_event_t ev;
    bool done = false;
    int rc = ET_OK;

    *out = NULL;
    memset(&b, 0, sizeof(b));
    b.d = et__calloc(1, sizeof(*b.d));
    if (!b.d || !(b.d->name = et__strdup(name ? name : "<yaml>"))) {
        et_yaml_free(b.d);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    if (len > YAML_MAX_BYTES) {
        rc = et_error_set(err, ET_EINPUT, "%s: larger than %u bytes",
                          b.d->name, YAML_MAX_BYTES);
        et_yaml_free(b.d);
        return rc;
    }
    if (!yaml_parser_initialize(&parser)) {
        et_yaml_free(b.d);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    while (!done && rc == ET_OK) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = et_error_set(err, ET_EINPUT, "%s:%zu:%zu: %s%s%s", b.d->name,
                              parser.problem_mark.line + 1,
                              parser.problem_mark.column + 1,
                              parser.problem ? parser.problem
                                             : "invalid YAML",
                              parser.context ? " " : "",
                              parser.context ? parser.context : "");
            break;
        }
        rc = on_event(&b, &ev, err);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    while (b.depth > 0)
        pop(&b);
    if (rc == ET_OK && !b.d->root) {
        b.d->root = NEW(json_object_new_object());
        if (!b.d->root)
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
    }
    if (rc == ET_ENOMEM)
        rc = et_error_set(err, ET_ENOMEM, "%s: out of memory reading YAML",
                          b.d->name);
    if (rc) {
        et_yaml_free(b.d);
        return rc;
    }
    *out = b.d;
    return ET_OK;
}

int et_yaml_load_file(const char *path, struct et_yaml_doc **out,
                      struct et_error *err)
{
    FILE *f;
    char *buf;
    size_t len;
    int rc;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f)
        return et_error_sys(err, errno == ENOENT ? ET_ENOTFOUND : ET_EIO,
                            errno, "%s: %s", path, strerror(errno));
    buf = et__malloc(YAML_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    len = fread(buf, 1, YAML_MAX_BYTES + 1, f);
    if (ferror(f)) {
        rc = et_error_sys(err, ET_EIO, errno, "%s: read error", path);
    } else if (len > YAML_MAX_BYTES) {
        rc = et_error_set(err, ET_EINPUT, "%s: larger than %u bytes", path,
                          YAML_MAX_BYTES);
    } else {
        rc = et_yaml_load_mem(buf, len, path, out, err);
    }
    fclose(f);
    et__free(buf);
    return rc;
}

struct json_object *et_yaml_root(const struct et_yaml_doc *d)
{
    return d->root;
}

const char *et_yaml_name(const struct et_yaml_doc *d)
{
    return d->name;
}

bool et_yaml_pos(const struct et_yaml_doc *d, const struct json_object *node,
                 unsigned *line, unsigned *col)
{
    /* newest first: a mapping key's scalar is freed once read, and a later
     * node may reuse its address; the live node is the newest entry */
    for (size_t i = d->n_pos; node && i-- > 0;) {
        if (d->pos[i].node == node) {
            *line = d->pos[i].line;
            *col = d->pos[i].col;
            return true;
        }
    }
    return false;
}

int et_yaml_error(const struct et_yaml_doc *d, const struct json_object *node,
                  struct et_error *err, const char *fmt, ...)
{
    char msg[200];
    unsigned line, col;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (et_yaml_pos(d, node, &line, &col))
        return et_error_set(err, ET_EINPUT, "%s:%u:%u: %s", d->name, line,
                            col, msg);
    return et_error_set(err, ET_EINPUT, "%s: %s", d->name, msg);
}
