#!/bin/bash
# SPDX-License-Identifier: MIT
# The reports' JSON carries the spec's flat keys beside the richer objects
# (daily: total_executions, average_duration, quality_scores ...; agent:
# execution_count ...), each equal to the figure it restates; every period
# option takes an absolute date (--since 2025-01-11) as well as a relative
# one, with the same answer; bad, future and too-old dates are refused.
. "$ET_SOURCE_DIR/tests/cli/lib.sh"

P="python3 $ET_SOURCE_DIR/tests/cli/report_corpus.py"
export EXECTRAIL_NOW=2025-01-17T20:00:00Z
C="$T_DIR/corpus.jsonl"
$P gen 7 2025-01-17 12 700 >"$C"
check "init" et init
check "import the corpus" et import "$C"

# ---- daily: the spec's keys ----
check "daily json" et report daily --format json
cp "$T_DIR/out" "$T_DIR/daily.json"
for k in total_executions success_rate average_duration agents_used \
  quality_scores top_issues improvement_opportunities; do
  eq "$(jget "$T_DIR/daily.json" "'$k' in d")" true "daily has $k"
done
eq "$(jget "$T_DIR/daily.json" "d['total_executions'] == d['executions']['total'] > 0")" \
  true "total_executions = executions.total"
eq "$(jget "$T_DIR/daily.json" "d['average_duration'] == d['duration_ms']['avg']")" \
  true "average_duration = duration_ms.avg (milliseconds)"
eq "$(jget "$T_DIR/daily.json" "d['quality_scores'] == d['quality']")" \
  true "quality_scores = quality"

# ---- agent: the spec's keys ----
check "agent json" et report agent code-reviewer --since 7d --format json
cp "$T_DIR/out" "$T_DIR/agent7d.json"
for k in execution_count success_rate average_quality_score \
  common_failure_modes performance_trend recommendations; do
  eq "$(jget "$T_DIR/agent7d.json" "'$k' in d")" true "agent has $k"
done
eq "$(jget "$T_DIR/agent7d.json" "d['execution_count'] == d['executions']['total'] > 0")" \
  true "execution_count = executions.total"

# ---- --since takes an absolute date: same period, same figures ----
strip='{k: v for k, v in d.items() if k != "generated_at"}'
check "agent --since 2025-01-11" \
  et report agent code-reviewer --since 2025-01-11 --format json
cp "$T_DIR/out" "$T_DIR/agentabs.json"
eq "$(jget "$T_DIR/agentabs.json" "$strip")" "$(jget "$T_DIR/agent7d.json" "$strip")" \
  "agent --since 2025-01-11 = --since 7d (today 2025-01-17)"
eq "$(jget "$T_DIR/agentabs.json" "d['period']['from'] + ' ' + str(d['period']['days'])")" \
  "2025-01-11 7" "the period starts on the date given"
check "agents --since 5d" et report agents --since 5d --tz Asia/Tokyo --format json
cp "$T_DIR/out" "$T_DIR/a5.json"
# 20:00Z on the 17th is the 18th in Tokyo: 5 days are the 14th to the 18th
check "agents --since 2025-01-14 in Tokyo" \
  et report agents --since 2025-01-14 --tz Asia/Tokyo --format json
eq "$(jget "$T_DIR/out" "$strip")" "$(jget "$T_DIR/a5.json" "$strip")" \
  "agents --since DATE follows the zone's today"
check "today alone" et report agents --since 2025-01-17 --format json
eq "$(jget "$T_DIR/out" "d['period']['days']")" 1 "--since today is one day"

# ---- failure paths ----
expect_exit 2 "a malformed date" et report agents --since 2025-1-11
contains "$T_DIR/err" "YYYY-MM-DD" "the message names the forms"
expect_exit 2 "not a real date" et report agents --since 2025-02-30
contains "$T_DIR/err" "--since" "the message names --since"
expect_exit 2 "a date after today" et report agents --since 2025-01-18
contains "$T_DIR/err" "after today" "the message says after today"
expect_exit 2 "more than 366 days" et report agents --since 2024-01-01
contains "$T_DIR/err" "366" "the message gives the limit"
expect_exit 2 "daily still refuses --since" et report daily --since 2025-01-11

done_testing
