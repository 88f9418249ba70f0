/*
 * request.c - the plugin's declarations turned into a schema document, and
 * POST /v1/scan bodies parsed and validated against them (with jansson).
 *
 * Everything a scan callback is handed has been checked here: the table
 * exists, every requested column and every qual's column is declared, each
 * operator is one of the protocol's, and the value of a qual the plugin will
 * see has the JSON type its column needs.  Quals on columns the plugin did
 * not declare as keys (or with operators it did not declare) are dropped:
 * the extension rechecks every qual.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "pm_internal.h"

static const struct
{
	const char *name;
	pm_op		op;
}			op_names[] = {
	{"=", PM_OP_EQ}, {"<>", PM_OP_NE}, {"<", PM_OP_LT}, {"<=", PM_OP_LE},
	{">", PM_OP_GT}, {">=", PM_OP_GE}, {"in", PM_OP_IN},
	{"is_null", PM_OP_IS_NULL}, {"is_not_null", PM_OP_IS_NOT_NULL},
};

static pm_kind
kind_of_type(const char *type)
{
	static const char *const ints[] = {"smallint", "integer", "bigint", "int",
	"int2", "int4", "int8"};
	static const char *const reals[] = {"double precision", "real", "float4",
	"float8", "numeric"};
	size_t		i;
	size_t		len = strlen(type);

	if (len > 2 && strcmp(type + len - 2, "[]") == 0)
		return PM_JSON;
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (strcmp(type, ints[i]) == 0)
			return PM_INT;
	for (i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
		if (strcmp(type, reals[i]) == 0)
			return PM_DOUBLE;
	if (strcmp(type, "boolean") == 0 || strcmp(type, "bool") == 0)
		return PM_BOOL;
	if (strcmp(type, "json") == 0 || strcmp(type, "jsonb") == 0)
		return PM_JSON;
	return PM_TEXT;
}

static int
find_column(const pm_table *t, const char *name)
{
	int			i;

	for (i = 0; i < t->ncolumns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return i;
	return -1;
}

static json_t *
op_list(unsigned ops)
{
	json_t	   *a = json_array();
	size_t		i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if ((ops & op_names[i].op) &&
			json_array_append_new(a, json_string(op_names[i].name)) != 0)
		{
			json_decref(a);
			return NULL;
		}
	return a;
}

static char *
build_schema(const pm_plugin *p)
{
	json_t	   *root;
	json_t	   *tables;
	char	   *text = NULL;
	int			i;
	int			j;

	root = json_pack("{s:i, s:s, s:s, s:[]}", "protocol", PM_PROTOCOL_VERSION,
					 "plugin", p->name, "version", p->version, "tables");
	if (root == NULL)
		return NULL;
	tables = json_object_get(root, "tables");
	for (i = 0; i < p->ntables; i++)
	{
		const pm_table *t = &p->tables[i];
		json_t	   *jt;
		json_t	   *cols;
		json_t	   *keys;

		jt = json_pack("{s:s, s:s, s:[], s:[]}", "name", t->name,
					   "description", t->description ? t->description : "",
					   "columns", "key_columns");
		if (jt == NULL || json_array_append_new(tables, jt) != 0)
			goto fail;
		cols = json_object_get(jt, "columns");
		keys = json_object_get(jt, "key_columns");
		for (j = 0; j < t->ncolumns; j++)
		{
			const pm_column *c = &t->columns[j];
			json_t	   *jc = json_pack("{s:s, s:s}", "name", c->name, "type", c->type);

			if (jc == NULL || json_array_append_new(cols, jc) != 0)
				goto fail;
			if (c->description &&
				json_object_set_new(jc, "description", json_string(c->description)) != 0)
				goto fail;
		}
		for (j = 0; j < t->nkey_columns; j++)
		{
			const pm_key_column *k = &t->key_columns[j];
			json_t	   *ops = op_list(k->ops);
			json_t	   *jk;

			if (ops == NULL)
				goto fail;
			jk = json_pack("{s:s, s:o, s:b}", "name", k->name, "operators", ops,
						   "required", k->required);
			if (jk == NULL || json_array_append_new(keys, jk) != 0)
				goto fail;
		}
	}
	text = json_dumps(root, JSON_COMPACT);
fail:
	json_decref(root);
	return text;
}

int
pm_registry_init(pm_registry *reg, const pm_plugin *p, char *errbuf, size_t errlen)
{
	int			i;
	int			j;

	memset(reg, 0, sizeof(*reg));
	reg->plugin = p;
	if (p->name == NULL || p->version == NULL || p->ntables < 0 ||
		(p->ntables > 0 && p->tables == NULL))
	{
		snprintf(errbuf, errlen, "plugin declaration needs a name, a version and tables");
		return -1;
	}
	reg->tables = calloc((size_t) p->ntables + 1, sizeof(pm_table_info));
	if (reg->tables == NULL)
		goto oom;
	for (i = 0; i < p->ntables; i++)
	{
		const pm_table *t = &p->tables[i];
		pm_table_info *ti = &reg->tables[i];

		ti->table = t;
		if (t->name == NULL || t->scan == NULL || t->ncolumns < 0)
		{
			snprintf(errbuf, errlen, "table %d needs a name and a scan callback", i);
			goto fail;
		}
		ti->kinds = calloc((size_t) t->ncolumns + 1, sizeof(pm_kind));
		ti->key_ops = calloc((size_t) t->ncolumns + 1, sizeof(unsigned));
		ti->required = calloc((size_t) t->ncolumns + 1, sizeof(bool));
		if (ti->kinds == NULL || ti->key_ops == NULL || ti->required == NULL)
			goto oom;
		for (j = 0; j < t->ncolumns; j++)
		{
			if (t->columns[j].name == NULL || t->columns[j].type == NULL)
			{
				snprintf(errbuf, errlen, "table \"%s\": column %d needs a name and a type",
						 t->name, j);
				goto fail;
			}
			ti->kinds[j] = kind_of_type(t->columns[j].type);
		}
		for (j = 0; j < t->nkey_columns; j++)
		{
			const pm_key_column *k = &t->key_columns[j];
			int			c = k->name ? find_column(t, k->name) : -1;

			if (c < 0)
			{
				snprintf(errbuf, errlen, "table \"%s\": key column \"%s\" is not a column",
						 t->name, k->name ? k->name : "(null)");
				goto fail;
			}
			if (k->required && !(k->ops & (PM_OP_EQ | PM_OP_IN)))
			{
				snprintf(errbuf, errlen, "table \"%s\": required key column \"%s\" needs \"=\" or \"in\"",
						 t->name, k->name);
				goto fail;
			}
			ti->key_ops[c] |= k->ops;
			ti->required[c] = ti->required[c] || k->required;
		}
	}
	reg->schema_json = build_schema(p);
	if (reg->schema_json == NULL)
		goto oom;
	reg->schema_len = strlen(reg->schema_json);
	return 0;

oom:
	snprintf(errbuf, errlen, "out of memory");
fail:
	pm_registry_free(reg);
	return -1;
}

void
pm_registry_free(pm_registry *reg)
{
	int			i;

	if (reg->tables)
		for (i = 0; reg->plugin && i < reg->plugin->ntables; i++)
		{
			free(reg->tables[i].kinds);
			free(reg->tables[i].key_ops);
			free(reg->tables[i].required);
		}
	free(reg->tables);
	free(reg->schema_json);
	memset(reg, 0, sizeof(*reg));
}

void
pm_error_set(pm_error *e, int status, const char *message, const char *detail,
			 const char *hint)
{
	/* copy first: the arguments may point into the old error */
	char	   *m = strdup(message ? message : "unknown error");
	char	   *d = detail ? strdup(detail) : NULL;
	char	   *h = hint ? strdup(hint) : NULL;

	pm_error_clear(e);
	e->status = status;
	e->message = m;
	e->detail = d;
	e->hint = h;
}

void
pm_error_clear(pm_error *e)
{
	free(e->message);
	free(e->detail);
	free(e->hint);
	memset(e, 0, sizeof(*e));
}

char *
pm_error_json(const pm_error *e)
{
	json_t	   *inner;
	json_t	   *root;
	char	   *text;

	inner = json_pack("{s:s}", "message", e->message ? e->message : "out of memory");
	if (inner == NULL)
		return NULL;
	if ((e->detail && json_object_set_new(inner, "detail", json_string(e->detail)) != 0) ||
		(e->hint && json_object_set_new(inner, "hint", json_string(e->hint)) != 0))
	{
		json_decref(inner);
		return NULL;
	}
	root = json_pack("{s:o}", "error", inner);
	if (root == NULL)
		return NULL;
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
}

static void
bad_request(pm_error *err, const char *detail_fmt, const char *a, const char *b)
{
	char		detail[512];

	snprintf(detail, sizeof(detail), detail_fmt, a ? a : "", b ? b : "");
	pm_error_set(err, 400, "invalid scan request", detail, NULL);
}

/* Fills v from j for a column of kind k; returns false on a type mismatch. */
static bool
convert_value(json_t *j, pm_kind k, pm_value *v)
{
	memset(v, 0, sizeof(*v));
	if (json_is_null(j))
	{
		v->kind = PM_NULL;
		return true;
	}
	v->kind = k;
	switch (k)
	{
		case PM_INT:
			if (json_is_integer(j))
				v->i = json_integer_value(j);
			else if (json_is_real(j) && json_real_value(j) >= -9.2e18 &&
					 json_real_value(j) <= 9.2e18 &&
					 (double) (int64_t) json_real_value(j) == json_real_value(j))
				v->i = (int64_t) json_real_value(j);
			else
				return false;
			v->d = (double) v->i;
			return true;
		case PM_DOUBLE:
			if (!json_is_number(j))
				return false;
			v->d = json_number_value(j);
			return true;
		case PM_BOOL:
			if (!json_is_boolean(j))
				return false;
			v->b = json_is_true(j);
			return true;
		case PM_TEXT:
			if (!json_is_string(j))
				return false;
			v->s = json_string_value(j);
			v->len = json_string_length(j);
			return true;
		case PM_JSON:
		case PM_NULL:
			break;
	}
	return false;				/* PM_JSON values are serialized by the caller */
}

static const char *
json_type_name(json_t *j)
{
	switch (json_typeof(j))
	{
		case JSON_OBJECT:
			return "an object";
		case JSON_ARRAY:
			return "an array";
		case JSON_STRING:
			return "a string";
		case JSON_INTEGER:
		case JSON_REAL:
			return "a number";
		case JSON_TRUE:
		case JSON_FALSE:
			return "a boolean";
		case JSON_NULL:
			return "null";
	}
	return "a value";
}

/*
 * Converts one qual value.  JSON-kind values keep their serialized text in a
 * string stored back into the request, so the request owns it.
 */
static bool
qual_value(json_t *qual, json_t *j, pm_kind k, pm_value *v, pm_error *err,
		   const char *column)
{
	char		detail[256];

	if (k == PM_JSON && !json_is_null(j))
	{
		char	   *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
		json_t	   *holder;

		if (text == NULL || (holder = json_string_nocheck(text)) == NULL ||
			json_array_append_new(json_object_get(qual, "_pm_json"), holder) != 0)
		{
			free(text);
			pm_error_set(err, 500, "out of memory", NULL, NULL);
			return false;
		}
		free(text);
		memset(v, 0, sizeof(*v));
		v->kind = PM_JSON;
		v->s = json_string_value(holder);
		v->len = json_string_length(holder);
		return true;
	}
	if (!convert_value(j, k, v))
	{
		snprintf(detail, sizeof(detail), "Qual on column \"%s\" has %s value where %s is expected.",
				 column, json_type_name(j),
				 k == PM_INT ? "an integer" : k == PM_DOUBLE ? "a number" :
				 k == PM_BOOL ? "a boolean" : "a string");
		pm_error_set(err, 400, "invalid scan request", detail, NULL);
		return false;
	}
	return true;
}

pm_scan *
pm_scan_parse(const pm_registry *reg, const char *body, size_t len, pm_error *err)
{
	json_error_t jerr;
	json_t	   *root;
	json_t	   *jtable;
	json_t	   *jcols;
	json_t	   *jquals;
	json_t	   *jlimit;
	json_t	   *jq;
	const pm_table_info *info = NULL;
	const pm_table *t;
	pm_scan    *scan;
	size_t		i;
	size_t		nin = 0;
	int			c;

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
	{
		char		detail[300];

		snprintf(detail, sizeof(detail), "Malformed JSON at line %d, column %d: %s.",
				 jerr.line, jerr.column, jerr.text);
		pm_error_set(err, 400, "invalid scan request", detail, NULL);
		return NULL;
	}
	if (!json_is_object(root))
	{
		json_decref(root);
		bad_request(err, "The request body must be a JSON object.", NULL, NULL);
		return NULL;
	}
	jtable = json_object_get(root, "table");
	if (!json_is_string(jtable))
	{
		json_decref(root);
		bad_request(err, "The request needs a \"table\" string.", NULL, NULL);
		return NULL;
	}
	for (c = 0; c < reg->plugin->ntables; c++)
		if (strcmp(reg->tables[c].table->name, json_string_value(jtable)) == 0)
			info = &reg->tables[c];
	if (info == NULL)
	{
		char		detail[300];

		snprintf(detail, sizeof(detail), "Plugin \"%s\" has no table \"%s\".",
				 reg->plugin->name, json_string_value(jtable));
		pm_error_set(err, 400, "unknown table", detail, NULL);
		json_decref(root);
		return NULL;
	}
	t = info->table;

	scan = calloc(1, sizeof(*scan));
	if (scan == NULL)
	{
		json_decref(root);
		pm_error_set(err, 500, "out of memory", NULL, NULL);
		return NULL;
	}
	scan->info = info;
	scan->client_fd = -1;
	scan->request = root;
	scan->limit = -1;
	scan->wants = calloc((size_t) t->ncolumns + 1, sizeof(bool));
	scan->slots = calloc((size_t) t->ncolumns + 1, sizeof(pm_slot));
	if (scan->wants == NULL || scan->slots == NULL)
		goto oom;
	scan->row_gen = 1;

	/* columns: absent means all of them, in declaration order */
	jcols = json_object_get(root, "columns");
	if (jcols == NULL || json_is_null(jcols))
	{
		scan->out_cols = calloc((size_t) t->ncolumns + 1, sizeof(int));
		if (scan->out_cols == NULL)
			goto oom;
		for (c = 0; c < t->ncolumns; c++)
			scan->out_cols[c] = c;
		scan->nout = t->ncolumns;
	}
	else if (!json_is_array(jcols))
	{
		bad_request(err, "\"columns\" must be an array of column names.", NULL, NULL);
		goto fail;
	}
	else
	{
		scan->out_cols = calloc(json_array_size(jcols) + 1, sizeof(int));
		if (scan->out_cols == NULL)
			goto oom;
		for (i = 0; i < json_array_size(jcols); i++)
		{
			json_t	   *jc = json_array_get(jcols, i);

			if (!json_is_string(jc))
			{
				bad_request(err, "\"columns\" must be an array of column names.", NULL, NULL);
				goto fail;
			}
			c = find_column(t, json_string_value(jc));
			if (c < 0)
			{
				bad_request(err, "Table \"%s\" has no column \"%s\".", t->name,
							json_string_value(jc));
				pm_error_set(err, 400, "unknown column", err->detail, NULL);
				goto fail;
			}
			scan->out_cols[scan->nout++] = c;
		}
	}
	for (c = 0; c < scan->nout; c++)
		scan->wants[scan->out_cols[c]] = true;

	jlimit = json_object_get(root, "limit");
	if (jlimit != NULL && !json_is_null(jlimit))
	{
		if (!json_is_integer(jlimit) || json_integer_value(jlimit) < 0)
		{
			bad_request(err, "\"limit\" must be a non-negative integer.", NULL, NULL);
			goto fail;
		}
		scan->limit = json_integer_value(jlimit);
	}

	scan->config = json_object_get(root, "config");
	scan->credentials = json_object_get(root, "credentials");
	if ((scan->config && !json_is_object(scan->config) && !json_is_null(scan->config)) ||
		(scan->credentials && !json_is_object(scan->credentials) &&
		 !json_is_null(scan->credentials)))
	{
		bad_request(err, "\"config\" and \"credentials\" must be objects.", NULL, NULL);
		goto fail;
	}

	jquals = json_object_get(root, "quals");
	if (jquals != NULL && !json_is_null(jquals) && !json_is_array(jquals))
	{
		bad_request(err, "\"quals\" must be an array.", NULL, NULL);
		goto fail;
	}
	/* first pass: shape, columns and operators; count the "in" values */
	json_array_foreach(jquals, i, jq)
	{
		json_t	   *jcol = json_object_get(jq, "column");
		json_t	   *jop = json_object_get(jq, "op");
		json_t	   *jval = json_object_get(jq, "value");
		size_t		k;
		bool		known = false;

		if (!json_is_object(jq) || !json_is_string(jcol) || !json_is_string(jop))
		{
			bad_request(err, "Each qual needs a \"column\" and an \"op\" string.", NULL, NULL);
			goto fail;
		}
		if (find_column(t, json_string_value(jcol)) < 0)
		{
			bad_request(err, "Table \"%s\" has no column \"%s\".", t->name,
						json_string_value(jcol));
			pm_error_set(err, 400, "unknown column in qual", err->detail, NULL);
			goto fail;
		}
		for (k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++)
			if (strcmp(op_names[k].name, json_string_value(jop)) == 0)
			{
				known = true;
				if (op_names[k].op == PM_OP_IN)
				{
					if (!json_is_array(jval))
					{
						bad_request(err, "Qual \"in\" on column \"%s\" needs an array value.",
									json_string_value(jcol), NULL);
						goto fail;
					}
					nin += json_array_size(jval);
				}
				else if (op_names[k].op != PM_OP_IS_NULL &&
						 op_names[k].op != PM_OP_IS_NOT_NULL && jval == NULL)
				{
					bad_request(err, "Qual on column \"%s\" has no value.",
								json_string_value(jcol), NULL);
					goto fail;
				}
			}
		if (!known)
		{
			bad_request(err, "Unknown operator \"%s\" on column \"%s\".",
						json_string_value(jop), json_string_value(jcol));
			pm_error_set(err, 400, "unknown operator", err->detail, NULL);
			goto fail;
		}
	}
	scan->quals = calloc(json_array_size(jquals) + 1, sizeof(pm_qual));
	scan->in_values = calloc(nin + 1, sizeof(pm_value));
	if (scan->quals == NULL || scan->in_values == NULL)
		goto oom;
	nin = 0;
	/* second pass: keep the declared ones, with typed values */
	json_array_foreach(jquals, i, jq)
	{
		const char *colname = json_string_value(json_object_get(jq, "column"));
		const char *opname = json_string_value(json_object_get(jq, "op"));
		json_t	   *jval = json_object_get(jq, "value");
		pm_qual    *q = &scan->quals[scan->nquals];
		size_t		k;

		c = find_column(t, colname);
		q->column = c;
		for (k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++)
			if (strcmp(op_names[k].name, opname) == 0)
				q->op = op_names[k].op;
		if (!(info->key_ops[c] & q->op))
			continue;			/* not declared: the extension rechecks it */
		if (info->kinds[c] == PM_JSON &&
			json_object_set_new(jq, "_pm_json", json_array()) != 0)
			goto oom;
		if (q->op == PM_OP_IN)
		{
			size_t		n;
			json_t	   *je;

			q->values = &scan->in_values[nin];
			json_array_foreach(jval, n, je)
			{
				if (!qual_value(jq, je, info->kinds[c], &scan->in_values[nin], err, colname))
					goto fail;
				nin++;
			}
			q->nvalues = json_array_size(jval);
		}
		else if (q->op != PM_OP_IS_NULL && q->op != PM_OP_IS_NOT_NULL)
		{
			if (!qual_value(jq, jval, info->kinds[c], &q->value, err, colname))
				goto fail;
		}
		scan->nquals++;
	}
	for (c = 0; c < t->ncolumns; c++)
	{
		int			k;
		bool		have = false;

		if (!info->required[c])
			continue;
		for (k = 0; k < scan->nquals; k++)
			if (scan->quals[k].column == c &&
				(scan->quals[k].op == PM_OP_EQ || scan->quals[k].op == PM_OP_IN))
				have = true;
		if (!have)
		{
			char		detail[256];
			char		hint[256];

			snprintf(detail, sizeof(detail), "Table \"%s\" needs a qual on column \"%s\".",
					 t->name, t->columns[c].name);
			snprintf(hint, sizeof(hint), "Add a WHERE %s = ... condition.", t->columns[c].name);
			pm_error_set(err, 400, "missing required qual", detail, hint);
			goto fail;
		}
	}
	return scan;

oom:
	pm_error_set(err, 500, "out of memory", NULL, NULL);
fail:
	pm_scan_free(scan);
	return NULL;
}

void
pm_scan_free(pm_scan *scan)
{
	if (scan == NULL)
		return;
	json_decref(scan->request);
	free(scan->out_cols);
	free(scan->wants);
	free(scan->quals);
	free(scan->in_values);
	free(scan->slots);
	pm_buf_free(&scan->rowbuf);
	pm_buf_free(&scan->out);
	pm_error_clear(&scan->error);
	if (scan->ring)
	{
		free(scan->ring);
		pthread_mutex_destroy(&scan->mu);
		pthread_cond_destroy(&scan->cv_producer);
		pthread_cond_destroy(&scan->cv_consumer);
	}
	free(scan);
}

/* ---- request accessors ---- */

const pm_table *
pm_scan_table(const pm_scan *scan)
{
	return scan->info->table;
}

int
pm_scan_ncolumns(const pm_scan *scan)
{
	return scan->nout;
}

int
pm_scan_column(const pm_scan *scan, int i)
{
	return (i >= 0 && i < scan->nout) ? scan->out_cols[i] : -1;
}

bool
pm_scan_wants(const pm_scan *scan, int column)
{
	return column >= 0 && column < scan->info->table->ncolumns && scan->wants[column];
}

int
pm_scan_nquals(const pm_scan *scan)
{
	return scan->nquals;
}

const pm_qual *
pm_scan_qual(const pm_scan *scan, int i)
{
	return (i >= 0 && i < scan->nquals) ? &scan->quals[i] : NULL;
}

const pm_qual *
pm_scan_find_qual(const pm_scan *scan, int column, pm_op op)
{
	int			i;

	for (i = 0; i < scan->nquals; i++)
		if (scan->quals[i].column == column && scan->quals[i].op == op)
			return &scan->quals[i];
	return NULL;
}

int64_t
pm_scan_limit(const pm_scan *scan)
{
	return scan->limit;
}

static const char *
map_get(json_t *map, const char *key)
{
	return json_string_value(json_object_get(map, key));
}

const char *
pm_scan_config(const pm_scan *scan, const char *key)
{
	return map_get(scan->config, key);
}

const char *
pm_scan_credential(const pm_scan *scan, const char *key)
{
	return map_get(scan->credentials, key);
}

int
pm_scan_config_int64(pm_scan *scan, const char *key, int64_t dflt, int64_t min,
					 int64_t max, int64_t *out)
{
	json_t	   *j = json_object_get(scan->config, key);
	char		detail[256];
	long long	v;

	if (j == NULL || json_is_null(j))
	{
		*out = dflt;
		return 0;
	}
	if (json_is_integer(j))
		v = json_integer_value(j);
	else if (json_is_string(j))
	{
		const char *s = json_string_value(j);
		char	   *end;

		errno = 0;
		v = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno != 0)
			goto bad;
	}
	else
		goto bad;
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;

bad:
	snprintf(detail, sizeof(detail),
			 "Option \"%s\" must be an integer between %lld and %lld.",
			 key, (long long) min, (long long) max);
	pm_scan_error(scan, 400, "invalid value for option", detail, NULL);
	return -1;
}
