#!/usr/bin/env bash
# Builds etcd, kube-apiserver, kube-controller-manager and kubectl from the Go module proxy into a cache folder
# outside the clone (the role setup-envtest plays for Go controllers). k8s.io/kubernetes replaces its staging
# modules with ./staging/..., so `go install` cannot build it: a throwaway wrapper module pins each staging
# module to its published v0.<minor>.<patch> instead. etcd's server module has ../ replaces too, hence its own wrapper.
#
# Usage: build-control-plane.sh [k8s-version] [--node]   (prints the folder holding the binaries)
#   --node  also kubelet and kube-scheduler (the real-node environment, test/env/node.ts)
# Env:   MODSYNC_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/modsync)
set -euo pipefail

node=false
args=()
for arg in "$@"; do
  if [[ "$arg" == --node ]]; then node=true; else args+=("$arg"); fi
done
version="${args[0]:-${MODSYNC_K8S_VERSION:-v1.36.3}}"
[[ "$version" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || { echo "bad Kubernetes version: $version (want v1.<minor>.<patch>)" >&2; exit 2; }
minor="${BASH_REMATCH[1]}"
patch="${BASH_REMATCH[2]}"

cache="${MODSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/modsync}"
dest="$cache/control-plane/$version"
commands=(kube-apiserver kube-controller-manager kubectl)
if $node; then commands+=(kubelet kube-scheduler); fi
# Only what is missing is built; a binary that exists is never rebuilt.
missing=()
for cmd in "${commands[@]}"; do [[ -x "$dest/$cmd" ]] || missing+=("$cmd"); done
if (( ${#missing[@]} == 0 )) && [[ -x "$dest/etcd" ]]; then
  echo "$dest"
  exit 0
fi

command -v go >/dev/null || { echo "go is not on PATH: install Go (1.26 builds Kubernetes $version) or set KUBEBUILDER_ASSETS" >&2; exit 1; }

# Go's module and build caches live beside the binaries, so fresh clones on the same machine reuse them.
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$cache/go/mod}"
export GOCACHE="${GOCACHE_OVERRIDE:-$cache/go/build}"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

case "$minor" in
  33|34) godirective=1.24.0 ;;
  35) godirective=1.25.0 ;;
  36) godirective=1.26.0 ;;
  *) echo "Kubernetes 1.$minor is not supported by this script (1.33 to 1.36 are)" >&2; exit 2 ;;
esac

staging=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider cluster-bootstrap
  code-generator component-base component-helpers controller-manager cri-api cri-client csi-translation-lib
  dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy
  kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission sample-apiserver)
if (( minor >= 36 )); then staging+=(cri-streaming streaming); fi

mkdir -p "$cache/control-plane"
work="$(mktemp -d "$cache/control-plane/.build-$version.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/k8s" "$work/etcd" "$work/bin"

# --- Kubernetes wrapper module ---
{
  echo "module modsync.local/k8s-wrapper"
  echo
  echo "go $godirective"
  echo
  echo "godebug default=go${godirective%.0}"
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  for m in "${staging[@]}"; do echo "replace k8s.io/$m => k8s.io/$m v0.$minor.$patch"; done
} > "$work/k8s/go.mod"
{
  echo '//go:build tools'
  echo
  echo 'package tools'
  echo
  echo 'import ('
  for cmd in "${commands[@]}"; do echo "	_ \"k8s.io/kubernetes/cmd/$cmd\""; done
  echo ')'
} > "$work/k8s/tools.go"
echo "control-plane: resolving Kubernetes $version modules" >&2
(cd "$work/k8s" && go mod tidy >&2)

ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
for cmd in "${missing[@]}"; do
  echo "control-plane: building $cmd $version" >&2
  (cd "$work/k8s" && go build -trimpath -ldflags "$ldflags" -o "$work/bin/$cmd" "k8s.io/kubernetes/cmd/$cmd")
done

# --- etcd, at the version Kubernetes pins ---
etcd_version="$(cd "$work/k8s" && go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
if [[ ! -x "$dest/etcd" ]]; then
echo "control-plane: building etcd $etcd_version" >&2
cat > "$work/etcd/go.mod" <<MOD
module modsync.local/etcd-wrapper

go $godirective

require go.etcd.io/etcd/server/v3 $etcd_version
MOD
cat > "$work/etcd/tools.go" <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
(cd "$work/etcd" && go mod tidy >&2)
(cd "$work/etcd" && go build -trimpath -ldflags "-s -w" -o "$work/bin/etcd" go.etcd.io/etcd/server/v3)
fi

printf '%s\n' "kubernetes=$version" "etcd=$etcd_version" > "$work/bin/VERSIONS"
# Each binary is renamed into place (same file system), so an interrupted build is never taken for a finished one.
mkdir -p "$dest"
for file in "$work"/bin/*; do mv -f "$file" "$dest/"; done
echo "$dest"
