/*
 * hours.h - a practitioner's hours for some years, as a title-evaluation
 * system asks for them (service.md §4, POST /api/v1/hours).
 *
 * The practitioner is found by the id-digest of the full ID number (the
 * pepper's HMAC, cert/pepper.h): the number itself is only hashed, never
 * stored, logged or put in a message. Per year the answer gives the
 * stamped hours with the same records and arithmetic as `summary` and an
 * annual certificate (records_stamped + policy_evaluate), the policy's
 * requirement, whether it is met, and the serials of the valid (neither
 * revoked nor superseded) certificates of that year.
 *
 * Scope: a title system sees a practitioner only if its region (a code
 * prefix, 2 to 12 digits) covers the region of at least one of the
 * practitioner's records; otherwise the answer is HS_ERR_NOTFOUND,
 * exactly as for an unknown person. Once seen, the hours are the
 * person's whole year (a certificate covers the whole year too).
 */
#ifndef HS_APP_HOURS_H
#define HS_APP_HOURS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cert/idnum.h"
#include "cert/policy.h"
#include "cert/serial.h"
#include "core/hs.h"

struct config;

#define HOURS_MAX_YEARS 10
#define HOURS_YEAR_MIN 1990
#define HOURS_YEAR_MAX 2100
#define HOURS_MAX_BODY 4096     /* bytes of a request body */
#define HOURS_MAX_SERIALS 64    /* serials listed per year */

/* A validated question. */
struct hours_query {
	char id_number[IDNUM_SIZE];   /* canonical; wipe when done */
	int years[HOURS_MAX_YEARS];
	size_t nyears;                /* 1..HOURS_MAX_YEARS, distinct */
};

/* One year of the answer. */
struct hours_year {
	int year;
	struct policy_result r;       /* hours, missing parts, met */
	size_t nrecords;              /* stamped records counted */
	size_t nserials;              /* may be capped at HOURS_MAX_SERIALS */
	char serials[HOURS_MAX_SERIALS][SERIAL_SIZE];
};

/* The answer: who (masked only) and each year asked, in the order asked. */
struct hours_answer {
	char id_masked[IDNUM_SIZE];
	size_t nyears;
	struct hours_year years[HOURS_MAX_YEARS];
};

/*
 * Parses and validates a request body (len bytes of JSON):
 *   {"id_number": "<18 characters>", "years": [2022, 2023]}
 * Exactly these two keys, no duplicates; years are JSON integers (not
 * strings), 1..10 of them, distinct, each 1990..2100; the body is at most
 * HOURS_MAX_BODY and valid UTF-8. today is days since 1970-01-01 (the
 * ID's birth date may not be after it; -1: the current date).
 * HS_OK and q, HS_ERR_FORMAT (not JSON, err says where), HS_ERR_TOOBIG,
 * or HS_ERR_INVALID with "field: reason" in err; err never holds the ID.
 */
enum hs_err hours_request_parse(const char *body, size_t len, long today,
    struct hours_query *q, char *err);

/*
 * Answers q for a title system whose scope is region (digits, 2..12).
 * HS_OK and *a; HS_ERR_NOTFOUND ("no such practitioner in scope") when
 * the person is unknown or out of scope; HS_ERR_INVALID for a bad region;
 * database errors otherwise. Reads only (db may be read-only).
 */
enum hs_err hours_lookup(sqlite3 *db, const struct config *cfg,
    const struct policy *pol, const char *region,
    const struct hours_query *q, struct hours_answer *a, char *err);

/*
 * One year of practitioner pid (a practitioners.id the caller already
 * found in its scope): the stamped hours against pol's requirement and
 * the valid certificates, exactly as hours_lookup counts them (the
 * console's staff page, /admin/staff, calls it too).
 */
enum hs_err hours_year(sqlite3 *db, const struct policy *pol, int64_t pid,
    int year, struct hours_year *y, char *err);

/*
 * The answer as JSON (caller frees *out):
 *   {"id": masked, "policy": name, "years": [{"year", "public",
 *    ["compulsory", "elective",] "professional", "total",
 *    "requirement": {"total", "public", ["compulsory", "elective",]
 *    "professional"}, "met", "records", "serials": [...]}]}
 * Hours are numbers (30 or 12.5). HS_ERR_NOMEM only.
 */
enum hs_err hours_to_json(const struct hours_answer *a, const struct policy *pol,
    char **out, char *err);

#endif
