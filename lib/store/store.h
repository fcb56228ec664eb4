/*
 * store.h - the SQLite store: opening, schema migrations, transactions.
 *
 * Other modules run their own prepared statements on the sqlite3 handle;
 * this module owns the schema (see the migrations in store.c) and the
 * connection settings: WAL, foreign keys, busy timeout.
 */
#ifndef HS_STORE_H
#define HS_STORE_H

#include <stdbool.h>

#include <sqlite3.h>

#include "core/hs.h"

#define STORE_SCHEMA_VERSION 4

enum store_mode {
	STORE_RW,       /* read-write; the database must exist */
	STORE_CREATE,   /* read-write; created and migrated if missing */
	STORE_RO,       /* read-only (the verifier) */
};

/*
 * Opens the database at path and, for RW/CREATE, migrates it to the
 * current schema. On success *db is the caller's; close with store_close.
 * A database with a newer schema than this program knows is refused.
 */
enum hs_err store_open(const char *path, enum store_mode mode, sqlite3 **db,
    char *err);
void store_close(sqlite3 *db); /* accepts NULL */

/* BEGIN IMMEDIATE: takes the write lock now, or HS_ERR_BUSY. */
enum hs_err store_begin(sqlite3 *db, char *err);
enum hs_err store_commit(sqlite3 *db, char *err);
void store_rollback(sqlite3 *db); /* safe to call when no transaction */
/* Joins the caller's transaction, or begins one (store_begin); *own says
 * which. store_leave then commits an own transaction when rc is HS_OK
 * and rolls it back otherwise, and returns rc (or the commit's error);
 * a joined transaction is left to its owner. */
enum hs_err store_join(sqlite3 *db, bool *own, char *err);
enum hs_err store_leave(sqlite3 *db, bool own, enum hs_err rc, char *err);

/* Runs SQL with no results (no user values: those go through binds). */
enum hs_err store_exec(sqlite3 *db, const char *sql, char *err);

/*
 * Maps the connection's last error to HS_ERR_BUSY or HS_ERR_DB and writes
 * "what: sqlite message" into err. Returns the code.
 */
enum hs_err store_err(sqlite3 *db, char *err, const char *what);

/* The schema version recorded in the database, or -1. */
int store_version(sqlite3 *db);

#endif
