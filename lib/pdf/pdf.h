/*
 * pdf.h - certificate PDFs (docs/formats.md §6).
 *
 * A renderer is created once per process: it parses every template in a
 * directory (templates/annual.json, templates/course.json, ...) and opens
 * each TrueType font they name once. pdf_render then lays out one
 * certificate: bilingual title, holder fields, the records table (more
 * pages with the header repeated when it is long), totals and the
 * requirement status, issuer, issue date, serial, a vector QR code of
 * "<base_url>/c/<serial>", a vector seal, and the signed note and receipt
 * embedded as the attached files "certificate.note" and "certificate.proof".
 *
 * Chinese text is complete or the render fails: each document's characters
 * are subset with HarfBuzz from the template's font chain (first font that
 * has a character wins) and embedded as small TrueType subsets with a
 * ToUnicode map, so the text can be copied and searched. A character that
 * no font in the chain has is HS_ERR_FONT naming U+XXXX and the field.
 * Text a template prints on every certificate is subset and compressed
 * once, when the template is loaded.
 *
 * The output depends only on its inputs (no clock, no randomness): the
 * same certificate renders to the same bytes.
 *
 * A renderer is read-only after pdf_renderer_new (HarfBuzz's subsetting
 * accelerator of each font is built on first use under a per-font lock),
 * so pdf_render may be called from several threads at once.
 */
#ifndef HS_PDF_H
#define HS_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert/cert.h"
#include "core/hs.h"
#include "core/util.h"

#define PDF_ATTACH_NOTE  "certificate.note"
#define PDF_ATTACH_PROOF "certificate.proof"

/* Bounds on what pdf_render embeds. */
#define PDF_MAX_ATTACH   (1024 * 1024)   /* note or receipt bytes */
#define PDF_MAX_BASE_URL 512

struct pdf_renderer;

/*
 * Loads every "*.json" file directly in dir (not subdirectories) as a
 * template named after the file ("annual.json" -> "annual") and opens the
 * fonts they name. dir NULL means path_templates() (core/util.h).
 * A template error (bad JSON, unknown field, element off the page, font
 * file missing or without a usable cmap) fails the whole call with
 * HS_ERR_FORMAT / HS_ERR_IO and a message naming the file and the field,
 * e.g. "annual.json: fonts.body[0]: /x/y.ttf: No such file or directory".
 * On success *out is the renderer (caller frees with pdf_renderer_free).
 */
enum hs_err pdf_renderer_new(const char *dir, struct pdf_renderer **out,
    char *err);

/* Frees r. Accepts NULL. */
void pdf_renderer_free(struct pdf_renderer *r);

/* True if r has a template called name ("annual", "course", ...). */
bool pdf_renderer_has_template(const struct pdf_renderer *r,
    const char *name);

/*
 * Renders certificate c with template tmpl (NULL: "annual" or "course"
 * from c->kind) and APPENDS the PDF bytes to out.
 *
 * note / receipt are the exact bytes of the signed certificate note and
 * of its c2sp.org/tlog-proof@v1 receipt; they are embedded unchanged
 * (at most PDF_MAX_ATTACH bytes each; receipt may be NULL/0 to omit it).
 * base_url is the public verifier URL without a trailing slash
 * ("https://verify.example.cn"); the QR code encodes base_url "/c/" serial.
 *
 * Fails with HS_ERR_FONT when a character is in no font of its role's
 * chain ("record 3 title: U+9FA6 (...) is in no font of role body: ..."),
 * HS_ERR_INVALID for text that is not valid UTF-8 or has control
 * characters, HS_ERR_TOOBIG over the bounds, HS_ERR_NOTFOUND for an
 * unknown template. On failure out is left as it was.
 */
enum hs_err pdf_render(struct pdf_renderer *r, const char *tmpl,
    const struct cert *c, const char *note, size_t note_len,
    const char *receipt, size_t receipt_len, const char *base_url,
    struct buf *out, char *err);

/* One activation letter (store/activation.h makes the codes). */
struct pdf_letter {
	const char *name;
	const char *id_masked;  /* never the full ID number */
	const char *unit;       /* "" if none */
	const char *code;       /* 0-9 A-Z, ungrouped (drawn grouped by 4) */
	int64_t expires;        /* Unix seconds */
};

#define PDF_LETTERS_MAX 20000

/*
 * Activation letters (letter.c): appends a PDF with one A4 page per
 * letter l[0..n), in Chinese: the person's name,
 * masked ID number and unit, the code grouped XXXX-XXXX-XXXX-XXXX, its
 * expiry date (Beijing time), the activation URL public_url
 * "/my/activate", a QR code of public_url "/my/activate?code=" code, the
 * steps, and issuer (who hands the letters out). Drawn with the fonts of
 * r's "annual" template. HS_ERR_INVALID for a value that is not
 * printable UTF-8 or a bad public_url, HS_ERR_FONT for a character no
 * font has (naming the letter), HS_ERR_TOOBIG over PDF_LETTERS_MAX letters.
 * On failure out is left as it was. The PDF holds the codes: write it
 * 0600.
 */
enum hs_err pdf_letters(struct pdf_renderer *r, const struct pdf_letter *l,
    size_t n, const char *public_url, const char *issuer, struct buf *out,
    char *err);

#endif
