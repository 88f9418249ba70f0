/*
 * fault - a plugin that misbehaves on purpose, to test the extension's (and
 * the SDK's) handling of broken plugins.  The table name picks the fault:
 *
 *   garbage          a row, then lines that are not JSON
 *   truncated        some rows, then the connection closes without a trailer
 *   error_midstream  some rows, then {"error": ...} as the last line
 *   wrong_type       a string in the bigint column
 *   huge_value       one text value of config "bytes" bytes (default 8 MB)
 *   stall            sleeps config "stall_ms" (default 2000) before the
 *                    first row and between rows
 *   crash            some rows, then abort()
 *   http_500         HTTP 500 with message, detail and hint
 *   echo             one row per element of config "values" (a JSON array),
 *                    the element sent as is in "payload": lets tests feed
 *                    any JSON value to any column type.  A string element
 *                    "raw:TEXT" sends TEXT itself, unchecked (numbers
 *                    beyond what jansson reads, broken JSON)
 *
 * Every table is (id bigint, payload text); config "rows" sets the row count
 * where it applies (default 3).  Installed as fault_badschema (argv[0]), the
 * schema also has a table whose column has a type nobody knows.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pm_plugin.h"

enum
{
	COL_ID, COL_PAYLOAD
};

typedef enum
{
	F_GARBAGE, F_TRUNCATED, F_ERROR_MIDSTREAM, F_WRONG_TYPE, F_HUGE_VALUE,
	F_STALL, F_CRASH, F_HTTP_500, F_ECHO, F_BAD_TYPE
} fault_kind;

static const fault_kind kinds[] = {
	F_GARBAGE, F_TRUNCATED, F_ERROR_MIDSTREAM, F_WRONG_TYPE, F_HUGE_VALUE,
	F_STALL, F_CRASH, F_HTTP_500, F_ECHO, F_BAD_TYPE
};

/* F_ECHO: the elements of config "values", one per row, as they are */
static int
scan_echo(pm_scan *scan)
{
	const char *text = pm_scan_config(scan, "values");
	json_error_t err;
	json_t	   *values;
	size_t		i;
	json_t	   *v;

	values = json_loads(text ? text : "[]", JSON_DECODE_ANY, &err);
	if (!json_is_array(values))
	{
		json_decref(values);
		pm_scan_error(scan, 400, "invalid value for option \"values\"",
					  "Option \"values\" must be a JSON array.", NULL);
		return -1;
	}
	json_array_foreach(values, i, v)
	{
		const char *str = json_string_value(v);
		char	   *raw;

		pm_set_int64(scan, COL_ID, (int64_t) i + 1);
		if (str != NULL && strncmp(str, "raw:", 4) == 0)
			pm_set_json(scan, COL_PAYLOAD, str + 4);
		else
		{
			raw = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
			if (raw)
				pm_set_json(scan, COL_PAYLOAD, raw);
			free(raw);
		}
		if (pm_row_end(scan))
			break;
	}
	json_decref(values);
	return 0;
}

static void
emit_row(pm_scan *scan, int64_t id)
{
	char		payload[32];

	snprintf(payload, sizeof(payload), "payload-%lld", (long long) id);
	pm_set_int64(scan, COL_ID, id);
	pm_set_text(scan, COL_PAYLOAD, payload);
}

/* Emits rows 1..n; returns non-zero if the scan must stop. */
static int
emit_rows(pm_scan *scan, int64_t n)
{
	for (int64_t id = 1; id <= n; id++)
	{
		emit_row(scan, id);
		if (pm_row_end(scan))
			return 1;
	}
	return 0;
}

static int
scan_fault(pm_scan *scan, void *arg)
{
	fault_kind	kind = *(const fault_kind *) arg;
	int64_t		rows;
	int64_t		n;
	char	   *big;

	if (pm_scan_config_int64(scan, "rows", 3, 0, 1000000000, &rows) != 0)
		return -1;
	switch (kind)
	{
		case F_GARBAGE:
			emit_rows(scan, 1);
			pm_scan_write_raw(scan, "this is not json\n{\"half\": \n", 27);
			return 0;			/* the SDK's trailer follows the garbage */

		case F_TRUNCATED:
			emit_rows(scan, rows);
			pm_scan_abort(scan);
			return 0;

		case F_ERROR_MIDSTREAM:
			if (emit_rows(scan, rows))
				return 0;
			pm_scan_flush(scan);
			pm_scan_error(scan, 500, "fault: failed after some rows",
						  "The fault plugin was asked to fail mid-stream.", NULL);
			return -1;

		case F_WRONG_TYPE:
			pm_set_text(scan, COL_ID, "not a number");
			pm_set_text(scan, COL_PAYLOAD, "wrong_type");
			pm_row_end(scan);
			return 0;

		case F_HUGE_VALUE:
			if (pm_scan_config_int64(scan, "bytes", 8 * 1024 * 1024, 0,
									 (int64_t) 1 << 30, &n) != 0)
				return -1;
			big = malloc((size_t) n + 1);
			if (big == NULL)
			{
				pm_scan_error(scan, 500, "out of memory", NULL, NULL);
				return -1;
			}
			memset(big, 'x', (size_t) n);
			big[n] = '\0';
			pm_set_int64(scan, COL_ID, 1);
			pm_set_textn(scan, COL_PAYLOAD, big, (size_t) n);
			free(big);
			pm_row_end(scan);
			return 0;

		case F_STALL:
			if (pm_scan_config_int64(scan, "stall_ms", 2000, 0, 3600 * 1000, &n) != 0)
				return -1;
			for (int64_t id = 1; id <= rows; id++)
			{
				if (pm_scan_sleep(scan, (int) n) != 0)
					return 0;
				emit_row(scan, id);
				if (pm_row_end(scan))
					return 0;
			}
			return 0;

		case F_CRASH:
			emit_rows(scan, rows);
			pm_scan_flush(scan);
			pm_log("fault: crashing on purpose");
			abort();

		case F_HTTP_500:
			pm_scan_error(scan, 500, "fault: internal error",
						  "The fault plugin always fails this table.",
						  "Query another table of the fault plugin.");
			return -1;

		case F_ECHO:
			return scan_echo(scan);

		case F_BAD_TYPE:
			emit_rows(scan, 1);
			return 0;
	}
	return 0;
}

static const pm_column columns[] = {
	{"id", "bigint", "Row number"},
	{"payload", "text", "Some text"},
};

static const pm_column bad_columns[] = {
	{"id", "bigint", "Row number"},
	{"payload", "no_such_type", "A column of a type PostgreSQL does not have"},
};

#define FAULT_TABLE(name, desc, kind) \
	{name, desc, columns, PM_LENGTHOF(columns), NULL, 0, scan_fault, (void *) &kinds[kind]}

static const pm_table tables[] = {
	FAULT_TABLE("garbage", "A row, then lines that are not JSON", F_GARBAGE),
	FAULT_TABLE("truncated", "Rows, then the stream ends without a trailer", F_TRUNCATED),
	FAULT_TABLE("error_midstream", "Rows, then an error line", F_ERROR_MIDSTREAM),
	FAULT_TABLE("wrong_type", "A string where the schema says bigint", F_WRONG_TYPE),
	FAULT_TABLE("huge_value", "One text value of config bytes bytes (default 8 MB)", F_HUGE_VALUE),
	FAULT_TABLE("stall", "Sleeps config stall_ms before and between rows", F_STALL),
	FAULT_TABLE("crash", "Rows, then the plugin aborts", F_CRASH),
	FAULT_TABLE("http_500", "Always answers HTTP 500", F_HTTP_500),
	FAULT_TABLE("echo", "Each element of config values (a JSON array) as payload", F_ECHO),
	{"bad_type", "A column whose type does not exist", bad_columns,
	PM_LENGTHOF(bad_columns), NULL, 0, scan_fault, (void *) &kinds[F_BAD_TYPE]},
};

int
main(int argc, char **argv)
{
	pm_plugin	plugin = {"fault", "1.0.0", tables, PM_LENGTHOF(tables) - 1};
	char	   *prog = strdup(argv[0]);

	if (prog == NULL)
		return 1;
	if (strcmp(basename(prog), "fault_badschema") == 0)
	{
		plugin.name = "fault_badschema";
		plugin.ntables = PM_LENGTHOF(tables);
	}
	free(prog);
	return pm_plugin_main(&plugin, argc, argv);
}
