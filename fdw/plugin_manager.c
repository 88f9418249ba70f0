/*-------------------------------------------------------------------------
 *
 * plugin_manager.c
 *		Loading: settings, shared memory hooks, and the manager's registration.
 *
 * The library works only when preloaded: the registry lives in shared memory
 * and the plugin manager is a background worker, and both can only be set up
 * by the postmaster.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/guc.h"

#include "fdw.h"
#include "plugin_manager.h"
#include "registry.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

int			pm_max_plugins = 32;
char	   *pm_plugin_dir = NULL;
int			pm_startup_timeout = 10000;
int			pm_stop_timeout = 5000;
int			pm_connect_timeout = 5000;
int			pm_request_timeout = 30000;
int			pm_idle_timeout = 60000;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
pm_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	pmr_request_shmem();
}

static void
pm_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	pmr_init_shmem();
}

/*
 * plugin_dir names where the server runs programs from, so only a superuser
 * may set it (PGC_SIGHUP: postgresql.conf or ALTER SYSTEM).
 */
static bool
pm_check_plugin_dir(char **newval, void **extra, GucSource source)
{
	if (*newval == NULL || (*newval)[0] == '\0')
	{
		GUC_check_errdetail("plugin_manager.plugin_dir must not be empty.");
		return false;
	}
	if ((*newval)[0] != '/' && strncmp(*newval, "$libdir", 7) != 0)
	{
		GUC_check_errdetail("plugin_manager.plugin_dir must be an absolute path or start with \"$libdir\".");
		return false;
	}
	return true;
}

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("plugin_manager must be loaded via shared_preload_libraries"),
				 errdetail("Its plugin registry lives in shared memory and its plugin manager is a background worker, which only the server's start can set up."),
				 errhint("Add plugin_manager to shared_preload_libraries in postgresql.conf and restart the server.")));

	DefineCustomIntVariable("plugin_manager.max_plugins",
							"Number of plugin registry slots in shared memory.",
							"Each plugin that has run since the server started takes a slot; idle slots are reused.",
							&pm_max_plugins,
							32, 1, 1024,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("plugin_manager.plugin_dir",
							   "Directory holding plugin executables.",
							   "A plugin named N is the executable file N in this directory. It must be writable only by the administrator.",
							   &pm_plugin_dir,
							   "$libdir/plugin_manager",
							   PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   pm_check_plugin_dir, NULL, NULL);

	DefineCustomIntVariable("plugin_manager.startup_timeout",
							"Time a plugin has to start and complete its handshake.",
							"Also bounds how long a query waits for a plugin to start.",
							&pm_startup_timeout,
							10000, 100, 600000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("plugin_manager.stop_timeout",
							"Time a plugin has to exit after SIGTERM before it is killed.",
							NULL,
							&pm_stop_timeout,
							5000, 0, 600000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("plugin_manager.connect_timeout",
							"Default time a query has to connect to a plugin.",
							"A server's connect_timeout option overrides it. 0 means no limit.",
							&pm_connect_timeout,
							5000, 0, INT_MAX / 2,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("plugin_manager.request_timeout",
							"Default time a plugin has to start answering a request.",
							"A server's request_timeout option overrides it. 0 means no limit.",
							&pm_request_timeout,
							30000, 0, INT_MAX / 2,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("plugin_manager.idle_timeout",
							"Default longest silence of a plugin in the middle of its answer.",
							"A server's idle_timeout option overrides it. 0 means no limit.",
							&pm_idle_timeout,
							60000, 0, INT_MAX / 2,
							PGC_USERSET, GUC_UNIT_MS,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("plugin_manager");

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pm_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pm_shmem_startup;

	pm_register_manager();
	pm_fdw_init();
}

char *
pm_plugin_dir_path(void)
{
	if (strncmp(pm_plugin_dir, "$libdir", 7) == 0)
		return psprintf("%s%s", pkglib_path, pm_plugin_dir + 7);
	return pstrdup(pm_plugin_dir);
}

char *
pm_plugin_path(const char *name)
{
	char	   *dir = pm_plugin_dir_path();
	char	   *path = psprintf("%s/%s", dir, name);

	pfree(dir);
	return path;
}
