#!/usr/bin/env bash
# schemathesis, driven by the official Iceberg REST OpenAPI spec, against a running floe:
#   bash interop/schemathesis/run.sh http://127.0.0.1:<port>
# Checks that no generated request (valid or deliberately invalid) gets a 5xx. Bounded: a few
# examples per operation and phase, and at most FLOE_SCHEMATHESIS_SECONDS (default 150) in all.
# Installs schemathesis (pinned) into its own venv, $HOME/.cache/floe/schemathesis-venv, once.
# Last line: "schemathesis: N cases, N failed".
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
base=${1:?usage: run.sh <floe base URL>}
version=4.32.5
venv=${FLOE_SCHEMATHESIS_VENV:-$HOME/.cache/floe/schemathesis-venv}
cache=${FLOE_PIP_CACHE:-$HOME/.cache/floe/pip}
spec="$root/test/fixtures/spec/iceberg-rest-catalog-open-api.yaml" # a copy of shared/specs/

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$version"; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2 &&
    PIP_CACHE_DIR="$cache" "$venv/bin/pip" install --disable-pip-version-check -q "schemathesis==$version" >&2 ||
    { echo "schemathesis: could not install schemathesis==$version into $venv" >&2; echo "schemathesis: 0 cases, 1 failed"; exit 1; }
fi

out=$(mktemp)
# run from a scratch directory: schemathesis keeps a cache (.schemathesis/) in its working directory
scratch=$(mktemp -d)
cd "$scratch" || exit 1
"$venv/bin/schemathesis" --config-file "$root/interop/schemathesis/schemathesis.toml" run "$spec" \
  --url "$base/iceberg" --checks not_a_server_error --max-examples 5 --seed 1 --no-color \
  --max-time "${FLOE_SCHEMATHESIS_SECONDS:-150}" >"$out" 2>&1
status=$?
cat "$out" >&2
line=$(grep -E '^ *[0-9]+ generated' "$out" | tail -n 1)
rm -rf "$out" "$scratch"
cases=$(echo "$line" | grep -oE '^ *[0-9]+' | tr -d ' ')
failed=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)
[ -z "$cases" ] && { echo "schemathesis: 0 cases, 1 failed (no summary, status $status)"; exit 1; }
[ "$status" -ne 0 ] && [ -z "$failed" ] && failed=1
echo "schemathesis: $cases cases, ${failed:-0} failed"
[ "$status" -eq 0 ]
