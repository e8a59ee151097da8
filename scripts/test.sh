#!/usr/bin/env bash
# The test command (README): sets up what is missing, type-checks, then runs the unit and integration tests against
# real servers (kube-apiserver, etcd and kube-controller-manager as local processes; Redis and registries in containers),
# then the fault scenarios (test/chaos: servers killed on purpose; a summary table at the end), then, as root, the
# real-node tests (kubelet + containerd: modsync deployed by its chart).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"

# Format, lint (Biome: type-aware rules such as noFloatingPromises) and unused files, exports and dependencies (knip)
# first: they take seconds, and a finding fails the run before the slow tests start. `npm run format` fixes the format.
echo "[test] lint (npm run lint: biome ci, knip)"
npm run --silent lint

echo "[test] typecheck (tsc --noEmit)"
tsc --noEmit -p tsconfig.json

# The bundles the image runs (infra/image/Dockerfile builds its own; the benchmark too): they must build.
echo "[test] build (scripts/build.ts)"
node scripts/build.ts

report=$(mktemp --suffix=.json)
integration_report=$(mktemp --suffix=.json)
chaos_report=$(mktemp --suffix=.json)
node_report=$(mktemp --suffix=.json)
trap 'rm -f "$report" "$integration_report" "$chaos_report" "$node_report"' EXIT
status=0
# Files run in a random order, so a suite that depends on another's leftovers fails; the unit tests inside a file run
# in a random order too. Integration suites keep the order of their own tests: several are stories by design (each
# test starts from the state the one before left), marked or not. MODSYNC_TEST_SEED=<seed> repeats an order.
seed=${MODSYNC_TEST_SEED:-$RANDOM}
if [[ $# -eq 0 ]]; then
  echo "[test] unit tests, shuffled (MODSYNC_TEST_SEED=$seed)"
  vitest run --project unit --sequence.shuffle --sequence.seed="$seed" \
    --reporter=default --reporter=json --outputFile.json="$report" || status=$?
  echo "[test] integration tests, files shuffled (MODSYNC_TEST_SEED=$seed)"
  vitest run --project integration --sequence.shuffle.files --sequence.seed="$seed" \
    --reporter=default --reporter=json --outputFile.json="$integration_report" || status=$?
  reports=("$report" "$integration_report")
else
  echo "[test] the named unit and integration tests, files shuffled (MODSYNC_TEST_SEED=$seed)"
  vitest run --project unit --project integration --sequence.shuffle.files --sequence.seed="$seed" \
    --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
  reports=("$report")
fi

# The fault scenarios (test/chaos): each breaks servers of its own (Redis killed, failed over, restarted empty; the
# API server stopped), so they run after the rest, alone; not when test files were named. MODSYNC_CHAOS_TESTS=0 skips.
if [[ $# -eq 0 && "${MODSYNC_CHAOS_TESTS:-1}" != 0 ]]; then
  echo "[test] fault scenarios (vitest project chaos)"
  vitest run --project chaos --reporter=default --reporter=json --outputFile.json="$chaos_report" || status=$?
  reports+=("$chaos_report")
fi

# The real node (kubelet + containerd; test/node): modsync deployed by its chart, the guide on it. It needs root (the
# kubelet), so it runs as root only, after the rest (it must not share the machine's 2 cores with the integration
# tests), and not when test files were named. MODSYNC_NODE_TESTS=0 skips it.
if [[ $# -eq 0 && $(id -u) -eq 0 && "${MODSYNC_NODE_TESTS:-1}" != 0 ]]; then
  echo "[test] real node (vitest project node)"
  vitest run --project node --reporter=default --reporter=json --outputFile.json="$node_report" || status=$?
  reports+=("$node_report")
elif [[ $# -eq 0 ]]; then
  echo "[test] real node skipped ($( [[ $(id -u) -ne 0 ]] && echo 'not root' || echo 'MODSYNC_NODE_TESTS=0'))"
fi

# A plain closing line for CI: "tests: N passed, N failed, N skipped".
node -e '
  const fs = require("fs");
  const t = { passed: 0, failed: 0, skipped: 0, total: 0 };
  for (const file of process.argv.slice(1)) {
    let r;
    try { r = JSON.parse(fs.readFileSync(file, "utf8")); } catch { t.failed++; console.log(`no test report in ${file}`); continue; }
    t.passed += r.numPassedTests; t.failed += r.numFailedTests; t.skipped += r.numPendingTests + r.numTodoTests; t.total += r.numTotalTests;
  }
  console.log(`tests: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  if (t.total === 0 || t.failed > 0) process.exitCode = 1;
' "${reports[@]}" || status=1
exit "$status"
