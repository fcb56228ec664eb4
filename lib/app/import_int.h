/*
 * import_int.h - what the importer's files share (import.c the driver,
 * import_row.c the field rules, import_read.c the input readers). Not
 * part of the importer's contract: that is import.h.
 */
#ifndef HS_IMPORT_INT_H
#define HS_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "app/import.h"
#include "core/hs.h"
#include "core/util.h"

#define IMPORT_MAX_BYTES ((size_t)1 << 30)  /* 1 GiB of input */
#define IMPORT_MAX_COLUMNS 64

struct records_writer;

/* One import_file call. */
struct importer {
	sqlite3 *db;
	const struct config *cfg;
	const struct policy *pol;
	const struct import_options *o;
	struct import_stats *st;
	const char *file;             /* base name, for messages and source */
	char now[21];
	struct records_writer *w;     /* open during the transaction */
	struct buf rejects;
	size_t reported;
	char auto_by[96];
	/* If set, rows go here instead of being checked and stored. */
	enum hs_err (*row_fn)(struct importer *im,
	    const char *const f[IMPORT_NFIELDS], size_t line, char *err);
	void *row_ctx;
};

/* The first Chinese alias of a field ("身份证号"). */
const char *import_field_alias(enum import_field f);

/*
 * Passes one message to im->o->report; errors after the first
 * max_errors are counted in im->reported but not passed on.
 */
void import_report(struct importer *im, enum import_level level,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Counts one more data row: HS_OK, or HS_ERR_TOOBIG (err says the
 * bound) when it is one more than o->max_rows allows.
 */
enum hs_err import_count_row(struct importer *im, char *err);

/*
 * Counts and reports a rejected row (line; rowerr "field: reason" or a
 * reason about the whole row): to o->report as text, to o->row_error as
 * line, field and reason.
 */
void import_rejected(struct importer *im, size_t line, const char *rowerr);

/*
 * Validates and stores one row (fields f, from line). A rejected row is
 * counted and reported, *rejected set and its reason put in rowerr (an
 * HS_ERRLEN buffer). Returns HS_OK unless the import must stop (a
 * database error, in err).
 */
enum hs_err import_do_row(struct importer *im,
    const char *const f[IMPORT_NFIELDS], size_t line, bool *rejected,
    char *rowerr, char *err);

/*
 * Makes in (n bytes of file) UTF-8 without a BOM, converting from
 * encoding (NULL: UTF-8, or a clear error naming what it is). On success
 * *text and *len are the text: in itself, or a new buffer that is also
 * in *owned (caller frees *owned, NULL if none). HS_ERR_FORMAT or
 * HS_ERR_INVALID with the file and line in err.
 */
enum hs_err import_decode(const char *file, char *in, size_t n,
    const char *encoding, char **text, size_t *len, char **owned,
    char *err);

/*
 * Reads text (len bytes of UTF-8) as CSV with a header row, or as JSON
 * Lines, passing each row to import_do_row and adding the rejected ones
 * to im->rejects when there is a rejects file. HS_OK, or the error
 * that ends the import (a file-level problem or a database error).
 */
/*
 * Rows of cells (a CSV file's, a sheet's) read as a table: blank rows
 * and title rows before the header skipped, the header (one row, or two
 * where merged cells left the first blank) mapped to the fields, the
 * columns hourseal does not know named in one warning, blank and total
 * (合计) rows skipped with a warning naming the line, every other row
 * to import_do_row and, rejected, to the rejects (a CSV file with a
 * BOM). strict_count: a row must have as many cells as the header (CSV).
 */
enum table_state { TABLE_SEEK, TABLE_HEADER, TABLE_DATA };
struct table {
	struct importer *im;
	enum table_state state;
	bool strict_count;
	int map[IMPORT_MAX_COLUMNS];         /* field, -1 unknown, -2 none */
	char name[IMPORT_MAX_COLUMNS][128];  /* the header's text */
	size_t ncols;
	size_t header_line, first_line, skipped;
};

/* Spaces (ASCII, tab, U+3000, U+00A0) around s[0..n): the length
 * without them, and in *start how many lead. */
size_t import_trim(const char *s, size_t n, size_t *start);

void table_init(struct table *t, struct importer *im, bool strict_count);
/* One row (line, nf cells). HS_OK, or the error that ends the import. */
enum hs_err table_row(struct table *t, size_t line, size_t nf,
    const char *const *cells, char *err);
/* The end of the rows: fails if there was no header. */
enum hs_err table_end(struct table *t, char *err);

/* Reads the workbook in data (o->sheet, or its first sheet) as a table. */
enum hs_err import_xlsx(struct importer *im, const char *data, size_t len,
    char *err);

enum hs_err import_csv(struct importer *im, const char *text, size_t len,
    char *err);
enum hs_err import_jsonl(struct importer *im, const char *text, size_t len,
    char *err);
/* Reads text as one JSON array of row objects (the API's application/json). */
enum hs_err import_json_array(struct importer *im, const char *text,
    size_t len, char *err);

#endif
