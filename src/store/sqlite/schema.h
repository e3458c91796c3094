/* SPDX-License-Identifier: MIT */
/*
 * SQLite schema migrations, applied in order; PRAGMA user_version records
 * how many have run. Append-only: never edit a shipped migration.
 */
#ifndef ET_STORE_SQLITE_SCHEMA_H
#define ET_STORE_SQLITE_SCHEMA_H

static const char *const et_sqlite_migrations[] = {
    /* 1: ledger, tree head, checkpoints, metadata, projections, FTS */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE ledger("
    "  seq INTEGER PRIMARY KEY,"
    "  type TEXT NOT NULL,"
    "  execution_id TEXT,"
    "  ts_ns INTEGER NOT NULL,"
    "  leaf BLOB NOT NULL,"
    "  body TEXT);"
    "CREATE INDEX ledger_exec ON ledger(execution_id) "
    "  WHERE execution_id IS NOT NULL;"
    "CREATE TABLE tree_head("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  size INTEGER NOT NULL,"
    "  state BLOB NOT NULL);"
    "CREATE TABLE checkpoints("
    "  size INTEGER NOT NULL,"
    "  root BLOB NOT NULL,"
    "  ts_ns INTEGER NOT NULL,"
    "  note TEXT NOT NULL);"
    "CREATE TABLE sessions("
    "  session_id TEXT PRIMARY KEY,"
    "  first_ns INTEGER,"
    "  last_ns INTEGER,"
    "  n_executions INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE executions("
    "  execution_id TEXT PRIMARY KEY,"
    "  session_id TEXT,"
    "  agent_name TEXT,"
    "  agent_version TEXT,"
    "  state TEXT NOT NULL,"
    "  verification TEXT,"
    "  completeness TEXT,"
    "  accuracy TEXT,"
    "  efficiency TEXT,"
    "  start_ns INTEGER,"
    "  end_ns INTEGER,"
    "  duration_ms INTEGER,"
    "  n_actions INTEGER NOT NULL DEFAULT 0,"
    "  n_failed_actions INTEGER NOT NULL DEFAULT 0,"
    "  first_seq INTEGER NOT NULL,"
    "  last_seq INTEGER NOT NULL,"
    "  doc TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX executions_start ON executions(start_ns);"
    "CREATE INDEX executions_agent ON executions(agent_name, start_ns);"
    "CREATE INDEX executions_session ON executions(session_id);"
    "CREATE TABLE actions("
    "  execution_id TEXT NOT NULL,"
    "  sequence INTEGER NOT NULL,"
    "  tool TEXT,"
    "  ts_ns INTEGER,"
    "  success INTEGER,"
    "  seq INTEGER NOT NULL,"
    "  doc TEXT NOT NULL,"
    "  PRIMARY KEY (execution_id, sequence)) WITHOUT ROWID;"
    "CREATE TABLE exec_lists("
    "  execution_id TEXT NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  item TEXT NOT NULL);"
    "CREATE INDEX exec_lists_exec ON exec_lists(execution_id, kind);"
    "CREATE VIRTUAL TABLE fts USING fts5("
    "  execution_id UNINDEXED, body, tokenize = 'unicode61');",
    /* 2: indexes for the query language's common predicates (docs/QUERY.md):
     * verdicts and quality levels by time, durations, and a covering index
     * so that list predicates scan items without touching table rows */
    "CREATE INDEX executions_verification ON executions(verification, "
    "  start_ns);"
    "CREATE INDEX executions_quality ON executions(completeness, accuracy, "
    "  efficiency, start_ns);"
    "CREATE INDEX executions_duration ON executions(duration_ms, "
    "  start_ns);"
    "CREATE INDEX exec_lists_item ON exec_lists(kind, item, execution_id);",
    /* 3: which execution each event belongs to, kept apart from the ledger
     * rows so that verify can name the execution of a deleted event */
    "CREATE TABLE event_index("
    "  seq INTEGER PRIMARY KEY,"
    "  execution_id TEXT NOT NULL);"
    "INSERT INTO event_index(seq, execution_id) SELECT seq, execution_id "
    "  FROM ledger WHERE execution_id IS NOT NULL;",
    /* 4: projections shared by analysis, security classification, reports
     * and retention: why an execution is security-relevant (reasons is a
     * JSON array of "path:...", "credential:...", "api:..."), and the
     * issues found in executions with their normalised failure signature */
    "CREATE TABLE security_relevant("
    "  execution_id TEXT PRIMARY KEY,"
    "  reasons TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE exec_issues("
    "  execution_id TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  ts_ns INTEGER NOT NULL,"
    "  agent_name TEXT,"
    "  type TEXT NOT NULL,"
    "  signature TEXT NOT NULL,"
    "  message TEXT NOT NULL);"
    "CREATE INDEX exec_issues_signature ON exec_issues(signature, ts_ns);"
    "CREATE INDEX exec_issues_exec ON exec_issues(execution_id);",
    /* 5: the distinct list items (paths, commands, API calls ...), kept by
     * triggers, so that a substring predicate (files_modified secrets)
     * scans the vocabulary, not every item of every execution, then finds
     * the executions through exec_lists_item. An item leaves the
     * vocabulary with its last use (erasure leaves no trace here). */
    "CREATE TABLE list_vocab("
    "  kind INTEGER NOT NULL,"
    "  item TEXT NOT NULL,"
    "  PRIMARY KEY (kind, item)) WITHOUT ROWID;"
    "CREATE TRIGGER exec_lists_vocab_add AFTER INSERT ON exec_lists BEGIN"
    "  INSERT OR IGNORE INTO list_vocab(kind, item)"
    "    VALUES (new.kind, new.item);"
    "END;"
    "CREATE TRIGGER exec_lists_vocab_drop AFTER DELETE ON exec_lists BEGIN"
    "  DELETE FROM list_vocab WHERE kind = old.kind AND item = old.item"
    "    AND NOT EXISTS (SELECT 1 FROM exec_lists"
    "                    WHERE kind = old.kind AND item = old.item);"
    "END;"
    "INSERT OR IGNORE INTO list_vocab(kind, item)"
    "  SELECT kind, item FROM exec_lists;",
    /* 6: the credentials each execution used, from the
     * [REDACTED:kind:fingerprint] markers of its events (docs/SECURITY.md) */
    "CREATE TABLE exec_credentials("
    "  execution_id TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  fingerprint TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  PRIMARY KEY (execution_id, kind, fingerprint, seq)) WITHOUT ROWID;"
    "CREATE INDEX exec_credentials_fp ON exec_credentials(fingerprint, "
    "  execution_id);"
    "CREATE INDEX exec_credentials_kind ON exec_credentials(kind, "
    "  execution_id);",
    /* 7: an agent's issues by time, for `exectrail insights`
     * (top failure signatures and failing criteria of one agent) */
    "CREATE INDEX exec_issues_agent ON exec_issues(agent_name, ts_ns);",
    /* 8: reports (docs/REPORTS.md): rollups per UTC hour of start and
     * agent, maintained on write by the projection and recomputed by
     * rebuild; a log-scale duration histogram per (agent, hour) for the
     * percentiles, and per (agent, UTC day) so long periods read 24 times
     * fewer rows; issue signatures per (agent, hour) with the number of
     * executions that had each (exact: an execution is in one hour) */
    "CREATE TABLE report_hourly("
    "  hour INTEGER NOT NULL,"
    "  agent TEXT NOT NULL,"
    "  n INTEGER NOT NULL DEFAULT 0,"
    "  completed INTEGER NOT NULL DEFAULT 0,"
    "  match INTEGER NOT NULL DEFAULT 0,"
    "  partial INTEGER NOT NULL DEFAULT 0,"
    "  mismatch INTEGER NOT NULL DEFAULT 0,"
    "  error INTEGER NOT NULL DEFAULT 0,"
    "  dur_n INTEGER NOT NULL DEFAULT 0,"
    "  dur_sum_ms INTEGER NOT NULL DEFAULT 0,"
    "  q_n INTEGER NOT NULL DEFAULT 0,"
    "  q_sum12 INTEGER NOT NULL DEFAULT 0,"
    "  q_high INTEGER NOT NULL DEFAULT 0,"
    "  q_bin0 INTEGER NOT NULL DEFAULT 0,"
    "  q_bin1 INTEGER NOT NULL DEFAULT 0,"
    "  q_bin2 INTEGER NOT NULL DEFAULT 0,"
    "  q_bin3 INTEGER NOT NULL DEFAULT 0,"
    "  q_bin4 INTEGER NOT NULL DEFAULT 0,"
    "  usage_n INTEGER NOT NULL DEFAULT 0,"
    "  tok_in INTEGER NOT NULL DEFAULT 0,"
    "  tok_out INTEGER NOT NULL DEFAULT 0,"
    "  tok_cache_read INTEGER NOT NULL DEFAULT 0,"
    "  tok_cache_write INTEGER NOT NULL DEFAULT 0,"
    "  cost_micro_usd INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (hour, agent)) WITHOUT ROWID;"
    "CREATE INDEX report_hourly_agent ON report_hourly(agent, hour);"
    "CREATE TABLE report_duration("
    "  agent TEXT NOT NULL,"
    "  hour INTEGER NOT NULL,"
    "  bucket INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (agent, hour, bucket)) WITHOUT ROWID;"
    "CREATE TABLE report_duration_day("
    "  agent TEXT NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  bucket INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (agent, day, bucket)) WITHOUT ROWID;"
    "CREATE TABLE report_issues("
    "  agent TEXT NOT NULL,"
    "  hour INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  signature TEXT NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  executions INTEGER NOT NULL,"
    "  example TEXT NOT NULL,"
    "  PRIMARY KEY (agent, hour, signature, type)) WITHOUT ROWID;",
    /* 9: retention (docs/RETENTION.md): legal holds ("hold:<id>") and the
     * bookkeeping of runs and the schedule, a projection of retention.*
     * events */
    "CREATE TABLE retention_state("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL,"
    "  seq INTEGER NOT NULL) WITHOUT ROWID;",
    /* 10: a trail that had executions before the report rollups existed
     * (migration 8) has empty rollups: reports refuse it until `exectrail
     * rebuild` recomputes them (and clears this mark) */
    "INSERT OR REPLACE INTO meta(key, value) SELECT 'rollups_stale', '1' "
    "  WHERE EXISTS (SELECT 1 FROM executions)"
    "  AND NOT EXISTS (SELECT 1 FROM report_hourly);",
    /* 11: each list item carries its execution's start time, so that a
     * whole answer to a list filter (files_modified secrets auth ...) is
     * one scan of (kind, item, start_ns, execution_id) with no lookup of
     * the execution per match (docs/QUERY.md, "How queries run"). Items
     * get it when written (S_LIST_PUT) and follow a changed start time. */
    "ALTER TABLE exec_lists ADD COLUMN start_ns INTEGER;"
    "UPDATE exec_lists SET start_ns = (SELECT e.start_ns FROM executions e"
    "  WHERE e.execution_id = exec_lists.execution_id);"
    "DROP INDEX exec_lists_item;"
    "CREATE INDEX exec_lists_item ON exec_lists(kind, item, start_ns,"
    "  execution_id);"
    "CREATE TRIGGER executions_start_lists AFTER UPDATE OF start_ns"
    "  ON executions WHEN old.start_ns IS NOT new.start_ns BEGIN"
    "  UPDATE exec_lists SET start_ns = new.start_ns"
    "    WHERE execution_id = new.execution_id;"
    "END;",
    /* 12: the report rollups per slot of a quarter of an hour instead of
     * per hour, so that days in zones a half or three quarters of an hour
     * from UTC (India, Nepal, Newfoundland ...) are exact. Hourly rows
     * cannot be split: they are dropped, and a trail with executions is
     * marked for one `exectrail rebuild`, which reports ask for (as after
     * migration 10). */
    "DELETE FROM report_hourly; DELETE FROM report_duration;"
    "DELETE FROM report_duration_day; DELETE FROM report_issues;"
    "DROP INDEX report_hourly_agent;"
    "ALTER TABLE report_hourly RENAME TO report_slots;"
    "ALTER TABLE report_slots RENAME COLUMN hour TO slot;"
    "ALTER TABLE report_duration RENAME COLUMN hour TO slot;"
    "ALTER TABLE report_issues RENAME COLUMN hour TO slot;"
    "CREATE INDEX report_slots_agent ON report_slots(agent, slot);"
    "INSERT OR REPLACE INTO meta(key, value) SELECT 'rollups_stale', '1' "
    "  WHERE EXISTS (SELECT 1 FROM executions);",
    /* 13: subagent bindings as projection state (docs/INTEGRATIONS.md,
     * "Bindings"): which execution each (session, agent) is bound to, and
     * which ledger events are actions of which agent with their current
     * owner (NULL: no execution yet), so that a correction or a late link
     * moves the actions and an erasure or a proof follows the owner */
    "CREATE TABLE agent_bindings("
    "  session_id TEXT NOT NULL,"
    "  agent_id TEXT NOT NULL,"
    "  execution_id TEXT NOT NULL,"
    "  PRIMARY KEY (session_id, agent_id)) WITHOUT ROWID;"
    "CREATE INDEX agent_bindings_exec ON agent_bindings(execution_id);"
    "CREATE TABLE agent_actions("
    "  seq INTEGER PRIMARY KEY,"
    "  session_id TEXT NOT NULL,"
    "  agent_id TEXT NOT NULL,"
    "  execution_id TEXT);"
    "CREATE INDEX agent_actions_agent ON agent_actions(session_id, "
    "  agent_id);"
    "CREATE INDEX agent_actions_exec ON agent_actions(execution_id) "
    "  WHERE execution_id IS NOT NULL;",
    /* 14: notes and human scores (docs/NOTES.md), a projection of
     * execution.note and execution.scored events: free-form notes (no
     * execution) by group, an execution's notes, a note by uuid. Their
     * text is in fts (rowid = seq) like every event's. */
    "CREATE TABLE notes("
    "  seq INTEGER PRIMARY KEY,"
    "  uuid TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  execution_id TEXT,"
    "  group_id TEXT,"
    "  ts_ns INTEGER NOT NULL,"
    "  doc TEXT NOT NULL);"
    "CREATE INDEX notes_exec ON notes(execution_id, seq);"
    "CREATE INDEX notes_group ON notes(group_id, seq);"
    "CREATE INDEX notes_uuid ON notes(uuid);",
    /* 15: executions as a rowid table (its key in an index of its own):
     * WITHOUT ROWID keeps each row in an index b-tree, where SQLite stores
     * at most about a quarter of a page of a row in place and the rest of
     * a 1-2 KB document on an overflow page of its own: 223 MB for 50,000
     * executions, 98 MB as a rowid table (docs/PERFORMANCE.md, "Store
     * size"). The same columns, indexes and trigger. */
    "CREATE TABLE executions_rowid("
    "  execution_id TEXT PRIMARY KEY,"
    "  session_id TEXT,"
    "  agent_name TEXT,"
    "  agent_version TEXT,"
    "  state TEXT NOT NULL,"
    "  verification TEXT,"
    "  completeness TEXT,"
    "  accuracy TEXT,"
    "  efficiency TEXT,"
    "  start_ns INTEGER,"
    "  end_ns INTEGER,"
    "  duration_ms INTEGER,"
    "  n_actions INTEGER NOT NULL DEFAULT 0,"
    "  n_failed_actions INTEGER NOT NULL DEFAULT 0,"
    "  first_seq INTEGER NOT NULL,"
    "  last_seq INTEGER NOT NULL,"
    "  doc TEXT NOT NULL);"
    "INSERT INTO executions_rowid SELECT * FROM executions;"
    "DROP TABLE executions;"
    "ALTER TABLE executions_rowid RENAME TO executions;"
    "CREATE INDEX executions_start ON executions(start_ns);"
    "CREATE INDEX executions_agent ON executions(agent_name, start_ns);"
    "CREATE INDEX executions_session ON executions(session_id);"
    "CREATE INDEX executions_verification ON executions(verification, "
    "  start_ns);"
    "CREATE INDEX executions_quality ON executions(completeness, accuracy, "
    "  efficiency, start_ns);"
    "CREATE INDEX executions_duration ON executions(duration_ms, "
    "  start_ns);"
    "CREATE TRIGGER executions_start_lists AFTER UPDATE OF start_ns"
    "  ON executions WHEN old.start_ns IS NOT new.start_ns BEGIN"
    "  UPDATE exec_lists SET start_ns = new.start_ns"
    "    WHERE execution_id = new.execution_id;"
    "END;",
    /* 16: list_vocab gets its rows from sq_list_put, not from a trigger:
     * an INSERT with a trigger is a multi-row statement to SQLite, which
     * then journals every page it changes in the statement journal (the
     * duplicate check was an INSERT ... SELECT, multi-row as well). As a
     * lookup, a one-row INSERT and an INSERT OR IGNORE, none is
     * (docs/PERFORMANCE.md, "List items without a trigger"). The trigger
     * that drops an item's last use stays. */
    "DROP TRIGGER IF EXISTS exec_lists_vocab_add;",
    /* 17: the recurring-failure count of every analysis (src/analysis,
     * "recurring") reads the execution and agent of up to 1,000 issues of
     * one signature: from the index alone now, not one table row each
     * (docs/PERFORMANCE.md, "OTLP ingest") */
    "DROP INDEX exec_issues_signature;"
    "CREATE INDEX exec_issues_signature ON exec_issues(signature, ts_ns,"
    "  execution_id, agent_name);",
    /* 18: meta as a WITHOUT ROWID table: its rows are keyed by their text
     * key alone, which the rowid table stored twice (the row and its
     * unique index) and sought twice. The OTLP span index lives here,
     * one row per span stored (docs/PERFORMANCE.md, "OTLP ingest") */
    "CREATE TABLE et_meta_new(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    "  WITHOUT ROWID;"
    "INSERT INTO et_meta_new(key, value) SELECT key, value FROM meta;"
    "DROP TABLE meta;"
    "ALTER TABLE et_meta_new RENAME TO meta;",
    /* 19: exec_lists keyed by (execution_id, kind, item) WITHOUT ROWID: an
     * item is listed once per execution by its key, so a put is one
     * INSERT OR IGNORE (no lookup first), and the rows of one execution
     * are a range of the table itself (exec_lists_exec is gone): two
     * b-trees written per item instead of three (docs/PERFORMANCE.md,
     * "OTLP ingest"). The triggers that name the table are restated
     * around the rename. */
    "DROP TRIGGER executions_start_lists;"
    "CREATE TABLE et_lists_new("
    "  execution_id TEXT NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  item TEXT NOT NULL,"
    "  start_ns INTEGER,"
    "  PRIMARY KEY (execution_id, kind, item)) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO et_lists_new(execution_id, kind, item, start_ns)"
    "  SELECT execution_id, kind, item, start_ns FROM exec_lists;"
    "DROP TABLE exec_lists;"
    "ALTER TABLE et_lists_new RENAME TO exec_lists;"
    "CREATE INDEX exec_lists_item ON exec_lists(kind, item, start_ns,"
    "  execution_id);"
    "CREATE TRIGGER exec_lists_vocab_drop AFTER DELETE ON exec_lists BEGIN"
    "  DELETE FROM list_vocab WHERE kind = old.kind AND item = old.item"
    "    AND NOT EXISTS (SELECT 1 FROM exec_lists"
    "                    WHERE kind = old.kind AND item = old.item);"
    "END;"
    "CREATE TRIGGER executions_start_lists AFTER UPDATE OF start_ns"
    "  ON executions WHEN old.start_ns IS NOT new.start_ns BEGIN"
    "  UPDATE exec_lists SET start_ns = new.start_ns"
    "    WHERE execution_id = new.execution_id;"
    "END;",
};

#endif /* ET_STORE_SQLITE_SCHEMA_H */
