/*
 * pm_internal.h - private boundary between the SDK's files (and its unit
 * tests).  Plugins include only pm_plugin.h.
 *
 *   encode.c   growable byte buffer and JSON value encoding (the hot path)
 *   request.c  declarations -> schema JSON, scan request parsing/validation
 *   scan.c     the row emitter and the producer/consumer channel
 *   server.c   sockets, libmicrohttpd, handshake, lifecycle, logging
 */
#ifndef PM_INTERNAL_H
#define PM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "pm_plugin.h"

/* ---- encode.c ---- */

/* A growable buffer; after a failed allocation it keeps oom set and drops writes. */
typedef struct pm_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		oom;
} pm_buf;

bool		pm_buf_grow(pm_buf *b, size_t extra);
void		pm_buf_free(pm_buf *b);

static inline bool
pm_buf_reserve(pm_buf *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return true;
	return pm_buf_grow(b, extra);
}

static inline void
pm_buf_append(pm_buf *b, const void *p, size_t n)
{
	if (!pm_buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void
pm_buf_putc(pm_buf *b, char c)
{
	if (!pm_buf_reserve(b, 1))
		return;
	b->data[b->len++] = c;
}

#define pm_buf_puts(b, lit) pm_buf_append((b), (lit), sizeof(lit) - 1)

void		pm_enc_text(pm_buf *b, const char *s, size_t len);
void		pm_enc_int64(pm_buf *b, int64_t v);
void		pm_enc_double(pm_buf *b, double v);
void		pm_enc_time(pm_buf *b, time_t sec, long nsec);

/* ---- request.c ---- */

typedef struct pm_table_info
{
	const pm_table *table;
	pm_kind    *kinds;			/* per column: kind of a qual value */
	unsigned   *key_ops;		/* per column: declared operators (0: none) */
	bool	   *required;		/* per column */
} pm_table_info;

typedef struct pm_registry
{
	const pm_plugin *plugin;
	pm_table_info *tables;
	char	   *schema_json;	/* GET /v1/schema body */
	size_t		schema_len;
} pm_registry;

/* Checks the declarations; on error returns -1 with a message in errbuf. */
int			pm_registry_init(pm_registry *reg, const pm_plugin *plugin,
							 char *errbuf, size_t errlen);
void		pm_registry_free(pm_registry *reg);

/* A request error; message/detail are malloc'd. */
typedef struct pm_error
{
	int			status;
	char	   *message;
	char	   *detail;
	char	   *hint;
} pm_error;

void		pm_error_set(pm_error *e, int status, const char *message,
						 const char *detail, const char *hint);
void		pm_error_clear(pm_error *e);
/* {"error": {...}} as malloc'd JSON text, or NULL on OOM. */
char	   *pm_error_json(const pm_error *e);

/* Parses and validates POST /v1/scan; NULL with *err filled on failure. */
pm_scan    *pm_scan_parse(const pm_registry *reg, const char *body, size_t len,
						  pm_error *err);
void		pm_scan_free(pm_scan *scan);

/* ---- scan.c ---- */

typedef struct pm_slot
{
	size_t		off;			/* in scan->rowbuf */
	size_t		len;
	uint64_t	gen;			/* == scan->row_gen when set in this row */
} pm_slot;

struct pm_scan
{
	/* The request (request.c). */
	const pm_table_info *info;
	json_t	   *request;		/* owns every string the quals point to */
	json_t	   *config;			/* borrowed from request, may be NULL */
	json_t	   *credentials;
	int		   *out_cols;		/* requested column indexes, in order */
	int			nout;
	bool	   *wants;			/* per table column */
	pm_qual    *quals;
	int			nquals;
	pm_value   *in_values;		/* storage for every "in" list */
	int64_t		limit;

	/* The emitter (scan.c); touched only by the producer thread. */
	pm_buf		rowbuf;
	pm_slot    *slots;			/* per table column */
	uint64_t	row_gen;
	pm_buf		out;			/* encoded rows not yet in the channel */
	int64_t		rows;
	bool		stop;			/* pm_row_end() said stop */
	bool		failed;
	pm_error	error;
	pm_buf	   *capture;		/* unit tests: flush here, no channel */

	/* The channel (scan.c), under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv_producer; /* space in ring, or consumer gone */
	pthread_cond_t cv_consumer; /* data in ring, started, or done */
	char	   *ring;
	size_t		ring_cap;
	size_t		ring_head;
	size_t		ring_count;
	bool		started;		/* first bytes committed: status is 200 */
	bool		done;			/* producer finished */
	bool		aborted;		/* end the response without trailer */
	bool		consumer_gone;
	int			consumer_waiting;	/* read racily by the producer */
	pthread_t	thread;
	bool		thread_started;
	int			client_fd;		/* the connection's socket, or -1 */
	struct timespec t0;

	/* The server's list of live scans (server.c). */
	pm_scan    *next;
	pm_scan    *prev;
};

int			pm_scan_channel_init(pm_scan *scan);
/* Runs the table's callback to the end, then writes the trailer. */
void		pm_scan_run(pm_scan *scan);
int			pm_scan_start(pm_scan *scan);	/* producer thread */
void		pm_scan_wait_started(pm_scan *scan);
ssize_t		pm_scan_read(pm_scan *scan, char *buf, size_t max);
void		pm_scan_cancel(pm_scan *scan);
void		pm_scan_join(pm_scan *scan);



#endif							/* PM_INTERNAL_H */
