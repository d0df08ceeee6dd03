#!/usr/bin/env bash
# Start or stop the nightly schedule on this machine: a Prefect server on 127.0.0.1 and the served
# kbetl-nightly deployment (01:00 Asia/Jakarta). Usage: scripts/nightly.sh start|stop|status
# Settings (environment): KBETL_PREFECT_PORT (4200), KBETL_PREFECT_HOME (.prefect-server),
# KBETL_NIGHTLY_ARGS (extra options for `kbetl nightly-serve`), and the usual KBETL_API_URL,
# KBETL_API_TOKEN, KBETL_DB, KBETL_PUBLISHED for the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${KBETL_PREFECT_PORT:-4200}
home=${KBETL_PREFECT_HOME:-$PWD/.prefect-server}
bin=$PWD/.venv/bin
mkdir -p "$home"
export PREFECT_HOME=$home PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
api=http://127.0.0.1:$port/api

stop_pid() {
  local file=$home/$1.pid
  if [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null; then
    kill "$(cat "$file")"
    for _ in $(seq 50); do kill -0 "$(cat "$file")" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$(cat "$file")" 2>/dev/null || true
    echo "stopped $1"
  fi
  rm -f "$file"
}

case "${1:-}" in
  start)
    "$bin/prefect" server start --host 127.0.0.1 --port "$port" > "$home/server.log" 2>&1 &
    echo $! > "$home/server.pid"
    for _ in $(seq 240); do
      curl -sf "$api/health" > /dev/null 2>&1 && break
      kill -0 "$(cat "$home/server.pid")" 2>/dev/null || { echo "Prefect server did not start; see $home/server.log"; exit 1; }
      sleep 0.5
    done
    curl -sf "$api/health" > /dev/null || { echo "Prefect server not healthy after 120 s; see $home/server.log"; exit 1; }
    # shellcheck disable=SC2086
    PREFECT_API_URL=$api "$bin/kbetl" nightly-serve ${KBETL_NIGHTLY_ARGS:-} > "$home/nightly.log" 2>&1 &
    echo $! > "$home/nightly.pid"
    echo "Prefect server on $api (UI: http://127.0.0.1:$port); nightly deployment served, log $home/nightly.log"
    ;;
  stop)
    stop_pid nightly
    stop_pid server
    ;;
  status)
    for name in server nightly; do
      if [ -f "$home/$name.pid" ] && kill -0 "$(cat "$home/$name.pid")" 2>/dev/null; then
        echo "$name: running (pid $(cat "$home/$name.pid"))"
      else
        echo "$name: stopped"
      fi
    done
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
