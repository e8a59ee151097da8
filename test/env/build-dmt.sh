#!/usr/bin/env bash
# Builds Deckhouse Module Tools (dmt) from the Go module proxy into a cache folder outside the clone, for
# bench/lint.ts (modsync lint beside DMT on the same modules). Never run in CI: a cold build takes about 18 minutes
# and 1.7 GB. A throwaway wrapper module requires github.com/deckhouse/dmt at the wanted version; kubedog is pinned
# to a pseudo-version the proxy serves (the newer one nelm asks for is refused by it). Where the proxy refuses dmt's own
# version this fails, and bench/lint.ts prints modsync's figures against those recorded in libs/lint/README.md;
# MODSYNC_DMT (or $cache/dmt/<version>/dmt) points bench/lint.ts at a DMT binary.
#
# Usage: build-dmt.sh [dmt-version]   (default below; prints the folder holding the binary)
# Env:   MODSYNC_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/modsync), MODSYNC_DMT_VERSION
set -euo pipefail

version="${1:-${MODSYNC_DMT_VERSION:-v0.1.105}}"
[[ "$version" =~ ^v0\.[0-9]+\.[0-9]+$ ]] || { echo "bad dmt version: $version (want v0.<minor>.<patch>)" >&2; exit 2; }
kubedog="v0.13.1-0.20260217150136-ed58edf34eac"

source "$(dirname "${BASH_SOURCE[0]}")/go-wrapper-build.sh"
go_wrapper_built dmt "$version"
go_wrapper_build dmt "$version" github.com/deckhouse/dmt github.com/deckhouse/dmt/cmd/dmt "-s -w" \
  "replace github.com/werf/kubedog => github.com/werf/kubedog $kubedog"
