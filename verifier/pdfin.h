/*
 * pdfin.h - reading a certificate PDF's attachments (certificate.note and
 * certificate.proof, docs/formats.md §6) with qpdf's C API: the document catalog's
 * /Names /EmbeddedFiles name tree, walked with bounds on depth and size.
 *
 * qpdf never decodes a stream here: xref streams are ignored (so object
 * streams are never unpacked), and every stream we look at (page content,
 * the two attachments) is taken raw and inflated here, streaming, under a
 * budget of decoded bytes shared by every stream of one request. A
 * compression bomb ends as "decoded content exceeds N MB", not as memory.
 */
#ifndef HS_PDFIN_H
#define HS_PDFIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hs.h"
#include "core/util.h"

#define PDFIN_ATTACH_MAX (1u << 20)    /* decoded bytes per attachment */
#define PDFIN_DECODE_MAX (16u << 20)   /* decoded bytes per PDF file */
/*
 * Decoded bytes per scanned PDF (pdfin_images, and the QR reading of its
 * images): a 300 dpi A4 colour page inflates to 26 MB (35 MB with its
 * gray copy), two pages at 150 dpi to 18 MB. An image is inflated whole,
 * so this also bounds the memory one upload holds.
 */
#define PDFIN_SCAN_DECODE_MAX (48u << 20)
#define PDFIN_FILTERS_MAX 4            /* chained /FlateDecode filters */

/*
 * A decoding budget: bytes taken out of streams (raw, and the output of
 * every decoding step) that one request may still spend. One budget is
 * shared by every stream of a file, and can be shared by every file of a
 * request (a batch).
 */
struct pdfin_budget {
	uint64_t limit;  /* bytes allowed in all */
	uint64_t used;   /* bytes spent so far */
};

void pdfin_budget_init(struct pdfin_budget *b, uint64_t limit);

struct pdfin {
	char *note;        /* certificate.note, NUL-terminated; NULL if absent */
	size_t note_len;
	char *proof;       /* certificate.proof; NULL if absent */
	size_t proof_len;
	size_t nfiles;     /* embedded files seen */
	int npages;
	int pages_ok;      /* every page's content streams decode */
	uint64_t decoded;  /* bytes this file spent of the budget (set on
	                    * failure too) */
};

/*
 * Parses pdf[0..len) and extracts the two attachments. HS_ERR_FORMAT if
 * it is not a readable PDF (err says why), HS_ERR_NOTFOUND if it has no
 * certificate.note, HS_ERR_TOOBIG if an attachment is over its cap or
 * the decoded content exceeds the budget ("decoded content exceeds N MB").
 * pdfin_read spends a budget of PDFIN_DECODE_MAX of its own;
 * pdfin_read_budget spends at most PDFIN_DECODE_MAX of *shared as well
 * (shared may be NULL). On success free with pdfin_free.
 */
enum hs_err pdfin_read(const void *pdf, size_t len, struct pdfin *out,
    char *err);
enum hs_err pdfin_read_budget(const void *pdf, size_t len,
    struct pdfin_budget *shared, struct pdfin *out, char *err);
void pdfin_free(struct pdfin *p); /* accepts NULL */

/*
 * The text the pages show (pdftext.h), pages ending in '\f'. complete is
 * false when some of it could not be read (a font without a Unicode map,
 * a form XObject, a stream that does not decode). A file saved with
 * cross-reference or object streams is read too, when every compressed
 * stream in it fits the budget (qpdf decodes those itself).
 */
struct pdfin_text {
	struct buf text;
	struct buf ops;    /* the drawing operations (pdftext_page; oom:
	                    * too many to compare) */
	int npages;
	bool complete;
	uint64_t decoded;  /* bytes spent of the budget */
};

/*
 * Reads the text of pdf[0..len) under a budget as pdfin_read_budget.
 * HS_OK with *out (free with pdfin_text_free), HS_ERR_FORMAT if it is not
 * a readable PDF, HS_ERR_TOOBIG over the budget, HS_ERR_NOMEM.
 */
enum hs_err pdfin_text(const void *pdf, size_t len,
    struct pdfin_budget *shared, struct pdfin_text *out, char *err);
void pdfin_text_free(struct pdfin_text *t); /* accepts NULL */

#define PDFIN_IMAGE_PIXELS_MAX (40u * 1000 * 1000) /* per image */
#define PDFIN_IMAGES_MAX 32                        /* looked at per file */

/* An image XObject of a page, as pdfin_images hands it over. */
struct pdfin_image {
	int page;                   /* 1-based */
	int width, height;
	int ncomp;                  /* 1 (gray) or 3 (RGB); DCT: from the
	                             * dictionary, the JPEG decides */
	bool dct;                   /* data is a JPEG file (/DCTDecode) */
	const unsigned char *data;  /* DCT: the JPEG; else width * height *
	                             * ncomp bytes, 8 bits each */
	size_t len;
};

/*
 * Calls fn for the image XObjects of the pages (at most PDFIN_IMAGES_MAX,
 * each at most PDFIN_IMAGE_PIXELS_MAX pixels): /DCTDecode ones as their
 * JPEG bytes, /FlateDecode ones (with or without PNG predictors) of 8-bit
 * gray or RGB as pixels; others are skipped. Every byte taken out counts
 * against the budget. fn returns nonzero to stop. HS_OK (also when it
 * stopped), HS_ERR_FORMAT if the file cannot be read, HS_ERR_TOOBIG over
 * the budget, HS_ERR_NOMEM. *seen counts the images handed over.
 */
typedef int (*pdfin_image_fn)(void *ctx, const struct pdfin_image *img);
enum hs_err pdfin_images(const void *pdf, size_t len,
    struct pdfin_budget *shared, pdfin_image_fn fn, void *ctx, int *seen,
    char *err);

/* True if data starts like a PDF ("%PDF-" within the first 1024 bytes). */
int pdfin_looks_like_pdf(const void *data, size_t len);

#endif
