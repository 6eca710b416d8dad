#!/usr/bin/env bash
# kustomize for the platform tests (every rendered app folder must build with `kustomize build`,
# which is what `kubectl kustomize` runs).
#   scripts/kustomize.sh install   builds sigs.k8s.io/kustomize/kustomize/v5 from the Go module proxy
#                                  into ~/.cache/floe/bin (once per version; later calls return at
#                                  once) and prints its path
# Idempotent, safe to run concurrently (a lock), works as root on a fresh machine with Go installed.
set -euo pipefail

KUSTOMIZE_MODULE=sigs.k8s.io/kustomize/kustomize/v5
KUSTOMIZE_VERSION=v5.7.1
cache=${FLOE_CACHE:-$HOME/.cache/floe}
bin="$cache/bin/kustomize-$KUSTOMIZE_VERSION"
PATH=$PATH:/usr/local/go/bin

install_kustomize() {
  [ -x "$bin" ] && return 0
  command -v go >/dev/null || { echo "kustomize.sh: Go is needed to build kustomize (go not found)" >&2; return 1; }
  mkdir -p "$cache/bin"
  exec 9>"$cache/kustomize-build.lock"
  flock 9
  if [ ! -x "$bin" ]; then
    echo "kustomize.sh: building kustomize $KUSTOMIZE_VERSION (go install; a minute or two, once)…" >&2
    local started=$SECONDS gobin
    gobin=$(mktemp -d "${TMPDIR:-/tmp}/floe-kustomize-build.XXXXXX")
    GOBIN="$gobin" GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install -trimpath "$KUSTOMIZE_MODULE@$KUSTOMIZE_VERSION" >&2
    mv "$gobin/kustomize" "$bin.partial"
    mv "$bin.partial" "$bin"
    rm -rf "$gobin"
    echo "kustomize.sh: built $bin in $((SECONDS - started))s" >&2
  fi
  flock -u 9
}

case ${1:-} in
  install)
    install_kustomize
    echo "$bin"
    ;;
  *)
    echo "usage: scripts/kustomize.sh install" >&2
    exit 2
    ;;
esac
