/*
 * auditview.c - this module reads the audit log for the console: the rows
 * a principal's region scope covers, newest first, paged by seq.
 */
#include <string.h>

#include "app/auditview.h"
#include "store/store.h"

/*
 * Each row with the two regions it touches (auditview.h): the actor's and
 * the object's, '' when there is none. Every lookup is by a unique key
 * (accounts.name, records.ref, records.id, certificates.serial,
 * units.name) except the token label, a small table.
 */
static const char page_sql[] =
	"SELECT a.seq, a.at, a.actor, a.role, a.org, a.action, a.object,"
	"  a.detail, a.client,"
	"  COALESCE("
	"    (SELECT CASE ac.role WHEN 'employer' THEN"
	"       (SELECT u.region FROM units u WHERE u.name = ac.unit)"
	"       ELSE ac.region END FROM accounts ac WHERE ac.name = a.actor),"
	"    CASE WHEN substr(a.actor, 1, 6) = 'token:' THEN"
	"      (SELECT t.region FROM api_tokens t"
	"       WHERE t.label = substr(a.actor, 7) ORDER BY t.id DESC LIMIT 1)"
	"    END, ''),"
	"  COALESCE("
	"    (SELECT r.region FROM records r WHERE r.ref = a.object),"
	"    CASE WHEN a.object GLOB 'record:[0-9]*' THEN"
	"      (SELECT r.region FROM records r"
	"       WHERE r.id = CAST(substr(a.object, 8) AS INTEGER))"
	"    END,"
	"    (SELECT CASE ac.role WHEN 'employer' THEN"
	"       (SELECT u.region FROM units u WHERE u.name = ac.unit)"
	"       ELSE ac.region END FROM accounts ac WHERE ac.name = a.object),"
	"    (SELECT u.region FROM certificates c JOIN units u"
	"       ON u.name = c.unit WHERE c.serial = a.object),"
	"    '')"
	" FROM audit a WHERE a.seq < ?1 ORDER BY a.seq DESC";

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "";
}

/* Whether a row touching regions ar (actor) and orr (object) is in p's
 * scope (the rule in auditview.h). */
static bool
row_in_scope(const struct principal *p, const char *ar, const char *orr)
{
	if (p->role == PRINCIPAL_OPERATOR)
		return true;
	if (ar[0] != '\0' && principal_region_covers(p->region, ar))
		return true;
	if (orr[0] != '\0' && principal_region_covers(p->region, orr))
		return true;
	return ar[0] == '\0' && orr[0] == '\0' &&
	    principal_region_covers(p->region, "");
}

enum hs_err
auditview_page(sqlite3 *db, const struct principal *p, int64_t before,
    int limit, int (*fn)(void *ctx, const struct auditview_row *r),
    void *ctx, int64_t *next, char *err)
{
	sqlite3_stmt *st = NULL;
	struct auditview_row row;
	enum hs_err rc = HS_OK;
	int step, shown = 0, scanned = 0;
	int64_t last = 0;

	*next = 0;
	if (p == NULL || (p->role != PRINCIPAL_HR &&
	    p->role != PRINCIPAL_AUDITOR && p->role != PRINCIPAL_OPERATOR))
		return hs_fail(err, HS_ERR_STATE, "the audit log is for hr "
		    "and auditor accounts only");
	if (p->role != PRINCIPAL_OPERATOR && p->region[0] == '\0')
		return hs_fail(err, HS_ERR_STATE, "account %s has no region",
		    p->name);
	if (limit < 1 || limit > AUDITVIEW_PAGE_MAX)
		return hs_fail(err, HS_ERR_INVALID, "limit: must be 1 to %d",
		    AUDITVIEW_PAGE_MAX);
	if (before <= 0)
		before = INT64_MAX;
	if (sqlite3_prepare_v2(db, page_sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(db, err, "audit log");
	sqlite3_bind_int64(st, 1, before);
	/* Stop at a full page or after AUDITVIEW_SCAN_MAX rows read; then
	 * one more step tells whether an older row is left. */
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (shown == limit || scanned == AUDITVIEW_SCAN_MAX) {
			*next = last;
			break;
		}
		scanned++;
		last = sqlite3_column_int64(st, 0);
		if (!row_in_scope(p, col(st, 9), col(st, 10)))
			continue;
		row.seq = last;
		row.at = col(st, 1);
		row.actor = col(st, 2);
		row.role = col(st, 3);
		row.org = col(st, 4);
		row.action = col(st, 5);
		row.object = col(st, 6);
		row.detail = col(st, 7);
		row.client = col(st, 8);
		shown++;
		if (fn(ctx, &row) != 0)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = store_err(db, err, "audit log");
	sqlite3_finalize(st);
	return rc;
}
