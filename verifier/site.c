/*
 * site.c - routes and handlers of the verification service (site.h).
 */
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "cert/idnum.h"
#include "cert/pepper.h"
#include "memo.h"
#include "mlimit.h"
#include "mpart.h"
#include "page.h"
#include "pdfin.h"
#include "render.h"
#include "cert/serial.h"
#include "site.h"
#include "store/store.h"
#include "vdb.h"
#include "verify.h"
#include "vstate.h"
#include "vtree.h"

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

#define BATCH_MAX PAGE_BATCH_MAX
/* Decoded PDF content a whole batch may spend (pdfin.h): a certificate
 * takes some 20 KB, a bomb stops here instead of at 16 MB per part. */
#define BATCH_DECODE_MAX ((uint64_t)64 << 20)

/* Verification outcomes counted for /metrics. */
enum { VM_VALID, VM_REVOKED, VM_NOTFOUND, VM_INVALID, VM_SERIAL_N };
static const char *const vm_serial_names[VM_SERIAL_N] = {
	"valid", "revoked", "not_found", "invalid" };
#define VM_UPLOAD_N 7

struct site {
	struct site_opts o;
	struct verify_keys pinned;
	uint8_t pepper[PEPPER_SIZE]; /* the issuer's, for the ID match */
	int have_pepper;           /* 0: the match endpoint answers 503 */
	pthread_key_t key;         /* the thread's struct vdb */
	int key_made;
	uint64_t vm_serial[VM_SERIAL_N];
	uint64_t vm_upload[VM_UPLOAD_N];
	uint64_t vm_match[2];
	uint64_t vm_match_limited;  /* refused by the per-certificate limit */
	struct mlimit *ml;         /* NULL: no per-certificate limit */
	struct vtree *vt;          /* the verified ledger, for all threads */
	struct vstate *vs;         /* the remembered checkpoint, refusals */
	pthread_mutex_t log_mu;    /* last_log */
	char last_log[HS_ERRLEN];  /* the last "cannot verify" line said */
	struct memo *memo;         /* rendered answers, for all threads */
	pthread_t sweeper;         /* vdb_sweep, at low priority */
	int sweep_started;
	int sweep_stop;
	struct vdb_sweep sweep;
	double sweep_t0, sweep_secs;
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
	const char *q;

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
	if (strcmp(p, "/keys") == 0)
		return route_get(r, rt, EP_KEYS, HTTP_BUCKET_GENERAL);
	if (strcmp(p, "/checkpoint") == 0)
		return route_get(r, rt, EP_CHECKPOINT, HTTP_BUCKET_GENERAL);
	if (strncmp(p, "/tile/entries/", 14) == 0)
		return route_get(r, rt, EP_ENTRIES, HTTP_BUCKET_GENERAL);
	if (strncmp(p, "/tile/", 6) == 0)
		return route_get(r, rt, EP_TILE, HTTP_BUCKET_GENERAL);
	if (strcmp(p, "/api/v1/verify") == 0)
		return route_post(r, rt, EP_VERIFY, HTTP_BUCKET_GENERAL,
		    BODY_PDF);
	if (strcmp(p, "/api/v1/verify/batch") == 0)
		return route_post(r, rt, EP_BATCH, HTTP_BUCKET_GENERAL,
		    BODY_BATCH);
	/* Serials: anything that does not parse is a 404 before any
	 * database access. */
	if (strcmp(p, "/c/") == 0 || strcmp(p, "/c") == 0) {
		const char *in = http_query(r, "s");

		rt->endpoint = EP_CERT_PAGE;
		if (in == NULL || serial_parse(in, serial, NULL) != HS_OK)
			return 404;
		return route_get(r, rt, EP_CERT_PAGE, HTTP_BUCKET_GENERAL);
	}
	if (strncmp(p, "/c/", 3) == 0) {
		rt->endpoint = EP_CERT_PAGE;
		if (path_serial(p + 3, strlen(p + 3), serial) != 0)
			return 404;
		return route_get(r, rt, EP_CERT_PAGE, HTTP_BUCKET_GENERAL);
	}
	if (strncmp(p, "/api/v1/certificates/", 21) == 0) {
		p += 21;
		q = strchr(p, '/');
		rt->endpoint = q ? EP_MATCH : EP_CERT_API;
		if (path_serial(p, q ? (size_t)(q - p) : strlen(p), serial) != 0)
			return 404;
		if (q == NULL)
			return route_get(r, rt, EP_CERT_API,
			    HTTP_BUCKET_GENERAL);
		if (strcmp(q, "/match") == 0)
			return route_post(r, rt, EP_MATCH, HTTP_BUCKET_STRICT,
			    1024);
		return 404;
	}
	return 404;
}

/* ---- per-thread state: the database ---- */

#define POLL_MS 200
/* Rendered answers kept (memo.h): slots, bytes, the largest one. */
#define MEMO_SLOTS 131072
#define MEMO_BUDGET ((size_t)96 << 20)
#define MEMO_BODY_MAX (24u * 1024)

enum answer_kind { ANS_PAGE_ZH, ANS_PAGE_EN, ANS_JSON };

struct tstate {
	struct vdb *v;
	unsigned conns;            /* connections open in this thread */
};

static void
tstate_free(void *p)
{
	struct tstate *t = p;

	if (t == NULL)
		return;
	vdb_close(t->v);
	free(t);
}

/* The thread's state, made on first use (without the database). */
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

static struct tstate *
thread_state(struct site *s, char *err)
{
	struct tstate *t = tstate_get(s);

	if (t == NULL) {
		hs_fail(err, HS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (t->v != NULL && vdb_stale(t->v)) {
		/* publish replaced the file: read the new one. */
		vdb_close(t->v);
		t->v = NULL;
	}
	if (t->v == NULL) {
		if (vdb_open(s->o.db_path, &s->pinned, s->vt, &t->v, err) !=
		    HS_OK)
			return NULL;
		vdb_set_poll(t->v, POLL_MS);
		vdb_set_state(t->v, s->vs);
	}
	return t;
}

static struct vdb *
thread_vdb(struct site *s, char *err)
{
	struct tstate *t = thread_state(s, err);

	return t ? t->v : NULL;
}

/*
 * The memo key of an answer: a hash of everything rendering reads (the
 * pages and JSON do not show pdf_sha256 or replaces). The note itself
 * enters through its leaf hash (which binds its SHA-256).
 */
static void
answer_key(enum answer_kind kind, const char *serial,
    const struct vdb_result *res, uint8_t key[32])
{
	char a[2048];
	size_t n = 0;
	const char *const f[] = { serial, res->problem, res->key_vkey,
		res->ckpt_root, res->origin, res->reason, res->revoked_at,
		res->replaced_by };
	uint64_t nums[4] = { (uint64_t)kind, (uint64_t)res->status,
		res->leaf_index, res->ckpt_size };
	size_t i, l;

	memcpy(a, nums, sizeof(nums));
	n = sizeof(nums);
	memcpy(a + n, res->leaf_hash, 32);
	n += 32;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		l = strnlen(f[i], 400);
		if (n + l + 1 > sizeof(a))
			break; /* cannot happen: the fields are bounded */
		memcpy(a + n, f[i], l);
		n += l;
		a[n++] = '\0';
	}
	sha256(a, n, key);
}

/*
 * 503, "cannot verify now" (暂时无法核验): the database cannot be read or
 * trusted. Never "签名无效": that is for a note that itself fails. The
 * reason is shown when it is one of ours (VDB_CANNOT_VERIFY: no paths);
 * on stderr each distinct line once, not once per request.
 */
static void
unavailable(struct site *s, struct http_req *r, const char *err)
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
		reply_json(r, 503, json_pack("{s:s,s:s,s:s}", "status",
		    "unavailable", "error", "cannot verify now", "reason",
		    reason), h);
		return;
	}
	buf_init(&b);
	page_unavailable(&b, req_lang(r), reason);
	reply_buf(r, 503, "text/html; charset=utf-8", &b, h);
}

/* ---- output format ---- */

enum fmt { FMT_JSON, FMT_HTML, FMT_CSV };

static enum fmt
pick_format(struct http_req *r, const char *form_value, enum fmt dflt)
{
	const char *f = http_query(r, "format"), *acc;

	if (f == NULL)
		f = form_value;
	if (f != NULL) {
		if (strcasecmp(f, "html") == 0)
			return FMT_HTML;
		if (strcasecmp(f, "csv") == 0)
			return FMT_CSV;
		if (strcasecmp(f, "json") == 0)
			return FMT_JSON;
	}
	acc = http_header(r, "Accept");
	if (acc != NULL) {
		if (strstr(acc, "text/csv") != NULL)
			return FMT_CSV;
		if (strstr(acc, "application/json") != NULL)
			return FMT_JSON;
		if (strstr(acc, "text/html") != NULL)
			return FMT_HTML;
	}
	return dflt;
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
count_serial(struct site *s, enum vdb_status st)
{
	int i = st == VDB_VALID ? VM_VALID : st == VDB_REVOKED ? VM_REVOKED :
	    st == VDB_NOTFOUND ? VM_NOTFOUND : VM_INVALID;

	__atomic_add_fetch(&s->vm_serial[i], 1, __ATOMIC_RELAXED);
}

static void
h_cert(struct site *s, struct http_req *r, int json)
{
	const char *p = http_path(r), *in, *q;
	char serial[SERIAL_SIZE], err[HS_ERRLEN];
	struct vdb_result res;
	struct tstate *t;
	enum answer_kind kind;
	enum page_lang lang;
	struct buf b;
	uint8_t key[32];
	char *body;
	size_t len;
	int status;
	bool keep;
	static const char *const nocache[] = {
		"Cache-Control", "no-cache", NULL };

	if (json) {
		in = p + 21;
		q = strchr(in, '/');
		if (path_serial(in, q ? (size_t)(q - in) : strlen(in),
		    serial) != 0) {
			site_error(s, r, 404, "no such certificate", NULL);
			return;
		}
	} else if (strcmp(p, "/c/") == 0 || strcmp(p, "/c") == 0) {
		/* The index form: go to the canonical address. */
		char loc[64];
		const char *h[] = { "Location", loc, NULL };

		if (serial_parse(http_query(r, "s"), serial, NULL) != HS_OK) {
			site_error(s, r, 404, "no such certificate", NULL);
			return;
		}
		snprintf(loc, sizeof(loc), "/c/%s%s", serial,
		    req_lang(r) == PAGE_EN ? "?lang=en" : "");
		http_reply(r, 303, "text/plain; charset=utf-8", "see other\n",
		    10, HTTP_MEM_STATIC, h);
		return;
	} else if (path_serial(p + 3, strlen(p + 3), serial) != 0) {
		site_error(s, r, 404, "no such certificate", NULL);
		return;
	}
	/*
	 * Verified on every request; only the rendering is memoized. A valid
	 * certificate this process has checked before is answered from the
	 * verified ledger alone (vdb_quick) if its page is in the memo;
	 * anything else reads the database and checks it all.
	 */
	if ((t = thread_state(s, err)) == NULL) {
		unavailable(s, r, err);
		return;
	}
	lang = req_lang(r);
	kind = json ? ANS_JSON : lang == PAGE_EN ? ANS_PAGE_EN : ANS_PAGE_ZH;
	if (vdb_quick(t->v, serial, &res)) {
		answer_key(kind, serial, &res, key);
		if ((body = memo_get(s->memo, key, &len)) != NULL) {
			count_serial(s, res.status);
			http_set_log_note(r, render_status_name(res.status));
			vdb_result_free(&res);
			http_reply(r, 200, json ? "application/json" :
			    "text/html; charset=utf-8", body, len,
			    HTTP_MEM_FREE, nocache);
			return;
		}
	}
	vdb_result_free(&res);
	if (vdb_verify_serial(t->v, serial, &res, err) != HS_OK) {
		unavailable(s, r, err);
		return;
	}
	status = res.status == VDB_NOTFOUND ? 404 : 200;
	answer_key(kind, serial, &res, key);
	if ((body = memo_get(s->memo, key, &len)) != NULL) {
		count_serial(s, res.status);
		http_set_log_note(r, render_status_name(res.status));
		vdb_result_free(&res);
		http_reply(r, status, json ? "application/json" :
		    "text/html; charset=utf-8", body, len, HTTP_MEM_FREE,
		    nocache);
		return;
	}
	/* A decoding failure turns res into BADSIG (not what was keyed). */
	keep = vdb_result_decode(&res, err) == HS_OK;
	count_serial(s, res.status);
	http_set_log_note(r, render_status_name(res.status));
	buf_init(&b);
	if (json) {
		json_t *j = render_cert_json(serial, &res);
		char *d = j ? json_dumps(j, JSON_COMPACT) : NULL;

		json_decref(j);
		if (d != NULL) {
			buf_puts(&b, d);
			buf_putc(&b, '\n');
			free(d);
		} else {
			b.oom = true;
		}
	} else {
		render_cert_page(&b, lang, serial, &res);
	}
	vdb_result_free(&res);
	if (b.oom) {
		buf_free(&b);
		site_error(s, r, 503, "out of memory", NULL);
		return;
	}
	if (keep && b.len <= MEMO_BODY_MAX)
		memo_put(s->memo, key, b.data, b.len);
	reply_buf(r, status, json ? "application/json" :
	    "text/html; charset=utf-8", &b, nocache);
}

/* Finds a form field's value (text parts) in parts; NULL if absent. */
static const struct mpart *
form_field(const struct mpart *parts, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(parts[i].name, name) == 0)
			return &parts[i];
	return NULL;
}

/* A short field value as a string (format=html and the like). */
static void
field_str(const struct mpart *f, char *out, size_t n)
{
	size_t k = f && f->len < n ? f->len : 0;

	if (k > 0)
		memcpy(out, f->data, k);
	out[k] = '\0';
}

/*
 * Parses a multipart body if the request has one. Returns 1 with *parts
 * set (caller frees), 0 if not multipart, -1 after answering an error.
 */
static int
maybe_multipart(struct site *s, struct http_req *r, struct mpart **parts,
    size_t *n)
{
	char boundary[71], err[HS_ERRLEN];
	const char *body;
	size_t len;
	enum hs_err rc;
	const char *ct = http_header(r, "Content-Type");

	*parts = NULL;
	*n = 0;
	if (ct == NULL || strncasecmp(ct, "multipart/", 10) != 0)
		return 0;
	if (mpart_boundary(ct, boundary) != 0) {
		site_error(s, r, 400, "multipart body without a valid "
		    "boundary", NULL);
		return -1;
	}
	*parts = calloc(MPART_MAX_PARTS, sizeof(**parts));
	if (*parts == NULL) {
		site_error(s, r, 503, "out of memory", NULL);
		return -1;
	}
	body = http_body(r, &len);
	rc = mpart_parse(boundary, body, len, *parts, MPART_MAX_PARTS, n, err);
	if (rc != HS_OK) {
		free(*parts);
		*parts = NULL;
		site_error(s, r, rc == HS_ERR_TOOBIG ? 413 : 400, err, NULL);
		return -1;
	}
	return 1;
}

static void
h_verify(struct site *s, struct http_req *r)
{
	struct mpart *parts = NULL;
	const struct mpart *f = NULL;
	const char *data;
	size_t len, n = 0, i;
	char fmtv[16] = "", fname[256] = "", err[HS_ERRLEN];
	struct vdb_upload_result u;
	struct vdb *v;
	enum fmt fmt;
	int mp;

	mp = maybe_multipart(s, r, &parts, &n);
	if (mp < 0)
		return;
	if (mp > 0) {
		field_str(form_field(parts, n, "format"), fmtv, sizeof(fmtv));
		f = form_field(parts, n, "file");
		for (i = 0; f == NULL && i < n; i++)
			if (parts[i].filename[0] != '\0')
				f = &parts[i];
		if (f == NULL) {
			free(parts);
			site_error(s, r, 400, "the form has no file", NULL);
			return;
		}
		data = f->data;
		len = f->len;
		if (utf8_valid(f->filename, strlen(f->filename)))
			snprintf(fname, sizeof(fname), "%s", f->filename);
	} else {
		data = http_body(r, &len);
	}
	fmt = pick_format(r, fmtv[0] ? fmtv : NULL, FMT_JSON);
	if (len == 0) {
		free(parts);
		site_error(s, r, 400, "empty upload", NULL);
		return;
	}
	if (len > 10u * 1024 * 1024) {
		free(parts);
		site_error(s, r, 413, "a certificate PDF is at most 10 MB",
		    NULL);
		return;
	}
	if ((v = thread_vdb(s, err)) == NULL ||
	    vdb_check_upload(v, data, len, &u, err) != HS_OK) {
		free(parts);
		unavailable(s, r, err);
		return;
	}
	free(parts);
	__atomic_add_fetch(&s->vm_upload[u.outcome], 1, __ATOMIC_RELAXED);
	http_set_log_note(r, render_upload_name(u.outcome));
	{
		int status = u.outcome == VDB_UP_NOT_CERT ? 422 : 200;

		if (fmt == FMT_HTML) {
			struct buf b;

			buf_init(&b);
			render_upload_page(&b, req_lang(r), fname, &u);
			reply_buf(r, status, "text/html; charset=utf-8", &b,
			    NULL);
		} else {
			reply_json(r, status, render_upload_json(&u), NULL);
		}
	}
	vdb_upload_free(&u);
}

/* One line of a batch list: a serial, a QR URL or a CSV row. */
static int
batch_line(const char *line, size_t n, struct render_row *row)
{
	char buf[256], *p, *e;
	size_t k = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;

	memset(row, 0, sizeof(*row));
	memcpy(buf, line, k);
	buf[k] = '\0';
	/* Trim, and take the first CSV field. */
	for (p = buf; *p == ' ' || *p == '\t' || *p == '"' || *p == '\''; p++)
		;
	if ((e = strpbrk(p, ",;\t\r")) != NULL)
		*e = '\0';
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '"' || e[-1] == '\''))
		*--e = '\0';
	if (*p == '\0')
		return 0;
	if (!utf8_valid(p, strlen(p)))
		snprintf(row->item, sizeof(row->item), "(not UTF-8)");
	else
		snprintf(row->item, sizeof(row->item), "%s", p);
	/* A QR URL: the part after /c/, up to ? or #. */
	if ((e = strstr(p, "/c/")) != NULL) {
		p = e + 3;
		p[strcspn(p, "?#/")] = '\0';
	}
	if (serial_parse(p, row->serial, NULL) != HS_OK) {
		row->serial[0] = '\0';
		/* A header row ("serial", "证书编号") is skipped silently. */
		if (strcasecmp(p, "serial") == 0 || strcmp(p, "证书编号") == 0)
			return 0;
	}
	return 1;
}

/* Splits a text list into rows (appending to rows[*n..max)). */
static int
batch_list(const char *text, size_t len, struct render_row *rows, size_t *n,
    size_t max)
{
	const char *p = text, *end = text + len, *nl;

	/* A UTF-8 BOM from a spreadsheet export. */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl > p) {
			if (*n >= max)
				return -1;
			if (batch_line(p, (size_t)(nl - p), &rows[*n]))
				(*n)++;
		}
		p = nl + 1;
	}
	return 0;
}

static void
h_batch(struct site *s, struct http_req *r)
{
	struct mpart *parts = NULL;
	struct render_row *rows = NULL;
	struct pdfin_budget budget;
	size_t np = 0, n = 0, i;
	char fmtv[16] = "", err[HS_ERRLEN];
	const char *body;
	size_t blen;
	struct vdb *v;
	enum fmt fmt;
	int mp;

	mp = maybe_multipart(s, r, &parts, &np);
	if (mp < 0)
		return;
	pdfin_budget_init(&budget, BATCH_DECODE_MAX);
	rows = calloc(BATCH_MAX + 1, sizeof(*rows));
	if (rows == NULL) {
		free(parts);
		site_error(s, r, 503, "out of memory", NULL);
		return;
	}
	if ((v = thread_vdb(s, err)) == NULL) {
		unavailable(s, r, err);
		goto out;
	}
	if (mp > 0)
		field_str(form_field(parts, np, "format"), fmtv, sizeof(fmtv));
	fmt = pick_format(r, fmtv[0] ? fmtv : NULL, FMT_JSON);
	if (mp == 0) {
		body = http_body(r, &blen);
		if (batch_list(body, blen, rows, &n, BATCH_MAX) != 0)
			goto toomany;
	} else {
		for (i = 0; i < np; i++) {
			const struct mpart *pt = &parts[i];

			if (strcmp(pt->name, "format") == 0 || pt->len == 0)
				continue;
			if (pdfin_looks_like_pdf(pt->data, pt->len)) {
				struct vdb_upload_result u;

				if (n >= BATCH_MAX)
					goto toomany;
				memset(&rows[n], 0, sizeof(rows[n]));
				snprintf(rows[n].item, sizeof(rows[n].item),
				    "%s", pt->filename[0] != '\0' &&
				    utf8_valid(pt->filename,
				    strlen(pt->filename)) ? pt->filename :
				    "(file)");
				if (pt->len > 10u * 1024 * 1024) {
					render_row_not_cert(&rows[n],
					    "file over 10 MB");
					n++;
					continue;
				}
				if (vdb_check_upload_budget(v, pt->data,
				    pt->len, &budget, &u, err) != HS_OK) {
					unavailable(s, r, err);
					goto out;
				}
				__atomic_add_fetch(&s->vm_upload[u.outcome], 1,
				    __ATOMIC_RELAXED);
				render_row_upload(&rows[n], &u);
				vdb_upload_free(&u);
				n++;
				continue;
			}
			if (batch_list(pt->data, pt->len, rows, &n,
			    BATCH_MAX) != 0)
				goto toomany;
		}
	}
	if (n == 0) {
		site_error(s, r, 400, "no serials, QR addresses or PDF files "
		    "in the request", NULL);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct vdb_result res;

		if (rows[i].done)
			continue; /* a PDF, done above */
		if (rows[i].serial[0] == '\0') {
			render_row_not_found(&rows[i],
			    "not a certificate number");
			continue;
		}
		if (vdb_check_serial(v, rows[i].serial, &res, err) != HS_OK) {
			unavailable(s, r, err);
			goto out;
		}
		count_serial(s, res.status);
		render_row_cert(&rows[i], &res);
		vdb_result_free(&res);
	}
	{
		struct buf b;

		buf_init(&b);
		if (fmt == FMT_CSV) {
			static const char *const h[] = {
				"Content-Disposition",
				"attachment; filename=\"verification.csv\"",
				NULL };

			render_batch_csv(&b, rows, n);
			reply_buf(r, 200, "text/csv; charset=utf-8", &b, h);
		} else if (fmt == FMT_HTML) {
			render_batch_page(&b, req_lang(r), rows, n);
			reply_buf(r, 200, "text/html; charset=utf-8", &b, NULL);
		} else {
			buf_free(&b);
			reply_json(r, 200, render_batch_json(rows, n), NULL);
		}
	}
	goto out;
toomany:
	{
		char msg[64];

		snprintf(msg, sizeof(msg), "at most %d items per batch",
		    BATCH_MAX);
		site_error(s, r, 413, msg, NULL);
	}
out:
	free(rows);
	free(parts);
}

/* The ID number from a match request: JSON {"id_number": ...}, a form
 * field id_number=..., or the bare number. */
static int
match_input(struct http_req *r, char out[IDNUM_SIZE + 8])
{
	const char *body;
	size_t len, k;
	char tmp[1100];
	const char *ct = http_header(r, "Content-Type");

	body = http_body(r, &len);
	out[0] = '\0';
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, body, len);
	tmp[len] = '\0';
	if (ct != NULL && strncasecmp(ct, "application/json", 16) == 0) {
		json_error_t je;
		json_t *j = json_loadb(tmp, len, JSON_REJECT_DUPLICATES, &je);
		const char *v = j ? json_string_value(json_object_get(j,
		    "id_number")) : NULL;

		if (v == NULL || strlen(v) > IDNUM_LEN + 4) {
			json_decref(j);
			OPENSSL_cleanse(tmp, sizeof(tmp));
			return -1;
		}
		snprintf(out, IDNUM_SIZE + 8, "%s", v);
		json_decref(j);
	} else {
		const char *v = tmp;

		if (strncmp(v, "id_number=", 10) == 0)
			v += 10;
		k = strcspn(v, "&\r\n");
		if (k > IDNUM_LEN + 4) {
			OPENSSL_cleanse(tmp, sizeof(tmp));
			return -1;
		}
		memcpy(out, v, k);
		out[k] = '\0';
	}
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return 0;
}

/* True if the body looks like JSON but is not labelled so. */
static int
json_unlabelled(struct http_req *r)
{
	const char *ct = http_header(r, "Content-Type"), *body;
	size_t len, i;

	if (ct != NULL && strncasecmp(ct, "application/json", 16) == 0)
		return 0;
	body = http_body(r, &len);
	for (i = 0; i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\r' || body[i] == '\n'); i++)
		;
	return i < len && body[i] == '{';
}

/* When the per-certificate count starts again: reset seconds from now,
 * as RFC 3339 UTC. */
static void
reset_time(unsigned reset, char out[32])
{
	time_t t = time(NULL) + (time_t)reset;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* 429: this certificate had its attempts for today. */
static void
match_refused(struct site *s, struct http_req *r, const char *serial,
    unsigned reset)
{
	char msg[256], when[32], ra[16];
	const char *h[] = { "Retry-After", ra, NULL };

	reset_time(reset, when);
	snprintf(ra, sizeof(ra), "%u", reset);
	snprintf(msg, sizeof(msg), "this certificate has had its %u ID-match "
	    "attempts for today (from all clients together); it can be "
	    "matched again from %s", mlimit_per_day(s->ml), when);
	reply_json(r, 429, json_pack("{s:i,s:s,s:s,s:i,s:i,s:s}", "status",
	    429, "error", msg, "serial", serial, "attempts_left", 0,
	    "attempts_per_day", (int)mlimit_per_day(s->ml),
	    "attempts_reset_at", when), h);
}

static void
h_match(struct site *s, struct http_req *r)
{
	const char *p = http_path(r) + 21;
	char serial[SERIAL_SIZE], in[IDNUM_SIZE + 8], id[IDNUM_SIZE];
	char stored[45], mine[45], err[HS_ERRLEN], when[32];
	struct vdb *v;
	enum hs_err rc;
	unsigned left = 0, reset = 0;
	int match;

	if (!s->have_pepper) {
		site_error(s, r, 503, "ID matching is not enabled on this "
		    "server: it needs the issuer's pepper (serve --pepper "
		    "FILE)", NULL);
		return;
	}
	if (path_serial(p, strcspn(p, "/"), serial) != 0) {
		site_error(s, r, 404, "no such certificate", NULL);
		return;
	}
	if (match_input(r, in) != 0 ||
	    idnum_validate(in, -1, id, NULL) != HS_OK) {
		OPENSSL_cleanse(in, sizeof(in));
		site_error(s, r, 400, json_unlabelled(r) ?
		    "this body looks like JSON but the request's Content-Type "
		    "is not application/json: send it with Content-Type: "
		    "application/json (or send the form field id_number=...)" :
		    "expected an 18-character ID number: JSON "
		    "{\"id_number\": \"...\"} with Content-Type: "
		    "application/json, or the form field id_number=...", NULL);
		return;
	}
	OPENSSL_cleanse(in, sizeof(in));
	if ((v = thread_vdb(s, err)) == NULL) {
		OPENSSL_cleanse(id, sizeof(id));
		unavailable(s, r, err);
		return;
	}
	rc = vdb_id_digest(v, serial, stored, err);
	if (rc == HS_ERR_NOTFOUND) {
		OPENSSL_cleanse(id, sizeof(id));
		site_error(s, r, 404, "no such certificate", NULL);
		return;
	}
	if (rc != HS_OK) {
		OPENSSL_cleanse(id, sizeof(id));
		unavailable(s, r, err);
		return;
	}
	/* Every attempt on an existing certificate counts, right or
	 * wrong, before the answer is known. */
	if (s->ml != NULL && !mlimit_take(s->ml, serial, (int64_t)time(NULL),
	    &left, &reset)) {
		OPENSSL_cleanse(id, sizeof(id));
		__atomic_add_fetch(&s->vm_match_limited, 1, __ATOMIC_RELAXED);
		match_refused(s, r, serial, reset);
		return;
	}
	pepper_id_digest(s->pepper, id, mine);
	OPENSSL_cleanse(id, sizeof(id));
	match = strlen(stored) == strlen(mine) &&
	    CRYPTO_memcmp(stored, mine, strlen(mine)) == 0;
	__atomic_add_fetch(&s->vm_match[match], 1, __ATOMIC_RELAXED);
	if (s->ml == NULL) {
		reply_json(r, 200, json_pack("{s:s,s:b}", "serial", serial,
		    "match", match), NULL);
		return;
	}
	reset_time(reset, when);
	reply_json(r, 200, json_pack("{s:s,s:b,s:i,s:i,s:s}", "serial", serial,
	    "match", match, "attempts_left", (int)left, "attempts_per_day",
	    (int)mlimit_per_day(s->ml), "attempts_reset_at", when), NULL);
}

static void
h_checkpoint(struct site *s, struct http_req *r)
{
	struct vdb *v;
	struct buf b;
	char err[HS_ERRLEN];
	const char *from = http_query(r, "consistency-from");
	enum hs_err rc;
	static const char *const shortcache[] = {
		"Cache-Control", "public, max-age=5", NULL };

	if ((v = thread_vdb(s, err)) == NULL) {
		unavailable(s, r, err);
		return;
	}
	buf_init(&b);
	if (from != NULL) {
		char *e;
		unsigned long long n = strtoull(from, &e, 10);

		if (*from < '0' || *from > '9' || *e != '\0') {
			buf_free(&b);
			site_error(s, r, 400, "consistency-from: expected a "
			    "tree size", NULL);
			return;
		}
		rc = vdb_consistency(v, n, &b, err);
	} else {
		rc = vdb_checkpoint(v, &b, NULL, err);
	}
	if (rc == HS_ERR_NOTFOUND || rc == HS_ERR_INVALID) {
		buf_free(&b);
		site_error(s, r, rc == HS_ERR_INVALID ? 400 : 404, err, NULL);
		return;
	}
	if (rc != HS_OK) {
		buf_free(&b);
		unavailable(s, r, err);
		return;
	}
	reply_buf(r, 200, "text/plain; charset=utf-8", &b, shortcache);
}

static void
h_tile(struct site *s, struct http_req *r)
{
	struct vdb *v;
	struct buf b;
	char err[HS_ERRLEN];
	bool full;
	enum hs_err rc;
	static const char *const immutable[] = {
		"Cache-Control", "public, max-age=31536000, immutable", NULL };
	static const char *const partial[] = {
		"Cache-Control", "public, max-age=5", NULL };

	if ((v = thread_vdb(s, err)) == NULL) {
		unavailable(s, r, err);
		return;
	}
	buf_init(&b);
	rc = vdb_tile(v, http_path(r) + 1, &b, &full, err);
	if (rc == HS_ERR_FORMAT || rc == HS_ERR_NOTFOUND ||
	    rc == HS_ERR_INVALID) {
		buf_free(&b);
		site_error(s, r, 404, "no such tile", NULL);
		return;
	}
	if (rc != HS_OK) {
		buf_free(&b);
		unavailable(s, r, err);
		return;
	}
	reply_buf(r, 200, "application/octet-stream", &b, full ? immutable :
	    partial);
}

static void
h_keys(struct site *s, struct http_req *r)
{
	struct vdb *v;
	struct buf b;
	char err[HS_ERRLEN];
	static const char *const h[] = {
		"Cache-Control", "public, max-age=60", NULL };

	if ((v = thread_vdb(s, err)) == NULL) {
		unavailable(s, r, err);
		return;
	}
	buf_init(&b);
	if (vdb_keys(v, &b, err) != HS_OK) {
		buf_free(&b);
		unavailable(s, r, err);
		return;
	}
	reply_buf(r, 200, "text/plain; charset=utf-8", &b, h);
}

/*
 * 200 while answers rest on a verified checkpoint: the database's, or
 * (said in the body) the last one verified while the database's is
 * refused. 503 with the reason when there is none to answer from.
 */
static void
h_healthz(struct site *s, struct http_req *r)
{
	struct vdb *v;
	struct buf b;
	char err[HS_ERRLEN], why[VSTATE_REASON_MAX];
	uint64_t size;
	int status = 200;
	static const char *const nocache[] = {
		"Cache-Control", "no-store", NULL };

	buf_init(&b);
	if ((v = thread_vdb(s, err)) == NULL) {
		status = 503;
		buf_puts(&b, "cannot verify now: the database cannot be opened "
		    "or read\n");
		goto out;
	}
	switch (vdb_health(v, &size, why, sizeof(why))) {
	case VDB_SERVING:
		buf_printf(&b, "ok\ncheckpoint %llu\n",
		    (unsigned long long)size);
		break;
	case VDB_RETAINED:
		buf_printf(&b, "ok, but the database is stale: still answering "
		    "from the last checkpoint verified (size %llu); the "
		    "database's is refused: %s\n", (unsigned long long)size,
		    why);
		break;
	default:
		status = 503;
		buf_printf(&b, "cannot verify now: %s\n", why);
		break;
	}
out:
	reply_buf(r, status, "text/plain; charset=utf-8", &b, nocache);
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
	case EP_INDEX: h_index(s, r); return;
	case EP_STYLE:
		http_reply(r, 200, "text/css; charset=utf-8", page_css,
		    page_css_len(), HTTP_MEM_STATIC, css_h);
		return;
	case EP_HEALTHZ: h_healthz(s, r); return;
	case EP_METRICS:
		buf_init(&b);
		http_metrics_text(r, &b);
		reply_buf(r, 200, "text/plain; version=0.0.4; charset=utf-8",
		    &b, nocache);
		return;
	case EP_CERT_PAGE: h_cert(s, r, 0); return;
	case EP_CERT_API: h_cert(s, r, 1); return;
	case EP_VERIFY: h_verify(s, r); return;
	case EP_BATCH: h_batch(s, r); return;
	case EP_MATCH: h_match(s, r); return;
	case EP_CHECKPOINT: h_checkpoint(s, r); return;
	case EP_TILE: case EP_ENTRIES: h_tile(s, r); return;
	case EP_KEYS: h_keys(s, r); return;
	default:
		site_error(s, r, 404, "not found", NULL);
		return;
	}
}

static void ledger_metrics(struct site *s, struct buf *out);

static void
site_metrics(void *ctx, struct buf *out)
{
	struct site *s = ctx;
	size_t i;

	buf_puts(out, "# HELP hourseal_verifications_total Certificate "
	    "verifications by kind and outcome.\n"
	    "# TYPE hourseal_verifications_total counter\n");
	for (i = 0; i < VM_SERIAL_N; i++)
		buf_printf(out, "hourseal_verifications_total{kind=\"serial\","
		    "outcome=\"%s\"} %llu\n", vm_serial_names[i],
		    (unsigned long long)__atomic_load_n(&s->vm_serial[i],
		    __ATOMIC_RELAXED));
	for (i = 0; i < VM_UPLOAD_N; i++)
		buf_printf(out, "hourseal_verifications_total{kind=\"upload\","
		    "outcome=\"%s\"} %llu\n",
		    render_upload_name((enum vdb_upload)i),
		    (unsigned long long)__atomic_load_n(&s->vm_upload[i],
		    __ATOMIC_RELAXED));
	for (i = 0; i < 2; i++)
		buf_printf(out, "hourseal_verifications_total{kind=\"id_match\","
		    "outcome=\"%s\"} %llu\n", i ? "match" : "no_match",
		    (unsigned long long)__atomic_load_n(&s->vm_match[i],
		    __ATOMIC_RELAXED));
	buf_printf(out, "hourseal_verifications_total{kind=\"id_match\","
	    "outcome=\"refused_certificate_limit\"} %llu\n",
	    (unsigned long long)__atomic_load_n(&s->vm_match_limited,
	    __ATOMIC_RELAXED));
	buf_printf(out, "# HELP hourseal_sweep_certificates Stored certificates "
	    "whose note the background sweep checked, by result.\n"
	    "# TYPE hourseal_sweep_certificates gauge\n"
	    "hourseal_sweep_certificates{result=\"total\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"checked\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"good\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"bad\"} %llu\n"
	    "hourseal_sweep_certificates{result=\"finished\"} %d\n",
	    (unsigned long long)__atomic_load_n(&s->sweep.total,
	    __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(&s->sweep.done,
	    __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(&s->sweep.good,
	    __ATOMIC_RELAXED),
	    (unsigned long long)__atomic_load_n(&s->sweep.bad,
	    __ATOMIC_RELAXED),
	    __atomic_load_n(&s->sweep.finished, __ATOMIC_RELAXED));
	if (s->vs != NULL)
		ledger_metrics(s, out);
}

/* The remembered checkpoint and refusals (vstate.h) for /metrics. */
static void
ledger_metrics(struct site *s, struct buf *out)
{
	struct vstate_info in;
	struct vdb *v;
	char why[VSTATE_REASON_MAX];
	uint64_t size;
	int i, rb;

	/* Look at the database first, so a replaced file shows here too. */
	if ((v = thread_vdb(s, why)) != NULL)
		(void)vdb_health(v, &size, why, sizeof(why));
	vstate_info(s->vs, &in);
	rb = in.refused == VTREE_ROLLBACK || in.refused == VTREE_FORK ||
	    in.refused == VTREE_INCONSISTENT;
	buf_printf(out, "# HELP hourseal_ledger_rollback_refused 1 while the "
	    "database's checkpoint is refused because it is older than, forks "
	    "from or does not extend the largest one this verifier verified.\n"
	    "# TYPE hourseal_ledger_rollback_refused gauge\n"
	    "hourseal_ledger_rollback_refused %d\n"
	    "# HELP hourseal_ledger_refused 1 for the reason the database's "
	    "checkpoint is refused now.\n"
	    "# TYPE hourseal_ledger_refused gauge\n", rb);
	for (i = 1; i < VTREE_REFUSALS; i++)
		buf_printf(out, "hourseal_ledger_refused{reason=\"%s\"} %d\n",
		    vstate_refusal_name((enum vtree_refusal)i),
		    in.refused == (enum vtree_refusal)i);
	buf_puts(out, "# HELP hourseal_ledger_refusals_total Refusals of the "
	    "database's checkpoint since start, by reason.\n"
	    "# TYPE hourseal_ledger_refusals_total counter\n");
	for (i = 1; i < VTREE_REFUSALS; i++)
		buf_printf(out, "hourseal_ledger_refusals_total{reason=\"%s\"} "
		    "%llu\n", vstate_refusal_name((enum vtree_refusal)i),
		    (unsigned long long)in.events[i]);
	buf_printf(out, "# HELP hourseal_ledger_remembered_size The largest "
	    "checkpoint this verifier verified (kept on disk across "
	    "restarts).\n"
	    "# TYPE hourseal_ledger_remembered_size gauge\n"
	    "hourseal_ledger_remembered_size %llu\n"
	    "# HELP hourseal_ledger_database_size The database's latest "
	    "checkpoint, as last seen.\n"
	    "# TYPE hourseal_ledger_database_size gauge\n"
	    "hourseal_ledger_database_size %llu\n"
	    "# HELP hourseal_ledger_serving_size The checkpoint answers rest "
	    "on (0: none, every answer is 503).\n"
	    "# TYPE hourseal_ledger_serving_size gauge\n"
	    "hourseal_ledger_serving_size %llu\n"
	    "# HELP hourseal_ledger_stale 1 while answering from the last "
	    "checkpoint verified because the database's is refused.\n"
	    "# TYPE hourseal_ledger_stale gauge\n"
	    "hourseal_ledger_stale %d\n"
	    "# HELP hourseal_ledger_state_write_errors_total Failed writes of "
	    "the state file.\n"
	    "# TYPE hourseal_ledger_state_write_errors_total counter\n"
	    "hourseal_ledger_state_write_errors_total %llu\n",
	    (unsigned long long)in.remembered, (unsigned long long)in.db_size,
	    (unsigned long long)in.serving, in.refused != VTREE_ACCEPTED &&
	    in.retained, (unsigned long long)in.write_errors);
}

/* ---- setup ---- */

/* Reads a pepper file (cert/pepper.h): the issuer's DIR/pepper. */
static enum hs_err
load_pepper(struct site *s, const char *path, char *err)
{
	enum hs_err rc = pepper_load(path, s->pepper, err);
	size_t l;

	if (rc == HS_ERR_FORMAT && err != NULL) {
		l = strnlen(err, HS_ERRLEN - 1);
		snprintf(err + l, HS_ERRLEN - l, " (the issuer's DIR/pepper)");
	}
	s->have_pepper = rc == HS_OK;
	return rc;
}

/*
 * After start, one low-priority thread checks every stored note once
 * (vdb_sweep), so first looks need no Ed25519 check; failures are named
 * on stderr and counted in /metrics.
 */
static void *
sweep_main(void *arg)
{
	struct site *s = arg;
	struct vdb *v = NULL;
	char err[HS_ERRLEN];
	enum hs_err rc;

	/* Linux: a thread's own nice value (serving threads come first). */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	rc = vdb_open(s->o.db_path, &s->pinned, s->vt, &v, err);
	if (rc == HS_OK) {
		vdb_set_state(v, s->vs);
		rc = vdb_sweep(v, &s->sweep_stop, &s->sweep, err);
	}
	vdb_close(v);
	s->sweep_secs = time_mono() - s->sweep_t0;
	if (rc != HS_OK)
		fprintf(stderr, "hourseal-verifier: sweep stopped: %s\n", err);
	else if (__atomic_load_n(&s->sweep.finished, __ATOMIC_RELAXED))
		fprintf(stderr, "hourseal-verifier: sweep: %llu certificates "
		    "checked in %.1f s, %llu do not verify\n",
		    (unsigned long long)s->sweep.done, s->sweep_secs,
		    (unsigned long long)s->sweep.bad);
	return NULL;
}

/* Opens the state file: --state, or the database's path + ".state". */
static enum hs_err
open_state(struct site *s, char *err)
{
	char path[PATH_MAX];

	if (s->o.state_path != NULL)
		snprintf(path, sizeof(path), "%s", s->o.state_path);
	else if (snprintf(path, sizeof(path), "%s.state", s->o.db_path) >=
	    (int)sizeof(path))
		return hs_fail(err, HS_ERR_INVALID, "database path too long");
	return vstate_open(path, &s->vs, err);
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
remember(struct site *s, struct vdb *v, char *err)
{
	struct checkpoint cp;
	const char *note;
	size_t len;
	enum hs_err rc;
	char e2[HS_ERRLEN];

	if (vstate_file_note(s->vs, &note, &len)) {
		if ((rc = vdb_verify_remembered(v, &s->pinned, note, len, &cp,
		    e2)) != HS_OK)
			return hs_fail(err, rc == HS_ERR_NOMEM ? rc :
			    HS_ERR_SIGNATURE, "%s: the remembered checkpoint "
			    "does not verify: %s (move the file away only if "
			    "the ledger or its keys changed on purpose)",
			    vstate_path(s->vs), e2);
		if ((rc = vstate_confirm(s->vs, &cp, err)) != HS_OK)
			return rc;
		vtree_set_floor(s->vt, cp.size, cp.root);
	}
	vdb_set_state(v, s->vs);
	return HS_OK;
}

enum hs_err
site_open(const struct site_opts *o, struct site **out, char *err)
{
	struct site *s;
	struct vdb *v = NULL;
	struct vstate_info in;
	enum hs_err rc;
	uint64_t gen, size;
	double t0;
	size_t i;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	s->o = *o;
	pthread_mutex_init(&s->log_mu, NULL);
	verify_keys_init(&s->pinned);
	if (pthread_key_create(&s->key, tstate_free) != 0) {
		rc = hs_fail(err, HS_ERR_NOMEM, "pthread_key_create failed");
		goto fail;
	}
	s->key_made = 1;
	if (o->bench_fixed) {
		*out = s;
		return HS_OK;
	}
	for (i = 0; i < o->nkeys; i++)
		if ((rc = verify_keys_load(&s->pinned, o->key_files[i],
		    err)) != HS_OK)
			goto fail;
	if (o->pepper_path != NULL &&
	    (rc = load_pepper(s, o->pepper_path, err)) != HS_OK)
		goto fail;
	if (o->pepper_path != NULL && o->match_per_cert > 0 &&
	    (rc = mlimit_new(o->match_per_cert, &s->ml, err)) != HS_OK)
		goto fail;
	/*
	 * Open it once here, and verify the ledger up to its latest
	 * checkpoint (every leaf hashed into the tree, the root compared)
	 * before the first answer: a database that cannot be opened, or a
	 * remembered checkpoint that does not verify, stops the start.
	 */
	if ((rc = vtree_new(&s->vt, err)) != HS_OK ||
	    (rc = memo_new(MEMO_SLOTS, MEMO_BUDGET, &s->memo, err)) != HS_OK ||
	    (rc = open_state(s, err)) != HS_OK ||
	    (rc = vdb_open(o->db_path, &s->pinned, s->vt, &v, err)) != HS_OK ||
	    (rc = remember(s, v, err)) != HS_OK)
		goto fail;
	/*
	 * A database that opens but cannot be read or trusted now is no
	 * reason not to start: every answer is "cannot verify now" (503)
	 * until a good file is in place, and /healthz says why.
	 */
	t0 = time_mono();
	if (vdb_generation(v, &gen, err) != HS_OK ||
	    vdb_health(v, &size, err, HS_ERRLEN) == VDB_UNAVAILABLE)
		fprintf(stderr, "hourseal-verifier: cannot verify now: %s\n",
		    err);
	vdb_close(v);
	v = NULL;
	vstate_info(s->vs, &in);
	if (in.write_errors > 0) {
		rc = hs_fail(err, HS_ERR_IO, "%s: cannot write the state file "
		    "(serve --state FILE puts it elsewhere)",
		    vstate_path(s->vs));
		goto fail;
	}
	fprintf(stderr, "hourseal-verifier: ledger verified: %llu leaves "
	    "in %.2f s; remembered checkpoint: size %llu (%s)\n",
	    (unsigned long long)vtree_size(s->vt), time_mono() - t0,
	    (unsigned long long)in.remembered, vstate_path(s->vs));
	if (!o->no_sweep) {
		s->sweep_t0 = time_mono();
		if (pthread_create(&s->sweeper, NULL, sweep_main, s) == 0)
			s->sweep_started = 1;
	}
	*out = s;
	return HS_OK;
fail:
	vdb_close(v);
	site_close(s);
	return rc;
}

void
site_close(struct site *s)
{
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
	verify_keys_free(&s->pinned);
	vstate_free(s->vs);
	pthread_mutex_destroy(&s->log_mu);
	pepper_wipe(s->pepper);
	vtree_free(s->vt);
	memo_free(s->memo);
	mlimit_free(s->ml);
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

	if (s->o.bench_fixed || (t = tstate_get(s)) == NULL)
		return;
	if (opened)
		t->conns++;
	else if (t->conns > 0 && --t->conns == 0 && t->v != NULL)
		vdb_idle(t->v);
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
	app->connection = site_connection;
	app->ctx = s;
}
