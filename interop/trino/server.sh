#!/usr/bin/env bash
# A single-node Trino (coordinator that also runs the work, small heap) for the interop checks.
#   interop/trino/server.sh start DIR NESSIE_URI WAREHOUSE [REST_URI]   prints the server's URL once it
#       answers queries; its config, data and log in DIR. The catalog `nessie` is Trino's Iceberg
#       connector with iceberg.catalog.type=nessie; with REST_URI also `rest` (iceberg.catalog.type=rest)
#       and the same again as `iceberg`, the rendered platform's name for it.
#       An s3:// WAREHOUSE uses FLOE_S3_ENDPOINT, FLOE_S3_ACCESS_KEY, FLOE_S3_SECRET_KEY.
#   interop/trino/server.sh stop DIR
# Installs Trino with scripts/trino-deps.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

storage_properties() { # WAREHOUSE
  case "$1" in
    s3://*)
      cat <<PROPS
fs.native-s3.enabled=true
s3.endpoint=$FLOE_S3_ENDPOINT
s3.path-style-access=true
s3.region=us-east-1
s3.aws-access-key=$FLOE_S3_ACCESS_KEY
s3.aws-secret-key=$FLOE_S3_SECRET_KEY
PROPS
      ;;
    *)
      echo "fs.native-local.enabled=true"
      echo "local.location=/"
      ;;
  esac
}

start() {
  local dir=$1 nessie_uri=$2 warehouse=$3 rest_uri=${4:-}
  read -r java_home server _ < <(bash "$root/scripts/trino-deps.sh" | tail -n 1)
  mkdir -p "$dir/etc/catalog" "$dir/data"
  local port
  port=$(free_port)
  cat >"$dir/etc/node.properties" <<PROPS
node.environment=floe_interop
node.id=floe-interop-$port
node.data-dir=$dir/data
node.internal-address=127.0.0.1
PROPS
  cat >"$dir/etc/jvm.config" <<'PROPS'
-server
-Xmx1G
-XX:+UseG1GC
-XX:+ExitOnOutOfMemoryError
-XX:ReservedCodeCacheSize=256M
-XX:-UseContainerSupport
-Djdk.attach.allowAttachSelf=true
-Duser.timezone=UTC
PROPS
  cat >"$dir/etc/config.properties" <<PROPS
coordinator=true
node-scheduler.include-coordinator=true
http-server.http.port=$port
discovery.uri=http://127.0.0.1:$port
query.max-memory=512MB
query.max-memory-per-node=512MB
task.concurrency=2
PROPS
  {
    echo "connector.name=iceberg"
    echo "iceberg.catalog.type=nessie"
    echo "iceberg.nessie-catalog.uri=$nessie_uri"
    echo "iceberg.nessie-catalog.ref=main"
    echo "iceberg.nessie-catalog.default-warehouse-dir=$warehouse"
    storage_properties "$warehouse"
  } >"$dir/etc/catalog/nessie.properties"
  if [ -n "$rest_uri" ]; then
    {
      echo "connector.name=iceberg"
      echo "iceberg.catalog.type=rest"
      echo "iceberg.rest-catalog.uri=$rest_uri"
      echo "iceberg.rest-catalog.prefix=main"
      storage_properties "$warehouse"
    } >"$dir/etc/catalog/rest.properties"
    # `iceberg`: the same, under the name the rendered platform gives it (for floe doctor's check)
    cp "$dir/etc/catalog/rest.properties" "$dir/etc/catalog/iceberg.properties"
  fi
  JAVA_HOME=$java_home PATH="$java_home/bin:$PATH" "$server/bin/launcher" \
    --etc-dir="$dir/etc" --data-dir="$dir/data" --pid-file="$dir/trino.pid" \
    --launcher-log-file="$dir/launcher.log" --server-log-file="$dir/server.log" start >"$dir/start.out" 2>&1 || {
    cat "$dir/start.out" >&2
    return 1
  }
  local url="http://127.0.0.1:$port" deadline=$((SECONDS + 300))
  # ready once /v1/info says the server has finished starting
  until curl -fsS --max-time 2 "$url/v1/info" 2>/dev/null | grep -q '"starting":false'; do
    if [ $SECONDS -ge $deadline ] || ! JAVA_HOME=$java_home "$server/bin/launcher" --etc-dir="$dir/etc" --data-dir="$dir/data" \
      --pid-file="$dir/trino.pid" status >/dev/null 2>&1; then
      echo "trino: server did not start; last lines of $dir/server.log and launcher.log:" >&2
      tail -n 40 "$dir/server.log" "$dir/launcher.log" >&2 2>/dev/null
      stop "$dir"
      return 1
    fi
    sleep 1
  done
  # and once a query runs: right after start the coordinator may not yet count itself as an active
  # worker node ("No nodes available to run query")
  until python3 - "$url" <<'PY' 2>/dev/null
import json, sys, urllib.request
headers = {"X-Trino-User": "floe-ready"}
request = urllib.request.Request(sys.argv[1] + "/v1/statement", data=b"SELECT 1", headers=headers, method="POST")
while True:
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.load(response)
    if "error" in body:
        sys.exit(1)
    if "nextUri" not in body:
        sys.exit(0)
    request = urllib.request.Request(body["nextUri"], headers=headers)
PY
  do
    if [ $SECONDS -ge $deadline ]; then
      echo "trino: server started but ran no query within the deadline; last lines of $dir/server.log:" >&2
      tail -n 40 "$dir/server.log" >&2 2>/dev/null
      stop "$dir"
      return 1
    fi
    sleep 1
  done
  echo "$url"
}

stop() {
  local dir=$1 pid
  [ -f "$dir/trino.pid" ] || return 0
  pid=$(cat "$dir/trino.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$dir/trino.pid"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start DIR NESSIE_URI WAREHOUSE [REST_URI] | stop DIR" >&2; exit 2 ;;
esac
