/*
 * mine.c - one practitioner's rows, for their own pages (mine.h). Every
 * statement is bound to the holder's practitioners.id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "store/mine.h"
#include "store/store.h"

static void
col(sqlite3_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(out, n, "%s", s != NULL ? (const char *)s : "");
}

enum hs_err
mine_years(sqlite3 *db, int64_t pid, int *years, size_t max, size_t *n,
    char *err)
{
	static const char sql[] =
	    "SELECT year FROM records WHERE practitioner_id = ?1"
	    " UNION SELECT year FROM certificates WHERE practitioner_id = ?1"
	    " ORDER BY 1 DESC LIMIT ?2";
	sqlite3_stmt *st = NULL;
	int s;

	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "my years");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((s = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		years[(*n)++] = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (s != SQLITE_DONE && s != SQLITE_ROW)
		return store_err(db, err, "my years");
	return HS_OK;
}

enum hs_err
mine_waiting(sqlite3 *db, int64_t pid, int year, size_t *n, long *hours10,
    char *err)
{
	static const char sql[] =
	    "SELECT count(*), COALESCE(sum(hours10), 0) FROM records"
	    " WHERE practitioner_id = ?1 AND year = ?2 AND state = 'waiting'";
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;

	*n = 0;
	*hours10 = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "my waiting records");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int(st, 2, year);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*n = (size_t)sqlite3_column_int64(st, 0);
		*hours10 = (long)sqlite3_column_int64(st, 1);
	} else
		rc = store_err(db, err, "my waiting records");
	sqlite3_finalize(st);
	return rc;
}

/* The record columns read_record reads, then the filter. */
#define RECORD_SQL \
	"SELECT r.id, COALESCE(r.ref, '#' || r.id), r.year, r.subject," \
	" COALESCE(r.public_type, ''), r.form, r.title, r.provider," \
	" COALESCE(r.submitted_by, ''), r.start_date, r.end_date, r.hours10," \
	" r.state, r.version, COALESCE(s.authority, '')," \
	" COALESCE(s.authority_kind, ''), COALESCE(s.account, '')," \
	" COALESCE(s.reason, ''), COALESCE(s.at, '')" \
	" FROM records r LEFT JOIN stamps s ON s.id = r.stamp_id" \
	" WHERE r.practitioner_id = ?1"

static void
read_record(sqlite3_stmt *st, struct mine_record *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	col(st, 1, r->ref, sizeof(r->ref));
	r->year = sqlite3_column_int(st, 2);
	col(st, 3, r->subject, sizeof(r->subject));
	col(st, 4, r->public_type, sizeof(r->public_type));
	r->form = sqlite3_column_int(st, 5);
	col(st, 6, r->title, sizeof(r->title));
	col(st, 7, r->provider, sizeof(r->provider));
	col(st, 8, r->submitted_by, sizeof(r->submitted_by));
	col(st, 9, r->start, sizeof(r->start));
	col(st, 10, r->end, sizeof(r->end));
	r->hours10 = (long)sqlite3_column_int64(st, 11);
	col(st, 12, r->state, sizeof(r->state));
	r->version = sqlite3_column_int(st, 13);
	col(st, 14, r->authority, sizeof(r->authority));
	col(st, 15, r->authority_kind, sizeof(r->authority_kind));
	col(st, 16, r->account, sizeof(r->account));
	col(st, 17, r->reason, sizeof(r->reason));
	col(st, 18, r->at, sizeof(r->at));
}

enum hs_err
mine_records(sqlite3 *db, int64_t pid, int year,
    int (*fn)(void *ctx, const struct mine_record *r), void *ctx,
    bool *more, char *err)
{
	static const char sql[] = RECORD_SQL
	    " AND (?2 = 0 OR r.year = ?2)"
	    " ORDER BY r.year DESC, r.start_date, r.id LIMIT ?3";
	struct mine_record r;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int s;

	*more = false;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "my records");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int(st, 2, year);
	sqlite3_bind_int(st, 3, MINE_MAX_ROWS + 1);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == MINE_MAX_ROWS) {
			*more = true;
			break;
		}
		read_record(st, &r);
		if (fn(ctx, &r) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE && s != SQLITE_ROW)
		return store_err(db, err, "my records");
	return HS_OK;
}

enum hs_err
mine_record_get(sqlite3 *db, int64_t pid, int64_t id, struct mine_record *r,
    char *err)
{
	static const char sql[] = RECORD_SQL " AND r.id = ?2";
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int s;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "my record");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, id);
	if ((s = sqlite3_step(st)) == SQLITE_ROW)
		read_record(st, r);
	else if (s == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such record");
	else
		rc = store_err(db, err, "my record");
	sqlite3_finalize(st);
	return rc;
}

#define CERT_SQL \
	"SELECT c.serial, c.year, c.kind, c.total10, COALESCE(c.status, '')," \
	" c.issued, COALESCE(c.replaces, ''), v.serial IS NOT NULL," \
	" COALESCE(v.reason, ''), COALESCE(v.note, ''), COALESCE(v.at, '')," \
	" COALESCE(v.replaced_by, ''), COALESCE(c.pdf_file, '')," \
	" COALESCE(c.pdf_sha256, '')," \
	" CASE c.kind WHEN 'course' THEN (SELECT min(x.record_id)" \
	"  FROM cert_records x WHERE x.serial = c.serial) ELSE 0 END" \
	" FROM certificates c LEFT JOIN revocations v ON v.serial = c.serial" \
	" WHERE c.practitioner_id = ?1"

static void
read_cert(sqlite3_stmt *st, struct mine_cert *c)
{
	memset(c, 0, sizeof(*c));
	col(st, 0, c->serial, sizeof(c->serial));
	c->year = sqlite3_column_int(st, 1);
	col(st, 2, c->kind, sizeof(c->kind));
	c->total10 = (long)sqlite3_column_int64(st, 3);
	col(st, 4, c->status, sizeof(c->status));
	col(st, 5, c->issued, sizeof(c->issued));
	col(st, 6, c->replaces, sizeof(c->replaces));
	c->revoked = sqlite3_column_int(st, 7) != 0;
	col(st, 8, c->reason, sizeof(c->reason));
	col(st, 9, c->revoke_note, sizeof(c->revoke_note));
	col(st, 10, c->revoked_at, sizeof(c->revoked_at));
	col(st, 11, c->replaced_by, sizeof(c->replaced_by));
	col(st, 12, c->pdf_file, sizeof(c->pdf_file));
	col(st, 13, c->pdf_sha256, sizeof(c->pdf_sha256));
	c->record_id = sqlite3_column_int64(st, 14);
}

enum hs_err
mine_certs(sqlite3 *db, int64_t pid,
    int (*fn)(void *ctx, const struct mine_cert *c), void *ctx,
    bool *more, char *err)
{
	static const char sql[] = CERT_SQL
	    " ORDER BY c.year DESC, c.leaf_index LIMIT ?2";
	struct mine_cert *c;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int s;

	*more = false;
	if ((c = malloc(sizeof(*c))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		free(c);
		return store_err(db, err, "my certificates");
	}
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int(st, 2, MINE_MAX_ROWS + 1);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == MINE_MAX_ROWS) {
			*more = true;
			break;
		}
		read_cert(st, c);
		if (fn(ctx, c) != 0)
			break;
	}
	sqlite3_finalize(st);
	free(c);
	if (s != SQLITE_DONE && s != SQLITE_ROW)
		return store_err(db, err, "my certificates");
	return HS_OK;
}

enum hs_err
mine_cert_get(sqlite3 *db, int64_t pid, const char *serial,
    struct mine_cert *c, char *err)
{
	static const char sql[] = CERT_SQL " AND c.serial = ?2";
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int s;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "my certificate");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
	if ((s = sqlite3_step(st)) == SQLITE_ROW)
		read_cert(st, c);
	else if (s == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such certificate");
	else
		rc = store_err(db, err, "my certificate");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
mine_course_latest(sqlite3 *db, int64_t pid, int64_t record,
    char serial[SERIAL_SIZE], char reason[16], char *err)
{
	static const char sql[] =
	    "SELECT c.serial, COALESCE((SELECT v.reason FROM revocations v"
	    "  WHERE v.serial = c.serial), '')"
	    " FROM certificates c JOIN cert_records x"
	    " ON x.serial = c.serial WHERE c.practitioner_id = ?1"
	    " AND c.kind = 'course' AND x.record_id = ?2"
	    " ORDER BY c.leaf_index DESC LIMIT 1";
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int s;

	serial[0] = '\0';
	reason[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "my course certificate");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, record);
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		col(st, 0, serial, SERIAL_SIZE);
		col(st, 1, reason, 16);
	}
	else if (s == SQLITE_DONE)
		rc = HS_ERR_NOTFOUND;
	else
		rc = store_err(db, err, "my course certificate");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
mine_notices(sqlite3 *db, int64_t pid, size_t max,
    int (*fn)(void *ctx, const struct mine_notice *nt), void *ctx,
    char *err)
{
	/* kind 0 superseded, 1 revoked, 2 rejected (mine_notice_kind). */
	static const char sql[] =
	    "SELECT CASE v.reason WHEN 'superseded' THEN 0 ELSE 1 END,"
	    " c.serial, 0, '', COALESCE(v.replaced_by, ''), v.reason,"
	    " '', '', v.at, COALESCE(v.note, '')"
	    " FROM certificates c JOIN revocations v ON v.serial = c.serial"
	    " WHERE c.practitioner_id = ?1"
	    " UNION ALL"
	    " SELECT 2, COALESCE(r.ref, '#' || r.id), r.id, r.title, '',"
	    " COALESCE(s.reason, ''), s.authority, r.provider, s.at, ''"
	    " FROM records r JOIN stamps s ON s.record_id = r.id"
	    " WHERE r.practitioner_id = ?1 AND s.decision = 'rejected'"
	    " ORDER BY 9 DESC, 1, 2 LIMIT ?2";
	struct mine_notice nt;
	sqlite3_stmt *st = NULL;
	time_t t;
	int s;

	if (max < 1 || max > MINE_MAX_ROWS)
		return hs_fail(err, HS_ERR_INVALID, "notices: 1..%d",
		    MINE_MAX_ROWS);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "my notices");
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&nt, 0, sizeof(nt));
		nt.kind = (enum mine_notice_kind)sqlite3_column_int(st, 0);
		col(st, 1, nt.object, sizeof(nt.object));
		nt.record_id = sqlite3_column_int64(st, 2);
		col(st, 3, nt.title, sizeof(nt.title));
		col(st, 4, nt.other, sizeof(nt.other));
		col(st, 5, nt.reason, sizeof(nt.reason));
		col(st, 6, nt.by, sizeof(nt.by));
		col(st, 7, nt.provider, sizeof(nt.provider));
		col(st, 8, nt.at, sizeof(nt.at));
		col(st, 9, nt.note, sizeof(nt.note));
		nt.when = time_parse_rfc3339(nt.at, &t) == 0 ? (int64_t)t : 0;
		if (fn(ctx, &nt) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE && s != SQLITE_ROW)
		return store_err(db, err, "my notices");
	return HS_OK;
}

enum hs_err
mine_notices_seen(sqlite3 *db, int64_t account, int64_t *seen, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int s;

	*seen = 0;
	if (sqlite3_prepare_v2(db, "SELECT notices_seen FROM accounts"
	    " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "notices seen");
	sqlite3_bind_int64(st, 1, account);
	if ((s = sqlite3_step(st)) == SQLITE_ROW)
		*seen = sqlite3_column_int64(st, 0);
	else if (s == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such account");
	else
		rc = store_err(db, err, "notices seen");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
mine_notices_seen_set(sqlite3 *db, int64_t account, int64_t now, char *err)
{
	sqlite3_stmt *st = NULL;
	int s;

	if (sqlite3_prepare_v2(db, "UPDATE accounts SET notices_seen = ?2"
	    " WHERE id = ?1 AND role = 'practitioner' AND notices_seen < ?2",
	    -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "notices seen");
	sqlite3_bind_int64(st, 1, account);
	sqlite3_bind_int64(st, 2, now);
	s = sqlite3_step(st);
	sqlite3_finalize(st);
	if (s != SQLITE_DONE)
		return store_err(db, err, "notices seen");
	return HS_OK;
}

/* ---- the export ------------------------------------------------------ */

/* One export section: a query bound to ?1 (pid) and ?2 (account id). */
struct section {
	const char *name;
	const char *sql;
};

/*
 * The columns are named as the export names them (docs/formats.md);
 * nothing secret is selected. Each query ends with LIMIT ?3.
 */
static const struct section sections[] = {
	{ "records",
	  "SELECT id, ref, year, subject, public_type, form, title, provider,"
	  " start_date, end_date, hours10, author_role, domain, unit, region,"
	  " state, version, source, imported, submitted_by"
	  " FROM records WHERE practitioner_id = ?1 ORDER BY id LIMIT ?3" },
	{ "record_versions",
	  "SELECT v.record_id, v.version, v.fields, v.account, v.reason, v.at"
	  " FROM record_versions v JOIN records r ON r.id = v.record_id"
	  " WHERE r.practitioner_id = ?1 ORDER BY v.record_id, v.version"
	  " LIMIT ?3" },
	{ "stamps",
	  "SELECT s.id, s.record_id, s.version, s.decision, s.authority,"
	  " s.authority_kind, s.account, s.reason, s.at"
	  " FROM stamps s JOIN records r ON r.id = s.record_id"
	  " WHERE r.practitioner_id = ?1 ORDER BY s.record_id, s.id LIMIT ?3" },
	{ "certificates",
	  "SELECT c.serial, c.year, c.kind, c.name, c.id_masked, c.unit,"
	  " c.total10, c.status, c.issued, c.leaf_index, c.key_label,"
	  " c.pdf_sha256, c.replaces,"
	  " CASE WHEN v.serial IS NULL THEN 'valid' WHEN v.reason ="
	  "  'superseded' THEN 'superseded' ELSE 'revoked' END AS state,"
	  " v.reason AS revoked_reason, v.note AS revoked_note,"
	  " v.at AS revoked_at, v.replaced_by,"
	  " (SELECT json_group_array(x.record_id) FROM cert_records x"
	  "  WHERE x.serial = c.serial) AS records, c.note"
	  " FROM certificates c LEFT JOIN revocations v ON v.serial = c.serial"
	  " WHERE c.practitioner_id = ?1 ORDER BY c.leaf_index LIMIT ?3" },
	{ "sessions",
	  "SELECT created, last_seen, ended, client FROM sessions"
	  " WHERE account_id = ?2 ORDER BY created DESC LIMIT ?3" },
	{ "activation_codes",
	  "SELECT created, expires, created_by, used, spent"
	  " FROM activation_codes WHERE practitioner_id = ?1"
	  " ORDER BY id LIMIT ?3" },
	{ "share_codes",
	  "SELECT s.id, s.label, s.created, s.expires, s.withdrawn, s.views,"
	  " s.last_view, (SELECT json_group_array(x.serial)"
	  "  FROM share_code_certs x WHERE x.share_id = s.id) AS certificates"
	  " FROM share_codes s WHERE s.practitioner_id = ?1"
	  " ORDER BY s.id LIMIT ?3" },
	{ "audit",
	  "SELECT seq, at, actor, role, org, action, object, detail, client"
	  " FROM audit WHERE object IN (SELECT serial FROM certificates"
	  "  WHERE practitioner_id = ?1)"
	  " OR object IN (SELECT ref FROM records WHERE practitioner_id = ?1"
	  "  AND ref IS NOT NULL)"
	  " OR object IN (SELECT 'record:' || id FROM records"
	  "  WHERE practitioner_id = ?1)"
	  " OR object IN (SELECT name FROM accounts WHERE id = ?2)"
	  " ORDER BY seq LIMIT ?3" },
};

/* Columns holding JSON arrays built by the query. */
static bool
json_column(const char *name)
{
	return strcmp(name, "records") == 0 ||
	    strcmp(name, "certificates") == 0 || strcmp(name, "fields") == 0;
}

/* One row as an object: column name -> value by SQLite type. */
static json_t *
row_object(sqlite3_stmt *st)
{
	json_t *o = json_object(), *v;
	int i, n = sqlite3_column_count(st);

	for (i = 0; o != NULL && i < n; i++) {
		const char *name = sqlite3_column_name(st, i);
		const char *s;

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			v = json_integer(sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			v = json_real(sqlite3_column_double(st, i));
			break;
		case SQLITE_TEXT:
			s = (const char *)sqlite3_column_text(st, i);
			v = NULL;
			if (json_column(name))
				v = json_loads(s, JSON_DECODE_ANY, NULL);
			if (v == NULL)
				v = json_stringn(s, (size_t)
				    sqlite3_column_bytes(st, i));
			break;
		default:
			v = json_null();
			break;
		}
		if (v == NULL) {
			/* Not UTF-8 (cannot be from our writers): said so. */
			v = json_string("(not UTF-8)");
		}
		json_object_set_new(o, name, v);
	}
	return o;
}

/* Runs one query; its rows as an array. *cut when the cap was hit. */
static enum hs_err
run_section(sqlite3 *db, const char *sql, int64_t pid, int64_t account,
    json_t **out, bool *cut, char *err)
{
	sqlite3_stmt *st = NULL;
	json_t *a = json_array();
	size_t n = 0;
	int s;

	*cut = false;
	*out = NULL;
	if (a == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		json_decref(a);
		return store_err(db, err, "export");
	}
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int64(st, 2, account);
	sqlite3_bind_int(st, 3, MINE_MAX_ROWS + 1);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++ == MINE_MAX_ROWS) {
			*cut = true;
			break;
		}
		json_array_append_new(a, row_object(st));
	}
	sqlite3_finalize(st);
	if (s != SQLITE_DONE && s != SQLITE_ROW) {
		json_decref(a);
		return store_err(db, err, "export");
	}
	*out = a;
	return HS_OK;
}

/* A query expected to give at most one row: the object, or null. */
static enum hs_err
one_row(sqlite3 *db, const char *sql, int64_t id, json_t **out, char *err)
{
	sqlite3_stmt *st = NULL;
	int s;

	*out = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "export");
	sqlite3_bind_int64(st, 1, id);
	if ((s = sqlite3_step(st)) == SQLITE_ROW)
		*out = row_object(st);
	else if (s == SQLITE_DONE)
		*out = json_null();
	sqlite3_finalize(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return store_err(db, err, "export");
	return HS_OK;
}

enum hs_err
mine_export(sqlite3 *db, int64_t pid, int64_t account_id,
    const char *generated, struct buf *out, char *err)
{
	json_t *root = json_object(), *cut = json_array(), *v;
	char *text;
	size_t i;
	bool was_cut;
	enum hs_err rc = HS_OK;

	if (root == NULL || cut == NULL) {
		json_decref(root);
		json_decref(cut);
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	}
	json_object_set_new(root, "format", json_string("hourseal-my-data/1"));
	json_object_set_new(root, "generated", json_string(generated));
	if ((rc = one_row(db, "SELECT id, id_number, id_masked, id_digest,"
	    " name, unit, created FROM practitioners WHERE id = ?1", pid, &v,
	    err)) != HS_OK)
		goto out;
	json_object_set_new(root, "person", v);
	if ((rc = one_row(db, "SELECT id, name, role, org, created,"
	    " created_by, pw_hash IS NOT NULL AS has_password, totp_enrolled,"
	    " failures, locked, disabled, notices_seen FROM accounts"
	    " WHERE id = ?1 AND role = 'practitioner'", account_id, &v, err))
	    != HS_OK)
		goto out;
	json_object_set_new(root, "account", v);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if ((rc = run_section(db, sections[i].sql, pid, account_id, &v,
		    &was_cut, err)) != HS_OK)
			goto out;
		json_object_set_new(root, sections[i].name, v);
		if (was_cut)
			json_array_append_new(cut,
			    json_string(sections[i].name));
	}
	json_object_set(root, "truncated", cut);
	if ((text = json_dumps(root, JSON_INDENT(1) |
	    JSON_PRESERVE_ORDER)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	buf_puts(out, text);
	buf_putc(out, '\n');
	free(text);
	if (out->oom)
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
out:
	json_decref(cut);
	json_decref(root);
	return rc;
}
