#!/usr/bin/env bash
# DuckDB with its iceberg extension for the engine interop checks (interop/duckdb), in a venv outside the
# clone so that a second run — and CI's fresh clone — reuses it:
#   scripts/duckdb-deps.sh      create or reuse the venv; prints its python on the last line
# Installs interop/duckdb/requirements.txt from PyPI: duckdb and the duckdb-extension-iceberg, -avro and
# -httpfs packages at DuckDB's exact version (the check LOADs them from the installed packages, so nothing
# is fetched from DuckDB's extension site), and pyiceberg to write a table for DuckDB to read.
# Environment:
#   FLOE_DUCKDB_VENV   the venv (default: $HOME/.cache/floe/duckdb-venv)
#   FLOE_PIP_CACHE     pip's cache (default: $HOME/.cache/floe/pip)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requirements="$root/interop/duckdb/requirements.txt"
cache=${FLOE_CACHE:-$HOME/.cache/floe}
venv=${FLOE_DUCKDB_VENV:-$cache/duckdb-venv}
pip_cache=${FLOE_PIP_CACHE:-$cache/pip}
mkdir -p "$cache" "$pip_cache"

command -v python3 >/dev/null || { echo "duckdb-deps: python3 not found" >&2; exit 1; }

exec 9>"$cache/.duckdb-deps.lock"
command -v flock >/dev/null && flock 9

sum=$(sha256sum "$requirements" | cut -c1-16)
stamp="$venv/.floe-requirements-$sum"
if [ -f "$stamp" ] && "$venv/bin/python" -c 'import duckdb, duckdb_extension_iceberg, pyiceberg' 2>/dev/null; then
  echo "duckdb-deps: venv ready in $venv" >&2
else
  started=$SECONDS
  rm -rf "$venv"
  echo "duckdb-deps: creating $venv (duckdb, its iceberg extension, pyiceberg) …" >&2
  python3 -m venv "$venv" >&2 || {
    echo "duckdb-deps: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2
    rm -rf "$venv"
    exit 1
  }
  if ! PIP_CACHE_DIR="$pip_cache" "$venv/bin/pip" install --disable-pip-version-check -q -r "$requirements" \
    >"$cache/.duckdb-pip.log" 2>&1; then
    cat "$cache/.duckdb-pip.log" >&2
    echo "duckdb-deps: pip install failed" >&2
    rm -rf "$venv"
    exit 1
  fi
  touch "$stamp"
  echo "duckdb-deps: venv installed in $((SECONDS - started)) s" >&2
fi
echo "$venv/bin/python"
