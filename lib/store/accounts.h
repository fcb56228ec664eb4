/*
 * accounts.h - the people and programs that act on the issuer (service.md
 * §1-2): accounts with roles and scopes, one-time invitations, passwords
 * (Argon2id), TOTP enrolment, sign-in with per-account backoff and lock,
 * sessions, and API tokens. The CLI (`hourseal-issuer user|token`) and
 * the HTTP service call these same functions.
 *
 * Secrets: invitation, session and API tokens are 256-bit random values
 * shown once and stored only as their SHA-256; passwords only as
 * libsodium crypto_pwhash_str (Argon2id) strings. Times are Unix seconds
 * passed in as `now`, so tests can move the clock.
 *
 * Every function that changes a row appends its audit row (audit.h) in
 * the same transaction. If the connection is already inside a
 * transaction the function joins it (the caller commits); otherwise it
 * takes the write lock itself (BEGIN IMMEDIATE) and commits.
 *
 * `by` (the account acting) may be NULL: the operator at the issuer's
 * shell, who may do everything. `who` is the audit actor (audit.h).
 *
 * Errors: HS_ERR_INVALID for input that breaks a rule (the message names
 * the field and the rule), HS_ERR_NOTFOUND for no such account/token,
 * HS_ERR_EXISTS for a name or label already taken, HS_ERR_STATE for an
 * action not allowed now (out of scope, expired, used, locked, backoff),
 * HS_ERR_SIGNATURE for a wrong password or code, HS_ERR_DB/BUSY.
 */
#ifndef HS_STORE_ACCOUNTS_H
#define HS_STORE_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/hs.h"
#include "core/totp.h"
#include "store/audit.h"

enum role {
	ROLE_HR,
	ROLE_INDUSTRY,
	ROLE_PROVIDER,
	ROLE_EMPLOYER,
	ROLE_AUDITOR,
	ROLE_PRACTITIONER,
	ROLE_TITLE_SYSTEM, /* API tokens only */
	ROLE_COUNT
};

/* "hr", "industry", ...; "?" for a value out of range. */
const char *role_name(enum role r);
/* Parses a role name; HS_ERR_INVALID naming the roles if unknown. */
enum hs_err role_parse(const char *s, enum role *r, char *err);
/* Staff roles (all but practitioner and title-system) must enrol TOTP. */
bool role_is_staff(enum role r);

/* Bounds: code points (and bytes) of the text fields. */
#define ACCT_NAME_MIN     3
#define ACCT_NAME_MAX     64   /* code points; at most 256 bytes */
#define ACCT_ORG_MAX      100  /* code points; at most 400 bytes */
#define ACCT_LABEL_MAX    64   /* token labels: as account names */
#define ACCT_PW_MIN       10   /* code points */
#define ACCT_PW_MAX_BYTES 256
#define ACCT_CLIENT_MAX   128  /* bytes of a client address kept */

/* A token as shown once: base64url of 32 random bytes, no padding. */
#define ACCT_TOKEN_LEN    43
/* API tokens carry a prefix so they are recognisable in logs and diffs. */
#define ACCT_API_PREFIX   "hst_"
#define ACCT_API_TOKEN_LEN (4 + ACCT_TOKEN_LEN)

#define ACCT_INVITE_TTL   (72 * 3600)  /* invitations: 72 hours */
#define SESSION_IDLE      (30 * 60)    /* sessions end after 30 idle min */
#define SESSION_MAX       (12 * 3600)  /* and 12 hours after sign-in */
#define ACCT_TOUCH_EVERY  60           /* last_seen/last_used granularity */
#define ACCT_BACKOFF_FROM 3            /* failures before the backoff */
#define ACCT_BACKOFF_CAP  (15 * 60)
#define ACCT_LOCK_AFTER   10           /* consecutive failures */

/*
 * What an account or token may see. Which fields apply depends on the
 * role: hr, auditor, title-system: region; industry: region and domain;
 * provider: provider; employer: unit; practitioner: practitioner_id
 * (scope_parse fills id_number, accounts_add resolves it; it is never
 * stored or printed).
 */
struct scope {
	char region[13];     /* 2, 4 or 6 digits */
	char domain[129];
	char provider[256];
	char unit[256];
	int64_t practitioner_id;
	char id_number[19];  /* input only: a practitioner's full ID number */
};

/*
 * Parses the command line's scope string for role (see the issue-13
 * notes): hr/auditor/title-system "35" | "3502" | "350203"; industry
 * "REGION/DOMAIN"; provider the provider's name; employer the unit's
 * name; practitioner the full ID number. HS_ERR_INVALID naming the field.
 */
enum hs_err scope_parse(enum role role, const char *s, struct scope *sc,
    char *err);
/* The scope as scope_parse reads it (practitioner: "practitioner:<id>"). */
void scope_format(enum role role, const struct scope *sc, char *out,
    size_t cap);

/* Name rules: 3-64 code points, valid UTF-8, printable: no space, control,
 * bidi or invisible character, no ':' (reserved for "token:<label>"). */
enum hs_err accounts_check_name(const char *field, const char *name,
    char *err);
/* Org rules: 1-100 code points, valid UTF-8, no control/bidi/invisible. */
enum hs_err accounts_check_org(const char *org, char *err);

struct account {
	int64_t id;
	char name[257];
	enum role role;
	struct scope scope;
	char org[401];
	bool has_password;
	bool totp_enrolled;
	bool must_enrol;     /* staff without TOTP: may only enrol */
	bool locked;
	bool disabled;
	int failures;
	int64_t next_try;
	int64_t created;
	char created_by[257];
};

/* Reads an account by name or id. HS_ERR_NOTFOUND if there is none. */
enum hs_err accounts_get(sqlite3 *db, const char *name, struct account *a,
    char *err);
enum hs_err accounts_get_id(sqlite3 *db, int64_t id, struct account *a,
    char *err);

/*
 * The practitioner account of the person whose full ID number is
 * id_number (as stored: 18 characters, upper-case X). HS_ERR_NOTFOUND
 * ("no account for that ID number") if the person or their account does
 * not exist -- one message for both.
 */
enum hs_err accounts_get_practitioner(sqlite3 *db, const char *id_number,
    struct account *a, char *err);

/*
 * Calls fn for every account in name order (no secrets are read); stops
 * and returns fn's nonzero value as HS_ERR_STATE.
 */
enum hs_err accounts_list(sqlite3 *db,
    int (*fn)(void *ctx, const struct account *a), void *ctx, char *err);

/*
 * Whether `by` may create (or manage) an account or token of role with
 * scope: NULL (the operator) may do anything; an hr of region R may
 * create hr, industry, auditor and title-system scopes whose region
 * starts with R, employer accounts for units whose region (units table)
 * starts with R, practitioner accounts whose unit's region starts with R,
 * and (province level, a 2-digit R, only) provider accounts, whose names
 * have no region. Nobody else creates accounts. HS_OK or HS_ERR_STATE
 * with the reason.
 */
enum hs_err accounts_can_create(sqlite3 *db, const struct account *by,
    enum role role, const struct scope *sc, char *err);

/*
 * Creates an account without a password and its first invitation
 * (ACCT_INVITE_TTL): token receives the one-time token (the invitation
 * URL's last part). Checks name, org, scope (a practitioner's ID number
 * must be in the practitioners table) and accounts_can_create. Audits
 * account.add.
 */
enum hs_err accounts_add(sqlite3 *db, const struct actor *who,
    const struct account *by, const char *name, enum role role,
    const struct scope *sc, const char *org, int64_t now,
    char token[ACCT_TOKEN_LEN + 1], char *err);

/*
 * A new invitation for name: the password is cleared, earlier unused
 * invitations are spent, every session ends, the lock and the failure
 * count are cleared, and TOTP enrolment starts over. Audits
 * account.reset.
 */
enum hs_err accounts_reset(sqlite3 *db, const struct actor *who,
    const struct account *by, const char *name, int64_t now,
    char token[ACCT_TOKEN_LEN + 1], char *err);

/* Disables (ending every session) or re-enables name. Audits
 * account.disable with detail "disabled" or "enabled". */
enum hs_err accounts_set_disabled(sqlite3 *db, const struct actor *who,
    const struct account *by, const char *name, bool disabled, int64_t now,
    char *err);

/* Lifts a lock and the backoff (by: NULL or an hr in scope). Audits
 * account.unlock. */
enum hs_err accounts_unlock(sqlite3 *db, const struct actor *who,
    const struct account *by, const char *name, int64_t now, char *err);

/*
 * The account an invitation token belongs to, if the token is known,
 * unused and not expired: HS_ERR_NOTFOUND (unknown), HS_ERR_STATE
 * ("expired" / "already used") otherwise.
 */
enum hs_err accounts_invitation_check(sqlite3 *db, const char *token,
    int64_t now, struct account *a, char *err);

/*
 * Uses an invitation: checks it as above and the password policy, stores
 * the Argon2id hash, marks the invitation used. Audits account.password
 * (actor: the account). On success *a (if not NULL) is the account.
 */
enum hs_err accounts_invitation_use(sqlite3 *db, const char *token,
    const char *password, const char *client, int64_t now,
    struct account *a, char *err);

/*
 * The password policy for account a: at least ACCT_PW_MIN code points,
 * at most ACCT_PW_MAX_BYTES bytes, valid UTF-8 without control
 * characters, not containing the account name (any case), and for a
 * practitioner not the ID number, its 17 leading digits or its last six
 * characters. HS_ERR_INVALID with the rule.
 */
enum hs_err accounts_password_policy(sqlite3 *db, const struct account *a,
    const char *password, char *err);

/*
 * An account changes its own password (/my/account): old must be its
 * current password (HS_ERR_SIGNATURE "wrong current password" otherwise;
 * it counts as a sign-in failure, with the same backoff and lock) unless
 * the account has none yet (one made by the signed hand-off), when old is
 * ignored. new_pw must pass accounts_password_policy. Stores the new
 * Argon2id hash, ends every session of the account (the caller starts a
 * fresh one for the browser that changed it) and audits account.password
 * (detail "changed" or "set"; actor: the account).
 */
enum hs_err accounts_password_change(sqlite3 *db, int64_t account_id,
    const char *old, const char *new_pw, const char *client, int64_t now,
    char *err);

/*
 * TOTP enrolment: begin stores a fresh secret (not enrolled; an enrolled
 * account is refused: reset first) and returns it as base32 and as an
 * otpauth:// URI (TOTP_URI_MAX bytes). confirm checks a code against it
 * and sets enrolled; audits account.totp.
 */
enum hs_err accounts_totp_begin(sqlite3 *db, int64_t account_id,
    char secret_b32[TOTP_B32_LEN], char *uri, size_t uricap, char *err);
enum hs_err accounts_totp_confirm(sqlite3 *db, const struct actor *who,
    int64_t account_id, const char *code, int64_t now, char *err);
/*
 * Checks a code of an enrolled account and records its step; a step at
 * or below the last one used is refused (HS_ERR_SIGNATURE, "already
 * used"). Joins the caller's transaction if there is one.
 */
enum hs_err accounts_totp_check(sqlite3 *db, int64_t account_id,
    const char *code, int64_t now, char *err);

/*
 * Sign-in. Refuses without checking anything while the account is in
 * its backoff (HS_ERR_STATE, "try again in N s") or locked
 * (HS_ERR_STATE). Otherwise verifies the password (an unknown name is
 * verified against a dummy hash, so it costs the same) and, if TOTP is
 * enrolled, the code. Every failure counts: from the
 * ACCT_BACKOFF_FROM-th on, next_try = now + 2^(failures - 3) s (at most
 * ACCT_BACKOFF_CAP); the ACCT_LOCK_AFTER-th locks the account. Success
 * clears the count. A staff account without TOTP signs in with
 * a->must_enrol set: it may only enrol. Wrong name, password or code all
 * answer HS_ERR_SIGNATURE with one message. Audits session.signin,
 * session.signin_failed (detail: the reason) and session.locked.
 */
enum hs_err accounts_signin(sqlite3 *db, const char *name,
    const char *password, const char *totp_code, const char *client,
    int64_t now, struct account *a, char *err);

/* A signed-in session as sessions_lookup finds it. */
struct session {
	int64_t account_id;
	char csrf[ACCT_TOKEN_LEN + 1];
	int64_t created;
	int64_t last_seen;
	char client[ACCT_CLIENT_MAX + 1];
};

/*
 * Starts a session for account_id: token (shown once, for the cookie)
 * and csrf (the session's form token) are fresh random values.
 */
enum hs_err sessions_create(sqlite3 *db, int64_t account_id,
    const char *client, int64_t now, char token[ACCT_TOKEN_LEN + 1],
    char csrf[ACCT_TOKEN_LEN + 1], char *err);
/*
 * The live session for token and its account: HS_ERR_NOTFOUND if unknown,
 * ended, idle over SESSION_IDLE, older than SESSION_MAX, or its account
 * is disabled or locked. Updates last_seen when ACCT_TOUCH_EVERY seconds
 * have passed since the last update. s and a may be NULL.
 */
enum hs_err sessions_lookup(sqlite3 *db, const char *token, int64_t now,
    struct session *s, struct account *a, char *err);
/* Ends one session (sign-out; audits session.signout). HS_ERR_NOTFOUND
 * if it is not live. */
enum hs_err sessions_end(sqlite3 *db, const char *token, const char *client,
    int64_t now, char *err);
/* Ends every session of an account (reset, disable); *n (may be NULL)
 * receives the count. Joins the caller's transaction if there is one. */
enum hs_err sessions_end_all(sqlite3 *db, int64_t account_id, int64_t now,
    int *n, char *err);

/* An API token's row (no secret). */
struct api_token {
	int64_t id;
	char label[257];
	enum role role;      /* provider, title-system or hr */
	struct scope scope;
	char org[401];
	int64_t created;
	char created_by[257];
	int64_t expires;
	int64_t last_used;   /* 0: never */
	int64_t revoked;     /* 0: live */
};

#define TOKEN_DAYS_DEFAULT 365
#define TOKEN_DAYS_MAX     3650

/*
 * Creates an API token for role (provider, title-system or hr) and scope
 * valid for days (1..TOKEN_DAYS_MAX) days; label (account-name rules)
 * must not name another live token; org "" means the provider's name for
 * a provider token. token receives "hst_" + base64url(32 random bytes),
 * shown once. Checks accounts_can_create for by. Audits token.add.
 */
enum hs_err tokens_add(sqlite3 *db, const struct actor *who,
    const struct account *by, enum role role, const struct scope *sc,
    const char *org, const char *label, int days, int64_t now,
    char token[ACCT_API_TOKEN_LEN + 1], char *err);
/*
 * The live token: one lookup by the unique hash index. HS_ERR_NOTFOUND
 * if unknown, revoked or expired (the same answer for all three).
 * Updates last_used at most once per ACCT_TOUCH_EVERY seconds.
 */
enum hs_err tokens_lookup(sqlite3 *db, const char *token, int64_t now,
    struct api_token *t, char *err);
/* Every token, newest first, without secrets; fn as accounts_list. */
enum hs_err tokens_list(sqlite3 *db,
    int (*fn)(void *ctx, const struct api_token *t), void *ctx, char *err);
/* Revokes the live token labelled label (HS_ERR_NOTFOUND if none); by as
 * accounts_can_create. Audits token.revoke. */
enum hs_err tokens_revoke(sqlite3 *db, const struct actor *who,
    const struct account *by, const char *label, int64_t now, char *err);

#endif
