/*
 * Unit tests for app/stamp.c and app/principal.c: the scope matrix of
 * 验印 (hr 35 / 3502 / 3503, industry 3502/卫生 and 3502/教育, roles
 * that may not stamp), out of scope answering exactly as a missing
 * record, the queue and its paging, withdraw / correct / re-stamp with
 * the history, corrections checked by import's rules, hostile reasons.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/import.h"
#include "app/principal.h"
#include "app/stamp.h"
#include "cert/cert.h"
#include "cert/policy.h"
#include "store/records.h"
#include "store/store.h"
#include "core/util.h"
#include "t.h"
#include "tlib.h"

static char dir[T_DIRMAX];
static const int64_t NOW = 1795000000; /* 2026-11-18 */

static void
exec(sqlite3 *db, const char *sql)
{
	char *e = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK) {
		printf("# %s: %s\n", sql, e);
		sqlite3_free(e);
	}
}

static long long
q(sqlite3 *db, const char *sql)
{
	return t_q(db, sql);
}

static void
qtext(sqlite3 *db, const char *sql, char *out, size_t n)
{
	sqlite3_stmt *st = NULL;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, n, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/*
 * A fresh database: two practitioners and six waiting records.
 *   P1 public 3502 (provider 基地A)   W1 professional 卫生 3502
 *   E1 professional 教育 3502          W3 professional 卫生 3503
 *   N1 public, region '' (outside every scope)
 *   W2 professional 卫生 350203
 */
static sqlite3 *
fresh(void)
{
	char path[512], err[HS_ERRLEN] = "";
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/t.db", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-shm", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (store_open(path, STORE_CREATE, &db, err) != HS_OK) {
		T_OK(0, "open: %s", err);
		return NULL;
	}
	exec(db, "INSERT INTO practitioners VALUES (1, '350102198001011233',"
	    " '3501**********1233', 'd1', '张三', '厦门市第一医院', 't'),"
	    " (2, '11010519491231002X', '1101**********002X', 'd2', '李四',"
	    " '厦门一中', 't');"
	    "INSERT INTO units VALUES ('厦门市第一医院', '3502'),"
	    " ('厦门一中', '3502'), ('泉州医院', '3503'), ('思明医院', '350203');"
	    "INSERT INTO records (id, practitioner_id, year, subject,"
	    " public_type, form, title, provider, start_date, end_date,"
	    " hours10, domain, ref, source, imported, unit, region) VALUES"
	    " (1, 1, 2024, 'public', NULL, 2, '政绩观', '基地A', '2024-03-01',"
	    "  '2024-03-03', 200, NULL, 'P1', 't', 't', '厦门市第一医院', '3502'),"
	    " (2, 1, 2024, 'professional', NULL, 2, '临床新技术', '厦门市卫健委',"
	    "  '2024-04-01', '2024-04-05', 400, '卫生', 'W1', 't', 't',"
	    "  '厦门市第一医院', '3502'),"
	    " (3, 2, 2024, 'professional', NULL, 2, '教学法', '厦门教育基地',"
	    "  '2024-05-01', '2024-05-02', 160, '教育', 'E1', 't', 't',"
	    "  '厦门一中', '3502'),"
	    " (4, 1, 2024, 'professional', NULL, 2, '护理', '泉州卫健委',"
	    "  '2024-06-01', '2024-06-01', 80, '卫生', 'W3', 't', 't',"
	    "  '泉州医院', '3503'),"
	    " (5, 2, 2024, 'public', NULL, 2, '法治', '省基地', '2024-07-01',"
	    "  '2024-07-01', 80, NULL, 'N1', 't', 't', '', ''),"
	    " (6, 1, 2024, 'professional', NULL, 2, '急救', '思明卫健委',"
	    "  '2024-08-01', '2024-08-01', 80, '卫生', 'W2', 't', 't',"
	    "  '思明医院', '350203');");
	return db;
}

static void
who(struct principal *p, enum principal_role role, const char *name,
    const char *region, const char *domain, const char *provider,
    const char *unit, const char *org)
{
	memset(p, 0, sizeof(*p));
	p->role = role;
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->region, sizeof(p->region), "%s", region);
	snprintf(p->domain, sizeof(p->domain), "%s", domain);
	snprintf(p->provider, sizeof(p->provider), "%s", provider);
	snprintf(p->unit, sizeof(p->unit), "%s", unit);
	snprintf(p->org, sizeof(p->org), "%s", org);
}

static struct principal hr35, hr3502, hr3503, wj, jy, prov, aud, emp;

static void
principals(void)
{
	who(&hr35, PRINCIPAL_HR, "hr35", "35", "", "", "", "福建省人社厅");
	who(&hr3502, PRINCIPAL_HR, "hr3502", "3502", "", "", "", "厦门市人社局");
	who(&hr3503, PRINCIPAL_HR, "hr3503", "3503", "", "", "", "泉州市人社局");
	who(&wj, PRINCIPAL_INDUSTRY, "xm-wj", "3502", "卫生", "", "",
	    "厦门市卫健委");
	who(&jy, PRINCIPAL_INDUSTRY, "xm-jy", "3502", "教育", "", "",
	    "厦门市教育局");
	who(&prov, PRINCIPAL_PROVIDER, "base-a", "", "", "基地A", "", "基地A");
	who(&aud, PRINCIPAL_AUDITOR, "aud", "35", "", "", "", "审计");
	who(&emp, PRINCIPAL_EMPLOYER, "emp", "", "", "", "厦门一中", "厦门一中");
}

static const char *
rcname(enum hs_err rc)
{
	return rc == HS_OK ? "ok" : hs_strerror(rc);
}

/* The scope matrix: each row on a fresh database. */
static void
test_matrix(void)
{
	static const struct {
		const struct principal *p;
		const char *ref;
		enum hs_err want;
	} rows[] = {
		{ &hr35, "P1", HS_OK }, { &hr35, "W1", HS_OK },
		{ &hr35, "E1", HS_OK }, { &hr35, "W3", HS_OK },
		{ &hr35, "N1", HS_OK }, { &hr35, "W2", HS_OK },
		{ &hr3502, "P1", HS_OK }, { &hr3502, "E1", HS_OK },
		{ &hr3502, "W2", HS_OK }, { &hr3502, "W3", HS_ERR_NOTFOUND },
		{ &hr3502, "N1", HS_ERR_NOTFOUND },
		{ &hr3503, "W3", HS_OK }, { &hr3503, "P1", HS_ERR_NOTFOUND },
		{ &hr3503, "W1", HS_ERR_NOTFOUND },
		{ &wj, "W1", HS_OK }, { &wj, "W2", HS_OK },
		{ &wj, "P1", HS_ERR_NOTFOUND },   /* public */
		{ &wj, "E1", HS_ERR_NOTFOUND },   /* 教育 */
		{ &wj, "W3", HS_ERR_NOTFOUND },   /* 3503 */
		{ &wj, "N1", HS_ERR_NOTFOUND },
		{ &wj, "#2", HS_OK },             /* W1 by id */
		{ &wj, "#1", HS_ERR_NOTFOUND },   /* P1 by id */
		{ &jy, "E1", HS_OK }, { &jy, "W1", HS_ERR_NOTFOUND },
		{ &jy, "P1", HS_ERR_NOTFOUND },
		{ &aud, "P1", HS_ERR_STATE }, { &prov, "P1", HS_ERR_STATE },
		{ &emp, "E1", HS_ERR_STATE },
		{ &hr35, "NOPE", HS_ERR_NOTFOUND }, { &hr35, "#99", HS_ERR_NOTFOUND },
	};
	char err[HS_ERRLEN], want[128];
	sqlite3 *db;
	enum hs_err rc;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *ref = rows[i].ref;

		if ((db = fresh()) == NULL)
			return;
		err[0] = '\0';
		rc = stamp_records(db, rows[i].p, &ref, 1, NOW, err);
		T_OK(rc == rows[i].want, "%s stamps %s: %s (want %s) %s",
		    rows[i].p->name, ref, rcname(rc), rcname(rows[i].want), err);
		/* Out of scope reads exactly as missing: the same words. */
		if (rows[i].want == HS_ERR_NOTFOUND) {
			snprintf(want, sizeof(want), "no record with ref %s", ref);
			T_STREQ(err, want, "  %s: out of scope = not found",
			    ref);
		}
		if (rc == HS_OK)
			T_OK(q(db, "SELECT count(*) FROM records WHERE state = "
			    "'stamped'") == 1 && q(db, "SELECT count(*) FROM "
			    "audit WHERE action = 'record.stamp'") == 1,
			    "  one record stamped, one audit row");
		else
			T_OK(q(db, "SELECT count(*) FROM stamps") == 0 &&
			    q(db, "SELECT count(*) FROM audit") == 0,
			    "  nothing stamped, nothing audited");
		store_close(db);
	}
}

static int
count_rows(void *ctx, const struct stamp_row *r)
{
	char *s = ctx;

	strcat(s, r->ref);
	strcat(s, " ");
	return 0;
}

static void
test_queue(void)
{
	static const struct {
		const struct principal *p;
		const char *state, *subject;
		int limit;
		const char *want;
	} rows[] = {
		{ &hr35, NULL, NULL, 100, "P1 W1 E1 W3 N1 W2 " },
		{ &hr3502, NULL, NULL, 100, "P1 W1 E1 W2 " },
		{ &hr3503, NULL, NULL, 100, "W3 " },
		{ &wj, NULL, NULL, 100, "W1 W2 " },
		{ &jy, NULL, NULL, 100, "E1 " },
		{ &aud, NULL, NULL, 100, "P1 W1 E1 W3 W2 " }, /* not '' */
		{ &prov, NULL, NULL, 100, "P1 " },
		{ &emp, NULL, NULL, 100, "E1 " },
		{ &hr35, NULL, "public", 100, "P1 N1 " },
		{ &hr35, "stamped", NULL, 100, "" },
		{ &hr35, "any", "professional", 100, "W1 E1 W3 W2 " },
	};
	struct stamp_filter f;
	char got[256], err[HS_ERRLEN];
	int64_t next = 0, after;
	sqlite3 *db;
	size_t i;
	int pages;

	if ((db = fresh()) == NULL)
		return;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.state = rows[i].state;
		f.subject = rows[i].subject;
		got[0] = '\0';
		T_OK(stamp_queue(db, rows[i].p, &f, 0, rows[i].limit,
		    count_rows, got, &next, err) == HS_OK && next == 0,
		    "queue of %s: %s", rows[i].p->name, err);
		T_STREQ(got, rows[i].want, "  lists [%s]", got);
	}
	/* Paging by key: one a page, the same rows, then next = 0. */
	got[0] = '\0';
	after = 0;
	pages = 0;
	do {
		if (stamp_queue(db, &hr35, NULL, after, 1, count_rows, got,
		    &next, err) != HS_OK)
			break;
		after = next;
		pages++;
	} while (next != 0 && pages < 20);
	T_STREQ(got, "P1 W1 E1 W3 N1 W2 ", "paged one by one: the same rows");
	T_OK(pages == 6, "  in 6 pages (%d)", pages);
	memset(&f, 0, sizeof(f));
	f.state = "'; DROP TABLE records;--";
	T_OK(stamp_queue(db, &hr35, &f, 0, 10, count_rows, got, &next, err) ==
	    HS_ERR_INVALID && strncmp(err, "state:", 6) == 0,
	    "a bad state filter is refused: %s", err);
	memset(&f, 0, sizeof(f));
	f.unit = "厦门一中' OR 1=1 --";
	got[0] = '\0';
	T_OK(stamp_queue(db, &hr35, &f, 0, 10, count_rows, got, &next, err) ==
	    HS_OK && got[0] == '\0', "SQL in a filter is data: no rows");
	T_OK(stamp_queue(db, &hr35, NULL, 0, 0, count_rows, got, &next, err) ==
	    HS_ERR_INVALID && stamp_queue(db, &hr35, NULL, 0, 1001,
	    count_rows, got, &next, err) == HS_ERR_INVALID,
	    "limit 1-1000: %s", err);
	store_close(db);
}

/* A correction row for W1 (import's fields), with one field changed. */
static void
w1_row(const char *const f0[IMPORT_NFIELDS], const char *f[IMPORT_NFIELDS])
{
	static const char *const base[IMPORT_NFIELDS] = {
		[IMPORT_ID_NUMBER] = "350102198001011233",
		[IMPORT_NAME] = "张三",
		[IMPORT_UNIT] = "厦门市第一医院",
		[IMPORT_YEAR] = "2024",
		[IMPORT_SUBJECT] = "专业",
		[IMPORT_FORM] = "面授",
		[IMPORT_TITLE] = "临床新技术",
		[IMPORT_PROVIDER] = "厦门市卫健委",
		[IMPORT_START_DATE] = "2024-04-01",
		[IMPORT_END_DATE] = "2024-04-05",
		[IMPORT_HOURS] = "36",
		[IMPORT_DOMAIN] = "卫生",
		[IMPORT_REF] = "W1",
	};
	int k;

	for (k = 0; k < IMPORT_NFIELDS; k++)
		f[k] = f0 != NULL && f0[k] != NULL ? f0[k] : base[k];
}

struct hist {
	char s[1024];
};

static int
hist_cb(void *ctx, const struct stamp_event *e)
{
	struct hist *h = ctx;
	char one[128];

	snprintf(one, sizeof(one), "v%d %s %s %s; ", e->version, e->what,
	    e->authority_kind, e->account);
	if (strlen(h->s) + strlen(one) < sizeof(h->s))
		strcat(h->s, one);
	return 0;
}

static void
test_workflow(void)
{
	struct policy *pol;
	const char *f[IMPORT_NFIELDS], *ref = "W1", *p1 = "P1";
	const char *over[IMPORT_NFIELDS];
	char err[HS_ERRLEN], big[12000], txt[1024];
	struct stamp_row r;
	struct hist h;
	struct cert_record *recs = NULL;
	size_t n = 0, i;
	long today;
	sqlite3 *db;

	static const struct {
		enum import_field field;
		const char *value, *want;
	} bad[] = {
		{ IMPORT_HOURS, "abc", "hours: must be a number" },
		{ IMPORT_HOURS, "60", "hours: 60 hours in 5 days exceeds" },
		{ IMPORT_YEAR, "24", "year: must be a four-digit year" },
		{ IMPORT_ID_NUMBER, "11010519491231002X", "id_number: not this "
		    "record's practitioner" },
		{ IMPORT_ID_NUMBER, "350102198001011234", "id_number: wrong "
		    "check character" },
		{ IMPORT_NAME, "王五", "name: 王五 is registered for" },
		{ IMPORT_REF, "W9", "ref: W9 is not this record's ref (W1)" },
		{ IMPORT_TITLE, "<script>alert(1)</script>|x", "title: '|' is "
		    "not allowed" },
		{ IMPORT_REGION, "35x", "region: must be 2-12 digits" },
		{ IMPORT_REGION, "3503", "region: unit 厦门市第一医院 is in "
		    "region 3502, not 3503" },
		{ IMPORT_DOMAIN, "卫\xe2\x80\xae生", "domain: U+202E" },
	};

	if ((pol = t_policy("fujian", err)) == NULL) {
		T_OK(0, "policy: %s", err);
		return;
	}
	date_parse("2026-11-23", &today);
	if ((db = fresh()) == NULL)
		goto out;
	w1_row(NULL, f);

	/* Stamp; stamped once per version. */
	T_OK(stamp_records(db, &hr35, &ref, 1, NOW, err) == HS_OK,
	    "hr35 stamps W1: %s", err);
	T_OK(stamp_records(db, &wj, &ref, 1, NOW, err) == HS_ERR_STATE &&
	    strstr(err, "W1: already stamped by 福建省人社厅 (hr35) at ") != NULL,
	    "a second stamp says who stamped: %s", err);
	T_OK(records_stamped(db, 1, 2024, pol, &recs, NULL, &n, err) ==
	    HS_OK && n == 1, "W1 counts for certificates (%zu)", n);
	free(recs);
	T_OK(record_correct(db, pol, &hr35, "W1", f, "学时有误", today, NOW,
	    err) == HS_ERR_STATE && strstr(err, "withdraw it first") != NULL,
	    "a stamped record must be withdrawn first: %s", err);

	/* Withdraw: scoped like stamping, a reason required. */
	T_OK(stamp_withdraw(db, &jy, "W1", "误", NOW, err) == HS_ERR_NOTFOUND,
	    "教育 cannot withdraw a 卫生 record: %s", err);
	T_OK(stamp_withdraw(db, &wj, "W1", NULL, NOW, err) == HS_ERR_INVALID &&
	    strncmp(err, "reason:", 7) == 0, "withdraw needs a reason");
	T_OK(stamp_withdraw(db, &wj, "W1", "专业误标", NOW, err) == HS_OK,
	    "卫生 withdraws W1: %s", err);
	T_OK(q(db, "SELECT count(*) FROM records WHERE ref = 'W1' AND state = "
	    "'withdrawn'") == 1, "  state withdrawn");
	T_OK(records_stamped(db, 1, 2024, pol, &recs, NULL, &n, err) ==
	    HS_OK && n == 0, "  and it no longer counts (%zu)", n);
	free(recs);
	T_OK(stamp_withdraw(db, &wj, "W1", "again", NOW, err) == HS_ERR_STATE,
	    "  withdrawn twice: %s", err);
	T_OK(stamp_records(db, &hr35, &ref, 1, NOW, err) == HS_ERR_STATE &&
	    strstr(err, "waits for a correction") != NULL,
	    "  a withdrawn record is not stamped again as it is: %s", err);

	/* Corrections: import's rules, the field named. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(over, 0, sizeof(over));
		over[bad[i].field] = bad[i].value;
		w1_row(over, f);
		err[0] = '\0';
		T_OK(record_correct(db, pol, &hr35, "W1", f, "更正", today, NOW,
		    err) == HS_ERR_INVALID && strncmp(err, bad[i].want,
		    strlen(bad[i].want)) == 0, "correction refused: %s",
		    err);
	}
	T_OK(q(db, "SELECT version FROM records WHERE ref = 'W1'") == 1 &&
	    q(db, "SELECT count(*) FROM record_versions") == 0,
	    "  refused corrections change nothing");
	w1_row(NULL, f);
	T_OK(record_correct(db, pol, &jy, "W1", f, "x", today, NOW, err) ==
	    HS_ERR_STATE, "industry may not correct: %s", err);
	T_OK(record_correct(db, pol, &hr3503, "W1", f, "x", today, NOW, err) ==
	    HS_ERR_NOTFOUND, "hr of another city: not found: %s", err);

	/* Hostile reasons. */
	memset(big, 'x', 10240);
	big[10240] = '\0';
	T_OK(record_correct(db, pol, &hr35, "W1", f, big, today, NOW, err) ==
	    HS_ERR_INVALID && strstr(err, "reason: longer than 500") != NULL,
	    "a 10 kB reason: %s", err);
	T_OK(record_correct(db, pol, &hr35, "W1", f, "a\nb", today, NOW, err) ==
	    HS_ERR_INVALID && strstr(err, "control") != NULL,
	    "a newline in a reason: %s", err);
	T_OK(record_correct(db, pol, &hr35, "W1", f, "ok\xe2\x80\xae" "evil",
	    today, NOW, err) == HS_ERR_INVALID && strstr(err, "U+202E") != NULL,
	    "a bidi override in a reason: %s", err);
	T_OK(record_correct(db, pol, &hr35, "W1", f, "bad" "\xff", today, NOW,
	    err) == HS_ERR_INVALID && strstr(err, "UTF-8") != NULL,
	    "invalid UTF-8 in a reason: %s", err);

	/* The correction itself. */
	T_OK(record_correct(db, pol, &hr35, "W1", f,
	    "'; DROP TABLE records;-- <script>学时更正</script>", today, NOW,
	    err) == HS_OK, "hr35 corrects W1: %s", err);
	T_OK(q(db, "SELECT count(*) FROM records WHERE ref = 'W1' AND version "
	    "= 2 AND state = 'waiting' AND stamp_id IS NULL AND hours10 = 360")
	    == 1, "  version 2, waiting, 36 hours");
	qtext(db, "SELECT fields FROM record_versions WHERE version = 1",
	    txt, sizeof(txt));
	T_OK(strstr(txt, "\"hours\":\"40\"") != NULL && strstr(txt,
	    "\"state\":\"withdrawn\"") != NULL && strstr(txt,
	    "350102198001011233") == NULL, "  the old version kept, no ID "
	    "number: %s", txt);
	qtext(db, "SELECT reason FROM record_versions", txt, sizeof(txt));
	T_STREQ(txt, "'; DROP TABLE records;-- <script>学时更正</script>",
	    "  the reason is stored as it was given");

	/* Re-stamp the new version; the history has it all. */
	T_OK(stamp_records(db, &wj, &ref, 1, NOW, err) == HS_OK,
	    "卫生 stamps version 2: %s", err);
	T_OK(q(db, "SELECT version FROM stamps WHERE id = (SELECT stamp_id "
	    "FROM records WHERE ref = 'W1')") == 2, "  the stamp names version 2");
	memset(&h, 0, sizeof(h));
	T_OK(stamp_history(db, &hr35, "W1", hist_cb, &h, err) == HS_OK,
	    "history: %s", err);
	T_STREQ(h.s, "v1 stamped hr hr35; v1 withdrawn industry xm-wj; "
	    "v1 corrected  hr35; v2 stamped industry xm-wj; ",
	    "  every decision and version, in order");
	T_OK(stamp_history(db, &hr3503, "W1", hist_cb, &h, err) ==
	    HS_ERR_NOTFOUND, "  out of scope: not found");
	T_OK(stamp_get(db, &wj, "W1", &r, err) == HS_OK &&
	    strcmp(r.state, "stamped") == 0 && strcmp(r.authority,
	    "厦门市卫健委") == 0 && strcmp(r.account, "xm-wj") == 0 &&
	    r.version == 2, "stamp_get: who stamped the current version");

	/* Reject, then the training base corrects its own record. */
	T_OK(stamp_reject(db, &hr3502, &p1, 1, NULL, NOW, err) ==
	    HS_ERR_INVALID, "reject without a reason: %s", err);
	T_OK(stamp_reject(db, &hr3502, &p1, 1, "材料不全", NOW, err) == HS_OK,
	    "hr3502 rejects P1: %s", err);
	memset(over, 0, sizeof(over));
	over[IMPORT_SUBJECT] = "公需";
	over[IMPORT_PUBLIC_TYPE] = "必修";
	over[IMPORT_TITLE] = "政绩观";
	over[IMPORT_PROVIDER] = "基地A";
	over[IMPORT_START_DATE] = "2024-03-01";
	over[IMPORT_END_DATE] = "2024-03-03";
	over[IMPORT_HOURS] = "18";
	over[IMPORT_DOMAIN] = "";
	over[IMPORT_REF] = "P1";
	w1_row(over, f);
	T_OK(record_correct(db, pol, &prov, "P1", f, "补充材料", today, NOW,
	    err) == HS_OK, "the training base corrects its rejected record: %s",
	    err);
	over[IMPORT_PROVIDER] = "基地B";
	w1_row(over, f);
	T_OK(record_correct(db, pol, &prov, "P1", f, "换机构", today, NOW,
	    err) == HS_ERR_INVALID && strncmp(err, "provider:", 9) == 0,
	    "  but cannot hand it to another provider: %s", err);
	T_OK(record_correct(db, pol, &prov, "W1", f, "x", today, NOW, err) ==
	    HS_ERR_NOTFOUND, "  nor touch another provider's record");

	/* Audit: one row per action, the ref as object, no ID number. */
	T_OK(q(db, "SELECT count(*) FROM audit") == 6 &&
	    q(db, "SELECT count(*) FROM audit WHERE action = 'record.stamp'")
	    == 2 && q(db, "SELECT count(*) FROM audit WHERE action = "
	    "'record.withdraw' AND object = 'W1' AND detail = '专业误标' AND "
	    "actor = 'xm-wj' AND role = 'industry' AND org = '厦门市卫健委'") == 1
	    && q(db, "SELECT count(*) FROM audit WHERE action = "
	    "'record.correct'") == 2 && q(db, "SELECT count(*) FROM audit "
	    "WHERE action = 'record.reject' AND detail = '材料不全'") == 1,
	    "audit rows for stamp, withdraw, correct, reject (%lld)",
	    q(db, "SELECT count(*) FROM audit"));
	T_OK(q(db, "SELECT count(*) FROM audit WHERE object LIKE '%3501021980%'"
	    " OR detail LIKE '%3501021980%'") == 0, "  no ID number in the audit");

	/* stamp_all stamps only the scope. */
	{
		size_t k = 0;

		T_OK(stamp_all(db, &jy, NULL, NOW, &k, err) == HS_OK && k == 1,
		    "教育 --all stamps E1 only (%zu) %s", k, err);
		T_OK(stamp_all(db, &wj, NULL, NOW, &k, err) == HS_OK && k == 1 &&
		    q(db, "SELECT state FROM records WHERE ref = 'P1'") == 0,
		    "卫生 --all stamps W2 only, never the public P1 (%zu)", k);
		T_OK(stamp_all(db, &aud, NULL, NOW, &k, err) == HS_ERR_STATE,
		    "an auditor cannot stamp: %s", err);
	}
	{
		struct principal pipe = hr35;
		const char *e1 = "E1";

		snprintf(pipe.org, sizeof(pipe.org), "人社厅|伪造");
		T_OK(stamp_withdraw(db, &pipe, e1, "x", NOW, err) ==
		    HS_ERR_INVALID && strstr(err, "'|'") != NULL,
		    "an organisation with '|' cannot stamp: %s", err);
	}
	store_close(db);
out:
	policy_free(pol);
}

/* The unit -> region map. */
static void
test_units(void)
{
	char err[HS_ERRLEN];
	size_t n = 99;
	sqlite3 *db;

	if ((db = fresh()) == NULL)
		return;
	T_OK(unit_set_region(db, &hr3503, "厦门一中", "350206", &n, err) ==
	    HS_ERR_STATE, "hr3503 cannot move a unit into 3502: %s", err);
	T_OK(unit_set_region(db, &hr3502, "泉州医院", "3502", &n, err) ==
	    HS_ERR_NOTFOUND, "another city's unit is not found: %s", err);
	T_OK(unit_set_region(db, &hr3502, "厦门一中", "350206", &n, err) ==
	    HS_OK && n == 1, "hr3502 moves 厦门一中 to 350206 (%zu)", n);
	T_OK(q(db, "SELECT count(*) FROM records WHERE unit = '厦门一中' AND "
	    "region = '350206'") == 1, "  its record follows");
	T_OK(q(db, "SELECT count(*) FROM audit WHERE action = 'unit.region' "
	    "AND object = '厦门一中' AND detail = '3502 -> 350206'") == 1,
	    "  audited with old and new");
	T_OK(unit_set_region(db, &hr35, "没有的单位", "35", &n, err) ==
	    HS_ERR_NOTFOUND, "an unknown unit: %s", err);
	T_OK(unit_set_region(db, &hr35, "厦门一中", "35a", &n, err) ==
	    HS_ERR_INVALID && strncmp(err, "region:", 7) == 0, "a bad region");
	T_OK(unit_set_region(db, &wj, "厦门一中", "3502", &n, err) ==
	    HS_ERR_STATE, "industry cannot set regions");
	store_close(db);
}

static void
test_predicate(void)
{
	T_OK(principal_region_covers("35", "") &&
	    !principal_region_covers("3502", "") &&
	    principal_region_covers("3502", "350203") &&
	    !principal_region_covers("3502", "3503") &&
	    !principal_region_covers("", "3502") &&
	    !principal_region_covers("350203", "3502"),
	    "region prefixes; only a province covers ''");
	T_OK(principal_sees_record(&wj, "3502", "卫生", "professional", "x",
	    "u") && !principal_sees_record(&wj, "3502", "卫生", "public", "x",
	    "u") && !principal_sees_record(&wj, "3502", "教育",
	    "professional", "x", "u") && !principal_sees_record(&wj, "",
	    "卫生", "professional", "x", "u"),
	    "industry: its domain's professional records in its region");
	T_OK(principal_may_stamp(&hr35, "3502", NULL, "public", NULL, NULL) &&
	    !principal_may_stamp(&aud, "3502", NULL, "public", NULL, NULL) &&
	    principal_sees_record(&aud, "3502", NULL, "public", NULL, NULL),
	    "an auditor sees but may not stamp");
	T_OK(principal_role_parse("title-system") == PRINCIPAL_TITLE_SYSTEM &&
	    principal_role_parse("root") == PRINCIPAL_NONE &&
	    strcmp(principal_role_name(PRINCIPAL_INDUSTRY), "industry") == 0,
	    "role names");
}

int
main(void)
{
	if (t_tmpdir("stamp", dir, sizeof(dir)) != 0)
		return 2;
	principals();
	test_predicate();
	test_matrix();
	test_queue();
	test_workflow();
	test_units();
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
