/*
 * system.c - host.mount (/proc/self/mounts, statvfs) and host.os_info
 * (uname, /etc/os-release, /proc/stat, /proc/uptime).
 */
#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "host.h"

enum
{
	MNT_DEVICE, MNT_POINT, MNT_FSTYPE, MNT_OPTIONS, MNT_SIZE, MNT_USED, MNT_AVAIL
};

int
host_scan_mount(pm_scan *scan, void *arg)
{
	FILE	   *f;
	struct mntent ent;
	char		buf[4096];
	bool		want_sizes = pm_scan_wants(scan, MNT_SIZE) ||
		pm_scan_wants(scan, MNT_USED) || pm_scan_wants(scan, MNT_AVAIL);

	(void) arg;
	f = setmntent("/proc/self/mounts", "re");
	if (f == NULL)
	{
		pm_scan_error(scan, 500, "could not read /proc/self/mounts", strerror(errno), NULL);
		return -1;
	}
	while (getmntent_r(f, &ent, buf, sizeof(buf)) != NULL)
	{
		struct statvfs sv;

		pm_set_text(scan, MNT_DEVICE, ent.mnt_fsname);
		pm_set_text(scan, MNT_POINT, ent.mnt_dir);
		pm_set_text(scan, MNT_FSTYPE, ent.mnt_type);
		pm_set_text(scan, MNT_OPTIONS, ent.mnt_opts);
		if (want_sizes && statvfs(ent.mnt_dir, &sv) == 0)
		{
			uint64_t	frsize = sv.f_frsize ? sv.f_frsize : sv.f_bsize;

			pm_set_int64(scan, MNT_SIZE, (int64_t) (sv.f_blocks * frsize));
			pm_set_int64(scan, MNT_USED, (int64_t) ((sv.f_blocks - sv.f_bfree) * frsize));
			pm_set_int64(scan, MNT_AVAIL, (int64_t) (sv.f_bavail * frsize));
		}
		if (pm_row_end(scan))
			break;
	}
	endmntent(f);
	return 0;
}

enum
{
	OS_HOSTNAME, OS_RELEASE, OS_VERSION, OS_NAME, OS_BOOT, OS_UPTIME
};

/* PRETTY_NAME="..." from os-release, unquoted, into out. */
static bool
os_pretty_name(char *out, size_t outlen)
{
	char		text[8192];
	char	   *p;
	char	   *end;
	size_t		n;

	if (host_read_file("/etc/os-release", text, sizeof(text)) <= 0 &&
		host_read_file("/usr/lib/os-release", text, sizeof(text)) <= 0)
		return false;
	p = strstr(text, "PRETTY_NAME=");
	if (p == NULL || (p != text && p[-1] != '\n'))
		return false;
	p += strlen("PRETTY_NAME=");
	end = strchr(p, '\n');
	n = end ? (size_t) (end - p) : strlen(p);
	if (n >= 2 && (p[0] == '"' || p[0] == '\'') && p[n - 1] == p[0])
	{
		p++;
		n -= 2;
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

int
host_scan_os_info(pm_scan *scan, void *arg)
{
	struct utsname u;
	char		host[256];
	char		name[256];
	char		uptime[128];

	(void) arg;
	if (gethostname(host, sizeof(host)) == 0)
	{
		host[sizeof(host) - 1] = '\0';
		pm_set_text(scan, OS_HOSTNAME, host);
	}
	if (uname(&u) == 0)
	{
		pm_set_text(scan, OS_RELEASE, u.release);
		pm_set_text(scan, OS_VERSION, u.version);
	}
	if (os_pretty_name(name, sizeof(name)))
		pm_set_text(scan, OS_NAME, name);
	if (host_boot_time() > 0)
		pm_set_time(scan, OS_BOOT, host_boot_time());
	if (host_read_file("/proc/uptime", uptime, sizeof(uptime)) > 0)
		pm_set_double(scan, OS_UPTIME, strtod(uptime, NULL));
	pm_row_end(scan);
	return 0;
}
