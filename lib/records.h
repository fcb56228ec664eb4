/*
 * records.h - practitioners and their hour records in the store, as the
 * issuance and summary code reads them.
 *
 * Only stamped records (验印, decision 'stamped' in the stamps table)
 * count toward certificates and summaries.
 */
#ifndef HS_RECORDS_H
#define HS_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "hs.h"
#include "idnum.h"

struct policy;
struct cert_record;

struct records_person {
	int64_t id;                  /* practitioners.id */
	char id_number[IDNUM_SIZE];  /* full number: issuer side only */
	char id_masked[IDNUM_SIZE];  /* 3501**********123X */
	char id_digest[45];          /* base64 HMAC-SHA-256 with the pepper */
	char name[256];
	char unit[256];              /* may be empty */
};

/*
 * The practitioners that have at least one stamped record in `year`,
 * ordered by practitioners.id. On success *ids is a caller-freed array
 * of *n ids (NULL when *n is 0).
 */
enum hs_err records_holders(sqlite3 *db, int year, int64_t **ids, size_t *n,
    char *err);

/* One practitioner by practitioners.id; HS_ERR_NOTFOUND if none. */
enum hs_err records_person_get(sqlite3 *db, int64_t id,
    struct records_person *p, char *err);

/*
 * One practitioner by full ID number (validated first: HS_ERR_INVALID
 * with the reason if it is not a GB 11643 number); HS_ERR_NOTFOUND if
 * there is none.
 */
enum hs_err records_person_find(sqlite3 *db, const char *id_number,
    struct records_person *p, char *err);

/*
 * The stamped records of one practitioner for `year`, ordered by start
 * date, end date and record id, as certificate records: subject
 * "public" or "professional" and, when policy_split_public(pol),
 * "public/compulsory" or "public/elective"; form by name (cert.h).
 * On success *recs and *rids (records.id of each) are caller-freed
 * arrays of *n entries (NULL when *n is 0); rids may be NULL if the ids
 * are not wanted.
 */
enum hs_err records_stamped(sqlite3 *db, int64_t practitioner, int year,
    const struct policy *pol, struct cert_record **recs, int64_t **rids,
    size_t *n, char *err);

#endif
