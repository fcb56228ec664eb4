/*
 * fuzz_pdfcmp.c - libFuzzer target for pdfcmp_compare, what `check` does
 * with a PDF whose bytes are not the re-render: the input is the file, a
 * genuine certificate (tests/data/oldcert) the reference. Any input must
 * be handled without a crash, a leak or unbounded memory, and a result
 * says why exactly when it is not "the same".
 *
 * fuzz-sources: verifier/pdfcmp.c verifier/pdftext.c
 * fuzz-pkgs: libqpdf zlib
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdfcmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REF_PDF "/../data/oldcert/2024-F0KZ-T1Q5-MYH1-2T7M.pdf"

static char *ref;
static size_t ref_len;

/* The reference, found beside this source file. */
static void
load_ref(void)
{
	char path[4096];
	const char *slash = strrchr(__FILE__, '/');
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%.*s%s", slash ? (int)(slash - __FILE__) :
	    1, slash ? __FILE__ : ".", REF_PDF);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (ref = malloc((size_t)n)) == NULL ||
	    fread(ref, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "fuzz_pdfcmp: cannot read %s\n", path);
		abort();
	}
	ref_len = (size_t)n;
	fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pdfcmp cmp;
	char err[HS_ERRLEN];

	if (ref == NULL)
		load_ref();
	if (pdfcmp_compare(data, size, ref, ref_len, &cmp, err) != HS_OK)
		abort(); /* the reference always reads back */
	if (cmp.result == PDFCMP_SAME && cmp.what[0] != '\0')
		abort();
	if (cmp.result != PDFCMP_SAME && cmp.what[0] == '\0')
		abort();
	return 0;
}
