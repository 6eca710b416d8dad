#!/usr/bin/env bash
# Iceberg's REST Compatibility Kit (RCK: RESTCompatibilityKitSuite of apache/iceberg's open-api
# module, from Maven Central) against floe's Iceberg REST API.
#
#   interop/rck/run.sh        starts its own `floe serve` (PGlite, local warehouse) and runs the kit
#   interop/rck/run.sh URL    runs the kit against a running `floe serve` at URL (http://host:port);
#                             the server must allow table locations under /tmp (--allowed-locations
#                             /tmp): the kit's tests create tables and views at file:/tmp/… locations
#
# The kit runs on a fresh branch (rck-<time>-<pid>, created over the Nessie API), so nothing it creates
# shows on main. Dependencies are resolved by interop/rck/pom.xml into ~/.cache/floe/m2 (FLOE_M2_REPO)
# once; later runs are offline. Prints the kit's test tree and, as its last line,
#   rck: N passed, N failed, N skipped
# (skipped: the kit's tests whose assumptions floe does not meet as the kit configures them, plus the
# excluded tests below). Exits non-zero if a test failed or the kit did not run.
#
# Environment: FLOE_M2_REPO, FLOE_RCK_KEEP=1 (keep the work dir: server log, JUnit XML reports).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
repo=${FLOE_M2_REPO:-$HOME/.cache/floe/m2}
work=$(mktemp -d /tmp/floe-rck.XXXXXX)
server_pid=""

# Tests excluded by name, each with the reason (docs/iceberg-rest.md repeats them).
#  - testLoadTableWithMissingMetadataFile: the test deletes the table's current metadata file behind
#    the catalog's back and expects the next load to fail. floe caches metadata files by location
#    (they are immutable once written), so the load is answered from the cache; only an uncached load
#    reports the missing file (404 NotFoundException "Failed to open input stream for file: …",
#    covered by test/server/iceberg-rck.test.ts). Checking the file on every load would cost a storage
#    round trip per loadTable.
EXCLUDED=(testLoadTableWithMissingMetadataFile)

say() { printf '[rck %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# The kit's catalog tests put some tables at fixed locations, file:/tmp/ns/… and file:/tmp/newdb/…
# (CatalogTests' base location); floe keeps a dropped table's files, so they are removed afterwards
# when this run created them.
kit_dirs=()
for d in /tmp/ns /tmp/newdb; do [ -e "$d" ] || kit_dirs+=("$d"); done

cleanup() {
  local status=$?
  [ ${#kit_dirs[@]} -gt 0 ] && rm -rf "${kit_dirs[@]}"
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if [ "${FLOE_RCK_KEEP:-}" = 1 ]; then say "work dir kept: $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  say "$*"
  echo "rck: 0 passed, 1 failed, 0 skipped"
  exit 1
}

command -v mvn >/dev/null || fail "mvn not found (install Debian's maven)"
command -v java >/dev/null || fail "java not found (install Debian's default-jdk-headless)"

# ---- the classpath: resolved once per pom.xml content, then reused offline ----------------------
mkdir -p "$repo"
sum=$(sha256sum "$here/pom.xml" | cut -c1-16)
cpfile="$repo/.floe-rck-$sum.classpath"
classpath_ok() {
  [ -s "$cpfile" ] || return 1
  local jar
  while IFS= read -r jar; do [ -f "$jar" ] || return 1; done < <(tr ':' '\n' <"$cpfile")
}
if ! classpath_ok; then
  say "resolving the kit's Maven dependencies into $repo …"
  if ! mvn -B -q "-Dmaven.repo.local=$repo" -f "$here/pom.xml" dependency:build-classpath \
    "-Dmdep.outputFile=$cpfile.tmp" >"$work/mvn.log" 2>&1; then
    tail -n 30 "$work/mvn.log" >&2
    fail "resolving the kit's dependencies failed"
  fi
  mv "$cpfile.tmp" "$cpfile"
fi

# ---- the server -----------------------------------------------------------------------------------
base=${1:-}
if [ -z "$base" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  base="http://127.0.0.1:$port"
  mkdir -p "$work/warehouse"
  say "starting floe serve (PGlite, warehouse $work/warehouse) on $base"
  node "$root/bin/floe.js" serve --store "pglite:$work/pglite" --warehouse "$work/warehouse" \
    --allowed-locations /tmp --host 127.0.0.1 --port "$port" --log-level warn >"$work/server.log" 2>&1 &
  server_pid=$!
  deadline=$((SECONDS + 180))
  until curl -fsS -o /dev/null --max-time 2 "$base/readyz" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$work/server.log" >&2; fail "floe serve exited"; }
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$work/server.log" >&2; fail "floe serve not ready in 180 s"; }
    sleep 0.3
  done
fi

# ---- a branch of its own ----------------------------------------------------------------------------
branch="rck-$(date +%s)-$$"
if ! BASE="$base" BRANCH="$branch" node --input-type=module -e '
  const { BASE, BRANCH } = process.env;
  const main = await (await fetch(`${BASE}/api/v2/trees/-`)).json();
  const r = await fetch(`${BASE}/api/v2/trees?name=${BRANCH}&type=BRANCH`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(main.reference),
  });
  if (!r.ok) throw new Error(`creating branch ${BRANCH}: ${r.status} ${await r.text()}`);
'; then
  fail "could not create branch $branch on $base"
fi
uri="$base/iceberg/$branch"
say "running RESTCompatibilityKitSuite against $uri"

# ---- the kit ----------------------------------------------------------------------------------------
excludes=()
for t in "${EXCLUDED[@]}"; do excludes+=("--exclude-methodname=.*#$t(\(.*\))?"); done
# rck.requires-namespace-create: floe, like the spec, answers 404 NoSuchNamespace for a table in a
# namespace that was not created. rck.supports-names-with-dot: floe's names may contain dots.
CATALOG_URI="$uri" timeout 1800 java -Xmx1g \
  -Drck.requires-namespace-create=true -Drck.supports-names-with-dot=true \
  -cp "$(cat "$cpfile")" org.junit.platform.console.ConsoleLauncher execute \
  --select-class org.apache.iceberg.rest.RESTCompatibilityKitSuite --config rck.local=false \
  "${excludes[@]}" --details=tree --disable-ansi-colors --disable-banner \
  --reports-dir="$work/reports" >"$work/kit.log" 2>&1
status=$?
# the tree (one line per test: ✔ passed, ✘ failed, ■ assumption not met, ↷ skipped), without stack traces
sed -n '1,/^Failures (/p' "$work/kit.log" | grep -E '[✔✘■↷]' >&2
if grep -q '^Failures (' "$work/kit.log"; then
  say "failures:"
  sed -n '/^Failures (/,/^Test run finished/p' "$work/kit.log" | grep -E '^  JUnit|=> |^[A-Za-z"]' |
    grep -vE '^Test run finished' | head -n 200 >&2
fi
count() { sed -nE "s/^\[ *([0-9]+) tests $1 *\]$/\1/p" "$work/kit.log" | tail -n 1; }
passed=$(count successful) failed=$(count failed) aborted=$(count aborted) skipped=$(count skipped)
if [ -z "$passed" ]; then
  tail -n 40 "$work/kit.log" >&2
  fail "the kit did not run (java status $status)"
fi
say "excluded by name (see the script): ${EXCLUDED[*]}"
echo "rck: $passed passed, $failed failed, $((aborted + skipped + ${#EXCLUDED[@]})) skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
