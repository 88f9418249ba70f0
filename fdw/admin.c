/*-------------------------------------------------------------------------
 *
 * admin.c
 *		SQL-callable functions of the plugin_manager schema: the registry as
 *		a view, the manager's status, and the administrator's controls.
 *
 * start_plugin() takes exactly the path a query takes (pmr_acquire), so what
 * an administrator sees is what the foreign-data wrapper gets.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "plugin_manager.h"
#include "registry.h"

PG_FUNCTION_INFO_V1(pm_plugins);
PG_FUNCTION_INFO_V1(pm_manager_status);
PG_FUNCTION_INFO_V1(pm_available_plugins);
PG_FUNCTION_INFO_V1(pm_start_plugin);
PG_FUNCTION_INFO_V1(pm_stop_plugin);
PG_FUNCTION_INFO_V1(pm_restart_plugin);

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL || s[0] == '\0');
	return *isnull ? (Datum) 0 : CStringGetTextDatum(s);
}

/* plugin_manager.plugins: one row per registry slot in use */
Datum
pm_plugins(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PmSlotInfo *slots;
	int			n;

	SetSingleFuncCall(fcinfo, 0);
	n = pmr_snapshot(&slots);
	for (int i = 0; i < n; i++)
	{
		Datum		values[14];
		bool		nulls[14] = {0};
		PmSlotInfo *s = &slots[i];

		values[0] = CStringGetTextDatum(s->name);
		values[1] = CStringGetTextDatum(pmr_state_name(s->state));
		values[2] = Int32GetDatum(s->pid);
		nulls[2] = (s->pid == 0);
		values[3] = text_or_null(s->pid ? s->endpoint : NULL, &nulls[3]);
		values[4] = Int64GetDatum((int64) s->generation);
		values[5] = Int32GetDatum(s->restarts);
		values[6] = TimestampTzGetDatum(s->started_at);
		nulls[6] = (s->started_at == 0);
		values[7] = text_or_null(s->last_exit, &nulls[7]);
		values[8] = text_or_null(s->last_error, &nulls[8]);
		values[9] = Int64GetDatum((int64) s->stats.scans);
		values[10] = Int64GetDatum((int64) s->stats.rows);
		values[11] = Int64GetDatum((int64) s->stats.bytes);
		values[12] = Int64GetDatum((int64) s->stats.errors);
		values[13] = Float8GetDatum(s->stats.time_us / 1000.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

Datum
pm_manager_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	PmManagerInfo info;
	Datum		values[4];
	bool		nulls[4] = {0};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	pmr_manager_info(&info);

	values[0] = Int32GetDatum(info.pid);
	nulls[0] = (info.pid == 0);
	values[1] = CStringGetTextDatum(pmr_manager_state_name(info.state));
	values[2] = BoolGetDatum(info.shutting_down);
	values[3] = TimestampTzGetDatum(info.started_at);
	nulls[3] = (info.started_at == 0);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

/* Executables in plugin_dir whose names are valid plugin names. */
Datum
pm_available_plugins(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *dirpath;
	DIR		   *dir;
	struct dirent *de;

	SetSingleFuncCall(fcinfo, 0);
	dirpath = pm_plugin_dir_path();
	dir = AllocateDir(dirpath);
	if (dir == NULL && errno == ENOENT)
	{
		ereport(NOTICE,
				(errmsg("plugin directory \"%s\" does not exist", dirpath)));
		return (Datum) 0;
	}
	while ((de = ReadDir(dir, dirpath)) != NULL)
	{
		char	   *path;
		struct stat st;
		Datum		values[2];
		bool		nulls[2] = {0};

		if (!pmr_plugin_name_ok(de->d_name))
			continue;
		path = psprintf("%s/%s", dirpath, de->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
		{
			values[0] = CStringGetTextDatum(de->d_name);
			values[1] = CStringGetTextDatum(path);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		pfree(path);
	}
	FreeDir(dir);
	return (Datum) 0;
}

static Datum
handle_datum(FunctionCallInfo fcinfo, PmPluginHandle *h)
{
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {0};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = CStringGetTextDatum(h->endpoint);
	values[1] = Int32GetDatum(h->pid);
	values[2] = Int64GetDatum((int64) h->generation);
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls));
}

Datum
pm_start_plugin(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	PmPluginHandle h;

	pmr_acquire(name, &h);
	PG_RETURN_DATUM(handle_datum(fcinfo, &h));
}

Datum
pm_restart_plugin(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	PmPluginHandle h;

	pmr_restart(name, &h);
	PG_RETURN_DATUM(handle_datum(fcinfo, &h));
}

Datum
pm_stop_plugin(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));

	PG_RETURN_BOOL(pmr_stop(name));
}
