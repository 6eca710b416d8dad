#!/usr/bin/env bash
# Trino for the engine interop checks (interop/trino), kept outside the clone so that a second run —
# and CI's fresh clone — reuses it:
#   scripts/trino-deps.sh     install or reuse; prints "JAVA_HOME SERVER_DIR CLI_JAR" on the last line
# What it installs, from Maven Central (mvn dependency:get into the floe Maven cache):
#   - io.trino:trino-server:$TRINO_VERSION:tar.gz, unpacked into ~/.cache/floe/trino with only the
#     plugins the checks use (iceberg; memory for scratch) — the others slow the server's start;
#   - io.trino:trino-cli:$TRINO_VERSION:jar:executable.
# Trino 476 needs Java 24 or newer. Debian 12 has no such JDK; this machine kind ships Temurin 25 in
# /usr/lib/jvm/temurin-25-jdk-amd64. The first of $FLOE_TRINO_JAVA_HOME, that directory, any
# /usr/lib/jvm/*-2[4-9]* JDK, is used; without one the script fails saying so.
# (476 is the newest trino-server Maven Central serves here.)
# Environment:
#   FLOE_TRINO_JAVA_HOME   a JDK >= 24 to run Trino with
#   FLOE_M2_REPO           the Maven repository (default: $HOME/.cache/floe/m2)
set -euo pipefail

TRINO_VERSION=476
PLUGINS=(iceberg memory)

cache=${FLOE_CACHE:-$HOME/.cache/floe}
repo=${FLOE_M2_REPO:-$cache/m2}
dest="$cache/trino/trino-server-$TRINO_VERSION"
cli="$cache/trino/trino-cli-$TRINO_VERSION-executable.jar"
mkdir -p "$cache/trino" "$repo"

java_major() { # JAVA_HOME → major version, or nothing
  "$1/bin/java" -version 2>&1 | sed -n -E '1s/.*version "([0-9]+).*/\1/p'
}
java_home=""
for candidate in ${FLOE_TRINO_JAVA_HOME:-} /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*-2[4-9]* /usr/lib/jvm/*-2[4-9]-*; do
  [ -x "$candidate/bin/java" ] || continue
  major=$(java_major "$candidate")
  if [ -n "$major" ] && [ "$major" -ge 24 ]; then
    java_home=$candidate
    break
  fi
done
if [ -z "$java_home" ]; then
  echo "trino-deps: Trino $TRINO_VERSION needs Java >= 24 and none was found (looked at FLOE_TRINO_JAVA_HOME, /usr/lib/jvm/temurin-25-jdk-amd64, /usr/lib/jvm/*-2[4-9]*); Debian 12 packages no such JDK" >&2
  exit 1
fi
command -v mvn >/dev/null || { echo "trino-deps: mvn not found (install Debian's maven)" >&2; exit 1; }

exec 9>"$cache/.trino-deps.lock"
command -v flock >/dev/null && flock 9

fetch() { # artifact → path of the file in the Maven repository
  local artifact=$1
  if ! mvn -B -q "-Dmaven.repo.local=$repo" dependency:get -Dtransitive=false "-Dartifact=$artifact" \
    >"$cache/.trino-mvn.log" 2>&1; then
    cat "$cache/.trino-mvn.log" >&2
    echo "trino-deps: could not fetch $artifact" >&2
    return 1
  fi
}

if [ ! -f "$dest/.complete" ]; then
  started=$SECONDS
  echo "trino-deps: fetching io.trino:trino-server:$TRINO_VERSION (about 800 MB) …" >&2
  fetch "io.trino:trino-server:$TRINO_VERSION:tar.gz"
  tarball="$repo/io/trino/trino-server/$TRINO_VERSION/trino-server-$TRINO_VERSION.tar.gz"
  rm -rf "$dest" "$dest.partial"
  mkdir -p "$dest.partial"
  # the tarball hard-links jars shared by plugins, so unpack it whole and then drop the other plugins
  tar xzf "$tarball" -C "$dest.partial" --strip-components=1
  for d in "$dest.partial"/plugin/*; do
    keep=0
    for p in "${PLUGINS[@]}"; do [ "$(basename "$d")" = "$p" ] && keep=1; done
    [ $keep = 1 ] || rm -rf "$d"
  done
  # the tarball stays in the Maven cache only as long as it is needed: the unpacked server is the cache
  rm -f "$tarball"
  touch "$dest.partial/.complete"
  mv "$dest.partial" "$dest"
  echo "trino-deps: server in $dest ($((SECONDS - started)) s)" >&2
else
  echo "trino-deps: server ready in $dest" >&2
fi

if [ ! -f "$cli" ]; then
  echo "trino-deps: fetching io.trino:trino-cli:$TRINO_VERSION:jar:executable" >&2
  fetch "io.trino:trino-cli:$TRINO_VERSION:jar:executable"
  cp "$repo/io/trino/trino-cli/$TRINO_VERSION/trino-cli-$TRINO_VERSION-executable.jar" "$cli.partial"
  mv "$cli.partial" "$cli"
fi

echo "$java_home $dest $cli"
