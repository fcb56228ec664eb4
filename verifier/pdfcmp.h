/*
 * pdfcmp.h - does a certificate PDF show what its signed note says?
 *
 * The offline check renders the certificate again from its embedded note
 * and receipt (pdf_render is deterministic) and compares that reference
 * with the file. Identical bytes settle it. When the bytes differ, this
 * module compares the two documents as a PDF reader sees them, to say
 * what differs: the page count, then each page (content streams, every
 * resource — fonts with their embedded programs, XObjects, graphics
 * states —, page boxes, rotation, annotations, inherited attributes), then
 * the document catalog (actions, forms, JavaScript, optional content,
 * portfolios, the attachments) and the document information. Objects are
 * matched by position, not by number, so a file merely re-saved compares
 * equal; streams are compared by their decoded data.
 *
 * Bounded: at most PDFCMP_MAX_VALUES values are compared, and a stream
 * of the file is inflated to at most one byte more than the reference's
 * stream it is compared with, so a compression bomb costs nothing.
 * Only unfiltered and /FlateDecode streams are decoded; any other filter
 * makes the documents "not comparable" (never "the same").
 */
#ifndef HS_PDFCMP_H
#define HS_PDFCMP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/hs.h"

#define PDFCMP_MAX_VALUES 200000      /* PDF values compared per call */
#define PDFCMP_REF_DATA_MAX (64u << 20) /* decoded bytes of the reference */

enum pdfcmp_result {
	PDFCMP_SAME,          /* the documents read the same */
	PDFCMP_DIFFERENT,     /* something a reader shows or runs differs */
	PDFCMP_UNCOMPARABLE,  /* no difference found, but not all compared */
};

struct pdfcmp {
	enum pdfcmp_result result;
	int npages, ref_npages;
	/*
	 * Some embedded font subset of the file has the name of the
	 * reference's at the same place (pdf_render names a subset by the
	 * font's name and its characters) and, decoded, the same program:
	 * the file was made with the verifier's fonts.
	 */
	bool fonts_match;
	/*
	 * Some subset at the same place has the same name but another
	 * program, or each document uses a font (by name, without the subset
	 * tag) the other does not: the file was made with other font files
	 * than the verifier's, or its glyphs were altered.
	 */
	bool font_conflict;
	/*
	 * The file has what pdf_render never writes, whatever the template
	 * or fonts: annotations, actions, forms, JavaScript, optional
	 * content, a portfolio.
	 */
	bool foreign;
	size_t ndiffs;                /* differences found (capped count) */
	char what[HS_ERRLEN];         /* the first difference, or why not
	                                 comparable; "" when the same */
};

/*
 * Compares the PDF file[0..flen) with the reference ref[0..rlen) (the
 * re-render) and fills *out. Returns HS_OK with out->result set, or
 * HS_ERR_NOMEM, or HS_ERR_FORMAT if the reference cannot be read (err
 * says why). A file qpdf cannot read is PDFCMP_UNCOMPARABLE.
 */
enum hs_err pdfcmp_compare(const void *file, size_t flen, const void *ref,
    size_t rlen, struct pdfcmp *out, char *err);

#endif
