/*
 * Unit tests for import.c: every row rule (both edges of each cap, the
 * minutes rule, the deadline, form 8, Weihai's split), then whole files:
 * aliases, BOM, quoting, JSON Lines, GBK, all-or-nothing, --skip-invalid,
 * idempotent re-import, conflicts, renames, automatic stamps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/config.h"
#include "app/import.h"
#include "cert/policy.h"
#include "store/store.h"
#include "core/util.h"
#include "t.h"
#include "tlib.h"

static struct policy *fujian, *weihai;
static long today; /* 2026-11-23 */

static struct policy *
load(const char *name)
{
	char err[HS_ERRLEN] = "";
	struct policy *p = t_policy(name, err);

	T_OK(p != NULL, "load %s %s", name, err);
	return p;
}

/*
 * One row: the base row below with "field=value;field=value" changes
 * (an empty value clears the field). want is the error, or NULL for a
 * valid row with want10 tenths of hours and warning warn ("" for none).
 */
struct row {
	bool weihai;
	const char *set;
	const char *want;
	long want10;
	const char *warn;
};

static const struct row rows[] = {
	/* The base row and the ID number. */
	{ 0, "", NULL, 120, "" },
	{ 0, "id_number=11010519491231002X", NULL, 120, "" },
	{ 0, "id_number=11010519491231002x", NULL, 120, "" },
	{ 0, "id_number=350102198001011234",
	    "id_number: wrong check character (expected 3)", 0, NULL },
	{ 0, "id_number=35010219800230123X",
	    "id_number: impossible birth date 1980-02-30", 0, NULL },
	{ 0, "id_number=35010219800101123",
	    "id_number: must be 18 characters (got 17)", 0, NULL },
	{ 0, "id_number=3501021980010112333",
	    "id_number: must be 18 characters (got 19)", 0, NULL },
	{ 0, "id_number=", "id_number: required", 0, NULL },
	/* Names and text fields. */
	{ 0, "name=", "name: required", 0, NULL },
	{ 0, "name=张|三", "name: '|' is not allowed", 0, NULL },
	/* Surrounding spaces are dropped (issue 17): test_import_messy.c. */
	{ 0, "name= 张三", NULL, 120, "" },
	{ 0, "name=张三　", NULL, 120, "" },
	{ 0, "name=张\t三", "name: control characters (tab, newline, ...) "
	    "are not allowed", 0, NULL },
	{ 0, "name=巴特尔·其木格", NULL, 120, "" },
	{ 0, "name=一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
	    "一二三四五六七八九十一二三四五六七八九十", NULL, 120, "" },
	{ 0, "name=一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
	    "一二三四五六七八九十一二三四五六七八九十一",
	    "name: longer than 50 characters", 0, NULL },
	{ 0, "unit=", NULL, 120, "" },
	{ 0, "title=", "title: required", 0, NULL },
	{ 0, "provider=", "provider: required", 0, NULL },
	{ 0, "provider=基地|二部", "provider: '|' is not allowed", 0, NULL },
	/* Year, subject, form. */
	{ 0, "year=", "year: required", 0, NULL },
	{ 0, "year=24", "year: must be a four-digit year (got \"24\")", 0, NULL },
	{ 0, "year=2027", "year: 2027 has not begun", 0, NULL },
	{ 0, "subject=公需", NULL, 120, "" },
	{ 0, "subject=Professional", NULL, 120, "" },
	{ 0, "subject=专业", NULL, 120, "" },
	{ 0, "subject=general", "subject: must be public/公需 or "
	    "professional/专业 (got \"general\")", 0, NULL },
	{ 0, "form=网授", NULL, 120, "" },
	{ 0, "form=online", NULL, 120, "" },
	{ 0, "form=0", "form: must be 1-9 or online/网授, face-to-face/面授, "
	    "industry, employer, practice, degree, academic, achievement/成果, "
	    "other (got \"0\")", 0, NULL },
	{ 0, "form=webinar", "form: must be 1-9 or online/网授, face-to-face/面授, "
	    "industry, employer, practice, degree, academic, achievement/成果, "
	    "other (got \"webinar\")", 0, NULL },
	{ 0, "form=3", "form: form 3 (industry, 行业培训) counts only toward "
	    "professional subjects", 0, NULL },
	{ 0, "public_type=compulsory;subject=professional",
	    "public_type: only for public subjects", 0, NULL },
	{ 0, "public_type=必修", NULL, 120, "" },
	{ 0, "public_type=mandatory", "public_type: must be compulsory/必修 or "
	    "elective/选修 (got \"mandatory\")", 0, NULL },
	{ 0, "domain=临床医学", "domain: only for professional subjects", 0,
	    NULL },
	{ 0, "domain=临床医学;subject=professional", NULL, 120, "" },
	/* Dates. */
	{ 0, "start_date=2024-02-30", "start_date: no such date 2024-02-30", 0,
	    NULL },
	{ 0, "start_date=2024/3/1", NULL, 120, "" },
	{ 0, "start_date=3/1/2024", "start_date: must be a date such as "
	    "2025-06-10, 2025/6/10, 2025.6.10 or 2025年6月10日 (got "
	    "\"3/1/2024\")", 0, NULL },
	{ 0, "end_date=", "end_date: required (YYYY-MM-DD)", 0, NULL },
	{ 0, "start_date=2024-03-03", "end_date: 2024-03-01 is before "
	    "start_date 2024-03-03", 0, NULL },
	{ 0, "start_date=2024-02-28;end_date=2024-03-01;hours=36", NULL, 360,
	    "" },
	{ 0, "year=2025", "end_date: 2024-03-01 is before study year 2025 "
	    "begins", 0, NULL },
	/* The deadline: 2024's work must be done by 2025-02-28. */
	{ 0, "start_date=2025-02-28;end_date=2025-02-28", NULL, 120, "" },
	{ 0, "start_date=2025-03-01;end_date=2025-03-01",
	    "end_date: 2025-03-01 is after the 2024 deadline 2025-02-28: not "
	    "verified (不予审验)", 0, NULL },
	{ 0, "start_date=2025-02-27;end_date=2025-03-01;hours=8",
	    "end_date: 2025-03-01 is after the 2024 deadline 2025-02-28: not "
	    "verified (不予审验)", 0, NULL },
	{ 1, "public_type=elective;start_date=2025-03-01;end_date=2025-03-01",
	    "end_date: 2025-03-01 is after the 2024 deadline 2025-02-28: not "
	    "verified (不予审验)", 0, NULL },
	{ 0, "year=2026;start_date=2026-11-23;end_date=2026-11-23", NULL, 120,
	    "" },
	{ 0, "year=2026;start_date=2026-11-23;end_date=2026-11-24",
	    "end_date: 2026-11-24 is in the future", 0, NULL },
	/* Hours: > 0, at most one decimal. */
	{ 0, "hours=0.1", NULL, 1, "" },
	{ 0, "hours=1.50", NULL, 15, "" },
	{ 0, "hours=0", "hours: must be more than 0 (got 0)", 0, NULL },
	{ 0, "hours=0.0", "hours: must be more than 0 (got 0.0)", 0, NULL },
	{ 0, "hours=-3", "hours: must be more than 0 (got -3)", 0, NULL },
	{ 0, "hours=1.25", "hours: at most one decimal (got 1.25)", 0, NULL },
	{ 0, "hours=abc", "hours: must be a number like 12 or 12.5 (got "
	    "\"abc\")", 0, NULL },
	{ 0, "hours=12h", "hours: must be a number like 12 or 12.5 (got "
	    "\"12h\")", 0, NULL },
	{ 0, "hours=", "hours: required (give hours or minutes)", 0, NULL },
	{ 0, "minutes=90", "hours: give hours or minutes, not both", 0, NULL },
	/* Minutes: whole 45-minute hours; what is left is a warning. */
	{ 0, "hours=;minutes=45", NULL, 10, "" },
	{ 0, "hours=;minutes=90", NULL, 20, "" },
	{ 0, "hours=;minutes=100", NULL, 20, "minutes: 100 minutes count as 2 "
	    "hours; the 10 minutes left over are not counted" },
	{ 0, "hours=;minutes=89", NULL, 10, "minutes: 89 minutes count as 1 "
	    "hours; the 44 minutes left over are not counted" },
	{ 0, "hours=;minutes=44", "minutes: 44 minutes is less than one "
	    "45-minute hour", 0, NULL },
	{ 0, "hours=;minutes=0", "minutes: must be more than 0", 0, NULL },
	{ 0, "hours=;minutes=1.5", "minutes: must be a whole number of minutes "
	    "(got \"1.5\")", 0, NULL },
	{ 0, "hours=;minutes=584", NULL, 120, "minutes: 584 minutes count as 12 "
	    "hours; the 44 minutes left over are not counted" },
	{ 0, "hours=;minutes=585", "hours: 13 hours in 1 day exceeds the cap "
	    "for form 1 (online): 12 a day, 12 in all", 0, NULL },
	/* Daily caps, both edges: online 12, face-to-face 8, others 8. */
	{ 0, "hours=12", NULL, 120, "" },
	{ 0, "hours=12.1", "hours: 12.1 hours in 1 day exceeds the cap for "
	    "form 1 (online): 12 a day, 12 in all", 0, NULL },
	{ 0, "end_date=2024-03-02;hours=24", NULL, 240, "" },
	{ 0, "end_date=2024-03-02;hours=24.1", "hours: 24.1 hours in 2 days "
	    "exceeds the cap for form 1 (online): 12 a day, 24 in all", 0,
	    NULL },
	{ 0, "form=2;hours=8", NULL, 80, "" },
	{ 0, "form=面授;hours=8.1", "hours: 8.1 hours in 1 day exceeds the cap "
	    "for form 2 (face-to-face): 8 a day, 8 in all", 0, NULL },
	{ 0, "form=2;end_date=2024-03-03;hours=24", NULL, 240, "" },
	{ 0, "form=2;end_date=2024-03-03;hours=24.1", "hours: 24.1 hours in 3 "
	    "days exceeds the cap for form 2 (face-to-face): 8 a day, 24 in "
	    "all", 0, NULL },
	{ 0, "form=4;hours=8", NULL, 80, "" },
	{ 0, "form=4;hours=8.1", "hours: 8.1 hours in 1 day exceeds the cap "
	    "for form 4 (employer): 8 a day, 8 in all", 0, NULL },
	{ 0, "subject=professional;form=7;hours=8", NULL, 80, "" },
	{ 0, "subject=professional;form=7;hours=9", "hours: 9 hours in 1 day "
	    "exceeds the cap for form 7 (academic): 8 a day, 8 in all", 0,
	    NULL },
	{ 0, "subject=professional;form=6;start_date=2024-01-01;"
	    "end_date=2024-12-31;hours=120", NULL, 1200, "" },
	/* Fujian 2026 public subjects: 12 a day in any form (003_...). */
	{ 0, "year=2026;form=2;start_date=2026-06-01;end_date=2026-06-01;"
	    "hours=12", NULL, 120, "" },
	{ 0, "year=2026;form=2;start_date=2026-06-01;end_date=2026-06-01;"
	    "hours=12.1", "hours: 12.1 hours in 1 day exceeds the cap for form 2 "
	    "(face-to-face) in 2026 public subjects: 12 a day, 12 in all", 0,
	    NULL },
	{ 0, "year=2026;form=2;subject=professional;start_date=2026-06-01;"
	    "end_date=2026-06-01;hours=8.1", "hours: 8.1 hours in 1 day exceeds "
	    "the cap for form 2 (face-to-face): 8 a day, 8 in all", 0, NULL },
	{ 0, "year=2025;form=2;start_date=2025-06-01;end_date=2025-06-01;"
	    "hours=8.1", "hours: 8.1 hours in 1 day exceeds the cap for form 2 "
	    "(face-to-face): 8 a day, 8 in all", 0, NULL },
	{ 1, "year=2026;public_type=compulsory;form=2;start_date=2026-06-01;"
	    "end_date=2026-06-01;hours=8.1", "hours: 8.1 hours in 1 day exceeds "
	    "the cap for form 2 (face-to-face): 8 a day, 8 in all", 0, NULL },
	/* Form 8: 60 hours for a first author, 30 for others, no day cap. */
	{ 0, "subject=professional;form=8;author_role=first;hours=60", NULL,
	    600, "" },
	{ 0, "subject=professional;form=achievement;author_role=第一作者;"
	    "hours=", NULL, 600, "" },
	{ 0, "subject=professional;form=8;author_role=other;hours=30", NULL,
	    300, "" },
	{ 0, "subject=professional;form=成果;author_role=other;hours=", NULL,
	    300, "" },
	{ 0, "subject=professional;form=8;author_role=first;hours=30",
	    "hours: form 8 (achievement) counts 60 hours for a first author "
	    "(got 30)", 0, NULL },
	{ 0, "subject=professional;form=8;author_role=other;hours=60",
	    "hours: form 8 (achievement) counts 30 hours for other authors "
	    "(got 60)", 0, NULL },
	{ 0, "subject=professional;form=8;author_role=first;hours=59.9",
	    "hours: form 8 (achievement) counts 60 hours for a first author "
	    "(got 59.9)", 0, NULL },
	{ 0, "subject=professional;form=8;hours=60", "author_role: required for "
	    "form 8 (achievement): first (60 hours) or other (30 hours)", 0,
	    NULL },
	{ 0, "subject=professional;form=8;author_role=third;hours=30",
	    "author_role: must be first/第一作者 or other/其他 (got \"third\")", 0,
	    NULL },
	{ 0, "author_role=first", "author_role: only for form 8 (achievement)",
	    0, NULL },
	{ 0, "form=8;author_role=first;hours=60", "form: form 8 (achievement, "
	    "成果) counts only toward professional subjects", 0, NULL },
	/* Weihai: public hours are compulsory or elective. */
	{ 1, "", "public_type: required for public subjects under the weihai "
	    "policy: compulsory/必修 or elective/选修", 0, NULL },
	{ 1, "public_type=compulsory", NULL, 120, "" },
	{ 1, "public_type=必修", NULL, 120, "" },
	{ 1, "public_type=选修课", NULL, 120, "" },
	{ 1, "subject=professional", NULL, 120, "" },
	{ 1, "public_type=required", "public_type: must be compulsory/必修 or "
	    "elective/选修 (got \"required\")", 0, NULL },
	{ 1, "public_type=elective;hours=;minutes=200", NULL, 40, "minutes: 200 "
	    "minutes count as 4 hours; the 20 minutes left over are not "
	    "counted" },
	/* ref. */
	{ 0, "ref=FJPT-2024-000001", NULL, 120, "" },
	{ 0, "ref=A\tB", "ref: control characters (tab, newline, ...) are not "
	    "allowed", 0, NULL },
};

static void
build(const char *set, char vals[IMPORT_NFIELDS][256],
    const char *f[IMPORT_NFIELDS])
{
	static const char *const base[IMPORT_NFIELDS] = {
		[IMPORT_ID_NUMBER] = "350102198001011233",
		[IMPORT_NAME] = "张三",
		[IMPORT_UNIT] = "福州市第一医院",
		[IMPORT_YEAR] = "2024",
		[IMPORT_SUBJECT] = "public",
		[IMPORT_FORM] = "1",
		[IMPORT_TITLE] = "新时代政绩观树立",
		[IMPORT_PROVIDER] = "福建省继续教育基地",
		[IMPORT_START_DATE] = "2024-03-01",
		[IMPORT_END_DATE] = "2024-03-01",
		[IMPORT_HOURS] = "12",
	};
	char copy[512], *tok, *save = NULL, *eq;
	int k;

	for (k = 0; k < IMPORT_NFIELDS; k++) {
		snprintf(vals[k], 256, "%s", base[k] ? base[k] : "");
		f[k] = vals[k];
	}
	snprintf(copy, sizeof(copy), "%s", set);
	for (tok = strtok_r(copy, ";", &save); tok != NULL;
	    tok = strtok_r(NULL, ";", &save)) {
		if ((eq = strchr(tok, '=')) == NULL)
			continue;
		*eq = '\0';
		if ((k = import_field_parse(tok)) < 0) {
			printf("# bad field %s in test row\n", tok);
			continue;
		}
		snprintf(vals[k], 256, "%s", eq + 1);
	}
}

static void
test_rows(void)
{
	char vals[IMPORT_NFIELDS][256], err[HS_ERRLEN], warn[HS_ERRLEN];
	const char *f[IMPORT_NFIELDS];
	struct import_record r;
	enum hs_err rc;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		build(rows[i].set, vals, f);
		err[0] = warn[0] = '\0';
		rc = import_check_row(rows[i].weihai ? weihai : fujian, f, today,
		    &r, warn, err);
		if (rows[i].want == NULL) {
			T_OK(rc == HS_OK, "%s[%s] accepted %s", rows[i].weihai ?
			    "weihai" : "fujian", rows[i].set, err);
			T_OK(rc == HS_OK && r.hours10 == rows[i].want10,
			    "[%s] %ld tenths (got %ld)", rows[i].set,
			    rows[i].want10, r.hours10);
			T_STREQ(warn, rows[i].warn, "[%s] warning", rows[i].set);
		} else {
			T_OK(rc == HS_ERR_INVALID, "%s[%s] rejected",
			    rows[i].weihai ? "weihai" : "fujian", rows[i].set);
			T_STREQ(err, rows[i].want, "[%s] message", rows[i].set);
		}
	}
	/* The record carries canonical values. */
	build("id_number=11010519491231002x;public_type=选修;form=网授", vals, f);
	T_OK(import_check_row(weihai, f, today, &r, warn, err) == HS_OK &&
	    strcmp(r.id_number, "11010519491231002X") == 0 && r.public &&
	    r.ptype == PTYPE_ELECTIVE && r.form == 1, "canonical record");
}

static void
test_fields(void)
{
	static const struct {
		const char *h;
		int want;
	} hs[] = {
		{ "id_number", IMPORT_ID_NUMBER }, { "ID_NUMBER", IMPORT_ID_NUMBER },
		{ "身份证号", IMPORT_ID_NUMBER }, { "姓名", IMPORT_NAME },
		{ "工作单位", IMPORT_UNIT }, { "年度", IMPORT_YEAR },
		{ "科目类别", IMPORT_SUBJECT }, { "公需类型", IMPORT_PUBLIC_TYPE },
		{ "学习形式", IMPORT_FORM }, { "课程名称", IMPORT_TITLE },
		{ "施训机构", IMPORT_PROVIDER }, { "开始日期", IMPORT_START_DATE },
		{ "结束日期", IMPORT_END_DATE }, { "学时", IMPORT_HOURS },
		{ "分钟", IMPORT_MINUTES }, { "作者排序", IMPORT_AUTHOR_ROLE },
		{ "专业技术领域", IMPORT_DOMAIN }, { "外部编号", IMPORT_REF },
		{ "#error", -2 }, { "", -2 }, { "colour", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(hs) / sizeof(hs[0]); i++)
		T_OK(import_field_parse(hs[i].h) == hs[i].want, "header \"%s\"",
		    hs[i].h);
}

/* ---- whole files ---------------------------------------------------- */

static char dir[T_DIRMAX];
static struct config cfg;
static sqlite3 *db;
static char msgs[8192];

static void
collect(void *ctx, enum import_level level, const char *msg)
{
	size_t n = strlen(msgs);

	snprintf(msgs + n, sizeof(msgs) - n, "%s\n", msg);
}

static void
put(const char *name, const char *text, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return;
	fwrite(text, 1, len ? len : strlen(text), f);
	fclose(f);
}

static enum hs_err
import(const char *name, const char *rejects, bool renames,
    const char *encoding, struct import_stats *st, char *err)
{
	struct import_options o;
	char path[512], rpath[512];

	memset(&o, 0, sizeof(o));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	o.path = path;
	if (rejects != NULL) {
		snprintf(rpath, sizeof(rpath), "%s/%s", dir, rejects);
		o.rejects_path = rpath;
	}
	o.accept_renames = renames;
	o.encoding = encoding;
	o.today = today;
	o.report = collect;
	msgs[0] = err[0] = '\0';
	return import_file(db, &cfg, fujian, &o, st, err);
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

#define HDR "id_number,name,unit,year,subject,public_type,form,title," \
	"provider,start_date,end_date,hours,author_role,domain,ref\n"

static void
test_files(void)
{
	struct import_stats st;
	char err[HS_ERRLEN], path[600], *text = NULL;
	size_t len;
	enum hs_err rc;

	/* Chinese headers, a BOM, CRLF, quoted commas and quotes. */
	put("a.csv", "\xef\xbb\xbf身份证号,姓名,工作单位,年度,科目类别,学习形式,"
	    "课程名称,施训机构,开始日期,结束日期,学时,外部编号\r\n"
	    "350102198001011233,张三,福州市第一医院,2024,公需,网授,"
	    "\"新时代政绩观树立, 上\",福建省继续教育基地,2024-03-01,2024-03-01,"
	    "12,R1\r\n"
	    "350102198001011233,张三,福州市第一医院,2024,专业,面授,"
	    "\"“数字”技术 \"\"实务\"\"\",福州市卫健委,2024-04-01,2024-04-02,"
	    "16,\r\n\r\n", 0);
	rc = import("a.csv", NULL, false, NULL, &st, err);
	T_OK(rc == HS_OK && st.rows == 2 && st.inserted == 2 &&
	    st.people_new == 1 && st.auto_stamped == 1,
	    "aliases, BOM, CRLF, quotes: 2 rows in %s", err);
	T_STREQ(qs("SELECT title FROM records WHERE ref IS NULL"),
	    "“数字”技术 \"实务\"", "doubled quotes unescaped");
	T_STREQ(qs("SELECT title FROM records WHERE ref = 'R1'"),
	    "新时代政绩观树立, 上", "quoted comma kept");
	T_STREQ(qs("SELECT source FROM records WHERE ref = 'R1'"), "a.csv:2",
	    "source names file and line");
	T_STREQ(qs("SELECT id_masked || ' ' || length(id_digest) FROM "
	    "practitioners"), "3501**********1233 44", "masked ID and digest");
	T_OK(q("SELECT count(*) FROM stamps WHERE authority_kind = 'auto' AND "
	    "decision = 'stamped'") == 1, "the online record is stamped "
	    "automatically, the face-to-face one is not");

	/* Importing the same file again changes nothing. */
	rc = import("a.csv", NULL, false, NULL, &st, err);
	T_OK(rc == HS_OK && st.inserted == 0 && st.duplicates == 2 &&
	    q("SELECT count(*) FROM records") == 2 &&
	    q("SELECT count(*) FROM stamps") == 1, "re-import is a no-op");

	/* Same person, title, provider and dates without a ref: duplicate;
	 * same ref with other hours: a conflict, named. */
	put("b.csv", HDR "350102198001011233,张三,,2024,professional,,2,"
	    "\"“数字”技术 \"\"实务\"\"\",福州市卫健委,2024-04-01,2024-04-02,16"
	    ",,,\n", 0);
	rc = import("b.csv", NULL, false, NULL, &st, err);
	T_OK(rc == HS_OK && st.duplicates == 1 && st.inserted == 0,
	    "same course without ref is a duplicate %s", err);
	put("c.csv", HDR "350102198001011233,张三,,2024,public,,1,"
	    "\"新时代政绩观树立, 上\",福建省继续教育基地,2024-03-01,2024-03-01,"
	    "11,,,R1\n", 0);
	rc = import("c.csv", NULL, false, NULL, &st, err);
	T_OK(rc == HS_ERR_INVALID, "a changed record under the same ref is "
	    "refused");
	T_STREQ(msgs, "c.csv:2: ref: R1 was imported before (a.csv:2) with "
	    "hours 12; a correction needs a new ref\n", "conflict message");
	put("c2.csv", HDR "350102198001011233,张三,,2024,professional,,2,"
	    "\"“数字”技术 \"\"实务\"\"\",福州市卫健委,2024-04-01,2024-04-02,15"
	    ",,,\n", 0);
	rc = import("c2.csv", NULL, false, NULL, &st, err);
	T_STREQ(msgs, "c2.csv:2: hours: the same course (person, title, "
	    "provider, dates) was imported before (a.csv:3) with hours 16\n",
	    "natural-key conflict message");

	/* All or nothing: one bad row, nothing stored. */
	put("d.csv", HDR
	    "350102198505051239,李四,厦门大学,2024,public,,2,课程一,基地,"
	    "2024-05-01,2024-05-01,8,,,\n"
	    "350102198505051238,李四,厦门大学,2024,public,,2,课程二,基地,"
	    "2024-05-02,2024-05-02,8,,,\n", 0);
	rc = import("d.csv", NULL, false, NULL, &st, err);
	T_OK(rc == HS_ERR_INVALID && q("SELECT count(*) FROM records") == 2 &&
	    q("SELECT count(*) FROM practitioners") == 1,
	    "one bad row: nothing imported");
	T_STREQ(err, "d.csv: 1 of 2 rows rejected; nothing imported (fix them, "
	    "or use --skip-invalid FILE to import the rest)", "summary error");
	T_STREQ(msgs, "d.csv:3: id_number: wrong check character (expected 9)\n",
	    "row error names file, line, field, reason");

	/* --skip-invalid: the good row in, the bad one out with its reason;
	 * the rejects file imports as it is (its # columns are ignored). */
	rc = import("d.csv", "rej.csv", false, NULL, &st, err);
	T_OK(rc == HS_OK && st.inserted == 1 && st.rejected == 1 &&
	    q("SELECT count(*) FROM records") == 3, "--skip-invalid imports "
	    "the rest");
	snprintf(path, sizeof(path), "%s/rej.csv", dir);
	if (file_read(path, 1 << 20, &text, &len, err) == HS_OK)
		T_STREQ(text, "\xef\xbb\xbf#line,#error,id_number,name,unit,year,subject,"
		    "public_type,form,title,provider,start_date,end_date,hours,"
		    "author_role,domain,ref\n3,id_number: wrong check character "
		    "(expected 9),350102198505051238,李四,厦门大学,2024,public,,2,"
		    "课程二,基地,2024-05-02,2024-05-02,8,,,\n", "rejects file");
	free(text);
	text = NULL;
	rc = import("rej.csv", NULL, false, NULL, &st, err);
	T_STREQ(msgs, "rej.csv:2: id_number: wrong check character "
	    "(expected 9)\n", "the rejects file re-imports with the same error");

	/* A new unit is taken and reported; a new name is refused unless
	 * renames are accepted. */
	put("e.csv", HDR "350102198001011233,张三,福建医科大学附属协和医院,2024,"
	    "public,,2,课程三,基地,2024-06-01,2024-06-01,8,,,\n", 0);
	rc = import("e.csv", NULL, false, NULL, &st, err);
	T_OK(rc == HS_OK && st.people_changed == 1, "unit change accepted");
	T_STREQ(msgs, "e.csv:2: note: unit of 3501**********1233 (张三) changed "
	    "from 福州市第一医院 to 福建医科大学附属协和医院\n", "unit change "
	    "reported");
	put("f.csv", HDR "350102198001011233,张珊,,2024,public,,2,课程四,基地,"
	    "2024-06-02,2024-06-02,8,,,\n", 0);
	rc = import("f.csv", NULL, false, NULL, &st, err);
	T_OK(rc == HS_ERR_INVALID, "name change refused");
	T_STREQ(msgs, "f.csv:2: name: 张珊 is registered for "
	    "3501**********1233 as 张三; if the name really changed, import "
	    "with --accept-renames\n", "name change message");
	rc = import("f.csv", NULL, true, NULL, &st, err);
	T_OK(rc == HS_OK && strcmp(qs("SELECT name FROM practitioners WHERE "
	    "id = 1"), "张珊") == 0, "--accept-renames takes the new name");

	/* JSON Lines: same fields, numbers as numbers. */
	put("g.jsonl", "{\"id_number\":\"371002199001014569\",\"name\":\"王五\","
	    "\"year\":2024,\"subject\":\"professional\",\"form\":8,"
	    "\"title\":\"论文：海洋装备\",\"provider\":\"威海市科协\","
	    "\"start_date\":\"2024-06-30\",\"end_date\":\"2024-06-30\","
	    "\"hours\":60,\"author_role\":\"first\",\"#note\":\"ignored\"}\n"
	    "\n"
	    "{\"id_number\":\"371002199001014569\",\"name\":\"王五\","
	    "\"year\":2024,\"subject\":\"public\",\"form\":\"online\","
	    "\"title\":\"职业道德\",\"provider\":\"平台\","
	    "\"start_date\":\"2024-07-01\",\"end_date\":\"2024-07-01\","
	    "\"minutes\":100}\n", 0);
	rc = import("g.jsonl", NULL, false, NULL, &st, err);
	T_OK(rc == HS_OK && st.inserted == 2 && st.warnings == 1,
	    "JSON Lines %s", err);
	T_STREQ(msgs, "g.jsonl:3: warning: minutes: 100 minutes count as 2 "
	    "hours; the 10 minutes left over are not counted\n",
	    "JSON Lines warning names the line");
	put("h.jsonl", "{\"id_number\":\"371002199001014569\",\"hours\":1.25,"
	    "\"name\":\"王五\",\"year\":2024,\"subject\":\"public\",\"form\":2,"
	    "\"title\":\"t\",\"provider\":\"p\",\"start_date\":\"2024-07-02\","
	    "\"end_date\":\"2024-07-02\"}\n[1]\n{\"colour\":1}\n", 0);
	rc = import("h.jsonl", NULL, false, NULL, &st, err);
	T_STREQ(msgs, "h.jsonl:1: hours: at most one decimal (got 1.25)\n"
	    "h.jsonl:2: not a JSON object: another JSON value\n"
	    "h.jsonl:3: unknown field \"colour\"\n", "JSON Lines errors");

	/* GBK: detected, or converted with --encoding gbk. */
	put("gbk.csv", HDR "350102198505051239,\xc0\xee\xcb\xc4,,2024,public,,2,"
	    "\xbf\xce\xb3\xcc,\xbb\xf9\xb5\xd8,2024-05-01,2024-05-01,8,,,\n", 0);
	rc = import("gbk.csv", NULL, false, NULL, &st, err);
	T_OK(rc == HS_ERR_FORMAT, "GBK detected");
	T_STREQ(err, "gbk.csv:2: not UTF-8; this looks like GBK (Excel's "
	    "\"CSV\" export). Pass --encoding gbk, or save it as \"CSV UTF-8\"",
	    "GBK message");
	rc = import("gbk.csv", NULL, false, "gbk", &st, err);
	T_OK(rc == HS_OK && st.inserted == 1 && strcmp(qs("SELECT name FROM "
	    "practitioners WHERE id_number = '350102198505051239'"), "李四") ==
	    0 && strcmp(qs("SELECT title FROM records WHERE title = '课程'"),
	    "课程") == 0, "--encoding gbk converts %s", err);
	put("bad.csv", HDR "350102198505051239,\xc3\x28,,2024,public,,2,x,y,"
	    "2024-05-01,2024-05-01,8,,,\n", 0);
	rc = import("bad.csv", NULL, false, NULL, &st, err);
	T_STREQ(err, "bad.csv:2: invalid UTF-8 (byte 0xC3)", "invalid UTF-8");
	put("u16.csv", "\xff\xfei\0d\0", 6);
	rc = import("u16.csv", NULL, false, NULL, &st, err);
	T_STREQ(err, "u16.csv: this is UTF-16 (Excel's \"Unicode text\"); save "
	    "it as \"CSV UTF-8\" instead", "UTF-16");
}

int
main(void)
{
	char err[HS_ERRLEN] = "";

	date_parse("2026-11-23", &today);
	fujian = load("fujian");
	weihai = load("weihai");
	if (fujian == NULL || weihai == NULL)
		return t_done();
	test_fields();
	test_rows();

	if (t_tmpdir("import", dir, sizeof(dir)) != 0)
		return 2;
	T_OK(t_datadir(dir, &cfg, &db, err) == HS_OK, "data directory %s",
	    err);
	if (db != NULL)
		test_files();
	store_close(db);
	config_wipe(&cfg);
	policy_free(fujian);
	policy_free(weihai);
	if (t_rmtree(dir) != 0)
		printf("# could not remove %s\n", dir);
	return t_done();
}
