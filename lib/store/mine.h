/*
 * mine.h - what the store holds about one practitioner, read for the
 * holder's own pages (service.md §5, issuer/serve_my.c through
 * app/myview.h): their years, records with the decision that set each
 * record's state, certificates with their status, the changes they are
 * told about (notices) and the whole export (/my/data.json, the PIPL
 * right of access).
 *
 * Every query is bound to practitioners.id = pid: a row of anyone else
 * is never read, and an object of someone else is HS_ERR_NOTFOUND
 * exactly like a missing one. Everything is read-only except
 * mine_notices_seen_set.
 */
#ifndef HS_STORE_MINE_H
#define HS_STORE_MINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cert/serial.h"
#include "core/hs.h"
#include "core/util.h"

#define MINE_MAX_YEARS 64        /* years listed on the home page */
#define MINE_MAX_ROWS 5000       /* rows of one list or export section */

/*
 * The years in which pid has a record or a certificate, newest first, at
 * most max (MINE_MAX_YEARS); *n gets how many.
 */
enum hs_err mine_years(sqlite3 *db, int64_t pid, int *years, size_t max,
    size_t *n, char *err);

/* The records of pid in year still waiting for a stamp: count and hours. */
enum hs_err mine_waiting(sqlite3 *db, int64_t pid, int year, size_t *n,
    long *hours10, char *err);

/* A record with the decision that set its state (none while waiting). */
struct mine_record {
	int64_t id;
	char ref[129];             /* records.ref, or "#<id>" */
	int year;
	char subject[16];          /* public, professional */
	char public_type[16];      /* compulsory, elective, "" */
	int form;
	char title[512];
	char provider[256];        /* the training base that submitted it */
	char submitted_by[264];    /* account or "token:<label>", "" (CLI) */
	char start[11], end[11];
	long hours10;
	char state[12];            /* waiting, stamped, rejected, withdrawn */
	int version;
	char authority[401];       /* the decision's organisation */
	char authority_kind[12];   /* hr, industry, auto */
	char account[264];         /* the account that decided, "" if none */
	char reason[512];          /* rejection / withdrawal reason */
	char at[21];               /* when decided */
};

/*
 * Calls fn for each record of pid (of year, or every year when 0),
 * newest year first, then by start date and id; at most MINE_MAX_ROWS
 * (*more is set when rows were left out). fn returns 0 to go on.
 */
enum hs_err mine_records(sqlite3 *db, int64_t pid, int year,
    int (*fn)(void *ctx, const struct mine_record *r), void *ctx,
    bool *more, char *err);

/* A certificate of the holder. */
struct mine_cert {
	char serial[SERIAL_SIZE];
	int year;
	char kind[8];              /* annual, course */
	long total10;
	char status[8];            /* met, unmet; "" for course */
	char issued[21];
	char replaces[SERIAL_SIZE];
	bool revoked;
	char reason[16];           /* superseded, error, fraud, withdrawn */
	char revoke_note[512];
	char revoked_at[21];
	char replaced_by[SERIAL_SIZE];
	char pdf_file[4096];       /* "" until written */
	char pdf_sha256[65];
	int64_t record_id;         /* a course certificate's record, else 0 */
};

/*
 * Calls fn for each certificate of pid, newest year first, then by
 * issue order; at most MINE_MAX_ROWS (*more as mine_records).
 */
enum hs_err mine_certs(sqlite3 *db, int64_t pid,
    int (*fn)(void *ctx, const struct mine_cert *c), void *ctx,
    bool *more, char *err);

/* The certificate serial if pid holds it; HS_ERR_NOTFOUND otherwise
 * (someone else's and a missing one alike). */
enum hs_err mine_cert_get(sqlite3 *db, int64_t pid, const char *serial,
    struct mine_cert *c, char *err);

/* The record id if pid holds it; HS_ERR_NOTFOUND otherwise. */
enum hs_err mine_record_get(sqlite3 *db, int64_t pid, int64_t id,
    struct mine_record *r, char *err);

/*
 * The latest course certificate covering record id: HS_OK with its
 * serial and, if it is revoked, the reason in reason ("" if valid);
 * HS_ERR_NOTFOUND if there is none.
 */
enum hs_err mine_course_latest(sqlite3 *db, int64_t pid, int64_t record,
    char serial[SERIAL_SIZE], char reason[16], char *err);

/* Something that changed for the holder. */
enum mine_notice_kind {
	MINE_SUPERSEDED,   /* a certificate replaced: object -> other */
	MINE_REVOKED,      /* a certificate revoked: reason */
	MINE_REJECTED,     /* a record rejected (退回): reason, by */
};

struct mine_notice {
	enum mine_notice_kind kind;
	char object[129];          /* serial, or the record's ref / "#<id>" */
	int64_t record_id;         /* MINE_REJECTED */
	char title[512];           /* the record's title */
	char other[SERIAL_SIZE];   /* the replacement (MINE_SUPERSEDED) */
	char reason[512];          /* superseded, error, fraud, withdrawn;
	                            * a rejection's text */
	char note[512];            /* a revocation's note, "" if none */
	char by[401];              /* rejected by (organisation) */
	char provider[256];        /* whom to ask (MINE_REJECTED) */
	char at[21];               /* RFC 3339 */
	int64_t when;              /* the same, Unix seconds */
};

/*
 * Calls fn for the holder's notices newest first (then by kind and
 * object), at most max (1..MINE_MAX_ROWS). A rejection counts while it
 * is the record's newest decision or was followed by a correction (the
 * record was rejected at that time either way): every rejection decision
 * is listed.
 */
enum hs_err mine_notices(sqlite3 *db, int64_t pid, size_t max,
    int (*fn)(void *ctx, const struct mine_notice *nt), void *ctx,
    char *err);

/* When account last read its notices (Unix seconds, 0: never). */
enum hs_err mine_notices_seen(sqlite3 *db, int64_t account, int64_t *seen,
    char *err);
/* Records that account read its notices at now (only a practitioner
 * account; never moves back). */
enum hs_err mine_notices_seen_set(sqlite3 *db, int64_t account, int64_t now,
    char *err);

/*
 * The export (docs/formats.md "The holder's data export"): everything the
 * store holds about pid and its account (account_id, 0 if none), no
 * secret (no password hash, TOTP secret, session or code hash) as one
 * JSON document appended to out. Each list is capped at MINE_MAX_ROWS
 * rows; "truncated" names the lists that were cut. generated is the
 * export's time (RFC 3339).
 */
enum hs_err mine_export(sqlite3 *db, int64_t pid, int64_t account_id,
    const char *generated, struct buf *out, char *err);

#endif
