-- How each JSON value becomes a value of the column's type: the protocol's
-- rules, and the fast paths checked against PostgreSQL's own input functions.
\set VERBOSITY default
CREATE SCHEMA ty;
CREATE FUNCTION ty.echo(name text, coltype text, vals text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin %L, "values" %L)',
                   'echo_' || name, 'fault', vals);
    EXECUTE format('CREATE FOREIGN TABLE ty.%I (id bigint, payload %s) SERVER %I OPTIONS (table %L)',
                   name, coltype, 'echo_' || name, 'echo');
    EXECUTE format('CREATE FOREIGN TABLE ty.%I (id bigint, payload text) SERVER %I OPTIONS (table %L)',
                   name || '_raw', 'echo_' || name, 'echo');
END $$;

-- timestamptz: the fast path gives what timestamptz_in gives
SELECT ty.echo('ts', 'timestamptz', $$["2020-01-01T00:00:00Z", "2020-01-01T00:00:00.5Z",
  "2020-01-01T01:02:03.123456+02:00", "2020-02-29 12:00:00-0530", "1999-12-31T23:59:59+00",
  "2020-01-01T00:00:00", "2020-01-01T00:00:00.1234567Z", "infinity", "0044-03-15T12:00:00Z",
  "2020-06-30T23:59:59.999999-11:30", "2016-12-31T23:59:60Z", null]$$);
SET timezone = 'Europe/Helsinki';
SELECT t.id, t.payload, t.payload = r.payload::timestamptz AS same_as_input
  FROM ty.ts t JOIN ty.ts_raw r USING (id) ORDER BY id;
RESET timezone;
SELECT ty.echo('ts_bad', 'timestamptz', '["2021-02-29T00:00:00Z"]');
SELECT * FROM ty.ts_bad;

-- integers: numbers, strings through int8in, and no silent wrap
SELECT ty.echo('i8', 'bigint', '[0, -0, 9223372036854775807, -9223372036854775808, "42", null]');
SELECT * FROM ty.i8 ORDER BY id;
SELECT ty.echo('i8_big', 'bigint', '["raw:9223372036854775808"]');
SELECT * FROM ty.i8_big;
SELECT ty.echo('i4', 'integer', '[2147483647, -2147483648, "raw:-0"]');
SELECT * FROM ty.i4 ORDER BY id;
SELECT ty.echo('i4_big', 'integer', '[2147483648]');
SELECT * FROM ty.i4_big;
SELECT ty.echo('i2_big', 'smallint', '[32768]');
SELECT * FROM ty.i2_big;
SELECT ty.echo('i4_frac', 'integer', '[1.5]');
SELECT * FROM ty.i4_frac;
SELECT ty.echo('i4_obj', 'integer', '[{"a": 1}]');
SELECT * FROM ty.i4_obj;

-- floating point and numeric
SELECT ty.echo('f8', 'double precision', '[0.5, 1e300, -2.5e-10, "NaN", "-Infinity", "raw:12345678901234567890", "raw:-0.0"]');
SELECT * FROM ty.f8 ORDER BY id;
SELECT ty.echo('f4_big', 'real', '[1e40]');
SELECT * FROM ty.f4_big;
SELECT ty.echo('num', 'numeric(40,9)', '["raw:123456789012345678901234567890.123456789", "1.5", 1e2, "NaN"]');
SELECT * FROM ty.num ORDER BY id;

-- booleans: true/false, or a string through boolin; never a number
SELECT ty.echo('b', 'boolean', '[true, false, "yes", "f"]');
SELECT * FROM ty.b ORDER BY id;
SELECT ty.echo('b_num', 'boolean', '[1]');
SELECT * FROM ty.b_num;

-- text: escapes, any Unicode; a number is no text
SELECT ty.echo('t', 'text', $$["plain", "tab\tquote\"backslash\\", "\u00e9\u4e2d\ud83d\ude00", ""]$$);
SELECT id, payload, length(payload) FROM ty.t ORDER BY id;
SELECT ty.echo('t_num', 'text', '[5]');
SELECT * FROM ty.t_num;
SELECT ty.echo('vc', 'varchar(3)', '["abc", "abcd"]');
SELECT * FROM ty.vc ORDER BY id;

-- json and jsonb: objects, arrays, scalars as they are; a string is parsed
SELECT ty.echo('j', 'jsonb', $$[{"a": [1, 2]}, [1, "x"], 5, true, "{\"b\": 1}", null]$$);
SELECT * FROM ty.j ORDER BY id;
SELECT ty.echo('js', 'json', '[{"a":  1}]');
SELECT * FROM ty.js;

-- arrays: JSON arrays element by element, or a PostgreSQL array literal
SELECT ty.echo('ta', 'text[]', $$[["a", "b", null], [], "{x,y}", ["\"q\""]]$$);
SELECT * FROM ty.ta ORDER BY id;
SELECT ty.echo('ia', 'bigint[]', '[[1, 2, 3], [9223372036854775807]]');
SELECT * FROM ty.ia ORDER BY id;
SELECT ty.echo('ia_nested', 'bigint[]', '[[1, [2]]]');
SELECT * FROM ty.ia_nested;
SELECT ty.echo('ia_obj', 'integer[]', '[{"a": 1}]');
SELECT * FROM ty.ia_obj;

-- every other type through its input function
SELECT ty.echo('u', 'uuid', '["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]');
SELECT * FROM ty.u;
SELECT ty.echo('ip', 'inet', '["192.168.0.1/24", "::1"]');
SELECT * FROM ty.ip ORDER BY id;
SELECT ty.echo('dt', 'date', '["2024-02-29"]');
SELECT * FROM ty.dt;
SELECT ty.echo('iv', 'interval', '["1 day 02:00:00"]');
SELECT * FROM ty.iv;
SELECT ty.echo('iv_num', 'interval', '[5]');
SELECT * FROM ty.iv_num;
CREATE TYPE ty.mood AS ENUM ('sad', 'ok', 'happy');
SELECT ty.echo('en', 'ty.mood', '["happy", "meh"]');
SELECT * FROM ty.en ORDER BY id;
CREATE DOMAIN ty.small_pos AS integer CHECK (VALUE BETWEEN 1 AND 9);
SELECT ty.echo('dom', 'ty.small_pos', '[5, 10]');
SELECT * FROM ty.dom ORDER BY id;
