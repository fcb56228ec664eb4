/*
 * report.h - the yearly export for the provincial system: one row per
 * practitioner who holds certificates for the year, with the hours and
 * status of the valid annual certificate and the serials.
 *
 * CSV columns (RFC 4180 quoting, UTF-8, header first):
 *   id, name, unit, year, public, professional, total, status, serial,
 *   course_serials, revoked_serials
 * JSON: an array of objects with the same keys; hours are numbers
 * ("94.5" style, at most one decimal), serial lists are arrays.
 *
 * status is met / unmet from the valid annual certificate, or "none" when
 * the practitioner holds only course certificates (then the hours are
 * the sums of the valid course certificates). id is the masked ID number
 * unless full_id asks for the full one (the provincial system matches
 * people by it; the file is then personal data).
 */
#ifndef HS_REPORT_H
#define HS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

#include "cert/policy.h"
#include "core/hs.h"
#include "store/records.h"

/* REPORT_XLSX: one sheet named for the year, the CSV's columns, a bold
 * header row, the id column formatted as text, hours as numbers. */
enum report_format { REPORT_CSV, REPORT_JSON, REPORT_XLSX };

/*
 * Writes the export for year to out, streaming (one practitioner in
 * memory at a time). *rows (may be NULL) gets the number of
 * practitioners written.
 */
enum hs_err report_export(sqlite3 *db, int year, enum report_format fmt,
    bool full_id, FILE *out, long *rows, char *err);

/*
 * The summary (`hourseal-issuer summary`): each practitioner's stamped
 * hours for a year against the policy's requirement, with the same
 * records and arithmetic as an annual certificate.
 */
struct report_line {
	struct records_person p;  /* who (p.id_masked for display) */
	struct policy_result r;   /* hours, met, what is missing */
	size_t nrecords;          /* stamped records counted */
	size_t pending;           /* records still waiting for a stamp */
	struct records_rejected *rejected; /* records standing rejected */
	size_t nrejected;
	bool rejected_more;       /* more than RECORDS_REJECTED_MAX */
};

/*
 * Evaluates the practitioner with full ID number id (HS_ERR_INVALID if it
 * is not one, HS_ERR_NOTFOUND if unknown) or, when id is NULL, everyone
 * with a record in year, ordered by practitioners.id, and calls fn with
 * each line (valid during the call only). *n and *met (may be NULL) get
 * the number of lines and how many met the requirement. Reads only: db
 * may be opened read-only.
 */
enum hs_err report_summary(sqlite3 *db, const struct policy *pol, int year,
    const char *id, void (*fn)(void *ctx, const struct report_line *l),
    void *ctx, size_t *n, size_t *met, char *err);

/*
 * The same summary as one JSON document (caller frees *out):
 *   { "year", "policy", "requirement": { "total", "public",
 *     ["compulsory", "elective",] "professional" }, "practitioners": [
 *     { "id" (masked), "name", "unit", "public", ["compulsory",
 *       "elective",] "professional", "total", "status": "met"|"unmet",
 *       "missing": { same hour keys }, "records", "pending",
 *       "rejected": [ { "ref", "title", "reason", "by", "at" } ] } ],
 *     "met", "unmet" }
 * Hours are numbers (30 or 12.5); the compulsory/elective keys appear
 * when the policy splits public hours.
 */
enum hs_err report_summary_json(sqlite3 *db, const struct policy *pol,
    int year, const char *id, char **out, char *err);

#endif
