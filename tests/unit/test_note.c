/* SPDX-License-Identifier: MIT */
/*
 * Notes and human scores through the public API (include/exectrail/note.h):
 * write, read back by execution, group, uuid and words, the checks that
 * store nothing, and a store failure inside the note's projection.
 */
#define _GNU_SOURCE 1
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exectrail/exectrail.h"
#include "t.h"

#define EID "3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c"

static struct et_trail *fresh(const char *name)
{
    char path[512], id[37];
    struct et_trail *t = NULL;
    struct et_error err = ET_ERROR_INIT;
    static const char rec[] =
        "{\"execution_id\":\"" EID "\",\"session_id\":\"s1\","
        "\"timestamp_start\":\"2025-01-16T10:30:00.000Z\","
        "\"agent_metadata\":{\"name\":\"reviewer\"},"
        "\"delegation\":{\"prompt_sent\":\"review it\"},"
        "\"quality_metrics\":{\"completeness\":\"HIGH\",\"accuracy\":\"LOW\"}}";

    snprintf(path, sizeof(path), "%s/%s/trail.db", t_tmpdir(), name);
    if (et_trail_open(path, ET_OPEN_CREATE, &t, NULL, &err) != ET_OK ||
        et_trail_record(t, rec, strlen(rec), id, &err) != ET_OK) {
        fprintf(stdout, "# fresh: %s\n", err.msg);
        et_trail_close(t);
        return NULL;
    }
    return t;
}

struct seen {
    int n;
    char uuid[ET_NOTE_FIELD_MAX];
    char text[256];
    char snippet[256];
    double score;
    bool has_exec;
};

static int collect(void *ctx, const struct et_note_info *n)
{
    struct seen *s = ctx;

    if (!s->n++) {
        snprintf(s->uuid, sizeof(s->uuid), "%s", n->uuid);
        snprintf(s->text, sizeof(s->text), "%s", n->text ? n->text : "");
        snprintf(s->snippet, sizeof(s->snippet), "%s",
                 n->snippet ? n->snippet : "");
        s->score = n->score;
        s->has_exec = n->execution_id != NULL;
    }
    return 0;
}

static uint64_t events(struct et_trail *t)
{
    uint64_t n = 0;
    struct et_error err = ET_ERROR_INIT;

    return et_trail_size(t, &n, &err) == ET_OK ? n : UINT64_MAX;
}

T_TEST(note_and_score_roundtrip)
{
    struct et_trail *t = fresh("rt");
    struct et_error err = ET_ERROR_INIT;
    const char *tags[] = {"risk", "db"};
    const char *groups[] = {"ops"};
    struct et_note n = {.execution_id = "3f2b8c1e",
                        .text = "never tested",
                        .author = "alice",
                        .tags = tags,
                        .n_tags = 2};
    struct et_note free_note = {.text = "drain the canary pool first",
                                .group_id = "ops",
                                .name = "runbook",
                                .uuid = "ABCDEF00-1111-4222-8333-444455556666"};
    struct et_score s = {.execution_id = EID,
                         .score = 0.25,
                         .reason = "wrong file",
                         .scorer = "bob"};
    struct et_note_query q = {.execution_id = EID};
    struct seen seen = {0};
    char uuid[ET_NOTE_FIELD_MAX], *json = NULL;
    size_t len;

    T_ASSERT(t != NULL);
    T_ASSERT_OK(et_trail_note(t, &n, uuid, &err));
    T_ASSERT_INT_EQ(strlen(uuid), 36);
    T_ASSERT_OK(et_trail_note(t, &free_note, uuid, &err));
    T_ASSERT_STR_EQ(uuid, "abcdef00-1111-4222-8333-444455556666");
    T_ASSERT_OK(et_trail_score(t, &s, NULL, &err));
    /* the execution's: newest first, the score */
    T_ASSERT_OK(et_trail_notes(t, &q, collect, &seen, &err));
    T_ASSERT_INT_EQ(seen.n, 2);
    T_ASSERT(fabs(seen.score - 0.25) < 1e-9);
    T_ASSERT_STR_EQ(seen.text, "wrong file");
    /* a group's, by words, with marks */
    memset(&seen, 0, sizeof(seen));
    memset(&q, 0, sizeof(q));
    q.groups = groups;
    q.n_groups = 1;
    q.words = "canary";
    T_ASSERT_OK(et_trail_notes(t, &q, collect, &seen, &err));
    T_ASSERT_INT_EQ(seen.n, 1);
    T_ASSERT(!seen.has_exec);
    T_ASSERT_STR_CONTAINS(seen.snippet, "[canary]");
    /* another group: nothing */
    groups[0] = "support";
    memset(&seen, 0, sizeof(seen));
    T_ASSERT_OK(et_trail_notes(t, &q, collect, &seen, &err));
    T_ASSERT_INT_EQ(seen.n, 0);
    /* show: feedback beside quality_metrics (HIGH, LOW: automatic 0.5) */
    T_ASSERT_OK(et_trail_show(t, EID, 0, &json, &len, &err));
    T_ASSERT_STR_CONTAINS(json, "\"human_score\":0.25");
    T_ASSERT_STR_CONTAINS(json, "\"quality_score\":0.5");
    T_ASSERT_STR_CONTAINS(json, "\"accuracy\":\"LOW\"");
    et_trail_free_string(json);
    et_trail_close(t);
}

T_TEST(refusals_store_nothing)
{
    struct et_trail *t = fresh("bad");
    struct et_error err = ET_ERROR_INIT;
    const char *empty_tag[] = {"ok", ""};
    struct et_note n = {.text = "x", .uuid = "dup-1"};
    struct et_score s = {.execution_id = EID};
    uint64_t before;

    T_ASSERT(t != NULL);
    T_ASSERT_OK(et_trail_note(t, &n, NULL, &err));
    before = events(t);
    T_ASSERT_RC(et_trail_note(t, &n, NULL, &err), ET_EEXIST);
    T_ASSERT_STR_CONTAINS(err.msg, "uuid");
    n.uuid = NULL;
    n.text = "";
    T_ASSERT_RC(et_trail_note(t, &n, NULL, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "text: must not be empty");
    n.text = "ok";
    n.tags = empty_tag;
    n.n_tags = 2;
    T_ASSERT_RC(et_trail_note(t, &n, NULL, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "tags[1]");
    n.n_tags = 0;
    n.author = "two\nlines";
    T_ASSERT_RC(et_trail_note(t, &n, NULL, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "author: control character at byte 3");
    n.author = NULL;
    n.execution_id = "ffffffff-0000-4000-8000-000000000000";
    T_ASSERT_RC(et_trail_note(t, &n, NULL, &err), ET_ENOTFOUND);
    s.score = 1.01;
    T_ASSERT_RC(et_trail_score(t, &s, NULL, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "score: expected a number in [0, 1]");
    s.score = NAN;
    T_ASSERT_RC(et_trail_score(t, &s, NULL, &err), ET_EINPUT);
    s.score = 0.5;
    s.execution_id = NULL;
    T_ASSERT_RC(et_trail_score(t, &s, NULL, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "execution_id");
    T_ASSERT_INT_EQ(events(t), before);
    et_trail_close(t);
}

T_TEST(failed_projection_rolls_back)
{
    struct et_trail *t = fresh("fault");
    struct et_error err = ET_ERROR_INIT;
    struct et_verify_report rep;
    struct et_note n = {.execution_id = EID, .text = "lost?"};
    struct et_note_query q = {.execution_id = EID};
    struct seen seen = {0};
    uint64_t before;

    T_ASSERT(t != NULL);
    before = events(t);
    setenv("ET_TEST_FAIL_STORE", "note:1", 1);
    T_ASSERT_RC(et_trail_note(t, &n, NULL, &err), ET_EIO);
    unsetenv("ET_TEST_FAIL_STORE");
    T_ASSERT_INT_EQ(events(t), before);
    T_ASSERT_OK(et_trail_notes(t, &q, collect, &seen, &err));
    T_ASSERT_INT_EQ(seen.n, 0);
    T_ASSERT_OK(et_trail_note(t, &n, NULL, &err));
    T_ASSERT_OK(et_trail_verify(t, NULL, 0, &rep, &err));
    T_ASSERT_OK(et_trail_verify_projections(t, &err));
    et_trail_close(t);
}

T_MAIN("note", T_CASE(note_and_score_roundtrip), T_CASE(refusals_store_nothing),
       T_CASE(failed_projection_rolls_back))
