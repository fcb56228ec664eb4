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

/* True if s starts or ends with an ASCII space, tab or U+3000. */
static bool
padded(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return false;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return true;
	if (n >= 3 && (memcmp(s, "\xe3\x80\x80", 3) == 0 ||
	    memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0))
		return true;
	return false;
}

/*
 * A text value: UTF-8 without control characters, invisible or
 * direction-changing characters (a name that reads otherwise than it
 * is) or surrounding spaces, no '|' where it ends up in a note, at most
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
	if (padded(s))
		FAIL(f, "leading or trailing spaces");
	if (no_pipe && strchr(s, '|') != NULL)
		FAIL(f, "'|' is not allowed");
	if (utf8_count(s) > maxchars || strlen(s) >= outsz)
		FAIL(f, "longer than %zu characters", maxchars);
	memcpy(out, s, strlen(s) + 1);
	return HS_OK;
}

/* A date value: "YYYY-MM-DD" that exists. */
static enum hs_err
date_field(enum import_field f, const char *s, char out[11], long *days,
    char *err)
{
	int i;

	if (!present(s))
		FAIL(f, "required (YYYY-MM-DD)");
	for (i = 0; i < 10; i++)
		if (s[i] == '\0' || ((i == 4 || i == 7) ? s[i] != '-' :
		    (s[i] < '0' || s[i] > '9')))
			break;
	if (i != 10 || s[10] != '\0')
		FAIL(f, "must be YYYY-MM-DD (got \"%.40s\")", s);
	if (date_parse(s, days) != 0)
		FAIL(f, "no such date %s", s);
	memcpy(out, s, 11);
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

enum hs_err
import_check_row(const struct policy *pol, const char *const f[IMPORT_NFIELDS],
    long today, struct import_record *r, char *warn, char *err)
{
	static const char *const subj_names[] = { "public", "公需", "公需科目",
		"professional", "专业", "专业科目", NULL };
	static const int subj_vals[] = { 1, 1, 1, 0, 0, 0 };
	static const char *const pt_names[] = { "compulsory", "必修", "必修课",
		"elective", "选修", "选修课", NULL };
	static const int pt_vals[] = { PTYPE_COMPULSORY, PTYPE_COMPULSORY,
		PTYPE_COMPULSORY, PTYPE_ELECTIVE, PTYPE_ELECTIVE,
		PTYPE_ELECTIVE };
	static const char *const role_names[] = { "first", "第一作者", "主创",
		"主创人员", "other", "其他", "其他作者", "非主创", "非主创人员",
		NULL };
	static const int role_vals[] = { ROLE_FIRST, ROLE_FIRST, ROLE_FIRST,
		ROLE_FIRST, ROLE_OTHER, ROLE_OTHER, ROLE_OTHER, ROLE_OTHER,
		ROLE_OTHER };
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
	if (idnum_validate(s, today, r->id_number, err) != HS_OK) {
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
	if ((v = choice(s, subj_names, subj_vals)) < 0)
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
		r->ptype = (enum import_ptype)v;
	} else if (r->public && policy_split_public(pol))
		FAIL(IMPORT_PUBLIC_TYPE, "required for public subjects under the "
		    "%s policy: compulsory/必修 or elective/选修",
		    policy_name(pol));

	s = f[IMPORT_FORM];
	if (!present(s))
		FAIL(IMPORT_FORM, "required: 1-9 or a form name");
	if ((r->form = policy_form_parse(s)) == 0)
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
		if (hours_field(f[IMPORT_HOURS], &r->hours10, err) != HS_OK)
			return HS_ERR_INVALID;
	} else if (present(f[IMPORT_MINUTES])) {
		s = f[IMPORT_MINUTES];
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
		if ((v = choice(s, role_names, role_vals)) < 0)
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
