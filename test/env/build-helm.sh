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

source "$(dirname "${BASH_SOURCE[0]}")/go-wrapper-build.sh"
go_wrapper_built helm "$version"
ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$version -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
dest="$(go_wrapper_build helm "$version" helm.sh/helm/v4 helm.sh/helm/v4/cmd/helm "$ldflags")"
"$dest/helm" version --short >&2
echo "$dest"
