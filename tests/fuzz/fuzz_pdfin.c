/*
 * fuzz_pdfin.c - libFuzzer target for the bounded PDF reader (pdfin.h):
 * any input, read (if small) alone and twice against one shared budget
 * (as a batch does), must be handled without a crash or a leak, and the
 * budgets must hold: a file never spends more than PDFIN_DECODE_MAX (plus
 * one decoding step), the shared budget never more than its limit (plus
 * one step), and attachments stay within their cap. The page text and
 * the image reader (issue 15) run on it too, within the same bounds.
 *
 * fuzz-sources: verifier/pdfin.c verifier/pdftext.c
 * fuzz-pkgs: libqpdf zlib
 */
#include <stdlib.h>
#include <string.h>

#include "pdfin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One decoding step's output (pdfin.c's DEC_CHUNK), raw bytes aside. */
#define STEP (32u * 1024)

/* An image handed over: well-formed, counted. */
static int
image(void *ctx, const struct pdfin_image *img)
{
	if (img->width <= 0 || img->height <= 0 || img->data == NULL ||
	    (!img->dct && img->len != (size_t)img->width * img->height *
	    img->ncomp))
		abort();
	(*(int *)ctx)++;
	return 0;
}

static void
one(const uint8_t *data, size_t size, struct pdfin_budget *b)
{
	struct pdfin pf;
	struct pdfin_text t;
	char err[HS_ERRLEN];
	enum hs_err rc;
	int n = 0, seen = 0;

	rc = pdfin_read_budget(data, size, b, &pf, err);
	if (pf.decoded > PDFIN_DECODE_MAX + size + STEP)
		abort();
	if (rc == HS_OK) {
		if (pf.note == NULL || pf.note_len > PDFIN_ATTACH_MAX ||
		    pf.note[pf.note_len] != '\0')
			abort();
		if (pf.proof != NULL && pf.proof_len > PDFIN_ATTACH_MAX)
			abort();
	} else if (pf.note != NULL || pf.proof != NULL) {
		abort(); /* freed on failure */
	}
	pdfin_free(&pf);
	/* The page text and the images (issue 15), under the same rules. */
	if (pdfin_text(data, size, b, &t, err) == HS_OK &&
	    (t.text.len > 2 * PDFIN_DECODE_MAX || t.npages <= 0))
		abort();
	if (t.decoded > PDFIN_DECODE_MAX + size + STEP)
		abort();
	pdfin_text_free(&t);
	(void)pdfin_images(data, size, b, image, &n, &seen, err);
	if (seen > PDFIN_IMAGES_MAX || seen != n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pdfin_budget shared;

	/* Small inputs alone too; a bomb alone costs 16 MB of inflating,
	 * which would slow the search to a crawl. */
	if (size < 512)
		one(data, size, NULL);
	/* A small shared budget, so that running out is exercised too. */
	pdfin_budget_init(&shared, 64 * 1024);
	one(data, size, &shared);
	one(data, size, &shared);
	/* Each of the three readers of each call stops at the first step
	 * over the limit. */
	if (shared.used > shared.limit + 6 * (size + STEP))
		abort();
	return 0;
}
