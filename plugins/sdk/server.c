/*
 * server.c - the plugin process: listeners, libmicrohttpd, routing, the
 * handshake line, logging and a clean exit on stdin EOF or SIGTERM.
 *
 * libmicrohttpd runs one thread per connection, so a slow scan never holds
 * up another.  A scan's callback runs in a producer thread of its own
 * (scan.c); the connection thread waits for its first output to choose the
 * status (200 stream or an error), then streams with a content reader.
 * Every live scan is on a list, so shutdown can cancel them before
 * stopping the daemons.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <microhttpd.h>

#include "pm_internal.h"

#define MAX_BODY (1024 * 1024)
#define STREAM_BLOCK (64 * 1024)


static pm_registry registry;
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static pm_scan *live_scans;
static bool shutting_down;

/* ---- logging ---- */

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0)
	{
		ssize_t		w = write(fd, p, n);

		if (w < 0)
		{
			if (errno == EINTR)
				continue;
			return;				/* nowhere left to report it */
		}
		p += w;
		n -= (size_t) w;
	}
}

static void
vlog_line(const char *fmt, va_list ap)
{
	char		line[2048];
	int			n;
	int			i;

	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t) n > sizeof(line) - 2)
		n = (int) sizeof(line) - 2;
	/* one event, one line: fold embedded newlines */
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	for (i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	/* a single write(): lines from different threads do not interleave */
	write_all(STDERR_FILENO, line, (size_t) n);
}

void
pm_log(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vlog_line(fmt, ap);
	va_end(ap);
}

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char		msg[1024];

	(void) cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	pm_log("http: %s", msg);
}

/* ---- responses ---- */

static enum MHD_Result
respond(struct MHD_Connection *conn, unsigned status, char *body, size_t len,
		enum MHD_ResponseMemoryMode mode, const char *ctype)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (r == NULL)
	{
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
respond_error(struct MHD_Connection *conn, const pm_error *e)
{
	static const char oom_body[] = "{\"error\":{\"message\":\"out of memory\"}}";
	char	   *body = pm_error_json(e);

	if (body == NULL)
		return respond(conn, 500, (char *) oom_body, strlen(oom_body),
					   MHD_RESPMEM_PERSISTENT, "application/json");
	return respond(conn, (unsigned) e->status, body, strlen(body), MHD_RESPMEM_MUST_FREE,
				   "application/json");
}

static enum MHD_Result
respond_simple_error(struct MHD_Connection *conn, int status, const char *message,
					 const char *detail)
{
	pm_error	e = {0};
	enum MHD_Result ret;

	pm_error_set(&e, status, message, detail, NULL);
	ret = respond_error(conn, &e);
	pm_error_clear(&e);
	return ret;
}

/* ---- scans ---- */

static void
live_remove(pm_scan *scan)
{
	pthread_mutex_lock(&live_mu);
	if (scan->prev)
		scan->prev->next = scan->next;
	else if (live_scans == scan)
		live_scans = scan->next;
	if (scan->next)
		scan->next->prev = scan->prev;
	scan->next = scan->prev = NULL;
	pthread_mutex_unlock(&live_mu);
}

static void
scan_finish(pm_scan *scan)
{
	pm_scan_cancel(scan);
	pm_scan_join(scan);
	live_remove(scan);
	pm_scan_free(scan);
}

static ssize_t
stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	ssize_t		n;

	(void) pos;
	n = pm_scan_read(cls, buf, max);
	if (n == -1)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n == -2)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return n;
}

static void
stream_free(void *cls)
{
	scan_finish(cls);
}

static enum MHD_Result
handle_scan(struct MHD_Connection *conn, const pm_buf *body)
{
	pm_error	err = {0};
	pm_scan    *scan;
	struct MHD_Response *r;
	const union MHD_ConnectionInfo *ci;
	enum MHD_Result ret;
	bool		started;

	scan = pm_scan_parse(&registry, body->data ? body->data : "", body->len, &err);
	if (scan == NULL)
	{
		pm_log("scan rejected (%d): %s%s%s", err.status, err.message,
			   err.detail ? ": " : "", err.detail ? err.detail : "");
		ret = respond_error(conn, &err);
		pm_error_clear(&err);
		return ret;
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	scan->client_fd = ci ? ci->connect_fd : -1;
	if (pm_scan_channel_init(scan) != 0)
	{
		pm_scan_free(scan);
		return respond_simple_error(conn, 500, "out of memory", NULL);
	}
	pthread_mutex_lock(&live_mu);
	if (shutting_down)
	{
		pthread_mutex_unlock(&live_mu);
		pm_scan_free(scan);
		return respond_simple_error(conn, 503, "plugin is shutting down", NULL);
	}
	scan->next = live_scans;
	if (live_scans)
		live_scans->prev = scan;
	live_scans = scan;
	pthread_mutex_unlock(&live_mu);

	if (pm_scan_start(scan) != 0)
	{
		pm_log("could not start a scan thread: %s", strerror(errno));
		scan_finish(scan);
		return respond_simple_error(conn, 503, "could not start a scan thread", NULL);
	}
	pm_scan_wait_started(scan);
	pthread_mutex_lock(&scan->mu);
	started = scan->started;
	pthread_mutex_unlock(&scan->mu);
	if (!started)
	{
		/* finished (or cancelled) before any output: an error status */
		pm_scan_join(scan);
		if (scan->failed)
			ret = respond_error(conn, &scan->error);
		else
			ret = respond_simple_error(conn, 503, "plugin is shutting down", NULL);
		scan_finish(scan);
		return ret;
	}
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_reader,
										  scan, stream_free);
	if (r == NULL)
	{
		scan_finish(scan);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/x-ndjson");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);	/* stream_free runs when MHD is done with it */
	return ret;
}

/* ---- routing ---- */

typedef struct request_ctx
{
	pm_buf		body;
	bool		too_big;
} request_ctx;

static enum MHD_Result
handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
		const char *version, const char *upload_data, size_t *upload_data_size,
		void **con_cls)
{
	request_ctx *ctx = *con_cls;
	bool		is_get = strcmp(method, "GET") == 0;
	bool		is_post = strcmp(method, "POST") == 0;

	(void) cls;
	(void) version;
	if (ctx == NULL)
	{
		/*
		 * First call: headers only.  libmicrohttpd closes the connection
		 * after a response queued now, so every answer waits for the body.
		 */
		ctx = calloc(1, sizeof(*ctx));
		if (ctx == NULL)
			return MHD_NO;
		*con_cls = ctx;
		return MHD_YES;
	}
	if (*upload_data_size > 0)
	{
		if (!is_post || strcmp(url, "/v1/scan") != 0)
			;					/* a body nobody reads: discard it */
		else if (ctx->body.len + *upload_data_size > MAX_BODY)
			ctx->too_big = true;
		else
			pm_buf_append(&ctx->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}

	if (strcmp(url, "/v1/scan") == 0 && is_post)
	{
		if (ctx->too_big)
			return respond_simple_error(conn, 413, "request body too large",
										"A scan request is limited to 1 MB.");
		if (ctx->body.oom)
			return respond_simple_error(conn, 500, "out of memory", NULL);
		return handle_scan(conn, &ctx->body);
	}
	if (strcmp(url, "/v1/health") == 0 && is_get)
		return respond(conn, MHD_HTTP_OK, "{\"status\":\"ok\"}", 15,
					   MHD_RESPMEM_PERSISTENT, "application/json");
	if (strcmp(url, "/v1/schema") == 0 && is_get)
		return respond(conn, MHD_HTTP_OK, registry.schema_json, registry.schema_len,
					   MHD_RESPMEM_PERSISTENT, "application/json");
	if (strcmp(url, "/v1/scan") == 0 || strcmp(url, "/v1/health") == 0 ||
		strcmp(url, "/v1/schema") == 0)
		return respond_simple_error(conn, 405, "method not allowed", NULL);
	return respond_simple_error(conn, 404, "not found",
								"Endpoints are GET /v1/health, GET /v1/schema and POST /v1/scan.");
}

static void
request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
				  enum MHD_RequestTerminationCode toe)
{
	request_ctx *ctx = *con_cls;

	(void) cls;
	(void) conn;
	(void) toe;
	if (ctx)
	{
		pm_buf_free(&ctx->body);
		free(ctx);
		*con_cls = NULL;
	}
}

/* ---- listeners ---- */

static int
listen_unix(const char *path)
{
	struct sockaddr_un addr;
	int			fd;

	if (path[0] != '/' || strlen(path) >= sizeof(addr.sun_path))
	{
		pm_log("PLUGIN_MANAGER_SOCKET must be an absolute path shorter than %zu bytes: %s",
			   sizeof(addr.sun_path), path);
		return -1;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, path, strlen(path) + 1);
	if (unlink(path) != 0 && errno != ENOENT)
	{
		pm_log("could not remove stale socket \"%s\": %s", path, strerror(errno));
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
	{
		pm_log("could not create a Unix socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) != 0 || listen(fd, 128) != 0)
	{
		pm_log("could not listen on \"%s\": %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* HOST:PORT, with [v6]:PORT for IPv6 literals. */
static int
listen_tcp(const char *spec)
{
	char		host[256];
	const char *port;
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints = {0};
	struct addrinfo *res = NULL;
	int			fd = -1;
	int			one = 1;
	int			rc;
	size_t		hlen;

	if (colon == NULL || colon == spec || colon[1] == '\0' ||
		(size_t) (colon - spec) >= sizeof(host))
	{
		pm_log("invalid listen address \"%s\": expected HOST:PORT", spec);
		return -1;
	}
	hlen = (size_t) (colon - spec);
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']')
	{
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	}
	port = colon + 1;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
	{
		pm_log("invalid listen address \"%s\": %s", spec, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd < 0 ||
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
		bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 128) != 0)
	{
		pm_log("could not listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static struct MHD_Daemon *
start_daemon(int fd)
{
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
							MHD_USE_AUTO | MHD_USE_ERROR_LOG,
							0, NULL, NULL, handler, NULL,
							MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
							MHD_OPTION_LISTEN_SOCKET, (MHD_socket) fd,
							MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
							MHD_OPTION_END);
}

static int
handshake(const pm_plugin *p)
{
	json_t	   *j = json_pack("{s:i, s:s, s:s}", "protocol", PM_PROTOCOL_VERSION,
							  "name", p->name, "version", p->version);
	char	   *text = j ? json_dumps(j, 0) : NULL;
	int			rc = -1;

	json_decref(j);
	if (text != NULL && printf("%s\n", text) > 0 && fflush(stdout) == 0)
		rc = 0;
	free(text);
	return rc;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
			"usage: %s [--listen HOST:PORT] [--ignore-stdin] [--schema]\n"
			"Serves plugin protocol %d on the Unix socket named by PLUGIN_MANAGER_SOCKET\n"
			"and/or on HOST:PORT (also PLUGIN_MANAGER_LISTEN); exits on stdin EOF\n"
			"(unless --ignore-stdin) or SIGTERM.\n", prog, PM_PROTOCOL_VERSION);
}

/* Waits for stdin EOF or a termination signal; returns a description. */
static const char *
wait_for_end(int sfd, bool watch_stdin)
{
	struct pollfd pfd[2];
	char		buf[512];

	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = watch_stdin ? STDIN_FILENO : -1;
	pfd[1].events = POLLIN;
	for (;;)
	{
		if (poll(pfd, 2, -1) < 0)
		{
			if (errno == EINTR)
				continue;
			return "poll failed";
		}
		if (pfd[0].revents & POLLIN)
		{
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t) sizeof(si))
				return si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
		}
		if (pfd[1].revents & POLLNVAL)
			return "stdin closed";
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
		{
			ssize_t		n = read(STDIN_FILENO, buf, sizeof(buf));

			if (n == 0)
				return "stdin EOF";
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				return "stdin error";
			/* data on stdin is ignored: the manager never writes */
		}
	}
}

int
pm_plugin_main(const pm_plugin *plugin, int argc, char **argv)
{
	char		errbuf[256];
	const char *sock_path = getenv("PLUGIN_MANAGER_SOCKET");
	const char *tcp = getenv("PLUGIN_MANAGER_LISTEN");
	bool		watch_stdin = true;
	bool		print_schema = false;
	struct MHD_Daemon *daemons[2] = {NULL, NULL};
	sigset_t	mask;
	int			sfd;
	int			fd;
	int			i;
	const char *why;

	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			tcp = argv[++i];
		else if (strncmp(argv[i], "--listen=", 9) == 0)
			tcp = argv[i] + 9;
		else if (strcmp(argv[i], "--ignore-stdin") == 0)
			watch_stdin = false;
		else if (strcmp(argv[i], "--schema") == 0)
			print_schema = true;
		else
		{
			usage(argv[0]);
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	if (pm_registry_init(&registry, plugin, errbuf, sizeof(errbuf)) != 0)
	{
		pm_log("invalid plugin declaration: %s", errbuf);
		return 2;
	}
	if (print_schema)
	{
		printf("%s\n", registry.schema_json);
		pm_registry_free(&registry);
		return 0;
	}
	if ((sock_path == NULL || *sock_path == '\0') && (tcp == NULL || *tcp == '\0'))
	{
		pm_log("PLUGIN_MANAGER_SOCKET is not set and no --listen address was given");
		usage(argv[0]);
		pm_registry_free(&registry);
		return 2;
	}
	if (watch_stdin && fcntl(STDIN_FILENO, F_GETFD) < 0)
		watch_stdin = false;	/* no stdin at all: nothing to watch */

	/* before any thread exists, so every thread inherits the mask */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0)
	{
		pm_log("signalfd failed: %s", strerror(errno));
		pm_registry_free(&registry);
		return 1;
	}

	if (sock_path && *sock_path)
	{
		fd = listen_unix(sock_path);
		if (fd < 0 || (daemons[0] = start_daemon(fd)) == NULL)
		{
			if (fd >= 0)
			{
				pm_log("could not start the HTTP server on \"%s\"", sock_path);
				close(fd);
				unlink(sock_path);
			}
			goto fail;
		}
	}
	if (tcp && *tcp)
	{
		fd = listen_tcp(tcp);
		if (fd < 0 || (daemons[1] = start_daemon(fd)) == NULL)
		{
			if (fd >= 0)
			{
				pm_log("could not start the HTTP server on %s", tcp);
				close(fd);
			}
			goto fail;
		}
	}
	if (handshake(plugin) != 0)
	{
		pm_log("could not write the handshake line");
		goto fail;
	}
	pm_log("%s %s ready (protocol %d)%s%s%s%s", plugin->name, plugin->version,
		   PM_PROTOCOL_VERSION, daemons[0] ? " on " : "", daemons[0] ? sock_path : "",
		   daemons[1] ? " and tcp " : "", daemons[1] ? tcp : "");

	why = wait_for_end(sfd, watch_stdin);
	pm_log("shutting down: %s", why);

	pthread_mutex_lock(&live_mu);
	shutting_down = true;
	for (pm_scan *s = live_scans; s; s = s->next)
		pm_scan_cancel(s);
	pthread_mutex_unlock(&live_mu);
	for (i = 0; i < 2; i++)
		if (daemons[i])
			MHD_stop_daemon(daemons[i]);
	if (daemons[0])
		unlink(sock_path);
	close(sfd);
	pm_registry_free(&registry);
	pm_log("stopped");
	return 0;

fail:
	for (i = 0; i < 2; i++)
		if (daemons[i])
			MHD_stop_daemon(daemons[i]);
	if (daemons[0])
		unlink(sock_path);
	close(sfd);
	pm_registry_free(&registry);
	return 1;
}
