/*
 * auditview.h - the audit log as the console's audit page shows it: the
 * rows in a principal's scope, newest first, paged by seq.
 *
 * Who may read it: hr and auditor (their region scope) and the operator
 * (everything); every other role is refused (HS_ERR_STATE) before a row
 * is read.
 *
 * Which rows a region scope R sees. A row touches up to two regions:
 *
 *   the actor's   an account's region (hr, industry, auditor), an
 *                 employer's unit's region (units), an API token's region
 *                 ("token:<label>"); none for the shell ("cli"), providers
 *                 and practitioners
 *   the object's  a record's region (object = records.ref or
 *                 "record:<id>"), an account's (object = accounts.name,
 *                 as for the actor), a certificate's holder's unit's
 *                 region (object = certificates.serial)
 *
 * R sees the row if R covers (principal_region_covers) a non-empty region
 * the row touches, or if the row touches no non-empty region at all and R
 * covers "" (province level: rows outside every scope, like the shell's
 * key and publish rows). So a city's HR sees what its own staff did and
 * what was done to its records and accounts, not what the province did
 * elsewhere.
 */
#ifndef HS_APP_AUDITVIEW_H
#define HS_APP_AUDITVIEW_H

#include <stdint.h>

#include <sqlite3.h>

#include "app/principal.h"
#include "core/hs.h"

#define AUDITVIEW_PAGE_MAX 500  /* rows in one page */
/* Rows read for one page at most, in scope or not: a narrow scope over a
 * long log still answers quickly, with a "next" link to read on. */
#define AUDITVIEW_SCAN_MAX 5000

/* One audit row; the strings are valid during the callback only. */
struct auditview_row {
	int64_t seq;
	const char *at;      /* RFC 3339 UTC */
	const char *actor;   /* account name, "token:<label>", "cli" */
	const char *role;
	const char *org;
	const char *action;  /* record.stamp, session.signin, ... */
	const char *object;  /* a record ref, serial, account or token label */
	const char *detail;  /* a reason, "" if none */
	const char *client;  /* client address, "" for the shell */
};

/*
 * Calls fn (returns 0 to go on) for the rows in p's scope with seq <
 * before (before <= 0: from the newest), newest first, at most limit
 * (1..AUDITVIEW_PAGE_MAX) of them, reading at most AUDITVIEW_SCAN_MAX
 * rows. *next is the value to pass as before for the next page, or 0 if
 * no older row is left. HS_ERR_STATE for a role that may not read the
 * log, HS_ERR_INVALID for a bad limit, or a database error.
 */
enum hs_err auditview_page(sqlite3 *db, const struct principal *p,
    int64_t before, int limit,
    int (*fn)(void *ctx, const struct auditview_row *r), void *ctx,
    int64_t *next, char *err);

#endif
