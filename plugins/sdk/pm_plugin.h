/*
 * pm_plugin.h - the plugin SDK of plugin_manager (protocol version 1).
 *
 * A plugin declares its tables (columns, key columns and a scan callback) in
 * static arrays and hands them to pm_plugin_main(), which does everything
 * else: the Unix socket (and optional TCP listener), the handshake line, the
 * HTTP endpoints, request validation, NDJSON streaming with back-pressure,
 * limits, and a clean exit on stdin EOF or SIGTERM.
 *
 * A scan callback runs in its own thread, once per request.  It reads the
 * request through the pm_scan_* accessors and emits rows with pm_set_*()
 * followed by pm_row_end().  pm_row_end() returns non-zero when the scan
 * should stop (the limit is reached or the client went away); the callback
 * then returns 0.  To fail, call pm_scan_error() and return -1.
 *
 * Nothing here depends on PostgreSQL; the library links jansson and
 * libmicrohttpd, but this header exposes neither.
 */
#ifndef PM_PLUGIN_H
#define PM_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PM_PROTOCOL_VERSION 1

/* Qual operators; a key column declares the ones it handles as a bit mask. */
typedef enum pm_op
{
	PM_OP_EQ = 1 << 0,			/* "=" */
	PM_OP_NE = 1 << 1,			/* "<>" */
	PM_OP_LT = 1 << 2,			/* "<" */
	PM_OP_LE = 1 << 3,			/* "<=" */
	PM_OP_GT = 1 << 4,			/* ">" */
	PM_OP_GE = 1 << 5,			/* ">=" */
	PM_OP_IN = 1 << 6,			/* "in": value is an array */
	PM_OP_IS_NULL = 1 << 7,		/* "is_null": no value */
	PM_OP_IS_NOT_NULL = 1 << 8	/* "is_not_null": no value */
} pm_op;

/*
 * The kind of a qual value, derived from the column's declared type:
 * integer types give PM_INT, real types PM_DOUBLE, boolean PM_BOOL, json and
 * jsonb PM_JSON (the value as JSON text), everything else PM_TEXT.  A JSON
 * null gives PM_NULL whatever the type.
 */
typedef enum pm_kind
{
	PM_NULL,
	PM_BOOL,
	PM_INT,
	PM_DOUBLE,
	PM_TEXT,
	PM_JSON
} pm_kind;

typedef struct pm_value
{
	pm_kind		kind;
	bool		b;				/* PM_BOOL */
	int64_t		i;				/* PM_INT */
	double		d;				/* PM_DOUBLE (also set for PM_INT) */
	const char *s;				/* PM_TEXT, PM_JSON: NUL-terminated */
	size_t		len;			/* length of s in bytes */
} pm_value;

/* One qual the plugin declared; valid for the whole scan. */
typedef struct pm_qual
{
	int			column;			/* index into the table's columns */
	pm_op		op;
	pm_value	value;			/* single-valued operators */
	const pm_value *values;		/* PM_OP_IN: the list */
	size_t		nvalues;
} pm_qual;

typedef struct pm_column
{
	const char *name;
	const char *type;			/* a PostgreSQL type name: "bigint", "text[]" */
	const char *description;	/* may be NULL */
} pm_column;

typedef struct pm_key_column
{
	const char *name;			/* must name a declared column */
	unsigned	ops;			/* PM_OP_* bits */
	bool		required;		/* needs an "=" or "in" qual */
} pm_key_column;

typedef struct pm_scan pm_scan;

/* Returns 0 on success, -1 on failure (after pm_scan_error()). */
typedef int (*pm_scan_fn) (pm_scan *scan, void *arg);

typedef struct pm_table
{
	const char *name;
	const char *description;
	const pm_column *columns;
	int			ncolumns;
	const pm_key_column *key_columns;
	int			nkey_columns;
	pm_scan_fn	scan;
	void	   *arg;			/* passed to scan */
} pm_table;

typedef struct pm_plugin
{
	const char *name;			/* the handshake and schema name */
	const char *version;		/* semver, e.g. "1.0.0" */
	const pm_table *tables;
	int			ntables;
} pm_plugin;

#define PM_LENGTHOF(a) ((int) (sizeof(a) / sizeof((a)[0])))

/*
 * Runs the plugin until stdin reaches EOF or SIGTERM/SIGINT arrives; returns
 * the process exit status.  Options: --listen HOST:PORT (also serve TCP; env
 * PLUGIN_MANAGER_LISTEN), --ignore-stdin (do not exit on stdin EOF), --schema
 * (print the schema JSON and exit).  The Unix socket comes from
 * PLUGIN_MANAGER_SOCKET; at least one listener is required.
 */
int			pm_plugin_main(const pm_plugin *plugin, int argc, char **argv);

/* ---- The request ---- */
const pm_table *pm_scan_table(const pm_scan *scan);
int			pm_scan_ncolumns(const pm_scan *scan);	/* requested columns */
int			pm_scan_column(const pm_scan *scan, int i); /* table column index */
bool		pm_scan_wants(const pm_scan *scan, int column);
int			pm_scan_nquals(const pm_scan *scan);
const pm_qual *pm_scan_qual(const pm_scan *scan, int i);
/* The first qual on column with operator op (one PM_OP_* bit), or NULL. */
const pm_qual *pm_scan_find_qual(const pm_scan *scan, int column, pm_op op);
int64_t		pm_scan_limit(const pm_scan *scan); /* -1: no limit */

/* config and credentials are string maps; NULL if absent or not a string. */
const char *pm_scan_config(const pm_scan *scan, const char *key);
const char *pm_scan_credential(const pm_scan *scan, const char *key);

/*
 * Reads config option key as an integer in [min, max]; *out = dflt if absent.
 * On a bad value sets a 400 error naming the option and returns -1.
 */
int			pm_scan_config_int64(pm_scan *scan, const char *key, int64_t dflt,
								 int64_t min, int64_t max, int64_t *out);

/* ---- Emitting rows ---- */
/* Values for columns the request did not ask for are dropped cheaply;
 * a column not set in a row is null. */
void		pm_set_null(pm_scan *scan, int column);
void		pm_set_bool(pm_scan *scan, int column, bool v);
void		pm_set_int64(pm_scan *scan, int column, int64_t v);
void		pm_set_double(pm_scan *scan, int column, double v);	/* NaN/inf: null */
void		pm_set_text(pm_scan *scan, int column, const char *s);	/* NULL: null */
void		pm_set_textn(pm_scan *scan, int column, const char *s, size_t len);
void		pm_set_time(pm_scan *scan, int column, time_t t);
void		pm_set_timespec(pm_scan *scan, int column, struct timespec ts);
void		pm_set_json(pm_scan *scan, int column, const char *json);	/* trusted */

/* Ends the row; non-zero means stop (limit reached, client gone or OOM). */
int			pm_row_end(pm_scan *scan);

/* Pushes buffered rows to the client now. Returns -1 if the client is gone. */
int			pm_scan_flush(pm_scan *scan);

/* Flushes, then sleeps up to ms; returns -1 early if the client is gone. */
int			pm_scan_sleep(pm_scan *scan, int ms);

/*
 * Records the scan's error.  Before the first row it becomes the HTTP status
 * (e.g. 400) and error body; after, the stream's last line {"error": ...}.
 * detail and hint may be NULL.  The callback should then return -1.
 */
void		pm_scan_error(pm_scan *scan, int status, const char *message,
						  const char *detail, const char *hint);

/* For test plugins: write raw bytes into the stream / end it without a trailer. */
int			pm_scan_write_raw(pm_scan *scan, const char *data, size_t len);
void		pm_scan_abort(pm_scan *scan);

/* Logs one line on stderr (the manager prefixes it with the plugin name). */
void		pm_log(const char *fmt,...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

#endif							/* PM_PLUGIN_H */
