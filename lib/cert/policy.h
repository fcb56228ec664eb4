/*
 * policy.h - the hour rules of one region (templates/policy/NAME.json):
 * the yearly requirement, the 45-minute hour, per-day caps by form, the
 * deadline of each study year, form-8 (achievement) hours, the split of
 * public hours into compulsory and elective, which forms are stamped
 * automatically. See templates/policy/README.md for the file format.
 *
 * Hours are integer tenths throughout (util.h): 90 hours is 900.
 * Forms are numbered 1..9 as in domain.md (cert_form_name gives names).
 */
#ifndef HS_POLICY_H
#define HS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/hs.h"

struct policy;
struct cert_record;

/*
 * Loads and validates a policy file. On success *out is the caller's
 * (free with policy_free). On failure err names the file, the key and
 * the reason, e.g. "fujian.json: day_caps.online: must be a number of
 * hours > 0 with at most one decimal".
 */
enum hs_err policy_load(const char *path, struct policy **out, char *err);
/* Same, from JSON text; name is used in messages. */
enum hs_err policy_parse(const char *text, size_t len, const char *name,
    struct policy **out, char *err);
void policy_free(struct policy *p); /* accepts NULL */

/* The policy's "name" ("fujian"), and its human-readable "title". */
const char *policy_name(const struct policy *p);
const char *policy_title(const struct policy *p);

/* The yearly requirement, in tenths: 900, 300, 600 by default. */
long policy_req_total10(const struct policy *p);
long policy_req_public10(const struct policy *p);
long policy_req_professional10(const struct policy *p);

/*
 * True if public hours are split into compulsory and elective (Weihai);
 * then every public record needs a public_type, and the requirement
 * includes at least req_compulsory10 compulsory and req_elective10
 * elective hours.
 */
bool policy_split_public(const struct policy *p);
long policy_req_compulsory10(const struct policy *p); /* 0 if not split */
long policy_req_elective10(const struct policy *p);

/* Minutes in one hour of study (45): minutes convert by whole units. */
int policy_minutes_per_hour(const struct policy *p);

/*
 * The most hours (tenths) one day can carry for a form (1..9): online
 * 12, face-to-face 8, otherwise 8 by default. Achievements (form 8) are
 * not capped per day (their hours are fixed); this returns 0 for them.
 */
long policy_day_cap10(const struct policy *p, int form);

/*
 * The cap that applies to one record: the first of the policy's
 * day_cap_rules matching its year, subject and form (e.g. Fujian's 2026
 * public subjects: 12 a day in any form), else policy_day_cap10(form).
 * 0 for achievements. *by_rule (may be NULL) says whether a rule set it.
 */
long policy_day_cap10_for(const struct policy *p, int year, bool public,
    int form, bool *by_rule);

/*
 * The deadline of study year `year` as days since 1970-01-01: work for
 * that year finished after it is not verified (不予审验). Returns 0 and
 * sets *days, or -1 if the policy sets no deadline for that year.
 */
int policy_deadline(const struct policy *p, int year, long *days);

/* Form-8 hours (tenths): first author / lead (600) or others (300). */
long policy_achievement10(const struct policy *p, bool first_author);

/* True if records of this form (1..9) count only as professional. */
bool policy_professional_only(const struct policy *p, int form);

/* True if records of this form (1..9) are stamped automatically. */
bool policy_auto_stamp(const struct policy *p, int form);

/*
 * Form numbers and names (domain.md's table): 1 online, 2 face-to-face,
 * 3 industry, 4 employer, 5 practice, 6 degree, 7 academic,
 * 8 achievement, 9 other; the same names as cert_form_name (cert.h).
 * policy_form_name returns NULL outside 1..9. policy_form_parse accepts
 * the number, the English name or a Chinese alias (网授, 面授, 成果, ...)
 * and returns 0 if it knows none of them.
 */
const char *policy_form_name(int form);
int policy_form_parse(const char *s);

/* A year's hours measured against the requirement (all tenths). */
struct policy_result {
	long public10;          /* all public hours, split or not */
	long compulsory10;      /* split policies only */
	long elective10;
	long professional10;
	long total10;           /* public10 + professional10 */
	/* What is still missing to meet each part (0 when met). */
	long missing_public10;
	long missing_compulsory10;
	long missing_elective10;
	long missing_professional10;
	long missing_total10;
	bool met;               /* every part met */
};

/*
 * Adds up records (cert_record subjects "public", "public/compulsory",
 * "public/elective", "professional"; hours10) and compares them with the
 * requirement. A public record without a type counts toward public but
 * toward neither compulsory nor elective. Unknown subjects are ignored.
 */
void policy_evaluate(const struct policy *p, const struct cert_record *recs,
    size_t n, struct policy_result *r);

#endif
