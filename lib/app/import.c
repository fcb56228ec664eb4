#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "store/config.h"
#include "cert/idnum.h"
#include "app/import.h"
#include "cert/policy.h"
#include "store/records.h"
#include "store/store.h"
#include "core/util.h"

#define IMPORT_MAX_BYTES ((size_t)1 << 30)  /* 1 GiB of input */
#define IMPORT_MAX_COLUMNS 64
#define IMPORT_MAX_FIELD 4096                /* bytes in one value */

/* Column names and their Chinese aliases (design §2b). */
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
			snprintf(tmp, sizeof(tmp), " in %d %s subjects",
			    r->year, r->public ? "public" : "professional");
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
	return HS_OK;
}

/* ---- input: encoding, CSV, JSON Lines ------------------------------------ */

/* The 1-based line of byte offset off. */
static size_t
line_of(const char *s, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/*
 * Converts in (n bytes) from `from` to UTF-8. Returns 0 and a caller-freed
 * *out, or -1 with *bad set to the offset of the first byte it could not
 * convert.
 */
static int
convert(const char *from, const char *in, size_t n, char **out,
    size_t *outlen, size_t *bad)
{
	iconv_t cd;
	char *ip = (char *)in, *o, *op;
	size_t il = n, ol, cap;

	*out = NULL;
	*bad = 0;
	if ((cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
		return -1;
	cap = n * 2 + 16;
	if ((o = malloc(cap)) == NULL) {
		iconv_close(cd);
		return -1;
	}
	op = o;
	ol = cap - 1;
	while (il > 0) {
		if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
			if (errno == E2BIG) {
				size_t used = (size_t)(op - o);
				char *t = realloc(o, cap * 2);

				if (t == NULL)
					break;
				o = t;
				cap *= 2;
				op = o + used;
				ol = cap - used - 1;
				continue;
			}
			break;
		}
	}
	iconv_close(cd);
	if (il > 0) {
		*bad = (size_t)(ip - in);
		free(o);
		return -1;
	}
	*op = '\0';
	*out = o;
	*outlen = (size_t)(op - o);
	return 0;
}

/*
 * Makes the input UTF-8 without a BOM, or says clearly what it is.
 * On success *text is either in itself or a new buffer in *owned.
 */
static enum hs_err
decode_input(const char *file, char *in, size_t n, const char *encoding,
    char **text, size_t *len, char **owned, char *err)
{
	size_t bad, i;
	uint32_t cp;

	*owned = NULL;
	if (n >= 2 && (((uint8_t)in[0] == 0xFF && (uint8_t)in[1] == 0xFE) ||
	    ((uint8_t)in[0] == 0xFE && (uint8_t)in[1] == 0xFF)))
		return hs_fail(err, HS_ERR_FORMAT, "%s: this is UTF-16 (Excel's "
		    "\"Unicode text\"); save it as \"CSV UTF-8\" instead", file);
	if (encoding != NULL && strcasecmp(encoding, "utf-8") != 0 &&
	    strcasecmp(encoding, "utf8") != 0) {
		const char *from;

		if (strcasecmp(encoding, "gbk") == 0 ||
		    strcasecmp(encoding, "gb18030") == 0 ||
		    strcasecmp(encoding, "gb2312") == 0 ||
		    strcasecmp(encoding, "cp936") == 0)
			from = "GB18030";   /* a superset of GBK and GB 2312 */
		else
			return hs_fail(err, HS_ERR_INVALID, "--encoding: %s is "
			    "not supported (utf-8 or gbk)", encoding);
		if (convert(from, in, n, owned, len, &bad) != 0)
			return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: not valid %s "
			    "(byte %zu)", file, line_of(in, bad), encoding,
			    bad + 1);
		in = *owned;
		n = *len;
	}
	if (n >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
		in += 3;
		n -= 3;
	}
	if (memchr(in, '\0', n) != NULL) {
		bad = (size_t)((char *)memchr(in, '\0', n) - in);
		return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: a NUL byte: this is "
		    "not a text file (UTF-16?); save it as \"CSV UTF-8\"",
		    file, line_of(in, bad));
	}
	for (i = 0; i < n; ) {
		size_t k = utf8_next(in + i, n - i, &cp);

		if (k == 0)
			break;
		i += k;
	}
	if (i < n) {
		char *conv = NULL;
		size_t clen;

		bad = i;
		if (encoding == NULL &&
		    convert("GB18030", in, n, &conv, &clen, &i) == 0) {
			free(conv);
			return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: not UTF-8; "
			    "this looks like GBK (Excel's \"CSV\" export). "
			    "Pass --encoding gbk, or save it as \"CSV UTF-8\"",
			    file, line_of(in, bad));
		}
		return hs_fail(err, HS_ERR_FORMAT, "%s:%zu: invalid UTF-8 "
		    "(byte 0x%02X)", file, line_of(in, bad),
		    (unsigned)(uint8_t)in[bad]);
	}
	*text = in;
	*len = n;
	return HS_OK;
}

/* A CSV reader over UTF-8 text (RFC 4180: quotes, CRLF or LF). */
struct csv {
	const char *s;
	size_t n, pos;
	size_t line;        /* line of the next byte */
	struct buf cell;    /* the unescaped fields of the current row */
	size_t off[IMPORT_MAX_COLUMNS];
	size_t nf;
};

/*
 * Reads one row into c->cell / c->off. Returns 1 for a row, 0 at the
 * end, -1 with err (line and reason). Blank lines are skipped.
 */
static int
csv_next(struct csv *c, size_t *row_line, char *err)
{
	size_t start;
	bool quoted;
	char ch;

	/* Skip blank lines. */
	while (c->pos < c->n && (c->s[c->pos] == '\n' ||
	    (c->s[c->pos] == '\r' && c->pos + 1 < c->n &&
	    c->s[c->pos + 1] == '\n'))) {
		c->pos += c->s[c->pos] == '\r' ? 2 : 1;
		c->line++;
	}
	if (c->pos >= c->n)
		return 0;
	*row_line = c->line;
	buf_reset(&c->cell);
	c->nf = 0;
	for (;;) {
		if (c->nf == IMPORT_MAX_COLUMNS) {
			hs_fail(err, HS_ERR_FORMAT, "%zu: more than %d columns",
			    *row_line, IMPORT_MAX_COLUMNS);
			return -1;
		}
		c->off[c->nf++] = c->cell.len;
		start = c->cell.len;
		quoted = c->pos < c->n && c->s[c->pos] == '"';
		if (quoted) {
			c->pos++;
			for (;;) {
				if (c->pos >= c->n) {
					hs_fail(err, HS_ERR_FORMAT, "%zu: a quoted "
					    "field is not closed", *row_line);
					return -1;
				}
				ch = c->s[c->pos++];
				if (ch == '"') {
					if (c->pos < c->n && c->s[c->pos] == '"') {
						c->pos++;
						buf_putc(&c->cell, '"');
						continue;
					}
					break;
				}
				if (ch == '\n')
					c->line++;
				buf_putc(&c->cell, ch);
				if (c->cell.len - start > IMPORT_MAX_FIELD)
					goto toolong;
			}
			if (c->pos < c->n && c->s[c->pos] != ',' &&
			    c->s[c->pos] != '\n' && !(c->s[c->pos] == '\r' &&
			    c->pos + 1 < c->n && c->s[c->pos + 1] == '\n')) {
				hs_fail(err, HS_ERR_FORMAT, "%zu: text after a "
				    "closing quote (a quote inside a field must "
				    "be doubled: \"\")", c->line);
				return -1;
			}
		} else {
			while (c->pos < c->n && c->s[c->pos] != ',' &&
			    c->s[c->pos] != '\n' && !(c->s[c->pos] == '\r' &&
			    c->pos + 1 < c->n && c->s[c->pos + 1] == '\n')) {
				if (c->s[c->pos] == '"') {
					hs_fail(err, HS_ERR_FORMAT, "%zu: a quote "
					    "inside an unquoted field (quote the "
					    "whole field and double the quote)",
					    c->line);
					return -1;
				}
				buf_putc(&c->cell, c->s[c->pos++]);
				if (c->cell.len - start > IMPORT_MAX_FIELD)
					goto toolong;
			}
		}
		buf_putc(&c->cell, '\0');
		if (c->pos >= c->n)
			break;
		if (c->s[c->pos] == ',') {
			c->pos++;
			continue;
		}
		c->pos += c->s[c->pos] == '\r' ? 2 : 1;
		c->line++;
		break;
	}
	if (c->cell.oom) {
		hs_fail(err, HS_ERR_NOMEM, "out of memory");
		return -1;
	}
	return 1;
toolong:
	hs_fail(err, HS_ERR_TOOBIG, "%zu: field %zu is longer than %d bytes",
	    *row_line, c->nf, IMPORT_MAX_FIELD);
	return -1;
}

static const char *
csv_field(const struct csv *c, size_t i)
{
	return c->cell.data + c->off[i];
}

/* ---- storing --------------------------------------------------------------- */

struct importer {
	sqlite3 *db;
	const struct config *cfg;
	const struct policy *pol;
	const struct import_options *o;
	struct import_stats *st;
	const char *file;             /* base name, for messages and source */
	char now[21];
	sqlite3_stmt *person_get, *person_add, *person_set, *by_ref, *by_key,
	    *rec_add, *stamp_add;
	struct buf rejects;
	size_t reported;
	char auto_by[96];
};

static void
report(struct importer *im, enum import_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
report(struct importer *im, enum import_level level, const char *fmt, ...)
{
	char msg[HS_ERRLEN + 128];
	size_t max = im->o->max_errors ? im->o->max_errors : 100;
	va_list ap;

	if (im->o->report == NULL)
		return;
	if (level == IMPORT_ERROR && im->reported++ >= max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	im->o->report(im->o->ctx, level, msg);
}

static enum hs_err
prepare(struct importer *im, char *err)
{
	static const struct {
		size_t off;
		const char *sql;
	} stmts[] = {
		{ offsetof(struct importer, person_get), "SELECT id, name, unit "
		    "FROM practitioners WHERE id_number = ?" },
		{ offsetof(struct importer, person_add), "INSERT INTO "
		    "practitioners (id_number, id_masked, id_digest, name, unit, "
		    "created) VALUES (?, ?, ?, ?, ?, ?)" },
		{ offsetof(struct importer, person_set), "UPDATE practitioners "
		    "SET name = ?, unit = ? WHERE id = ?" },
		{ offsetof(struct importer, by_ref), "SELECT practitioner_id, "
		    "year, subject, coalesce(public_type, ''), form, title, "
		    "provider, start_date, end_date, hours10, "
		    "coalesce(author_role, ''), source FROM records WHERE ref = ?" },
		{ offsetof(struct importer, by_key), "SELECT practitioner_id, "
		    "year, subject, coalesce(public_type, ''), form, title, "
		    "provider, start_date, end_date, hours10, "
		    "coalesce(author_role, ''), source FROM records WHERE "
		    "practitioner_id = ? AND title = ? AND provider = ? AND "
		    "start_date = ? AND end_date = ?" },
		{ offsetof(struct importer, rec_add), "INSERT INTO records "
		    "(practitioner_id, year, subject, public_type, form, title, "
		    "provider, start_date, end_date, hours10, author_role, domain,"
		    " ref, source, imported) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, ?, ?, ?, ?)" },
	};
	size_t i;

	for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		sqlite3_stmt **p = (sqlite3_stmt **)((char *)im + stmts[i].off);

		if (sqlite3_prepare_v3(im->db, stmts[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT, p, NULL) != SQLITE_OK)
			return store_err(im->db, err, "import");
	}
	return HS_OK;
}

static void
finalize_all(struct importer *im)
{
	sqlite3_finalize(im->person_get);
	sqlite3_finalize(im->person_add);
	sqlite3_finalize(im->person_set);
	sqlite3_finalize(im->by_ref);
	sqlite3_finalize(im->by_key);
	sqlite3_finalize(im->rec_add);
	sqlite3_finalize(im->stamp_add);
	im->person_get = im->person_add = im->person_set = NULL;
	im->by_ref = im->by_key = im->rec_add = im->stamp_add = NULL;
}

static const char *
ptype_name(enum import_ptype t)
{
	return t == PTYPE_COMPULSORY ? "compulsory" : t == PTYPE_ELECTIVE ?
	    "elective" : "";
}

static const char *
role_name(enum import_role r)
{
	return r == ROLE_FIRST ? "first" : r == ROLE_OTHER ? "other" : "";
}

#define COL(st, i) ((const char *)sqlite3_column_text(st, i))

/*
 * Compares a stored record (a row of by_ref/by_key) with r. Returns NULL
 * if they agree, else the name of the first field that differs and its
 * stored value in was.
 */
static const char *
differs(sqlite3_stmt *st, int64_t pid, const struct import_record *r,
    char was[600])
{
	char h[HOURS_SIZE];

	if (sqlite3_column_int64(st, 0) != pid) {
		snprintf(was, 600, "another practitioner");
		return "id_number";
	}
#define CHECK_TEXT(i, name, val) \
	if (strcmp(COL(st, i), (val)) != 0) { \
		snprintf(was, 600, "%s", COL(st, i)); \
		return name; \
	}
	if (sqlite3_column_int(st, 1) != r->year) {
		snprintf(was, 600, "%d", sqlite3_column_int(st, 1));
		return "year";
	}
	CHECK_TEXT(2, "subject", r->public ? "public" : "professional");
	CHECK_TEXT(3, "public_type", ptype_name(r->ptype));
	if (sqlite3_column_int(st, 4) != r->form) {
		snprintf(was, 600, "%d", sqlite3_column_int(st, 4));
		return "form";
	}
	CHECK_TEXT(5, "title", r->title);
	CHECK_TEXT(6, "provider", r->provider);
	CHECK_TEXT(7, "start_date", r->start);
	CHECK_TEXT(8, "end_date", r->end);
	if (sqlite3_column_int64(st, 9) != r->hours10) {
		hours_format((long)sqlite3_column_int64(st, 9), h);
		snprintf(was, 600, "%s", h);
		return "hours";
	}
	CHECK_TEXT(10, "author_role", role_name(r->role));
#undef CHECK_TEXT
	return NULL;
}

/* Text or NULL for an empty string. */
static void
bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s[0] != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/*
 * Stores one validated row. Returns HS_OK (stored or already there),
 * HS_ERR_INVALID with "field: reason" in err for a row the store refuses
 * (a conflict), or a database error that ends the import.
 */
static enum hs_err
store_row(struct importer *im, const struct import_record *r, size_t line,
    char *err)
{
	char masked[IDNUM_SIZE], digest[45], was[600], source[320];
	const char *field;
	int64_t pid = 0, rid;
	char oldname[256] = "", oldunit[256] = "";
	bool have = false, rename = false, reunit = false;
	sqlite3_stmt *st;
	int s;

	/* The practitioner, if known: a different name is suspicious. */
	st = im->person_get;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, r->id_number, -1, SQLITE_STATIC);
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		have = true;
		pid = sqlite3_column_int64(st, 0);
		snprintf(oldname, sizeof(oldname), "%s", COL(st, 1));
		snprintf(oldunit, sizeof(oldunit), "%s", COL(st, 2));
	} else if (s != SQLITE_DONE)
		return store_err(im->db, err, "import");
	sqlite3_reset(st);
	idnum_mask(r->id_number, masked);
	if (have && strcmp(oldname, r->name) != 0) {
		if (!im->o->accept_renames)
			return hs_fail(err, HS_ERR_INVALID, "name: %s is "
			    "registered for %s as %s; if the name really changed, "
			    "import with --accept-renames", r->name, masked,
			    oldname);
		rename = true;
	}
	reunit = have && r->unit[0] != '\0' && strcmp(oldunit, r->unit) != 0;

	/* Already imported? By ref, then by person, title, provider, dates. */
	st = NULL;
	if (r->ref[0] != '\0') {
		sqlite3_reset(im->by_ref);
		sqlite3_bind_text(im->by_ref, 1, r->ref, -1, SQLITE_STATIC);
		if ((s = sqlite3_step(im->by_ref)) == SQLITE_ROW)
			st = im->by_ref;
		else if (s != SQLITE_DONE)
			return store_err(im->db, err, "import");
	}
	if (st == NULL && have) {
		sqlite3_reset(im->by_key);
		sqlite3_bind_int64(im->by_key, 1, pid);
		sqlite3_bind_text(im->by_key, 2, r->title, -1, SQLITE_STATIC);
		sqlite3_bind_text(im->by_key, 3, r->provider, -1, SQLITE_STATIC);
		sqlite3_bind_text(im->by_key, 4, r->start, -1, SQLITE_STATIC);
		sqlite3_bind_text(im->by_key, 5, r->end, -1, SQLITE_STATIC);
		if ((s = sqlite3_step(im->by_key)) == SQLITE_ROW)
			st = im->by_key;
		else if (s != SQLITE_DONE)
			return store_err(im->db, err, "import");
	}
	if (st != NULL) {
		bool byref = st == im->by_ref;

		field = differs(st, pid, r, was);
		snprintf(source, sizeof(source), "%s", COL(st, 11));
		sqlite3_reset(st);
		if (field != NULL) {
			if (byref && strcmp(field, "id_number") == 0)
				return hs_fail(err, HS_ERR_INVALID, "ref: %s "
				    "already belongs to another practitioner's "
				    "record (%s)", r->ref, source);
			if (byref)
				return hs_fail(err, HS_ERR_INVALID, "ref: %s was "
				    "imported before (%s) with %s %s; a "
				    "correction needs a new ref", r->ref,
				    source, field, was);
			return hs_fail(err, HS_ERR_INVALID, "%s: the same "
			    "course (person, title, provider, dates) was "
			    "imported before (%s) with %s %s", field, source,
			    field, was);
		}
		im->st->duplicates++;
		return HS_OK;
	}

	/* New: the practitioner first, then the record. */
	if (!have) {
		st = im->person_add;
		sqlite3_reset(st);
		config_id_digest(im->cfg, r->id_number, digest);
		sqlite3_bind_text(st, 1, r->id_number, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, masked, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->unit, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, im->now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return store_err(im->db, err, "import");
		pid = sqlite3_last_insert_rowid(im->db);
		sqlite3_reset(st);
		im->st->people_new++;
	} else if (rename || reunit) {
		st = im->person_set;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, reunit ? r->unit : oldunit, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, pid);
		if (sqlite3_step(st) != SQLITE_DONE)
			return store_err(im->db, err, "import");
		sqlite3_reset(st);
		im->st->people_changed++;
		if (rename)
			report(im, IMPORT_NOTE, "%s:%zu: note: name of %s changed from "
			    "%s to %s", im->file, line, masked, oldname,
			    r->name);
		if (reunit)
			report(im, IMPORT_NOTE, "%s:%zu: note: unit of %s (%s) changed "
			    "from %s to %s", im->file, line, masked, r->name,
			    oldunit[0] ? oldunit : "(none)", r->unit);
	}
	snprintf(source, sizeof(source), "%s:%zu", im->file, line);
	st = im->rec_add;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, pid);
	sqlite3_bind_int(st, 2, r->year);
	sqlite3_bind_text(st, 3, r->public ? "public" : "professional", -1,
	    SQLITE_STATIC);
	bind_opt(st, 4, ptype_name(r->ptype));
	sqlite3_bind_int(st, 5, r->form);
	sqlite3_bind_text(st, 6, r->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, r->end, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, r->hours10);
	bind_opt(st, 11, role_name(r->role));
	bind_opt(st, 12, r->domain);
	bind_opt(st, 13, r->ref);
	sqlite3_bind_text(st, 14, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, im->now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return store_err(im->db, err, "import");
	rid = sqlite3_last_insert_rowid(im->db);
	sqlite3_reset(st);
	im->st->inserted++;

	/* Records the policy stamps automatically (online platforms). */
	if (policy_auto_stamp(im->pol, r->form)) {
		enum hs_err rc = records_stamp_insert(im->db, &im->stamp_add,
		    rid, "stamped", im->auto_by, RECORDS_AUTO, NULL, im->now,
		    err);

		if (rc != HS_OK)
			return rc;
		im->st->auto_stamped++;
	}
	return HS_OK;
}

/*
 * Validates and stores one row (fields f). A rejected row is reported
 * and, for --skip-invalid, added to the rejects (via add_reject).
 * Returns HS_OK unless the import must stop (database error).
 */
static enum hs_err
do_row(struct importer *im, const char *const f[IMPORT_NFIELDS],
    size_t line, bool *rejected, char *rowerr, char *err)
{
	struct import_record r;
	char warn[HS_ERRLEN];
	enum hs_err rc;

	*rejected = false;
	im->st->rows++;
	rc = import_check_row(im->pol, f, im->o->today, &r, warn, rowerr);
	if (rc == HS_OK) {
		rc = store_row(im, &r, line, rowerr);
		if (rc != HS_OK && rc != HS_ERR_INVALID) {
			snprintf(err, HS_ERRLEN, "%s", rowerr);
			hs_errprefix(err, "%s:%zu", im->file, line);
			return rc;
		}
	}
	if (rc != HS_OK) {
		*rejected = true;
		im->st->rejected++;
		report(im, IMPORT_ERROR, "%s:%zu: %s", im->file, line, rowerr);
		return HS_OK;
	}
	if (warn[0] != '\0') {
		im->st->warnings++;
		report(im, IMPORT_WARNING, "%s:%zu: warning: %s", im->file,
		    line, warn);
	}
	return HS_OK;
}

/*
 * A CSV value as written before buf_csv_field's formula guard: "'=..."
 * (a rejects file fixed and imported again) reads as "=...".
 */
static const char *
unguard(const char *s)
{
	if (s[0] == '\'' && s[1] != '\0' && strchr("=+-@\t\r", s[1]) != NULL)
		return s + 1;
	return s;
}

static enum hs_err
import_csv(struct importer *im, const char *text, size_t len, char *err)
{
	struct csv c;
	const char *f[IMPORT_NFIELDS];
	int map[IMPORT_MAX_COLUMNS], k, r;
	size_t ncols = 0, line = 0, i;
	char rowerr[HS_ERRLEN];
	bool seen[IMPORT_NFIELDS] = { false }, rejected;
	enum hs_err rc = HS_OK;
	struct buf header;

	memset(&c, 0, sizeof(c));
	buf_init(&c.cell);
	buf_init(&header);
	c.s = text;
	c.n = len;
	c.line = 1;
	if ((r = csv_next(&c, &line, err)) <= 0) {
		if (r == 0)
			rc = hs_fail(err, HS_ERR_FORMAT, "%s: empty file (no "
			    "header row)", im->file);
		else {
			rc = HS_ERR_FORMAT;
			hs_errprefix(err, "%s", im->file);
		}
		goto out;
	}
	/* The header names the columns. */
	ncols = c.nf;
	for (i = 0; i < ncols; i++) {
		const char *h = csv_field(&c, i);

		k = import_field_parse(h);
		if (k == -1) {
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%zu: unknown column "
			    "\"%.60s\" (known: id_number, name, unit, year, "
			    "subject, public_type, form, title, provider, "
			    "start_date, end_date, hours, minutes, author_role, "
			    "domain, ref, or their Chinese names)", im->file,
			    line, h);
			goto out;
		}
		if (k >= 0 && seen[k]) {
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%zu: column %s "
			    "appears twice", im->file, line, fields[k].name);
			goto out;
		}
		if (k >= 0)
			seen[k] = true;
		map[i] = k;
		buf_puts(&header, i ? "," : "#line,#error,");
		buf_csv_field(&header, h, true);
	}
	{
		static const enum import_field req[] = { IMPORT_ID_NUMBER,
			IMPORT_NAME, IMPORT_YEAR, IMPORT_SUBJECT, IMPORT_FORM,
			IMPORT_TITLE, IMPORT_PROVIDER, IMPORT_START_DATE,
			IMPORT_END_DATE };

		for (i = 0; i < sizeof(req) / sizeof(req[0]); i++)
			if (!seen[req[i]]) {
				rc = hs_fail(err, HS_ERR_FORMAT, "%s:%zu: missing "
				    "column %s (%s)", im->file, line,
				    fields[req[i]].name, fields[req[i]].alias[0]);
				goto out;
			}
		if (!seen[IMPORT_HOURS] && !seen[IMPORT_MINUTES]) {
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%zu: missing column "
			    "hours (学时) or minutes (分钟)", im->file, line);
			goto out;
		}
	}
	buf_putc(&header, '\n');
	if (im->o->rejects_path != NULL)
		buf_add(&im->rejects, header.data, header.len);

	while ((r = csv_next(&c, &line, rowerr)) != 0) {
		if (r < 0) {
			/* A broken row cannot be cut out safely: the rest of
			 * the file may be misread. */
			rc = hs_fail(err, HS_ERR_FORMAT, "%s:%s", im->file,
			    rowerr);
			goto out;
		}
		for (k = 0; k < IMPORT_NFIELDS; k++)
			f[k] = NULL;
		if (c.nf < ncols || (c.nf > ncols && strlen(csv_field(&c,
		    ncols)) > 0)) {
			im->st->rows++;
			im->st->rejected++;
			rejected = true;
			snprintf(rowerr, sizeof(rowerr), "%zu fields where the "
			    "header has %zu", c.nf, ncols);
			report(im, IMPORT_ERROR, "%s:%zu: %s", im->file, line,
			    rowerr);
		} else {
			for (i = 0; i < ncols; i++)
				if (map[i] >= 0)
					f[map[i]] = unguard(csv_field(&c, i));
			if ((rc = do_row(im, f, line, &rejected, rowerr, err))
			    != HS_OK)
				goto out;
		}
		if (rejected && im->o->rejects_path != NULL) {
			/* People open it in a spreadsheet: no formulas. */
			buf_printf(&im->rejects, "%zu,", line);
			buf_csv_field(&im->rejects, rowerr, true);
			for (i = 0; i < c.nf && i < ncols; i++) {
				buf_putc(&im->rejects, ',');
				buf_csv_field(&im->rejects, csv_field(&c, i),
				    true);
			}
			for (; i < ncols; i++)
				buf_putc(&im->rejects, ',');
			buf_putc(&im->rejects, '\n');
		}
	}
out:
	buf_free(&c.cell);
	buf_free(&header);
	return rc;
}

/* A JSON value as field text: strings as they are, numbers written out. */
static int
json_text(json_t *v, char *out, size_t outsz)
{
	if (json_is_string(v))
		return snprintf(out, outsz, "%s", json_string_value(v)) <
		    (int)outsz ? 0 : -1;
	if (json_is_integer(v))
		snprintf(out, outsz, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, outsz, "%.15g", json_real_value(v));
	else if (json_is_null(v))
		out[0] = '\0';
	else
		return -1;
	return 0;
}

static enum hs_err
import_jsonl(struct importer *im, const char *text, size_t len, char *err)
{
	const char *f[IMPORT_NFIELDS], *key;
	char rowerr[HS_ERRLEN];
	size_t pos = 0, line = 0, end;
	json_t *j, *v;
	json_error_t je;
	bool rejected;
	enum hs_err rc = HS_OK;
	int k;

	while (pos < len) {
		char own[IMPORT_NFIELDS][IMPORT_MAX_FIELD + 1];

		line++;
		end = pos;
		while (end < len && text[end] != '\n')
			end++;
		j = NULL;
		rejected = false;
		if (strspn(text + pos, " \t\r") >= end - pos)
			goto next; /* blank line */
		for (k = 0; k < IMPORT_NFIELDS; k++)
			f[k] = NULL;
		j = json_loadb(text + pos, end - pos, JSON_REJECT_DUPLICATES, &je);
		if (j == NULL || !json_is_object(j)) {
			snprintf(rowerr, sizeof(rowerr), "not a JSON object: %s",
			    j == NULL ? je.text : "another JSON value");
			goto bad;
		}
		json_object_foreach(j, key, v) {
			if ((k = import_field_parse(key)) == -2)
				continue;
			if (k == -1) {
				snprintf(rowerr, sizeof(rowerr), "unknown field "
				    "\"%.60s\"", key);
				goto bad;
			}
			if (f[k] != NULL) {
				snprintf(rowerr, sizeof(rowerr), "%s given twice",
				    fields[k].name);
				goto bad;
			}
			if (json_text(v, own[k], sizeof(own[k])) != 0) {
				snprintf(rowerr, sizeof(rowerr), "%s: must be a "
				    "string or a number, at most %d bytes",
				    fields[k].name, IMPORT_MAX_FIELD);
				goto bad;
			}
			f[k] = own[k];
		}
		if ((rc = do_row(im, f, line, &rejected, rowerr, err)) != HS_OK)
			goto out;
		goto rej;
bad:
		im->st->rows++;
		im->st->rejected++;
		rejected = true;
		report(im, IMPORT_ERROR, "%s:%zu: %s", im->file, line, rowerr);
rej:
		if (rejected && im->o->rejects_path != NULL) {
			json_t *o = json_is_object(j) ? json_deep_copy(j) :
			    json_object();
			char *s;

			if (!json_is_object(j))
				json_object_set_new(o, "#text", json_stringn(
				    text + pos, end - pos));
			json_object_set_new(o, "#line", json_integer(
			    (json_int_t)line));
			json_object_set_new(o, "#error", json_string(rowerr));
			if ((s = json_dumps(o, JSON_COMPACT)) != NULL) {
				buf_puts(&im->rejects, s);
				buf_putc(&im->rejects, '\n');
				free(s);
			}
			json_decref(o);
		}
next:
		json_decref(j);
		pos = end + 1;
	}
out:
	return rc;
}

enum hs_err
import_file(sqlite3 *db, const struct config *cfg, const struct policy *pol,
    const struct import_options *o, struct import_stats *st, char *err)
{
	struct importer im;
	char *raw = NULL, *owned = NULL, *text = NULL;
	size_t rawlen, len;
	const char *base, *ext;
	bool jsonl;
	enum hs_err rc;

	memset(st, 0, sizeof(*st));
	memset(&im, 0, sizeof(im));
	buf_init(&im.rejects);
	im.db = db;
	im.cfg = cfg;
	im.pol = pol;
	im.o = o;
	im.st = st;
	base = strrchr(o->path, '/');
	im.file = base ? base + 1 : o->path;
	time_now_rfc3339(im.now);
	snprintf(im.auto_by, sizeof(im.auto_by), "auto (policy %s)",
	    policy_name(pol));

	if ((rc = file_read(o->path, IMPORT_MAX_BYTES, &raw, &rawlen, err))
	    != HS_OK)
		goto out;
	if ((rc = decode_input(im.file, raw, rawlen, o->encoding, &text, &len,
	    &owned, err)) != HS_OK)
		goto out;
	ext = strrchr(im.file, '.');
	jsonl = (ext != NULL && (strcasecmp(ext, ".jsonl") == 0 ||
	    strcasecmp(ext, ".ndjson") == 0 || strcasecmp(ext, ".json") == 0))
	    || (len > 0 && text[strspn(text, " \t\r\n")] == '{');

	/* A big import touches many pages: keep them in memory (up to 256
	 * MiB) instead of spilling to the WAL mid-transaction. */
	(void)store_exec(db, "PRAGMA cache_size = -262144", NULL);
	if ((rc = store_begin(db, err)) != HS_OK)
		goto out;
	if ((rc = prepare(&im, err)) != HS_OK)
		goto fail;
	rc = jsonl ? import_jsonl(&im, text, len, err) :
	    import_csv(&im, text, len, err);
	if (rc != HS_OK)
		goto fail;
	if (im.rejects.oom) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (im.reported > (o->max_errors ? o->max_errors : 100))
		report(&im, IMPORT_NOTE, "%s: %zu more errors not shown",
		    im.file, im.reported - (o->max_errors ? o->max_errors : 100));
	if (st->rejected > 0 && o->rejects_path == NULL) {
		rc = hs_fail(err, HS_ERR_INVALID, "%s: %zu of %zu rows rejected; "
		    "nothing imported (fix them, or use --skip-invalid FILE to "
		    "import the rest)", im.file, st->rejected, st->rows);
		goto fail;
	}
	/*
	 * The rejected rows hold whole ID numbers: 0600. A device or FIFO
	 * (/dev/null) is written as it is, never replaced.
	 */
	if (o->rejects_path != NULL && (rc = file_write(o->rejects_path,
	    im.rejects.data ? im.rejects.data : "", im.rejects.len, 0600,
	    FILE_SYNC | FILE_CLEAN, err)) != HS_OK)
		goto fail;
	finalize_all(&im);
	if ((rc = store_commit(db, err)) != HS_OK)
		goto fail;
	goto out;
fail:
	finalize_all(&im);
	store_rollback(db);
	if (rc != HS_ERR_INVALID) {
		size_t rows = st->rows, rej = st->rejected;

		memset(st, 0, sizeof(*st));
		st->rows = rows;
		st->rejected = rej;
	} else {
		st->inserted = st->duplicates = st->people_new = 0;
		st->people_changed = st->auto_stamped = 0;
	}
out:
	buf_free(&im.rejects);
	free(owned);
	free(raw);
	return rc;
}
