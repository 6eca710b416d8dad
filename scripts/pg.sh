#!/usr/bin/env bash
# A private PostgreSQL server for tests and benchmarks, on 127.0.0.1.
#   scripts/pg.sh start [DIR]   installs Debian's postgresql if missing, initialises DIR (default: a new
#                               temp dir), starts the server on a free port, prints its postgres:// URL
#   scripts/pg.sh stop DIR      stops the server of DIR
set -euo pipefail

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && { echo "$d"; return; }; done
  return 1
}

ensure_installed() {
  if ! find_bin >/dev/null; then
    echo "installing PostgreSQL (Debian package postgresql)…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
  fi
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
}

as_pg() {
  # From /, which the postgres user can enter (the caller's directory may be private).
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

cmd=${1:-}
case "$cmd" in
  start)
    ensure_installed
    bin=$(find_bin)
    dir=${2:-$(mktemp -d /tmp/floe-pg.XXXXXX)}
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir" && chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_pg "$bin/initdb" -D "$dir" -U floe --auth=trust -E UTF8 >/dev/null
    fi
    # A free port can be taken by another process before the server binds it: try new ones.
    for attempt in 1 2 3; do
      port=$(free_port)
      if as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off -c synchronous_commit=off" \
        start >/dev/null; then
        break
      fi
      [ "$attempt" = 3 ] && { echo "pg.sh: PostgreSQL did not start; see $dir/server.log" >&2; exit 1; }
      sleep 1
    done
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U floe floe 2>/dev/null || true
    echo "postgres://floe@127.0.0.1:$port/floe"
    ;;
  stop)
    bin=$(find_bin)
    [ -n "${2:-}" ] || { echo "usage: scripts/pg.sh stop DIR" >&2; exit 2; }
    as_pg "$bin/pg_ctl" -D "$2" -m fast -w stop >/dev/null || true
    ;;
  *)
    echo "usage: scripts/pg.sh start [DIR] | stop DIR" >&2
    exit 2
    ;;
esac
