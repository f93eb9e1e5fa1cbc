#!/usr/bin/env bash
# make test's screen: tap's full TAP output goes to a log file, the screen gets one line per test
# directory, every failing file's output in full, tap's own count line and the npm audit verdict.
#   node_modules/.bin/tap --reporter=tap 2>&1 | scripts/tap-summary.sh test-output/tap.log
# Exit 1 when a file failed or tap's count line is missing (tap crashed before the end); make runs
# it under `set -o pipefail`, so tap's own exit status counts too. On a terminal a progress line
# is redrawn as files finish.
set -uo pipefail

log=${1:?usage: tap-summary.sh LOG_FILE   (tap output on stdin)}
mkdir -p "$(dirname "$log")"
progress=0
[[ -t 2 ]] && progress=1

# Copy stdin to the log as it arrives; on a terminal, say how many files have finished.
awk -v out="$log" -v progress="$progress" '
  { print > out; fflush(out) }
  progress && /^(not )?ok [0-9]+ - / {
    n++; name = $0; sub(/^(not )?ok [0-9]+ - /, "", name); sub(/ # .*/, "", name)
    if ($1 == "not") bad++
    printf "\r\033[K%d files done%s, last: %s", n, bad ? " (" bad " failed)" : "", name > "/dev/stderr"
  }
  END { if (progress && n) printf "\r\033[K" > "/dev/stderr" }
'

echo "tap: full output in $log"

# One line per directory: files, then assertions as tap counts them for its total line (every
# assertion, and a subtest with no assertion of its own, "1..0", as one), passed, failed, skipped.
awk '
  function dir_of(f) { if (f !~ /\//) return "."; sub(/\/[^\/]*$/, "", f); return f }
  /^# Subtest: / { file = substr($0, 12); empty = -1; next }
  /^ +1\.\.0$/ { match($0, /^ +/); empty = RLENGTH - 4; next }
  /^ +(not )?ok [0-9]+ - / && file != "" {
    match($0, /^ +/); indent = RLENGTH
    if ($0 ~ / # time=/ && indent != empty) next
    if (indent == empty) empty = -1
    d = dir_of(file); n[d]++
    if ($0 ~ /# (SKIP|TODO)/) skip[d]++
    else if ($0 ~ /^ +not ok/) fail[d]++
    next
  }
  /^(not )?ok [0-9]+ - / {
    f = $0; sub(/^(not )?ok [0-9]+ - /, "", f); sub(/ # .*/, "", f)
    d = dir_of(f); files[d]++
    if ($1 == "not") badfiles[d]++
    file = ""
  }
  END {
    for (d in files) {
      line = sprintf("%-20s %3d files %5d asserts %5d pass", d, files[d], n[d], n[d] - fail[d] - skip[d])
      if (fail[d] || badfiles[d]) line = line sprintf("  %d FAIL (%d files)", fail[d], badfiles[d])
      if (skip[d]) line = line sprintf("  %d skip/todo", skip[d])
      print line
    }
  }
' "$log" | LC_ALL=C sort

# Every failing file, as tap printed it: from its "# Subtest:" line to the end of its YAML block.
failed=$(sed -nE 's/^not ok [0-9]+ - ([^#]*[^ #]).*/\1/p' "$log")
if [[ -n "$failed" ]]; then
  while IFS= read -r f; do
    echo
    echo "=== FAILED: $f ==="
    awk -v f="$f" '
      $0 == "# Subtest: " f { on = 1 }
      on { print }
      on && /^not ok [0-9]+ - / { done = 1; next }
      done && /^  \.\.\.$/ { exit }
      done && !/^  / { exit }
    ' "$log"
  done <<<"$failed"
  echo
fi

total=$(grep -E '^# \{ total: [0-9]+' "$log" | tail -n 1)
coverage=$(grep -E '^All files *\|' "$log" | tail -n 1 |
  awk -F'|' '{ gsub(/ /, ""); printf "statements %s%%, branches %s%%, functions %s%%, lines %s%%", $2, $3, $4, $5 }')
audit=$(grep -E '^ *# npm audit' "$log" | tail -n 1 | sed -E 's/^ *# //')

echo "--- summary ---"
[[ -n "$coverage" ]] && echo "coverage: $coverage"
if [[ -n "$audit" ]]; then
  echo "NOTE: $audit"
elif grep -qE '^ok [0-9]+ - test/supply-chain/audit\.test\.ts' "$log"; then
  echo "npm audit --omit=dev: checked, no blocking advisory"
fi
if [[ -z "$total" ]]; then
  echo "tap printed no count line: it stopped early; the end of $log:"
  tail -n 40 "$log"
  exit 1
fi
echo "$total"
nfailed=0
[[ -n "$failed" ]] && nfailed=$(wc -l <<<"$failed")
if ((nfailed > 0)) || [[ "$total" =~ fail:\ [1-9] ]]; then
  echo "FAILED: $nfailed file(s): $(tr '\n' ' ' <<<"$failed")(full output above and in $log)"
  exit 1
fi
echo "all test files passed"
