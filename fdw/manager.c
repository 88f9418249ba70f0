/*-------------------------------------------------------------------------
 *
 * manager.c
 *		The plugin manager: a background worker that owns plugin processes.
 *
 * It starts a plugin when a backend asks (see registry.c), watches for its
 * handshake, copies its stderr into the server log, reaps it when it exits,
 * starts it again with a bounded backoff when it crashed and is wanted
 * again, and stops it (SIGTERM to its process group, stop_timeout, SIGKILL).
 *
 * Every wait is on a WaitEventSet holding our latch, postmaster death and the
 * plugins' pipes; SIGCHLD only sets the latch and waitpid() never blocks.
 * Children die with us whatever way we go: each gets PR_SET_PDEATHSIG and a
 * stdin pipe whose end of file tells it the manager is gone.
 *
 * On SIGTERM the manager sets the registry's shutdown flag (and logs it),
 * stops every plugin, logs the end, and exits with code 1 so that the
 * postmaster starts a new manager unless the cluster itself is stopping.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "plugin_manager.h"
#include "protocol.h"
#include "registry.h"

PGDLLEXPORT void pm_manager_main(Datum main_arg);

/* a stderr line longer than this is logged in pieces */
#define PM_LINE_MAX			1024
/* backoff before restarting a plugin that failed: 100 ms doubling to 5 s */
#define PM_BACKOFF_MIN_MS	100
#define PM_BACKOFF_MAX_MS	5000
/* a plugin that ran this long before failing starts its backoff afresh */
#define PM_BACKOFF_RESET_MS 30000

typedef struct PluginProc
{
	bool		active;			/* a process exists and is not yet reaped */
	char		name[PM_NAME_MAXLEN + 1];
	pid_t		pid;
	int			stdin_fd;		/* our end; never written */
	int			stdout_fd;		/* -1 once closed */
	int			stderr_fd;
	char		endpoint[PM_ENDPOINT_MAXLEN];
	bool		ready;			/* handshake seen */
	bool		stopping;		/* SIGTERM sent on purpose */
	bool		killed;			/* SIGKILL sent */
	TimestampTz deadline;		/* for the handshake or the stop; 0 if none */
	TimestampTz running_since;
	char		fail_reason[PM_ERROR_MAXLEN];	/* why we killed it */
	char		outbuf[PM_LINE_MAX];
	int			outlen;
	char		errbuf[PM_LINE_MAX];
	int			errlen;
	char		last_stderr[256];

	/* wishes that outlive one pass of the loop */
	bool		want_start;
	int			failures;		/* consecutive failed runs */
	TimestampTz not_before;		/* backoff */
} PluginProc;

static PluginProc *procs;
static int	nprocs;
static char sock_dir[MAXPGPATH];
static uint64 start_seq = 0;
static volatile sig_atomic_t got_sigterm = false;

static void
pm_sigterm(SIGNAL_ARGS)
{
	int			save_errno = errno;

	got_sigterm = true;
	SetLatch(MyLatch);
	errno = save_errno;
}

static void
pm_sigchld(SIGNAL_ARGS)
{
	int			save_errno = errno;

	SetLatch(MyLatch);
	errno = save_errno;
}

void
pm_register_manager(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 1;
	strlcpy(worker.bgw_library_name, "plugin_manager", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "pm_manager_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "plugin manager", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "plugin manager", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

/* ---- the socket folder ---- */

static void
pm_remove_dir(const char *path)
{
	DIR		   *dir = opendir(path);
	struct dirent *de;

	if (dir == NULL)
		return;
	while ((de = readdir(dir)) != NULL)
	{
		char		file[MAXPGPATH];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		(void) unlink(file);
	}
	closedir(dir);
	if (rmdir(path) != 0 && errno != ENOENT)
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not remove plugin socket directory \"%s\": %m", path)));
}

/*
 * Sockets live in a private 0700 folder under /tmp (a data directory path
 * can be too long for a socket name).  Its name carries the postmaster's
 * pid, so a manager that follows a crashed one can clear what it left.
 */
static void
pm_make_sock_dir(void)
{
	char		prefix[64];
	DIR		   *dir;
	struct dirent *de;

	snprintf(prefix, sizeof(prefix), "pg_plugin_manager.%d.", (int) PostmasterPid);
	dir = opendir("/tmp");
	if (dir != NULL)
	{
		while ((de = readdir(dir)) != NULL)
		{
			char		path[MAXPGPATH];
			struct stat st;

			if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
				continue;
			snprintf(path, sizeof(path), "/tmp/%s", de->d_name);
			if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
				st.st_uid == geteuid())
				pm_remove_dir(path);
		}
		closedir(dir);
	}

	snprintf(sock_dir, sizeof(sock_dir), "/tmp/%sXXXXXX", prefix);
	if (mkdtemp(sock_dir) == NULL)
		ereport(FATAL,
				(errcode_for_file_access(),
				 errmsg("could not create plugin socket directory \"%s\": %m", sock_dir)));
	if (chmod(sock_dir, S_IRWXU) != 0)
		ereport(FATAL,
				(errcode_for_file_access(),
				 errmsg("could not set permissions of \"%s\": %m", sock_dir)));
}

/* ---- starting ---- */

static void
pm_signal_group(PluginProc *p, int sig)
{
	/* the child may not have reached setsid() yet: then signal it alone */
	if (kill(-p->pid, sig) != 0)
		(void) kill(p->pid, sig);
}

static void
pm_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
pm_reset_proc(PluginProc *p, const char *name)
{
	int			failures = p->failures;
	TimestampTz not_before = p->not_before;
	bool		same = strcmp(p->name, name) == 0;

	memset(p, 0, sizeof(PluginProc));
	p->stdin_fd = p->stdout_fd = p->stderr_fd = -1;
	strlcpy(p->name, name, sizeof(p->name));
	if (same)
	{
		p->failures = failures;
		p->not_before = not_before;
	}
}

/*
 * Checks that would make running the file unsafe or impossible.  Returns
 * NULL when the plugin may be started, or why not.
 */
static char *
pm_check_plugin_file(const char *dir, const char *path)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return psprintf("could not access plugin_dir \"%s\": %m", dir);
	if (!S_ISDIR(st.st_mode))
		return psprintf("plugin_dir \"%s\" is not a directory", dir);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return psprintf("plugin_dir \"%s\" is writable by group or others; it must be writable only by the administrator", dir);
	if (stat(path, &st) != 0)
		return psprintf("could not access \"%s\": %m", path);
	if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0)
		return psprintf("\"%s\" is not an executable file", path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return psprintf("\"%s\" is writable by group or others; it must be writable only by the administrator", path);
	return NULL;
}

/* Runs in the child: no PostgreSQL code from here on. */
static void
pm_exec_child(const char *path, char **envp, int in_fd, int out_fd, int err_fd,
			  pid_t manager_pid)
{
	sigset_t	all;
	char	   *argv[2];

	(void) setsid();
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != manager_pid)
		_exit(126);				/* the manager died before we could watch it */

	for (int sig = 1; sig < NSIG; sig++)
		(void) signal(sig, SIG_DFL);
	sigemptyset(&all);
	(void) sigprocmask(SIG_SETMASK, &all, NULL);

	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(127);
	if (close_range(3, ~0U, 0) != 0)
	{
		for (int fd = 3; fd < 1024; fd++)
			(void) close(fd);
	}
	if (chdir("/") != 0)
		_exit(127);
	umask(S_IRWXG | S_IRWXO);

	argv[0] = (char *) path;
	argv[1] = NULL;
	execve(path, argv, envp);
	_exit(127);
}

static void
pm_start_plugin(int slot)
{
	PluginProc *p = &procs[slot];
	char	   *dir = pm_plugin_dir_path();
	char	   *path = pm_plugin_path(p->name);
	char	   *problem;
	int			in[2] = {-1, -1};
	int			out[2] = {-1, -1};
	int			err[2] = {-1, -1};
	char	   *envp[5];
	pid_t		pid;

	problem = pm_check_plugin_file(dir, path);
	if (problem)
	{
		ereport(LOG,
				(errmsg("plugin \"%s\" cannot start: %s", p->name, problem)));
		pmr_mgr_failed(slot, problem);
		p->failures++;
		return;
	}

	snprintf(p->endpoint, sizeof(p->endpoint), "%s/%d-" UINT64_FORMAT ".sock",
			 sock_dir, slot, ++start_seq);
	(void) unlink(p->endpoint);

	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
		pipe2(err, O_CLOEXEC) != 0)
	{
		char	   *msg = psprintf("could not create pipes: %m");

		for (int i = 0; i < 2; i++)
		{
			pm_close_fd(&in[i]);
			pm_close_fd(&out[i]);
			pm_close_fd(&err[i]);
		}
		ereport(LOG, (errmsg("plugin \"%s\" cannot start: %s", p->name, msg)));
		pmr_mgr_failed(slot, msg);
		return;
	}

	/* a clean, explicit environment: nothing of the server's own */
	envp[0] = psprintf("PLUGIN_MANAGER_SOCKET=%s", p->endpoint);
	envp[1] = psprintf("PLUGIN_MANAGER_PROTOCOL=%d", PMP_PROTOCOL_VERSION);
	envp[2] = pstrdup("PATH=/usr/local/bin:/usr/bin:/bin");
	envp[3] = psprintf("PLUGIN_MANAGER_PLUGIN=%s", p->name);
	envp[4] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		pm_exec_child(path, envp, in[0], out[1], err[1], MyProcPid);

	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (pid < 0)
	{
		char	   *msg = psprintf("could not fork: %m");

		close(in[1]);
		close(out[0]);
		close(err[0]);
		ereport(LOG, (errmsg("plugin \"%s\" cannot start: %s", p->name, msg)));
		pmr_mgr_failed(slot, msg);
		return;
	}

	p->active = true;
	p->pid = pid;
	p->stdin_fd = in[1];
	p->stdout_fd = out[0];
	p->stderr_fd = err[0];
	(void) fcntl(p->stdout_fd, F_SETFL, O_NONBLOCK);
	(void) fcntl(p->stderr_fd, F_SETFL, O_NONBLOCK);
	p->ready = p->stopping = p->killed = false;
	p->fail_reason[0] = '\0';
	p->outlen = p->errlen = 0;
	p->last_stderr[0] = '\0';
	p->deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
											  pm_startup_timeout);

	pmr_mgr_starting(slot, pid, p->endpoint);
	ereport(LOG,
			(errmsg("plugin \"%s\" starting (pid %d)", p->name, (int) pid),
			 errdetail("Executable \"%s\", socket \"%s\".", path, p->endpoint)));
	for (int i = 0; i < 4; i++)
		pfree(envp[i]);
	pfree(path);
	pfree(dir);
}

/* ---- the plugins' output ---- */

static void
pm_fail_proc(PluginProc *p, const char *fmt,...) pg_attribute_printf(2, 3);

/* We give up on a process for a reason: kill it; the reap reports why. */
static void
pm_fail_proc(PluginProc *p, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(p->fail_reason, sizeof(p->fail_reason), fmt, ap);
	va_end(ap);
	if (p->last_stderr[0])
	{
		size_t		len = strlen(p->fail_reason);

		snprintf(p->fail_reason + len, sizeof(p->fail_reason) - len,
				 "; last stderr line: %s", p->last_stderr);
	}
	pm_signal_group(p, SIGKILL);
	p->killed = true;
	p->deadline = 0;
}

static void
pm_handshake_line(int slot, char *line, int len)
{
	PluginProc *p = &procs[slot];
	PmpHandshake hs;
	char		err[256];

	if (!pmp_parse_handshake(line, len, &hs, err, sizeof(err)))
	{
		ereport(LOG,
				(errmsg("plugin \"%s\" (pid %d) sent an invalid handshake: %s",
						p->name, (int) p->pid, err)));
		pm_fail_proc(p, "invalid handshake: %s", err);
		return;
	}
	p->ready = true;
	p->deadline = 0;
	p->running_since = GetCurrentTimestamp();
	pmr_mgr_running(slot);
	ereport(LOG,
			(errmsg("plugin \"%s\" running (pid %d)", p->name, (int) p->pid),
			 errdetail_internal("Handshake: name \"%s\", version \"%s\", protocol %d.",
								hs.name, hs.version, hs.protocol)));
}

static void
pm_log_stderr_line(PluginProc *p, const char *line, int len)
{
	if (len == 0)
		return;
	ereport(LOG,
			(errmsg_internal("plugin \"%s\": %.*s", p->name, len, line),
			 errhidestmt(true)));
	snprintf(p->last_stderr, sizeof(p->last_stderr), "%.*s", len, line);
}

/*
 * Split what arrived into lines.  For stdout only the first line matters
 * (the handshake); later output is read and dropped so the plugin never
 * blocks on a full pipe.
 */
static void
pm_read_fd(int slot, bool is_stderr, bool at_exit)
{
	PluginProc *p = &procs[slot];
	int		   *fd = is_stderr ? &p->stderr_fd : &p->stdout_fd;
	char	   *buf = is_stderr ? p->errbuf : p->outbuf;
	int		   *len = is_stderr ? &p->errlen : &p->outlen;

	while (*fd >= 0)
	{
		ssize_t		n = read(*fd, buf + *len, PM_LINE_MAX - *len);
		char	   *start;
		char	   *nl;

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				pm_close_fd(fd);
			break;
		}
		if (n == 0)
		{
			pm_close_fd(fd);
			break;
		}
		*len += n;
		start = buf;
		while ((nl = memchr(start, '\n', buf + *len - start)) != NULL)
		{
			int			linelen = nl - start;

			if (is_stderr)
				pm_log_stderr_line(p, start, linelen);
			else if (!p->ready && !p->killed && p->fail_reason[0] == '\0')
				pm_handshake_line(slot, start, linelen);
			start = nl + 1;
		}
		*len -= start - buf;
		memmove(buf, start, *len);
		if (*len == PM_LINE_MAX)
		{
			/* a line too long for the buffer */
			if (is_stderr)
				pm_log_stderr_line(p, buf, *len);
			else if (!p->ready && !p->killed)
				pm_fail_proc(p, "handshake line longer than %d bytes", PM_LINE_MAX);
			*len = 0;
		}
	}
	if (at_exit && is_stderr && *len > 0)
	{
		pm_log_stderr_line(p, buf, *len);
		*len = 0;
	}
}

/* ---- exits ---- */

static void
pm_describe_exit(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "signal %d (%s)", WTERMSIG(status),
				 pg_strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status %d", status);
}

static void
pm_reap(void)
{
	for (;;)
	{
		int			status;
		pid_t		pid = waitpid(-1, &status, WNOHANG);
		PluginProc *p = NULL;
		int			slot;
		char		exitdesc[PM_EXIT_MAXLEN];
		char		error[PM_ERROR_MAXLEN];
		bool		failed;

		if (pid <= 0)
			break;
		for (slot = 0; slot < nprocs; slot++)
		{
			if (procs[slot].active && procs[slot].pid == pid)
			{
				p = &procs[slot];
				break;
			}
		}
		if (p == NULL)
			continue;

		/* whatever it said last belongs in the log before its exit */
		pm_read_fd(slot, true, true);
		pm_read_fd(slot, false, true);
		/* nothing of its process group may outlive it */
		(void) kill(-pid, SIGKILL);
		pm_close_fd(&p->stdin_fd);
		pm_close_fd(&p->stdout_fd);
		pm_close_fd(&p->stderr_fd);
		(void) unlink(p->endpoint);
		p->active = false;

		pm_describe_exit(status, exitdesc, sizeof(exitdesc));
		failed = true;
		if (p->stopping)
			failed = false;		/* we wanted it gone, whatever it did */
		else if (p->fail_reason[0])
			strlcpy(error, p->fail_reason, sizeof(error));
		else if (!p->ready && WIFEXITED(status) && WEXITSTATUS(status) == 127)
			snprintf(error, sizeof(error),
					 "plugin could not be executed (exit code 127)%s%s",
					 p->last_stderr[0] ? "; last stderr line: " : "", p->last_stderr);
		else if (!p->ready)
			snprintf(error, sizeof(error),
					 "plugin exited with %s before completing its handshake%s%s",
					 exitdesc,
					 p->last_stderr[0] ? "; last stderr line: " : "", p->last_stderr);
		else
			snprintf(error, sizeof(error), "plugin exited unexpectedly with %s%s%s",
					 exitdesc,
					 p->last_stderr[0] ? "; last stderr line: " : "", p->last_stderr);

		if (failed)
		{
			TimestampTz now = GetCurrentTimestamp();
			int			delay;

			if (p->ready &&
				TimestampDifferenceExceeds(p->running_since, now, PM_BACKOFF_RESET_MS))
				p->failures = 0;
			p->failures++;
			delay = PM_BACKOFF_MIN_MS << Min(p->failures - 1, 10);
			p->not_before = TimestampTzPlusMilliseconds(now, Min(delay, PM_BACKOFF_MAX_MS));
			pmr_mgr_exited(slot, exitdesc, error);
			ereport(LOG,
					(errmsg("plugin \"%s\" failed (pid %d, %s)", p->name, (int) pid, exitdesc),
					 errdetail_internal("%s", error)));
		}
		else
		{
			p->failures = 0;
			p->not_before = 0;
			pmr_mgr_exited(slot, exitdesc, NULL);
			ereport(LOG,
					(errmsg("plugin \"%s\" stopped (pid %d, %s)", p->name, (int) pid, exitdesc)));
		}
	}
}

/* ---- requests and timers ---- */

static void
pm_begin_stop(int slot)
{
	PluginProc *p = &procs[slot];

	if (!p->active || p->stopping)
		return;
	p->stopping = true;
	pm_signal_group(p, SIGTERM);
	p->deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), pm_stop_timeout);
	pmr_mgr_stopping(slot);
	ereport(LOG,
			(errmsg("plugin \"%s\" stopping (pid %d)", p->name, (int) p->pid)));
}

static void
pm_handle_requests(void)
{
	PmRequest  *reqs = palloc(sizeof(PmRequest) * nprocs);
	int			n = pmr_mgr_take_requests(reqs, nprocs);
	TimestampTz now = GetCurrentTimestamp();

	for (int i = 0; i < n; i++)
	{
		PluginProc *p = &procs[reqs[i].slot];

		/* a slot reused for another plugin (only ever when it has no process) */
		if (strcmp(p->name, reqs[i].name) != 0 && !p->active)
			pm_reset_proc(p, reqs[i].name);

		if (reqs[i].stop)
		{
			p->want_start = false;
			if (p->active)
				pm_begin_stop(reqs[i].slot);
			else
			{
				p->failures = 0;
				p->not_before = 0;
				pmr_mgr_exited(reqs[i].slot, NULL, NULL);
			}
		}
		if (reqs[i].start)
			p->want_start = true;
	}
	pfree(reqs);

	for (int slot = 0; slot < nprocs; slot++)
	{
		PluginProc *p = &procs[slot];

		if (!p->want_start)
			continue;
		if (p->active)
		{
			/* already starting or running: that answers the wish */
			if (!p->stopping)
				p->want_start = false;
			continue;
		}
		if (p->not_before != 0 && now < p->not_before)
			continue;			/* backoff; the timer brings us back */
		p->want_start = false;
		pm_start_plugin(slot);
	}
}

static void
pm_check_deadlines(void)
{
	TimestampTz now = GetCurrentTimestamp();

	for (int slot = 0; slot < nprocs; slot++)
	{
		PluginProc *p = &procs[slot];

		if (!p->active || p->deadline == 0 || now < p->deadline)
			continue;
		if (p->stopping && !p->killed)
		{
			ereport(LOG,
					(errmsg("plugin \"%s\" (pid %d) did not exit within %d ms of SIGTERM; sending SIGKILL",
							p->name, (int) p->pid, pm_stop_timeout)));
			pm_signal_group(p, SIGKILL);
			p->killed = true;
			p->deadline = 0;
		}
		else if (!p->ready && !p->killed)
		{
			ereport(LOG,
					(errmsg("plugin \"%s\" (pid %d) did not complete its handshake within %d ms; killing it",
							p->name, (int) p->pid, pm_startup_timeout)));
			pm_fail_proc(p, "plugin did not complete its handshake within %d ms (plugin_manager.startup_timeout)",
						 pm_startup_timeout);
		}
		else
			p->deadline = 0;
	}
}

/* Milliseconds until the next timer, or -1 if none. */
static long
pm_next_timeout(void)
{
	TimestampTz now = GetCurrentTimestamp();
	long		best = -1;

	for (int slot = 0; slot < nprocs; slot++)
	{
		PluginProc *p = &procs[slot];
		TimestampTz when = 0;
		long		ms;

		if (p->active && p->deadline != 0)
			when = p->deadline;
		else if (!p->active && p->want_start && p->not_before != 0)
			when = p->not_before;
		if (when == 0)
			continue;
		ms = Max(TimestampDifferenceMilliseconds(now, when), 0) + 1;
		if (best < 0 || ms < best)
			best = ms;
	}
	return best;
}

/*
 * Wait for the latch, postmaster death (we exit; our plugins die with us),
 * a timer, or output from a plugin; read whatever output came.
 */
static void
pm_wait(long timeout, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	WaitEventSet *set = CreateWaitEventSet(cxt, 2 + 2 * nprocs);
	WaitEvent  *events = palloc(sizeof(WaitEvent) * (2 + 2 * nprocs));
	int			n;

	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	for (int slot = 0; slot < nprocs; slot++)
	{
		PluginProc *p = &procs[slot];

		/* user_data encodes slot and stream: 2*slot+1 stdout, 2*slot+2 stderr */
		if (p->active && p->stdout_fd >= 0)
			AddWaitEventToSet(set, WL_SOCKET_READABLE, p->stdout_fd, NULL,
							  (void *) (intptr_t) (2 * slot + 1));
		if (p->active && p->stderr_fd >= 0)
			AddWaitEventToSet(set, WL_SOCKET_READABLE, p->stderr_fd, NULL,
							  (void *) (intptr_t) (2 * slot + 2));
	}

	n = WaitEventSetWait(set, timeout, events, 2 + 2 * nprocs, PG_WAIT_EXTENSION);
	for (int i = 0; i < n; i++)
	{
		intptr_t	tag = (intptr_t) events[i].user_data;

		if (events[i].events & WL_LATCH_SET)
			ResetLatch(MyLatch);
		else if (tag > 0)
			pm_read_fd((tag - 1) / 2, (tag - 1) % 2 == 1, false);
	}
	FreeWaitEventSet(set);
	MemoryContextSwitchTo(old);
	MemoryContextReset(cxt);
}

static int
pm_count_active(void)
{
	int			n = 0;

	for (int slot = 0; slot < nprocs; slot++)
		if (procs[slot].active)
			n++;
	return n;
}

/*
 * The one real shutdown.  The flag goes up (under the lock, in the
 * registry) before the first line is logged, and stays up until the next
 * manager registers; waiting backends are woken to fail at once.
 */
static void
pm_shutdown(MemoryContext cxt)
{
	int			nrunning = pmr_mgr_begin_shutdown();

	ereport(LOG,
			(errmsg("plugin manager shutting down"),
			 errdetail("Plugin manager PID %d is stopping %d plugin process(es).",
					   MyProcPid, nrunning)));

	for (int slot = 0; slot < nprocs; slot++)
	{
		procs[slot].want_start = false;
		pm_begin_stop(slot);
	}
	while (pm_count_active() > 0)
	{
		pm_reap();
		pm_check_deadlines();
		if (pm_count_active() == 0)
			break;
		pm_wait(Min(pm_next_timeout() < 0 ? 1000 : pm_next_timeout(), 1000), cxt);
	}

	pm_remove_dir(sock_dir);
	ereport(LOG,
			(errmsg("plugin manager shut down"),
			 errdetail("Plugin manager PID %d stopped %d plugin process(es).",
					   MyProcPid, nrunning)));
	proc_exit(1);
}

void
pm_manager_main(Datum main_arg)
{
	MemoryContext loop_cxt;

	pqsignal(SIGTERM, pm_sigterm);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGCHLD, pm_sigchld);
	/* a cancel must not kill the manager (it would be an ERROR exit) */
	pqsignal(SIGINT, SIG_IGN);
	BackgroundWorkerUnblockSignals();

	/* no database: shared catalogs only, but visible to pg_terminate_backend */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("plugin manager");

	nprocs = pmr_max_slots();
	procs = MemoryContextAllocZero(TopMemoryContext, sizeof(PluginProc) * nprocs);
	for (int slot = 0; slot < nprocs; slot++)
		procs[slot].stdin_fd = procs[slot].stdout_fd = procs[slot].stderr_fd = -1;
	loop_cxt = AllocSetContextCreate(TopMemoryContext, "plugin manager loop",
									 ALLOCSET_DEFAULT_SIZES);

	pm_make_sock_dir();
	pmr_mgr_register();
	ereport(LOG,
			(errmsg("plugin manager started"),
			 errdetail("Plugin manager PID %d, %d registry slots, plugin_dir \"%s\".",
					   MyProcPid, nprocs, pm_plugin_dir)));

	/* everything a pass allocates goes when pm_wait resets this context */
	MemoryContextSwitchTo(loop_cxt);
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (got_sigterm)
			pm_shutdown(loop_cxt);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		pm_reap();
		pm_handle_requests();
		pm_check_deadlines();
		if (got_sigterm)
			continue;
		pm_wait(pm_next_timeout(), loop_cxt);
	}
}
