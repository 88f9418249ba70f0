/*
 * host - the local machine as tables, read from /proc, /sys and /etc.
 * main.c declares the tables; each table's scan lives in a file of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "host.h"

ssize_t
host_read_file(const char *path, char *buf, size_t size)
{
	FILE	   *f = fopen(path, "re");
	size_t		n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (ssize_t) n;
}

time_t
host_boot_time(void)
{
	FILE	   *f = fopen("/proc/stat", "re");
	char		line[256];
	long long	bt = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lld", &bt) == 1)
			break;
	fclose(f);
	return (time_t) bt;
}

static const pm_column process_columns[] = {
	{"pid", "integer", "Process id"},
	{"ppid", "integer", "Parent process id"},
	{"name", "text", "Command name (from /proc/<pid>/stat)"},
	{"state", "text", "State letter: R running, S sleeping, Z zombie, ..."},
	{"username", "text", "Owner (real user id), by name when known"},
	{"rss_bytes", "bigint", "Resident set size in bytes"},
	{"cpu_seconds", "double precision", "User plus system CPU time"},
	{"start_time", "timestamptz", "When the process started"},
	{"cmdline", "text", "Command line, arguments separated by spaces"},
};
static const pm_key_column process_keys[] = {
	{"pid", PM_OP_EQ | PM_OP_IN, false},
};

static const pm_column socket_columns[] = {
	{"protocol", "text", "tcp, tcp6, udp or udp6"},
	{"local_address", "inet", "Address the socket is bound to"},
	{"local_port", "integer", "Port the socket is bound to"},
	{"inode", "bigint", "Socket inode"},
	{"uid", "integer", "Owner's user id"},
};

static const pm_column interface_columns[] = {
	{"name", "text", "Interface name"},
	{"mtu", "integer", "Maximum transmission unit"},
	{"mac", "text", "Hardware address"},
	{"addresses", "jsonb", "Array of \"address/prefix\" strings"},
	{"rx_bytes", "bigint", "Bytes received"},
	{"tx_bytes", "bigint", "Bytes sent"},
};

static const pm_column mount_columns[] = {
	{"device", "text", "Mounted device or source"},
	{"mount_point", "text", "Where it is mounted"},
	{"fstype", "text", "File system type"},
	{"options", "text", "Mount options"},
	{"size_bytes", "bigint", "Total size (statvfs)"},
	{"used_bytes", "bigint", "Used space (statvfs)"},
	{"available_bytes", "bigint", "Space available to unprivileged users"},
};

static const pm_column os_columns[] = {
	{"hostname", "text", "Host name"},
	{"kernel_release", "text", "Kernel release (uname -r)"},
	{"kernel_version", "text", "Kernel version (uname -v)"},
	{"os_name", "text", "PRETTY_NAME from /etc/os-release"},
	{"boot_time", "timestamptz", "When the machine booted"},
	{"uptime_seconds", "double precision", "Seconds since boot"},
};

static const pm_table tables[] = {
	{"process", "Processes running on this host", process_columns,
		PM_LENGTHOF(process_columns), process_keys, PM_LENGTHOF(process_keys),
	host_scan_process, NULL},
	{"listening_socket", "Listening TCP and bound UDP sockets", socket_columns,
	PM_LENGTHOF(socket_columns), NULL, 0, host_scan_listening_socket, NULL},
	{"network_interface", "Network interfaces and their counters", interface_columns,
	PM_LENGTHOF(interface_columns), NULL, 0, host_scan_network_interface, NULL},
	{"mount", "Mounted file systems and their usage", mount_columns,
	PM_LENGTHOF(mount_columns), NULL, 0, host_scan_mount, NULL},
	{"os_info", "The operating system (one row)", os_columns,
	PM_LENGTHOF(os_columns), NULL, 0, host_scan_os_info, NULL},
};

static const pm_plugin plugin = {"host", "1.0.0", tables, PM_LENGTHOF(tables)};

int
main(int argc, char **argv)
{
	return pm_plugin_main(&plugin, argc, argv);
}
