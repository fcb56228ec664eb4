/*
 * Unit tests for the records writer (store/records.h): the importer's
 * practitioners and records written and looked up by the module that
 * reads them, including hostile values (SQL quoting, values longer than
 * the read buffers, rows the schema refuses, a database without the
 * schema).
 */
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

#ifndef HS_TEMPLATES_DIR
#define HS_TEMPLATES_DIR "templates"
#endif

static char dir[] = "/tmp/hs-recw-XXXXXX";

static long long
q(sqlite3 *db, const char *sql)
{
	return t_q(db, sql);
}

static struct records_new
course(int64_t pid, const char *title, const char *ref)
{
	struct records_new r;

	memset(&r, 0, sizeof(r));
	r.practitioner_id = pid;
	r.year = 2024;
	r.subject = "professional";
	r.public_type = "";
	r.form = 1;
	r.title = title;
	r.provider = "省继续教育中心";
	r.start = "2024-03-01";
	r.end = "2024-03-02";
	r.hours10 = 80;
	r.author_role = "";
	r.domain = "";
	r.ref = ref;
	r.source = "a.csv:2";
	r.imported = "2024-04-01T00:00:00Z";
	return r;
}

static void
test_people(struct records_writer *w, sqlite3 *db, int64_t *pid)
{
	struct records_new_person np = { "350102198001011233",
	    "3501**********1233", "ZGlnZXN0", "张三", "", "2024-01-01T00:00:00Z" };
	char name[256], unit[256], err[HS_ERRLEN] = "";
	int64_t id = 0, id2 = 0;

	T_OK(records_practitioner_lookup(w, np.id_number, &id, name, unit,
	    err) == HS_ERR_NOTFOUND, "an unknown practitioner is not found");
	T_OK(records_put_practitioner(w, &np, pid, err) == HS_OK && *pid > 0,
	    "a practitioner is stored (%s)", err);
	T_OK(records_practitioner_lookup(w, np.id_number, &id, name, unit,
	    err) == HS_OK && id == *pid && strcmp(name, "张三") == 0 &&
	    unit[0] == '\0', "and found again by ID number");
	err[0] = '\0';
	T_OK(records_put_practitioner(w, &np, &id2, err) != HS_OK &&
	    err[0] != '\0' && q(db, "SELECT count(*) FROM practitioners") == 1,
	    "the same ID number twice is refused with a message (%s)", err);
	T_OK(records_set_practitioner(w, *pid, "张三丰", "市一院", err) ==
	    HS_OK && records_practitioner_lookup(w, np.id_number, &id, name,
	    unit, err) == HS_OK && strcmp(name, "张三丰") == 0 &&
	    strcmp(unit, "市一院") == 0, "a new name and unit are stored");
	/* Quotes are values, never SQL. */
	T_OK(records_practitioner_lookup(w, "' OR '1'='1", &id, name, unit,
	    err) == HS_ERR_NOTFOUND, "a quoted ID number matches nothing");
}

static void
test_records(struct records_writer *w, sqlite3 *db, int64_t pid)
{
	static const char hostile[] = "a'b\"; DROP TABLE records;--";
	struct records_new r;
	struct records_record got;
	struct policy *pol = NULL;
	struct cert_record *recs = NULL;
	char path[512], err[HS_ERRLEN] = "", *longt;
	int64_t rid = 0, rid2 = 0, rid3 = 0;
	size_t n = 0;

	r = course(pid, hostile, "");
	T_OK(records_put(w, &r, &rid, err) == HS_OK && rid > 0,
	    "a record is stored (%s)", err);
	T_OK(q(db, "SELECT count(*) FROM records WHERE public_type IS NULL "
	    "AND author_role IS NULL AND domain IS NULL AND ref IS NULL") == 1,
	    "empty optional fields are stored as NULL");
	T_OK(records_find_course(w, pid, hostile, r.provider, r.start, r.end,
	    &got, err) == HS_OK && got.practitioner_id == pid &&
	    got.year == 2024 && strcmp(got.subject, "professional") == 0 &&
	    got.public_type[0] == '\0' && got.form == 1 &&
	    strcmp(got.title, hostile) == 0 && got.hours10 == 80 &&
	    got.author_role[0] == '\0' && strcmp(got.source, "a.csv:2") == 0,
	    "found by course with every field as stored, quotes and all");
	T_OK(records_find_course(w, pid, hostile, r.provider, r.start,
	    "2024-03-03", &got, err) == HS_ERR_NOTFOUND,
	    "another end date is another course");

	r = course(pid, "公需课", "R1");
	r.subject = "public";
	r.public_type = "elective";
	r.author_role = "first";
	r.form = 8;
	r.source = "b.csv:9";
	T_OK(records_put(w, &r, &rid2, err) == HS_OK && rid2 > rid,
	    "a record with a ref is stored");
	T_OK(records_find_by_ref(w, "R1", &got, err) == HS_OK &&
	    strcmp(got.subject, "public") == 0 &&
	    strcmp(got.public_type, "elective") == 0 &&
	    strcmp(got.author_role, "first") == 0 && got.form == 8 &&
	    strcmp(got.source, "b.csv:9") == 0, "and found by its ref");
	T_OK(records_find_by_ref(w, "R1' OR ''='", &got, err) ==
	    HS_ERR_NOTFOUND, "a quoted ref matches nothing");

	/* Rows the schema refuses fail with a message, nothing stored. */
	r = course(pid, "坏", "");
	r.form = 0;
	err[0] = '\0';
	T_OK(records_put(w, &r, &rid3, err) != HS_OK && err[0] != '\0',
	    "form 0 is refused (%s)", err);
	r.form = 1;
	r.subject = "x";
	T_OK(records_put(w, &r, &rid3, err) != HS_OK,
	    "an unknown subject is refused");
	r = course(pid, hostile, "");
	T_OK(records_put(w, &r, &rid3, err) != HS_OK &&
	    q(db, "SELECT count(*) FROM records") == 2,
	    "the same course twice is refused; two records stored");

	/* A stored value longer than the read buffer comes back cut, whole. */
	if ((longt = malloc(2001)) != NULL) {
		memset(longt, 'x', 2000);
		longt[2000] = '\0';
		r = course(pid, longt, "");
		T_OK(records_put(w, &r, &rid3, err) == HS_OK &&
		    records_find_course(w, pid, longt, r.provider, r.start,
		    r.end, &got, err) == HS_OK &&
		    strlen(got.title) == sizeof(got.title) - 1,
		    "a 2,000-byte title reads back bounded (%zu bytes)",
		    strlen(got.title));
		free(longt);
	}

	/* The automatic stamp, once; the reading side sees it. */
	T_OK(records_put_auto_stamp(w, rid2, "auto (policy fujian)",
	    "2024-04-01T00:00:00Z", err) == HS_OK &&
	    q(db, "SELECT count(*) FROM stamps WHERE authority_kind = 'auto' "
	    "AND decision = 'stamped'") == 1, "an automatic stamp is stored");
	T_OK(records_put_auto_stamp(w, rid2, "auto (policy fujian)",
	    "2024-04-01T00:00:00Z", err) != HS_OK &&
	    q(db, "SELECT count(*) FROM stamps") == 1,
	    "a second stamp for the record is refused");
	snprintf(path, sizeof(path), "%s/policy/fujian.json",
	    HS_TEMPLATES_DIR);
	if (policy_load(path, &pol, err) == HS_OK) {
		T_OK(records_stamped(db, pid, 2024, pol, &recs, NULL, &n, err) ==
		    HS_OK && n == 1 && strcmp(recs[0].title, "公需课") == 0,
		    "records_stamped reads what the writer wrote");
		free(recs);
		policy_free(pol);
	} else
		T_OK(0, "load fujian policy: %s", err);
}

int
main(void)
{
	struct records_writer *w = NULL;
	sqlite3 *db = NULL, *bare = NULL;
	char path[512], cmd[600], err[HS_ERRLEN] = "";
	int64_t pid = 0;

	if (mkdtemp(dir) == NULL)
		return 2;
	records_writer_free(NULL);
	T_OK(1, "records_writer_free(NULL) does nothing");

	/* No schema: the writer cannot be made, and says so. */
	if (sqlite3_open(":memory:", &bare) == SQLITE_OK) {
		w = (struct records_writer *)&w;
		T_OK(records_writer_open(bare, &w, err) != HS_OK && w == NULL &&
		    err[0] != '\0', "no writer without the schema (%s)", err);
		sqlite3_close(bare);
	}

	snprintf(path, sizeof(path), "%s/t.db", dir);
	T_OK(store_open(path, STORE_CREATE, &db, err) == HS_OK, "open %s", err);
	if (db != NULL) {
		T_OK(records_writer_open(db, &w, err) == HS_OK && w != NULL,
		    "a writer on the store (%s)", err);
		if (w != NULL) {
			test_people(w, db, &pid);
			test_records(w, db, pid);
		}
		records_writer_free(w);
		store_close(db);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
