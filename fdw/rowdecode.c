/*-------------------------------------------------------------------------
 *
 * rowdecode.c
 *		Allocation-free decoder for one NDJSON row line of a /v1/scan stream.
 *
 * A row is a JSON array of column values.  Building a jansson tree for each
 * row costs about a microsecond, mostly in malloc; here the line is walked
 * once, each top-level value is reported as a slice of the input, and only
 * strings that contain escapes are copied (to a scratch arena that is reused
 * from line to line).  Nested arrays and objects are validated but not
 * decoded: a json/jsonb column takes their text as is, and an array column
 * passes the text back into pmj_decode_array.
 *
 * Everything accepted is valid JSON per RFC 8259, checked byte for byte,
 * because what we accept goes straight into PostgreSQL input functions: UTF-8
 * is validated, escapes and surrogate pairs are checked, and \u0000 is
 * refused since neither text nor jsonb can hold it.  test/codec compares this
 * file with jansson, by unit tests, generated lines and fuzzing.
 *
 * No PostgreSQL header is included on purpose (see protocol.h): the decoder
 * is built and fuzzed standalone.
 *
 *-------------------------------------------------------------------------
 */
#include "rowdecode.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define PMJ_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PMJ_LIKELY(x) __builtin_expect(!!(x), 1)
#define PMJ_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PMJ_PRINTF(f, a)
#define PMJ_LIKELY(x) (x)
#define PMJ_UNLIKELY(x) (x)
#endif

/*
 * Scratch memory is a list of blocks that are never moved, so that a string
 * decoded earlier stays valid while the caller decodes a nested array of the
 * same line.  pmj_reset folds the list back into one block big enough for
 * everything the last line needed, so a steady stream allocates nothing.
 */
typedef struct PmjBlock
{
	struct PmjBlock *next;		/* older block */
	size_t		cap;
	size_t		used;
	char		data[];
} PmjBlock;

struct PmjDecoder
{
	PmjBlock   *blocks;			/* newest first; only the newest is written */
	size_t		total;			/* sum of the blocks' capacities */
};

/* State of one pmj_decode_array call. */
typedef struct PmjParse
{
	PmjDecoder *d;
	const char *start;			/* for byte offsets in messages */
	const char *end;
	PmjBlock   *blk;			/* scratch reserved by this call, or NULL */
	char	   *err;
	size_t		errlen;
} PmjParse;

#define PMJ_MIN_BLOCK 1024

/*
 * Scratch kept across pmj_reset.  A line with megabytes of escaped text is
 * rare; keeping its arena would pin that memory in the backend for the rest
 * of the session, so such an arena is freed and the next such line pays one
 * malloc, which is nothing next to decoding it.
 */
#define PMJ_KEEP_MAX (4 * 1024 * 1024)

/*
 * Bytes a string may hold without a closer look: printable ASCII other than
 * the quote and the backslash.  Control characters must be escaped (RFC
 * 8259, section 7) and bytes >= 0x80 start UTF-8 sequences to validate.
 */
static const unsigned char pmj_plain[256] = {
	/* 0x00 - 0x1f: control characters */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x20 - 0x7f, without '"' (0x22) and '\\' (0x5c) */
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x80 - 0xff: zero-initialized */
};

static const char *pmj_fail(PmjParse *ps, const char *at, const char *fmt,...) PMJ_PRINTF(3, 4);

/*
 * Put "<message> at byte N" in the caller's buffer.  Returns NULL so that a
 * scanner can report and give up in one statement.
 */
static const char *
pmj_fail(PmjParse *ps, const char *at, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (ps->err == NULL || ps->errlen == 0)
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t) n < ps->errlen)
		snprintf(ps->err + n, ps->errlen - n, " at byte %zu",
				 (size_t) (at - ps->start));
	return NULL;
}

/* Describe the byte at p for a message (printable, hex, or end of line). */
static const char *
pmj_what(const char *p, const char *end, char *buf, size_t buflen)
{
	unsigned char c;

	if (p >= end)
		return "end of line";
	c = (unsigned char) *p;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, buflen, "'%c'", c);
	else
		snprintf(buf, buflen, "byte 0x%02x", c);
	return buf;
}

static inline const char *
pmj_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/*
 * Advance over plain string bytes.  Eight at a time while they last: row
 * strings are mostly short ASCII (ids, timestamps), and this loop is where a
 * row spends most of its time.  The word tests are the usual "has a byte
 * equal to / less than" bit tricks; a hit just hands over to the byte loop,
 * which finds the exact position.
 */
static inline const char *
pmj_skip_plain(const char *p, const char *end)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t highs = UINT64_C(0x8080808080808080);

	while (end - p >= 8)
	{
		uint64_t	x;
		uint64_t	q;
		uint64_t	b;
		uint64_t	hit;

		memcpy(&x, p, 8);
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');

		/*
		 * A byte's high bit ends up set when: q or b has a zero byte (the
		 * subtraction turns it into 0xff), x has a byte < 0x20 (it borrows),
		 * or x has a byte >= 0x80.  A borrow carried into the next byte only
		 * happens after one of these, so "any hit" is exact.
		 */
		hit = ((q - ones) | (b - ones) | (x - ones * 0x20) | x) & highs;
		if (hit != 0)
			break;
		p += 8;
	}
	while (p < end && pmj_plain[(unsigned char) *p])
		p++;
	return p;
}

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629, table 3-7 of the
 * Unicode standard), or 0: no overlong forms, no encoded surrogates, nothing
 * above U+10FFFF, no sequence cut by the end of the input.
 */
static inline int
pmj_utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80;
	unsigned char hi = 0xbf;

	if (c < 0xc2)
		return 0;				/* continuation byte, or overlong C0/C1 */
	if (c < 0xe0)
		return (end - p >= 2 && (p[1] & 0xc0) == 0x80) ? 2 : 0;
	if (c < 0xf0)
	{
		if (c == 0xe0)
			lo = 0xa0;			/* overlong */
		else if (c == 0xed)
			hi = 0x9f;			/* U+D800..U+DFFF */
		if (end - p < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80)
			return 0;
		return 3;
	}
	if (c < 0xf5)
	{
		if (c == 0xf0)
			lo = 0x90;			/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;			/* above U+10FFFF */
		if (end - p < 4 || p[1] < lo || p[1] > hi ||
			(p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

/* Value of four hex digits at p (caller checked they are there), or -1. */
static int
pmj_hex4(const char *p)
{
	int			v = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		char		c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * Scratch for this call's decoded strings.  Reserved once per call, for the
 * rest of the input: each string's decoded bytes plus its NUL are fewer than
 * its quoted text, so whatever strings follow fit too.
 */
static PmjBlock *
pmj_reserve(PmjDecoder *d, size_t need)
{
	PmjBlock   *b = d->blocks;
	size_t		cap;

	if (b != NULL && b->cap - b->used >= need)
		return b;
	cap = PMJ_MIN_BLOCK;
	if (b != NULL && b->cap <= (SIZE_MAX - sizeof(PmjBlock)) / 2)
		cap = b->cap * 2;
	if (cap < need)
		cap = need;
	if (cap > SIZE_MAX - sizeof(PmjBlock))
		return NULL;
	b = malloc(sizeof(PmjBlock) + cap);
	if (b == NULL)
		return NULL;
	b->next = d->blocks;
	b->cap = cap;
	b->used = 0;
	d->blocks = b;
	d->total += cap;
	return b;
}

/*
 * One backslash escape at p (p[0] == '\\').  When the string is being
 * copied (*o not NULL), writes its UTF-8 there and advances *o.  Returns the
 * position after the escape, or NULL.
 */
static const char *
pmj_escape(PmjParse *ps, const char *p, char **o)
{
	const char *end = ps->end;
	char		buf[16];
	char		c;
	long		cp;
	int			lo;

	if (end - p < 2)
		return pmj_fail(ps, p, "unterminated string");
	c = p[1];
	switch (c)
	{
		case '"':
		case '\\':
		case '/':
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u':
			if (end - p < 6 || (cp = pmj_hex4(p + 2)) < 0)
				return pmj_fail(ps, p, "invalid \\u escape, expected four hex digits");
			if (cp == 0)
				return pmj_fail(ps, p, "\\u0000 is not allowed: PostgreSQL text cannot hold a NUL character");
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return pmj_fail(ps, p, "unpaired low surrogate \\u%04lX", cp);
			if (cp >= 0xd800 && cp <= 0xdbff)
			{
				/* UTF-16 pair: only a low surrogate escape may follow */
				if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
					(lo = pmj_hex4(p + 8)) < 0xdc00 || lo > 0xdfff)
					return pmj_fail(ps, p, "high surrogate \\u%04lX not followed by a low surrogate", cp);
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			}
			if (o != NULL && *o != NULL)
			{
				unsigned char *u = (unsigned char *) *o;

				if (cp < 0x80)
					*u++ = (unsigned char) cp;
				else if (cp < 0x800)
				{
					*u++ = (unsigned char) (0xc0 | (cp >> 6));
					*u++ = (unsigned char) (0x80 | (cp & 0x3f));
				}
				else if (cp < 0x10000)
				{
					*u++ = (unsigned char) (0xe0 | (cp >> 12));
					*u++ = (unsigned char) (0x80 | ((cp >> 6) & 0x3f));
					*u++ = (unsigned char) (0x80 | (cp & 0x3f));
				}
				else
				{
					*u++ = (unsigned char) (0xf0 | (cp >> 18));
					*u++ = (unsigned char) (0x80 | ((cp >> 12) & 0x3f));
					*u++ = (unsigned char) (0x80 | ((cp >> 6) & 0x3f));
					*u++ = (unsigned char) (0x80 | (cp & 0x3f));
				}
				*o = (char *) u;
			}
			return p + 6;
		default:
			return pmj_fail(ps, p, "invalid escape \\%s in string",
							pmj_what(p + 1, end, buf, sizeof(buf)));
	}
	if (o != NULL && *o != NULL)
		*(*o)++ = c;
	return p + 2;
}

/*
 * A string whose opening quote is at p[-1].  With v, fill its string fields:
 * without escapes the text is the input slice, else the decoded copy.
 * Returns the position after the closing quote, or NULL.
 */
static const char *
pmj_string(PmjParse *ps, const char *p, PmjValue *v)
{
	const char *end = ps->end;
	const char *s = p;
	char	   *out = NULL;		/* start of the decoded copy, if any */
	char	   *o = NULL;		/* where the copy continues */

	for (;;)
	{
		const char *span = p;
		unsigned char c;
		int			n;

		p = pmj_skip_plain(p, end);
		if (o != NULL)
		{
			memcpy(o, span, p - span);
			o += p - span;
		}
		if (PMJ_UNLIKELY(p >= end))
			return pmj_fail(ps, s - 1, "unterminated string");
		c = (unsigned char) *p;
		if (PMJ_LIKELY(c == '"'))
			break;
		if (c == '\\')
		{
			if (v != NULL && out == NULL)
			{
				/* first escape: from here on the string is copied */
				if (ps->blk == NULL &&
					(ps->blk = pmj_reserve(ps->d, (size_t) (end - s))) == NULL)
					return pmj_fail(ps, p, "out of memory");
				out = o = ps->blk->data + ps->blk->used;
				memcpy(o, s, p - s);
				o += p - s;
			}
			p = pmj_escape(ps, p, &o);
			if (p == NULL)
				return NULL;
		}
		else if (c < 0x20)
			return pmj_fail(ps, p, "unescaped control character 0x%02x in string", c);
		else
		{
			n = pmj_utf8_len((const unsigned char *) p, (const unsigned char *) end);
			if (n == 0)
				return pmj_fail(ps, p, "invalid UTF-8 byte sequence in string");
			if (o != NULL)
			{
				memcpy(o, p, n);
				o += n;
			}
			p += n;
		}
	}
	if (v != NULL)
	{
		v->kind = PMJ_STRING;
		v->is_integer = false;
		if (out != NULL)
		{
			*o = '\0';
			v->str = out;
			v->strlen = o - out;
			v->str_in_scratch = true;
			ps->blk->used += (o - out) + 1;
		}
		else
		{
			v->str = s;
			v->strlen = p - s;
			v->str_in_scratch = false;
		}
	}
	return p + 1;
}

/* A number per the RFC 8259 grammar.  Returns the position after it. */
static const char *
pmj_number(PmjParse *ps, const char *p, bool *is_integer)
{
	const char *end = ps->end;
	const char *q = p;

	if (*q == '-')
		q++;
	if (q < end && *q == '0')
		q++;						/* no leading zeros: the caller's separator
									 * check refuses "01" */
	else if (q < end && *q >= '1' && *q <= '9')
	{
		q++;
		while (q < end && *q >= '0' && *q <= '9')
			q++;
	}
	else
		return pmj_fail(ps, p, "invalid number");
	*is_integer = true;
	if (q < end && *q == '.')
	{
		q++;
		if (q >= end || *q < '0' || *q > '9')
			return pmj_fail(ps, p, "invalid number: expected a digit after '.'");
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		*is_integer = false;
	}
	if (q < end && (*q == 'e' || *q == 'E'))
	{
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (q >= end || *q < '0' || *q > '9')
			return pmj_fail(ps, p, "invalid number: expected a digit in the exponent");
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		*is_integer = false;
	}
	return q;
}

/*
 * A string, number or literal at p (p < end).  Fills v when not NULL.
 * Returns the position after it, or NULL.
 */
static const char *
pmj_scalar(PmjParse *ps, const char *p, PmjValue *v)
{
	const char *end = ps->end;
	const char *q;
	PmjKind		kind;
	bool		is_integer = false;
	char		buf[16];

	switch (*p)
	{
		case '"':
			/* fills its own string fields */
			q = pmj_string(ps, p + 1, v);
			if (q != NULL && v != NULL)
			{
				v->raw = p;
				v->rawlen = q - p;
			}
			return q;
		case '-':
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			q = pmj_number(ps, p, &is_integer);
			if (q == NULL)
				return NULL;
			kind = PMJ_NUMBER;
			break;
		case 't':
			if (end - p < 4 || memcmp(p, "true", 4) != 0)
				return pmj_fail(ps, p, "invalid literal, expected true");
			q = p + 4;
			kind = PMJ_TRUE;
			break;
		case 'f':
			if (end - p < 5 || memcmp(p, "false", 5) != 0)
				return pmj_fail(ps, p, "invalid literal, expected false");
			q = p + 5;
			kind = PMJ_FALSE;
			break;
		case 'n':
			if (end - p < 4 || memcmp(p, "null", 4) != 0)
				return pmj_fail(ps, p, "invalid literal, expected null");
			q = p + 4;
			kind = PMJ_NULL;
			break;
		default:
			return pmj_fail(ps, p, "expected a JSON value, found %s",
							pmj_what(p, end, buf, sizeof(buf)));
	}
	if (v != NULL)
	{
		v->kind = kind;
		v->raw = p;
		v->rawlen = q - p;
		v->str = NULL;
		v->strlen = 0;
		v->is_integer = is_integer;
		v->str_in_scratch = false;
	}
	return q;
}

/* An object key and its colon at p.  Returns the position of the value. */
static const char *
pmj_key(PmjParse *ps, const char *p)
{
	const char *end = ps->end;
	char		buf[16];

	if (p >= end || *p != '"')
		return pmj_fail(ps, p, "expected a string key, found %s",
						pmj_what(p, end, buf, sizeof(buf)));
	p = pmj_string(ps, p + 1, NULL);
	if (p == NULL)
		return NULL;
	p = pmj_skip_ws(p, end);
	if (p >= end || *p != ':')
		return pmj_fail(ps, p, "expected ':' after an object key, found %s",
						pmj_what(p, end, buf, sizeof(buf)));
	return pmj_skip_ws(p + 1, end);
}

/*
 * Validate the array or object at p, at nesting depth "depth", and return the
 * position after it.  Iterative, with the open containers in a small array
 * rather than on the C stack, so no input can exhaust the stack: the depth
 * limit bounds the array.
 */
static const char *
pmj_container(PmjParse *ps, const char *p, int depth)
{
	const char *end = ps->end;
	char		closers[PMJ_MAX_DEPTH];
	int			top = 0;
	char		buf[16];

	for (;;)
	{
		/* p is at the start of a value */
		if (p >= end)
			return pmj_fail(ps, p, "unexpected end of line, expected a JSON value");
		if (*p == '[' || *p == '{')
		{
			char		closer = (*p == '[') ? ']' : '}';

			if (depth + top > PMJ_MAX_DEPTH)
				return pmj_fail(ps, p, "JSON nested deeper than %d levels", PMJ_MAX_DEPTH);
			closers[top++] = closer;
			p = pmj_skip_ws(p + 1, end);
			if (p < end && *p == closer)
			{
				p++;
				top--;
			}
			else
			{
				if (closer == '}' && (p = pmj_key(ps, p)) == NULL)
					return NULL;
				continue;
			}
		}
		else if ((p = pmj_scalar(ps, p, NULL)) == NULL)
			return NULL;

		/* a value ended: close containers until one has a next element */
		for (;;)
		{
			if (top == 0)
				return p;
			p = pmj_skip_ws(p, end);
			if (p < end && *p == closers[top - 1])
			{
				p++;
				top--;
				continue;
			}
			if (p >= end || *p != ',')
				return pmj_fail(ps, p, "expected ',' or '%c', found %s",
								closers[top - 1], pmj_what(p, end, buf, sizeof(buf)));
			p = pmj_skip_ws(p + 1, end);
			if (closers[top - 1] == '}' && (p = pmj_key(ps, p)) == NULL)
				return NULL;
			break;
		}
	}
}

PmjDecoder *
pmj_create(void)
{
	return calloc(1, sizeof(PmjDecoder));
}

/* Free every block. */
static void
pmj_free_blocks(PmjDecoder *d)
{
	PmjBlock   *b = d->blocks;

	while (b != NULL)
	{
		PmjBlock   *next = b->next;

		free(b);
		b = next;
	}
	d->blocks = NULL;
	d->total = 0;
}

void
pmj_destroy(PmjDecoder *d)
{
	if (d == NULL)
		return;
	pmj_free_blocks(d);
	free(d);
}

void
pmj_reset(PmjDecoder *d)
{
	size_t		total;
	PmjBlock   *b;

	if (d == NULL || d->blocks == NULL)
		return;
	total = d->total;
	if (total > PMJ_KEEP_MAX)
	{
		pmj_free_blocks(d);
		return;
	}
	if (d->blocks->next == NULL)
	{
		d->blocks->used = 0;
		return;
	}

	/*
	 * The last line outgrew one block: trade the chain for a single block of
	 * the same total size, so the next such line needs no allocation.  If
	 * that fails, start empty; a later reserve will try again.
	 */
	pmj_free_blocks(d);
	b = malloc(sizeof(PmjBlock) + total);
	if (b != NULL)
	{
		b->next = NULL;
		b->cap = total;
		b->used = 0;
		d->blocks = b;
		d->total = total;
	}
}

bool
pmj_int64(const PmjValue *v, int64_t *out)
{
	const char *p = v->raw;
	const char *end = v->raw + v->rawlen;
	bool		neg = false;
	uint64_t	acc = 0;
	uint64_t	limit;

	if (v->kind != PMJ_NUMBER || !v->is_integer || p >= end)
		return false;
	if (*p == '-')
	{
		neg = true;
		p++;
	}
	/* the magnitude of INT64_MIN is one more than INT64_MAX */
	limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	if (p >= end)
		return false;
	for (; p < end; p++)
	{
		unsigned	digit = (unsigned) (*p - '0');

		if (digit > 9)
			return false;
		if (acc > (limit - digit) / 10)
			return false;
		acc = acc * 10 + digit;
	}
	if (neg)
		*out = (acc == (uint64_t) INT64_MAX + 1) ? INT64_MIN : -(int64_t) acc;
	else
		*out = (int64_t) acc;
	return true;
}

PmjResult
pmj_decode_array(PmjDecoder *d, const char *line, size_t len,
				 PmjValue *values, int maxvalues, int *nfound,
				 char *err, size_t errlen)
{
	PmjParse	ps;
	const char *end = line + len;
	const char *p;
	int			n = 0;
	char		buf[16];

	ps.d = d;
	ps.start = line;
	ps.end = end;
	ps.blk = NULL;
	ps.err = err;
	ps.errlen = errlen;
	*nfound = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	p = pmj_skip_ws(line, end);
	if (p < end && *p == '{')
		return PMJ_NOT_ARRAY;
	if (p >= end || *p != '[')
	{
		pmj_fail(&ps, p, "expected a JSON array, found %s",
				 pmj_what(p, end, buf, sizeof(buf)));
		return PMJ_BAD;
	}
	p = pmj_skip_ws(p + 1, end);
	if (p < end && *p == ']')
		p++;
	else
	{
		for (;;)
		{
			PmjValue   *v;

			if (p >= end)
			{
				pmj_fail(&ps, p, "unexpected end of line, expected a JSON value");
				return PMJ_BAD;
			}
			if (n >= maxvalues)
			{
				pmj_fail(&ps, p, "row has more than %d values", maxvalues);
				return PMJ_BAD;
			}
			v = &values[n];
			if (*p == '[' || *p == '{')
			{
				const char *q = pmj_container(&ps, p, 2);

				if (q == NULL)
					return PMJ_BAD;
				v->kind = (*p == '[') ? PMJ_ARRAY : PMJ_OBJECT;
				v->raw = p;
				v->rawlen = q - p;
				v->str = NULL;
				v->strlen = 0;
				v->is_integer = false;
				v->str_in_scratch = false;
				p = q;
			}
			else if ((p = pmj_scalar(&ps, p, v)) == NULL)
				return PMJ_BAD;
			n++;

			p = pmj_skip_ws(p, end);
			if (p < end && *p == ',')
			{
				p = pmj_skip_ws(p + 1, end);
				continue;
			}
			if (p < end && *p == ']')
			{
				p++;
				break;
			}
			pmj_fail(&ps, p, "expected ',' or ']', found %s",
					 pmj_what(p, end, buf, sizeof(buf)));
			return PMJ_BAD;
		}
	}

	p = pmj_skip_ws(p, end);
	if (p < end)
	{
		pmj_fail(&ps, p, "unexpected %s after the row's array",
				 pmj_what(p, end, buf, sizeof(buf)));
		return PMJ_BAD;
	}
	*nfound = n;
	return PMJ_ROW;
}
