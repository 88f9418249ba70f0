-- IMPORT FOREIGN SCHEMA, scans, pushdown and its limits, parameters, joins.
\set VERBOSITY default
CREATE SCHEMA s;
IMPORT FOREIGN SCHEMA series FROM SERVER series10 INTO s;
\d s.rows
SELECT obj_description('s.rows'::regclass, 'pg_class') AS table_comment;
SELECT attname, col_description('s.rows'::regclass, attnum)
  FROM pg_attribute WHERE attrelid = 's.rows'::regclass AND attnum > 0 ORDER BY attnum;

SELECT * FROM s.rows;
SELECT count(*) FROM s.rows;
SELECT r FROM s.rows r WHERE id = 2;

-- pushed quals: the plugin filters, and we check again
EXPLAIN (COSTS OFF) SELECT * FROM s.rows WHERE id = 3;
SELECT id, name FROM s.rows WHERE id = 3;
EXPLAIN (COSTS OFF) SELECT id FROM s.rows WHERE id IN (2, 4, 99);
SELECT id FROM s.rows WHERE id IN (2, 4, 99);
EXPLAIN (COSTS OFF) SELECT id FROM s.rows WHERE id > 7 AND id <= 9;
SELECT id FROM s.rows WHERE id > 7 AND id <= 9;
SELECT id FROM s.rows WHERE 8 < id;
SELECT id FROM s.rows WHERE id = ANY (ARRAY[1, NULL, 3]);
-- no row can match a NULL: no request at all
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id FROM s.rows WHERE id = NULL::bigint;
-- not declared by the plugin: checked here only
EXPLAIN (COSTS OFF) SELECT id FROM s.rows WHERE id <> 5 AND name = 'row-6';
SELECT id FROM s.rows WHERE id <> 5 AND name = 'row-6';
EXPLAIN (COSTS OFF) SELECT id FROM s.rows WHERE id IS NULL;
SELECT id FROM s.rows WHERE id + 0 = 4;
SELECT id FROM s.rows WHERE id = 4 OR id = 5;

-- LIMIT goes only when every restriction went and nothing reorders
EXPLAIN (COSTS OFF) SELECT id FROM s.rows LIMIT 3;
SELECT id FROM s.rows LIMIT 3;
EXPLAIN (COSTS OFF) SELECT id FROM s.rows LIMIT 2 OFFSET 3;
SELECT id FROM s.rows LIMIT 2 OFFSET 3;
EXPLAIN (COSTS OFF) SELECT id FROM s.rows WHERE id > 2 LIMIT 2;
SELECT id FROM s.rows WHERE id > 2 LIMIT 2;
-- a qual the plugin does not apply: no LIMIT for it (Steampipe's #291)
EXPLAIN (COSTS OFF) SELECT id FROM s.rows WHERE name LIKE '%7' LIMIT 1;
SELECT id FROM s.rows WHERE name LIKE '%7' LIMIT 1;
EXPLAIN (COSTS OFF) SELECT id FROM s.rows ORDER BY value DESC LIMIT 2;
SELECT id FROM s.rows ORDER BY value DESC LIMIT 2;
EXPLAIN (COSTS OFF) SELECT count(*) FROM (SELECT id FROM s.rows LIMIT 4) x;
SELECT count(*) FROM (SELECT id FROM s.rows LIMIT 4) x;
EXPLAIN (COSTS OFF) SELECT DISTINCT flag FROM s.rows LIMIT 1;

-- values known only at run time: parameters, stable functions, sub-selects
PREPARE by_id(bigint) AS SELECT id, name FROM s.rows WHERE id = $1;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE by_id(6);
EXECUTE by_id(6);
EXECUTE by_id(7);
EXECUTE by_id(NULL);
RESET plan_cache_mode;
DEALLOCATE by_id;
SELECT id FROM s.rows WHERE id = (SELECT max(g) FROM generate_series(1, 2) g);
SELECT id FROM s.rows WHERE id = length(repeat('x', 4));

-- joins push the join value to the plugin, one request per outer row
CREATE TEMP TABLE wanted (k bigint);
INSERT INTO wanted VALUES (2), (5), (11);
ANALYZE wanted;
EXPLAIN (COSTS OFF) SELECT w.k, r.name FROM wanted w JOIN s.rows r ON r.id = w.k;
SELECT w.k, r.name FROM wanted w JOIN s.rows r ON r.id = w.k ORDER BY w.k;
SELECT w.k, r.name FROM wanted w LEFT JOIN s.rows r ON r.id = w.k ORDER BY w.k;
-- a rescan with new values each time
SELECT g, (SELECT name FROM s.rows r WHERE r.id = g) FROM generate_series(1, 3) g;
SELECT g, x.id FROM generate_series(8, 9) g, LATERAL (SELECT id FROM s.rows r WHERE r.id >= g) x ORDER BY 1, 2;

-- two streams open at once in one backend: the outer scan streams 100,000
-- rows while the inner one is asked again for each row that passes
CREATE SERVER series100k FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'series', rows '100000');
CREATE FOREIGN TABLE s.big (id bigint, name text) SERVER series100k OPTIONS (table 'rows');
SELECT count(*), sum(b.id), min(r.name), max(r.name)
  FROM s.big b JOIN LATERAL (SELECT name FROM s.rows r WHERE r.id = b.id / 10000) r ON true
 WHERE b.id % 10000 = 0;

-- EXPLAIN VERBOSE shows the request as it would go (run-time values as
-- their expressions); EXPLAIN ANALYZE the one that went
EXPLAIN (VERBOSE, COSTS OFF) SELECT name FROM s.rows WHERE id IN (1, 2) AND id < 5 LIMIT 1;
PREPARE by_id2(bigint) AS SELECT name FROM s.rows WHERE id = $1;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE by_id2(3);
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE by_id2(3);
RESET plan_cache_mode;
DEALLOCATE by_id2;

-- the plugin's own validation of its configuration reaches the user
CREATE SERVER series_bad FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'series', rows 'many');
CREATE FOREIGN TABLE s.bad_rows (id bigint) SERVER series_bad OPTIONS (table 'rows');
SELECT * FROM s.bad_rows;
-- a table the plugin does not have
CREATE FOREIGN TABLE s.nope (id bigint) SERVER series10 OPTIONS (table 'nope');
SELECT * FROM s.nope;

-- credentials go to the plugin, never to EXPLAIN
CREATE USER MAPPING FOR CURRENT_USER SERVER series10 OPTIONS (token 'hunter2');
EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id FROM s.rows WHERE id = 1;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM s.rows WHERE id = 1;
DROP USER MAPPING FOR CURRENT_USER SERVER series10;

-- LIMIT TO and EXCEPT
CREATE SERVER host FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'host');
CREATE SCHEMA h1;
IMPORT FOREIGN SCHEMA host LIMIT TO (os_info, process) FROM SERVER host INTO h1;
SELECT relname FROM pg_class WHERE relnamespace = 'h1'::regnamespace ORDER BY 1;
CREATE SCHEMA h2;
IMPORT FOREIGN SCHEMA host EXCEPT (process) FROM SERVER host INTO h2;
SELECT count(*) > 2 AS several, bool_or(relname = 'process') AS has_process
  FROM pg_class WHERE relnamespace = 'h2'::regnamespace;
-- the host plugin's process table knows this backend
SELECT name, pid = pg_backend_pid() AS me FROM h1.process WHERE pid = pg_backend_pid();
SELECT count(*) = 1 AS one_row FROM h1.os_info;

-- counters per plugin
SELECT name, scans > 0 AS scanned, rows > 0 AS got_rows, bytes > 0 AS got_bytes,
       errors > 0 AS had_errors, scan_time_ms >= 0 AS timed
  FROM plugin_manager.plugins WHERE name = 'series';
-- exactly what one scan adds: 1 scan, 10 rows, the bytes of 10 empty rows
-- ("[]", no column is needed) and the trailer, no error
CREATE TEMP TABLE before AS SELECT * FROM plugin_manager.plugins WHERE name = 'series';
SELECT count(*) FROM s.rows;
SELECT p.scans - b.scans AS scans, p.rows - b.rows AS rows,
       p.bytes - b.bytes BETWEEN 50 AND 100 AS bytes, p.errors - b.errors AS errors,
       p.scan_time_ms >= b.scan_time_ms AS time
  FROM plugin_manager.plugins p, before b WHERE p.name = 'series';
