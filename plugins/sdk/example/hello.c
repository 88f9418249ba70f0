/*
 * hello - the smallest useful plugin: one table, greeting(name, greeting,
 * length).  "name" is a key column: WHERE name = 'x' (or IN) greets exactly
 * those names; without it the plugin greets a default list.  Config option
 * "greeting" (default "Hello") changes the word.
 *
 *   cc -O2 -I plugins/sdk -o hello hello.c plugins/sdk/libpmplugin.a \
 *      $(pkg-config --libs jansson libmicrohttpd) -pthread
 */
#include <stdio.h>
#include <string.h>

#include "pm_plugin.h"

enum { COL_NAME, COL_GREETING, COL_LENGTH };

static void
greet(pm_scan *scan, const char *name, const char *word)
{
	char		text[256];
	int			n = snprintf(text, sizeof(text), "%s, %s!", word, name);

	if (n < 0 || n >= (int) sizeof(text))
		n = (int) strlen(text);	/* truncated */

	pm_set_text(scan, COL_NAME, name);
	pm_set_text(scan, COL_GREETING, text);
	pm_set_int64(scan, COL_LENGTH, n);
}

static int
scan_greeting(pm_scan *scan, void *arg)
{
	static const char *const defaults[] = {"world", "PostgreSQL", "plugin"};
	const char *word = pm_scan_config(scan, "greeting");
	const pm_qual *eq = pm_scan_find_qual(scan, COL_NAME, PM_OP_EQ);
	const pm_qual *in = pm_scan_find_qual(scan, COL_NAME, PM_OP_IN);

	(void) arg;
	if (word == NULL)
		word = "Hello";
	if (eq != NULL)				/* WHERE name = '...' */
	{
		if (eq->value.kind == PM_TEXT)
		{
			greet(scan, eq->value.s, word);
			pm_row_end(scan);
		}
		return 0;
	}
	if (in != NULL)				/* WHERE name IN (...) */
	{
		for (size_t i = 0; i < in->nvalues; i++)
			if (in->values[i].kind == PM_TEXT)
			{
				greet(scan, in->values[i].s, word);
				if (pm_row_end(scan))
					break;
			}
		return 0;
	}
	for (int i = 0; i < PM_LENGTHOF(defaults); i++)
	{
		greet(scan, defaults[i], word);
		if (pm_row_end(scan))	/* limit reached or client gone */
			break;
	}
	return 0;
}

static const pm_column columns[] = {
	{"name", "text", "Who is greeted"},
	{"greeting", "text", "The greeting"},
	{"length", "integer", "Length of the greeting in bytes"},
};

static const pm_key_column keys[] = {
	{"name", PM_OP_EQ | PM_OP_IN, false},
};

static const pm_table tables[] = {
	{"greeting", "Greetings, one per name", columns, PM_LENGTHOF(columns),
	keys, PM_LENGTHOF(keys), scan_greeting, NULL},
};

static const pm_plugin plugin = {"hello", "1.0.0", tables, PM_LENGTHOF(tables)};

int
main(int argc, char **argv)
{
	return pm_plugin_main(&plugin, argc, argv);
}
