#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Output that explains itself: complete --status keeps the caller's verdict
# and still lists which success criteria were met and failed; watch
# --format jsonl labels each event like the table (START, ACTION, ...) and
# with the execution's state at that event; every report's checkpoint line
# says in one sentence what it proves and how to check it, and that check
# works.
. "$(dirname "$0")/lib.sh"

et -q init >/dev/null 2>&1
# ---- complete --status: the criteria lists are still filled ----
id=$(et -q start --agent tester --expect 'output.raw_response ~ "passed"' --expect 'duration_ms < 1')
et -q delegate "$id" --prompt "run the tests"
et -q action "$id" --tool Bash --input "make test" --output "ok"
et -q action "$id" --tool Bash --input "make lint" --failed --error "exit 2"
et -q respond "$id" --response "all tests passed"
check "complete --status PARTIAL --confidence 0.4" et -q complete "$id" --status PARTIAL --confidence 0.4
et show --json "$id" >"$T_DIR/r.json"
eq "$(jget "$T_DIR/r.json" '[d["verification"]["status"], d["verification"]["confidence_score"]]')" \
  '["PARTIAL",0.4]' "the caller's status and confidence stay"
eq "$(jget "$T_DIR/r.json" 'd["verification"]["success_criteria_met"]')" '["output.raw_response ~ \"passed\""]' \
  "success_criteria_met lists the criterion that held"
eq "$(jget "$T_DIR/r.json" 'd["verification"]["success_criteria_failed"]')" '["duration_ms < 1"]' \
  "success_criteria_failed lists the one that did not"
et show "$id" >"$T_DIR/show"
contains "$T_DIR/show" "criteria FAIL  duration_ms < 1" "show lists them under the verdict"
# lists the caller gives win
id2=$(et -q start --agent tester --expect 'duration_ms < 1')
echo '{"verification": {"success_criteria_met": ["reviewed by hand"]}}' >"$T_DIR/v.json"
et -q complete "$id2" --status MATCH --json "$T_DIR/v.json"
et show --json "$id2" >"$T_DIR/r2.json"
eq "$(jget "$T_DIR/r2.json" '[d["verification"]["status"], d["verification"]["success_criteria_met"], d["verification"]["success_criteria_failed"]]')" \
  '["MATCH",["reviewed by hand"],["duration_ms < 1"]]' "a list the caller gave stays; the other is filled"
# --no-analysis: nothing is filled
id3=$(et -q start --agent tester --expect 'duration_ms < 1')
et -q complete "$id3" --status MATCH --no-analysis
et show --json "$id3" >"$T_DIR/r3.json"
eq "$(jget "$T_DIR/r3.json" '[d["verification"]["success_criteria_met"], d["verification"]["success_criteria_failed"]]')" \
  '[[],[]]' "--no-analysis fills nothing"

# ---- watch --format jsonl: labels and the state at each event ----
et watch --all --format jsonl --exit-after 1 "execution_id = \"$id\"" >"$T_DIR/w.jsonl" 2>"$T_DIR/w.err"
python3 - "$T_DIR/w.jsonl" >"$T_DIR/w.got" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    print(d["label"], d["state_at_event"], d["state"])
PY
eq "$(tr '\n' ';' <"$T_DIR/w.got")" \
  "START started completed;DELEGATE delegated completed;ACTION running completed;ACTION running completed;RESPOND responded completed;COMPLETE completed completed;ANALYSED completed completed;" \
  "each event: the table's label, the state it left the execution in, and the state now"
et watch --all --exit-after 1 "execution_id = \"$id\"" >"$T_DIR/w.txt" 2>&1
eq "$(awk '{print $3}' "$T_DIR/w.txt" | tr '\n' ' ')" "$(cut -d' ' -f1 "$T_DIR/w.got" | tr '\n' ' ')" \
  "the jsonl labels are the table's"

# ---- the report's checkpoint sentence ----
et report daily >"$T_DIR/d.raw"
# the text report wraps the sentence at the terminal width: read it joined
tr '\n' ' ' <"$T_DIR/d.raw" | tr -s ' ' >"$T_DIR/d.txt"
contains "$T_DIR/d.txt" "These figures count exactly the first events of the ledger up to this root; keep the signed note" \
  "text report: the checkpoint explains itself"
contains "$T_DIR/d.txt" "'exectrail verify --checkpoint NOTE' proves later" "and says how to check it"
et report daily --format md >"$T_DIR/d.md"
grep -q '^Computed from ledger checkpoint: .*These figures count exactly' "$T_DIR/d.md" && ok "md report: the same sentence on the checkpoint line" ||
  fails "md report: the same sentence on the checkpoint line" "$(grep -i checkpoint "$T_DIR/d.md")"
et report daily --format html >"$T_DIR/d.html"
grep -q '<p id="checkpoint">Computed from ledger checkpoint: .*These figures count exactly.*</p>' "$T_DIR/d.html" &&
  ok "html report: the same sentence" || fails "html report: the same sentence"
# the check the sentence describes works
et report daily --format json >"$T_DIR/d.json"
python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["checkpoint"]["signed_note"])' \
  "$T_DIR/d.json" >"$T_DIR/note"
check "verify --checkpoint NOTE, as the sentence says" et verify --checkpoint "$T_DIR/note"
# without the signing key: the unsigned wording
mv "$EXECTRAIL_HOME/exectrail.key" "$T_DIR/key.saved"
et report daily >"$T_DIR/d2.txt" 2>&1
contains "$T_DIR/d2.txt" "'exectrail verify' recomputes the root" "no key: the sentence names plain verify"
contains "$T_DIR/d2.txt" "no signing key here, so no signed note to keep" "and why there is no note"
mv "$T_DIR/key.saved" "$EXECTRAIL_HOME/exectrail.key"
done_testing
