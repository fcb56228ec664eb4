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

#include "core/hs.h"
#include "cert/idnum.h"

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

/*
 * The practitioners that have any record in `year`, stamped or not,
 * ordered by practitioners.id (for summaries). As records_holders.
 */
enum hs_err records_people(sqlite3 *db, int year, int64_t **ids, size_t *n,
    char *err);

/* How many records of one practitioner in `year` have no stamp yet. */
enum hs_err records_pending_count(sqlite3 *db, int64_t practitioner,
    int year, size_t *n, char *err);

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

/*
 * 验印: stamping. A record gets at most one stamp (stamps.record_id is
 * unique and the table is append-only): 'stamped' or 'rejected' with a
 * reason. Industry departments may stamp only professional records; HR
 * may stamp both (it stamps professional records where no industry
 * department does); 'auto' is the policy's automatic stamp at import.
 */
enum records_authority { RECORDS_HR, RECORDS_INDUSTRY, RECORDS_AUTO };

/* "hr", "industry", "auto". */
const char *records_authority_name(enum records_authority k);

/* A record waiting for its stamp, as `stamp --list` shows it. */
struct records_pending {
	int64_t id;                 /* records.id */
	char ref[129];              /* records.ref, or "#<id>" if it has none */
	char id_masked[IDNUM_SIZE];
	char name[256];
	int year;
	char subject[32];           /* public, public/compulsory, ..., professional */
	int form;                   /* 1..9 */
	char start[11], end[11];
	long hours10;
	char title[512];
	char provider[256];
};

/*
 * Calls fn for every record without a stamp (of `year`, or of every year
 * if year is 0), ordered by record id. fn returns 0 to go on, nonzero to
 * stop. HS_OK, or a database error.
 */
enum hs_err records_pending_each(sqlite3 *db, int year,
    int (*fn)(void *ctx, const struct records_pending *r), void *ctx,
    char *err);

/*
 * Stamps (reason NULL) or rejects (reason given) the record named by ref:
 * its records.ref, or "#N" / "N" for records.id N when no record has that
 * ref. by names the authority (1-200 bytes, no control characters).
 * HS_ERR_NOTFOUND if there is no such record; HS_ERR_STATE if it already
 * has a stamp ("already stamped by X at T") or an industry department
 * tries a public record; HS_ERR_INVALID for a bad by/reason.
 * Runs in its own transaction unless one is open.
 */
enum hs_err records_stamp_ref(sqlite3 *db, const char *ref,
    const char *reason, const char *by, enum records_authority kind,
    char *err);

/*
 * Stamps every record without a stamp (of `year`, or all if 0) that kind
 * may stamp, in one transaction. *stamped counts the new stamps;
 * *skipped the pending records left alone (public ones for industry).
 */
enum hs_err records_stamp_all(sqlite3 *db, int year, const char *by,
    enum records_authority kind, size_t *stamped, size_t *skipped,
    char *err);

/*
 * Inserts one stamp row for record_id with no checks beyond the
 * database's (used by the importer for automatic stamps, inside its
 * transaction). st may be a statement prepared earlier by this function
 * (pass &st; finalize it with sqlite3_finalize when done) so that bulk
 * callers reuse it.
 */
enum hs_err records_stamp_insert(sqlite3 *db, sqlite3_stmt **st,
    int64_t record_id, const char *decision, const char *by,
    enum records_authority kind, const char *reason, const char *at,
    char *err);

#endif
