#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage without JSON: start --model and complete --model/--tokens-in/
# --tokens-out/--cost fill the record's `usage` extension object, the
# phases' members merge (start's model survives complete's tokens), and
# the values show in `show`, match queries and reach the daily report.
# Bad values are usage errors and store nothing.
. "$(dirname "$0")/lib.sh"

et -q init >/dev/null 2>&1
id=$(et -q start --agent coder --model claude-sonnet-4 --request "fix the bug")
[ -n "$id" ] && ok "start --model" || fails "start --model" "$(cat "$T_DIR/err")"
et -q delegate "$id" --prompt "fix it"
check "complete --tokens-in --tokens-out --cost" et -q complete "$id" --status MATCH --tokens-in 1200 \
  --tokens-out 340 --cost 0.0125 --no-analysis
et show --json "$id" >"$T_DIR/rec.json"
eq "$(jget "$T_DIR/rec.json" 'd["usage"]')" \
  '{"cost_usd":0.0125,"input_tokens":1200,"model":"claude-sonnet-4","output_tokens":340}' \
  "usage holds the model from start and the figures from complete"
et show "$id" >"$T_DIR/show"
contains "$T_DIR/show" "usage          model claude-sonnet-4, tokens 1200 in / 340 out, cost \$0.0125" "show prints the usage line"
eq "$(et query 'usage.model = "claude-sonnet-4"' --format ids)" "$id" "query usage.model"
eq "$(et query 'usage.cost_usd > 0.01 AND usage.input_tokens >= 1200' --format ids)" "$id" "query usage.cost_usd and tokens"
eq "$(et query 'usage.cost_usd > 1' --format ids | wc -l)" 0 "a query that should not match does not"
et report daily --format json >"$T_DIR/daily.json"
eq "$(jget "$T_DIR/daily.json" '[d["usage"]["input_tokens"], d["usage"]["output_tokens"], d["usage"]["cost_usd"]]')" \
  "[1200,340,0.0125]" "the daily report sums the tokens and cost"

# a later complete-time --model replaces start's, keeping nothing stale
id2=$(et -q start --agent coder --model small)
et -q complete "$id2" --model large --cost 0 --no-analysis
et show --json "$id2" >"$T_DIR/rec2.json"
eq "$(jget "$T_DIR/rec2.json" 'd["usage"]')" '{"cost_usd":0,"model":"large"}' "complete --model wins over start's"
# --json and flags: flags win, the JSON fills in the rest
echo '{"usage": {"cache_read_input_tokens": 77, "input_tokens": 1}}' >"$T_DIR/u.json"
id3=$(et -q start --agent coder --tokens-in 5 --json "$T_DIR/u.json")
et show --json "$id3" >"$T_DIR/rec3.json"
eq "$(jget "$T_DIR/rec3.json" 'd["usage"]')" '{"cache_read_input_tokens":77,"input_tokens":5}' "--json merges under the flags"
# no usage given: no usage key, no usage line
id4=$(et -q start --agent coder)
et show --json "$id4" >"$T_DIR/rec4.json"
eq "$(jget "$T_DIR/rec4.json" '"usage" in d')" false "no usage options: no usage object"
et show "$id4" >"$T_DIR/show4"
not_contains "$T_DIR/show4" "usage " "and no usage line"

# bad values: usage errors, nothing stored
n=$(et list --limit 0 --format ids | wc -l)
expect_exit 2 "--tokens-in -3" et start --agent coder --tokens-in -3
expect_exit 2 "--tokens-out abc" et start --agent coder --tokens-out abc
expect_exit 2 "--cost abc" et complete "$id4" --cost abc
contains "$T_DIR/err" "--cost takes an amount in USD" "the error names the option"
expect_exit 2 "--cost -1" et complete "$id4" --cost -1
expect_exit 2 "--cost inf" et complete "$id4" --cost inf
expect_exit 2 "--model ''" et start --agent coder --model ""
eq "$(et list --limit 0 --format ids | wc -l)" "$n" "nothing was stored"
et show --json "$id4" >"$T_DIR/rec4b.json"
eq "$(jget "$T_DIR/rec4b.json" 'd["timestamp_end"]')" null "the refused complete did not complete it"
expect_exit 6 "complete --cost on an unknown id" et complete ffffffff --cost 1
done_testing
