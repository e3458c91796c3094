#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# exectrail hooks install/uninstall/status on Claude Code settings.json:
# other settings and hooks are kept (JSON-equal), install twice changes
# nothing, a backup is written, uninstall restores the original content.
. "$(dirname "$0")/lib.sh"

S="$T_DIR/proj/.claude/settings.json"
mkdir -p "$(dirname "$S")"
cat >"$S" <<'JSON'
{
  "model": "opus",
  "permissions": {"allow": ["Bash(git *)"], "deny": []},
  "env": {"FOO": "bar/baz"},
  "hooks": {
    "PreToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "if": "Bash(rm *)",
        "command": "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/block-rm.sh", "timeout": 30}]}
    ],
    "PostToolUse": [
      {"matcher": "mcp__memory__.*", "hooks": [{"type": "command", "command": "/path/log.sh", "async": true}]}
    ],
    "SubagentStop": [
      {"hooks": [{"type": "http", "url": "http://localhost:8080/hooks/subagent-stop", "timeout": 30,
                  "headers": {"Authorization": "Bearer $MY_TOKEN"}, "allowedEnvVars": ["MY_TOKEN"]}]}
    ]
  },
  "ratio": 1.5,
  "big": 12345678901234,
  "disableAllHooks": false
}
JSON
cp "$S" "$T_DIR/original.json"

check "install" et hooks install --settings "$S"
python3 - "$T_DIR/original.json" "$S" >"$T_DIR/cmp" 2>&1 <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
bad = []
for k in a:
    if k != "hooks" and a[k] != b.get(k):
        bad.append("setting %s changed" % k)
for ev, groups in a["hooks"].items():
    if b["hooks"][ev][:len(groups)] != groups:
        bad.append("existing %s hooks changed" % ev)
ours = {}
for ev, groups in b["hooks"].items():
    for g in groups:
        for h in g.get("hooks", []):
            if "exectrail" in h.get("command", "") and h["command"].endswith(" hook"):
                ours.setdefault(ev, []).append(g.get("matcher"))
TOOL = ["PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied"]
OTHER = ["SubagentStart", "SubagentStop", "Setup", "SessionStart", "SessionEnd", "UserPromptSubmit",
         "UserPromptExpansion", "Stop", "StopFailure", "Interrupt", "PreCompact", "PostCompact",
         "TeammateIdle", "TaskCreated", "TaskCompleted", "PreModelSwitch", "PostModelSwitch",
         "Notification", "Elicitation", "ElicitationResult", "ConfigChange", "WorktreeCreate",
         "WorktreeRemove", "InstructionsLoaded", "CwdChanged", "FileChanged", "DirectoryAdded",
         "MessageDisplay", "PreSkillShellCommand"]
want = dict([(e, ["*"]) for e in TOOL] + [(e, [None]) for e in OTHER])
if ours != want:
    bad.append("our hooks: %r" % ours)
print("\n".join(bad) or "OK")
PY
eq "$(cat "$T_DIR/cmp")" "OK" "install keeps every other setting and hook and adds ours once per event"
json_same "$S.bak" "$T_DIR/original.json" "the backup is the original"
cmp -s "$S.bak" "$T_DIR/original.json" && ok "the backup is byte-identical" || fails "the backup is byte-identical"
cp "$S" "$T_DIR/installed.json"
check "install again" et hooks install --settings "$S"
cmp -s "$S" "$T_DIR/installed.json" && ok "a second install changes nothing" || fails "a second install changes nothing" "$(diff "$S" "$T_DIR/installed.json" | head -5)"
contains "$T_DIR/err" "already has the hooks" "and says so"

check "status" et hooks status --settings "$S"
contains "$T_DIR/out" "SubagentStop" "status lists the events"
not_contains "$T_DIR/out" "not installed" "status: all installed"

check "install --fail-closed" et hooks install --fail-closed --settings "$S"
eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for g in d["hooks"]["PreToolUse"] for h in g["hooks"] if h.get("command","").endswith("hook --fail-closed")))' "$S")" 1 \
   "--fail-closed replaces our handler (one, with the flag)"

check "uninstall" et hooks uninstall --settings "$S"
json_same "$S" "$T_DIR/original.json" "uninstall restores the original settings (JSON-equal)"
check "uninstall again" et hooks uninstall --settings "$S"
json_same "$S" "$T_DIR/original.json" "a second uninstall changes nothing"

# a settings file that does not exist yet; --project uses .claude/ here
mkdir -p "$T_DIR/fresh"
(cd "$T_DIR/fresh" && "$EXECTRAIL" hooks install --project) >"$T_DIR/out" 2>"$T_DIR/err"
eq "$?" 0 "install --project creates .claude/settings.json"
eq "$(python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["hooks"]; print(len(h), "PostToolBatch" in h, "SessionStart" in h)' "$T_DIR/fresh/.claude/settings.json")" \
   "34 False True" "with our 34 events (every event but PostToolBatch)"

# a broken settings file is left alone
printf '{"hooks": [' >"$T_DIR/bad.json"
cp "$T_DIR/bad.json" "$T_DIR/bad.orig"
expect_exit 3 "a malformed settings.json is refused" et hooks install --settings "$T_DIR/bad.json"
cmp -s "$T_DIR/bad.json" "$T_DIR/bad.orig" && ok "and left unchanged" || fails "and left unchanged"

# status reports the quarantine
printf 'not json' | et hook
check "status after a malformed hook input" et hooks status --settings "$S"
contains "$T_DIR/out" "quarantined: 1" "status counts the quarantined input"
done_testing
