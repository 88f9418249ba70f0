/*
 * scan.c - the row emitter and the channel between a scan's producer thread
 * (the plugin's callback) and libmicrohttpd's connection thread.
 *
 * Values are encoded into per-column slots of rowbuf; pm_row_end() joins the
 * requested columns, in request order, onto `out`.  `out` moves into a ring
 * of fixed size when it passes a threshold, when the consumer is idle, or on
 * the first row.  A full ring blocks the producer, so memory per scan is
 * bounded by the ring plus the largest row whatever the row count.  When the
 * consumer goes away (client gone, shutdown) the producer's next flush fails
 * and pm_row_end() says stop.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "pm_internal.h"

#define RING_SIZE (256 * 1024)
#define FLUSH_THRESHOLD (32 * 1024)

/* ---- values ---- */

static inline bool
slot_begin(pm_scan *scan, int column)
{
	if ((unsigned) column >= (unsigned) scan->info->table->ncolumns || !scan->wants[column])
		return false;
	scan->slots[column].off = scan->rowbuf.len;
	return true;
}

static inline void
slot_end(pm_scan *scan, int column)
{
	pm_slot    *s = &scan->slots[column];

	s->len = scan->rowbuf.len - s->off;
	s->gen = scan->row_gen;
}

void
pm_set_null(pm_scan *scan, int column)
{
	if (slot_begin(scan, column))
	{
		pm_buf_puts(&scan->rowbuf, "null");
		slot_end(scan, column);
	}
}

void
pm_set_bool(pm_scan *scan, int column, bool v)
{
	if (slot_begin(scan, column))
	{
		if (v)
			pm_buf_puts(&scan->rowbuf, "true");
		else
			pm_buf_puts(&scan->rowbuf, "false");
		slot_end(scan, column);
	}
}

void
pm_set_int64(pm_scan *scan, int column, int64_t v)
{
	if (slot_begin(scan, column))
	{
		pm_enc_int64(&scan->rowbuf, v);
		slot_end(scan, column);
	}
}

void
pm_set_double(pm_scan *scan, int column, double v)
{
	if (slot_begin(scan, column))
	{
		pm_enc_double(&scan->rowbuf, v);
		slot_end(scan, column);
	}
}

void
pm_set_textn(pm_scan *scan, int column, const char *s, size_t len)
{
	if (slot_begin(scan, column))
	{
		if (s == NULL)
			pm_buf_puts(&scan->rowbuf, "null");
		else
			pm_enc_text(&scan->rowbuf, s, len);
		slot_end(scan, column);
	}
}

void
pm_set_text(pm_scan *scan, int column, const char *s)
{
	pm_set_textn(scan, column, s, s ? strlen(s) : 0);
}

void
pm_set_timespec(pm_scan *scan, int column, struct timespec ts)
{
	if (slot_begin(scan, column))
	{
		pm_enc_time(&scan->rowbuf, ts.tv_sec, ts.tv_nsec);
		slot_end(scan, column);
	}
}

void
pm_set_time(pm_scan *scan, int column, time_t t)
{
	if (slot_begin(scan, column))
	{
		pm_enc_time(&scan->rowbuf, t, 0);
		slot_end(scan, column);
	}
}

void
pm_set_json(pm_scan *scan, int column, const char *json)
{
	if (slot_begin(scan, column))
	{
		if (json == NULL || *json == '\0')
			pm_buf_puts(&scan->rowbuf, "null");
		else
			pm_buf_append(&scan->rowbuf, json, strlen(json));
		slot_end(scan, column);
	}
}

/* ---- the channel ---- */

int
pm_scan_channel_init(pm_scan *scan)
{
	scan->ring = malloc(RING_SIZE);
	if (scan->ring == NULL)
		return -1;
	scan->ring_cap = RING_SIZE;
	if (pthread_mutex_init(&scan->mu, NULL) != 0)
		goto fail_ring;
	if (pthread_cond_init(&scan->cv_producer, NULL) != 0)
		goto fail_mu;
	if (pthread_cond_init(&scan->cv_consumer, NULL) != 0)
		goto fail_cv;
	return 0;

fail_cv:
	pthread_cond_destroy(&scan->cv_producer);
fail_mu:
	pthread_mutex_destroy(&scan->mu);
fail_ring:
	free(scan->ring);
	scan->ring = NULL;
	return -1;
}

/* Moves all of `out` into the ring, waiting for space. -1: consumer gone. */
static int
channel_write(pm_scan *scan)
{
	const char *p = scan->out.data;
	size_t		left = scan->out.len;
	int			rc = 0;

	if (scan->capture)
	{
		scan->started = true;
		pm_buf_append(scan->capture, p, left);
		scan->out.len = 0;
		return 0;
	}
	pthread_mutex_lock(&scan->mu);
	if (!scan->started)
	{
		scan->started = true;
		pthread_cond_broadcast(&scan->cv_consumer);
	}
	while (left > 0)
	{
		size_t		tail;
		size_t		n;

		while (scan->ring_count == scan->ring_cap && !scan->consumer_gone)
			pthread_cond_wait(&scan->cv_producer, &scan->mu);
		if (scan->consumer_gone)
		{
			rc = -1;
			break;
		}
		tail = (scan->ring_head + scan->ring_count) % scan->ring_cap;
		n = scan->ring_cap - scan->ring_count;
		if (n > scan->ring_cap - tail)
			n = scan->ring_cap - tail;
		if (n > left)
			n = left;
		memcpy(scan->ring + tail, p, n);
		scan->ring_count += n;
		p += n;
		left -= n;
		pthread_cond_signal(&scan->cv_consumer);
	}
	pthread_mutex_unlock(&scan->mu);
	scan->out.len = 0;
	return rc;
}

int
pm_scan_flush(pm_scan *scan)
{
	if (scan->out.len == 0 && scan->started)
		return 0;
	if (channel_write(scan) != 0)
	{
		scan->stop = true;
		return -1;
	}
	return 0;
}

int
pm_row_end(pm_scan *scan)
{
	pm_buf	   *o = &scan->out;
	int			i;

	if (scan->stop)
		goto done;
	if (scan->limit >= 0 && scan->rows >= scan->limit)
	{
		scan->stop = true;
		goto done;
	}
	pm_buf_putc(o, '[');
	for (i = 0; i < scan->nout; i++)
	{
		pm_slot    *s = &scan->slots[scan->out_cols[i]];

		if (i > 0)
			pm_buf_putc(o, ',');
		if (s->gen == scan->row_gen)
			pm_buf_append(o, scan->rowbuf.data + s->off, s->len);
		else
			pm_buf_puts(o, "null");
	}
	pm_buf_append(o, "]\n", 2);
	if (o->oom || scan->rowbuf.oom)
	{
		pm_scan_error(scan, 500, "out of memory", "A row could not be encoded.", NULL);
		scan->stop = true;
		goto done;
	}
	scan->rows++;
	if (scan->limit >= 0 && scan->rows >= scan->limit)
		scan->stop = true;
	if (o->len >= FLUSH_THRESHOLD || !scan->started ||
		__atomic_load_n(&scan->consumer_waiting, __ATOMIC_RELAXED))
		(void) pm_scan_flush(scan);

done:
	scan->rowbuf.len = 0;
	scan->row_gen++;
	return scan->stop ? 1 : 0;
}

int
pm_scan_write_raw(pm_scan *scan, const char *data, size_t len)
{
	if (scan->stop)
		return -1;
	pm_buf_append(&scan->out, data, len);
	return pm_scan_flush(scan);
}

void
pm_scan_abort(pm_scan *scan)
{
	(void) pm_scan_flush(scan);
	scan->stop = true;
	if (scan->capture)
	{
		scan->aborted = true;
		return;
	}
	pthread_mutex_lock(&scan->mu);
	scan->aborted = true;
	pthread_mutex_unlock(&scan->mu);
}

int
pm_scan_sleep(pm_scan *scan, int ms)
{
	struct timespec deadline;
	int			gone;

	if (pm_scan_flush(scan) != 0)
		return -1;
	if (scan->capture)
		return 0;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long) (ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L)
	{
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&scan->mu);
	while (!scan->consumer_gone &&
		   pthread_cond_timedwait(&scan->cv_producer, &scan->mu, &deadline) != ETIMEDOUT)
		;
	gone = scan->consumer_gone;
	pthread_mutex_unlock(&scan->mu);
	if (gone)
		scan->stop = true;
	return gone ? -1 : 0;
}

void
pm_scan_error(pm_scan *scan, int status, const char *message, const char *detail,
			  const char *hint)
{
	if (scan->failed)
		return;					/* the first error is the cause */
	scan->failed = true;
	pm_error_set(&scan->error, status >= 400 && status <= 599 ? status : 500,
				 message, detail, hint);
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double) (now.tv_sec - t0->tv_sec) * 1e3 +
		(double) (now.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * Runs the callback and writes the last line.  An error before any output
 * is left in scan->error for the HTTP status; after output it becomes the
 * stream's {"error": ...} line.
 */
void
pm_scan_run(pm_scan *scan)
{
	const pm_table *t = scan->info->table;
	int			rc;
	bool		gone = false;

	clock_gettime(CLOCK_MONOTONIC, &scan->t0);
	rc = t->scan(scan, t->arg);
	if (!scan->capture)
	{
		pthread_mutex_lock(&scan->mu);
		gone = scan->consumer_gone;
		pthread_mutex_unlock(&scan->mu);
	}
	if (rc != 0 && !scan->failed)
		pm_scan_error(scan, 500, "scan failed", "The plugin's scan callback returned an error.", NULL);
	if (scan->aborted || gone)
		pm_log("scan table=%s rows=%lld elapsed_ms=%.1f ended early (%s)", t->name,
			   (long long) scan->rows, elapsed_ms(&scan->t0),
			   scan->aborted ? "aborted" : "client gone");
	else if (scan->failed)
	{
		pm_log("scan table=%s rows=%lld failed: %s%s%s", t->name, (long long) scan->rows,
			   scan->error.message, scan->error.detail ? ": " : "",
			   scan->error.detail ? scan->error.detail : "");
		if (scan->started || scan->out.len > 0)
		{
			char	   *line = pm_error_json(&scan->error);

			scan->stop = false;
			if (line)
			{
				pm_buf_append(&scan->out, line, strlen(line));
				free(line);
			}
			else
				pm_buf_puts(&scan->out, "{\"error\":{\"message\":\"out of memory\"}}");
			pm_buf_putc(&scan->out, '\n');
			(void) pm_scan_flush(scan);
		}
	}
	else
	{
		char		trailer[64];
		int			n = snprintf(trailer, sizeof(trailer), "{\"end\":true,\"rows\":%lld}\n",
								 (long long) scan->rows);

		scan->stop = false;
		pm_buf_append(&scan->out, trailer, (size_t) n);
		(void) pm_scan_flush(scan);
		pm_log("scan table=%s rows=%lld elapsed_ms=%.1f", t->name,
			   (long long) scan->rows, elapsed_ms(&scan->t0));
	}
	if (!scan->capture)
	{
		pthread_mutex_lock(&scan->mu);
		scan->done = true;
		pthread_cond_broadcast(&scan->cv_consumer);
		pthread_mutex_unlock(&scan->mu);
	}
}

static void *
producer_main(void *arg)
{
	pm_scan_run(arg);
	return NULL;
}

int
pm_scan_start(pm_scan *scan)
{
	int			rc = pthread_create(&scan->thread, NULL, producer_main, scan);

	if (rc != 0)
	{
		errno = rc;
		return -1;
	}
	scan->thread_started = true;
	return 0;
}

/* Whether the client closed its end of the connection. */
static bool
client_gone(int fd)
{
	struct pollfd p = {fd, POLLRDHUP, 0};

	if (fd < 0)
		return false;
	return poll(&p, 1, 0) > 0 &&
		(p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/*
 * The consumer's wait for the producer, with mu held.  A slow producer
 * would otherwise keep the connection thread from ever noticing that the
 * client left, so the client's socket is checked every CLIENT_CHECK_MS.
 */
#define CLIENT_CHECK_MS 250

static void
consumer_wait(pm_scan *scan)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += CLIENT_CHECK_MS * 1000000L;
	if (deadline.tv_nsec >= 1000000000L)
	{
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	if (pthread_cond_timedwait(&scan->cv_consumer, &scan->mu, &deadline) == ETIMEDOUT &&
		client_gone(scan->client_fd))
	{
		scan->consumer_gone = true;
		pthread_cond_broadcast(&scan->cv_producer);
	}
}

/* Waits until the response status is known: first output, or the end. */
void
pm_scan_wait_started(pm_scan *scan)
{
	pthread_mutex_lock(&scan->mu);
	while (!scan->started && !scan->done && !scan->consumer_gone)
		consumer_wait(scan);
	pthread_mutex_unlock(&scan->mu);
}

/* The libmicrohttpd content reader: blocks until data or the end. */
ssize_t
pm_scan_read(pm_scan *scan, char *buf, size_t max)
{
	size_t		n = 0;
	ssize_t		rc;

	pthread_mutex_lock(&scan->mu);
	while (scan->ring_count == 0 && !scan->done && !scan->consumer_gone)
	{
		__atomic_store_n(&scan->consumer_waiting, 1, __ATOMIC_RELAXED);
		consumer_wait(scan);
	}
	__atomic_store_n(&scan->consumer_waiting, 0, __ATOMIC_RELAXED);
	while (n < max && scan->ring_count > 0)
	{
		size_t		k = scan->ring_cap - scan->ring_head;

		if (k > scan->ring_count)
			k = scan->ring_count;
		if (k > max - n)
			k = max - n;
		memcpy(buf + n, scan->ring + scan->ring_head, k);
		scan->ring_head = (scan->ring_head + k) % scan->ring_cap;
		scan->ring_count -= k;
		n += k;
	}
	if (n > 0)
	{
		pthread_cond_signal(&scan->cv_producer);
		rc = (ssize_t) n;
	}
	else if (scan->consumer_gone || scan->aborted)
		rc = -2;				/* MHD_CONTENT_READER_END_WITH_ERROR */
	else
		rc = -1;				/* MHD_CONTENT_READER_END_OF_STREAM */
	pthread_mutex_unlock(&scan->mu);
	return rc;
}

/* The consumer is gone (client left, response freed, or shutdown). */
void
pm_scan_cancel(pm_scan *scan)
{
	pthread_mutex_lock(&scan->mu);
	scan->consumer_gone = true;
	pthread_cond_broadcast(&scan->cv_producer);
	pthread_cond_broadcast(&scan->cv_consumer);
	pthread_mutex_unlock(&scan->mu);
}

void
pm_scan_join(pm_scan *scan)
{
	if (scan->thread_started)
	{
		pthread_join(scan->thread, NULL);
		scan->thread_started = false;
	}
}
