/*
 * Unit tests for app/auditview.c: which audit rows a region scope sees
 * (the actor's region, the object's region, rows outside every scope for
 * the province only), newest first, paging by seq, and who may read.
 */
#include <stdlib.h>
#include <string.h>

#include "app/auditview.h"
#include "store/audit.h"
#include "store/store.h"
#include "core/util.h"
#include "t.h"
#include "tlib.h"

static char dir[T_DIRMAX];

static void
exec(sqlite3 *db, const char *sql)
{
	char *e = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK) {
		printf("# %s: %s\n", sql, e);
		sqlite3_free(e);
	}
}

/* Appends one audit row in its own transaction. */
static void
add(sqlite3 *db, const char *actor, const char *role, const char *action,
    const char *object, const char *detail)
{
	struct actor a = { actor, role, "org", "" };
	char err[HS_ERRLEN] = "";

	exec(db, "BEGIN IMMEDIATE");
	if (audit_append(db, &a, action, object, detail, NULL, err) != HS_OK)
		printf("# audit_append: %s\n", err);
	exec(db, "COMMIT");
}

/* The seqs a page shows, as "9 7 3", and its next. */
struct seen {
	char seqs[512];
	char detail[128];  /* the last row's */
	int n;
};

static int
collect(void *ctx, const struct auditview_row *r)
{
	struct seen *s = ctx;
	size_t l = strlen(s->seqs);

	snprintf(s->seqs + l, sizeof(s->seqs) - l, "%s%lld",
	    l > 0 ? " " : "", (long long)r->seq);
	snprintf(s->detail, sizeof(s->detail), "%s", r->detail);
	s->n++;
	return 0;
}

static struct principal
who(enum principal_role role, const char *region)
{
	struct principal p;

	memset(&p, 0, sizeof p);
	p.role = role;
	snprintf(p.name, sizeof p.name, "t-%s", region);
	snprintf(p.org, sizeof p.org, "org");
	snprintf(p.region, sizeof p.region, "%s", region);
	return p;
}

/* All rows p sees (one big page), as "seq seq ...". */
static const char *
page_all(sqlite3 *db, const struct principal *p, struct seen *s)
{
	char err[HS_ERRLEN] = "";
	int64_t next = -1;

	memset(s, 0, sizeof *s);
	if (auditview_page(db, p, 0, AUDITVIEW_PAGE_MAX, collect, s, &next,
	    err) != HS_OK) {
		printf("# auditview_page: %s\n", err);
		return "(error)";
	}
	if (next != 0)
		printf("# next %lld after one big page\n", (long long)next);
	return s->seqs;
}

int
main(void)
{
	char path[512], err[HS_ERRLEN] = "";
	struct principal prov, city, city2, other, aud, ind, op;
	struct seen s;
	sqlite3 *db = NULL;
	int64_t next = -1;
	enum hs_err rc;

	if (t_tmpdir("auditview", dir, sizeof dir) != 0)
		return 2;
	snprintf(path, sizeof path, "%s/t.db", dir);
	T_OK(store_open(path, STORE_CREATE, &db, err) == HS_OK, "open %s", err);
	if (db == NULL)
		return 2;

	exec(db, "INSERT INTO units VALUES ('厦门医院', '350203'),"
	    " ('福州医院', '350102');"
	    "INSERT INTO practitioners VALUES (1, '350102198001011233', "
	    "'3501**********1233', 'ZA==', '张三', '福州医院', 'x'),"
	    "(2, '11010519491231002X', '1101**********002X', 'ZA==', '李四', "
	    "'厦门医院', 'x');"
	    "INSERT INTO records (id, practitioner_id, year, subject, form,"
	    " title, provider, start_date, end_date, hours10, ref, source,"
	    " imported, unit, region) VALUES"
	    " (1, 1, 2024, 'public', 1, 't', 'p', '2024-01-01', '2024-01-01',"
	    "  10, 'R1', 's', 'x', '福州医院', '350102'),"
	    " (2, 2, 2024, 'public', 1, 't', 'p', '2024-01-01', '2024-01-01',"
	    "  10, 'R2', 's', 'x', '厦门医院', '350203'),"
	    " (3, 2, 2024, 'public', 1, 't', 'p', '2024-01-02', '2024-01-02',"
	    "  10, NULL, 's', 'x', '无名单位', '');"
	    "INSERT INTO accounts (name, role, region, domain, unit, org,"
	    " created, created_by) VALUES"
	    " ('prov-hr', 'hr', '35', '', '', '福建省人社厅', 0, 'cli'),"
	    " ('xm-hr', 'hr', '3502', '', '', '厦门市人社局', 0, 'cli'),"
	    " ('fz-hr', 'hr', '3501', '', '', '福州市人社局', 0, 'cli'),"
	    " ('xm-wsj', 'industry', '3502', '卫生', '', '厦门市卫健委', 0,"
	    "  'cli'),"
	    " ('xm-emp', 'employer', '', '', '厦门医院', '厦门医院', 0, 'cli');"
	    "INSERT INTO api_tokens (hash, label, role, region, org, created,"
	    " created_by, expires) VALUES (x'00', 'xm-title', 'title-system',"
	    " '3502', '厦门职改办', 0, 'cli', 9);");

	/* seq: what it touches */
	add(db, "cli", "operator", "key.add", "main", "");               /* 1: nothing */
	add(db, "cli", "operator", "account.add", "xm-hr", "");          /* 2: 3502 (object) */
	add(db, "xm-hr", "hr", "record.stamp", "R2", "");                /* 3: 3502 both */
	add(db, "prov-hr", "hr", "record.stamp", "R1", "");              /* 4: 35, 350102 */
	add(db, "xm-wsj", "industry", "session.signin", "xm-wsj", "");   /* 5: 3502 */
	add(db, "xm-emp", "employer", "session.signin", "xm-emp", "");   /* 6: 350203 via unit */
	add(db, "token:xm-title", "title-system", "hours.query", "", ""); /* 7: 3502 */
	add(db, "cli", "operator", "record.reject", "record:3",
	    "'; DROP TABLE records;--<script>");                        /* 8: '' record */
	add(db, "fz-hr", "hr", "record.withdraw", "R1", "理由");          /* 9: 3501 */
	add(db, "prov-hr", "hr", "session.signin", "prov-hr", "");       /* 10: 35 */

	prov = who(PRINCIPAL_HR, "35");
	city = who(PRINCIPAL_HR, "3502");
	city2 = who(PRINCIPAL_HR, "3501");
	other = who(PRINCIPAL_HR, "36");
	aud = who(PRINCIPAL_AUDITOR, "350203");
	ind = who(PRINCIPAL_INDUSTRY, "3502");
	op = who(PRINCIPAL_OPERATOR, "");

	T_STREQ(page_all(db, &prov, &s), "10 9 8 7 6 5 4 3 2 1",
	    "province hr sees every row, newest first");
	T_STREQ(page_all(db, &city, &s), "7 6 5 3 2",
	    "xiamen hr: its staff, its records, its accounts, its tokens");
	T_STREQ(page_all(db, &city2, &s), "9 4",
	    "fuzhou hr: the province's stamp of a fuzhou record, its own "
	    "withdrawal");
	T_STREQ(page_all(db, &other, &s), "8 1",
	    "another province's hr sees only the rows outside every scope, "
	    "as for records");
	T_STREQ(page_all(db, &aud, &s), "6 3",
	    "a district auditor: rows touching its district only");
	T_STREQ(page_all(db, &op, &s), "10 9 8 7 6 5 4 3 2 1",
	    "the operator sees everything");

	memset(&s, 0, sizeof s);
	rc = auditview_page(db, &ind, 0, 10, collect, &s, &next, err);
	T_OK(rc == HS_ERR_STATE && s.n == 0, "industry may not read the "
	    "audit log (%s)", err);
	memset(&s, 0, sizeof s);
	rc = auditview_page(db, &city, 0, 0, collect, &s, &next, err);
	T_OK(rc == HS_ERR_INVALID && strstr(err, "limit") != NULL,
	    "limit 0 is refused naming limit (%s)", err);
	rc = auditview_page(db, &city, 0, AUDITVIEW_PAGE_MAX + 1, collect, &s,
	    &next, err);
	T_OK(rc == HS_ERR_INVALID, "limit over the maximum is refused");

	/* Paging: two at a time through the province's ten rows. */
	memset(&s, 0, sizeof s);
	rc = auditview_page(db, &prov, 0, 4, collect, &s, &next, err);
	T_OK(rc == HS_OK && next == 7, "page 1: next before seq 7 (%lld)",
	    (long long)next);
	T_STREQ(s.seqs, "10 9 8 7", "page 1 rows");
	memset(&s, 0, sizeof s);
	rc = auditview_page(db, &prov, next, 4, collect, &s, &next, err);
	T_STREQ(s.seqs, "6 5 4 3", "page 2 rows");
	memset(&s, 0, sizeof s);
	rc = auditview_page(db, &prov, next, 4, collect, &s, &next, err);
	T_STREQ(s.seqs, "2 1", "page 3 rows");
	T_OK(rc == HS_OK && next == 0, "page 3 is the last");
	memset(&s, 0, sizeof s);
	rc = auditview_page(db, &city, 0, 2, collect, &s, &next, err);
	T_OK(rc == HS_OK && next == 6, "scoped page 1: next %lld",
	    (long long)next);
	memset(&s, 0, sizeof s);
	rc = auditview_page(db, &city, next, 2, collect, &s, &next, err);
	T_STREQ(s.seqs, "5 3", "scoped page 2 skips out-of-scope rows");
	memset(&s, 0, sizeof s);
	rc = auditview_page(db, &city, next, 2, collect, &s, &next, err);
	T_STREQ(s.seqs, "2", "scoped page 3");
	T_OK(next == 0, "scoped page 3 is the last");

	/* Hostile text comes back exactly as stored (the page escapes it). */
	memset(&s, 0, sizeof s);
	rc = auditview_page(db, &prov, 9, 1, collect, &s, &next, err);
	T_STREQ(s.seqs, "8", "row 8 read alone (before 9, limit 1)");
	T_STREQ(s.detail, "'; DROP TABLE records;--<script>",
	    "a hostile detail comes back as stored");
	T_OK(sqlite3_exec(db, "SELECT count(*) FROM records", NULL, NULL,
	    NULL) == SQLITE_OK, "the records table is still there");

	store_close(db);
	t_rmtree(dir);
	return t_done();
}
