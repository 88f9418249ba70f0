/*-------------------------------------------------------------------------
 *
 * rowdecode.h
 *		The row decoder: one NDJSON line of a /v1/scan stream, a JSON array,
 *		split into its values without building a tree.
 *
 * A scan is mostly row lines, so they take this hand-written path; the
 * other lines (the {"end": ...} trailer and {"error": ...}) are objects and
 * go to jansson through protocol.c.  Plain C99 with no PostgreSQL header, so
 * that the decoder can be built, fuzzed and compared with jansson on its own
 * (test/codec).  Nothing here allocates per row: decoded strings that had
 * escapes go to a scratch arena owned by the decoder, which only grows.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PM_ROWDECODE_H
#define PM_ROWDECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Deepest nesting accepted, the row's own array counting as 1.  jansson
 * allows 2048; we stop earlier because nothing a plugin sends for a column
 * needs more, and PostgreSQL's own jsonb input would be near its stack limit.
 */
#define PMJ_MAX_DEPTH 1000

typedef enum PmjKind
{
	PMJ_NULL,
	PMJ_TRUE,
	PMJ_FALSE,
	PMJ_NUMBER,
	PMJ_STRING,
	PMJ_ARRAY,
	PMJ_OBJECT
} PmjKind;

typedef struct PmjValue
{
	PmjKind		kind;
	const char *raw;			/* the value's own text in the input: the
								 * number token, the whole nested array/object
								 * text (brackets included), the string with
								 * its quotes, the literal */
	size_t		rawlen;
	const char *str;			/* PMJ_STRING: decoded UTF-8 (escapes
								 * resolved).  Points into the input when
								 * there were no escapes (then NOT
								 * NUL-terminated: use strlen), else into the
								 * decoder's scratch (NUL-terminated, valid
								 * until pmj_reset).  NULL for other kinds. */
	size_t		strlen;
	bool		is_integer;		/* PMJ_NUMBER: no fraction or exponent */
	bool		str_in_scratch; /* PMJ_STRING: str is the decoded copy */
} PmjValue;

typedef struct PmjDecoder PmjDecoder;	/* opaque: holds the scratch arena */

typedef enum PmjResult
{
	PMJ_ROW,					/* values[0..*nfound-1] are filled */
	PMJ_NOT_ARRAY,				/* first non-space byte is '{' */
	PMJ_BAD						/* err holds the reason */
} PmjResult;

/* NULL on out of memory. */
extern PmjDecoder *pmj_create(void);
extern void pmj_destroy(PmjDecoder *d);

/*
 * Forget the scratch contents; call once per line.  Until then every decoded
 * string stays valid, also across further pmj_decode_array calls (a nested
 * array's raw text decoded for an array column does not move the strings of
 * the row it came from).
 */
extern void pmj_reset(PmjDecoder *d);

/*
 * Decode one line (without its newline; trailing \r and whitespace allowed)
 * that should be a JSON array.  Fills values[0..*nfound-1], at most
 * maxvalues (more elements than that: PMJ_BAD, "row has more than %d
 * values").  PMJ_NOT_ARRAY when the first non-space byte is '{' (the caller
 * parses trailer/error objects; nothing is validated then).  PMJ_BAD with a
 * message in err (with the byte offset) on anything that is not exactly one
 * valid JSON array (RFC 8259) followed by optional whitespace, and on a
 * \u0000 escape anywhere, which PostgreSQL text and jsonb cannot hold.
 * Nested arrays and objects are validated fully but only their extent is
 * reported; decode an array-typed column by passing its raw text back in.
 * Never reads line[len] or beyond; line need not be NUL-terminated.
 */
extern PmjResult pmj_decode_array(PmjDecoder *d, const char *line, size_t len,
								  PmjValue *values, int maxvalues, int *nfound,
								  char *err, size_t errlen);

/*
 * The value of a PMJ_NUMBER with is_integer that fits in int64, converted
 * from raw without the NUL-terminated copy strtoll would need: that copy and
 * strtoll cost more than decoding the whole row.  False for anything else
 * (a real, or out of range); the caller then uses the column type's own
 * input function on raw, which reports the range error itself.
 */
extern bool pmj_int64(const PmjValue *v, int64_t *out);

#endif							/* PM_ROWDECODE_H */
