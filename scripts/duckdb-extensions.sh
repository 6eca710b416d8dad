#!/usr/bin/env bash
# A DuckDB extension directory for floe's SQL engine, for machines that cannot reach DuckDB's extension
# site: the extensions PyPI ships as packages (duckdb-extension-httpfs, …, installed into the venv of
# scripts/duckdb-deps.sh) laid out as DuckDB looks for them, <dir>/<version>/<platform>/<name>.duckdb_extension.
#   scripts/duckdb-extensions.sh      fill (or reuse) the directory; prints it on the last line
# Point floe at it with `sql.extension-directory` (FLOE_SQL_EXTENSION_DIRECTORY). The packages' DuckDB
# version must be the one @duckdb/node-api bundles (package.json pins both to the same release).
# Environment:
#   FLOE_DUCKDB_EXTENSIONS   the directory (default: $HOME/.cache/floe/duckdb-extensions)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${FLOE_CACHE:-$HOME/.cache/floe}
dir=${FLOE_DUCKDB_EXTENSIONS:-$cache/duckdb-extensions}

python=$(bash "$root/scripts/duckdb-deps.sh" | tail -n 1)
# version and platform from the venv's DuckDB, the extension files from its packages
read -r version platform < <("$python" -c '
import duckdb
print(duckdb.__version__ if duckdb.__version__.startswith("v") else "v" + duckdb.__version__,
      duckdb.execute("PRAGMA platform").fetchone()[0])')
target="$dir/$version/$platform"
mkdir -p "$target"
site=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
count=0
for f in "$site"/duckdb_extension_*/extensions/"$version"/*.duckdb_extension; do
  [ -e "$f" ] || continue
  name=$(basename "$f")
  if ! cmp -s "$f" "$target/$name"; then
    cp "$f" "$target/.$name.tmp" && mv "$target/.$name.tmp" "$target/$name"
  fi
  count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "duckdb-extensions: no extension packages for DuckDB $version in $site" >&2; exit 1; }
expected=$(node -p 'require(process.argv[1] + "/node_modules/@duckdb/node-api/package.json").version' "$root" 2>/dev/null || true)
case "$expected" in
  "${version#v}"-* | "${version#v}" | "") ;;
  *) echo "duckdb-extensions: warning: @duckdb/node-api is $expected, the extensions are for DuckDB $version" >&2 ;;
esac
echo "duckdb-extensions: $count extensions for DuckDB $version ($platform) in $target" >&2
echo "$dir"
