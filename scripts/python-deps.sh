#!/usr/bin/env bash
# The Python venv of the pyiceberg cross-check (interop/pyiceberg), kept outside the clone so that a
# second run — and CI's fresh clone — reuses it:
#   scripts/python-deps.sh        create or update the venv; prints its python on the last line
# The venv is rebuilt only when interop/pyiceberg/requirements.txt or constraints.txt (every package
# pinned) changes (a stamp holds their hash);
# pip's wheels are cached in $FLOE_PIP_CACHE, so a rebuilt venv installs without downloading.
# Environment:
#   FLOE_VENV        the venv (default: $HOME/.cache/floe/venv)
#   FLOE_PIP_CACHE   pip's cache (default: $HOME/.cache/floe/pip)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requirements="$root/interop/pyiceberg/requirements.txt"
constraints="$root/interop/pyiceberg/constraints.txt"
venv=${FLOE_VENV:-$HOME/.cache/floe/venv}
cache=${FLOE_PIP_CACHE:-$HOME/.cache/floe/pip}
mkdir -p "$(dirname "$venv")" "$cache"

command -v python3 >/dev/null || { echo "python-deps: python3 not found" >&2; exit 1; }

sum=$(cat "$requirements" "$constraints" | sha256sum | cut -c1-16)
stamp="$venv/.floe-requirements-$sum"

# one run at a time (the interop suite and a developer may start it together)
exec 9>"$(dirname "$venv")/.venv.lock"
command -v flock >/dev/null && flock 9

if [ -f "$stamp" ] && "$venv/bin/python" -c 'import pyiceberg, pyarrow, sqlalchemy, pyiceberg_core' 2>/dev/null; then
  echo "python-deps: venv ready in $venv" >&2
else
  started=$SECONDS
  rm -rf "$venv"
  echo "python-deps: creating $venv …" >&2
  if ! python3 -m venv "$venv" >&2; then
    echo "python-deps: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2
    rm -rf "$venv"
    exit 1
  fi
  if ! PIP_CACHE_DIR="$cache" "$venv/bin/pip" install --disable-pip-version-check -q -r "$requirements" -c "$constraints" \
    >"$venv/.pip.log" 2>&1; then
    cat "$venv/.pip.log" >&2
    echo "python-deps: pip install failed" >&2
    rm -rf "$venv"
    exit 1
  fi
  touch "$stamp"
  echo "python-deps: installed in $((SECONDS - started)) s" >&2
fi
echo "$venv/bin/python"
