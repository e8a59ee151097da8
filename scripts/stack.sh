#!/usr/bin/env bash
# The main job (README): a local stack — Kubernetes API with modsync's CRDs, Redis, a registry with demo modules.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node_modules/.bin/node scripts/stack.ts "$@"
