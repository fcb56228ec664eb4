/*
 * share.c - share codes (share.h).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/util.h"
#include "store/share.h"
#include "store/store.h"

bool
share_days_ok(long days)
{
	return days == 7 || days == 30 || days == 90 || days == 180;
}

enum share_state
share_state(const struct share_row *r, int64_t now)
{
	if (r->withdrawn != 0)
		return SHARE_WITHDRAWN;
	if (r->expires <= now)
		return SHARE_EXPIRED;
	return SHARE_ACTIVE;
}

void
share_hash(const char *code, uint8_t out[32])
{
	sha256(code, strlen(code), out);
}

/* True if the label may be stored: short UTF-8 text, no control
 * characters (it is shown on the holder's pages and in the report). */
static bool
label_ok(const char *s)
{
	size_t n = strlen(s);

	return n <= SHARE_LABEL_MAX * 4 && utf8_valid(s, n) &&
	    !has_control(s) && utf8_count(s) <= SHARE_LABEL_MAX;
}

/* HS_OK if serial is a certificate of practitioner_id, else NOTFOUND. */
static enum hs_err
holder_owns(sqlite3 *db, int64_t practitioner_id, const char *serial,
    char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int r;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM certificates WHERE serial = ?"
	    " AND practitioner_id = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "certificates");
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, practitioner_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		rc = HS_OK;
	else if (r == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no certificate %.40s of "
		    "yours", serial);
	else
		rc = store_err(db, err, "certificates");
	sqlite3_finalize(st);
	return rc;
}

static enum hs_err
count_codes(sqlite3 *db, int64_t practitioner_id, int64_t *n, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM share_codes WHERE "
	    "practitioner_id = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "share_codes");
	sqlite3_bind_int64(st, 1, practitioner_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		rc = store_err(db, err, "share_codes");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
share_add(sqlite3 *db, const struct actor *who, int64_t practitioner_id,
    const char *const *serials, size_t n, long days, const char *label,
    int64_t now, char code[CROCKFORD_CODE_LEN + 1], int64_t *id, char *err)
{
	uint8_t raw[CROCKFORD_CODE_BYTES], hash[32];
	char canon[SHARE_MAX_CERTS][SERIAL_SIZE];
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int64_t rowid = 0, have = 0;
	char obj[40], detail[64];
	size_t i;

	code[0] = '\0';
	if (id != NULL)
		*id = 0;
	if (label == NULL)
		label = "";
	if (!share_days_ok(days))
		return hs_fail(err, HS_ERR_INVALID, "validity must be 7, 30, "
		    "90 or 180 days");
	if (!label_ok(label))
		return hs_fail(err, HS_ERR_INVALID, "label: at most %d "
		    "characters of text", SHARE_LABEL_MAX);
	if (n == 0 || n > SHARE_MAX_CERTS)
		return hs_fail(err, HS_ERR_INVALID, "choose 1 to %d "
		    "certificates", SHARE_MAX_CERTS);
	for (i = 0; i < n; i++)
		if (serial_parse(serials[i], canon[i], err) != HS_OK)
			return hs_fail(err, HS_ERR_NOTFOUND, "no certificate "
			    "%.40s of yours", serials[i]);
	if ((rc = random_bytes(raw, sizeof(raw))) != HS_OK)
		return hs_fail(err, rc, "no randomness for the code");
	crockford_encode(raw, code);
	OPENSSL_cleanse(raw, sizeof(raw));
	share_hash(code, hash);

	if ((rc = store_begin(db, err)) != HS_OK)
		goto fail;
	if ((rc = count_codes(db, practitioner_id, &have, err)) != HS_OK)
		goto fail;
	if (have >= SHARE_MAX_CODES) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "you have %d share codes; "
		    "that is the most one may have", SHARE_MAX_CODES);
		goto fail;
	}
	for (i = 0; i < n; i++)
		if ((rc = holder_owns(db, practitioner_id, canon[i], err)) !=
		    HS_OK)
			goto fail;
	if (sqlite3_prepare_v2(db, "INSERT INTO share_codes (practitioner_id, "
	    "hash, label, created, expires) VALUES (?, ?, ?, ?, ?)", -1, &st,
	    NULL) != SQLITE_OK) {
		rc = store_err(db, err, "share_codes");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, practitioner_id);
	sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, label, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now + (int64_t)days * 86400);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = store_err(db, err, "share_codes");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	rowid = sqlite3_last_insert_rowid(db);
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO share_code_certs "
	    "(share_id, serial) VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK) {
		rc = store_err(db, err, "share_code_certs");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_text(st, 2, canon[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = store_err(db, err, "share_code_certs");
			goto fail;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	snprintf(obj, sizeof(obj), "share:%lld", (long long)rowid);
	snprintf(detail, sizeof(detail), "%zu certificates, %ld days", n,
	    days);
	if ((rc = audit_append(db, who, "share.add", obj, detail, NULL,
	    err)) != HS_OK)
		goto fail;
	if ((rc = store_commit(db, err)) != HS_OK)
		goto fail;
	if (id != NULL)
		*id = rowid;
	return HS_OK;
fail:
	sqlite3_finalize(st);
	store_rollback(db);
	OPENSSL_cleanse(code, CROCKFORD_CODE_LEN + 1);
	code[0] = '\0';
	return rc;
}

enum hs_err
share_withdraw(sqlite3 *db, const struct actor *who, int64_t practitioner_id,
    int64_t id, int64_t now, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	char obj[40];
	int r;

	if ((rc = store_begin(db, err)) != HS_OK)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT withdrawn IS NOT NULL FROM "
	    "share_codes WHERE id = ? AND practitioner_id = ?", -1, &st,
	    NULL) != SQLITE_OK) {
		rc = store_err(db, err, "share_codes");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, practitioner_id);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such share code");
		goto fail;
	}
	if (r != SQLITE_ROW) {
		rc = store_err(db, err, "share_codes");
		goto fail;
	}
	if (sqlite3_column_int(st, 0) != 0) {
		rc = hs_fail(err, HS_ERR_STATE, "that share code was already "
		    "withdrawn");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "UPDATE share_codes SET withdrawn = ? "
	    "WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		rc = store_err(db, err, "share_codes");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = store_err(db, err, "share_codes");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	snprintf(obj, sizeof(obj), "share:%lld", (long long)id);
	if ((rc = audit_append(db, who, "share.withdraw", obj, NULL, NULL,
	    err)) != HS_OK)
		goto fail;
	return store_commit(db, err);
fail:
	sqlite3_finalize(st);
	store_rollback(db);
	return rc;
}

#define ROW_COLS "id, practitioner_id, label, created, expires, " \
	"coalesce(withdrawn, 0), views, coalesce(last_view, 0)"

/* Fills r from a ROW_COLS row and reads its serials. */
static enum hs_err
row_read(sqlite3 *db, sqlite3_stmt *st, struct share_row *r, char *err)
{
	sqlite3_stmt *cs = NULL;
	const char *s;
	enum hs_err rc = HS_OK;
	int x;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->practitioner_id = sqlite3_column_int64(st, 1);
	s = (const char *)sqlite3_column_text(st, 2);
	snprintf(r->label, sizeof(r->label), "%s", s ? s : "");
	r->created = sqlite3_column_int64(st, 3);
	r->expires = sqlite3_column_int64(st, 4);
	r->withdrawn = sqlite3_column_int64(st, 5);
	r->views = sqlite3_column_int64(st, 6);
	r->last_view = sqlite3_column_int64(st, 7);
	/* WITHOUT ROWID orders by (share_id, serial): serial order. */
	if (sqlite3_prepare_v2(db, "SELECT serial FROM share_code_certs WHERE "
	    "share_id = ? ORDER BY serial LIMIT ?", -1, &cs, NULL) !=
	    SQLITE_OK)
		return store_err(db, err, "share_code_certs");
	sqlite3_bind_int64(cs, 1, r->id);
	sqlite3_bind_int(cs, 2, SHARE_MAX_CERTS);
	while ((x = sqlite3_step(cs)) == SQLITE_ROW) {
		s = (const char *)sqlite3_column_text(cs, 0);
		snprintf(r->serials[r->nserials++], SERIAL_SIZE, "%s",
		    s ? s : "");
	}
	if (x != SQLITE_DONE)
		rc = store_err(db, err, "share_code_certs");
	sqlite3_finalize(cs);
	return rc;
}

enum hs_err
share_list(sqlite3 *db, int64_t practitioner_id,
    int (*fn)(void *ctx, const struct share_row *r), void *ctx, char *err)
{
	sqlite3_stmt *st = NULL;
	struct share_row row;
	enum hs_err rc = HS_OK;
	int x;

	if (sqlite3_prepare_v2(db, "SELECT " ROW_COLS " FROM share_codes "
	    "WHERE practitioner_id = ? ORDER BY id DESC LIMIT ?", -1, &st,
	    NULL) != SQLITE_OK)
		return store_err(db, err, "share_codes");
	sqlite3_bind_int64(st, 1, practitioner_id);
	sqlite3_bind_int(st, 2, SHARE_MAX_CODES);
	while ((x = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = row_read(db, st, &row, err)) != HS_OK)
			goto out;
		if (fn(ctx, &row) != 0)
			goto out;
	}
	if (x != SQLITE_DONE)
		rc = store_err(db, err, "share_codes");
out:
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
share_find(sqlite3 *db, const char *code, struct share_row *r, char *err)
{
	sqlite3_stmt *st = NULL;
	uint8_t hash[32];
	enum hs_err rc;
	int x;

	memset(r, 0, sizeof(*r));
	share_hash(code, hash);
	if (sqlite3_prepare_v2(db, "SELECT " ROW_COLS " FROM share_codes "
	    "WHERE hash = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "share_codes");
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	x = sqlite3_step(st);
	if (x == SQLITE_ROW)
		rc = row_read(db, st, r, err);
	else if (x == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such share code");
	else
		rc = store_err(db, err, "share_codes");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
share_view(sqlite3 *db, int64_t id, int64_t now, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;

	if (sqlite3_prepare_v2(db, "UPDATE share_codes SET views = views + 1, "
	    "last_view = ? WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "share_codes");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "share_codes");
	else if (sqlite3_changes(db) != 1)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such share code");
	sqlite3_finalize(st);
	return rc;
}
