/*
 * Unit tests for app/myview.c and store/mine.c: a holder's hours per year
 * equal the summary's (report_summary) under a policy that splits public
 * hours (weihai) and one that does not (fujian), waiting hours apart; the
 * deadline of each year is the policy's; this year is listed even
 * without records; notices come newest first and are fresh only after
 * notices_seen; another holder's certificate or record is not found; the
 * course-certificate checks; the export holds the holder's full ID
 * number, nobody else's, and no secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/myview.h"
#include "cert/policy.h"
#include "core/util.h"
#include "store/certs.h"
#include "store/config.h"
#include "store/mine.h"
#include "store/report.h"
#include "store/store.h"
#include "t.h"
#include "tlib.h"

#define ID1 "350102198001011233"
#define ID2 "11010519491231002X"
/* 2026-12-06T08:00:00Z */
#define NOW 1796544000

static char dir[T_DIRMAX];
static struct config cfg;
static sqlite3 *db;

static int
exec(const char *sql)
{
	char *e = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &e);

	if (rc != SQLITE_OK)
		printf("# sql: %s\n", e ? e : "?");
	sqlite3_free(e);
	return rc == SQLITE_OK ? 0 : -1;
}

/*
 * A record of pid: id, year, subject, public type (NULL), hours10 and
 * its decision ("" waiting, "stamped", "rejected") at `at`.
 */
static int
rec(int id, int pid, int year, const char *subject, const char *type,
    int hours10, const char *decision, const char *at)
{
	char sql[1200];

	snprintf(sql, sizeof(sql), "INSERT INTO records (id, practitioner_id,"
	    " year, subject, public_type, form, title, provider, start_date,"
	    " end_date, hours10, ref, source, imported) VALUES (%d, %d, %d,"
	    " '%s', %s%s%s, 2, '课%d', '基地%d', '%d-03-%02d', '%d-03-%02d', %d,"
	    " 'R%d', 't:1', '2025-01-01T00:00:00Z')", id, pid, year, subject,
	    type ? "'" : "", type ? type : "NULL", type ? "'" : "", id, pid,
	    year, id, year, id, hours10, id);
	if (exec(sql) != 0)
		return -1;
	if (decision[0] == '\0')
		return 0;
	snprintf(sql, sizeof(sql), "INSERT INTO stamps (id, record_id,"
	    " decision, authority, authority_kind, account, reason, at)"
	    " VALUES (%d, %d, '%s', '人社局', 'hr', 'hr1', %s, '%s');"
	    " UPDATE records SET state = '%s', stamp_id = %d WHERE id = %d",
	    id, id, decision, strcmp(decision, "rejected") == 0 ?
	    "'材料不全'" : "NULL", at, decision, id, id);
	return exec(sql);
}

static enum hs_err
cert(struct certs *c, const char *serial, long long pid, int year,
    const char *kind, long long leaf, long long record, char *err)
{
	struct certs_new n;

	memset(&n, 0, sizeof(n));
	n.serial = serial;
	n.practitioner_id = pid;
	n.year = year;
	n.kind = kind;
	n.name = pid == 1 ? "张三" : "李四";
	n.id_masked = pid == 1 ? "3501**********1233" : "1101**********002X";
	n.id_digest = "x";
	n.total10 = 480;
	n.status = strcmp(kind, "annual") == 0 ? "unmet" : NULL;
	n.record_set = "s";
	n.note = "note";
	n.leaf_index = leaf;
	n.key_label = "k";
	n.issued = "2025-01-05T00:00:00Z";
	n.record_ids = &record;
	n.nrecord_ids = record != 0 ? 1 : 0;
	return certs_insert(c, &n, err);
}

static void
summary_line(void *ctx, const struct report_line *l)
{
	*(struct policy_result *)ctx = l->r;
}

/* The holder's 2024 against summary, under pol. */
static void
same_as_summary(const struct policy *pol, const char *name)
{
	struct myview_year ys[MINE_MAX_YEARS];
	struct policy_result want;
	char err[HS_ERRLEN] = "";
	size_t n = 0, i;
	bool found = false;

	memset(&want, 0, sizeof(want));
	T_OK(report_summary(db, pol, 2024, ID1, summary_line, &want, NULL,
	    NULL, err) == HS_OK, "%s: summary %s", name, err);
	T_OK(myview_years(db, pol, 1, NOW, ys, MINE_MAX_YEARS, &n, err) ==
	    HS_OK, "%s: my years %s", name, err);
	for (i = 0; i < n; i++) {
		if (ys[i].year != 2024)
			continue;
		found = true;
		T_OK(memcmp(&ys[i].r, &want, sizeof(want)) == 0, "%s: 2024 is "
		    "summary's to the tenth (public %ld/%ld, professional "
		    "%ld/%ld, missing total %ld/%ld)", name, ys[i].r.public10,
		    want.public10, ys[i].r.professional10,
		    want.professional10, ys[i].r.missing_total10,
		    want.missing_total10);
	}
	T_OK(found, "%s: 2024 listed", name);
}

struct seen_list {
	char obj[8][129];
	char reason[8][512];
	char note[8][512];
	bool fresh[8];
	int kind[8];
	size_t n;
};

static int
collect(void *ctx, const struct myview_notice *nt)
{
	struct seen_list *s = ctx;

	if (s->n < 8) {
		snprintf(s->obj[s->n], sizeof(s->obj[0]), "%s", nt->n.object);
		snprintf(s->reason[s->n], sizeof(s->reason[0]), "%s",
		    nt->n.reason);
		snprintf(s->note[s->n], sizeof(s->note[0]), "%s", nt->n.note);
		s->fresh[s->n] = nt->fresh;
		s->kind[s->n] = (int)nt->n.kind;
		s->n++;
	}
	return 0;
}

static void
test_view(void)
{
	struct policy *weihai = NULL, *fujian = NULL;
	struct myview_year ys[MINE_MAX_YEARS];
	struct seen_list sl;
	struct mine_cert mc;
	struct mine_record mr;
	struct certs *c = NULL;
	char err[HS_ERRLEN] = "", have[SERIAL_SIZE];
	struct buf b;
	size_t n = 0, fresh = 99;
	int64_t seen = -1;
	time_t t2;
	json_t *j;

	if ((weihai = t_policy("weihai", err)) == NULL ||
	    (fujian = t_policy("fujian", err)) == NULL) {
		T_OK(0, "policies %s", err);
		goto out;
	}
	T_OK(exec("PRAGMA foreign_keys = OFF;"
	    "INSERT INTO practitioners VALUES (1, '" ID1 "',"
	    " '3501**********1233', 'd1', '张三', '甲单位', 'x');"
	    "INSERT INTO practitioners VALUES (2, '" ID2 "',"
	    " '1101**********002X', 'd2', '李四', '乙单位', 'x');"
	    "INSERT INTO accounts (id, name, role, practitioner_id, org,"
	    " pw_hash, created, created_by) VALUES (7, 'zhang', 'practitioner',"
	    " 1, '甲单位', '$argon2id$secret', 0, 'cli')") == 0, "people");
	/* Holder 1, 2024: compulsory 12 + elective 6 public, professional
	 * 30 stamped; 5 compulsory waiting; 4 professional rejected. 2023:
	 * 8 professional stamped. Holder 2: 50 public stamped. */
	T_OK(rec(1, 1, 2024, "public", "compulsory", 120, "stamped",
	    "2025-01-02T00:00:00Z") == 0 &&
	    rec(2, 1, 2024, "public", "elective", 60, "stamped",
	    "2025-01-02T00:00:00Z") == 0 &&
	    rec(3, 1, 2024, "professional", NULL, 300, "stamped",
	    "2025-01-02T00:00:00Z") == 0 &&
	    rec(4, 1, 2024, "public", "compulsory", 50, "", "") == 0 &&
	    rec(5, 1, 2024, "professional", NULL, 40, "rejected",
	    "2025-01-04T00:00:00Z") == 0 &&
	    rec(6, 1, 2023, "professional", NULL, 80, "stamped",
	    "2024-01-02T00:00:00Z") == 0 &&
	    rec(7, 2, 2024, "public", "compulsory", 500, "stamped",
	    "2025-01-02T00:00:00Z") == 0, "records");

	/* Hours: summary's, split and not. */
	same_as_summary(weihai, "weihai");
	same_as_summary(fujian, "fujian");
	T_OK(myview_years(db, weihai, 1, NOW, ys, MINE_MAX_YEARS, &n, err) ==
	    HS_OK && n == 3, "three years: this one, 2024, 2023 (%zu) %s", n,
	    err);
	T_OK(ys[0].year == 2026 && ys[0].r.total10 == 0 && !ys[0].r.met &&
	    ys[0].r.missing_total10 == 900, "2026 first, with nothing yet");
	T_OK(ys[1].year == 2024 && ys[2].year == 2023, "then newest first");
	T_OK(ys[1].r.compulsory10 == 120 && ys[1].r.elective10 == 60 &&
	    ys[1].r.public10 == 180 && ys[1].r.professional10 == 300,
	    "2024: 12 compulsory, 6 elective, 18 public, 30 professional");
	T_OK(ys[1].r.missing_compulsory10 == 80 &&
	    ys[1].r.missing_elective10 == 40 &&
	    ys[1].r.missing_public10 == 120 &&
	    ys[1].r.missing_professional10 == 300 &&
	    ys[1].r.missing_total10 == 420, "2024 missing: 8 compulsory, 4 "
	    "elective, 12 public, 30 professional, 42 in all");
	T_OK(ys[1].nrecords == 3 && ys[1].waiting == 1 &&
	    ys[1].waiting10 == 50, "the waiting record is apart, not "
	    "counted (%zu stamped, %zu waiting)", ys[1].nrecords,
	    ys[1].waiting);
	T_OK(ys[1].has_deadline && strcmp(ys[1].deadline, "2025-02-28") == 0 &&
	    ys[1].past_deadline, "2024's deadline 2025-02-28, past");
	T_OK(ys[0].has_deadline && strcmp(ys[0].deadline, "2027-02-28") == 0 &&
	    !ys[0].past_deadline, "2026's deadline 2027-02-28, to come");
	T_OK(ys[2].has_deadline && strcmp(ys[2].deadline, "2024-02-29") == 0,
	    "2023's by the rule: the end of February 2024 (leap) (%s)",
	    ys[2].deadline);
	T_OK(myview_years(db, fujian, 1, NOW, ys, MINE_MAX_YEARS, &n, err) ==
	    HS_OK && ys[1].r.compulsory10 == 0 && ys[1].r.public10 == 180,
	    "fujian: public not split");
	T_OK(myview_years(db, weihai, 1, NOW, ys, 0, &n, err) ==
	    HS_ERR_INVALID, "max 0 is refused");
	T_OK(myview_this_year(1798740000) == 2027 &&
	    myview_this_year(1798689600) == 2026, "the year turns at "
	    "midnight in China (2026-12-31T16:00Z)");

	/* Certificates: holder 1's annual superseded (01-05), course of
	 * record 3 revoked for an error (01-06), holder 2's revoked. */
	T_OK(certs_open(db, &c, err) == HS_OK &&
	    cert(c, "2024-AAAA-AAAA-AAAA-AAAA", 1, 2024, "annual", 1, 0,
	    err) == HS_OK &&
	    cert(c, "2024-BBBB-BBBB-BBBB-BBBB", 1, 2024, "annual", 2, 0,
	    err) == HS_OK &&
	    cert(c, "2024-CCCC-CCCC-CCCC-CCCC", 1, 2024, "course", 3, 3,
	    err) == HS_OK &&
	    cert(c, "2024-DDDD-DDDD-DDDD-DDDD", 2, 2024, "course", 4, 7,
	    err) == HS_OK &&
	    certs_revoke(c, "2024-AAAA-AAAA-AAAA-AAAA", "superseded", NULL,
	    "2025-01-03T00:00:00Z", 5, "2024-BBBB-BBBB-BBBB-BBBB", err) ==
	    HS_OK &&
	    certs_revoke(c, "2024-CCCC-CCCC-CCCC-CCCC", "error", "名称错",
	    "2025-01-06T00:00:00Z", 6, NULL, err) == HS_OK &&
	    certs_revoke(c, "2024-DDDD-DDDD-DDDD-DDDD", "fraud", NULL,
	    "2025-01-07T00:00:00Z", 7, NULL, err) == HS_OK,
	    "certificates %s", err);
	certs_close(c);

	/* Notices: newest first; fresh only after seen. */
	memset(&sl, 0, sizeof(sl));
	time_parse_rfc3339("2025-01-04T00:00:00Z", &t2);
	T_OK(myview_notices(db, 1, (int64_t)t2, 50, collect, &sl, &fresh,
	    err) == HS_OK && sl.n == 3, "three notices (%zu) %s", sl.n, err);
	T_OK(strcmp(sl.obj[0], "2024-CCCC-CCCC-CCCC-CCCC") == 0 &&
	    sl.kind[0] == MINE_REVOKED && strcmp(sl.obj[1], "R5") == 0 &&
	    sl.kind[1] == MINE_REJECTED &&
	    strcmp(sl.obj[2], "2024-AAAA-AAAA-AAAA-AAAA") == 0 &&
	    sl.kind[2] == MINE_SUPERSEDED, "newest first: revoked (01-06), "
	    "rejected (01-04), superseded (01-03): %s %s %s", sl.obj[0],
	    sl.obj[1], sl.obj[2]);
	T_OK(strcmp(sl.reason[0], "error") == 0 &&
	    strcmp(sl.note[0], "名称错") == 0 &&
	    strcmp(sl.reason[1], "材料不全") == 0 &&
	    strcmp(sl.reason[2], "superseded") == 0,
	    "each with its reason (and the revocation's note)");
	T_OK(sl.fresh[0] && !sl.fresh[1] && !sl.fresh[2] && fresh == 1,
	    "seen at the rejection: only the later one is new");
	T_OK(myview_fresh_count(db, 1, 0, 50, &fresh, err) == HS_OK &&
	    fresh == 3, "never seen: all three are new");
	T_OK(myview_fresh_count(db, 2, 0, 50, &fresh, err) == HS_OK &&
	    fresh == 1, "holder 2 sees only their own");
	T_OK(mine_notices(db, 1, 0, NULL, NULL, err) == HS_ERR_INVALID,
	    "a notice limit of 0 is refused");
	T_OK(mine_notices_seen_set(db, 7, 1000, err) == HS_OK &&
	    mine_notices_seen_set(db, 7, 500, err) == HS_OK &&
	    mine_notices_seen(db, 7, &seen, err) == HS_OK && seen == 1000,
	    "notices_seen never moves back (%lld)", (long long)seen);

	/* Only one's own rows. */
	T_OK(mine_cert_get(db, 1, "2024-DDDD-DDDD-DDDD-DDDD", &mc, err) ==
	    HS_ERR_NOTFOUND, "holder 2's certificate: not found for 1");
	T_OK(mine_cert_get(db, 1, "2024-ZZZZ-ZZZZ-ZZZZ-ZZZZ", &mc, err) ==
	    HS_ERR_NOTFOUND, "a missing one: the same");
	T_OK(mine_cert_get(db, 1, "2024-AAAA-AAAA-AAAA-AAAA", &mc, err) ==
	    HS_OK && mc.revoked && strcmp(mc.reason, "superseded") == 0 &&
	    strcmp(mc.replaced_by, "2024-BBBB-BBBB-BBBB-BBBB") == 0,
	    "superseded, with its replacement");
	T_OK(mine_record_get(db, 1, 7, &mr, err) == HS_ERR_NOTFOUND,
	    "holder 2's record: not found for 1");

	/* Course-certificate checks. */
	T_OK(myview_course_check(db, 1, 1, &mr, have, err) == HS_OK,
	    "a stamped record without a certificate may ask %s", err);
	T_OK(myview_course_check(db, 1, 4, &mr, have, err) == HS_ERR_STATE &&
	    strstr(err, "waiting") != NULL, "a waiting one may not (%s)",
	    err);
	T_OK(myview_course_check(db, 1, 5, &mr, have, err) == HS_ERR_STATE,
	    "a rejected one may not");
	T_OK(myview_course_check(db, 1, 7, &mr, have, err) ==
	    HS_ERR_NOTFOUND, "someone else's: not found");
	T_OK(myview_course_check(db, 1, 3, &mr, have, err) == HS_ERR_STATE &&
	    strcmp(have, "2024-CCCC-CCCC-CCCC-CCCC") == 0, "one whose course "
	    "certificate was revoked for an error: only the issuer (%s)", err);
	c = NULL;
	T_OK(certs_open(db, &c, err) == HS_OK &&
	    cert(c, "2024-EEEE-EEEE-EEEE-EEEE", 1, 2024, "course", 8, 2,
	    err) == HS_OK, "a course certificate of record 2");
	certs_close(c);
	T_OK(myview_course_check(db, 1, 2, &mr, have, err) == HS_ERR_EXISTS &&
	    strcmp(have, "2024-EEEE-EEEE-EEEE-EEEE") == 0, "record 2 has a "
	    "valid one: exists, named (%s)", err);

	/* The export. */
	buf_init(&b);
	T_OK(mine_export(db, 1, 7, "2026-12-06T08:00:00Z", &b, err) == HS_OK,
	    "export %s", err);
	j = b.data ? json_loads(b.data, 0, NULL) : NULL;
	T_OK(j != NULL, "the export is JSON");
	T_OK(j && strcmp(json_string_value(json_object_get(json_object_get(j,
	    "person"), "id_number")), ID1) == 0, "with the holder's own full "
	    "ID number");
	T_OK(j && json_array_size(json_object_get(j, "records")) == 6 &&
	    json_array_size(json_object_get(j, "certificates")) == 4 &&
	    json_array_size(json_object_get(j, "stamps")) == 5,
	    "6 records, 4 certificates, 5 decisions: the holder's only");
	T_OK(b.data && strstr(b.data, ID2) == NULL && strstr(b.data, "李四") ==
	    NULL && strstr(b.data, "DDDD") == NULL, "nothing of holder 2");
	T_OK(b.data && strstr(b.data, "argon2") == NULL &&
	    strstr(b.data, "pw_hash") == NULL, "no password hash");
	T_OK(j && json_integer_value(json_object_get(json_object_get(j,
	    "account"), "has_password")) == 1, "the account says a password "
	    "is set (1)");
	json_decref(j);
	buf_free(&b);
out:
	policy_free(weihai);
	policy_free(fujian);
}

int
main(void)
{
	char err[HS_ERRLEN] = "";

	if (t_tmpdir("myview", dir, sizeof(dir)) != 0)
		return 2;
	T_OK(t_datadir(dir, &cfg, &db, err) == HS_OK, "data directory %s",
	    err);
	if (db != NULL)
		test_view();
	store_close(db);
	config_wipe(&cfg);
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
