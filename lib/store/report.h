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

#include "core/hs.h"

enum report_format { REPORT_CSV, REPORT_JSON };

/*
 * Writes the export for year to out, streaming (one practitioner in
 * memory at a time). *rows (may be NULL) gets the number of
 * practitioners written.
 */
enum hs_err report_export(sqlite3 *db, int year, enum report_format fmt,
    bool full_id, FILE *out, long *rows, char *err);

#endif
