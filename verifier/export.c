/*
 * export.c - the batch answer as XLSX (export.h). libxlsxwriter writes
 * only to a file: a private temporary one, read back and removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/file.h"
#include "export.h"

/* An answer has at most BATCH_MAX rows (a few hundred KB of XLSX). */
#define XLSX_MAX ((size_t)32 << 20)

static enum hs_err
write_book(const char *path, const struct render_batch *bt,
    const struct render_ctx *cx, char *err)
{
	char pairs[8][2][RENDER_CELL_MAX];
	char cells[RENDER_COLS][RENDER_CELL_MAX];
	lxw_workbook_options opt = { .constant_memory = LXW_FALSE,
		.tmpdir = NULL };
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold;
	lxw_error le;
	size_t np, i, c;
	lxw_row_t row = 0;

	wb = workbook_new_opt(path, &opt);
	if (wb == NULL)
		return hs_fail(err, HS_ERR_IO, "cannot create the workbook");
	ws = workbook_add_worksheet(wb, "核验结果");
	bold = workbook_add_format(wb);
	if (ws == NULL || bold == NULL) {
		workbook_close(wb);
		return hs_fail(err, HS_ERR_NOMEM, "out of memory");
	}
	format_set_bold(bold);
	np = render_batch_meta(bt, cx, pairs, 8);
	for (i = 0; i < np; i++, row++) {
		worksheet_write_string(ws, row, 0, pairs[i][0], bold);
		worksheet_write_string(ws, row, 1, pairs[i][1], NULL);
	}
	row++;
	for (c = 0; c < RENDER_COLS; c++)
		worksheet_write_string(ws, row, (lxw_col_t)c,
		    render_col_name(c), bold);
	row++;
	for (i = 0; i < bt->n; i++, row++) {
		render_row_cells(&bt->rows[i], i, PAGE_ZH, cells);
		for (c = 0; c < RENDER_COLS; c++)
			if (cells[c][0] != '\0')
				worksheet_write_string(ws, row, (lxw_col_t)c,
				    cells[c], NULL);
	}
	worksheet_set_column(ws, 0, 0, 12, NULL);
	worksheet_set_column(ws, 1, 2, 28, NULL);
	worksheet_set_column(ws, 3, 3, 30, NULL);
	worksheet_set_column(ws, 4, 12, 16, NULL);
	le = workbook_close(wb);
	if (le != LXW_NO_ERROR)
		return hs_fail(err, HS_ERR_IO, "writing the workbook: %s",
		    lxw_strerror(le));
	return HS_OK;
}

enum hs_err
export_xlsx(const struct render_batch *bt, const struct render_ctx *cx,
    struct buf *out, char *err)
{
	const char *td = getenv("TMPDIR");
	char path[512], *data = NULL;
	size_t len = 0;
	enum hs_err rc;
	int fd;

	snprintf(path, sizeof(path), "%s/hourseal-xlsx-XXXXXX",
	    td != NULL && td[0] == '/' && strlen(td) < 400 ? td : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return hs_fail(err, HS_ERR_IO, "cannot make a temporary file");
	close(fd);
	rc = write_book(path, bt, cx, err);
	if (rc == HS_OK)
		rc = file_read(path, XLSX_MAX, &data, &len, err);
	unlink(path);
	if (rc != HS_OK)
		return rc;
	buf_add(out, data, len);
	free(data);
	return out->oom ? hs_fail(err, HS_ERR_NOMEM, "out of memory") : HS_OK;
}
