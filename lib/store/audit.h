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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/hs.h"

struct ledger;

/* Who acts: an account, an API token, or the operator at the shell. */
struct actor {
	const char *name;   /* account name, "token:<label>", or "cli" */
	const char *role;   /* hr, industry, provider, employer, auditor,
	                     * practitioner, title-system, or "operator" */
	const char *org;    /* the organisation acted for ("" if none) */
	const char *client; /* client address, "" for the shell */
};

/*
 * The operator at the shell acting for the issuer org (the config's
 * issuer name): { "cli", "operator", org, "" }. org must outlive the
 * result.
 */
struct actor audit_operator(const char *org);

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

/* The stored hash of row seq. HS_ERR_NOTFOUND if there is no such row. */
enum hs_err audit_hash_at(sqlite3 *db, int64_t seq, uint8_t hash[32],
    char *err);

/* One row as read back; strings are valid only during the callback. */
struct audit_row {
	int64_t seq;
	const char *at, *actor, *role, *org, *action, *object, *detail,
	    *client;
	const uint8_t *hash; /* the stored hash */
	size_t hashlen;      /* 32 unless the row was damaged */
	bool clean;          /* every field is TEXT without a NUL byte */
};

typedef enum hs_err (*audit_row_fn)(void *ctx, const struct audit_row *r,
    char *err);

/*
 * Calls fn for the rows after row since (seq > since), in order, at most
 * limit of them (limit < 0: all). The first non-HS_OK answer of fn stops
 * and is returned.
 */
enum hs_err audit_list(sqlite3 *db, int64_t since, int64_t limit,
    audit_row_fn fn, void *ctx, char *err);

/* What audit_verify found. */
struct audit_check {
	int64_t rows;          /* rows in the table */
	uint64_t anchors;      /* audit leaves compared */
	int64_t anchored;      /* rows the last audit leaf covers (0: none) */
	uint64_t anchor_leaf;  /* that leaf's index */
	int64_t bad_row;       /* the first row that differs (0: none) */
	bool bad_anchored;     /* bad_row is covered by an audit leaf ... */
	uint64_t bad_leaf;     /* ... this one, the first that covers it */
	char why[128];         /* how bad_row differs */
};

/*
 * Re-hashes the audit chain from row 1 and compares it with the stored
 * row hashes and with every audit leaf among the first size leaves of l
 * (a ledger the caller has verified, e.g. with ledger_audit). A row
 * differs if it is missing (rows are numbered 1, 2, ... without gaps), if
 * its fields and the chain before it do not hash to its stored hash, or
 * if the chain up to it does not equal an audit leaf's head for that
 * count. HS_OK if none differs (res tells how far the chain is anchored);
 * HS_ERR_SIGNATURE with res->bad_row the first row that differs and err
 * saying so ("audit row 17 differs from the chain anchored in leaf 52");
 * other errors if the check could not run.
 */
enum hs_err audit_verify(sqlite3 *db, struct ledger *l, uint64_t size,
    struct audit_check *res, char *err);

#endif
