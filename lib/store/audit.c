/*
 * audit.c - this module appends rows to the hash-chained audit log and
 * reads its head (the chain's bytes are in audit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <openssl/crypto.h>

#include "cert/leaf.h"
#include "store/audit.h"
#include "store/ledger.h"
#include "store/store.h"
#include "core/util.h"

static const char audit_magic[] = "hourseal/audit/v1\n";

static void
put_field(EVP_MD_CTX *md, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	uint8_t len[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16),
		(uint8_t)(n >> 8), (uint8_t)n };

	EVP_DigestUpdate(md, len, 4);
	if (n > 0)
		EVP_DigestUpdate(md, s, n);
}

void
audit_row_hash(const uint8_t prev[32], int64_t seq, const char *at,
    const char *actor, const char *role, const char *org, const char *action,
    const char *object, const char *detail, const char *client,
    uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char num[24];
	unsigned int n = 32;

	snprintf(num, sizeof num, "%lld", (long long)seq);
	if (md == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
		abort(); /* OpenSSL cannot allocate a digest: nothing to do */
	EVP_DigestUpdate(md, audit_magic, sizeof audit_magic - 1);
	EVP_DigestUpdate(md, prev, 32);
	put_field(md, num);
	put_field(md, at);
	put_field(md, actor);
	put_field(md, role);
	put_field(md, org);
	put_field(md, action);
	put_field(md, object);
	put_field(md, detail);
	put_field(md, client);
	EVP_DigestFinal_ex(md, out, &n);
	EVP_MD_CTX_free(md);
}

enum hs_err
audit_head(sqlite3 *db, int64_t *count, uint8_t hash[32], char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int step;

	*count = 0;
	memset(hash, 0, 32);
	if (sqlite3_prepare_v2(db, "SELECT seq, hash FROM audit ORDER BY seq "
	    "DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "audit head");
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 1) != 32)
			rc = hs_fail(err, HS_ERR_STATE, "audit row %lld: hash "
			    "is not 32 bytes",
			    (long long)sqlite3_column_int64(st, 0));
		else {
			*count = sqlite3_column_int64(st, 0);
			memcpy(hash, sqlite3_column_blob(st, 1), 32);
		}
	} else if (step != SQLITE_DONE)
		rc = store_err(db, err, "audit head");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
audit_append(sqlite3 *db, const struct actor *who, const char *action,
    const char *object, const char *detail, int64_t *seq, char *err)
{
	static const struct actor nobody = { "", "", "", "" };
	sqlite3_stmt *st = NULL;
	uint8_t prev[32], h[32];
	char at[21];
	int64_t n;
	enum hs_err rc;

	if (who == NULL)
		who = &nobody;
	if (sqlite3_get_autocommit(db))
		return hs_fail(err, HS_ERR_STATE, "audit: not in a transaction");
	if ((rc = audit_head(db, &n, prev, err)) != HS_OK)
		return rc;
	n++;
	time_now_rfc3339(at);
	audit_row_hash(prev, n, at, who->name, who->role, who->org, action,
	    object, detail, who->client, h);
	if (sqlite3_prepare_v2(db, "INSERT INTO audit (seq, at, actor, role, "
	    "org, action, object, detail, client, hash) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "audit");
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, who->name ? who->name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, who->role ? who->role : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, who->org ? who->org : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, action ? action : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, object ? object : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, detail ? detail : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, who->client ? who->client : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_blob(st, 10, h, 32, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "audit");
	sqlite3_finalize(st);
	if (rc == HS_OK && seq != NULL)
		*seq = n;
	return rc;
}

struct actor
audit_operator(const char *org)
{
	struct actor a = { "cli", "operator", org ? org : "", "" };

	return a;
}

enum hs_err
audit_hash_at(sqlite3 *db, int64_t seq, uint8_t hash[32], char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int step;

	memset(hash, 0, 32);
	if (sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE seq = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return store_err(db, err, "audit row");
	sqlite3_bind_int64(st, 1, seq);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 32)
			rc = hs_fail(err, HS_ERR_STATE, "audit row %lld: hash "
			    "is not 32 bytes", (long long)seq);
		else
			memcpy(hash, sqlite3_column_blob(st, 0), 32);
	} else if (step == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no audit row %lld",
		    (long long)seq);
	else
		rc = store_err(db, err, "audit row");
	sqlite3_finalize(st);
	return rc;
}

/* Column i as a string; clears *clean unless it is TEXT without a NUL. */
static const char *
col_text(sqlite3_stmt *st, int i, bool *clean)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	if (sqlite3_column_type(st, i) != SQLITE_TEXT || s == NULL ||
	    (size_t)sqlite3_column_bytes(st, i) != strlen(s))
		*clean = false;
	return s != NULL ? s : "";
}

enum hs_err
audit_list(sqlite3 *db, int64_t since, int64_t limit, audit_row_fn fn,
    void *ctx, char *err)
{
	sqlite3_stmt *st = NULL;
	struct audit_row r;
	enum hs_err rc = HS_OK;
	int step;

	if (sqlite3_prepare_v2(db, "SELECT seq, at, actor, role, org, action, "
	    "object, detail, client, hash FROM audit WHERE seq > ? ORDER BY "
	    "seq LIMIT ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading the audit log");
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, limit < 0 ? -1 : limit);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.clean = sqlite3_column_type(st, 0) == SQLITE_INTEGER;
		r.seq = sqlite3_column_int64(st, 0);
		r.at = col_text(st, 1, &r.clean);
		r.actor = col_text(st, 2, &r.clean);
		r.role = col_text(st, 3, &r.clean);
		r.org = col_text(st, 4, &r.clean);
		r.action = col_text(st, 5, &r.clean);
		r.object = col_text(st, 6, &r.clean);
		r.detail = col_text(st, 7, &r.clean);
		r.client = col_text(st, 8, &r.clean);
		r.hash = sqlite3_column_blob(st, 9);
		r.hashlen = (size_t)sqlite3_column_bytes(st, 9);
		if ((rc = fn(ctx, &r, err)) != HS_OK)
			break;
	}
	if (rc == HS_OK && step != SQLITE_DONE)
		rc = store_err(db, err, "reading the audit log");
	sqlite3_finalize(st);
	return rc;
}

/* One audit leaf of the ledger. */
struct anchor {
	uint64_t leaf;
	int64_t count;
	uint8_t head[32];
};

struct verify {
	struct anchor *a;
	size_t n, cap, next;  /* next: the first anchor not yet reached */
	int64_t expect;       /* the row number that should come next */
	uint8_t prev[32];     /* the recomputed hash of the row before */
	struct audit_check *res;
};

static enum hs_err
collect_anchor(void *ctx, uint64_t index, const void *entry, size_t len,
    char *err)
{
	struct verify *v = ctx;
	struct leaf lf;

	if (leaf_parse(entry, len, &lf, err) != HS_OK) {
		hs_errprefix(err, "ledger leaf %llu",
		    (unsigned long long)index);
		return HS_ERR_SIGNATURE;
	}
	if (v->n > 0 && lf.count < v->a[v->n - 1].count)
		return hs_fail(err, HS_ERR_SIGNATURE, "ledger leaf %llu "
		    "anchors %lld audit rows, fewer than leaf %llu before it "
		    "(%lld)",
		    (unsigned long long)index, (long long)lf.count,
		    (unsigned long long)v->a[v->n - 1].leaf,
		    (long long)v->a[v->n - 1].count);
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct anchor *p = realloc(v->a, cap * sizeof(*p));

		if (p == NULL)
			return hs_fail(err, HS_ERR_NOMEM, "out of memory for "
			    "%zu audit anchors", cap);
		v->a = p;
		v->cap = cap;
	}
	v->a[v->n].leaf = index;
	v->a[v->n].count = lf.count;
	memcpy(v->a[v->n].head, lf.head, 32);
	v->n++;
	return HS_OK;
}

/* Records the first row that differs and stops the walk. */
static enum hs_err
differs(struct verify *v, int64_t row, const char *why)
{
	v->res->bad_row = row;
	snprintf(v->res->why, sizeof(v->res->why), "%s", why);
	return HS_ERR_SIGNATURE;
}

static enum hs_err
check_row(void *ctx, const struct audit_row *r, char *err)
{
	struct verify *v = ctx;
	uint8_t h[32];

	(void)err;
	if (r->seq != v->expect)
		return differs(v, v->expect, "it is missing");
	v->res->rows = r->seq;
	if (!r->clean)
		return differs(v, r->seq, "a field is not plain text");
	audit_row_hash(v->prev, r->seq, r->at, r->actor, r->role, r->org,
	    r->action, r->object, r->detail, r->client, h);
	if (r->hashlen != 32 || CRYPTO_memcmp(h, r->hash, 32) != 0)
		return differs(v, r->seq, "its fields and the rows before it "
		    "do not hash to its stored hash");
	for (; v->next < v->n && v->a[v->next].count == r->seq; v->next++)
		if (CRYPTO_memcmp(h, v->a[v->next].head, 32) != 0)
			return differs(v, r->seq, "the chain up to it is not "
			    "the head the ledger anchored");
	memcpy(v->prev, h, 32);
	v->expect++;
	return HS_OK;
}

enum hs_err
audit_verify(sqlite3 *db, struct ledger *l, uint64_t size,
    struct audit_check *res, char *err)
{
	static const char pfx[] = LEAF_AUDIT_PREFIX;
	struct audit_check scratch;
	struct verify v;
	size_t i;
	enum hs_err rc;

	if (res == NULL)
		res = &scratch;
	memset(res, 0, sizeof(*res));
	memset(&v, 0, sizeof(v));
	v.res = res;
	v.expect = 1;
	if ((rc = ledger_scan_prefix(l, pfx, sizeof(pfx) - 1, size,
	    collect_anchor, &v, err)) != HS_OK)
		goto out;
	res->anchors = v.n;
	if (v.n > 0) {
		res->anchored = v.a[v.n - 1].count;
		res->anchor_leaf = v.a[v.n - 1].leaf;
	}
	rc = audit_list(db, 0, -1, check_row, &v, err);
	if (rc == HS_OK && v.next < v.n)
		rc = differs(&v, v.expect, "it is missing");
	if (rc != HS_ERR_SIGNATURE || res->bad_row == 0)
		goto out;
	for (i = 0; i < v.n; i++)
		if (v.a[i].count >= res->bad_row) {
			res->bad_anchored = true;
			res->bad_leaf = v.a[i].leaf;
			break;
		}
	if (res->bad_anchored)
		hs_fail(err, rc, "audit row %lld differs from the chain "
		    "anchored in leaf %llu: %s", (long long)res->bad_row,
		    (unsigned long long)res->bad_leaf, res->why);
	else
		hs_fail(err, rc, "audit row %lld (not yet anchored) differs "
		    "from the chain: %s", (long long)res->bad_row, res->why);
out:
	free(v.a);
	return rc;
}
