#!/usr/bin/env bash
# Runs the Vitest suites, then the browser suites on Playwright's runner (playwright.config.ts),
# and ends with one plain summary line ("tests: N passed, N failed, N skipped") over both, that CI
# and people read alike. Arguments go to Vitest alone, and then the browser suites are left out
# (run one of those with `npx playwright test --project web`).
set -uo pipefail
cd "$(dirname "$0")/.."
vitest_report=$(mktemp)
playwright_report=$(mktemp)
trap 'rm -f "$vitest_report" "$playwright_report"' EXIT
npx vitest run --reporter=default --reporter=json --outputFile="$vitest_report" "$@"
vitest_status=$?
playwright_status=0
if [ $# -eq 0 ]; then
  TRAYPHONE_PLAYWRIGHT_JSON="$playwright_report" npx playwright test
  playwright_status=$?
else
  : >"$playwright_report"
fi
node -e '
  const fs = require("fs");
  const read = (file) => (fs.statSync(file).size > 0 ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined);
  const v = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  let passed = v.numPassedTests;
  let failed = v.numFailedTests;
  let skipped = v.numPendingTests + v.numTodoTests;
  const p = read(process.argv[2]);
  if (process.argv[3] === "browser-suites-ran" && !p) failed += 1; // no report: the run broke
  if (p) {
    // Retried passes count as passed; an error outside any test (global setup) as a failure.
    passed += p.stats.expected + p.stats.flaky;
    failed += p.stats.unexpected + p.errors.length;
    skipped += p.stats.skipped;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$vitest_report" "$playwright_report" "$([ $# -eq 0 ] && echo browser-suites-ran)" || echo "tests: 0 passed, 1 failed"
if [ $vitest_status -ne 0 ]; then exit $vitest_status; fi
exit $playwright_status
