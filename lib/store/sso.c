/*
 * sso.c - the nonce table and the account behind the signed hand-off
 * (sso.h).
 */
#include <stdio.h>
#include <string.h>

#include "store/accounts.h"
#include "store/sso.h"
#include "store/store.h"

enum hs_err
sso_nonce_use(sqlite3 *db, const char *nonce, int64_t now, int64_t keep,
    char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;

	if (sqlite3_prepare_v2(db, "DELETE FROM sso_nonces WHERE seen < ?",
	    -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "sso_nonces");
	sqlite3_bind_int64(st, 1, now - keep);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "sso_nonces");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		return rc;
	if (sqlite3_prepare_v2(db, "INSERT INTO sso_nonces (nonce, seen) "
	    "VALUES (?, ?) ON CONFLICT (nonce) DO NOTHING", -1, &st, NULL)
	    != SQLITE_OK)
		return store_err(db, err, "sso_nonces");
	sqlite3_bind_text(st, 1, nonce, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "sso_nonces");
	else if (sqlite3_changes(db) != 1)
		rc = hs_fail(err, HS_ERR_EXISTS, "nonce already used");
	sqlite3_finalize(st);
	return rc;
}

/* The person with id_digest digest: id and name. */
static enum hs_err
person_by_digest(sqlite3 *db, const char *digest, int64_t *pid,
    char *name, size_t cap, int64_t *acct, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int step;

	if (sqlite3_prepare_v2(db, "SELECT p.id, p.name, a.id FROM "
	    "practitioners p LEFT JOIN accounts a ON a.practitioner_id = p.id "
	    "WHERE p.id_digest = ? ORDER BY p.id LIMIT 1", -1, &st, NULL)
	    != SQLITE_OK)
		return store_err(db, err, "practitioners");
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*pid = sqlite3_column_int64(st, 0);
		snprintf(name, cap, "%s", sqlite3_column_text(st, 1) != NULL ?
		    (const char *)sqlite3_column_text(st, 1) : "");
		*acct = sqlite3_column_type(st, 2) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(st, 2);
	} else if (step == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no practitioner has that "
		    "id-digest");
	else
		rc = store_err(db, err, "practitioners");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
sso_person_account(sqlite3 *db, const struct actor *who, const char *digest,
    int64_t now, struct account *a, bool *made, char *err)
{
	char name[32], pname[401], detail[64];
	sqlite3_stmt *st = NULL;
	int64_t pid = 0, acct = 0;
	enum hs_err rc;

	*made = false;
	if ((rc = person_by_digest(db, digest, &pid, pname, sizeof(pname),
	    &acct, err)) != HS_OK)
		return rc;
	if (acct != 0)
		return accounts_get_id(db, acct, a, err);
	snprintf(name, sizeof(name), "p%lld", (long long)pid);
	/* The person's name as imported; an account's org must pass the
	 * org rules, which an odd imported name might not. */
	if (accounts_check_org(pname, err) != HS_OK)
		snprintf(pname, sizeof(pname), "practitioner");
	if (sqlite3_prepare_v2(db, "INSERT INTO accounts (name, role, "
	    "practitioner_id, org, created, created_by) VALUES "
	    "(?, 'practitioner', ?, ?, ?, 'sso')", -1, &st, NULL)
	    != SQLITE_OK)
		return store_err(db, err, "accounts");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, pid);
	sqlite3_bind_text(st, 3, pname, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	rc = sqlite3_step(st) == SQLITE_DONE ? HS_OK :
	    store_err(db, err, "accounts");
	sqlite3_finalize(st);
	if (rc != HS_OK)
		return rc;
	acct = sqlite3_last_insert_rowid(db);
	snprintf(detail, sizeof(detail), "role=practitioner via=sso");
	if ((rc = audit_append(db, who, "account.add", name, detail, NULL,
	    err)) != HS_OK)
		return rc;
	*made = true;
	return accounts_get_id(db, acct, a, err);
}

enum hs_err
signins_recent(sqlite3 *db, const char *account, size_t max,
    struct signin_row *rows, size_t *n, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int step;

	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT at, action, client FROM audit "
	    "WHERE seq > (SELECT coalesce(max(seq), 0) FROM audit) - ?1 "
	    "AND object = ?2 AND action IN ('session.signin', 'session.sso', "
	    "'session.signin_failed') ORDER BY seq DESC LIMIT ?3", -1, &st,
	    NULL) != SQLITE_OK)
		return store_err(db, err, "audit");
	sqlite3_bind_int64(st, 1, SIGNIN_SCAN);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		struct signin_row *r = &rows[(*n)++];
		const unsigned char *v;

		v = sqlite3_column_text(st, 0);
		snprintf(r->at, sizeof(r->at), "%s", v ? (const char *)v : "");
		v = sqlite3_column_text(st, 1);
		snprintf(r->action, sizeof(r->action), "%s", v ?
		    (const char *)v : "");
		v = sqlite3_column_text(st, 2);
		snprintf(r->client, sizeof(r->client), "%s", v ?
		    (const char *)v : "");
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = store_err(db, err, "audit");
	sqlite3_finalize(st);
	return rc;
}
