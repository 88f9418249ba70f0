/*-------------------------------------------------------------------------
 *
 * protocol.c
 *		The protocol codec (see protocol.h).  Plain C and jansson only.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "protocol.h"

/*
 * jansson's json_object() shares its name with PostgreSQL's SQL function
 * json_object(), which the server binary exports: inside the server a call
 * to it from this library binds to PostgreSQL's and crashes.  json_pack()
 * builds the object inside libjansson instead.
 */
static json_t *
pmp_new_object(void)
{
	return json_pack("{}");
}

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

/* ---- operators ---- */

static const struct
{
	int			op;
	const char *name;
}			pmp_ops[] =
{
	{PMP_OP_EQ, "="},
	{PMP_OP_NE, "<>"},
	{PMP_OP_LT, "<"},
	{PMP_OP_LE, "<="},
	{PMP_OP_GT, ">"},
	{PMP_OP_GE, ">="},
	{PMP_OP_IN, "in"},
	{PMP_OP_IS_NULL, "is_null"},
	{PMP_OP_IS_NOT_NULL, "is_not_null"},
};

const char *
pmp_op_name(int op)
{
	for (size_t i = 0; i < sizeof(pmp_ops) / sizeof(pmp_ops[0]); i++)
		if (pmp_ops[i].op == op)
			return pmp_ops[i].name;
	return NULL;
}

int
pmp_op_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(pmp_ops) / sizeof(pmp_ops[0]); i++)
		if (strcmp(pmp_ops[i].name, name) == 0)
			return pmp_ops[i].op;
	/* "!=" is a common spelling of "<>" */
	if (strcmp(name, "!=") == 0)
		return PMP_OP_NE;
	return 0;
}

/* ---- schemas ---- */

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void
pmp_free_key_columns(PmpKeyColumn *keys, int nkeys)
{
	if (keys == NULL)
		return;
	for (int i = 0; i < nkeys; i++)
		free(keys[i].name);
	free(keys);
}

/* key_columns as a jansson array; reasons name the table */
static bool
keys_from_json(json_t *arr, const char *tablename, PmpKeyColumn **keys, int *nkeys,
			   char *err, size_t errlen)
{
	size_t		n;
	PmpKeyColumn *out;
	char		table[300];

	/* messages say "of table "t"" for a schema, nothing for a table option */
	if (tablename)
		snprintf(table, sizeof(table), " of table \"%s\"", tablename);
	else
		table[0] = '\0';

	*keys = NULL;
	*nkeys = 0;
	if (arr == NULL || json_is_null(arr))
		return true;
	if (!json_is_array(arr))
	{
		snprintf(err, errlen, "key_columns%s is not an array", table);
		return false;
	}
	n = json_array_size(arr);
	out = calloc(n ? n : 1, sizeof(PmpKeyColumn));
	if (out == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++)
	{
		json_t	   *k = json_array_get(arr, i);
		json_t	   *name = json_object_get(k, "name");
		json_t	   *ops = json_object_get(k, "operators");
		json_t	   *req = json_object_get(k, "required");
		size_t		j;
		json_t	   *op;

		if (!json_is_object(k) || !json_is_string(name))
		{
			snprintf(err, errlen, "key column %zu%s has no \"name\"", i, table);
			pmp_free_key_columns(out, (int) i);
			return false;
		}
		out[i].name = strdup(json_string_value(name));
		out[i].required = json_is_true(req);
		if (ops != NULL && !json_is_array(ops))
		{
			snprintf(err, errlen, "\"operators\" of key column \"%s\"%s is not an array",
					 json_string_value(name), table);
			pmp_free_key_columns(out, (int) i + 1);
			return false;
		}
		json_array_foreach(ops, j, op)
		{
			int			bit = json_is_string(op) ? pmp_op_from_name(json_string_value(op)) : 0;

			if (bit == 0)
			{
				snprintf(err, errlen, "key column \"%s\"%s declares unknown operator %s",
						 json_string_value(name), table,
						 json_is_string(op) ? json_string_value(op) : "(not a string)");
				pmp_free_key_columns(out, (int) i + 1);
				return false;
			}
			out[i].ops |= bit;
		}
		if (ops == NULL)
			out[i].ops = PMP_OP_EQ;
	}
	*keys = out;
	*nkeys = (int) n;
	return true;
}

bool
pmp_parse_key_columns(const char *text, PmpKeyColumn **keys, int *nkeys,
					  char *err, size_t errlen)
{
	json_error_t jerr;
	json_t	   *root = json_loads(text, 0, &jerr);
	bool		ok;

	if (root == NULL)
	{
		snprintf(err, errlen, "key_columns is not JSON: %s", jerr.text);
		return false;
	}
	ok = keys_from_json(root, NULL, keys, nkeys, err, errlen);
	json_decref(root);
	return ok;
}

void
pmp_free_schema(PmpSchema *schema)
{
	if (schema == NULL)
		return;
	for (int i = 0; i < schema->ntables; i++)
	{
		PmpTable   *t = &schema->tables[i];

		free(t->name);
		free(t->description);
		for (int c = 0; c < t->ncolumns; c++)
		{
			free(t->columns[c].name);
			free(t->columns[c].type);
			free(t->columns[c].description);
		}
		free(t->columns);
		pmp_free_key_columns(t->keys, t->nkeys);
		free(t->keys_json);
	}
	free(schema->tables);
	free(schema->plugin);
	free(schema->version);
	free(schema);
}

PmpSchema *
pmp_parse_schema(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t	   *root;
	json_t	   *tables;
	PmpSchema  *schema = NULL;
	size_t		i;
	json_t	   *t;

	root = json_loadb(body, len, 0, &jerr);
	if (root == NULL)
	{
		snprintf(err, errlen, "schema is not JSON: %s (line %d, column %d)",
				 jerr.text, jerr.line, jerr.column);
		return NULL;
	}
	tables = json_object_get(root, "tables");
	if (!json_is_object(root) || !json_is_array(tables))
	{
		copy_text(err, errlen, "schema has no \"tables\" array");
		goto fail;
	}
	schema = calloc(1, sizeof(PmpSchema));
	if (schema == NULL)
		goto oom;
	schema->plugin = dup_or_null(json_string_value(json_object_get(root, "plugin")));
	schema->version = dup_or_null(json_string_value(json_object_get(root, "version")));
	schema->tables = calloc(json_array_size(tables) + 1, sizeof(PmpTable));
	if (schema->tables == NULL)
		goto oom;

	json_array_foreach(tables, i, t)
	{
		PmpTable   *out = &schema->tables[schema->ntables];
		json_t	   *name = json_object_get(t, "name");
		json_t	   *cols = json_object_get(t, "columns");
		size_t		c;
		json_t	   *col;

		if (!json_is_object(t) || !json_is_string(name) ||
			json_string_length(name) == 0)
		{
			snprintf(err, errlen, "table %zu of the schema has no \"name\"", i);
			goto fail;
		}
		out->name = strdup(json_string_value(name));
		out->description = dup_or_null(json_string_value(json_object_get(t, "description")));
		schema->ntables++;
		if (!json_is_array(cols) || json_array_size(cols) == 0)
		{
			snprintf(err, errlen, "table \"%s\" has no \"columns\" array", out->name);
			goto fail;
		}
		out->columns = calloc(json_array_size(cols), sizeof(PmpColumn));
		if (out->columns == NULL)
			goto oom;
		json_array_foreach(cols, c, col)
		{
			json_t	   *cname = json_object_get(col, "name");
			json_t	   *ctype = json_object_get(col, "type");
			PmpColumn  *oc = &out->columns[out->ncolumns];

			if (!json_is_string(cname) || json_string_length(cname) == 0)
			{
				snprintf(err, errlen, "column %zu of table \"%s\" has no \"name\"", c, out->name);
				goto fail;
			}
			if (!json_is_string(ctype) || json_string_length(ctype) == 0)
			{
				snprintf(err, errlen, "column \"%s\" of table \"%s\" has no \"type\"",
						 json_string_value(cname), out->name);
				goto fail;
			}
			oc->name = strdup(json_string_value(cname));
			oc->type = strdup(json_string_value(ctype));
			oc->description = dup_or_null(json_string_value(json_object_get(col, "description")));
			out->ncolumns++;
		}
		if (!keys_from_json(json_object_get(t, "key_columns"), out->name,
							&out->keys, &out->nkeys, err, errlen))
			goto fail;
		for (int k = 0; k < out->nkeys; k++)
		{
			bool		found = false;

			for (int cc = 0; cc < out->ncolumns; cc++)
				if (strcmp(out->columns[cc].name, out->keys[k].name) == 0)
					found = true;
			if (!found)
			{
				snprintf(err, errlen, "key column \"%s\" of table \"%s\" is not one of its columns",
						 out->keys[k].name, out->name);
				goto fail;
			}
		}
		if (out->nkeys > 0)
		{
			out->keys_json = json_dumps(json_object_get(t, "key_columns"), JSON_COMPACT);
			if (out->keys_json == NULL)
				goto oom;
		}
	}
	json_decref(root);
	return schema;

oom:
	copy_text(err, errlen, "out of memory");
fail:
	pmp_free_schema(schema);
	json_decref(root);
	return NULL;
}

/* ---- requests ---- */

struct PmpRequest
{
	json_t	   *root;
	json_t	   *columns;
	json_t	   *quals;
	json_t	   *config;
	json_t	   *credentials;
};

PmpRequest *
pmp_request_new(const char *table)
{
	PmpRequest *r = calloc(1, sizeof(PmpRequest));

	if (r == NULL)
		return NULL;
	r->root = pmp_new_object();
	r->columns = json_array();
	r->quals = json_array();
	r->config = pmp_new_object();
	r->credentials = pmp_new_object();
	if (!r->root || !r->columns || !r->quals || !r->config || !r->credentials)
	{
		json_decref(r->root);
		json_decref(r->columns);
		json_decref(r->quals);
		json_decref(r->config);
		json_decref(r->credentials);
		free(r);
		return NULL;
	}
	json_object_set_new(r->root, "table", json_string(table));
	json_object_set(r->root, "columns", r->columns);
	json_object_set(r->root, "quals", r->quals);
	json_object_set(r->root, "config", r->config);
	json_object_set(r->root, "credentials", r->credentials);
	return r;
}

void
pmp_request_free(PmpRequest *r)
{
	if (r == NULL)
		return;
	json_decref(r->columns);
	json_decref(r->quals);
	json_decref(r->config);
	json_decref(r->credentials);
	json_decref(r->root);
	free(r);
}

void
pmp_request_add_column(PmpRequest *r, const char *name)
{
	json_array_append_new(r->columns, json_string(name));
}

static json_t *
scalar_to_json(const PmpScalar *v)
{
	switch (v->kind)
	{
		case PMP_NULL:
			return json_null();
		case PMP_BOOL:
			return json_boolean(v->b);
		case PMP_INT:
			return json_integer(v->i);
		case PMP_DOUBLE:
			return json_real(v->d);
		case PMP_STRING:
			return json_string(v->s);
		case PMP_RAW:
			return json_loads(v->s, JSON_DECODE_ANY, NULL);
	}
	return NULL;
}

bool
pmp_request_add_qual(PmpRequest *r, const char *column, int op,
					 const PmpScalar *values, int nvalues)
{
	json_t	   *q = pmp_new_object();
	json_t	   *value = NULL;

	json_object_set_new(q, "column", json_string(column));
	json_object_set_new(q, "op", json_string(pmp_op_name(op)));
	if (op == PMP_OP_IN)
	{
		value = json_array();
		for (int i = 0; i < nvalues; i++)
		{
			json_t	   *v = scalar_to_json(&values[i]);

			if (v == NULL)
				goto fail;
			json_array_append_new(value, v);
		}
	}
	else if (nvalues > 0)
	{
		value = scalar_to_json(&values[0]);
		if (value == NULL)
			goto fail;
	}
	if (value)
		json_object_set_new(q, "value", value);
	json_array_append_new(r->quals, q);
	return true;

fail:
	json_decref(value);
	json_decref(q);
	return false;
}

void
pmp_request_set_limit(PmpRequest *r, long long limit)
{
	json_object_set_new(r->root, "limit", json_integer(limit));
}

void
pmp_request_add_config(PmpRequest *r, const char *key, const char *value)
{
	json_object_set_new(r->config, key, json_string(value));
}

void
pmp_request_add_credential(PmpRequest *r, const char *key, const char *value)
{
	json_object_set_new(r->credentials, key, json_string(value));
}

char *
pmp_request_dump(PmpRequest *r, bool hide_credentials)
{
	char	   *out;

	if (!hide_credentials)
		return json_dumps(r->root, JSON_COMPACT);
	else
	{
		json_t	   *copy = json_copy(r->root);
		json_t	   *masked = pmp_new_object();
		const char *key;
		json_t	   *v;

		json_object_foreach(r->credentials, key, v)
			json_object_set_new(masked, key, json_string("********"));
		json_object_set_new(copy, "credentials", masked);
		out = json_dumps(copy, JSON_COMPACT);
		json_decref(copy);
		return out;
	}
}

/* ---- messages ---- */

bool
pmp_parse_message(const char *text, size_t len, PmpMessage *out,
				  char *err, size_t errlen)
{
	json_error_t jerr;
	json_t	   *root;
	json_t	   *e;

	memset(out, 0, sizeof(*out));
	out->kind = PMP_MSG_OTHER;
	out->rows = -1;
	root = json_loadb(text, len, 0, &jerr);
	if (root == NULL || !json_is_object(root))
	{
		snprintf(err, errlen, "not a JSON object: %s", root ? "another JSON value" : jerr.text);
		json_decref(root);
		return false;
	}
	e = json_object_get(root, "error");
	if (e != NULL)
	{
		out->kind = PMP_MSG_ERROR;
		if (json_is_string(e))
			copy_text(out->message, sizeof(out->message), json_string_value(e));
		else
		{
			copy_text(out->message, sizeof(out->message),
					  json_string_value(json_object_get(e, "message")));
			copy_text(out->detail, sizeof(out->detail),
					  json_string_value(json_object_get(e, "detail")));
			copy_text(out->hint, sizeof(out->hint),
					  json_string_value(json_object_get(e, "hint")));
		}
		if (out->message[0] == '\0')
			copy_text(out->message, sizeof(out->message), "(the plugin gave no message)");
	}
	else if (json_is_true(json_object_get(root, "end")))
	{
		json_t	   *rows = json_object_get(root, "rows");

		out->kind = PMP_MSG_END;
		if (json_is_integer(rows))
			out->rows = json_integer_value(rows);
	}
	json_decref(root);
	return true;
}
