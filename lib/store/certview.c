/*
 * certview.c - one prepared statement for the console's certificate
 * pages (certview.h).
 */
#include <stdio.h>
#include <string.h>

#include "store/certview.h"
#include "store/store.h"

static void
col_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, n, "%s", t ? (const char *)t : "");
}

static const char sql[] =
    "SELECT c.serial, c.practitioner_id, c.year, c.kind, c.name,"
    " c.id_masked, c.unit, c.total10, c.status, c.issued, c.leaf_index,"
    " c.replaces, v.serial IS NOT NULL, v.reason, v.at, v.replaced_by"
    " FROM certificates c LEFT JOIN revocations v ON v.serial = c.serial"
    " WHERE c.leaf_index > ?1"
    " AND (?2 = 0 OR c.year = ?2)"
    " AND (?3 IS NULL OR (?3 = 'valid' AND v.serial IS NULL)"
    "  OR (?3 = 'revoked' AND v.serial IS NOT NULL))"
    " AND (?8 IS NULL OR c.serial = ?8)"
    " AND EXISTS (SELECT 1 FROM records r"
    "  WHERE r.practitioner_id = c.practitioner_id AND"
    "  ((?4 IS NOT NULL AND (substr(r.region, 1, length(?4)) = ?4"
    "   OR (?5 AND r.region = '')))"
    "   OR (?6 IS NOT NULL AND r.unit = ?6)))"
    " ORDER BY c.leaf_index LIMIT ?7";

enum hs_err
certview_page(sqlite3 *db, const struct certview_filter *f,
    int (*fn)(void *ctx, const struct certview_row *r), void *ctx,
    int *more, char *err)
{
	struct certview_row row;
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	size_t n = 0;
	int s;

	*more = 0;
	if ((f->region == NULL) == (f->unit == NULL))
		return hs_fail(err, HS_ERR_INVALID, "certificates: one scope, "
		    "a region or a unit");
	if (f->limit < 1 || f->limit > 1000)
		return hs_fail(err, HS_ERR_INVALID, "certificates: limit "
		    "1..1000");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "list certificates");
	sqlite3_bind_int64(st, 1, f->after);
	sqlite3_bind_int(st, 2, f->year);
	if (f->state != NULL)
		sqlite3_bind_text(st, 3, f->state, -1, SQLITE_STATIC);
	if (f->region != NULL)
		sqlite3_bind_text(st, 4, f->region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, f->blank_ok);
	if (f->unit != NULL)
		sqlite3_bind_text(st, 6, f->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)f->limit + 1);
	if (f->serial != NULL)
		sqlite3_bind_text(st, 8, f->serial, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == f->limit) {
			*more = 1;
			break;
		}
		memset(&row, 0, sizeof(row));
		col_text(st, 0, row.serial, sizeof(row.serial));
		row.practitioner_id = sqlite3_column_int64(st, 1);
		row.year = sqlite3_column_int(st, 2);
		col_text(st, 3, row.kind, sizeof(row.kind));
		col_text(st, 4, row.name, sizeof(row.name));
		col_text(st, 5, row.id_masked, sizeof(row.id_masked));
		col_text(st, 6, row.unit, sizeof(row.unit));
		row.total10 = (long)sqlite3_column_int64(st, 7);
		col_text(st, 8, row.status, sizeof(row.status));
		col_text(st, 9, row.issued, sizeof(row.issued));
		row.leaf_index = sqlite3_column_int64(st, 10);
		col_text(st, 11, row.replaces, sizeof(row.replaces));
		row.revoked = sqlite3_column_int(st, 12) != 0;
		col_text(st, 13, row.reason, sizeof(row.reason));
		col_text(st, 14, row.revoked_at, sizeof(row.revoked_at));
		col_text(st, 15, row.replaced_by, sizeof(row.replaced_by));
		n++;
		if (fn(ctx, &row) != 0)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = store_err(db, err, "list certificates");
	sqlite3_finalize(st);
	return rc;
}

struct one {
	struct certview_row *out;
	int found;
};

static int
take_one(void *ctx, const struct certview_row *r)
{
	struct one *o = ctx;

	*o->out = *r;
	o->found = 1;
	return 1;
}

enum hs_err
certview_get(sqlite3 *db, const struct certview_filter *f,
    const char *serial, struct certview_row *out, char *err)
{
	struct certview_filter g = *f;
	struct one o = { out, 0 };
	enum hs_err rc;
	int more;

	g.serial = serial;
	g.year = 0;
	g.state = NULL;
	g.after = -1;
	g.limit = 1;
	if ((rc = certview_page(db, &g, take_one, &o, &more, err)) != HS_OK)
		return rc;
	if (!o.found)
		return hs_fail(err, HS_ERR_NOTFOUND, "no such certificate in "
		    "scope");
	return HS_OK;
}

enum hs_err
certview_records(sqlite3 *db, const char *serial, size_t max,
    int (*fn)(void *ctx, const struct certview_record *r), void *ctx,
    char *err)
{
	static const char q[] =
	    "SELECT r.id, r.ref, r.title, r.hours10, r.state, s.authority,"
	    " s.account, s.authority_kind, s.at"
	    " FROM cert_records c JOIN records r ON r.id = c.record_id"
	    " LEFT JOIN stamps s ON s.id = (SELECT max(x.id) FROM stamps x"
	    "  WHERE x.record_id = r.id AND x.decision = 'stamped')"
	    " WHERE c.serial = ?1 ORDER BY r.id";
	struct certview_record row;
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	size_t n = 0;
	int s;

	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "certificate records");
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == max) {
			rc = hs_fail(err, HS_ERR_TOOBIG, "certificate records: "
			    "more than %zu", max);
			break;
		}
		memset(&row, 0, sizeof(row));
		row.id = sqlite3_column_int64(st, 0);
		col_text(st, 1, row.ref, sizeof(row.ref));
		if (row.ref[0] == '\0')
			snprintf(row.ref, sizeof(row.ref), "#%lld",
			    (long long)row.id);
		col_text(st, 2, row.title, sizeof(row.title));
		row.hours10 = (long)sqlite3_column_int64(st, 3);
		col_text(st, 4, row.state, sizeof(row.state));
		col_text(st, 5, row.authority, sizeof(row.authority));
		col_text(st, 6, row.account, sizeof(row.account));
		col_text(st, 7, row.kind, sizeof(row.kind));
		col_text(st, 8, row.at, sizeof(row.at));
		if (fn(ctx, &row) != 0)
			break;
	}
	if (rc == HS_OK && s != SQLITE_ROW && s != SQLITE_DONE)
		rc = store_err(db, err, "certificate records");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
certview_staff(sqlite3 *db, const char *unit, const char *region,
    bool blank_ok, int64_t after, size_t limit,
    int (*fn)(void *ctx, const struct certview_person *p), void *ctx,
    int *more, char *err)
{
	static const char q[] =
	    "SELECT p.id, p.name, p.id_masked FROM practitioners p"
	    " WHERE p.id > ?1 AND EXISTS (SELECT 1 FROM records r"
	    "  WHERE r.practitioner_id = p.id AND r.unit = ?2"
	    "  AND (?3 IS NULL OR substr(r.region, 1, length(?3)) = ?3"
	    "   OR (?4 AND r.region = '')))"
	    " ORDER BY p.id LIMIT ?5";
	struct certview_person row;
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	size_t n = 0;
	int s;

	*more = 0;
	if (limit < 1 || limit > 1000)
		return hs_fail(err, HS_ERR_INVALID, "staff: limit 1..1000");
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "list staff");
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	if (region != NULL)
		sqlite3_bind_text(st, 3, region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, blank_ok);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)limit + 1);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			*more = 1;
			break;
		}
		memset(&row, 0, sizeof(row));
		row.id = sqlite3_column_int64(st, 0);
		col_text(st, 1, row.name, sizeof(row.name));
		col_text(st, 2, row.id_masked, sizeof(row.id_masked));
		n++;
		if (fn(ctx, &row) != 0)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = store_err(db, err, "list staff");
	sqlite3_finalize(st);
	return rc;
}

#define IN_REGION "EXISTS (SELECT 1 FROM records r" \
	" WHERE r.practitioner_id = p.id AND (substr(r.region, 1, length(?1))" \
	" = ?1 OR (?2 AND r.region = '')))"

enum hs_err
certview_find(sqlite3 *db, const char *region, bool blank_ok,
    const char *q, size_t limit,
    int (*fn)(void *ctx, const struct certview_person *p), void *ctx,
    char *err)
{
	static const char sql_[] =
	    "SELECT p.id, p.name, p.id_masked FROM practitioners p"
	    " WHERE (p.name = ?3 OR p.id_masked = ?3 OR (length(?3) >= 4 AND"
	    " substr(p.id_masked, -length(?3)) = ?3)) AND " IN_REGION
	    " ORDER BY p.id LIMIT ?4";
	struct certview_person row;
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int s;

	if (limit < 1 || limit > 100)
		return hs_fail(err, HS_ERR_INVALID, "find: limit 1..100");
	if (sqlite3_prepare_v2(db, sql_, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "find practitioners");
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, blank_ok);
	sqlite3_bind_text(st, 3, q, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)limit);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.id = sqlite3_column_int64(st, 0);
		col_text(st, 1, row.name, sizeof(row.name));
		col_text(st, 2, row.id_masked, sizeof(row.id_masked));
		if (fn(ctx, &row) != 0)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = store_err(db, err, "find practitioners");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
certview_id_number(sqlite3 *db, int64_t id, const char *region,
    bool blank_ok, char out[IDNUM_SIZE], char *err)
{
	static const char sql_[] =
	    "SELECT p.id_number FROM practitioners p WHERE p.id = ?3 AND "
	    IN_REGION;
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int s;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql_, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "practitioner");
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, blank_ok);
	sqlite3_bind_int64(st, 3, id);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		col_text(st, 0, out, IDNUM_SIZE);
		rc = HS_OK;
	} else if (s == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such practitioner in "
		    "scope");
	else
		rc = store_err(db, err, "practitioner");
	sqlite3_finalize(st);
	return rc;
}
