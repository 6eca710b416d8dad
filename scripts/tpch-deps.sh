#!/usr/bin/env bash
# DuckDB with its tpch extension for the TPC-H benchmark's generator (bench/tpch/gen.py), in a venv
# outside the clone so that a second run reuses it:
#   scripts/tpch-deps.sh      create or reuse the venv; prints its python on the last line
# Installs bench/tpch/requirements.txt from PyPI (duckdb and duckdb-extension-tpch at the same version).
# Environment:
#   FLOE_TPCH_VENV   the venv (default: $HOME/.cache/floe/tpch-venv)
#   FLOE_PIP_CACHE   pip's cache (default: $HOME/.cache/floe/pip)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requirements="$root/bench/tpch/requirements.txt"
cache=${FLOE_CACHE:-$HOME/.cache/floe}
venv=${FLOE_TPCH_VENV:-$cache/tpch-venv}
pip_cache=${FLOE_PIP_CACHE:-$cache/pip}
mkdir -p "$cache" "$pip_cache"

command -v python3 >/dev/null || { echo "tpch-deps: python3 not found" >&2; exit 1; }

exec 9>"$cache/.tpch-deps.lock"
command -v flock >/dev/null && flock 9

sum=$(sha256sum "$requirements" | cut -c1-16)
stamp="$venv/.floe-requirements-$sum"
if [ -f "$stamp" ] && "$venv/bin/python" -c 'import duckdb, duckdb_extension_tpch' 2>/dev/null; then
  echo "tpch-deps: venv ready in $venv" >&2
else
  rm -rf "$venv"
  echo "tpch-deps: creating $venv (duckdb and its tpch extension) …" >&2
  python3 -m venv "$venv" >&2 || {
    echo "tpch-deps: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2
    rm -rf "$venv"
    exit 1
  }
  if ! PIP_CACHE_DIR="$pip_cache" "$venv/bin/pip" install --disable-pip-version-check -q -r "$requirements" \
    >"$cache/.tpch-pip.log" 2>&1; then
    cat "$cache/.tpch-pip.log" >&2
    echo "tpch-deps: pip install failed" >&2
    rm -rf "$venv"
    exit 1
  fi
  touch "$stamp"
fi
echo "$venv/bin/python"
