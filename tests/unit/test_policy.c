/* Unit tests for policy.c: loading, validation, caps, deadlines, evaluation. */
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"
#include "cert/policy.h"
#include "core/util.h"
#include "t.h"
#include "tlib.h"

static struct policy *
load(const char *name)
{
	char err[HS_ERRLEN] = "";
	struct policy *p = t_policy(name, err);

	T_OK(p != NULL, "load %s.json %s", name, err);
	return p;
}

static void
test_shipped(void)
{
	struct policy *fj = load("fujian"), *wh = load("weihai");
	long d;
	char s[11];

	if (fj == NULL || wh == NULL)
		goto out;
	T_STREQ(policy_name(fj), "fujian", "fujian name");
	T_OK(policy_req_total10(fj) == 900 && policy_req_public10(fj) == 300 &&
	    policy_req_professional10(fj) == 600, "fujian requirement 90/30/60");
	T_OK(!policy_split_public(fj) && policy_req_compulsory10(fj) == 0,
	    "fujian does not split public hours");
	T_OK(policy_split_public(wh) && policy_req_compulsory10(wh) == 200 &&
	    policy_req_elective10(wh) == 100, "weihai splits 20/10");
	T_OK(policy_minutes_per_hour(fj) == 45, "45-minute hour");
	T_OK(policy_day_cap10(fj, 1) == 120, "online cap 12");
	T_OK(policy_day_cap10(fj, 2) == 80, "face-to-face cap 8");
	T_OK(policy_day_cap10(fj, 3) == 80 && policy_day_cap10(fj, 9) == 80,
	    "other forms cap 8");
	T_OK(policy_day_cap10(fj, 8) == 0, "achievements not capped per day");
	T_OK(policy_achievement10(fj, true) == 600 &&
	    policy_achievement10(fj, false) == 300, "form 8: 60 / 30");
	T_OK(policy_deadline(fj, 2024, &d) == 0, "deadline 2024 known");
	date_format(d, s);
	T_STREQ(s, "2025-02-28", "deadline 2024");
	policy_deadline(fj, 2026, &d);
	date_format(d, s);
	T_STREQ(s, "2027-02-28", "deadline 2026");
	T_OK(policy_deadline(fj, 2027, &d) == 0, "deadline 2027 by rule");
	date_format(d, s);
	T_STREQ(s, "2028-02-29", "deadline 2027 = end of February 2028 (leap)");
	{
		bool ruled = true;

		T_OK(policy_day_cap10_for(fj, 2026, true, 2, &ruled) == 120 &&
		    ruled, "fujian 2026 public face-to-face: 12 by rule");
		T_OK(policy_day_cap10_for(fj, 2026, false, 2, &ruled) == 80 &&
		    !ruled, "fujian 2026 professional face-to-face: 8");
		T_OK(policy_day_cap10_for(fj, 2025, true, 2, &ruled) == 80 &&
		    !ruled, "fujian 2025 public face-to-face: 8");
		T_OK(policy_day_cap10_for(fj, 2026, true, 8, NULL) == 0,
		    "achievements never capped");
		T_OK(policy_day_cap10_for(wh, 2026, true, 2, &ruled) == 80 &&
		    !ruled, "weihai has no 2026 rule");
	}
	T_OK(policy_auto_stamp(fj, 1) && !policy_auto_stamp(fj, 2),
	    "online records are stamped automatically, others not");
	T_OK(policy_professional_only(fj, 8) &&
	    !policy_professional_only(fj, 1), "achievement is professional");
out:
	policy_free(fj);
	policy_free(wh);
}

static void
test_forms(void)
{
	static const struct {
		const char *in;
		int want;
	} rows[] = {
		{ "1", 1 }, { "9", 9 }, { "0", 0 }, { "10", 0 }, { "", 0 },
		{ "online", 1 }, { "Online", 1 }, { "网授", 1 }, { "面授", 2 },
		{ "face-to-face", 2 }, { "achievement", 8 }, { "成果", 8 },
		{ "other", 9 }, { "webinar", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		T_OK(policy_form_parse(rows[i].in) == rows[i].want,
		    "form \"%s\" -> %d", rows[i].in, rows[i].want);
	T_STREQ(policy_form_name(2), "face-to-face", "form 2 name");
	T_OK(policy_form_name(0) == NULL && policy_form_name(10) == NULL,
	    "form names out of range");
}

#define BASE(extra) "{\"format\":\"hourseal/policy/v1\",\"name\":\"t\"," \
	"\"requirement\":{\"total\":90,\"public\":30,\"professional\":60}," \
	"\"minutes_per_hour\":45,\"day_caps\":{\"default\":8}," \
	"\"achievement_hours\":{\"first\":60,\"other\":30}" extra "}"

static void
test_invalid(void)
{
	static const struct {
		const char *json, *err;
	} rows[] = {
		{ BASE(""), NULL },
		{ "[]", "t.json: must be a JSON object" },
		{ "{", "t.json:1: string or '}' expected near end of file" },
		{ BASE(",\"colour\":1"), "t.json: colour: unknown key" },
		{ "{\"format\":\"x\"}", "t.json: format: must be "
		    "\"hourseal/policy/v1\"" },
		{ "{\"format\":\"hourseal/policy/v1\",\"name\":\"t\","
		    "\"requirement\":{\"total\":90,\"public\":30}}",
		    "t.json: requirement.professional: missing" },
		{ "{\"format\":\"hourseal/policy/v1\",\"name\":\"t\","
		    "\"requirement\":{\"total\":90,\"public\":30,"
		    "\"professional\":60.25}}",
		    "t.json: requirement.professional: must be a number of "
		    "hours > 0 with at most one decimal" },
		{ "{\"format\":\"hourseal/policy/v1\",\"name\":\"t\","
		    "\"requirement\":{\"total\":80,\"public\":30,"
		    "\"professional\":60}}",
		    "t.json: requirement: public + professional (90) exceeds "
		    "total" },
		{ BASE(",\"public_split\":{\"compulsory\":25,\"elective\":10}"),
		    "t.json: public_split: compulsory + elective exceeds "
		    "requirement.public" },
		{ BASE(",\"public_split\":{\"compulsory\":20}"),
		    "t.json: public_split.elective: missing" },
		{ BASE(",\"day_caps\":{\"default\":8}"),
		    "t.json:1: duplicate object key near '\"day_caps\"'" },
		{ BASE(",\"deadlines\":{\"2024\":\"2025-02-30\"}"),
		    "t.json: deadlines.2024: must be a real date YYYY-MM-DD" },
		{ BASE(",\"deadlines\":{\"24\":\"2025-02-28\"}"),
		    "t.json: deadlines.24: the key must be a year" },
		{ BASE(",\"deadlines\":{\"2024\":\"2023-12-31\"}"),
		    "t.json: deadlines.2024: 2023-12-31 is before the year "
		    "begins" },
		{ BASE(",\"deadline_rule\":\"whenever\""),
		    "t.json: deadline_rule: must be "
		    "\"end-of-february-next-year\", \"end-of-year\" or "
		    "\"none\"" },
		{ BASE(",\"day_cap_rules\":[{\"year\":2026,\"cap\":13}]"),
		    NULL },
		{ BASE(",\"day_cap_rules\":{}"), "t.json: day_cap_rules: must "
		    "be a list of at most 50 rules" },
		{ BASE(",\"day_cap_rules\":[{\"year\":2026}]"),
		    "t.json: day_cap_rules[0].cap: must be a number of hours > 0 "
		    "and <= 24 with at most one decimal" },
		{ BASE(",\"day_cap_rules\":[{\"subject\":\"all\",\"cap\":8}]"),
		    "t.json: day_cap_rules[0].subject: public or professional" },
		{ BASE(",\"day_cap_rules\":[{\"form\":\"x\",\"cap\":8}]"),
		    "t.json: day_cap_rules[0].form: not a form name" },
		{ BASE(",\"day_cap_rules\":[{\"month\":3,\"cap\":8}]"),
		    "t.json: day_cap_rules[0].month: unknown key" },
		{ BASE(",\"auto_stamp_forms\":[\"webinar\"]"),
		    "t.json: auto_stamp_forms[0]: not a form name (online, "
		    "face-to-face, industry, employer, practice, degree, "
		    "academic, achievement, other)" },
	};
	char err[HS_ERRLEN];
	struct policy *p;
	size_t i;
	enum hs_err rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		err[0] = '\0';
		rc = policy_parse(rows[i].json, strlen(rows[i].json), "t.json",
		    &p, err);
		if (rows[i].err == NULL)
			T_OK(rc == HS_OK && p != NULL, "policy row %zu loads %s",
			    i, err);
		else {
			T_OK(rc != HS_OK && p == NULL, "policy row %zu refused",
			    i);
			T_STREQ(err, rows[i].err, "policy row %zu message", i);
		}
		policy_free(p);
	}
}

static void
test_day_caps_override(void)
{
	const char *j = "{\"format\":\"hourseal/policy/v1\",\"name\":\"t\","
	    "\"requirement\":{\"total\":90,\"public\":30,\"professional\":60},"
	    "\"minutes_per_hour\":45,\"day_caps\":{\"default\":8,"
	    "\"online\":12,\"academic\":6.5},\"achievement_hours\":"
	    "{\"first\":60,\"other\":30},\"deadline_rule\":\"none\"}";
	struct policy *p = NULL;
	char err[HS_ERRLEN] = "";
	long d;

	T_OK(policy_parse(j, strlen(j), "t.json", &p, err) == HS_OK,
	    "caps policy loads %s", err);
	if (p == NULL)
		return;
	T_OK(policy_day_cap10(p, 7) == 65, "academic cap 6.5");
	T_OK(policy_day_cap10(p, 4) == 80, "employer gets the default");
	T_OK(policy_deadline(p, 2024, &d) == -1, "no deadline with rule none");
	policy_free(p);
}

static void
test_evaluate(void)
{
	struct policy *fj = load("fujian"), *wh = load("weihai");
	struct {
		const char *subjects[4];
		long hours[4];
		int weihai;
		int met;
		long pub, prof, total, mpub, mprof, mtot, mcomp, melec;
	} rows[] = {
		/* exactly 30 + 60 */
		{ { "public", "professional" }, { 300, 600 }, 0, 1,
		    300, 600, 900, 0, 0, 0, 0, 0 },
		/* one tenth short of professional */
		{ { "public", "professional" }, { 300, 599 }, 0, 0,
		    300, 599, 899, 0, 1, 1, 0, 0 },
		/* lots of public does not make up for professional */
		{ { "public", "professional" }, { 900, 100 }, 0, 0,
		    900, 100, 1000, 0, 500, 0, 0, 0 },
		{ { "public", "professional" }, { 299, 700 }, 0, 0,
		    299, 700, 999, 1, 0, 0, 0, 0 },
		{ { NULL }, { 0 }, 0, 0, 0, 0, 0, 300, 600, 900, 0, 0 },
		/* Weihai: 20 compulsory + 10 elective + 60 */
		{ { "public/compulsory", "public/elective", "professional" },
		    { 200, 100, 600 }, 1, 1, 300, 600, 900, 0, 0, 0, 0, 0 },
		/* Weihai: 30 elective is not enough compulsory */
		{ { "public/elective", "professional" }, { 300, 600 }, 1, 0,
		    300, 600, 900, 0, 0, 0, 200, 0 },
		/* Weihai: 25 compulsory + 5 elective */
		{ { "public/compulsory", "public/elective", "professional" },
		    { 250, 50, 600 }, 1, 0, 300, 600, 900, 0, 0, 0, 0, 50 },
		/* Weihai: untyped public counts as public only */
		{ { "public", "professional" }, { 300, 600 }, 1, 0,
		    300, 600, 900, 0, 0, 0, 200, 100 },
	};
	struct cert_record recs[4];
	struct policy_result r;
	size_t i, k, n;

	if (fj == NULL || wh == NULL)
		goto out;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(recs, 0, sizeof(recs));
		for (n = 0; n < 4 && rows[i].subjects[n] != NULL; n++) {
			snprintf(recs[n].subject, sizeof(recs[n].subject), "%s",
			    rows[i].subjects[n]);
			recs[n].hours10 = rows[i].hours[n];
		}
		policy_evaluate(rows[i].weihai ? wh : fj, recs, n, &r);
		k = r.met == (bool)rows[i].met && r.public10 == rows[i].pub &&
		    r.professional10 == rows[i].prof &&
		    r.total10 == rows[i].total &&
		    r.missing_public10 == rows[i].mpub &&
		    r.missing_professional10 == rows[i].mprof &&
		    r.missing_total10 == rows[i].mtot &&
		    r.missing_compulsory10 == rows[i].mcomp &&
		    r.missing_elective10 == rows[i].melec;
		T_OK(k, "evaluate row %zu (met %d)", i, rows[i].met);
	}
out:
	policy_free(fj);
	policy_free(wh);
}

int
main(void)
{
	test_shipped();
	test_forms();
	test_invalid();
	test_day_caps_override();
	test_evaluate();
	return t_done();
}
