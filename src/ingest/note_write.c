/* SPDX-License-Identifier: MIT */
/*
 * Writing notes and human scores (docs/NOTES.md): et_trail_note and
 * et_trail_score check their fields and append execution.note /
 * execution.scored events through the ingest pipeline; src/trail/note.c
 * projects and reads them.
 */
#include "base/setup.h"
#include "base/time.h"
#include "base/uuid.h"
#include "codec/json.h"
#include "codec/json_int.h"
#include "ingest/pipeline.h"
#include "trail/note.h"
#include "exectrail/note.h"

#include <math.h>

/* s is UTF-8 of at most max bytes; one line unless multiline. */
static int check_str(const char *field, const char *s, size_t max,
                     bool multiline, struct et_error *err)
{
    size_t len = strlen(s);

    if (len > max)
        return et_error_set(err, ET_EINPUT, "%s: longer than %zu bytes", field,
                            max);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t n;

        if (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
            return et_error_set(err, ET_EINPUT,
                                "%s: control character at byte %zu", field, i);
        if (c < 0x80)
            continue;
        n = et__json_utf8_len((const unsigned char *)s + i, len - i);
        if (!n)
            return et_error_set(err, ET_EINPUT, "%s: invalid UTF-8 at byte %zu",
                                field, i);
        i += n - 1;
    }
    return ET_OK;
}

/* body[key] = s when s is set (checked first, named field). */
static int put_str(struct json_object *body, const char *key, const char *s,
                   bool multiline, struct et_error *err)
{
    struct json_object *v;
    int rc;

    if (!s)
        return ET_OK;
    rc = check_str(key, s, multiline ? ET_NOTE_TEXT_MAX : ET_NOTE_FIELD_MAX,
                   multiline, err);
    if (rc)
        return rc;
    v = et__jnew_string(s);
    if (!v || et__jadd(body, key, v)) {
        json_object_put(v);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    return ET_OK;
}

static int put_tags(struct json_object *body, const char *const *tags, size_t n,
                    struct et_error *err)
{
    struct json_object *arr;
    char field[32];
    int rc = ET_OK;

    if (!n)
        return ET_OK;
    if (n > ET_NOTE_TAGS_MAX)
        return et_error_set(err, ET_EINPUT, "tags: more than %d",
                            ET_NOTE_TAGS_MAX);
    arr = et__jnew_array();
    if (!arr || et__jadd(body, "tags", arr)) {
        json_object_put(arr);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    for (size_t i = 0; !rc && i < n; i++) {
        snprintf(field, sizeof(field), "tags[%zu]", i);
        if (!tags[i] || !*tags[i])
            return et_error_set(err, ET_EINPUT, "%s: must not be empty", field);
        rc = check_str(field, tags[i], ET_NOTE_FIELD_MAX, false, err);
        if (!rc && et__jappend(arr, et__jnew_string(tags[i])))
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
    }
    return rc;
}

/* The uuid of the new note into body.uuid and out: the caller's (a UUID is
 * lower-cased) or a new one. */
static int put_uuid(struct json_object *body, const char *given, char *out,
                    size_t cap, struct et_error *err)
{
    char buf[ET_NOTE_FIELD_MAX];
    int rc;

    if (given && !*given)
        return et_error_set(err, ET_EINPUT, "uuid: must not be empty");
    if (!given) {
        rc = et_uuid_v4(buf);
        if (rc)
            return et_error_set(err, rc, "cannot make a uuid");
    } else if (et_uuid_valid(given, strlen(given))) {
        et_uuid_normalize(given, buf);
    } else {
        rc = check_str("uuid", given, ET_NOTE_FIELD_MAX - 1, false, err);
        if (rc)
            return rc;
        snprintf(buf, sizeof(buf), "%s", given);
    }
    snprintf(out, cap, "%s", buf);
    return put_str(body, "uuid", buf, false, err);
}

static int uuid_taken(void *ctx, const struct et_store_note_row *r)
{
    (void)ctx;
    (void)r;
    return 1;
}

/*
 * One durable transaction: resolve the execution (idp may be NULL), refuse
 * a uuid already used, append the event. body is borrowed.
 */
static int append(struct et_trail *t, const char *type, const char *idp,
                  struct json_object *body, const char *uuid,
                  struct et_error *err)
{
    struct et_store_note_filter f;
    char id[37];
    int rc = et__ingest_begin(t, err);

    if (rc)
        return rc;
    if (idp)
        rc = et_store_exec_resolve(t->st, idp, id, err);
    memset(&f, 0, sizeof(f));
    f.uuid = uuid;
    f.limit = 1;
    if (!rc) {
        rc = et_store_note_each(t->st, &f, uuid_taken, NULL, err);
        if (rc == 1)
            rc =
                et_error_set(err, ET_EEXIST,
                             "uuid: a note '%.200s' is already recorded", uuid);
    }
    if (!rc)
        rc = et__ingest_event(t, type, idp ? id : NULL, body, NULL, err);
    if (rc) {
        et__unit_abort(t);
        return et__scrub_error(t, rc, err);
    }
    return et__unit_commit(t, err);
}

int et_trail_note(struct et_trail *t, const struct et_note *n, char *uuid_out,
                  struct et_error *err)
{
    char uuid[ET_NOTE_FIELD_MAX];
    struct json_object *body = et__jnew_object();
    int rc = body ? ET_OK : et_error_set(err, ET_ENOMEM, "out of memory");

    if (uuid_out)
        uuid_out[0] = '\0';
    if (!rc && (!n->text || !*n->text))
        rc = et_error_set(err, ET_EINPUT, "text: must not be empty");
    if (!rc)
        rc = put_str(body, "text", n->text, true, err);
    if (!rc)
        rc = put_str(body, "author", n->author, false, err);
    if (!rc)
        rc = put_tags(body, n->tags, n->n_tags, err);
    if (!rc)
        rc = put_str(body, "source", n->source ? n->source : "api", false, err);
    if (!rc)
        rc = put_str(body, "group_id", n->group_id, false, err);
    if (!rc)
        rc = put_str(body, "name", n->name, false, err);
    if (!rc)
        rc = put_str(body, "source_description", n->source_description, true,
                     err);
    if (!rc)
        rc = put_uuid(body, n->uuid, uuid, sizeof(uuid), err);
    if (!rc)
        rc = append(t, ET_EV_NOTE, n->execution_id, body, uuid, err);
    if (!rc && uuid_out)
        snprintf(uuid_out, ET_NOTE_FIELD_MAX, "%s", uuid);
    json_object_put(body);
    return rc;
}

int et_trail_score(struct et_trail *t, const struct et_score *s, char *uuid_out,
                   struct et_error *err)
{
    char uuid[ET_NOTE_FIELD_MAX];
    struct json_object *body = et__jnew_object(), *v = NULL;
    int rc = body ? ET_OK : et_error_set(err, ET_ENOMEM, "out of memory");

    if (uuid_out)
        uuid_out[0] = '\0';
    if (!rc && (!s->execution_id || !*s->execution_id))
        rc = et_error_set(err, ET_EINPUT,
                          "execution_id: a score needs an execution");
    if (!rc && (!isfinite(s->score) || s->score < 0 || s->score > 1))
        rc = et_error_set(err, ET_EINPUT,
                          "score: expected a number in [0, 1], got %g",
                          s->score);
    if (!rc) {
        v = et__jnew_double(s->score);
        if (!v || et__jadd(body, "score", v)) {
            json_object_put(v);
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
        }
    }
    if (!rc)
        rc = put_str(body, "reason", s->reason, true, err);
    if (!rc)
        rc = put_str(body, "scorer", s->scorer, false, err);
    if (!rc)
        rc = put_str(body, "source", s->source ? s->source : "api", false, err);
    if (!rc)
        rc = put_uuid(body, s->uuid, uuid, sizeof(uuid), err);
    if (!rc)
        rc = append(t, ET_EV_SCORED, s->execution_id, body, uuid, err);
    if (!rc && uuid_out)
        snprintf(uuid_out, ET_NOTE_FIELD_MAX, "%s", uuid);
    json_object_put(body);
    return rc;
}
