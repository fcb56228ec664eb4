/*
 * principal.h - who is acting (an account, an API token, or the operator
 * at the shell) and what they may see (service.md §1).
 *
 * A principal is filled from an accounts or api_tokens row (or by hand for
 * the operator); the CLI and the HTTP service pass the same struct to the
 * same app/ functions (app/stamp.h), which apply the scope rule:
 *
 *   hr, auditor, title-system  region R: records whose region starts with
 *                              R; a 2-digit (province) hr scope also sees
 *                              records with region '' (outside every scope)
 *   industry                   region R and domain D: professional records
 *                              whose domain is D and whose region starts
 *                              with R (never public records)
 *   provider                   records whose provider is its provider
 *   employer                   records whose unit is its unit
 *   practitioner               none through this predicate (their own pages
 *                              select by practitioner_id)
 *   operator                   everything (the shell already holds the
 *                              database)
 */
#ifndef HS_APP_PRINCIPAL_H
#define HS_APP_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/hs.h"
#include "store/accounts.h"
#include "store/audit.h"

enum principal_role {
	PRINCIPAL_NONE = 0,     /* nobody: sees nothing, may do nothing */
	PRINCIPAL_HR,
	PRINCIPAL_INDUSTRY,
	PRINCIPAL_PROVIDER,
	PRINCIPAL_EMPLOYER,
	PRINCIPAL_AUDITOR,
	PRINCIPAL_PRACTITIONER,
	PRINCIPAL_TITLE_SYSTEM, /* API token only */
	PRINCIPAL_OPERATOR,     /* the shell, no account */
};

/* Bounds of the principal's strings (bytes, with the NUL). */
#define PRINCIPAL_NAME 264      /* account name or "token:<label>" (64
                                 * characters of UTF-8, store/accounts.h) */
#define PRINCIPAL_ORG 401       /* organisation (100 characters of UTF-8) */
#define PRINCIPAL_REGION 16     /* 2-12 digits, or "" */
#define PRINCIPAL_TEXT 256      /* domain, provider, unit */
#define PRINCIPAL_CLIENT 64     /* client address for the audit log */

struct principal {
	enum principal_role role;
	char name[PRINCIPAL_NAME];      /* who: the audit actor, stamps.account */
	char org[PRINCIPAL_ORG];        /* acted for: stamps.authority */
	char region[PRINCIPAL_REGION];  /* hr, industry, auditor, title-system */
	char domain[PRINCIPAL_TEXT];    /* industry */
	char provider[PRINCIPAL_TEXT];  /* provider */
	char unit[PRINCIPAL_TEXT];      /* employer */
	int64_t practitioner_id;        /* practitioner; 0 otherwise */
	char client[PRINCIPAL_CLIENT];  /* "" for the shell */
};

/* "hr", "industry", ..., "title-system", "operator"; "none" for NONE. */
const char *principal_role_name(enum principal_role r);

/* The role a name gives ("hr", ...); PRINCIPAL_NONE if unknown. */
enum principal_role principal_role_parse(const char *name);

/* The principal role of an account's (or token's) role; NONE if none. */
enum principal_role principal_role_of(enum role r);

/*
 * The shell operator acting without an account: role operator, name
 * "cli", org the issuer's name from the config.
 */
void principal_operator(struct principal *p, const char *issuer_org);

/*
 * Fills p from the account named name (store/accounts.h accounts_get:
 * its role, scope and org). HS_ERR_NOTFOUND if there is no such account,
 * HS_ERR_STATE if it is disabled, HS_ERR_INVALID for a malformed name, or
 * a database error. client is copied into p->client (NULL: "").
 */
enum hs_err principal_load_account(sqlite3 *db, const char *name,
    const char *client, struct principal *p, char *err);

/* The audit actor for p (pointing into p: valid while p is). */
void principal_actor(const struct principal *p, struct actor *a);

/*
 * True if region (a record's region, "" if outside every scope) starts
 * with scope, or scope is a 2-digit province code and region is "".
 */
bool principal_region_covers(const char *scope, const char *region);

/*
 * Whether p may see a record with these fields (the scope rule above).
 * subject is "public" or "professional"; NULL strings count as "".
 */
bool principal_sees_record(const struct principal *p, const char *region,
    const char *domain, const char *subject, const char *provider,
    const char *unit);

/*
 * Whether p may stamp, reject or withdraw (验印) a record it sees: hr any
 * record in its scope; industry the professional records of its domain in
 * its region; nobody else.
 */
bool principal_may_stamp(const struct principal *p, const char *region,
    const char *domain, const char *subject, const char *provider,
    const char *unit);

#endif
