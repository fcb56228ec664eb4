/*
 * recowner.c - this module reads the full ID number of a record's
 * practitioner (recowner.h).
 */
#include <string.h>

#include "store/recowner.h"
#include "store/store.h"

enum hs_err
recowner_id_number(sqlite3 *db, int64_t record_id, char out[IDNUM_SIZE],
    char *err)
{
	sqlite3_stmt *st = NULL;
	enum hs_err rc = HS_OK;
	const unsigned char *s;
	int step;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT p.id_number FROM records r JOIN "
	    "practitioners p ON p.id = r.practitioner_id WHERE r.id = ?", -1,
	    &st, NULL) != SQLITE_OK)
		return store_err(db, err, "reading records");
	sqlite3_bind_int64(st, 1, record_id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		s = sqlite3_column_text(st, 0);
		if (s == NULL || strlen((const char *)s) >= IDNUM_SIZE)
			rc = hs_fail(err, HS_ERR_STATE, "record %lld: its "
			    "practitioner's ID number is malformed",
			    (long long)record_id);
		else
			memcpy(out, s, strlen((const char *)s) + 1);
	} else if (step == SQLITE_DONE)
		rc = hs_fail(err, HS_ERR_NOTFOUND, "no record %lld",
		    (long long)record_id);
	else
		rc = store_err(db, err, "reading records");
	sqlite3_finalize(st);
	return rc;
}
