#!/usr/bin/env bash
# The test command (README): sets up what is missing, type-checks, then runs the unit and integration tests against
# real servers (kube-apiserver, etcd and kube-controller-manager as local processes; Redis and registries in containers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"

echo "[test] typecheck (tsc --noEmit)"
tsc --noEmit -p tsconfig.json

report=$(mktemp --suffix=.json)
trap 'rm -f "$report"' EXIT
status=0
vitest run --project unit --project integration --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# A plain closing line for CI: "tests: N passed, N failed, N skipped".
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  if (r.numTotalTests === 0) process.exitCode = 1;
' "$report" || status=1
exit "$status"
