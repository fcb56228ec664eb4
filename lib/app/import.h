/*
 * import.h - hour records in: CSV or JSON Lines (docs/formats.md §2b), every row
 * validated against the policy, stored in one transaction.
 *
 * Columns (English name / Chinese alias):
 *   id_number 身份证号, name 姓名, unit 工作单位, year 年度,
 *   subject 科目类别, public_type 公需类型, form 学习形式, title 课程名称,
 *   provider 施训机构, start_date 开始日期, end_date 结束日期,
 *   hours 学时, minutes 分钟, author_role 作者排序,
 *   domain 专业技术领域, ref 外部编号, region 地区代码.
 * Columns whose name starts with '#' are ignored (the rejects file that
 * --skip-invalid writes adds "#line" and "#error", so it can be fixed and
 * imported again as it is). In a CSV file or a workbook, other columns
 * the format does not know (序号, 备注) are ignored with one warning;
 * title rows above the header, blank rows and total rows (合计, 总计)
 * are skipped with a warning naming the line; values are taken as
 * spreadsheets write them (surrounding spaces, full-width digits, the
 * dates and labels import_check_row lists). JSON keys stay strict.
 *
 * Every message names the file, the line, the field and the reason:
 *   records.csv:17: id_number: wrong check character (expected 3)
 * and never shows a whole ID number.
 */
#ifndef HS_IMPORT_H
#define HS_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

#include "core/hs.h"
#include "cert/idnum.h"

#define IMPORT_MAX_FIELD 4096                /* bytes in one value */

struct policy;
struct config;
struct actor;

enum import_field {
	IMPORT_ID_NUMBER, IMPORT_NAME, IMPORT_UNIT, IMPORT_YEAR,
	IMPORT_SUBJECT, IMPORT_PUBLIC_TYPE, IMPORT_FORM, IMPORT_TITLE,
	IMPORT_PROVIDER, IMPORT_START_DATE, IMPORT_END_DATE, IMPORT_HOURS,
	IMPORT_MINUTES, IMPORT_AUTHOR_ROLE, IMPORT_DOMAIN, IMPORT_REF,
	IMPORT_REGION, IMPORT_NFIELDS
};

/* The English name of a field ("id_number"). */
const char *import_field_name(enum import_field f);
/*
 * The field a header names (English, any case, or the Chinese alias);
 * -1 if unknown, -2 if it is a '#' column to ignore.
 */
int import_field_parse(const char *header);

enum import_ptype { PTYPE_NONE, PTYPE_COMPULSORY, PTYPE_ELECTIVE };
enum import_role { ROLE_NONE, ROLE_FIRST, ROLE_OTHER };

/* One validated row. */
struct import_record {
	char id_number[IDNUM_SIZE]; /* canonical, uppercase X */
	char name[256];
	char unit[256];             /* may be empty */
	int year;
	bool public;                /* else professional */
	enum import_ptype ptype;
	int form;                   /* 1..9 */
	char title[512];
	char provider[256];
	char start[11], end[11];    /* YYYY-MM-DD */
	long hours10;               /* tenths, > 0 */
	enum import_role role;      /* form 8 only */
	char domain[256];           /* may be empty */
	char ref[129];              /* may be empty */
	char region[16];            /* the unit's region: 2-12 digits, or empty */
	long minutes;               /* as given, or 0 */
	long leftover_minutes;      /* minutes not making a whole hour */
};

/*
 * Validates one row against the policy. f[i] is the text of field i, or
 * NULL / "" when absent. Every value is taken without its surrounding
 * spaces (ASCII, tab, U+3000, U+00A0); number-like and choice fields
 * with full-width digits and letters read as ASCII (７, Ｘ). Dates:
 * 2025-06-10, 2025/6/10, 2025.6.10, 2025-6-10, 2025年6月10日, 20250610,
 * with or without a time after them, or an Excel date number (from
 * 1990). Hours "7", "7.0", "7学时" (not 小时: clock hours are refused);
 * minutes "90" or "90分钟"; year "2025" or "2025年(度)". Forms,
 * subjects and author roles: also every label hourseal shows (网络学习,
 * 公需科目（必修）, ...). An ID number Excel made a number (3.50203E+17)
 * is refused saying so and how to keep the column as text. today is days since 1970-01-01 (dates after it
 * are refused). On success fills r; if minutes were left over, warn (an
 * HS_ERRLEN buffer, may be NULL) says so, else warn is "". On failure
 * returns HS_ERR_INVALID with "field: reason" in err.
 */
enum hs_err import_check_row(const struct policy *pol,
    const char *const f[IMPORT_NFIELDS], long today,
    struct import_record *r, char *warn, char *err);

/* How the input is read (import_buffer; import_file guesses). */
enum import_format {
	IMPORT_AUTO,        /* by the file name's extension, else the text */
	IMPORT_CSV,         /* a header row, then rows (RFC 4180) */
	IMPORT_JSONL,       /* one JSON object a line */
	IMPORT_JSON_ARRAY,  /* one JSON array of objects; "line" is the
	                     * object's 1-based position in the array */
	IMPORT_XLSX,        /* an .xlsx workbook: a sheet read as CSV is,
	                     * "line" the sheet's row number */
};

/* How a message passed to import_options.report is meant. */
enum import_level { IMPORT_ERROR, IMPORT_WARNING, IMPORT_NOTE };

struct import_options {
	const char *path;           /* the input file */
	const char *encoding;       /* NULL or "utf-8"; "gbk"/"gb18030" */
	const char *sheet;          /* an .xlsx's sheet; NULL: the first */
	const char *rejects_path;   /* --skip-invalid FILE, or NULL */
	bool accept_renames;        /* a new name for a known ID is taken */
	long today;                 /* days since epoch */
	size_t max_errors;          /* stop reporting after this many (0: 100) */
	const char *submitted_by;   /* records.submitted_by: account or
	                             * "token:<label>"; NULL for the CLI */
	/* Receives each row's error, warning or note (one line, no "\n"). */
	void (*report)(void *ctx, enum import_level level, const char *msg);
	void *ctx;
	/*
	 * For import_buffer (the API); all zero on the command line.
	 * row_error, if set, receives every rejected row as line, field
	 * (an import_field_name, or "" for the row as a whole) and reason.
	 */
	enum import_format format;
	bool skip_invalid;          /* keep the valid rows, drop the rest */
	const char *provider;       /* every row's provider must be this */
	const struct actor *who;    /* who submits: one record.submit row */
	size_t max_rows;            /* 0: no limit; over it: HS_ERR_TOOBIG */
	void (*row_error)(void *ctx, size_t line, const char *field,
	    const char *reason);
};

struct import_stats {
	size_t rows;            /* data rows read */
	size_t inserted;        /* new records stored */
	size_t duplicates;      /* already stored: nothing to do */
	size_t rejected;        /* rows with an error */
	size_t warnings;
	size_t people_new;      /* practitioners added */
	size_t people_changed;  /* unit (or accepted name) changed */
	size_t auto_stamped;    /* stamped automatically by policy */
	size_t units_new;       /* units given a region */
};

/*
 * Imports o->path into db (which must be open read-write) in one
 * transaction. Without rejects_path nothing is stored if any row fails
 * (HS_ERR_INVALID, err: "records.csv: 2 of 120 rows rejected; nothing
 * imported"). With it the valid rows are stored and the rejected ones
 * are written to rejects_path with their reasons; HS_OK.
 * A file-level problem (encoding, header, I/O) fails with err naming it.
 * cfg gives the pepper for id-digest.
 * A run that stores anything (records, practitioners, a changed unit) is
 * ONE audit row (store/audit.h) in the same transaction, not one per
 * record: action record.submit, object the file's name, detail the
 * counts ("records 120 new, 3 duplicate, 0 rejected"); by o->who, or the
 * operator for cfg->issuer. A run that finds everything already there
 * writes none.
 */
enum hs_err import_file(sqlite3 *db, const struct config *cfg,
    const struct policy *pol, const struct import_options *o,
    struct import_stats *st, char *err);

/*
 * The same import from memory: len bytes at data (data[len] must be
 * '\0', as file_read leaves it), read as o->format
 * (IMPORT_AUTO: JSON Lines if it starts with '{', a JSON array if with
 * '[', else CSV), UTF-8 only; o->path names it in messages ("request").
 * Every row is checked exactly as import_file checks it, plus
 * o->provider. All or nothing unless o->skip_invalid (or a rejects
 * file). With o->who, one audit row "record.submit" (object
 * o->submitted_by or "records", detail the counts) commits with the
 * records. HS_ERR_TOOBIG when there are more than o->max_rows rows
 * (nothing is stored); the other errors as import_file.
 */
enum hs_err import_buffer(sqlite3 *db, const struct config *cfg,
    const struct policy *pol, const struct import_options *o,
    const char *data, size_t len, struct import_stats *st, char *err);

/* One row's fields as read from a file, unchecked. */
struct import_fields {
	char val[IMPORT_NFIELDS][IMPORT_MAX_FIELD + 1];
	const char *f[IMPORT_NFIELDS];  /* NULL where the row has no value */
	size_t line;                    /* its line in the file */
};

/*
 * Reads path (CSV with a header row, or JSON Lines, exactly as
 * import_file reads them; encoding as there) that must hold exactly one
 * data row, into *out (unchecked: pass out->f to import_check_row or
 * record_correct). HS_ERR_INVALID / HS_ERR_FORMAT naming the file and
 * line otherwise. Touches no database.
 */
enum hs_err import_read_one(const char *path, const char *encoding,
    struct import_fields *out, char *err);

#endif
