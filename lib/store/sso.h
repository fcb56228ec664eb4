/*
 * sso.h - the tables behind the signed hand-off (app/sso.h): the nonces
 * already accepted (sso_nonces) and the practitioner account the hand-off
 * signs in, made on the first hand-off if the person has none; and the
 * account's recent sign-ins its account page shows.
 *
 * The first two run inside the caller's write transaction (app/sso.c
 * takes it), so the nonce, the new account and the audit rows commit
 * together or not at all.
 */
#ifndef HS_STORE_SSO_H
#define HS_STORE_SSO_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/hs.h"
#include "store/accounts.h"
#include "store/audit.h"

/*
 * Records nonce as seen at now: HS_OK if it is new, HS_ERR_EXISTS ("nonce
 * already used") if it was seen before. First forgets rows seen before
 * now - keep: a nonce can only come back while its link is still inside
 * the window, so keep is twice the window (a link with t up to a window
 * ahead of the moment it was first used is valid up to a window after t).
 */
enum hs_err sso_nonce_use(sqlite3 *db, const char *nonce, int64_t now,
    int64_t keep, char *err);

/*
 * The practitioner account of the person whose id_digest is digest
 * (standard base64 as practitioners.id_digest): HS_ERR_NOTFOUND if no
 * person has it. If the person has no account yet, one is made: name
 * "p<practitioner id>" (as activation codes make it), role practitioner,
 * org the person's name, no password (sign-in with a password fails until
 * they set one on /my/account), created_by "sso"; audited account.add by
 * who. *made says whether it was made now.
 */
enum hs_err sso_person_account(sqlite3 *db, const struct actor *who,
    const char *digest, int64_t now, struct account *a, bool *made,
    char *err);

/* One sign-in of an account as the audit log has it. */
struct signin_row {
	char at[32];        /* the audit row's time (RFC 3339, UTC) */
	char action[32];    /* session.signin, session.sso, session.signin_failed */
	char client[129];
};

/*
 * The account's latest sign-ins and failed sign-ins (newest first, at
 * most max), for its own account page. Only the last SIGNIN_SCAN rows of
 * the audit log are read (the log has no index on the object), so a long
 * quiet account may see fewer than it had. Returns the count in *n.
 */
#define SIGNIN_SCAN 20000
enum hs_err signins_recent(sqlite3 *db, const char *account, size_t max,
    struct signin_row *rows, size_t *n, char *err);

#endif
