/*
 * site.c - routes and handlers of the verification service (site.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "page.h"
#include "serial.h"
#include "site.h"
#include "store.h"

enum endpoint {
	EP_OTHER, EP_INDEX, EP_STYLE, EP_CERT_PAGE, EP_CERT_API, EP_VERIFY,
	EP_BATCH, EP_MATCH, EP_CHECKPOINT, EP_TILE, EP_ENTRIES, EP_KEYS,
	EP_HEALTHZ, EP_METRICS, EP_FIXED, EP_COUNT,
};

static const char *const endpoint_names[EP_COUNT] = {
	"other", "index", "style", "cert_page", "cert_api", "verify",
	"verify_batch", "match", "checkpoint", "tile", "tile_entries", "keys",
	"healthz", "metrics", "fixed",
};

#define BODY_SMALL (64u * 1024)
#define BODY_PDF (10u * 1024 * 1024 + 256 * 1024) /* 10 MB + form overhead */
#define BODY_BATCH (50u * 1024 * 1024)

struct site {
	struct site_opts o;
	int have_pepper;
	uint8_t pepper[32];
};

static const char fixed_body[] = "hourseal-verifier fixed answer\n";

/* ---- answers ---- */

static int
wants_json(struct http_req *r)
{
	return strncmp(http_path(r), "/api/", 5) == 0;
}

static enum page_lang
req_lang(struct http_req *r)
{
	return page_lang(http_query(r, "lang"),
	    http_header(r, "Accept-Language"));
}

static void
reply_buf(struct http_req *r, int status, const char *ctype, struct buf *b,
    const char *const *headers)
{
	size_t len = b->len;
	char *p = buf_steal(b);

	if (p == NULL) {
		http_reply(r, 503, "text/plain; charset=utf-8",
		    "out of memory\n", 14, HTTP_MEM_STATIC, NULL);
		return;
	}
	http_reply(r, status, ctype, p, len, HTTP_MEM_FREE, headers);
}

static void
reply_json(struct http_req *r, int status, json_t *j,
    const char *const *headers)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	char *copy;
	size_t n;

	json_decref(j);
	if (s == NULL) {
		http_reply(r, 503, "text/plain; charset=utf-8",
		    "out of memory\n", 14, HTTP_MEM_STATIC, NULL);
		return;
	}
	/* jansson's allocator is malloc, but copy so ownership is plain. */
	n = strlen(s);
	copy = malloc(n + 2);
	if (copy == NULL) {
		free(s);
		http_reply(r, 503, "text/plain; charset=utf-8",
		    "out of memory\n", 14, HTTP_MEM_STATIC, NULL);
		return;
	}
	memcpy(copy, s, n);
	copy[n] = '\n';
	copy[n + 1] = '\0';
	free(s);
	http_reply(r, status, "application/json", copy, n + 1, HTTP_MEM_FREE,
	    headers);
}

static void
site_error(void *ctx, struct http_req *r, int status, const char *msg,
    const char *const *headers)
{
	struct buf b;

	(void)ctx;
	if (wants_json(r)) {
		reply_json(r, status, json_pack("{s:i,s:s}", "status", status,
		    "error", msg), headers);
		return;
	}
	buf_init(&b);
	page_error(&b, req_lang(r), status, msg);
	reply_buf(r, status, "text/html; charset=utf-8", &b, headers);
}

/* ---- routing ---- */

static int
is_get(struct http_req *r)
{
	return strcmp(http_method(r), "GET") == 0 ||
	    strcmp(http_method(r), "HEAD") == 0;
}

static int
is_post(struct http_req *r)
{
	return strcmp(http_method(r), "POST") == 0;
}

static int
route_get(struct http_req *r, struct http_route *rt, enum endpoint ep,
    enum http_bucket bucket)
{
	rt->endpoint = ep;
	rt->bucket = bucket;
	rt->body_max = 0;
	return is_get(r) ? 0 : 405;
}

static int
route_post(struct http_req *r, struct http_route *rt, enum endpoint ep,
    enum http_bucket bucket, size_t body_max)
{
	rt->endpoint = ep;
	rt->bucket = bucket;
	rt->body_max = body_max;
	return is_post(r) ? 0 : 405;
}

/*
 * The serial in a path segment: must parse (serial_parse is forgiving
 * about case, dashes and O/I/L) and be all there is up to end.
 */
static int
path_serial(const char *seg, size_t n, char out[SERIAL_SIZE])
{
	char tmp[65];

	if (n == 0 || n > 64)
		return -1;
	memcpy(tmp, seg, n);
	tmp[n] = '\0';
	return serial_parse(tmp, out, NULL) == HS_OK ? 0 : -1;
}

static int
site_route(void *ctx, struct http_req *r, struct http_route *rt)
{
	struct site *s = ctx;
	const char *p = http_path(r);
	char serial[SERIAL_SIZE];

	rt->endpoint = EP_OTHER;
	rt->bucket = HTTP_BUCKET_GENERAL;
	rt->body_max = 0;
	if (s->o.bench_fixed)
		return route_get(r, rt, EP_FIXED, HTTP_BUCKET_GENERAL);
	if (strcmp(p, "/") == 0)
		return route_get(r, rt, EP_INDEX, HTTP_BUCKET_GENERAL);
	if (strcmp(p, "/style.css") == 0)
		return route_get(r, rt, EP_STYLE, HTTP_BUCKET_GENERAL);
	if (strcmp(p, "/healthz") == 0)
		return route_get(r, rt, EP_HEALTHZ, HTTP_BUCKET_NONE);
	if (strcmp(p, "/metrics") == 0)
		return route_get(r, rt, EP_METRICS, HTTP_BUCKET_NONE);
	(void)serial;
	(void)path_serial;
	(void)route_post;
	return 404;
}

/* ---- handlers ---- */

static void
h_index(struct site *s, struct http_req *r)
{
	struct buf b;

	(void)s;
	buf_init(&b);
	page_index(&b, req_lang(r));
	reply_buf(r, 200, "text/html; charset=utf-8", &b, NULL);
}

static void
site_handle(void *ctx, struct http_req *r)
{
	struct site *s = ctx;
	struct buf b;
	static const char *const css_h[] = {
		"Cache-Control", "public, max-age=3600", NULL };
	static const char *const nocache[] = {
		"Cache-Control", "no-store", NULL };

	switch (http_route_endpoint(r)) {
	case EP_FIXED:
		http_reply(r, 200, "text/plain; charset=utf-8", fixed_body,
		    sizeof(fixed_body) - 1, HTTP_MEM_STATIC, NULL);
		return;
	case EP_INDEX:
		h_index(s, r);
		return;
	case EP_STYLE:
		http_reply(r, 200, "text/css; charset=utf-8", page_css,
		    page_css_len(), HTTP_MEM_STATIC, css_h);
		return;
	case EP_HEALTHZ:
		http_reply(r, 200, "text/plain; charset=utf-8", "ok\n", 3,
		    HTTP_MEM_STATIC, nocache);
		return;
	case EP_METRICS:
		buf_init(&b);
		http_metrics_text(r, &b);
		reply_buf(r, 200, "text/plain; version=0.0.4; charset=utf-8",
		    &b, nocache);
		return;
	default:
		site_error(s, r, 404, "not found", NULL);
		return;
	}
}

static void
site_metrics(void *ctx, struct buf *out)
{
	(void)ctx;
	(void)out;
}

/* ---- setup ---- */

enum hs_err
site_open(const struct site_opts *o, struct site **out, char *err)
{
	struct site *s;
	sqlite3 *db = NULL;
	enum hs_err rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	s->o = *o;
	if (!o->bench_fixed) {
		/* Fail at start, not on the first request. */
		if ((rc = store_open(o->db_path, STORE_RO, &db, err)) != HS_OK)
			goto fail;
		store_close(db);
	}
	*out = s;
	return HS_OK;
fail:
	site_close(s);
	return rc;
}

void
site_close(struct site *s)
{
	if (s == NULL)
		return;
	memset(s->pepper, 0, sizeof(s->pepper));
	free(s);
}

void
site_app(struct site *s, struct http_app *app)
{
	memset(app, 0, sizeof(*app));
	app->endpoints = endpoint_names;
	app->nendpoints = EP_COUNT;
	app->route = site_route;
	app->handle = site_handle;
	app->error = site_error;
	app->metrics = site_metrics;
	app->ctx = s;
}
