/*
 * host.h - the host plugin's tables (one file per concern) and the small
 * helpers they share for reading /proc, /sys and /etc.
 */
#ifndef HOST_H
#define HOST_H

#include <stddef.h>
#include <time.h>

#include "pm_plugin.h"

/* Reads a whole small file into buf (NUL-terminated); returns its length or -1. */
ssize_t		host_read_file(const char *path, char *buf, size_t size);
/* Boot time from /proc/stat "btime", or 0. */
time_t		host_boot_time(void);

int			host_scan_process(pm_scan *scan, void *arg);
int			host_scan_listening_socket(pm_scan *scan, void *arg);
int			host_scan_network_interface(pm_scan *scan, void *arg);
int			host_scan_mount(pm_scan *scan, void *arg);
int			host_scan_os_info(pm_scan *scan, void *arg);

#endif
