/*
 * recowner.h - whose record it is: the full ID number of a record's
 * practitioner, for the issuer's own use only.
 *
 * The console's correction form never shows a whole ID number, yet a
 * correction is checked as an import row (app/stamp.h record_correct),
 * which names the person by it; the service fills it in from here so the
 * corrected record keeps its practitioner. Never print or log the result.
 */
#ifndef HS_STORE_RECOWNER_H
#define HS_STORE_RECOWNER_H

#include <stdint.h>

#include <sqlite3.h>

#include "cert/idnum.h"
#include "core/hs.h"

/*
 * The full ID number of the practitioner of records.id record_id into
 * out. HS_ERR_NOTFOUND if there is no such record, or a database error.
 * Unscoped: check the caller may see the record first.
 */
enum hs_err recowner_id_number(sqlite3 *db, int64_t record_id,
    char out[IDNUM_SIZE], char *err);

#endif
