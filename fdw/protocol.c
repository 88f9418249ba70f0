/*-------------------------------------------------------------------------
 *
 * protocol.c
 *		The protocol codec (see protocol.h).  Plain C and jansson only.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "protocol.h"

static void
copy_text(char *dst, size_t dstlen, const char *src)
{
	if (dstlen == 0)
		return;
	snprintf(dst, dstlen, "%s", src ? src : "");
}

bool
pmp_parse_handshake(const char *line, size_t len, PmpHandshake *out,
					char *err, size_t errlen)
{
	json_error_t jerr;
	json_t	   *root;
	json_t	   *protocol;
	json_t	   *name;
	json_t	   *version;
	bool		ok = false;

	memset(out, 0, sizeof(*out));
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
	{
		snprintf(err, errlen, "handshake is not JSON: %s", jerr.text);
		return false;
	}
	if (!json_is_object(root))
	{
		copy_text(err, errlen, "handshake is not a JSON object");
		goto done;
	}
	protocol = json_object_get(root, "protocol");
	name = json_object_get(root, "name");
	version = json_object_get(root, "version");
	if (!json_is_integer(protocol))
	{
		copy_text(err, errlen, "handshake has no integer \"protocol\"");
		goto done;
	}
	if (json_integer_value(protocol) != PMP_PROTOCOL_VERSION)
	{
		snprintf(err, errlen, "plugin speaks protocol %lld, expected %d",
				 (long long) json_integer_value(protocol), PMP_PROTOCOL_VERSION);
		goto done;
	}
	if (!json_is_string(name) || !json_is_string(version))
	{
		copy_text(err, errlen, "handshake needs string \"name\" and \"version\"");
		goto done;
	}
	out->protocol = PMP_PROTOCOL_VERSION;
	copy_text(out->name, sizeof(out->name), json_string_value(name));
	copy_text(out->version, sizeof(out->version), json_string_value(version));
	ok = true;

done:
	json_decref(root);
	return ok;
}
