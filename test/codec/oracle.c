/*
 * oracle.c
 *		jansson as the reference for pmj_decode_array.
 *
 * The decoder must accept exactly the arrays jansson accepts, and report the
 * same number of values, the same kinds, the same decoded strings and
 * numbers; nested arrays are decoded again through pmj_decode_array (as an
 * array column would be) and compared element by element, nested objects
 * are compared by reparsing their raw text with jansson.
 *
 * Deliberate differences (ORACLE_KNOWN), each because the decoder answers
 * what a PostgreSQL column needs rather than what fits a C type:
 *	- jansson refuses integers outside long long ("too big integer") and
 *	  reals outside double ("real number overflow"); both are valid JSON and
 *	  a numeric column can hold them, so the decoder accepts them and leaves
 *	  range checks to the column's input function.
 *	- jansson allows nesting to 2048 levels, the decoder to PMJ_MAX_DEPTH.
 *	- jansson accepts a NUL byte right after a number or literal ("[1\0]",
 *	  a bug in its lexer's pushback); the decoder refuses it.  The oracle
 *	  confirms each such case by deleting the byte and comparing again.
 * Duplicate keys in nested objects are accepted by both (jansson without
 * JSON_REJECT_DUPLICATES keeps the last), and \u0000 is refused by both
 * (jansson without JSON_ALLOW_NUL).
 */
#include "oracle.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Below this the nested arrays are decoded again by the decoder itself. */
#define ORACLE_RECURSE_DEPTH 64

static OracleVerdict verdict(OracleVerdict v, char *why, size_t whylen,
							 const char *fmt,...) __attribute__((format(printf, 4, 5)));

static OracleVerdict
verdict(OracleVerdict v, char *why, size_t whylen, const char *fmt,...)
{
	va_list		ap;

	if (why != NULL && whylen > 0)
	{
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return v;
}

static bool
kind_matches(PmjKind k, const json_t *j)
{
	switch (k)
	{
		case PMJ_NULL:
			return json_is_null(j);
		case PMJ_TRUE:
			return json_is_true(j);
		case PMJ_FALSE:
			return json_is_false(j);
		case PMJ_NUMBER:
			return json_is_number(j);
		case PMJ_STRING:
			return json_is_string(j);
		case PMJ_ARRAY:
			return json_is_array(j);
		case PMJ_OBJECT:
			return json_is_object(j);
	}
	return false;
}

/* Compare one decoded value with jansson's. */
static bool
value_matches(PmjDecoder *d, const PmjValue *v, const json_t *j, int depth,
			  char *why, size_t whylen);

/* Decode text as an array and compare it with jansson's array. */
static bool
array_matches(PmjDecoder *d, const char *text, size_t len, const json_t *arr,
			  int depth, char *why, size_t whylen)
{
	size_t		size = json_array_size(arr);
	PmjValue   *vals = calloc(size + 1, sizeof(PmjValue));
	char		err[256];
	int			n;
	size_t		i;
	bool		ok = true;
	PmjResult	r;

	r = pmj_decode_array(d, text, len, vals, (int) size + 1, &n, err, sizeof(err));
	if (r != PMJ_ROW)
	{
		verdict(ORACLE_DISAGREE, why, whylen,
				"nested array at depth %d not accepted: %s", depth, err);
		ok = false;
	}
	else if ((size_t) n != size)
	{
		verdict(ORACLE_DISAGREE, why, whylen,
				"array at depth %d: %d values, jansson has %zu", depth, n, size);
		ok = false;
	}
	for (i = 0; ok && i < size; i++)
		ok = value_matches(d, &vals[i], json_array_get(arr, i), depth, why, whylen);

	/*
	 * Decoding the nested arrays above used the same scratch without a
	 * reset; the strings of this level must not have moved.
	 */
	for (i = 0; ok && i < size; i++)
	{
		const json_t *e = json_array_get(arr, i);

		if (vals[i].kind == PMJ_STRING &&
			(vals[i].strlen != json_string_length(e) ||
			 memcmp(vals[i].str, json_string_value(e), vals[i].strlen) != 0))
		{
			verdict(ORACLE_DISAGREE, why, whylen,
					"string %zu at depth %d changed after decoding nested arrays",
					i, depth);
			ok = false;
		}
	}
	free(vals);
	return ok;
}

static bool
value_matches(PmjDecoder *d, const PmjValue *v, const json_t *j, int depth,
			  char *why, size_t whylen)
{
	char		num[512];

	if (!kind_matches(v->kind, j))
	{
		verdict(ORACLE_DISAGREE, why, whylen,
				"kind %d at depth %d does not match jansson's type %d",
				(int) v->kind, depth, (int) json_typeof(j));
		return false;
	}
	switch (v->kind)
	{
		case PMJ_NULL:
		case PMJ_TRUE:
		case PMJ_FALSE:
			{
				const char *lit = v->kind == PMJ_NULL ? "null" :
					v->kind == PMJ_TRUE ? "true" : "false";

				if (v->rawlen != strlen(lit) || memcmp(v->raw, lit, v->rawlen) != 0)
				{
					verdict(ORACLE_DISAGREE, why, whylen, "literal raw text wrong");
					return false;
				}
				return true;
			}
		case PMJ_NUMBER:
			if (v->is_integer != (json_is_integer(j) != 0))
			{
				verdict(ORACLE_DISAGREE, why, whylen,
						"is_integer %d, jansson says integer %d",
						v->is_integer, json_is_integer(j));
				return false;
			}
			if (v->is_integer)
			{
				int64_t		iv;

				if (!pmj_int64(v, &iv) || iv != json_integer_value(j))
				{
					verdict(ORACLE_DISAGREE, why, whylen,
							"pmj_int64 differs from jansson's integer %lld",
							(long long) json_integer_value(j));
					return false;
				}
			}
			if (v->rawlen >= sizeof(num))
				return true;	/* too long to be in range for jansson anyway */
			memcpy(num, v->raw, v->rawlen);
			num[v->rawlen] = '\0';
			if (v->is_integer ? strtoll(num, NULL, 10) != json_integer_value(j)
				: strtod(num, NULL) != json_real_value(j))
			{
				verdict(ORACLE_DISAGREE, why, whylen,
						"number %s decodes differently from jansson", num);
				return false;
			}
			return true;
		case PMJ_STRING:
			if (v->rawlen < 2 || v->raw[0] != '"' || v->raw[v->rawlen - 1] != '"')
			{
				verdict(ORACLE_DISAGREE, why, whylen, "string raw text lacks its quotes");
				return false;
			}
			if (v->strlen != json_string_length(j) ||
				memcmp(v->str, json_string_value(j), v->strlen) != 0)
			{
				verdict(ORACLE_DISAGREE, why, whylen,
						"string at depth %d decodes to %zu bytes, jansson %zu (or differs)",
						depth, v->strlen, json_string_length(j));
				return false;
			}
			if (v->str_in_scratch ? v->str[v->strlen] != '\0'
				: (v->str != v->raw + 1 || v->strlen != v->rawlen - 2))
			{
				verdict(ORACLE_DISAGREE, why, whylen, "string slice or terminator wrong");
				return false;
			}
			return true;
		case PMJ_ARRAY:
		case PMJ_OBJECT:
			if (v->rawlen < 2 ||
				v->raw[0] != (v->kind == PMJ_ARRAY ? '[' : '{') ||
				v->raw[v->rawlen - 1] != (v->kind == PMJ_ARRAY ? ']' : '}'))
			{
				verdict(ORACLE_DISAGREE, why, whylen, "container raw text lacks its brackets");
				return false;
			}
			if (v->kind == PMJ_ARRAY && depth < ORACLE_RECURSE_DEPTH)
				return array_matches(d, v->raw, v->rawlen, j, depth + 1, why, whylen);
			else
			{
				json_error_t jerr;
				json_t	   *again = json_loadb(v->raw, v->rawlen, 0, &jerr);
				bool		same = again != NULL && json_equal(again, j);

				json_decref(again);
				if (!same)
					verdict(ORACLE_DISAGREE, why, whylen,
							"raw text of a nested value at depth %d is not the value jansson parsed",
							depth);
				return same;
			}
	}
	return false;
}

/*
 * jansson's lexer drops a NUL byte that follows a number or a literal (its
 * one-character pushback buffer takes NUL for "empty"), so it accepts
 * "[1\0]".  The decoder is right to refuse it.  Confirm that this is the
 * reason: the decoder stopped at such a NUL, and without that byte both
 * agree on the line.
 */
static bool
jansson_dropped_nul(PmjDecoder *d, const char *data, size_t size, const char *err)
{
	const char *at = strstr(err, " at byte ");
	size_t		off;
	char	   *copy;
	char		c;
	int			accepted;
	OracleVerdict v;

	if (at == NULL)
		return false;
	off = strtoul(at + 9, NULL, 10);
	if (off == 0 || off >= size || data[off] != '\0')
		return false;
	c = data[off - 1];
	if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return false;
	copy = malloc(size);
	memcpy(copy, data, off);
	memcpy(copy + off, data + off + 1, size - off - 1);
	v = oracle_check(d, copy, size - 1, &accepted, NULL, 0);
	free(copy);
	/* a further NUL (or another known difference) may follow */
	return v == ORACLE_KNOWN || (v == ORACLE_AGREE && accepted);
}

OracleVerdict
oracle_check(PmjDecoder *d, const char *data, size_t size, int *accepted,
			 char *why, size_t whylen)
{
	json_error_t jerr;
	json_t	   *j;
	PmjValue   *vals;
	size_t		maxv = size / 2 + 2;	/* more than any line can hold */
	char		err[256];
	int			n;
	PmjResult	r;
	size_t		i;
	OracleVerdict result = ORACLE_AGREE;

	pmj_reset(d);
	vals = calloc(maxv, sizeof(PmjValue));
	r = pmj_decode_array(d, data, size, vals, (int) maxv, &n, err, sizeof(err));
	*accepted = (r == PMJ_ROW);
	if (why != NULL && whylen > 0)
		why[0] = '\0';

	for (i = 0; i < size; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
			break;
	if (i < size && data[i] == '{')
	{
		/* the caller's business; nothing validated */
		free(vals);
		if (r != PMJ_NOT_ARRAY)
			return verdict(ORACLE_DISAGREE, why, whylen, "object line not PMJ_NOT_ARRAY");
		return ORACLE_AGREE;
	}
	if (r == PMJ_NOT_ARRAY)
	{
		free(vals);
		return verdict(ORACLE_DISAGREE, why, whylen, "PMJ_NOT_ARRAY for a line not starting with '{'");
	}
	if (r == PMJ_BAD && (err[0] == '\0' || strstr(err, " at byte ") == NULL))
	{
		free(vals);
		return verdict(ORACLE_DISAGREE, why, whylen, "rejected without a message with an offset: \"%s\"", err);
	}

	j = json_loadb(data, size, 0, &jerr);
	if (j == NULL)
	{
		if (strstr(jerr.text, "too big") != NULL ||
			strstr(jerr.text, "overflow") != NULL)
			result = verdict(ORACLE_KNOWN, why, whylen,
							 "jansson: %s; decoder: %s", jerr.text,
							 r == PMJ_ROW ? "accepted" : err);
		else if (r == PMJ_ROW)
			result = verdict(ORACLE_DISAGREE, why, whylen,
							 "jansson rejects (%s at %d) but the decoder accepts",
							 jerr.text, jerr.position);
		free(vals);
		return result;
	}

	if (r != PMJ_ROW)
	{
		if (strstr(err, "nested deeper than") != NULL)
			result = verdict(ORACLE_KNOWN, why, whylen, "depth: %s", err);
		else if (jansson_dropped_nul(d, data, size, err))
			result = verdict(ORACLE_KNOWN, why, whylen,
							 "jansson skips a NUL byte after a number or literal: %s", err);
		else
			result = verdict(ORACLE_DISAGREE, why, whylen,
							 "jansson accepts but the decoder rejects: %s", err);
	}
	else if (!json_is_array(j))
		result = verdict(ORACLE_DISAGREE, why, whylen, "decoder accepted a non-array");
	else if ((size_t) n != json_array_size(j))
		result = verdict(ORACLE_DISAGREE, why, whylen, "%d values, jansson has %zu",
						 n, json_array_size(j));
	else
	{
		for (i = 0; i < (size_t) n; i++)
		{
			if (vals[i].raw < data || vals[i].raw + vals[i].rawlen > data + size)
			{
				result = verdict(ORACLE_DISAGREE, why, whylen, "raw slice %zu outside the input", i);
				break;
			}
			if (!value_matches(d, &vals[i], json_array_get(j, i), 0, why, whylen))
			{
				result = ORACLE_DISAGREE;
				break;
			}
		}

		/* One value fewer room than needed must be refused with the message. */
		if (result == ORACLE_AGREE && n > 0)
		{
			char		want[64];

			r = pmj_decode_array(d, data, size, vals, n - 1, &n, err, sizeof(err));
			snprintf(want, sizeof(want), "row has more than %d values", (int) json_array_size(j) - 1);
			if (r != PMJ_BAD || strncmp(err, want, strlen(want)) != 0)
				result = verdict(ORACLE_DISAGREE, why, whylen,
								 "maxvalues %zu not enforced: \"%s\"",
								 json_array_size(j) - 1, err);
		}
	}
	json_decref(j);
	free(vals);
	return result;
}
