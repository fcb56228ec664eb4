/*
 * fuzz_pdfin.c - libFuzzer target for the bounded PDF reader (pdfin.h):
 * any input, read (if small) alone and twice against one shared budget
 * (as a batch does), must be handled without a crash or a leak, and the
 * budgets must hold: a file never spends more than PDFIN_DECODE_MAX (plus
 * one decoding step), the shared budget never more than its limit (plus
 * one step), and attachments stay within their cap.
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

static void
one(const uint8_t *data, size_t size, struct pdfin_budget *b)
{
	struct pdfin pf;
	char err[HS_ERRLEN];
	enum hs_err rc;

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
	if (shared.used > shared.limit + 2 * (size + STEP))
		abort();
	return 0;
}
