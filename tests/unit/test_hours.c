/*
 * Unit tests for app/hours.c: the request body's rules (table-driven,
 * hostile JSON included; no message ever holds the ID number), then the
 * answer on a small store: region scope (out of scope = unknown), the
 * summary's arithmetic per year, and only valid certificates' serials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/hours.h"
#include "app/import.h"
#include "cert/policy.h"
#include "store/certs.h"
#include "store/config.h"
#include "store/store.h"
#include "core/util.h"
#include "t.h"
#include "tlib.h"

#define ID "350102198001011233"
#define ID2 "11010519491231002X"

struct req {
	const char *body;
	enum hs_err want;
	const char *err;   /* a part of the message; NULL: HS_OK */
	size_t nyears;
};

static const struct req reqs[] = {
	{ "{\"id_number\":\"" ID "\",\"years\":[2024]}", HS_OK, NULL, 1 },
	{ "{\"years\":[2022,2023,2024],\"id_number\":\"" ID "\"}", HS_OK,
	    NULL, 3 },
	{ "{\"id_number\":\"35010219800101123x\",\"years\":[2024]}",
	    HS_ERR_INVALID, "id_number: wrong check character", 0 },
	{ "{\"id_number\":\"11010519491231002x\",\"years\":[1990,2100]}",
	    HS_OK, NULL, 2 },
	{ "{\"id_number\":\"350102198001011234\",\"years\":[2024]}",
	    HS_ERR_INVALID, "id_number: wrong check character", 0 },
	{ "{\"id_number\":350102198001011233,\"years\":[2024]}",
	    HS_ERR_INVALID, "id_number: required, a string", 0 },
	{ "{\"years\":[2024]}", HS_ERR_INVALID, "id_number: required", 0 },
	{ "{\"id_number\":\"" ID "\"}", HS_ERR_INVALID, "years: required", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[]}", HS_ERR_INVALID,
	    "years: required, an array of 1 to 10", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":2024}", HS_ERR_INVALID,
	    "years: required", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[\"2024\"]}", HS_ERR_INVALID,
	    "years: item 1 is not an integer", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[2024.0]}", HS_ERR_INVALID,
	    "years: item 1 is not an integer", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[1989]}", HS_ERR_INVALID,
	    "years: 1989 is outside 1990..2100", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[2101]}", HS_ERR_INVALID,
	    "years: 2101 is outside", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[2024,2023,2024]}",
	    HS_ERR_INVALID, "years: 2024 is given twice", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[1,2,3,4,5,6,7,8,9,10,11]}",
	    HS_ERR_INVALID, "years: required, an array of 1 to 10", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[2000,2001,2002,2003,2004,"
	    "2005,2006,2007,2008,2009]}", HS_OK, NULL, 10 },
	{ "{\"id_number\":\"" ID "\",\"id_number\":\"" ID2 "\",\"years\":"
	    "[2024]}", HS_ERR_FORMAT, "a key given twice", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[2024],\"name\":\"x\"}",
	    HS_ERR_INVALID, "body: unknown key \"name\"", 0 },
	{ "[\"" ID "\"]", HS_ERR_INVALID, "body: must be a JSON object", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[2024]", HS_ERR_FORMAT,
	    "body: not valid JSON", 0 },
	{ "", HS_ERR_FORMAT, "body: not valid JSON", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[2024]} x", HS_ERR_FORMAT,
	    "body: not valid JSON", 0 },
	{ "{\"id_number\":\"" ID "'; DROP TABLE records;--\",\"years\":"
	    "[2024]}", HS_ERR_INVALID, "id_number: must be 18 characters", 0 },
	{ "{\"id_number\":\"<script>alert(1)</script>\",\"years\":[2024]}",
	    HS_ERR_INVALID, "id_number:", 0 },
	{ "{\"id_number\":\"3501021980\\u00001011233\",\"years\":[2024]}",
	    HS_ERR_FORMAT, "body: not valid JSON", 0 },
	{ "{\"id_number\":\"" ID "\",\"years\":[2024],\"\xff\":1}",
	    HS_ERR_FORMAT, "body: not valid UTF-8", 0 },
};

static void
test_parse(void)
{
	struct hours_query q;
	char err[HS_ERRLEN], *deep, *big;
	size_t i, n;
	enum hs_err rc;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		err[0] = '\0';
		rc = hours_request_parse(reqs[i].body, strlen(reqs[i].body), -1,
		    &q, err);
		T_OK(rc == reqs[i].want && (reqs[i].err == NULL ||
		    strstr(err, reqs[i].err) != NULL) && (rc != HS_OK ||
		    q.nyears == reqs[i].nyears), "request %zu: %s (%s)", i,
		    hs_strerror(reqs[i].want), err);
		T_OK(strstr(err, ID) == NULL && strstr(err, "3501021980") ==
		    NULL && strstr(err, ID2) == NULL,
		    "request %zu: the message holds no ID number", i);
		T_OK(rc == HS_OK || q.id_number[0] == '\0',
		    "request %zu: a refused query keeps no ID", i);
	}
	/* Deep nesting: refused by the size bound, then by the parser. */
	n = 3000;
	if ((deep = malloc(2 * n + 1)) != NULL) {
		memset(deep, '[', n);
		memset(deep + n, ']', n);
		deep[2 * n] = '\0';
		T_OK(hours_request_parse(deep, 2 * n, -1, &q, err) ==
		    HS_ERR_TOOBIG, "6,000 bytes of nesting: too big (%s)", err);
		T_OK(hours_request_parse(deep + n - 1500, 3000, -1, &q, err) !=
		    HS_OK, "1,500 levels of nesting refused (%s)", err);
		free(deep);
	}
	if ((big = malloc(HOURS_MAX_BODY + 2)) != NULL) {
		memset(big, ' ', HOURS_MAX_BODY + 1);
		memcpy(big, "{\"id_number\":\"" ID "\",\"years\":[2024]}",
		    strlen("{\"id_number\":\"" ID "\",\"years\":[2024]}"));
		T_OK(hours_request_parse(big, HOURS_MAX_BODY, -1, &q, err) ==
		    HS_OK, "a body of exactly %d bytes is read", HOURS_MAX_BODY);
		T_OK(hours_request_parse(big, HOURS_MAX_BODY + 1, -1, &q, err)
		    == HS_ERR_TOOBIG && strstr(err, "4096") != NULL,
		    "one byte more is too big (%s)", err);
		free(big);
	}
}

/* ---- the answer on a store ------------------------------------------ */

static char dir[T_DIRMAX];
static struct config cfg;
static sqlite3 *db;
static struct policy *fujian;

static int
exec(const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Imports JSON Lines text; the count of inserted rows or -1. */
static long
load(const char *text)
{
	struct import_options o;
	struct import_stats st;
	char err[HS_ERRLEN] = "";

	memset(&o, 0, sizeof(o));
	o.path = "test";
	o.format = IMPORT_JSONL;
	date_parse("2026-11-23", &o.today);
	if (import_buffer(db, &cfg, fujian, &o, text, strlen(text), &st,
	    err) != HS_OK) {
		printf("# import: %s\n", err);
		return -1;
	}
	return (long)st.inserted;
}

/* A certificate row for practitioner pid (foreign keys are off). */
static enum hs_err
cert(struct certs *c, const char *serial, long long pid, int year,
    const char *kind, long long leaf, char *err)
{
	struct certs_new n;

	memset(&n, 0, sizeof(n));
	n.serial = serial;
	n.practitioner_id = pid;
	n.year = year;
	n.kind = kind;
	n.name = "张三";
	n.id_masked = "3501**********1233";
	n.id_digest = "x";
	n.total10 = 960;
	n.status = strcmp(kind, "annual") == 0 ? "met" : NULL;
	n.record_set = "s";
	n.note = "note";
	n.leaf_index = leaf;
	n.key_label = "k";
	n.issued = "2025-01-05T00:00:00Z";
	return certs_insert(c, &n, err);
}

#define ROW(day, subj, hours) "{\"id_number\":\"" ID "\",\"name\":\"张三\"," \
	"\"unit\":\"厦门一中\",\"year\":2024,\"subject\":\"" subj "\"," \
	"\"form\":1,\"title\":\"课" day "\",\"provider\":\"基地\"," \
	"\"start_date\":\"2024-03-" day "\",\"end_date\":\"2024-03-" day \
	"\",\"hours\":" hours "}\n"

static void
test_answer(void)
{
	struct hours_query q;
	struct hours_answer a;
	struct certs *c = NULL;
	char err[HS_ERRLEN] = "", *json = NULL;
	const char *body = "{\"id_number\":\"" ID "\",\"years\":[2024,2023]}";
	enum hs_err rc;

	/* 36 public and 60 professional hours in 2024, stamped on import
	 * (fujian stamps online courses automatically). */
	T_OK(load(ROW("01", "public", "12") ROW("02", "public", "12")
	    ROW("03", "public", "12") ROW("04", "professional", "12")
	    ROW("05", "professional", "12") ROW("06", "professional", "12")
	    ROW("07", "professional", "12") ROW("08", "professional", "12"))
	    == 8, "eight records imported");
	T_OK(load("{\"id_number\":\"" ID2 "\",\"name\":\"李四\",\"year\":2024,"
	    "\"subject\":\"public\",\"form\":1,\"title\":\"课\",\"provider\":"
	    "\"基地\",\"start_date\":\"2024-03-01\",\"end_date\":\"2024-03-01\","
	    "\"hours\":5}\n") == 1, "another practitioner imported");
	T_OK(exec("UPDATE records SET region = '350203' WHERE practitioner_id ="
	    " 1; UPDATE records SET region = '' WHERE practitioner_id = 2") == 0,
	    "regions set");
	T_OK(hours_request_parse(body, strlen(body), -1, &q, err) == HS_OK,
	    "query parsed %s", err);

	/* Scope: the region must cover the records' region. */
	T_OK(hours_lookup(db, &cfg, fujian, "3502", &q, &a, err) == HS_OK,
	    "3502 covers 350203 %s", err);
	T_OK(hours_lookup(db, &cfg, fujian, "35", &q, &a, err) == HS_OK,
	    "35 covers 350203 %s", err);
	T_OK(hours_lookup(db, &cfg, fujian, "350203", &q, &a, err) == HS_OK,
	    "350203 covers itself %s", err);
	rc = hours_lookup(db, &cfg, fujian, "3501", &q, &a, err);
	T_OK(rc == HS_ERR_NOTFOUND && strcmp(err, "no such practitioner in "
	    "scope") == 0, "3501 does not cover 350203: not found (%s)", err);
	rc = hours_lookup(db, &cfg, fujian, "3502031", &q, &a, err);
	T_OK(rc == HS_ERR_NOTFOUND, "a narrower scope than the records: not "
	    "found");
	T_OK(hours_lookup(db, &cfg, fujian, "3'", &q, &a, err) ==
	    HS_ERR_INVALID, "a hostile region is refused (%s)", err);
	T_OK(hours_lookup(db, &cfg, fujian, "", &q, &a, err) ==
	    HS_ERR_INVALID, "an empty region is refused");
	snprintf(q.id_number, sizeof(q.id_number), "%s", ID2);
	T_OK(hours_lookup(db, &cfg, fujian, "35", &q, &a, err) ==
	    HS_ERR_NOTFOUND && strcmp(err, "no such practitioner in scope") ==
	    0, "records outside every region: not found, the same message");
	snprintf(q.id_number, sizeof(q.id_number), "%s", "110105194912310037");
	T_OK(hours_lookup(db, &cfg, fujian, "35", &q, &a, err) ==
	    HS_ERR_NOTFOUND && strcmp(err, "no such practitioner in scope") ==
	    0, "an unknown person: not found, the same message");
	snprintf(q.id_number, sizeof(q.id_number), "%s", ID);

	/* Certificates: a valid annual one, a superseded one, a course one
	 * revoked for an error, a valid one of another year. */
	T_OK(exec("PRAGMA foreign_keys = OFF") == 0 &&
	    certs_open(db, &c, err) == HS_OK &&
	    cert(c, "FJ-2024-000001", 1, 2024, "annual", 1, err) == HS_OK &&
	    cert(c, "FJ-2024-000002", 1, 2024, "annual", 2, err) == HS_OK &&
	    cert(c, "FJ-2024-000003", 1, 2024, "course", 3, err) == HS_OK &&
	    cert(c, "FJ-2022-000004", 1, 2022, "annual", 4, err) == HS_OK &&
	    certs_revoke(c, "FJ-2024-000001", "superseded", "n",
	    "2025-01-06T00:00:00Z", 5, "FJ-2024-000002", err) == HS_OK &&
	    certs_revoke(c, "FJ-2024-000003", "error", "n",
	    "2025-01-06T00:00:00Z", 6, NULL, err) == HS_OK,
	    "certificates stored %s", err);
	certs_close(c);

	T_OK(hours_lookup(db, &cfg, fujian, "3502", &q, &a, err) == HS_OK &&
	    a.nyears == 2, "two years answered %s", err);
	T_STREQ(a.id_masked, "3501**********1233", "the masked ID");
	T_OK(a.years[0].year == 2024 && a.years[0].r.public10 == 360 &&
	    a.years[0].r.professional10 == 600 &&
	    a.years[0].r.total10 == 960 && a.years[0].r.met &&
	    a.years[0].nrecords == 8, "2024: 36 + 60 = 96 hours, met");
	T_OK(a.years[0].nserials == 1 && strcmp(a.years[0].serials[0],
	    "FJ-2024-000002") == 0, "2024: only the valid certificate's "
	    "serial (superseded and revoked ones left out)");
	T_OK(a.years[1].year == 2023 && a.years[1].r.total10 == 0 &&
	    !a.years[1].r.met && a.years[1].nserials == 0,
	    "2023 (asked second, answered second): nothing, unmet");
	T_OK(hours_to_json(&a, fujian, &json, err) == HS_OK, "json");
	T_STREQ(json, "{\"id\":\"3501**********1233\",\"policy\":\"fujian\","
	    "\"years\":[{\"year\":2024,\"public\":36,\"professional\":60,"
	    "\"total\":96,\"requirement\":{\"total\":90,\"public\":30,"
	    "\"professional\":60},\"met\":true,\"records\":8,\"serials\":"
	    "[\"FJ-2024-000002\"]},{\"year\":2023,\"public\":0,"
	    "\"professional\":0,\"total\":0,\"requirement\":{\"total\":90,"
	    "\"public\":30,\"professional\":60},\"met\":false,\"records\":0,"
	    "\"serials\":[]}]}", "the answer as JSON");
	T_OK(json != NULL && strstr(json, ID) == NULL, "the JSON holds no "
	    "full ID number");
	free(json);

	/* A waiting (not stamped) record does not count. */
	T_OK(load("{\"id_number\":\"" ID "\",\"name\":\"张三\",\"year\":2024,"
	    "\"subject\":\"professional\",\"form\":2,\"title\":\"面授\","
	    "\"provider\":\"基地\",\"start_date\":\"2024-04-01\",\"end_date\":"
	    "\"2024-04-01\",\"hours\":8}\n") == 1, "a face-to-face record "
	    "waits for its stamp");
	T_OK(hours_lookup(db, &cfg, fujian, "3502", &q, &a, err) == HS_OK &&
	    a.years[0].r.professional10 == 600, "a waiting record is not "
	    "counted (as summary)");
}

int
main(void)
{
	char err[HS_ERRLEN] = "";

	test_parse();
	if ((fujian = t_policy("fujian", err)) == NULL) {
		T_OK(0, "policy %s", err);
		return t_done();
	}
	if (t_tmpdir("hours", dir, sizeof(dir)) != 0)
		return 2;
	T_OK(t_datadir(dir, &cfg, &db, err) == HS_OK, "data directory %s",
	    err);
	if (db != NULL)
		test_answer();
	store_close(db);
	config_wipe(&cfg);
	policy_free(fujian);
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
