#!/usr/bin/env bash
# The whole test suite, in one command:
#
#   bash scripts/test-all.sh        (also: npm run test:all)
#
# 1. `npm ci` if node_modules is missing or older than package-lock.json;
# 2. one private PostgreSQL server (scripts/pg.sh), exported as FLOE_TEST_PG_URL — unless
#    FLOE_TEST_PG_URL already names one;
# 3. one private S3 server (scripts/s3.sh, SeaweedFS), exported as FLOE_TEST_S3_ENDPOINT,
#    FLOE_TEST_S3_ACCESS_KEY and FLOE_TEST_S3_SECRET_KEY — unless FLOE_TEST_S3_ENDPOINT already names one;
# 4. `npx vitest run` (unit, property, contract and in-process server tests);
# 5. scripts/test-interop.sh (real clients against `floe serve` on PGlite and PostgreSQL).
# Stops PostgreSQL and S3 on exit; exits non-zero if anything failed. The last line is the total,
# "all: N passed, N failed, N skipped".
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { printf '\n[test-all %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

tmp=$(mktemp -d /tmp/floe-test-all.XXXXXX)
pg_dir=""
s3_dir=""
cleanup() {
  local status=$?
  if [ -n "$s3_dir" ]; then
    bash scripts/s3.sh stop "$s3_dir" || true
    rm -rf "$s3_dir"
  fi
  if [ -n "$pg_dir" ]; then
    bash scripts/pg.sh stop "$pg_dir" || true
    rm -rf "$pg_dir"
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node modules (npm ci)"
  npm ci --no-audit --no-fund || { say "FAILED: npm ci"; echo "all: 0 passed, 1 failed"; exit 1; }
fi

if [ -n "${FLOE_TEST_PG_URL:-}" ]; then
  say "PostgreSQL: using FLOE_TEST_PG_URL"
else
  pg_dir=$(mktemp -d /tmp/floe-test-pg.XXXXXX)
  say "PostgreSQL: starting a private server (scripts/pg.sh start $pg_dir)"
  if ! FLOE_TEST_PG_URL=$(bash scripts/pg.sh start "$pg_dir"); then
    say "FAILED: PostgreSQL did not start"
    echo "all: 0 passed, 1 failed"
    exit 1
  fi
  export FLOE_TEST_PG_URL
  say "PostgreSQL: $FLOE_TEST_PG_URL"
fi

if [ -n "${FLOE_TEST_S3_ENDPOINT:-}" ]; then
  say "S3: using FLOE_TEST_S3_ENDPOINT"
else
  s3_dir=$(mktemp -d /tmp/floe-test-s3.XXXXXX)
  say "S3: starting a private SeaweedFS server (scripts/s3.sh start $s3_dir)"
  if ! s3_line=$(bash scripts/s3.sh start "$s3_dir"); then
    say "FAILED: S3 server did not start"
    echo "all: 0 passed, 1 failed"
    exit 1
  fi
  read -r FLOE_TEST_S3_ENDPOINT FLOE_TEST_S3_ACCESS_KEY FLOE_TEST_S3_SECRET_KEY <<<"$s3_line"
  export FLOE_TEST_S3_ENDPOINT FLOE_TEST_S3_ACCESS_KEY FLOE_TEST_S3_SECRET_KEY
  say "S3: $FLOE_TEST_S3_ENDPOINT"
fi

failed=0

say "vitest"
vitest_started=$SECONDS
vitest_json="$tmp/vitest.json"
npx vitest run --reporter=default --reporter=json --outputFile.json="$vitest_json"
vitest_status=$?
[ $vitest_status -eq 0 ] || failed=1
read -r v_passed v_failed v_skipped < <(
  node -e '
    const fs = require("fs");
    try {
      const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
      console.log(r.numPassedTests, r.numFailedTests, skipped);
    } catch {
      console.log("0 0 0");
    }
  ' "$vitest_json"
)
# a failing run that reported no failed test (crash, failed suite, type error) still counts as one
if [ $vitest_status -ne 0 ] && [ "$v_failed" -eq 0 ]; then v_failed=1; fi
vitest_secs=$((SECONDS - vitest_started))

say "interop (scripts/test-interop.sh)"
interop_started=$SECONDS
interop_out="$tmp/interop.out"
bash scripts/test-interop.sh 2>&1 | tee "$interop_out"
interop_status=${PIPESTATUS[0]}
[ $interop_status -eq 0 ] || failed=1
i_line=$(grep -a -E '^interop: [0-9]+ passed, [0-9]+ failed' "$interop_out" | tail -n 1)
if [ -n "$i_line" ]; then
  read -r i_passed i_failed i_skipped < <(echo "$i_line" | sed -E 's/^interop: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/')
  i_skipped=${i_skipped:-0}
else
  i_passed=0 i_failed=1 i_skipped=0
fi
if [ $interop_status -ne 0 ] && [ "$i_failed" -eq 0 ]; then i_failed=1; fi
interop_secs=$((SECONDS - interop_started))

say "summary"
echo "  vitest:  $v_passed passed, $v_failed failed, $v_skipped skipped (${vitest_secs}s)"
echo "  interop: $i_passed passed, $i_failed failed, $i_skipped skipped (${interop_secs}s)"
if [ $failed -ne 0 ]; then echo "  FAILED"; else echo "  all passed in $((SECONDS - started))s"; fi
echo "all: $((v_passed + i_passed)) passed, $((v_failed + i_failed)) failed, $((v_skipped + i_skipped)) skipped"
exit $failed
