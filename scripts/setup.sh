#!/usr/bin/env bash
# Installs everything modsync's tests and local stack need on a fresh Debian machine, and reuses what is there on a warm one:
# Debian packages (Docker engine, debootstrap, openssl), npm dependencies (Node 24 comes with them), and the Kubernetes
# control plane built once from the Go module proxy into ${XDG_CACHE_HOME:-$HOME/.cache}/modsync (not the clone).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# prometheus: a real remote-write receiver for the lint-metrics test.
# containerd, runc, containernetworking-plugins: the real node (kubelet) of test/env/node.ts.
packages=(docker.io debootstrap openssl ca-certificates prometheus containerd runc containernetworking-plugins)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${missing[*]} (run as root, or install them: apt-get install ${missing[*]})"
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci on a fresh clone or when the lockfile changed (it puts Node 24 in node_modules/.bin).
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
[[ "$(node_modules/.bin/node --version)" == v24.* ]] || { log "node_modules/.bin/node is not Node 24"; exit 1; }

if [[ -z "${KUBECONFIG_TEST:-}" && -z "${KUBEBUILDER_ASSETS:-}" ]]; then
  started=$SECONDS
  # As root the real node's kubelet and kube-scheduler too (scripts/test.sh runs the `node` project then).
  node_flag=(); [[ $(id -u) -eq 0 ]] && node_flag=(--node)
  dir=$(bash test/env/build-control-plane.sh "${node_flag[@]}")
  log "control plane: $dir ($(tr '\n' ' ' < "$dir/VERSIONS"), $((SECONDS - started)) s)"
fi

# helm (Go module proxy, same cache): renders charts for `modsync lint` and installs modules.
if [[ -z "${MODSYNC_HELM:-}" ]]; then
  started=$SECONDS
  dir=$(bash test/env/build-helm.sh)
  log "helm: $dir ($((SECONDS - started)) s)"
fi
