/*
 * export.h - a batch answer as an Excel workbook (XLSX, libxlsxwriter):
 * one sheet "核验结果" with the preamble (when, which verifier, which
 * checkpoint, the count per headline), the Chinese headers and one row
 * per item, every cell a string (nothing a spreadsheet would compute).
 */
#ifndef HS_EXPORT_H
#define HS_EXPORT_H

#include "core/hs.h"
#include "render.h"

/* Appends the workbook's bytes to out. HS_ERR_IO or HS_ERR_NOMEM. */
enum hs_err export_xlsx(const struct render_batch *bt,
    const struct render_ctx *cx, struct buf *out, char *err);

#endif
