/*
 * process.c - host.process from /proc/<pid>/{stat,status,cmdline}.
 * A pid qual (= or in) reads only those pids; other files are read only
 * when a column needs them.  A process that exits mid-scan is skipped.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

enum
{
	COL_PID, COL_PPID, COL_NAME, COL_STATE, COL_USER, COL_RSS, COL_CPU,
	COL_START, COL_CMDLINE
};

typedef struct proc_ctx
{
	long		ticks;
	long		page_size;
	time_t		boot;
	char	   *buf;			/* scratch for cmdline */
	size_t		bufsize;
} proc_ctx;

static void
set_username(pm_scan *scan, long long uid)
{
	struct passwd pw;
	struct passwd *res = NULL;
	char		buf[1024];
	char		num[24];

	if (getpwuid_r((uid_t) uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
		pm_set_text(scan, COL_USER, pw.pw_name);
	else
	{
		snprintf(num, sizeof(num), "%lld", uid);
		pm_set_text(scan, COL_USER, num);
	}
}

/* Emits one process; returns 1 to stop the scan, 0 otherwise. */
static int
emit_process(pm_scan *scan, proc_ctx *ctx, long long pid)
{
	char		path[64];
	char		stat[1024];
	char	   *name_start;
	char	   *name_end;
	char		state;
	long long	ppid;
	unsigned long long utime;
	unsigned long long stime;
	unsigned long long start;
	long long	rss;

	snprintf(path, sizeof(path), "/proc/%lld/stat", pid);
	if (host_read_file(path, stat, sizeof(stat)) <= 0)
		return 0;				/* gone, or no such pid */
	/* the name is in parentheses and may itself contain ") " */
	name_start = strchr(stat, '(');
	name_end = strrchr(stat, ')');
	if (name_start == NULL || name_end == NULL || name_end < name_start)
		return 0;
	/* fields after the name: 3 state, 4 ppid, ... 14 utime 15 stime, 22 starttime, 24 rss */
	if (sscanf(name_end + 2,
			   "%c %lld %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu %*u %lld",
			   &state, &ppid, &utime, &stime, &start, &rss) != 6)
		return 0;

	pm_set_int64(scan, COL_PID, pid);
	pm_set_int64(scan, COL_PPID, ppid);
	pm_set_textn(scan, COL_NAME, name_start + 1, (size_t) (name_end - name_start - 1));
	pm_set_textn(scan, COL_STATE, &state, 1);
	pm_set_int64(scan, COL_RSS, rss * ctx->page_size);
	pm_set_double(scan, COL_CPU, (double) (utime + stime) / (double) ctx->ticks);
	pm_set_time(scan, COL_START, ctx->boot + (time_t) (start / (unsigned long long) ctx->ticks));

	if (pm_scan_wants(scan, COL_USER))
	{
		char		status[4096];
		char	   *uid_line;
		long long	uid;

		snprintf(path, sizeof(path), "/proc/%lld/status", pid);
		if (host_read_file(path, status, sizeof(status)) > 0 &&
			(uid_line = strstr(status, "\nUid:")) != NULL &&
			sscanf(uid_line + 5, "%lld", &uid) == 1)
			set_username(scan, uid);
	}
	if (pm_scan_wants(scan, COL_CMDLINE))
	{
		ssize_t		n;

		snprintf(path, sizeof(path), "/proc/%lld/cmdline", pid);
		n = host_read_file(path, ctx->buf, ctx->bufsize);
		if (n > 0)
		{
			/* arguments are NUL-separated (and NUL-terminated) */
			while (n > 0 && ctx->buf[n - 1] == '\0')
				n--;
			for (ssize_t i = 0; i < n; i++)
				if (ctx->buf[i] == '\0')
					ctx->buf[i] = ' ';
			pm_set_textn(scan, COL_CMDLINE, ctx->buf, (size_t) n);
		}
		else
			pm_set_text(scan, COL_CMDLINE, "");
	}
	return pm_row_end(scan);
}

int
host_scan_process(pm_scan *scan, void *arg)
{
	proc_ctx	ctx;
	const pm_qual *eq = pm_scan_find_qual(scan, COL_PID, PM_OP_EQ);
	const pm_qual *in = pm_scan_find_qual(scan, COL_PID, PM_OP_IN);
	int			rc = 0;

	(void) arg;
	ctx.ticks = sysconf(_SC_CLK_TCK);
	ctx.page_size = sysconf(_SC_PAGESIZE);
	if (ctx.ticks <= 0)
		ctx.ticks = 100;
	if (ctx.page_size <= 0)
		ctx.page_size = 4096;
	ctx.boot = host_boot_time();
	ctx.bufsize = 64 * 1024;
	ctx.buf = malloc(ctx.bufsize);
	if (ctx.buf == NULL)
	{
		pm_scan_error(scan, 500, "out of memory", NULL, NULL);
		return -1;
	}

	if (eq != NULL)
	{
		if (eq->value.kind == PM_INT && eq->value.i > 0)
			emit_process(scan, &ctx, eq->value.i);
	}
	else if (in != NULL)
	{
		for (size_t i = 0; i < in->nvalues; i++)
		{
			bool		dup = false;

			if (in->values[i].kind != PM_INT || in->values[i].i <= 0)
				continue;
			for (size_t j = 0; j < i; j++)
				if (in->values[j].kind == PM_INT && in->values[j].i == in->values[i].i)
					dup = true;
			if (!dup && emit_process(scan, &ctx, in->values[i].i))
				break;
		}
	}
	else
	{
		DIR		   *d = opendir("/proc");
		struct dirent *de;

		if (d == NULL)
		{
			pm_scan_error(scan, 500, "could not read /proc", strerror(errno), NULL);
			rc = -1;
		}
		else
		{
			while ((de = readdir(d)) != NULL)
			{
				if (!isdigit((unsigned char) de->d_name[0]))
					continue;
				if (emit_process(scan, &ctx, atoll(de->d_name)))
					break;
			}
			closedir(d);
		}
	}
	free(ctx.buf);
	return rc;
}
