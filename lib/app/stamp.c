/*
 * stamp.c - 验印 and corrections as actions (stamp.h): each checks the
 * principal's role and scope, changes the records and the stamps
 * history in one transaction, and appends the audit row in it.
 *
 * A record out of scope is reported exactly as a missing one ("no record
 * with ref R"), so a probe cannot tell them apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/import.h"
#include "app/authz.h"
#include "app/stamp.h"
#include "cert/policy.h"
#include "store/audit.h"
#include "store/records.h"
#include "store/store.h"
#include "core/util.h"

/* The columns row_read reads, in its order. */
#define ROW_SQL "SELECT r.id, r.ref, p.id_masked, p.name, r.unit, r.region, " \
	"r.year, r.subject, r.public_type, r.form, r.start_date, " \
	"r.end_date, r.hours10, r.title, r.provider, r.domain, r.state, " \
	"r.version, r.submitted_by, s.authority, s.authority_kind, " \
	"s.account, s.reason, s.at FROM records r JOIN practitioners p ON " \
	"p.id = r.practitioner_id LEFT JOIN stamps s ON s.id = r.stamp_id "

static void
col(sqlite3_stmt *st, int i, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, outsz, "%s", t != NULL ? (const char *)t : "");
}

static void
row_read(sqlite3_stmt *st, struct stamp_row *r)
{
	const char *subj, *pt;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) == SQLITE_NULL)
		snprintf(r->ref, sizeof(r->ref), "#%lld", (long long)r->id);
	else
		col(st, 1, r->ref, sizeof(r->ref));
	col(st, 2, r->id_masked, sizeof(r->id_masked));
	col(st, 3, r->name, sizeof(r->name));
	col(st, 4, r->unit, sizeof(r->unit));
	col(st, 5, r->region, sizeof(r->region));
	r->year = sqlite3_column_int(st, 6);
	subj = (const char *)sqlite3_column_text(st, 7);
	pt = (const char *)sqlite3_column_text(st, 8);
	if (subj != NULL && strcmp(subj, "public") == 0 && pt != NULL)
		snprintf(r->subject, sizeof(r->subject), "public/%s", pt);
	else
		snprintf(r->subject, sizeof(r->subject), "%s", subj ? subj : "");
	r->form = sqlite3_column_int(st, 9);
	col(st, 10, r->start, sizeof(r->start));
	col(st, 11, r->end, sizeof(r->end));
	r->hours10 = (long)sqlite3_column_int64(st, 12);
	col(st, 13, r->title, sizeof(r->title));
	col(st, 14, r->provider, sizeof(r->provider));
	col(st, 15, r->domain, sizeof(r->domain));
	col(st, 16, r->state, sizeof(r->state));
	r->version = sqlite3_column_int(st, 17);
	col(st, 18, r->submitted_by, sizeof(r->submitted_by));
	col(st, 19, r->authority, sizeof(r->authority));
	col(st, 20, r->authority_kind, sizeof(r->authority_kind));
	col(st, 21, r->account, sizeof(r->account));
	col(st, 22, r->reason, sizeof(r->reason));
	col(st, 23, r->at, sizeof(r->at));
}

/* Runs sql with ?1 = a and ?2 = b (text). */
static enum hs_err
exec2(sqlite3 *db, const char *sql, const char *a, const char *b,
    char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "database");
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "database");
	sqlite3_finalize(st);
	return rc;
}

/* "public" or "professional" from a row's subject ("public/elective"). */
static const char *
row_subject(const struct stamp_row *r)
{
	return strncmp(r->subject, "public", 6) == 0 ? "public" :
	    "professional";
}

static bool
row_seen(const struct principal *p, const struct stamp_row *r)
{
	return principal_sees_record(p, r->region, r->domain, row_subject(r),
	    r->provider, r->unit);
}

static bool
row_stampable(const struct principal *p, const struct stamp_row *r)
{
	return principal_may_stamp(p, r->region, r->domain, row_subject(r),
	    r->provider, r->unit);
}

/* The audit object of a record: its ref, or "record:<id>". */
static void
row_object(const struct stamp_row *r, char *out, size_t outsz)
{
	if (r->ref[0] == '#')
		snprintf(out, outsz, "record:%lld", (long long)r->id);
	else
		snprintf(out, outsz, "%s", r->ref);
}

/*
 * The record named ref (its ref, else "#N"/"N" for id N), unscoped:
 * HS_OK, HS_ERR_NOTFOUND ("no record with ref R"), or a database error.
 */
static enum hs_err
row_load(sqlite3 *db, const char *ref, struct stamp_row *r, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc;

	if (ref == NULL || ref[0] == '\0' || strlen(ref) > STAMP_REF_MAX)
		return hs_fail(err, HS_ERR_INVALID, "ref: 1-%d bytes",
		    STAMP_REF_MAX);
	if (sqlite3_prepare_v2(db, ROW_SQL "WHERE (?1 IS NOT NULL AND r.ref = "
	    "?1) OR (?2 IS NOT NULL AND r.id = ?2)", -1, &st, NULL)
	    != SQLITE_OK)
		return store_err(db, err, "reading records");
	if ((rc = records_step_ref(db, st, ref, err)) == HS_OK)
		row_read(st, r);
	sqlite3_finalize(st);
	return rc;
}

/* row_load, and out of p's sight is "not found" too. */
static enum hs_err
row_load_seen(sqlite3 *db, const struct principal *p, const char *ref,
    bool stamping, struct stamp_row *r, char *err)
{
	enum hs_err rc;

	if ((rc = row_load(db, ref, r, err)) != HS_OK)
		return rc;
	if (stamping ? !row_stampable(p, r) : !row_seen(p, r)) {
		memset(r, 0, sizeof(*r));
		return hs_fail(err, HS_ERR_NOTFOUND, "no record with ref %s",
		    ref);
	}
	return HS_OK;
}

enum hs_err
stamp_reason_check(const char *reason, char *err)
{
	size_t n = reason ? strlen(reason) : 0;
	const char *fc;
	uint32_t cp;

	if (n == 0)
		return hs_fail(err, HS_ERR_INVALID, "reason: required");
	if (!utf8_valid(reason, n))
		return hs_fail(err, HS_ERR_INVALID, "reason: not valid UTF-8");
	if (utf8_count(reason) > STAMP_REASON_MAX)
		return hs_fail(err, HS_ERR_INVALID, "reason: longer than %d "
		    "characters", STAMP_REASON_MAX);
	if (has_control(reason))
		return hs_fail(err, HS_ERR_INVALID, "reason: control "
		    "characters (tab, newline, ...) are not allowed");
	if ((fc = utf8_format_char(reason, &cp)) != NULL)
		return hs_fail(err, HS_ERR_INVALID, "reason: U+%04X (%s) is not "
		    "allowed", (unsigned)cp, fc);
	if (reason[0] == ' ' || reason[n - 1] == ' ')
		return hs_fail(err, HS_ERR_INVALID, "reason: leading or "
		    "trailing spaces");
	return HS_OK;
}

/* A role that may not stamp at all: refused before any record is read. */
static enum hs_err
check_stamper(const struct principal *p, enum authz_action a, char *err)
{
	uint32_t cp;

	/* The one table (app/authz.c) decides, for the CLI as for the
	 * service; the operator has no organisation to stamp for. */
	if (!authz_allowed(p->role, a) || p->role == PRINCIPAL_OPERATOR)
		return hs_fail(err, HS_ERR_STATE, "a%s %s account may not stamp, "
		    "reject or withdraw records (验印 is for hr and industry "
		    "accounts)", p->role == PRINCIPAL_AUDITOR ||
		    p->role == PRINCIPAL_EMPLOYER ||
		    p->role == PRINCIPAL_OPERATOR ? "n" : "",
		    principal_role_name(p->role));
	if (p->org[0] == '\0')
		return hs_fail(err, HS_ERR_STATE, "account %s has no "
		    "organisation to stamp for", p->name);
	/* Certificates sign it after a '|' (formats §3, stamped by). */
	if (strchr(p->org, '|') != NULL || has_control(p->org) ||
	    utf8_format_char(p->org, &cp) != NULL)
		return hs_fail(err, HS_ERR_INVALID, "account %s: its "
		    "organisation has a '|', a control character or an "
		    "invisible or direction-changing character, which a "
		    "certificate cannot carry", p->name);
	return HS_OK;
}

/* The RFC 3339 time of now (Unix seconds). */
static void
at_of(int64_t now, char out[21])
{
	time_rfc3339((time_t)now, out);
}

/* One decision (stamped, rejected, withdrawn) on a loaded record. */
static enum hs_err
decide_one(sqlite3 *db, const struct principal *p, const struct stamp_row *r,
    const char *decision, const char *reason, const char *at,
    sqlite3_stmt *ins[2], char *err)
{
	static const struct {
		const char *decision, *action;
	} actions[] = {
		{ "stamped", "record.stamp" },
		{ "rejected", "record.reject" },
		{ "withdrawn", "record.withdraw" },
	};
	const char *action = "record.stamp";
	struct actor a;
	char object[STAMP_REF_MAX + 32];
	enum hs_err rc;
	size_t i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(decision, actions[i].decision) == 0)
			action = actions[i].action;
	if (strcmp(decision, "withdrawn") == 0) {
		if (strcmp(r->state, "stamped") != 0 &&
		    strcmp(r->state, "rejected") != 0)
			return hs_fail(err, HS_ERR_STATE, "%s: %s; only a "
			    "stamped or rejected record can be withdrawn",
			    r->ref, r->state);
	} else if (strcmp(r->state, "waiting") != 0) {
		if (strcmp(r->state, "withdrawn") == 0)
			return hs_fail(err, HS_ERR_STATE, "%s: withdrawn by %s "
			    "at %s; it waits for a correction (hourseal-issuer "
			    "correct)", r->ref, r->authority, r->at);
		return hs_fail(err, HS_ERR_STATE, "%s: already %s by %s%s%s%s "
		    "at %s", r->ref, r->state, r->authority,
		    r->account[0] ? " (" : "", r->account,
		    r->account[0] ? ")" : "", r->at);
	}
	if ((rc = records_stamp_insert(db, ins, r->id, decision, p->org,
	    p->role == PRINCIPAL_INDUSTRY ? RECORDS_INDUSTRY : RECORDS_HR,
	    p->name, reason, at, err)) != HS_OK)
		return rc;
	principal_actor(p, &a);
	row_object(r, object, sizeof(object));
	return audit_append(db, &a, action, object, reason ? reason : "",
	    NULL, err);
}

/* stamp_records, stamp_reject and stamp_withdraw. */
static enum hs_err
decide(sqlite3 *db, const struct principal *p, const char *const *refs,
    size_t n, const char *decision, const char *reason, int64_t now,
    char *err)
{
	sqlite3_stmt *ins[2] = { NULL, NULL };
	struct stamp_row *r = NULL;
	char at[21];
	enum hs_err rc;
	size_t i;

	if ((rc = check_stamper(p, strcmp(decision, "stamped") == 0 ?
	    AZ_RECORD_STAMP : strcmp(decision, "rejected") == 0 ?
	    AZ_RECORD_REJECT : AZ_RECORD_WITHDRAW, err)) != HS_OK)
		return rc;
	if (n == 0 || n > STAMP_BATCH_MAX)
		return hs_fail(err, HS_ERR_INVALID, "refs: 1-%d records at a "
		    "time", STAMP_BATCH_MAX);
	if (reason != NULL && (rc = stamp_reason_check(reason, err)) != HS_OK)
		return rc;
	if ((r = malloc(sizeof(*r))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	at_of(now, at);
	if ((rc = store_begin(db, err)) != HS_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if ((rc = row_load_seen(db, p, refs[i], true, r, err)) != HS_OK)
			goto fail;
		if ((rc = decide_one(db, p, r, decision, reason, at, ins, err))
		    != HS_OK)
			goto fail;
	}
	sqlite3_finalize(ins[0]);
	sqlite3_finalize(ins[1]);
	ins[0] = ins[1] = NULL;
	rc = store_commit(db, err);
	goto out;
fail:
	store_rollback(db);
out:
	sqlite3_finalize(ins[0]);
	sqlite3_finalize(ins[1]);
	free(r);
	return rc;
}

enum hs_err
stamp_records(sqlite3 *db, const struct principal *p,
    const char *const *refs, size_t n, int64_t now, char *err)
{
	return decide(db, p, refs, n, "stamped", NULL, now, err);
}

enum hs_err
stamp_reject(sqlite3 *db, const struct principal *p,
    const char *const *refs, size_t n, const char *reason, int64_t now,
    char *err)
{
	if (reason == NULL)
		return hs_fail(err, HS_ERR_INVALID, "reason: required");
	return decide(db, p, refs, n, "rejected", reason, now, err);
}

enum hs_err
stamp_withdraw(sqlite3 *db, const struct principal *p, const char *ref,
    const char *reason, int64_t now, char *err)
{
	if (reason == NULL)
		return hs_fail(err, HS_ERR_INVALID, "reason: required");
	return decide(db, p, &ref, 1, "withdrawn", reason, now, err);
}

/* ---- the queue ---------------------------------------------------------- */

/* A filter's text: NULL or "" means any; else bounded text. */
static enum hs_err
filter_text(const char *what, const char *s, char *err)
{
	if (s == NULL || s[0] == '\0')
		return HS_OK;
	if (strlen(s) > 255 || !utf8_valid(s, strlen(s)) || has_control(s))
		return hs_fail(err, HS_ERR_INVALID, "%s: at most 255 bytes of "
		    "text", what);
	return HS_OK;
}

static bool
given(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/*
 * The rows in p's scope matching filt with id > after, by id, at most
 * limit (0: all), each to fn. *last is the last id passed; *more is set
 * if fn stopped or the limit was reached with rows left.
 */
static enum hs_err
queue_run(sqlite3 *db, const struct principal *p,
    const struct stamp_filter *filt, int64_t after, int limit,
    int (*fn)(void *ctx, const struct stamp_row *r), void *ctx,
    int64_t *last, bool *more, char *err)
{
	static const struct stamp_filter none = { 0 };
	const char *state = "waiting";
	char sql[2048], hi[PRINCIPAL_REGION + 1];
	sqlite3_stmt *st = NULL;
	struct stamp_row *r = NULL;
	enum hs_err rc = HS_OK;
	bool region = false, province = false;
	int s, got = 0;

	*last = 0;
	*more = false;
	if (filt == NULL)
		filt = &none;
	if ((rc = filter_text("unit", filt->unit, err)) != HS_OK ||
	    (rc = filter_text("provider", filt->provider, err)) != HS_OK ||
	    (rc = filter_text("domain", filt->domain, err)) != HS_OK)
		return rc;
	if (filt->year != 0 && (filt->year < 1990 || filt->year > 2999))
		return hs_fail(err, HS_ERR_INVALID, "year: 1990-2999");
	if (filt->form < 0 || filt->form > 9)
		return hs_fail(err, HS_ERR_INVALID, "form: 1-9");
	if (given(filt->subject) && strcmp(filt->subject, "public") != 0 &&
	    strcmp(filt->subject, "professional") != 0)
		return hs_fail(err, HS_ERR_INVALID, "subject: public or "
		    "professional");
	if (given(filt->state)) {
		if (strcmp(filt->state, "waiting") != 0 &&
		    strcmp(filt->state, "stamped") != 0 &&
		    strcmp(filt->state, "rejected") != 0 &&
		    strcmp(filt->state, "withdrawn") != 0 &&
		    strcmp(filt->state, "any") != 0)
			return hs_fail(err, HS_ERR_INVALID, "state: waiting, "
			    "stamped, rejected, withdrawn or any");
		state = filt->state;
	}
	if (after < 0)
		return hs_fail(err, HS_ERR_INVALID, "after: a record id");

	/*
	 * The scope as SQL, the same rule as principal_sees_record: a
	 * region prefix R is the range [R, R":") over digit strings.
	 */
	snprintf(sql, sizeof(sql), "%s", ROW_SQL "WHERE r.id > :after");
	if (strcmp(state, "any") != 0)
		strcat(sql, " AND r.state = :state");
	switch (p->role) {
	case PRINCIPAL_HR:
		region = true;
		province = strlen(p->region) == 2;
		break;
	case PRINCIPAL_AUDITOR:
	case PRINCIPAL_TITLE_SYSTEM:
		region = true;
		break;
	case PRINCIPAL_INDUSTRY:
		region = true;
		strcat(sql, " AND r.subject = 'professional' AND r.domain = "
		    ":pdomain");
		break;
	case PRINCIPAL_PROVIDER:
		strcat(sql, " AND r.provider = :pprovider");
		break;
	case PRINCIPAL_EMPLOYER:
		strcat(sql, " AND r.unit = :punit");
		break;
	case PRINCIPAL_OPERATOR:
		break;
	default:
		strcat(sql, " AND 0");
		break;
	}
	/*
	 * The unary + keeps the planner off any index on region for the
	 * range: that walk is in region order and would sort every match;
	 * records_state / _domain / _provider / _unit walk in id order and
	 * stop after one page (EXPLAIN QUERY PLAN: tests/bench/bench_queue).
	 */
	if (region && province)
		strcat(sql, " AND ((+r.region >= :rlo AND +r.region < :rhi) OR "
		    "+r.region = '')");
	else if (region)
		strcat(sql, " AND +r.region >= :rlo AND +r.region < :rhi");
	if (filt->year != 0)
		strcat(sql, " AND r.year = :year");
	if (given(filt->unit))
		strcat(sql, " AND r.unit = :unit");
	if (given(filt->provider))
		strcat(sql, " AND r.provider = :provider");
	if (given(filt->domain))
		strcat(sql, " AND r.domain = :domain");
	if (filt->form != 0)
		strcat(sql, " AND r.form = :form");
	if (given(filt->subject))
		strcat(sql, " AND r.subject = :subject");
	strcat(sql, " ORDER BY r.id");
	if (limit > 0)
		strcat(sql, " LIMIT :limit");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading records");
#define BIND_TEXT(name, v) sqlite3_bind_text(st, \
	sqlite3_bind_parameter_index(st, name), (v), -1, SQLITE_STATIC)
#define BIND_INT(name, v) sqlite3_bind_int64(st, \
	sqlite3_bind_parameter_index(st, name), (v))
	BIND_INT(":after", after);
	BIND_TEXT(":state", state);
	BIND_TEXT(":pdomain", p->domain);
	BIND_TEXT(":pprovider", p->provider);
	BIND_TEXT(":punit", p->unit);
	snprintf(hi, sizeof(hi), "%s:", p->region);
	/* An empty scope region covers nothing. */
	BIND_TEXT(":rlo", p->region[0] ? p->region : ":");
	BIND_TEXT(":rhi", p->region[0] ? hi : ":");
	BIND_INT(":year", filt->year);
	BIND_TEXT(":unit", filt->unit);
	BIND_TEXT(":provider", filt->provider);
	BIND_TEXT(":domain", filt->domain);
	BIND_INT(":form", filt->form);
	BIND_TEXT(":subject", filt->subject);
	BIND_INT(":limit", limit + 1);
#undef BIND_TEXT
#undef BIND_INT
	if ((r = malloc(sizeof(*r))) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (limit > 0 && got == limit) {
			*more = true;
			break;
		}
		row_read(st, r);
		/* The SQL and the predicate are one rule; trust neither alone. */
		if (!row_seen(p, r))
			continue;
		got++;
		*last = r->id;
		if (fn(ctx, r) != 0) {
			*more = true;
			break;
		}
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = store_err(db, err, "reading records");
out:
	free(r);
	sqlite3_finalize(st);
	return rc;
}

enum hs_err
stamp_queue(sqlite3 *db, const struct principal *p,
    const struct stamp_filter *filt, int64_t after, int limit,
    int (*fn)(void *ctx, const struct stamp_row *r), void *ctx,
    int64_t *next, char *err)
{
	int64_t last;
	bool more;
	enum hs_err rc;

	*next = 0;
	if (limit < 1 || limit > STAMP_PAGE_MAX)
		return hs_fail(err, HS_ERR_INVALID, "limit: 1-%d",
		    STAMP_PAGE_MAX);
	rc = queue_run(db, p, filt, after, limit, fn, ctx, &last, &more, err);
	if (rc == HS_OK && more)
		*next = last;
	return rc;
}

/* stamp_all: the ids to stamp. */
struct idlist {
	int64_t *id;
	size_t n, cap;
	bool oom;
};

static int
collect(void *ctx, const struct stamp_row *r)
{
	struct idlist *l = ctx;
	int64_t *t;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;

		if ((t = realloc(l->id, cap * sizeof(*t))) == NULL) {
			l->oom = true;
			return 1;
		}
		l->id = t;
		l->cap = cap;
	}
	l->id[l->n++] = r->id;
	return 0;
}

enum hs_err
stamp_all(sqlite3 *db, const struct principal *p,
    const struct stamp_filter *filt, int64_t now, size_t *stamped,
    char *err)
{
	sqlite3_stmt *ins[2] = { NULL, NULL };
	struct stamp_filter f;
	struct idlist l = { NULL, 0, 0, false };
	struct stamp_row *r = NULL;
	char at[21], ref[32];
	int64_t last;
	bool more;
	enum hs_err rc;
	size_t i;

	*stamped = 0;
	if ((rc = check_stamper(p, AZ_RECORD_STAMP, err)) != HS_OK)
		return rc;
	if (filt != NULL)
		f = *filt;
	else
		memset(&f, 0, sizeof(f));
	f.state = "waiting";
	if ((r = malloc(sizeof(*r))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	at_of(now, at);
	if ((rc = store_begin(db, err)) != HS_OK)
		goto out;
	if ((rc = queue_run(db, p, &f, 0, 0, collect, &l, &last, &more, err))
	    != HS_OK)
		goto fail;
	if (l.oom) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < l.n; i++) {
		snprintf(ref, sizeof(ref), "#%lld", (long long)l.id[i]);
		if ((rc = row_load_seen(db, p, ref, true, r, err)) != HS_OK)
			goto fail;
		if ((rc = decide_one(db, p, r, "stamped", NULL, at, ins, err))
		    != HS_OK)
			goto fail;
	}
	sqlite3_finalize(ins[0]);
	sqlite3_finalize(ins[1]);
	ins[0] = ins[1] = NULL;
	if ((rc = store_commit(db, err)) == HS_OK)
		*stamped = l.n;
	goto out;
fail:
	store_rollback(db);
out:
	sqlite3_finalize(ins[0]);
	sqlite3_finalize(ins[1]);
	free(l.id);
	free(r);
	return rc;
}

enum hs_err
stamp_get(sqlite3 *db, const struct principal *p, const char *ref,
    struct stamp_row *r, char *err)
{
	return row_load_seen(db, p, ref, false, r, err);
}

/* ---- history ------------------------------------------------------------ */

enum hs_err
stamp_history(sqlite3 *db, const struct principal *p, const char *ref,
    int (*fn)(void *ctx, const struct stamp_event *e), void *ctx,
    char *err)
{
	sqlite3_stmt *st = NULL;
	struct stamp_row *r;
	struct stamp_event e;
	enum hs_err rc;
	int s;

	if ((r = malloc(sizeof(*r))) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	if ((rc = row_load_seen(db, p, ref, false, r, err)) != HS_OK)
		goto out;
	/*
	 * A version's decisions all come before the correction that
	 * replaced it: order by version, decisions first, then id / time.
	 */
	if (sqlite3_prepare_v2(db, "SELECT version, decision, authority, "
	    "authority_kind, coalesce(account, ''), coalesce(reason, ''), at,"
	    " '', 0 AS k, id FROM stamps WHERE record_id = ?1 UNION ALL "
	    "SELECT version, 'corrected', '', '', coalesce(account, ''), "
	    "coalesce(reason, ''), at, fields, 1, 0 FROM record_versions "
	    "WHERE record_id = ?1 ORDER BY 1, 9, 10", -1, &st, NULL)
	    != SQLITE_OK) {
		rc = store_err(db, err, "reading the history");
		goto out;
	}
	sqlite3_bind_int64(st, 1, r->id);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		e.version = sqlite3_column_int(st, 0);
		e.what = (const char *)sqlite3_column_text(st, 1);
		e.authority = (const char *)sqlite3_column_text(st, 2);
		e.authority_kind = (const char *)sqlite3_column_text(st, 3);
		e.account = (const char *)sqlite3_column_text(st, 4);
		e.reason = (const char *)sqlite3_column_text(st, 5);
		e.at = (const char *)sqlite3_column_text(st, 6);
		e.fields = (const char *)sqlite3_column_text(st, 7);
		if (fn(ctx, &e) != 0)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = store_err(db, err, "reading the history");
out:
	sqlite3_finalize(st);
	free(r);
	return rc;
}

/* ---- corrections -------------------------------------------------------- */

/* The old version of a record as JSON (formats.md §2b names). */
static char *
version_json(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *st = NULL;
	json_t *o = NULL;
	char *out = NULL, h[HOURS_SIZE];
	static const char *const names[] = { "year", "subject", "public_type",
		"form", "title", "provider", "start_date", "end_date",
		"hours", "author_role", "domain", "ref", "unit", "region",
		"state" };
	size_t i;

	if (sqlite3_prepare_v2(db, "SELECT year, subject, public_type, form, "
	    "title, provider, start_date, end_date, hours10, author_role, "
	    "domain, ref, unit, region, state FROM records WHERE id = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW || (o = json_object()) == NULL)
		goto out;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *v;

		if (sqlite3_column_type(st, (int)i) == SQLITE_NULL)
			continue;
		if (strcmp(names[i], "hours") == 0) {
			hours_format((long)sqlite3_column_int64(st, (int)i), h);
			v = json_string(h);
		} else if (sqlite3_column_type(st, (int)i) == SQLITE_INTEGER)
			v = json_integer(sqlite3_column_int64(st, (int)i));
		else
			v = json_string((const char *)sqlite3_column_text(st,
			    (int)i));
		if (v == NULL || json_object_set_new(o, names[i], v) != 0)
			goto out;
	}
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
out:
	json_decref(o);
	sqlite3_finalize(st);
	return out;
}

/*
 * The unit's region for a correction row: sets it when the row gives
 * one and the unit has none, refuses a different one. region gets the
 * unit's region ("" if none).
 */
static enum hs_err
correct_region(sqlite3 *db, const char *unit, const char *given_region,
    char region[16], char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int s;

	region[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT region FROM units WHERE name = ?",
	    -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading units");
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	if ((s = sqlite3_step(st)) == SQLITE_ROW)
		col(st, 0, region, 16);
	else if (s != SQLITE_DONE)
		rc = store_err(db, err, "reading units");
	sqlite3_finalize(st);
	st = NULL;
	if (rc != HS_OK || given_region[0] == '\0')
		return rc;
	if (region[0] != '\0') {
		if (strcmp(region, given_region) != 0)
			return hs_fail(err, HS_ERR_INVALID, "region: unit %s is "
			    "in region %s, not %s (HR changes it with "
			    "hourseal-issuer unit set)", unit, region,
			    given_region);
		return HS_OK;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO units (name, region) VALUES "
	    "(?, ?)", -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "writing units");
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, given_region, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = store_err(db, err, "writing units");
	sqlite3_finalize(st);
	if (rc == HS_OK)
		rc = exec2(db, "UPDATE records SET region = ?1 WHERE "
		    "state IN ('waiting','stamped','rejected','withdrawn') AND unit = ?2 "
		    "AND region = ''", given_region, unit, err);
	snprintf(region, 16, "%s", given_region);
	return rc;
}

enum hs_err
record_correct(sqlite3 *db, const struct policy *pol,
    const struct principal *p, const char *ref,
    const char *const f[IMPORT_NFIELDS], const char *reason, long today,
    int64_t now, char *err)
{
	sqlite3_stmt *st = NULL;
	struct stamp_row *r = NULL;
	struct import_record *ir = NULL;
	struct actor a;
	char at[21], idnum[IDNUM_SIZE] = "", pname[256] = "", region[16];
	char object[STAMP_REF_MAX + 32], warn[HS_ERRLEN];
	char *old = NULL;
	const char *unit;
	enum hs_err rc;
	int s;

	if (!authz_allowed(p->role, AZ_RECORD_CORRECT) ||
	    p->role == PRINCIPAL_OPERATOR)
		return hs_fail(err, HS_ERR_STATE, "a%s %s account may not correct "
		    "records (hr in its region, or the training base whose "
		    "record it is)", p->role == PRINCIPAL_AUDITOR ||
		    p->role == PRINCIPAL_EMPLOYER ||
		    p->role == PRINCIPAL_INDUSTRY ||
		    p->role == PRINCIPAL_OPERATOR ? "n" : "",
		    principal_role_name(p->role));
	if ((rc = stamp_reason_check(reason, err)) != HS_OK)
		return rc;
	/* The row first: import's rules, import's messages. */
	if ((ir = malloc(sizeof(*ir))) == NULL ||
	    (r = malloc(sizeof(*r))) == NULL) {
		free(ir);
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	}
	if ((rc = import_check_row(pol, f, today, ir, warn, err)) != HS_OK)
		goto out;
	at_of(now, at);
	if ((rc = store_begin(db, err)) != HS_OK)
		goto out;
	if ((rc = row_load_seen(db, p, ref, false, r, err)) != HS_OK)
		goto fail;
	if (strcmp(r->state, "stamped") == 0) {
		rc = hs_fail(err, HS_ERR_STATE, "%s: stamped by %s at %s; "
		    "withdraw it first (hourseal-issuer withdraw)", r->ref,
		    r->authority, r->at);
		goto fail;
	}
	if (p->role == PRINCIPAL_PROVIDER && strcmp(ir->provider,
	    p->provider) != 0) {
		rc = hs_fail(err, HS_ERR_INVALID, "provider: a training base "
		    "corrects only its own records (%s)", p->provider);
		goto fail;
	}
	if (ir->ref[0] != '\0' && (r->ref[0] == '#' || strcmp(ir->ref, r->ref)
	    != 0)) {
		rc = hs_fail(err, HS_ERR_INVALID, "ref: %s is not this record's "
		    "ref (%s)", ir->ref, r->ref);
		goto fail;
	}
	/* The same person: a correction never moves a record. */
	if (sqlite3_prepare_v2(db, "SELECT p.id_number, p.name FROM records r "
	    "JOIN practitioners p ON p.id = r.practitioner_id WHERE r.id = ?",
	    -1, &st, NULL) != SQLITE_OK) {
		rc = store_err(db, err, "reading records");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, r->id);
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		col(st, 0, idnum, sizeof(idnum));
		col(st, 1, pname, sizeof(pname));
	}
	sqlite3_finalize(st);
	st = NULL;
	if (strcmp(idnum, ir->id_number) != 0) {
		rc = hs_fail(err, HS_ERR_INVALID, "id_number: not this record's "
		    "practitioner (%s); a record for another person is a new "
		    "import", r->id_masked);
		goto fail;
	}
	if (strcmp(pname, ir->name) != 0) {
		rc = hs_fail(err, HS_ERR_INVALID, "name: %s is registered for "
		    "%s as %s", ir->name, r->id_masked, pname);
		goto fail;
	}
	unit = ir->unit[0] != '\0' ? ir->unit : r->unit;
	if ((rc = correct_region(db, unit, ir->region, region, err)) != HS_OK)
		goto fail;

	/* The old version into the history, then the record in place. */
	if ((old = version_json(db, r->id)) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "%s: cannot keep the old version",
		    r->ref);
		goto fail;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO record_versions (record_id, "
	    "version, fields, account, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
	    -1, &st, NULL) != SQLITE_OK) {
		rc = store_err(db, err, "correcting");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int(st, 2, r->version);
	sqlite3_bind_text(st, 3, old, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (s != SQLITE_DONE) {
		rc = store_err(db, err, "correcting");
		goto fail;
	}
	if (sqlite3_prepare_v2(db, "UPDATE records SET year = ?, subject = ?, "
	    "public_type = ?, form = ?, title = ?, provider = ?, start_date = "
	    "?, end_date = ?, hours10 = ?, author_role = ?, domain = ?, unit "
	    "= ?, region = ?, version = version + 1, state = 'waiting', "
	    "stamp_id = NULL WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		rc = store_err(db, err, "correcting");
		goto fail;
	}
	sqlite3_bind_int(st, 1, ir->year);
	sqlite3_bind_text(st, 2, ir->public ? "public" : "professional", -1,
	    SQLITE_STATIC);
	if (ir->ptype == PTYPE_NONE)
		sqlite3_bind_null(st, 3);
	else
		sqlite3_bind_text(st, 3, ir->ptype == PTYPE_COMPULSORY ?
		    "compulsory" : "elective", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, ir->form);
	sqlite3_bind_text(st, 5, ir->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, ir->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, ir->start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ir->end, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, ir->hours10);
	if (ir->role == ROLE_NONE)
		sqlite3_bind_null(st, 10);
	else
		sqlite3_bind_text(st, 10, ir->role == ROLE_FIRST ? "first" :
		    "other", -1, SQLITE_STATIC);
	if (ir->domain[0] == '\0')
		sqlite3_bind_null(st, 11);
	else
		sqlite3_bind_text(st, 11, ir->domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 14, r->id);
	s = sqlite3_step(st);
	if (s != SQLITE_DONE) {
		if (sqlite3_errcode(db) == SQLITE_CONSTRAINT)
			rc = hs_fail(err, HS_ERR_INVALID, "title: %s already "
			    "has another record with this title, provider and "
			    "dates", r->id_masked);
		else
			rc = store_err(db, err, "correcting");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	principal_actor(p, &a);
	row_object(r, object, sizeof(object));
	if ((rc = audit_append(db, &a, "record.correct", object, reason, NULL,
	    err)) != HS_OK)
		goto fail;
	rc = store_commit(db, err);
	goto out;
fail:
	sqlite3_finalize(st);
	st = NULL;
	store_rollback(db);
out:
	free(old);
	free(ir);
	free(r);
	return rc;
}

/* ---- units -------------------------------------------------------------- */

enum hs_err
unit_set_region(sqlite3 *db, const struct principal *p, const char *unit,
    const char *region, size_t *changed, char *err)
{
	sqlite3_stmt *st = NULL;
	struct actor a;
	char old[16] = "", detail[64];
	const char *fc;
	uint32_t cp;
	size_t n = unit ? strlen(unit) : 0;
	bool known = false;
	enum hs_err rc;
	int s;

	*changed = 0;
	if (p->role != PRINCIPAL_HR && p->role != PRINCIPAL_OPERATOR)
		return hs_fail(err, HS_ERR_STATE, "only hr accounts and the "
		    "operator set a unit's region");
	if (n == 0 || n > 300 || !utf8_valid(unit, n) || has_control(unit) ||
	    utf8_count(unit) > 100 || (fc = utf8_format_char(unit, &cp)) !=
	    NULL)
		return hs_fail(err, HS_ERR_INVALID, "unit: 1-100 characters of "
		    "text without control or invisible characters");
	if (region == NULL || strlen(region) < 2 || strlen(region) > 12 ||
	    strspn(region, "0123456789") != strlen(region))
		return hs_fail(err, HS_ERR_INVALID, "region: must be 2-12 digits, "
		    "an administrative-division code such as 3502");
	if (p->role == PRINCIPAL_HR && !principal_region_covers(p->region,
	    region))
		return hs_fail(err, HS_ERR_STATE, "region: %s is outside %s's "
		    "region %s", region, p->name, p->region);
	if ((rc = store_begin(db, err)) != HS_OK)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT region FROM units WHERE name = ?1 "
	    "UNION ALL SELECT NULL FROM records WHERE unit = ?1 AND state IN "
	    "('waiting','stamped','rejected','withdrawn') LIMIT 1", -1, &st,
	    NULL) != SQLITE_OK) {
		rc = store_err(db, err, "reading units");
		goto fail;
	}
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		known = true;
		col(st, 0, old, sizeof(old));
	} else if (s != SQLITE_DONE) {
		rc = store_err(db, err, "reading units");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* Another HR's unit is "not found", as out-of-scope records are. */
	if (!known || (p->role == PRINCIPAL_HR && old[0] != '\0' &&
	    !principal_region_covers(p->region, old))) {
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no unit named %s", unit);
		goto fail;
	}
	if ((rc = exec2(db, "INSERT INTO units (name, region) "
	    "VALUES (?2, ?1) ON CONFLICT (name) DO UPDATE SET region = ?1",
	    region, unit, err)) != HS_OK)
		goto fail;
	if ((rc = exec2(db, "UPDATE records SET region = ?1 WHERE "
	    "unit = ?2 AND state IN ('waiting','stamped','rejected',"
	    "'withdrawn')", region, unit, err)) != HS_OK)
		goto fail;
	*changed = (size_t)sqlite3_changes(db);
	principal_actor(p, &a);
	snprintf(detail, sizeof(detail), "%s -> %s", old[0] ? old : "(none)",
	    region);
	if ((rc = audit_append(db, &a, "unit.region", unit, detail, NULL,
	    err)) != HS_OK)
		goto fail;
	if ((rc = store_commit(db, err)) != HS_OK)
		*changed = 0;
	return rc;
fail:
	sqlite3_finalize(st);
	store_rollback(db);
	*changed = 0;
	return rc;
}

enum hs_err
unit_each(sqlite3 *db, int (*fn)(void *ctx, const char *unit,
    const char *region, int64_t records), void *ctx, char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	int s;

	if (sqlite3_prepare_v2(db, "SELECT name, region, (SELECT count(*) "
	    "FROM records r WHERE r.unit = u.name AND r.state IN ('waiting',"
	    "'stamped','rejected','withdrawn')) FROM (SELECT name, region "
	    "FROM units UNION SELECT DISTINCT unit, '' FROM records WHERE unit "
	    "!= '' AND unit NOT IN (SELECT name FROM units)) u ORDER BY name",
	    -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading units");
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int64(st, 2)) != 0)
			break;
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = store_err(db, err, "reading units");
	sqlite3_finalize(st);
	return rc;
}
