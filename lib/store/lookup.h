/*
 * lookup.h - the read-only questions the /api/v1 calls ask of the store:
 * a practitioner by id-digest within a region scope (POST /api/v1/hours),
 * and a provider token's submissions with their current decision
 * (GET /api/v1/records).
 */
#ifndef HS_STORE_LOOKUP_H
#define HS_STORE_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cert/idnum.h"
#include "core/hs.h"

/*
 * The practitioner whose id_digest is digest and who has at least one
 * record whose region starts with scope (digits; "" matches every
 * region), or whose region is '' when blank_ok (province-level HR).
 * HS_OK with *id and the masked ID number, HS_ERR_NOTFOUND if there is
 * none (unknown and out of scope look the same), or a database error.
 */
enum hs_err lookup_person_digest(sqlite3 *db, const char *digest,
    const char *scope, bool blank_ok, int64_t *id, char masked[IDNUM_SIZE],
    char *err);

/*
 * Whether practitioner id has a record in scope (as above): HS_OK,
 * HS_ERR_NOTFOUND, or a database error.
 */
enum hs_err lookup_person_in_scope(sqlite3 *db, int64_t id,
    const char *scope, bool blank_ok, char *err);

/* One submitted record and its current decision. */
struct lookup_submission {
	int64_t id;                 /* records.id */
	char ref[129];              /* "" if none */
	char id_masked[IDNUM_SIZE];
	int year;
	char subject[16];
	char title[512];
	char provider[256];
	char start[11], end[11];
	long long hours10;
	char imported[21];
	char submitted_by[80];      /* "token:<label>", an account, "" */
	char state[12];             /* waiting, stamped, rejected, withdrawn */
	char decided_by[256];       /* the organisation; "" while waiting */
	char decided_kind[12];      /* hr, industry, auto; "" while waiting */
	char reason[512];           /* rejection or withdrawal reason */
	char decided_at[21];
};

/* Which submissions lookup_submissions returns. */
struct lookup_filter {
	const char *provider;       /* records.provider, exactly */
	const char *state;          /* NULL: any */
	const char *since;          /* RFC 3339: imported at or after; NULL */
	int64_t after;              /* records.id greater than this */
	size_t limit;               /* 1..1000 */
};

/*
 * Calls fn for each matching record in records.id order (at most
 * f->limit), and sets *more when there are further rows after the last
 * one given. fn returns 0 to go on. HS_OK or a database error.
 */
enum hs_err lookup_submissions(sqlite3 *db, const struct lookup_filter *f,
    int (*fn)(void *ctx, const struct lookup_submission *s), void *ctx,
    int *more, char *err);

#endif
