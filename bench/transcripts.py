#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Make a large Claude Code transcript tree for the import benchmark: K
copies of the fixture tree, each with its own session, message, tool-use and
agent ids (so every copy imports as new executions).
usage: transcripts.py FIXTURE_DIR OUT_DIR K"""
import json
import os
import sys

ID_KEYS = {"sessionId", "session_id", "uuid", "parentUuid", "id",
           "tool_use_id", "toolUseId", "agentId", "agent_id", "requestId"}


def rename(v, k):
    return v if not isinstance(v, str) or not v else "%s-c%d" % (v, k)


def rewrite(o, k):
    if isinstance(o, dict):
        return {key: (rename(val, k) if key in ID_KEYS else rewrite(val, k))
                for key, val in o.items()}
    if isinstance(o, list):
        return [rewrite(x, k) for x in o]
    return o


def copy_name(name, k):
    # <session>.jsonl, <session>/, agent-<id>.jsonl, agent-<id>.meta.json
    for suf in (".meta.json", ".jsonl"):
        if name.endswith(suf):
            return "%s-c%d%s" % (name[:-len(suf)], k, suf)
    return "%s-c%d" % (name, k)


def main():
    src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for k in range(n):
        for root, dirs, files in os.walk(src):
            rel = os.path.relpath(root, src)
            parts = [] if rel == "." else rel.split(os.sep)
            parts = [p if p == "subagents" else copy_name(p, k) for p in parts]
            dst = os.path.join(out, "copy%d" % k, *parts)
            os.makedirs(dst, exist_ok=True)
            for f in files:
                if not (f.endswith(".jsonl") or f.endswith(".json")):
                    continue
                with open(os.path.join(root, f)) as fh:
                    if f.endswith(".jsonl"):
                        lines = [json.dumps(rewrite(json.loads(l), k))
                                 for l in fh if l.strip()]
                        text = "\n".join(lines) + "\n"
                    else:
                        text = json.dumps(rewrite(json.load(fh), k))
                with open(os.path.join(dst, copy_name(f, k)), "w") as fh:
                    fh.write(text)


main()
