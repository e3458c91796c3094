# SPDX-License-Identifier: MIT
"""Realistic Claude Code hook streams, with what each execution must show.

usage: hook_streams.py gen OUT_DIR        write OUT_DIR/stream.jsonl (one
                                           `exectrail hook` stdin per line)
                                           and OUT_DIR/expected.json
       hook_streams.py check EXPECTED EXE compare what `EXE list` and
                                           `EXE show --json` give with it

The stream is one session as the hooks would deliver it (field names per
the Claude Code hooks reference, docs/research wire formats section 6):
UserPromptSubmit, then subagents covering every tool family (Write, Edit,
MultiEdit, NotebookEdit, Bash with curl/gh/aws/kubectl, WebFetch,
WebSearch, mcp__server__tool, Read/Grep/Glob, TodoWrite), failed tool
calls, a background (run_in_background) agent that ends with SubagentStop
after its launch acknowledgement, a subagent that delegates to another
(nested), a delegation that fails, and two parallel agents of one type
started in the opposite order to their delegations. The expected lists are written out
by hand beside each tool call, not computed the way exectrail does.
"""
import json
import os
import subprocess
import sys

SESSION = "8d3f6a2c-1b4e-4f7a-9c0d-2e5b7a9c1d3f"
BASE = {"session_id": SESSION, "cwd": "/home/dev/shop",
        "transcript_path": "/home/dev/.claude/projects/-home-dev-shop/%s.jsonl"
        % SESSION, "permission_mode": "default"}


class Stream:
    def __init__(self):
        self.events = []
        self.expected = {}   # Agent tool_use_id -> what the record must say
        self.n = 0

    def ev(self, name, **kw):
        d = dict(BASE, hook_event_name=name)
        d.update(kw)
        self.events.append(d)

    def tuid(self):
        self.n += 1
        return "toolu_%02d%s" % (self.n, "x" * 8)

    def delegate(self, agent_type, description, prompt, parent=None,
                 background=False, model=None):
        """PreToolUse of Agent (from the main agent or from parent's
        subagent); returns the Agent call's tool_use_id."""
        tid = self.tuid()
        ti = {"description": description, "prompt": prompt,
              "subagent_type": agent_type}
        if background:
            ti["run_in_background"] = True
        if model:
            ti["model"] = model
        kw = {}
        if parent:
            kw = {"agent_id": parent["agent"], "agent_type": parent["type"]}
        self.ev("PreToolUse", tool_name="Agent", tool_input=ti,
                tool_use_id=tid, **kw)
        self.expected[tid] = {
            "agent": agent_type, "prompt": prompt, "description": description,
            "model": model, "background": background,
            "parent": parent["tid"] if parent else None,
            "tools": [], "failed": 0, "files": [], "commands": [],
            "apis": [], "state": None, "response": None}
        return tid

    def start(self, tid, agent_id):
        t = self.expected[tid]["agent"]
        self.ev("SubagentStart", agent_id=agent_id, agent_type=t)
        return {"tid": tid, "agent": agent_id, "type": t}

    def tool(self, a, name, inp, fail=None, files=(), commands=(), apis=(),
             response=None):
        """One tool call inside subagent a, with the list items it must
        add (written out by hand)."""
        tid = self.tuid()
        kw = dict(agent_id=a["agent"], agent_type=a["type"], tool_name=name,
                  tool_input=inp, tool_use_id=tid)
        self.ev("PreToolUse", **kw)
        if fail:
            self.ev("PostToolUseFailure", error=fail, is_interrupt=False,
                    duration_ms=12, **kw)
        else:
            self.ev("PostToolUse", tool_response=response or {"ok": True},
                    duration_ms=7, **kw)
        x = self.expected[a["tid"]]
        x["tools"].append(name)
        x["failed"] += 1 if fail else 0
        for k, items in (("files", files), ("commands", commands),
                         ("apis", apis)):
            for i in items:
                if i not in x[k]:
                    x[k].append(i)

    def stop(self, a, last):
        self.ev("SubagentStop", agent_id=a["agent"], agent_type=a["type"],
                stop_hook_active=False, last_assistant_message=last,
                agent_transcript_path="/home/dev/.claude/projects/"
                "-home-dev-shop/%s/subagents/agent-%s.jsonl"
                % (SESSION, a["agent"]))

    def finish(self, a, text, parent=None):
        """The Agent call's PostToolUse (foreground agents)."""
        x = self.expected[a["tid"]]
        kw = {}
        if parent:
            kw = {"agent_id": parent["agent"], "agent_type": parent["type"]}
        ti = {"description": x["description"], "prompt": x["prompt"],
              "subagent_type": x["agent"]}
        self.ev("PostToolUse", tool_name="Agent", tool_input=ti,
                tool_use_id=a["tid"], duration_ms=4200,
                tool_response={"status": "completed", "agentId": a["agent"],
                               "content": [{"type": "text", "text": text}],
                               "totalDurationMs": 4200, "totalTokens": 900,
                               "totalToolUseCount": len(x["tools"])}, **kw)
        x["state"] = "completed"
        x["response"] = text


def generate():
    s = Stream()
    s.ev("SessionStart", source="startup", model="claude-opus-4-6")
    s.ev("UserPromptSubmit", prompt="Fix checkout, check the deploy, and "
         "document the API")

    # 1. a foreground general-purpose agent using every file-writing tool,
    # Bash with network programs, web and MCP tools, and read-only tools
    t1 = s.delegate("general-purpose", "Fix checkout",
                    "Fix the checkout total rounding in src/cart.c; run the "
                    "tests; open a PR.", model="sonnet")
    a1 = s.start(t1, "a1f0c9e")
    s.tool(a1, "Read", {"file_path": "/home/dev/shop/src/cart.c"},
           response={"type": "text", "file": {"filePath": "src/cart.c"}})
    s.tool(a1, "Grep", {"pattern": "round\\(", "path": "src"})
    s.tool(a1, "Glob", {"pattern": "tests/**/*.py"})
    s.tool(a1, "TodoWrite", {"todos": [{"content": "fix rounding",
                                        "status": "in_progress",
                                        "activeForm": "Fixing rounding"}]})
    s.tool(a1, "Edit", {"file_path": "/home/dev/shop/src/cart.c",
                        "old_string": "round(x)", "new_string": "lround(x)"},
           files=["/home/dev/shop/src/cart.c"])
    s.tool(a1, "Edit", {"file_path": "/home/dev/shop/src/tax.c",
                        "old_string": "nope", "new_string": "x"},
           fail="String to replace not found in file.",
           files=["/home/dev/shop/src/tax.c"])
    s.tool(a1, "MultiEdit", {"file_path": "/home/dev/shop/src/cart.h",
                             "edits": [{"old_string": "a",
                                        "new_string": "b"}]},
           files=["/home/dev/shop/src/cart.h"])
    s.tool(a1, "Write", {"file_path": "/home/dev/shop/tests/test_round.py",
                         "content": "def test_round():\n    pass\n"},
           files=["/home/dev/shop/tests/test_round.py"])
    s.tool(a1, "NotebookEdit",
           {"notebook_path": "/home/dev/shop/notebooks/totals.ipynb",
            "new_source": "print(1)", "cell_id": "c1"},
           files=["/home/dev/shop/notebooks/totals.ipynb"])
    s.tool(a1, "Bash", {"command": "make test",
                        "description": "Run the tests"},
           commands=["make test"],
           response={"stdout": "ok", "stderr": "", "interrupted": False})
    s.tool(a1, "Bash", {"command": "make test"}, fail="Exit code 2",
           commands=[])  # the same command again: listed once
    s.tool(a1, "Bash", {"command": "git push -u origin fix-round && "
                        "gh pr create --fill --base main"},
           commands=["git push -u origin fix-round && gh pr create --fill "
                     "--base main"], apis=["gh pr create"])
    s.tool(a1, "Bash", {"command": "curl -fsS -H 'Accept: application/json' "
                        "https://api.stripe.com/v1/charges | jq '.data[0]'"},
           commands=["curl -fsS -H 'Accept: application/json' "
                     "https://api.stripe.com/v1/charges | jq '.data[0]'"],
           apis=["curl https://api.stripe.com/v1/charges"])
    s.tool(a1, "Bash", {"command": "AWS_PROFILE=ci aws s3 cp build.tgz "
                        "s3://shop-artifacts/"},
           commands=["AWS_PROFILE=ci aws s3 cp build.tgz s3://shop-artifacts/"],
           apis=["aws s3 cp"])
    s.tool(a1, "Bash", {"command": "echo \"later: curl https://x.invalid\""},
           commands=["echo \"later: curl https://x.invalid\""])
    s.tool(a1, "WebFetch", {"url": "https://docs.python.org/3/library/"
                            "decimal.html", "prompt": "rounding modes"},
           apis=["WebFetch https://docs.python.org/3/library/decimal.html"])
    s.tool(a1, "WebSearch", {"query": "banker's rounding currency"},
           apis=["WebSearch banker's rounding currency"])
    s.tool(a1, "mcp__github__create_pull_request",
           {"owner": "dev", "repo": "shop", "title": "Fix rounding"},
           apis=["github.create_pull_request"])
    s.tool(a1, "mcp__linear__update_issue", {"id": "SHOP-12"},
           fail="MCP error -32603: unauthorized",
           apis=["linear.update_issue"])
    s.stop(a1, "Fixed the rounding; PR opened.")
    s.finish(a1, "Fixed the rounding in src/cart.c; tests pass; PR opened.")

    # 2. a background agent: the Agent call returns at once
    # (async_launched); SubagentStop is its end
    t2 = s.delegate("deploy-checker", "Check deploy",
                    "Watch the staging deploy and report errors.",
                    background=True)
    s.ev("PostToolUse", tool_name="Agent",
         tool_input={"description": "Check deploy",
                     "prompt": "Watch the staging deploy and report errors.",
                     "subagent_type": "deploy-checker",
                     "run_in_background": True},
         tool_use_id=t2, duration_ms=40,
         tool_response={"status": "async_launched", "agentId": "b2e7d41",
                        "outputFile": "/tmp/claude/b2e7d41.output"})
    a2 = s.start(t2, "b2e7d41")
    s.tool(a2, "Bash", {"command": "kubectl -n staging rollout status "
                        "deploy/shop --timeout=60s",
                        "run_in_background": False},
           commands=["kubectl -n staging rollout status deploy/shop "
                     "--timeout=60s"], apis=["kubectl rollout status"])
    s.tool(a2, "Bash", {"command": "gcloud logging read 'severity>=ERROR' "
                        "--limit 20"},
           fail="ERROR: (gcloud.logging.read) PERMISSION_DENIED",
           commands=["gcloud logging read 'severity>=ERROR' --limit 20"],
           apis=["gcloud logging read"])
    s.tool(a2, "WebFetch", {"url": "https://status.example.com/api",
                            "prompt": "incidents?"},
           apis=["WebFetch https://status.example.com/api"])
    s.stop(a2, "Deploy healthy; no errors in the last hour.")
    s.expected[t2]["state"] = "completed"
    s.expected[t2]["response"] = "Deploy healthy; no errors in the last hour."

    # 3. nested: a Plan agent delegates to an Explore agent, then writes
    t3 = s.delegate("Plan", "Plan API docs",
                    "Plan the API documentation; explore the handlers first.")
    a3 = s.start(t3, "c3a9b17")
    s.tool(a3, "Read", {"file_path": "/home/dev/shop/README.md"})
    t4 = s.delegate("Explore", "Find handlers",
                    "List every HTTP handler in src/api.", parent=a3,
                    model="haiku")
    a4 = s.start(t4, "d4c2e88")
    s.tool(a4, "Glob", {"pattern": "src/api/**/*.c"})
    s.tool(a4, "Grep", {"pattern": "HANDLER\\(", "output_mode": "content"})
    s.tool(a4, "Bash", {"command": "wc -l src/api/*.c"},
           commands=["wc -l src/api/*.c"])
    s.stop(a4, "12 handlers in 4 files.")
    s.finish(a4, "12 handlers in 4 files: orders.c, cart.c, users.c, "
             "health.c.", parent=a3)
    s.tool(a3, "Write", {"file_path": "/home/dev/shop/docs/API.md",
                         "content": "# API\n"},
           files=["/home/dev/shop/docs/API.md"])
    s.stop(a3, "Plan written to docs/API.md.")
    s.finish(a3, "Plan written to docs/API.md (12 handlers).")

    # 4. a delegation that fails: the Agent call itself errors
    t5 = s.delegate("security-reviewer", "Review auth",
                    "Review src/auth for injection bugs.")
    a5 = s.start(t5, "e5f1a20")
    s.tool(a5, "Read", {"file_path": "/home/dev/shop/src/auth/login.c"})
    s.tool(a5, "Bash", {"command": "semgrep --config auto src/auth"},
           fail="Exit code 127: semgrep: command not found",
           commands=["semgrep --config auto src/auth"])
    s.ev("PostToolUseFailure", tool_name="Agent",
         tool_input={"description": "Review auth",
                     "prompt": "Review src/auth for injection bugs.",
                     "subagent_type": "security-reviewer"},
         tool_use_id=t5, error="Agent stopped: API error 529 overloaded",
         is_interrupt=False, duration_ms=900)
    s.expected[t5]["state"] = "completed"
    s.expected[t5]["response"] = ""
    s.expected[t5]["error"] = "Agent stopped: API error 529 overloaded"

    # 5. two parallel agents of the same type, started in the opposite
    # order to their delegations: SubagentStart carries no tool_use_id, so
    # only the Agent results' agentId says which run is which
    t6 = s.delegate("Explore", "Find the cart code", "Where is the cart?")
    t7 = s.delegate("Explore", "Find the tax code", "Where is tax computed?")
    a7 = s.start(t7, "f7b0c31")   # the second delegation's agent first
    a6 = s.start(t6, "a6d9e42")
    s.tool(a7, "Grep", {"pattern": "tax"})
    s.tool(a6, "Glob", {"pattern": "src/cart*"})
    s.tool(a7, "Write", {"file_path": "/home/dev/shop/notes/tax.md",
                         "content": "x"},
           files=["/home/dev/shop/notes/tax.md"])
    s.tool(a6, "Bash", {"command": "gh search code cart --repo dev/shop"},
           commands=["gh search code cart --repo dev/shop"],
           apis=["gh search code"])
    s.tool(a7, "Bash", {"command": "ls src/tax"}, fail="No such file",
           commands=["ls src/tax"])
    s.stop(a7, "tax is in src/pricing.c")
    s.finish(a7, "Tax is computed in src/pricing.c.")
    s.stop(a6, "cart is in src/cart.c")
    s.finish(a6, "The cart is src/cart.c.")

    s.ev("Stop", stop_hook_active=False,
         last_assistant_message="All four tasks handled.")
    s.ev("SessionEnd", reason="prompt_input_exit")
    return s


CHECKS = 0
BAD = []


def eq(where, field, want, got):
    global CHECKS
    CHECKS += 1
    if want != got:
        BAD.append("%s %s: expected %s, got %s" %
                   (where, field, json.dumps(want), json.dumps(got)))


def check(expected_path, exe):
    exp = json.load(open(expected_path))
    by_tid = {}
    listed = json.loads(subprocess.run(
        [exe, "list", "--limit", "0", "--format", "json"], check=True,
        capture_output=True, text=True).stdout)
    for row in listed:
        d = json.loads(subprocess.run(
            [exe, "show", "--json", row["execution_id"]], check=True,
            capture_output=True, text=True).stdout)
        d["_state"] = row.get("state")
        by_tid[d.get("tool_use_id")] = d
    eq("session", "executions (Agent tool_use ids)", sorted(exp),
       sorted(by_tid))
    for tid, x in exp.items():
        r = by_tid.get(tid)
        if r is None:
            continue
        w = "%s (%s)" % (tid, x["agent"])
        acts = (r.get("execution") or {}).get("actions_taken") or []
        out = r.get("output") or {}
        eq(w, "agent_metadata.name", x["agent"],
           (r.get("agent_metadata") or {}).get("name"))
        eq(w, "delegation.prompt_sent", x["prompt"],
           (r.get("delegation") or {}).get("prompt_sent"))
        eq(w, "delegation.instructions", x["description"],
           (r.get("delegation") or {}).get("instructions"))
        if x["model"]:
            eq(w, "agent_metadata.configuration.model", x["model"],
               ((r.get("agent_metadata") or {}).get("configuration") or {})
               .get("model"))
        eq(w, "session_id", SESSION, r.get("session_id"))
        eq(w, "run_in_background", True if x["background"] else None,
           r.get("run_in_background"))
        eq(w, "actions (tools, in order)", x["tools"],
           [a.get("tool") for a in acts])
        eq(w, "failed actions", x["failed"],
           sum(1 for a in acts if a.get("success") is False))
        eq(w, "output.files_modified", x["files"],
           out.get("files_modified") or [])
        eq(w, "output.commands_executed", x["commands"],
           out.get("commands_executed") or [])
        eq(w, "output.api_calls_made", x["apis"],
           out.get("api_calls_made") or [])
        eq(w, "output.raw_response", x["response"], out.get("raw_response"))
        parent = by_tid.get(x["parent"]) if x["parent"] else None
        eq(w, "parent_execution_id",
           parent.get("execution_id") if parent else None,
           r.get("parent_execution_id"))
        eq(w, "state", x["state"], r.get("_state"))
        eq(w, "output.error", x.get("error"), out.get("error"))
    for b in BAD:
        print("MISMATCH " + b)
    print("hook streams: %d execution(s), %d field(s) checked, %d mismatched"
          % (len(exp), CHECKS, len(BAD)))
    return 1 if BAD else 0


def main():
    if sys.argv[1] == "gen":
        s = generate()
        with open(os.path.join(sys.argv[2], "stream.jsonl"), "w") as f:
            for e in s.events:
                f.write(json.dumps(e) + "\n")
        with open(os.path.join(sys.argv[2], "expected.json"), "w") as f:
            json.dump(s.expected, f, indent=1)
        return 0
    return check(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    sys.exit(main())
