/*
 * certs.h - the issuer's certificate tables: certificates, cert_records
 * and revocations (schema in store.c).
 *
 * A struct certs is a handle on an open database that keeps its prepared
 * statements, so the batch issuer can insert thousands of rows a second.
 * Inserts run inside the caller's transaction; nothing here begins or
 * commits one.
 */
#ifndef HS_CERTS_H
#define HS_CERTS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/hs.h"
#include "cert/serial.h"

#define CERTS_REASONS "superseded, error, fraud, withdrawn"
#define CERTS_SET_SIZE 45 /* base64 SHA-256 of the record set */

struct certs;

/* One certificate row, with its revocation if it has one. */
struct certs_row {
	char serial[SERIAL_SIZE];
	long long practitioner_id; /* 0 if NULL (published copies) */
	int year;
	char kind[8];              /* annual, course */
	char name[256];
	char id_masked[19];
	char id_digest[45];
	char unit[256];
	long total10;
	char status[8];            /* met, unmet; "" for course */
	char record_set[CERTS_SET_SIZE];
	long long leaf_index;
	char key_label[128];
	char issued[21];
	char pdf_sha256[65];       /* "" until the PDF is written */
	char pdf_file[PATH_MAX];   /* "" until the PDF is written */
	char replaces[SERIAL_SIZE];/* "" if none */
	bool revoked;
	char reason[16];           /* revocation reason, if revoked */
	char revoked_at[21];
	long long revoke_index;
	char replaced_by[SERIAL_SIZE];
	char *note;                /* the signed note; owned by whoever
				      filled the row (see below) */
};

/* What a new certificate row holds (all strings NUL-terminated). */
struct certs_new {
	const char *serial;
	long long practitioner_id;
	int year;
	const char *kind;
	const char *name;
	const char *id_masked;
	const char *id_digest;
	const char *unit;
	long total10;
	const char *status;        /* NULL for course */
	const char *record_set;
	const char *note;
	long long leaf_index;
	const char *key_label;
	const char *issued;
	const char *replaces;      /* NULL if none */
	const char *pdf_sha256;    /* hex, or NULL if not written yet */
	const char *pdf_file;      /* where it was written, or NULL */
	const long long *record_ids;
	size_t nrecord_ids;
};

enum certs_state { CERTS_ANY, CERTS_VALID, CERTS_REVOKED };

/* Which rows an iteration returns; zero/NULL fields match anything. */
struct certs_filter {
	int year;
	long long practitioner_id;
	const char *id_digest;
	const char *kind;
	enum certs_state state;
	bool pdf_missing;          /* only rows whose pdf_sha256 is NULL */
	const char *pdf_dir;       /* only rows whose pdf_file is in this dir */
	bool by_holder;            /* order by practitioner, then ledger index */
};

/* Opens a handle on db (which stays the caller's). Caller frees. */
enum hs_err certs_open(sqlite3 *db, struct certs **c, char *err);
void certs_close(struct certs *c); /* accepts NULL */

/*
 * Inserts a certificate and its cert_records rows. Within the caller's
 * transaction. HS_ERR_EXISTS if the serial or leaf index is taken.
 */
enum hs_err certs_insert(struct certs *c, const struct certs_new *n,
    char *err);

/*
 * Inserts the revocation of serial (the caller has appended its ledger
 * leaf at leaf_index). replaced_by may be NULL. Within the caller's
 * transaction. HS_ERR_NOTFOUND if the serial is unknown, HS_ERR_EXISTS if
 * it is already revoked, HS_ERR_INVALID for an unknown reason.
 */
enum hs_err certs_revoke(struct certs *c, const char *serial,
    const char *reason, const char *note, const char *at,
    long long leaf_index, const char *replaced_by, char *err);

/*
 * Records the SHA-256 (hex) of the certificate's PDF and, if file is not
 * NULL, where it was written (NULL keeps the recorded path).
 */
enum hs_err certs_set_pdf(struct certs *c, const char *serial,
    const char *sha256hex, const char *file, char *err);

/*
 * Loads serial into row (row->note is allocated: certs_row_free).
 * HS_ERR_NOTFOUND if there is no such certificate.
 */
enum hs_err certs_get(struct certs *c, const char *serial,
    struct certs_row *row, char *err);
void certs_row_free(struct certs_row *row); /* frees row->note; accepts NULL */

/*
 * The record a course certificate covers (its one cert_records row) in
 * *record; HS_ERR_NOTFOUND if serial covers none.
 */
enum hs_err certs_course_record(struct certs *c, const char *serial,
    int64_t *record, char *err);

/* A record a certificate covers: records.id and a name for people. */
struct certs_covered {
	int64_t id;
	char ref[129];             /* records.ref, or "#<id>" if it has none */
};

/*
 * The records serial covers (its cert_records rows), ordered by id, with
 * their refs. On success *out is a caller-freed array of *n (NULL if 0);
 * at most max rows (HS_ERR_TOOBIG beyond).
 */
enum hs_err certs_covered(struct certs *c, const char *serial, size_t max,
    struct certs_covered **out, size_t *n, char *err);

/*
 * The latest certificate a practitioner got for year and kind (for kind
 * "course", the latest covering record_id). Copies its serial and
 * record_set out and sets *revoked. Since every new certificate
 * supersedes the valid one, the latest is the valid one if there is one.
 * HS_ERR_NOTFOUND if there is none.
 */
enum hs_err certs_find_latest(struct certs *c, long long practitioner_id,
    int year, const char *kind, long long record_id,
    char serial[SERIAL_SIZE], char record_set[CERTS_SET_SIZE],
    bool *revoked, char *err);

/* True if reason is one of CERTS_REASONS. */
bool certs_reason_valid(const char *reason);

/*
 * Iterates over certificates matching f, in (year, leaf_index) order, or
 * (practitioner_id, leaf_index) order if f->by_holder.
 * certs_iter_next fills row and returns HS_OK, or HS_ERR_NOTFOUND at the
 * end. row->note points into the iterator and stays valid until the next
 * call: do not certs_row_free it.
 */
struct certs_iter;
enum hs_err certs_iter_open(sqlite3 *db, const struct certs_filter *f,
    struct certs_iter **it, char *err);
enum hs_err certs_iter_next(struct certs_iter *it, struct certs_row *row,
    char *err);
void certs_iter_free(struct certs_iter *it); /* accepts NULL */

#endif
