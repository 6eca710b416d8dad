#!/usr/bin/env bash
# Spark 3.5 for the engine interop checks (interop/spark), kept outside the clone so that a second
# run — and CI's fresh clone — reuses it:
#   scripts/spark-deps.sh      create or reuse the venv and the jars; prints "PYTHON JARS" on the
#                              last line (JARS comma-separated, for spark.jars)
# What it installs:
#   - a Python venv with pyspark (PyPI; it bundles Spark itself), pinned in interop/spark/requirements.txt;
#   - from Maven Central (mvn dependency:get into the floe Maven cache, then copied into one folder):
#     iceberg-spark-runtime-3.5_2.12 and iceberg-aws-bundle (S3FileIO) at ICEBERG_VERSION, and the
#     Nessie Spark SQL extensions nessie-spark-extensions-3.5_2.12 at NESSIE_EXT_VERSION (the newest
#     version of that artifact Maven Central serves here).
# Java 17 (the default JDK here) runs Spark 3.5 and Iceberg 1.11 (the last Iceberg release floe up names for NessieCatalog, src/cli/snippets.ts).
# Environment:
#   FLOE_SPARK_VENV   the venv (default: $HOME/.cache/floe/spark-venv)
#   FLOE_M2_REPO      the Maven repository (default: $HOME/.cache/floe/m2)
#   FLOE_PIP_CACHE    pip's cache (default: $HOME/.cache/floe/pip)
set -euo pipefail

ICEBERG_VERSION=1.11.0
NESSIE_EXT_VERSION=0.99.0

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
requirements="$root/interop/spark/requirements.txt"
cache=${FLOE_CACHE:-$HOME/.cache/floe}
venv=${FLOE_SPARK_VENV:-$cache/spark-venv}
repo=${FLOE_M2_REPO:-$cache/m2}
pip_cache=${FLOE_PIP_CACHE:-$cache/pip}
jars="$cache/spark-jars/iceberg-$ICEBERG_VERSION-nessie-$NESSIE_EXT_VERSION"
mkdir -p "$cache" "$repo" "$pip_cache"

command -v python3 >/dev/null || { echo "spark-deps: python3 not found" >&2; exit 1; }
command -v java >/dev/null || { echo "spark-deps: java not found (install Debian's default-jdk-headless)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "spark-deps: mvn not found (install Debian's maven)" >&2; exit 1; }

# one run at a time (the interop suite and a developer may start it together)
exec 9>"$cache/.spark-deps.lock"
command -v flock >/dev/null && flock 9

sum=$(sha256sum "$requirements" | cut -c1-16)
stamp="$venv/.floe-requirements-$sum"
if [ -f "$stamp" ] && "$venv/bin/python" -c 'import pyspark' 2>/dev/null; then
  echo "spark-deps: venv ready in $venv" >&2
else
  started=$SECONDS
  rm -rf "$venv"
  echo "spark-deps: creating $venv (pyspark) …" >&2
  python3 -m venv "$venv" >&2 || {
    echo "spark-deps: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2
    rm -rf "$venv"
    exit 1
  }
  if ! PIP_CACHE_DIR="$pip_cache" "$venv/bin/pip" install --disable-pip-version-check -q -r "$requirements" \
    >"$cache/.spark-pip.log" 2>&1; then
    cat "$cache/.spark-pip.log" >&2
    echo "spark-deps: pip install failed" >&2
    rm -rf "$venv"
    exit 1
  fi
  touch "$stamp"
  echo "spark-deps: venv installed in $((SECONDS - started)) s" >&2
fi

artifacts=(
  "org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:$ICEBERG_VERSION"
  "org.apache.iceberg:iceberg-aws-bundle:$ICEBERG_VERSION"
  "org.projectnessie.nessie-integrations:nessie-spark-extensions-3.5_2.12:$NESSIE_EXT_VERSION"
)
if [ ! -f "$jars/.complete" ]; then
  started=$SECONDS
  rm -rf "$jars"
  mkdir -p "$jars"
  for a in "${artifacts[@]}"; do
    echo "spark-deps: fetching $a" >&2
    if ! mvn -B -q "-Dmaven.repo.local=$repo" dependency:copy "-Dartifact=$a" "-DoutputDirectory=$jars" \
      >"$cache/.spark-mvn.log" 2>&1; then
      cat "$cache/.spark-mvn.log" >&2
      echo "spark-deps: could not fetch $a" >&2
      rm -rf "$jars"
      exit 1
    fi
  done
  touch "$jars/.complete"
  echo "spark-deps: jars in $jars ($((SECONDS - started)) s)" >&2
else
  echo "spark-deps: jars ready in $jars" >&2
fi

list=$(find "$jars" -maxdepth 1 -name '*.jar' | sort | paste -sd, -)
echo "$venv/bin/python $list"
