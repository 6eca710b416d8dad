#!/usr/bin/env bash
# Resolves and builds the Java interop test (interop/nessie-java) with its Maven dependencies in a
# cache outside the clone, so that a second run — and CI's fresh clone — works offline and fast.
#   scripts/java-deps.sh            resolve (online the first time, offline after) and compile
# Environment:
#   FLOE_M2_REPO   the Maven repository to use (default: $HOME/.cache/floe/m2)
# Prints the mvn command prefix to use on its last line of stdout, e.g.
#   mvn -B -o -Dmaven.repo.local=/root/.cache/floe/m2 -f /…/interop/nessie-java/pom.xml
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project="$root/interop/nessie-java"
repo=${FLOE_M2_REPO:-$HOME/.cache/floe/m2}
mkdir -p "$repo"

command -v mvn >/dev/null || { echo "java-deps: mvn not found (install Debian's maven)" >&2; exit 1; }
command -v java >/dev/null || { echo "java-deps: java not found (install Debian's default-jdk-headless)" >&2; exit 1; }

# One stamp per pom.xml content: present once everything that pom needs was resolved online.
sum=$(sha256sum "$project/pom.xml" | cut -c1-16)
stamp="$repo/.floe-nessie-java-$sum.resolved"

mvn_base=(mvn -B -q "-Dmaven.repo.local=$repo" -f "$project/pom.xml")

# ClientSetupTest needs no server; running it makes Surefire resolve its JUnit provider too.
resolve_args=(test -Dtest=ClientSetupTest -Dsurefire.failIfNoSpecifiedTests=false)

if [ -f "$stamp" ] && "${mvn_base[@]}" -o "${resolve_args[@]}" >"$repo/.java-deps.log" 2>&1; then
  echo "java-deps: dependencies cached in $repo (offline build ok)" >&2
else
  [ -f "$stamp" ] && echo "java-deps: offline build failed, resolving again online" >&2
  echo "java-deps: resolving Maven dependencies into $repo …" >&2
  if ! "${mvn_base[@]}" dependency:go-offline "${resolve_args[@]}" >"$repo/.java-deps.log" 2>&1; then
    cat "$repo/.java-deps.log" >&2
    echo "java-deps: failed" >&2
    exit 1
  fi
  rm -f "$repo"/.floe-nessie-java-*.resolved
  touch "$stamp"
  echo "java-deps: resolved" >&2
fi
echo "mvn -B -o -Dmaven.repo.local=$repo -f $project/pom.xml"
