/*-------------------------------------------------------------------------
 *
 * registry.h
 *		The shared-memory plugin registry: one slot per plugin, the plugin
 *		manager's own state and the shutdown flag.
 *
 * Only registry.c touches the shared struct.  Backends ask for handles and
 * post requests through the functions below; the plugin manager (manager.c)
 * owns every process transition and writes it through the pmr_mgr_*
 * functions.  No function here returns with the registry lock held.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PM_REGISTRY_H
#define PM_REGISTRY_H

#include "datatype/timestamp.h"

/* Longest plugin name, not counting the terminator. */
#define PM_NAME_MAXLEN		63
/* Room for an endpoint (a Unix socket path, or a URL). */
#define PM_ENDPOINT_MAXLEN	256
#define PM_ERROR_MAXLEN		512
#define PM_EXIT_MAXLEN		64

typedef enum PmPluginState
{
	PM_PLUGIN_STOPPED = 0,
	PM_PLUGIN_STARTING,
	PM_PLUGIN_RUNNING,
	PM_PLUGIN_STOPPING,
	PM_PLUGIN_FAILED
} PmPluginState;

typedef enum PmManagerState
{
	PM_MANAGER_STARTING = 0,	/* no manager has registered yet */
	PM_MANAGER_RUNNING,
	PM_MANAGER_SHUTTING_DOWN
} PmManagerState;

/* What a backend gets back: enough to reach one running plugin process. */
typedef struct PmPluginHandle
{
	char		name[PM_NAME_MAXLEN + 1];
	char		endpoint[PM_ENDPOINT_MAXLEN];
	int			pid;
	uint64		generation;
} PmPluginHandle;

/* What the foreign-data wrapper's scans of one plugin added up to. */
typedef struct PmScanStats
{
	uint64		scans;
	uint64		rows;
	uint64		bytes;
	uint64		errors;
	uint64		time_us;
} PmScanStats;

/* A copy of one slot, for the plugins view. */
typedef struct PmSlotInfo
{
	char		name[PM_NAME_MAXLEN + 1];
	PmPluginState state;
	int			pid;
	char		endpoint[PM_ENDPOINT_MAXLEN];
	uint64		generation;
	int			restarts;
	TimestampTz started_at;		/* 0 when never started */
	char		last_exit[PM_EXIT_MAXLEN];
	char		last_error[PM_ERROR_MAXLEN];
	PmScanStats stats;
} PmSlotInfo;

typedef struct PmManagerInfo
{
	int			pid;
	PmManagerState state;
	bool		shutting_down;
	TimestampTz started_at;
} PmManagerInfo;

/*
 * What the manager must do for one slot, as posted by backends.  The manager
 * takes the whole request at once (pmr_mgr_take_requests) and acts on it.
 */
typedef struct PmRequest
{
	int			slot;
	char		name[PM_NAME_MAXLEN + 1];
	bool		start;			/* somebody wants it running */
	bool		stop;			/* somebody wants the current process gone */
} PmRequest;

/* setup, from _PG_init and the hooks */
extern void pmr_request_shmem(void);
extern void pmr_init_shmem(void);
extern const char *pmr_state_name(PmPluginState state);
extern const char *pmr_manager_state_name(PmManagerState state);

/* name rules, shared by everything that takes a plugin name from a user */
extern bool pmr_plugin_name_ok(const char *name);
extern void pmr_check_plugin_name(const char *name);

/* backends */
extern void pmr_acquire(const char *name, PmPluginHandle *handle);
extern void pmr_acquire_newer(const char *name, uint64 generation,
							  PmPluginHandle *handle);
extern void pmr_restart(const char *name, PmPluginHandle *handle);
extern bool pmr_stop(const char *name);
extern int	pmr_snapshot(PmSlotInfo **slots);
extern void pmr_manager_info(PmManagerInfo *info);
extern void pmr_add_scan_stats(const char *name, uint64 rows, uint64 bytes,
							   bool failed, uint64 time_us);

/* the plugin manager */
extern void pmr_mgr_register(void);
extern int	pmr_mgr_begin_shutdown(void);
extern void pmr_mgr_unregister(void);
extern int	pmr_mgr_take_requests(PmRequest *requests, int max);
extern void pmr_mgr_starting(int slot, int pid, const char *endpoint);
extern void pmr_mgr_running(int slot);
extern void pmr_mgr_stopping(int slot);
extern void pmr_mgr_exited(int slot, const char *last_exit, const char *error);
extern void pmr_mgr_failed(int slot, const char *error);
extern int	pmr_max_slots(void);

#endif							/* PM_REGISTRY_H */
