/*
 * oracle.h
 *		The differential check shared by test_rowdecode.c and the fuzzer:
 *		decode a line with pmj_decode_array and with jansson, and say whether
 *		they agree.
 */
#ifndef PMJ_ORACLE_H
#define PMJ_ORACLE_H

#include <stddef.h>

#include "rowdecode.h"

typedef enum OracleVerdict
{
	ORACLE_AGREE,				/* same answer (both reject, or same values) */
	ORACLE_KNOWN,				/* a documented, deliberate difference */
	ORACLE_DISAGREE				/* a bug in one of the two; why says which */
} OracleVerdict;

/*
 * Compare on one input.  d is reset first.  On ORACLE_KNOWN and
 * ORACLE_DISAGREE, why tells what happened.  *accepted is set to whether the
 * decoder returned PMJ_ROW (for the callers' statistics).
 */
extern OracleVerdict oracle_check(PmjDecoder *d, const char *data, size_t size,
								  int *accepted, char *why, size_t whylen);

#endif
