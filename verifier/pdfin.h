/*
 * pdfin.h - reading a certificate PDF's attachments (certificate.note and
 * certificate.proof, design §6) with qpdf's C API: the document catalog's
 * /Names /EmbeddedFiles name tree, walked with bounds on depth and size;
 * embedded streams are decoded here (none or /FlateDecode) with a cap on
 * the decoded size, so a compression bomb cannot exhaust memory.
 */
#ifndef HS_PDFIN_H
#define HS_PDFIN_H

#include <stddef.h>

#include "hs.h"

#define PDFIN_ATTACH_MAX (1u << 20) /* decoded bytes per attachment */

struct pdfin {
	char *note;        /* certificate.note, NUL-terminated; NULL if absent */
	size_t note_len;
	char *proof;       /* certificate.proof; NULL if absent */
	size_t proof_len;
	size_t nfiles;     /* embedded files seen */
	int npages;
	int pages_ok;      /* every page's content streams decode */
};

/*
 * Parses pdf[0..len) and extracts the two attachments. HS_ERR_FORMAT if
 * it is not a readable PDF (err says why), HS_ERR_NOTFOUND if it has no
 * certificate.note, HS_ERR_TOOBIG if an attachment is over the cap.
 * On success free with pdfin_free.
 */
enum hs_err pdfin_read(const void *pdf, size_t len, struct pdfin *out,
    char *err);
void pdfin_free(struct pdfin *p); /* accepts NULL */

/* True if data starts like a PDF ("%PDF-" within the first 1024 bytes). */
int pdfin_looks_like_pdf(const void *data, size_t len);

#endif
