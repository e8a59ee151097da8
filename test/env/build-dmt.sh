#!/usr/bin/env bash
# Builds Deckhouse Module Tools (dmt) from the Go module proxy into a cache folder outside the clone, for
# bench/lint.ts (modsync lint beside DMT on the same modules). Never run in CI: a cold build takes about 18 minutes
# and 1.7 GB. A throwaway wrapper module requires github.com/deckhouse/dmt at the wanted version; kubedog is pinned
# to a pseudo-version the proxy serves (the newer one nelm asks for is refused by it).
#
# Usage: build-dmt.sh [dmt-version]   (default below; prints the folder holding the binary)
# Env:   MODSYNC_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/modsync), MODSYNC_DMT_VERSION
set -euo pipefail

version="${1:-${MODSYNC_DMT_VERSION:-v0.1.105}}"
[[ "$version" =~ ^v0\.[0-9]+\.[0-9]+$ ]] || { echo "bad dmt version: $version (want v0.<minor>.<patch>)" >&2; exit 2; }
kubedog="v0.13.1-0.20260217150136-ed58edf34eac"

cache="${MODSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/modsync}"
dest="$cache/dmt/$version"
if [[ -x "$dest/dmt" ]]; then
  echo "$dest"
  exit 0
fi

command -v go >/dev/null || { echo "go is not on PATH: install Go (1.25 or later builds dmt $version)" >&2; exit 1; }

# The module and build caches are the ones build-helm.sh fills: most of dmt's dependencies are already there.
export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$cache/go/mod}"
export GOCACHE="${GOCACHE_OVERRIDE:-$cache/go/build}"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

mkdir -p "$cache/dmt"
work="$(mktemp -d "$cache/dmt/.build-$version.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/mod" "$work/bin"

godirective="$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1.0/')"
cat > "$work/mod/go.mod" <<MOD
module modsync.local/dmt-wrapper

go $godirective

require github.com/deckhouse/dmt $version

replace github.com/werf/kubedog => github.com/werf/kubedog $kubedog
MOD
cat > "$work/mod/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/deckhouse/dmt/cmd/dmt"
GO

echo "dmt: resolving dmt $version modules" >&2
(cd "$work/mod" && go mod tidy >&2)

echo "dmt: building dmt $version" >&2
(cd "$work/mod" && go build -trimpath -ldflags "-s -w" -o "$work/bin/dmt" github.com/deckhouse/dmt/cmd/dmt)

printf '%s\n' "dmt=$version" > "$work/bin/VERSIONS"
# Rename into place, so an interrupted build is never taken for a finished one.
rm -rf "$dest"
mv "$work/bin" "$dest"
echo "$dest"
