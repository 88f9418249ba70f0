/*-------------------------------------------------------------------------
 *
 * registry.c
 *		The shared-memory plugin registry.
 *
 * One struct in shared memory, one LWLock (from a named tranche) and one
 * condition variable.  Backends only post requests (start, stop) and wait;
 * the plugin manager alone writes process state.  The shutdown flag is a
 * field written under the lock by the manager's own shutdown, and nothing
 * else: a lock that could not be taken is never read as a state, and no code
 * path here even tries a conditional acquire.
 *
 * Rules kept by every function below: the lock is never held across I/O, a
 * palloc, a sleep or an ereport(ERROR); whatever an error needs is copied
 * out, the lock released, and only then is the error raised.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"

#include "plugin_manager.h"
#include "registry.h"

#define PM_TRANCHE_NAME "plugin_manager"
#define PM_WAIT_SLACK_MS 1000

typedef struct PmSlot
{
	bool		in_use;
	char		name[PM_NAME_MAXLEN + 1];

	/* written by the manager only */
	PmPluginState state;
	int			pid;
	char		endpoint[PM_ENDPOINT_MAXLEN];
	uint64		generation;		/* bumped at every start */
	uint64		attempts;		/* start attempts begun */
	int			starts;			/* successful and failed starts */
	TimestampTz started_at;
	char		last_exit[PM_EXIT_MAXLEN];
	char		last_error[PM_ERROR_MAXLEN];

	/* added to by backends at the end of each scan */
	PmScanStats stats;

	/* written by backends, taken (cleared) by the manager */
	bool		start_req;
	bool		stop_req;
} PmSlot;

typedef struct PmShared
{
	LWLock	   *lock;
	ConditionVariable cv;		/* broadcast at every state change */

	/* the manager section, written by the manager only */
	int			manager_pid;	/* 0 when no manager is registered */
	int			manager_procno; /* for its latch; valid when pid != 0 */
	PmManagerState manager_state;
	bool		shutting_down;
	TimestampTz manager_started_at;

	int			nslots;
	PmSlot		slots[FLEXIBLE_ARRAY_MEMBER];
} PmShared;

static PmShared *pm_shared = NULL;

static Size
pmr_shmem_size(void)
{
	return add_size(offsetof(PmShared, slots),
					mul_size(sizeof(PmSlot), pm_max_plugins));
}

void
pmr_request_shmem(void)
{
	RequestAddinShmemSpace(pmr_shmem_size());
	RequestNamedLWLockTranche(PM_TRANCHE_NAME, 1);
}

/*
 * Called from shmem_startup_hook, in the postmaster and (EXEC_BACKEND) in
 * every child.  After a crash-restart the postmaster builds shared memory
 * anew, so the registry starts from "no manager, nothing running".
 */
void
pmr_init_shmem(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	pm_shared = ShmemInitStruct("plugin_manager registry", pmr_shmem_size(),
								&found);
	if (!found)
	{
		memset(pm_shared, 0, pmr_shmem_size());
		pm_shared->lock = &(GetNamedLWLockTranche(PM_TRANCHE_NAME))->lock;
		ConditionVariableInit(&pm_shared->cv);
		pm_shared->manager_state = PM_MANAGER_STARTING;
		pm_shared->shutting_down = false;
		pm_shared->nslots = pm_max_plugins;
	}
	LWLockRelease(AddinShmemInitLock);
}

static void
pmr_check_attached(void)
{
	if (pm_shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("plugin_manager shared memory is not initialized"),
				 errhint("Add plugin_manager to shared_preload_libraries and restart the server.")));
}

const char *
pmr_state_name(PmPluginState state)
{
	switch (state)
	{
		case PM_PLUGIN_STOPPED:
			return "stopped";
		case PM_PLUGIN_STARTING:
			return "starting";
		case PM_PLUGIN_RUNNING:
			return "running";
		case PM_PLUGIN_STOPPING:
			return "stopping";
		case PM_PLUGIN_FAILED:
			return "failed";
	}
	return "unknown";
}

const char *
pmr_manager_state_name(PmManagerState state)
{
	switch (state)
	{
		case PM_MANAGER_STARTING:
			return "starting";
		case PM_MANAGER_RUNNING:
			return "running";
		case PM_MANAGER_SHUTTING_DOWN:
			return "shutting_down";
	}
	return "unknown";
}

/*
 * A plugin name becomes a file name under plugin_dir, so it must be a plain
 * identifier: nothing that could name another directory.
 */
bool
pmr_plugin_name_ok(const char *name)
{
	size_t		len = name ? strlen(name) : 0;

	if (len == 0 || len > PM_NAME_MAXLEN || name[0] == '-')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return true;
}

/* The same rule, as an error that says which part of it was broken. */
void
pmr_check_plugin_name(const char *name)
{
	size_t		len = name ? strlen(name) : 0;

	if (pmr_plugin_name_ok(name))
		return;
	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("plugin name must not be empty")));
	if (len > PM_NAME_MAXLEN)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("plugin name \"%s\" is too long", name),
				 errdetail("A plugin name is at most %d bytes.", PM_NAME_MAXLEN)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid plugin name \"%s\"", name),
			 errdetail("A plugin name is the name of an executable in plugin_manager.plugin_dir and may contain only letters, digits, \"_\" and \"-\", and must not start with \"-\".")));
}

/* Caller holds the lock (either mode). */
static int
pmr_find_slot(const char *name)
{
	for (int i = 0; i < pm_shared->nslots; i++)
	{
		if (pm_shared->slots[i].in_use &&
			strcmp(pm_shared->slots[i].name, name) == 0)
			return i;
	}
	return -1;
}

/*
 * Caller holds the lock exclusively.  Takes a free slot, or else reuses the
 * slot of a plugin that has no process and nobody waiting for it.
 */
static int
pmr_alloc_slot(const char *name)
{
	int			victim = -1;

	for (int i = 0; i < pm_shared->nslots; i++)
	{
		PmSlot	   *s = &pm_shared->slots[i];

		if (!s->in_use)
		{
			victim = i;
			break;
		}
		if (victim < 0 && s->pid == 0 && !s->start_req && !s->stop_req &&
			(s->state == PM_PLUGIN_STOPPED || s->state == PM_PLUGIN_FAILED))
			victim = i;
	}
	if (victim >= 0)
	{
		PmSlot	   *s = &pm_shared->slots[victim];

		memset(s, 0, sizeof(PmSlot));
		s->in_use = true;
		strlcpy(s->name, name, sizeof(s->name));
		s->state = PM_PLUGIN_STOPPED;
	}
	return victim;
}

static void
pmr_wake_manager(int procno)
{
	if (procno >= 0)
		SetLatch(&ProcGlobal->allProcs[procno].procLatch);
}

/*
 * Checked before a slot is taken for a name, so that a typo gives a clear
 * error at once instead of a failed slot.
 */
static void
pmr_check_executable(const char *name)
{
	char	   *path = pm_plugin_path(name);
	struct stat st;

	if (stat(path, &st) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("plugin \"%s\" does not exist", name),
				 errdetail("There is no executable \"%s\": %m.", path),
				 errhint("SELECT * FROM plugin_manager.available_plugins() lists the plugins in plugin_manager.plugin_dir.")));
	if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("plugin \"%s\" is not executable", name),
				 errdetail("\"%s\" is not an executable file.", path)));
	pfree(path);
}

typedef enum PmWaitGoal
{
	PM_WAIT_RUNNING,			/* any running process */
	PM_WAIT_NEWER,				/* a running process newer than a generation */
	PM_WAIT_STOPPED				/* no process */
} PmWaitGoal;

static void
pmr_raise_shutting_down(int manager_pid)
{
	ereport(ERROR,
			(errcode(ERRCODE_CANNOT_CONNECT_NOW),
			 errmsg("plugin manager is shutting down"),
			 errdetail("The plugin manager (PID %d) is stopping its plugins.",
					   manager_pid),
			 errhint("The plugin manager restarts by itself; retry in a moment.")));
}

/*
 * The one loop every backend request goes through.
 *
 * Each pass takes the lock exclusively, looks at the slot, posts a request
 * if one is needed, copies out what it needs, releases the lock, and then
 * either returns, raises an error, or sleeps on the condition variable.
 * "target" remembers which start attempt answers our request, so that a
 * failure of an older attempt is not taken as ours, and a start that another
 * session's stop undid is asked for again.
 */
static bool
pmr_wait_for(const char *name, PmWaitGoal goal, uint64 older_than,
			 bool post_stop, PmPluginHandle *handle)
{
	TimestampTz deadline;
	int			timeout_ms;
	uint64		target = 0;
	bool		stop_posted = false;
	bool		had_process = false;
	uint64		stopped_generation = 0;

	pmr_check_attached();
	pmr_check_plugin_name(name);

	/*
	 * The manager enforces the real timeouts and reports why a start failed;
	 * our own bound is a little longer so that its reason reaches the user
	 * rather than a bare "timed out".
	 */
	timeout_ms = PM_WAIT_SLACK_MS +
		((goal == PM_WAIT_STOPPED) ? pm_stop_timeout :
		 pm_startup_timeout + (post_stop ? pm_stop_timeout : 0));
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);

	ConditionVariablePrepareToSleep(&pm_shared->cv);
	for (;;)
	{
		int			wake_procno = -1;
		int			manager_pid;
		bool		shutting_down;
		bool		no_manager;
		bool		done = false;
		bool		failed = false;
		bool		need_slot = false;
		char		errbuf[PM_ERROR_MAXLEN] = "";
		char		exitbuf[PM_EXIT_MAXLEN] = "";
		long		remaining;

		LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
		manager_pid = pm_shared->manager_pid;
		shutting_down = pm_shared->shutting_down;
		no_manager = (manager_pid == 0 ||
					  pm_shared->manager_state != PM_MANAGER_RUNNING);

		if (!shutting_down && !no_manager)
		{
			int			i = pmr_find_slot(name);
			PmSlot	   *s;

			if (i < 0 && goal == PM_WAIT_STOPPED)
			{
				/* never started: nothing to stop */
				done = true;
				i = -2;
			}
			else if (i < 0)
			{
				i = pmr_alloc_slot(name);
				if (i < 0)
					need_slot = true;
			}

			if (i >= 0)
			{
				s = &pm_shared->slots[i];

				if (post_stop && !stop_posted)
				{
					had_process = (s->pid != 0);
					stopped_generation = s->generation;
					if (s->state != PM_PLUGIN_STOPPED)
					{
						s->stop_req = true;
						wake_procno = pm_shared->manager_procno;
					}
					stop_posted = true;
				}

				if (goal == PM_WAIT_STOPPED)
				{
					/*
					 * Done when the process we asked to stop is gone (a stop
					 * always ends in "stopped", a failure included), even if
					 * another session's request has started a new one since.
					 */
					if (s->state == PM_PLUGIN_STOPPED ||
						s->generation != stopped_generation)
						done = true;
				}
				else if (s->state == PM_PLUGIN_RUNNING &&
						 (goal == PM_WAIT_RUNNING ||
						  s->generation > older_than))
				{
					strlcpy(handle->name, s->name, sizeof(handle->name));
					strlcpy(handle->endpoint, s->endpoint, sizeof(handle->endpoint));
					handle->pid = s->pid;
					handle->generation = s->generation;
					done = true;
				}
				else if (s->state == PM_PLUGIN_STARTING && !s->stop_req)
				{
					/* a start is under way; it answers us too */
					if (target == 0 || target > s->attempts)
						target = s->attempts;
				}
				else
				{
					/*
					 * Stopped, failed, stopping, or running but older than
					 * wanted (a restart whose stop is still queued).
					 */
					if (target != 0 && s->attempts >= target &&
						s->state == PM_PLUGIN_FAILED)
					{
						failed = true;
						strlcpy(errbuf, s->last_error, sizeof(errbuf));
						strlcpy(exitbuf, s->last_exit, sizeof(exitbuf));
					}
					else
					{
						if (target != 0 && s->attempts >= target)
							target = 0; /* our start was undone: ask again */
						if (target == 0 || !s->start_req)
						{
							s->start_req = true;
							target = s->attempts + 1;
							wake_procno = pm_shared->manager_procno;
						}
					}
				}
			}
		}
		LWLockRelease(pm_shared->lock);

		pmr_wake_manager(wake_procno);

		if (shutting_down)
		{
			ConditionVariableCancelSleep();
			pmr_raise_shutting_down(manager_pid);
		}
		if (done)
			break;
		if (failed)
		{
			/* the slot's last_error, as a sentence */
			char	   *why = errbuf[0] ? errbuf : exitbuf;

			why[0] = pg_toupper((unsigned char) why[0]);
			ConditionVariableCancelSleep();
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("plugin \"%s\" could not be started", name),
					 errdetail_internal("%s.", why)));
		}
		if (need_slot)
		{
			ConditionVariableCancelSleep();
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("too many plugins in use"),
					 errdetail("All %d registry slots hold a plugin that is running or wanted.",
							   pm_max_plugins),
					 errhint("Stop a plugin, or raise plugin_manager.max_plugins and restart the server.")));
		}

		remaining = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
		if (remaining <= 0)
		{
			ConditionVariableCancelSleep();
			if (no_manager)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("plugin manager is not running"),
						 errdetail("No plugin manager registered within %d ms.",
								   timeout_ms),
						 errhint("Check the server log for plugin manager errors; the library must be in shared_preload_libraries.")));
			ereport(ERROR,
					(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
					 errmsg("timed out waiting for plugin \"%s\" to %s", name,
							goal == PM_WAIT_STOPPED ? "stop" : "start"),
					 errdetail("The plugin did not reach the wanted state within %d ms.",
							   timeout_ms)));
		}
		(void) ConditionVariableTimedSleep(&pm_shared->cv, Min(remaining, 1000L),
										   PG_WAIT_EXTENSION);
	}
	ConditionVariableCancelSleep();
	return had_process;
}

/*
 * Give the caller a handle on a running process of plugin "name", starting
 * it if needed.  The fast path is a shared lock and a copy.
 */
void
pmr_acquire(const char *name, PmPluginHandle *handle)
{
	bool		found = false;

	pmr_check_attached();
	pmr_check_plugin_name(name);

	LWLockAcquire(pm_shared->lock, LW_SHARED);
	if (!pm_shared->shutting_down)
	{
		int			i = pmr_find_slot(name);

		if (i >= 0 && pm_shared->slots[i].state == PM_PLUGIN_RUNNING)
		{
			PmSlot	   *s = &pm_shared->slots[i];

			strlcpy(handle->name, s->name, sizeof(handle->name));
			strlcpy(handle->endpoint, s->endpoint, sizeof(handle->endpoint));
			handle->pid = s->pid;
			handle->generation = s->generation;
			found = true;
		}
	}
	LWLockRelease(pm_shared->lock);
	if (found)
		return;

	pmr_check_executable(name);
	(void) pmr_wait_for(name, PM_WAIT_RUNNING, 0, false, handle);
}

/*
 * A handle newer than the one the caller has: its process died (the caller
 * saw it) and the manager may not have noticed yet.  Starts it again.
 */
void
pmr_acquire_newer(const char *name, uint64 generation, PmPluginHandle *handle)
{
	pmr_check_executable(name);
	(void) pmr_wait_for(name, PM_WAIT_NEWER, generation, false, handle);
}

/* Stop the current process (if any) and wait for a newer one. */
void
pmr_restart(const char *name, PmPluginHandle *handle)
{
	uint64		generation = 0;

	pmr_check_attached();
	pmr_check_plugin_name(name);
	pmr_check_executable(name);

	LWLockAcquire(pm_shared->lock, LW_SHARED);
	{
		int			i = pmr_find_slot(name);

		if (i >= 0)
			generation = pm_shared->slots[i].generation;
	}
	LWLockRelease(pm_shared->lock);

	(void) pmr_wait_for(name, PM_WAIT_NEWER, generation, true, handle);
}

/* Stop the plugin's process; true if there was one. */
bool
pmr_stop(const char *name)
{
	return pmr_wait_for(name, PM_WAIT_STOPPED, 0, true, NULL);
}

/* A palloc'd copy of every slot in use, for the plugins view. */
int
pmr_snapshot(PmSlotInfo **slots)
{
	PmSlotInfo *out;
	int			n = 0;

	pmr_check_attached();
	out = palloc0(sizeof(PmSlotInfo) * pm_shared->nslots);

	LWLockAcquire(pm_shared->lock, LW_SHARED);
	for (int i = 0; i < pm_shared->nslots; i++)
	{
		PmSlot	   *s = &pm_shared->slots[i];
		PmSlotInfo *o = &out[n];

		if (!s->in_use)
			continue;
		strlcpy(o->name, s->name, sizeof(o->name));
		o->state = s->state;
		o->pid = s->pid;
		strlcpy(o->endpoint, s->endpoint, sizeof(o->endpoint));
		o->generation = s->generation;
		o->restarts = Max(s->starts - 1, 0);
		o->started_at = s->started_at;
		strlcpy(o->last_exit, s->last_exit, sizeof(o->last_exit));
		strlcpy(o->last_error, s->last_error, sizeof(o->last_error));
		o->stats = s->stats;
		n++;
	}
	LWLockRelease(pm_shared->lock);

	*slots = out;
	return n;
}

void
pmr_manager_info(PmManagerInfo *info)
{
	pmr_check_attached();
	LWLockAcquire(pm_shared->lock, LW_SHARED);
	info->pid = pm_shared->manager_pid;
	info->state = pm_shared->manager_state;
	info->shutting_down = pm_shared->shutting_down;
	info->started_at = pm_shared->manager_started_at;
	LWLockRelease(pm_shared->lock);
}

/*
 * Once per scan, at its end (or its error).  Counters survive restarts of
 * the plugin and of the manager; they start at zero with the server.
 */
void
pmr_add_scan_stats(const char *name, uint64 rows, uint64 bytes, bool failed,
				   uint64 time_us)
{
	int			i;

	if (pm_shared == NULL)
		return;
	LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
	i = pmr_find_slot(name);
	if (i >= 0)
	{
		PmScanStats *st = &pm_shared->slots[i].stats;

		st->scans++;
		st->rows += rows;
		st->bytes += bytes;
		st->errors += failed ? 1 : 0;
		st->time_us += time_us;
	}
	LWLockRelease(pm_shared->lock);
}

/* ---- the plugin manager's side ---- */

int
pmr_max_slots(void)
{
	return pm_shared->nslots;
}

static void
pmr_before_exit(int code, Datum arg)
{
	pmr_mgr_unregister();
}

/*
 * A new manager takes over: the shutdown flag is cleared here and only here.
 * Anything a previous manager left in a process state has no process any
 * more (its plugins die with it), and requests posted to it are void: a
 * backend posts only while a manager is registered.
 */
void
pmr_mgr_register(void)
{
	LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
	pm_shared->manager_pid = MyProcPid;
	pm_shared->manager_procno = MyProc->pgprocno;
	pm_shared->manager_state = PM_MANAGER_RUNNING;
	pm_shared->shutting_down = false;
	pm_shared->manager_started_at = GetCurrentTimestamp();
	for (int i = 0; i < pm_shared->nslots; i++)
	{
		PmSlot	   *s = &pm_shared->slots[i];

		if (!s->in_use)
			continue;
		s->start_req = false;
		s->stop_req = false;
		if (s->state != PM_PLUGIN_STOPPED && s->state != PM_PLUGIN_FAILED)
		{
			snprintf(s->last_error, sizeof(s->last_error),
					 "the plugin manager exited while the plugin was %s",
					 pmr_state_name(s->state));
			s->state = PM_PLUGIN_FAILED;
		}
		s->pid = 0;
	}
	LWLockRelease(pm_shared->lock);
	ConditionVariableBroadcast(&pm_shared->cv);

	before_shmem_exit(pmr_before_exit, (Datum) 0);
}

/* Sets the shutdown flag; returns how many plugins have a process. */
int
pmr_mgr_begin_shutdown(void)
{
	int			nrunning = 0;

	LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
	pm_shared->shutting_down = true;
	pm_shared->manager_state = PM_MANAGER_SHUTTING_DOWN;
	for (int i = 0; i < pm_shared->nslots; i++)
		if (pm_shared->slots[i].in_use && pm_shared->slots[i].pid != 0)
			nrunning++;
	LWLockRelease(pm_shared->lock);
	ConditionVariableBroadcast(&pm_shared->cv);
	return nrunning;
}

/*
 * The manager process is going away.  The shutdown flag stays as it is: set
 * after a real shutdown (until the next manager registers), clear otherwise.
 */
void
pmr_mgr_unregister(void)
{
	if (pm_shared == NULL)
		return;
	LWLockReleaseAll();
	LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
	if (pm_shared->manager_pid == MyProcPid)
	{
		pm_shared->manager_pid = 0;
		pm_shared->manager_procno = -1;
		if (!pm_shared->shutting_down)
			pm_shared->manager_state = PM_MANAGER_STARTING;
		for (int i = 0; i < pm_shared->nslots; i++)
		{
			PmSlot	   *s = &pm_shared->slots[i];

			if (s->in_use && s->pid != 0)
			{
				snprintf(s->last_error, sizeof(s->last_error),
						 "the plugin manager exited while the plugin was %s",
						 pmr_state_name(s->state));
				s->state = PM_PLUGIN_FAILED;
				s->pid = 0;
			}
		}
	}
	LWLockRelease(pm_shared->lock);
	ConditionVariableBroadcast(&pm_shared->cv);
}

/* Take (and clear) every posted request; returns how many. */
int
pmr_mgr_take_requests(PmRequest *requests, int max)
{
	int			n = 0;

	LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < pm_shared->nslots && n < max; i++)
	{
		PmSlot	   *s = &pm_shared->slots[i];

		if (!s->in_use || (!s->start_req && !s->stop_req))
			continue;
		requests[n].slot = i;
		strlcpy(requests[n].name, s->name, sizeof(requests[n].name));
		requests[n].start = s->start_req;
		requests[n].stop = s->stop_req;
		s->start_req = false;
		s->stop_req = false;
		n++;
	}
	LWLockRelease(pm_shared->lock);
	return n;
}

/* A process was forked for the slot; it has not answered yet. */
void
pmr_mgr_starting(int slot, int pid, const char *endpoint)
{
	PmSlot	   *s = &pm_shared->slots[slot];

	LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
	s->state = PM_PLUGIN_STARTING;
	s->pid = pid;
	strlcpy(s->endpoint, endpoint, sizeof(s->endpoint));
	s->generation++;
	s->attempts++;
	s->starts++;
	LWLockRelease(pm_shared->lock);
	ConditionVariableBroadcast(&pm_shared->cv);
}

void
pmr_mgr_running(int slot)
{
	PmSlot	   *s = &pm_shared->slots[slot];

	LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
	s->state = PM_PLUGIN_RUNNING;
	s->started_at = GetCurrentTimestamp();
	s->last_error[0] = '\0';
	LWLockRelease(pm_shared->lock);
	ConditionVariableBroadcast(&pm_shared->cv);
}

void
pmr_mgr_stopping(int slot)
{
	PmSlot	   *s = &pm_shared->slots[slot];

	LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
	s->state = PM_PLUGIN_STOPPING;
	LWLockRelease(pm_shared->lock);
	ConditionVariableBroadcast(&pm_shared->cv);
}

/*
 * The process is gone.  With an error it failed (a crash, a failed start);
 * without, it was stopped on purpose.  last_exit NULL keeps the old one.
 */
void
pmr_mgr_exited(int slot, const char *last_exit, const char *error)
{
	PmSlot	   *s = &pm_shared->slots[slot];

	LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
	s->state = error ? PM_PLUGIN_FAILED : PM_PLUGIN_STOPPED;
	s->pid = 0;
	if (last_exit)
		strlcpy(s->last_exit, last_exit, sizeof(s->last_exit));
	if (error)
		strlcpy(s->last_error, error, sizeof(s->last_error));
	LWLockRelease(pm_shared->lock);
	ConditionVariableBroadcast(&pm_shared->cv);
}

/* A start attempt failed before any process existed (not executable, ...). */
void
pmr_mgr_failed(int slot, const char *error)
{
	PmSlot	   *s = &pm_shared->slots[slot];

	LWLockAcquire(pm_shared->lock, LW_EXCLUSIVE);
	s->state = PM_PLUGIN_FAILED;
	s->pid = 0;
	s->attempts++;
	strlcpy(s->last_error, error, sizeof(s->last_error));
	LWLockRelease(pm_shared->lock);
	ConditionVariableBroadcast(&pm_shared->cv);
}
