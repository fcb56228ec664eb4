/*
 * certview.h - the certificates a console account sees (issue 13): a
 * page of them in scope, paged by ledger index, with the year and status
 * filters of /admin/certs, and one of them by serial. The scope is the
 * caller's (app/principal.h decides it): a certificate is in a region
 * scope when its holder has a record whose region starts with it (or
 * region '' with blank_ok), in a unit scope when its holder has a record
 * of that unit -- the same rule as store/lookup.h.
 */
#ifndef HS_STORE_CERTVIEW_H
#define HS_STORE_CERTVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cert/idnum.h"
#include "cert/serial.h"
#include "core/hs.h"

struct certview_filter {
	const char *region;   /* region scope (digits, "" for all), or NULL */
	bool blank_ok;        /* with region: also holders with region '' */
	const char *unit;     /* unit scope, or NULL */
	const char *serial;   /* only this certificate, or NULL */
	int year;             /* 0: any */
	const char *state;    /* "valid", "revoked", or NULL for any */
	int64_t after;        /* leaf_index greater than this */
	size_t limit;         /* 1..1000 */
};

struct certview_row {
	char serial[SERIAL_SIZE];
	int64_t practitioner_id;
	int year;
	char kind[8];
	char name[256];
	char id_masked[IDNUM_SIZE];
	char unit[256];
	long total10;
	char status[8];        /* met, unmet, "" for course */
	char issued[21];
	int64_t leaf_index;
	char replaces[SERIAL_SIZE];
	bool revoked;
	char reason[16];
	char revoked_at[21];
	char replaced_by[SERIAL_SIZE];
};

/*
 * Calls fn for each certificate matching f in leaf_index order (at most
 * f->limit); *more is set when rows follow. fn returns 0 to go on.
 * HS_ERR_INVALID if neither or both of region and unit are given.
 */
enum hs_err certview_page(sqlite3 *db, const struct certview_filter *f,
    int (*fn)(void *ctx, const struct certview_row *r), void *ctx,
    int *more, char *err);

/* The certificate serial in f's scope (f's other filters ignored), or
 * HS_ERR_NOTFOUND: out of scope and missing look the same. */
enum hs_err certview_get(sqlite3 *db, const struct certview_filter *f,
    const char *serial, struct certview_row *out, char *err);

/* A record a certificate covers, with who stamped it. */
struct certview_record {
	int64_t id;
	char ref[129];          /* records.ref, or "#<id>" */
	char title[512];
	long hours10;
	char state[12];         /* the record's state now */
	char authority[401];    /* the latest 'stamped' decision: organisation */
	char account[264];      /* its account ("" before schema 2, auto) */
	char kind[12];          /* hr, industry, auto */
	char at[21];
};

/*
 * Calls fn for each record serial covers (cert_records), in records.id
 * order, at most max (HS_ERR_TOOBIG beyond). Call it only for a serial
 * certview_get found in scope.
 */
enum hs_err certview_records(sqlite3 *db, const char *serial, size_t max,
    int (*fn)(void *ctx, const struct certview_record *r), void *ctx,
    char *err);

/* One member of a unit's staff. */
struct certview_person {
	int64_t id;              /* practitioners.id */
	char name[256];
	char id_masked[IDNUM_SIZE];
};

/*
 * The practitioners with at least one record of unit (records.unit,
 * exactly), and, when region is not NULL, whose record of that unit lies
 * in region (a prefix; '' too with blank_ok), in practitioners.id order
 * after after, at most limit (1..1000); *more when more follow.
 */
enum hs_err certview_staff(sqlite3 *db, const char *unit,
    const char *region, bool blank_ok, int64_t after, size_t limit,
    int (*fn)(void *ctx, const struct certview_person *p), void *ctx,
    int *more, char *err);

/*
 * The practitioners in a region scope (as certview_staff's) whose name is
 * q, or whose masked ID number is q or ends with q (4 or more
 * characters: "002X"), at most limit (1..100), in id order: the
 * console's search before issuing, which never puts a full ID number in
 * a URL.
 */
enum hs_err certview_find(sqlite3 *db, const char *region, bool blank_ok,
    const char *q, size_t limit,
    int (*fn)(void *ctx, const struct certview_person *p), void *ctx,
    char *err);

/*
 * The full ID number of practitioner id if it has a record in the region
 * scope, for issue_opts.id_number (wipe it after): HS_ERR_NOTFOUND
 * otherwise.
 */
enum hs_err certview_id_number(sqlite3 *db, int64_t id, const char *region,
    bool blank_ok, char out[IDNUM_SIZE], char *err);

#endif
