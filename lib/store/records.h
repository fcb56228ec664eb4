/*
 * records.h - practitioners and their hour records in the store, as the
 * issuance and summary code reads them.
 *
 * Only stamped records (验印: records.state 'stamped', the current
 * decision records.stamp_id points at in the stamps history) count toward
 * certificates and summaries.
 */
#ifndef HS_RECORDS_H
#define HS_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/hs.h"
#include "cert/idnum.h"

struct policy;
struct cert_record;

struct records_person {
	int64_t id;                  /* practitioners.id */
	char id_number[IDNUM_SIZE];  /* full number: issuer side only */
	char id_masked[IDNUM_SIZE];  /* 3501**********123X */
	char id_digest[45];          /* base64 HMAC-SHA-256 with the pepper */
	char name[256];
	char unit[256];              /* may be empty */
};

/*
 * The practitioners that have at least one stamped record in `year`,
 * ordered by practitioners.id. On success *ids is a caller-freed array
 * of *n ids (NULL when *n is 0).
 */
enum hs_err records_holders(sqlite3 *db, int year, int64_t **ids, size_t *n,
    char *err);

/*
 * The practitioners that have any record in `year`, stamped or not,
 * ordered by practitioners.id (for summaries). As records_holders.
 */
enum hs_err records_people(sqlite3 *db, int year, int64_t **ids, size_t *n,
    char *err);

/*
 * A record of a practitioner whose current decision is a rejection (退回,
 * docs/formats.md §2b "Record states"): what it was, why, by whom, when.
 */
struct records_rejected {
	char ref[256];        /* the record's ref, or "#<id>" */
	char title[512];
	char reason[512];
	char authority[256];  /* the organisation that rejected it */
	char at[32];          /* RFC 3339 UTC */
};

#define RECORDS_REJECTED_MAX 1000 /* listed per practitioner and year */

/*
 * The records of one practitioner in `year` that stand rejected, oldest
 * record first, at most RECORDS_REJECTED_MAX (*more set if there are
 * more). *out is allocated (caller frees; NULL when *n is 0).
 */
enum hs_err records_rejected_list(sqlite3 *db, int64_t practitioner,
    int year, struct records_rejected **out, size_t *n, bool *more,
    char *err);

/* How many records of one practitioner in `year` wait for a stamp. */
enum hs_err records_pending_count(sqlite3 *db, int64_t practitioner,
    int year, size_t *n, char *err);

/* One practitioner by practitioners.id; HS_ERR_NOTFOUND if none. */
enum hs_err records_person_get(sqlite3 *db, int64_t id,
    struct records_person *p, char *err);

/*
 * One practitioner by full ID number (validated first: HS_ERR_INVALID
 * with the reason if it is not a GB 11643 number); HS_ERR_NOTFOUND if
 * there is none.
 */
enum hs_err records_person_find(sqlite3 *db, const char *id_number,
    struct records_person *p, char *err);

/*
 * The stamped records of one practitioner for `year`, ordered by start
 * date, end date and record id, as certificate records: subject
 * "public" or "professional" and, when policy_split_public(pol),
 * "public/compulsory" or "public/elective"; form by name (cert.h).
 * On success *recs and *rids (records.id of each) are caller-freed
 * arrays of *n entries (NULL when *n is 0); rids may be NULL if the ids
 * are not wanted.
 */
enum hs_err records_stamped(sqlite3 *db, int64_t practitioner, int year,
    const struct policy *pol, struct cert_record **recs, int64_t **rids,
    size_t *n, char *err);

/*
 * 验印: stamping. The stamps table is an append-only history of
 * decisions ('stamped', 'rejected' with a reason, 'withdrawn'); the
 * record's state and stamp_id follow its newest one. The scoped actions
 * (accounts, regions, domains, audit) are app/stamp.h; the functions
 * here are the unscoped primitives. Industry departments may stamp only
 * professional records; HR may stamp both; 'auto' is the policy's
 * automatic stamp at import.
 */
enum records_authority { RECORDS_HR, RECORDS_INDUSTRY, RECORDS_AUTO };

/* "hr", "industry", "auto". */
const char *records_authority_name(enum records_authority k);

/* A record waiting for its stamp, as `stamp --list` shows it. */
struct records_pending {
	int64_t id;                 /* records.id */
	char ref[129];              /* records.ref, or "#<id>" if it has none */
	char id_masked[IDNUM_SIZE];
	char name[256];
	int year;
	char subject[32];           /* public, public/compulsory, ..., professional */
	int form;                   /* 1..9 */
	char start[11], end[11];
	long hours10;
	char title[512];
	char provider[256];
};

/*
 * Calls fn for every waiting record (of `year`, or of every year
 * if year is 0), ordered by record id. fn returns 0 to go on, nonzero to
 * stop. HS_OK, or a database error.
 */
enum hs_err records_pending_each(sqlite3 *db, int year,
    int (*fn)(void *ctx, const struct records_pending *r), void *ctx,
    char *err);

/*
 * Stamps (reason NULL) or rejects (reason given) the record named by ref:
 * its records.ref, or "#N" / "N" for records.id N when no record has that
 * ref. by names the authority (1-200 bytes, no control characters).
 * HS_ERR_NOTFOUND if there is no such record; HS_ERR_STATE if it is not
 * waiting ("already stamped by X at T") or an industry department
 * tries a public record; HS_ERR_INVALID for a bad by/reason.
 * Runs in its own transaction unless one is open.
 */
enum hs_err records_stamp_ref(sqlite3 *db, const char *ref,
    const char *reason, const char *by, enum records_authority kind,
    char *err);

/*
 * Stamps every waiting record (of `year`, or all if 0) that kind
 * may stamp, in one transaction. *stamped counts the new stamps;
 * *skipped the pending records left alone (public ones for industry).
 */
enum hs_err records_stamp_all(sqlite3 *db, int year, const char *by,
    enum records_authority kind, size_t *stamped, size_t *skipped,
    char *err);

/*
 * Appends one decision for record_id (for its current version) and
 * moves the record's state and stamp_id to it, with no checks beyond the
 * database's; runs inside the caller's transaction. decision: stamped,
 * rejected or withdrawn; account and reason may be NULL. st holds two
 * statements prepared by earlier calls (start with { NULL, NULL };
 * finalize both when done) so that bulk callers reuse them.
 */
enum hs_err records_stamp_insert(sqlite3 *db, sqlite3_stmt *st[2],
    int64_t record_id, const char *decision, const char *by,
    enum records_authority kind, const char *account, const char *reason,
    const char *at, char *err);

/*
 * Writing practitioners and records (the importer). A writer holds the
 * statements a bulk import reuses; it runs inside the caller's
 * transaction and never begins or commits one.
 */
struct records_writer;

/*
 * Prepares a writer on db. On success *out is a writer the caller frees
 * with records_writer_free; else a database error.
 */
enum hs_err records_writer_open(sqlite3 *db, struct records_writer **out,
    char *err);

/* Frees w (NULL is fine) and its statements. */
void records_writer_free(struct records_writer *w);

/*
 * The practitioner with full ID number id_number: HS_OK with *id and the
 * stored name and unit (each a 256-byte buffer), HS_ERR_NOTFOUND if
 * there is none, or a database error.
 */
enum hs_err records_practitioner_lookup(struct records_writer *w,
    const char *id_number, int64_t *id, char name[256], char unit[256],
    char *err);

/* A new practitioner, as the importer has checked it. */
struct records_new_person {
	const char *id_number;       /* full, canonical */
	const char *id_masked;
	const char *id_digest;       /* base64 HMAC-SHA-256 with the pepper */
	const char *name;
	const char *unit;            /* "" if none */
	const char *created;         /* RFC 3339 */
};

/* Inserts p; HS_OK with its practitioners.id in *id, or a database error. */
enum hs_err records_put_practitioner(struct records_writer *w,
    const struct records_new_person *p, int64_t *id, char *err);

/* Sets the name and unit of practitioner id; HS_OK or a database error. */
enum hs_err records_set_practitioner(struct records_writer *w, int64_t id,
    const char *name, const char *unit, char *err);

/* A record as stored: what the importer compares a row with. */
struct records_record {
	int64_t practitioner_id;
	int year;
	char subject[16];            /* "public" or "professional" */
	char public_type[16];        /* "compulsory", "elective" or "" */
	int form;                    /* 1..9 */
	char title[512];
	char provider[256];
	char start[11], end[11];     /* YYYY-MM-DD */
	long long hours10;
	char author_role[16];        /* "first", "other" or "" */
	char source[320];            /* "file:line" it was imported from */
};

/*
 * The record whose ref is ref: HS_OK and *r, HS_ERR_NOTFOUND, or a
 * database error.
 */
enum hs_err records_find_by_ref(struct records_writer *w, const char *ref,
    struct records_record *r, char *err);

/*
 * The record of practitioner with this title, provider and dates; as
 * records_find_by_ref.
 */
enum hs_err records_find_course(struct records_writer *w,
    int64_t practitioner, const char *title, const char *provider,
    const char *start, const char *end, struct records_record *r,
    char *err);

/* A new record, as the importer has checked it. */
struct records_new {
	int64_t practitioner_id;
	int year;
	const char *subject;         /* "public" or "professional" */
	const char *public_type;     /* "" is stored as NULL */
	int form;
	const char *title, *provider;
	const char *start, *end;     /* YYYY-MM-DD */
	long long hours10;
	const char *author_role;     /* "" is stored as NULL */
	const char *domain;          /* "" is stored as NULL */
	const char *ref;             /* "" is stored as NULL */
	const char *source;          /* "file:line" */
	const char *imported;        /* RFC 3339 */
	const char *unit;            /* the record's unit ("" if none); its
	                              * region is the units row's, else "" */
	const char *submitted_by;    /* account or "token:<label>"; NULL/"" for
	                              * the CLI */
	bool stamped;                /* stored stamped, for an automatic stamp:
	                              * records_put_auto_stamp must follow in
	                              * the same transaction */
};

/* Inserts r; HS_OK with its records.id in *id, or a database error. */
enum hs_err records_put(struct records_writer *w, const struct records_new *r,
    int64_t *id, char *err);

/*
 * The automatic stamp (the policy's, at import) of record_id: the stamps
 * row (authority `by`, kind auto, at `at`) and the record's stamp_id and
 * state. Cheapest for a record records_put stored with .stamped set. A
 * database error (the trigger's words) if the record has a decision.
 */
enum hs_err records_put_auto_stamp(struct records_writer *w,
    int64_t record_id, const char *by, const char *at, char *err);

/*
 * The region of unit (16-byte buffer): HS_OK, HS_ERR_NOTFOUND if the
 * unit has none, or a database error.
 */
enum hs_err records_unit_region(struct records_writer *w, const char *unit,
    char region[16], char *err);

/* Adds unit with region (2-12 digits, checked by the caller and the
 * database); HS_OK or a database error. */
enum hs_err records_put_unit(struct records_writer *w, const char *unit,
    const char *region, char *err);

/*
 * Steps st, a statement whose ?1 is a record's ref and ?2 its id, to the
 * record ref names: the record with that ref, else the record with id N
 * when ref is "N" or "#N". HS_OK with st on its row (the caller reads it
 * and finalizes st), HS_ERR_NOTFOUND ("no record with ref R"), or a
 * database error.
 */
enum hs_err records_step_ref(sqlite3 *db, sqlite3_stmt *st, const char *ref,
    char *err);

/*
 * The name people know record id by: its records.ref, or "#<id>" when it
 * has none (out gets "#<id>" on failure too). HS_ERR_NOTFOUND if there
 * is no such record.
 */
enum hs_err records_ref_of(sqlite3 *db, int64_t id, char out[129],
    char *err);

#endif
