#!/usr/bin/env bash
# The interop suite: real clients against a real `floe serve`, once per metadata-store backend.
#
#   scripts/test-interop.sh
#
# For each backend — PGlite (a temp dir) and PostgreSQL (a fresh database on FLOE_TEST_PG_URL's
# server, or on a private server started with scripts/pg.sh) — starts `node bin/floe.js serve` on a
# free port, waits for /readyz, runs the Nessie Java client tests (interop/nessie-java) against
# /api/v2 and pyiceberg over /iceberg (interop/pyiceberg-rest; warehouse: a local directory on PGlite,
# the S3 server of FLOE_TEST_S3_* or a private SeaweedFS on PostgreSQL) — on PGlite once with each of the client's JDK HTTP clients (java.net.http, the default,
# and HttpURLConnection), on PostgreSQL with the default — then the real engines (scripts/test-engines.sh:
# Spark, and on PostgreSQL with the S3 warehouse Trino) — and stops the server. First, without a
# server, the pyiceberg cross-check (interop/pyiceberg, venv from scripts/python-deps.sh) and Iceberg's REST Compatibility Kit
# (interop/rck, its own server). Exits non-zero if anything failed; the last line is the total,
# "interop: N passed, N failed, N skipped".
#
# Environment:
#   FLOE_TEST_PG_URL          an existing PostgreSQL server to create the test database on
#   FLOE_INTEROP_BACKENDS     backends to run (default "pglite postgres")
#   FLOE_INTEROP_KEEP=1       keep the work dir (server logs, Surefire reports) after the run
#   FLOE_M2_REPO              Maven repository (default $HOME/.cache/floe/m2), see scripts/java-deps.sh
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { printf '[interop %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

work=$(mktemp -d /tmp/floe-interop.XXXXXX)
server_pid=""
serve_args=()
pg_dir=""
pg_url_base=""
created_dbs=()

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      say "server $server_pid did not stop on TERM within 10 s; killing it"
      kill -KILL "$server_pid" 2>/dev/null
    fi
    wait "$server_pid" 2>/dev/null
  fi
  server_pid=""
}

cleanup() {
  local status=$?
  stop_server
  if [ -n "$pg_url_base" ]; then
    for db in "${created_dbs[@]}"; do
      pg_admin "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
  [ -n "$s3_dir" ] && { bash scripts/s3.sh stop "$s3_dir" || true; }
  if [ -n "$pg_dir" ]; then
    bash scripts/pg.sh stop "$pg_dir" || true
    rm -rf "$pg_dir"
  fi
  if [ "${FLOE_INTEROP_KEEP:-}" = 1 ]; then
    say "work dir kept: $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Runs one SQL statement on the maintenance database of pg_url_base's server.
pg_admin() {
  PG_URL="$pg_url_base" SQL="$1" node --input-type=module -e '
    import pg from "pg";
    const c = new pg.Client({ connectionString: process.env.PG_URL });
    await c.connect();
    try { await c.query(process.env.SQL); } finally { await c.end(); }
  '
}

# Prints pg_url_base with its database replaced.
pg_url_for() {
  PG_URL="$pg_url_base" DB="$1" node -e '
    const u = new URL(process.env.PG_URL); u.pathname = "/" + process.env.DB; console.log(u.toString());
  '
}

start_server() { # name store [extra floe serve args: serve_args]
  local name=$1 store=$2
  port=$(free_port)
  local log="$work/server-$name.log"
  say "$name: starting floe serve --store $store on 127.0.0.1:$port (log: $log)"
  node bin/floe.js serve --store "$store" --host 127.0.0.1 --port "$port" "${serve_args[@]}" >"$log" 2>&1 &
  server_pid=$!
  local deadline=$((SECONDS + 120))
  until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      wait "$server_pid" 2>/dev/null
      say "$name: floe serve exited (status $?) before it was ready; last lines of its log:"
      tail -n 40 "$log" | sed 's/^/    /'
      server_pid=""
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      say "$name: floe serve not ready after 120 s; last lines of its log:"
      tail -n 40 "$log" | sed 's/^/    /'
      return 1
    fi
    sleep 0.3
  done
  say "$name: ready at http://127.0.0.1:$port (pid $server_pid)"
}

total_passed=0 total_failed=0 total_skipped=0
results=()

# Runs the Nessie Java client tests against the server; adds Surefire's counts to the totals.
run_java() { # name [extra mvn args]
  local name=$1 uri="http://127.0.0.1:$port/api/v2"
  shift
  local out="$work/java-$name.log"
  say "$name: Nessie Java client tests against $uri"
  # progress: one line per test class
  NESSIE_URI="$uri" timeout 1200 "${mvn_cmd[@]}" test "-DNESSIE_URI=$uri" "$@" 2>&1 | tee "$out" |
    grep -a --line-buffered -E 'Tests run: .* -- in ' | sed -E 's/^\[[A-Z]+\] /    /'
  local status=${PIPESTATUS[0]}
  cp -r interop/nessie-java/target/surefire-reports "$work/surefire-$name" 2>/dev/null
  # Surefire's summary: the last "Tests run: N, Failures: F, Errors: E, Skipped: S" without " -- in"
  local summary
  summary=$(grep -a -E 'Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$' "$out" | tail -n 1)
  if [ -n "$summary" ]; then
    local n f e s
    read -r n f e s < <(echo "$summary" | sed -E 's/.*Tests run: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+), Skipped: ([0-9]+).*/\1 \2 \3 \4/')
    total_passed=$((total_passed + n - f - e - s))
    total_failed=$((total_failed + f + e))
    total_skipped=$((total_skipped + s))
    results+=("$name: $((n - f - e - s)) passed, $((f + e)) failed, $s skipped")
    if [ $((f + e)) -gt 0 ]; then
      say "$name: failures (full output: $out, reports: $work/surefire-$name):"
      # Surefire's "Results:" section: one entry per failed test with its message
      sed -n '/^\[INFO\] Results:/,/^\[.*\] Tests run: [0-9]*, Failures/p' "$out" |
        grep -a -v -E '^\[(INFO|ERROR)\] *$' | sed 's/^/    /'
    fi
  else
    total_failed=$((total_failed + 1))
    results+=("$name: no test summary (build or run failed, status $status)")
    say "$name: no Surefire summary; last lines of $out:"
    tail -n 40 "$out" | sed 's/^/    /'
  fi
  if [ "$status" -ne 0 ]; then
    say "$name: FAILED (mvn status $status)"
    return 1
  fi
  say "$name: ok"
}

# Real engines against the running server (scripts/test-engines.sh: Spark with NessieCatalog, and
# with the S3 warehouse Trino); its last line "engines-NAME: N passed, N failed" is added to the totals.
run_engines() { # name warehouse (a directory, or "s3") store
  local name=$1 out="$work/engines-$1.log" line p f
  FLOE_ENGINES_WORK="$work/engines-$name" bash scripts/test-engines.sh "$name" "http://127.0.0.1:$port" "$2" "$3" 2>&1 | tee "$out"
  line=$(grep -a -E '^engines-[a-z]+: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
  if [ -z "$line" ]; then
    total_failed=$((total_failed + 1))
    results+=("engines-$name: no summary")
    return 1
  fi
  read -r p f < <(echo "$line" | sed -E 's/^[^:]+: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  results+=("$line")
  [ "$f" -eq 0 ]
}

# Starts a server on the store, runs the Java tests once per HTTP client given, stops the server.
# Clients: JavaHttp (the Nessie client's default on Java 11+: java.net.http) and URLConnection.
run_backend() { # name store client...
  local name=$1 store=$2 ok=0 client
  shift 2
  if start_server "$name" "$store"; then
    run_pyiceberg_rest "$name" || ok=1
    for client in "$@"; do
      case "$client" in
        JavaHttp) run_java "$name" || ok=1 ;;
        *) run_java "$name-$client" "-Dnessie.client-builder-name=$client" || ok=1 ;;
      esac
    done
    # the engines: PGlite with a local warehouse, PostgreSQL with the S3 one
    if [ "$name" = pglite ]; then run_engines "$name" "$work/warehouse-$name" "$store" || ok=1; else run_engines "$name" s3 "$store" || ok=1; fi
    # last: schemathesis fills main with generated namespaces and tables the checks above would see
    if [ "$name" = pglite ]; then run_schemathesis "$name" || ok=1; fi
  else
    ok=1
    total_failed=$((total_failed + 1))
    results+=("$name: server did not start")
  fi
  stop_server
  return $ok
}

# The pyiceberg cross-check (interop/pyiceberg/check.py): no server; tables written by floe read by
# pyiceberg and the other way. Its last line is "pyiceberg: N passed, N failed"; adds them to the totals.
py_failed=0
run_pyiceberg() {
  local out="$work/pyiceberg.log" python status line
  say "pyiceberg: Python venv (scripts/python-deps.sh, ${FLOE_VENV:-$HOME/.cache/floe/venv})"
  if ! python=$(bash scripts/python-deps.sh | tail -n 1); then
    total_failed=$((total_failed + 1))
    results+=("pyiceberg: venv not installed (scripts/python-deps.sh failed)")
    say "pyiceberg: FAILED to install the venv"
    return 1
  fi
  say "pyiceberg: cross-check (interop/pyiceberg/check.py)"
  timeout 600 "$python" interop/pyiceberg/check.py >"$out" 2>"$work/pyiceberg.err"
  status=$?
  sed 's/^/    /' "$out"
  line=$(grep -a -E '^pyiceberg: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
  if [ -n "$line" ]; then
    local p f
    read -r p f < <(echo "$line" | sed -E 's/^pyiceberg: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
    results+=("pyiceberg: $p passed, $f failed")
    [ "$f" -gt 0 ] && { say "pyiceberg: stderr (also $work/pyiceberg.err):"; tail -n 40 "$work/pyiceberg.err" | sed 's/^/    /'; }
  else
    total_failed=$((total_failed + 1))
    results+=("pyiceberg: no summary (check.py status $status)")
    say "pyiceberg: no summary line; last lines of its stderr:"
    tail -n 40 "$work/pyiceberg.err" | sed 's/^/    /'
  fi
  if [ "$status" -ne 0 ]; then
    say "pyiceberg: FAILED (status $status)"
    return 1
  fi
  say "pyiceberg: ok"
}
run_pyiceberg || py_failed=1

# Iceberg's REST Compatibility Kit (interop/rck/run.sh: its own floe serve on PGlite with a local
# warehouse); its last line "rck: N passed, N failed, N skipped" is added to the totals.
run_rck() {
  local out="$work/rck.log" line p f s
  say "rck: Iceberg's REST Compatibility Kit (interop/rck/run.sh)"
  timeout 2400 bash interop/rck/run.sh >"$out" 2>"$out.err"
  line=$(grep -a -E '^rck: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out" | tail -n 1)
  if [ -z "$line" ]; then
    total_failed=$((total_failed + 1))
    results+=("rck: no summary")
    tail -n 40 "$out.err" | sed 's/^/    /'
    return 1
  fi
  read -r p f s < <(echo "$line" | sed -E 's/^rck: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
  total_passed=$((total_passed + p)) total_failed=$((total_failed + f)) total_skipped=$((total_skipped + s))
  results+=("$line")
  say "  $line"
  [ "$f" -eq 0 ] || { grep -a -E '✘|=> ' "$out.err" | head -n 60 | sed 's/^/    /'; return 1; }
}
run_rck || py_failed=1

# schemathesis from the Iceberg REST OpenAPI spec against the running server: no 5xx (interop/schemathesis).
run_schemathesis() { # name
  local name=$1 out="$work/schemathesis-$1.log" line
  say "$name: schemathesis over the Iceberg REST OpenAPI spec (interop/schemathesis/run.sh)"
  timeout 600 bash interop/schemathesis/run.sh "http://127.0.0.1:$port" >"$out" 2>"$out.err"
  line=$(tail -n 1 "$out")
  say "  $line"
  results+=("$name $line")
  if ! echo "$line" | grep -qE '^schemathesis: [0-9]+ cases, 0 failed$'; then
    total_failed=$((total_failed + 1))
    tail -n 60 "$out.err" | sed 's/^/    /'
    return 1
  fi
  total_passed=$((total_passed + 1))
}

# pyiceberg over floe's Iceberg REST API (interop/pyiceberg-rest/check.py) against the running server.
run_pyiceberg_rest() { # name
  local name=$1 out="$work/pyiceberg-rest-$1.log" python line p f
  python=$(bash scripts/python-deps.sh 2>/dev/null | tail -n 1) || python=""
  say "$name: pyiceberg over REST (interop/pyiceberg-rest/check.py)"
  [ -n "$python" ] && timeout 900 "$python" interop/pyiceberg-rest/check.py "http://127.0.0.1:$port" \
    >"$out" 2>"$out.err"
  sed 's/^/    /' "$out" 2>/dev/null
  line=$(grep -a -E '^pyiceberg-rest: [0-9]+ passed, [0-9]+ failed$' "$out" 2>/dev/null | tail -n 1)
  if [ -z "$line" ]; then
    total_failed=$((total_failed + 1))
    results+=("$name pyiceberg-rest: no summary")
    tail -n 40 "$out.err" 2>/dev/null | sed 's/^/    /'
    return 1
  fi
  read -r p f < <(echo "$line" | sed -E 's/^pyiceberg-rest: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  results+=("$name pyiceberg-rest: $p passed, $f failed")
  [ "$f" -eq 0 ] || { tail -n 40 "$out.err" | sed 's/^/    /'; return 1; }
}

# The warehouse of each backend: a local directory for PGlite, the S3 server for PostgreSQL
# (FLOE_TEST_S3_* or a private SeaweedFS from scripts/s3.sh).
s3_dir=""
s3_serve_args() {
  local ep=${FLOE_TEST_S3_ENDPOINT:-} ak=${FLOE_TEST_S3_ACCESS_KEY:-} sk=${FLOE_TEST_S3_SECRET_KEY:-}
  if [ -z "$ep" ]; then
    s3_dir="$work/s3"
    read -r ep ak sk <<<"$(bash scripts/s3.sh start "$s3_dir")"
    [ -n "$ep" ] || return 1
    # the engines (scripts/test-engines.sh) use the same server
    export FLOE_TEST_S3_ENDPOINT=$ep FLOE_TEST_S3_ACCESS_KEY=$ak FLOE_TEST_S3_SECRET_KEY=$sk
  fi
  serve_args=(--warehouse "s3://${FLOE_TEST_S3_BUCKET:-floe-test}/interop-$$" --s3-endpoint "$ep"
    --s3-access-key-id "$ak" --s3-secret-access-key "$sk")
}

say "building the Java interop tests (Maven cache: ${FLOE_M2_REPO:-$HOME/.cache/floe/m2})"
mvn_line=$(bash scripts/java-deps.sh | tail -n 1) || {
  say "FAILED: could not build interop/nessie-java"
  echo "interop: $total_passed passed, $((total_failed + 1)) failed"
  exit 1
}
read -r -a mvn_cmd <<<"$mvn_line"

failed=$py_failed
for backend in ${FLOE_INTEROP_BACKENDS:-pglite postgres}; do
  case "$backend" in
    pglite)
      mkdir -p "$work/pglite"
      serve_args=(--warehouse "$work/pglite-warehouse")
      run_backend pglite "pglite:$work/pglite" JavaHttp URLConnection || failed=1
      ;;
    postgres)
      if [ -n "${FLOE_TEST_PG_URL:-}" ]; then
        pg_url_base=$FLOE_TEST_PG_URL
        say "postgres: using the server of FLOE_TEST_PG_URL"
      else
        pg_dir=$(mktemp -d /tmp/floe-interop-pg.XXXXXX)
        say "postgres: starting a private PostgreSQL (scripts/pg.sh start $pg_dir)"
        if ! pg_url_base=$(bash scripts/pg.sh start "$pg_dir"); then
          say "postgres: FAILED to start PostgreSQL"
          failed=1
          results+=("postgres: PostgreSQL did not start")
          total_failed=$((total_failed + 1))
          continue
        fi
      fi
      db="floe_interop_$(date +%s)_$$"
      if ! pg_admin "CREATE DATABASE \"$db\""; then
        say "postgres: FAILED to create database $db"
        failed=1
        results+=("postgres: could not create a database")
        total_failed=$((total_failed + 1))
        continue
      fi
      created_dbs+=("$db")
      s3_serve_args || { say "postgres: FAILED to start SeaweedFS"; failed=1; }
      run_backend postgres "$(pg_url_for "$db")" JavaHttp || failed=1
      ;;
    *)
      say "unknown backend '$backend' (known: pglite postgres)"
      failed=1
      ;;
  esac
done

say "results:"
for r in "${results[@]}"; do say "  $r"; done
[ $total_failed -gt 0 ] && failed=1
if [ $failed -ne 0 ]; then say "FAILED"; else say "all backends passed"; fi
echo "interop: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit $failed
