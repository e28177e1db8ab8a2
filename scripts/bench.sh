#!/usr/bin/env bash
# Runs the load generator against Doorbraak (release build, SQLite, persistence on) and against the
# JavaScript y-websocket reference server (in memory), scenario by scenario, each on a fresh server.
# Targets (BENCH_TARGETS, default "doorbraak reference"): doorbraak (SQLite), reference, baseline
# (see below), doorbraak-pg (one process on PostgreSQL) and doorbraak-pg2 (two processes on one
# PostgreSQL, the clients of each canvas spread over both); PostgreSQL targets use a fresh
# database on BENCH_POSTGRES_URL (default the local server's database test).
# Results: one JSON line per run in bench/results.jsonl; docs/performance.md quotes them.
#   ./scripts/bench.sh            all scenarios
#   ./scripts/bench.sh fanout50   one scenario (fanout50, fanout200, idle, history)
# Before and after a change, in one run: build the older commit's release binaries elsewhere and
#   BENCH_BASELINE=/path/to/old/target/release BENCH_BASELINE_COMMIT=abc1234 \
#   BENCH_TARGETS="baseline doorbraak" ./scripts/bench.sh
# runs each scenario on the old server ("baseline") and then on this one, with the same generator.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --bins
(cd bench/reference && npm ci --no-audit --no-fund --loglevel=error)
ulimit -n 20000 2>/dev/null || true

# Raw results are only ever appended: each line names the commit, the date and the file system
# the benchmark database lives on.
out=bench/results.jsonl
work=$(mktemp -d)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
fs=$(df --output=fstype "$work" 2>/dev/null | tail -1 | tr -d ' ')
server_pid=""
trap 'stop_server; rm -rf "$work"' EXIT

wait_for_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  return 1
}

postgres_base=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
postgres_db=""
second_pid=""

# A fresh PostgreSQL database for one run, its URL in postgres_url. Not called in a command
# substitution: that would set postgres_db in a subshell, and the database would never be dropped.
fresh_postgres() {
  postgres_db="doorbraak_bench_$$_$RANDOM"
  psql "$postgres_base" -qc "CREATE DATABASE $postgres_db" >/dev/null
  postgres_url="${postgres_base%/*}/$postgres_db"
}

drop_postgres() {
  [ -n "$postgres_db" ] && psql "$postgres_base" -qc "DROP DATABASE IF EXISTS $postgres_db WITH (FORCE)" >/dev/null
  postgres_db=""
}

start_doorbraak() { # binary folder, database URL, port, extra server flags...
  local bin=$1 url=$2 port=$3
  shift 3
  # All load comes from one address, so the per-address limits are raised for the benchmark.
  "$bin/doorbraak" serve --bind "127.0.0.1:$port" --database-url "$url" \
    --demo --max-connections-per-ip 10000 --client-messages-per-sec 100000 --client-bytes-per-sec 1000000000 "$@" \
    >/dev/null 2>>"$work/doorbraak.log" &
  server_pid=$!
  wait_for_port "$port"
  # The demo's aanjager may start canvases; the load generator uses a token of theirs.
  DOORBRAAK_TOKEN=$("$bin/doorbraak" token create --email aanjager@demo.doorbraak.nl \
    --name bench --database-url "$url")
  export DOORBRAAK_TOKEN
}

start_reference() {
  HOST=127.0.0.1 PORT=18081 node bench/reference/node_modules/@y/websocket-server/src/server.js >/dev/null 2>&1 &
  server_pid=$!
  wait_for_port 18081
}

stop_server() {
  for pid in $server_pid $second_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  server_pid=""
  second_pid=""
  rm -f "$work"/db*
  drop_postgres
}

run() { # name, doorbraak server flags (one word, may be empty), load arguments...
  local name=$1 server_flags=$2
  shift 2
  for target in ${BENCH_TARGETS:-doorbraak reference}; do
    local protocol=doorbraak at=$commit also=()
    # shellcheck disable=SC2086 # the flags are meant to split into words
    case $target in
      doorbraak) start_doorbraak ./target/release "sqlite://$work/db.sqlite" 18080 $server_flags; port=18080 ;;
      baseline) start_doorbraak "$BENCH_BASELINE" "sqlite://$work/db.sqlite" 18080 $server_flags; port=18080; at=${BENCH_BASELINE_COMMIT:-unknown} ;;
      doorbraak-pg) fresh_postgres; start_doorbraak ./target/release "$postgres_url" 18080 $server_flags; port=18080 ;;
      doorbraak-pg2)
        fresh_postgres
        start_doorbraak ./target/release "$postgres_url" 18082 $server_flags
        second_pid=$server_pid
        start_doorbraak ./target/release "$postgres_url" 18080 $server_flags
        port=18080
        also=(--also-addr 127.0.0.1:18082)
        ;;
      reference) start_reference; port=18081; protocol=reference ;;
    esac
    echo "== $name on $target" >&2
    result=$(./target/release/doorbraak-load --addr "127.0.0.1:$port" "${also[@]}" --target "$protocol" --server-pid "$server_pid" "$@")
    echo "{\"name\":\"$name\",\"target\":\"$target\",\"commit\":\"$at\",\"date\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"database_fs\":\"$fs\",\"result\":$result}" | tee -a "$out"
    stop_server
  done
}

want=${1:-all}
[ "$want" = all ] || [ "$want" = fanout50 ] && run fanout50 "" --scenario fanout --clients 50 --rate 5 --seconds 20
[ "$want" = all ] || [ "$want" = fanout200 ] && run fanout200 "" --scenario fanout --clients 200 --rate 5 --seconds 20
[ "$want" = all ] || [ "$want" = idle ] && run idle "" --scenario idle --canvases 1000 --clients 2 --seconds 10
[ "$want" = all ] || [ "$want" = history ] && run history "--idle-unload-secs 1" --scenario history --history 20000 --clients 20 --pause-before-sync 3
exit 0
