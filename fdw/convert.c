/*-------------------------------------------------------------------------
 *
 * convert.c
 *		Protocol values to Datums and back (see convert.h).
 *
 * The rules are the protocol's: null is NULL for any type; true/false only
 * for boolean; a number for the numeric types (out of range is an error,
 * never a wrap); a string goes through the type's own input function; an
 * object or array for json/jsonb as is; an array for an array type, element
 * by element.  Anything else is an error naming the kind and the type (the
 * caller's error context adds plugin, table, column and row).
 *
 * The common types take fast paths that skip the input functions: integers
 * are parsed from the number token directly, floats with strtod, text is
 * copied.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "convert.h"

static const char *
pmc_kind_name(PmjKind kind)
{
	switch (kind)
	{
		case PMJ_NULL:
			return "null";
		case PMJ_TRUE:
		case PMJ_FALSE:
			return "a boolean";
		case PMJ_NUMBER:
			return "a number";
		case PMJ_STRING:
			return "a string";
		case PMJ_ARRAY:
			return "an array";
		case PMJ_OBJECT:
			return "an object";
	}
	return "a value";
}

static void
pmc_mismatch(PmColumnConv *c, const PmjValue *v)
{
	ereport(ERROR,
			(errcode(ERRCODE_FDW_INVALID_DATA_TYPE),
			 errmsg("plugin sent %s for column \"%s\" of type %s",
					pmc_kind_name(v->kind), c->name, format_type_with_typemod(c->typid, c->typmod)),
			 errdetail("A column of type %s takes %s.", format_type_be(c->typid),
					   c->category == TYPCATEGORY_NUMERIC ? "a number or a string" :
					   c->category == TYPCATEGORY_BOOLEAN ? "true, false or a string" :
					   c->kind == PMC_ARRAY ? "an array or a string" :
					   "a string")));
}

void
pmc_init(PmColumnConv *c, const char *name, Oid typid, int32 typmod)
{
	Oid			infuncoid;
	bool		preferred;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->typid = typid;
	c->typmod = typmod;
	c->basetype = getBaseType(typid);
	get_type_category_preferred(c->basetype, &c->category, &preferred);
	getTypeInputInfo(typid, &infuncoid, &c->ioparam);
	fmgr_info(infuncoid, &c->infunc);

	switch (typid)
	{
		case INT2OID:
			c->kind = PMC_INT2;
			break;
		case INT4OID:
			c->kind = PMC_INT4;
			break;
		case INT8OID:
			c->kind = PMC_INT8;
			break;
		case FLOAT4OID:
			c->kind = PMC_FLOAT4;
			break;
		case FLOAT8OID:
			c->kind = PMC_FLOAT8;
			break;
		case BOOLOID:
			c->kind = PMC_BOOL;
			break;
		case TEXTOID:
			c->kind = PMC_TEXT;
			break;
		case VARCHAROID:
			c->kind = typmod < 0 ? PMC_TEXT : PMC_OTHER;
			break;
		case JSONBOID:
			c->kind = PMC_JSONB;
			break;
		case TIMESTAMPTZOID:
			c->kind = PMC_TIMESTAMPTZ;
			break;
		case JSONOID:
			c->kind = PMC_JSON;
			break;
		default:
			c->kind = PMC_OTHER;
			c->elemtype = get_element_type(typid);
			if (OidIsValid(c->elemtype))
			{
				c->kind = PMC_ARRAY;
				get_typlenbyvalalign(c->elemtype, &c->elmlen, &c->elmbyval, &c->elmalign);
				c->elem = palloc(sizeof(PmColumnConv));
				pmc_init(c->elem, name, c->elemtype, -1);
			}
			break;
	}
}

/* A NUL-terminated copy of a token, on the stack when it is short. */
#define PMC_TOKEN_MAX 64

static int64
pmc_parse_int(PmColumnConv *c, const PmjValue *v, int64 min, int64 max)
{
	const char *p = v->raw;
	const char *end = v->raw + v->rawlen;
	bool		neg = false;
	uint64		acc = 0;

	if (!v->is_integer)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("plugin sent %.*s for column \"%s\" of type %s, which takes whole numbers",
						(int) Min(v->rawlen, 100), v->raw, c->name, format_type_be(c->typid))));
	if (p < end && *p == '-')
	{
		neg = true;
		p++;
	}
	for (; p < end; p++)
	{
		if (acc > (PG_UINT64_MAX - 9) / 10)
			goto out_of_range;
		acc = acc * 10 + (*p - '0');
	}
	if (neg && acc == 0)
		return 0;
	if (neg)
	{
		if (acc > (uint64) max + 1 || -(int64) (acc - 1) - 1 < min)
			goto out_of_range;
		return -(int64) (acc - 1) - 1;
	}
	if (acc > (uint64) max)
		goto out_of_range;
	return (int64) acc;

out_of_range:
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value %.*s is out of range for column \"%s\" of type %s",
					(int) Min(v->rawlen, 100), v->raw, c->name, format_type_be(c->typid))));
	return 0;					/* keep compiler quiet */
}

static char *
pmc_cstring(const PmjValue *v, char *stackbuf, size_t stacklen)
{
	const char *src = v->kind == PMJ_STRING ? v->str : v->raw;
	size_t		len = v->kind == PMJ_STRING ? v->strlen : v->rawlen;
	char	   *out = len < stacklen ? stackbuf : palloc(len + 1);

	memcpy(out, src, len);
	out[len] = '\0';
	return out;
}

static int
pmc_digits(const char *p, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
	{
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/*
 * The ISO 8601 form plugins send, "YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+HH[:MM])",
 * turned into a TimestampTz without the general date parser.  Anything else
 * (no zone, a leap second, BC, more than six fraction digits, ...) returns
 * false, and timestamptz_in decides.
 */
static bool
pmc_fast_timestamptz(const char *p, size_t len, TimestampTz *out)
{
	const char *end = p + len;
	int			y,
				mo,
				d,
				h,
				mi,
				sec;
	int64		frac = 0;
	int			tz = 0;
	int			days_in_month;

	if (len < 20 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') ||
		p[13] != ':' || p[16] != ':')
		return false;
	y = pmc_digits(p, 4);
	mo = pmc_digits(p + 5, 2);
	d = pmc_digits(p + 8, 2);
	h = pmc_digits(p + 11, 2);
	mi = pmc_digits(p + 14, 2);
	sec = pmc_digits(p + 17, 2);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
		sec < 0 || sec > 59)
		return false;
	days_in_month = day_tab[isleap(y)][mo - 1];
	if (d > days_in_month)
		return false;
	p += 19;
	if (p < end && *p == '.')
	{
		int			ndig = 0;
		int64		scale = 100000;

		for (p++; p < end && *p >= '0' && *p <= '9'; p++, ndig++)
		{
			if (ndig >= 6)
				return false;
			frac += (*p - '0') * scale;
			scale /= 10;
		}
		if (ndig == 0)
			return false;
	}
	if (p < end && *p == 'Z')
		p++;
	else if (p < end && (*p == '+' || *p == '-'))
	{
		int			sign = *p == '-' ? -1 : 1;
		int			th,
					tm = 0;

		if (end - p < 3 || (th = pmc_digits(p + 1, 2)) < 0 || th > 15)
			return false;
		p += 3;
		if (p < end && *p == ':')
			p++;
		if (end - p >= 2)
		{
			if ((tm = pmc_digits(p, 2)) < 0 || tm > 59)
				return false;
			p += 2;
		}
		tz = sign * (th * SECS_PER_HOUR + tm * SECS_PER_MINUTE);
	}
	else
		return false;			/* no zone: the session's, which the parser knows */
	if (p != end)
		return false;

	*out = ((int64) (date2j(y, mo, d) - POSTGRES_EPOCH_JDATE)) * USECS_PER_DAY +
		((int64) h * SECS_PER_HOUR + mi * SECS_PER_MINUTE + sec - tz) * USECS_PER_SEC +
		frac;
	return IS_VALID_TIMESTAMP(*out);
}

/* the type's input function on the text, converting encoding if needed */
static Datum
pmc_input(PmColumnConv *c, const PmjValue *v)
{
	char		stackbuf[PMC_TOKEN_MAX];
	char	   *s = pmc_cstring(v, stackbuf, sizeof(stackbuf));

	if (GetDatabaseEncoding() != PG_UTF8)
		s = pg_any_to_server(s, strlen(s), PG_UTF8);
	return InputFunctionCall(&c->infunc, s, c->ioparam, c->typmod);
}

static Datum
pmc_array(PmColumnConv *c, PmjDecoder *d, const PmjValue *v)
{
	PmjValue   *elems;
	int			nelems;
	int			max = 16;
	char		err[256];
	Datum	   *values;
	bool	   *nulls;
	int			dims[1];
	int			lbs[1] = {1};

	for (;;)
	{
		PmjResult	r;

		elems = palloc(sizeof(PmjValue) * max);
		r = pmj_decode_array(d, v->raw, v->rawlen, elems, max, &nelems, err, sizeof(err));
		if (r == PMJ_ROW)
			break;
		if (r == PMJ_BAD && strstr(err, "more than") != NULL && max < (1 << 26))
		{
			pfree(elems);
			max *= 8;
			continue;
		}
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("plugin sent an invalid array for column \"%s\"", c->name),
				 errdetail_internal("%s", err)));
	}
	values = palloc(sizeof(Datum) * Max(nelems, 1));
	nulls = palloc(sizeof(bool) * Max(nelems, 1));
	for (int i = 0; i < nelems; i++)
		values[i] = pmc_to_datum(c->elem, d, &elems[i], &nulls[i]);
	dims[0] = nelems;
	if (nelems == 0)
		return PointerGetDatum(construct_empty_array(c->elemtype));
	return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs, c->elemtype,
											  c->elmlen, c->elmbyval, c->elmalign));
}

Datum
pmc_to_datum(PmColumnConv *c, PmjDecoder *d, const PmjValue *v, bool *isnull)
{
	char		buf[PMC_TOKEN_MAX];

	*isnull = false;
	if (v->kind == PMJ_NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}

	switch (c->kind)
	{
		case PMC_INT2:
			if (v->kind == PMJ_NUMBER)
				return Int16GetDatum((int16) pmc_parse_int(c, v, PG_INT16_MIN, PG_INT16_MAX));
			break;
		case PMC_INT4:
			if (v->kind == PMJ_NUMBER)
				return Int32GetDatum((int32) pmc_parse_int(c, v, PG_INT32_MIN, PG_INT32_MAX));
			break;
		case PMC_INT8:
			if (v->kind == PMJ_NUMBER)
			{
				int64_t		i;

				if (pmj_int64(v, &i))
					return Int64GetDatum(i);
				return Int64GetDatum(pmc_parse_int(c, v, PG_INT64_MIN, PG_INT64_MAX));
			}
			break;
		case PMC_FLOAT4:
		case PMC_FLOAT8:
			if (v->kind == PMJ_NUMBER)
			{
				char	   *s = pmc_cstring(v, buf, sizeof(buf));
				double		val;

				errno = 0;
				val = strtod(s, NULL);
				if (errno == ERANGE && (val == 0.0 || isinf(val)))
					ereport(ERROR,
							(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
							 errmsg("value %s is out of range for column \"%s\" of type %s",
									s, c->name, format_type_be(c->typid))));
				if (c->kind == PMC_FLOAT4)
				{
					float4		f = (float4) val;

					if ((isinf(f) && !isinf(val)) || (f == 0.0f && val != 0.0))
						ereport(ERROR,
								(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								 errmsg("value %s is out of range for column \"%s\" of type real",
										s, c->name)));
					return Float4GetDatum(f);
				}
				return Float8GetDatum(val);
			}
			break;
		case PMC_BOOL:
			if (v->kind == PMJ_TRUE || v->kind == PMJ_FALSE)
				return BoolGetDatum(v->kind == PMJ_TRUE);
			break;
		case PMC_TEXT:
			if (v->kind == PMJ_STRING)
			{
				if (GetDatabaseEncoding() == PG_UTF8)
					return PointerGetDatum(cstring_to_text_with_len(v->str, v->strlen));
				return pmc_input(c, v);
			}
			break;
		case PMC_JSONB:
		case PMC_JSON:
			if (v->kind != PMJ_STRING)
			{
				PmjValue	raw = *v;

				/* objects, arrays, numbers and booleans: the JSON as is */
				raw.kind = PMJ_OBJECT;
				return pmc_input(c, &raw);
			}
			break;
		case PMC_TIMESTAMPTZ:
			if (v->kind == PMJ_STRING)
			{
				TimestampTz ts;

				if (pmc_fast_timestamptz(v->str, v->strlen, &ts))
					return TimestampTzGetDatum(ts);
			}
			break;
		case PMC_ARRAY:
			if (v->kind == PMJ_ARRAY)
				return pmc_array(c, d, v);
			break;
		case PMC_OTHER:
			if (v->kind == PMJ_NUMBER && c->category == TYPCATEGORY_NUMERIC)
				return pmc_input(c, v);
			if ((v->kind == PMJ_TRUE || v->kind == PMJ_FALSE) &&
				c->category == TYPCATEGORY_BOOLEAN)
				return pmc_input(c, v);
			if ((v->kind == PMJ_OBJECT || v->kind == PMJ_ARRAY) &&
				(c->basetype == JSONOID || c->basetype == JSONBOID))
				return pmc_input(c, v);
			break;
	}

	/* a string goes through the type's own input, for every type */
	if (v->kind == PMJ_STRING)
		return pmc_input(c, v);
	pmc_mismatch(c, v);
	return (Datum) 0;			/* keep compiler quiet */
}

/* ---- Datums to request values ---- */

void
pmc_from_datum(Datum value, Oid typid, PmpScalar *out)
{
	memset(out, 0, sizeof(*out));
	switch (typid)
	{
		case INT2OID:
			out->kind = PMP_INT;
			out->i = DatumGetInt16(value);
			return;
		case INT4OID:
			out->kind = PMP_INT;
			out->i = DatumGetInt32(value);
			return;
		case INT8OID:
			out->kind = PMP_INT;
			out->i = DatumGetInt64(value);
			return;
		case FLOAT4OID:
		case FLOAT8OID:
			{
				double		d = typid == FLOAT4OID ? DatumGetFloat4(value) : DatumGetFloat8(value);

				if (isfinite(d))
				{
					out->kind = PMP_DOUBLE;
					out->d = d;
					return;
				}
				break;
			}
		case NUMERICOID:
			{
				char	   *s = DatumGetCString(DirectFunctionCall1(numeric_out, value));

				/* NaN and Infinity are no JSON numbers: send them as strings */
				out->kind = (isdigit((unsigned char) s[0]) || s[0] == '-') &&
					strchr(s, 'I') == NULL ? PMP_RAW : PMP_STRING;
				out->s = s;
				return;
			}
		case BOOLOID:
			out->kind = PMP_BOOL;
			out->b = DatumGetBool(value);
			return;
		case TIMESTAMPTZOID:
		case TIMESTAMPOID:
			{
				Timestamp	ts = DatumGetTimestamp(value);
				struct pg_tm tm;
				fsec_t		fsec;

				/* ISO 8601, in UTC for timestamptz, as the protocol says */
				if (!TIMESTAMP_NOT_FINITE(ts) &&
					timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) == 0)
				{
					out->kind = PMP_STRING;
					out->s = psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06d%s",
									  tm.tm_year, tm.tm_mon, tm.tm_mday,
									  tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec,
									  typid == TIMESTAMPTZOID ? "Z" : "");
					return;
				}
				break;
			}
		default:
			break;
	}
	{
		Oid			outfunc;
		bool		isvarlena;

		getTypeOutputInfo(typid, &outfunc, &isvarlena);
		out->kind = PMP_STRING;
		out->s = OidOutputFunctionCall(outfunc, value);
		if (GetDatabaseEncoding() != PG_UTF8)
			out->s = pg_server_to_any(out->s, strlen(out->s), PG_UTF8);
	}
}

int
pmc_from_array(Datum array, PmpScalar **out)
{
	ArrayType  *arr = DatumGetArrayTypeP(array);
	Oid			elemtype = ARR_ELEMTYPE(arr);
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			count = 0;

	get_typlenbyvalalign(elemtype, &elmlen, &elmbyval, &elmalign);
	deconstruct_array(arr, elemtype, elmlen, elmbyval, elmalign, &elems, &nulls, &n);
	*out = palloc(sizeof(PmpScalar) * Max(n, 1));
	for (int k = 0; k < n; k++)
		if (!nulls[k])
			pmc_from_datum(elems[k], elemtype, &(*out)[count++]);
	return count;
}
