/*
 * test_sdk.c - unit tests of the SDK's encoders, request validation, schema
 * document and row emitter, without sockets.  Prints TAP without a plan
 * (run.sh numbers and counts every assertion of the suite).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "pm_internal.h"

static int failures;

static void
ok(bool cond, const char *fmt,...) __attribute__((format(printf, 2, 3)));

static void
ok(bool cond, const char *fmt,...)
{
	va_list		ap;
	char		msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '#')
			*p = ' ';		/* one TAP line per assertion */
	printf("%s - %s\n", cond ? "ok" : "not ok", msg);
	if (!cond)
		failures++;
}

/* Encodes with f and compares with the expected JSON text. */
#define CHECK_ENC(expected, desc, call) \
	do { \
		pm_buf b_ = {0}; \
		pm_buf *b = &b_; \
		call; \
		ok(b_.len == strlen(expected) && memcmp(b_.data, expected, b_.len) == 0, \
		   "encode %s: %.*s", desc, (int) (b_.len > 80 ? 80 : b_.len), b_.data ? b_.data : ""); \
		pm_buf_free(&b_); \
	} while (0)

static void
test_text(void)
{
	json_t	   *j;
	json_error_t err;

	CHECK_ENC("\"plain\"", "plain text", pm_enc_text(b, "plain", 5));
	CHECK_ENC("\"\"", "empty text", pm_enc_text(b, "", 0));
	CHECK_ENC("\"a\\\"b\\\\c\"", "quote and backslash", pm_enc_text(b, "a\"b\\c", 5));
	CHECK_ENC("\"\\n\\r\\t\\b\\f\"", "short escapes", pm_enc_text(b, "\n\r\t\b\f", 5));
	CHECK_ENC("\"\\u0001\\u001f\\u0000x\"", "control chars and NUL",
			  pm_enc_text(b, "\x01\x1f\0x", 4));
	CHECK_ENC("\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "valid UTF-8 kept",
			  pm_enc_text(b, "caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
	CHECK_ENC("\"a\xef\xbf\xbd" "b\"", "invalid byte replaced", pm_enc_text(b, "a\xff" "b", 3));
	CHECK_ENC("\"\xef\xbf\xbd\xef\xbf\xbd\"", "overlong sequence replaced",
			  pm_enc_text(b, "\xc0\xaf", 2));
	CHECK_ENC("\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"", "surrogate replaced",
			  pm_enc_text(b, "\xed\xa0\x80", 3));
	CHECK_ENC("\"x\xef\xbf\xbd\xef\xbf\xbd\"", "truncated sequence replaced", pm_enc_text(b, "x\xe2\x82", 3));
	CHECK_ENC("\"\x7f\"", "DEL kept", pm_enc_text(b, "\x7f", 1));

	/* every byte value round-trips through jansson as valid JSON */
	{
		char		all[256];
		pm_buf		b = {0};

		for (int i = 0; i < 256; i++)
			all[i] = (char) i;
		pm_enc_text(&b, all, 256);
		j = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		ok(j != NULL && json_is_string(j) && json_string_length(j) > 128,
		   "all 256 byte values encode to a valid JSON string");
		json_decref(j);
		pm_buf_free(&b);
	}
}

/* A long valid value, with escapes and multi-byte characters across the
 * encoder's 4 kB chunks, decodes back to itself. */
static void
test_long_text(void)
{
	size_t		len = 20000;
	char	   *src = malloc(len);
	pm_buf		b = {0};
	json_t	   *j;
	json_error_t err;
	size_t		i = 0;

	if (src == NULL)
		return;
	while (i < len)
	{
		size_t		left = len - i;

		if (i % 4096 >= 4093 && left >= 4)
		{
			memcpy(src + i, "\xf0\x9f\x98\x80", 4);	/* straddles a chunk end */
			i += 4;
		}
		else if (i % 97 == 0 && left >= 2)
		{
			memcpy(src + i, "\xc3\xa9", 2);
			i += 2;
		}
		else
		{
			src[i] = (i % 31 == 0) ? '\n' : (i % 37 == 0) ? '"' : 'a';
			i++;
		}
	}
	pm_enc_text(&b, src, len);
	j = json_loadb(b.data, b.len, JSON_DECODE_ANY, &err);
	ok(j != NULL && json_string_length(j) == len && memcmp(json_string_value(j), src, len) == 0,
	   "a 20000-byte value with escapes and UTF-8 across chunks round-trips");
	json_decref(j);
	pm_buf_free(&b);
	free(src);
}

static void
test_numbers(void)
{
	CHECK_ENC("0", "int64 zero", pm_enc_int64(b, 0));
	CHECK_ENC("-1", "int64 -1", pm_enc_int64(b, -1));
	CHECK_ENC("9223372036854775807", "int64 max", pm_enc_int64(b, INT64_MAX));
	CHECK_ENC("-9223372036854775808", "int64 min", pm_enc_int64(b, INT64_MIN));
	CHECK_ENC("1234567890", "int64 10 digits", pm_enc_int64(b, 1234567890));
	CHECK_ENC("0.5", "double 0.5", pm_enc_double(b, 0.5));
	CHECK_ENC("1", "double 1.0", pm_enc_double(b, 1.0));
	CHECK_ENC("-2.25", "double -2.25", pm_enc_double(b, -2.25));
	CHECK_ENC("0.1", "double 0.1", pm_enc_double(b, 0.1));
	CHECK_ENC("0.000001", "double 1e-6", pm_enc_double(b, 1e-6));
	CHECK_ENC("1e+300", "double 1e300", pm_enc_double(b, 1e300));
	CHECK_ENC("null", "double NaN is null", pm_enc_double(b, NAN));
	CHECK_ENC("null", "double infinity is null", pm_enc_double(b, INFINITY));

	/* exact round trip for awkward values */
	{
		double		vals[] = {1.0 / 3, 0.1 + 0.2, 5e-324, 1.7976931348623157e308,
		123456.7890123, -0.000123, 4503599627370497.0, 0.1 + 1e-17};
		bool		all = true;

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		{
			pm_buf		nb = {0};

			pm_enc_double(&nb, vals[i]);
			pm_buf_putc(&nb, '\0');
			if (nb.oom || strtod(nb.data, NULL) != vals[i])
			{
				all = false;
				printf("# %.17g encoded as %s\n", vals[i], nb.data);
			}
			pm_buf_free(&nb);
		}
		ok(all, "doubles read back exactly");
	}
}

static void
test_time(void)
{
	CHECK_ENC("\"1970-01-01T00:00:00Z\"", "epoch", pm_enc_time(b, 0, 0));
	CHECK_ENC("\"2020-01-01T00:00:01Z\"", "2020 plus one second", pm_enc_time(b, 1577836801, 0));
	CHECK_ENC("\"2024-02-29T12:34:56.123456Z\"", "leap day with microseconds",
			  pm_enc_time(b, 1709210096, 123456789));
	CHECK_ENC("\"1969-12-31T23:59:59Z\"", "before the epoch", pm_enc_time(b, -1, 0));
	CHECK_ENC("\"2000-03-01T00:00:00.500000Z\"", "half a second", pm_enc_time(b, 951868800, 500000000));
}

static int	scan_calls;

static int
noop_scan(pm_scan *scan, void *arg)
{
	(void) scan;
	(void) arg;
	scan_calls++;
	return 0;
}

static int
fail_after_two(pm_scan *scan, void *arg)
{
	(void) arg;
	for (int i = 1; i <= 2; i++)
	{
		pm_set_int64(scan, 0, i);
		pm_row_end(scan);
	}
	pm_scan_error(scan, 500, "boom", "Two rows were enough.", NULL);
	return -1;
}

static int
fail_at_once(pm_scan *scan, void *arg)
{
	(void) arg;
	pm_scan_error(scan, 400, "bad option", NULL, "Fix it.");
	return -1;
}

static int
many_rows(pm_scan *scan, void *arg)
{
	(void) arg;
	for (int i = 1; i <= 100; i++)
	{
		pm_set_int64(scan, 0, i);
		if (pm_row_end(scan))
			break;
	}
	return 0;
}

static const pm_column cols[] = {
	{"id", "bigint", "Id"},
	{"name", "text", NULL},
	{"score", "double precision", "Score"},
	{"ok", "boolean", NULL},
	{"at", "timestamptz", NULL},
	{"doc", "jsonb", NULL},
};
static const pm_key_column keys[] = {
	{"id", PM_OP_EQ | PM_OP_IN | PM_OP_LT, false},
	{"name", PM_OP_EQ, false},
	{"ok", PM_OP_EQ, false},
	{"doc", PM_OP_EQ, false},
};
static const pm_key_column req_keys[] = {
	{"id", PM_OP_EQ, true},
};
static const pm_table tables[] = {
	{"t", "A table", cols, PM_LENGTHOF(cols), keys, PM_LENGTHOF(keys), noop_scan, NULL},
	{"req", "Needs id", cols, 1, req_keys, 1, noop_scan, NULL},
	{"failing", NULL, cols, 1, NULL, 0, fail_after_two, NULL},
	{"failing_early", NULL, cols, 1, NULL, 0, fail_at_once, NULL},
	{"many", NULL, cols, 1, NULL, 0, many_rows, NULL},
};
static const pm_plugin plugin = {"unit", "0.1.0", tables, PM_LENGTHOF(tables)};

static pm_scan *
parse(const pm_registry *reg, const char *body, pm_error *err)
{
	pm_error_clear(err);
	return pm_scan_parse(reg, body, strlen(body), err);
}

/* Expects the request to be rejected with status 400 and a detail containing want. */
static void
expect_400(const pm_registry *reg, const char *body, const char *want, const char *desc)
{
	pm_error	err = {0};
	pm_scan    *s = parse(reg, body, &err);
	char	   *json;

	ok(s == NULL && err.status == 400 && err.message != NULL &&
	   ((err.detail && strstr(err.detail, want)) || strstr(err.message, want)),
	   "rejects %s (400: %s: %s)", desc, err.message ? err.message : "-",
	   err.detail ? err.detail : "-");
	json = pm_error_json(&err);
	ok(json != NULL && strncmp(json, "{\"error\":{\"message\":", 20) == 0,
	   "error body for %s is {\"error\":{\"message\":...}}", desc);
	free(json);
	pm_scan_free(s);
	pm_error_clear(&err);
}

static void
test_requests(const pm_registry *reg)
{
	pm_error	err = {0};
	pm_scan    *s;
	const pm_qual *q;

	s = parse(reg, "{\"table\":\"t\",\"columns\":[\"name\",\"id\"],"
			  "\"quals\":[{\"column\":\"id\",\"op\":\"in\",\"value\":[1,2,3]},"
			  "{\"column\":\"id\",\"op\":\"<\",\"value\":10},"
			  "{\"column\":\"name\",\"op\":\"=\",\"value\":\"x\"},"
			  "{\"column\":\"ok\",\"op\":\"=\",\"value\":true},"
			  "{\"column\":\"doc\",\"op\":\"=\",\"value\":{\"a\":[1]}},"
			  "{\"column\":\"score\",\"op\":\">\",\"value\":1.5},"
			  "{\"column\":\"name\",\"op\":\"is_null\"}],"
			  "\"limit\":5,\"config\":{\"rows\":\"42\",\"n\":7},\"credentials\":{\"token\":\"s\"}}", &err);
	ok(s != NULL, "valid request parses");
	if (s == NULL)
		return;
	ok(pm_scan_ncolumns(s) == 2 && pm_scan_column(s, 0) == 1 && pm_scan_column(s, 1) == 0,
	   "requested columns in request order");
	ok(pm_scan_wants(s, 0) && pm_scan_wants(s, 1) && !pm_scan_wants(s, 2) && !pm_scan_wants(s, 99),
	   "pm_scan_wants");
	ok(pm_scan_nquals(s) == 5, "undeclared quals are dropped (score >, name is_null): %d kept",
	   pm_scan_nquals(s));
	q = pm_scan_find_qual(s, 0, PM_OP_IN);
	ok(q && q->nvalues == 3 && q->values[0].kind == PM_INT && q->values[2].i == 3,
	   "in list with typed values");
	q = pm_scan_find_qual(s, 0, PM_OP_LT);
	ok(q && q->value.kind == PM_INT && q->value.i == 10, "int64 qual");
	q = pm_scan_find_qual(s, 1, PM_OP_EQ);
	ok(q && q->value.kind == PM_TEXT && strcmp(q->value.s, "x") == 0 && q->value.len == 1,
	   "text qual");
	q = pm_scan_find_qual(s, 3, PM_OP_EQ);
	ok(q && q->value.kind == PM_BOOL && q->value.b, "bool qual");
	q = pm_scan_find_qual(s, 5, PM_OP_EQ);
	ok(q && q->value.kind == PM_JSON && strcmp(q->value.s, "{\"a\":[1]}") == 0, "jsonb qual as JSON text");
	ok(pm_scan_limit(s) == 5, "limit");
	ok(pm_scan_config(s, "rows") && strcmp(pm_scan_config(s, "rows"), "42") == 0, "config string");
	ok(pm_scan_config(s, "missing") == NULL && pm_scan_config(s, "n") == NULL,
	   "config missing or non-string is NULL");
	ok(pm_scan_credential(s, "token") && strcmp(pm_scan_credential(s, "token"), "s") == 0,
	   "credential string");
	{
		int64_t		v = 0;

		ok(pm_scan_config_int64(s, "rows", 1, 0, 100, &v) == 0 && v == 42, "config int64 from a string");
		ok(pm_scan_config_int64(s, "absent", 7, 0, 100, &v) == 0 && v == 7, "config int64 default");
		ok(pm_scan_config_int64(s, "rows", 1, 0, 10, &v) == -1 && s->failed &&
		   s->error.status == 400 && strstr(s->error.detail, "\"rows\"") != NULL,
		   "config int64 out of range is a 400 naming the option");
	}
	pm_scan_free(s);

	s = parse(reg, "{\"table\":\"t\"}", &err);
	ok(s && pm_scan_ncolumns(s) == 6 && pm_scan_limit(s) == -1 && pm_scan_nquals(s) == 0,
	   "defaults: all columns, no limit, no quals");
	pm_scan_free(s);
	s = parse(reg, "{\"table\":\"t\",\"columns\":[]}", &err);
	ok(s && pm_scan_ncolumns(s) == 0, "empty column list (count(*))");
	pm_scan_free(s);
	s = parse(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"id\",\"op\":\"=\",\"value\":3.0}]}", &err);
	ok(s && pm_scan_nquals(s) == 1 && s->quals[0].value.i == 3, "integral real accepted for bigint");
	pm_scan_free(s);
	s = parse(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"id\",\"op\":\"=\",\"value\":null}]}", &err);
	ok(s && pm_scan_nquals(s) == 1 && s->quals[0].value.kind == PM_NULL, "null qual value");
	pm_scan_free(s);

	expect_400(reg, "{\"table\":", "Malformed JSON", "malformed JSON");
	expect_400(reg, "[1,2]", "must be a JSON object", "a non-object body");
	expect_400(reg, "{\"columns\":[]}", "\"table\"", "a missing table");
	expect_400(reg, "{\"table\":\"nope\"}", "no table \"nope\"", "an unknown table");
	expect_400(reg, "{\"table\":\"t\",\"columns\":[\"id\",\"nope\"]}", "no column \"nope\"",
			   "an unknown column");
	expect_400(reg, "{\"table\":\"t\",\"columns\":\"id\"}", "\"columns\" must be", "columns not an array");
	expect_400(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"nope\",\"op\":\"=\",\"value\":1}]}",
			   "no column \"nope\"", "a qual on an unknown column");
	expect_400(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"id\",\"op\":\"~~\",\"value\":1}]}",
			   "Unknown operator", "an unknown operator");
	expect_400(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"id\",\"op\":\"=\",\"value\":\"1\"}]}",
			   "a string value where an integer", "a string for a bigint qual");
	expect_400(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"id\",\"op\":\"=\",\"value\":1.5}]}",
			   "where an integer", "a fraction for a bigint qual");
	expect_400(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"name\",\"op\":\"=\",\"value\":1}]}",
			   "where a string", "a number for a text qual");
	expect_400(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"ok\",\"op\":\"=\",\"value\":1}]}",
			   "where a boolean", "a number for a boolean qual");
	expect_400(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"id\",\"op\":\"in\",\"value\":[1,\"x\"]}]}",
			   "where an integer", "a bad element in an in list");
	expect_400(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"id\",\"op\":\"in\",\"value\":1}]}",
			   "needs an array", "in without an array");
	expect_400(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"id\",\"op\":\"=\"}]}",
			   "has no value", "a qual without a value");
	expect_400(reg, "{\"table\":\"t\",\"quals\":[{\"column\":\"id\"}]}", "\"op\"", "a qual without op");
	expect_400(reg, "{\"table\":\"t\",\"limit\":-1}", "\"limit\"", "a negative limit");
	expect_400(reg, "{\"table\":\"t\",\"limit\":\"5\"}", "\"limit\"", "a string limit");
	expect_400(reg, "{\"table\":\"t\",\"config\":[]}", "\"config\"", "config not an object");
	expect_400(reg, "{\"table\":\"req\"}", "column \"id\"", "a missing required qual");
	expect_400(reg, "{\"table\":\"t\",\"table\":\"t\"}", "Malformed JSON", "duplicate keys");
	s = parse(reg, "{\"table\":\"req\",\"quals\":[{\"column\":\"id\",\"op\":\"=\",\"value\":1}]}", &err);
	ok(s != NULL, "required qual given");
	pm_scan_free(s);
	pm_error_clear(&err);
}

static void
test_schema(const pm_registry *reg)
{
	json_error_t jerr;
	json_t	   *j = json_loads(reg->schema_json, 0, &jerr);
	json_t	   *t0 = json_array_get(json_object_get(j, "tables"), 0);
	json_t	   *c0 = json_array_get(json_object_get(t0, "columns"), 0);
	json_t	   *c1 = json_array_get(json_object_get(t0, "columns"), 1);
	json_t	   *k0 = json_array_get(json_object_get(t0, "key_columns"), 0);
	json_t	   *ops = json_object_get(k0, "operators");
	json_t	   *t1 = json_array_get(json_object_get(j, "tables"), 1);
	json_t	   *k1 = json_array_get(json_object_get(t1, "key_columns"), 0);

	ok(j != NULL, "schema is JSON");
	ok(json_integer_value(json_object_get(j, "protocol")) == 1 &&
	   strcmp(json_string_value(json_object_get(j, "plugin")), "unit") == 0 &&
	   strcmp(json_string_value(json_object_get(j, "version")), "0.1.0") == 0,
	   "schema protocol, plugin, version");
	ok(json_array_size(json_object_get(j, "tables")) == 5, "schema lists every table");
	ok(strcmp(json_string_value(json_object_get(t0, "name")), "t") == 0 &&
	   strcmp(json_string_value(json_object_get(t0, "description")), "A table") == 0,
	   "table name and description");
	ok(strcmp(json_string_value(json_object_get(c0, "name")), "id") == 0 &&
	   strcmp(json_string_value(json_object_get(c0, "type")), "bigint") == 0 &&
	   strcmp(json_string_value(json_object_get(c0, "description")), "Id") == 0,
	   "column name, type, description");
	ok(json_object_get(c1, "description") == NULL, "no description key when none declared");
	ok(json_array_size(ops) == 3 && strcmp(json_string_value(json_array_get(ops, 0)), "=") == 0 &&
	   strcmp(json_string_value(json_array_get(ops, 1)), "<") == 0 &&
	   strcmp(json_string_value(json_array_get(ops, 2)), "in") == 0,
	   "key column operators");
	ok(json_is_false(json_object_get(k0, "required")) && json_is_true(json_object_get(k1, "required")),
	   "key column required flag");
	json_decref(j);

	{
		static const pm_key_column bad_keys[] = {{"nope", PM_OP_EQ, false}};
		static const pm_table bad_tables[] = {
			{"b", NULL, cols, 1, bad_keys, 1, noop_scan, NULL},
		};
		static const pm_plugin bad = {"bad", "1.0.0", bad_tables, 1};
		pm_registry r;
		char		msg[256];

		ok(pm_registry_init(&r, &bad, msg, sizeof(msg)) == -1 && strstr(msg, "nope") != NULL,
		   "a key column that is not a column is refused: %s", msg);
	}
}

/* A scan run in capture mode (no threads, no sockets). */
static char *
run_capture(const pm_registry *reg, const char *body, pm_scan **out)
{
	pm_error	err = {0};
	pm_scan    *s = parse(reg, body, &err);
	pm_buf		cap = {0};

	pm_error_clear(&err);
	if (s == NULL)
		return NULL;
	s->capture = &cap;
	pm_scan_run(s);
	pm_buf_putc(&cap, '\0');
	s->capture = NULL;
	*out = s;
	return cap.data;
}

static void
test_emitter(const pm_registry *reg)
{
	pm_error	err = {0};
	pm_scan    *s;
	pm_buf		cap = {0};
	char	   *text;
	struct timespec ts = {1577836800, 250000000};

	s = parse(reg, "{\"table\":\"t\",\"columns\":[\"at\",\"doc\",\"name\",\"id\",\"ok\",\"score\",\"id\"]}", &err);
	ok(s != NULL, "emitter request parses");
	if (s == NULL)
		return;
	s->capture = &cap;
	pm_set_int64(s, 0, 7);
	pm_set_text(s, 1, "a\nb");
	pm_set_double(s, 2, 2.5);
	pm_set_bool(s, 3, true);
	pm_set_timespec(s, 4, ts);
	pm_set_json(s, 5, "{\"k\":[1,2]}");
	ok(pm_row_end(s) == 0, "row_end continues without a limit");
	pm_set_int64(s, 0, 8);
	pm_set_null(s, 1);
	pm_set_text(s, 99, "ignored");	/* out of range: dropped */
	pm_set_bool(s, 3, false);
	pm_set_time(s, 4, 0);
	pm_row_end(s);
	ok(pm_scan_flush(s) == 0, "flush");
	pm_buf_putc(&cap, '\0');
	ok(cap.data && strcmp(cap.data,
						  "[\"2020-01-01T00:00:00.250000Z\",{\"k\":[1,2]},\"a\\nb\",7,true,2.5,7]\n"
						  "[\"1970-01-01T00:00:00Z\",null,null,8,false,null,8]\n") == 0,
	   "rows follow the request's column order, unset columns are null: %s", cap.data);
	ok(s->rows == 2, "row count");
	s->capture = NULL;
	pm_buf_free(&cap);
	pm_scan_free(s);

	text = run_capture(reg, "{\"table\":\"many\",\"columns\":[\"id\"],\"limit\":3}", &s);
	ok(text && strcmp(text, "[1]\n[2]\n[3]\n{\"end\":true,\"rows\":3}\n") == 0,
	   "limit stops the scan and the trailer counts rows");
	free(text);
	pm_scan_free(s);

	text = run_capture(reg, "{\"table\":\"many\",\"columns\":[\"id\"],\"limit\":0}", &s);
	ok(text && strcmp(text, "{\"end\":true,\"rows\":0}\n") == 0, "limit 0 emits only the trailer");
	free(text);
	pm_scan_free(s);

	text = run_capture(reg, "{\"table\":\"many\",\"columns\":[]}", &s);
	ok(text && strncmp(text, "[]\n[]\n", 6) == 0 && strstr(text, "{\"end\":true,\"rows\":100}\n"),
	   "no columns: empty arrays, one per row");
	free(text);
	pm_scan_free(s);

	text = run_capture(reg, "{\"table\":\"failing\"}", &s);
	ok(text && strcmp(text, "[1]\n[2]\n{\"error\":{\"message\":\"boom\",\"detail\":\"Two rows were enough.\"}}\n") == 0,
	   "an error after rows is the last line: %s", text);
	free(text);
	pm_scan_free(s);

	text = run_capture(reg, "{\"table\":\"failing_early\"}", &s);
	ok(text && text[0] == '\0' && s->failed && s->error.status == 400 &&
	   strcmp(s->error.hint, "Fix it.") == 0,
	   "an error before any row is kept for the HTTP status");
	free(text);
	pm_scan_free(s);

	text = run_capture(reg, "{\"table\":\"t\"}", &s);
	ok(text && strcmp(text, "{\"end\":true,\"rows\":0}\n") == 0 && scan_calls == 1,
	   "an empty scan has just the trailer");
	free(text);
	pm_scan_free(s);
	pm_error_clear(&err);
}

int
main(void)
{
	pm_registry reg;
	char		msg[256];

	test_text();
	test_long_text();
	test_numbers();
	test_time();
	if (pm_registry_init(&reg, &plugin, msg, sizeof(msg)) != 0)
	{
		ok(false, "registry: %s", msg);
		return 1;
	}
	test_requests(&reg);
	test_schema(&reg);
	test_emitter(&reg);
	pm_registry_free(&reg);
	return failures ? 1 : 0;
}
