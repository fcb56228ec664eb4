/*
 * Unit tests for import_buffer (the API's import from a request body):
 * the same rules as import_file in CSV, JSON Lines and a JSON array;
 * per-row {line, field, reason}; all or nothing unless skip_invalid;
 * idempotent by ref; the provider constraint; submitted_by; one
 * record.submit audit row; the row bound; hostile bodies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/import.h"
#include "cert/policy.h"
#include "store/audit.h"
#include "store/config.h"
#include "store/store.h"
#include "core/util.h"
#include "t.h"
#include "tlib.h"

static char dir[T_DIRMAX];
static struct config cfg;
static sqlite3 *db;
static struct policy *fujian;
static char rows[8192];     /* "line|field|reason\n" per rejected row */

static void
row_error(void *ctx, size_t line, const char *field, const char *reason)
{
	size_t n = strlen(rows);

	snprintf(rows + n, sizeof(rows) - n, "%zu|%s|%s\n", line, field,
	    reason);
}

static const struct actor tok = { "token:lms", "provider", "基地", "1.2.3.4" };

static enum hs_err
submit(enum import_format fmt, bool skip, const char *provider,
    size_t max_rows, const char *text, size_t len, struct import_stats *st,
    char *err)
{
	struct import_options o;

	memset(&o, 0, sizeof(o));
	o.path = "request";
	o.format = fmt;
	o.skip_invalid = skip;
	o.provider = provider;
	o.submitted_by = "token:lms";
	o.who = &tok;
	o.max_rows = max_rows;
	o.row_error = row_error;
	date_parse("2026-11-23", &o.today);
	rows[0] = err[0] = '\0';
	return import_buffer(db, &cfg, fujian, &o, text, len ? len :
	    strlen(text), st, err);
}

static long
q(const char *sql)
{
	return (long)t_q(db, sql);
}

static const char *
qs(const char *sql)
{
	return t_qs(db, sql);
}

#define HDR "id_number,name,year,subject,form,title,provider,start_date," \
	"end_date,hours,ref\n"
#define R1 "350102198001011233,张三,2024,public,2,课一,基地,2024-03-01," \
	"2024-03-01,6,A-1\n"
#define R2 "11010519491231002X,李四,2024,professional,2,课二,基地," \
	"2024-03-02,2024-03-02,8,A-2\n"
#define J1 "{\"id_number\":\"350102198001011233\",\"name\":\"张三\"," \
	"\"year\":2024,\"subject\":\"public\",\"form\":2,\"title\":\"课三\"," \
	"\"provider\":\"基地\",\"start_date\":\"2024-03-03\",\"end_date\":" \
	"\"2024-03-03\",\"hours\":4,\"ref\":\"A-3\"}"
#define J2 "{\"id_number\":\"11010519491231002X\",\"name\":\"李四\"," \
	"\"year\":\"2024\",\"subject\":\"public\",\"form\":\"2\",\"title\":" \
	"\"课四\",\"provider\":\"基地\",\"start_date\":\"2024-03-04\"," \
	"\"end_date\":\"2024-03-04\",\"hours\":\"4\",\"ref\":\"A-4\"}"

static void
test_submit(void)
{
	struct import_stats st;
	char err[HS_ERRLEN], *big;
	size_t i, n;
	enum hs_err rc;

	/* CSV: stored, submitted_by set, one audit row with the counts. */
	rc = submit(IMPORT_CSV, false, "基地", 20000, HDR R1 R2, 0, &st, err);
	T_OK(rc == HS_OK && st.inserted == 2 && st.rows == 2, "CSV: 2 rows "
	    "stored (%s)", err);
	T_OK(q("SELECT count(*) FROM records WHERE submitted_by = "
	    "'token:lms'") == 2, "records.submitted_by = token:lms");
	T_OK(q("SELECT count(*) FROM audit WHERE action = 'record.submit'")
	    == 1, "one record.submit audit row");
	T_STREQ(qs("SELECT actor || ' ' || role || ' ' || object || ' ' || "
	    "detail FROM audit ORDER BY seq DESC"), "token:lms provider "
	    "token:lms rows 2, inserted 2, unchanged 0, rejected 0",
	    "the audit row names the token and the counts");
	T_OK(q("SELECT count(*) FROM audit WHERE detail LIKE '%3501021980%' "
	    "OR object LIKE '%3501021980%'") == 0, "no ID number in the audit");

	/* The same rows again: unchanged; idempotent by ref. */
	rc = submit(IMPORT_CSV, false, "基地", 20000, HDR R1 R2, 0, &st, err);
	T_OK(rc == HS_OK && st.inserted == 0 && st.duplicates == 2,
	    "the same body again: 2 unchanged, nothing new (%s)", err);
	T_OK(q("SELECT count(*) FROM records") == 2, "still 2 records");
	T_OK(q("SELECT count(*) FROM audit WHERE action = 'record.submit'")
	    == 2, "one audit row per call");

	/* A different row with a used ref: an error naming line and field. */
	rc = submit(IMPORT_CSV, false, "基地", 20000, HDR R1
	    "350102198001011233,张三,2024,public,2,课一,基地,2024-03-01,"
	    "2024-03-01,5,A-1\n", 0, &st, err);
	T_OK(rc == HS_ERR_INVALID && strncmp(rows, "3|ref|A-1 was imported "
	    "before", 22) == 0, "a changed row with ref A-1: line 3, field "
	    "ref (%s)", rows);
	T_OK(strstr(rows, "hours") != NULL, "the reason names the field that "
	    "differs (%s)", rows);

	/* The provider constraint; all or nothing. */
	rc = submit(IMPORT_JSONL, false, "基地", 20000, J1 "\n" "{\"id_number\":"
	    "\"350102198001011233\",\"name\":\"张三\",\"year\":2024,\"subject\":"
	    "\"public\",\"form\":2,\"title\":\"课五\",\"provider\":\"别家\","
	    "\"start_date\":\"2024-03-05\",\"end_date\":\"2024-03-05\","
	    "\"hours\":4}\n", 0, &st, err);
	T_OK(rc == HS_ERR_INVALID && strcmp(rows, "2|provider|must be 基地 "
	    "(the token's provider), not 别家\n") == 0, "another provider's "
	    "row: line 2, field provider (%s)", rows);
	T_OK(strstr(err, "nothing imported") != NULL && strstr(err,
	    "skip_invalid=1") != NULL, "all or nothing, the message names "
	    "skip_invalid=1 (%s)", err);
	T_OK(q("SELECT count(*) FROM records") == 2 && q("SELECT count(*) "
	    "FROM audit WHERE action = 'record.submit'") == 2, "nothing "
	    "stored, no audit row for a refused call");

	/* skip_invalid: the valid row is kept. */
	rc = submit(IMPORT_JSONL, true, "基地", 20000, J1 "\n{\"name\":1}\n",
	    0, &st, err);
	T_OK(rc == HS_OK && st.inserted == 1 && st.rejected == 1 &&
	    strcmp(rows, "2|id_number|required\n") == 0, "skip_invalid: 1 "
	    "stored, line 2 id_number required (%s %s)", err, rows);

	/* A JSON array: "line" is the position; numbers as strings are
	 * read as import reads them (every field is text in a CSV). */
	rc = submit(IMPORT_JSON_ARRAY, false, "基地", 20000, "[" J1 "," J2
	    "]", 0, &st, err);
	T_OK(rc == HS_OK && st.inserted == 1 && st.duplicates == 1,
	    "JSON array: 1 new, 1 unchanged (%s %s)", err, rows);
	rc = submit(IMPORT_JSON_ARRAY, false, "基地", 20000, "[" J1 ",7,"
	    "{\"ref\":\"x\",\"ref\":\"y\"}]", 0, &st, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "duplicate") != NULL,
	    "JSON array with a duplicate key: the body is refused (%s)", err);
	rc = submit(IMPORT_JSON_ARRAY, false, "基地", 20000, "[" J1 ",7,[]]",
	    0, &st, err);
	T_OK(rc == HS_ERR_INVALID && strcmp(rows, "2||not a JSON object: "
	    "another JSON value\n3||not a JSON object: another JSON value\n")
	    == 0, "array items that are not objects: lines 2 and 3 (%s)", rows);
	rc = submit(IMPORT_JSON_ARRAY, false, "基地", 20000, "{}", 0, &st, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "must be a JSON array") !=
	    NULL, "an object where an array belongs (%s)", err);
	rc = submit(IMPORT_JSONL, false, "基地", 20000, "{\"ref\":\"x\","
	    "\"ref\":\"y\"}\n", 0, &st, err);
	T_OK(rc == HS_ERR_INVALID && strncmp(rows, "1||not a JSON object: "
	    "duplicate", 30) == 0, "JSON Lines with a duplicate key: line 1 "
	    "(%s)", rows);
	rc = submit(IMPORT_JSONL, false, "基地", 20000, "{\"year\":{\"a\":1}}"
	    "\n", 0, &st, err);
	T_OK(rc == HS_ERR_INVALID && strncmp(rows, "1|year|must be a string "
	    "or a number", 30) == 0, "an object as a field value (%s)", rows);

	/* CSV formula injection stays data. */
	rc = submit(IMPORT_CSV, false, "基地", 20000, HDR
	    "350102198001011233,张三,2024,public,2,\"=HYPERLINK(\"\"http://x\"\")\""
	    ",基地,2024-03-06,2024-03-06,4,=1+1\n", 0, &st, err);
	T_OK(rc == HS_OK && st.inserted == 1, "a formula-looking title and "
	    "ref are accepted as text (%s %s)", err, rows);
	T_STREQ(qs("SELECT title || '|' || ref FROM records WHERE ref = "
	    "'=1+1'"), "=HYPERLINK(\"http://x\")|=1+1", "and stored as they "
	    "are, not evaluated");

	/* Hostile: invalid UTF-8, a NUL, SQL and markup in values. */
	rc = submit(IMPORT_CSV, false, "基地", 20000, HDR "\xff\xfe,x\n", 0,
	    &st, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "invalid UTF-8") != NULL,
	    "invalid UTF-8 (%s)", err);
	rc = submit(IMPORT_CSV, false, "基地", 20000, HDR "a\0b\n",
	    sizeof(HDR "a\0b\n") - 1, &st, err);
	T_OK(rc == HS_ERR_FORMAT && strstr(err, "NUL") != NULL,
	    "a NUL byte (%s)", err);
	rc = submit(IMPORT_CSV, false, "基地", 20000, HDR
	    "350102198001011233,'); DROP TABLE records;--,2024,public,2,"
	    "<script>alert(1)</script>,基地,2024-03-07,2024-03-07,4,\n", 0,
	    &st, err);
	T_OK(q("SELECT count(*) FROM records") > 0, "SQL in a value does "
	    "nothing (%s)", rows);

	/* The row bound: 3 rows with room for 2; nothing stored. */
	n = (size_t)q("SELECT count(*) FROM records");
	rc = submit(IMPORT_JSONL, false, "基地", 2, "{}\n{}\n{}\n", 0, &st,
	    err);
	T_OK(rc == HS_ERR_TOOBIG && strstr(err, "more than 2 rows") != NULL,
	    "3 rows over a bound of 2: too big (%s)", err);
	T_OK((size_t)q("SELECT count(*) FROM records") == n, "nothing stored");
	rc = submit(IMPORT_CSV, false, "基地", 1, HDR R1 "x\n", 0, &st, err);
	T_OK(rc == HS_ERR_TOOBIG, "CSV: a short row counts toward the bound");

	/* Deep nesting in a JSON array. */
	n = 100000;
	if ((big = malloc(2 * n + 1)) != NULL) {
		for (i = 0; i < n; i++) {
			big[i] = '[';
			big[2 * n - 1 - i] = ']';
		}
		big[2 * n] = '\0';
		rc = submit(IMPORT_JSON_ARRAY, false, "基地", 20000, big, 2 * n,
		    &st, err);
		T_OK(rc == HS_ERR_FORMAT, "100,000 levels of nesting: refused "
		    "(%s)", err);
		free(big);
	}
	T_OK(q("PRAGMA integrity_check") != -1 && q("SELECT count(*) FROM "
	    "records") > 0, "the store is intact");
}

int
main(void)
{
	char err[HS_ERRLEN] = "";

	if ((fujian = t_policy("fujian", err)) == NULL) {
		T_OK(0, "policy %s", err);
		return t_done();
	}
	if (t_tmpdir("ibuf", dir, sizeof(dir)) != 0)
		return 2;
	T_OK(t_datadir(dir, &cfg, &db, err) == HS_OK, "data directory %s",
	    err);
	if (db != NULL)
		test_submit();
	store_close(db);
	config_wipe(&cfg);
	policy_free(fujian);
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
