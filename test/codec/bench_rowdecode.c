/*
 * bench_rowdecode.c
 *		ns/line of pmj_decode_array against jansson's json_loadb (make bench).
 *
 * The lines are generated into one buffer, newline-separated as a scan
 * response would be, and decoded in order, so both sides pay for reading
 * fresh memory as a backend streaming rows does.  The decoder only splits and
 * validates; jansson also converts numbers, so a second decoder figure adds
 * the conversion of the numeric columns, as int8/float8 columns need it
 * (pmj_int64 for integers, strtod on a copy for the rest).
 * Each figure is the best of a few runs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "rowdecode.h"

#define RUNS 3

typedef struct Lines
{
	char	   *buf;
	size_t	   *off;			/* start of line i; off[n] is the end */
	long		n;
} Lines;

typedef enum Shape
{
	SHAPE_FIVE,					/* [id,"row-id",double,bool,"ts"] */
	SHAPE_EXAMPLE,				/* the protocol's 8-column example */
	SHAPE_ESCAPES				/* five columns, strings with escapes */
} Shape;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static Lines
make_lines(long n, Shape shape)
{
	Lines		l;
	size_t		cap = (size_t) n * 120 + 1;
	size_t		o = 0;
	long		i;

	l.buf = malloc(cap);
	l.off = malloc(sizeof(size_t) * (n + 1));
	l.n = n;
	for (i = 0; i < n; i++)
	{
		int			sec = (int) (i % 86400);

		l.off[i] = o;
		switch (shape)
		{
			case SHAPE_FIVE:
				o += snprintf(l.buf + o, cap - o,
							  "[%ld,\"row-%ld\",%g,%s,\"2020-01-01T%02d:%02d:%02dZ\"]\n",
							  i + 1, i + 1, (double) (i % 1000) / 8, (i & 1) ? "true" : "false",
							  sec / 3600, sec / 60 % 60, sec % 60);
				break;
			case SHAPE_EXAMPLE:
				o += snprintf(l.buf + o, cap - o,
							  "[%ld,\"row-%ld\",%g,%s,\"2020-01-01T%02d:%02d:%02dZ\",{\"a\":[1,2]},null,[\"x\",\"y\"]]\n",
							  i + 1, i + 1, (double) (i % 1000) / 8, (i & 1) ? "true" : "false",
							  sec / 3600, sec / 60 % 60, sec % 60);
				break;
			case SHAPE_ESCAPES:
				o += snprintf(l.buf + o, cap - o,
							  "[%ld,\"row\\t%ld\\u00e9\",%g,%s,\"line one\\nline \\\"two\\\"\"]\n",
							  i + 1, i + 1, (double) (i % 1000) / 8, (i & 1) ? "true" : "false");
				break;
		}
	}
	l.off[n] = o;
	return l;
}

/* Decode every line; returns ns/line.  numbers: also convert them. */
static double
run_decoder(const Lines *l, bool numbers, long *check)
{
	PmjDecoder *d = pmj_create();
	PmjValue	v[16];
	char		err[256];
	char		num[64];
	double		t0;
	double		t;
	long		i;
	int			n;
	int			k;

	t0 = now_ns();
	for (i = 0; i < l->n; i++)
	{
		const char *line = l->buf + l->off[i];
		size_t		len = l->off[i + 1] - l->off[i] - 1;	/* without '\n' */

		pmj_reset(d);
		if (pmj_decode_array(d, line, len, v, 16, &n, err, sizeof(err)) != PMJ_ROW)
		{
			fprintf(stderr, "line %ld: %s\n", i, err);
			exit(1);
		}
		*check += n + (long) v[1].strlen;
		for (k = 0; numbers && k < n; k++)
		{
			int64_t		iv;

			if (v[k].kind != PMJ_NUMBER || v[k].rawlen >= sizeof(num))
				continue;
			if (pmj_int64(&v[k], &iv))
			{
				*check += (long) iv;
				continue;
			}
			/* as float8in gets it: a NUL-terminated copy */
			memcpy(num, v[k].raw, v[k].rawlen);
			num[v[k].rawlen] = '\0';
			*check += (long) strtod(num, NULL);
		}
	}
	t = now_ns() - t0;
	pmj_destroy(d);
	return t / l->n;
}

static double
run_jansson(const Lines *l, long *check)
{
	json_error_t jerr;
	double		t0;
	long		i;

	t0 = now_ns();
	for (i = 0; i < l->n; i++)
	{
		const char *line = l->buf + l->off[i];
		size_t		len = l->off[i + 1] - l->off[i] - 1;
		json_t	   *j = json_loadb(line, len, 0, &jerr);

		if (j == NULL)
		{
			fprintf(stderr, "line %ld: %s\n", i, jerr.text);
			exit(1);
		}
		*check += (long) json_array_size(j);
		json_decref(j);
	}
	return (now_ns() - t0) / l->n;
}

static double
best(double a, double b)
{
	return a < b ? a : b;
}

static bool
bench(long n, Shape shape, const char *name)
{
	Lines		l = make_lines(n, shape);
	double		dec = 1e18;
	double		decnum = 1e18;
	double		jan = 1e18;
	long		check = 0;
	int			r;

	for (r = 0; r < RUNS; r++)
	{
		dec = best(dec, run_decoder(&l, false, &check));
		decnum = best(decnum, run_decoder(&l, true, &check));
		jan = best(jan, run_jansson(&l, &check));
	}
	printf("%s: %ld lines, %.1f bytes/line, e.g. %.*s\n", name, n,
		   (double) l.off[n] / n, (int) (l.off[1] - 1), l.buf);
	printf("  pmj_decode_array             %7.1f ns/line  (%.1f M lines/s)\n", dec, 1e3 / dec);
	printf("  pmj_decode_array + numbers   %7.1f ns/line\n", decnum);
	printf("  jansson json_loadb + decref  %7.1f ns/line\n", jan);
	printf("  speed-up %.1fx (with numbers %.1fx)   [checksum %ld]\n",
		   jan / dec, jan / decnum, check);
	free(l.buf);
	free(l.off);
	return jan / dec >= 5.0;
}

int
main(int argc, char **argv)
{
	long		n = argc > 1 ? atol(argv[1]) : 1000000;
	bool		met;

	met = bench(n, SHAPE_FIVE, "five columns");
	bench(n, SHAPE_EXAMPLE, "protocol example (nested values)");
	bench(n, SHAPE_ESCAPES, "five columns, escaped strings");
	printf("target (five columns, >= 5x jansson): %s\n", met ? "met" : "NOT met");
	return 0;
}
