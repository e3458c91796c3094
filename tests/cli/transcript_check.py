# SPDX-License-Identifier: MIT
"""Compare what exectrail stored for a Claude Code session with what the
session's own transcript says, field by field.

usage: transcript_check.py EXECTRAIL DIR NAME

DIR holds one session as Claude Code writes it: <session>.jsonl and
<session>/subagents/agent-<id>.jsonl. The trail ($EXECTRAIL_HOME) must
hold exactly that session's import. Every expected value is computed here
from the raw JSON lines (never from exectrail's output); each subagent
delegation (an Agent or Task tool_use in the main transcript) is looked up
by its tool_use_id in `exectrail show --json`.

Prints one line per mismatch and a closing line
  NAME: N delegation(s), C field(s) checked, M mismatched (K known)
Exits 1 when a mismatch is not listed in KNOWN below, 0 otherwise.
"""
import datetime
import glob
import json
import os
import re
import shlex
import subprocess
import sys

# Mismatches that are bugs in the Claude Code adapter (src/ingest/), kept
# visible but not failing the suite until they are fixed. Key: the field
# name as printed by this checker; value: the bug. Remove an entry when
# the bug is fixed (an entry that no longer matches is reported too).
KNOWN = {}

WRITERS = {"Write": "file_path", "Edit": "file_path",
           "MultiEdit": "file_path", "NotebookEdit": "notebook_path"}
URL_PROGRAMS = {"curl", "wget", "http", "https", "xh", "httpie"}
CLI_PROGRAMS = {"gh", "aws", "gcloud", "gsutil", "bq", "az", "kubectl",
                "helm", "doctl", "heroku", "vercel", "netlify", "fly",
                "flyctl", "stripe", "firebase", "glab", "hub"}
# global options that take the next word (kubectl -n prod get pods)
VALUE_OPTS = {"-n", "--namespace", "--context", "--profile", "--region",
              "--project", "--repo", "-R"}
WRAPPERS = {"sudo", "env", "time", "nohup", "exec", "command", "nice",
            "timeout"}


def lines(path):
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                yield n, json.loads(raw)
            except ValueError:
                continue


def blocks(rec):
    m = rec.get("message")
    c = m.get("content") if isinstance(m, dict) else None
    return c if isinstance(c, list) else []


def text_of(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n\n".join(b["text"] for b in content
                           if isinstance(b, dict) and
                           isinstance(b.get("text"), str))
    return ""


class Agent:
    """One subagent's tool calls, wherever the transcript shows them."""

    def __init__(self):
        self.uses = {}      # tool_use_id -> (name, input, use timestamp)
        self.results = {}   # tool_use_id -> (is_error, text, timestamp)
        self.models = set()

    def read(self, rec):
        m = rec.get("message")
        if isinstance(m, dict) and m.get("model") and \
                m.get("model") != "<synthetic>":
            self.models.add(m["model"])
        for b in blocks(rec):
            if b.get("type") == "tool_use" and rec.get("type") == "assistant":
                self.uses.setdefault(b["id"], (b.get("name"), b.get("input"),
                                               rec.get("timestamp")))
            elif b.get("type") == "tool_result" and rec.get("type") == "user":
                self.results.setdefault(
                    b.get("tool_use_id"),
                    (bool(b.get("is_error")), text_of(b.get("content")),
                     rec.get("timestamp")))


def bash_network_calls(cmd):
    """Network programs in a shell command, found with shlex (not the way
    exectrail does it): 'curl <first URL>', 'gh pr create'."""
    calls = []
    for seg in re.split(r"(?:\|\||&&|[;|&\n()])", cmd):
        try:
            words = shlex.split(seg, posix=True)
        except ValueError:
            continue
        i = 0
        while i < len(words) and ("=" in words[i] or
                                  words[i].startswith("-") or
                                  os.path.basename(words[i]) in WRAPPERS):
            i += 1
        if i == len(words):
            continue
        prog = os.path.basename(words[i])
        args = words[i + 1:]
        if prog in URL_PROGRAMS:
            urls = [a for a in args if "://" in a]
            calls.append(prog + (" " + urls[0] if urls else ""))
        elif prog in CLI_PROGRAMS:
            sub, skip = [], False
            for a in args:
                if skip:
                    skip = False
                elif a.startswith("-"):
                    skip = a in VALUE_OPTS
                else:
                    sub.append(a)
            sub = sub[:2]
            calls.append(" ".join([prog] + sub))
    return calls


def expected_lists(actions):
    files, cmds, apis = [], [], []

    def put(lst, v):
        if v and v not in lst:
            lst.append(v)
    for name, inp, _ in actions:
        inp = inp if isinstance(inp, dict) else {}
        if name in WRITERS:
            put(files, inp.get(WRITERS[name]))
        elif name == "Bash" and isinstance(inp.get("command"), str):
            put(cmds, inp["command"].rstrip("\n "))
            for c in bash_network_calls(inp["command"]):
                put(apis, c)
        elif name == "WebFetch":
            put(apis, "WebFetch " + inp["url"] if inp.get("url") else None)
        elif name == "WebSearch":
            put(apis, "WebSearch " + inp["query"] if inp.get("query")
                else None)
        elif name and name.startswith("mcp__"):
            parts = name[5:].split("__", 1)
            if len(parts) == 2 and parts[0] and parts[1]:
                put(apis, parts[0] + "." + parts[1])
    return files, cmds, apis


class Checker:
    def __init__(self, name):
        self.name = name
        self.checked = 0
        self.bad = []       # (where, field, expected, got)
        self.known = []
        self.fields = set()

    def eq(self, where, field, expected, got):
        self.checked += 1
        self.fields.add(field)
        if expected == got:
            return
        row = (where, field, expected, got)
        (self.known if field in KNOWN else self.bad).append(row)


def short(v, n=160):
    s = v if isinstance(v, str) else json.dumps(v)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def iso_plus_ms(ts, ms):
    """'2026-02-12T16:02:48.180Z' + ms, in the same form."""
    t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ")
    t += datetime.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def parse_input(v):
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def main():
    exe, root, name = sys.argv[1:4]
    mains = sorted(glob.glob(os.path.join(root, "*.jsonl")))
    if len(mains) != 1:
        sys.exit("%s: expected one main transcript, found %d" %
                 (root, len(mains)))
    main_path = mains[0]
    session_dir = main_path[:-len(".jsonl")]

    # ---- what the transcripts say ----
    delegations = []   # dicts, in transcript order
    by_id = {}
    agents = {}        # agentId -> Agent
    progress_link = {}  # agentId -> parent tool_use_id
    prompt, mode = None, None  # the user's latest prompt and its mode
    for n, rec in lines(main_path):
        if rec.get("type") == "user" and not rec.get("isSidechain") and \
                not rec.get("isMeta") and not rec.get("isCompactSummary"):
            m = rec.get("message") or {}
            c = m.get("content") if isinstance(m, dict) else None
            if isinstance(c, list) and c and \
                    all(isinstance(b, dict) and b.get("type") == "text"
                        for b in c):
                c = text_of(c)
            # the user's own words: not command wrappers (<command-name>,
            # <task-notification>, ...) nor Claude Code's own notes
            if isinstance(c, str) and c.strip() and \
                    not c.lstrip().startswith(("<", "[Request interrupted")):
                prompt = c
                mode = rec.get("permissionMode", mode)
        if rec.get("type") == "progress":
            d = rec.get("data") or {}
            if d.get("type") == "agent_progress" and d.get("agentId"):
                aid = d["agentId"]
                if rec.get("parentToolUseID"):
                    progress_link.setdefault(aid, rec["parentToolUseID"])
                sub = d.get("message")
                if isinstance(sub, dict):
                    agents.setdefault(aid, Agent()).read(sub)
            continue
        if rec.get("isSidechain"):
            continue
        for b in blocks(rec):
            if rec.get("type") == "assistant" and b.get("type") == "tool_use" \
                    and b.get("name") in ("Agent", "Task"):
                d = {"id": b["id"], "line": n, "input": b.get("input") or {},
                     "start": rec.get("timestamp"), "cwd": rec.get("cwd"),
                     "prompt": prompt, "mode": mode,
                     "session": rec.get("sessionId"), "result": None}
                delegations.append(d)
                by_id[b["id"]] = d
            elif rec.get("type") == "user" and \
                    b.get("type") == "tool_result" and \
                    b.get("tool_use_id") in by_id:
                by_id[b["tool_use_id"]]["result"] = (b, rec)
    for path in glob.glob(os.path.join(session_dir, "subagents",
                                       "agent-*.jsonl")):
        aid = os.path.basename(path)[len("agent-"):-len(".jsonl")]
        for _, rec in lines(path):
            agents.setdefault(rec.get("agentId") or aid, Agent()).read(rec)

    # ---- what exectrail stored ----
    ids = subprocess.run([exe, "list", "--limit", "0", "--format", "ids"],
                         check=True, capture_output=True,
                         text=True).stdout.split()
    stored = {}
    for eid in ids:
        doc = json.loads(subprocess.run([exe, "show", "--json", eid],
                                        check=True, capture_output=True,
                                        text=True).stdout)
        stored[doc.get("tool_use_id")] = doc

    c = Checker(name)
    c.eq("session", "executions (one per Agent/Task call)",
         sorted(by_id), sorted(k for k in stored if k))
    for d in delegations:
        where = "%s:%d %s" % (os.path.basename(main_path), d["line"], d["id"])
        rec = stored.get(d["id"])
        if rec is None:
            continue
        inp = d["input"]
        result, rrec = d["result"] or (None, None)
        tur = rrec.get("toolUseResult") if rrec else None
        tur = tur if isinstance(tur, dict) else {}
        aid = tur.get("agentId")
        if not aid:
            aid = next((a for a, p in progress_link.items()
                        if p == d["id"]), None)
        meta = rec.get("agent_metadata") or {}
        dele = rec.get("delegation") or {}
        out = rec.get("output") or {}
        c.eq(where, "session_id", d["session"], rec.get("session_id"))
        c.eq(where, "cwd", d["cwd"], rec.get("cwd"))
        if d["prompt"] is not None:
            c.eq(where, "main_agent_context.user_request", d["prompt"],
                 (rec.get("main_agent_context") or {}).get("user_request"))
        if d["mode"] is not None:
            c.eq(where, "security.permission_mode", d["mode"],
                 (rec.get("security") or {}).get("permission_mode"))
        c.eq(where, "agent_metadata.name",
             inp.get("subagent_type", "general-purpose"), meta.get("name"))
        c.eq(where, "delegation.prompt_sent", inp.get("prompt"),
             dele.get("prompt_sent"))
        c.eq(where, "delegation.prompt_length",
             len(inp.get("prompt") or ""), dele.get("prompt_length"))
        c.eq(where, "delegation.instructions", inp.get("description"),
             dele.get("instructions"))
        if "model" in inp:
            c.eq(where, "agent_metadata.configuration.model", inp["model"],
                 (meta.get("configuration") or {}).get("model"))
        c.eq(where, "timestamp_start", d["start"], rec.get("timestamp_start"))
        if result is not None:
            # Claude Code's own measurement when it gives one: the result
            # line is written a few milliseconds after the run ends
            end = rrec.get("timestamp")
            if isinstance(tur.get("totalDurationMs"), int) and d["start"]:
                end = iso_plus_ms(d["start"], tur["totalDurationMs"])
            c.eq(where, "timestamp_end", end, rec.get("timestamp_end"))
            if "totalDurationMs" in tur:
                c.eq(where, "duration_ms", tur["totalDurationMs"],
                     rec.get("duration_ms"))
            resp = tur.get("content")
            c.eq(where, "output.raw_response",
                 text_of(resp if resp is not None else result.get("content")),
                 out.get("raw_response"))
            if "totalTokens" in tur:
                c.eq(where, "output.usage.total_tokens", tur["totalTokens"],
                     (out.get("usage") or {}).get("total_tokens"))
            if "status" in tur:
                c.eq(where, "output.status", tur["status"], out.get("status"))
        if aid:
            c.eq(where, "output.agent_id", aid, out.get("agent_id"))
        ag = agents.get(aid) if aid else None
        if ag is None:
            continue
        # the actions, in the order their results came back
        order = sorted(ag.uses, key=lambda u: (
            (ag.results.get(u) or (0, 0, ag.uses[u][2]))[2] or "", u))
        acts = (rec.get("execution") or {}).get("actions_taken") or []
        got = {a.get("tool_use_id"): a for a in acts}
        c.eq(where, "actions (tool_use ids)", sorted(order),
             sorted(k for k in got if k))
        if "totalToolUseCount" in tur:
            c.eq(where, "actions vs toolUseResult.totalToolUseCount",
                 tur["totalToolUseCount"], len(acts))
        for u in order:
            a = got.get(u)
            if a is None:
                continue
            tname, tin, _ = ag.uses[u]
            aw = "%s action %s" % (where, u)
            c.eq(aw, "action.tool", tname, a.get("tool"))
            c.eq(aw, "action.input", tin, parse_input(a.get("input")))
            c.eq(aw, "action.agent_id", aid, a.get("agent_id"))
            r = ag.results.get(u)
            if r is None:
                continue
            is_err, text, ts = r
            c.eq(aw, "action.success", not is_err, a.get("success"))
            c.eq(aw, "action.timestamp", ts, a.get("timestamp"))
            if is_err:
                c.eq(aw, "action.error", text, a.get("error"))
        seqs = [a.get("sequence") for a in acts]
        c.eq(where, "action.sequence (1..n)", list(range(1, len(acts) + 1)),
             seqs)
        files, cmds, apis = expected_lists([ag.uses[u] for u in order])
        c.eq(where, "output.files_modified", sorted(files),
             sorted(out.get("files_modified") or []))
        c.eq(where, "output.commands_executed", sorted(cmds),
             sorted(out.get("commands_executed") or []))
        c.eq(where, "output.api_calls_made", sorted(apis),
             sorted(out.get("api_calls_made") or []))
        if ag.models:
            flat = json.dumps(rec)
            c.eq(where, "agent_metadata.model_used", sorted(ag.models),
                 sorted(m for m in ag.models if json.dumps(m) in flat))

    for where, field, exp, got in c.bad:
        print("MISMATCH %s %s: expected %s, got %s" %
              (where, field, short(exp), short(got)))
    for where, field, exp, got in c.known:
        print("KNOWN %s %s (%s): expected %s, got %s" %
              (where, field, KNOWN[field], short(exp), short(got)))
    for field in sorted(set(KNOWN) & c.fields -
                        {k[1] for k in c.known}):
        print("FIXED? %s: listed as a known bug (%s) but matched here; "
              "remove it from KNOWN when it matches everywhere" %
              (field, KNOWN[field]))
    print("%s: %d delegation(s), %d field(s) checked, %d mismatched "
          "(%d known)" % (name, len(delegations), c.checked,
                          len(c.bad) + len(c.known), len(c.known)))
    sys.exit(1 if c.bad else 0)


if __name__ == "__main__":
    main()
