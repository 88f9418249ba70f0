/*-------------------------------------------------------------------------
 *
 * protocol.h
 *		The protocol codec: bytes from and to plugins, by jansson.
 *
 * No PostgreSQL header may be included by protocol.c (jansson and
 * utils/builtins.h both define json_object), and none is needed: the codec
 * can be built and fuzzed on its own.  Errors come back as text in a
 * caller's buffer.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PM_PROTOCOL_H
#define PM_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

#define PMP_PROTOCOL_VERSION 1

typedef struct PmpHandshake
{
	int			protocol;
	char		name[64];
	char		version[64];
} PmpHandshake;

/*
 * Parse the one line a plugin prints when it is ready:
 * {"protocol": 1, "name": "...", "version": "..."}.
 * Returns false and a reason in err on anything else.
 */
extern bool pmp_parse_handshake(const char *line, size_t len,
								PmpHandshake *out, char *err, size_t errlen);


/* ---- operators a plugin may declare for a key column ---- */
#define PMP_OP_EQ			(1 << 0)
#define PMP_OP_NE			(1 << 1)
#define PMP_OP_LT			(1 << 2)
#define PMP_OP_LE			(1 << 3)
#define PMP_OP_GT			(1 << 4)
#define PMP_OP_GE			(1 << 5)
#define PMP_OP_IN			(1 << 6)
#define PMP_OP_IS_NULL		(1 << 7)
#define PMP_OP_IS_NOT_NULL	(1 << 8)

/* the protocol's name of one PMP_OP_* bit, or NULL */
extern const char *pmp_op_name(int op);
/* the PMP_OP_* bit of a protocol operator name, or 0 */
extern int	pmp_op_from_name(const char *name);

/* ---- /v1/schema ---- */
typedef struct PmpKeyColumn
{
	char	   *name;
	int			ops;			/* PMP_OP_* bits */
	bool		required;
} PmpKeyColumn;

typedef struct PmpColumn
{
	char	   *name;
	char	   *type;			/* a PostgreSQL type name, as declared */
	char	   *description;	/* NULL if none */
} PmpColumn;

typedef struct PmpTable
{
	char	   *name;
	char	   *description;
	int			ncolumns;
	PmpColumn  *columns;
	int			nkeys;
	PmpKeyColumn *keys;
	char	   *keys_json;		/* key_columns re-encoded, for a table option */
} PmpTable;

typedef struct PmpSchema
{
	char	   *plugin;
	char	   *version;
	int			ntables;
	PmpTable   *tables;
} PmpSchema;

/* malloc'd; NULL and a reason naming the table/column on a bad schema */
extern PmpSchema *pmp_parse_schema(const char *body, size_t len,
								   char *err, size_t errlen);
extern void pmp_free_schema(PmpSchema *schema);

/* the key_columns table option (the schema's key_columns array, as JSON) */
extern bool pmp_parse_key_columns(const char *json, PmpKeyColumn **keys,
								  int *nkeys, char *err, size_t errlen);
extern void pmp_free_key_columns(PmpKeyColumn *keys, int nkeys);

/* ---- /v1/scan request ---- */
typedef enum PmpScalarKind
{
	PMP_NULL,
	PMP_BOOL,
	PMP_INT,
	PMP_DOUBLE,
	PMP_STRING,
	PMP_RAW						/* already JSON text (a numeric, say) */
} PmpScalarKind;

typedef struct PmpScalar
{
	PmpScalarKind kind;
	bool		b;
	long long	i;
	double		d;
	const char *s;
} PmpScalar;

typedef struct PmpRequest PmpRequest;

extern PmpRequest *pmp_request_new(const char *table);
extern void pmp_request_add_column(PmpRequest *r, const char *name);
/* op is a PMP_OP_* bit; values has 1 element, or n for PMP_OP_IN, or 0 */
extern bool pmp_request_add_qual(PmpRequest *r, const char *column, int op,
								 const PmpScalar *values, int nvalues);
extern void pmp_request_set_limit(PmpRequest *r, long long limit);
extern void pmp_request_add_config(PmpRequest *r, const char *key, const char *value);
extern void pmp_request_add_credential(PmpRequest *r, const char *key, const char *value);
/* malloc'd JSON text; credentials' values are masked when hide_credentials */
extern char *pmp_request_dump(PmpRequest *r, bool hide_credentials);
extern void pmp_request_free(PmpRequest *r);

/* ---- objects in a stream, and error bodies ---- */
typedef enum PmpMessageKind
{
	PMP_MSG_END,				/* {"end": true, "rows": N} */
	PMP_MSG_ERROR,				/* {"error": {...}} */
	PMP_MSG_OTHER
} PmpMessageKind;

typedef struct PmpMessage
{
	PmpMessageKind kind;
	long long	rows;			/* PMP_MSG_END; -1 if absent */
	char		message[1024];
	char		detail[1024];
	char		hint[512];
} PmpMessage;

/* false (with a reason) if the text is not a JSON object */
extern bool pmp_parse_message(const char *text, size_t len, PmpMessage *out,
							  char *err, size_t errlen);

#endif							/* PM_PROTOCOL_H */
