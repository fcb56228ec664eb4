/*
 * xlsx.h - reads one worksheet of an Office Open XML workbook (.xlsx) as
 * rows of text, for the importer (docs/formats.md §2b). Built on libzip
 * and libxml2's streaming reader; nothing of the workbook is trusted:
 *
 *   - at most XLSX_MAX_ENTRIES entries in the archive;
 *   - a part is read only if its declared size is at most
 *     XLSX_MAX_PART and, when over 1 MiB, at most XLSX_MAX_RATIO times
 *     its compressed size; the bytes really inflated are counted as they
 *     come (the declared size may lie) against XLSX_MAX_PART per part
 *     and XLSX_MAX_TOTAL for the whole workbook (the sheet is read twice:
 *     once for its merged cells, once for its rows);
 *   - XML without a DTD (a DOCTYPE is refused, so no entity is ever
 *     defined, let alone expanded), no network (XML_PARSE_NONET),
 *     elements at most XLSX_MAX_DEPTH deep, one text at most
 *     XLSX_MAX_TEXT bytes;
 *   - at most XLSX_MAX_STRINGS shared strings of XLSX_MAX_STRBYTES in
 *     all, XLSX_MAX_MERGES merged ranges, and columns up to max_cols.
 * The parts are streamed: memory stays at the shared strings plus one
 * row, whatever the sheet's size.
 *
 * A cell's text is what a person typed or sees: a shared or inline
 * string as it is (phonetic runs left out), a number written back
 * shortest ("7", "7.5", "3.50203198001011E+17"), a number whose style
 * is a date (built-in formats 14-22, the Chinese built-in date formats
 * 27-36 and 50-58, or a custom format with y or d outside quotes) as
 * YYYY-MM-DD (the 1900 or the 1904 date system as the workbook says),
 * TRUE/FALSE, an error as Excel shows it (#N/A). A merged range's value
 * is given to every cell of the range.
 */
#ifndef HS_XLSX_H
#define HS_XLSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"

#define XLSX_MAX_ENTRIES 10000
#define XLSX_MAX_PART ((uint64_t)256 << 20)   /* inflated bytes, one part */
#define XLSX_MAX_TOTAL ((uint64_t)768 << 20)  /* inflated bytes, in all */
#define XLSX_MAX_RATIO 250
#define XLSX_MAX_DEPTH 64
#define XLSX_MAX_TEXT 32768
#define XLSX_MAX_STRINGS 2000000
#define XLSX_MAX_STRBYTES ((size_t)128 << 20)
#define XLSX_MAX_MERGES 10000

/*
 * Receives one row: its 1-based row number in the sheet and ncells
 * cells (column A first; "" where the sheet has nothing). Returns HS_OK
 * to go on, else an error (in err) that ends the reading.
 */
typedef enum hs_err (*xlsx_row_fn)(void *ctx, uint32_t row, size_t ncells,
    const char *const *cells, char *err);

/*
 * Reads the worksheet named sheet (NULL: the workbook's first) of the
 * workbook in data (len bytes), passing each row that has a cell to fn
 * in order. A value in a column past max_cols fails. HS_ERR_FORMAT (not
 * a workbook, a missing part, bad XML, no such sheet: err says which,
 * and names the sheets when one is missing), HS_ERR_TOOBIG (a bound
 * above), HS_ERR_NOMEM, or fn's error.
 */
enum hs_err xlsx_read(const void *data, size_t len, const char *sheet,
    size_t max_cols, xlsx_row_fn fn, void *ctx, char *err);

/* True if data starts like a zip archive (an .xlsx). */
bool xlsx_is_zip(const void *data, size_t len);

/*
 * An Excel date number as days since 1970-01-01: the 1900 date system
 * (serial 1 is 1900-01-01; serial 60 is Excel's 1900-02-29, which never
 * was, and fails) or with date1904 the 1904 one (serial 0 is
 * 1904-01-01). The fraction (the time of day) is dropped. 0, or -1 for
 * a number that is no date (negative, 60, not finite, past 9999).
 */
int xlsx_serial_days(double serial, bool date1904, long *days);

#endif
