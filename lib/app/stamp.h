/*
 * stamp.h - 验印 and corrections as actions: stamp, reject, withdraw,
 * correct, the queue of records in a principal's scope, a record's
 * history, and the unit -> region map. The CLI (issuer/cmd_stamp.c,
 * cmd_unit.c) and the HTTP service call these same functions.
 *
 * Every action that changes something runs in ONE write transaction (its
 * own: call it outside any) together with its audit row(s): record.stamp,
 * record.reject, record.withdraw, record.correct, unit.region; the audit
 * object is the record's ref (or "record:<id>"), never an ID number.
 *
 * Records are named by ref: a records.ref, or "#N" (or "N" when no record
 * has that ref) for records.id N. A record outside the principal's scope
 * (app/principal.h) answers HS_ERR_NOTFOUND exactly as a missing one does,
 * so existence never leaks. A role that may not do the action at all
 * (auditor stamping) answers HS_ERR_STATE before any record is read.
 *
 * Record states (records.state) and what moves them:
 *
 *   waiting --stamp--> stamped --withdraw--> withdrawn
 *   waiting --reject--> rejected --withdraw--> withdrawn
 *   waiting | rejected | withdrawn --correct--> waiting (version + 1)
 *
 * Each decision is a new stamps row (append-only; records.stamp_id points
 * at the current one); each correction keeps the old fields in
 * record_versions. Only records in state 'stamped' count for certificates.
 */
#ifndef HS_APP_STAMP_H
#define HS_APP_STAMP_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "app/import.h"
#include "app/principal.h"
#include "cert/idnum.h"
#include "core/hs.h"

struct policy;

#define STAMP_REASON_MAX 500      /* characters */
#define STAMP_REF_MAX 128         /* bytes */
#define STAMP_BATCH_MAX 10000     /* refs in one stamp/reject call */
#define STAMP_PAGE_MAX 1000       /* rows in one queue page */

/*
 * A reason (reject, withdraw, correct): 1-500 characters of UTF-8 without
 * control, invisible or direction-changing characters, not padded with
 * spaces. HS_OK, or HS_ERR_INVALID with "reason: why" in err.
 */
enum hs_err stamp_reason_check(const char *reason, char *err);

/*
 * Stamps the n records refs[] (1..STAMP_BATCH_MAX) as p: authority =
 * p->org, authority_kind = p's role (hr or industry), account = p->name,
 * at = now (Unix seconds). All or nothing: every record must be in p's
 * stamping scope (else HS_ERR_NOTFOUND "no record with ref R") and
 * waiting (else HS_ERR_STATE "R: already stamped by ORG (account) at T").
 * One audit row record.stamp per record. Roles other than hr and
 * industry get HS_ERR_STATE.
 */
enum hs_err stamp_records(sqlite3 *db, const struct principal *p,
    const char *const *refs, size_t n, int64_t now, char *err);

/*
 * As stamp_records, with the reason (stamp_reason_check) stored in the
 * stamps row and the audit detail: decision 'rejected'.
 */
enum hs_err stamp_reject(sqlite3 *db, const struct principal *p,
    const char *const *refs, size_t n, const char *reason, int64_t now,
    char *err);

/*
 * Takes back the current decision on a stamped or rejected record: a new
 * stamps row 'withdrawn' with the reason, state 'withdrawn'. Scoped like
 * stamping (an industry department withdraws only what it may stamp).
 * HS_ERR_STATE if the record is waiting or already withdrawn.
 */
enum hs_err stamp_withdraw(sqlite3 *db, const struct principal *p,
    const char *ref, const char *reason, int64_t now, char *err);

/*
 * A corrected version of a record. f holds the new row exactly as an
 * import row (import.h: the same fields, the same checks, the same
 * messages "field: reason"); id_number and name must be the record's
 * practitioner's, ref (if given) the record's own; an empty unit keeps
 * the record's unit, and a region column sets an unknown unit's region
 * as import does. The old fields go into record_versions (a JSON object
 * of the formats.md §2b names, without the ID number) with p->name,
 * reason and now; the record is updated in place, version + 1, state
 * 'waiting', stamp_id NULL. Allowed for waiting, rejected and withdrawn
 * records, to hr in scope and to the provider whose record it is
 * (records.provider = p->provider); a stamped record must be withdrawn
 * first (HS_ERR_STATE). today: days since 1970-01-01, as for import.
 */
enum hs_err record_correct(sqlite3 *db, const struct policy *pol,
    const struct principal *p, const char *ref,
    const char *const f[IMPORT_NFIELDS], const char *reason, long today,
    int64_t now, char *err);

/* What the queue shows; NULL / "" / 0 means any. */
struct stamp_filter {
	int year;
	const char *unit;
	const char *provider;
	const char *domain;
	int form;                 /* 1..9 */
	const char *subject;      /* "public" or "professional" */
	const char *state;        /* waiting (NULL/""), stamped, rejected,
	                           * withdrawn, or "any" */
};

/* One record as the queue and the record page show it. */
struct stamp_row {
	int64_t id;                  /* records.id */
	char ref[STAMP_REF_MAX + 1]; /* records.ref, or "#<id>" */
	char id_masked[IDNUM_SIZE];
	char name[256];
	char unit[256];
	char region[16];
	int year;
	char subject[32];            /* public, public/compulsory, ..., professional */
	int form;                    /* 1..9 */
	char start[11], end[11];
	long hours10;
	char title[512];
	char provider[256];
	char domain[256];
	char state[16];              /* waiting, stamped, rejected, withdrawn */
	int version;
	char submitted_by[PRINCIPAL_NAME]; /* "" for the CLI */
	/* The current decision (all "" while waiting after a correction or
	 * before any): */
	char authority[PRINCIPAL_ORG];
	char authority_kind[16];     /* hr, industry, auto */
	char account[PRINCIPAL_NAME];
	char reason[4 * STAMP_REASON_MAX + 1];
	char at[21];
};

/*
 * One page of the records in p's scope matching filt (the queue: state
 * waiting unless filt->state says otherwise), ordered by id, those with
 * id > after only, at most limit (1..STAMP_PAGE_MAX) of them: fn is
 * called for each (returns 0 to go on). *next is the id to pass as after
 * for the next page, or 0 if this was the last. HS_ERR_INVALID for a bad
 * filter or limit (err names it).
 */
enum hs_err stamp_queue(sqlite3 *db, const struct principal *p,
    const struct stamp_filter *filt, int64_t after, int limit,
    int (*fn)(void *ctx, const struct stamp_row *r), void *ctx,
    int64_t *next, char *err);

/*
 * Stamps, as stamp_records, every waiting record in p's scope matching
 * filt (its state is ignored), in one transaction; *stamped counts them.
 */
enum hs_err stamp_all(sqlite3 *db, const struct principal *p,
    const struct stamp_filter *filt, int64_t now, size_t *stamped,
    char *err);

/* One record in p's scope; HS_ERR_NOTFOUND if none (or out of scope). */
enum hs_err stamp_get(sqlite3 *db, const struct principal *p,
    const char *ref, struct stamp_row *r, char *err);

/* One event in a record's history. */
struct stamp_event {
	int version;                 /* the record version it concerns */
	const char *what;            /* stamped, rejected, withdrawn, corrected */
	const char *authority;       /* organisation ("" for corrected) */
	const char *authority_kind;  /* hr, industry, auto ("" for corrected) */
	const char *account;         /* who ("" if unknown: before schema 2) */
	const char *reason;          /* "" if none */
	const char *at;              /* RFC 3339 */
	const char *fields;          /* corrected: the old version's JSON; else "" */
};

/*
 * Every decision and every earlier version of the record, oldest first
 * (a version's "corrected" event comes where it was replaced). fn gets
 * strings valid during the call. Scoped as stamp_get.
 */
enum hs_err stamp_history(sqlite3 *db, const struct principal *p,
    const char *ref, int (*fn)(void *ctx, const struct stamp_event *e),
    void *ctx, char *err);

/*
 * Units and their regions. unit_set_region sets (or changes) the region
 * of unit (an existing unit, or one named on records), updates
 * records.region of that unit's records and audits unit.region (detail
 * "OLD -> NEW"); *changed counts the records updated. Only hr whose scope
 * covers the new region (and the old, if any) and the operator may;
 * region: 2-12 digits.
 */
enum hs_err unit_set_region(sqlite3 *db, const struct principal *p,
    const char *unit, const char *region, size_t *changed, char *err);

/* Calls fn for every unit with its region and record count, by name. */
enum hs_err unit_each(sqlite3 *db, int (*fn)(void *ctx, const char *unit,
    const char *region, int64_t records), void *ctx, char *err);

#endif
