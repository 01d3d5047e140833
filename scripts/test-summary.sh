#!/usr/bin/env bash
# Turns a `bun test` log into Markdown for the GitHub job summary ($GITHUB_STEP_SUMMARY):
# the totals, the failed tests, and the coverage totals when the text reporter ran.
#   scripts/test-summary.sh TEST_LOG
set -euo pipefail
log=${1:?usage: $0 TEST_LOG}
if [ ! -s "$log" ]; then
  printf '## Tests\n\nNo test output was captured.\n'
  exit 0
fi

count() { # count WORD: the last "N WORD" closing line of bun test, or 0
  grep -E "^[[:space:]]*[0-9]+ $1\$" "$log" | tail -1 | grep -oE '[0-9]+' || echo 0
}
pass=$(count pass)
fail=$(count fail)
skip=$(count skip)
todo=$(count todo)
ran=$(grep -E '^Ran [0-9]+ tests? across' "$log" | tail -1 || true)

if [ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]; then verdict='passed'; else verdict='failed'; fi
printf '## Tests %s\n\n' "$verdict"
printf '| passed | failed | skipped | todo |\n| ---: | ---: | ---: | ---: |\n| %s | %s | %s | %s |\n\n' \
  "$pass" "$fail" "$skip" "$todo"
if [ -n "$ran" ]; then printf '%s\n\n' "$ran"; fi

failed_tests=$(grep -E '^\(fail\) ' "$log" | sed -E 's/^\(fail\) //' | sort -u | head -50 || true)
if [ -n "$failed_tests" ]; then
  printf '### Failed tests\n\n'
  tick='`'
  while IFS= read -r name; do printf -- '- %s%s%s\n' "$tick" "${name//$tick/\'}" "$tick"; done <<<"$failed_tests"
  printf '\n'
fi

coverage=$(grep -E '^[[:space:]]*All files[[:space:]]*\|' "$log" | tail -1 || true)
if [ -n "$coverage" ]; then
  IFS='|' read -r _ functions lines _ <<<"$coverage"
  printf '### Coverage\n\n| functions | lines |\n| ---: | ---: |\n| %s%% | %s%% |\n\n' \
    "$(echo "$functions" | tr -d ' ')" "$(echo "$lines" | tr -d ' ')"
  printf 'The lcov report is the "coverage" artifact of this run.\n'
fi
