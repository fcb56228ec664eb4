/*
 * activation.h - activation codes (service.md §5, way 1): an hr or
 * employer account (or the operator) makes a one-time code for a person
 * in its scope and hands it over on paper (pdf/pdf.h pdf_letters) or
 * through a mail merge; the person redeems it at /my/activate with their
 * ID number and a new password, which creates their practitioner account
 * (or resets its password).
 *
 * A code is 16 characters of Crockford base32 (0-9 A-Z without I L O U):
 * 80 random bits. It is shown grouped, XXXX-XXXX-XXXX-XXXX; input is
 * accepted in any case, with or without '-' and spaces, and O reads as 0,
 * I and L as 1 (act_code_normalise). Only the SHA-256 of the normalised
 * 16 characters is stored. A code lives ACT_TTL seconds; making a new code
 * for a person spends their earlier unused ones.
 *
 * Times are Unix seconds passed in as `now`. Every change appends its
 * audit row in the same transaction; the audit object is the person's
 * account name if they have one, else "practitioner:<id>" (never the ID
 * number). Joins the caller's transaction if there is one (accounts.h).
 *
 * `by` is the account acting (hr or employer), or NULL for the operator
 * at the shell, who may make codes for anyone. Scope: an hr account of
 * region R covers a person whose unit (units table) has a region starting
 * with R or who has a record whose region starts with R (a 2-digit R also
 * covers records with region ''); an employer account of unit U covers a
 * person whose unit is U or who has a record of unit U. Out of scope
 * answers HS_ERR_NOTFOUND, as an unknown person does.
 */
#ifndef HS_STORE_ACTIVATION_H
#define HS_STORE_ACTIVATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cert/idnum.h"
#include "core/hs.h"
#include "store/accounts.h"
#include "store/audit.h"

#define ACT_CODE_LEN    16                /* characters, no dashes */
#define ACT_CODE_SHOWN  19                /* XXXX-XXXX-XXXX-XXXX */
#define ACT_INPUT_MAX   64                /* bytes of a typed code read */
#define ACT_TTL         (30 * 86400)      /* 30 days */
#define ACT_BATCH_MAX   20000             /* people in one batch */

/*
 * Normalises a typed code: drops '-' and ' ', upper-cases, reads O as 0
 * and I, L as 1. HS_ERR_INVALID ("the code has 16 characters 0-9 A-Z")
 * for anything else, a wrong length, or more than ACT_INPUT_MAX bytes.
 */
enum hs_err act_code_normalise(const char *in, char out[ACT_CODE_LEN + 1],
    char *err);

/* The grouped form of a normalised code: "XXXX-XXXX-XXXX-XXXX". */
void act_code_group(const char *code, char out[ACT_CODE_SHOWN + 1]);

/*
 * Whether by (NULL: the operator) may make a code for practitioner id
 * (the scope rule above): HS_OK, HS_ERR_NOTFOUND ("no such person in
 * your scope"), HS_ERR_STATE for an account that may not make codes at
 * all (not hr/employer, disabled, locked), or a database error.
 */
enum hs_err activation_in_scope(sqlite3 *db, const struct account *by,
    int64_t practitioner_id, char *err);

/*
 * Makes a code for practitioner_id: checks the scope, spends the
 * person's earlier unused codes, stores the hash with expires = now +
 * ACT_TTL, audits activation.make. code receives the 16 characters
 * (ungrouped); *expires (may be NULL) the expiry.
 */
enum hs_err activation_make(sqlite3 *db, const struct actor *who,
    const struct account *by, int64_t practitioner_id, int64_t now,
    char code[ACT_CODE_LEN + 1], int64_t *expires, char *err);

/*
 * Checks a typed code against the typed ID number without changing
 * anything (e.g. before asking for a password): HS_OK with *pid the
 * person, HS_ERR_SIGNATURE ("the code does not match that ID number") for
 * a malformed ID number, an unknown code, a code spent by a newer one, or
 * another person's code -- one message for all; HS_ERR_STATE "the code
 * has expired" / "the code has already been used".
 */
enum hs_err activation_check(sqlite3 *db, const char *id_number,
    const char *code, int64_t now, int64_t *pid, char *err);

/*
 * Redeems a code: activation_check, then the password policy
 * (accounts_password_policy for the account that will hold it), then in
 * one transaction creates the person's practitioner account if there is
 * none (name "p<practitioner_id>", org the person's name) or, if there
 * is one, sets its password (clearing a lock, the failures, and ending
 * its sessions), marks the code used, and audits activation.use and
 * account.password (actor: the account; client as given). A disabled
 * account is refused (HS_ERR_STATE). On success *a (may be NULL) is the
 * account, for serve_session_start. HS_ERR_INVALID for a password that
 * breaks the policy (the code stays unused).
 */
enum hs_err activation_redeem(sqlite3 *db, const char *client,
    const char *id_number, const char *code, const char *password,
    int64_t now, struct account *a, char *err);

/* Who a batch is for: exactly one of unit, region, id_numbers. */
struct act_select {
	const char *unit;               /* people of this unit */
	const char *region;             /* people in this region (digits) */
	const char *const *id_numbers;  /* these people (full ID numbers) */
	size_t n_ids;
	bool new_only;                  /* only people without an account */
};

/* One person's letter. */
struct act_letter {
	int64_t practitioner_id;
	char name[257];
	char id_masked[IDNUM_SIZE];
	char unit[257];
	bool has_account;
	char code[ACT_CODE_LEN + 1];
	int64_t expires;
};

/*
 * Makes a fresh code for each selected person in by's scope (in unit,
 * name, id order; a list of ID numbers in its own order), then calls
 * out(ctx, letters, n, err) -- still inside the transaction -- and
 * commits only if it returns HS_OK, so a letter file that could not be
 * written leaves no code behind. A selected unit or
 * region outside by's scope, or an ID number (index i of id_numbers) that
 * is malformed, unknown or out of scope, fails with HS_ERR_NOTFOUND /
 * HS_ERR_INVALID ("id %zu: ...", never the number) before anything is
 * made; so does an empty selection (HS_ERR_NOTFOUND "nobody to write
 * to") and one over ACT_BATCH_MAX people. The letters' codes are
 * cleansed before returning.
 */
enum hs_err activation_batch(sqlite3 *db, const struct actor *who,
    const struct account *by, const struct act_select *sel, int64_t now,
    enum hs_err (*out)(void *ctx, const struct act_letter *l, size_t n,
    char *err), void *ctx, char *err);

#endif
