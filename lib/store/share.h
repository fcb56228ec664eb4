/*
 * share.h - share codes (service.md §5, docs/formats.md "Share codes"):
 * the holder's choice of certificates, shown to anyone with the code at
 * /s/<code> until it expires or the holder withdraws it.
 *
 * Tables share_codes and share_code_certs (schema 4 in store.c, owned by
 * this module). The code itself is never stored: only the SHA-256 of its
 * canonical form (core/crockford.h). Every change appends its audit row
 * in the same transaction (share.add, share.withdraw; object
 * "share:<id>"); counting a view does not.
 */
#ifndef HS_STORE_SHARE_H
#define HS_STORE_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cert/serial.h"
#include "core/crockford.h"
#include "core/hs.h"
#include "store/audit.h"

#define SHARE_MAX_CERTS 20     /* certificates one code may show */
#define SHARE_LABEL_MAX 40     /* characters (code points) of a label */
#define SHARE_MAX_CODES 200    /* codes a holder may have (any state) */

enum share_state { SHARE_ACTIVE, SHARE_EXPIRED, SHARE_WITHDRAWN };

struct share_row {
	int64_t id;
	int64_t practitioner_id;
	char label[SHARE_LABEL_MAX * 4 + 1];
	int64_t created;           /* Unix seconds */
	int64_t expires;
	int64_t withdrawn;         /* 0: not withdrawn */
	int64_t views;
	int64_t last_view;         /* 0: never viewed */
	char serials[SHARE_MAX_CERTS][SERIAL_SIZE]; /* canonical, serial order */
	size_t nserials;
};

/* True if days is a validity the holder may choose: 7, 30, 90 or 180. */
bool share_days_ok(long days);

/* The code's state at now: withdrawn beats expired (expires <= now). */
enum share_state share_state(const struct share_row *r, int64_t now);

/*
 * Makes a code for practitioner_id showing serials[0..n) (1..
 * SHARE_MAX_CERTS, each a certificate of that practitioner in any
 * status; duplicates count once), valid days (share_days_ok) from now,
 * with label (may be NULL or ""; at most SHARE_LABEL_MAX characters,
 * UTF-8, no control characters). Audits share.add by who. On success
 * code is the canonical code (shown once, never stored) and *id (may be
 * NULL) the row's id. HS_ERR_INVALID for bad days, label or count,
 * HS_ERR_NOTFOUND if a serial is not the holder's (one message for
 * missing and another's), HS_ERR_TOOBIG past SHARE_MAX_CODES.
 */
enum hs_err share_add(sqlite3 *db, const struct actor *who,
    int64_t practitioner_id, const char *const *serials, size_t n,
    long days, const char *label, int64_t now,
    char code[CROCKFORD_CODE_LEN + 1], int64_t *id, char *err);

/*
 * Withdraws code id of practitioner_id at now; audits share.withdraw.
 * HS_ERR_NOTFOUND if there is no such code of that holder (another
 * holder's looks the same), HS_ERR_STATE if it was already withdrawn.
 */
enum hs_err share_withdraw(sqlite3 *db, const struct actor *who,
    int64_t practitioner_id, int64_t id, int64_t now, char *err);

/*
 * Calls fn for each code of practitioner_id, newest first (at most
 * SHARE_MAX_CODES); fn returns 0 to go on.
 */
enum hs_err share_list(sqlite3 *db, int64_t practitioner_id,
    int (*fn)(void *ctx, const struct share_row *r), void *ctx, char *err);

/*
 * The code whose canonical form is code (any state: the caller tells
 * expired and withdrawn apart with share_state). HS_ERR_NOTFOUND if none.
 */
enum hs_err share_find(sqlite3 *db, const char *code, struct share_row *r,
    char *err);

/* Counts one view of code id at now (views + 1, last_view = now). */
enum hs_err share_view(sqlite3 *db, int64_t id, int64_t now, char *err);

/* The SHA-256 of a canonical code, as stored. */
void share_hash(const char *code, uint8_t out[32]);

#endif
