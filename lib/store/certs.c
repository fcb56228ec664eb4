#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/certs.h"

struct certs {
	sqlite3 *db;
	sqlite3_stmt *ins;      /* certificates */
	sqlite3_stmt *ins_rec;  /* cert_records */
	sqlite3_stmt *ins_rev;  /* revocations */
	sqlite3_stmt *exists;   /* serial -> revoked? */
	sqlite3_stmt *set_pdf;
	sqlite3_stmt *get;
	sqlite3_stmt *latest_annual;
	sqlite3_stmt *latest_course;
};

struct certs_iter {
	sqlite3 *db;
	sqlite3_stmt *st;
};

/* The columns every row-reading query selects, in struct certs_row order. */
#define ROW_COLUMNS \
	"c.serial, c.practitioner_id, c.year, c.kind, c.name, c.id_masked," \
	" c.id_digest, c.unit, c.total10, c.status, c.record_set, c.note," \
	" c.leaf_index, c.key_label, c.issued, c.pdf_sha256, c.pdf_file," \
	" c.replaces, r.reason, r.at, r.leaf_index, r.replaced_by" \
	" FROM certificates c LEFT JOIN revocations r ON r.serial = c.serial"

/* The iterator's filters: each parameter is "anything" (0 / NULL) or a value. */
#define FILTER \
	"(?1 = 0 OR c.year = ?1)" \
	" AND (?2 = 0 OR c.practitioner_id = ?2)" \
	" AND (?3 IS NULL OR c.id_digest = ?3)" \
	" AND (?4 IS NULL OR c.kind = ?4)" \
	" AND (?5 = 0 OR (?5 = 1 AND r.serial IS NULL)" \
	"  OR (?5 = 2 AND r.serial IS NOT NULL))" \
	" AND (?6 = 0 OR c.pdf_sha256 IS NULL)" \
	" AND (?7 IS NULL OR (substr(c.pdf_file, 1, length(?7) + 1) =" \
	"  ?7 || '/' AND instr(substr(c.pdf_file, length(?7) + 2), '/') = 0))"

static const char *const reasons[] = {
	"superseded", "error", "fraud", "withdrawn",
};

bool
certs_reason_valid(const char *reason)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reason, reasons[i]) == 0)
			return true;
	return false;
}

static enum hs_err
prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, char *err)
{
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK)
		return hs_fail(err, HS_ERR_DB, "certificates: %s",
		    sqlite3_errmsg(db));
	return HS_OK;
}

enum hs_err
certs_open(sqlite3 *db, struct certs **out, char *err)
{
	struct certs *c;
	enum hs_err rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	c->db = db;
	if ((rc = prepare(db, "INSERT INTO certificates (serial,"
	    " practitioner_id, year, kind, name, id_masked, id_digest, unit,"
	    " total10, status, record_set, note, leaf_index, key_label,"
	    " issued, replaces, pdf_sha256, pdf_file) VALUES"
	    " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	    &c->ins, err)) != HS_OK ||
	    (rc = prepare(db, "INSERT INTO cert_records (serial, record_id)"
	    " VALUES (?, ?)", &c->ins_rec, err)) != HS_OK ||
	    (rc = prepare(db, "INSERT INTO revocations (serial, reason, note,"
	    " at, leaf_index, replaced_by) VALUES (?,?,?,?,?,?)",
	    &c->ins_rev, err)) != HS_OK ||
	    (rc = prepare(db, "SELECT r.serial IS NOT NULL FROM certificates c"
	    " LEFT JOIN revocations r ON r.serial = c.serial"
	    " WHERE c.serial = ?", &c->exists, err)) != HS_OK ||
	    (rc = prepare(db, "UPDATE certificates SET pdf_sha256 = ?,"
	    " pdf_file = coalesce(?, pdf_file) WHERE serial = ?",
	    &c->set_pdf, err)) != HS_OK ||
	    (rc = prepare(db, "SELECT " ROW_COLUMNS " WHERE c.serial = ?",
	    &c->get, err)) != HS_OK ||
	    (rc = prepare(db, "SELECT c.serial, c.record_set, EXISTS (SELECT"
	    " 1 FROM revocations r WHERE r.serial = c.serial) FROM"
	    " certificates c WHERE c.practitioner_id = ? AND c.year = ?"
	    " AND c.kind = 'annual' ORDER BY c.leaf_index DESC LIMIT 1",
	    &c->latest_annual, err)) != HS_OK ||
	    (rc = prepare(db, "SELECT c.serial, c.record_set, EXISTS (SELECT"
	    " 1 FROM revocations r WHERE r.serial = c.serial) FROM"
	    " cert_records cr JOIN certificates c ON c.serial = cr.serial"
	    " WHERE cr.record_id = ? AND c.practitioner_id = ? AND c.year = ?"
	    " AND c.kind = 'course' ORDER BY c.leaf_index DESC LIMIT 1",
	    &c->latest_course, err)) != HS_OK) {
		certs_close(c);
		return rc;
	}
	*out = c;
	return HS_OK;
}

void
certs_close(struct certs *c)
{
	if (c == NULL)
		return;
	sqlite3_finalize(c->ins);
	sqlite3_finalize(c->ins_rec);
	sqlite3_finalize(c->ins_rev);
	sqlite3_finalize(c->exists);
	sqlite3_finalize(c->set_pdf);
	sqlite3_finalize(c->get);
	sqlite3_finalize(c->latest_annual);
	sqlite3_finalize(c->latest_course);
	free(c);
}

/* Binds s, or NULL if s is NULL. */
static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Steps a statement that returns no rows and resets it. */
static enum hs_err
step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, char *err)
{
	int r = sqlite3_step(st);
	enum hs_err rc = HS_OK;

	if (r != SQLITE_DONE) {
		if (r == SQLITE_CONSTRAINT)
			rc = hs_fail(err, HS_ERR_EXISTS, "%s: %s", what,
			    sqlite3_errmsg(db));
		else
			rc = hs_fail(err, r == SQLITE_BUSY ? HS_ERR_BUSY :
			    HS_ERR_DB, "%s: %s", what, sqlite3_errmsg(db));
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

enum hs_err
certs_insert(struct certs *c, const struct certs_new *n, char *err)
{
	sqlite3_stmt *st = c->ins;
	enum hs_err rc;
	size_t i;

	sqlite3_bind_text(st, 1, n->serial, -1, SQLITE_STATIC);
	if (n->practitioner_id > 0)
		sqlite3_bind_int64(st, 2, n->practitioner_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int(st, 3, n->year);
	bind_text(st, 4, n->kind);
	bind_text(st, 5, n->name);
	bind_text(st, 6, n->id_masked);
	bind_text(st, 7, n->id_digest);
	bind_text(st, 8, n->unit != NULL ? n->unit : "");
	sqlite3_bind_int64(st, 9, n->total10);
	bind_text(st, 10, n->status);
	bind_text(st, 11, n->record_set);
	bind_text(st, 12, n->note);
	sqlite3_bind_int64(st, 13, n->leaf_index);
	bind_text(st, 14, n->key_label);
	bind_text(st, 15, n->issued);
	bind_text(st, 16, n->replaces);
	bind_text(st, 17, n->pdf_sha256);
	bind_text(st, 18, n->pdf_file);
	if ((rc = step_done(c->db, st, n->serial, err)) != HS_OK)
		return rc;
	for (i = 0; i < n->nrecord_ids; i++) {
		sqlite3_bind_text(c->ins_rec, 1, n->serial, -1, SQLITE_STATIC);
		sqlite3_bind_int64(c->ins_rec, 2, n->record_ids[i]);
		if ((rc = step_done(c->db, c->ins_rec, n->serial, err)) !=
		    HS_OK)
			return rc;
	}
	return HS_OK;
}

enum hs_err
certs_revoke(struct certs *c, const char *serial, const char *reason,
    const char *note, const char *at, long long leaf_index,
    const char *replaced_by, char *err)
{
	sqlite3_stmt *st = c->exists;
	int r, revoked;

	if (!certs_reason_valid(reason))
		return hs_fail(err, HS_ERR_INVALID, "reason '%s' is not one "
		    "of %s", reason, CERTS_REASONS);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	revoked = r == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (r == SQLITE_DONE)
		return hs_fail(err, HS_ERR_NOTFOUND, "%s: no such "
		    "certificate", serial);
	if (r != SQLITE_ROW)
		return hs_fail(err, HS_ERR_DB, "%s: %s", serial,
		    sqlite3_errmsg(c->db));
	if (revoked)
		return hs_fail(err, HS_ERR_EXISTS, "%s is already revoked",
		    serial);
	st = c->ins_rev;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	bind_text(st, 3, note != NULL && *note != '\0' ? note : NULL);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, leaf_index);
	bind_text(st, 6, replaced_by);
	return step_done(c->db, st, serial, err);
}

enum hs_err
certs_set_pdf(struct certs *c, const char *serial, const char *sha256hex,
    const char *file, char *err)
{
	sqlite3_bind_text(c->set_pdf, 1, sha256hex, -1, SQLITE_STATIC);
	bind_text(c->set_pdf, 2, file);
	sqlite3_bind_text(c->set_pdf, 3, serial, -1, SQLITE_STATIC);
	return step_done(c->db, c->set_pdf, serial, err);
}

/* Copies column i as text into out (cap bytes), "" if NULL. */
static void
col_text(sqlite3_stmt *st, int i, char *out, size_t cap)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(out, cap, "%s", s != NULL ? (const char *)s : "");
}

/* Fills row from a ROW_COLUMNS result; note points into the statement. */
static void
read_row(sqlite3_stmt *st, struct certs_row *row)
{
	memset(row, 0, sizeof(*row));
	col_text(st, 0, row->serial, sizeof(row->serial));
	row->practitioner_id = sqlite3_column_int64(st, 1);
	row->year = sqlite3_column_int(st, 2);
	col_text(st, 3, row->kind, sizeof(row->kind));
	col_text(st, 4, row->name, sizeof(row->name));
	col_text(st, 5, row->id_masked, sizeof(row->id_masked));
	col_text(st, 6, row->id_digest, sizeof(row->id_digest));
	col_text(st, 7, row->unit, sizeof(row->unit));
	row->total10 = (long)sqlite3_column_int64(st, 8);
	col_text(st, 9, row->status, sizeof(row->status));
	col_text(st, 10, row->record_set, sizeof(row->record_set));
	row->note = (char *)sqlite3_column_text(st, 11);
	row->leaf_index = sqlite3_column_int64(st, 12);
	col_text(st, 13, row->key_label, sizeof(row->key_label));
	col_text(st, 14, row->issued, sizeof(row->issued));
	col_text(st, 15, row->pdf_sha256, sizeof(row->pdf_sha256));
	col_text(st, 16, row->pdf_file, sizeof(row->pdf_file));
	col_text(st, 17, row->replaces, sizeof(row->replaces));
	row->revoked = sqlite3_column_type(st, 18) != SQLITE_NULL;
	col_text(st, 18, row->reason, sizeof(row->reason));
	col_text(st, 19, row->revoked_at, sizeof(row->revoked_at));
	row->revoke_index = row->revoked ? sqlite3_column_int64(st, 20) : -1;
	col_text(st, 21, row->replaced_by, sizeof(row->replaced_by));
}

enum hs_err
certs_get(struct certs *c, const char *serial, struct certs_row *row,
    char *err)
{
	sqlite3_stmt *st = c->get;
	enum hs_err rc = HS_OK;
	int r;

	memset(row, 0, sizeof(*row));
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "%s: no such certificate",
		    serial);
		goto out;
	}
	if (r != SQLITE_ROW) {
		rc = hs_fail(err, r == SQLITE_BUSY ? HS_ERR_BUSY : HS_ERR_DB,
		    "%s: %s", serial, sqlite3_errmsg(c->db));
		goto out;
	}
	read_row(st, row);
	if ((row->note = strdup(row->note != NULL ? row->note : "")) == NULL)
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

void
certs_row_free(struct certs_row *row)
{
	if (row == NULL)
		return;
	free(row->note);
	row->note = NULL;
}

enum hs_err
certs_find_latest(struct certs *c, long long practitioner_id, int year,
    const char *kind, long long record_id, char serial[SERIAL_SIZE],
    char record_set[CERTS_SET_SIZE], bool *revoked, char *err)
{
	sqlite3_stmt *st;
	enum hs_err rc = HS_OK;
	int r;

	serial[0] = record_set[0] = '\0';
	*revoked = false;
	if (strcmp(kind, "course") == 0) {
		st = c->latest_course;
		sqlite3_bind_int64(st, 1, record_id);
		sqlite3_bind_int64(st, 2, practitioner_id);
		sqlite3_bind_int(st, 3, year);
	} else {
		st = c->latest_annual;
		sqlite3_bind_int64(st, 1, practitioner_id);
		sqlite3_bind_int(st, 2, year);
	}
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		col_text(st, 0, serial, SERIAL_SIZE);
		col_text(st, 1, record_set, CERTS_SET_SIZE);
		*revoked = sqlite3_column_int(st, 2) != 0;
	} else if (r == SQLITE_DONE)
		rc = HS_ERR_NOTFOUND;
	else
		rc = hs_fail(err, r == SQLITE_BUSY ? HS_ERR_BUSY : HS_ERR_DB,
		    "certificates: %s", sqlite3_errmsg(c->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

enum hs_err
certs_course_record(struct certs *c, const char *serial, int64_t *record,
    char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;
	int r;

	if ((rc = prepare(c->db, "SELECT record_id FROM cert_records WHERE"
	    " serial = ?", &st, err)) != HS_OK)
		return rc;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*record = sqlite3_column_int64(st, 0);
	else if (r == SQLITE_DONE)
		rc = HS_ERR_NOTFOUND;
	else
		rc = hs_fail(err, r == SQLITE_BUSY ? HS_ERR_BUSY : HS_ERR_DB,
		    "cert_records: %s", sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
certs_covered(struct certs *c, const char *serial, size_t max,
    struct certs_covered **out, size_t *n, char *err)
{
	sqlite3_stmt *st = NULL;
	struct certs_covered *a = NULL, *t;
	const unsigned char *ref;
	size_t len = 0, cap = 0;
	enum hs_err rc;
	int r;

	*out = NULL;
	*n = 0;
	if ((rc = prepare(c->db, "SELECT cr.record_id, r.ref FROM cert_records"
	    " cr LEFT JOIN records r ON r.id = cr.record_id WHERE cr.serial = ?"
	    " ORDER BY cr.record_id", &st, err)) != HS_OK)
		return rc;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == max) {
			rc = hs_fail(err, HS_ERR_TOOBIG, "%s covers more than %zu "
			    "records", serial, max);
			goto out;
		}
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			if ((t = realloc(a, cap * sizeof(*a))) == NULL) {
				rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
				goto out;
			}
			a = t;
		}
		a[len].id = sqlite3_column_int64(st, 0);
		ref = sqlite3_column_text(st, 1);
		if (ref != NULL && ref[0] != '\0')
			snprintf(a[len].ref, sizeof(a[len].ref), "%s",
			    (const char *)ref);
		else
			snprintf(a[len].ref, sizeof(a[len].ref), "#%lld",
			    (long long)a[len].id);
		len++;
	}
	if (r != SQLITE_DONE) {
		rc = hs_fail(err, r == SQLITE_BUSY ? HS_ERR_BUSY : HS_ERR_DB,
		    "cert_records: %s", sqlite3_errmsg(c->db));
		goto out;
	}
	*out = a;
	*n = len;
	a = NULL;
out:
	free(a);
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
certs_iter_open(sqlite3 *db, const struct certs_filter *f,
    struct certs_iter **out, char *err)
{
	struct certs_iter *it;
	sqlite3_stmt *st;

	*out = NULL;
	if ((it = calloc(1, sizeof(*it))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	/*
	 * One fixed statement: every filter is a parameter that is either
	 * "anything" (0 / NULL) or a value, so no SQL is ever built.
	 */
	if (sqlite3_prepare_v2(db, f->by_holder ?
	    "SELECT " ROW_COLUMNS " WHERE " FILTER
	    " ORDER BY c.practitioner_id, c.leaf_index" :
	    "SELECT " ROW_COLUMNS " WHERE " FILTER
	    " ORDER BY c.year, c.leaf_index", -1, &st, NULL) != SQLITE_OK) {
		free(it);
		return hs_fail(err, HS_ERR_DB, "certificates: %s",
		    sqlite3_errmsg(db));
	}
	sqlite3_bind_int(st, 1, f->year);
	sqlite3_bind_int64(st, 2, f->practitioner_id);
	if (f->id_digest != NULL)
		sqlite3_bind_text(st, 3, f->id_digest, -1, SQLITE_TRANSIENT);
	if (f->kind != NULL)
		sqlite3_bind_text(st, 4, f->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, f->state == CERTS_VALID ? 1 :
	    f->state == CERTS_REVOKED ? 2 : 0);
	sqlite3_bind_int(st, 6, f->pdf_missing ? 1 : 0);
	if (f->pdf_dir != NULL)
		sqlite3_bind_text(st, 7, f->pdf_dir, -1, SQLITE_TRANSIENT);
	it->db = db;
	it->st = st;
	*out = it;
	return HS_OK;
}

enum hs_err
certs_iter_next(struct certs_iter *it, struct certs_row *row, char *err)
{
	int r = sqlite3_step(it->st);

	if (r == SQLITE_DONE)
		return HS_ERR_NOTFOUND;
	if (r != SQLITE_ROW)
		return hs_fail(err, r == SQLITE_BUSY ? HS_ERR_BUSY : HS_ERR_DB,
		    "certificates: %s", sqlite3_errmsg(it->db));
	read_row(it->st, row);
	return HS_OK;
}

void
certs_iter_free(struct certs_iter *it)
{
	if (it == NULL)
		return;
	sqlite3_finalize(it->st);
	free(it);
}
