/* SPDX-License-Identifier: MIT */
/*
 * The trail API end to end through the library: record, lifecycle, show,
 * verify, checkpoint, rebuild, batches, and rollback when the store fails
 * midway.
 */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exectrail/exectrail.h"
#include "t.h"

/* a JSON literal and its length */
#define JS(lit) (lit), strlen(lit)

static const char rec_fmt[] =
    "{\"execution_id\":\"%s\",\"session_id\":\"s1\","
    "\"timestamp_start\":\"2025-01-16T10:30:00.000Z\","
    "\"timestamp_end\":\"2025-01-16T10:32:15.234Z\","
    "\"agent_metadata\":{\"name\":\"code-reviewer\"},"
    "\"delegation\":{\"prompt_sent\":\"review it\"},"
    "\"execution\":{\"actions_taken\":[{\"tool\":\"Bash\",\"input\":\"ls\","
    "\"success\":true,\"error\":null},{\"tool\":\"Read\",\"success\":false,"
    "\"error\":\"no such file\"}]},"
    "\"output\":{\"raw_response\":\"done\",\"files_modified\":[\"a.c\"]}}";

static struct et_trail *open_fresh(const char *name) {
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

static int record_one(struct et_trail *t, const char *id, char out[37]) {
  char json[2048];
  struct et_error err = ET_ERROR_INIT;
  int rc;

  snprintf(json, sizeof(json), rec_fmt, id);
  rc = et_trail_record(t, json, strlen(json), out, &err);
  if (rc)
    fprintf(stdout, "# record: %s\n", err.msg);
  return rc;
}

T_TEST(record_show_roundtrip) {
  struct et_trail *t = open_fresh("rt");
  struct et_error err = ET_ERROR_INIT;
  char id[37], *json = NULL;
  size_t len;

  T_ASSERT(t != NULL);
  T_ASSERT_OK(record_one(t, "3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c", id));
  T_ASSERT_STR_EQ(id, "3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c");
  T_ASSERT_OK(et_trail_show(t, "3f2b8c1e", 0, &json, &len, &err));
  T_ASSERT_STR_CONTAINS(json, "\"duration_ms\":135234");
  T_ASSERT_STR_CONTAINS(json, "\"sequence\":2");
  T_ASSERT_STR_CONTAINS(json, "\"prompt_length\":9");
  et_trail_free_string(json);
  T_ASSERT_RC(record_one(t, "3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c", id),
              ET_EEXIST);
  et_trail_close(t);
}

T_TEST(lifecycle_states) {
  struct et_trail *t = open_fresh("life");
  struct et_error err = ET_ERROR_INIT;
  char id[37], *json = NULL;
  uint64_t n = 0;
  const char *start = "{\"session_id\":\"s\",\"agent_metadata\":"
                      "{\"name\":\"a\"}}";

  T_ASSERT(t != NULL);
  T_ASSERT_OK(et_trail_start(t, start, strlen(start), id, &err));
  T_ASSERT_RC(et_trail_delegate(t, id, JS("{}"), &err), ET_EINPUT);
  T_ASSERT_STR_CONTAINS(err.msg, "delegation.prompt_sent");
  T_ASSERT_OK(et_trail_delegate(t, id, JS("{\"prompt_sent\":\"go\"}"), &err));
  T_ASSERT_RC(et_trail_delegate(t, id, JS("{\"prompt_sent\":\"go\"}"), &err),
              ET_ESTATE);
  T_ASSERT_OK(et_trail_action(t, id, JS("[{\"tool\":\"A\"},{\"tool\":\"B\"}]"),
                              &n, &err));
  T_ASSERT_INT_EQ(n, 2);
  T_ASSERT_RC(
      et_trail_action(t, id, JS("{\"tool\":\"C\",\"sequence\":1}"), &n, &err),
      ET_EINPUT);
  T_ASSERT_OK(et_trail_action(t, id, JS("{\"tool\":\"C\"}"), &n, &err));
  T_ASSERT_OK(et_trail_respond(t, id, JS("{\"raw_response\":\"ok\"}"), &err));
  T_ASSERT_OK(et_trail_complete(
      t, id, JS("{\"verification\":{\"status\":\"MATCH\"}}"), &err));
  T_ASSERT_RC(et_trail_action(t, id, JS("{\"tool\":\"D\"}"), &n, &err),
              ET_ESTATE);
  T_ASSERT_RC(et_trail_complete(t, id, JS("{}"), &err), ET_ESTATE);
  T_ASSERT_RC(
      et_trail_delegate(t, "ffffffff", JS("{\"prompt_sent\":\"x\"}"), &err),
      ET_ENOTFOUND);
  T_ASSERT_OK(et_trail_show(t, id, 0, &json, NULL, &err));
  T_ASSERT_STR_CONTAINS(json, "\"tool\":\"C\"");
  T_ASSERT_STR_CONTAINS(json, "\"sequence\":3");
  T_ASSERT_STR_CONTAINS(json, "\"status\":\"MATCH\"");
  T_ASSERT_STR_CONTAINS(json, "\"raw_response\":\"ok\"");
  et_trail_free_string(json);
  et_trail_close(t);
}

static void count_progress(void *ctx, uint64_t done, uint64_t total)
{
    uint64_t *v = ctx;

    v[0]++;
    v[1] = done;
    v[2] = total;
}

T_TEST(verify_checkpoint_rebuild) {
  struct et_trail *t = open_fresh("verify");
  struct et_error err = ET_ERROR_INIT;
  struct et_verify_report rep;
  char id[37], *note = NULL, *before = NULL, *after = NULL;
  uint64_t n = 0;

  T_ASSERT(t != NULL);
  T_ASSERT_OK(record_one(t, "00000000-0000-4000-8000-000000000001", id));
  T_ASSERT_OK(et_trail_checkpoint(t, &note, &err));
  T_ASSERT_OK(record_one(t, "00000000-0000-4000-8000-000000000002", id));
  T_ASSERT_OK(et_trail_verify(t, note, strlen(note), &rep, &err));
  T_ASSERT_INT_EQ(rep.events, 2);
  T_ASSERT_INT_EQ(rep.checkpoints, 1);
  T_ASSERT_INT_EQ(rep.bad_seq, -1);
  T_ASSERT_OK(et_trail_show(t, id, 0, &before, NULL, &err));
  T_ASSERT_OK(et_trail_rebuild(t, &n, &err));
  T_ASSERT_INT_EQ(n, 2);
  T_ASSERT_OK(et_trail_show(t, id, 0, &after, NULL, &err));
  T_ASSERT_STR_EQ(before, after);
  {
      /* progress: (under 10,000 events) one call at the end, all done */
      uint64_t v[3] = {0, 0, 0};

      T_ASSERT_OK(et_trail_rebuild_progress(t, count_progress, v, &n, &err));
      T_ASSERT_INT_EQ(n, 2);
      T_ASSERT_INT_EQ(v[0], 1);
      T_ASSERT_INT_EQ(v[1], 2);
      T_ASSERT_INT_EQ(v[2], 2);
  }
  /* a checkpoint whose note was altered is refused */
  note[strlen(note) - 5] ^= 1;
  T_ASSERT(et_trail_verify(t, note, strlen(note), &rep, &err) != ET_OK);
  et_trail_free_string(note);
  et_trail_free_string(before);
  et_trail_free_string(after);
  et_trail_close(t);
}

static int count_fn(void *ctx, const struct et_exec_summary *s) {
  (void)s;
  (*(int *)ctx)++;
  return 0;
}

T_TEST(failed_store_write_rolls_back) {
  struct et_trail *t = open_fresh("fault");
  struct et_error err = ET_ERROR_INIT;
  struct et_verify_report rep;
  char id[37];
  int count = 0;

  T_ASSERT(t != NULL);
  T_ASSERT_OK(record_one(t, "00000000-0000-4000-8000-00000000000a", id));
  et_trail_close(t);
  /* the next trail's second commit fails: nothing of it may remain */
  setenv("ET_TEST_FAIL_STORE", "commit:1", 1);
  t = open_fresh("fault");
  T_ASSERT(t != NULL);
  T_ASSERT_RC(record_one(t, "00000000-0000-4000-8000-00000000000b", id),
              ET_EIO);
  unsetenv("ET_TEST_FAIL_STORE");
  T_ASSERT_OK(et_trail_list(t, 0, count_fn, &count, &err));
  T_ASSERT_INT_EQ(count, 1);
  T_ASSERT_OK(et_trail_verify(t, NULL, 0, &rep, &err));
  T_ASSERT_INT_EQ(rep.events, 1);
  /* and the trail still takes writes afterwards */
  T_ASSERT_OK(record_one(t, "00000000-0000-4000-8000-00000000000b", id));
  T_ASSERT_OK(et_trail_verify(t, NULL, 0, &rep, &err));
  T_ASSERT_INT_EQ(rep.events, 2);
  et_trail_close(t);
}

static int count_on(struct et_trail *t) {
  struct et_error err = ET_ERROR_INIT;
  int count = 0;

  if (et_trail_list(t, 0, count_fn, &count, &err))
    return -1;
  return count;
}

/* the group commit of exectrail serve: units in one batch, committed or
 * undone together, a failed unit undoing only itself */
T_TEST(batch_units_commit_together) {
  struct et_trail *t = open_fresh("batch"), *r = NULL;
  struct et_error err = ET_ERROR_INIT;
  struct et_verify_report rep;
  char id[37], path[512];

  T_ASSERT(t != NULL);
  snprintf(path, sizeof(path), "%s/batch/trail.db", t_tmpdir());
  T_ASSERT_OK(et_trail_open(path, 0, &r, NULL, &err));
  T_ASSERT_RC(et_trail_batch_commit(t, &err), ET_EIO); /* none open */
  T_ASSERT_OK(et_trail_batch_begin(t, &err));
  T_ASSERT(et_trail_in_batch(t));
  T_ASSERT_RC(et_trail_batch_begin(t, &err), ET_ESTATE);
  T_ASSERT_OK(record_one(t, "00000000-0000-4000-8000-0000000000b1", id));
  T_ASSERT_RC(record_one(t, "00000000-0000-4000-8000-0000000000b1", id),
              ET_EEXIST);
  T_ASSERT(et_trail_in_batch(t));
  T_ASSERT_OK(record_one(t, "00000000-0000-4000-8000-0000000000b2", id));
  /* another handle sees nothing of the batch before its commit */
  T_ASSERT_INT_EQ(count_on(r), 0);
  T_ASSERT_OK(et_trail_batch_commit(t, &err));
  T_ASSERT(!et_trail_in_batch(t));
  T_ASSERT_INT_EQ(count_on(r), 2);
  /* an aborted batch leaves nothing */
  T_ASSERT_OK(et_trail_batch_begin(t, &err));
  T_ASSERT_OK(record_one(t, "00000000-0000-4000-8000-0000000000b3", id));
  et_trail_batch_abort(t);
  T_ASSERT(!et_trail_in_batch(t));
  /* nor does a batch whose commit fails */
  T_ASSERT_OK(et_trail_batch_begin(t, &err));
  T_ASSERT_OK(record_one(t, "00000000-0000-4000-8000-0000000000b4", id));
  T_ASSERT_OK(record_one(t, "00000000-0000-4000-8000-0000000000b5", id));
  setenv("ET_TEST_FAIL_STORE", "commit:01", 1);
  T_ASSERT_RC(et_trail_batch_commit(t, &err), ET_EIO);
  unsetenv("ET_TEST_FAIL_STORE");
  T_ASSERT(!et_trail_in_batch(t));
  T_ASSERT_INT_EQ(count_on(r), 2);
  T_ASSERT_OK(et_trail_verify(t, NULL, 0, &rep, &err));
  T_ASSERT_INT_EQ(rep.events, 2);
  /* and the trail takes writes afterwards */
  T_ASSERT_OK(record_one(t, "00000000-0000-4000-8000-0000000000b4", id));
  T_ASSERT_INT_EQ(count_on(r), 3);
  et_trail_close(r);
  et_trail_close(t);
}

T_TEST(missing_store_is_unavailable) {
  struct et_trail *t = NULL;
  struct et_error err = ET_ERROR_INIT;
  char path[512];

  snprintf(path, sizeof(path), "%s/none/trail.db", t_tmpdir());
  T_ASSERT_RC(et_trail_open(path, 0, &t, NULL, &err), ET_EUNAVAIL);
  T_ASSERT(t == NULL);
  T_ASSERT_STR_CONTAINS(err.msg, "no trail at");
}

T_MAIN("trail", T_CASE(record_show_roundtrip), T_CASE(lifecycle_states),
       T_CASE(verify_checkpoint_rebuild), T_CASE(failed_store_write_rolls_back),
       T_CASE(batch_units_commit_together),
       T_CASE(missing_store_is_unavailable))
