/*
 * test_rowdecode.c
 *		Unit and differential tests of fdw/rowdecode.c, in TAP.
 *
 * Every input is copied into a heap block of exactly its length before it is
 * decoded, so that under AddressSanitizer (make check builds with it) any
 * read past len fails the run.  Each hand-written case states what the
 * decoder must answer and is also run through the jansson oracle; the bulk
 * tests (every short byte sequence inside a string, every \u escape,
 * generated rows and their mutations) only use the oracle.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "rowdecode.h"

#define MAXV 64

static int	ntests;
static int	nfailed;

/* Allocation counters, through ld --wrap (see the Makefile). */
static long nallocs;
extern void *__real_malloc(size_t n);
extern void *__real_calloc(size_t n, size_t m);
extern void *__real_realloc(void *p, size_t n);
extern void *__wrap_malloc(size_t n);
extern void *__wrap_calloc(size_t n, size_t m);
extern void *__wrap_realloc(void *p, size_t n);

void *
__wrap_malloc(size_t n)
{
	nallocs++;
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	nallocs++;
	return __real_calloc(n, m);
}

void *
__wrap_realloc(void *p, size_t n)
{
	nallocs++;
	return __real_realloc(p, n);
}

static void ok(bool cond, const char *fmt,...) __attribute__((format(printf, 2, 3)));
static void diag(const char *fmt,...) __attribute__((format(printf, 1, 2)));

static void
ok(bool cond, const char *fmt,...)
{
	va_list		ap;

	ntests++;
	if (!cond)
		nfailed++;
	printf("%sok %d - ", cond ? "" : "not ", ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void
diag(const char *fmt,...)
{
	va_list		ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Printable rendering of an input for diagnostics (truncated). */
static const char *
show(const char *s, size_t len)
{
	static char buf[200];
	size_t		o = 0;
	size_t		i;

	for (i = 0; i < len && o < sizeof(buf) - 8; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = c;
		else
			o += snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
	}
	if (i < len)
		o += snprintf(buf + o, sizeof(buf) - o, "...");
	buf[o] = '\0';
	return buf;
}

/* A heap copy of exactly len bytes: ASan reports any read beyond it. */
static char *
exact_copy(const char *s, size_t len)
{
	char	   *c = malloc(len ? len : 1);

	memcpy(c, s, len);
	return c;
}

/* ---------------------------------------------------------------------
 * Hand-written cases
 * ---------------------------------------------------------------------
 */
typedef struct Case
{
	const char *desc;
	const char *in;
	size_t		len;			/* 0: strlen(in) */
	PmjResult	want;
	const char *kinds;			/* PMJ_ROW: n t f i(nteger) r(eal) s a o */
	const char *str;			/* decoded text of the first string, if set */
	const char *errsub;			/* PMJ_BAD: part of the message */
	bool		known;			/* a documented difference from jansson */
} Case;

#define ROW(d, in, k) {d, in, 0, PMJ_ROW, k, NULL, NULL, false}
#define ROWK(d, in, k) {d, in, 0, PMJ_ROW, k, NULL, NULL, true}
#define STR(d, in, s) {d, in, 0, PMJ_ROW, "s", s, NULL, false}
#define BAD(d, in, e) {d, in, 0, PMJ_BAD, NULL, NULL, e, false}
#define BADK(d, in, e) {d, in, 0, PMJ_BAD, NULL, NULL, e, true}
#define BADN(d, in, n, e) {d, in, n, PMJ_BAD, NULL, NULL, e, false}
#define OBJ(d, in) {d, in, 0, PMJ_NOT_ARRAY, NULL, NULL, NULL, false}

static const Case cases[] = {
	/* shape */
	ROW("the protocol's example row",
		"[1,\"row-1\",0.5,false,\"2020-01-01T00:00:01Z\",{\"a\":[1,2]},null,[\"x\",\"y\"]]",
		"isrfsona"),
	ROW("empty array", "[]", ""),
	ROW("empty array with spaces", " [ \t] ", ""),
	ROW("whitespace between every token", " \t[ 1 ,\t\"a\" , [ ] ,{ } ]\t ", "isao"),
	ROW("trailing \\r", "[1]\r", "i"),
	ROW("trailing \\r\\n and spaces", "[1]  \r\n", "i"),
	ROW("newline inside the array is whitespace", "[1,\r\n2]", "ii"),
	OBJ("end trailer", "{\"end\":true,\"rows\":3}"),
	OBJ("error line with leading spaces", "  {\"error\":{\"message\":\"boom\"}}"),
	OBJ("object lines are not validated here", "{garbage"),
	BAD("empty line", "", "expected a JSON array, found end of line at byte 0"),
	BAD("only whitespace", "  \r", "end of line at byte 3"),
	BAD("top-level number", "1", "expected a JSON array"),
	BAD("top-level string", "\"x\"", "expected a JSON array"),
	BAD("top-level null", "null", "expected a JSON array"),
	BAD("closing bracket alone", "]", "expected a JSON array"),
	BAD("byte order mark", "\xef\xbb\xbf[1]", "byte 0xef"),
	BAD("extra closing bracket", "[1]]", "after the row's array at byte 3"),
	BAD("two arrays", "[1] [2]", "after the row's array"),
	BAD("garbage after", "[1] x", "after the row's array"),
	BADN("NUL after the array", "[1]\0", 4, "byte 0x00"),
	{"NUL right after a number (jansson skips it)", "[1\0]", 4, PMJ_BAD, NULL, NULL,
	"byte 0x00 at byte 2", true},
	{"NULs right after literals (jansson skips them)", "[true\0,null\0]", 13, PMJ_BAD, NULL, NULL,
	"byte 0x00 at byte 5", true},
	BAD("no-break space after the array", "[1]\xc2\xa0", "after the row's array"),
	BAD("trailing comma", "[1,]", "expected a JSON value, found ']' at byte 3"),
	BAD("leading comma", "[,1]", "expected a JSON value"),
	BAD("double comma", "[1,,2]", "expected a JSON value"),
	BAD("missing comma", "[1 2]", "expected ',' or ']', found '2' at byte 3"),
	BAD("unclosed empty", "[", "end of line"),
	BAD("unclosed after value", "[1", "end of line"),
	BAD("unclosed after comma", "[1,", "end of line"),
	BAD("unclosed after string", "[\"a\"", "end of line"),
	BAD("unterminated string", "[\"a", "unterminated string at byte 1"),
	BAD("colon in array", "[1:2]", "expected ','"),
	BAD("bare word", "[x]", "expected a JSON value, found 'x' at byte 1"),
	BAD("single quotes", "['a']", "expected a JSON value"),
	BAD("UTF-8 outside a string", "[\xc3\xa9]", "byte 0xc3"),
	BAD("control byte outside a string", "[\x01]", "byte 0x01"),
	BAD("vertical tab is not JSON whitespace", "[\v1]", "byte 0x0b"),
	BAD("form feed is not JSON whitespace", "[1\f]", "byte 0x0c"),

	/* numbers */
	ROW("integers", "[0,-0,1,-1,123456789,9223372036854775807,-9223372036854775808]",
		"iiiiiii"),
	ROW("reals", "[0.5,-0.5,1e5,1E5,1e+5,1e-5,1.5e10,-1.25E-3,0e0,0.0,1e308,1e-400]",
		"rrrrrrrrrrrr"),
	BAD("leading zero", "[01]", "expected ',' or ']', found '1' at byte 2"),
	BAD("negative leading zero", "[-01]", "expected ','"),
	BAD("double zero", "[00]", "expected ','"),
	BAD("plus sign", "[+1]", "expected a JSON value, found '+'"),
	BAD("leading dot", "[.5]", "expected a JSON value"),
	BAD("negative leading dot", "[-.5]", "invalid number at byte 1"),
	BAD("trailing dot", "[1.]", "digit after '.'"),
	BAD("trailing dot at end of line", "[1.", "digit after '.'"),
	BAD("dot then exponent", "[1.e5]", "digit after '.'"),
	BAD("empty exponent", "[1e]", "exponent"),
	BAD("empty signed exponent", "[1e+]", "exponent"),
	BAD("exponent at end of line", "[1E", "exponent"),
	BAD("minus alone", "[-]", "invalid number"),
	BAD("minus at end of line", "[-", "invalid number"),
	BAD("double minus", "[--1]", "invalid number"),
	BAD("NaN", "[NaN]", "expected a JSON value, found 'N'"),
	BAD("Infinity", "[Infinity]", "expected a JSON value"),
	BAD("-Infinity", "[-Infinity]", "invalid number"),
	BAD("hex", "[0x10]", "found 'x'"),
	BAD("two dots", "[1.5.3]", "found '.'"),
	BAD("two exponents", "[1e5e5]", "found 'e'"),
	BAD("digit group separator", "[1_000]", "found '_'"),
	ROWK("integer beyond 64 bits (jansson: too big integer)",
		 "[123456789012345678901234567890]", "i"),
	ROWK("negative integer beyond 64 bits", "[-99999999999999999999]", "i"),
	ROWK("real beyond double (jansson: overflow)", "[1e400]", "r"),

	/* literals */
	ROW("literals", "[true,false,null]", "tfn"),
	BAD("truncated true", "[tru]", "expected true at byte 1"),
	BAD("truncated true at end of line", "[tr", "expected true"),
	BAD("capitalised True", "[True]", "found 'T'"),
	BAD("NULL", "[NULL]", "found 'N'"),
	BAD("truncated null", "[nul]", "expected null"),
	BAD("truncated false", "[fals]", "expected false"),
	BAD("true with a tail", "[truex]", "found 'x'"),
	BAD("null with a tail", "[nulll]", "found 'l'"),
	BAD("two literals glued", "[truefalse]", "found 'f'"),
	BAD("undefined", "[undefined]", "found 'u'"),
	BAD("true then end of line", "[true", "end of line"),

	/* strings */
	ROW("empty strings", "[\"\",\"\"]", "ss"),
	STR("plain string", "[\"abc\"]", "abc"),
	STR("every short escape", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "\"\\/\b\f\n\r\t"),
	STR("\\u escape of ASCII", "[\"a\\u0041b\"]", "aAb"),
	STR("\\u escape, two UTF-8 bytes", "[\"\\u00e9\"]", "\xc3\xa9"),
	STR("\\u escape, three UTF-8 bytes", "[\"\\u20AC\"]", "\xe2\x82\xac"),
	STR("\\u escape, lower case hex", "[\"\\u20ac\"]", "\xe2\x82\xac"),
	STR("surrogate pair", "[\"\\uD83D\\uDE00\"]", "\xf0\x9f\x98\x80"),
	STR("surrogate pair, lower case", "[\"\\ud83d\\ude00\"]", "\xf0\x9f\x98\x80"),
	STR("highest code point", "[\"\\uDBFF\\uDFFF\"]", "\xf4\x8f\xbf\xbf"),
	STR("noncharacter U+FFFF is a valid escape", "[\"\\uFFFF\"]", "\xef\xbf\xbf"),
	STR("U+0001", "[\"\\u0001\"]", "\x01"),
	STR("last byte below the three-byte forms", "[\"\\u07FF\"]", "\xdf\xbf"),
	STR("raw DEL", "[\"\x7f\"]", "\x7f"),
	STR("raw UTF-8", "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]",
		"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
	STR("escape inside a long ASCII run",
		"[\"0123456789abcdefg\\nhijklmnopqrstuvwxyz0123456789\"]",
		"0123456789abcdefg\nhijklmnopqrstuvwxyz0123456789"),
	STR("escape as the last character", "[\"abc\\n\"]", "abc\n"),
	STR("escaped quote then more", "[\"a\\\"b\"]", "a\"b"),
	STR("escaped slash", "[\"a\\/b\"]", "a/b"),
	BAD("\\u0000", "[\"\\u0000\"]", "PostgreSQL text cannot hold a NUL character at byte 2"),
	BAD("\\u0000 inside a string", "[\"ab\\u0000c\"]", "NUL character at byte 4"),
	BAD("\\u0000 as an object key", "[{\"\\u0000\":1}]", "NUL"),
	BAD("\\u0000 in a nested array", "[[\"\\u0000\"]]", "NUL"),
	BAD("lone high surrogate", "[\"\\uD800\"]", "not followed by a low surrogate"),
	BAD("high surrogate then text", "[\"\\uD800xxxxxxx\"]", "low surrogate"),
	BAD("high surrogate then ASCII escape", "[\"\\uD800\\u0041\"]", "low surrogate"),
	BAD("two high surrogates", "[\"\\uD800\\uD800\"]", "low surrogate"),
	BAD("high surrogate then another escape", "[\"\\uD800\\n\"]", "low surrogate"),
	BAD("lone low surrogate", "[\"\\uDC00\"]", "unpaired low surrogate \\uDC00"),
	BAD("reversed pair", "[\"\\uDC00\\uD800\"]", "unpaired low surrogate"),
	BAD("high surrogate at end of line", "[\"\\uD83D", "low surrogate"),
	BAD("truncated low surrogate", "[\"\\uD83D\\uDE0\"]", "low surrogate"),
	BAD("short \\u", "[\"\\u12\"]", "four hex digits"),
	BAD("\\u at end of line", "[\"\\u12", "four hex digits"),
	BAD("non-hex \\u", "[\"\\u12G4\"]", "four hex digits"),
	BAD("\\U", "[\"\\U0041\"]", "invalid escape \\'U'"),
	BAD("\\x", "[\"\\x41\"]", "invalid escape"),
	BAD("\\a", "[\"\\a\"]", "invalid escape"),
	BAD("\\'", "[\"\\'\"]", "invalid escape"),
	BAD("backslash space", "[\"\\ \"]", "invalid escape"),
	BAD("backslash at end of line", "[\"\\", "unterminated string"),
	BAD("escaped closing quote", "[\"abc\\\"]", "unterminated string"),
	BAD("raw tab", "[\"a\tb\"]", "unescaped control character 0x09 in string at byte 3"),
	BAD("raw newline", "[\"a\nb\"]", "control character 0x0a"),
	BAD("raw 0x01", "[\"\x01\"]", "control character 0x01"),
	BAD("raw 0x1f", "[\"\x1f\"]", "control character 0x1f"),
	BADN("raw NUL", "[\"a\0b\"]", 7, "control character 0x00"),
	BAD("raw control byte after a long ASCII run",
		"[\"0123456789abcdefghij\x01\"]", "control character 0x01 in string at byte 22"),

	/* UTF-8 */
	STR("U+0080", "[\"\xc2\x80\"]", "\xc2\x80"),
	STR("U+07FF", "[\"\xdf\xbf\"]", "\xdf\xbf"),
	STR("U+0800", "[\"\xe0\xa0\x80\"]", "\xe0\xa0\x80"),
	STR("U+CFFF", "[\"\xec\xbf\xbf\"]", "\xec\xbf\xbf"),
	STR("U+D7FF", "[\"\xed\x9f\xbf\"]", "\xed\x9f\xbf"),
	STR("U+E000", "[\"\xee\x80\x80\"]", "\xee\x80\x80"),
	STR("U+FFFF", "[\"\xef\xbf\xbf\"]", "\xef\xbf\xbf"),
	STR("U+10000", "[\"\xf0\x90\x80\x80\"]", "\xf0\x90\x80\x80"),
	STR("U+10FFFF", "[\"\xf4\x8f\xbf\xbf\"]", "\xf4\x8f\xbf\xbf"),
	STR("UTF-8 then an escape", "[\"\xc3\xa9\\n\xc3\xa9\"]", "\xc3\xa9\n\xc3\xa9"),
	BAD("lone continuation byte", "[\"\x80\"]", "invalid UTF-8 byte sequence in string at byte 2"),
	BAD("lone continuation 0xbf", "[\"a\xbf\"]", "invalid UTF-8"),
	BAD("overlong NUL C0 80", "[\"\xc0\x80\"]", "invalid UTF-8"),
	BAD("overlong C1 BF", "[\"\xc1\xbf\"]", "invalid UTF-8"),
	BAD("overlong three bytes E0 80 80", "[\"\xe0\x80\x80\"]", "invalid UTF-8"),
	BAD("overlong three bytes E0 9F BF", "[\"\xe0\x9f\xbf\"]", "invalid UTF-8"),
	BAD("surrogate U+D800 in UTF-8", "[\"\xed\xa0\x80\"]", "invalid UTF-8"),
	BAD("surrogate U+DFFF in UTF-8", "[\"\xed\xbf\xbf\"]", "invalid UTF-8"),
	BAD("overlong four bytes F0 80 80 80", "[\"\xf0\x80\x80\x80\"]", "invalid UTF-8"),
	BAD("overlong four bytes F0 8F BF BF", "[\"\xf0\x8f\xbf\xbf\"]", "invalid UTF-8"),
	BAD("above U+10FFFF: F4 90 80 80", "[\"\xf4\x90\x80\x80\"]", "invalid UTF-8"),
	BAD("F5 lead byte", "[\"\xf5\x80\x80\x80\"]", "invalid UTF-8"),
	BAD("FE", "[\"\xfe\"]", "invalid UTF-8"),
	BAD("FF", "[\"\xff\"]", "invalid UTF-8"),
	BAD("two-byte form cut by the quote", "[\"\xc3\"]", "invalid UTF-8"),
	BAD("three-byte form cut by the quote", "[\"\xe2\x82\"]", "invalid UTF-8"),
	BAD("four-byte form cut by the quote", "[\"\xf0\x9f\x98\"]", "invalid UTF-8"),
	BAD("two-byte form cut by the end of line", "[\"\xc3", "invalid UTF-8"),
	BAD("three-byte form cut by the end of line", "[\"\xe2\x82", "invalid UTF-8"),
	BAD("four-byte form cut by the end of line", "[\"\xf0\x9f\x98", "invalid UTF-8"),
	BAD("lead byte followed by a lead byte", "[\"\xc3\xc3\xa9\"]", "invalid UTF-8"),
	BAD("invalid UTF-8 in an object key", "[{\"\xc0\x80\":1}]", "invalid UTF-8"),
	BAD("invalid UTF-8 in a nested string", "[[\"\xed\xa0\x80\"]]", "invalid UTF-8"),

	/* nested values */
	ROW("nested array and object", "[[1,2],{\"a\":1}]", "ao"),
	ROW("empty nested", "[[],{}]", "ao"),
	ROW("deeper nesting", "[[[],[[]]],{\"a\":{\"b\":[{}]}}]", "ao"),
	ROW("duplicate keys (both accept)", "[{\"a\":1,\"a\":2}]", "o"),
	ROW("whitespace inside nested values", "[ { \"k\" : [ 1 , { } ] , \"l\" : null } ]", "o"),
	ROW("every kind nested", "[[null,true,false,1,1.5,\"s\",[],{}]]", "a"),
	BAD("trailing comma in nested array", "[[1,]]", "expected a JSON value"),
	BAD("missing comma in nested array", "[[1 2]]", "expected ',' or ']', found '2' at byte 4"),
	BAD("key without value", "[{\"a\"}]", "expected ':'"),
	BAD("key and colon without value", "[{\"a\":}]", "expected a JSON value"),
	BAD("unquoted key", "[{a:1}]", "expected a string key"),
	BAD("number key", "[{1:2}]", "expected a string key"),
	BAD("trailing comma in object", "[{\"a\":1,}]", "expected a string key"),
	BAD("leading comma in object", "[{,\"a\":1}]", "expected a string key"),
	BAD("missing colon", "[{\"a\" 1}]", "expected ':'"),
	BAD("array closed by brace", "[[}]", "expected a JSON value"),
	BAD("object closed by bracket", "[{]}", "expected a string key"),
	BAD("object closed by bracket after a member", "[{\"a\":1]]", "expected ',' or '}'"),
	BAD("array closed by brace after an element", "[{\"a\":[1,2}]", "expected ',' or ']'"),
	BAD("extra brace", "[{\"a\":1}}", "expected ',' or ']'"),
	BAD("extra bracket", "[[1]]]", "after the row's array"),
	BAD("leading zero in a nested array", "[[01]]", "expected ','"),
	BAD("bad literal in an object", "[{\"a\":tru}]", "expected true"),
	BAD("lone surrogate in a nested array", "[[\"\\uD800\"]]", "low surrogate"),
	BAD("unclosed nested array", "[[", "end of line"),
	BAD("unclosed nested object", "[{\"a\":1", "end of line"),
	BAD("unclosed object key", "[{\"a", "unterminated string"),
	BAD("object key then end of line", "[{\"a\"", "expected ':'"),
};

static char
kind_letter(const PmjValue *v)
{
	switch (v->kind)
	{
		case PMJ_NULL:
			return 'n';
		case PMJ_TRUE:
			return 't';
		case PMJ_FALSE:
			return 'f';
		case PMJ_NUMBER:
			return v->is_integer ? 'i' : 'r';
		case PMJ_STRING:
			return 's';
		case PMJ_ARRAY:
			return 'a';
		case PMJ_OBJECT:
			return 'o';
	}
	return '?';
}

/*
 * Run one input: the decoder's own answer against what is expected, then the
 * oracle.  Returns false with a reason in why.
 */
static bool
check_case(PmjDecoder *d, const char *in, size_t len, PmjResult want,
		   const char *kinds, const char *str, const char *errsub, bool known,
		   char *why, size_t whylen)
{
	char	   *copy = exact_copy(in, len);
	PmjValue	vals[MAXV];
	char		err[256];
	char		got[MAXV + 1];
	int			n;
	int			i;
	int			accepted;
	char		owhy[512];
	OracleVerdict ov;
	PmjResult	r;
	bool		good = true;

	pmj_reset(d);
	r = pmj_decode_array(d, copy, len, vals, MAXV, &n, err, sizeof(err));
	if (r != want)
	{
		snprintf(why, whylen, "result %d, want %d (%s)", (int) r, (int) want, err);
		good = false;
	}
	else if (r == PMJ_ROW)
	{
		for (i = 0; i < n; i++)
			got[i] = kind_letter(&vals[i]);
		got[n] = '\0';
		if (strcmp(got, kinds) != 0)
		{
			snprintf(why, whylen, "kinds \"%s\", want \"%s\"", got, kinds);
			good = false;
		}
		else if (str != NULL &&
				 (vals[0].strlen != strlen(str) ||
				  memcmp(vals[0].str, str, vals[0].strlen) != 0))
		{
			snprintf(why, whylen, "decoded \"%s\"", show(vals[0].str, vals[0].strlen));
			good = false;
		}
	}
	else if (r == PMJ_BAD && errsub != NULL && strstr(err, errsub) == NULL)
	{
		snprintf(why, whylen, "message \"%s\" lacks \"%s\"", err, errsub);
		good = false;
	}

	if (good && want != PMJ_NOT_ARRAY)
	{
		ov = oracle_check(d, copy, len, &accepted, owhy, sizeof(owhy));
		if (ov != (known ? ORACLE_KNOWN : ORACLE_AGREE))
		{
			snprintf(why, whylen, "oracle verdict %d: %s", (int) ov, owhy);
			good = false;
		}
	}
	free(copy);
	return good;
}

static void
test_cases(PmjDecoder *d)
{
	size_t		i;
	char		why[768];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		const Case *c = &cases[i];
		size_t		len = c->len ? c->len : strlen(c->in);
		bool		good;

		why[0] = '\0';
		good = check_case(d, c->in, len, c->want, c->kinds, c->str, c->errsub,
						  c->known, why, sizeof(why));
		ok(good, "%s", c->desc);
		if (!good)
			diag("input %s: %s", show(c->in, len), why);
	}
}

/* ---------------------------------------------------------------------
 * Depth
 * ---------------------------------------------------------------------
 */

/* depth levels of arrays (or of objects inside the row array) */
static char *
nest(int depth, bool objects, bool closed, size_t *len)
{
	size_t		cap = (size_t) depth * 8 + 16;
	char	   *s = malloc(cap);
	size_t		o = 0;
	int			i;

	if (!objects)
	{
		for (i = 0; i < depth; i++)
			s[o++] = '[';
		for (i = 0; closed && i < depth; i++)
			s[o++] = ']';
	}
	else
	{
		s[o++] = '[';
		for (i = 1; i < depth; i++)
		{
			memcpy(s + o, "{\"a\":", 5);
			o += 5;
		}
		s[o++] = '1';
		for (i = 1; closed && i < depth; i++)
			s[o++] = '}';
		if (closed)
			s[o++] = ']';
	}
	*len = o;
	return s;
}

static void
test_depth(PmjDecoder *d)
{
	static const struct
	{
		int			depth;
		bool		objects;
		bool		closed;
		PmjResult	want;
		bool		known;
	}			t[] = {
		{PMJ_MAX_DEPTH, false, true, PMJ_ROW, false},
		{PMJ_MAX_DEPTH + 1, false, true, PMJ_BAD, true},
		{2048, false, true, PMJ_BAD, true},
		{2049, false, true, PMJ_BAD, false},
		{100000, false, true, PMJ_BAD, false},
		{1000000, false, false, PMJ_BAD, false},
		{PMJ_MAX_DEPTH, true, true, PMJ_ROW, false},
		{PMJ_MAX_DEPTH + 1, true, true, PMJ_BAD, true},
		{100000, true, true, PMJ_BAD, false},
		{PMJ_MAX_DEPTH, false, false, PMJ_BAD, false},
	};
	size_t		i;
	char		why[768];

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
	{
		size_t		len;
		char	   *s = nest(t[i].depth, t[i].objects, t[i].closed, &len);
		bool		good;

		why[0] = '\0';
		good = check_case(d, s, len, t[i].want,
						  t[i].want == PMJ_ROW ? (t[i].objects ? "o" : "a") : NULL, NULL,
						  t[i].want == PMJ_BAD && t[i].closed && t[i].depth > PMJ_MAX_DEPTH ?
						  "nested deeper than 1000 levels" : NULL,
						  t[i].known, why, sizeof(why));
		ok(good, "depth %d of %s%s: %s", t[i].depth, t[i].objects ? "objects" : "arrays",
		   t[i].closed ? "" : " (unclosed)",
		   t[i].want == PMJ_ROW ? "accepted" : "refused without overflowing the stack");
		if (!good)
			diag("%s", why);
		free(s);
	}
}

/* ---------------------------------------------------------------------
 * API details
 * ---------------------------------------------------------------------
 */
static void
test_api(PmjDecoder *d)
{
	const char *row = "[1,\"a\\nb\",[2,\"c\\td\"]]";
	char	   *copy = exact_copy(row, strlen(row));
	PmjValue	vals[3];
	PmjValue	inner[2];
	char		err[128];
	char		tiny[8];
	int			n;
	PmjResult	r;

	pmj_reset(d);
	r = pmj_decode_array(d, copy, strlen(row), vals, 3, &n, err, sizeof(err));
	ok(r == PMJ_ROW && n == 3, "exactly maxvalues values are accepted");
	ok(r == PMJ_ROW && vals[1].str_in_scratch && vals[1].str[vals[1].strlen] == '\0' &&
	   strcmp(vals[1].str, "a\nb") == 0,
	   "an escaped string is decoded into scratch, NUL-terminated");
	ok(r == PMJ_ROW && vals[0].raw == copy + 1 && vals[0].rawlen == 1 &&
	   vals[2].raw == copy + 10 && vals[2].rawlen == 10,
	   "raw slices point into the line");
	r = pmj_decode_array(d, vals[2].raw, vals[2].rawlen, inner, 2, &n, err, sizeof(err));
	ok(r == PMJ_ROW && n == 2 && inner[1].kind == PMJ_STRING &&
	   strcmp(inner[1].str, "c\td") == 0 && strcmp(vals[1].str, "a\nb") == 0,
	   "a nested array's raw text decodes, and the row's strings stay valid");

	r = pmj_decode_array(d, copy, strlen(row), vals, 2, &n, err, sizeof(err));
	ok(r == PMJ_BAD && n == 0 && strcmp(err, "row has more than 2 values at byte 10") == 0,
	   "more values than maxvalues: \"%s\"", err);
	r = pmj_decode_array(d, copy, strlen(row), NULL, 0, &n, err, sizeof(err));
	ok(r == PMJ_BAD && strstr(err, "row has more than 0 values") != NULL,
	   "maxvalues 0 with a non-empty row");
	r = pmj_decode_array(d, "[]", 2, NULL, 0, &n, err, sizeof(err));
	ok(r == PMJ_ROW && n == 0, "maxvalues 0 with an empty row");

	r = pmj_decode_array(d, "[x]", 3, vals, 3, &n, NULL, 0);
	ok(r == PMJ_BAD, "no error buffer");
	memset(tiny, 'z', sizeof(tiny));
	r = pmj_decode_array(d, "[x]", 3, vals, 3, &n, tiny, sizeof(tiny));
	ok(r == PMJ_BAD && tiny[sizeof(tiny) - 1] == '\0' && strlen(tiny) == sizeof(tiny) - 1,
	   "a short error buffer gets a truncated, terminated message");
	err[0] = 'x';
	r = pmj_decode_array(d, "[1]", 3, vals, 3, &n, err, sizeof(err));
	ok(r == PMJ_ROW && err[0] == '\0', "success leaves an empty message");

	pmj_reset(NULL);
	pmj_destroy(NULL);
	ok(true, "pmj_reset(NULL) and pmj_destroy(NULL) are no-ops");
	free(copy);
}

/*
 * Pointers into scratch must survive later decodes until pmj_reset, even
 * when those need more scratch than there is.  Then, once the arena has
 * grown to fit, a steady stream of such lines allocates nothing.
 */
static void
test_scratch(void)
{
	PmjDecoder *d = pmj_create();
	size_t		biglen = 100000;
	char	   *big = malloc(biglen);
	char	   *want = malloc(biglen);
	size_t		o = 0;
	size_t		w = 0;
	PmjValue	first[1];
	PmjValue	v[1];
	PmjValue	rowv[4];
	char		err[128];
	int			n;
	int			i;
	bool		good = true;
	long		before;
	PmjResult	r;

	/* ["\n" x ...]: a long string, every character escaped */
	big[o++] = '[';
	big[o++] = '"';
	while (o < biglen - 4)
	{
		big[o++] = '\\';
		big[o++] = (w % 3) ? 'n' : 't';
		want[w] = (w % 3) ? '\n' : '\t';
		w++;
	}
	big[o++] = '"';
	big[o++] = ']';

	r = pmj_decode_array(d, "[\"keep\\u00e9\"]", 14, first, 1, &n, err, sizeof(err));
	good = r == PMJ_ROW && strcmp(first[0].str, "keep\xc3\xa9") == 0;
	for (i = 0; good && i < 5; i++)
	{
		r = pmj_decode_array(d, big, o, v, 1, &n, err, sizeof(err));
		good = r == PMJ_ROW && v[0].strlen == w && memcmp(v[0].str, want, w) == 0 &&
			strcmp(first[0].str, "keep\xc3\xa9") == 0;
	}
	ok(good, "strings stay valid while later decodes grow the scratch");
	if (!good)
		diag("%s", err);

	pmj_reset(d);
	before = nallocs;
	for (i = 0; good && i < 1000; i++)
	{
		pmj_reset(d);
		r = pmj_decode_array(d, big, o, v, 1, &n, err, sizeof(err));
		good = r == PMJ_ROW && v[0].strlen == w;
	}
	ok(good && nallocs == before,
	   "after a reset the arena fits such a line: 1000 lines, %ld allocations",
	   nallocs - before);

	before = nallocs;
	for (i = 0; good && i < 100000; i++)
	{
		const char *line = "[1,\"r\\u00e9\",[\"x\"],{\"a\":\"\\n\"}]";

		pmj_reset(d);
		r = pmj_decode_array(d, line, strlen(line), rowv, 4, &n, err, sizeof(err));
		good = r == PMJ_ROW && n == 4 && strcmp(rowv[1].str, "r\xc3\xa9") == 0;
	}
	ok(good && nallocs == before,
	   "no allocation per line in steady state (%ld in 100000 lines)", nallocs - before);

	/* an arena beyond PMJ_KEEP_MAX (4 MB) is not kept by pmj_reset */
	for (i = 0; good && i < 100; i++)
	{
		r = pmj_decode_array(d, big, o, v, 1, &n, err, sizeof(err));
		good = r == PMJ_ROW;
	}
	pmj_reset(d);
	before = nallocs;
	r = pmj_decode_array(d, "[\"\\n\"]", 6, v, 1, &n, err, sizeof(err));
	ok(good && r == PMJ_ROW && nallocs == before + 1,
	   "a reset after a line that needed over 4 MB of scratch frees it");

	pmj_destroy(d);
	d = pmj_create();
	before = nallocs;
	{
		const char *line = "[1,\"plain\",{\"a\":\"\\n\"}]";

		r = pmj_decode_array(d, line, strlen(line), rowv, 4, &n, err, sizeof(err));
	}
	ok(r == PMJ_ROW && n == 3 && nallocs == before,
	   "a row without escapes in its own strings never allocates");
	pmj_destroy(d);
	free(big);
	free(want);
}

static void
test_int64(PmjDecoder *d)
{
	static const struct
	{
		const char *in;
		bool		fits;
		int64_t		want;
	}			t[] = {
		{"[0]", true, 0},
		{"[-0]", true, 0},
		{"[7]", true, 7},
		{"[-42]", true, -42},
		{"[9223372036854775807]", true, INT64_MAX},
		{"[-9223372036854775808]", true, INT64_MIN},
		{"[9223372036854775808]", false, 0},
		{"[-9223372036854775809]", false, 0},
		{"[18446744073709551616]", false, 0},
		{"[99999999999999999999999]", false, 0},
		{"[1.0]", false, 0},
		{"[1e2]", false, 0},
		{"[\"1\"]", false, 0},
	};
	size_t		i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
	{
		PmjValue	v[1];
		int			n;
		int64_t		got = -1;
		char	   *copy = exact_copy(t[i].in, strlen(t[i].in));
		bool		fits;

		pmj_reset(d);
		fits = pmj_decode_array(d, copy, strlen(t[i].in), v, 1, &n, NULL, 0) == PMJ_ROW &&
			pmj_int64(&v[0], &got);
		ok(fits == t[i].fits && (!fits || got == t[i].want),
		   "pmj_int64 %s: %s", t[i].in, t[i].fits ? "converts" : "declines");
		free(copy);
	}
}

/* ---------------------------------------------------------------------
 * Exhaustive and generated inputs, against jansson
 * ---------------------------------------------------------------------
 */
typedef struct Tally
{
	long		lines;
	long		accepted;
	long		known;
	long		known_number;	/* of which: numbers out of jansson's range */
	long		known_nul;		/* of which: NUL after a token, jansson's bug */
	long		disagree;
} Tally;

static void
run_oracle(PmjDecoder *d, Tally *t, const char *s, size_t len)
{
	char	   *copy = exact_copy(s, len);
	char		why[768];
	int			accepted;
	OracleVerdict v = oracle_check(d, copy, len, &accepted, why, sizeof(why));

	t->lines++;
	t->accepted += accepted;
	if (v == ORACLE_KNOWN)
	{
		t->known++;
		if (strncmp(why, "jansson: ", 9) == 0)
			t->known_number++;
		else if (strstr(why, "NUL byte after") != NULL)
			t->known_nul++;
	}
	else if (v == ORACLE_DISAGREE)
	{
		if (t->disagree < 10)
			diag("disagreement on %s: %s", show(s, len), why);
		t->disagree++;
	}
	free(copy);
}

static void
report(const Tally *t, const char *what)
{
	ok(t->disagree == 0 && t->lines > 0,
	   "%s: %ld lines agree with jansson (%ld accepted; known differences: "
	   "%ld numbers beyond jansson's range, %ld NULs jansson skips, %ld other)",
	   what, t->lines - t->disagree, t->accepted, t->known_number, t->known_nul,
	   t->known - t->known_number - t->known_nul);
}

/* Interesting bytes for the positions after the first in a sequence. */
static const unsigned char probe[] = {
	0x00, 0x01, 0x1f, 0x20, 0x22, 0x2f, 0x41, 0x5c, 0x75, 0x7f,
	0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
	0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff
};
#define NPROBE ((int) sizeof(probe))

static void
test_string_bytes(PmjDecoder *d)
{
	Tally		t = {0};
	char		s[16];
	int			a,
				b,
				c,
				e;

	/* ["X"], ["XY"] for all bytes; a trailing string keeps cut forms honest */
	for (a = 0; a < 256; a++)
	{
		s[0] = '[';
		s[1] = '"';
		s[2] = (char) a;
		s[3] = '"';
		s[4] = ']';
		run_oracle(d, &t, s, 5);
		run_oracle(d, &t, s, 3);	/* cut after the byte */
		for (b = 0; b < 256; b++)
		{
			s[3] = (char) b;
			s[4] = '"';
			s[5] = ']';
			run_oracle(d, &t, s, 6);
		}
	}
	report(&t, "every one- and two-byte string");

	memset(&t, 0, sizeof(t));
	for (a = 0x80; a < 256; a++)
		for (b = 0; b < NPROBE; b++)
			for (c = 0; c < NPROBE; c++)
			{
				s[0] = '[';
				s[1] = '"';
				s[2] = (char) a;
				s[3] = (char) probe[b];
				s[4] = (char) probe[c];
				s[5] = '"';
				s[6] = ']';
				run_oracle(d, &t, s, 7);
				for (e = 0; a >= 0xf0 && e < NPROBE; e++)
				{
					s[5] = (char) probe[e];
					s[6] = '"';
					s[7] = ']';
					run_oracle(d, &t, s, 8);
				}
			}
	report(&t, "three- and four-byte sequences (all lead bytes, probed tails)");
}

static void
test_unicode_escapes(PmjDecoder *d)
{
	static const int lows[] = {0xdc00, 0xdfff, 0xdbff, 0xe000, 0x0041, 0xd800, 0xdd1e};
	Tally		t = {0};
	char		s[64];
	int			cp;
	size_t		i;
	int			len;

	for (cp = 0; cp <= 0xffff; cp++)
	{
		len = snprintf(s, sizeof(s), "[\"\\u%04x\"]", cp);
		run_oracle(d, &t, s, len);
		len = snprintf(s, sizeof(s), "[\"a\\u%04Xz\",\"\\u%04X\"]", cp, cp);
		run_oracle(d, &t, s, len);
	}
	for (cp = 0xd800; cp <= 0xdbff; cp++)
	{
		for (i = 0; i < sizeof(lows) / sizeof(lows[0]); i++)
		{
			len = snprintf(s, sizeof(s), "[\"\\u%04x\\u%04x\"]", cp, lows[i]);
			run_oracle(d, &t, s, len);
		}
		len = snprintf(s, sizeof(s), "[\"\\u%04x\\n\"]", cp);
		run_oracle(d, &t, s, len);
		len = snprintf(s, sizeof(s), "[\"\\u%04x\"]", cp);
		run_oracle(d, &t, s, len - 2);
	}
	report(&t, "every \\uXXXX escape and surrogate pairs");
}

/* Deterministic generator: xorshift64*. */
static uint64_t rng = UINT64_C(0x9e3779b97f4a7c15);

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t) ((rng * UINT64_C(2685821657736338717)) >> 33) % n;
}

typedef struct Buf
{
	char	   *p;
	size_t		len;
	size_t		cap;
} Buf;

static void
put(Buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap)
	{
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
puts_(Buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
ws(Buf *b)
{
	static const char *const spaces[] = {" ", "\t", "\r\n", "  ", "\n"};

	if (rnd(6) == 0)
		puts_(b, spaces[rnd(5)]);
}

static void
gen_utf8(Buf *b, uint32_t cp)
{
	char		u[4];

	if (cp < 0x80)
	{
		u[0] = (char) cp;
		put(b, u, 1);
	}
	else if (cp < 0x800)
	{
		u[0] = (char) (0xc0 | (cp >> 6));
		u[1] = (char) (0x80 | (cp & 0x3f));
		put(b, u, 2);
	}
	else if (cp < 0x10000)
	{
		u[0] = (char) (0xe0 | (cp >> 12));
		u[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char) (0x80 | (cp & 0x3f));
		put(b, u, 3);
	}
	else
	{
		u[0] = (char) (0xf0 | (cp >> 18));
		u[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char) (0x80 | (cp & 0x3f));
		put(b, u, 4);
	}
}

/* A code point that may appear in a string: no surrogates, no NUL. */
static uint32_t
gen_cp(void)
{
	uint32_t	cp;

	switch (rnd(4))
	{
		case 0:
			return 1 + rnd(0x7f);
		case 1:
			cp = 0x80 + rnd(0x800 - 0x80);
			break;
		case 2:
			cp = 0x800 + rnd(0x10000 - 0x800);
			break;
		default:
			cp = 0x10000 + rnd(0x110000 - 0x10000);
			break;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xe000;
	return cp;
}

static void
gen_string(Buf *b)
{
	static const char *const esc[] = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"};
	int			n = rnd(4) == 0 ? (int) rnd(40) : (int) rnd(10);
	int			i;
	char		tmp[32];

	put(b, "\"", 1);
	for (i = 0; i < n; i++)
	{
		uint32_t	cp;

		switch (rnd(8))
		{
			case 0:
				puts_(b, esc[rnd(8)]);
				break;
			case 1:
				cp = gen_cp();
				if (cp >= 0x10000)
				{
					cp -= 0x10000;
					snprintf(tmp, sizeof(tmp), rnd(2) ? "\\u%04X\\u%04X" : "\\u%04x\\u%04x",
							 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
				}
				else
					snprintf(tmp, sizeof(tmp), "\\u%04x", cp);
				puts_(b, tmp);
				break;
			case 2:
				cp = gen_cp();
				if (cp < 0x20 || cp == '"' || cp == '\\')
					cp = 'q';
				gen_utf8(b, cp);
				break;
			default:
				tmp[0] = (char) (0x20 + rnd(0x5f));
				if (tmp[0] == '"' || tmp[0] == '\\')
					tmp[0] = '-';
				put(b, tmp, 1);
				break;
		}
	}
	put(b, "\"", 1);
}

static void
gen_number(Buf *b)
{
	char		tmp[64];

	switch (rnd(6))
	{
		case 0:
			snprintf(tmp, sizeof(tmp), "%d", (int) rnd(10));
			break;
		case 1:
			snprintf(tmp, sizeof(tmp), "-%u", rnd(1000000));
			break;
		case 2:
			snprintf(tmp, sizeof(tmp), "%u%u", 1 + rnd(99999), rnd(1000000));
			break;
		case 3:
			snprintf(tmp, sizeof(tmp), "%s%u.%u", rnd(2) ? "-" : "", rnd(1000), rnd(100000));
			break;
		case 4:
			snprintf(tmp, sizeof(tmp), "%u%s%c%s%u", rnd(10), rnd(2) ? ".5" : "",
					 rnd(2) ? 'e' : 'E', rnd(3) == 0 ? "-" : rnd(2) ? "+" : "", rnd(30));
			break;
		default:
			snprintf(tmp, sizeof(tmp), "%.17g", (double) rnd(1000000) / (1 + rnd(1000)));
			break;
	}
	puts_(b, tmp);
}

static void
gen_value(Buf *b, int depth)
{
	int			n;
	int			i;

	switch (rnd(depth > 4 ? 6 : 9))
	{
		case 0:
			puts_(b, "null");
			break;
		case 1:
			puts_(b, rnd(2) ? "true" : "false");
			break;
		case 2:
		case 3:
			gen_number(b);
			break;
		case 4:
		case 5:
			gen_string(b);
			break;
		case 6:
		case 7:
			put(b, "[", 1);
			ws(b);
			n = rnd(5);
			for (i = 0; i < n; i++)
			{
				if (i > 0)
				{
					put(b, ",", 1);
					ws(b);
				}
				gen_value(b, depth + 1);
				ws(b);
			}
			put(b, "]", 1);
			break;
		default:
			put(b, "{", 1);
			ws(b);
			n = rnd(4);
			for (i = 0; i < n; i++)
			{
				if (i > 0)
				{
					put(b, ",", 1);
					ws(b);
				}
				gen_string(b);
				ws(b);
				put(b, ":", 1);
				ws(b);
				gen_value(b, depth + 1);
				ws(b);
			}
			put(b, "}", 1);
			break;
	}
}

static void
gen_row(Buf *b)
{
	int			n = rnd(12);
	int			i;

	b->len = 0;
	ws(b);
	put(b, "[", 1);
	ws(b);
	for (i = 0; i < n; i++)
	{
		if (i > 0)
		{
			put(b, ",", 1);
			ws(b);
		}
		gen_value(b, 1);
		ws(b);
	}
	put(b, "]", 1);
	ws(b);
	if (rnd(8) == 0)
		put(b, "\r", 1);
}

/* One random edit: the kind of damage a broken plugin or a cut stream does. */
static void
mutate(const Buf *src, Buf *dst)
{
	static const char interesting[] = "\"\\,[]{}:0-.eE+u \t\r\n\x01\x7f\x80\xbf\xc0\xc3\xed\xf0\xf4\xff";
	size_t		pos;
	char		c;
	int			k = rnd(6);

	dst->len = 0;
	put(dst, src->p, src->len);
	if (dst->len == 0)
		return;
	pos = rnd((uint32_t) dst->len);
	c = rnd(3) == 0 ? (char) rnd(256) : interesting[rnd(sizeof(interesting) - 1)];
	switch (k)
	{
		case 0:					/* replace */
			dst->p[pos] = c;
			break;
		case 1:					/* delete */
			memmove(dst->p + pos, dst->p + pos + 1, dst->len - pos - 1);
			dst->len--;
			break;
		case 2:					/* insert */
			put(dst, " ", 1);
			memmove(dst->p + pos + 1, dst->p + pos, dst->len - pos - 1);
			dst->p[pos] = c;
			break;
		case 3:					/* cut */
			dst->len = pos;
			break;
		case 4:					/* duplicate a span */
			{
				size_t		n = 1 + rnd(8);

				if (pos + n > src->len)
					n = src->len - pos;
				put(dst, src->p + pos, n);
			}
			break;
		default:				/* swap two bytes */
			{
				size_t		q = rnd((uint32_t) dst->len);
				char		tmp = dst->p[pos];

				dst->p[pos] = dst->p[q];
				dst->p[q] = tmp;
			}
			break;
	}
}

static void
test_generated(PmjDecoder *d, long nrows, int nmut)
{
	Tally		valid = {0};
	Tally		mutated = {0};
	Buf			row = {0};
	Buf			mut = {0};
	long		i;
	int			m;

	for (i = 0; i < nrows; i++)
	{
		gen_row(&row);
		run_oracle(d, &valid, row.p, row.len);
		for (m = 0; m < nmut; m++)
		{
			mutate(&row, &mut);
			run_oracle(d, &mutated, mut.p, mut.len);
		}
	}
	ok(valid.accepted == valid.lines - valid.known,
	   "every generated row is accepted (%ld of %ld)", valid.accepted, valid.lines);
	report(&valid, "generated rows");
	report(&mutated, "mutated generated rows");
	free(row.p);
	free(mut.p);
}

int
main(int argc, char **argv)
{
	PmjDecoder *d = pmj_create();
	long		nrows = argc > 1 ? atol(argv[1]) : 20000;

	test_cases(d);
	test_depth(d);
	test_api(d);
	test_scratch();
	test_int64(d);
	test_string_bytes(d);
	test_unicode_escapes(d);
	test_generated(d, nrows, 10);
	pmj_destroy(d);

	printf("1..%d\n", ntests);
	if (nfailed > 0)
		diag("%d of %d tests failed", nfailed, ntests);
	return nfailed > 0 ? 1 : 0;
}
