/*
 * fuzz_upload.c - libFuzzer target for what POST /api/v1/verify and
 * /api/v1/verify/batch do with a body before the database: the multipart
 * parser, the PDF attachment reader (qpdf), and opening the note and
 * receipt found with a fixed trusted key; plus the consistency-proof
 * form read by `check --checkpoint`. Any input must be handled without a
 * crash, a leak or unbounded memory.
 *
 * fuzz-sources: lib/web/mpart.c verifier/pdfin.c verifier/pdftext.c verifier/verify.c
 * fuzz-pkgs: libqpdf zlib
 */
#include <stdlib.h>
#include <string.h>

#include "web/mpart.h"
#include "pdfin.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct verify_keys keys;
static int keys_ready;

/* What the service does with one uploaded file. */
static void
one_file(const char *p, size_t n)
{
	struct pdfin pf;
	struct cert c;
	const char *note = p, *proof = NULL;
	size_t nlen = n, plen = 0;

	memset(&pf, 0, sizeof(pf));
	if (pdfin_looks_like_pdf(p, n)) {
		if (pdfin_read(p, n, &pf, NULL) != HS_OK)
			return;
		note = pf.note;
		nlen = pf.note_len;
		proof = pf.proof;
		plen = pf.proof_len;
	}
	if (verify_cert_note(&keys, note, nlen, &c, NULL, NULL) == HS_OK) {
		if (proof != NULL)
			(void)verify_receipt(&keys, c.serial, note, nlen, proof,
			    plen, NULL, NULL, NULL);
		cert_free(&c);
	}
	pdfin_free(&pf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mpart parts[64];
	struct verify_newer nw;
	size_t n, i;

	if (!keys_ready) {
		verify_keys_init(&keys);
		if (verify_keys_add(&keys, "PeterNeumann+c74f20a3+ARpc2QcUPDhM"
		    "QegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "", NULL, NULL, NULL,
		    NULL) != HS_OK)
			abort();
		keys_ready = 1;
	}
	(void)verify_newer_parse((const char *)data, size, &nw, NULL);
	if (mpart_parse("B", (const char *)data, size, parts, 64, &n, NULL) ==
	    HS_OK) {
		for (i = 0; i < n; i++) {
			if (parts[i].data < (const char *)data ||
			    parts[i].data + parts[i].len >
			    (const char *)data + size)
				abort();
			one_file(parts[i].data, parts[i].len);
		}
		return 0;
	}
	one_file((const char *)data, size);
	return 0;
}
