/*
 * network.c - host.listening_socket from /proc/net/{tcp,tcp6,udp,udp6} and
 * host.network_interface from /sys/class/net and getifaddrs().
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

enum
{
	SOCK_PROTOCOL, SOCK_ADDRESS, SOCK_PORT, SOCK_INODE, SOCK_UID
};

/* /proc/net addresses are hex words in host byte order. */
static bool
parse_address(const char *hex, bool v6, char *out, size_t outlen)
{
	unsigned char bytes[16];
	int			nwords = v6 ? 4 : 1;

	if (strlen(hex) != (size_t) nwords * 8)
		return false;
	for (int w = 0; w < nwords; w++)
	{
		char		word[9];
		uint32_t	v;

		memcpy(word, hex + w * 8, 8);
		word[8] = '\0';
		v = (uint32_t) strtoul(word, NULL, 16);
		memcpy(bytes + w * 4, &v, 4);
	}
	return inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, out, (socklen_t) outlen) != NULL;
}

/* Emits the listening sockets of one file; returns 1 to stop. */
static int
scan_proc_net(pm_scan *scan, const char *proto, bool v6, bool tcp)
{
	char		path[64];
	char		line[512];
	FILE	   *f;
	int			stop = 0;

	snprintf(path, sizeof(path), "/proc/net/%s", proto);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;				/* e.g. no IPv6 on this kernel */
	if (fgets(line, sizeof(line), f) == NULL)	/* header */
	{
		fclose(f);
		return 0;
	}
	while (!stop && fgets(line, sizeof(line), f))
	{
		char		local[64];
		char		addr[INET6_ADDRSTRLEN];
		unsigned	port;
		unsigned	state;
		long long	uid;
		unsigned long long inode;

		if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %lld %*d %llu",
				   local, &port, &state, &uid, &inode) != 5)
			continue;
		/* TCP_LISTEN is 0x0A; a bound UDP socket is TCP_CLOSE (0x07) */
		if (state != (tcp ? 0x0Au : 0x07u))
			continue;
		if (!parse_address(local, v6, addr, sizeof(addr)))
			continue;
		pm_set_text(scan, SOCK_PROTOCOL, proto);
		pm_set_text(scan, SOCK_ADDRESS, addr);
		pm_set_int64(scan, SOCK_PORT, port);
		pm_set_int64(scan, SOCK_INODE, (int64_t) inode);
		pm_set_int64(scan, SOCK_UID, uid);
		stop = pm_row_end(scan);
	}
	fclose(f);
	return stop;
}

int
host_scan_listening_socket(pm_scan *scan, void *arg)
{
	(void) arg;
	if (scan_proc_net(scan, "tcp", false, true) ||
		scan_proc_net(scan, "tcp6", true, true) ||
		scan_proc_net(scan, "udp", false, false) ||
		scan_proc_net(scan, "udp6", true, false))
		return 0;
	return 0;
}

enum
{
	IF_NAME, IF_MTU, IF_MAC, IF_ADDRESSES, IF_RX, IF_TX
};

static int
prefix_length(const struct sockaddr *mask)
{
	const unsigned char *p;
	size_t		n;
	int			bits = 0;

	if (mask == NULL)
		return 0;
	if (mask->sa_family == AF_INET)
	{
		p = (const unsigned char *) &((const struct sockaddr_in *) mask)->sin_addr;
		n = 4;
	}
	else
	{
		p = (const unsigned char *) &((const struct sockaddr_in6 *) mask)->sin6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		bits += __builtin_popcount(p[i]);
	return bits;
}

/* A JSON array of "address/prefix" for one interface, as text (malloc'd). */
static char *
interface_addresses(struct ifaddrs *all, const char *name)
{
	json_t	   *arr = json_array();
	char	   *text;

	if (arr == NULL)
		return NULL;
	for (struct ifaddrs *ifa = all; ifa; ifa = ifa->ifa_next)
	{
		char		addr[INET6_ADDRSTRLEN];
		char		entry[INET6_ADDRSTRLEN + 16];
		const void *src;
		int			family;

		if (ifa->ifa_addr == NULL || strcmp(ifa->ifa_name, name) != 0)
			continue;
		family = ifa->ifa_addr->sa_family;
		if (family == AF_INET)
			src = &((struct sockaddr_in *) ifa->ifa_addr)->sin_addr;
		else if (family == AF_INET6)
			src = &((struct sockaddr_in6 *) ifa->ifa_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(family, src, addr, sizeof(addr)) == NULL)
			continue;
		snprintf(entry, sizeof(entry), "%s/%d", addr, prefix_length(ifa->ifa_netmask));
		if (json_array_append_new(arr, json_string(entry)) != 0)
		{
			json_decref(arr);
			return NULL;
		}
	}
	text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

static bool
read_sys(const char *ifname, const char *what, char *buf, size_t size)
{
	char		path[300];
	ssize_t		n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, what);
	n = host_read_file(path, buf, size);
	if (n <= 0)
		return false;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return true;
}

int
host_scan_network_interface(pm_scan *scan, void *arg)
{
	struct ifaddrs *ifas = NULL;
	DIR		   *d;
	struct dirent *de;

	(void) arg;
	if (pm_scan_wants(scan, IF_ADDRESSES) && getifaddrs(&ifas) != 0)
	{
		pm_scan_error(scan, 500, "could not list interface addresses", strerror(errno), NULL);
		return -1;
	}
	d = opendir("/sys/class/net");
	if (d == NULL)
	{
		pm_scan_error(scan, 500, "could not read /sys/class/net", strerror(errno), NULL);
		if (ifas)
			freeifaddrs(ifas);
		return -1;
	}
	while ((de = readdir(d)) != NULL)
	{
		char		buf[128];

		if (de->d_name[0] == '.')
			continue;
		pm_set_text(scan, IF_NAME, de->d_name);
		if (read_sys(de->d_name, "mtu", buf, sizeof(buf)))
			pm_set_int64(scan, IF_MTU, atoll(buf));
		if (read_sys(de->d_name, "address", buf, sizeof(buf)))
			pm_set_text(scan, IF_MAC, buf);
		if (read_sys(de->d_name, "statistics/rx_bytes", buf, sizeof(buf)))
			pm_set_int64(scan, IF_RX, atoll(buf));
		if (read_sys(de->d_name, "statistics/tx_bytes", buf, sizeof(buf)))
			pm_set_int64(scan, IF_TX, atoll(buf));
		if (pm_scan_wants(scan, IF_ADDRESSES))
		{
			char	   *addrs = interface_addresses(ifas, de->d_name);

			if (addrs == NULL)
			{
				pm_scan_error(scan, 500, "out of memory", NULL, NULL);
				break;
			}
			pm_set_json(scan, IF_ADDRESSES, addrs);
			free(addrs);
		}
		if (pm_row_end(scan))
			break;
	}
	closedir(d);
	if (ifas)
		freeifaddrs(ifas);
	return 0;
}
