#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"
#include "cert/idnum.h"
#include "cert/policy.h"
#include "store/records.h"
#include "store/store.h"
#include "core/util.h"

#define RECORDS_MAX_ROWS 100000000

/* Copies column i as text into out (truncating safely). */
static void
col_text(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, outsz, "%s", t != NULL ? (const char *)t : "");
}

/* Runs st (one int64 column per row) into a caller-freed array. */
static enum hs_err
collect_ids(sqlite3 *db, sqlite3_stmt *st, int64_t **ids, size_t *n,
    char *err)
{
	int64_t *a = NULL, *t;
	size_t len = 0, cap = 0;
	int s;

	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			if (cap > RECORDS_MAX_ROWS || (t = realloc(a,
			    cap * sizeof(*a))) == NULL) {
				free(a);
				return hs_fail(err, HS_ERR_NOMEM,
				    "out of memory");
			}
			a = t;
		}
		a[len++] = sqlite3_column_int64(st, 0);
	}
	if (s != SQLITE_DONE) {
		free(a);
		return store_err(db, err, "reading records");
	}
	*ids = a;
	*n = len;
	return HS_OK;
}

static enum hs_err
ids_by_year(sqlite3 *db, const char *sql, int year, int64_t **ids,
    size_t *n, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;

	*ids = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading records");
	sqlite3_bind_int(st, 1, year);
	rc = collect_ids(db, st, ids, n, err);
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
records_holders(sqlite3 *db, int year, int64_t **ids, size_t *n, char *err)
{
	return ids_by_year(db, "SELECT DISTINCT r.practitioner_id FROM records r"
	    " WHERE r.year = ? AND r.state = 'stamped' ORDER BY 1", year, ids, n, err);
}

enum hs_err
records_people(sqlite3 *db, int year, int64_t **ids, size_t *n, char *err)
{
	return ids_by_year(db, "SELECT DISTINCT practitioner_id FROM records"
	    " WHERE year = ? ORDER BY 1", year, ids, n, err);
}

static enum hs_err
person_query(sqlite3 *db, const char *where, int64_t id, const char *idnum,
    struct records_person *p, char *err)
{
	char sql[256];
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int s;

	memset(p, 0, sizeof(*p));
	snprintf(sql, sizeof(sql), "SELECT id, id_number, id_masked, "
	    "id_digest, name, unit FROM practitioners WHERE %s", where);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading practitioners");
	if (idnum != NULL)
		sqlite3_bind_text(st, 1, idnum, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		p->id = sqlite3_column_int64(st, 0);
		col_text(st, 1, p->id_number, sizeof(p->id_number));
		col_text(st, 2, p->id_masked, sizeof(p->id_masked));
		col_text(st, 3, p->id_digest, sizeof(p->id_digest));
		col_text(st, 4, p->name, sizeof(p->name));
		col_text(st, 5, p->unit, sizeof(p->unit));
	} else if (s == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no such practitioner");
	else
		rc = store_err(db, err, "reading practitioners");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
records_person_get(sqlite3 *db, int64_t id, struct records_person *p,
    char *err)
{
	return person_query(db, "id = ?", id, NULL, p, err);
}

enum hs_err
records_person_find(sqlite3 *db, const char *id_number,
    struct records_person *p, char *err)
{
	char canon[IDNUM_SIZE];
	enum hs_err rc;

	memset(p, 0, sizeof(*p));
	if ((rc = idnum_validate(id_number, -1, canon, err)) != HS_OK) {
		hs_errprefix(err, "ID number");
		return rc;
	}
	rc = person_query(db, "id_number = ?", 0, canon, p, err);
	if (rc == HS_ERR_NOTFOUND) {
		char m[IDNUM_SIZE];

		idnum_mask(canon, m);
		hs_fail(err, rc, "no practitioner with ID number %s", m);
	}
	return rc;
}

/* The certificate subject of a stored record under pol. */
static void
subject_name(const char *subject, const char *ptype, bool split, char *out,
    size_t outsz)
{
	if (strcmp(subject, "public") == 0 && split && ptype != NULL &&
	    (strcmp(ptype, "compulsory") == 0 || strcmp(ptype, "elective")
	    == 0))
		snprintf(out, outsz, "public/%s", ptype);
	else
		snprintf(out, outsz, "%s", subject);
}

enum hs_err
records_stamped(sqlite3 *db, int64_t practitioner, int year,
    const struct policy *pol, struct cert_record **recs, int64_t **rids,
    size_t *n, char *err)
{
	sqlite3_stmt *st = NULL;
	struct cert_record *a = NULL, *t;
	int64_t *ids = NULL, *ti;
	size_t len = 0, cap = 0;
	enum hs_err rc = HS_OK;
	const char *form;
	int s;

	*recs = NULL;
	if (rids != NULL)
		*rids = NULL;
	*n = 0;
	/*
	 * The record's current state decides; the authority of its current
	 * stamp (records.stamp_id) is who stamped it (formats §3, the 8th
	 * record field). A stamped record without one would encode with an
	 * empty field, which cert_encode refuses: never silently dropped.
	 */
	if (sqlite3_prepare_v2(db, "SELECT r.id, r.subject, r.public_type, "
	    "r.form, r.start_date, r.end_date, r.hours10, r.title, r.provider,"
	    " s.authority"
	    " FROM records r LEFT JOIN stamps s ON s.id = r.stamp_id"
	    " WHERE r.practitioner_id = ? AND r.year = ? AND r.state = 'stamped'"
	    " ORDER BY r.start_date, r.end_date, r.id", -1, &st, NULL)
	    != SQLITE_OK)
		return store_err(db, err, "reading records");
	sqlite3_bind_int64(st, 1, practitioner);
	sqlite3_bind_int(st, 2, year);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			if (cap > CERT_MAX_RECORDS * 2 + 16) {
				rc = hs_fail(err, HS_ERR_TOOBIG, "more than %d "
				    "stamped records in %d", CERT_MAX_RECORDS,
				    year);
				goto out;
			}
			if ((t = realloc(a, cap * sizeof(*a))) == NULL) {
				rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
				goto out;
			}
			a = t;
			if ((ti = realloc(ids, cap * sizeof(*ids))) == NULL) {
				rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
				goto out;
			}
			ids = ti;
		}
		memset(&a[len], 0, sizeof(a[len]));
		ids[len] = sqlite3_column_int64(st, 0);
		subject_name((const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    policy_split_public(pol), a[len].subject,
		    sizeof(a[len].subject));
		form = policy_form_name(sqlite3_column_int(st, 3));
		snprintf(a[len].form, sizeof(a[len].form), "%s",
		    form ? form : "other");
		col_text(st, 4, a[len].start, sizeof(a[len].start));
		col_text(st, 5, a[len].end, sizeof(a[len].end));
		a[len].hours10 = (long)sqlite3_column_int64(st, 6);
		col_text(st, 7, a[len].title, sizeof(a[len].title));
		col_text(st, 8, a[len].provider, sizeof(a[len].provider));
		col_text(st, 9, a[len].stamped_by, sizeof(a[len].stamped_by));
		len++;
	}
	if (s != SQLITE_DONE) {
		rc = store_err(db, err, "reading records");
		goto out;
	}
	if (len > CERT_MAX_RECORDS) {
		rc = hs_fail(err, HS_ERR_TOOBIG, "more than %d stamped records "
		    "in %d", CERT_MAX_RECORDS, year);
		goto out;
	}
	*recs = a;
	if (rids != NULL)
		*rids = ids;
	else
		free(ids);
	*n = len;
	a = NULL;
	ids = NULL;
out:
	sqlite3_finalize(st);
	free(a);
	free(ids);
	return rc;
}

const char *
records_authority_name(enum records_authority k)
{
	switch (k) {
	case RECORDS_INDUSTRY: return "industry";
	case RECORDS_AUTO: return "auto";
	default: return "hr";
	}
}

enum hs_err
records_pending_each(sqlite3 *db, int year,
    int (*fn)(void *ctx, const struct records_pending *r), void *ctx,
    char *err)
{
	sqlite3_stmt *st = NULL;
	struct records_pending r;
	enum hs_err rc = HS_OK;
	int s;

	if (sqlite3_prepare_v2(db, "SELECT r.id, r.ref, p.id_masked, p.name, "
	    "r.year, r.subject, r.public_type, r.form, r.start_date, "
	    "r.end_date, r.hours10, r.title, r.provider"
	    " FROM records r JOIN practitioners p ON p.id = r.practitioner_id"
	    " WHERE r.state = 'waiting'"
	    " AND (?1 = 0 OR r.year = ?1) ORDER BY r.id", -1, &st, NULL)
	    != SQLITE_OK)
		return store_err(db, err, "reading records");
	sqlite3_bind_int(st, 1, year);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			snprintf(r.ref, sizeof(r.ref), "#%lld",
			    (long long)r.id);
		else
			col_text(st, 1, r.ref, sizeof(r.ref));
		col_text(st, 2, r.id_masked, sizeof(r.id_masked));
		col_text(st, 3, r.name, sizeof(r.name));
		r.year = sqlite3_column_int(st, 4);
		subject_name((const char *)sqlite3_column_text(st, 5),
		    (const char *)sqlite3_column_text(st, 6), true, r.subject,
		    sizeof(r.subject));
		r.form = sqlite3_column_int(st, 7);
		col_text(st, 8, r.start, sizeof(r.start));
		col_text(st, 9, r.end, sizeof(r.end));
		r.hours10 = (long)sqlite3_column_int64(st, 10);
		col_text(st, 11, r.title, sizeof(r.title));
		col_text(st, 12, r.provider, sizeof(r.provider));
		if (fn(ctx, &r) != 0)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = store_err(db, err, "reading records");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
records_stamp_insert(sqlite3 *db, sqlite3_stmt *st[2], int64_t record_id,
    const char *decision, const char *by, enum records_authority kind,
    const char *account, const char *reason, const char *at, char *err)
{
	if (st[0] == NULL && sqlite3_prepare_v2(db, "INSERT INTO stamps "
	    "(record_id, version, decision, authority, authority_kind, account,"
	    " reason, at) VALUES (?1, (SELECT version FROM records WHERE id ="
	    " ?1), ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st[0], NULL) != SQLITE_OK)
		return store_err(db, err, "stamping");
	if (st[1] == NULL && sqlite3_prepare_v2(db, "UPDATE records SET "
	    "state = ?1, stamp_id = ?2 WHERE id = ?3", -1, &st[1], NULL)
	    != SQLITE_OK)
		return store_err(db, err, "stamping");
	sqlite3_reset(st[0]);
	sqlite3_bind_int64(st[0], 1, record_id);
	sqlite3_bind_text(st[0], 2, decision, -1, SQLITE_STATIC);
	sqlite3_bind_text(st[0], 3, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st[0], 4, records_authority_name(kind), -1,
	    SQLITE_STATIC);
	if (account != NULL)
		sqlite3_bind_text(st[0], 5, account, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st[0], 5);
	if (reason != NULL)
		sqlite3_bind_text(st[0], 6, reason, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st[0], 6);
	sqlite3_bind_text(st[0], 7, at, -1, SQLITE_STATIC);
	if (sqlite3_step(st[0]) != SQLITE_DONE)
		return store_err(db, err, "stamping");
	/* The record's state follows its newest decision. */
	sqlite3_reset(st[1]);
	sqlite3_bind_text(st[1], 1, decision, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st[1], 2, sqlite3_last_insert_rowid(db));
	sqlite3_bind_int64(st[1], 3, record_id);
	if (sqlite3_step(st[1]) != SQLITE_DONE)
		return store_err(db, err, "stamping");
	sqlite3_reset(st[0]);
	sqlite3_reset(st[1]);
	return HS_OK;
}

/* by and reason: 1..200 bytes of UTF-8 text without control characters. */
static enum hs_err
check_text(const char *what, const char *s, char *err)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0)
		return hs_fail(err, HS_ERR_INVALID, "%s: must not be empty",
		    what);
	if (n > 200)
		return hs_fail(err, HS_ERR_INVALID, "%s: longer than 200 bytes",
		    what);
	if (!utf8_valid(s, n) || has_control(s))
		return hs_fail(err, HS_ERR_INVALID, "%s: must be UTF-8 text "
		    "without control characters", what);
	if (s[0] == ' ' || s[n - 1] == ' ')
		return hs_fail(err, HS_ERR_INVALID, "%s: leading or trailing "
		    "spaces", what);
	return HS_OK;
}

/*
 * by, the stamping organisation: as check_text, and since certificates
 * sign it (formats §3, a record's 8th field) no '|' and no invisible or
 * direction-changing character either.
 */
static enum hs_err
check_by(const char *by, char *err)
{
	const char *fc;
	uint32_t cp;
	enum hs_err rc;

	if ((rc = check_text("--by", by, err)) != HS_OK)
		return rc;
	if (strchr(by, '|') != NULL)
		return hs_fail(err, HS_ERR_INVALID, "--by: '|' is not allowed "
		    "(certificates list who stamped a record after a '|')");
	if ((fc = utf8_format_char(by, &cp)) != NULL)
		return hs_fail(err, HS_ERR_INVALID, "--by: U+%04X (%s) is not "
		    "allowed", (unsigned)cp, fc);
	return HS_OK;
}

enum hs_err
records_step_ref(sqlite3 *db, sqlite3_stmt *st, const char *ref, char *err)
{
	const char *num = ref[0] == '#' ? ref + 1 : ref;
	char *end;
	long long n;
	int pass, s;

	for (pass = 0; pass < 2; pass++) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (pass == 0)
			sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
		else {
			if (*num < '0' || *num > '9' || strlen(num) > 18)
				break;
			n = strtoll(num, &end, 10);
			if (*end != '\0' || n <= 0)
				break;
			sqlite3_bind_int64(st, 2, n);
		}
		if ((s = sqlite3_step(st)) == SQLITE_ROW)
			return HS_OK;
		if (s != SQLITE_DONE)
			return store_err(db, err, "reading records");
	}
	return hs_fail(err, HS_ERR_NOTFOUND, "no record with ref %s", ref);
}

/* Finds a record by ref (or #id): its id, subject and stamp if any. */
static enum hs_err
find_ref(sqlite3 *db, const char *ref, int64_t *id, char subject[16],
    char stamp[300], char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;

	stamp[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT r.id, r.subject, s.decision, "
	    "s.authority, s.at FROM records r LEFT JOIN stamps s ON "
	    "s.id = r.stamp_id WHERE (?1 IS NOT NULL AND r.ref = ?1) OR "
	    "(?2 IS NOT NULL AND r.id = ?2)", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading records");
	if ((rc = records_step_ref(db, st, ref, err)) == HS_OK) {
		*id = sqlite3_column_int64(st, 0);
		col_text(st, 1, subject, 16);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			snprintf(stamp, 300, "already %s by %s at %s",
			    sqlite3_column_text(st, 2),
			    sqlite3_column_text(st, 3),
			    sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
records_stamp_ref(sqlite3 *db, const char *ref, const char *reason,
    const char *by, enum records_authority kind, char *err)
{
	sqlite3_stmt *st[2] = { NULL, NULL };
	char subject[16], stamp[300], now[21];
	bool own = sqlite3_get_autocommit(db) != 0;
	enum hs_err rc;
	int64_t id = 0;

	if ((rc = check_by(by, err)) != HS_OK)
		return rc;
	if (reason != NULL && (rc = check_text("--reason", reason, err))
	    != HS_OK)
		return rc;
	if (ref == NULL || *ref == '\0' || strlen(ref) > 128)
		return hs_fail(err, HS_ERR_INVALID, "--ref: 1-128 bytes");
	if (own && (rc = store_begin(db, err)) != HS_OK)
		return rc;
	if ((rc = find_ref(db, ref, &id, subject, stamp, err)) != HS_OK)
		goto out;
	if (stamp[0] != '\0') {
		rc = hs_fail(err, HS_ERR_STATE, "%s: %s", ref, stamp);
		goto out;
	}
	if (kind == RECORDS_INDUSTRY && strcmp(subject, "professional") != 0) {
		rc = hs_fail(err, HS_ERR_STATE, "%s: a public-subject record; "
		    "an industry department may stamp only professional "
		    "records (HR stamps public ones)", ref);
		goto out;
	}
	time_now_rfc3339(now);
	if ((rc = records_stamp_insert(db, st, id, reason ? "rejected" :
	    "stamped", by, kind, NULL, reason, now, err)) != HS_OK)
		goto out;
	sqlite3_finalize(st[0]);
	sqlite3_finalize(st[1]);
	st[0] = st[1] = NULL;
	if (own)
		rc = store_commit(db, err);
out:
	sqlite3_finalize(st[0]);
	sqlite3_finalize(st[1]);
	if (rc != HS_OK && own)
		store_rollback(db);
	return rc;
}

enum hs_err
records_stamp_all(sqlite3 *db, int year, const char *by,
    enum records_authority kind, size_t *stamped, size_t *skipped,
    char *err)
{
	sqlite3_stmt *sel = NULL, *ins[2] = { NULL, NULL };
	char now[21];
	enum hs_err rc;
	int s;

	*stamped = *skipped = 0;
	if ((rc = check_by(by, err)) != HS_OK)
		return rc;
	if ((rc = store_begin(db, err)) != HS_OK)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT r.id, r.subject FROM records r"
	    " WHERE r.state = 'waiting'"
	    " AND (?1 = 0 OR r.year = ?1) ORDER BY r.id", -1, &sel, NULL)
	    != SQLITE_OK) {
		rc = store_err(db, err, "reading records");
		goto out;
	}
	sqlite3_bind_int(sel, 1, year);
	time_now_rfc3339(now);
	while ((s = sqlite3_step(sel)) == SQLITE_ROW) {
		if (kind == RECORDS_INDUSTRY && strcmp((const char *)
		    sqlite3_column_text(sel, 1), "professional") != 0) {
			(*skipped)++;
			continue;
		}
		if ((rc = records_stamp_insert(db, ins,
		    sqlite3_column_int64(sel, 0), "stamped", by, kind, NULL,
		    NULL, now, err)) != HS_OK)
			goto out;
		(*stamped)++;
	}
	if (s != SQLITE_DONE) {
		rc = store_err(db, err, "reading records");
		goto out;
	}
	sqlite3_finalize(sel);
	sel = NULL;
	sqlite3_finalize(ins[0]);
	sqlite3_finalize(ins[1]);
	ins[0] = ins[1] = NULL;
	rc = store_commit(db, err);
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(ins[0]);
	sqlite3_finalize(ins[1]);
	if (rc != HS_OK) {
		store_rollback(db);
		*stamped = 0;
	}
	return rc;
}

enum hs_err
records_pending_count(sqlite3 *db, int64_t practitioner, int year,
    size_t *n, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;

	*n = 0;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM records r WHERE "
	    "r.practitioner_id = ? AND r.year = ? AND r.state = 'waiting'",
	    -1, &st,
	    NULL) != SQLITE_OK)
		return store_err(db, err, "reading records");
	sqlite3_bind_int64(st, 1, practitioner);
	sqlite3_bind_int(st, 2, year);
	if (sqlite3_step(st) == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(st, 0);
	else
		rc = store_err(db, err, "reading records");
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
records_rejected_list(sqlite3 *db, int64_t practitioner, int year,
    struct records_rejected **out, size_t *n, bool *more, char *err)
{
	sqlite3_stmt *st = NULL;
	struct records_rejected *v = NULL, *nv;
	size_t cap = 0;
	enum hs_err rc = HS_OK;
	int r;

	*out = NULL;
	*n = 0;
	*more = false;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(r.ref, '#' || r.id), "
	    "r.title, coalesce(s.reason, ''), s.authority, s.at FROM records r "
	    "JOIN stamps s ON s.id = r.stamp_id WHERE r.practitioner_id = ? "
	    "AND r.year = ? AND r.state = 'rejected' AND s.decision = "
	    "'rejected' ORDER BY r.id LIMIT ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading rejected records");
	sqlite3_bind_int64(st, 1, practitioner);
	sqlite3_bind_int(st, 2, year);
	sqlite3_bind_int(st, 3, RECORDS_REJECTED_MAX + 1);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == RECORDS_REJECTED_MAX) {
			*more = true;
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
				goto out;
			}
			v = nv;
		}
		col_text(st, 0, v[*n].ref, sizeof(v[*n].ref));
		col_text(st, 1, v[*n].title, sizeof(v[*n].title));
		col_text(st, 2, v[*n].reason, sizeof(v[*n].reason));
		col_text(st, 3, v[*n].authority, sizeof(v[*n].authority));
		col_text(st, 4, v[*n].at, sizeof(v[*n].at));
		(*n)++;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = store_err(db, err, "reading rejected records");
out:
	sqlite3_finalize(st);
	if (rc != HS_OK) {
		free(v);
		*n = 0;
		return rc;
	}
	*out = v;
	return HS_OK;
}

/* ---- writing (the importer) ---- */

struct records_writer {
	sqlite3 *db;
	sqlite3_stmt *person_get, *person_add, *person_set, *by_ref, *by_key,
	    *rec_add, *unit_get, *unit_add, *unit_fill, *stamp_add[3];
};

enum hs_err
records_writer_open(sqlite3 *db, struct records_writer **out, char *err)
{
	/* The columns records_find_* read, in struct records_record order. */
#define RECORD_COLS "SELECT practitioner_id, year, subject, " \
	"coalesce(public_type, ''), form, title, provider, start_date, " \
	"end_date, hours10, coalesce(author_role, ''), source FROM records "
	static const struct {
		size_t off;
		const char *sql;
	} stmts[] = {
		{ offsetof(struct records_writer, person_get), "SELECT id, "
		    "name, unit FROM practitioners WHERE id_number = ?" },
		{ offsetof(struct records_writer, person_add), "INSERT INTO "
		    "practitioners (id_number, id_masked, id_digest, name, unit, "
		    "created) VALUES (?, ?, ?, ?, ?, ?)" },
		{ offsetof(struct records_writer, person_set), "UPDATE "
		    "practitioners SET name = ?, unit = ? WHERE id = ?" },
		{ offsetof(struct records_writer, by_ref), RECORD_COLS
		    "WHERE ref = ?" },
		{ offsetof(struct records_writer, by_key), RECORD_COLS
		    "WHERE practitioner_id = ? AND title = ? AND provider = ? "
		    "AND start_date = ? AND end_date = ?" },
		{ offsetof(struct records_writer, rec_add), "INSERT INTO "
		    "records (practitioner_id, year, subject, public_type, form, "
		    "title, provider, start_date, end_date, hours10, author_role,"
		    " domain, ref, source, imported, unit, region, submitted_by,"
		    " state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, coalesce((SELECT region FROM units WHERE name = ?16),"
		    " ''), ?17, ?18)" },
		{ offsetof(struct records_writer, unit_get), "SELECT region "
		    "FROM units WHERE name = ?" },
		{ offsetof(struct records_writer, unit_add), "INSERT INTO "
		    "units (name, region) VALUES (?, ?)" },
		{ offsetof(struct records_writer, unit_fill), "UPDATE records "
		    "SET region = ?1 WHERE state IN ('waiting', 'stamped', "
		    "'rejected', 'withdrawn') AND unit = ?2 AND region = ''" },
	};
#undef RECORD_COLS
	struct records_writer *w;
	size_t i;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	w->db = db;
	for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		sqlite3_stmt **p = (sqlite3_stmt **)((char *)w + stmts[i].off);

		if (sqlite3_prepare_v3(db, stmts[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT, p, NULL) != SQLITE_OK) {
			enum hs_err rc = store_err(db, err, "import");

			records_writer_free(w);
			return rc;
		}
	}
	*out = w;
	return HS_OK;
}

void
records_writer_free(struct records_writer *w)
{
	if (w == NULL)
		return;
	sqlite3_finalize(w->person_get);
	sqlite3_finalize(w->person_add);
	sqlite3_finalize(w->person_set);
	sqlite3_finalize(w->by_ref);
	sqlite3_finalize(w->by_key);
	sqlite3_finalize(w->rec_add);
	sqlite3_finalize(w->unit_get);
	sqlite3_finalize(w->unit_add);
	sqlite3_finalize(w->unit_fill);
	sqlite3_finalize(w->stamp_add[0]);
	sqlite3_finalize(w->stamp_add[1]);
	sqlite3_finalize(w->stamp_add[2]);
	free(w);
}

enum hs_err
records_practitioner_lookup(struct records_writer *w, const char *id_number,
    int64_t *id, char name[256], char unit[256], char *err)
{
	sqlite3_stmt *st = w->person_get;
	enum hs_err rc = HS_OK;
	int s;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id_number, -1, SQLITE_STATIC);
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		col_text(st, 1, name, 256);
		col_text(st, 2, unit, 256);
	} else if (s == SQLITE_DONE)
		rc = HS_ERR_NOTFOUND;
	else
		rc = store_err(w->db, err, "import");
	sqlite3_reset(st);
	return rc;
}

enum hs_err
records_put_practitioner(struct records_writer *w,
    const struct records_new_person *p, int64_t *id, char *err)
{
	sqlite3_stmt *st = w->person_add;
	enum hs_err rc = HS_OK;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, p->id_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->id_masked, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->id_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, p->created, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(w->db, err, "import");
	else
		*id = sqlite3_last_insert_rowid(w->db);
	sqlite3_reset(st);
	return rc;
}

enum hs_err
records_set_practitioner(struct records_writer *w, int64_t id,
    const char *name, const char *unit, char *err)
{
	sqlite3_stmt *st = w->person_set;
	enum hs_err rc = HS_OK;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(w->db, err, "import");
	sqlite3_reset(st);
	return rc;
}

/* Steps st (bound by the caller) into *r; resets it. */
static enum hs_err
record_row(struct records_writer *w, sqlite3_stmt *st,
    struct records_record *r, char *err)
{
	enum hs_err rc = HS_OK;
	int s;

	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		memset(r, 0, sizeof(*r));
		r->practitioner_id = sqlite3_column_int64(st, 0);
		r->year = sqlite3_column_int(st, 1);
		col_text(st, 2, r->subject, sizeof(r->subject));
		col_text(st, 3, r->public_type, sizeof(r->public_type));
		r->form = sqlite3_column_int(st, 4);
		col_text(st, 5, r->title, sizeof(r->title));
		col_text(st, 6, r->provider, sizeof(r->provider));
		col_text(st, 7, r->start, sizeof(r->start));
		col_text(st, 8, r->end, sizeof(r->end));
		r->hours10 = sqlite3_column_int64(st, 9);
		col_text(st, 10, r->author_role, sizeof(r->author_role));
		col_text(st, 11, r->source, sizeof(r->source));
	} else if (s == SQLITE_DONE)
		rc = HS_ERR_NOTFOUND;
	else
		rc = store_err(w->db, err, "import");
	sqlite3_reset(st);
	return rc;
}

enum hs_err
records_find_by_ref(struct records_writer *w, const char *ref,
    struct records_record *r, char *err)
{
	sqlite3_reset(w->by_ref);
	sqlite3_bind_text(w->by_ref, 1, ref, -1, SQLITE_STATIC);
	return record_row(w, w->by_ref, r, err);
}

enum hs_err
records_find_course(struct records_writer *w, int64_t practitioner,
    const char *title, const char *provider, const char *start,
    const char *end, struct records_record *r, char *err)
{
	sqlite3_stmt *st = w->by_key;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, practitioner);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, end, -1, SQLITE_STATIC);
	return record_row(w, st, r, err);
}

/* Text, or NULL for an empty string. */
static void
bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL && s[0] != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

enum hs_err
records_put(struct records_writer *w, const struct records_new *r,
    int64_t *id, char *err)
{
	sqlite3_stmt *st = w->rec_add;
	enum hs_err rc = HS_OK;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->practitioner_id);
	sqlite3_bind_int(st, 2, r->year);
	sqlite3_bind_text(st, 3, r->subject, -1, SQLITE_STATIC);
	bind_opt(st, 4, r->public_type);
	sqlite3_bind_int(st, 5, r->form);
	sqlite3_bind_text(st, 6, r->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, r->end, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, r->hours10);
	bind_opt(st, 11, r->author_role);
	bind_opt(st, 12, r->domain);
	bind_opt(st, 13, r->ref);
	sqlite3_bind_text(st, 14, r->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, r->imported, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, r->unit ? r->unit : "", -1, SQLITE_STATIC);
	bind_opt(st, 17, r->submitted_by);
	sqlite3_bind_text(st, 18, r->stamped ? "stamped" : "waiting", -1,
	    SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(w->db, err, "import");
	else
		*id = sqlite3_last_insert_rowid(w->db);
	sqlite3_reset(st);
	return rc;
}

enum hs_err
records_put_auto_stamp(struct records_writer *w, int64_t record_id,
    const char *by, const char *at, char *err)
{
	sqlite3_stmt **st = w->stamp_add;
	enum hs_err rc = HS_OK;

	/*
	 * A record stored stamped (records_new.stamped) misses only its
	 * stamp row and stamp_id, and setting stamp_id touches no index (a
	 * state change moves five index entries per row); a waiting one
	 * (stored without .stamped) changes state too.
	 */
	if (st[0] == NULL && sqlite3_prepare_v3(w->db, "INSERT INTO stamps "
	    "(record_id, version, decision, authority, authority_kind, at) "
	    "VALUES (?, 1, 'stamped', ?, 'auto', ?)", -1,
	    SQLITE_PREPARE_PERSISTENT, &st[0], NULL) != SQLITE_OK)
		return store_err(w->db, err, "import");
	if (st[1] == NULL && sqlite3_prepare_v3(w->db, "UPDATE records SET "
	    "stamp_id = ?1 WHERE id = ?2 AND state = 'stamped' AND stamp_id "
	    "IS NULL", -1, SQLITE_PREPARE_PERSISTENT, &st[1], NULL) !=
	    SQLITE_OK)
		return store_err(w->db, err, "import");
	sqlite3_reset(st[0]);
	sqlite3_bind_int64(st[0], 1, record_id);
	sqlite3_bind_text(st[0], 2, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st[0], 3, at, -1, SQLITE_STATIC);
	if (sqlite3_step(st[0]) != SQLITE_DONE)
		rc = store_err(w->db, err, "import");
	sqlite3_reset(st[0]);
	if (rc != HS_OK)
		return rc;
	sqlite3_reset(st[1]);
	sqlite3_bind_int64(st[1], 1, sqlite3_last_insert_rowid(w->db));
	sqlite3_bind_int64(st[1], 2, record_id);
	if (sqlite3_step(st[1]) != SQLITE_DONE)
		rc = store_err(w->db, err, "import");
	sqlite3_reset(st[1]);
	if (rc != HS_OK || sqlite3_changes(w->db) == 1)
		return rc;
	if (st[2] == NULL && sqlite3_prepare_v3(w->db, "UPDATE records SET "
	    "state = 'stamped', stamp_id = ?1 WHERE id = ?2", -1,
	    SQLITE_PREPARE_PERSISTENT, &st[2], NULL) != SQLITE_OK)
		return store_err(w->db, err, "import");
	sqlite3_reset(st[2]);
	sqlite3_bind_int64(st[2], 1, sqlite3_last_insert_rowid(w->db));
	sqlite3_bind_int64(st[2], 2, record_id);
	if (sqlite3_step(st[2]) != SQLITE_DONE)
		rc = store_err(w->db, err, "import");
	sqlite3_reset(st[2]);
	return rc;
}

enum hs_err
records_unit_region(struct records_writer *w, const char *unit,
    char region[16], char *err)
{
	sqlite3_stmt *st = w->unit_get;
	enum hs_err rc = HS_OK;
	int s;

	region[0] = '\0';
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	if ((s = sqlite3_step(st)) == SQLITE_ROW)
		col_text(st, 0, region, 16);
	else if (s == SQLITE_DONE)
		rc = HS_ERR_NOTFOUND;
	else
		rc = store_err(w->db, err, "import");
	sqlite3_reset(st);
	return rc;
}

enum hs_err
records_put_unit(struct records_writer *w, const char *unit,
    const char *region, char *err)
{
	sqlite3_stmt *st = w->unit_add;
	enum hs_err rc = HS_OK;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(w->db, err, "import");
	sqlite3_reset(st);
	if (rc != HS_OK)
		return rc;
	/* Records stored before the unit had a region get it now. */
	st = w->unit_fill;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(w->db, err, "import");
	sqlite3_reset(st);
	return rc;
}

enum hs_err
records_ref_of(sqlite3 *db, int64_t id, char out[129], char *err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *ref;
	enum hs_err rc = HS_OK;
	int s;

	snprintf(out, 129, "#%lld", (long long)id);
	if (sqlite3_prepare_v2(db, "SELECT ref FROM records WHERE id = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading records");
	sqlite3_bind_int64(st, 1, id);
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		ref = sqlite3_column_text(st, 0);
		if (ref != NULL && ref[0] != '\0')
			snprintf(out, 129, "%s", (const char *)ref);
	} else if (s == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no record #%lld",
		    (long long)id);
	else
		rc = store_err(db, err, "reading records");
	sqlite3_finalize(st);
	return rc;
}
