#!/usr/bin/env bash
# test/bench/run.sh [rows...] - plugin_manager FDW scan benchmark.
#
# Builds and installs the extension, starts a throwaway cluster and one series
# plugin on TCP loopback, and for each ROWS (default 1000000) times the same
# all-columns aggregate through
#   fdw       the FDW, plugin run by the manager (Unix socket)
#   fdw_url   the FDW against the TCP series instance (server option url)
#   plpython  a PL/Python SRF streaming the scan with urllib + json.loads
#   file_fdw  file_fdw running curl, each line cast through jsonb
# (one warm-up each, then 5 timed runs interleaved across methods so that
# load from other processes hits all alike; median reported).  Then a point
# query on a 10M-row server (20 runs) and the peak RSS (VmHWM) of a fresh
# backend running the FDW aggregate at 1M and 10M rows.  Prints a summary; writes no files
# outside its temporary directory.  Run as root on Debian 12.
#
# Environment: BENCH_PORT (cluster port, default 5498), BENCH_RUNS (default 5),
# BENCH_POINT_RUNS (default 20), BENCH_SKIP_BUILD=1 to skip make.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
. "$SRC/scripts/lib.sh"

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000)
for n in "${SIZES[@]}"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [rows...]" >&2; exit 2; }
done
PORT=${BENCH_PORT:-5498}
RUNS=${BENCH_RUNS:-5}
POINT_RUNS=${BENCH_POINT_RUNS:-20}
MEM_SIZES=(1000000 10000000)
POINT_ROWS=10000000
SERIES_BIN=$($PG_CONFIG --pkglibdir)/plugin_manager/series

W=""
series_pid=""
cleanup() {
    set +e
    if [ -n "$W" ]; then
        pm_stop_cluster "$W"
    fi
    if [ -n "$series_pid" ]; then
        kill -TERM "$series_pid" 2>/dev/null && wait "$series_pid" 2>/dev/null
    fi
    [ -n "$W" ] && rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    pm_log "make with_llvm=no && make with_llvm=no install"
    make -C "$SRC" -s with_llvm=no >/dev/null
    make -C "$SRC" -s with_llvm=no install >/dev/null
fi
[ -x "$SERIES_BIN" ] || { echo "series plugin not installed at $SERIES_BIN" >&2; exit 1; }

W=$(mktemp -d /tmp/pm_bench.XXXXXX)
chmod 755 "$W"

# ---- the TCP series instance for the baselines ----
series_port=""
for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if ! ss -Htln "sport = :$p" | grep -q .; then series_port=$p; break; fi
done
[ -n "$series_port" ] || { echo "no free TCP port" >&2; exit 1; }
SERIES_URL="http://127.0.0.1:$series_port"
env -i PATH=/usr/bin:/bin PLUGIN_MANAGER_PROTOCOL=1 \
    "$SERIES_BIN" --listen "127.0.0.1:$series_port" --ignore-stdin \
    </dev/null >"$W/series.out" 2>"$W/series.err" &
series_pid=$!
for _ in $(seq 1 100); do [ -s "$W/series.out" ] && break; sleep 0.05; done
[ -s "$W/series.out" ] || { echo "series did not start:" >&2; cat "$W/series.err" >&2; exit 1; }

# ---- the cluster ----
pm_log "cluster in $W (port $PORT), series on $SERIES_URL"
pm_make_plugin_dir "$W/plugins" "$SRC"
pm_start_cluster "$W" "$PORT" "$W/plugins" \
    "shared_buffers = 128MB" "work_mem = 64MB" \
    "max_parallel_workers_per_gather = 0" "jit = off" \
    "bench.series_url = '$SERIES_URL'"

psql_() {
    (cd / && runuser -u postgres -- env PATH=/usr/bin:/bin \
        $PG_BIN/psql -h "$W/sock" -p "$PORT" -X -q -v ON_ERROR_STOP=1 -d postgres "$@")
}
psql_ -f "$HERE/setup.sql" >/dev/null

agg_cols="count(*), sum(id), avg(value), count(*) FILTER (WHERE flag), max(ts), max(length(name))"
fdw_query() { echo "SELECT $agg_cols FROM $1.rows"; }

# servers and tables for size N: b_N (managed plugin), bu_N (url), f_N (file_fdw)
declare -A SETUP_DONE
setup_size() {
    local n=$1
    [ -z "${SETUP_DONE[$n]:-}" ] || return 0
    SETUP_DONE[$n]=1
    printf '{"table":"rows","columns":["id","name","value","flag","ts"],"quals":[],"config":{"rows":"%s"},"credentials":{}}' \
        "$n" >"$W/req_$n.json"
    chmod 644 "$W/req_$n.json"
    psql_ >/dev/null <<SQL
SET client_min_messages = warning;
CREATE SERVER IF NOT EXISTS s_$n FOREIGN DATA WRAPPER plugin_manager
    OPTIONS (plugin 'series', rows '$n');
CREATE SCHEMA IF NOT EXISTS b_$n;
IMPORT FOREIGN SCHEMA series FROM SERVER s_$n INTO b_$n;
CREATE SERVER IF NOT EXISTS su_$n FOREIGN DATA WRAPPER plugin_manager
    OPTIONS (url '$SERIES_URL', rows '$n');
CREATE SCHEMA IF NOT EXISTS bu_$n;
IMPORT FOREIGN SCHEMA series FROM SERVER su_$n INTO bu_$n;
CREATE SERVER IF NOT EXISTS files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE f_$n (line text) SERVER files OPTIONS (
    program '/usr/bin/curl -sS --fail -H "Content-Type: application/json" --data-binary @$W/req_$n.json $SERIES_URL/v1/scan',
    format 'csv', delimiter E'\x01', quote E'\x02');
SQL
}

declare -A MED RES TIMES
# measure METHOD N QUERY [RUNS]: stores median seconds, result row, all times
measure() {
    local method=$1 n=$2 q=$3 runs=${4:-$RUNS} out
    pm_log "$method, $n rows: 1 warm-up + $runs runs"
    out=$(psql_ -At -F $'\t' -v q="$q" -v runs="$runs" <<'SQL'
SELECT bench_median(times), result, array_to_string(times, ' ')
FROM bench_time(:'q', :runs);
SQL
)
    IFS=$'\t' read -r MED[$method,$n] RES[$method,$n] TIMES[$method,$n] <<<"$out"
}

METHODS=(fdw fdw_url plpython file_fdw)
# measure_round N QUERY...: the methods' queries, timed interleaved
measure_round() {
    local n=$1 out idx med res times
    shift
    pm_log "${METHODS[*]}, $n rows: 1 warm-up each + $RUNS interleaved runs"
    local vars=() refs=() k=0 q
    for q in "$@"; do
        k=$((k + 1))
        vars+=(-v "q$k=$q")
        refs+=(":'q$k'")
    done
    out=$(psql_ -At -F $'\t' -v runs="$RUNS" "${vars[@]}" <<SQL
SELECT idx, bench_median(times), result, array_to_string(times, ' ')
FROM bench_round(ARRAY[$(IFS=,; echo "${refs[*]}")], :runs) ORDER BY idx;
SQL
)
    while IFS=$'\t' read -r idx med res times; do
        m=${METHODS[$((idx - 1))]}
        MED[$m,$n]=$med
        RES[$m,$n]=$res
        TIMES[$m,$n]=$times
    done <<<"$out"
}

for n in "${SIZES[@]}"; do
    setup_size "$n"
    measure_round "$n" \
        "$(fdw_query b_$n)" \
        "$(fdw_query bu_$n)" \
        "SELECT $agg_cols FROM bench_series($n)" \
        "SELECT $agg_cols FROM (SELECT (j->>0)::bigint AS id, j->>1 AS name, (j->>2)::float8 AS value, (j->>3)::boolean AS flag, (j->>4)::timestamptz AS ts FROM (SELECT line::jsonb AS j FROM f_$n WHERE line LIKE '[%' OFFSET 0) s) t"
done

# ---- point query ----
setup_size $POINT_ROWS
point_q="SELECT * FROM b_$POINT_ROWS.rows WHERE id = 4242"
measure point $POINT_ROWS "$point_q" "$POINT_RUNS"
point_explain=$(psql_ -At -c "EXPLAIN (VERBOSE, COSTS OFF) $point_q")

# ---- memory: a fresh backend per measurement ----
declare -A HWM0 HWM1 RSS1 CTX1
for n in "${MEM_SIZES[@]}"; do
    setup_size "$n"
    pm_log "memory: fresh backend, fdw aggregate over $n rows"
    out=$(psql_ -At -F $'\t' -v q="$(fdw_query b_$n)" <<'SQL'
SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
                     'VmHWM:\s+(\d+) kB'))[1] AS before \gset
:q \g /dev/null
SELECT :before,
       (regexp_match(s, 'VmHWM:\s+(\d+) kB'))[1],
       (regexp_match(s, 'VmRSS:\s+(\d+) kB'))[1],
       (SELECT sum(total_bytes) FROM pg_backend_memory_contexts)
FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') AS s;
SQL
)
    IFS=$'\t' read -r HWM0[$n] HWM1[$n] RSS1[$n] CTX1[$n] <<<"$out"
done

# ---- summary ----
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
warnings=()

echo
echo "plugin_manager scan benchmark  ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, commit $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on this machine skew timings)"
echo "aggregate: SELECT $agg_cols"
echo "median of $RUNS runs (methods interleaved run by run) after 1 warm-up each; shared_buffers=128MB work_mem=64MB max_parallel_workers_per_gather=0 jit=off"
echo
printf '%-9s %10s %10s %12s %13s  %s\n' method rows median_s rows/s "fdw faster" target
for n in "${SIZES[@]}"; do
    f=${MED[fdw,$n]}
    for m in fdw fdw_url plpython file_fdw; do
        s=${MED[$m,$n]}
        rate=$(awk -v n="$n" -v s="$s" 'BEGIN { printf "%d", n / s }')
        ratio=$(awk -v s="$s" -v f="$f" 'BEGIN { printf "%.2fx", s / f }')
        case $m in
            plpython) tgt=">= 3x: $(verdict "$s / $f >= 3")" ;;
            file_fdw) tgt=">= 2.5x: $(verdict "$s / $f >= 2.5")" ;;
            *) tgt="" ;;
        esac
        [ "$m" = fdw ] && ratio="-"
        printf '%-9s %10s %10.3f %12s %13s  %s\n' "$m" "$n" "$s" "$rate" "$ratio" "$tgt"
        if [ "${RES[$m,$n]}" != "${RES[fdw,$n]}" ]; then
            warnings+=("WARNING: $m result at $n rows differs from fdw: ${RES[$m,$n]} vs ${RES[fdw,$n]}")
        fi
    done
done
echo
echo "results (warm-up run of each method):"
for n in "${SIZES[@]}"; do
    for m in fdw fdw_url plpython file_fdw; do
        printf '  %-9s %10s %s\n' "$m" "$n" "${RES[$m,$n]}"
    done
done
echo "run times (s):"
for n in "${SIZES[@]}"; do
    for m in fdw fdw_url plpython file_fdw; do
        printf '  %-9s %10s %s\n' "$m" "$n" "${TIMES[$m,$n]}"
    done
done
echo
echo "peak backend RSS (VmHWM of a fresh backend running the fdw aggregate once):"
printf '%10s %10s %10s %10s %10s %12s  %s\n' rows before_MB after_MB growth_MB rss_now_MB contexts_MB target
for n in "${MEM_SIZES[@]}"; do
    printf '%10s %10s %10s %10s %10s %12s  %s\n' "$n" "$(mb "${HWM0[$n]}")" "$(mb "${HWM1[$n]}")" \
        "$(mb $((HWM1[$n] - HWM0[$n])))" "$(mb "${RSS1[$n]}")" \
        "$(awk -v b="${CTX1[$n]}" 'BEGIN { printf "%.1f", b / 1048576 }')" \
        "< 32 MB: $(verdict "${HWM1[$n]} < 32 * 1024")"
done
echo "  (after_MB is the figure; contexts_MB = sum(total_bytes) of pg_backend_memory_contexts after the query)"
echo
pm=$(awk -v s="${MED[point,$POINT_ROWS]}" 'BEGIN { printf "%.3f", s * 1000 }')
echo "point query: $point_q"
echo "  median of $POINT_RUNS runs: $pm ms   target < 10 ms: $(verdict "$pm < 10")"
echo "  result: ${RES[point,$POINT_ROWS]}"
echo "  runs (ms): $(for t in ${TIMES[point,$POINT_ROWS]}; do awk -v t="$t" 'BEGIN { printf "%.2f ", t * 1000 }'; done)"
echo "$point_explain" | sed 's/^/  | /'
if [[ "${RES[point,$POINT_ROWS]}" != '(4242,row-4242,2121,t,"2020-01-01 '* ]]; then
    warnings+=("WARNING: point query result unexpected: ${RES[point,$POINT_ROWS]}")
fi
echo
for w in "${warnings[@]+"${warnings[@]}"}"; do echo "$w"; done
[ ${#warnings[@]} -eq 0 ] && echo "all methods returned the same result"
exit 0
