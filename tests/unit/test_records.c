/* Unit tests for records.c and the append-only triggers of the store. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert/cert.h"
#include "cert/policy.h"
#include "store/records.h"
#include "store/store.h"
#include "core/util.h"
#include "t.h"
#include "tlib.h"

static char dir[T_DIRMAX];

static sqlite3 *
open_db(void)
{
	char path[512], err[HS_ERRLEN] = "";
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/t.db", dir);
	T_OK(store_open(path, STORE_CREATE, &db, err) == HS_OK, "open %s", err);
	return db;
}

static void
exec(sqlite3 *db, const char *sql)
{
	char *e = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK) {
		printf("# %s: %s\n", sql, e);
		sqlite3_free(e);
	}
}

static int
count_cb(void *ctx, const struct records_pending *r)
{
	(*(int *)ctx)++;
	return 0;
}

static struct policy *
load(const char *name)
{
	char err[HS_ERRLEN] = "";
	struct policy *p = t_policy(name, err);

	T_OK(p != NULL, "load %s", err);
	return p;
}

static void
test_records(sqlite3 *db)
{
	struct policy *fj = load("fujian"), *wh = load("weihai");
	struct cert_record *recs = NULL;
	struct records_person p;
	struct policy_result res;
	int64_t *ids = NULL, *rids = NULL;
	char err[HS_ERRLEN];
	size_t n = 0, st = 0, sk = 0;
	int pending = 0;

	exec(db, "INSERT INTO practitioners VALUES (1, '350102198001011233', "
	    "'3501**********1233', 'ZGlnZXN0', '张三', '福州市第一医院', "
	    "'2024-01-01T00:00:00Z'),"
	    "(2, '11010519491231002X', '1101**********002X', 'ZA==', '李四', "
	    "'', '2024-01-01T00:00:00Z');"
	    "INSERT INTO records (id, practitioner_id, year, subject, "
	    "public_type, form, title, provider, start_date, end_date, hours10,"
	    " author_role, ref, source, imported) VALUES "
	    "(1, 1, 2024, 'public', 'compulsory', 1, '政绩观', '基地', "
	    "'2024-03-01', '2024-03-03', 120, NULL, 'A1', 't:1', 'x'),"
	    "(2, 1, 2024, 'professional', NULL, 8, '论文', '卫健委', "
	    "'2024-06-30', '2024-06-30', 600, 'first', 'A2', 't:2', 'x'),"
	    "(3, 1, 2024, 'public', 'elective', 2, '选修', '基地', "
	    "'2024-02-01', '2024-02-01', 80, NULL, NULL, 't:3', 'x'),"
	    "(4, 2, 2024, 'public', NULL, 2, '公需', '基地', "
	    "'2024-05-01', '2024-05-04', 300, NULL, 'B1', 't:4', 'x'),"
	    "(5, 2, 2023, 'professional', NULL, 2, '旧', '基地', "
	    "'2023-05-01', '2023-05-10', 600, NULL, 'B2', 't:5', 'x');");
	records_pending_each(db, 0, count_cb, &pending, err);
	T_OK(pending == 5, "5 records pending");
	pending = 0;
	records_pending_each(db, 2023, count_cb, &pending, err);
	T_OK(pending == 1, "1 record pending in 2023");

	T_OK(records_holders(db, 2024, &ids, &n, err) == HS_OK && n == 0,
	    "no holders before stamping");
	free(ids);

	err[0] = '\0';
	T_OK(records_stamp_ref(db, "A1", NULL, "福州市人社局", RECORDS_INDUSTRY,
	    err) == HS_ERR_STATE, "industry may not stamp public");
	T_OK(strstr(err, "only professional") != NULL, "message: %s", err);
	T_OK(records_stamp_ref(db, "A1", NULL, "福州市人社局", RECORDS_HR, err)
	    == HS_OK, "HR stamps public A1");
	T_OK(records_stamp_ref(db, "A1", NULL, "福州市人社局", RECORDS_HR, err)
	    == HS_ERR_STATE && strstr(err, "already stamped by 福州市人社局")
	    != NULL, "second stamp refused: %s", err);
	T_OK(records_stamp_ref(db, "A2", NULL, "省卫健委", RECORDS_INDUSTRY,
	    err) == HS_OK, "industry stamps professional A2");
	T_OK(records_stamp_ref(db, "#3", NULL, "福州市人社局", RECORDS_HR, err)
	    == HS_OK, "stamp by #id");
	T_OK(records_stamp_ref(db, "nope", NULL, "x", RECORDS_HR, err) ==
	    HS_ERR_NOTFOUND, "unknown ref");
	T_OK(records_stamp_ref(db, "B1", "", "x", RECORDS_HR, err) ==
	    HS_ERR_INVALID, "empty reason refused");
	T_OK(records_stamp_ref(db, "B1", "重复申报", "x\n", RECORDS_HR, err) ==
	    HS_ERR_INVALID, "control character in --by refused");
	T_OK(records_stamp_ref(db, "B1", "重复申报", "北京市人社局", RECORDS_HR,
	    err) == HS_OK, "reject B1");
	T_OK(records_stamp_all(db, 0, "某行业主管部门", RECORDS_INDUSTRY, &st,
	    &sk, err) == HS_OK && st == 1 && sk == 0,
	    "industry --all stamps the one professional record left");

	T_OK(records_holders(db, 2024, &ids, &n, err) == HS_OK && n == 1 &&
	    ids[0] == 1, "holders in 2024: only practitioner 1 (B1 rejected)");
	free(ids);
	T_OK(records_people(db, 2024, &ids, &n, err) == HS_OK && n == 2,
	    "people in 2024: both");
	free(ids);

	T_OK(records_stamped(db, 1, 2024, wh, &recs, &rids, &n, err) == HS_OK &&
	    n == 3, "three stamped records");
	if (n == 3) {
		T_STREQ(recs[0].subject, "public/elective", "sorted by date, split");
		T_STREQ(recs[0].form, "face-to-face", "form name");
		T_STREQ(recs[1].subject, "public/compulsory", "compulsory");
		T_STREQ(recs[1].start, "2024-03-01", "start date");
		T_STREQ(recs[2].subject, "professional", "professional");
		T_OK(recs[2].hours10 == 600 && rids[2] == 2, "hours and id");
		policy_evaluate(wh, recs, n, &res);
		T_OK(res.public10 == 200 && res.compulsory10 == 120 &&
		    res.elective10 == 80 && res.professional10 == 600 &&
		    !res.met && res.missing_compulsory10 == 80 &&
		    res.missing_elective10 == 20, "weihai evaluation");
	}
	free(recs);
	free(rids);
	T_OK(records_stamped(db, 1, 2024, fj, &recs, NULL, &n, err) == HS_OK &&
	    n == 3 && strcmp(recs[0].subject, "public") == 0,
	    "unsplit policy gives plain public");
	free(recs);

	T_OK(records_person_find(db, "350102198001011233", &p, err) == HS_OK &&
	    p.id == 1 && strcmp(p.name, "张三") == 0 &&
	    strcmp(p.id_masked, "3501**********1233") == 0, "find by ID");
	T_OK(records_person_find(db, "350102198001011234", &p, err) ==
	    HS_ERR_INVALID && strstr(err, "expected 3") != NULL,
	    "find with a bad ID: %s", err);
	T_OK(records_person_find(db, "35010219900307123" "4", &p, err) ==
	    HS_ERR_NOTFOUND && strcmp(err, "no practitioner with ID number "
	    "3501**********1234") == 0, "not found, masked: %s", err);
	T_OK(records_person_get(db, 2, &p, err) == HS_OK &&
	    strcmp(p.id_digest, "ZA==") == 0, "get by id");
	policy_free(fj);
	policy_free(wh);
}

/* UPDATE and DELETE on append-only tables fail with the trigger's words. */
static void
test_append_only(sqlite3 *db)
{
	static const struct {
		const char *sql, *want;
	} rows[] = {
		{ "UPDATE stamps SET decision = 'rejected'",
		    "stamps are append-only" },
		{ "UPDATE stamps SET authority = 'someone else' WHERE id = 1",
		    "stamps are append-only" },
		{ "DELETE FROM stamps", "stamps are append-only" },
		{ "DELETE FROM stamps WHERE id = 1", "stamps are append-only" },
		{ "UPDATE leaves SET entry = x'00'", "ledger is append-only" },
		{ "DELETE FROM leaves", "ledger is append-only" },
		{ "UPDATE tree SET hash = x'00'", "ledger is append-only" },
		{ "DELETE FROM tree", "ledger is append-only" },
		{ "UPDATE checkpoints SET note = ''", "ledger is append-only" },
		{ "DELETE FROM checkpoints", "ledger is append-only" },
	};
	sqlite3_stmt *st = NULL;
	char *e;
	size_t i;
	int before = -1, after = -2;

	exec(db, "INSERT INTO leaves VALUES (0, x'41', x'42');"
	    "INSERT INTO tree VALUES (1, x'43');"
	    "INSERT INTO checkpoints VALUES (1, x'44', 'n', 't');");
	sqlite3_prepare_v2(db, "SELECT count(*) FROM stamps WHERE decision = "
	    "'stamped'", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		before = sqlite3_column_int(st, 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		e = NULL;
		T_OK(sqlite3_exec(db, rows[i].sql, NULL, NULL, &e) != SQLITE_OK &&
		    e != NULL && strstr(e, rows[i].want) != NULL,
		    "refused: %s (%s)", rows[i].sql, e ? e : "accepted!");
		sqlite3_free(e);
	}
	sqlite3_reset(st);
	if (sqlite3_step(st) == SQLITE_ROW)
		after = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	T_OK(before == after && before == 4, "stamps unchanged (%d)", after);
	e = NULL;
	T_OK(sqlite3_exec(db, "INSERT INTO stamps (record_id, decision, "
	    "authority, authority_kind, at) VALUES (1, 'stamped', 'x', 'hr', "
	    "'t')", NULL, NULL, &e) != SQLITE_OK, "a second stamp for a record "
	    "is refused");
	sqlite3_free(e);
}

int
main(void)
{
	sqlite3 *db;

	if (t_tmpdir("records", dir, sizeof(dir)) != 0)
		return 2;
	if ((db = open_db()) != NULL) {
		test_records(db);
		test_append_only(db);
		store_close(db);
	}
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
