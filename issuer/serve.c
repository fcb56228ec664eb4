/*
 * serve.c - the issuing service on the HTTP core: routing through the
 * route table, the principal behind a request (session cookie or API
 * token), the authorization gate, CSRF, form bodies, the per-thread
 * database connection and the listeners (serve.h).
 */
#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "serve.h"
#include "serve_api.h"
#include "store/store.h"

struct serve {
	struct serve_opts o;
	const struct note_signer *signer;
	const char *cookie;        /* staff session cookie name */
	const char *my_cookie;     /* practitioners' session cookie name */
	pthread_key_t dbkey;
	const char **endpoints;    /* "notfound", then one per route */
};

/* One listener's view: which routes it answers. */
struct face {
	struct serve *sv;
	unsigned faces;
};

#define PRE_COOKIE "hs_pre"   /* pre-session CSRF cookie (sign-in forms) */

const struct serve_opts *
serve_opts(const struct serve *sv)
{
	return &sv->o;
}

const struct note_signer *
serve_signer(const struct serve *sv)
{
	return sv->signer;
}

const char *
serve_cookie_name(const struct serve *sv)
{
	return sv->cookie;
}

const char *
serve_session_cookie(const struct serve *sv, enum role role)
{
	return role == ROLE_PRACTITIONER ? sv->my_cookie : sv->cookie;
}

/* Whether path is in the practitioner's portal: "/my" or "/my/...". */
static bool
path_in_my(const char *path)
{
	return strncmp(path, "/my", 3) == 0 &&
	    (path[3] == '\0' || path[3] == '/');
}

bool
serve_in_my(const struct sreq *q)
{
	return path_in_my(q->rt != NULL ? q->rt->pattern : http_path(q->r));
}

/* ---- routing ---- */

/* Matches path against pattern; the "*" segment goes to arg. */
static bool
pattern_match(const char *pat, const char *path, char arg[256])
{
	const char *star = strchr(pat, '*');
	size_t pre, post, plen = strlen(path), seg;

	if (star == NULL)
		return strcmp(pat, path) == 0;
	pre = (size_t)(star - pat);
	post = strlen(star + 1);
	if (plen < pre + post + 1 || strncmp(pat, path, pre) != 0 ||
	    strcmp(star + 1, path + plen - post) != 0)
		return false;
	seg = plen - pre - post;
	if (seg > 255 || memchr(path + pre, '/', seg) != NULL)
		return false;
	memcpy(arg, path + pre, seg);
	arg[seg] = '\0';
	return true;
}

static bool
method_in(const char *method, const char *methods)
{
	size_t n = strlen(method);
	const char *p = methods;

	if (strcmp(method, "HEAD") == 0)
		method = "GET", n = 3;
	while ((p = strstr(p, method)) != NULL) {
		if ((p == methods || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}

int
serve_route_find(const char *method, const char *path, unsigned faces,
    const struct route **rt, char arg[256], const char **allow)
{
	size_t i;
	char a[256];
	int matched = 0;

	*rt = NULL;
	arg[0] = '\0';
	*allow = NULL;
	for (i = 0; i < serve_nroutes; i++) {
		const struct route *r = &serve_routes[i];

		if (!(r->faces & faces) || !pattern_match(r->pattern, path, a))
			continue;
		if (method_in(method, r->methods)) {
			*rt = r;
			memcpy(arg, a, sizeof(a));
			return 0;
		}
		if (!matched)
			*allow = r->methods;
		matched = 1;
	}
	return matched ? 405 : 404;
}

int
serve_gate(const struct route *rt, enum principal_role role, bool via_token,
    bool must_enrol)
{
	switch (rt->auth) {
	case RA_PUBLIC:
		return 0;
	case RA_TOKEN:
		if (!via_token)
			return 401;
		/* A token's role is fixed and known to its holder: a call
		 * it may not make is forbidden (objects out of its scope
		 * still answer 404). */
		return authz_allowed(role, rt->action) ? 0 : 403;
	case RA_SESSION:
	case RA_ENROL:
		if (via_token || role == PRINCIPAL_NONE)
			return 303;
		if (must_enrol && rt->auth == RA_SESSION)
			return 303;
		return authz_allowed(role, rt->action) ? 0 : 404;
	}
	return 404;
}

/* ---- principals ---- */

static void
principal_fill(struct principal *p, enum role role, const struct scope *sc,
    const char *name, const char *org, const char *client)
{
	memset(p, 0, sizeof(*p));
	p->role = principal_role_of(role);
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->org, sizeof(p->org), "%s", org);
	snprintf(p->region, sizeof(p->region), "%s", sc->region);
	snprintf(p->domain, sizeof(p->domain), "%s", sc->domain);
	snprintf(p->provider, sizeof(p->provider), "%s", sc->provider);
	snprintf(p->unit, sizeof(p->unit), "%s", sc->unit);
	p->practitioner_id = sc->practitioner_id;
	snprintf(p->client, sizeof(p->client), "%s", client);
}

enum hs_err
serve_issue_open(struct sreq *q, unsigned flags, struct issue **is,
    char *err)
{
	*is = NULL;
	if (q->sv->signer == NULL)
		return hs_fail(err, HS_ERR_STATE, "no signing key: the service "
		    "started without one (see its log)");
	return issue_open_signer(q->sv->o.cfg, q->db, flags & ~ISSUE_SIGN,
	    q->sv->signer, q->sv->o.key_label ? q->sv->o.key_label : "",
	    q->sv->o.pades, is, err);
}

void
serve_actor(const struct sreq *q, struct actor *a)
{
	a->name = q->p.role == PRINCIPAL_NONE ? "anonymous" : q->p.name;
	a->role = q->signed_in ? role_name(q->acct.role) : q->via_token ?
	    role_name(q->tok.role) : "none";
	a->org = q->p.org;
	a->client = http_client(q->r);
}

/* Reads the session cookie or the bearer token into q. */
static void
identify(struct sreq *q)
{
	char err[HS_ERRLEN];

	q->p.role = PRINCIPAL_NONE;
	if (q->rt->auth == RA_TOKEN) {
		const char *h = http_header(q->r, "Authorization");

		if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
			return;
		h += 7;
		if (strlen(h) != ACCT_API_TOKEN_LEN)
			return;
		if (tokens_lookup(q->db, h, q->now, &q->tok, err) != HS_OK)
			return;
		{
			char nm[PRINCIPAL_NAME];

			if (snprintf(nm, sizeof(nm), "token:%s",
			    q->tok.label) >= (int)sizeof(nm))
				return;
			principal_fill(&q->p, q->tok.role, &q->tok.scope, nm,
			    q->tok.org, http_client(q->r));
		}
		q->via_token = true;
		return;
	}
	/* /s/<code> reads no session: the report is the same for all. */
	if (strncmp(q->rt->pattern, "/s/", 3) == 0)
		return;
	{
		bool my = serve_in_my(q);
		const char *c = http_cookie(q->r, my ? q->sv->my_cookie :
		    q->sv->cookie);

		if (c == NULL || strlen(c) != ACCT_TOKEN_LEN)
			return;
		if (sessions_lookup(q->db, c, q->now, &q->sess, &q->acct,
		    err) != HS_OK)
			return;
		/* Each portal's cookie carries its own kind of account. */
		if (my != (q->acct.role == ROLE_PRACTITIONER))
			return;
		principal_fill(&q->p, q->acct.role, &q->acct.scope,
		    q->acct.name, q->acct.org, http_client(q->r));
		q->signed_in = true;
	}
}

static bool
must_enrol(const struct sreq *q)
{
	return q->signed_in && role_is_staff(q->acct.role) &&
	    !q->acct.totp_enrolled;
}

/* ---- the database ---- */

static void
db_close(void *p)
{
	store_close(p);
}

static sqlite3 *
thread_db(struct serve *sv, char *err)
{
	sqlite3 *db = pthread_getspecific(sv->dbkey);

	if (db != NULL)
		return db;
	if (store_open(sv->o.cfg->db_path, STORE_RW, &db, err) != HS_OK)
		return NULL;
	pthread_setspecific(sv->dbkey, db);
	return db;
}

/* ---- answers ---- */

int
serve_status(enum hs_err rc)
{
	switch (rc) {
	case HS_OK: return 200;
	case HS_ERR_NOTFOUND: return 404;
	case HS_ERR_EXISTS:
	case HS_ERR_STATE: return 409;
	case HS_ERR_INVALID:
	case HS_ERR_FORMAT:
	case HS_ERR_SIGNATURE: return 400;
	case HS_ERR_TOOBIG: return 413;
	case HS_ERR_BUSY: return 503;
	default: return 500;
	}
}

static bool
is_api(const char *path)
{
	return strncmp(path, "/api/", 5) == 0;
}

/* The JSON or HTML error body for status. */
static void
error_body(struct http_req *r, enum page_lang lang, int status,
    const char *msg, const char *const *headers)
{
	struct buf b;
	const char *ctype = "text/html; charset=utf-8";

	/* The APIs' errors: {"error": {"code", "message"}} (serve_api.h). */
	if (is_api(http_path(r))) {
		api_error_status(r, status, msg, headers);
		return;
	}
	buf_init(&b);
	page_error(&b, lang, status, msg);
	if (b.oom) {
		buf_free(&b);
		return;
	}
	{
		const char *h[12];
		size_t n = 0, i;

		h[n++] = "Cache-Control";
		h[n++] = "no-store";
		for (i = 0; headers != NULL && headers[i] != NULL &&
		    n + 2 < 12; i += 2) {
			h[n++] = headers[i];
			h[n++] = headers[i + 1];
		}
		h[n] = NULL;
		http_reply(r, status, ctype, b.data, b.len, HTTP_MEM_FREE, h);
	}
}

static void
app_error(void *ctx, struct http_req *r, int status, const char *msg,
    const char *const *headers)
{
	(void)ctx;
	error_body(r, page_lang(http_query(r, "lang"),
	    http_header(r, "Accept-Language")), status, msg, headers);
}

void
serve_error(struct sreq *q, int status, const char *msg)
{
	error_body(q->r, q->lang, status, msg, q->extra_headers);
}

void
serve_redirect(struct sreq *q, const char *location)
{
	const char *h[10];
	size_t n = 0, i;

	h[n++] = "Location";
	h[n++] = location;
	h[n++] = "Cache-Control";
	h[n++] = "no-store";
	for (i = 0; q->extra_headers != NULL &&
	    q->extra_headers[i] != NULL && n + 2 < 10; i += 2) {
		h[n++] = q->extra_headers[i];
		h[n++] = q->extra_headers[i + 1];
	}
	h[n] = NULL;
	http_reply(q->r, 303, "text/plain; charset=utf-8", "see other\n", 10,
	    HTTP_MEM_STATIC, h);
}

void
serve_json(struct sreq *q, int status, char *json)
{
	static const char *const h[] = { "Cache-Control", "no-store", NULL };

	http_reply(q->r, status, "application/json", json, strlen(json),
	    HTTP_MEM_FREE, h);
}

void
serve_add_header(struct sreq *q, const char *name, const char *value)
{
	if (q->nh >= 4)
		return;
	snprintf(q->hstore[q->nh][0], 256, "%s", name);
	snprintf(q->hstore[q->nh][1], 256, "%s", value);
	q->hlist[2 * q->nh] = q->hstore[q->nh][0];
	q->hlist[2 * q->nh + 1] = q->hstore[q->nh][1];
	q->nh++;
	q->hlist[2 * q->nh] = NULL;
	q->extra_headers = q->hlist;
}

/* ---- CSRF ---- */

static void b64url_encode(const uint8_t *in, size_t n, char *out);

void
serve_pre_csrf(struct sreq *q, char out[ACCT_TOKEN_LEN + 1])
{
	const char *c = http_cookie(q->r, PRE_COOKIE);
	uint8_t rnd[32];
	char v[200];
	size_t i;

	if (c != NULL && strlen(c) == ACCT_TOKEN_LEN) {
		for (i = 0; i < ACCT_TOKEN_LEN; i++)
			if (!(isalnum((unsigned char)c[i]) || c[i] == '-' ||
			    c[i] == '_'))
				break;
		if (i == ACCT_TOKEN_LEN) {
			memcpy(out, c, ACCT_TOKEN_LEN + 1);
			return;
		}
	}
	if (random_bytes(rnd, sizeof(rnd)) != HS_OK) {
		out[0] = '\0';
		return;
	}
	b64url_encode(rnd, sizeof(rnd), out);
	snprintf(v, sizeof(v), "%s=%s; Path=%s; HttpOnly; "
	    "SameSite=Strict%s", PRE_COOKIE, out,
	    serve_in_my(q) ? "/my/" : "/admin/",
	    q->sv->o.https ? "; Secure" : "");
	serve_add_header(q, "Set-Cookie", v);
}

/* base64url without padding; out: 4 * ceil(n / 3) + 1 bytes. */
static void
b64url_encode(const uint8_t *in, size_t n, char *out)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
		out[o++] = al[v >> 6 & 63];
		out[o++] = al[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
		out[o++] = al[v >> 6 & 63];
	}
	out[o] = '\0';
}

bool
serve_csrf_ok(struct sreq *q, const char *given)
{
	const char *want;

	if (given == NULL || strlen(given) != ACCT_TOKEN_LEN)
		return false;
	if (q->signed_in)
		want = q->sess.csrf;
	else
		want = http_cookie(q->r, PRE_COOKIE);
	if (want == NULL || strlen(want) != ACCT_TOKEN_LEN)
		return false;
	return CRYPTO_memcmp(want, given, ACCT_TOKEN_LEN) == 0;
}

/* ---- the HTTP app ---- */

static int
app_route(void *ctx, struct http_req *r, struct http_route *out)
{
	struct face *f = ctx;
	const struct route *rt;
	char arg[256];
	const char *allow;
	int st;

	st = serve_route_find(http_method(r), http_path(r), f->faces, &rt,
	    arg, &allow);
	if (st == 405)
		out->allow = allow;
	if (st != 0)
		return st;
	out->endpoint = (int)(rt - serve_routes) + 1;
	out->body_max = rt->body == BODY_NONE ? 0 : rt->body_max;
	out->bucket = rt->bucket;
	if (rt->secret_arg) {
		char lp[256];
		const char *star = strchr(rt->pattern, '*');

		snprintf(lp, sizeof(lp), "%.*s[token]%s",
		    (int)(star - rt->pattern), rt->pattern, star + 1);
		http_set_log_path(r, lp);
	}
	return 0;
}

static void
app_handle(void *ctx, struct http_req *r)
{
	struct face *f = ctx;
	struct sreq q;
	const char *allow;
	char err[HS_ERRLEN];
	int st;

	memset(&q, 0, sizeof(q));
	q.sv = f->sv;
	q.r = r;
	q.now = (int64_t)time(NULL);
	q.lang = page_lang(http_query(r, "lang"),
	    http_header(r, "Accept-Language"));
	if (serve_route_find(http_method(r), http_path(r), f->faces, &q.rt,
	    q.arg, &allow) != 0) {
		serve_error(&q, 404, "not found");
		return;
	}
	if (q.rt->fn == serve_healthz || q.rt->fn == serve_style) {
		q.rt->fn(&q); /* no database, no principal */
		return;
	}
	if ((q.db = thread_db(f->sv, err)) == NULL) {
		fprintf(f->sv->o.log, "hourseal-issuer serve: %s\n", err);
		serve_error(&q, 503, "the database cannot be opened now");
		return;
	}
	identify(&q);
	st = serve_gate(q.rt, q.p.role, q.via_token, must_enrol(&q));
	/* The access log says why a request stopped at the gate. */
	if (st != 0)
		http_set_log_note(r, st == 401 ? "gate:token" : st == 303 ?
		    "gate:signin" : "gate:denied");
	if (st == 401) {
		static const char *const h[] = { "WWW-Authenticate",
		    "Bearer realm=\"hourseal\"", NULL };

		q.extra_headers = h;
		serve_error(&q, 401, "an API token is required "
		    "(Authorization: Bearer hst_...)");
		return;
	}
	if (st == 303) {
		serve_redirect(&q, serve_in_my(&q) ? "/my/signin" :
		    q.signed_in ? "/admin/totp" : "/admin/signin");
		return;
	}
	if (st == 403 && q.via_token) {
		serve_api_forbidden(&q);
		return;
	}
	if (st != 0) {
		serve_error(&q, st, "not found");
		return;
	}
	if (q.rt->body == BODY_FORM) {
		const char *ct = http_header(r, "Content-Type");
		const void *body;
		size_t len;
		enum hs_err rc;

		if (ct == NULL || strncasecmp(ct,
		    "application/x-www-form-urlencoded", 33) != 0) {
			serve_error(&q, 415, "expected a form "
			    "(application/x-www-form-urlencoded)");
			return;
		}
		body = http_body(r, &len);
		if ((rc = form_parse(body, len, 0, &q.form, err)) != HS_OK) {
			form_free(&q.form);
			serve_error(&q, serve_status(rc), err);
			return;
		}
		/* Every state-changing form carries the CSRF token. */
		if (q.rt->auth != RA_TOKEN &&
		    !serve_csrf_ok(&q, form_get(&q.form, "csrf"))) {
			form_free(&q.form);
			serve_error(&q, 403, q.lang == PAGE_EN ?
			    "The form is out of date or was not sent by this "
			    "site (CSRF check). Reload the page and try again." :
			    "表单已过期或并非由本站提交（CSRF 校验未通过）。"
			    "请刷新页面后重试。");
			return;
		}
	}
	q.rt->fn(&q);
	form_free(&q.form);
}

void
serve_healthz(struct sreq *q)
{
	static const char ok[] = "ok\n";

	http_reply(q->r, 200, "text/plain; charset=utf-8", ok, sizeof(ok) - 1,
	    HTTP_MEM_STATIC, NULL);
}

/* ---- running ---- */

int
serve_run(const struct serve_opts *so, struct http_opts *pub,
    struct http_opts *admin, const struct note_signer *signer)
{
	struct serve sv;
	struct face fpub, fadm;
	struct http_app app;
	struct http_server *spub = NULL, *sadm = NULL;
	char err[HS_ERRLEN], purl[128], aurl[128];
	sigset_t set;
	size_t i;
	int sig, rc = 2;

	memset(&sv, 0, sizeof(sv));
	sv.o = *so;
	sv.signer = signer;
	sv.cookie = so->https ? "__Host-hs" : "hs_session";
	sv.my_cookie = so->https ? "__Host-hsmy" : "hs_my";
	if (pthread_key_create(&sv.dbkey, db_close) != 0)
		return 2;
	sv.endpoints = calloc(serve_nroutes + 1, sizeof(*sv.endpoints));
	if (sv.endpoints == NULL)
		return 2;
	sv.endpoints[0] = "notfound";
	for (i = 0; i < serve_nroutes; i++)
		sv.endpoints[i + 1] = serve_routes[i].endpoint;
	memset(&app, 0, sizeof(app));
	app.endpoints = sv.endpoints;
	app.nendpoints = serve_nroutes + 1;
	app.route = app_route;
	app.handle = app_handle;
	app.error = app_error;
	fpub.sv = fadm.sv = &sv;
	fpub.faces = admin != NULL ? FACE_PUBLIC : FACE_PUBLIC | FACE_ADMIN;
	fadm.faces = FACE_ADMIN;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	app.ctx = &fpub;
	if (http_start(pub, &app, &spub, err) != HS_OK) {
		fprintf(so->log, "hourseal-issuer serve: %s\n", err);
		goto out;
	}
	if (so->public_url == NULL) {
		snprintf(purl, sizeof(purl), "http://%s", http_address(spub));
		sv.o.public_url = purl;
	}
	fprintf(so->log, "hourseal-issuer serve: listening on http://%s/%s\n",
	    http_address(spub), admin != NULL ? " (public: /my, /s, "
	    "/healthz)" : "");
	if (admin != NULL) {
		app.ctx = &fadm;
		if (http_start(admin, &app, &sadm, err) != HS_OK) {
			fprintf(so->log, "hourseal-issuer serve: %s\n", err);
			goto out;
		}
		fprintf(so->log, "hourseal-issuer serve: admin on http://%s/ "
		    "(/admin, /api)\n", http_address(sadm));
		snprintf(aurl, sizeof(aurl), "http://%s", http_address(sadm));
		sv.o.admin_url = aurl;
	} else {
		sv.o.admin_url = sv.o.public_url;
	}
	fflush(so->log);
	if (sigwait(&set, &sig) == 0)
		fprintf(so->log, "hourseal-issuer serve: %s, stopping\n",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	rc = 0;
out:
	http_stop(sadm);
	http_stop(spub);
	free(sv.endpoints);
	return rc;
}

int64_t
serve_decimal(const char *s, int64_t limit)
{
	int64_t v = 0;
	size_t i;

	if (s == NULL || s[0] == '\0' || strlen(s) > 18 ||
	    (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v > limit ? -1 : v;
}
