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

#endif							/* PM_PROTOCOL_H */
