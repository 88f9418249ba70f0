/*-------------------------------------------------------------------------
 *
 * convert.h
 *		JSON values of a plugin's rows to PostgreSQL Datums, and Datums to
 *		the JSON values of a request's quals: the one place where protocol
 *		values meet PostgreSQL types.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PM_CONVERT_H
#define PM_CONVERT_H

#include "fmgr.h"

#include "protocol.h"
#include "rowdecode.h"

typedef enum PmcKind
{
	PMC_INT2,
	PMC_INT4,
	PMC_INT8,
	PMC_FLOAT4,
	PMC_FLOAT8,
	PMC_BOOL,
	PMC_TEXT,					/* text, and varchar without a length */
	PMC_JSONB,
	PMC_JSON,
	PMC_TIMESTAMPTZ,
	PMC_ARRAY,
	PMC_OTHER					/* the type's input function */
} PmcKind;

typedef struct PmColumnConv
{
	const char *name;			/* the column, for messages */
	Oid			typid;
	int32		typmod;
	PmcKind		kind;
	char		category;		/* of the base type: TYPCATEGORY_* */
	Oid			basetype;
	FmgrInfo	infunc;
	Oid			ioparam;
	/* arrays */
	Oid			elemtype;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	struct PmColumnConv *elem;
} PmColumnConv;

extern void pmc_init(PmColumnConv *c, const char *name, Oid typid, int32 typmod);
/* in CurrentMemoryContext; an error names the JSON kind and the type */
extern Datum pmc_to_datum(PmColumnConv *c, PmjDecoder *d, const PmjValue *v,
						  bool *isnull);

/* a qual's value for the request; strings in CurrentMemoryContext */
extern void pmc_from_datum(Datum value, Oid typid, PmpScalar *out);
/* an array's non-NULL elements (NULL never equals anything); returns count */
extern int	pmc_from_array(Datum array, PmpScalar **out);

#endif							/* PM_CONVERT_H */
