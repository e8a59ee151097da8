#!/usr/bin/env bash
# Builds the helm CLI from the Go module proxy into a cache folder outside the clone, for `modsync lint`'s
# `templates` linter (it renders module charts with `helm template`). Helm 4 is the current major; a throwaway
# wrapper module requires helm.sh/helm/v4 at the wanted version and builds its cmd/helm, so the build does not
# depend on a clone of helm. The finished binary lands in $cache/helm/<version>/helm, where `modsync lint` looks
# for it (after MODSYNC_HELM and PATH).
#
# Usage: build-helm.sh [helm-version]   (default below; prints the folder holding the binary)
# Env:   MODSYNC_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/modsync), MODSYNC_HELM_VERSION
set -euo pipefail

version="${1:-${MODSYNC_HELM_VERSION:-v4.3.1}}"
[[ "$version" =~ ^v4\.[0-9]+\.[0-9]+$ ]] || { echo "bad helm version: $version (want v4.<minor>.<patch>)" >&2; exit 2; }

cache="${MODSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/modsync}"
dest="$cache/helm/$version"
if [[ -x "$dest/helm" ]]; then
  echo "$dest"
  exit 0
fi

command -v go >/dev/null || { echo "go is not on PATH: install Go (1.25 or later builds helm $version) or set MODSYNC_HELM" >&2; exit 1; }

# Go's module and build caches live beside the binaries, so fresh clones on the same machine reuse them.
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$cache/go/mod}"
export GOCACHE="${GOCACHE_OVERRIDE:-$cache/go/build}"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

mkdir -p "$cache/helm"
work="$(mktemp -d "$cache/helm/.build-$version.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/mod" "$work/bin"

godirective="$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1.0/')"
cat > "$work/mod/go.mod" <<MOD
module modsync.local/helm-wrapper

go $godirective

require helm.sh/helm/v4 $version
MOD
cat > "$work/mod/tools.go" <<'GO'
//go:build tools

package tools

import _ "helm.sh/helm/v4/cmd/helm"
GO

echo "helm: resolving helm $version modules" >&2
(cd "$work/mod" && go mod tidy >&2)

echo "helm: building helm $version" >&2
ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$version -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
(cd "$work/mod" && go build -trimpath -ldflags "$ldflags" -o "$work/bin/helm" helm.sh/helm/v4/cmd/helm)
"$work/bin/helm" version --short >&2

printf '%s\n' "helm=$version" > "$work/bin/VERSIONS"
# Rename into place, so an interrupted build is never taken for a finished one.
rm -rf "$dest"
mv "$work/bin" "$dest"
echo "$dest"
