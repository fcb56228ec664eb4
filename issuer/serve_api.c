/*
 * serve_api.c - this module answers the /api/v1 calls: it authenticates
 * the bearer token, applies the per-token rate limit and the role, reads
 * the body under its bound, calls the same library function as the CLI
 * (import_buffer, hours_lookup, issue_run/revoke/reissue), audits the
 * call and answers JSON.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "serve.h"
#include "serve_api.h"
#include "app/hours.h"
#include "app/import.h"
#include "app/issue.h"
#include "cert/idnum.h"
#include "cert/serial.h"
#include "store/accounts.h"
#include "store/audit.h"
#include "store/certs.h"
#include "store/config.h"
#include "store/lookup.h"
#include "store/store.h"
#include "core/util.h"

/* ---- per-token rate limits ---- */

#define LIMIT_SLOTS 1024

struct api_limits {
	pthread_mutex_t mu;
	double rate, burst;
	struct {
		int64_t id;        /* api_tokens.id; 0: free */
		double tokens, at; /* bucket level and when it was measured */
	} slot[LIMIT_SLOTS];
};

enum hs_err
api_limits_new(double rate, double burst, struct api_limits **out,
    char *err)
{
	struct api_limits *l;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&l->mu, NULL);
	l->rate = rate;
	l->burst = burst < 1 ? 1 : burst;
	*out = l;
	return HS_OK;
}

void
api_limits_free(struct api_limits *l)
{
	if (l == NULL)
		return;
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/*
 * Takes one request from token id's bucket. Returns 0, or the seconds to
 * wait (at least 1). The table is a direct-mapped cache: two tokens that
 * share a slot take turns owning it, each starting full when it comes
 * back, so a collision can only make a limit looser, never deny a token
 * that has not spent its own burst.
 */
static int
limit_take(struct api_limits *l, int64_t id)
{
	double now = time_mono(), wait;
	size_t i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ULL >> 54) %
	    LIMIT_SLOTS;
	int ret = 0;

	if (l == NULL || l->rate <= 0)
		return 0;
	pthread_mutex_lock(&l->mu);
	if (l->slot[i].id != id) {
		l->slot[i].id = id;
		l->slot[i].tokens = l->burst;
		l->slot[i].at = now;
	}
	l->slot[i].tokens += (now - l->slot[i].at) * l->rate;
	if (l->slot[i].tokens > l->burst)
		l->slot[i].tokens = l->burst;
	l->slot[i].at = now;
	if (l->slot[i].tokens >= 1)
		l->slot[i].tokens -= 1;
	else {
		wait = (1 - l->slot[i].tokens) / l->rate;
		ret = wait < 1 ? 1 : (int)ceil(wait);
	}
	pthread_mutex_unlock(&l->mu);
	return ret;
}

/* ---- answers ---- */

static void
reply_json(struct http_req *r, int status, json_t *j,
    const char *const *headers)
{
	static const char *const nostore[] = { "Cache-Control", "no-store",
		NULL };
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	if (s == NULL) {
		http_reply(r, 500, "application/json", "{\"error\":{\"code\":"
		    "\"internal\",\"message\":\"out of memory\"}}", 54,
		    HTTP_MEM_STATIC, nostore);
		return;
	}
	http_reply(r, status, "application/json", s, strlen(s), HTTP_MEM_FREE,
	    headers ? headers : nostore);
}

/* The error object; extra (may be NULL) is added to it (stolen). */
static void
error_json(struct http_req *r, int status, const char *code,
    const char *message, const char *key, json_t *extra,
    const char *const *headers)
{
	json_t *e = json_object(), *root = json_object();

	json_object_set_new(e, "code", json_string(code));
	/* Messages carry user text: keep only valid UTF-8. */
	json_object_set_new(e, "message", utf8_valid(message, strlen(message)) ?
	    json_string(message) : json_string("(invalid text)"));
	if (key != NULL && extra != NULL)
		json_object_set_new(e, key, extra);
	else
		json_decref(extra);
	json_object_set_new(root, "error", e);
	reply_json(r, status, root, headers);
}

void
api_error(struct http_req *r, int status, const char *code,
    const char *message, const char *const *headers)
{
	error_json(r, status, code, message, NULL, NULL, headers);
}

void
api_error_status(struct http_req *r, int status, const char *msg,
    const char *const *headers)
{
	const char *code, *m;

	switch (status) {
	case 401: code = "unauthorized"; m = "a valid API token is required"; break;
	case 403: code = "forbidden"; m = "this token may not make this call"; break;
	case 404: code = "not_found"; m = "no such API call"; break;
	case 405: code = "method_not_allowed"; m = "method not allowed"; break;
	case 413: code = "too_large"; m = "the body is too large (records: at "
	    "most 8 MiB and 20,000 rows per request; other calls: 4 KiB)";
	    break;
	case 415: code = "unsupported_media_type"; m = "unsupported "
	    "Content-Type"; break;
	case 429: code = "rate_limited"; m = "too many requests; retry after "
	    "the Retry-After seconds"; break;
	case 503: code = "busy"; m = "the service is busy; retry"; break;
	default:
		if (status >= 400 && status < 500) {
			code = "invalid_request";
			m = "bad request";
		} else {
			code = "internal";
			m = "internal error";
		}
	}
	/* The core's own texts are for pages; ours name the limits. */
	if (status != 413 && status != 429 && msg != NULL && msg[0] != '\0')
		m = msg;
	api_error(r, status, code, m, headers);
}

/* ---- the caller ---- */

/* The call's audit action, by handler. */
static const char *
call_action(const struct sreq *q)
{
	route_fn fn = q->rt->fn;

	return fn == serve_api_records_post ? "record.submit" :
	    fn == serve_api_records_get ? "api.records" :
	    fn == serve_api_hours ? "api.hours" :
	    fn == serve_api_issue ? "api.issue" :
	    fn == serve_api_revoke ? "api.revoke" : "api.reissue";
}

/* Appends one audit row for q's token in its own transaction. */
static enum hs_err
audit_call(struct sreq *q, const char *action, const char *object,
    const char *detail, char *err)
{
	struct actor who;
	enum hs_err rc;

	serve_actor(q, &who);
	if ((rc = store_begin(q->db, err)) != HS_OK)
		return rc;
	if ((rc = audit_append(q->db, &who, action, object, detail, NULL,
	    err)) != HS_OK) {
		store_rollback(q->db);
		return rc;
	}
	if ((rc = store_commit(q->db, err)) != HS_OK)
		store_rollback(q->db);
	return rc;
}

/* Answers a library error with its status and code. */
static void
fail(struct http_req *r, enum hs_err rc, const char *err)
{
	switch (rc) {
	case HS_ERR_NOTFOUND:
		api_error(r, 404, "not_found", err, NULL);
		break;
	case HS_ERR_INVALID:
		api_error(r, 400, "invalid_request", err, NULL);
		break;
	case HS_ERR_FORMAT:
		api_error(r, 400, "invalid_json", err, NULL);
		break;
	case HS_ERR_TOOBIG:
		api_error(r, 413, "too_large", err, NULL);
		break;
	case HS_ERR_EXISTS:
	case HS_ERR_STATE:
		api_error(r, 409, "conflict", err, NULL);
		break;
	case HS_ERR_BUSY:
		api_error(r, 503, "busy", "the database is busy; retry", NULL);
		break;
	default:
		/* Details (paths, SQL) stay out of the answer. */
		api_error(r, 500, "internal", hs_strerror(rc), NULL);
	}
}

/*
 * Takes one request from the token's bucket: true to go on, false with
 * 429 sent.
 */
static bool
rate_ok(struct sreq *q)
{
	char wait[16];
	int secs = limit_take(serve_opts(q->sv)->api_limits, q->tok.id);

	if (secs == 0)
		return true;
	snprintf(wait, sizeof(wait), "%d", secs);
	api_error(q->r, 429, "rate_limited", "too many requests for this "
	    "token; retry after the Retry-After seconds",
	    (const char *const[]){ "Retry-After", wait, "Cache-Control",
	    "no-store", NULL });
	return false;
}

void
serve_api_forbidden(struct sreq *q)
{
	char detail[80], err[HS_ERRLEN];
	const struct authz_rule *rule = authz_rule(q->rt->action);
	const char *need = "another";

	if (rule != NULL && (rule->roles & AZR(PRINCIPAL_TITLE_SYSTEM)))
		need = "title-system";
	else if (rule != NULL && (rule->roles & AZR(PRINCIPAL_PROVIDER)))
		need = "provider";
	else if (rule != NULL && (rule->roles & AZR(PRINCIPAL_HR)))
		need = "hr";
	snprintf(detail, sizeof(detail), "refused: a %s token",
	    role_name(q->tok.role));
	(void)audit_call(q, call_action(q), q->p.name, detail, err);
	snprintf(detail, sizeof(detail), "this call needs a token of role %s",
	    need);
	api_error(q->r, 403, "forbidden", detail, NULL);
}

/* The media type of the Content-Type header, without parameters; a
 * charset other than UTF-8 gives "". out: 64 bytes. */
static void
media_type(struct http_req *r, char out[64])
{
	const char *h = http_header(r, "Content-Type"), *cs;
	size_t n;

	out[0] = '\0';
	if (h == NULL)
		return;
	n = strcspn(h, ";");
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n >= 64)
		return;
	if ((cs = strcasestr(h + n, "charset=")) != NULL) {
		cs += 8;
		if (*cs == '"')
			cs++;
		if (strncasecmp(cs, "utf-8", 5) != 0)
			return;
	}
	memcpy(out, h, n);
	out[n] = '\0';
}

/* ---- POST /api/v1/records ---- */

struct rowerrs {
	json_t *list;
	size_t n;
};

static void
row_error(void *ctx, size_t line, const char *field, const char *reason)
{
	struct rowerrs *e = ctx;
	json_t *o;

	if (e->n++ >= API_ROW_ERRORS_MAX)
		return;
	o = json_object();
	json_object_set_new(o, "line", json_integer((json_int_t)line));
	json_object_set_new(o, "field", json_string(field));
	json_object_set_new(o, "reason", utf8_valid(reason, strlen(reason)) ?
	    json_string(reason) : json_string("(invalid text)"));
	json_array_append_new(e->list, o);
}

void
serve_api_records_post(struct sreq *q)
{
	const struct serve_opts *so = serve_opts(q->sv);
	struct http_req *r = q->r;
	struct actor who;
	struct import_options o;
	struct import_stats st;
	struct rowerrs e = { json_array(), 0 };
	char mt[64], err[HS_ERRLEN] = "", aerr[HS_ERRLEN], detail[200];
	const char *skip = http_query(r, "skip_invalid");
	const void *body;
	size_t len;
	json_t *j;
	enum hs_err rc;

	memset(&o, 0, sizeof(o));
	if (!rate_ok(q))
		goto out;
	serve_actor(q, &who);
	media_type(r, mt);
	if (strcasecmp(mt, "application/json") == 0)
		o.format = IMPORT_JSON_ARRAY;
	else if (strcasecmp(mt, "application/x-ndjson") == 0)
		o.format = IMPORT_JSONL;
	else if (strcasecmp(mt, "text/csv") == 0)
		o.format = IMPORT_CSV;
	else {
		api_error(r, 415, "unsupported_media_type", "Content-Type must "
		    "be application/json (an array), application/x-ndjson or "
		    "text/csv, in UTF-8", NULL);
		goto out;
	}
	if (skip != NULL && strcmp(skip, "0") != 0 && strcmp(skip, "1") != 0) {
		api_error(r, 400, "invalid_request", "skip_invalid: must be 0 "
		    "or 1", NULL);
		goto out;
	}
	body = http_body(r, &len);
	o.path = "request";
	o.today = (long)(q->now / 86400);
	o.max_errors = 1;          /* the text messages are not used */
	o.skip_invalid = skip != NULL && strcmp(skip, "1") == 0;
	o.provider = q->p.provider;
	o.submitted_by = q->p.name;
	o.who = &who;
	o.max_rows = API_RECORDS_MAX_ROWS;
	o.row_error = row_error;
	o.ctx = &e;
	rc = import_buffer(q->db, so->cfg, so->pol, &o, body, len, &st, err);
	if (rc != HS_OK) {
		/* The import rolled back with its audit row: record the
		 * refusal on its own. */
		snprintf(detail, sizeof(detail), "refused: rows %zu, rejected "
		    "%zu (%s)", st.rows, st.rejected, hs_strerror(rc));
		(void)audit_call(q, "record.submit", q->p.name, detail, aerr);
	}
	if (rc == HS_ERR_INVALID) {
		error_json(r, 422, "invalid_rows", err, "rows", e.list, NULL);
		e.list = NULL;
		goto out;
	}
	if (rc == HS_ERR_TOOBIG) {
		api_error(r, 413, "too_large", "at most 20,000 rows and 8 MiB "
		    "per request; split the submission", NULL);
		goto out;
	}
	if (rc == HS_ERR_FORMAT && o.format == IMPORT_CSV) {
		api_error(r, 400, "invalid_request", err, NULL);
		goto out;
	}
	if (rc != HS_OK) {
		fail(r, rc, err);
		goto out;
	}
	j = json_object();
	json_object_set_new(j, "rows", json_integer((json_int_t)st.rows));
	json_object_set_new(j, "inserted",
	    json_integer((json_int_t)st.inserted));
	json_object_set_new(j, "unchanged",
	    json_integer((json_int_t)st.duplicates));
	json_object_set_new(j, "rejected",
	    json_integer((json_int_t)st.rejected));
	json_object_set_new(j, "auto_stamped",
	    json_integer((json_int_t)st.auto_stamped));
	json_object_set_new(j, "errors", e.list);
	e.list = NULL;
	reply_json(r, 200, j, NULL);
out:
	json_decref(e.list);
}

/* ---- GET /api/v1/records ---- */

static int
list_row(void *ctx, const struct lookup_submission *s)
{
	json_t *o = json_object(), *d = json_null();

	json_object_set_new(o, "id", json_integer((json_int_t)s->id));
	json_object_set_new(o, "ref", json_string(s->ref));
	json_object_set_new(o, "id_masked", json_string(s->id_masked));
	json_object_set_new(o, "year", json_integer(s->year));
	json_object_set_new(o, "subject", json_string(s->subject));
	json_object_set_new(o, "title", json_string(s->title));
	json_object_set_new(o, "start_date", json_string(s->start));
	json_object_set_new(o, "end_date", json_string(s->end));
	json_object_set_new(o, "hours", s->hours10 % 10 == 0 ?
	    json_integer((json_int_t)(s->hours10 / 10)) :
	    json_real((double)s->hours10 / 10.0));
	json_object_set_new(o, "submitted", json_string(s->imported));
	json_object_set_new(o, "submitted_by", json_string(s->submitted_by));
	json_object_set_new(o, "status", json_string(s->state));
	if (s->decided_at[0] != '\0') {
		d = json_object();
		json_object_set_new(d, "by", json_string(s->decided_by));
		json_object_set_new(d, "kind", json_string(s->decided_kind));
		json_object_set_new(d, "at", json_string(s->decided_at));
		json_object_set_new(d, "reason", s->reason[0] ?
		    json_string(s->reason) : json_null());
	}
	json_object_set_new(o, "decision", d);
	json_array_append_new(ctx, o);
	return 0;
}

void
serve_api_records_get(struct sreq *q)
{
	struct http_req *r = q->r;
	static const char *const states[] = { "waiting", "stamped",
		"rejected", "withdrawn" };
	const char *status = http_query(r, "status"),
	    *since = http_query(r, "since"), *after = http_query(r, "after"),
	    *limit = http_query(r, "limit");
	struct lookup_filter f;
	char err[HS_ERRLEN] = "", detail[200], sincebuf[21];
	json_t *list, *j;
	uint64_t v;
	time_t t;
	int more = 0;
	size_t i;
	enum hs_err rc;

	/* A provider's own records: other roles may view records in the
	 * console, but this call lists submissions. */
	if (q->p.role != PRINCIPAL_PROVIDER) {
		serve_api_forbidden(q);
		return;
	}
	if (!rate_ok(q))
		return;
	memset(&f, 0, sizeof(f));
	f.provider = q->p.provider;
	f.limit = 100;
	if (status != NULL) {
		for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
			if (strcmp(status, states[i]) == 0)
				f.state = states[i];
		if (f.state == NULL) {
			api_error(r, 400, "invalid_request", "status: must be "
			    "waiting, stamped, rejected or withdrawn", NULL);
			return;
		}
	}
	if (since != NULL) {
		if (strlen(since) != 20 || time_parse_rfc3339(since, &t) != 0) {
			api_error(r, 400, "invalid_request", "since: must be an "
			    "RFC 3339 UTC time, YYYY-MM-DDTHH:MM:SSZ", NULL);
			return;
		}
		time_rfc3339(t, sincebuf);
		f.since = sincebuf;
	}
	if (after != NULL) {
		if (dec_parse_u64(after, strlen(after), INT64_MAX, &v) != 0 &&
		    strcmp(after, "0") != 0) {
			api_error(r, 400, "invalid_request", "after: must be a "
			    "record id (a whole number)", NULL);
			return;
		}
		f.after = strcmp(after, "0") == 0 ? 0 : (int64_t)v;
	}
	if (limit != NULL) {
		if (dec_parse_u64(limit, strlen(limit), API_LIST_MAX, &v) != 0 ||
		    v == 0) {
			api_error(r, 400, "invalid_request", "limit: must be 1 to "
			    "1000", NULL);
			return;
		}
		f.limit = (size_t)v;
	}
	list = json_array();
	rc = lookup_submissions(q->db, &f, list_row, list, &more, err);
	snprintf(detail, sizeof(detail), "status %s, after %lld: %zu rows",
	    f.state ? f.state : "any", (long long)f.after,
	    json_array_size(list));
	if (rc == HS_OK)
		rc = audit_call(q, "api.records", q->p.name, detail, err);
	if (rc != HS_OK) {
		json_decref(list);
		fail(r, rc, err);
		return;
	}
	j = json_object();
	json_object_set_new(j, "records", list);
	/* The key of the next page: the last id given, while more remain. */
	json_object_set_new(j, "next_after", more && json_array_size(list) ?
	    json_copy(json_object_get(json_array_get(list,
	    json_array_size(list) - 1), "id")) : json_null());
	reply_json(r, 200, j, NULL);
}

/* ---- POST /api/v1/hours ---- */

void
serve_api_hours(struct sreq *sq)
{
	const struct serve_opts *so = serve_opts(sq->sv);
	struct http_req *r = sq->r;
	struct hours_query q;
	struct hours_answer a;
	char mt[64], err[HS_ERRLEN] = "", aerr[HS_ERRLEN], detail[120];
	char *out = NULL;
	const void *body;
	size_t len, i, n;
	enum hs_err rc;

	if (!rate_ok(sq))
		return;
	media_type(r, mt);
	if (strcasecmp(mt, "application/json") != 0) {
		api_error(r, 415, "unsupported_media_type", "Content-Type must "
		    "be application/json", NULL);
		return;
	}
	body = http_body(r, &len);
	if ((rc = hours_request_parse(body, len, (long)(sq->now / 86400), &q,
	    err)) != HS_OK) {
		fail(r, rc, err);
		return;
	}
	rc = hours_lookup(sq->db, so->cfg, so->pol, sq->p.region, &q, &a, err);
	OPENSSL_cleanse(q.id_number, sizeof(q.id_number));
	/* Who asked about whom (masked) and for which years. */
	n = (size_t)snprintf(detail, sizeof(detail), "%s; years",
	    rc == HS_OK ? "found" : "not found");
	for (i = 0; i < q.nyears && n < sizeof(detail); i++)
		n += (size_t)snprintf(detail + n, sizeof(detail) - n, " %d",
		    q.years[i]);
	if ((rc == HS_OK || rc == HS_ERR_NOTFOUND) && audit_call(sq,
	    "api.hours", rc == HS_OK ? a.id_masked : "-", detail, aerr) !=
	    HS_OK) {
		fail(r, HS_ERR_BUSY, aerr);
		return;
	}
	if (rc == HS_OK)
		rc = hours_to_json(&a, so->pol, &out, err);
	if (rc != HS_OK) {
		fail(r, rc, err);
		return;
	}
	http_reply(r, 200, "application/json", out, strlen(out), HTTP_MEM_FREE,
	    (const char *const[]){ "Cache-Control", "no-store", NULL });
}

/* ---- POST /api/v1/issue, /revoke, /reissue ---- */

/*
 * Parses a small JSON object body whose keys are all in keys (a
 * NULL-terminated list). HS_OK and *out (caller decrefs), or an answer
 * already sent.
 */
static enum hs_err
small_body(struct http_req *r, const char *const *keys, json_t **out)
{
	const void *body;
	const char *key;
	char mt[64], msg[160];
	json_error_t je;
	json_t *j, *v;
	size_t len, i;

	*out = NULL;
	media_type(r, mt);
	if (strcasecmp(mt, "application/json") != 0) {
		api_error(r, 415, "unsupported_media_type", "Content-Type must "
		    "be application/json", NULL);
		return HS_ERR_INVALID;
	}
	body = http_body(r, &len);
	if (!utf8_valid(body, len)) {
		api_error(r, 400, "invalid_json", "body: not valid UTF-8", NULL);
		return HS_ERR_FORMAT;
	}
	if ((j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) == NULL ||
	    !json_is_object(j)) {
		json_decref(j);
		api_error(r, 400, "invalid_json", "body: must be one JSON object "
		    "(each key once)", NULL);
		return HS_ERR_FORMAT;
	}
	json_object_foreach(j, key, v) {
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(key, keys[i]) == 0)
				break;
		if (keys[i] == NULL) {
			snprintf(msg, sizeof(msg), "body: unknown key \"%.40s\"",
			    key);
			json_decref(j);
			api_error(r, 400, "invalid_request", msg, NULL);
			return HS_ERR_INVALID;
		}
	}
	*out = j;
	return HS_OK;
}

/* A string member, or NULL if absent; *bad if present but not a string. */
static const char *
str_member(json_t *j, const char *key, bool *bad)
{
	json_t *v = json_object_get(j, key);

	if (v == NULL)
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

/* The certificate serial s if its holder is in c's scope. */
static enum hs_err
cert_in_scope(struct sreq *q, const char *s, char serial[SERIAL_SIZE], int64_t *holder, char *err)
{
	struct certs *cs = NULL;
	struct certs_row row;
	const char *sc = q->p.region;
	enum hs_err rc;

	if ((rc = serial_parse(s, serial, err)) != HS_OK)
		return hs_fail(err, HS_ERR_INVALID, "serial: not a certificate "
		    "serial");
	if ((rc = certs_open(q->db, &cs, err)) != HS_OK)
		return rc;
	memset(&row, 0, sizeof(row));
	rc = certs_get(cs, serial, &row, err);
	*holder = row.practitioner_id;
	certs_row_free(&row);
	certs_close(cs);
	if (rc == HS_OK)
		rc = lookup_person_in_scope(q->db, *holder, sc,
		    strlen(sc) == 2, err);
	if (rc == HS_ERR_NOTFOUND)
		return hs_fail(err, HS_ERR_NOTFOUND, "no such certificate in "
		    "scope");
	return rc;
}

enum cert_call { CALL_ISSUE, CALL_REVOKE, CALL_REISSUE };

static void
cert_call(struct sreq *q, enum cert_call call)
{
	const struct serve_opts *so = serve_opts(q->sv);
	struct http_req *r = q->r;
	char outdir[PATH_MAX];
	static const char *const issue_keys[] = { "id_number", "year", "kind",
		NULL };
	static const char *const revoke_keys[] = { "serial", "reason", "note",
		NULL };
	static const char *const reissue_keys[] = { "serial", NULL };
	struct issue *is = NULL;
	struct issue_opts o;
	struct issue_stats st;
	struct certs *cs = NULL;
	char err[HS_ERRLEN] = "", aerr[HS_ERRLEN], id[IDNUM_SIZE] = "";
	char serial[SERIAL_SIZE] = "", news[SERIAL_SIZE] = "", set[45];
	char digest[PEPPER_DIGEST_SIZE], masked[IDNUM_SIZE] = "", detail[200];
	const char *sc = q->p.region, *s, *reason = NULL, *note = NULL,
	    *kind;
	uint64_t index = 0, size = 0;
	int64_t pid = 0;
	bool bad = false, revoked;
	json_t *j = NULL, *v, *ans;
	enum hs_err rc;

	memset(&o, 0, sizeof(o));
	if (!rate_ok(q))
		return;
	if (small_body(r, call == CALL_ISSUE ? issue_keys : call == CALL_REVOKE ?
	    revoke_keys : reissue_keys, &j) != HS_OK)
		return;
	if (serve_signer(q->sv) == NULL) {
		api_error(r, 503, "busy", "this service runs without a signing "
		    "key", NULL);
		goto out;
	}
	if (snprintf(outdir, sizeof(outdir), "%s/pdfs", so->data_dir) >=
	    (int)sizeof(outdir)) {
		rc = hs_fail(err, HS_ERR_INVALID, "data directory path too long");
		goto fail;
	}

	/* What is asked, and whether it is in the token's scope. */
	if (call == CALL_ISSUE) {
		s = str_member(j, "id_number", &bad);
		if (s == NULL || idnum_validate(s, -1, id, err) != HS_OK) {
			rc = hs_fail(err, HS_ERR_INVALID, "id_number: required, a "
			    "valid ID number");
			goto fail;
		}
		v = json_object_get(j, "year");
		if (!json_is_integer(v) || json_integer_value(v) < 1990 ||
		    json_integer_value(v) > 2100) {
			rc = hs_fail(err, HS_ERR_INVALID, "year: required, an "
			    "integer 1990..2100");
			goto fail;
		}
		o.year = (int)json_integer_value(v);
		kind = str_member(j, "kind", &bad);
		if (bad || (kind != NULL && strcmp(kind, "annual") != 0 &&
		    strcmp(kind, "course") != 0)) {
			rc = hs_fail(err, HS_ERR_INVALID, "kind: annual or "
			    "course");
			goto fail;
		}
		o.kind = kind && strcmp(kind, "course") == 0 ? CERT_COURSE :
		    CERT_ANNUAL;
		config_id_digest(so->cfg, id, digest);
		rc = lookup_person_digest(q->db, digest, sc, strlen(sc) == 2,
		    &pid, masked, err);
		OPENSSL_cleanse(digest, sizeof(digest));
		if (rc != HS_OK)
			goto fail;
	} else {
		s = str_member(j, "serial", &bad);
		if (s == NULL) {
			rc = hs_fail(err, HS_ERR_INVALID, "serial: required");
			goto fail;
		}
		if ((rc = cert_in_scope(q, s, serial, &pid, err)) != HS_OK)
			goto fail;
		if (call == CALL_REVOKE) {
			reason = str_member(j, "reason", &bad);
			note = str_member(j, "note", &bad);
			if (bad || reason == NULL || !certs_reason_valid(reason)) {
				rc = hs_fail(err, HS_ERR_INVALID, "reason: one of "
				    CERTS_REASONS);
				goto fail;
			}
			if (note != NULL && (strlen(note) > 500 ||
			    has_control(note))) {
				rc = hs_fail(err, HS_ERR_INVALID, "note: at most "
				    "500 bytes, no control characters");
				goto fail;
			}
		}
	}

	/* The same library calls as the CLI, signing through the signer. */
	if ((rc = serve_issue_open(q, call == CALL_REVOKE ? 0 : ISSUE_RENDER,
	    &is, err)) != HS_OK)
		goto fail;
	/* The certificate's own audit rows (cert.issue, cert.revoke,
	 * cert.supersede) name the token, not the shell operator. */
	{
		struct actor who;

		serve_actor(q, &who);
		if ((rc = issue_set_actor(is, &who, err)) != HS_OK)
			goto fail;
	}
	ans = json_object();
	if (call == CALL_ISSUE) {
		o.id_number = id;
		o.out_dir = outdir;
		o.quiet = true;
		o.batch = 1;
		o.workers = 1;
		rc = issue_run(is, &o, &st, err);
		OPENSSL_cleanse(id, sizeof(id));
		if (rc == HS_OK && certs_open(q->db, &cs, err) == HS_OK &&
		    certs_find_latest(cs, pid, o.year, o.kind == CERT_COURSE ?
		    "course" : "annual", 0, news, set, &revoked, err) == HS_OK &&
		    !revoked)
			json_object_set_new(ans, "serial", json_string(news));
		certs_close(cs);
		json_object_set_new(ans, "issued", json_integer(st.issued));
		json_object_set_new(ans, "superseded",
		    json_integer(st.superseded));
		json_object_set_new(ans, "unchanged", json_integer(st.unchanged));
		snprintf(detail, sizeof(detail), "%d %s: issued %ld, superseded "
		    "%ld, unchanged %ld", o.year, o.kind == CERT_COURSE ?
		    "course" : "annual", st.issued, st.superseded, st.unchanged);
	} else if (call == CALL_REVOKE) {
		rc = issue_revoke(is, serial, reason, note, &index, &size, err);
		json_object_set_new(ans, "serial", json_string(serial));
		json_object_set_new(ans, "reason", json_string(reason));
		json_object_set_new(ans, "ledger_index",
		    json_integer((json_int_t)index));
		snprintf(detail, sizeof(detail), "reason %s", reason);
	} else {
		o.quiet = true;
		o.workers = 1;
		rc = issue_reissue(is, serial, outdir, &o, news, err);
		json_object_set_new(ans, "serial", json_string(news));
		json_object_set_new(ans, "replaces", json_string(serial));
		snprintf(detail, sizeof(detail), "new %s", news);
	}
	if (rc != HS_OK) {
		json_decref(ans);
		goto fail;
	}
	(void)audit_call(q, call == CALL_ISSUE ? "api.issue" :
	    call == CALL_REVOKE ? "api.revoke" : "api.reissue", call ==
	    CALL_ISSUE ? masked : serial, detail, aerr);
	reply_json(r, 200, ans, NULL);
	goto out;
fail:
	snprintf(detail, sizeof(detail), "refused: %s", hs_strerror(rc));
	(void)audit_call(q, call == CALL_ISSUE ? "api.issue" :
	    call == CALL_REVOKE ? "api.revoke" : "api.reissue", call ==
	    CALL_ISSUE ? (masked[0] ? masked : "-") : (serial[0] ? serial : "-"),
	    detail, aerr);
	fail(r, rc, err);
out:
	OPENSSL_cleanse(id, sizeof(id));
	if (is != NULL)
		issue_close(is);
	json_decref(j);
}

void
serve_api_issue(struct sreq *q)
{
	cert_call(q, CALL_ISSUE);
}

void
serve_api_revoke(struct sreq *q)
{
	cert_call(q, CALL_REVOKE);
}

void
serve_api_reissue(struct sreq *q)
{
	cert_call(q, CALL_REISSUE);
}
