-- A plugin that misbehaves: every fault is a clear error with an error code
-- and a context line, never a crash and never a short result.
\set VERBOSITY default
CREATE SERVER fault FOREIGN DATA WRAPPER plugin_manager
    OPTIONS (plugin 'fault', rows '3', idle_timeout '2s');
CREATE SCHEMA f;
IMPORT FOREIGN SCHEMA fault FROM SERVER fault INTO f;
SELECT relname FROM pg_class WHERE relnamespace = 'f'::regnamespace ORDER BY 1;

-- each error with its SQLSTATE
\set SHOW_CONTEXT always
SELECT * FROM f.garbage;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM f.truncated;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM f.error_midstream;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM f.wrong_type;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM f.http_500;
\echo :LAST_ERROR_SQLSTATE
-- how many rows get out before the crash varies: no detail or context here
\set VERBOSITY terse
SELECT * FROM f.crash;
\echo :LAST_ERROR_SQLSTATE

-- none of them returned rows as if complete
SELECT count(*) FROM f.truncated;
SELECT count(*) FROM f.crash;
SELECT count(*) FROM f.garbage;
SELECT count(*) FROM f.error_midstream;
\set VERBOSITY default

-- a value of many megabytes is fine
SELECT id, length(payload) FROM f.huge_value;

-- a plugin that stalls: the idle timeout, or statement_timeout, stops it
CREATE SERVER fault_stall FOREIGN DATA WRAPPER plugin_manager
    OPTIONS (plugin 'fault', stall_ms '5000', idle_timeout '300');
CREATE FOREIGN TABLE f.stall_idle (id bigint, payload text)
    SERVER fault_stall OPTIONS (table 'stall');
SELECT * FROM f.stall_idle;
ALTER SERVER fault_stall OPTIONS (SET idle_timeout '0');
SET statement_timeout = '300ms';
SELECT * FROM f.stall_idle;
RESET statement_timeout;
-- the connection is clean afterwards
SELECT count(*) FROM f.garbage WHERE false;
SELECT id FROM s.rows WHERE id = 1;

-- a schema with a type PostgreSQL does not have
CREATE SERVER fault_badschema FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'fault_badschema');
CREATE SCHEMA fb;
IMPORT FOREIGN SCHEMA x FROM SERVER fault_badschema INTO fb;
SELECT count(*) FROM pg_class WHERE relnamespace = 'fb'::regnamespace;
-- a schema that is not even JSON
CREATE SERVER badschema FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'pm_test_badschema');
IMPORT FOREIGN SCHEMA x FROM SERVER badschema INTO fb;
\echo :LAST_ERROR_SQLSTATE
-- importing only the good tables works
IMPORT FOREIGN SCHEMA x EXCEPT (bad_type) FROM SERVER fault_badschema INTO fb;
SELECT count(*) > 0 AS imported FROM pg_class WHERE relnamespace = 'fb'::regnamespace;

-- a column type that does not fit what the plugin sends
CREATE FOREIGN TABLE f.typed (id boolean, payload text) SERVER fault OPTIONS (table 'garbage');
SELECT * FROM f.typed;
CREATE FOREIGN TABLE f.typed2 (id smallint, payload int) SERVER fault OPTIONS (table 'error_midstream');
SELECT * FROM f.typed2;
-- a required key column without a value: refused before any request
CREATE SERVER net FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'net');
CREATE SCHEMA n;
IMPORT FOREIGN SCHEMA net LIMIT TO (http_request, dns_record) FROM SERVER net INTO n;
SELECT status FROM n.http_request;
SELECT status FROM n.http_request WHERE url LIKE 'http://127.0.0.1%';
SELECT value FROM n.dns_record WHERE type = 'A';
SELECT bool_or(value = '127.0.0.1') AS loopback FROM n.dns_record WHERE domain = 'localhost';

-- the errors were counted
SELECT name, errors >= 6 AS errors_counted,
       bytes BETWEEN 8388608 AND 100000000 AS bytes_plausible
  FROM plugin_manager.plugins WHERE name = 'fault';
