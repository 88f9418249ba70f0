-- test/bench/setup.sql - helpers for test/bench/run.sh (run once per cluster).
-- Expects the custom setting bench.series_url (the TCP series instance).
CREATE EXTENSION IF NOT EXISTS plugin_manager;
CREATE EXTENSION IF NOT EXISTS file_fdw;
CREATE EXTENSION IF NOT EXISTS plpython3u;

-- bench_time(query, runs): runs QUERY once as a warm-up, then RUNS more times,
-- and returns each timed run's wall time in seconds plus the warm-up's result
-- row as text (for comparing methods).  Times are clock_timestamp() deltas
-- around EXECUTE in this session, so they include planning and execution but
-- no client round trip.
CREATE FUNCTION bench_time(q text, runs int, OUT times float8[], OUT result text)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    r record;
BEGIN
    EXECUTE q INTO r;
    result := r::text;
    times := '{}';
    FOR i IN 1..runs LOOP
        t0 := clock_timestamp();
        EXECUTE q INTO r;
        times := times || extract(epoch FROM clock_timestamp() - t0)::float8;
    END LOOP;
END $$;

-- bench_round(queries, runs): like bench_time for several queries, but the
-- timed runs are interleaved (run 1 of every query, then run 2, ...) so that
-- load from other processes on the machine hits every method alike.
CREATE FUNCTION bench_round(qs text[], runs int)
RETURNS TABLE(idx int, times float8[], result text)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    r record;
    res text[] := '{}';
    t float8[] := array_fill(0::float8, ARRAY[array_length(qs, 1), runs]);
BEGIN
    FOR k IN 1..array_length(qs, 1) LOOP
        EXECUTE qs[k] INTO r;
        res := res || r::text;
    END LOOP;
    FOR i IN 1..runs LOOP
        FOR k IN 1..array_length(qs, 1) LOOP
            t0 := clock_timestamp();
            EXECUTE qs[k] INTO r;
            t[k][i] := extract(epoch FROM clock_timestamp() - t0);
        END LOOP;
    END LOOP;
    FOR k IN 1..array_length(qs, 1) LOOP
        idx := k;
        result := res[k];
        times := ARRAY(SELECT t[k][j] FROM generate_series(1, runs) j);
        RETURN NEXT;
    END LOOP;
END $$;

CREATE FUNCTION bench_median(a float8[]) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(a) t
$$;

-- The PL/Python baseline: the same scan request the FDW sends, POSTed with
-- urllib to the series plugin on TCP loopback, streamed line by line (never
-- read whole into memory), one json.loads per row line, rows yielded as
-- tuples.  The response is chunked; io.BufferedReader around it makes line
-- iteration about 25% faster than iterating the HTTPResponse directly, so the
-- baseline uses it.  The trailer line is checked.
CREATE FUNCTION bench_series(n bigint)
RETURNS TABLE(id bigint, name text, value float8, flag bool, ts timestamptz)
LANGUAGE plpython3u AS $$
import io
import json
import urllib.request

url = plpy.execute("SELECT current_setting('bench.series_url') AS u")[0]["u"]
body = json.dumps({"table": "rows",
                   "columns": ["id", "name", "value", "flag", "ts"],
                   "quals": [], "config": {"rows": str(n)},
                   "credentials": {}}).encode()
req = urllib.request.Request(url + "/v1/scan", data=body, method="POST",
                             headers={"Content-Type": "application/json"})
seen = 0
trailer = None
with urllib.request.urlopen(req) as resp:
    for line in io.BufferedReader(resp, 1 << 16):
        if line.startswith(b"["):
            r = json.loads(line)
            seen += 1
            yield (r[0], r[1], r[2], r[3], r[4])
        elif line.strip():
            trailer = json.loads(line)
if not trailer or not trailer.get("end") or trailer.get("rows") != seen:
    plpy.error("bad or missing trailer: %r after %d rows" % (trailer, seen))
$$;
