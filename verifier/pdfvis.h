/*
 * pdfvis.h - does a certificate PDF that is not the issued file show what
 * its signed note says? The reference is the certificate rendered again
 * from the note (deterministic); the file's visible text is compared with
 * the reference's (pdfin_text), and its drawing with the reference's.
 *
 *   EDITED      the pages show other text than the reference (or another
 *               number of pages): differs names the first difference as
 *               the page shows it and as signed.
 *   RESAVED     the same text, the same drawing operations (white space
 *               aside), and pdfcmp finds nothing else different (fonts
 *               and their programs, resources, boxes, annotations,
 *               actions, attachments): saved again by another program,
 *               showing exactly what was signed.
 *   UNREADABLE  neither could be shown: some text cannot be read, or the
 *               text is the same but the drawing is not (why says which).
 */
#ifndef HS_PDFVIS_H
#define HS_PDFVIS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/hs.h"
#include "pdfcmp.h"
#include "pdfin.h"

enum pdfvis_result { PDFVIS_UNREADABLE, PDFVIS_EDITED, PDFVIS_RESAVED };

struct pdfvis {
	enum pdfvis_result result;
	char differs[256];       /* EDITED, in Chinese */
	char why[HS_ERRLEN];     /* UNREADABLE, in Chinese */
	bool have_cmp;           /* cmp holds pdfcmp_compare's answer (run
	                          * once the file's text could be read) */
	struct pdfcmp cmp;
};

/*
 * Compares file[0..flen) with the reference ref[0..rlen); the file's
 * decoding spends budget (may be NULL: its own). HS_OK with *out, or
 * HS_ERR_NOMEM.
 */
enum hs_err pdfvis_compare(const void *file, size_t flen, const void *ref,
    size_t rlen, struct pdfin_budget *budget, struct pdfvis *out,
    char *err);

#endif
