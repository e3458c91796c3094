/* SPDX-License-Identifier: MIT */
/*
 * json-c's constructors and inserts with every allocation failure
 * remembered in a sticky per-thread flag (see codec/json.h): the ingest
 * pipeline takes the flag before it encodes an event.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"

static _Thread_local bool oom;
static _Thread_local uint64_t n_failed; /* never reset: et__json_oom_count */

static void failed(void)
{
    oom = true;
    n_failed++;
}

static struct json_object *made(struct json_object *o)
{
    if (!o)
        failed();
    return o;
}

/* A failure injected by the tests: as json-c's own. */
#define INJECT()            \
 do {                       \
  if (et__alloc_inject()) { \
   failed();                \
   return NULL;             \
  }                         \
 } while (0)

struct json_object *et__jnew_object(void)
{
    INJECT();
    return made(json_object_new_object());
}

struct json_object *et__jnew_array(void)
{
    INJECT();
    return made(json_object_new_array());
}

struct json_object *et__jnew_array_ext(int initial_size)
{
    INJECT();
    return made(json_object_new_array_ext(initial_size));
}

struct json_object *et__jnew_string(const char *s)
{
    INJECT();
    return made(json_object_new_string(s));
}

struct json_object *et__jnew_string_len(const char *s, int len)
{
    INJECT();
    return made(json_object_new_string_len(s, len));
}

struct json_object *et__jnew_int(int32_t v)
{
    INJECT();
    return made(json_object_new_int(v));
}

struct json_object *et__jnew_int64(int64_t v)
{
    INJECT();
    return made(json_object_new_int64(v));
}

struct json_object *et__jnew_double(double v)
{
    INJECT();
    return made(json_object_new_double(v));
}

struct json_object *et__jnew_double_s(double v, const char *text)
{
    INJECT();
    return made(json_object_new_double_s(v, text));
}

struct json_object *et__jnew_boolean(int v)
{
    INJECT();
    return made(json_object_new_boolean(v));
}

/* A container whose own allocation failed (NULL) takes nothing: json-c
 * would assert. */
int et__jadd(struct json_object *o, const char *key, struct json_object *val)
{
    int rc = o ? json_object_object_add(o, key, val) : -1;

    if (rc)
        failed();
    return rc;
}

int et__jadd_ref(struct json_object *o, const char *key,
                 struct json_object *val)
{
    struct json_object *ref = json_object_get(val);
    int rc = et__jadd(o, key, ref);

    if (rc)
        json_object_put(ref);
    return rc;
}

int et__jappend(struct json_object *a, struct json_object *val)
{
    int rc = a ? json_object_array_add(a, val) : -1;

    if (rc)
        failed();
    return rc;
}

void et__jput_str(struct json_object *o, const char *k, const char *v)
{
    struct json_object *s;

    if (!v)
        return;
    s = et__jnew_string(v);
    if (s && et__jadd(o, k, s))
        json_object_put(s);
}

bool et__json_oom_take(void)
{
    bool was = oom;

    oom = false;
    return was;
}

uint64_t et__json_oom_count(void)
{
    return n_failed;
}
