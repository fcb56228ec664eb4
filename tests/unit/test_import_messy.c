/*
 * Unit tests for the spellings spreadsheets use (issue 17), one row rule
 * at a time through import_check_row: surrounding spaces (U+3000,
 * U+00A0), full-width digits, every date spelling and Excel's date
 * numbers (with the 1900 leap-year bug), 7学时, the labels hourseal shows,
 * Excel's 3.50203E+17; and what is still refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/import.h"
#include "cert/policy.h"
#include "core/util.h"
#include "core/xlsx.h"
#include "t.h"
#include "tlib.h"

static struct policy *fujian;
static long today;

/* The base row with one field changed ("field=value"), checked. */
static enum hs_err
check(const char *set, struct import_record *r, char *err)
{
	const char *f[IMPORT_NFIELDS] = { NULL };
	char name[64], *own[IMPORT_NFIELDS] = { NULL };
	enum hs_err rc;
	int k;

	f[IMPORT_ID_NUMBER] = "350102198001011233";
	f[IMPORT_NAME] = "张三";
	f[IMPORT_YEAR] = "2024";
	f[IMPORT_SUBJECT] = "public";
	f[IMPORT_FORM] = "1";
	f[IMPORT_TITLE] = "课程";
	f[IMPORT_PROVIDER] = "基地";
	f[IMPORT_START_DATE] = "2024-03-01";
	f[IMPORT_END_DATE] = "2024-03-01";
	f[IMPORT_HOURS] = "8";
	while (*set != '\0') {
		const char *eq = strchr(set, '='), *semi;

		semi = strstr(eq, ";;");
		snprintf(name, sizeof(name), "%.*s", (int)(eq - set), set);
		k = import_field_parse(name);
		free(own[k]);
		own[k] = strndup(eq + 1, semi ? (size_t)(semi - eq - 1) :
		    strlen(eq + 1));
		f[k] = own[k];
		set = semi ? semi + 2 : eq + 1 + strlen(eq + 1);
	}
	rc = import_check_row(fujian, f, today, r, NULL, err);
	for (k = 0; k < IMPORT_NFIELDS; k++)
		free(own[k]);
	return rc;
}

struct ok_case {
	const char *set;      /* fields changed, ";;" between */
	const char *what;     /* "start", "end", "hours", "name", "form",
	                       * "ptype", "id", "role", "year" */
	const char *want;
};

static const struct ok_case oks[] = {
	/* Dates. */
	{ "start_date=2024/3/1", "start", "2024-03-01" },
	{ "start_date=2024.3.1", "start", "2024-03-01" },
	{ "start_date=2024.03.01", "start", "2024-03-01" },
	{ "start_date=2024-3-1", "start", "2024-03-01" },
	{ "start_date=2024年3月1日", "start", "2024-03-01" },
	{ "start_date=2024年3月1号", "start", "2024-03-01" },
	{ "start_date=20240301", "start", "2024-03-01" },
	{ "start_date=2024/3/1 0:00", "start", "2024-03-01" },
	{ "start_date=2024-03-01 00:00:00", "start", "2024-03-01" },
	{ "start_date=2024-03-01T08:30:00", "start", "2024-03-01" },
	{ "start_date=45352", "start", "2024-03-01" },
	{ "start_date=45352.75", "start", "2024-03-01" },
	{ "start_date=２０２４／３／１", "start", "2024-03-01" },
	{ "start_date= 2024-03-01　", "start", "2024-03-01" },
	/* Hours, minutes, year. */
	{ "hours=7学时", "hours", "7" },
	{ "hours=7 学时", "hours", "7" },
	{ "hours=７", "hours", "7" },
	{ "hours=7.0", "hours", "7" },
	{ "hours=７．５", "hours", "7.5" },
	{ "hours=;;minutes=90分钟", "hours", "2" },
	{ "year=2024年", "year", "2024" },
	{ "year=2024年度", "year", "2024" },
	{ "year=２０２４", "year", "2024" },
	/* Spaces around values. */
	{ "name= 张三 ", "name", "张三" },
	{ "name=　张三　", "name", "张三" },
	{ "name=\xc2\xa0张三\t", "name", "张三" },
	{ "name=巴特尔 其木格", "name", "巴特尔 其木格" },
	/* ID numbers: full-width, spaces, a lower-case x. */
	{ "id_number=３５０１０２１９８００１０１１２３３", "id", "350102198001011233" },
	{ "id_number= 350102198001011233 ", "id", "350102198001011233" },
	{ "id_number=11010519491231002ｘ", "id", "11010519491231002X" },
	/* Labels hourseal shows: forms. */
	{ "form=网络学习", "form", "1" },
	{ "form=网络培训", "form", "1" },
	{ "form=网授", "form", "1" },
	{ "form=１", "form", "1" },
	{ "subject=professional;;form=面授培训", "form", "2" },
	{ "subject=professional;;form=行业组织培训", "form", "3" },
	{ "subject=professional;;form=行业培训", "form", "3" },
	{ "subject=professional;;form=industry training", "form", "3" },
	{ "subject=professional;;form=单位组织学习", "form", "4" },
	{ "subject=professional;;form=单位组织", "form", "4" },
	{ "subject=professional;;form=单位培训", "form", "4" },
	{ "subject=professional;;form=Employer activity", "form", "4" },
	{ "subject=professional;;form=进修实践", "form", "5" },
	{ "subject=professional;;form=实践锻炼", "form", "5" },
	{ "subject=professional;;form=practice / further study", "form", "5" },
	{ "subject=professional;;form=学历教育", "form", "6" },
	{ "subject=professional;;form=degree study", "form", "6" },
	{ "subject=professional;;form=学术活动", "form", "7" },
	{ "subject=professional;;form=academic event", "form", "7" },
	{ "subject=professional;;form=其他形式", "form", "9" },
	{ "subject=professional;;form=成果折算;;author_role=第一作者 / 主持人;;"
	  "hours=60;;end_date=2024-12-31", "role", "first" },
	{ "subject=professional;;form=成果;;author_role=其他作者;;hours=30;;"
	  "end_date=2024-12-31", "role", "other" },
	/* Subjects, with the public type they name. */
	{ "subject=公需科目", "ptype", "" },
	{ "subject=公需科目（必修）", "ptype", "compulsory" },
	{ "subject=公需科目（选修）", "ptype", "elective" },
	{ "subject=公需科目(必修)", "ptype", "compulsory" },
	{ "subject=公需(选修)", "ptype", "elective" },
	{ "subject=Public (compulsory)", "ptype", "compulsory" },
	{ "subject=公需科目（必修）;;public_type=必修", "ptype", "compulsory" },
	{ "subject=专业科目", "ptype", "" },
};

struct bad_case {
	const char *set;
	const char *want;
};

static const struct bad_case bads[] = {
	{ "start_date=3/1/2024", "start_date: must be a date such as "
	  "2025-06-10, 2025/6/10, 2025.6.10 or 2025年6月10日 (got \"3/1/2024\")" },
	{ "start_date=2024/3-1", "start_date: must be a date such as "
	  "2025-06-10, 2025/6/10, 2025.6.10 or 2025年6月10日 (got \"2024/3-1\")" },
	{ "start_date=2024年3月", "start_date: must be a date such as "
	  "2025-06-10, 2025/6/10, 2025.6.10 or 2025年6月10日 (got \"2024年3月\")" },
	{ "start_date=2024/2/30", "start_date: no such date 2024-02-30" },
	{ "start_date=20240230", "start_date: no such date 2024-02-30" },
	/* An Excel number before 1990 is no plausible date. */
	{ "start_date=2024", "start_date: must be a date such as "
	  "2025-06-10, 2025/6/10, 2025.6.10 or 2025年6月10日 (got \"2024\")" },
	{ "start_date=2024/3/1 noon", "start_date: must be a date such as "
	  "2025-06-10, 2025/6/10, 2025.6.10 or 2025年6月10日 (got "
	  "\"2024/3/1 noon\")" },
	{ "hours=7小时", "hours: hours are 学时, not clock hours (got "
	  "\"7小时\"): write the 学时, or give the minutes (分钟)" },
	{ "hours=两小时", "hours: must be a number like 12 or 12.5 (got "
	  "\"两小时\")" },
	{ "hours=7学时学时", "hours: must be a number like 12 or 12.5 (got "
	  "\"7学时\")" },
	{ "hours=学时", "hours: must be a number like 12 or 12.5 (got "
	  "\"学时\")" },
	{ "name=　 ", "name: required" },
	{ "name=张\u3000三\t\t李", "name: control characters (tab, newline, "
	  "...) are not allowed" },
	{ "id_number=3.50102E+17", "id_number: 3.50102E+17 is a number Excel "
	  "made of the ID number, whose last digits are lost: format the "
	  "column as Text (设置单元格格式 → 文本) or type an apostrophe (') "
	  "before each number, enter them again, and save" },
	{ "id_number=3.50102198001011E+17", "id_number: 3.50102E+17 is a "
	  "number Excel made of the ID number, whose last digits are lost: "
	  "format the column as Text (设置单元格格式 → 文本) or type an "
	  "apostrophe (') before each number, enter them again, and save" },
	{ "id_number=350102198001011000", "id_number: wrong check character "
	  "(expected 6); it ends in 000, as when Excel stored the column as "
	  "numbers and kept 15 digits: format the column as Text (文本) and "
	  "enter the numbers again" },
	{ "subject=公需科目（必修）;;public_type=选修", "public_type: 选修 "
	  "disagrees with subject 公需科目(必修)" },
	{ "form=网络学校", "form: must be 1-9 or online/网授, face-to-face/面授, "
	  "industry, employer, practice, degree, academic, achievement/成果, "
	  "other (got \"网络学校\")" },
	{ "year=2024年年", "year: must be a four-digit year (got \"2024年\")" },
};

static void
test_serials(void)
{
	long d;
	char s[11];

	T_OK(xlsx_serial_days(1, false, &d) == 0 && (date_format(d, s), 1) &&
	    strcmp(s, "1900-01-01") == 0, "serial 1 is 1900-01-01");
	T_OK(xlsx_serial_days(59, false, &d) == 0 && (date_format(d, s), 1) &&
	    strcmp(s, "1900-02-28") == 0, "serial 59 is 1900-02-28");
	T_OK(xlsx_serial_days(60, false, &d) == -1, "serial 60 (Excel's "
	    "1900-02-29, which never was) is no date");
	T_OK(xlsx_serial_days(61, false, &d) == 0 && (date_format(d, s), 1) &&
	    strcmp(s, "1900-03-01") == 0, "serial 61 is 1900-03-01");
	T_OK(xlsx_serial_days(45818, false, &d) == 0 && (date_format(d, s), 1) &&
	    strcmp(s, "2025-06-10") == 0, "serial 45818 is 2025-06-10");
	T_OK(xlsx_serial_days(44356, true, &d) == 0 && (date_format(d, s), 1) &&
	    strcmp(s, "2025-06-10") == 0, "1904 system: 44356 is 2025-06-10");
	T_OK(xlsx_serial_days(-1, false, &d) == -1 &&
	    xlsx_serial_days(3e6, false, &d) == -1, "negative and past-9999 "
	    "numbers are no dates");
}

int
main(void)
{
	struct import_record r;
	char err[HS_ERRLEN], got[600];
	size_t i;
	enum hs_err rc;

	date_parse("2026-11-23", &today);
	if ((fujian = t_policy("fujian", err)) == NULL) {
		T_OK(0, "load fujian %s", err);
		return t_done();
	}
	for (i = 0; i < sizeof(oks) / sizeof(oks[0]); i++) {
		err[0] = '\0';
		rc = check(oks[i].set, &r, err);
		got[0] = '\0';
		if (strcmp(oks[i].what, "start") == 0)
			snprintf(got, sizeof(got), "%s", r.start);
		else if (strcmp(oks[i].what, "hours") == 0)
			hours_format(r.hours10, got);
		else if (strcmp(oks[i].what, "name") == 0)
			snprintf(got, sizeof(got), "%s", r.name);
		else if (strcmp(oks[i].what, "form") == 0)
			snprintf(got, sizeof(got), "%d", r.form);
		else if (strcmp(oks[i].what, "year") == 0)
			snprintf(got, sizeof(got), "%d", r.year);
		else if (strcmp(oks[i].what, "id") == 0)
			snprintf(got, sizeof(got), "%s", r.id_number);
		else if (strcmp(oks[i].what, "role") == 0)
			snprintf(got, sizeof(got), "%s", r.role == ROLE_FIRST ?
			    "first" : r.role == ROLE_OTHER ? "other" : "");
		else if (strcmp(oks[i].what, "ptype") == 0)
			snprintf(got, sizeof(got), "%s", r.ptype ==
			    PTYPE_COMPULSORY ? "compulsory" : r.ptype ==
			    PTYPE_ELECTIVE ? "elective" : "");
		T_OK(rc == HS_OK && strcmp(got, oks[i].want) == 0,
		    "[%s] -> %s %s (got \"%s\"%s%s)", oks[i].set, oks[i].what,
		    oks[i].want, got, err[0] ? ": " : "", err);
	}
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		err[0] = '\0';
		rc = check(bads[i].set, &r, err);
		T_OK(rc == HS_ERR_INVALID, "[%s] refused", bads[i].set);
		T_STREQ(err, bads[i].want, "[%s] message", bads[i].set);
	}
	test_serials();
	policy_free(fujian);
	return t_done();
}
