/*
 * lookup.c - this module answers the /api/v1 calls' read-only questions
 * with one prepared statement each.
 */
#include <stdio.h>
#include <string.h>

#include "store/lookup.h"
#include "store/store.h"

/* Copies column i (NULL as "") into out (n bytes), truncating. */
static void
col_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, n, "%s", t ? (const char *)t : "");
}

/* A record of p.id in scope ?2 (a prefix), or with region '' if ?3. */
#define IN_SCOPE "EXISTS (SELECT 1 FROM records r" \
	" WHERE r.practitioner_id = p.id AND (substr(r.region, 1, length(?2))" \
	" = ?2 OR (?3 AND r.region = '')))"

/* Runs sql (?1 the key, ?2 scope, ?3 blank_ok); the first row's id and
 * masked ID, or HS_ERR_NOTFOUND. */
static enum hs_err
person_query(sqlite3 *db, const char *sql, const char *digest, int64_t id,
    const char *scope, bool blank_ok, int64_t *out, char *masked, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int s;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "lookup person");
	if (digest != NULL)
		sqlite3_bind_text(st, 1, digest, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, scope, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, blank_ok);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		if (out != NULL)
			*out = sqlite3_column_int64(st, 0);
		if (masked != NULL)
			col_text(st, 1, masked, IDNUM_SIZE);
		rc = HS_OK;
	} else if (s == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such practitioner in "
		    "scope");
	else
		rc = store_err(db, err, "lookup person");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
lookup_person_digest(sqlite3 *db, const char *digest, const char *scope,
    bool blank_ok, int64_t *id, char masked[IDNUM_SIZE], char *err)
{
	*id = 0;
	masked[0] = '\0';
	return person_query(db, "SELECT p.id, p.id_masked FROM practitioners p"
	    " WHERE p.id_digest = ?1 AND " IN_SCOPE, digest, 0, scope,
	    blank_ok, id, masked, err);
}

enum hs_err
lookup_person_in_scope(sqlite3 *db, int64_t id, const char *scope,
    bool blank_ok, char *err)
{
	return person_query(db, "SELECT p.id, p.id_masked FROM practitioners p"
	    " WHERE p.id = ?1 AND " IN_SCOPE, NULL, id, scope, blank_ok, NULL,
	    NULL, err);
}

enum hs_err
lookup_submissions(sqlite3 *db, const struct lookup_filter *f,
    int (*fn)(void *ctx, const struct lookup_submission *s), void *ctx,
    int *more, char *err)
{
	static const char sql[] =
	    "SELECT r.id, r.ref, p.id_masked, r.year, r.subject, r.title,"
	    " r.provider, r.start_date, r.end_date, r.hours10, r.imported,"
	    " r.state, s.authority, s.authority_kind, s.reason, s.at,"
	    " r.submitted_by"
	    " FROM records r JOIN practitioners p ON p.id = r.practitioner_id"
	    " LEFT JOIN stamps s ON s.id = r.stamp_id"
	    " WHERE r.provider = ?1 AND r.id > ?2"
	    " AND (?3 IS NULL OR r.state = ?3)"
	    " AND (?4 IS NULL OR r.imported >= ?4)"
	    " ORDER BY r.id LIMIT ?5";
	struct lookup_submission row;
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	size_t n = 0;
	int s;

	*more = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "list submissions");
	sqlite3_bind_text(st, 1, f->provider, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->after);
	if (f->state != NULL)
		sqlite3_bind_text(st, 3, f->state, -1, SQLITE_STATIC);
	if (f->since != NULL)
		sqlite3_bind_text(st, 4, f->since, -1, SQLITE_STATIC);
	/* One more than asked: whether there is a next page. */
	sqlite3_bind_int64(st, 5, (sqlite3_int64)f->limit + 1);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == f->limit) {
			*more = 1;
			break;
		}
		memset(&row, 0, sizeof(row));
		row.id = sqlite3_column_int64(st, 0);
		col_text(st, 1, row.ref, sizeof(row.ref));
		col_text(st, 2, row.id_masked, sizeof(row.id_masked));
		row.year = sqlite3_column_int(st, 3);
		col_text(st, 4, row.subject, sizeof(row.subject));
		col_text(st, 5, row.title, sizeof(row.title));
		col_text(st, 6, row.provider, sizeof(row.provider));
		col_text(st, 7, row.start, sizeof(row.start));
		col_text(st, 8, row.end, sizeof(row.end));
		row.hours10 = sqlite3_column_int64(st, 9);
		col_text(st, 10, row.imported, sizeof(row.imported));
		col_text(st, 11, row.state, sizeof(row.state));
		col_text(st, 12, row.decided_by, sizeof(row.decided_by));
		col_text(st, 13, row.decided_kind, sizeof(row.decided_kind));
		col_text(st, 14, row.reason, sizeof(row.reason));
		col_text(st, 15, row.decided_at, sizeof(row.decided_at));
		col_text(st, 16, row.submitted_by, sizeof(row.submitted_by));
		if (fn(ctx, &row) != 0)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = store_err(db, err, "list submissions");
	sqlite3_finalize(st);
	return rc;
}
