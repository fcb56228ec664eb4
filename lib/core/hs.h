/*
 * hs.h - errors shared by every hourseal module.
 *
 * Library code never exits: it returns an enum hs_err and, where a person
 * needs the detail, writes one line into a caller-supplied message buffer
 * of HS_ERRLEN bytes (which may be NULL).
 */
#ifndef HS_H
#define HS_H

#include <stddef.h>
#include <stdint.h>

#define HS_ERRLEN 512

enum hs_err {
	HS_OK = 0,
	HS_ERR_NOMEM,     /* out of memory */
	HS_ERR_IO,        /* a file or socket operation failed */
	HS_ERR_INVALID,   /* bad input: a record, a flag, a request */
	HS_ERR_FORMAT,    /* malformed encoding: note, receipt, PDF, JSON */
	HS_ERR_SIGNATURE, /* a signature or proof did not verify */
	HS_ERR_NOTFOUND,  /* no such serial, key, record */
	HS_ERR_EXISTS,    /* already there: key file, revocation, data dir */
	HS_ERR_DB,        /* SQLite failed */
	HS_ERR_BUSY,      /* the database is locked by another writer */
	HS_ERR_CRYPTO,    /* OpenSSL failed */
	HS_ERR_STATE,     /* operation not allowed now (retired key, ...) */
	HS_ERR_TOOBIG,    /* input over a bound */
	HS_ERR_FONT,      /* a character no configured font has */
};

/* Returns a static, human-readable name for err. Never NULL. */
const char *hs_strerror(enum hs_err err);

/*
 * Formats a message into err (HS_ERRLEN bytes) if err is not NULL and
 * returns code, so callers can write `return hs_fail(err, HS_ERR_X, ...)`.
 */
enum hs_err hs_fail(char *err, enum hs_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Prefixes the message already in err with "prefix: " (used to add a
 * file name or line number as an error travels up). Truncates safely.
 */
void hs_errprefix(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
