/*-------------------------------------------------------------------------
 *
 * option.c
 *		The foreign-data wrapper's options: the validator, and reading a
 *		server's, a table's and a user mapping's options for a scan.
 *
 * The extension's own options are in the table below, each with the catalog
 * it belongs to.  Every other option of a server is the plugin's business:
 * it goes to the plugin as "config" (values as strings), and the plugin
 * rejects what it does not know.  User mapping options are the plugin's
 * "credentials"; they never appear in logs, EXPLAIN or error messages.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/reloptions.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "option.h"
#include "protocol.h"
#include "registry.h"

PG_FUNCTION_INFO_V1(pm_fdw_validator);

typedef struct PmOption
{
	const char *name;
	Oid			context;
} PmOption;

static const PmOption pm_options[] = {
	{"plugin", ForeignServerRelationId},
	{"url", ForeignServerRelationId},
	{"connect_timeout", ForeignServerRelationId},
	{"request_timeout", ForeignServerRelationId},
	{"idle_timeout", ForeignServerRelationId},
	{"table", ForeignTableRelationId},
	{"key_columns", ForeignTableRelationId},
	{NULL, InvalidOid}
};

static bool
pm_is_own_option(const char *name, Oid context)
{
	for (const PmOption *o = pm_options; o->name; o++)
		if (o->context == context && strcmp(o->name, name) == 0)
			return true;
	return false;
}

static const char *
pm_catalog_name(Oid context)
{
	switch (context)
	{
		case ForeignDataWrapperRelationId:
			return "foreign-data wrapper";
		case ForeignServerRelationId:
			return "server";
		case ForeignTableRelationId:
			return "foreign table";
		case UserMappingRelationId:
			return "user mapping";
		case AttributeRelationId:
			return "column";
	}
	return "object";
}

static int
pm_parse_ms(DefElem *def)
{
	char	   *val = defGetString(def);
	char	   *end;
	long		ms;

	errno = 0;
	ms = strtol(val, &end, 10);
	while (*end == ' ')
		end++;
	if (strcmp(end, "ms") == 0)
		end += 2;
	else if (strcmp(end, "s") == 0)
	{
		ms *= 1000;
		end += 1;
	}
	if (errno != 0 || *end != '\0' || end == val || ms < 0 || ms > INT_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for option \"%s\": \"%s\"", def->defname, val),
				 errhint("Give a number of milliseconds, optionally followed by \"ms\" or \"s\"; 0 means no limit.")));
	return (int) ms;
}

Datum
pm_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	ListCell   *lc;
	bool		has_plugin = false;
	bool		has_url = false;

	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (catalog == ForeignServerRelationId || catalog == UserMappingRelationId)
		{
			/* other server options are the plugin's config; mapping: credentials */
		}
		else if (!pm_is_own_option(def->defname, catalog))
		{
			StringInfoData valid;

			initStringInfo(&valid);
			for (const PmOption *o = pm_options; o->name; o++)
				if (o->context == catalog)
					appendStringInfo(&valid, "%s%s", valid.len ? ", " : "", o->name);
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\" for a %s of plugin_manager",
							def->defname, pm_catalog_name(catalog)),
					 valid.len > 0
					 ? errhint("Valid options for a %s are: %s.", pm_catalog_name(catalog), valid.data)
					 : errhint("A %s of plugin_manager takes no options; server options other than plugin, url, connect_timeout, request_timeout and idle_timeout go to the plugin as its configuration, and user mapping options are its credentials.",
							   pm_catalog_name(catalog))));
		}

		if (catalog == ForeignServerRelationId)
		{
			if (strcmp(def->defname, "plugin") == 0)
			{
				has_plugin = true;
				pmr_check_plugin_name(defGetString(def));
			}
			else if (strcmp(def->defname, "url") == 0)
			{
				char	   *url = defGetString(def);

				has_url = true;
				if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"url\": \"%s\"", url),
							 errhint("A remote plugin is reached at an http:// or https:// URL.")));
				if (!superuser())
					ereport(ERROR,
							(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
							 errmsg("only a superuser can set option \"url\""),
							 errdetail("A remote plugin URL makes the server open network connections.")));
			}
			else if (strcmp(def->defname, "connect_timeout") == 0 ||
					 strcmp(def->defname, "request_timeout") == 0 ||
					 strcmp(def->defname, "idle_timeout") == 0)
				(void) pm_parse_ms(def);
		}
		else if (catalog == ForeignTableRelationId)
		{
			if (strcmp(def->defname, "table") == 0 && defGetString(def)[0] == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("option \"table\" must not be empty")));
			if (strcmp(def->defname, "key_columns") == 0)
			{
				PmpKeyColumn *keys;
				int			nkeys;
				char		err[256];

				if (!pmp_parse_key_columns(defGetString(def), &keys, &nkeys, err, sizeof(err)))
					ereport(ERROR,
							(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
							 errmsg("invalid value for option \"key_columns\""),
							 errdetail_internal("%s", err),
							 errhint("key_columns is a JSON array such as [{\"name\": \"id\", \"operators\": [\"=\", \"in\"], \"required\": false}].")));
				pmp_free_key_columns(keys, nkeys);
			}
		}
	}

	if (catalog == ForeignServerRelationId)
	{
		if (has_plugin && has_url)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("options \"plugin\" and \"url\" cannot both be set"),
					 errhint("Use \"plugin\" for a plugin the plugin manager runs, \"url\" for a remote one.")));
		if (!has_plugin && !has_url)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
					 errmsg("a plugin_manager server needs option \"plugin\" or \"url\""),
					 errhint("For example: CREATE SERVER host_server FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'host').")));
	}
	PG_RETURN_VOID();
}

void
pm_server_options(Oid serverid, PmFdwOptions *opts)
{
	ForeignServer *server = GetForeignServer(serverid);
	ListCell   *lc;

	memset(opts, 0, sizeof(*opts));
	opts->serverid = serverid;
	opts->servername = pstrdup(server->servername);
	opts->timeouts.connect_ms = pm_connect_timeout;
	opts->timeouts.request_ms = pm_request_timeout;
	opts->timeouts.idle_ms = pm_idle_timeout;
	foreach(lc, server->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "plugin") == 0)
			opts->plugin = defGetString(def);
		else if (strcmp(def->defname, "url") == 0)
			opts->url = defGetString(def);
		else if (strcmp(def->defname, "connect_timeout") == 0)
			opts->timeouts.connect_ms = pm_parse_ms(def);
		else if (strcmp(def->defname, "request_timeout") == 0)
			opts->timeouts.request_ms = pm_parse_ms(def);
		else if (strcmp(def->defname, "idle_timeout") == 0)
			opts->timeouts.idle_ms = pm_parse_ms(def);
		else
			opts->config = lappend(opts->config, def);
	}
}

void
pm_table_options(Oid foreigntableid, PmFdwOptions *opts)
{
	ForeignTable *table = GetForeignTable(foreigntableid);
	ListCell   *lc;

	pm_server_options(table->serverid, opts);
	opts->table = get_rel_name(foreigntableid);
	foreach(lc, table->options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "table") == 0)
			opts->table = defGetString(def);
		else if (strcmp(def->defname, "key_columns") == 0)
			opts->key_columns = defGetString(def);
	}
}

/*
 * The user mapping for the user, else the PUBLIC one, else none: a plugin
 * that needs no credentials needs no mapping.
 */
void
pm_user_credentials(Oid serverid, Oid userid, PmFdwOptions *opts)
{
	HeapTuple	tp;
	Datum		datum;
	bool		isnull;

	tp = SearchSysCache2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(userid),
						 ObjectIdGetDatum(serverid));
	if (!HeapTupleIsValid(tp))
		tp = SearchSysCache2(USERMAPPINGUSERSERVER, ObjectIdGetDatum(InvalidOid),
							 ObjectIdGetDatum(serverid));
	opts->credentials = NIL;
	if (!HeapTupleIsValid(tp))
		return;
	datum = SysCacheGetAttr(USERMAPPINGUSERSERVER, tp,
							Anum_pg_user_mapping_umoptions, &isnull);
	if (!isnull)
		opts->credentials = untransformRelOptions(datum);
	ReleaseSysCache(tp);
}

char *
pm_describe_plugin(const PmFdwOptions *opts)
{
	if (opts->plugin)
		return psprintf("plugin \"%s\"", opts->plugin);
	return psprintf("remote plugin of server \"%s\"", opts->servername);
}
