#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "cert/cert.h"
#include "cert/policy.h"
#include "core/util.h"

#define POLICY_FORMAT "hourseal/policy/v1"
#define POLICY_MAX_BYTES (256 * 1024)
#define POLICY_MAX_DEADLINES 200
#define POLICY_MAX_RULES 50

enum deadline_rule {
	RULE_NONE,       /* unlisted years have no deadline */
	RULE_FEB_NEXT,   /* last day of February of the following year */
	RULE_YEAR_END,   /* 31 December of the year itself */
};

struct deadline {
	int year;
	long days;
};

struct policy {
	char name[64];
	char title[256];
	long req_total10, req_public10, req_professional10;
	bool split;
	long req_compulsory10, req_elective10;
	int minutes_per_hour;
	long cap10[10];           /* per form 1..9; 0 = not capped (form 8) */
	struct cap_rule {         /* day_cap_rules, first match wins */
		int year;         /* 0: any */
		int subject;      /* -1 any, 1 public, 0 professional */
		int form;         /* 0: any */
		long cap10;
	} rules[POLICY_MAX_RULES];
	size_t nrules;
	long achievement_first10, achievement_other10;
	struct deadline deadlines[POLICY_MAX_DEADLINES];
	size_t ndeadlines;
	enum deadline_rule rule;
	bool professional_only[10];
	bool auto_stamp[10];
};

static const struct {
	const char *name;
	const char *alias[4];
} forms[10] = {
	{ NULL, { NULL } },
	{ "online", { "网授", "网络培训", "线上", NULL } },
	{ "face-to-face", { "面授", "线下", NULL } },
	{ "industry", { "行业", NULL } },
	{ "employer", { "单位", NULL } },
	{ "practice", { "进修", "实践", NULL } },
	{ "degree", { "学历", "学位", NULL } },
	{ "academic", { "学术", "学术会议", NULL } },
	{ "achievement", { "成果", NULL } },
	{ "other", { "其他", NULL } },
};

const char *
policy_form_name(int form)
{
	return form >= 1 && form <= 9 ? forms[form].name : NULL;
}

int
policy_form_parse(const char *s)
{
	int f, i;

	if (s[0] >= '1' && s[0] <= '9' && s[1] == '\0')
		return s[0] - '0';
	for (f = 1; f <= 9; f++) {
		if (strcasecmp(s, forms[f].name) == 0)
			return f;
		for (i = 0; forms[f].alias[i] != NULL; i++)
			if (strcmp(s, forms[f].alias[i]) == 0)
				return f;
	}
	return 0;
}

/* Hours in JSON: a number > 0 with at most one decimal, at most max. */
static int
json_hours10(json_t *v, long max10, long *out)
{
	double d, t;

	if (!json_is_number(v))
		return -1;
	d = json_number_value(v);
	if (!(d > 0) || d * 10 > (double)max10)
		return -1;
	t = round(d * 10);
	if (fabs(t - d * 10) > 1e-6)
		return -1;
	*out = (long)t;
	return 0;
}

/* Fails with "NAME: KEY: reason". */
#define BAD(...) do { \
	rc = hs_fail(err, HS_ERR_FORMAT, __VA_ARGS__); \
	goto out; \
} while (0)

static const char *const known_keys[] = {
	"format", "name", "title", "sources", "requirement", "public_split",
	"minutes_per_hour", "day_caps", "day_cap_rules", "achievement_hours",
	"deadlines",
	"deadline_rule", "professional_only_forms", "auto_stamp_forms", NULL
};

static bool
known(const char *key, const char *const *keys)
{
	for (; *keys != NULL; keys++)
		if (strcmp(*keys, key) == 0)
			return true;
	return false;
}

/* Reads {"a": hours, "b": hours} with exactly the keys in names. */
static enum hs_err
hours_object(json_t *o, const char *where, const char *const *names,
    long *out[], const char *file, char *err)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		return hs_fail(err, HS_ERR_FORMAT, "%s: %s: must be an object",
		    file, where);
	json_object_foreach(o, key, v) {
		if (!known(key, names))
			return hs_fail(err, HS_ERR_FORMAT,
			    "%s: %s.%s: unknown key", file, where, key);
	}
	for (i = 0; names[i] != NULL; i++) {
		if ((v = json_object_get(o, names[i])) == NULL)
			return hs_fail(err, HS_ERR_FORMAT,
			    "%s: %s.%s: missing", file, where, names[i]);
		if (json_hours10(v, 100000, out[i]) != 0)
			return hs_fail(err, HS_ERR_FORMAT, "%s: %s.%s: must be "
			    "a number of hours > 0 with at most one decimal",
			    file, where, names[i]);
	}
	return HS_OK;
}

/* Reads a list of form names into flags[1..9]. */
static enum hs_err
form_list(json_t *a, const char *where, bool flags[10], const char *file,
    char *err)
{
	size_t i;
	json_t *v;
	int f;

	if (a == NULL)
		return HS_OK;
	if (!json_is_array(a))
		return hs_fail(err, HS_ERR_FORMAT,
		    "%s: %s: must be a list of form names", file, where);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) ||
		    (f = policy_form_parse(json_string_value(v))) == 0)
			return hs_fail(err, HS_ERR_FORMAT, "%s: %s[%zu]: not a "
			    "form name (online, face-to-face, industry, "
			    "employer, practice, degree, academic, achievement, "
			    "other)", file, where, i);
		flags[f] = true;
	}
	return HS_OK;
}

enum hs_err
policy_parse(const char *text, size_t len, const char *file,
    struct policy **out, char *err)
{
	struct policy *p = NULL;
	json_t *j = NULL, *v, *o;
	json_error_t je;
	const char *key;
	enum hs_err rc = HS_OK;
	long def10 = 0, cap10;
	int f;

	*out = NULL;
	if (len > POLICY_MAX_BYTES)
		return hs_fail(err, HS_ERR_TOOBIG, "%s: larger than %d bytes",
		    file, POLICY_MAX_BYTES);
	if ((j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return hs_fail(err, HS_ERR_FORMAT, "%s:%d: %s", file, je.line,
		    je.text);
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		rc = hs_fail(err, HS_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!json_is_object(j))
		BAD("%s: must be a JSON object", file);
	json_object_foreach(j, key, v) {
		if (!known(key, known_keys))
			BAD("%s: %s: unknown key", file, key);
	}
	v = json_object_get(j, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), POLICY_FORMAT))
		BAD("%s: format: must be \"%s\"", file, POLICY_FORMAT);
	v = json_object_get(j, "name");
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) >= sizeof(p->name) ||
	    has_control(json_string_value(v)))
		BAD("%s: name: must be a short string", file);
	snprintf(p->name, sizeof(p->name), "%s", json_string_value(v));
	v = json_object_get(j, "title");
	if (v != NULL) {
		if (!json_is_string(v) || json_string_length(v) >=
		    sizeof(p->title) || has_control(json_string_value(v)))
			BAD("%s: title: must be a string under %zu bytes", file,
			    sizeof(p->title));
		snprintf(p->title, sizeof(p->title), "%s",
		    json_string_value(v));
	}

	/* The yearly requirement. */
	{
		static const char *const names[] = { "total", "public",
			"professional", NULL };
		long *outs[] = { &p->req_total10, &p->req_public10,
			&p->req_professional10 };

		if ((rc = hours_object(json_object_get(j, "requirement"),
		    "requirement", names, outs, file, err)) != HS_OK)
			goto out;
		if (p->req_public10 + p->req_professional10 > p->req_total10) {
			char h[HOURS_SIZE];

			hours_format(p->req_public10 + p->req_professional10, h);
			BAD("%s: requirement: public + professional (%s) "
			    "exceeds total", file, h);
		}
	}
	o = json_object_get(j, "public_split");
	if (o != NULL && !json_is_null(o)) {
		static const char *const names[] = { "compulsory", "elective",
			NULL };
		long *outs[] = { &p->req_compulsory10, &p->req_elective10 };

		if ((rc = hours_object(o, "public_split", names, outs, file,
		    err)) != HS_OK)
			goto out;
		if (p->req_compulsory10 + p->req_elective10 > p->req_public10)
			BAD("%s: public_split: compulsory + elective exceeds "
			    "requirement.public", file);
		p->split = true;
	}

	v = json_object_get(j, "minutes_per_hour");
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 60)
		BAD("%s: minutes_per_hour: must be a whole number 1..60", file);
	p->minutes_per_hour = (int)json_integer_value(v);

	/* Per-day caps: "default" plus any form by name. */
	o = json_object_get(j, "day_caps");
	if (!json_is_object(o))
		BAD("%s: day_caps: must be an object", file);
	if ((v = json_object_get(o, "default")) == NULL ||
	    json_hours10(v, 240, &def10) != 0)
		BAD("%s: day_caps.default: must be a number of hours > 0 and "
		    "<= 24 with at most one decimal", file);
	for (f = 1; f <= 9; f++)
		p->cap10[f] = def10;
	json_object_foreach(o, key, v) {
		if (strcmp(key, "default") == 0)
			continue;
		if ((f = policy_form_parse(key)) == 0)
			BAD("%s: day_caps.%s: not a form name", file, key);
		if (json_hours10(v, 240, &cap10) != 0)
			BAD("%s: day_caps.%s: must be a number of hours > 0 and "
			    "<= 24 with at most one decimal", file, key);
		p->cap10[f] = cap10;
	}
	p->cap10[8] = 0; /* achievements carry fixed hours */

	/* Rules that set another cap for a year, subject or form. */
	o = json_object_get(j, "day_cap_rules");
	if (o != NULL) {
		static const char *const rkeys[] = { "year", "subject", "form",
			"cap", "source", NULL };
		size_t i;

		if (!json_is_array(o) || json_array_size(o) > POLICY_MAX_RULES)
			BAD("%s: day_cap_rules: must be a list of at most %d "
			    "rules", file, POLICY_MAX_RULES);
		json_array_foreach(o, i, v) {
			struct cap_rule *r = &p->rules[p->nrules];
			json_t *x;

			if (!json_is_object(v))
				BAD("%s: day_cap_rules[%zu]: must be an object",
				    file, i);
			json_object_foreach(v, key, x) {
				if (!known(key, rkeys))
					BAD("%s: day_cap_rules[%zu].%s: unknown "
					    "key", file, i, key);
			}
			r->subject = -1;
			if ((x = json_object_get(v, "year")) != NULL &&
			    (!json_is_integer(x) || json_integer_value(x) <
			    1900 || json_integer_value(x) > 2999))
				BAD("%s: day_cap_rules[%zu].year: must be a "
				    "year", file, i);
			r->year = x ? (int)json_integer_value(x) : 0;
			if ((x = json_object_get(v, "subject")) != NULL) {
				if (json_is_string(x) && strcmp(
				    json_string_value(x), "public") == 0)
					r->subject = 1;
				else if (json_is_string(x) && strcmp(
				    json_string_value(x), "professional") == 0)
					r->subject = 0;
				else
					BAD("%s: day_cap_rules[%zu].subject: "
					    "public or professional", file, i);
			}
			if ((x = json_object_get(v, "form")) != NULL &&
			    (!json_is_string(x) || (r->form =
			    policy_form_parse(json_string_value(x))) == 0))
				BAD("%s: day_cap_rules[%zu].form: not a form "
				    "name", file, i);
			if ((x = json_object_get(v, "cap")) == NULL ||
			    json_hours10(x, 240, &r->cap10) != 0)
				BAD("%s: day_cap_rules[%zu].cap: must be a "
				    "number of hours > 0 and <= 24 with at most "
				    "one decimal", file, i);
			p->nrules++;
		}
	}

	{
		static const char *const names[] = { "first", "other", NULL };
		long *outs[] = { &p->achievement_first10,
			&p->achievement_other10 };

		if ((rc = hours_object(json_object_get(j, "achievement_hours"),
		    "achievement_hours", names, outs, file, err)) != HS_OK)
			goto out;
	}

	/* Deadlines: explicit years, and a rule for the others. */
	o = json_object_get(j, "deadlines");
	if (o != NULL) {
		if (!json_is_object(o))
			BAD("%s: deadlines: must be an object of "
			    "\"YEAR\": \"YYYY-MM-DD\"", file);
		json_object_foreach(o, key, v) {
			char *end;
			long y = strtol(key, &end, 10);
			long d;

			if (strlen(key) != 4 || *end != '\0' || y < 1900 ||
			    y > 2999)
				BAD("%s: deadlines.%s: the key must be a year",
				    file, key);
			if (!json_is_string(v) ||
			    date_parse(json_string_value(v), &d) != 0)
				BAD("%s: deadlines.%s: must be a real date "
				    "YYYY-MM-DD", file, key);
			{
				char first[11];
				long start;

				snprintf(first, sizeof(first), "%04ld-01-01", y);
				date_parse(first, &start);
				if (d < start)
					BAD("%s: deadlines.%s: %s is before "
					    "the year begins", file, key,
					    json_string_value(v));
			}
			if (p->ndeadlines == POLICY_MAX_DEADLINES)
				BAD("%s: deadlines: more than %d years", file,
				    POLICY_MAX_DEADLINES);
			p->deadlines[p->ndeadlines].year = (int)y;
			p->deadlines[p->ndeadlines++].days = d;
		}
	}
	v = json_object_get(j, "deadline_rule");
	if (v == NULL || json_is_null(v))
		p->rule = RULE_NONE;
	else if (json_is_string(v) && strcmp(json_string_value(v),
	    "end-of-february-next-year") == 0)
		p->rule = RULE_FEB_NEXT;
	else if (json_is_string(v) && strcmp(json_string_value(v),
	    "end-of-year") == 0)
		p->rule = RULE_YEAR_END;
	else if (json_is_string(v) && strcmp(json_string_value(v), "none")
	    == 0)
		p->rule = RULE_NONE;
	else
		BAD("%s: deadline_rule: must be \"end-of-february-next-year\", "
		    "\"end-of-year\" or \"none\"", file);

	if ((rc = form_list(json_object_get(j, "professional_only_forms"),
	    "professional_only_forms", p->professional_only, file, err))
	    != HS_OK)
		goto out;
	if ((rc = form_list(json_object_get(j, "auto_stamp_forms"),
	    "auto_stamp_forms", p->auto_stamp, file, err)) != HS_OK)
		goto out;
	*out = p;
	p = NULL;
out:
	free(p);
	json_decref(j);
	return rc;
}

enum hs_err
policy_load(const char *path, struct policy **out, char *err)
{
	char *text = NULL;
	const char *base;
	size_t len;
	enum hs_err rc;

	*out = NULL;
	if ((rc = file_read(path, POLICY_MAX_BYTES, &text, &len, err))
	    != HS_OK)
		return rc;
	base = strrchr(path, '/');
	rc = policy_parse(text, len, base ? base + 1 : path, out, err);
	free(text);
	return rc;
}

void
policy_free(struct policy *p)
{
	free(p);
}

const char *policy_name(const struct policy *p) { return p->name; }
const char *policy_title(const struct policy *p) { return p->title; }
long policy_req_total10(const struct policy *p) { return p->req_total10; }
long policy_req_public10(const struct policy *p) { return p->req_public10; }
long policy_req_professional10(const struct policy *p)
{
	return p->req_professional10;
}
bool policy_split_public(const struct policy *p) { return p->split; }
long policy_req_compulsory10(const struct policy *p)
{
	return p->split ? p->req_compulsory10 : 0;
}
long policy_req_elective10(const struct policy *p)
{
	return p->split ? p->req_elective10 : 0;
}
int policy_minutes_per_hour(const struct policy *p)
{
	return p->minutes_per_hour;
}

long
policy_day_cap10(const struct policy *p, int form)
{
	return form >= 1 && form <= 9 ? p->cap10[form] : 0;
}

int
policy_deadline(const struct policy *p, int year, long *days)
{
	char d[11];
	size_t i;

	for (i = 0; i < p->ndeadlines; i++) {
		if (p->deadlines[i].year == year) {
			*days = p->deadlines[i].days;
			return 0;
		}
	}
	if (year < 1900 || year > 2998)
		return -1;
	switch (p->rule) {
	case RULE_FEB_NEXT:
		/* The day before 1 March is the end of February, leap or not. */
		snprintf(d, sizeof(d), "%04d-03-01", year + 1);
		if (date_parse(d, days) != 0)
			return -1;
		(*days)--;
		return 0;
	case RULE_YEAR_END:
		snprintf(d, sizeof(d), "%04d-12-31", year);
		return date_parse(d, days);
	default:
		return -1;
	}
}

long
policy_achievement10(const struct policy *p, bool first_author)
{
	return first_author ? p->achievement_first10 : p->achievement_other10;
}

long
policy_day_cap10_for(const struct policy *p, int year, bool public, int form,
    bool *by_rule)
{
	size_t i;

	if (by_rule != NULL)
		*by_rule = false;
	if (form < 1 || form > 9 || form == 8)
		return 0;
	for (i = 0; i < p->nrules; i++) {
		const struct cap_rule *r = &p->rules[i];

		if ((r->year == 0 || r->year == year) &&
		    (r->subject < 0 || r->subject == (int)public) &&
		    (r->form == 0 || r->form == form)) {
			if (by_rule != NULL)
				*by_rule = true;
			return r->cap10;
		}
	}
	return p->cap10[form];
}

bool
policy_professional_only(const struct policy *p, int form)
{
	return form >= 1 && form <= 9 && p->professional_only[form];
}

bool
policy_auto_stamp(const struct policy *p, int form)
{
	return form >= 1 && form <= 9 && p->auto_stamp[form];
}

static long
shortfall(long have, long want)
{
	return have >= want ? 0 : want - have;
}

void
policy_evaluate(const struct policy *p, const struct cert_record *recs,
    size_t n, struct policy_result *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < n; i++) {
		const char *s = recs[i].subject;

		if (strcmp(s, "professional") == 0)
			r->professional10 += recs[i].hours10;
		else if (strcmp(s, "public") == 0)
			r->public10 += recs[i].hours10;
		else if (strcmp(s, "public/compulsory") == 0) {
			r->public10 += recs[i].hours10;
			r->compulsory10 += recs[i].hours10;
		} else if (strcmp(s, "public/elective") == 0) {
			r->public10 += recs[i].hours10;
			r->elective10 += recs[i].hours10;
		}
	}
	r->total10 = r->public10 + r->professional10;
	r->missing_public10 = shortfall(r->public10, p->req_public10);
	r->missing_professional10 = shortfall(r->professional10,
	    p->req_professional10);
	r->missing_total10 = shortfall(r->total10, p->req_total10);
	if (p->split) {
		r->missing_compulsory10 = shortfall(r->compulsory10,
		    p->req_compulsory10);
		r->missing_elective10 = shortfall(r->elective10,
		    p->req_elective10);
	}
	r->met = r->missing_public10 == 0 && r->missing_professional10 == 0 &&
	    r->missing_total10 == 0 && r->missing_compulsory10 == 0 &&
	    r->missing_elective10 == 0;
}
