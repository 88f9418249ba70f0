/*-------------------------------------------------------------------------
 *
 * http.h
 *		The backend's HTTP client (libcurl multi interface).
 *
 * It knows endpoints, timeouts and interrupts, and nothing of plugins or
 * the registry.  Every wait is a short bounded poll followed by
 * CHECK_FOR_INTERRUPTS(), so cancel, statement_timeout and terminate act at
 * once.  A stream is tied to the memory context it was started in: when that
 * context goes (end of scan, or an error anywhere), its curl handle and
 * buffers are freed.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PM_HTTP_H
#define PM_HTTP_H

typedef struct PmHttpTimeouts
{
	int			connect_ms;		/* to connect */
	int			request_ms;		/* from the request to the response headers */
	int			idle_ms;		/* with no byte received, once streaming */
} PmHttpTimeouts;

typedef struct PmHttpStream PmHttpStream;

/*
 * endpoint: an absolute Unix socket path, or a base URL (http:// or
 * https://).  body NULL means GET, else POST of JSON.
 */
extern PmHttpStream *pmh_start(const char *endpoint, const char *path,
							   const char *body, const PmHttpTimeouts *timeouts);
/*
 * When the stream is closed (by pmh_close or with its memory context), the
 * bytes it received are added to *sink: counters survive an error.
 */
extern void pmh_count_into(PmHttpStream *s, uint64 *sink);
/* waits for the response headers; returns the HTTP status */
extern long pmh_status(PmHttpStream *s);
/* the same, but 0 instead of an ERROR when no answer came at all */
extern long pmh_try_status(PmHttpStream *s, bool *refused);
/*
 * The next complete line (no newline; not NUL-terminated), valid until the
 * next call; NULL at the end of the body, or when the transfer failed (see
 * pmh_failed), once every complete line before the failure was read.
 */
extern const char *pmh_next_line(PmHttpStream *s, size_t *len);
/* after pmh_next_line returned NULL: did the transfer fail? */
extern bool pmh_failed(PmHttpStream *s);
/* raise the transfer's failure as an ERROR */
extern void pmh_raise_error(PmHttpStream *s) pg_attribute_noreturn();
/* the whole body, at most max bytes (more is an ERROR); NUL-terminated */
extern const char *pmh_read_all(PmHttpStream *s, size_t max, size_t *len);
/* ends the transfer (closing the connection if unfinished) and frees it */
extern void pmh_close(PmHttpStream *s);

#endif							/* PM_HTTP_H */
