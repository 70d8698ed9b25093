#!/usr/bin/env bash
# A throwaway S3-compatible server on loopback for the tests and benchmarks: moto's standalone
# server (`moto_server`, installed with the test packages), which speaks the S3 REST protocol
# over HTTP. It keeps objects in memory: what it holds is gone when it stops.
#   scripts/s3-server.sh start DIR PORT    start it, wait until it answers
#   scripts/s3-server.sh stop DIR
set -euo pipefail
cmd="$1"; dir="$2"
root="$(cd "$(dirname "$0")/.." && pwd)"
# The checkout's own (scripts/setup.sh test installs it), else one on the PATH.
moto="$root/.venv/bin/moto_server"
[ -x "$moto" ] || moto="$(command -v moto_server || true)"
[ -n "$moto" ] || { echo "moto_server is not installed: run scripts/setup.sh test" >&2; exit 1; }
case "$cmd" in
  start)
    port="$3"
    mkdir -p "$dir"
    # Setsid, so that stopping it (the process group) takes nothing else with it.
    setsid "$moto" -H 127.0.0.1 -p "$port" >"$dir/server.log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 100); do
      if python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then
        exit 0
      fi
      sleep 0.2
    done
    echo "the S3 server did not answer on port $port:" >&2
    cat "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      kill -TERM -- "-$(cat "$dir/pid")" 2>/dev/null || kill "$(cat "$dir/pid")" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
esac
