/* SPDX-License-Identifier: MIT */
/*
 * Claude Code ingest through the library: transcript import of the fixture
 * sessions (tests/data/claude/transcripts, from claude-code-log, MIT) and
 * its idempotency; the hook mapping itself is tested end to end by
 * tests/cli/t0201-hook.sh.
 */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exectrail/exectrail.h"
#include "exectrail/ingest.h"
#include "t.h"

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

static void data_path(char *out, size_t cap, const char *rel) {
  const char *src = getenv("ET_SOURCE_DIR");

  snprintf(out, cap, "%s/tests/data/claude/transcripts/%s", src ? src : ".",
           rel);
}

struct seen {
  int n;
  int completed;
  char agents[256];
  char ids[4][37];
};

static int collect(void *ctx, const struct et_exec_summary *s) {
  struct seen *w = ctx;

  if (w->n < 4)
    memcpy(w->ids[w->n], s->execution_id, 37);
  w->n++;
  w->completed += s->state && !strcmp(s->state, "completed");
  strncat(w->agents, s->agent_name ? s->agent_name : "?",
          sizeof(w->agents) - strlen(w->agents) - 2);
  strcat(w->agents, ",");
  return 0;
}

T_TEST(showcase_two_parallel_agents) {
  struct et_trail *t = open_fresh("showcase");
  struct et_error err = ET_ERROR_INIT;
  struct et_transcript_stats st;
  struct et_verify_report rep;
  struct seen w;
  char dir[1024], *json = NULL;
  const char *paths[1] = {dir};
  size_t len = 0;
  bool raw1 = false, raw2 = false;

  T_ASSERT(t != NULL);
  data_path(dir, sizeof(dir), "minimal_showcase");
  T_ASSERT_OK(et_ingest_claude_transcripts(t, paths, 1, NULL, &st, &err));
  T_ASSERT_INT_EQ(st.files, 3);
  T_ASSERT(st.events > 0);
  memset(&w, 0, sizeof(w));
  T_ASSERT_OK(et_trail_list(t, 0, collect, &w, &err));
  T_ASSERT_INT_EQ(w.n, 2);
  T_ASSERT_INT_EQ(w.completed, 2);
  T_ASSERT_STR_EQ(w.agents, "general-purpose,general-purpose,");
  for (int i = 0; i < 2; i++) {
    T_ASSERT_OK(et_trail_show(t, w.ids[i], 0, &json, &len, &err));
    T_ASSERT_STR_CONTAINS(json, "\"session_id\":\"55550000-0000-4000-8000-000000000001\"");
    raw1 = raw1 || strstr(json, "column layout") != NULL;
    raw2 = raw2 || strstr(json, "\"tool_use_id\":\"toolu_sc_showcol2\"") != NULL;
    T_ASSERT_STR_CONTAINS(json, "\"timestamp_start\":\"2026-06-15T10:00:08.000Z\"");
    et_trail_free_string(json);
  }
  T_ASSERT(raw1);
  T_ASSERT(raw2);
  /* again: nothing new */
  T_ASSERT_OK(et_ingest_claude_transcripts(t, paths, 1, NULL, &st, &err));
  T_ASSERT_INT_EQ(st.events, 0);
  T_ASSERT_OK(et_trail_verify(t, NULL, 0, &rep, &err));
  et_trail_close(t);
}

T_TEST(legacy_sidechain_task) {
  struct et_trail *t = open_fresh("sidechain");
  struct et_error err = ET_ERROR_INIT;
  struct et_transcript_stats st;
  struct seen w;
  char file[1024], *json = NULL;
  const char *paths[1] = {file};
  size_t len = 0;

  T_ASSERT(t != NULL);
  data_path(file, sizeof(file), "sidechain_integrated.jsonl");
  T_ASSERT_OK(et_ingest_claude_transcripts(t, paths, 1, NULL, &st, &err));
  memset(&w, 0, sizeof(w));
  T_ASSERT_OK(et_trail_list(t, 0, collect, &w, &err));
  T_ASSERT_INT_EQ(w.n, 1);
  T_ASSERT_INT_EQ(w.completed, 1);
  T_ASSERT_OK(et_trail_show(t, w.ids[0], 0, &json, &len, &err));
  /* the sidechain tool_result is the subagent's action; its tool_use is
   * not in this (cut) transcript, so the tool is unknown */
  T_ASSERT_STR_CONTAINS(json, "\"tool\":\"unknown\"");
  T_ASSERT_STR_CONTAINS(json, "\"tool_use_id\":\"toolu_011V1hetiJ3pC79EoLTY53Ni\"");
  T_ASSERT_STR_CONTAINS(json, "\"agent_id\":\"e1c84ba5\"");
  T_ASSERT_STR_CONTAINS(json, "\"tool_use_id\":\"toolu_01JA2mLseQCAW3MdwPE4qWEk\"");
  T_ASSERT_STR_CONTAINS(json, "\"timestamp_start\":\"2025-11-19T22:53:34.908Z\"");
  et_trail_free_string(json);
  T_ASSERT_OK(et_ingest_claude_transcripts(t, paths, 1, NULL, &st, &err));
  T_ASSERT_INT_EQ(st.events, 0);
  et_trail_close(t);
}

T_TEST(plain_session_has_no_executions) {
  struct et_trail *t = open_fresh("plain");
  struct et_error err = ET_ERROR_INIT;
  struct et_transcript_stats st;
  struct seen w;
  char file[1024];
  const char *paths[1] = {file};

  T_ASSERT(t != NULL);
  data_path(file, sizeof(file), "representative_messages.jsonl");
  T_ASSERT_OK(et_ingest_claude_transcripts(t, paths, 1, NULL, &st, &err));
  /* Edit and Bash, and the user's 4 prompts (UserPromptSubmit): session
   * events only */
  T_ASSERT_INT_EQ(st.inputs, 6);
  T_ASSERT_INT_EQ(st.events, 6);
  memset(&w, 0, sizeof(w));
  T_ASSERT_OK(et_trail_list(t, 0, collect, &w, &err));
  T_ASSERT_INT_EQ(w.n, 0);
  et_trail_close(t);
}

T_TEST(missing_path_is_an_error) {
  struct et_trail *t = open_fresh("missing");
  struct et_error err = ET_ERROR_INIT;
  const char *paths[1] = {"/nonexistent/exectrail/x.jsonl"};

  T_ASSERT(t != NULL);
  T_ASSERT_RC(et_ingest_claude_transcripts(t, paths, 1, NULL, NULL, &err), ET_EIO);
  et_trail_close(t);
}

T_MAIN("ingest", T_CASE(showcase_two_parallel_agents),
       T_CASE(legacy_sidechain_task), T_CASE(plain_session_has_no_executions),
       T_CASE(missing_path_is_an_error))
