/*
 * import_xlsx.c - this module reads an .xlsx workbook for the importer:
 * the sheet (core/xlsx.h: bounded, streamed) goes row by row into the
 * same table reader as a CSV file (import_read.c), with the sheet's row
 * numbers as the lines every message names.
 */
#include <stdio.h>
#include <string.h>

#include "app/import.h"
#include "app/import_int.h"
#include "core/xlsx.h"

/* One sheet row to the table; a cell too long for a field ends it. */
static enum hs_err
xlsx_row(void *ctx, uint32_t row, size_t ncells, const char *const *cells,
    char *err)
{
	struct table *t = ctx;
	size_t i;

	for (i = 0; i < ncells; i++)
		if (strlen(cells[i]) > IMPORT_MAX_FIELD)
			return hs_fail(err, HS_ERR_TOOBIG, "%s:%u: the cell in "
			    "column %zu is longer than %d bytes", t->im->file,
			    row, i + 1, IMPORT_MAX_FIELD);
	return table_row(t, row, ncells, cells, err);
}

enum hs_err
import_xlsx(struct importer *im, const char *data, size_t len, char *err)
{
	struct table t;
	enum hs_err rc;

	table_init(&t, im, false);
	err[0] = '\0';
	rc = xlsx_read(data, len, im->o->sheet, IMPORT_MAX_COLUMNS, xlsx_row,
	    &t, err);
	if (rc != HS_OK) {
		/* The reader's own messages do not name the file. */
		if (strncmp(err, im->file, strlen(im->file)) != 0 ||
		    err[strlen(im->file)] != ':')
			hs_errprefix(err, "%s", im->file);
		return rc;
	}
	return table_end(&t, err);
}
