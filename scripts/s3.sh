#!/usr/bin/env bash
# A private S3 server for tests and benchmarks, on 127.0.0.1: SeaweedFS (`weed server -s3`).
#   scripts/s3.sh install       builds SeaweedFS's `weed` from the Go module proxy into ~/.cache/floe/bin
#                               (once per version; later calls return at once), prints its path
#   scripts/s3.sh start [DIR]   installs if missing, starts a server with its data in DIR (default: a new
#                               temp dir) on free ports, creates the bucket `floe-test`, waits until S3
#                               answers, prints "ENDPOINT ACCESS_KEY SECRET_KEY"
#   scripts/s3.sh stop DIR      stops the server of DIR
# The build needs Go (>= the go line of SeaweedFS's go.mod; a newer toolchain is fetched through the
# module proxy when the local one is older) and takes a few minutes on two cores.
set -euo pipefail

WEED_MODULE=github.com/seaweedfs/seaweedfs
WEED_VERSION=v0.0.0-20261109003541-7506e5f91cd6
BUCKET=floe-test
cache=${FLOE_CACHE:-$HOME/.cache/floe}
weed="$cache/bin/weed-$WEED_VERSION"
PATH=$PATH:/usr/local/go/bin

install_weed() {
  [ -x "$weed" ] && return 0
  command -v go >/dev/null || { echo "s3.sh: Go is needed to build SeaweedFS (go not found)" >&2; return 1; }
  mkdir -p "$cache/bin"
  # one build at a time; a second caller waits and then finds the binary
  exec 9>"$cache/weed-build.lock"
  flock 9
  if [ ! -x "$weed" ]; then
    echo "s3.sh: building SeaweedFS $WEED_VERSION (go build; a few minutes, once)…" >&2
    local started=$SECONDS src build
    # `go install …/weed@version` refuses a module whose go.mod has replace directives, so build it
    # as the main module from a copy of the downloaded source
    src=$(GOFLAGS=-mod=mod go mod download -json "$WEED_MODULE@$WEED_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')
    [ -d "$src" ] || { echo "s3.sh: go mod download of $WEED_MODULE@$WEED_VERSION failed" >&2; return 1; }
    build=$(mktemp -d "${TMPDIR:-/tmp}/floe-weed-build.XXXXXX")
    cp -r "$src/." "$build/"
    chmod -R u+w "$build"
    (cd "$build" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath -o "$weed.partial" ./weed) >&2
    mv "$weed.partial" "$weed"
    rm -rf "$build"
    echo "s3.sh: built $weed in $((SECONDS - started))s" >&2
  fi
  flock -u 9
}

free_ports() {
  python3 -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()' "$1"
}

alive() { # PID: running, not a zombie (the server is reparented to PID 1, which may not reap it)
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

s3_request() { # METHOD URL: a SigV4-signed request; prints the HTTP status
  curl -s -o /dev/null -w '%{http_code}' -X "$1" --aws-sigv4 "aws:amz:us-east-1:s3" \
    --user "$access_key:$secret_key" "$2" || true
}

cmd=${1:-}
start_once() {
  install_weed
  dir=${1:-$(mktemp -d "${TMPDIR:-/tmp}/floe-s3.XXXXXX")}
  mkdir -p "$dir/data"
  access_key=floe-test
  secret_key=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  cat >"$dir/s3.json" <<EOF
{"identities": [{"name": "floe", "credentials": [{"accessKey": "$access_key", "secretKey": "$secret_key"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
  read -r p_master g_master p_volume g_volume p_filer g_filer p_s3 g_s3 < <(free_ports 8)
  # no telemetry, no Iceberg/Lance endpoints, sockets inside DIR; small volumes (they are sparse)
  setsid "$weed" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir/data" \
    -master.port="$p_master" -master.port.grpc="$g_master" -master.telemetry=false \
    -master.volumeSizeLimitMB=256 -volume.max=64 -volume.preStopSeconds=0 \
    -volume.port="$p_volume" -volume.port.grpc="$g_volume" \
    -filer -filer.port="$p_filer" -filer.port.grpc="$g_filer" -filer.localSocket="$dir/filer.sock" \
    -s3 -s3.port="$p_s3" -s3.port.grpc="$g_s3" -s3.port.iceberg=0 -s3.port.lance=0 \
    -s3.localSocket="$dir/s3.sock" -s3.config="$dir/s3.json" \
    </dev/null >"$dir/weed.log" 2>&1 &
  echo $! >"$dir/weed.pid"
  endpoint="http://127.0.0.1:$p_s3"
  for _ in $(seq 1 240); do
    if ! alive "$(cat "$dir/weed.pid")"; then
      echo "s3.sh: SeaweedFS exited; the end of $dir/weed.log:" >&2
      tail -n 30 "$dir/weed.log" >&2
      return 1
    fi
    status=$(s3_request PUT "$endpoint/$BUCKET")
    # 200: created; 409: BucketAlreadyOwnedByYou (a restart on the same DIR)
    if [ "$status" = 200 ] || [ "$status" = 409 ]; then
      [ "$(s3_request GET "$endpoint/$BUCKET?list-type=2&max-keys=1")" = 200 ] && break
    fi
    sleep 0.5
  done
  if [ "$(s3_request GET "$endpoint/$BUCKET?list-type=2&max-keys=1")" != 200 ]; then
    echo "s3.sh: SeaweedFS did not answer on $endpoint within 120s; see $dir/weed.log" >&2
    bash "$0" stop "$dir"
    return 1
  fi
  echo "$endpoint $access_key $secret_key"
}

case "$cmd" in
  install)
    install_weed
    echo "$weed"
    ;;
  start)
    if [ -n "${2:-}" ] && [ -f "$2/weed.pid" ] && alive "$(cat "$2/weed.pid")"; then
      echo "s3.sh: a server already runs for $2 (pid $(cat "$2/weed.pid"))" >&2
      exit 1
    fi
    # A free port can be taken by another process between choosing it and SeaweedFS binding it:
    # try again on new ports (and a new directory) before giving up.
    for attempt in 1 2 3; do
      if start_once "${2:-}"; then exit 0; fi
      echo "s3.sh: start attempt $attempt failed" >&2
      [ -n "${2:-}" ] && bash "$0" stop "$2" >/dev/null 2>&1
      sleep 1
    done
    exit 1
    ;;
  stop)
    [ -n "${2:-}" ] || { echo "usage: scripts/s3.sh stop DIR" >&2; exit 2; }
    pid_file="$2/weed.pid"
    [ -f "$pid_file" ] || exit 0
    pid=$(cat "$pid_file")
    if alive "$pid"; then
      # a graceful stop takes SeaweedFS 15s and more; test data needs none of it
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do alive "$pid" || break; sleep 0.1; done
      alive "$pid" && kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$pid_file"
    ;;
  *)
    echo "usage: scripts/s3.sh install | start [DIR] | stop DIR" >&2
    exit 2
    ;;
esac
