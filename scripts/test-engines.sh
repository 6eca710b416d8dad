#!/usr/bin/env bash
# Real engines against a running `floe serve`, each reading what another wrote:
#
#   scripts/test-engines.sh NAME BASE_URL WAREHOUSE [STORE]
#
# BASE_URL is the server (http://127.0.0.1:PORT); WAREHOUSE a local directory, or `s3`: a fresh prefix
# in the bucket floe-test of the S3 server named by FLOE_TEST_S3_ENDPOINT, FLOE_TEST_S3_ACCESS_KEY and
# FLOE_TEST_S3_SECRET_KEY — without them, of a private one (scripts/s3.sh) for the run.
# Run by scripts/test-interop.sh once per backend:
#   1. Spark 3.5 with NessieCatalog + the Nessie SQL extensions (interop/spark/nessie.py write), then
#      over Iceberg REST (interop/spark/rest.py write; the server's own warehouse and storage settings);
#   2. with an s3:// warehouse: a single-node Trino 476 (interop/trino/server.sh) with a catalog of
#      iceberg.catalog.type=nessie and one of =rest reads Spark's tables, runs CREATE TABLE AS and
#      INSERT (interop/trino/check.py), and Spark reads those back (read-trino);
#   3. DuckDB's iceberg extension over REST reads Spark's and pyiceberg's tables and inserts
#      (interop/duckdb/check.py);
#   4. floe SQL (`floe sql` on the server's catalog STORE) and Spark over REST, then pyiceberg, each
#      reading what the other wrote (interop/floe-sql/check.py; needs STORE).
# REST checks run when the server answers /iceberg/v1/config. Engines are installed by
# scripts/spark-deps.sh, scripts/trino-deps.sh and scripts/duckdb-deps.sh (cached in ~/.cache/floe).
# Prints each check, and last "engines-NAME: N passed, N failed"; exits non-zero if anything failed.
# Environment:
#   FLOE_ENGINES        engines to run (default "spark trino duckdb floe-sql"; trino needs an s3:// warehouse)
#   FLOE_ENGINES_WORK   a directory for logs and Trino's files (default: a temp dir, removed after)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

name=$1 base=$2 warehouse=$3 store=${4:-}
nessie_uri="$base/api/v2"
say() { printf '[engines %s %s] %s\n' "$name" "$(date +%H:%M:%S)" "$*"; }

work=${FLOE_ENGINES_WORK:-}
own_work=0
if [ -z "$work" ]; then
  work=$(mktemp -d /tmp/floe-engines.XXXXXX)
  own_work=1
else
  mkdir -p "$work"
fi
trino_dir=""
s3_dir=""
cleanup() {
  local status=$?
  [ -n "$trino_dir" ] && bash interop/trino/server.sh stop "$trino_dir"
  [ -n "$s3_dir" ] && bash scripts/s3.sh stop "$s3_dir"
  [ $own_work = 1 ] && rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0 failed=0

# Runs one check script; its last line "SUITE: N passed, N failed" is added to the totals.
run_suite() { # label command...
  local label=$1 out="$work/$1.out" err="$work/$1.err" status line p f
  shift
  say "$label"
  timeout 1200 "$@" >"$out" 2>"$err"
  status=$?
  sed 's/^/    /' "$out"
  line=$(grep -a -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
  if [ -n "$line" ]; then
    read -r p f < <(echo "$line" | sed -E 's/^[a-z-]+: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -gt 0 ] && { say "$label: Java/Python errors (also $err):"; grep -a -E '^(: )?[a-zA-Z.]+(Exception|Error)' "$err" | sort | uniq -c | head -n 20 | sed 's/^/    /'; }
  else
    failed=$((failed + 1))
    say "$label: no summary line (status $status); last lines of its stderr:"
    tail -n 40 "$err" | sed 's/^/    /'
  fi
  return $status
}

if [ "$warehouse" = s3 ]; then
  if [ -z "${FLOE_TEST_S3_ENDPOINT:-}" ]; then
    s3_dir="$work/s3"
    say "S3: starting a private SeaweedFS server (scripts/s3.sh start $s3_dir)"
    s3_line=$(bash scripts/s3.sh start "$s3_dir") || { echo "engines-$name: 0 passed, 1 failed"; exit 1; }
    read -r FLOE_TEST_S3_ENDPOINT FLOE_TEST_S3_ACCESS_KEY FLOE_TEST_S3_SECRET_KEY <<<"$s3_line"
  fi
  export FLOE_S3_ENDPOINT=$FLOE_TEST_S3_ENDPOINT FLOE_S3_ACCESS_KEY=$FLOE_TEST_S3_ACCESS_KEY \
    FLOE_S3_SECRET_KEY=$FLOE_TEST_S3_SECRET_KEY
  warehouse="s3://floe-test/engines-$name-$(date +%s)-$$"
else
  mkdir -p "$warehouse"
fi
say "warehouse: $warehouse"
export FLOE_NESSIE_URI=$nessie_uri FLOE_WAREHOUSE=$warehouse

engines=${FLOE_ENGINES:-spark trino duckdb floe-sql}
has() { [[ " $engines " == *" $1 "* ]]; }
rest_uri="$base/iceberg/main"
rest=0
if curl -fsS -o /dev/null --max-time 10 "$base/iceberg/v1/config"; then
  rest=1
else
  say "the server answers no Iceberg REST API (/iceberg/v1/config): REST checks skipped"
fi

spark_ok=0 spark_rest_ok=0
if has spark; then
  say "Spark: installing (scripts/spark-deps.sh)"
  if spark_line=$(bash scripts/spark-deps.sh | tail -n 1); then
    read -r spark_python FLOE_SPARK_JARS <<<"$spark_line"
    export FLOE_SPARK_JARS
    run_suite spark-nessie "$spark_python" interop/spark/nessie.py write && spark_ok=1
    if [ $rest = 1 ]; then
      FLOE_REST_URI=$rest_uri FLOE_NESSIE_TABLES=$spark_ok run_suite spark-rest "$spark_python" interop/spark/rest.py write &&
        spark_rest_ok=1
    fi
  else
    failed=$((failed + 1))
    say "Spark: FAILED to install"
  fi
fi

if has trino; then
  if [[ "$warehouse" != s3://* ]]; then
    say "Trino: skipped (runs with the s3:// warehouse of the PostgreSQL backend)"
  elif [ $spark_ok = 0 ]; then
    failed=$((failed + 1))
    say "Trino: not run, it reads what Spark wrote and Spark failed"
  elif ! trino_line=$(bash scripts/trino-deps.sh | tail -n 1); then
    failed=$((failed + 1))
    say "Trino: FAILED to install (scripts/trino-deps.sh)"
  else
    read -r trino_java _ trino_cli <<<"$trino_line"
    trino_dir="$work/trino"
    trino_rest_uri=""
    [ $spark_rest_ok = 1 ] && trino_rest_uri="$base/iceberg"
    say "Trino: starting a single-node server (interop/trino/server.sh, log: $trino_dir/server.log)"
    if trino_url=$(bash interop/trino/server.sh start "$trino_dir" "$nessie_uri" "$warehouse" "$trino_rest_uri" | tail -n 1); then
      say "Trino: ready at $trino_url"
      run_suite trino-nessie python3 interop/trino/check.py "$trino_url" "$trino_java" "$trino_cli" nessie interop &&
        run_suite spark-nessie-reads-trino "$spark_python" interop/spark/nessie.py read-trino
      if [ -n "$trino_rest_uri" ]; then
        run_suite trino-rest python3 interop/trino/check.py "$trino_url" "$trino_java" "$trino_cli" rest spark_rest &&
          FLOE_REST_URI=$rest_uri run_suite spark-rest-reads-trino "$spark_python" interop/spark/rest.py read-trino
        # floe doctor's Trino check (/v1/info, SHOW SCHEMAS IN iceberg) against this Trino
        run_suite trino-doctor node --import tsx interop/trino/doctor.ts "$trino_url" "$base"
      fi
      bash interop/trino/server.sh stop "$trino_dir"
      trino_dir=""
    else
      failed=$((failed + 1))
      say "Trino: FAILED to start"
    fi
  fi
fi

if has duckdb && [ $rest = 1 ]; then
  if [ $spark_rest_ok = 0 ]; then
    failed=$((failed + 1))
    say "DuckDB: not run, it reads what Spark wrote over REST and that failed"
  elif ! duckdb_python=$(bash scripts/duckdb-deps.sh | tail -n 1); then
    failed=$((failed + 1))
    say "DuckDB: FAILED to install (scripts/duckdb-deps.sh)"
  else
    FLOE_REST_URI=$rest_uri run_suite duckdb "$duckdb_python" interop/duckdb/check.py
  fi
fi

if has floe-sql && [ $rest = 1 ] && [ -n "$store" ]; then
  if [ -z "${spark_python:-}" ] && spark_line=$(bash scripts/spark-deps.sh | tail -n 1); then
    read -r spark_python FLOE_SPARK_JARS <<<"$spark_line"
    export FLOE_SPARK_JARS
  fi
  export FLOE_SQL_STORE=$store FLOE_SQL_URI=$base FLOE_REST_URI=$rest_uri
  if [ -n "${spark_python:-}" ]; then
    run_suite floe-sql-spark "$spark_python" interop/floe-sql/check.py spark
  else
    failed=$((failed + 1))
    say "floe SQL with Spark: not run, Spark did not install"
  fi
  if py_python=$(bash scripts/python-deps.sh | tail -n 1); then
    run_suite floe-sql-pyiceberg "$py_python" interop/floe-sql/check.py pyiceberg
  else
    failed=$((failed + 1))
    say "floe SQL with pyiceberg: not run, pyiceberg did not install (scripts/python-deps.sh)"
  fi
fi

echo "engines-$name: $passed passed, $failed failed"
[ $failed -eq 0 ]
