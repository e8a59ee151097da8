#!/usr/bin/env bash
# Builds kubelet and kube-scheduler (the real-node environment: test/env/node.ts) into the control plane's cache folder,
# from the same kind of wrapper module as test/env/build-control-plane.sh (which it runs first, so the Go module and
# build caches are warm: about a minute on 2 cores afterwards). Binaries that exist are never rebuilt.
#
# Usage: build-node.sh [k8s-version]   (prints the folder holding the binaries)
# Env:   MODSYNC_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/modsync)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
version="${1:-${MODSYNC_K8S_VERSION:-v1.36.3}}"
dest="$(bash "$here/build-control-plane.sh" "$version")"
if [[ -x "$dest/kubelet" && -x "$dest/kube-scheduler" ]]; then
  echo "$dest"
  exit 0
fi
[[ "$version" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]]
minor="${BASH_REMATCH[1]}"
patch="${BASH_REMATCH[2]}"

cache="${MODSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/modsync}"
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$cache/go/mod}"
export GOCACHE="${GOCACHE_OVERRIDE:-$cache/go/build}"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

case "$minor" in
  33|34) godirective=1.24.0 ;;
  35) godirective=1.25.0 ;;
  36) godirective=1.26.0 ;;
  *) echo "Kubernetes 1.$minor is not supported by this script (1.33 to 1.36 are)" >&2; exit 2 ;;
esac

# Same list as build-control-plane.sh.
staging=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider cluster-bootstrap
  code-generator component-base component-helpers controller-manager cri-api cri-client csi-translation-lib
  dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy
  kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission sample-apiserver)
if (( minor >= 36 )); then staging+=(cri-streaming streaming); fi

work="$(mktemp -d "$cache/control-plane/.build-node-$version.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/k8s" "$work/bin"
{
  echo "module modsync.local/k8s-node-wrapper"
  echo
  echo "go $godirective"
  echo
  echo "godebug default=go${godirective%.0}"
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  for m in "${staging[@]}"; do echo "replace k8s.io/$m => k8s.io/$m v0.$minor.$patch"; done
} > "$work/k8s/go.mod"
cat > "$work/k8s/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
echo "node: resolving Kubernetes $version modules" >&2
(cd "$work/k8s" && go mod tidy >&2)

ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
for cmd in kubelet kube-scheduler; do
  [[ -x "$dest/$cmd" ]] && continue
  echo "node: building $cmd $version" >&2
  (cd "$work/k8s" && go build -trimpath -ldflags "$ldflags" -o "$work/bin/$cmd" "k8s.io/kubernetes/cmd/$cmd")
done
# Rename each into place (same file system), so an interrupted build is never taken for a finished one.
for cmd in kubelet kube-scheduler; do
  if [[ -f "$work/bin/$cmd" ]]; then mv "$work/bin/$cmd" "$dest/$cmd"; fi
done
echo "$dest"
