/*-------------------------------------------------------------------------
 *
 * http.c
 *		The backend's HTTP client: libcurl's multi interface, driven in short
 *		bounded polls so that PostgreSQL's interrupts always get through.
 *
 * One CURLM per backend, created on first use (never in the postmaster), so
 * that kept-alive connections to plugins are reused from scan to scan.
 * libcurl allocates with malloc; each stream's easy handle, header list and
 * buffer are freed by pmh_close, which a reset callback on the stream's
 * memory context also calls, so error paths free them too.
 *
 * Memory stays flat: the write callback pauses a transfer once it holds
 * more than PMH_BUFFER_HIGH unread bytes and at least one complete line; the
 * reader unpauses it when it needs more.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "http.h"

#define PMH_BUFFER_HIGH		(4 * 1024 * 1024)
#define PMH_POLL_MS			10
/* largest line (one row) accepted: a row is a palloc'd tuple in the end */
#define PMH_MAX_LINE		((size_t) 512 * 1024 * 1024)

struct PmHttpStream
{
	CURL	   *easy;
	struct curl_slist *headers;
	char	   *url;
	char	   *body;			/* request body, owned (curl does not copy) */
	PmHttpTimeouts timeouts;
	char		errbuf[CURL_ERROR_SIZE];

	/* response */
	long		status;
	bool		headers_done;
	bool		done;			/* the transfer finished */
	CURLcode	result;

	/* body buffer: [pos, len) unread; complete lines end before nl_end */
	char	   *buf;
	size_t		len;
	size_t		pos;
	size_t		cap;
	size_t		nl_end;
	bool		paused;
	bool		no_pause;		/* reading a whole body */
	bool		oom;
	uint64		received;
	uint64	   *sink;			/* gets received at close, if set */

	TimestampTz started;
	TimestampTz last_data;
	MemoryContextCallback cb;
	bool		closed;
};

static CURLM *pmh_multi = NULL;

static void
pmh_init(void)
{
	if (pmh_multi != NULL)
		return;
	if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not initialize libcurl")));
	pmh_multi = curl_multi_init();
	if (pmh_multi == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl multi handle")));
}

/* libcurl callbacks: no palloc, no ereport (they run inside libcurl) */

static size_t
pmh_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	PmHttpStream *s = (PmHttpStream *) arg;
	size_t		n = size * nmemb;
	char	   *nl;

	if (!s->no_pause && s->len - s->pos > PMH_BUFFER_HIGH && s->pos < s->nl_end)
	{
		s->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (s->pos > 0 && s->pos == s->len)
	{
		s->pos = s->len = s->nl_end = 0;
	}
	if (s->len + n > s->cap)
	{
		size_t		newcap = Max(s->cap * 2, 65536);
		char	   *nb;

		/* slide unread bytes to the front before growing */
		if (s->pos > 0)
		{
			memmove(s->buf, s->buf + s->pos, s->len - s->pos);
			s->len -= s->pos;
			s->nl_end = s->nl_end > s->pos ? s->nl_end - s->pos : 0;
			s->pos = 0;
		}
		while (newcap < s->len + n)
			newcap *= 2;
		if (s->len + n > s->cap)
		{
			if (newcap > PMH_MAX_LINE + PMH_BUFFER_HIGH * 2)
			{
				s->oom = true;
				return 0;		/* makes curl fail the transfer */
			}
			nb = realloc(s->buf, newcap);
			if (nb == NULL)
			{
				s->oom = true;
				return 0;
			}
			s->buf = nb;
			s->cap = newcap;
		}
	}
	memcpy(s->buf + s->len, data, n);
	nl = memrchr(data, '\n', n);
	s->len += n;
	if (nl != NULL)
		s->nl_end = s->len - n + (nl - data) + 1;
	s->received += n;
	return n;
}

static size_t
pmh_header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	PmHttpStream *s = (PmHttpStream *) arg;
	size_t		n = size * nmemb;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
	{
		const char *sp = memchr(data, ' ', n);

		if (sp != NULL)
			s->status = strtol(sp + 1, NULL, 10);
		s->headers_done = false;
	}
	else if ((n == 2 && data[0] == '\r') || (n == 1 && data[0] == '\n'))
	{
		/* the blank line; a 1xx is followed by the real status */
		if (s->status >= 200)
			s->headers_done = true;
	}
	return n;
}

static void
pmh_reset_cb(void *arg)
{
	pmh_close((PmHttpStream *) arg);
}

PmHttpStream *
pmh_start(const char *endpoint, const char *path, const char *body,
		  const PmHttpTimeouts *timeouts)
{
	PmHttpStream *s;
	bool		is_url = strncmp(endpoint, "http://", 7) == 0 ||
		strncmp(endpoint, "https://", 8) == 0;
	CURLMcode	mc;

	pmh_init();

	s = palloc0(sizeof(PmHttpStream));
	s->timeouts = *timeouts;
	s->cb.func = pmh_reset_cb;
	s->cb.arg = s;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &s->cb);

	s->easy = curl_easy_init();
	if (s->easy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl handle")));
	if (is_url)
	{
		size_t		elen = strlen(endpoint);

		while (elen > 0 && endpoint[elen - 1] == '/')
			elen--;
		s->url = malloc(elen + strlen(path) + 1);
		if (s->url)
			sprintf(s->url, "%.*s%s", (int) elen, endpoint, path);
	}
	else
	{
		s->url = malloc(strlen(path) + 20);
		if (s->url)
			sprintf(s->url, "http://plugin%s", path);
		curl_easy_setopt(s->easy, CURLOPT_UNIX_SOCKET_PATH, endpoint);
	}
	if (body)
		s->body = strdup(body);
	s->headers = curl_slist_append(NULL, "Accept: application/x-ndjson, application/json");
	if (s->headers && body)
		s->headers = curl_slist_append(s->headers, "Content-Type: application/json");
	/* no "Expect: 100-continue" round trip for large bodies */
	if (s->headers)
		s->headers = curl_slist_append(s->headers, "Expect:");
	if (s->url == NULL || s->headers == NULL || (body && s->body == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));

	curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
	curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(s->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(s->easy, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) Max(timeouts->connect_ms, 1));
	curl_easy_setopt(s->easy, CURLOPT_BUFFERSIZE, 512L * 1024L);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
	curl_easy_setopt(s->easy, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (char *) s);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, pmh_write_cb);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, pmh_header_cb);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
	if (body)
	{
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
		curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long) strlen(s->body));
	}

	mc = curl_multi_add_handle(pmh_multi, s->easy);
	if (mc != CURLM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("could not start an HTTP request"),
				 errdetail_internal("%s", curl_multi_strerror(mc))));
	s->started = s->last_data = GetCurrentTimestamp();
	return s;
}

void
pmh_count_into(PmHttpStream *s, uint64 *sink)
{
	s->sink = sink;
}

void
pmh_close(PmHttpStream *s)
{
	if (s == NULL || s->closed)
		return;
	s->closed = true;
	if (s->sink)
		*s->sink += s->received;
	if (s->easy)
	{
		if (pmh_multi)
			curl_multi_remove_handle(pmh_multi, s->easy);
		curl_easy_cleanup(s->easy);
		s->easy = NULL;
	}
	curl_slist_free_all(s->headers);
	s->headers = NULL;
	free(s->url);
	s->url = NULL;
	free(s->body);
	s->body = NULL;
	free(s->buf);
	s->buf = NULL;
}

bool
pmh_failed(PmHttpStream *s)
{
	return s->done && s->result != CURLE_OK;
}

void
pmh_raise_error(PmHttpStream *s)
{
	const char *detail = s->errbuf[0] ? s->errbuf : curl_easy_strerror(s->result);

	if (s->oom)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("plugin sent a line longer than %zu bytes", PMH_MAX_LINE)));
	switch (s->result)
	{
		case CURLE_COULDNT_CONNECT:
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_OPERATION_TIMEDOUT:
			if (!s->headers_done && s->received == 0 && s->status == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_UNABLE_TO_ESTABLISH_CONNECTION),
						 errmsg("could not connect to the plugin"),
						 errdetail_internal("%s", detail)));
			break;
		default:
			break;
	}
	if (s->status == 0 && s->received == 0)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("the plugin closed the connection without answering"),
				 errdetail_internal("%s", detail)));
	ereport(ERROR,
			(errcode(ERRCODE_CONNECTION_FAILURE),
			 errmsg("lost the connection to the plugin in the middle of its answer"),
			 errdetail_internal("%s", detail)));
}

/*
 * One step: let libcurl move data, then, if nothing is new for us, wait a
 * little on its sockets.  Interrupts are checked on every step.
 */
static void
pmh_step(PmHttpStream *s)
{
	int			running;
	CURLMsg    *msg;
	int			left;
	uint64		before = s->received;
	bool		was_headers = s->headers_done;
	CURLMcode	mc;

	if (s->paused)
	{
		s->paused = false;
		curl_easy_pause(s->easy, CURLPAUSE_CONT);
	}
	mc = curl_multi_perform(pmh_multi, &running);
	if (mc != CURLM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_ERROR),
				 errmsg("HTTP transfer failed"),
				 errdetail_internal("%s", curl_multi_strerror(mc))));
	while ((msg = curl_multi_info_read(pmh_multi, &left)) != NULL)
	{
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == s->easy)
		{
			s->done = true;
			s->result = msg->data.result;
		}
		else if (msg->msg == CURLMSG_DONE)
		{
			/* another stream of this backend finished: tell it */
			PmHttpStream *other = NULL;

			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &other);
			if (other)
			{
				other->done = true;
				other->result = msg->data.result;
			}
		}
	}

	if (!s->done && s->received == before && s->headers_done == was_headers)
	{
		int			numfds;
		TimestampTz now;

		curl_multi_wait(pmh_multi, NULL, 0, PMH_POLL_MS, &numfds);
		CHECK_FOR_INTERRUPTS();

		now = GetCurrentTimestamp();
		if (!s->headers_done && s->timeouts.request_ms > 0 &&
			TimestampDifferenceExceeds(s->started, now, s->timeouts.request_ms))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("the plugin did not answer within %d ms", s->timeouts.request_ms),
					 errhint("Raise the server option request_timeout or plugin_manager.request_timeout.")));
		if (s->headers_done && s->timeouts.idle_ms > 0 &&
			TimestampDifferenceExceeds(s->last_data, now, s->timeouts.idle_ms))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_ERROR),
					 errmsg("the plugin sent nothing for %d ms in the middle of its answer",
							s->timeouts.idle_ms),
					 errhint("Raise the server option idle_timeout or plugin_manager.idle_timeout.")));
	}
	else
		s->last_data = GetCurrentTimestamp();
}

long
pmh_try_status(PmHttpStream *s, bool *refused)
{
	*refused = false;
	while (!s->headers_done)
	{
		if (s->done)
		{
			if (s->result != CURLE_OK || s->status == 0)
			{
				/* nobody listens: the request never reached a plugin */
				*refused = s->received == 0 && s->result == CURLE_COULDNT_CONNECT;
				return 0;
			}
			break;
		}
		pmh_step(s);
	}
	return s->status;
}

long
pmh_status(PmHttpStream *s)
{
	while (!s->headers_done)
	{
		if (s->done)
		{
			if (s->result != CURLE_OK || s->status == 0)
				pmh_raise_error(s);
			break;
		}
		pmh_step(s);
	}
	return s->status;
}

const char *
pmh_next_line(PmHttpStream *s, size_t *len)
{
	for (;;)
	{
		if (s->pos < s->nl_end)
		{
			char	   *start = s->buf + s->pos;
			char	   *nl = memchr(start, '\n', s->nl_end - s->pos);
			size_t		n = nl - start;

			s->pos += n + 1;
			if (n > 0 && start[n - 1] == '\r')
				n--;
			*len = n;
			return start;
		}
		if (s->done)
		{
			if (s->result != CURLE_OK)
				return NULL;
			if (s->pos < s->len)
			{
				/* a last line without its newline */
				char	   *start = s->buf + s->pos;

				*len = s->len - s->pos;
				s->pos = s->len;
				return start;
			}
			return NULL;
		}
		/* compact before asking for more */
		if (s->pos > 0 && s->pos >= s->len / 2)
		{
			memmove(s->buf, s->buf + s->pos, s->len - s->pos);
			s->len -= s->pos;
			s->nl_end = s->nl_end > s->pos ? s->nl_end - s->pos : 0;
			s->pos = 0;
		}
		pmh_step(s);
	}
}

const char *
pmh_read_all(PmHttpStream *s, size_t max, size_t *len)
{
	while (!s->done)
	{
		if (s->len - s->pos > max)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("plugin answer is larger than %zu bytes", max)));
		s->no_pause = true;
		pmh_step(s);
	}
	if (s->result != CURLE_OK)
		pmh_raise_error(s);
	if (s->len - s->pos > max)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("plugin answer is larger than %zu bytes", max)));
	{
		char	   *out = palloc(s->len - s->pos + 1);

		memcpy(out, s->buf + s->pos, s->len - s->pos);
		out[s->len - s->pos] = '\0';
		*len = s->len - s->pos;
		s->pos = s->len;
		return out;
	}
}
