/*
 * series - a synthetic table of N rows for tests and benchmarks.
 *
 * rows(id, name, value, flag, ts): id runs 1..N (config option "rows",
 * default 1000000), name = 'row-<id>', value = id * 0.5, flag = id is even,
 * ts = 2020-01-01T00:00:00Z + id seconds.  Quals on id (=, in, <, <=, >, >=)
 * are applied here: the range or set of ids is computed first, so
 * "id = k" costs one row, not N.
 */
#include <stdlib.h>
#include <string.h>

#include "pm_plugin.h"

enum
{
	COL_ID, COL_NAME, COL_VALUE, COL_FLAG, COL_TS
};

#define EPOCH_2020 1577836800	/* 2020-01-01T00:00:00Z */

/* "row-<id>" into buf; returns its length.  (snprintf was a sixth of a scan.) */
static size_t
format_name(char *buf, int64_t id)
{
	char		digits[24];
	char	   *p = digits + sizeof(digits);
	uint64_t	v = (uint64_t) id;	/* ids are positive */
	size_t		n;

	do
	{
		*--p = (char) ('0' + v % 10);
		v /= 10;
	} while (v != 0);
	n = (size_t) (digits + sizeof(digits) - p);
	memcpy(buf, "row-", 4);
	memcpy(buf + 4, p, n);
	return n + 4;
}

static void
emit(pm_scan *scan, int64_t id)
{
	char		name[32];

	pm_set_int64(scan, COL_ID, id);
	if (pm_scan_wants(scan, COL_NAME))
		pm_set_textn(scan, COL_NAME, name, format_name(name, id));
	pm_set_double(scan, COL_VALUE, (double) id * 0.5);
	pm_set_bool(scan, COL_FLAG, id % 2 == 0);
	pm_set_time(scan, COL_TS, (time_t) (EPOCH_2020 + id));
}

static int
cmp_int64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a;
	int64_t		y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

static int
scan_rows(pm_scan *scan, void *arg)
{
	int64_t		nrows;
	int64_t		lo = 1;
	int64_t		hi;
	const pm_qual *in_qual = NULL;
	int			i;

	(void) arg;
	if (pm_scan_config_int64(scan, "rows", 1000000, 0, INT64_MAX / 2, &nrows) != 0)
		return -1;
	hi = nrows;
	for (i = 0; i < pm_scan_nquals(scan); i++)
	{
		const pm_qual *q = pm_scan_qual(scan, i);
		/* ids lie in [1, INT64_MAX / 2]: clamping keeps v +/- 1 from overflowing */
		int64_t		v = q->value.i < -1 ? -1 :
			q->value.i > INT64_MAX / 2 + 1 ? INT64_MAX / 2 + 1 : q->value.i;

		if (q->op == PM_OP_IN)
		{
			in_qual = q;
			continue;
		}
		if (q->value.kind != PM_INT)
			return 0;			/* id = NULL (or <, ...) matches nothing */
		switch (q->op)
		{
			case PM_OP_EQ:
				if (v > lo)
					lo = v;
				if (v < hi)
					hi = v;
				break;
			case PM_OP_LT:
				if (v - 1 < hi)
					hi = v - 1;
				break;
			case PM_OP_LE:
				if (v < hi)
					hi = v;
				break;
			case PM_OP_GT:
				if (v + 1 > lo)
					lo = v + 1;
				break;
			case PM_OP_GE:
				if (v > lo)
					lo = v;
				break;
			default:
				break;
		}
	}
	if (in_qual != NULL)
	{
		/* the sorted, distinct members of the list inside [lo, hi] */
		int64_t    *ids = malloc((in_qual->nvalues + 1) * sizeof(int64_t));
		size_t		n = 0;
		size_t		k;

		if (ids == NULL)
		{
			pm_scan_error(scan, 500, "out of memory", NULL, NULL);
			return -1;
		}
		for (k = 0; k < in_qual->nvalues; k++)
			if (in_qual->values[k].kind == PM_INT &&
				in_qual->values[k].i >= lo && in_qual->values[k].i <= hi)
				ids[n++] = in_qual->values[k].i;
		qsort(ids, n, sizeof(int64_t), cmp_int64);
		for (k = 0; k < n; k++)
			if ((k == 0 || ids[k] != ids[k - 1]))
			{
				emit(scan, ids[k]);
				if (pm_row_end(scan))
					break;
			}
		free(ids);
		return 0;
	}
	for (int64_t id = lo; id <= hi; id++)
	{
		emit(scan, id);
		if (pm_row_end(scan))
			break;
	}
	return 0;
}

static const pm_column columns[] = {
	{"id", "bigint", "Row number, 1 to the \"rows\" option"},
	{"name", "text", "'row-' followed by id"},
	{"value", "double precision", "id * 0.5"},
	{"flag", "boolean", "Whether id is even"},
	{"ts", "timestamptz", "2020-01-01 00:00:00+00 plus id seconds"},
};

static const pm_key_column keys[] = {
	{"id", PM_OP_EQ | PM_OP_IN | PM_OP_LT | PM_OP_LE | PM_OP_GT | PM_OP_GE, false},
};

static const pm_table tables[] = {
	{"rows", "A generated series of rows (config option rows, default 1000000)",
	columns, PM_LENGTHOF(columns), keys, PM_LENGTHOF(keys), scan_rows, NULL},
};

static const pm_plugin plugin = {"series", "1.0.0", tables, PM_LENGTHOF(tables)};

int
main(int argc, char **argv)
{
	return pm_plugin_main(&plugin, argc, argv);
}
