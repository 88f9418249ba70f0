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
/* waits for the response headers; returns the HTTP status */
extern long pmh_status(PmHttpStream *s);
/*
 * The next complete line (no newline; not NUL-terminated), valid until the
 * next call; NULL at a clean end of the body.  A transport failure is an
 * ERROR.  *truncated is set when the body ended without a final newline.
 */
extern const char *pmh_next_line(PmHttpStream *s, size_t *len);
/* the whole body, at most max bytes (more is an ERROR); NUL-terminated */
extern const char *pmh_read_all(PmHttpStream *s, size_t max, size_t *len);
extern uint64 pmh_bytes_received(PmHttpStream *s);
/* ends the transfer (closing the connection if unfinished) and frees it */
extern void pmh_close(PmHttpStream *s);

#endif							/* PM_HTTP_H */
