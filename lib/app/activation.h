/*
 * activation.h - activation letters as the CLI (`hourseal-issuer
 * activation`) and the console (/admin/activation) make them: codes for
 * the chosen people (store/activation.h activation_batch), then the PDF
 * letters (pdf/pdf.h pdf_letters) and/or the CSV for a mail merge, handed
 * to the caller's sink while the codes' transaction is still open -- a
 * sink that fails (a file that cannot be written) leaves no code behind.
 *
 * The CSV (docs/formats.md "Activation codes"): UTF-8 with a BOM, CRLF
 * line ends, header 姓名,身份证号(脱敏),单位,激活码,激活网址,有效期至;
 * one row per person: name, masked ID number, unit, the grouped code,
 * <public url>/my/activate, the expiry date (Beijing time, YYYY-MM-DD).
 * Every field goes through buf_csv_field with the formula guard.
 */
#ifndef HS_APP_ACTIVATION_H
#define HS_APP_ACTIVATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/hs.h"
#include "core/util.h"
#include "store/accounts.h"
#include "store/activation.h"
#include "store/audit.h"

#define ACT_WANT_PDF 0x1u
#define ACT_WANT_CSV 0x2u

/* What the sink receives (buffers empty when not wanted). */
struct act_files {
	struct buf pdf;
	struct buf csv;
	size_t n;                  /* letters */
};

/* Appends the CSV of letters l[0..n) to out (formats above). */
void act_csv(const struct act_letter *l, size_t n, const char *public_url,
    struct buf *out);

/*
 * The expiry as printed: the Beijing-time (UTC+8) date of the code's
 * last valid second, "YYYY-MM-DD".
 */
void act_expiry_date(int64_t expires, char out[11]);

/*
 * Makes the letters: loads the templates' fonts from templates_dir (when
 * the PDF is wanted; before the write lock), makes a code for each
 * person sel selects in by's scope (by NULL: the operator), renders what
 * want asks for, and calls sink(ctx, files, err) inside the transaction;
 * commits if it returns HS_OK. issuer is printed on the letters (the
 * account's org, or the config's issuer for the operator). public_url:
 * http(s)://host[/path] without a trailing '/'. The buffers are wiped
 * and freed before returning.
 */
enum hs_err act_letters(sqlite3 *db, const struct actor *who,
    const struct account *by, const struct act_select *sel, int64_t now,
    const char *templates_dir, const char *public_url, const char *issuer,
    unsigned want, enum hs_err (*sink)(void *ctx, const struct act_files *f,
    char *err), void *ctx, char *err);

#endif
