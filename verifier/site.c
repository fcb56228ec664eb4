/*
 * site.c - this module is the verification service's application as the
 * HTTP core sees it (site.h): the route table and the routing from it,
 * the site's state (the per-thread database, the verified ledger, the
 * sweep) and its setup, and the answer helpers every handler uses. The
 * handlers live in site_cert.c, site_upload.c and site_ledger.c
 * (site_int.h).
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <jansson.h>

#include "cert/pepper.h"
#include "cert/serial.h"
#include "site_int.h"
#include "trust.h"

static const char fixed_body[] = "hourseal-verifier fixed answer\n";

/* ---- answers ---- */

static int
wants_json(struct http_req *r)
{
	return strncmp(http_path(r), "/api/", 5) == 0;
}

int
site_check_operator(const char *v, char *err)
{
	size_t n = strlen(v), i;

	if (n == 0 || n > 200) {
		hs_fail(err, HS_ERR_INVALID, "must be 1 to 200 bytes");
		return -1;
	}
	if (!utf8_valid(v, n)) {
		hs_fail(err, HS_ERR_INVALID, "must be UTF-8");
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			hs_fail(err, HS_ERR_INVALID, "must not hold control "
			    "characters");
			return -1;
		}
	return 0;
}

int
site_check_public_url(const char *v, char *err)
{
	size_t n = strlen(v), i;

	if ((strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
	    || n > 200 || n <= 8 || v[n - 1] == '/') {
		hs_fail(err, HS_ERR_INVALID, "must be http:// or https:// and "
		    "a host, at most 200 bytes, without a trailing /");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (v[i] <= ' ' || v[i] >= 0x7f || v[i] == '"' ||
		    v[i] == '\'' || v[i] == '<' || v[i] == '>' ||
		    v[i] == '\\' || v[i] == '?' || v[i] == '#') {
			hs_fail(err, HS_ERR_INVALID, "must be printable ASCII "
			    "without spaces, quotes, <, >, \\, ? or #");
			return -1;
		}
	return 0;
}

/* A Host header that is a plain host name (and port): else NULL. */
static const char *
plain_host(const char *h)
{
	size_t n, i;

	if (h == NULL || (n = strlen(h)) == 0 || n > 100)
		return NULL;
	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' &&
		    h[i] <= 'Z') || (h[i] >= '0' && h[i] <= '9') ||
		    h[i] == '.' || h[i] == '-' || h[i] == ':' ||
		    h[i] == '[' || h[i] == ']'))
			return NULL;
	return h;
}

void
site_render_ctx(struct site *s, struct http_req *r, struct render_ctx *cx,
    char *base, size_t n)
{
	const char *h;

	cx->op = &s->op;
	cx->now = time(NULL);
	if (s->o.public_url != NULL)
		snprintf(base, n, "%s", s->o.public_url);
	else if ((h = plain_host(http_header(r, "Host"))) != NULL)
		snprintf(base, n, "http://%s", h);
	else if (n > 0)
		base[0] = '\0';
	cx->base_url = base;
}

enum page_lang
site_lang(struct http_req *r)
{
	return page_lang(http_query(r, "lang"),
	    http_header(r, "Accept-Language"));
}

void
site_reply_buf(struct http_req *r, int status, const char *ctype,
    struct buf *b, const char *const *headers)
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

void
site_reply_json(struct http_req *r, int status, json_t *j,
    const char *const *headers)
{
	char *s = json_dumps(j, JSON_COMPACT);
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

void
site_error(void *ctx, struct http_req *r, int status, const char *msg,
    const char *const *headers)
{
	struct buf b;

	struct site *s = ctx;
	enum page_lang lang;
	const char *zh;

	if (wants_json(r)) {
		site_reply_json(r, status, json_pack("{s:i,s:s}", "status", status,
		    "error", msg), headers);
		return;
	}
	buf_init(&b);
	lang = site_lang(r);
	/* Chinese pages say it in Chinese; the original, folded. */
	zh = render_msg_zh(msg);
	if (lang == PAGE_ZH)
		page_error_op(&b, lang, status, zh != NULL ? zh :
		    "请求未能完成。", zh != NULL ? NULL : msg,
		    s != NULL ? &s->op : NULL);
	else
		page_error_op(&b, lang, status, msg, NULL,
		    s != NULL ? &s->op : NULL);
	site_reply_buf(r, status, "text/html; charset=utf-8", &b, headers);
}

/* ---- routing: the route table ---- */

static void page_root(struct site *s, struct http_req *r);
static void page_style(struct site *s, struct http_req *r);
static void bench_fixed(struct site *s, struct http_req *r);

/*
 * Every address, in the order /metrics lists the endpoints. Matching
 * does not depend on this order (site.h): exact paths first, then the
 * longest prefix.
 */
static const struct site_route routes[] = {
	{ "/", SITE_EXACT, NULL, SITE_GET, "index",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, page_root },
	{ "/style.css", SITE_EXACT, NULL, SITE_GET, "style",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, page_style },
	/* The index page's form: /c/?s=SERIAL answers 303 to /c/SERIAL. */
	{ "/c/", SITE_SERIAL_QUERY, NULL, SITE_GET, "cert_page",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, site_cert_page },
	{ "/c", SITE_SERIAL_QUERY, NULL, SITE_GET, "cert_page",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, site_cert_page },
	{ "/c/", SITE_SERIAL, "", SITE_GET, "cert_page",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, site_cert_page },
	{ "/api/v1/certificates/", SITE_SERIAL, "", SITE_GET, "cert_api",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, site_cert_api },
	{ "/api/v1/verify", SITE_EXACT, NULL, SITE_POST, "verify",
	    HTTP_BUCKET_GENERAL, SITE_BODY_PDF, site_upload_one },
	{ "/api/v1/verify/batch", SITE_EXACT, NULL, SITE_POST,
	    "verify_batch", HTTP_BUCKET_GENERAL, SITE_BODY_BATCH,
	    site_upload_batch },
	/* A kept batch answer (results.h): /api/v1/verify/batch/result/
	 * TOKEN?format=csv|xlsx|print. */
	{ "/api/v1/verify/batch/result/", SITE_PREFIX, NULL, SITE_GET,
	    "batch_result", HTTP_BUCKET_GENERAL, SITE_BODY_NONE,
	    site_batch_result },
	{ "/api/v1/certificates/", SITE_SERIAL, "/match", SITE_POST, "match",
	    HTTP_BUCKET_STRICT, SITE_BODY_ID, site_id_match },
	{ "/checkpoint", SITE_EXACT, NULL, SITE_GET, "checkpoint",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, site_ledger_checkpoint },
	{ "/tile/", SITE_PREFIX, NULL, SITE_GET, "tile",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, site_ledger_tile },
	{ "/tile/entries/", SITE_PREFIX, NULL, SITE_GET, "tile_entries",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, site_ledger_tile },
	{ "/keys", SITE_EXACT, NULL, SITE_GET, "keys",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, site_ledger_keys },
	{ "/healthz", SITE_EXACT, NULL, SITE_GET, "healthz",
	    HTTP_BUCKET_NONE, SITE_BODY_NONE, site_ledger_healthz },
	{ "/metrics", SITE_EXACT, NULL, SITE_GET, "metrics",
	    HTTP_BUCKET_NONE, SITE_BODY_NONE, site_ledger_metrics },
	/* Each trusted ledger's own: /ledger/<name>/checkpoint, tile/...,
	 * keys, healthz, metrics (the paths above serve the first). */
	{ "/ledger/", SITE_PREFIX, NULL, SITE_GET, "ledger",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, site_ledger_scoped },
	{ "/", SITE_ANY, NULL, SITE_GET, "fixed",
	    HTTP_BUCKET_GENERAL, SITE_BODY_NONE, bench_fixed },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))
_Static_assert(NROUTES < SITE_EP_MAX, "SITE_EP_MAX holds the routes");

static const struct {
	const char *name;
	size_t max;
} body_kinds[SITE_BODY_KINDS] = {
	[SITE_BODY_NONE] = { "none", 0 },
	[SITE_BODY_PDF] = { "pdf", BODY_PDF },
	[SITE_BODY_BATCH] = { "batch", BODY_BATCH },
	[SITE_BODY_ID] = { "id", BODY_ID },
};

const struct site_route *
site_routes(size_t *n)
{
	*n = NROUTES;
	return routes;
}

size_t
site_body_max(enum site_body kind)
{
	return (unsigned)kind < SITE_BODY_KINDS ? body_kinds[kind].max : 0;
}

const char *
site_body_name(enum site_body kind)
{
	return (unsigned)kind < SITE_BODY_KINDS ? body_kinds[kind].name : "?";
}

const char *
site_allow(unsigned methods)
{
	switch (methods & (SITE_GET | SITE_POST)) {
	case SITE_GET: return "GET, HEAD";
	case SITE_POST: return "POST";
	case SITE_GET | SITE_POST: return "GET, HEAD, POST";
	default: return "";
	}
}

static unsigned
req_method(struct http_req *r)
{
	const char *m = http_method(r);

	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return SITE_GET;
	return strcmp(m, "POST") == 0 ? SITE_POST : 0;
}

/*
 * The serial in a path segment: must parse (serial_parse is forgiving
 * about case, dashes and O/I/L) and be all there is up to end.
 */
int
site_path_serial(const char *seg, size_t n, char out[SERIAL_SIZE])
{
	char tmp[65];

	if (n == 0 || n > 64)
		return -1;
	memcpy(tmp, seg, n);
	tmp[n] = '\0';
	return serial_parse(tmp, out, NULL) == HS_OK ? 0 : -1;
}

/*
 * How well e fits path p: 0 not at all; exact paths above every prefix,
 * longer prefixes above shorter; among SITE_SERIAL entries with the same
 * prefix, the one whose suffix is what follows the serial, then one that
 * at least agrees on whether anything follows (it answers the 404).
 */
static size_t
route_fit(const struct site_route *e, const char *p, int bench)
{
	size_t n = strlen(e->path);
	const char *rest;

	if ((e->match == SITE_ANY) != (bench != 0))
		return 0;
	switch (e->match) {
	case SITE_ANY:
		return 1;
	case SITE_EXACT:
	case SITE_SERIAL_QUERY:
		return strcmp(p, e->path) == 0 ? SIZE_MAX : 0;
	case SITE_PREFIX:
		return strncmp(p, e->path, n) == 0 ? 4 * n + 3 : 0;
	case SITE_SERIAL:
		if (strncmp(p, e->path, n) != 0)
			return 0;
		rest = strchr(p + n, '/');
		if (rest != NULL && strcmp(rest, e->suffix) == 0)
			return 4 * n + 3;
		if (rest == NULL && e->suffix[0] == '\0')
			return 4 * n + 3;
		return (rest != NULL) == (e->suffix[0] != '\0') ? 4 * n + 2 :
		    4 * n + 1;
	}
	return 0;
}

static int
site_route(void *ctx, struct http_req *r, struct http_route *rt)
{
	struct site *s = ctx;
	const char *p = http_path(r), *q;
	const struct site_route *e = NULL;
	char serial[SERIAL_SIZE];
	size_t i, fit, best = 0, k = 0;

	rt->endpoint = 0;
	rt->bucket = HTTP_BUCKET_GENERAL;
	rt->body_max = 0;
	rt->allow = NULL;
	for (i = 0; i < NROUTES; i++)
		if ((fit = route_fit(&routes[i], p, s->o.bench_fixed)) > best) {
			best = fit;
			k = i;
		}
	if (best == 0)
		return 404;
	e = &routes[k];
	rt->endpoint = s->route_ep[k];
	/* Serials: anything that does not parse is a 404 before any
	 * database access, and before the method is looked at. */
	if (e->match == SITE_SERIAL_QUERY) {
		const char *in = http_query(r, "s");

		if (in == NULL || serial_parse(in, serial, NULL) != HS_OK)
			return 404;
	} else if (e->match == SITE_SERIAL) {
		p += strlen(e->path);
		q = strchr(p, '/');
		if (site_path_serial(p, q ? (size_t)(q - p) : strlen(p),
		    serial) != 0)
			return 404;
		if (strcmp(q ? q : "", e->suffix) != 0)
			return 404;
	}
	rt->bucket = e->bucket;
	if ((req_method(r) & e->methods) == 0) {
		rt->allow = site_allow(e->methods);
		return 405;
	}
	rt->body_max = site_body_max(e->body);
	return 0;
}

static void
site_handle(void *ctx, struct http_req *r)
{
	struct site *s = ctx;
	int ep = http_route_endpoint(r);

	if (ep > 0 && (size_t)ep < s->nep && s->ep_handler[ep] != NULL)
		s->ep_handler[ep](s, r);
	else
		site_error(s, r, 404, "not found", NULL);
}

/* The endpoints from the table: names in order, one handler each. */
static void
site_endpoints(struct site *s)
{
	size_t i, j;

	s->ep_names[0] = "other";
	s->ep_handler[0] = NULL;
	s->nep = 1;
	for (i = 0; i < NROUTES && i < SITE_EP_MAX; i++) {
		for (j = 1; j < s->nep; j++)
			if (strcmp(s->ep_names[j], routes[i].endpoint) == 0)
				break;
		if (j == s->nep && s->nep < SITE_EP_MAX) {
			s->ep_names[j] = routes[i].endpoint;
			s->ep_handler[j] = routes[i].handler;
			s->nep++;
		}
		s->route_ep[i] = (int)j;
	}
}

/* ---- per-thread state: the databases ---- */

#define POLL_MS 200

static void
tstate_free(void *p)
{
	struct tstate *t = p;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < TRUST_MAX; i++)
		vdb_close(t->v[i]);
	free(t);
}

/* The thread's state, made on first use (without the databases). */
static struct tstate *
tstate_get(struct site *s)
{
	struct tstate *t = pthread_getspecific(s->key);

	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return NULL;
		pthread_setspecific(s->key, t);
	}
	return t;
}

/* Opens ledger i's database in t if it is not open (or was replaced). */
static enum hs_err
tstate_open(struct site *s, struct tstate *t, size_t i, char *err)
{
	struct site_ledger *L = &s->led[i];
	enum hs_err rc;

	if (t->v[i] != NULL && vdb_stale(t->v[i])) {
		/* publish replaced the file: read the new one. */
		vdb_close(t->v[i]);
		t->v[i] = NULL;
	}
	if (t->v[i] == NULL) {
		if ((rc = vdb_open(L->tl->db, &L->pinned, L->vt, &t->v[i],
		    err)) != HS_OK)
			return rc;
		vdb_set_poll(t->v[i], POLL_MS);
		vdb_set_state(t->v[i], L->vs);
	}
	return HS_OK;
}

struct tstate *
site_thread_state(struct site *s, char *err)
{
	struct tstate *t = tstate_get(s);

	if (t == NULL) {
		hs_fail(err, HS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	return s->nled > 0 && tstate_open(s, t, 0, err) == HS_OK ? t : NULL;
}

struct vdb *
site_thread_vdb(struct site *s, char *err)
{
	struct tstate *t = site_thread_state(s, err);

	return t ? t->v[0] : NULL;
}

struct vdb *
site_ledger_vdb(struct site *s, size_t i, char *err)
{
	struct tstate *t = tstate_get(s);

	if (t == NULL) {
		hs_fail(err, HS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (i >= s->nled) {
		hs_fail(err, HS_ERR_INVALID, "no such ledger");
		return NULL;
	}
	return tstate_open(s, t, i, err) == HS_OK ? t->v[i] : NULL;
}

void
site_label(struct site *s, size_t i, struct vdb_result *res)
{
	if (i >= s->nled)
		return;
	res->ledger_name = s->led[i].tl->name;
	res->ledger_issuer = s->led[i].tl->issuer;
}

/*
 * Errors of a ledger that could not answer: the first one is kept, so
 * that when no other ledger has the serial the answer says why (503).
 */
static void
keep_err(char *err, int *down, const char *e2)
{
	if (!*down)
		snprintf(err, HS_ERRLEN, "%s", e2);
	*down = 1;
}

enum hs_err
site_find_serial(struct site *s, const char *serial, struct vdb_result *res,
    size_t *li, char *err)
{
	struct vdb *v;
	char e2[HS_ERRLEN];
	enum hs_err rc, down_rc = HS_OK;
	int down = 0;
	size_t i;

	*li = SIZE_MAX;
	memset(res, 0, sizeof(*res));
	res->status = VDB_NOTFOUND;
	for (i = 0; i < s->nled; i++) {
		if ((v = site_ledger_vdb(s, i, e2)) == NULL) {
			if (!down)
				down_rc = HS_ERR_DB;
			keep_err(err, &down, e2);
			continue;
		}
		if ((rc = vdb_check_serial(v, serial, res, e2)) != HS_OK) {
			if (!down)
				down_rc = rc;
			keep_err(err, &down, e2);
			continue;
		}
		if (res->status != VDB_NOTFOUND) {
			*li = i;
			site_label(s, i, res);
			return HS_OK;
		}
		vdb_result_free(res);
		res->status = VDB_NOTFOUND;
	}
	if (down)
		return down_rc;
	if (s->nled == 1)
		/* One ledger: its not-found answer, as before. */
		snprintf(res->origin, sizeof(res->origin), "%s",
		    s->led[0].pinned.origin);
	return HS_OK;
}

enum hs_err
site_check_upload(struct site *s, const void *data, size_t len,
    struct pdfin_budget *budget, struct vdb_upload_result *u, char *err)
{
	struct vdb_upload_result first, cur;
	struct vdb *v;
	char e2[HS_ERRLEN];
	enum hs_err rc, down_rc = HS_OK;
	int down = 0, have_first = 0;
	size_t i;

	memset(u, 0, sizeof(*u));
	memset(&first, 0, sizeof(first));
	for (i = 0; i < s->nled; i++) {
		if ((v = site_ledger_vdb(s, i, e2)) == NULL) {
			if (!down)
				down_rc = HS_ERR_DB;
			keep_err(err, &down, e2);
			continue;
		}
		if ((rc = vdb_check_upload_budget(v, data, len, budget, &cur,
		    e2)) != HS_OK) {
			if (!down)
				down_rc = rc;
			keep_err(err, &down, e2);
			continue;
		}
		if (cur.outcome != VDB_UP_NOT_OURS) {
			/* Ours, or no certificate at all: the answer. */
			if (cur.outcome != VDB_UP_NOT_CERT)
				site_label(s, i, &cur.cert);
			vdb_upload_free(&first);
			*u = cur;
			return HS_OK;
		}
		if (!have_first) {
			first = cur;
			have_first = 1;
		} else {
			vdb_upload_free(&cur);
		}
	}
	/*
	 * No ledger knows it. If one could not answer, it might have: 503.
	 * Else "not issued by us", as the first ledger said it.
	 */
	if (down) {
		vdb_upload_free(&first);
		return down_rc;
	}
	*u = first;
	return HS_OK;
}

/*
 * 503, "cannot verify now" (暂时无法核验): the database cannot be read or
 * trusted. Never "签名无效": that is for a note that itself fails. The
 * reason is shown when it is one of ours (VDB_CANNOT_VERIFY: no paths);
 * on stderr each distinct line once, not once per request.
 */
void
site_unavailable(struct site *s, struct http_req *r, const char *err)
{
	static const char *const h[] = { "Retry-After", "5",
		"Cache-Control", "no-store", NULL };
	const char *pfx = VDB_CANNOT_VERIFY, *reason;
	struct buf b;
	bool say;

	pthread_mutex_lock(&s->log_mu);
	say = strcmp(s->last_log, err) != 0;
	if (say)
		snprintf(s->last_log, sizeof(s->last_log), "%s", err);
	pthread_mutex_unlock(&s->log_mu);
	if (say)
		fprintf(stderr, "hourseal-verifier: %s\n", err);
	reason = strncmp(err, pfx, strlen(pfx)) == 0 ? err + strlen(pfx) :
	    "the ledger database cannot be read right now";
	http_set_log_note(r, "unavailable");
	if (wants_json(r)) {
		site_reply_json(r, 503, json_pack("{s:s,s:s,s:s}", "status",
		    "unavailable", "error", "cannot verify now", "reason",
		    reason), h);
		return;
	}
	buf_init(&b);
	page_unavailable_op(&b, site_lang(r), reason, &s->op);
	site_reply_buf(r, 503, "text/html; charset=utf-8", &b, h);
}

/* ---- the pages of the site itself ---- */

static void
page_root(struct site *s, struct http_req *r)
{
	struct buf b;

	buf_init(&b);
	page_index_op(&b, site_lang(r), &s->op);
	site_reply_buf(r, 200, "text/html; charset=utf-8", &b, NULL);
}

static void
page_style(struct site *s, struct http_req *r)
{
	static const char *const css_h[] = {
		"Cache-Control", "public, max-age=3600", NULL };

	(void)s;
	http_reply(r, 200, "text/css; charset=utf-8", page_css,
	    page_css_len(), HTTP_MEM_STATIC, css_h);
}

/* serve --bench-fixed: the same few bytes for every request. */
static void
bench_fixed(struct site *s, struct http_req *r)
{
	(void)s;
	http_reply(r, 200, "text/plain; charset=utf-8", fixed_body,
	    sizeof(fixed_body) - 1, HTTP_MEM_STATIC, NULL);
}

/* ---- setup ---- */

/* Reads a pepper file (cert/pepper.h): the issuer's DIR/pepper. */
static enum hs_err
load_pepper(struct site_ledger *L, const char *path, char *err)
{
	enum hs_err rc = pepper_load(path, L->pepper, err);
	size_t l;

	if (rc == HS_ERR_FORMAT && err != NULL) {
		l = strnlen(err, HS_ERRLEN - 1);
		snprintf(err + l, HS_ERRLEN - l, " (the issuer's DIR/pepper)");
	}
	L->have_pepper = rc == HS_OK;
	return rc;
}

/*
 * After start, one low-priority thread checks every stored note of each
 * ledger once (vdb_sweep), so first looks need no Ed25519 check;
 * failures are named on stderr and counted in /metrics.
 */
static void *
sweep_main(void *arg)
{
	struct site *s = arg;
	struct vdb *v;
	char err[HS_ERRLEN];
	enum hs_err rc;
	size_t i;

	/* Linux: a thread's own nice value (serving threads come first). */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	for (i = 0; i < s->nled &&
	    !__atomic_load_n(&s->sweep_stop, __ATOMIC_RELAXED); i++) {
		struct site_ledger *L = &s->led[i];

		v = NULL;
		rc = vdb_open(L->tl->db, &L->pinned, L->vt, &v, err);
		if (rc == HS_OK) {
			vdb_set_state(v, L->vs);
			rc = vdb_sweep(v, &s->sweep_stop, &L->sweep, err);
		}
		vdb_close(v);
		if (rc != HS_OK)
			fprintf(stderr, "hourseal-verifier: %s%s%ssweep stopped: "
			    "%s\n", s->nled > 1 ? "ledger " : "", s->nled > 1 ?
			    L->tl->name : "", s->nled > 1 ? ": " : "", err);
		else if (__atomic_load_n(&L->sweep.finished, __ATOMIC_RELAXED))
			fprintf(stderr, "hourseal-verifier: %s%s%ssweep: %llu "
			    "certificates checked in %.1f s, %llu do not "
			    "verify\n", s->nled > 1 ? "ledger " : "",
			    s->nled > 1 ? L->tl->name : "", s->nled > 1 ?
			    ": " : "", (unsigned long long)L->sweep.done,
			    time_mono() - s->sweep_t0,
			    (unsigned long long)L->sweep.bad);
	}
	s->sweep_secs = time_mono() - s->sweep_t0;
	return NULL;
}

/* Opens the state file: state (--state), or the database's path +
 * ".state". */
static enum hs_err
open_state(struct site_ledger *L, char *err)
{
	char path[PATH_MAX];

	if (L->tl->state[0] != '\0')
		snprintf(path, sizeof(path), "%s", L->tl->state);
	else if (snprintf(path, sizeof(path), "%s.state", L->tl->db) >=
	    (int)sizeof(path))
		return hs_fail(err, HS_ERR_INVALID, "database path too long");
	return vstate_open(path, &L->vs, err);
}

/*
 * The checkpoint remembered from an earlier run must verify with keys
 * derived from the trust anchors (vdb_verify_remembered: through the
 * database's key history when it holds it, so a checkpoint signed by a
 * rotated key verifies too); it becomes the floor no database may go
 * below. A state file that does not verify stops the start, saying why:
 * replacing it silently would let a stale database in. Then v shares
 * the state.
 */
static enum hs_err
remember(struct site_ledger *L, struct vdb *v, char *err)
{
	struct checkpoint cp;
	const char *note;
	size_t len;
	enum hs_err rc;
	char e2[HS_ERRLEN];

	if (vstate_file_note(L->vs, &note, &len)) {
		if ((rc = vdb_verify_remembered(v, &L->pinned, note, len, &cp,
		    e2)) != HS_OK)
			return hs_fail(err, rc == HS_ERR_NOMEM ? rc :
			    HS_ERR_SIGNATURE, "%s: the remembered checkpoint "
			    "does not verify: %s (move the file away only if "
			    "the ledger or its keys changed on purpose)",
			    vstate_path(L->vs), e2);
		if ((rc = vstate_confirm(L->vs, &cp, err)) != HS_OK)
			return rc;
		vtree_set_floor(L->vt, cp.size, cp.root);
	}
	vdb_set_state(v, L->vs);
	return HS_OK;
}

/*
 * --db, --key, --pepper and --state: a trust file of one ledger, named
 * "default", whose origin is its keys' (set once they are loaded).
 */
static enum hs_err
trust_of_options(const struct site_opts *o, struct trust **out, char *err)
{
	struct trust *t;
	struct trust_ledger *l;
	size_t i;
	int bad = 0;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	t->n = 1;
	l = &t->l[0];
	snprintf(l->name, sizeof(l->name), "default");
	bad |= snprintf(l->db, sizeof(l->db), "%s", o->db_path) >=
	    (int)sizeof(l->db);
	if (o->state_path != NULL)
		bad |= snprintf(l->state, sizeof(l->state), "%s",
		    o->state_path) >= (int)sizeof(l->state);
	if (o->pepper_path != NULL)
		bad |= snprintf(l->pepper, sizeof(l->pepper), "%s",
		    o->pepper_path) >= (int)sizeof(l->pepper);
	for (i = 0; i < o->nkeys && i < TRUST_MAX_KEYS; i++)
		bad |= snprintf(l->key[i], sizeof(l->key[i]), "%s",
		    o->key_files[i]) >= (int)sizeof(l->key[i]);
	l->nkeys = i;
	if (bad) {
		free(t);
		return hs_fail(err, HS_ERR_INVALID, "a path is too long");
	}
	*out = t;
	return HS_OK;
}

/*
 * Opens ledger i: its anchors, pepper, tree, state file; opens its
 * database once, and verifies the ledger up to its latest checkpoint
 * (every leaf hashed into the tree, the root compared) before the first
 * answer: a database that cannot be opened, or a remembered checkpoint
 * that does not verify, stops the start.
 */
static enum hs_err
ledger_open_one(struct site *s, size_t i, char *err)
{
	struct site_ledger *L = &s->led[i];
	const struct trust_ledger *tl = &s->trust->l[i];
	struct vdb *v = NULL;
	struct vstate_info in;
	char pfx[TRUST_NAME_MAX + 16] = "";
	enum hs_err rc;
	uint64_t gen, size;
	double t0;
	size_t k;

	L->tl = tl;
	verify_keys_init(&L->pinned);
	if (s->trust->path[0] != '\0')
		snprintf(pfx, sizeof(pfx), "ledger %s: ", tl->name);
	for (k = 0; k < tl->nkeys; k++)
		if ((rc = verify_keys_load(&L->pinned, tl->key[k], err)) !=
		    HS_OK)
			return rc;
	if (s->trust->path[0] == '\0')
		/* --key: the origin is the keys'. */
		snprintf(s->trust->l[i].origin, sizeof(s->trust->l[i].origin),
		    "%s", L->pinned.origin);
	if (tl->pepper[0] != '\0' && (rc = load_pepper(L, tl->pepper, err)) !=
	    HS_OK)
		return rc;
	if ((rc = vtree_new(&L->vt, err)) != HS_OK ||
	    (rc = open_state(L, err)) != HS_OK ||
	    (rc = vdb_open(tl->db, &L->pinned, L->vt, &v, err)) != HS_OK ||
	    (rc = remember(L, v, err)) != HS_OK) {
		vdb_close(v);
		if (pfx[0] != '\0' && err != NULL) {
			char e2[HS_ERRLEN];

			snprintf(e2, sizeof(e2), "%s", err);
			hs_fail(err, rc, "%s%s", pfx, e2);
		}
		return rc;
	}
	/*
	 * A database that opens but cannot be read or trusted now is no
	 * reason not to start: every answer is "cannot verify now" (503)
	 * until a good file is in place, and /healthz says why.
	 */
	t0 = time_mono();
	if (vdb_generation(v, &gen, err) != HS_OK ||
	    vdb_health(v, &size, err, HS_ERRLEN) == VDB_UNAVAILABLE)
		fprintf(stderr, "hourseal-verifier: %scannot verify now: %s\n",
		    pfx, err);
	vdb_close(v);
	vstate_info(L->vs, &in);
	if (in.write_errors > 0)
		return hs_fail(err, HS_ERR_IO, "%s%s: cannot write the state "
		    "file (%s puts it elsewhere)", pfx, vstate_path(L->vs),
		    pfx[0] != '\0' ? "a state line in the trust file" :
		    "serve --state FILE");
	fprintf(stderr, "hourseal-verifier: %sledger verified: %llu leaves "
	    "in %.2f s; remembered checkpoint: size %llu (%s)\n", pfx,
	    (unsigned long long)vtree_size(L->vt), time_mono() - t0,
	    (unsigned long long)in.remembered, vstate_path(L->vs));
	return HS_OK;
}

enum hs_err
site_open(const struct site_opts *o, struct site **out, char *err)
{
	struct site *s;
	enum hs_err rc;
	size_t i, peppers = 0;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	s->o = *o;
	s->op.name = o->operator_name;
	s->op.contact = o->operator_contact;
	s->op.url = o->public_url;
	pthread_mutex_init(&s->log_mu, NULL);
	if (pthread_key_create(&s->key, tstate_free) != 0) {
		rc = hs_fail(err, HS_ERR_NOMEM, "pthread_key_create failed");
		goto fail;
	}
	s->key_made = 1;
	if (o->bench_fixed) {
		*out = s;
		return HS_OK;
	}
	if ((rc = o->trust_path != NULL ? trust_load(o->trust_path, 1,
	    &s->trust, err) : trust_of_options(o, &s->trust, err)) != HS_OK ||
	    (rc = memo_new(MEMO_SLOTS, MEMO_BUDGET, &s->memo, err)) != HS_OK ||
	    (rc = results_new(&s->results, err)) != HS_OK)
		goto fail;
	for (i = 0; i < s->trust->n; i++) {
		s->nled = i + 1;
		if ((rc = ledger_open_one(s, i, err)) != HS_OK)
			goto fail;
		peppers += s->led[i].have_pepper;
	}
	if (peppers > 0 && o->match_per_cert > 0 &&
	    (rc = mlimit_new(o->match_per_cert, &s->ml, err)) != HS_OK)
		goto fail;
	if (!o->no_sweep) {
		s->sweep_t0 = time_mono();
		if (pthread_create(&s->sweeper, NULL, sweep_main, s) == 0)
			s->sweep_started = 1;
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
	size_t i;

	if (s == NULL)
		return;
	if (s->sweep_started) {
		__atomic_store_n(&s->sweep_stop, 1, __ATOMIC_RELAXED);
		pthread_join(s->sweeper, NULL);
	}
	if (s->key_made) {
		/* The pool's threads are gone; this thread may hold one. */
		tstate_free(pthread_getspecific(s->key));
		pthread_key_delete(s->key);
	}
	for (i = 0; i < s->nled; i++) {
		verify_keys_free(&s->led[i].pinned);
		vstate_free(s->led[i].vs);
		pepper_wipe(s->led[i].pepper);
		vtree_free(s->led[i].vt);
	}
	pthread_mutex_destroy(&s->log_mu);
	memo_free(s->memo);
	results_free(s->results);
	mlimit_free(s->ml);
	free(s->trust);
	free(s);
}

/*
 * A thread with no connection left ends its read snapshot of the
 * database (vdb.h), so an idle verifier never holds the issuer's
 * write-ahead log back.
 */
static void
site_connection(void *ctx, bool opened)
{
	struct site *s = ctx;
	struct tstate *t;
	size_t i;

	if (s->o.bench_fixed || (t = tstate_get(s)) == NULL)
		return;
	if (opened)
		t->conns++;
	else if (t->conns > 0 && --t->conns == 0)
		for (i = 0; i < s->nled; i++)
			if (t->v[i] != NULL)
				vdb_idle(t->v[i]);
}

void
site_app(struct site *s, struct http_app *app)
{
	memset(app, 0, sizeof(*app));
	site_endpoints(s);
	app->endpoints = s->ep_names;
	app->nendpoints = s->nep;
	app->route = site_route;
	app->handle = site_handle;
	app->error = site_error;
	app->metrics = site_app_metrics;
	app->connection = site_connection;
	app->ctx = s;
}

