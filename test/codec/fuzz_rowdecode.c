/*
 * fuzz_rowdecode.c
 *		libFuzzer target for fdw/rowdecode.c (make fuzz).
 *
 * Arbitrary bytes go to pmj_decode_array, which must not crash or read
 * outside them (ASan; libFuzzer hands over an exact-size heap copy) nor hit
 * undefined behaviour (UBSan, made fatal).  The jansson oracle then requires
 * the same verdict: an array jansson accepts is accepted with the same count,
 * kinds, decoded strings and numbers, nested arrays decoded again the same
 * way; anything jansson rejects is rejected.  The deliberate differences are
 * listed in oracle.c (numbers beyond long long/double, nesting between 1001
 * and 2048, the NUL byte jansson's lexer skips); duplicate keys in nested
 * objects are accepted by both.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "oracle.h"
#include "rowdecode.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static PmjDecoder *d;
	char		why[1024];
	char		err[24];
	PmjValue	vals[4];
	int			accepted;
	int			n;

	if (d == NULL && (d = pmj_create()) == NULL)
		abort();

	if (oracle_check(d, (const char *) data, size, &accepted, why, sizeof(why)) ==
		ORACLE_DISAGREE)
	{
		fprintf(stderr, "decoder and jansson disagree: %s\n", why);
		abort();
	}

	/* a few values and a short message buffer: the truncating paths */
	pmj_reset(d);
	(void) pmj_decode_array(d, (const char *) data, size, vals, (int) (size % 5),
							&n, err, 1 + size % sizeof(err));
	return 0;
}
