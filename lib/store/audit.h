/*
 * audit.h - the audit log: every state change and sign-in, one row each,
 * every row's hash covering the row before it (service.md §6).
 *
 * Rows are appended inside the caller's transaction, so a change and its
 * audit row commit together or not at all. The chain:
 *
 *   hash(0) = 32 zero bytes
 *   hash(n) = SHA-256("hourseal/audit/v1\n" || hash(n-1) ||
 *                     for each of seq (decimal), at, actor, role, org,
 *                     action, object, detail, client:
 *                         4-byte big-endian length || the bytes)
 *
 * The head (row count and hash of the last row) is anchored in the ledger
 * with every checkpoint; audit_verify re-hashes the chain.
 */
#ifndef HS_STORE_AUDIT_H
#define HS_STORE_AUDIT_H

#include <stdint.h>

#include <sqlite3.h>

#include "core/hs.h"

/* Who acts: an account, an API token, or the operator at the shell. */
struct actor {
	const char *name;   /* account name, "token:<label>", or "cli" */
	const char *role;   /* hr, industry, provider, employer, auditor,
	                     * practitioner, title-system, or "operator" */
	const char *org;    /* the organisation acted for ("" if none) */
	const char *client; /* client address, "" for the shell */
};

/*
 * Appends one row: action ("record.stamp", "account.add", ...), object
 * (a record ref, serial or account name; never a full ID number) and
 * detail (free text: a reason). Must run inside a write transaction.
 * NULL strings are stored as "". On success *seq (if not NULL) is the new
 * row's number.
 */
enum hs_err audit_append(sqlite3 *db, const struct actor *who,
    const char *action, const char *object, const char *detail,
    int64_t *seq, char *err);

/* The current head: the row count and the last row's hash (zeros if 0). */
enum hs_err audit_head(sqlite3 *db, int64_t *count, uint8_t hash[32],
    char *err);

/*
 * The hash of row seq given the previous row's hash, from the row's
 * fields (for verification).
 */
void audit_row_hash(const uint8_t prev[32], int64_t seq, const char *at,
    const char *actor, const char *role, const char *org, const char *action,
    const char *object, const char *detail, const char *client,
    uint8_t out[32]);

#endif
