/*
 * net - the network as tables.
 *
 *   http_request(url, method, status, headers, body, elapsed_ms): one HTTP
 *     request per url (required key, = or in), made with libcurl.  Config:
 *     timeout_ms (default 10000), connect_timeout_ms (default 3000),
 *     allowed_schemes (default "http,https"; redirects are held to the same
 *     list), max_body_bytes (default 10 MB), follow_redirects ("true").
 *   dns_record(domain, type, value): A and AAAA records from getaddrinfo().
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "pm_plugin.h"

enum
{
	HTTP_URL, HTTP_METHOD, HTTP_STATUS, HTTP_HEADERS, HTTP_BODY, HTTP_ELAPSED
};

typedef struct http_ctx
{
	char	   *body;
	size_t		len;
	size_t		cap;
	size_t		max;
	bool		too_big;
	json_t	   *headers;
	bool		oom;
} http_ctx;

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	http_ctx   *c = arg;
	size_t		n = size * nmemb;

	if (c->len + n > c->max)
	{
		c->too_big = true;
		return 0;				/* aborts the transfer */
	}
	if (c->len + n + 1 > c->cap)
	{
		size_t		cap = c->cap ? c->cap : 16384;
		char	   *p;

		while (cap < c->len + n + 1)
			cap *= 2;
		p = realloc(c->body, cap);
		if (p == NULL)
		{
			c->oom = true;
			return 0;
		}
		c->body = p;
		c->cap = cap;
	}
	memcpy(c->body + c->len, data, n);
	c->len += n;
	return n;
}

/* Collects "Name: value" lines of the last response (after redirects). */
static size_t
on_header(char *data, size_t size, size_t nitems, void *arg)
{
	http_ctx   *c = arg;
	size_t		n = size * nitems;
	char		name[256];
	const char *colon = memchr(data, ':', n);
	size_t		nlen;
	const char *v;
	size_t		vlen;
	json_t	   *val;

	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0)
	{
		/* a new response (e.g. after a redirect): start over */
		json_object_clear(c->headers);
		return n;
	}
	if (colon == NULL)
		return n;
	nlen = (size_t) (colon - data);
	if (nlen == 0 || nlen >= sizeof(name))
		return n;
	for (size_t i = 0; i < nlen; i++)
		name[i] = (char) tolower((unsigned char) data[i]);
	name[nlen] = '\0';
	v = colon + 1;
	vlen = n - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t'))
	{
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
		vlen--;
	/* repeated headers are joined with ", " as HTTP allows */
	val = json_object_get(c->headers, name);
	if (val != NULL)
	{
		size_t		old = json_string_length(val);
		char	   *joined = malloc(old + 2 + vlen + 1);

		if (joined == NULL)
		{
			c->oom = true;
			return 0;
		}
		memcpy(joined, json_string_value(val), old);
		memcpy(joined + old, ", ", 2);
		memcpy(joined + old + 2, v, vlen);
		joined[old + 2 + vlen] = '\0';
		val = json_stringn(joined, old + 2 + vlen);
		free(joined);
	}
	else
		val = json_stringn(v, vlen);
	/* header bytes need not be UTF-8: such a header is left out */
	if (val != NULL && json_object_set_new(c->headers, name, val) != 0)
		c->oom = true;
	return n;
}

/* Makes one request and emits its row; returns -1 on error, 1 to stop. */
static int
http_one(pm_scan *scan, const char *url, const char *method)
{
	const char *schemes = pm_scan_config(scan, "allowed_schemes");
	const char *follow = pm_scan_config(scan, "follow_redirects");
	int64_t		timeout_ms;
	int64_t		connect_ms;
	int64_t		max_body;
	char		errbuf[CURL_ERROR_SIZE] = "";
	http_ctx	c = {0};
	CURL	   *curl;
	CURLcode	rc;
	long		status = 0;
	curl_off_t	total_us = 0;
	char	   *headers_text = NULL;
	int			ret = 0;

	if (pm_scan_config_int64(scan, "timeout_ms", 10000, 1, 3600000, &timeout_ms) != 0 ||
		pm_scan_config_int64(scan, "connect_timeout_ms", 3000, 1, 3600000, &connect_ms) != 0 ||
		pm_scan_config_int64(scan, "max_body_bytes", 10 * 1024 * 1024, 0, 1 << 30, &max_body) != 0)
		return -1;
	if (schemes == NULL)
		schemes = "http,https";
	c.max = (size_t) max_body;
	c.headers = json_object();
	curl = curl_easy_init();
	if (curl == NULL || c.headers == NULL)
	{
		pm_scan_error(scan, 500, "out of memory", NULL, NULL);
		ret = -1;
		goto done;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long) timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long) connect_ms);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &c);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &c);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "plugin_manager-net/1.0");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION,
					 (follow == NULL || strcmp(follow, "true") == 0) ? 1L : 0L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
	if (curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, schemes) != CURLE_OK ||
		curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, schemes) != CURLE_OK)
	{
		pm_scan_error(scan, 400, "invalid value for option",
					  "Option \"allowed_schemes\" must be a comma-separated list of URL schemes.",
					  NULL);
		ret = -1;
		goto done;
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);

	rc = curl_easy_perform(curl);
	if (c.oom)
	{
		pm_scan_error(scan, 500, "out of memory", NULL, NULL);
		ret = -1;
		goto done;
	}
	if (rc == CURLE_UNSUPPORTED_PROTOCOL)
	{
		char		detail[512];

		snprintf(detail, sizeof(detail), "URL \"%s\" uses a scheme not in allowed_schemes (%s).",
				 url, schemes);
		pm_scan_error(scan, 400, "scheme not allowed", detail,
					  "Set the server option allowed_schemes.");
		ret = -1;
		goto done;
	}
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && c.too_big))
	{
		char		detail[CURL_ERROR_SIZE + 600];

		snprintf(detail, sizeof(detail), "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		pm_scan_error(scan, 502, "HTTP request failed", detail, NULL);
		ret = -1;
		goto done;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);

	pm_set_text(scan, HTTP_URL, url);
	pm_set_text(scan, HTTP_METHOD, method);
	pm_set_int64(scan, HTTP_STATUS, status);
	if (pm_scan_wants(scan, HTTP_HEADERS))
	{
		headers_text = json_dumps(c.headers, JSON_COMPACT);
		if (headers_text == NULL)
		{
			pm_scan_error(scan, 500, "out of memory", NULL, NULL);
			ret = -1;
			goto done;
		}
		pm_set_json(scan, HTTP_HEADERS, headers_text);
	}
	if (c.too_big)
		pm_log("http_request: body of %s cut at max_body_bytes (%lld)", url, (long long) max_body);
	pm_set_textn(scan, HTTP_BODY, c.body ? c.body : "", c.len);
	pm_set_double(scan, HTTP_ELAPSED, (double) total_us / 1000.0);
	ret = pm_row_end(scan);

done:
	free(headers_text);
	if (curl)
		curl_easy_cleanup(curl);
	json_decref(c.headers);
	free(c.body);
	return ret;
}

static bool
valid_method(const char *m)
{
	if (*m == '\0' || strlen(m) > 16)
		return false;
	for (; *m; m++)
		if (!isupper((unsigned char) *m))
			return false;
	return true;
}

static int
scan_http_request(pm_scan *scan, void *arg)
{
	const pm_qual *url_eq = pm_scan_find_qual(scan, HTTP_URL, PM_OP_EQ);
	const pm_qual *url_in = pm_scan_find_qual(scan, HTTP_URL, PM_OP_IN);
	const pm_qual *m = pm_scan_find_qual(scan, HTTP_METHOD, PM_OP_EQ);
	const char *method = "GET";
	int			rc = 0;

	(void) arg;
	if (m != NULL)
	{
		if (m->value.kind != PM_TEXT)
			return 0;			/* method = NULL: no rows */
		method = m->value.s;
		if (!valid_method(method))
		{
			pm_scan_error(scan, 400, "invalid HTTP method",
						  "A method is an upper-case word such as GET or HEAD.", NULL);
			return -1;
		}
	}
	if (url_eq != NULL)
	{
		if (url_eq->value.kind == PM_TEXT)
			rc = http_one(scan, url_eq->value.s, method);
	}
	else if (url_in != NULL)
	{
		for (size_t i = 0; i < url_in->nvalues && rc == 0; i++)
			if (url_in->values[i].kind == PM_TEXT)
				rc = http_one(scan, url_in->values[i].s, method);
	}
	return rc < 0 ? -1 : 0;
}

enum
{
	DNS_DOMAIN, DNS_TYPE, DNS_VALUE
};

/* Emits the records of one family; returns -1 on error, 1 to stop. */
static int
dns_lookup(pm_scan *scan, const char *domain, const char *type, int family)
{
	struct addrinfo hints = {0};
	struct addrinfo *res = NULL;
	int			rc;
	int			ret = 0;

	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;	/* one entry per address */
	rc = getaddrinfo(domain, NULL, &hints, &res);
	if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY)
		return 0;				/* no such record: no rows */
	if (rc != 0)
	{
		char		detail[512];

		snprintf(detail, sizeof(detail), "Lookup of %s records for \"%s\" failed: %s.",
				 type, domain, gai_strerror(rc));
		pm_scan_error(scan, 502, "DNS lookup failed", detail, NULL);
		return -1;
	}
	for (struct addrinfo *ai = res; ai && ret == 0; ai = ai->ai_next)
	{
		char		addr[INET6_ADDRSTRLEN];
		const void *src = family == AF_INET ?
			(const void *) &((struct sockaddr_in *) ai->ai_addr)->sin_addr :
			(const void *) &((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr;

		if (ai->ai_family != family || inet_ntop(family, src, addr, sizeof(addr)) == NULL)
			continue;
		pm_set_text(scan, DNS_DOMAIN, domain);
		pm_set_text(scan, DNS_TYPE, type);
		pm_set_text(scan, DNS_VALUE, addr);
		ret = pm_row_end(scan);
	}
	freeaddrinfo(res);
	return ret;
}

static int
scan_dns_record(pm_scan *scan, void *arg)
{
	const pm_qual *d = pm_scan_find_qual(scan, DNS_DOMAIN, PM_OP_EQ);
	const pm_qual *t = pm_scan_find_qual(scan, DNS_TYPE, PM_OP_EQ);
	bool		want_a = true;
	bool		want_aaaa = true;
	int			rc = 0;

	(void) arg;
	if (d == NULL || d->value.kind != PM_TEXT)
		return 0;
	if (t != NULL)
	{
		if (t->value.kind != PM_TEXT)
			return 0;
		want_a = strcasecmp(t->value.s, "A") == 0;
		want_aaaa = strcasecmp(t->value.s, "AAAA") == 0;
		if (!want_a && !want_aaaa)
		{
			char		detail[300];

			snprintf(detail, sizeof(detail), "Record type \"%.200s\" was asked for.", t->value.s);
			pm_scan_error(scan, 400, "only A and AAAA are supported", detail, NULL);
			return -1;
		}
	}
	if (want_a)
		rc = dns_lookup(scan, d->value.s, "A", AF_INET);
	if (rc == 0 && want_aaaa)
		rc = dns_lookup(scan, d->value.s, "AAAA", AF_INET6);
	return rc < 0 ? -1 : 0;
}

static const pm_column http_columns[] = {
	{"url", "text", "The URL requested (required qual)"},
	{"method", "text", "HTTP method, GET unless given as a qual"},
	{"status", "integer", "HTTP status code"},
	{"headers", "jsonb", "Response headers, lower-case names"},
	{"body", "text", "Response body (invalid UTF-8 replaced)"},
	{"elapsed_ms", "double precision", "Total time of the request"},
};
static const pm_key_column http_keys[] = {
	{"url", PM_OP_EQ | PM_OP_IN, true},
	{"method", PM_OP_EQ, false},
};

static const pm_column dns_columns[] = {
	{"domain", "text", "Name looked up (required qual)"},
	{"type", "text", "A or AAAA"},
	{"value", "text", "The address"},
};
static const pm_key_column dns_keys[] = {
	{"domain", PM_OP_EQ, true},
	{"type", PM_OP_EQ, false},
};

static const pm_table tables[] = {
	{"http_request", "HTTP requests made when queried (libcurl)", http_columns,
	PM_LENGTHOF(http_columns), http_keys, PM_LENGTHOF(http_keys), scan_http_request, NULL},
	{"dns_record", "A and AAAA records of a domain (getaddrinfo)", dns_columns,
	PM_LENGTHOF(dns_columns), dns_keys, PM_LENGTHOF(dns_keys), scan_dns_record, NULL},
};

static const pm_plugin plugin = {"net", "1.0.0", tables, PM_LENGTHOF(tables)};

int
main(int argc, char **argv)
{
	int			rc;

	/* before any thread: curl_global_init is not thread-safe */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
	{
		pm_log("curl_global_init failed");
		return 1;
	}
	rc = pm_plugin_main(&plugin, argc, argv);
	curl_global_cleanup();
	return rc;
}
