/*
 * import_row.c - this module holds the importer's field rules: the
 * column names and their Chinese aliases, and import_check_row, which
 * checks one row's text against the policy and turns it into a
 * struct import_record. It touches no database and no file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/import.h"
#include "app/import_int.h"
#include "cert/idnum.h"
#include "cert/policy.h"
#include "core/i18n.h"
#include "core/util.h"
#include "core/xlsx.h"

/* Column names and their Chinese aliases (docs/formats.md §2b). */
static const struct {
	const char *name;
	const char *alias[3];
} fields[IMPORT_NFIELDS] = {
	[IMPORT_ID_NUMBER] = { "id_number", { "身份证号", "身份证号码", NULL } },
	[IMPORT_NAME] = { "name", { "姓名", NULL } },
	[IMPORT_UNIT] = { "unit", { "工作单位", "单位", NULL } },
	[IMPORT_YEAR] = { "year", { "年度", NULL } },
	[IMPORT_SUBJECT] = { "subject", { "科目类别", "科目", NULL } },
	[IMPORT_PUBLIC_TYPE] = { "public_type", { "公需类型", NULL } },
	[IMPORT_FORM] = { "form", { "学习形式", NULL } },
	[IMPORT_TITLE] = { "title", { "课程名称", NULL } },
	[IMPORT_PROVIDER] = { "provider", { "施训机构", NULL } },
	[IMPORT_START_DATE] = { "start_date", { "开始日期", NULL } },
	[IMPORT_END_DATE] = { "end_date", { "结束日期", NULL } },
	[IMPORT_HOURS] = { "hours", { "学时", NULL } },
	[IMPORT_MINUTES] = { "minutes", { "分钟", NULL } },
	[IMPORT_AUTHOR_ROLE] = { "author_role", { "作者排序", NULL } },
	[IMPORT_DOMAIN] = { "domain", { "专业技术领域", NULL } },
	[IMPORT_REF] = { "ref", { "外部编号", NULL } },
	[IMPORT_REGION] = { "region", { "地区代码", NULL } },
};

const char *
import_field_name(enum import_field f)
{
	return f < IMPORT_NFIELDS ? fields[f].name : "?";
}

int
import_field_parse(const char *h)
{
	int f, i;

	if (h[0] == '#' || h[0] == '\0')
		return -2;
	for (f = 0; f < IMPORT_NFIELDS; f++) {
		if (strcasecmp(h, fields[f].name) == 0)
			return f;
		for (i = 0; i < 3 && fields[f].alias[i] != NULL; i++)
			if (strcmp(h, fields[f].alias[i]) == 0)
				return f;
	}
	return -1;
}

const char *
import_field_alias(enum import_field f)
{
	return f < IMPORT_NFIELDS ? fields[f].alias[0] : "?";
}

/* ---- what spreadsheets write (issue 17) ------------------------------- */

/* The length of the space at s: ASCII space or tab, U+3000, U+00A0. */
static size_t
space_at(const char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0)
		return 3;
	if (n >= 2 && memcmp(s, "\xc2\xa0", 2) == 0)
		return 2;
	return 0;
}

/* Whether the n bytes before s + n end with a space; its length. */
static size_t
space_before(const char *s, size_t n)
{
	if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		return 1;
	if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
		return 3;
	if (n >= 2 && memcmp(s + n - 2, "\xc2\xa0", 2) == 0)
		return 2;
	return 0;
}

size_t
import_trim(const char *s, size_t n, size_t *start)
{
	size_t k;

	*start = 0;
	while ((k = space_at(s + *start, n - *start)) > 0)
		*start += k;
	n -= *start;
	while ((k = space_before(s + *start, n)) > 0)
		n -= k;
	return n;
}

/*
 * Copies n bytes of s to out (at least n + 1 bytes) with the full-width
 * forms of ASCII (U+FF01..U+FF5E: "７", "Ｘ", "．") and U+3000 made ASCII.
 */
static void
halfwidth(const char *s, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const uint8_t *u = (const uint8_t *)s + i;

		if (n - i >= 3 && u[0] == 0xEF && (u[1] == 0xBC || u[1] == 0xBD)) {
			uint32_t cp = ((uint32_t)(u[0] & 0x0F) << 12) |
			    ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);

			if (cp >= 0xFF01 && cp <= 0xFF5E) {
				out[o++] = (char)(cp - 0xFEE0);
				i += 3;
				continue;
			}
		}
		if (n - i >= 3 && memcmp(u, "\xe3\x80\x80", 3) == 0) {
			out[o++] = ' ';
			i += 3;
			continue;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
}

/* Fields whose full-width digits and letters are read as ASCII. */
static bool
halfwidth_field(int k)
{
	return k == IMPORT_ID_NUMBER || k == IMPORT_YEAR ||
	    k == IMPORT_SUBJECT || k == IMPORT_PUBLIC_TYPE ||
	    k == IMPORT_FORM || k == IMPORT_START_DATE ||
	    k == IMPORT_END_DATE || k == IMPORT_HOURS ||
	    k == IMPORT_MINUTES || k == IMPORT_AUTHOR_ROLE ||
	    k == IMPORT_REGION;
}

/*
 * The row as spreadsheets write it, made plain: every value without
 * surrounding spaces (ASCII, tab, U+3000, U+00A0), the number-like and
 * choice fields with full-width forms made ASCII. nf[k] points into
 * *mem (caller frees), NULL where f[k] is.
 */
static enum hs_err
plain_row(const char *const f[IMPORT_NFIELDS], const char *nf[IMPORT_NFIELDS],
    char **mem, char *err)
{
	size_t total = 0, start, n, off = 0;
	int k;

	for (k = 0; k < IMPORT_NFIELDS; k++)
		total += f[k] != NULL ? strlen(f[k]) + 1 : 0;
	if ((*mem = malloc(total + 1)) == NULL)
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	for (k = 0; k < IMPORT_NFIELDS; k++) {
		nf[k] = NULL;
		if (f[k] == NULL)
			continue;
		n = import_trim(f[k], strlen(f[k]), &start);
		if (halfwidth_field(k))
			halfwidth(f[k] + start, n, *mem + off);
		else {
			memcpy(*mem + off, f[k] + start, n);
			(*mem)[off + n] = '\0';
		}
		nf[k] = *mem + off;
		off += strlen(nf[k]) + 1;
	}
	return HS_OK;
}

/* s ends with suffix (then *n is the length without it). */
static bool
ends_with(const char *s, const char *suffix, size_t *n)
{
	size_t a = strlen(s), b = strlen(suffix);

	if (a < b || strcmp(s + a - b, suffix) != 0)
		return false;
	*n = a - b;
	while (*n > 0 && s[*n - 1] == ' ')
		(*n)--;
	return true;
}

/*
 * A number written with its unit ("7学时", "90 分钟", "2025年度"):
 * the number alone in out (outsz bytes). Returns s itself when it has
 * none of the units.
 */
static const char *
drop_unit(const char *s, const char *const *units, char *out, size_t outsz)
{
	size_t n;

	for (; *units != NULL; units++)
		if (ends_with(s, *units, &n) && n > 0 && n < outsz) {
			memcpy(out, s, n);
			out[n] = '\0';
			return out;
		}
	return s;
}

/* Excel's scientific notation: "3.50203E+17", "3.5E17". */
static bool
excel_scientific(const char *s)
{
	const char *p = s;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p != 'E' && *p != 'e')
		return false;
	p++;
	if (*p == '+')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0';
}

/*
 * The labels hourseal itself shows for forms, subjects and author roles
 * (the verifier's and the console's pages, /my/, the PDF templates), so
 * that whatever a person copied from them is taken back. Compared with
 * full-width forms made ASCII and ASCII case ignored.
 */
static const struct {
	const char *label;
	int value;
} form_labels[] = {
	/* verifier/render.c, issuer/serve_admin_records.c */
	{ "网络学习", 1 }, { "面授培训", 2 }, { "行业组织培训", 3 },
	{ "单位组织学习", 4 }, { "进修实践", 5 }, { "学历教育", 6 },
	{ "学术活动", 7 }, { "成果折算", 8 }, { "其他形式", 9 },
	{ "industry training", 3 }, { "employer activity", 4 },
	{ "practice / further study", 5 }, { "degree study", 6 },
	{ "academic event", 7 },
	/* the templates' labels.form, issuer/serve_my.c */
	{ "行业培训", 3 }, { "单位组织", 4 }, { "单位培训", 4 },
	{ "实践锻炼", 5 }, { "网络培训", 1 },
	/* the importer's own messages (form_label below) */
	{ "成果", 8 },
	{ NULL, 0 },
};

/* subject: 1 public, 0 professional; ptype PTYPE_* it implies. */
static const struct {
	const char *label;
	int subject;
	enum import_ptype ptype;
} subject_labels[] = {
	{ "public", 1, PTYPE_NONE }, { "公需", 1, PTYPE_NONE },
	{ "公需科目", 1, PTYPE_NONE },
	{ "professional", 0, PTYPE_NONE }, { "专业", 0, PTYPE_NONE },
	{ "专业科目", 0, PTYPE_NONE },
	/* the pages and the templates */
	{ "公需科目（必修）", 1, PTYPE_COMPULSORY },
	{ "公需科目（选修）", 1, PTYPE_ELECTIVE },
	{ "公需（必修）", 1, PTYPE_COMPULSORY },
	{ "公需（选修）", 1, PTYPE_ELECTIVE },
	{ "public (compulsory)", 1, PTYPE_COMPULSORY },
	{ "public (elective)", 1, PTYPE_ELECTIVE },
	{ "public/compulsory", 1, PTYPE_COMPULSORY },
	{ "public/elective", 1, PTYPE_ELECTIVE },
	{ NULL, 0, PTYPE_NONE },
};

/* a equals label once both have full-width forms made ASCII. */
static bool
label_eq(const char *a, const char *label)
{
	char l[128];

	halfwidth(label, strlen(label), l);
	return strcasecmp(a, l) == 0;
}

/*
 * A date as people and spreadsheets write it, as YYYY-MM-DD in out:
 * 2025-06-10, 2025/6/10, 2025.6.10, 2025-6-10, 2025年6月10日, 20250610,
 * any of them followed by a time ("2025/6/10 0:00", which Excel writes
 * for a date formatted with one), or an Excel date number (1900 system)
 * from 1990 on. 0, or -1 if it is none of these.
 */
static int
date_lenient(const char *s, char out[11])
{
	const char *p = s;
	long y, m, d, days;
	char *e, tmp[64];
	double v;

	/* An Excel date number: 32874 is 1990-01-01. */
	if (strspn(s, "0123456789.") == strlen(s) && strlen(s) <= 16 &&
	    strchr(s, '.') == strrchr(s, '.') && s[0] != '.') {
		v = strtod(s, &e);
		if (*e == '\0' && v >= 32874 && v < 2958466 &&
		    xlsx_serial_days(v, false, &days) == 0) {
			date_format(days, out);
			return out[0] == '1' || out[0] == '2' ? 0 : -1;
		}
		if (strlen(s) == 8 && strchr(s, '.') == NULL) {
			y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
			    (s[2] - '0') * 10 + (s[3] - '0');
			m = (s[4] - '0') * 10 + (s[5] - '0');
			d = (s[6] - '0') * 10 + (s[7] - '0');
			goto have;
		}
		if (strchr(s, '.') == NULL)
			return -1;
	}
	if (strlen(s) > 40)
		return -1;
	/* YYYY, a separator, M, the same separator, D. */
	if (strspn(p, "0123456789") != 4)
		return -1;
	y = strtol(p, &e, 10);
	p = e;
	if (strncmp(p, "年", 3) == 0) {
		p += 3;
		if (strspn(p, "0123456789") < 1 || strspn(p, "0123456789") > 2)
			return -1;
		m = strtol(p, &e, 10);
		p = e;
		if (strncmp(p, "月", 3) != 0)
			return -1;
		p += 3;
		if (strspn(p, "0123456789") < 1 || strspn(p, "0123456789") > 2)
			return -1;
		d = strtol(p, &e, 10);
		p = e;
		if (strncmp(p, "日", 3) == 0 || strncmp(p, "号", 3) == 0)
			p += 3;
	} else {
		char sep = *p;

		if (sep != '-' && sep != '/' && sep != '.')
			return -1;
		p++;
		if (strspn(p, "0123456789") < 1 || strspn(p, "0123456789") > 2)
			return -1;
		m = strtol(p, &e, 10);
		p = e;
		if (*p != sep)
			return -1;
		p++;
		if (strspn(p, "0123456789") < 1 || strspn(p, "0123456789") > 2)
			return -1;
		d = strtol(p, &e, 10);
		p = e;
	}
	/* A time after it: " H:MM" or " H:MM:SS" (or "T..."). */
	if (*p == ' ' || *p == 'T') {
		p++;
		if (strspn(p, "0123456789") < 1 || strspn(p, "0123456789") > 2)
			return -1;
		p += strspn(p, "0123456789");
		if (*p != ':')
			return -1;
		p++;
		if (strspn(p, "0123456789:") != strlen(p))
			return -1;
		p += strlen(p);
	}
	if (*p != '\0')
		return -1;
have:
	if (y < 1900 || y > 2999 || !date_valid((int)y, (int)m, (int)d)) {
		/* The caller says "no such date" with the numbers. */
		snprintf(tmp, sizeof(tmp), "%04ld-%02ld-%02ld", y, m, d);
		snprintf(out, 11, "%.10s", tmp);
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%04ld-%02ld-%02ld", y, m, d);
	snprintf(out, 11, "%.10s", tmp);
	return 0;
}

/* ---- row validation ---------------------------------------------------- */

#define FAIL(field, ...) do { \
	hs_fail(err, HS_ERR_INVALID, __VA_ARGS__); \
	hs_errprefix(err, "%s", fields[field].name); \
	return HS_ERR_INVALID; \
} while (0)

static bool
present(const char *s)
{
	return s != NULL && s[0] != '\0';
}


/*
 * A text value: UTF-8 without control characters, invisible or
 * direction-changing characters (a name that reads otherwise than it
 * is), no '|' where it ends up in a note, at most
 * maxchars characters and fitting outsz bytes.
 */
static enum hs_err
text_field(enum import_field f, const char *s, bool required,
    size_t maxchars, bool no_pipe, char *out, size_t outsz, char *err)
{
	const char *fc;
	uint32_t cp;

	out[0] = '\0';
	if (!present(s)) {
		if (required)
			FAIL(f, "required");
		return HS_OK;
	}
	if (!utf8_valid(s, strlen(s)))
		FAIL(f, "not valid UTF-8");
	if (has_control(s))
		FAIL(f, "control characters (tab, newline, ...) are not "
		    "allowed");
	if ((fc = utf8_format_char(s, &cp)) != NULL)
		FAIL(f, "U+%04X (%s) is not allowed", (unsigned)cp, fc);
	if (no_pipe && strchr(s, '|') != NULL)
		FAIL(f, "'|' is not allowed");
	if (utf8_count(s) > maxchars || strlen(s) >= outsz)
		FAIL(f, "longer than %zu characters", maxchars);
	memcpy(out, s, strlen(s) + 1);
	return HS_OK;
}

/* A date value (date_lenient's spellings) that exists. */
static enum hs_err
date_field(enum import_field f, const char *s, char out[11], long *days,
    char *err)
{
	int r;

	if (!present(s))
		FAIL(f, "required (YYYY-MM-DD)");
	if ((r = date_lenient(s, out)) < 0)
		FAIL(f, "must be a date such as 2025-06-10, 2025/6/10, "
		    "2025.6.10 or 2025年6月10日 (got \"%.40s\")", s);
	if (r > 0 || date_parse(out, days) != 0)
		FAIL(f, "no such date %s", out);
	return HS_OK;
}

/* One of a few spellings, English case-insensitively. */
static int
choice(const char *s, const char *const *names, const int *values)
{
	for (; *names != NULL; names++, values++)
		if (strcasecmp(s, *names) == 0)
			return *values;
	return -1;
}

/*
 * Hours as written: a number > 0 with at most one decimal. Says which
 * of those it is not.
 */
static enum hs_err
hours_field(const char *s, long *tenths, char *err)
{
	const char *p = s;
	bool neg = false;
	int intd = 0, frac = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	while (*p >= '0' && *p <= '9') {
		p++;
		intd++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			frac++;
		}
	}
	if (*p != '\0' || (intd == 0 && frac == 0))
		FAIL(IMPORT_HOURS, "must be a number like 12 or 12.5 "
		    "(got \"%.40s\")", s);
	if (intd > 6)
		FAIL(IMPORT_HOURS, "%.40s is too many hours", s);
	if (frac > 1) {
		/* 1.50 is one decimal written with two. */
		const char *z = strchr(s, '.') + 2;

		while (*z == '0')
			z++;
		if (*z != '\0')
			FAIL(IMPORT_HOURS, "at most one decimal (got %.40s)",
			    s);
	}
	{
		char tmp[16];
		size_t n = (size_t)(p - s) < sizeof(tmp) - 1 ?
		    (size_t)(p - s) : sizeof(tmp) - 1;
		const char *q = s + (*s == '-' || *s == '+');
		char *dot;

		/* Normalise "x." / ".5" / "1.50" for hours_parse. */
		snprintf(tmp, sizeof(tmp), "%s%.*s", *q == '.' ? "0" : "",
		    (int)(n - (size_t)(q - s)), q);
		if ((dot = strchr(tmp, '.')) != NULL) {
			if (dot[1] == '\0')
				*dot = '\0';
			else
				dot[2] = '\0';
		}
		if (neg || hours_parse(tmp, tenths) != 0)
			FAIL(IMPORT_HOURS, "must be more than 0 (got %.40s)",
			    s);
	}
	return HS_OK;
}

static const char *
form_label(int form)
{
	static const char *const zh[10] = { "", "网授", "面授", "行业培训",
		"单位培训", "进修实践", "学历教育", "学术活动", "成果", "其他" };

	return form >= 1 && form <= 9 ? zh[form] : "";
}

/* import_check_row on a row plain_row has made plain. */
static enum hs_err
check_plain(const struct policy *pol, const char *const f[IMPORT_NFIELDS],
    long today, struct import_record *r, char *warn, char *err)
{
	static const char *const subj_names[] = { "public", "公需", "公需科目",
		"professional", "专业", "专业科目", NULL };
	static const int subj_vals[] = { 1, 1, 1, 0, 0, 0 };
	static const char *const hour_units[] = { "学时", NULL };
	static const char *const minute_units[] = { "分钟", NULL };
	static const char *const year_units[] = { "年度", "年", NULL };
	static const char *const pt_names[] = { "compulsory", "必修", "必修课",
		"elective", "选修", "选修课", NULL };
	static const int pt_vals[] = { PTYPE_COMPULSORY, PTYPE_COMPULSORY,
		PTYPE_COMPULSORY, PTYPE_ELECTIVE, PTYPE_ELECTIVE,
		PTYPE_ELECTIVE };
	static const char *const role_names[] = { "first", "第一作者", "主创",
		"主创人员", "主持人", "第一作者 / 主持人", "first / lead", "lead",
		"other", "其他", "其他作者", "非主创", "非主创人员", NULL };
	static const int role_vals[] = { ROLE_FIRST, ROLE_FIRST, ROLE_FIRST,
		ROLE_FIRST, ROLE_FIRST, ROLE_FIRST, ROLE_FIRST, ROLE_FIRST,
		ROLE_OTHER, ROLE_OTHER, ROLE_OTHER, ROLE_OTHER, ROLE_OTHER };
	enum import_ptype implied = PTYPE_NONE;
	char num[64];
	size_t i;
	char tmp[64], d[11], h1[HOURS_SIZE], h2[HOURS_SIZE], h3[HOURS_SIZE];
	long start, end, deadline, first, days, cap10, want10, mins;
	int v, mph;
	bool ruled;
	const char *s;

	memset(r, 0, sizeof(*r));
	if (warn != NULL)
		warn[0] = '\0';

	s = f[IMPORT_ID_NUMBER];
	if (!present(s))
		FAIL(IMPORT_ID_NUMBER, "required");
	/* Shown as Excel shows it (3.50203E+17): never the digits kept. */
	if (excel_scientific(s))
		FAIL(IMPORT_ID_NUMBER, "%.5E is a number Excel made of the ID "
		    "number, whose last digits are lost: format the column as "
		    "Text (设置单元格格式 → 文本) or type an apostrophe (') "
		    "before each number, enter them again, and save",
		    strtod(s, NULL));
	if (idnum_validate(s, today, r->id_number, err) != HS_OK) {
		/* 18 digits ending 000: Excel's 15 significant digits. */
		if (strlen(s) == 18 && strspn(s, "0123456789") == 18 &&
		    strcmp(s + 15, "000") == 0) {
			char why[HS_ERRLEN];

			snprintf(why, sizeof(why), "%s", err);
			FAIL(IMPORT_ID_NUMBER, "%s; it ends in 000, as when "
			    "Excel stored the column as numbers and kept 15 "
			    "digits: format the column as Text (文本) and "
			    "enter the numbers again", why);
		}
		hs_errprefix(err, "id_number");
		return HS_ERR_INVALID;
	}
	if (text_field(IMPORT_NAME, f[IMPORT_NAME], true, 50, true, r->name,
	    sizeof(r->name), err) != HS_OK ||
	    text_field(IMPORT_UNIT, f[IMPORT_UNIT], false, 100, true, r->unit,
	    sizeof(r->unit), err) != HS_OK)
		return HS_ERR_INVALID;

	s = f[IMPORT_YEAR];
	if (!present(s))
		FAIL(IMPORT_YEAR, "required");
	s = drop_unit(s, year_units, num, sizeof(num));
	if (strlen(s) != 4 || strspn(s, "0123456789") != 4)
		FAIL(IMPORT_YEAR, "must be a four-digit year (got \"%.40s\")", s);
	r->year = atoi(s);
	date_format(today, d);
	if (r->year < 1990)
		FAIL(IMPORT_YEAR, "%d is too early", r->year);
	if (r->year > atoi(d))
		FAIL(IMPORT_YEAR, "%d has not begun", r->year);

	s = f[IMPORT_SUBJECT];
	if (!present(s))
		FAIL(IMPORT_SUBJECT, "required: public/公需 or professional/专业");
	for (i = 0, v = -1; subject_labels[i].label != NULL; i++)
		if (label_eq(s, subject_labels[i].label)) {
			v = subject_labels[i].subject;
			implied = subject_labels[i].ptype;
			break;
		}
	if (v < 0 && (v = choice(s, subj_names, subj_vals)) < 0)
		FAIL(IMPORT_SUBJECT, "must be public/公需 or professional/专业 "
		    "(got \"%.40s\")", s);
	r->public = v == 1;

	s = f[IMPORT_PUBLIC_TYPE];
	if (present(s)) {
		if ((v = choice(s, pt_names, pt_vals)) < 0)
			FAIL(IMPORT_PUBLIC_TYPE, "must be compulsory/必修 or "
			    "elective/选修 (got \"%.40s\")", s);
		if (!r->public)
			FAIL(IMPORT_PUBLIC_TYPE, "only for public subjects");
		if (implied != PTYPE_NONE && (enum import_ptype)v != implied)
			FAIL(IMPORT_PUBLIC_TYPE, "%.40s disagrees with subject "
			    "%.60s", s, f[IMPORT_SUBJECT]);
		r->ptype = (enum import_ptype)v;
	} else if (implied != PTYPE_NONE)
		r->ptype = implied;
	else if (r->public && policy_split_public(pol))
		FAIL(IMPORT_PUBLIC_TYPE, "required for public subjects under the "
		    "%s policy: compulsory/必修 or elective/选修",
		    policy_name(pol));

	s = f[IMPORT_FORM];
	if (!present(s))
		FAIL(IMPORT_FORM, "required: 1-9 or a form name");
	r->form = policy_form_parse(s);
	for (i = 0; r->form == 0 && form_labels[i].label != NULL; i++)
		if (label_eq(s, form_labels[i].label))
			r->form = form_labels[i].value;
	if (r->form == 0)
		FAIL(IMPORT_FORM, "must be 1-9 or online/网授, face-to-face/面授, "
		    "industry, employer, practice, degree, academic, "
		    "achievement/成果, other (got \"%.40s\")", s);
	if (r->public && policy_professional_only(pol, r->form))
		FAIL(IMPORT_FORM, "form %d (%s, %s) counts only toward "
		    "professional subjects", r->form,
		    policy_form_name(r->form), form_label(r->form));

	if (text_field(IMPORT_TITLE, f[IMPORT_TITLE], true, 200, true,
	    r->title, sizeof(r->title), err) != HS_OK ||
	    text_field(IMPORT_PROVIDER, f[IMPORT_PROVIDER], true, 80, true,
	    r->provider, sizeof(r->provider), err) != HS_OK)
		return HS_ERR_INVALID;

	if (date_field(IMPORT_START_DATE, f[IMPORT_START_DATE], r->start,
	    &start, err) != HS_OK ||
	    date_field(IMPORT_END_DATE, f[IMPORT_END_DATE], r->end, &end,
	    err) != HS_OK)
		return HS_ERR_INVALID;
	if (start > end)
		FAIL(IMPORT_END_DATE, "%s is before start_date %s", r->end,
		    r->start);
	snprintf(tmp, sizeof(tmp), "%04d-01-01", r->year);
	date_parse(tmp, &first);
	if (end < first)
		FAIL(IMPORT_END_DATE, "%s is before study year %d begins",
		    r->end, r->year);
	if (policy_deadline(pol, r->year, &deadline) == 0 && end > deadline) {
		date_format(deadline, d);
		FAIL(IMPORT_END_DATE, "%s is after the %d deadline %s: "
		    "not verified (不予审验)", r->end, r->year, d);
	}
	if (end > today)
		FAIL(IMPORT_END_DATE, "%s is in the future", r->end);

	/* Hours, or minutes in whole hours of policy_minutes_per_hour. */
	if (present(f[IMPORT_HOURS]) && present(f[IMPORT_MINUTES]))
		FAIL(IMPORT_HOURS, "give hours or minutes, not both");
	if (present(f[IMPORT_HOURS])) {
		s = f[IMPORT_HOURS];
		if ((ends_with(s, "小时", &i) || ends_with(s, "钟头", &i)) &&
		    i > 0 && strspn(s, "0123456789.") == i)
			FAIL(IMPORT_HOURS, "hours are 学时, not clock hours "
			    "(got \"%.40s\"): write the 学时, or give the "
			    "minutes (分钟)", s);
		s = drop_unit(s, hour_units, num, sizeof(num));
		if (hours_field(s, &r->hours10, err) != HS_OK)
			return HS_ERR_INVALID;
	} else if (present(f[IMPORT_MINUTES])) {
		s = drop_unit(f[IMPORT_MINUTES], minute_units, num,
		    sizeof(num));
		mph = policy_minutes_per_hour(pol);
		if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 7)
			FAIL(IMPORT_MINUTES, "must be a whole number of minutes "
			    "(got \"%.40s\")", s);
		mins = atol(s);
		if (mins <= 0)
			FAIL(IMPORT_MINUTES, "must be more than 0");
		if (mins < mph)
			FAIL(IMPORT_MINUTES, "%ld minutes is less than one "
			    "%d-minute hour", mins, mph);
		r->minutes = mins;
		r->hours10 = mins / mph * 10;
		r->leftover_minutes = mins % mph;
		if (r->leftover_minutes > 0 && warn != NULL)
			snprintf(warn, HS_ERRLEN, "minutes: %ld minutes count as "
			    "%ld hours; the %ld minutes left over are not "
			    "counted", mins, mins / mph, r->leftover_minutes);
	} else if (r->form != 8)
		FAIL(IMPORT_HOURS, "required (give hours or minutes)");

	s = f[IMPORT_AUTHOR_ROLE];
	if (r->form == 8) {
		if (!present(s))
			FAIL(IMPORT_AUTHOR_ROLE, "required for form 8 "
			    "(achievement): first (60 hours) or other "
			    "(30 hours)");
		for (i = 0, v = -1; role_names[i] != NULL && v < 0; i++)
			if (label_eq(s, role_names[i]))
				v = role_vals[i];
		if (v < 0)
			FAIL(IMPORT_AUTHOR_ROLE, "must be first/第一作者 or "
			    "other/其他 (got \"%.40s\")", s);
		r->role = (enum import_role)v;
		want10 = policy_achievement10(pol, r->role == ROLE_FIRST);
		if (r->hours10 == 0)
			r->hours10 = want10;
		if (r->hours10 != want10) {
			hours_format(want10, h1);
			hours_format(r->hours10, h2);
			FAIL(IMPORT_HOURS, "form 8 (achievement) counts %s hours "
			    "for %s (got %s)", h1, r->role == ROLE_FIRST ?
			    "a first author" : "other authors", h2);
		}
	} else if (present(s))
		FAIL(IMPORT_AUTHOR_ROLE, "only for form 8 (achievement)");

	/* A record over N days carries at most cap x N hours. */
	cap10 = policy_day_cap10_for(pol, r->year, r->public, r->form, &ruled);
	days = end - start + 1;
	if (cap10 > 0 && r->hours10 > cap10 * days) {
		hours_format(r->hours10, h1);
		hours_format(cap10, h2);
		hours_format(cap10 * days, h3);
		if (ruled)
			snprintf(tmp, sizeof(tmp), _(" in %d %s subjects"),
			    r->year, r->public ? _("public") : _("professional"));
		else
			tmp[0] = '\0';
		FAIL(IMPORT_HOURS, "%s hours in %ld day%s exceeds the cap for "
		    "form %d (%s)%s: %s a day, %s in all", h1, days,
		    days == 1 ? "" : "s", r->form, policy_form_name(r->form),
		    tmp, h2, h3);
	}

	if (text_field(IMPORT_DOMAIN, f[IMPORT_DOMAIN], false, 50, true,
	    r->domain, sizeof(r->domain), err) != HS_OK)
		return HS_ERR_INVALID;
	if (r->domain[0] != '\0' && r->public)
		FAIL(IMPORT_DOMAIN, "only for professional subjects");
	if (text_field(IMPORT_REF, f[IMPORT_REF], false, 128, false, r->ref,
	    sizeof(r->ref), err) != HS_OK)
		return HS_ERR_INVALID;

	/* The unit's region: an administrative-division code prefix. */
	s = f[IMPORT_REGION];
	if (present(s)) {
		if (strspn(s, "0123456789") != strlen(s) || strlen(s) < 2 ||
		    strlen(s) > 12)
			FAIL(IMPORT_REGION, "must be 2-12 digits, an "
			    "administrative-division code such as 3502 (got "
			    "\"%.40s\")", s);
		if (r->unit[0] == '\0')
			FAIL(IMPORT_REGION, "needs a unit (it is the unit's "
			    "region)");
		memcpy(r->region, s, strlen(s) + 1);
	}
	return HS_OK;
}

enum hs_err
import_check_row(const struct policy *pol,
    const char *const raw[IMPORT_NFIELDS], long today,
    struct import_record *r, char *warn, char *err)
{
	const char *f[IMPORT_NFIELDS];
	char *mem = NULL;
	enum hs_err rc;

	memset(r, 0, sizeof(*r));
	if (warn != NULL)
		warn[0] = '\0';
	if ((rc = plain_row(raw, f, &mem, err)) != HS_OK)
		return rc;
	rc = check_plain(pol, f, today, r, warn, err);
	free(mem);
	return rc;
}
