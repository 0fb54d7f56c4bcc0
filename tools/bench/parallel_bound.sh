#!/usr/bin/env bash
# The upper bound of engine threads on this machine (see parallel_bound.ts):
# pgbench against 1 and against THREADS worker threads that share nothing
# (each its own copy of a pgbench -i database), one listening socket. Prints
# tps, the machine's idle share and how the kernel spread the connections.
#
#   tools/bench/parallel_bound.sh            # 2 threads, scale 10, 10 s per run
#   THREADS=2 SCALE=1 DURATION=5 RUNS="TPCB-c8" tools/bench/parallel_bound.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
THREADS="${THREADS:-2}"
SCALE="${SCALE:-10}"
DURATION="${DURATION:-10}"
RUNS="${RUNS:-TPCB-c8 S-c8-prepared}"
WORK="$(mktemp -d /tmp/sb-pbound-XXXXXX)"
PASSWORD=bench-password
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_ready() {
  for _ in $(seq 1 120); do
    PGPASSWORD=$PASSWORD "$BIN/psql" -X -q -h 127.0.0.1 -p "$1" -U sysdba -d scratchbird -c 'select 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "the server on port $1 did not start" >&2
  return 1
}
args_of() {
  case "$1" in
    TPCB-c8) echo "-c 8 -j 2 -M prepared" ;;
    S-c8-prepared) echo "-S -c 8 -j 2 -M prepared" ;;
    S-c8-simple) echo "-S -c 8 -j 2 -M simple" ;;
    *) echo "unknown run $1" >&2; return 1 ;;
  esac
}

# One pgbench -i through the ordinary server; every thread gets a copy.
port=$(free_port)
SCRATCHBIRD_PASSWORD=$PASSWORD node --import "$ROOT/node_modules/tsx/dist/loader.mjs" "$ROOT/host/server/main.ts" \
  --data "$WORK/base" --pg-port "$port" --http-port 0 --log-level warn > "$WORK/init.log" 2>&1 &
PID=$!
wait_ready "$port"
PGPASSWORD=$PASSWORD "$BIN/pgbench" -h 127.0.0.1 -p "$port" -U sysdba -i -q -s "$SCALE" scratchbird >> "$WORK/init.log" 2>&1
kill "$PID"; wait "$PID" || true; PID=""

printf '%-14s | %-7s | %10s | %6s | %s\n' run threads tps "idle %" "connections per thread"
for run in $RUNS; do
  args=$(args_of "$run")
  for n in 1 "$THREADS"; do
    dirs=""
    for i in $(seq 0 $((n - 1))); do
      rm -rf "$WORK/d$i"; cp -r "$WORK/base" "$WORK/d$i"
      dirs="$dirs${dirs:+,}$WORK/d$i"
    done
    port=$(free_port)
    node --import "$ROOT/node_modules/tsx/dist/loader.mjs" "$ROOT/tools/bench/parallel_bound.ts" \
      --port "$port" --dirs "$dirs" --password "$PASSWORD" > "$WORK/srv.log" 2>&1 &
    PID=$!
    wait_ready "$port"
    sleep 1
    read -r _ u0 n0 s0 i0 w0 q0 sq0 _ < <(grep '^cpu ' /proc/stat)
    # shellcheck disable=SC2086
    (cd "$WORK" && PGPASSWORD=$PASSWORD "$BIN/pgbench" -h 127.0.0.1 -p "$port" -U sysdba -n -T "$DURATION" $args scratchbird > "$WORK/bench.log" 2>&1)
    read -r _ u1 n1 s1 i1 w1 q1 sq1 _ < <(grep '^cpu ' /proc/stat)
    kill "$PID"; wait "$PID" || true; PID=""
    tps=$(awk '/^tps/ {print $3}' "$WORK/bench.log")
    total=$(( (u1-u0)+(n1-n0)+(s1-s0)+(i1-i0)+(w1-w0)+(q1-q0)+(sq1-sq0) ))
    idle=$(( 100 * ((i1-i0)+(w1-w0)) / (total > 0 ? total : 1) ))
    spread=$(grep -o '"connections_max_seen":[0-9]*' "$WORK/srv.log" | cut -d: -f2 | tr '\n' ' ')
    printf '%-14s | %-7s | %10.0f | %6s | %s\n' "$run" "$n" "$tps" "$idle" "$spread"
  done
done
