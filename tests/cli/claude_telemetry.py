# SPDX-License-Identifier: MIT
"""One Claude Code session as its hooks and its own telemetry report it.

usage: claude_telemetry.py OUT_DIR   writes OUT_DIR/hooks.jsonl (one
                                     `exectrail hook` stdin per line),
                                     OUT_DIR/agent-hooks.jsonl (the Agent
                                     calls only), OUT_DIR/logs.json (the
                                     OTLP/JSON ExportLogsServiceRequest
                                     Claude Code's exporter POSTs) and
                                     OUT_DIR/logs-again.json (the same
                                     records, received again by another
                                     route: other observed times and
                                     resource attributes)

Field names: hooks per the hooks reference, log records per the
monitoring docs (event.name, session.id, prompt.id, event.sequence,
event.timestamp, tool_use_id, ...; docs/INTEGRATIONS.md).
"""
import json
import os
import sys

S = "5a1e7c3d-0b2f-4c6e-8a9d-7f1e2d3c4b5a"
BASE = {"session_id": S, "cwd": "/home/dev/app", "permission_mode": "default",
        "transcript_path": "/home/dev/.claude/projects/app/%s.jsonl" % S}
T0 = 1796400000000000000


def hook(name, **kw):
    d = dict(BASE, hook_event_name=name)
    d.update(kw)
    return d


def hooks():
    sub = {"agent_id": "a7f3e2c1", "agent_type": "general-purpose"}
    agent_in = {"subagent_type": "general-purpose",
                "description": "Fix the failing test",
                "prompt": "Run the tests and fix what fails."}
    return [
        hook("UserPromptSubmit", prompt="please fix the build"),
        hook("PreToolUse", tool_name="Agent", tool_use_id="toolu_A1",
             tool_input=agent_in),
        hook("SubagentStart", **sub),
        hook("PreToolUse", tool_name="Bash", tool_use_id="toolu_B1",
             tool_input={"command": "make test"}, **sub),
        hook("PostToolUse", tool_name="Bash", tool_use_id="toolu_B1",
             tool_input={"command": "make test"},
             tool_response={"stdout": "1 failed", "exit_code": 1}, **sub),
        hook("PreToolUse", tool_name="Edit", tool_use_id="toolu_B2",
             tool_input={"file_path": "src/a.c", "old_string": "x",
                         "new_string": "y"}, **sub),
        hook("PostToolUseFailure", tool_name="Edit", tool_use_id="toolu_B2",
             tool_input={"file_path": "src/a.c", "old_string": "x",
                         "new_string": "y"},
             error="old_string not found", **sub),
        hook("SubagentStop", stop_hook_active=False,
             agent_transcript_path="/tmp/agent-a7f3e2c1.jsonl", **sub),
        hook("PostToolUse", tool_name="Agent", tool_use_id="toolu_A1",
             tool_input=agent_in,
             tool_response={"status": "completed", "agentId": "a7f3e2c1",
                            "content": [{"type": "text",
                                         "text": "Fixed it."}]}),
    ]


def s(v):
    return {"stringValue": v}


def rec(seq, name, prompt_id, **attrs):
    ts = T0 + seq * 1000000
    at = [("session.id", S), ("prompt.id", prompt_id), ("event.name", name),
          ("event.sequence", str(seq)),
          ("event.timestamp", "2026-12-03T10:00:00.%03dZ" % seq),
          ("app.version", "2.3.1"), ("terminal.type", "vscode")]
    at += list(attrs.items())
    return {"timeUnixNano": str(ts), "observedTimeUnixNano": str(ts),
            "severityNumber": 9, "body": s("claude_code." + name),
            "attributes": [{"key": k, "value": s(v) if isinstance(v, str)
                            else {"intValue": str(v)}} for k, v in at]}


def records():
    p, sub = "prompt-1", {"agent_id": "a7f3e2c1"}
    return [
        rec(1, "user_prompt", p, prompt="<REDACTED>", prompt_length="20"),
        rec(2, "api_request", p, model="claude-opus-4-5", cost_usd="0.0125",
            duration_ms="2100", input_tokens="1200", output_tokens="300",
            cache_read_tokens="5000", cache_creation_tokens="0",
            request_id="req_main"),
        rec(3, "tool_decision", p, tool_name="Agent", tool_use_id="toolu_A1",
            decision="accept", source="config"),
        rec(4, "api_request", p, model="claude-sonnet-4-5", cost_usd="0.004",
            duration_ms="900", input_tokens="800", output_tokens="120",
            cache_read_tokens="100", cache_creation_tokens="50",
            request_id="req_s1", **sub),
        rec(5, "tool_decision", p, tool_name="Bash", tool_use_id="toolu_B1",
            decision="accept", source="user_temporary", **sub),
        rec(6, "tool_result", p, tool_name="Bash", tool_use_id="toolu_B1",
            success="true", duration_ms=812, decision_type="accept",
            decision_source="user_temporary", tool_result_size_bytes="40",
            **sub),
        rec(7, "api_error", p, model="claude-sonnet-4-5",
            error="Overloaded", status_code="529", attempt="1",
            duration_ms="300", **sub),
        rec(8, "api_request", p, model="claude-haiku-4-5", cost_usd="0.001",
            duration_ms="400", input_tokens="300", output_tokens="40",
            cache_read_tokens="0", cache_creation_tokens="0",
            request_id="req_s2", **sub),
        rec(9, "tool_result", p, tool_name="Edit", tool_use_id="toolu_B2",
            success="false", duration_ms=15, error="old_string not found",
            decision_type="accept", decision_source="config", **sub),
        rec(10, "tool_result", p, tool_name="Agent", tool_use_id="toolu_A1",
            success="true", duration_ms=5000, decision_type="accept",
            decision_source="config"),
    ]


def request(recs, resource):
    return {"resourceLogs": [{"resource": {"attributes": resource},
                              "scopeLogs": [{"scope": {
                                  "name": "com.anthropic.claude_code.events",
                                  "version": "2.3.1"},
                                  "logRecords": recs}]}]}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "hooks.jsonl"), "w") as f:
        for h in hooks():
            f.write(json.dumps(h) + "\n")
    with open(os.path.join(out, "agent-hooks.jsonl"), "w") as f:
        for h in hooks():
            if h.get("tool_name") == "Agent":
                f.write(json.dumps(h) + "\n")
    svc = [{"key": "service.name", "value": s("claude-code")}]
    with open(os.path.join(out, "logs.json"), "w") as f:
        json.dump(request(records(), svc), f)
    again = records()
    for r in again:
        r["observedTimeUnixNano"] = str(int(r["observedTimeUnixNano"]) + 7)
    with open(os.path.join(out, "logs-again.json"), "w") as f:
        json.dump(request(again, svc + [{"key": "host.name",
                                         "value": s("collector-2")}]), f)


if __name__ == "__main__":
    main()
