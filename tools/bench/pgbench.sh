#!/usr/bin/env bash
# pgbench against ScratchBird, against a throwaway PostgreSQL 15 cluster
# (fsync on) and against PGlite served by @electric-sql/pglite-socket (its
# pglite-server, a file-backed database, connections multiplexed onto
# PGlite's one backend), all running at once on this machine, the runs
# alternating between them row by row (PASSES=N repeats every row N times
# and keeps each server's best; a change in the shared machine's speed falls
# on all of them alike); prints tps,
# p50/p99 latency and the ScratchBird/PostgreSQL and ScratchBird/PGlite
# ratios per run, and the time of each `pgbench -i` (the COPY load and the
# primary keys; PGlite generates its rows server-side, `-I dtGvp`, since
# pglite-socket does not carry COPY FROM STDIN). PGlite's TPC-B run uses the
# simple protocol: its multiplexed connections share one backend, so eight
# clients' named prepared statements would collide.
#
#   tools/bench/pgbench.sh                 # scale 10, 10 s per run
#   SCALE=1 DURATION=5 tools/bench/pgbench.sh
#   TARGETS=scratchbird tools/bench/pgbench.sh
#   TARGETS="scratchbird pglite" tools/bench/pgbench.sh
#   ONLY="S-c8-prepared TPCB-c8" tools/bench/pgbench.sh   # a subset of the runs
#   PASSES=3 tools/bench/pgbench.sh        # every row three times per server; the best pass counts
#   SCRATCHBIRD_WIRE_WRITER_THREAD=off tools/bench/pgbench.sh   # ScratchBird without its socket writer thread (on by default)
#   SCRATCHBIRD_CPU_AFFINITY=off tools/bench/pgbench.sh   # ScratchBird's server thread left to the scheduler
#
# ScratchBird runs as a dedicated server would be set up: with
# --cpu-affinity auto (SCRATCHBIRD_CPU_AFFINITY, default here auto; the
# server's own default is off), its one engine thread pinned to the CPU
# that takes the fewest device interrupts (host/server/cpu_affinity.ts).
#
# Runs: -S (select only) with 1 and 8 clients in simple and prepared modes,
# and TPC-B with 8 clients (-j 2), durable on both sides. Latency
# percentiles come from pgbench's per-transaction log (-l). A second table
# gives, per run, the machine's idle share and the CPU time spent per
# transaction outside pgbench (from /proc/stat and pgbench's own CPU time):
# how much of the two cores each server used, and what a transaction cost it.
# The machine is shared: figures are noisy; run it more than once and keep the best.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
SCALE="${SCALE:-10}"
DURATION="${DURATION:-10}"
PASSES="${PASSES:-1}"
TARGETS="${TARGETS:-scratchbird postgresql pglite}"
WORK="$(mktemp -d /tmp/sb-pgbench-XXXXXX)"
chmod 755 "$WORK"
PASSWORD=bench-password
SB_PID=""
PG_DATA=""
PGLITE_PID=""

free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  [ -n "$SB_PID" ] && kill "$SB_PID" 2>/dev/null && wait "$SB_PID" 2>/dev/null || true
  [ -n "$PGLITE_PID" ] && kill "$PGLITE_PID" 2>/dev/null && wait "$PGLITE_PID" 2>/dev/null || true
  [ -n "$PG_DATA" ] && as_pg "$BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_scratchbird() {
  local port; port=$(free_port)
  SCRATCHBIRD_PASSWORD=$PASSWORD SCRATCHBIRD_CPU_AFFINITY="${SCRATCHBIRD_CPU_AFFINITY:-auto}" node --import "$ROOT/node_modules/tsx/dist/loader.mjs" "$ROOT/host/server/main.ts" \
    --data "$WORK/sb-data" --pg-port "$port" --http-port 0 --log-level warn > "$WORK/sb.log" 2>&1 &
  SB_PID=$!
  for _ in $(seq 1 120); do
    PGPASSWORD=$PASSWORD "$BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U sysdba -d scratchbird -c 'select 1' >/dev/null 2>&1 && break
    sleep 0.5
  done
  echo "$port sysdba scratchbird"
}

start_postgresql() {
  local port; port=$(free_port)
  PG_DATA="$WORK/pg-data"
  mkdir -p "$PG_DATA"; [ "$(id -u)" = 0 ] && chown postgres "$WORK" "$PG_DATA"
  as_pg "$BIN/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --locale=C >/dev/null
  as_pg "$BIN/pg_ctl" -D "$PG_DATA" -w -l "$WORK/pg.log" -o "-p $port -k $WORK -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=50" start >/dev/null
  echo "$port postgres postgres"
}

# PGlite in WebAssembly behind pglite-socket's server (trust: any user and password).
start_pglite() {
  local port; port=$(free_port)
  node "$ROOT/node_modules/@electric-sql/pglite-socket/dist/scripts/server.js" \
    --db="$WORK/pglite-data" --port="$port" --host=127.0.0.1 --max-connections=8 > "$WORK/pglite.log" 2>&1 &
  PGLITE_PID=$!
  for _ in $(seq 1 240); do
    PGPASSWORD=$PASSWORD "$BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1 && break
    sleep 0.5
  done
  echo "$port postgres postgres"
}

# Machine-wide CPU ticks (USER_HZ): busy and total, from /proc/stat.
cpu_ticks() { awk '/^cpu /{idle=$5+$6; tot=0; for(i=2;i<=NF;i++) tot+=$i; print tot-idle, tot}' /proc/stat; }

# run LABEL PORT USER DB ARGS... -> "tps p50 p99 failed idle% server_cpu_us_per_txn"
# The last two: the machine's idle share during the run, and the CPU time
# the machine spent per transaction outside pgbench (busy time minus pgbench's
# own user+system time, over the transactions): the server's cost, plus
# whatever else ran meanwhile.
run() {
  local label=$1 port=$2 user=$3 db=$4; shift 4
  local dir="$WORK/log-$label"; mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chmod 777 "$dir"
  local out rc=0 b0 t0 b1 t1
  read -r b0 t0 < <(cpu_ticks)
  (cd "$dir" && TIMEFORMAT='%U %S' && { time PGPASSWORD=$PASSWORD "$BIN/pgbench" -h 127.0.0.1 -p "$port" -U "$user" -n -l -T "$DURATION" "$@" "$db" > "$dir/out" 2>&1; } 2> "$dir/time") || rc=$?
  read -r b1 t1 < <(cpu_ticks)
  out=$(cat "$dir/out")
  [ "$rc" = 0 ] || { echo "FAILED"; echo "$out" >&2; return; }
  local tps; tps=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  local failed; failed=$(echo "$out" | sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p')
  local txns; txns=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
  local cpu; cpu=$(awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" -v n="${txns:-0}" '{ if (t <= 0 || n <= 0) { print "- -"; exit } printf "%.0f %.0f", 100 * (t - b) / t, (b / 100 - $1 - $2) / n * 1e6 }' "$dir/time")
  # per-transaction log: client_id transaction_no time_us script_no epoch epoch_us
  local pct; pct=$(cat "$dir"/pgbench_log.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "- -"; exit} i50=int(NR*0.5); if(i50<1)i50=1; i99=int(NR*0.99); if(i99<1)i99=1; printf "%.2f %.2f", a[i50]/1000, a[i99]/1000}')
  rm -f "$dir"/pgbench_log.*
  echo "${tps:-0} $pct ${failed:-?} $cpu"
}

declare -A RESULT
declare -A INIT
RUNS=("S-c1-simple|-S -c 1 -M simple" "S-c1-prepared|-S -c 1 -M prepared" "S-c8-simple|-S -c 8 -j 2 -M simple" "S-c8-prepared|-S -c 8 -j 2 -M prepared" "TPCB-c8|-c 8 -j 2 -M prepared")
if [ -n "${ONLY:-}" ]; then
  kept=(); for spec in "${RUNS[@]}"; do [[ " $ONLY " == *" ${spec%%|*} "* ]] && kept+=("$spec"); done
  RUNS=("${kept[@]}")
fi

# Every server is started and loaded first; then the runs alternate between
# them row by row (and pass by pass with PASSES=N), so that a change in the
# shared machine's speed during the script falls on all of them alike. Each
# row keeps the pass with the best tps per server.
declare -A CONN
for target in $TARGETS; do
  start_"$target" > "$WORK/conn"
  CONN["$target"]=$(cat "$WORK/conn")
  read -r port user db <<<"${CONN["$target"]}"
  echo "== $target on port $port: pgbench -i -s $SCALE$([ "$target" = scratchbird ] && echo " (wire writer thread: ${SCRATCHBIRD_WIRE_WRITER_THREAD:-default}, cpu affinity: ${SCRATCHBIRD_CPU_AFFINITY:-auto})")" >&2
  t0=$(date +%s.%N)
  # pglite-socket does not carry COPY FROM STDIN (pgbench fails with "PQputline failed"): PGlite generates the rows server-side (-I G).
  steps=(); [ "$target" = pglite ] && steps=(-I dtGvp)
  PGPASSWORD=$PASSWORD "$BIN/pgbench" -h 127.0.0.1 -p "$port" -U "$user" -i -q "${steps[@]}" -s "$SCALE" "$db" >/dev/null 2>"$WORK/init.err" || { cat "$WORK/init.err" >&2; [ -f "$WORK/pglite.log" ] && tail -5 "$WORK/pglite.log" >&2; exit 1; }
  INIT["$target"]=$(echo "$(date +%s.%N) - $t0" | bc)
  echo "   init: ${INIT["$target"]} s ($(grep -o 'done in.*' "$WORK/init.err" || true))" >&2
done
declare -A PASS_TPS
for pass in $(seq 1 "$PASSES"); do
  [ "$PASSES" -gt 1 ] && echo "== pass $pass of $PASSES" >&2
  for spec in "${RUNS[@]}"; do
    name=${spec%%|*}
    for target in $TARGETS; do
      read -r port user db <<<"${CONN["$target"]}"
      args=${spec#*|}
      # PGlite's connections share one backend: 8 clients' named prepared statements collide ("P_0" already exists) in TPC-B.
      [ "$target" = pglite ] && [ "$name" = TPCB-c8 ] && args=${args/-M prepared/-M simple}
      # shellcheck disable=SC2086
      r=$(run "$target-$name" "$port" "$user" "$db" $args)
      echo "   $target $name: $r" >&2
      tps=${r%% *}
      PASS_TPS["$target/$name"]="${PASS_TPS["$target/$name"]:-}${PASS_TPS["$target/$name"]:+ }${tps%.*}"
      best=${RESULT["$target/$name"]:-}
      if [ -z "$best" ] || [ "${best%% *}" = FAILED ] || { [ "$tps" != FAILED ] && [ "$(echo "$tps > ${best%% *}" | bc)" = 1 ]; }; then
        RESULT["$target/$name"]=$r
      fi
    done
  done
done

ratio() { [ "$1" != "-" ] && [ "$2" != "-" ] && [ "$2" != "0" ] && [ "$2" != "FAILED" ] && [ "$1" != "FAILED" ] && echo "scale=2; $1 / $2" | bc || echo "-"; }
printf '\n%-16s | %-30s | %-30s | %-30s | %-9s | %s\n' "run (scale $SCALE, ${DURATION}s)" "ScratchBird tps / p50 / p99 ms" "PostgreSQL 15 tps / p50 / p99 ms" "PGlite tps / p50 / p99 ms" "SB/PG tps" "SB/PGlite tps"
for spec in "${RUNS[@]}"; do
  name=${spec%%|*}
  read -r st s50 s99 sf _ _ <<<"${RESULT["scratchbird/$name"]:-- - - -}"
  read -r pt p50 p99 pf _ _ <<<"${RESULT["postgresql/$name"]:-- - - -}"
  read -r lt l50 l99 lf _ _ <<<"${RESULT["pglite/$name"]:-- - - -}"
  printf '%-16s | %10s %8s %8s f=%-3s | %10s %8s %8s f=%-3s | %10s %8s %8s f=%-3s | %-9s | %s\n' "$name" "$st" "$s50" "$s99" "$sf" "$pt" "$p50" "$p99" "$pf" "$lt" "$l50" "$l99" "$lf" "$(ratio "$st" "$pt")" "$(ratio "$st" "$lt")"
done
printf '%-16s | %28s s | %28s s | %28s s | %-9s | %s\n' "init (-i)" "${INIT[scratchbird]:--}" "${INIT[postgresql]:--}" "${INIT[pglite]:--}" "$(ratio "${INIT[scratchbird]:--}" "${INIT[postgresql]:--}")" "$(ratio "${INIT[scratchbird]:--}" "${INIT[pglite]:--}")"
printf '\n%-16s | %-30s | %-30s | %s\n' "CPU (machine)" "ScratchBird idle % / µs per txn" "PostgreSQL 15 idle % / µs per txn" "PGlite idle % / µs per txn"
for spec in "${RUNS[@]}"; do
  name=${spec%%|*}
  read -r _ _ _ _ si sc <<<"${RESULT["scratchbird/$name"]:-- - - - - -}"
  read -r _ _ _ _ pi pc <<<"${RESULT["postgresql/$name"]:-- - - - - -}"
  read -r _ _ _ _ li lc <<<"${RESULT["pglite/$name"]:-- - - - - -}"
  printf '%-16s | %14s %15s | %14s %15s | %14s %15s\n' "$name" "${si:--}" "${sc:--}" "${pi:--}" "${pc:--}" "${li:--}" "${lc:--}"
done
if [ "$PASSES" -gt 1 ]; then
  printf '\n%-16s | %s\n' "tps by pass" "$(for t in $TARGETS; do printf '%-24s ' "$t"; done)"
  for spec in "${RUNS[@]}"; do
    name=${spec%%|*}
    printf '%-16s | %s\n' "$name" "$(for t in $TARGETS; do printf '%-24s ' "${PASS_TPS["$t/$name"]:--}"; done)"
  done
fi
