#!/usr/bin/env bash
# plugins/bench/series_curl.sh - raw plugin throughput: starts the series
# plugin as the manager would, runs a full scan of ROWS rows (default
# 10000000) RUNS times (default 5) with curl over the Unix socket, and prints
# rows/second for each run and the median.  Goal: >= 2 million rows/s.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SERIES=${SERIES:-$HERE/../series/series}
ROWS=${ROWS:-10000000}
RUNS=${RUNS:-5}
TMP=$(mktemp -d /tmp/pmbench.XXXXXX)
pid=""
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$SERIES" ] || { echo "build first: make -C plugins" >&2; exit 1; }
mkfifo "$TMP/stdin"
env -i PATH=/usr/bin:/bin PLUGIN_MANAGER_SOCKET="$TMP/sock" PLUGIN_MANAGER_PROTOCOL=1 \
    "$SERIES" <"$TMP/stdin" >"$TMP/stdout" 2>"$TMP/stderr" &
pid=$!
exec 3>"$TMP/stdin"
for _ in $(seq 1 200); do [ -s "$TMP/stdout" ] && break; sleep 0.05; done
[ -s "$TMP/stdout" ] || { echo "series did not start" >&2; cat "$TMP/stderr" >&2; exit 1; }

body="{\"table\":\"rows\",\"columns\":[\"id\",\"name\",\"value\",\"flag\",\"ts\"],\"config\":{\"rows\":\"$ROWS\"}}"
echo "series: full scan of $ROWS rows (5 columns), $RUNS runs, curl -o /dev/null over a Unix socket"
rates=()
for i in $(seq 1 "$RUNS"); do
    t=$(curl -sS --unix-socket "$TMP/sock" -o /dev/null -w '%{time_total} %{size_download}' \
        --data-binary "$body" http://plugin/v1/scan)
    secs=${t% *}
    bytes=${t#* }
    rate=$(awk -v r="$ROWS" -v s="$secs" 'BEGIN { printf "%d", r / s }')
    rates+=("$rate")
    printf 'run %d: %.3f s, %d MB, %d rows/s\n' "$i" "$secs" $((bytes / 1000000)) "$rate"
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }')
echo "median: $median rows/s"
exec 3>&-
