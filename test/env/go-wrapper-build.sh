# Sourced by build-helm.sh and build-dmt.sh: builds a Go command from the Go module proxy through a throwaway wrapper
# module that requires it, so no clone of its repository is needed, into $cache/<tool>/<version>/<tool>.
#   go_wrapper_build TOOL VERSION MODULE PACKAGE LDFLAGS [REPLACE]
# MODULE is required at VERSION, PACKAGE is built; REPLACE is an optional go.mod replace directive. Go's module and
# build caches live beside the binaries ($cache/go), so fresh clones on the same machine reuse them. The finished
# folder is renamed into place, so an interrupted build is never taken for a finished one; its path is printed.

cache="${MODSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/modsync}"

# go_wrapper_built TOOL VERSION: prints the folder and ends the script when that build is already in the cache.
go_wrapper_built() {
  if [[ -x "$cache/$1/$2/$1" ]]; then
    echo "$cache/$1/$2"
    exit 0
  fi
}

go_wrapper_build() {
  local tool="$1" version="$2" module="$3" package="$4" ldflags="$5" replace="${6:-}"
  local dest="$cache/$tool/$version"
  command -v go >/dev/null || { echo "go is not on PATH: install Go (1.25 or later builds $tool $version)" >&2; exit 1; }
  export GOMODCACHE="${GOMODCACHE_OVERRIDE:-$cache/go/mod}"
  export GOCACHE="${GOCACHE_OVERRIDE:-$cache/go/build}"
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod

  mkdir -p "$cache/$tool"
  work="$(mktemp -d "$cache/$tool/.build-$version.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/mod" "$work/bin"

  local godirective
  godirective="$(go env GOVERSION | sed -E 's/^go([0-9]+\.[0-9]+).*/\1.0/')"
  printf 'module modsync.local/%s-wrapper\n\ngo %s\n\nrequire %s %s\n%s' "$tool" "$godirective" "$module" "$version" "${replace:+$'\n'$replace$'\n'}" > "$work/mod/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$package" > "$work/mod/tools.go"

  echo "$tool: resolving $tool $version modules" >&2
  (cd "$work/mod" && go mod tidy >&2)
  echo "$tool: building $tool $version" >&2
  (cd "$work/mod" && go build -trimpath -ldflags "$ldflags" -o "$work/bin/$tool" "$package")

  printf '%s\n' "$tool=$version" > "$work/bin/VERSIONS"
  rm -rf "$dest"
  mv "$work/bin" "$dest"
  echo "$dest"
}
