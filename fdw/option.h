/*-------------------------------------------------------------------------
 *
 * option.h
 *		Options of the plugin_manager foreign-data wrapper.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PM_OPTION_H
#define PM_OPTION_H

#include "nodes/pg_list.h"

#include "http.h"

typedef struct PmFdwOptions
{
	Oid			serverid;
	char	   *servername;
	char	   *plugin;			/* local plugin name, or NULL */
	char	   *url;			/* remote plugin, or NULL */
	PmHttpTimeouts timeouts;
	List	   *config;			/* DefElems: the server's other options */
	List	   *credentials;	/* DefElems: the user mapping's options */
	char	   *table;			/* the plugin's table name */
	char	   *key_columns;	/* JSON, or NULL */
} PmFdwOptions;

/* GUC defaults for the timeouts, defined in plugin_manager.c */
extern int	pm_connect_timeout;
extern int	pm_request_timeout;
extern int	pm_idle_timeout;

extern void pm_server_options(Oid serverid, PmFdwOptions *opts);
extern void pm_table_options(Oid foreigntableid, PmFdwOptions *opts);
extern void pm_user_credentials(Oid serverid, Oid userid, PmFdwOptions *opts);
/* "plugin \"x\"" or "remote plugin at URL", for messages */
extern char *pm_describe_plugin(const PmFdwOptions *opts);

#endif							/* PM_OPTION_H */
