/*
 * encode.c - the byte buffer and the JSON encoders used for every row value.
 *
 * This is the hot path of a scan, so it appends bytes directly instead of
 * building jansson values: text is escaped with a table and an ASCII fast
 * path, integers and timestamps are formatted by hand, and doubles take a
 * fast exact path before falling back to snprintf.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pm_internal.h"

bool
pm_buf_grow(pm_buf *b, size_t extra)
{
	size_t		need;
	size_t		cap;
	char	   *p;

	if (b->oom)
		return false;
	if (extra > SIZE_MAX / 2 - b->len)
	{
		b->oom = true;
		return false;
	}
	need = b->len + extra;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL)
	{
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void
pm_buf_free(pm_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

/*
 * 0: copy as is; 1: needs an escape; 2: first byte of a multi-byte UTF-8
 * sequence (or an invalid byte), checked by the slow path.
 */
static const unsigned char text_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

#define TEXT_CHUNK 4096

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t
utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t		len;
	uint32_t	cp;
	size_t		i;

	if (c >= 0xC2 && c <= 0xDF)
	{
		len = 2;
		cp = c & 0x1F;
	}
	else if (c >= 0xE0 && c <= 0xEF)
	{
		len = 3;
		cp = c & 0x0F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		len = 4;
		cp = c & 0x07;
	}
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates and values past U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		(cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return len;
}

/*
 * A JSON string.  Control characters are escaped; each invalid UTF-8 byte
 * becomes U+FFFD, so the output is always valid JSON and valid UTF-8.
 * After an allocation failure b->oom is set and the caller fails the row.
 */
void
pm_enc_text(pm_buf *b, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *) str;
	size_t		i = 0;

	pm_buf_putc(b, '"');
	while (i < len)
	{
		/*
		 * Reserve for the worst case (every byte a 6-byte escape) one chunk
		 * at a time, so a large value costs about its own size, not six
		 * times it.  A UTF-8 sequence may run up to 3 bytes past the chunk.
		 */
		size_t		chunk_end = i + (len - i < TEXT_CHUNK ? len - i : TEXT_CHUNK);

		if (!pm_buf_reserve(b, (chunk_end - i + 3) * 6))
			return;
		while (i < chunk_end)
		{
			size_t		run = i;
			unsigned char c;

			while (run < chunk_end && text_class[s[run]] == 0)
				run++;
			if (run > i)
			{
				memcpy(b->data + b->len, s + i, run - i);
				b->len += run - i;
				i = run;
				if (i == chunk_end)
					break;
			}
			c = s[i];
			if (text_class[c] == 1)
			{
				char	   *o = b->data + b->len;

				o[0] = '\\';
				switch (c)
				{
					case '"':
						o[1] = '"';
						b->len += 2;
						break;
					case '\\':
						o[1] = '\\';
						b->len += 2;
						break;
					case '\n':
						o[1] = 'n';
						b->len += 2;
						break;
					case '\r':
						o[1] = 'r';
						b->len += 2;
						break;
					case '\t':
						o[1] = 't';
						b->len += 2;
						break;
					case '\b':
						o[1] = 'b';
						b->len += 2;
						break;
					case '\f':
						o[1] = 'f';
						b->len += 2;
						break;
					default:
						o[1] = 'u';
						o[2] = '0';
						o[3] = '0';
						o[4] = hex[c >> 4];
						o[5] = hex[c & 15];
						b->len += 6;
						break;
				}
				i++;
			}
			else
			{
				size_t		n = utf8_sequence(s + i, len - i);

				if (n == 0)
				{
					/* U+FFFD REPLACEMENT CHARACTER */
					memcpy(b->data + b->len, "\xEF\xBF\xBD", 3);
					b->len += 3;
					i++;
				}
				else
				{
					memcpy(b->data + b->len, s + i, n);
					b->len += n;
					i += n;
				}
			}
		}
	}
	pm_buf_putc(b, '"');
}

/* Writes the decimal digits of v (v < 10^20) ending at end; returns start. */
static char *
format_u64(char *end, uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char	   *p = end;

	while (v >= 100)
	{
		unsigned	r = (unsigned) (v % 100);

		v /= 100;
		p -= 2;
		p[0] = pairs[r * 2];
		p[1] = pairs[r * 2 + 1];
	}
	if (v >= 10)
	{
		p -= 2;
		p[0] = pairs[v * 2];
		p[1] = pairs[v * 2 + 1];
	}
	else
		*--p = (char) ('0' + v);
	return p;
}

void
pm_enc_int64(pm_buf *b, int64_t v)
{
	char		tmp[24];
	char	   *end = tmp + sizeof(tmp);
	char	   *p;
	uint64_t	u = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;

	p = format_u64(end, u);
	if (v < 0)
		*--p = '-';
	pm_buf_append(b, p, (size_t) (end - p));
}

/*
 * A JSON number that reads back as exactly v.  Most values in practice have
 * few decimals: when v * 10^6 is an integer n and n / 10^6 == v, the decimal
 * n / 10^6 is correctly rounded to v, so printing it is exact.  Otherwise
 * %.17g is always exact.  NaN and infinities have no JSON form: null.
 */
void
pm_enc_double(pm_buf *b, double v)
{
	char		tmp[40];
	int			n;

	if (!isfinite(v))
	{
		pm_buf_puts(b, "null");
		return;
	}
	if (fabs(v) < 1e9)
	{
		double		t = v * 1e6;
		int64_t		m = (int64_t) t;

		if ((double) m == t && (double) m / 1e6 == v)
		{
			uint64_t	u = m < 0 ? (uint64_t) -m : (uint64_t) m;
			uint64_t	ip = u / 1000000;
			uint64_t	fp = u % 1000000;
			char	   *end = tmp + sizeof(tmp);
			char	   *p = end;

			if (fp != 0)
			{
				int			digits = 6;

				while (fp % 10 == 0)
				{
					fp /= 10;
					digits--;
				}
				p = format_u64(end, fp);
				while (end - p < digits)
					*--p = '0';
				*--p = '.';
			}
			p = format_u64(p, ip);
			if (m < 0)
				*--p = '-';
			pm_buf_append(b, p, (size_t) (end - p));
			return;
		}
	}
	n = snprintf(tmp, sizeof(tmp), "%.15g", v);
	if (n > 0 && (size_t) n < sizeof(tmp) && strtod(tmp, NULL) != v)
		n = snprintf(tmp, sizeof(tmp), "%.17g", v);
	if (n <= 0 || (size_t) n >= sizeof(tmp))
	{
		pm_buf_puts(b, "null");
		return;
	}
	pm_buf_append(b, tmp, (size_t) n);
}

/* Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t		era;
	unsigned	doe;
	unsigned	yoe;
	unsigned	doy;
	unsigned	mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned) (z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t) yoe + era * 400 + (*m <= 2);
}

static inline char *
put2(char *p, unsigned v)
{
	p[0] = (char) ('0' + v / 10);
	p[1] = (char) ('0' + v % 10);
	return p + 2;
}

/* "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" in UTC, microsecond precision. */
void
pm_enc_time(pm_buf *b, time_t sec, long nsec)
{
	int64_t		s = (int64_t) sec;
	int64_t		days;
	int64_t		rem;
	int64_t		y;
	unsigned	mo;
	unsigned	d;
	char		tmp[48];
	char	   *p = tmp;
	long		usec;

	if (nsec < 0 || nsec >= 1000000000L)
	{
		s += nsec / 1000000000L;
		nsec %= 1000000000L;
		if (nsec < 0)
		{
			nsec += 1000000000L;
			s--;
		}
	}
	days = s / 86400;
	rem = s % 86400;
	if (rem < 0)
	{
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &mo, &d);
	if (y < 0 || y > 9999)
	{
		/* out of ISO 8601's four-digit range: let snprintf spell it */
		int			n = snprintf(tmp, sizeof(tmp), "\"%04lld-%02u-%02uT%02u:%02u:%02uZ\"",
								 (long long) y, mo, d, (unsigned) (rem / 3600),
								 (unsigned) (rem / 60 % 60), (unsigned) (rem % 60));

		pm_buf_append(b, tmp, (size_t) n);
		return;
	}
	*p++ = '"';
	p = put2(p, (unsigned) (y / 100));
	p = put2(p, (unsigned) (y % 100));
	*p++ = '-';
	p = put2(p, mo);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, (unsigned) (rem / 3600));
	*p++ = ':';
	p = put2(p, (unsigned) (rem / 60 % 60));
	*p++ = ':';
	p = put2(p, (unsigned) (rem % 60));
	usec = nsec / 1000;
	if (usec != 0)
	{
		*p++ = '.';
		p = put2(p, (unsigned) (usec / 10000));
		p = put2(p, (unsigned) (usec / 100 % 100));
		p = put2(p, (unsigned) (usec % 100));
	}
	*p++ = 'Z';
	*p++ = '"';
	pm_buf_append(b, tmp, (size_t) (p - tmp));
}
