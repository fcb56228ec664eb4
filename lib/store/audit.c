/*
 * audit.c - this module appends rows to the hash-chained audit log and
 * reads its head (the chain's bytes are in audit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "store/audit.h"
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
