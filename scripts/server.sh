#!/usr/bin/env bash
# Past one machine: PostgreSQL (Debian's `postgresql`) and a Prefect server on it, on this machine.
# Usage: scripts/server.sh start|stop|status   (make server-start / make server-stop)
# Settings (environment):
#   KBETL_SERVER_HOME   state, logs and pid files (.prefect-server/scale)
#   KBETL_PG_DATA       PostgreSQL's data directory ($KBETL_SERVER_HOME/pgdata); owned by the `postgres` user
#                       when run as root (PostgreSQL refuses to run as root)
#   KBETL_PG_HOST, KBETL_PG_PORT          where PostgreSQL listens (127.0.0.1, 5433)
#   KBETL_PG_PASSWORD_FILE                the `prefect` role's password, one line (default
#                       $KBETL_SERVER_HOME/pg-password, made once with a random password, mode 600)
#   KBETL_PREFECT_HOST, KBETL_PREFECT_PORT where the Prefect server listens (127.0.0.1, 4200); other machines
#                       need an address they can reach (and a firewall that lets only them in)
# The password goes to PostgreSQL through a file and to Prefect through its environment: never on a command
# line, in a log or in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
home=${KBETL_SERVER_HOME:-$PWD/.prefect-server/scale}
data=${KBETL_PG_DATA:-$home/pgdata}
pg_host=${KBETL_PG_HOST:-127.0.0.1}
pg_port=${KBETL_PG_PORT:-5433}
password_file=${KBETL_PG_PASSWORD_FILE:-$home/pg-password}
host=${KBETL_PREFECT_HOST:-127.0.0.1}
port=${KBETL_PREFECT_PORT:-4200}
bin=$PWD/.venv/bin
api=http://$host:$port/api

fail() { echo "$*" >&2; exit 1; }

pg_bin() {
  local found
  found=$(command -v pg_ctl 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1)
  [ -n "$found" ] || fail "PostgreSQL is not installed: install Debian's postgresql (apt-get install postgresql)"
  dirname "$(readlink -f "$found")"
}

as_postgres() {  # PostgreSQL refuses root: run its tools as the postgres user
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

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

start_postgres() {
  local pgbin=$1
  if [ ! -s "$password_file" ]; then
    (umask 077; "$bin/python" -c 'import secrets; print(secrets.token_hex(24))' > "$password_file")
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    if [ "$(id -u)" = 0 ]; then
      chown postgres: "$data"
      chmod 700 "$data"
      runuser -u postgres -- test -w "$data" \
        || fail "the postgres user cannot reach $data: put KBETL_PG_DATA under a folder it can traverse"
    fi
    local pwfile
    pwfile=$(mktemp)  # a copy initdb (the postgres user) can read, removed at once
    cp "$password_file" "$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
    as_postgres "$pgbin/initdb" -D "$data" -U prefect --auth-local=peer --auth-host=scram-sha-256 \
      --pwfile="$pwfile" > "$home/initdb.log" 2>&1 || { rm -f "$pwfile"; fail "initdb failed; see $home/initdb.log"; }
    rm -f "$pwfile"
  fi
  as_postgres "$pgbin/pg_ctl" -D "$data" -l "$data/postgres.log" -w -t 60 \
    -o "-h $pg_host -p $pg_port -k $data" start > /dev/null \
    || fail "PostgreSQL did not start; see $data/postgres.log"
  local pgpass=$home/pgpass
  (umask 077; printf '%s:%s:*:prefect:%s\n' "$pg_host" "$pg_port" "$(cat "$password_file")" > "$pgpass")
  if ! PGPASSFILE=$pgpass "$pgbin/psql" -h "$pg_host" -p "$pg_port" -U prefect -d postgres -tAc \
      "select 1 from pg_database where datname = 'prefect'" | grep -q 1; then
    PGPASSFILE=$pgpass "$pgbin/createdb" -h "$pg_host" -p "$pg_port" -U prefect prefect
  fi
  rm -f "$pgpass"
}

case "${1:-}" in
  start)
    mkdir -p "$home"
    pgbin=$(pg_bin)
    start_postgres "$pgbin"
    password=$("$bin/python" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read().strip(), safe=""))' \
      < "$password_file")
    PREFECT_SERVER_DATABASE_CONNECTION_URL="postgresql+asyncpg://prefect:$password@$pg_host:$pg_port/prefect" \
      PREFECT_HOME=$home PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 \
      "$bin/prefect" server start --host "$host" --port "$port" > "$home/server.log" 2>&1 &
    echo $! > "$home/server.pid"
    for _ in $(seq 240); do
      curl -sf "$api/health" > /dev/null 2>&1 && break
      kill -0 "$(cat "$home/server.pid")" 2>/dev/null || fail "Prefect server did not start; see $home/server.log"
      sleep 0.5
    done
    curl -sf "$api/health" > /dev/null || fail "Prefect server not healthy after 120 s; see $home/server.log"
    echo "Prefect server on $api (PostgreSQL on $pg_host:$pg_port, data $data)"
    ;;
  stop)
    stop_pid server
    if [ -f "$data/postmaster.pid" ]; then
      as_postgres "$(pg_bin)/pg_ctl" -D "$data" -m fast -w stop > /dev/null && echo "stopped postgresql"
    fi
    ;;
  status)
    if [ -f "$home/server.pid" ] && kill -0 "$(cat "$home/server.pid")" 2>/dev/null; then
      echo "server: running (pid $(cat "$home/server.pid")) on $api"
    else
      echo "server: stopped"
    fi
    if [ -f "$data/PG_VERSION" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$data" status > /dev/null 2>&1; then
      echo "postgresql: running on $pg_host:$pg_port"
    else
      echo "postgresql: stopped"
    fi
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
