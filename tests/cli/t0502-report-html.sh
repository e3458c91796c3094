#!/bin/bash
# SPDX-License-Identifier: MIT
# The HTML report renders in headless Chromium without console errors; the
# SVG marks of each chart match the report's data; the screenshot is not
# blank. Fails when Chromium is missing (tools/setup.sh test installs it).
. "$ET_SOURCE_DIR/tests/cli/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  fails "chromium is installed" "run tools/setup.sh test (Debian package chromium)"
  done_testing
fi
export EXECTRAIL_NOW=2025-01-17T20:00:00Z
H="python3 $ET_SOURCE_DIR/tests/cli/report_html_check.py"
python3 "$ET_SOURCE_DIR/tests/cli/report_corpus.py" gen 11 2025-01-17 9 400 \
  >"$T_DIR/c.jsonl"
check "init" et init
check "import" et import "$T_DIR/c.jsonl"

# headless Chromium with its own profile in the test directory
chrome() {
  HOME="$T_DIR" timeout 120 "$CHROMIUM" --headless --no-sandbox \
    --disable-gpu --no-first-run --user-data-dir="$T_DIR/profile" \
    --enable-logging=stderr --v=0 "$@"
}

# the console check can fail: a page that logs an error is caught
printf '<!DOCTYPE html><script>console.error("planted")</script>' \
  >"$T_DIR/bad.html"
chrome --dump-dom "file://$T_DIR/bad.html" >/dev/null 2>"$T_DIR/bad.err"
if grep -q 'CONSOLE' "$T_DIR/bad.err"; then ok "console check catches errors"
else fails "console check catches errors" "$(tail -3 "$T_DIR/bad.err")"; fi

render() { # NAME REPORT-ARGS...
  name=$1
  shift
  et report "$@" --format json >"$T_DIR/$name.json"
  check "$name: html" et report "$@" --format html --output "$T_DIR/$name.html"
  if grep -Eq '(src|href)=|https?://|<script|<link' "$T_DIR/$name.html"; then
    fails "$name: self-contained" "$(grep -Eo '(src|href)=[^ ]*|https?://[^ ]*' "$T_DIR/$name.html" | head -3)"
  else ok "$name: self-contained (no scripts, links or URLs)"; fi
  chrome --dump-dom "file://$T_DIR/$name.html" >"$T_DIR/$name.dom" \
    2>"$T_DIR/$name.err"
  if grep -q 'CONSOLE' "$T_DIR/$name.err"; then
    fails "$name: no console errors" "$(grep CONSOLE "$T_DIR/$name.err" | head -3)"
  else ok "$name: no console errors"; fi
  if $H marks "$T_DIR/$name.dom" "$T_DIR/$name.json" >"$T_DIR/diff"; then
    ok "$name: SVG marks match the data"
  else fails "$name: SVG marks match the data" "$(head -c 900 "$T_DIR/diff")"; fi
  chrome --screenshot="$T_DIR/$name.png" --window-size=800,1800 \
    --hide-scrollbars "file://$T_DIR/$name.html" >/dev/null 2>&1
  if [ -s "$T_DIR/$name.png" ] && $H png "$T_DIR/$name.png" >"$T_DIR/diff"; then
    ok "$name: screenshot shows the charts"
  else fails "$name: screenshot shows the charts" "$(head -c 600 "$T_DIR/diff")"; fi
}
render daily daily
render agent agent test-runner --since 9d
render agents agents --since 9d

# the marks check can fail: marks of another day's report do not match
et report daily --date 2025-01-12 --format json >"$T_DIR/other.json"
if $H marks "$T_DIR/daily.dom" "$T_DIR/other.json" >/dev/null; then
  fails "marks check rejects other data"
else ok "marks check rejects other data"; fi
# and a blank page is caught by the screenshot check
printf '<!DOCTYPE html><body style="background:#fff"></body>' >"$T_DIR/blank.html"
chrome --screenshot="$T_DIR/blank.png" --window-size=800,600 \
  "file://$T_DIR/blank.html" >/dev/null 2>&1
if $H png "$T_DIR/blank.png" >/dev/null; then fails "blank screenshot caught"
else ok "blank screenshot caught"; fi
done_testing
