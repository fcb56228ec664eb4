/*
 * site_cert.c - this module answers for one certificate: its page
 * (/c/SERIAL, and the index form's /c/?s=SERIAL), its JSON
 * (/api/v1/certificates/SERIAL) and the ID match
 * (/api/v1/certificates/SERIAL/match). Every answer is verified on every
 * request; only the rendering is memoized (memo.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "cert/idnum.h"
#include "cert/pepper.h"
#include "cert/serial.h"
#include "render.h"
#include "site_int.h"

enum answer_kind { ANS_PAGE_ZH, ANS_PAGE_EN, ANS_JSON };

/*
 * The memo key of an answer: a hash of everything rendering reads (the
 * pages and JSON do not show pdf_sha256 or replaces). The note itself
 * enters through its leaf hash (which binds its SHA-256).
 */
/*
 * A page also shows the minute it was checked and the verifier's address
 * (render_cert_page): both are keyed, so a kept page is at most a minute
 * old.
 */
static void
answer_key(enum answer_kind kind, const char *serial,
    const struct vdb_result *res, const struct render_ctx *cx,
    uint8_t key[32])
{
	char a[2560];
	size_t n = 0;
	const char *const f[] = { serial, res->problem, res->key_vkey,
		res->ckpt_root, res->origin, res->reason, res->revoked_at,
		res->replaced_by, res->ledger_name ? res->ledger_name : "",
		res->ledger_issuer ? res->ledger_issuer : "",
		kind == ANS_JSON ? "" : cx->base_url };
	uint64_t nums[5] = { (uint64_t)kind, (uint64_t)res->status,
		res->leaf_index, res->ckpt_size, kind == ANS_JSON ? 0 :
		(uint64_t)(cx->now / 60) };
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

void
site_count_serial(struct site *s, enum vdb_status st)
{
	int i = st == VDB_VALID ? VM_VALID : st == VDB_REVOKED ? VM_REVOKED :
	    st == VDB_NOTFOUND ? VM_NOTFOUND : VM_INVALID;

	__atomic_add_fetch(&s->vm_serial[i], 1, __ATOMIC_RELAXED);
}

static void
h_cert(struct site *s, struct http_req *r, int json)
{
	const char *p = http_path(r), *in, *q;
	char serial[SERIAL_SIZE], err[HS_ERRLEN], base[256];
	char e2[HS_ERRLEN];
	struct vdb_result res;
	struct render_ctx cx;
	struct vdb *v;
	enum answer_kind kind;
	enum page_lang lang;
	struct buf b;
	uint8_t key[32];
	char *body;
	size_t len;
	int status, down = 0, found = 0;
	size_t i;
	bool keep;
	static const char *const nocache[] = {
		"Cache-Control", "no-cache", NULL };

	if (json) {
		in = p + 21;
		q = strchr(in, '/');
		if (site_path_serial(in, q ? (size_t)(q - in) : strlen(in),
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
		    site_lang(r) == PAGE_EN ? "?lang=en" : "");
		http_reply(r, 303, "text/plain; charset=utf-8", "see other\n",
		    10, HTTP_MEM_STATIC, h);
		return;
	} else if (site_path_serial(p + 3, strlen(p + 3), serial) != 0) {
		site_error(s, r, 404, "no such certificate", NULL);
		return;
	}
	/*
	 * Verified on every request; only the rendering is memoized. A valid
	 * certificate this process has checked before is answered from the
	 * verified ledger alone (vdb_quick) if its page is in the memo;
	 * anything else reads the database and checks it all. Every trusted
	 * ledger is asked in turn (trust-file order); the first that has the
	 * serial answers. One that cannot answer now only matters when no
	 * other has it (503).
	 */
	lang = site_lang(r);
	site_render_ctx(s, r, &cx, base, sizeof(base));
	kind = json ? ANS_JSON : lang == PAGE_EN ? ANS_PAGE_EN : ANS_PAGE_ZH;
	memset(&res, 0, sizeof(res));
	for (i = 0; i < s->nled; i++) {
		if ((v = site_ledger_vdb(s, i, e2)) == NULL) {
			if (!down)
				snprintf(err, sizeof(err), "%s", e2);
			down = 1;
			continue;
		}
		vdb_result_free(&res);
		if (vdb_quick(v, serial, &res)) {
			site_label(s, i, &res);
			answer_key(kind, serial, &res, &cx, key);
			if ((body = memo_get(s->memo, key, &len)) != NULL) {
				site_count_serial(s, res.status);
				http_set_log_note(r,
				    render_status_name(res.status));
				vdb_result_free(&res);
				http_reply(r, 200, json ? "application/json" :
				    "text/html; charset=utf-8", body, len,
				    HTTP_MEM_FREE, nocache);
				return;
			}
		}
		vdb_result_free(&res);
		if (vdb_verify_serial(v, serial, &res, e2) != HS_OK) {
			if (!down)
				snprintf(err, sizeof(err), "%s", e2);
			down = 1;
			continue;
		}
		if (res.status != VDB_NOTFOUND) {
			site_label(s, i, &res);
			found = 1;
			break;
		}
	}
	if (!found && down) {
		vdb_result_free(&res);
		site_unavailable(s, r, err);
		return;
	}
	if (!found && s->nled > 1)
		res.origin[0] = '\0'; /* not found in any of them */
	status = res.status == VDB_NOTFOUND ? 404 : 200;
	answer_key(kind, serial, &res, &cx, key);
	if ((body = memo_get(s->memo, key, &len)) != NULL) {
		site_count_serial(s, res.status);
		http_set_log_note(r, render_status_name(res.status));
		vdb_result_free(&res);
		http_reply(r, status, json ? "application/json" :
		    "text/html; charset=utf-8", body, len, HTTP_MEM_FREE,
		    nocache);
		return;
	}
	/* A decoding failure turns res into BADSIG (not what was keyed). */
	keep = vdb_result_decode(&res, err) == HS_OK;
	site_count_serial(s, res.status);
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
		render_cert_page(&b, lang, serial, &res, &cx);
	}
	vdb_result_free(&res);
	if (b.oom) {
		buf_free(&b);
		site_error(s, r, 503, "out of memory", NULL);
		return;
	}
	if (keep && b.len <= MEMO_BODY_MAX)
		memo_put(s->memo, key, b.data, b.len);
	site_reply_buf(r, status, json ? "application/json" :
	    "text/html; charset=utf-8", &b, nocache);
}

void
site_cert_page(struct site *s, struct http_req *r)
{
	h_cert(s, r, 0);
}

void
site_cert_api(struct site *s, struct http_req *r)
{
	h_cert(s, r, 1);
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
	site_reply_json(r, 429, json_pack("{s:i,s:s,s:s,s:i,s:i,s:s}", "status",
	    429, "error", msg, "serial", serial, "attempts_left", 0,
	    "attempts_per_day", (int)mlimit_per_day(s->ml),
	    "attempts_reset_at", when), h);
}

void
site_id_match(struct site *s, struct http_req *r)
{
	const char *p = http_path(r) + 21;
	char serial[SERIAL_SIZE], in[IDNUM_SIZE + 8], id[IDNUM_SIZE];
	char stored[45], mine[45], err[HS_ERRLEN], e2[HS_ERRLEN], when[32];
	struct vdb *v;
	enum hs_err rc;
	unsigned left = 0, reset = 0;
	int match, down = 0;
	size_t i;

	for (i = 0; i < s->nled && !s->led[i].have_pepper; i++)
		;
	if (i == s->nled) {
		site_error(s, r, 503, "ID matching is not enabled on this "
		    "server: it needs the issuer's pepper (serve --pepper "
		    "FILE)", NULL);
		return;
	}
	if (site_path_serial(p, strcspn(p, "/"), serial) != 0) {
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
	/* The ledger that has the serial, among those with a pepper. */
	rc = HS_ERR_NOTFOUND;
	for (i = 0; i < s->nled; i++) {
		if (!s->led[i].have_pepper)
			continue;
		if ((v = site_ledger_vdb(s, i, e2)) == NULL) {
			if (!down)
				snprintf(err, sizeof(err), "%s", e2);
			down = 1;
			continue;
		}
		rc = vdb_id_digest(v, serial, stored, e2);
		if (rc == HS_OK)
			break;
		if (rc != HS_ERR_NOTFOUND) {
			if (!down)
				snprintf(err, sizeof(err), "%s", e2);
			down = 1;
		}
	}
	if (rc == HS_ERR_NOTFOUND && !down) {
		OPENSSL_cleanse(id, sizeof(id));
		site_error(s, r, 404, "no such certificate", NULL);
		return;
	}
	if (rc != HS_OK) {
		OPENSSL_cleanse(id, sizeof(id));
		site_unavailable(s, r, err);
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
	pepper_id_digest(s->led[i].pepper, id, mine);
	OPENSSL_cleanse(id, sizeof(id));
	match = strlen(stored) == strlen(mine) &&
	    CRYPTO_memcmp(stored, mine, strlen(mine)) == 0;
	__atomic_add_fetch(&s->vm_match[match], 1, __ATOMIC_RELAXED);
	if (s->ml == NULL) {
		site_reply_json(r, 200, json_pack("{s:s,s:b}", "serial", serial,
		    "match", match), NULL);
		return;
	}
	reset_time(reset, when);
	site_reply_json(r, 200, json_pack("{s:s,s:b,s:i,s:i,s:s}", "serial", serial,
	    "match", match, "attempts_left", (int)left, "attempts_per_day",
	    (int)mlimit_per_day(s->ml), "attempts_reset_at", when), NULL);
}
