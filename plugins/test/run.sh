#!/usr/bin/env bash
# plugins/test/run.sh - the plugin suite, in TAP: the SDK's unit tests, then
# every plugin started the way the manager starts it (clean environment with
# PLUGIN_MANAGER_SOCKET, PLUGIN_MANAGER_PROTOCOL=1 and PATH; stdin a pipe),
# exercised over its Unix socket with curl.  Only Unix sockets and loopback.
# Waits are bounded and wait for events (the handshake line, process exit),
# never for a fixed time.  Exits non-zero if any assertion failed.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
PLUGINS=$(dirname "$HERE")
ROOT=$(dirname "$PLUGINS")
FAULT_DIR=$ROOT/test/plugins/fault
# Unix socket paths are limited to 107 bytes: keep the folder short
TMP=$(mktemp -d /tmp/pmtest.XXXXXX)
VALGRIND=${VALGRIND:-$(command -v valgrind || true)}

n=0
failures=0
bg_pids=()

cleanup() {
    local p
    for p in "${bg_pids[@]}"; do
        kill -KILL "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

ok() {                      # ok STATUS DESCRIPTION
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failures=$((failures + 1))
    fi
}

check() {                   # check DESCRIPTION COMMAND...
    local desc=$1
    shift
    "$@" >/dev/null 2>&1
    ok $? "$desc"
}

is() {                      # is GOT EXPECTED DESCRIPTION
    if [ "$1" == "$2" ]; then
        ok 0 "$3"
    else
        ok 1 "$3"
        printf '#   got:      %.300s\n#   expected: %.300s\n' "$1" "$2"
    fi
}

diag() { echo "# $*"; }

# wait_until SECONDS COMMAND...: polls COMMAND every 50 ms, bounded
wait_until() {
    local limit=$1 i=0
    shift
    while ! "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        [ $i -ge $((limit * 20)) ] && return 1
        sleep 0.05
    done
    return 0
}

alive() { kill -0 "$1" 2>/dev/null; }
dead() { ! kill -0 "$1" 2>/dev/null; }
has_line() { [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]; }

# start ID EXECUTABLE [TIMEOUT [PREFIX...]] [-- ARGS...]
# Starts a plugin as the manager does; sets $ID_pid, $ID_fd (its stdin),
# $ID_sock and $ID_dir.  Returns when the handshake line is out.
start() {
    local id=$1 exe=$2 timeout=${3:-10}
    shift 3 2>/dev/null || shift $#
    local prefix=() args=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do prefix+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    args=("$@")
    local dir=$TMP/$id
    mkdir -p "$dir"
    mkfifo "$dir/stdin"
    env -i PATH=/usr/bin:/bin PLUGIN_MANAGER_SOCKET="$dir/sock" PLUGIN_MANAGER_PROTOCOL=1 \
        "${prefix[@]}" "$exe" "${args[@]}" <"$dir/stdin" >"$dir/stdout" 2>"$dir/stderr" &
    local pid=$!
    local fd
    exec {fd}>"$dir/stdin"
    bg_pids+=("$pid")
    printf -v "${id}_pid" '%s' "$pid"
    printf -v "${id}_fd" '%s' "$fd"
    printf -v "${id}_sock" '%s' "$dir/sock"
    printf -v "${id}_dir" '%s' "$dir"
    wait_until "$timeout" has_line "$dir/stdout"
}

# stop_eof ID SECONDS: closes the plugin's stdin and waits for it to exit;
# sets $ID_status
stop_eof() {
    local id=$1 limit=${2:-10}
    local pidv=${id}_pid fdv=${id}_fd
    eval "exec ${!fdv}>&-"
    if wait_until "$limit" dead "${!pidv}"; then
        wait "${!pidv}"
        printf -v "${id}_status" '%s' "$?"
        return 0
    fi
    printf -v "${id}_status" '%s' "timeout"
    return 1
}

stop_term() {
    local id=$1 limit=${2:-10}
    local pidv=${id}_pid fdv=${id}_fd
    kill -TERM "${!pidv}"
    if wait_until "$limit" dead "${!pidv}"; then
        wait "${!pidv}"
        printf -v "${id}_status" '%s' "$?"
        eval "exec ${!fdv}>&-"
        return 0
    fi
    printf -v "${id}_status" '%s' "timeout"
    eval "exec ${!fdv}>&-"
    return 1
}

# req SOCKET METHOD PATH [BODY]: prints the HTTP status; body in $TMP/body
req() {
    local sock=$1 method=$2 path=$3 body=${4:-}
    if [ "$method" = POST ]; then
        curl -sS -m 60 --unix-socket "$sock" -o "$TMP/body" -w '%{http_code}' \
            -H 'Content-Type: application/json' --data-binary "$body" "http://plugin$path"
    else
        curl -sS -m 60 --unix-socket "$sock" -o "$TMP/body" -w '%{http_code}' "http://plugin$path"
    fi
}

scan() { req "$1" POST /v1/scan "$2"; }
body() { cat "$TMP/body"; }
last_line() { tail -n 1 "$TMP/body"; }
rows_of() { grep -c '^\[' "$TMP/body"; }

# error_is STATUS WANT_STATUS WORD DESCRIPTION: an error with a message
error_is() {
    local msg
    msg=$(jq -r '.error.message // empty' "$TMP/body" 2>/dev/null)
    if [ "$1" = "$2" ] && [ -n "$msg" ] && grep -q -- "$3" "$TMP/body"; then
        ok 0 "$4"
    else
        ok 1 "$4"
        diag "status $1, body: $(head -c 300 "$TMP/body")"
    fi
}

echo "# plugin suite; temporary folder $TMP"

########################################################################
diag "SDK unit tests"
unit_out=$("$PLUGINS/test/test_sdk" 2>"$TMP/unit.stderr")
unit_rc=$?
while IFS= read -r line; do
    case $line in
        "ok - "*) ok 0 "sdk: ${line#ok - }" ;;
        "not ok - "*) ok 1 "sdk: ${line#not ok - }" ;;
        *) echo "# $line" ;;
    esac
done <<<"$unit_out"
ok $unit_rc "sdk: unit test program exits 0"
if [ -n "$VALGRIND" ]; then
    "$VALGRIND" -q --leak-check=full --error-exitcode=99 "$PLUGINS/test/test_sdk" >/dev/null 2>"$TMP/unit.valgrind"
    ok $? "sdk: unit tests are clean under valgrind"
fi

########################################################################
diag "series"
start s "$PLUGINS/series/series"
ok $? "series: handshake line within 10 s"
is "$(cat "$s_dir/stdout")" '{"protocol": 1, "name": "series", "version": "1.0.0"}' \
    "series: handshake is exactly the protocol line"
check "series: listens on PLUGIN_MANAGER_SOCKET" test -S "$s_sock"
is "$(req "$s_sock" GET /v1/health)" 200 "series: health answers 200"
is "$(body)" '{"status":"ok"}' "series: health body"
is "$(req "$s_sock" GET /v1/schema)" 200 "series: schema answers 200"
is "$(jq -c '[.protocol, .plugin, .tables[0].name, [.tables[0].columns[] | .name + ":" + .type]]' "$TMP/body")" \
    '[1,"series","rows",["id:bigint","name:text","value:double precision","flag:boolean","ts:timestamptz"]]' \
    "series: schema lists the columns and types"
is "$(jq -c '.tables[0].key_columns' "$TMP/body")" \
    '[{"name":"id","operators":["=","<","<=",">",">=","in"],"required":false}]' \
    "series: schema key columns"

is "$(scan "$s_sock" '{"table":"rows","columns":["id","name","value","flag","ts"],"limit":3,"config":{}}')" \
    200 "series: scan answers 200"
is "$(body)" '[1,"row-1",0.5,false,"2020-01-01T00:00:01Z"]
[2,"row-2",1,true,"2020-01-01T00:00:02Z"]
[3,"row-3",1.5,false,"2020-01-01T00:00:03Z"]
{"end":true,"rows":3}' "series: limit 3 gives three exact rows and the trailer"
ctype=$(curl -sS -m 10 --unix-socket "$s_sock" -o /dev/null -w '%{content_type}' \
    --data-binary '{"table":"rows","limit":1}' http://plugin/v1/scan)
is "$ctype" "application/x-ndjson" "series: content type is application/x-ndjson"

scan "$s_sock" '{"table":"rows","columns":["ts","id"],"quals":[{"column":"id","op":"=","value":500000}]}' >/dev/null
is "$(body)" '["2020-01-06T18:53:20Z",500000]
{"end":true,"rows":1}' "series: id = k, columns in request order"

start_ns=$(date +%s%N)
scan "$s_sock" '{"table":"rows","columns":["id"],"quals":[{"column":"id","op":"=","value":999999999999}],"config":{"rows":"1000000000000"}}' >/dev/null
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
is "$(body)" '[999999999999]
{"end":true,"rows":1}' "series: id = k among 10^12 rows"
check "series: id = k does not walk the rows (${elapsed_ms} ms)" test "$elapsed_ms" -lt 2000

scan "$s_sock" '{"table":"rows","columns":["id"],"quals":[{"column":"id","op":"in","value":[7,3,3,12,0,-5]},{"column":"id","op":"<","value":10}],"config":{"rows":"100"}}' >/dev/null
is "$(body | tr '\n' ' ')" '[3] [7] {"end":true,"rows":2} ' "series: in list sorted, distinct, within the range"
scan "$s_sock" '{"table":"rows","columns":["id","flag"],"quals":[{"column":"id","op":">","value":10},{"column":"id","op":"<=","value":13}]}' >/dev/null
is "$(body | tr '\n' ' ')" '[11,false] [12,true] [13,false] {"end":true,"rows":3} ' "series: range quals > and <="
scan "$s_sock" '{"table":"rows","columns":["id"],"quals":[{"column":"id","op":">=","value":99},{"column":"id","op":"<","value":200}],"config":{"rows":"100"},"limit":50}' >/dev/null
is "$(body | tr '\n' ' ')" '[99] [100] {"end":true,"rows":2} ' "series: range clipped to rows"
scan "$s_sock" '{"table":"rows","columns":["id"],"quals":[{"column":"id","op":">","value":9223372036854775807},{"column":"id","op":"<","value":-9223372036854775808}]}' >/dev/null
is "$(body)" '{"end":true,"rows":0}' "series: quals at the int64 limits"
scan "$s_sock" '{"table":"rows","columns":["id"],"quals":[{"column":"id","op":"<","value":-9223372036854775808}]}' >/dev/null
is "$(body)" '{"end":true,"rows":0}' "series: id < min int64 is empty"
scan "$s_sock" '{"table":"rows","columns":["id"],"quals":[{"column":"id","op":">=","value":-9223372036854775808}],"limit":1}' >/dev/null
is "$(body | tr '\n' ' ')" '[1] {"end":true,"rows":1} ' "series: id >= min int64 starts at 1"
scan "$s_sock" '{"table":"rows","columns":["id"],"quals":[{"column":"name","op":"=","value":"row-1"}],"limit":2}' >/dev/null
is "$(body | tr '\n' ' ')" '[1] [2] {"end":true,"rows":2} ' "series: a qual on a non-key column is ignored"
scan "$s_sock" '{"table":"rows","columns":[],"config":{"rows":"5"}}' >/dev/null
is "$(body | tr '\n' ' ')" '[] [] [] [] [] {"end":true,"rows":5} ' "series: no columns (count(*))"
scan "$s_sock" '{"table":"rows","columns":["id"],"config":{"rows":"0"}}' >/dev/null
is "$(body)" '{"end":true,"rows":0}' "series: zero rows"
scan "$s_sock" '{"table":"rows","columns":["id","name"],"config":{"rows":"100000"}}' >/dev/null
is "$(rows_of)/$(last_line)" '100000/{"end":true,"rows":100000}' "series: full scan of 100000 rows"

st=$(scan "$s_sock" '{"table":"rows","config":{"rows":"lots"}}')
error_is "$st" 400 '\\"rows\\"' "series: a bad rows option is a 400 naming the option"
st=$(scan "$s_sock" '{"table":"nope"}')
error_is "$st" 400 "nope" "series: unknown table is a 400"
st=$(scan "$s_sock" '{"table":"rows","columns":["id","nope"]}')
error_is "$st" 400 "nope" "series: unknown column is a 400"
st=$(scan "$s_sock" '{"table":"rows","quals":[{"column":"nope","op":"=","value":1}]}')
error_is "$st" 400 "nope" "series: a qual on an unknown column is a 400"
st=$(scan "$s_sock" '{"table":"rows","quals":[{"column":"id","op":"like","value":1}]}')
error_is "$st" 400 "like" "series: an unknown operator is a 400"
st=$(scan "$s_sock" '{"table":"rows","quals":[{"column":"id","op":"=","value":"1"}]}')
error_is "$st" 400 "integer" "series: a string for bigint id is a 400"
st=$(scan "$s_sock" '{"table": "rows", "columns": [')
error_is "$st" 400 "Malformed JSON" "series: malformed JSON is a 400"
st=$(req "$s_sock" GET /v1/nothing)
error_is "$st" 404 "not found" "series: unknown path is a 404 with an error body"
st=$(req "$s_sock" GET /v1/scan)
error_is "$st" 405 "method" "series: GET /v1/scan is a 405"
{ printf '{"table":"rows"'; head -c 1100000 /dev/zero | tr '\0' ' '; printf '}'; } >"$TMP/big.json"
st=$(scan "$s_sock" "@$TMP/big.json")
error_is "$st" 413 "too large" "series: a request body over 1 MB is a 413"

# keep-alive: two requests on one connection
out=$(curl -sS -m 10 --unix-socket "$s_sock" -w '%{num_connects}\n' \
    -o /dev/null http://plugin/v1/health -o /dev/null http://plugin/v1/schema | tr '\n' ' ')
is "$out" "1 0 " "series: connections are kept alive and reused"

diag "16 concurrent scans"
for i in $(seq 1 16); do
    curl -sS -m 120 --unix-socket "$s_sock" -o "$TMP/c$i" \
        --data-binary '{"table":"rows","columns":["id","name","value"],"config":{"rows":"200000"}}' \
        http://plugin/v1/scan &
    cpids[$i]=$!
done
good=0
for i in $(seq 1 16); do
    wait "${cpids[$i]}" &&
        [ "$(tail -n 1 "$TMP/c$i")" = '{"end":true,"rows":200000}' ] &&
        [ "$(grep -c '^\[' "$TMP/c$i")" = 200000 ] && good=$((good + 1))
done
is "$good" 16 "series: 16 concurrent scans all complete with the right trailer"
rm -f "$TMP"/c*

diag "a client that leaves mid-stream"
curl -sS -m 60 --unix-socket "$s_sock" --data-binary \
    '{"table":"rows","config":{"rows":"100000000"}}' http://plugin/v1/scan 2>/dev/null | head -c 1000 >"$TMP/head" &
head_pid=$!
is "$(scan "$s_sock" '{"table":"rows","columns":["id"],"config":{"rows":"50000"}}')/$(last_line)" \
    '200/{"end":true,"rows":50000}' "series: another client is served meanwhile"
wait $head_pid
is "$(wc -c <"$TMP/head")" 1000 "series: the leaving client got its first 1000 bytes"
check "series: the abandoned scan stops (logged as client gone)" \
    wait_until 20 grep -q "ended early (client gone)" "$s_dir/stderr"
is "$(req "$s_sock" GET /v1/health)" 200 "series: still healthy after the disconnect"
check "series: logs one line per scan on stderr" grep -q '^scan table=rows rows=3 ' "$s_dir/stderr"

stop_eof s 10
ok $? "series: exits when stdin reaches EOF"
is "$s_status" 0 "series: exit status 0 on EOF"
check "series: socket removed on exit" test ! -e "$s_sock"

# SIGTERM while a long scan is streaming; a stale socket file is replaced
mkdir -p "$TMP/t" && : >"$TMP/t/sock"
start t "$PLUGINS/series/series"
ok $? "series: starts over a stale socket file"
curl -sS -m 60 --unix-socket "$t_sock" --data-binary '{"table":"rows","config":{"rows":"100000000"}}' \
    http://plugin/v1/scan -o "$TMP/long" 2>/dev/null &
long_pid=$!
wait_until 10 test -s "$TMP/long"
stop_term t 10
ok $? "series: exits on SIGTERM during a streaming scan"
is "$t_status" 0 "series: exit status 0 on SIGTERM"
check "series: socket removed after SIGTERM" test ! -e "$t_sock"
wait $long_pid
check "series: the cut stream has no trailer" bash -c "! tail -n 1 '$TMP/long' | grep -q '\"end\"'"

check "series: refuses to start without PLUGIN_MANAGER_SOCKET" \
    bash -c "! env -i PATH=/usr/bin:/bin '$PLUGINS/series/series' </dev/null"

########################################################################
diag "hello example, over TCP too"
port=$((20000 + $$ % 20000))
start h "$PLUGINS/sdk/example/hello" 10 -- --listen "127.0.0.1:$port"
ok $? "hello: handshake"
scan "$h_sock" '{"table":"greeting","columns":["greeting","length"],"quals":[{"column":"name","op":"=","value":"Ada"}],"config":{"greeting":"Hi"}}' >/dev/null
is "$(body | tr '\n' ' ')" '["Hi, Ada!",8] {"end":true,"rows":1} ' "hello: greets the name in the qual"
scan "$h_sock" '{"table":"greeting","columns":["name"],"limit":2}' >/dev/null
is "$(body | tr '\n' ' ')" '["world"] ["PostgreSQL"] {"end":true,"rows":2} ' "hello: default names with a limit"
is "$(curl -sS -m 10 "http://127.0.0.1:$port/v1/health")" '{"status":"ok"}' "hello: serves TCP with --listen"
check "hello: the SDK README shows example/hello.c as it is" \
    cmp <(sed -n '/^```c$/,/^```$/p' "$PLUGINS/sdk/README.md" | sed '1d;$d') "$PLUGINS/sdk/example/hello.c"
check "hello: the example is under 100 lines" test "$(wc -l <"$PLUGINS/sdk/example/hello.c")" -lt 100

########################################################################
diag "host"
start host "$PLUGINS/host/host"
ok $? "host: handshake"
req "$host_sock" GET /v1/schema >/dev/null
is "$(jq -c '[.tables[].name]' "$TMP/body")" '["process","listening_socket","network_interface","mount","os_info"]' \
    "host: schema lists its tables"
scan "$host_sock" "{\"table\":\"process\",\"columns\":[\"pid\",\"ppid\",\"name\",\"username\",\"cmdline\"],\"quals\":[{\"column\":\"pid\",\"op\":\"=\",\"value\":$host_pid}]}" >/dev/null
is "$(head -n 1 "$TMP/body" | jq -c '[.[0], .[1], .[2], .[3]]')" "[$host_pid,$$,\"host\",\"$(id -un)\"]" \
    "host: process by pid (pid, ppid, name, username)"
is "$(last_line)" '{"end":true,"rows":1}' "host: pid = k gives one row"
scan "$host_sock" "{\"table\":\"process\",\"columns\":[\"pid\",\"state\",\"rss_bytes\",\"cpu_seconds\",\"start_time\"],\"quals\":[{\"column\":\"pid\",\"op\":\"in\",\"value\":[1,$host_pid,$host_pid,999999999]}]}" >/dev/null
is "$(rows_of)" 2 "host: pid in (...) skips duplicates and missing pids"
check "host: process values have their types" jq -e -s \
    '.[0] | (.[1] | type == "string") and (.[2] > 0) and (.[3] | type == "number") and (.[4] | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' "$TMP/body"
scan "$host_sock" '{"table":"process","columns":["pid"]}' >/dev/null
check "host: full process scan lists more than one process" test "$(rows_of)" -gt 1
scan "$host_sock" '{"table":"listening_socket"}' >/dev/null
check "host: listening_socket shows hello's TCP port" jq -e -s \
    "any(.[]; type == \"array\" and .[0] == \"tcp\" and .[1] == \"127.0.0.1\" and .[2] == $port)" "$TMP/body"
scan "$host_sock" '{"table":"network_interface"}' >/dev/null
check "host: network_interface has lo with 127.0.0.1/8" jq -e -s \
    'any(.[]; type == "array" and .[0] == "lo" and .[1] > 0 and (.[3] | index("127.0.0.1/8")))' "$TMP/body"
scan "$host_sock" '{"table":"mount","columns":["mount_point","size_bytes","used_bytes","available_bytes"]}' >/dev/null
check "host: mount lists / with sizes" jq -e -s \
    'any(.[]; type == "array" and .[0] == "/" and .[1] > 0 and .[2] >= 0 and .[3] >= 0)' "$TMP/body"
scan "$host_sock" '{"table":"os_info"}' >/dev/null
is "$(head -n 1 "$TMP/body" | jq -c '[.[0], .[1]]')" "[\"$(hostname)\",\"$(uname -r)\"]" \
    "host: os_info hostname and kernel release"
check "host: os_info boot time and uptime" jq -e -s \
    '.[0] | (.[4] | test("Z$")) and (.[5] > 0) and (.[3] | type == "string")' "$TMP/body"
is "$(last_line)" '{"end":true,"rows":1}' "host: os_info is one row"
stop_term host 10
is "$host_status" 0 "host: exits 0 on SIGTERM"

########################################################################
diag "net"
start net "$PLUGINS/net/net"
ok $? "net: handshake"
url="http://127.0.0.1:$port/v1/health"
st=$(scan "$net_sock" "{\"table\":\"http_request\",\"quals\":[{\"column\":\"url\",\"op\":\"=\",\"value\":\"$url\"}]}")
is "$st" 200 "net: http_request answers 200"
is "$(head -n 1 "$TMP/body" | jq -c '[.[0], .[1], .[2], .[3]["content-type"], .[4]]')" \
    "[\"$url\",\"GET\",200,\"application/json\",\"{\\\"status\\\":\\\"ok\\\"}\"]" \
    "net: url, method, status, headers, body"
check "net: elapsed_ms is a number" jq -e -s '.[0][5] | type == "number" and . >= 0' "$TMP/body"
scan "$net_sock" "{\"table\":\"http_request\",\"columns\":[\"status\",\"body\"],\"quals\":[{\"column\":\"url\",\"op\":\"=\",\"value\":\"http://127.0.0.1:$port/v1/nothing\"},{\"column\":\"method\",\"op\":\"=\",\"value\":\"HEAD\"}]}" >/dev/null
is "$(head -n 1 "$TMP/body")" '[404,""]' "net: method HEAD, a 404 is a row"
st=$(scan "$net_sock" '{"table":"http_request","columns":["status"]}')
error_is "$st" 400 '\\"url\\"' "net: missing required url is a 400 naming it"
st=$(scan "$net_sock" '{"table":"http_request","quals":[{"column":"url","op":"=","value":"file:///etc/hostname"}]}')
error_is "$st" 400 "scheme not allowed" "net: file:// is refused by default"
st=$(scan "$net_sock" "{\"table\":\"http_request\",\"quals\":[{\"column\":\"url\",\"op\":\"=\",\"value\":\"$url\"}],\"config\":{\"allowed_schemes\":\"https\"}}")
error_is "$st" 400 "scheme not allowed" "net: allowed_schemes=https refuses http"
st=$(scan "$net_sock" '{"table":"http_request","quals":[{"column":"url","op":"=","value":"http://127.0.0.1:1/"}],"config":{"connect_timeout_ms":"2000"}}')
error_is "$st" 502 "127.0.0.1:1" "net: a refused connection is an error with curl's reason"
st=$(scan "$net_sock" "{\"table\":\"http_request\",\"quals\":[{\"column\":\"url\",\"op\":\"=\",\"value\":\"$url\"}],\"config\":{\"timeout_ms\":\"soon\"}}")
error_is "$st" 400 "timeout_ms" "net: a bad timeout_ms is a 400 naming it"
scan "$net_sock" '{"table":"dns_record","quals":[{"column":"domain","op":"=","value":"localhost"},{"column":"type","op":"=","value":"A"}]}' >/dev/null
check "net: dns_record localhost A is 127.0.0.1" jq -e -s 'any(.[]; . == ["localhost","A","127.0.0.1"])' "$TMP/body"
st=$(scan "$net_sock" '{"table":"dns_record","quals":[{"column":"domain","op":"=","value":"localhost"},{"column":"type","op":"=","value":"MX"}]}')
error_is "$st" 400 "only A and AAAA are supported" "net: dns_record type MX is refused"
st=$(scan "$net_sock" '{"table":"dns_record"}')
error_is "$st" 400 "domain" "net: dns_record needs domain"
stop_eof net 10
is "$net_status" 0 "net: exits 0 on EOF"
stop_eof h 10
is "$h_status" 0 "hello: exits 0 on EOF"

########################################################################
diag "fault"
start f "$FAULT_DIR/fault"
ok $? "fault: handshake"
st=$(scan "$f_sock" '{"table":"garbage"}')
is "$st" 200 "fault garbage: 200"
check "fault garbage: the stream holds lines that are not JSON" grep -q '^this is not json$' "$TMP/body"
curl -sS -m 30 --unix-socket "$f_sock" --data-binary '{"table":"truncated","config":{"rows":"5"}}' \
    -o "$TMP/body" http://plugin/v1/scan 2>/dev/null
curl_rc=$?
is "$(rows_of)" 5 "fault truncated: the rows arrive"
check "fault truncated: no trailer" bash -c "! grep -q '\"end\"' '$TMP/body'"
check "fault truncated: the client sees a cut transfer (curl $curl_rc)" test "$curl_rc" -ne 0
st=$(scan "$f_sock" '{"table":"error_midstream","config":{"rows":"2"}}')
is "$st/$(rows_of)" "200/2" "fault error_midstream: 200 and the rows"
check "fault error_midstream: last line is an error" bash -c "tail -n 1 '$TMP/body' | jq -e '.error.message | length > 0'"
scan "$f_sock" '{"table":"wrong_type","columns":["id","payload"]}' >/dev/null
is "$(body | tr '\n' ' ')" '["not a number","wrong_type"] {"end":true,"rows":1} ' "fault wrong_type: a string in the bigint column"
scan "$f_sock" '{"table":"huge_value"}' >/dev/null
is "$(head -n 1 "$TMP/body" | jq '.[1] | length')/$(last_line)" '8388608/{"end":true,"rows":1}' \
    "fault huge_value: an 8 MB value by default"
scan "$f_sock" '{"table":"huge_value","config":{"bytes":"1000"}}' >/dev/null
is "$(head -n 1 "$TMP/body" | jq '.[1] | length')" 1000 "fault huge_value: size from config bytes"
start_ns=$(date +%s%N)
scan "$f_sock" '{"table":"stall","config":{"stall_ms":"300","rows":"2"}}' >/dev/null
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
is "$(rows_of)/$(last_line)" '2/{"end":true,"rows":2}' "fault stall: completes"
check "fault stall: sleeps before and between rows (${elapsed_ms} ms >= 600)" test "$elapsed_ms" -ge 600
curl -sS -m 0.5 --unix-socket "$f_sock" --data-binary '{"table":"stall","config":{"stall_ms":"60000"}}' \
    -o /dev/null http://plugin/v1/scan 2>/dev/null
check "fault stall: a client timeout cuts the stream" test $? -eq 28
check "fault stall: the stalled scan is cancelled" \
    wait_until 10 grep -q "table=stall rows=0 .*client gone" "$f_dir/stderr"
st=$(scan "$f_sock" '{"table":"http_500"}')
is "$st" 500 "fault http_500: status 500"
check "fault http_500: error body has message, detail and hint" \
    jq -e '.error.message and .error.detail and .error.hint' "$TMP/body"
is "$(req "$f_sock" GET /v1/health)" 200 "fault: healthy before the crash"
curl -sS -m 30 --unix-socket "$f_sock" --data-binary '{"table":"crash","config":{"rows":"3"}}' \
    -o "$TMP/body" http://plugin/v1/scan 2>/dev/null
check "fault crash: the stream ends without a trailer" bash -c "! grep -q '\"end\"' '$TMP/body'"
check "fault crash: the process is gone" wait_until 10 dead "$f_pid"
wait "$f_pid" 2>/dev/null
is "$?" 134 "fault crash: died of SIGABRT"
exec {f_fd}>&-

start fb "$FAULT_DIR/fault_badschema"
ok $? "fault_badschema: handshake"
is "$(jq -r .name "$fb_dir/stdout")" fault_badschema "fault_badschema: named after argv[0]"
req "$fb_sock" GET /v1/schema >/dev/null
check "fault_badschema: schema has a column of an unknown type" \
    jq -e 'any(.tables[].columns[]; .type == "no_such_type")' "$TMP/body"
stop_eof fb 10
is "$fb_status" 0 "fault_badschema: exits 0 on EOF"

########################################################################
diag "series under valgrind"
if [ -n "$VALGRIND" ] && "$VALGRIND" --version >/dev/null 2>&1; then
    start v "$PLUGINS/series/series" 120 "$VALGRIND" --leak-check=full --error-exitcode=99 \
        --errors-for-leak-kinds=definite --log-file="$TMP/valgrind.log"
    ok $? "valgrind: series starts under valgrind"
    scan "$v_sock" '{"table":"rows","config":{"rows":"20000"}}' >/dev/null
    is "$(last_line)" '{"end":true,"rows":20000}' "valgrind: a full scan"
    scan "$v_sock" '{"table":"rows","columns":["id"],"quals":[{"column":"id","op":"in","value":[3,1,2]}]}' >/dev/null
    is "$(last_line)" '{"end":true,"rows":3}' "valgrind: an in-list scan"
    st=$(scan "$v_sock" '{"table":"rows","config":{"rows":"x"}}')
    is "$st" 400 "valgrind: an error scan"
    for i in 1 2 3 4; do
        curl -sS -m 120 --unix-socket "$v_sock" -o "$TMP/v$i" \
            --data-binary '{"table":"rows","config":{"rows":"5000"}}' http://plugin/v1/scan &
        vpids[$i]=$!
    done
    curl -sS -m 120 --unix-socket "$v_sock" --data-binary '{"table":"rows","config":{"rows":"100000000"}}' \
        http://plugin/v1/scan 2>/dev/null | head -c 1000 >/dev/null
    good=0
    for i in 1 2 3 4; do
        wait "${vpids[$i]}" && [ "$(tail -n 1 "$TMP/v$i")" = '{"end":true,"rows":5000}' ] && good=$((good + 1))
    done
    is "$good" 4 "valgrind: four concurrent scans"
    check "valgrind: the disconnected scan ends" \
        wait_until 60 grep -q "ended early (client gone)" "$v_dir/stderr"
    stop_eof v 120
    is "$v_status" 0 "valgrind: no errors, no definite leaks (exit status)"
    check "valgrind: log reports no errors" grep -q "ERROR SUMMARY: 0 errors" "$TMP/valgrind.log"
    grep -E "in use at exit|definitely lost|All heap blocks|ERROR SUMMARY" "$TMP/valgrind.log" | sed 's/^/# /'
else
    echo "ok $((n + 1)) # SKIP valgrind not available"
    n=$((n + 1))
fi

echo "1..$n"
if [ "$failures" -gt 0 ]; then
    echo "# $failures of $n failed"
    exit 1
fi
echo "# all $n passed"
exit 0
